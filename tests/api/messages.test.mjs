// Messages as a script sees them: sending (idempotent, gap-free under concurrency), replies,
// edits, deletes (tombstones), reactions, read positions, history paging, validation and the
// HTML the server makes from user text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, sharedUsers, hex, uuid, assertError, ISO, show, assertClientError,
  openDirect, createGroup, getConversation, listConversations, send, sendRaw, messages,
  messagesRaw, allMessages, pool, assertMessageShape, sql, haveDb, register, browserOf,
} from './lib.mjs';

const path = (convId, rest = '') => `/api/v1/conversations/${convId}${rest}`;

function edit(u, convId, seq, body) {
  return api('PATCH', path(convId, `/messages/${seq}`), { token: u.token, json: { body } });
}
function del(u, convId, seq) {
  return api('DELETE', path(convId, `/messages/${seq}`), { token: u.token });
}
function react(u, convId, seq, emoji) {
  return api('POST', path(convId, `/messages/${seq}/reactions`), { token: u.token, json: { emoji } });
}
function read(u, convId, seq) {
  return api('POST', path(convId, '/read'), { token: u.token, json: { seq } });
}
async function messageAt(u, convId, seq) {
  const page = await messages(u, convId, `?around=${seq}&limit=5`);
  const m = page.messages.find((x) => x.seq === seq);
  assert.ok(m, `message ${seq} is in the page around it: ${page.messages.map((x) => x.seq)}`);
  return m;
}
/** Asserts the seqs of a history are exactly 1..n. */
function assertGapFree(list, lastSeq, what) {
  const seqs = list.map((m) => m.seq);
  const want = Array.from({ length: lastSeq }, (_, i) => i + 1);
  if (seqs.length !== want.length || seqs.some((s, i) => s !== want[i])) {
    const missing = want.filter((s) => !seqs.includes(s));
    const dup = seqs.filter((s, i) => seqs.indexOf(s) !== i);
    assert.fail(`${what}: seqs are not exactly 1..${lastSeq}: ${seqs.length} messages, missing [${missing.slice(0, 20)}], duplicated [${dup.slice(0, 20)}]`);
  }
}

describe('sending', () => {
  it('201 with the message object of the contract', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    const client_id = uuid();
    const r = await sendRaw(a, conv.id, 'hello there', { client_id });
    assert.equal(r.status, 201, show(r));
    const m = assertMessageShape(r.json.message, {
      conversation_id: conv.id, kind: 'text', body: 'hello there', client_id, deleted: false,
      edited_at: null, reply_to: null, mentions_me: false, reactions: [],
    });
    assert.deepEqual(
      { id: m.sender.id, username: m.sender.username, display_name: m.sender.display_name },
      { id: a.user.id, username: a.username, display_name: a.display_name },
    );
    assert.match(m.created_at, ISO);
    assert.ok(m.html.includes('hello there'), `html: ${m.html}`);
    const j = await getConversation(b, conv.id);
    assert.equal(j.conversation.last_seq, m.seq, 'last_seq is the new seq');
    assert.deepEqual(j.messages.filter((x) => x.kind === 'text').map((x) => x.id), [m.id], 'B sees it');
  });

  it('the same client_id again → 200 with the same message; one copy stored', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    const client_id = uuid();
    const first = await sendRaw(a, conv.id, 'once only', { client_id });
    assert.equal(first.status, 201, show(first));
    const again = await sendRaw(a, conv.id, 'once only', { client_id });
    assert.equal(again.status, 200, `retry: ${show(again)}`);
    assert.equal(again.json.message.id, first.json.message.id, 'same id');
    assert.equal(again.json.message.seq, first.json.message.seq, 'same seq');
    const hist = await allMessages(b, conv.id);
    assert.equal(hist.filter((m) => m.body === 'once only').length, 1, 'one copy in the history');
    assert.equal((await getConversation(a, conv.id)).conversation.last_seq, first.json.message.seq, 'no seq used up');
    // the other person may use the same client_id: it is a different message
    const other = await sendRaw(b, conv.id, 'mine', { client_id });
    assert.equal(other.status, 201, `same client_id, other sender: ${show(other)}`);
    assert.notEqual(other.json.message.id, first.json.message.id);
  });

  it('a retry whose original was stored is answered with it even after the sender was muted', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    const client_id = uuid();
    const first = await sendRaw(b, conv.id, 'sent before the mute', { client_id });
    assert.equal(first.status, 201, show(first));
    const muted = await api('POST', `/api/v1/conversations/${conv.id}/members/${b.user.id}/mute`, { token: a.token, json: { minutes: 60 } });
    assert.equal(muted.status, 200, show(muted));
    const again = await sendRaw(b, conv.id, 'sent before the mute', { client_id });
    assert.equal(again.status, 200, `the lost answer of a stored send: ${show(again)}`);
    assert.equal(again.json.message.id, first.json.message.id);
    const fresh = await sendRaw(b, conv.id, 'a new one', { client_id: uuid() });
    assert.equal(fresh.status, 403, `a new message while muted: ${show(fresh)}`);
  });

  it('concurrent retries of one client_id store one message (one 201, the rest 200)', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    const client_id = uuid();
    const rs = await Promise.all(Array.from({ length: 6 }, () => sendRaw(a, conv.id, 'racing', { client_id })));
    for (const r of rs) assert.ok([200, 201].includes(r.status), show(r));
    assert.equal(rs.filter((r) => r.status === 201).length, 1, `exactly one 201: ${rs.map((r) => r.status)}`);
    assert.equal(new Set(rs.map((r) => r.json.message.id)).size, 1, 'all answers are the same message');
    const hist = await allMessages(a, conv.id);
    assert.equal(hist.filter((m) => m.body === 'racing').length, 1, 'one copy');
    assertGapFree(hist, (await messages(a, conv.id)).last_seq, 'after the race');
  });

  it('20 concurrent senders × 5 messages: seqs gap-free 1..last_seq, every ack exactly once', async () => {
    const [owner, ...senders] = await sharedUsers(21);
    const g = await createGroup(owner, senders, { title: `Busy ${hex(3)}` });
    const tag = hex(3);
    const acks = (await Promise.all(senders.map(async (s, i) => {
      const mine = [];
      for (let k = 0; k < 5; k++) mine.push(await send(s, g.id, `m ${tag} ${i}.${k}`));
      return mine;
    }))).flat();
    assert.equal(acks.length, 100);
    assert.equal(new Set(acks.map((m) => m.seq)).size, 100, 'every ack has its own seq');
    assert.equal(new Set(acks.map((m) => m.id)).size, 100, 'every ack has its own id');
    // each sender's own messages were committed in the order sent
    for (let i = 0; i < 20; i++) {
      const seqs = acks.slice(i * 5, i * 5 + 5).map((m) => m.seq);
      assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), `sender ${i}: seqs increase`);
    }

    const page = await messages(owner, g.id);
    const hist = await allMessages(owner, g.id);
    assertGapFree(hist, page.last_seq, 'group history');
    const bySeq = new Map(hist.map((m) => [m.seq, m]));
    for (const a of acks) {
      const m = bySeq.get(a.seq);
      assert.ok(m, `ack seq ${a.seq} in the history`);
      assert.equal(m.id, a.id, `seq ${a.seq}: the acknowledged message`);
      assert.equal(m.body, a.body);
    }
    const texts = hist.filter((m) => m.kind === 'text');
    assert.equal(texts.length, 100, 'exactly the 100 acknowledged texts');
    assert.equal(new Set(texts.map((m) => m.body)).size, 100, 'no text twice');
    if (haveDb) {
      const [n, max] = sql(`SELECT count(*), coalesce(max(seq),0) FROM messages WHERE conversation_id = ${g.id}`).split('|').map(Number);
      assert.equal(n, max, `stored rows ${n} = max seq ${max}`);
      assert.equal(Number(sql(`SELECT last_seq FROM conversations WHERE id = ${g.id}`)), max, 'last_seq = max seq');
    }
  });

  it('reply_to carries the seq, sender and an excerpt; a deleted original reveals nothing', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    const orig = await send(a, conv.id, 'The original words here');
    const reply = await send(b, conv.id, 'my answer', { reply_to: orig.seq });
    assert.ok(reply.reply_to, 'reply_to object');
    assert.equal(reply.reply_to.seq, orig.seq);
    assert.equal(reply.reply_to.sender?.id, a.user.id);
    assert.equal(typeof reply.reply_to.excerpt, 'string');
    assert.ok(reply.reply_to.excerpt.includes('The original'), `excerpt: ${reply.reply_to.excerpt}`);
    assert.equal(reply.reply_to.deleted, false);
    const inHist = await messageAt(a, conv.id, reply.seq);
    assert.equal(inHist.reply_to?.seq, orig.seq, 'in the history too');

    assert.equal((await del(a, conv.id, orig.seq)).status, 204);
    const after = await messageAt(b, conv.id, reply.seq);
    assert.equal(after.reply_to?.deleted, true, 'the reply shows the original as deleted');
    assert.ok(!JSON.stringify(after).includes('original words'), 'no trace of the deleted words');
    assert.equal(after.reply_to.excerpt_html, '');

    assertClientError(await sendRaw(a, conv.id, 'to nothing', { reply_to: 99999 }), [400, 404]);
    assertClientError(await sendRaw(a, conv.id, 'to nothing', { reply_to: 'x' }), [400]);
  });
});

describe('reply quotes', () => {
  it('are formatted as the quoted message (escaped, no links) on the page and in excerpt_html', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    const orig = await send(a, conv.id, '**Bold** plan <script>x</script> at https://example.com/p');
    const reply = await send(b, conv.id, 'agreed', { reply_to: orig.seq });
    const q = reply.reply_to.excerpt_html;
    assert.match(q, /<strong>Bold<\/strong> plan &lt;script&gt;x&lt;\/script&gt; at https:\/\/example\.com\/p/);
    assert.ok(!q.includes('<a'), `no link inside the quote: ${q}`);
    assert.ok(reply.reply_to.excerpt.includes('**Bold**'), 'excerpt stays the plain text');
    const page = await (await browserOf(a)).get(`/conversations/${conv.id}`);
    assert.match(page.text, /class="msg-quote-text" dir="auto"><strong>Bold<\/strong> plan &lt;script&gt;/);
  });
});

describe('validation of a send', () => {
  it('body: empty → 400; over 16 KiB (bytes) → 400 invalid_field; exactly 16 KiB is fine', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    assertError(await sendRaw(a, conv.id, ''), 400, ['missing_field', 'invalid_field'], 'body');
    const noBody = await api('POST', path(conv.id, '/messages'), { token: a.token, json: { client_id: uuid() } });
    assertError(noBody, 400, ['missing_field', 'invalid_field'], 'body');
    assertError(await sendRaw(a, conv.id, 'x'.repeat(16 * 1024 + 1)), 400, 'invalid_field', 'body');
    assertError(await sendRaw(a, conv.id, 'é'.repeat(8 * 1024 + 1)), 400, 'invalid_field', 'body');
    assertError(await sendRaw(a, conv.id, 42), 400, 'invalid_field', 'body');
    const max = await send(a, conv.id, 'y'.repeat(16 * 1024));
    assert.equal(max.body.length, 16 * 1024);
    const hist = await allMessages(b, conv.id);
    assert.equal(hist.filter((m) => m.kind === 'text').length, 1, 'only the valid one was stored');
  });

  it('client_id that is not a UUID → 400 invalid_field client_id', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    for (const bad of ['abc', '12345678-1234-1234-1234-12345678901', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', 7]) {
      assertError(await sendRaw(a, conv.id, 'hi', { client_id: bad }), 400, 'invalid_field', 'client_id');
    }
    assert.equal((await allMessages(a, conv.id)).filter((m) => m.kind === 'text').length, 0, 'nothing stored');
  });
});

describe('edit and delete', () => {
  it('edit my own message: 200, body changed, edited_at set; the form twin works too', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    const m = await send(a, conv.id, 'first **draft**');
    const r = await edit(a, conv.id, m.seq, 'second **draft**');
    assert.equal(r.status, 200, show(r));
    assertMessageShape(r.json.message, { id: m.id, seq: m.seq, body: 'second **draft**' });
    assert.match(r.json.message.edited_at, ISO, 'edited_at set');
    assert.ok(r.json.message.html.includes('<strong>draft</strong>'), `html re-rendered: ${r.json.message.html}`);
    const seen = await messageAt(b, conv.id, m.seq);
    assert.equal(seen.body, 'second **draft**');
    assert.match(seen.edited_at, ISO);
    const form = await api('POST', path(conv.id, `/messages/${m.seq}/edit`), { token: a.token, json: { body: 'third' } });
    assert.equal(form.status, 200, show(form));
    assert.equal((await messageAt(b, conv.id, m.seq)).body, 'third');
    assertError(await edit(a, conv.id, m.seq, ''), 400, ['missing_field', 'invalid_field'], 'body');
  });

  it("editing someone else's message, a system message or a deleted one → 403 forbidden", async () => {
    const [o, b] = await sharedUsers(2);
    const g = await createGroup(o, [b]);
    const hist = await allMessages(o, g.id);
    const sys = hist.find((m) => m.kind === 'system');
    const m = await send(o, g.id, 'owner text');
    assertError(await edit(b, g.id, m.seq, 'hijacked'), 403, 'forbidden');
    assert.equal((await messageAt(o, g.id, m.seq)).body, 'owner text', 'unchanged');
    if (sys) assertError(await edit(sys.sender.id === o.user.id ? o : b, g.id, sys.seq, 'rewritten'), 403, 'forbidden');
    const gone = await send(b, g.id, 'soon gone');
    assert.equal((await del(b, g.id, gone.seq)).status, 204);
    assertError(await edit(b, g.id, gone.seq, 'back again'), 403, 'forbidden');
    assertClientError(await edit(o, g.id, 99999, 'nothing'), [403, 404]);
  });

  it('delete my own: 204, the history keeps a tombstone at the same seq', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    await send(a, conv.id, 'before');
    const m = await send(a, conv.id, 'regret this');
    await send(b, conv.id, 'after');
    const r = await del(a, conv.id, m.seq);
    assert.equal(r.status, 204, show(r));
    const hist = await allMessages(b, conv.id);
    assertGapFree(hist, (await messages(b, conv.id)).last_seq, 'after delete');
    const t = hist.find((x) => x.seq === m.seq);
    assert.ok(t, 'the seq is still there');
    assert.equal(t.id, m.id);
    assert.equal(t.deleted, true);
    assert.equal(t.body, null);
    assert.equal(t.html, '');
    assert.ok(!JSON.stringify(hist).includes('regret this'), 'the words are gone from the history');
    if (haveDb) {
      assert.equal(sql(`SELECT coalesce(body,'<null>') FROM messages WHERE id = ${m.id}`), '<null>', 'the stored body is gone');
    }
    // the form twin
    const m2 = await send(a, conv.id, 'also regret');
    assert.equal((await api('POST', path(conv.id, `/messages/${m2.seq}/delete`), { token: a.token })).status, 204);
    assert.equal((await messageAt(a, conv.id, m2.seq)).deleted, true);
  });

  it("a group admin deletes another's message; a member cannot (403); nor can a direct peer", async () => {
    const [o, adm, m1, m2] = await sharedUsers(4);
    const g = await createGroup(o, [adm, m1, m2]);
    const pr = await api('PATCH', path(g.id, `/members/${adm.user.id}`), { token: o.token, json: { role: 'admin' } });
    assert.equal(pr.status, 200, show(pr));
    const a = await send(m1, g.id, 'rude words');
    const b = await send(m1, g.id, 'more rude words');
    assertError(await del(m2, g.id, a.seq), 403, 'forbidden');
    assert.equal((await messageAt(o, g.id, a.seq)).deleted, false, 'still there');
    assert.equal((await del(adm, g.id, a.seq)).status, 204, 'admin deletes');
    assert.equal((await del(o, g.id, b.seq)).status, 204, 'owner deletes');
    assert.equal((await messageAt(m2, g.id, a.seq)).deleted, true);
    assert.equal((await messageAt(m2, g.id, b.seq)).deleted, true);

    const d = await openDirect(m1, m2);
    const x = await send(m1, d.id, 'direct words');
    assertError(await del(m2, d.id, x.seq), 403, 'forbidden');
  });
});

describe('reactions', () => {
  it('the page\'s reaction button names who reacted by display name (its tooltip)', async () => {
    const [o, b] = await Promise.all([register({ display_name: 'Olga <Owner>' }), register({ display_name: 'Bea Reactor' })]);
    const g = await createGroup(o, [b]);
    const m = await send(o, g.id, 'tooltip please');
    assert.equal((await react(b, g.id, m.seq, '👍')).status, 200);
    assert.equal((await react(o, g.id, m.seq, '👍')).status, 200);
    const page = await (await browserOf(o)).get(`/conversations/${g.id}`);
    assert.match(page.text, /class="reaction is-mine" aria-pressed="true" title="Bea Reactor, Olga &lt;Owner&gt;"/);
  });

  it('toggle: count 1 → 2 → 1 → 0, users are usernames, names display names, me is mine', async () => {
    const [o, b] = await sharedUsers(2);
    const g = await createGroup(o, [b]);
    const m = await send(o, g.id, 'react to me');
    let r = await react(b, g.id, m.seq, '👍');
    assert.equal(r.status, 200, show(r));
    let re = r.json.message.reactions;
    assert.deepEqual(re, [{ emoji: '👍', count: 1, users: [b.username], names: [b.display_name], me: true }], JSON.stringify(re));

    r = await react(o, g.id, m.seq, '👍');
    assert.equal(r.status, 200, show(r));
    re = r.json.message.reactions.find((x) => x.emoji === '👍');
    assert.equal(re.count, 2);
    assert.deepEqual(new Set(re.users), new Set([o.username, b.username]));
    assert.equal(re.me, true);

    r = await react(b, g.id, m.seq, '👍');
    assert.equal(r.status, 200, show(r));
    re = r.json.message.reactions.find((x) => x.emoji === '👍');
    assert.equal(re.count, 1, 'B toggled off');
    assert.deepEqual(re.users, [o.username]);
    assert.equal(re.me, false, 'not mine any more');
    // the owner sees me:true in the history
    const seen = (await messageAt(o, g.id, m.seq)).reactions.find((x) => x.emoji === '👍');
    assert.equal(seen.me, true);

    r = await react(o, g.id, m.seq, '👍');
    assert.equal(r.status, 200, show(r));
    const left = r.json.message.reactions.find((x) => x.emoji === '👍');
    assert.equal(left?.count ?? 0, 0, `count 0 (or gone): ${JSON.stringify(r.json.message.reactions)}`);

    // two different emoji from one person
    await react(b, g.id, m.seq, '🎉');
    r = await react(b, g.id, m.seq, '❤️');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(new Set(r.json.message.reactions.filter((x) => x.count > 0).map((x) => x.emoji)), new Set(['🎉', '❤️']));
  });

  it('invalid emoji → 400 ("a", "", 40 bytes, ASCII punctuation); unknown seq → 404', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    const m = await send(a, conv.id, 'x');
    for (const bad of ['a', '', '👍'.repeat(10), ' ', '!', ':)', 'a👍', '1']) {
      const r = await react(b, conv.id, m.seq, bad);
      assertError(r, 400, ['invalid_field', 'missing_field']);
    }
    assert.deepEqual((await messageAt(a, conv.id, m.seq)).reactions.filter((x) => x.count > 0), [], 'nothing stored');
    assertError(await react(b, conv.id, 99999, '👍'), 404, 'not_found');
  });

  it('any one emoji of Unicode\'s list (a toned kiss of 35 bytes, a flag, a keycap); ❤ is stored as ❤️; two emoji or a letter → 400', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    const m = await send(a, conv.id, 'pick one');
    const kiss = '\u{1F469}\u{1F3FB}\u200D\u2764\uFE0F\u200D\u{1F48B}\u200D\u{1F468}\u{1F3FC}';
    for (const ok of [kiss, '🇫🇷', '1️⃣', '🦩', '👍🏽']) {
      const r = await react(b, conv.id, m.seq, ok);
      assert.equal(r.status, 200, show(r));
    }
    const r = await react(b, conv.id, m.seq, '\u2764');
    assert.equal(r.status, 200, show(r));
    const shown = (await messageAt(a, conv.id, m.seq)).reactions.map((x) => x.emoji);
    assert.deepEqual(new Set(shown), new Set([kiss, '🇫🇷', '1️⃣', '🦩', '👍🏽', '❤️']), JSON.stringify(shown));
    for (const bad of ['👍👍', 'é', '🏻', '🇫', '👍 ']) {
      const e = await react(b, conv.id, m.seq, bad);
      assertError(e, 400, 'invalid_field', 'emoji');
      assert.match(e.json.error.message, /one emoji/i);
    }
  });
});

describe('read position', () => {
  it('moves forward only, never past last_seq; unread drops', async () => {
    const [o, b] = await sharedUsers(2);
    const g = await createGroup(o, [b]);
    const sent = [];
    for (let i = 0; i < 10; i++) sent.push(await send(b, g.id, `news ${i}`));
    const last = sent[9].seq;
    const hist = await allMessages(o, g.id);
    const unreadAfter = (pos) => hist.filter((m) => m.seq > pos && m.sender.id !== o.user.id && !m.deleted).length;

    const before = (await listConversations(o)).find((x) => x.id === g.id);
    assert.ok(before.unread >= 10, `10 unread at least: ${before.unread}`);

    let r = await read(o, g.id, sent[4].seq);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.read_seq, sent[4].seq);
    assert.equal(r.json.unread, 5, 'five left');
    assert.equal(r.json.unread, unreadAfter(sent[4].seq));
    assert.equal((await listConversations(o)).find((x) => x.id === g.id).unread, 5, 'the list agrees');

    r = await read(o, g.id, sent[2].seq);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.read_seq, sent[4].seq, 'never backwards');
    assert.equal(r.json.unread, 5);

    r = await read(o, g.id, last + 1000);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.read_seq, last, 'never past last_seq');
    assert.equal(r.json.unread, 0);
    const j = await getConversation(o, g.id);
    assert.equal(j.conversation.read_seq, last);
    assert.equal((await listConversations(o)).find((x) => x.id === g.id).unread, 0);

    // a new message counts again; my own do not
    await send(b, g.id, 'one more');
    await send(o, g.id, 'mine');
    assert.equal((await listConversations(b)).find((x) => x.id === g.id).unread, 1, 'B: my message unread');

    assertError(await read(o, g.id, 'x'), 400, ['invalid_field', 'missing_field']);
    assertError(await api('POST', path(g.id, '/read'), { token: o.token, json: {} }), 400, ['missing_field', 'invalid_field']);
  });

  it('deleted messages do not count as unread', async () => {
    const [o, b] = await sharedUsers(2);
    const conv = await createGroup(o, [b]);
    const start = await read(o, conv.id, 1e9); // whatever the group's creation wrote is read
    assert.equal(start.status, 200, show(start));
    await send(b, conv.id, 'one');
    const two = await send(b, conv.id, 'two');
    assert.equal((await listConversations(o)).find((x) => x.id === conv.id).unread, 2);
    assert.equal((await del(b, conv.id, two.seq)).status, 204);
    assert.equal((await listConversations(o)).find((x) => x.id === conv.id).unread, 1);
  });
});

describe('history paging', () => {
  it('120 messages: newest page, before, after, around, limit bounds', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    await pool(Array.from({ length: 120 }, (_, i) => i), 8, (i) => send(a, conv.id, `line ${i}`));
    const first = await messages(b, conv.id);
    const L = first.last_seq;
    assert.ok(L >= 120, `last_seq ${L}`);
    const range = (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
    const seqs = (p) => p.messages.map((m) => m.seq);

    assert.deepEqual(seqs(first), range(L - 49, L), 'default: the newest 50, ascending');
    assert.equal(first.has_older, true);
    assert.equal(first.has_newer, false);

    const older = await messages(b, conv.id, `?before=${L - 49}`);
    assert.deepEqual(seqs(older), range(L - 99, L - 50), 'before: the previous 50');
    assert.equal(older.has_older, true);
    assert.equal(older.has_newer, true);

    const oldest = await messages(b, conv.id, `?before=${L - 99}`);
    assert.deepEqual(seqs(oldest), range(1, L - 100), 'before: the rest');
    assert.equal(oldest.has_older, false);

    const newer = await messages(b, conv.id, '?after=10');
    assert.deepEqual(seqs(newer), range(11, 60), 'after=10: the next 50');
    assert.equal(newer.has_older, true);
    assert.equal(newer.has_newer, true);
    const tail = await messages(b, conv.id, `?after=${L - 5}`);
    assert.deepEqual(seqs(tail), range(L - 4, L));
    assert.equal(tail.has_newer, false);
    assert.deepEqual(seqs(await messages(b, conv.id, `?after=${L}`)), [], 'nothing after the last');

    const around = await messages(b, conv.id, '?around=60');
    const s = seqs(around);
    assert.ok(s.includes(60), `around=60 contains 60: ${s}`);
    assert.ok(s.length <= 50 && s.length >= 40, `a full page: ${s.length}`);
    assert.deepEqual(s, range(s[0], s[s.length - 1]), 'contiguous');
    const idx = s.indexOf(60);
    assert.ok(idx >= 15 && s.length - 1 - idx >= 15, `60 in the middle (index ${idx} of ${s.length})`);
    assert.equal(around.has_older, true);
    assert.equal(around.has_newer, true);
    const page = await getConversation(b, conv.id, '?around=60');
    assert.ok(page.messages.some((m) => m.seq === 60), 'the conversation page takes around= too');

    assert.deepEqual(seqs(await messages(b, conv.id, '?limit=10')), range(L - 9, L), 'limit=10');
    assert.deepEqual(seqs(await messages(b, conv.id, '?limit=1')), [L], 'limit=1');
    const all = await messages(b, conv.id, '?limit=200');
    assert.deepEqual(seqs(all), range(Math.max(1, L - 199), L), 'limit=200');
    assert.equal(all.has_older, L > 200);

    for (const q of ['?limit=0', '?limit=500', '?limit=201', '?limit=-1', '?limit=abc', '?before=abc', '?around=x']) {
      const r = await messagesRaw(b, conv.id, q);
      assertError(r, 400, ['invalid_field', 'bad_request']);
    }
    assertError(await messagesRaw(b, conv.id, '?limit=0'), 400, 'invalid_field');
    assertError(await messagesRaw(b, conv.id, '?limit=500'), 400, 'invalid_field');
  });

  it('edges: a cursor past either end, around the first or a seq not yet sent, limit with each', async () => {
    const [a, b] = await sharedUsers(2);
    const conv = await createGroup(a, [b]);
    await pool(Array.from({ length: 70 }, (_, i) => i), 8, (i) => send(a, conv.id, `edge ${i}`));
    const L = (await messages(b, conv.id)).last_seq;
    const range = (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
    const page = async (q) => {
      const p = await messages(b, conv.id, q);
      return [p.messages.map((m) => m.seq), p.has_older, p.has_newer];
    };
    assert.deepEqual(await page(`?before=${L + 1000}`), [range(L - 49, L), true, false], 'before past the end: the newest');
    assert.deepEqual(await page(`?before=${L + 1}`), [range(L - 49, L), true, false], 'before=last+1: the newest');
    assert.deepEqual(await page('?before=1'), [[], false, true], 'before=1: nothing older');
    assert.deepEqual(await page('?before=30&limit=5'), [range(25, 29), true, true], 'before with a limit');
    assert.deepEqual(await page('?before=3&limit=5'), [range(1, 2), false, true], 'before near the start');
    assert.deepEqual(await page('?after=0&limit=4'), [range(1, 4), false, true], 'after=0: from the first');
    assert.deepEqual(await page(`?after=${L - 3}&limit=2`), [range(L - 2, L - 1), true, true], 'after with a limit');
    assert.deepEqual(await page(`?after=${L + 5}`), [[], true, false], 'after past the end: nothing');
    assert.deepEqual(await page('?around=1&limit=10'), [range(1, 10), false, true], 'around the first: a full page from 1');
    assert.deepEqual(await page('?around=2&limit=10'), [range(1, 10), false, true], 'around the second: still from 1');
    assert.deepEqual(await page('?around=40&limit=10'), [range(35, 44), true, true], 'around: 6 up to it, 4 after');
    assert.deepEqual(await page(`?around=${L}&limit=10`), [range(L - 5, L), true, false], 'around the last');
    assert.deepEqual(await page(`?around=${L + 500}&limit=10`), [range(L - 5, L), true, false],
      'around a seq not yet sent: the newest up to the last');
  });
});

describe('formatting (the html field)', () => {
  async function html(u, convId, body) {
    return (await send(u, convId, body)).html;
  }

  it('bold, italic, code; everything else escaped', async () => {
    const [a, b] = await sharedUsers(2);
    const c = await createGroup(a, [b]);
    assert.ok((await html(a, c.id, '**b**')).includes('<strong>b</strong>'));
    assert.ok((await html(a, c.id, 'an *it* word')).includes('<em>it</em>'));
    assert.ok((await html(a, c.id, 'an _it_ word')).includes('<em>it</em>'));
    assert.ok((await html(a, c.id, 'run `ls -l` now')).includes('<code>ls -l</code>'));
    const block = await html(a, c.id, '```\nx < y\n```');
    assert.match(block, /<code[^>]*>[^]*x &lt; y/, `code block: ${block}`);

    const s = await html(a, c.id, '<script>alert(1)</script>');
    assert.ok(s.includes('&lt;script&gt;'), `escaped: ${s}`);
    assert.ok(!/<script/i.test(s), `no script tag: ${s}`);
    const img = await html(a, c.id, '<img src=x onerror=alert(1)> & "q" \'s\'');
    assert.ok(!/<img/i.test(img), `no img tag: ${img}`);
    assert.ok(img.includes('&amp;'), `ampersand escaped: ${img}`);
    // the stored body stays what was typed
    const m = await send(a, c.id, '<b>raw</b>');
    assert.equal(m.body, '<b>raw</b>');
    assert.ok(!m.html.includes('<b>'), m.html);
  });

  it('links: http(s) only, with rel="noopener nofollow ugc"; javascript: is not linked', async () => {
    const [a, b] = await sharedUsers(2);
    const c = await createGroup(a, [b]);
    const h = await html(a, c.id, 'see https://example.com now');
    const tag = /<a\b[^>]*>/i.exec(h)?.[0];
    assert.ok(tag, `a link: ${h}`);
    assert.ok(tag.includes('href="https://example.com"'), `href: ${tag}`);
    assert.ok(tag.includes('rel="noopener nofollow ugc"'), `rel: ${tag}`);
    assert.ok(h.startsWith('see ') || h.includes('see '), h);
    assert.ok(h.includes('https://example.com</a>'), `link text: ${h}`);

    const js = await html(a, c.id, 'javascript:alert(1)');
    assert.ok(!/<a\b/i.test(js), `javascript: not linked: ${js}`);
    assert.ok(!/href=/i.test(js), js);
    const md = await html(a, c.id, '[x](javascript:alert(1))');
    assert.ok(!/href="?\s*javascript/i.test(md), `no javascript href: ${md}`);
    const q = await html(a, c.id, 'https://example.com/"onmouseover="alert(1)');
    assert.ok(!/<a\b[^>]*\sonmouseover=/i.test(q), `no attribute injection: ${q}`);
    const ftp = await html(a, c.id, 'ftp://example.com/file');
    assert.ok(!/<a\b/i.test(ftp), `ftp not linked: ${ftp}`);
  });

  it('@mentions: class mention; mentions_me and mention-me for the person mentioned', async () => {
    const [a, b, c] = await sharedUsers(3);
    const g = await createGroup(a, [b, c]);
    const m = await send(a, g.id, `hello @${b.username} and all`);
    const cls = (h) => /<[a-z]+\b[^>]*class="([^"]*)"[^>]*>@?[^<]*<\/[a-z]+>/i.exec(h)?.[1] || '';
    assert.ok(/\bmention\b/.test(cls(m.html)), `class mention in the sender's html: ${m.html}`);
    assert.ok(!/mention-me/.test(m.html), `no mention-me for the sender: ${m.html}`);
    assert.equal(m.mentions_me, false);
    assert.ok(m.html.includes(b.username), m.html);

    const forB = await messageAt(b, g.id, m.seq);
    assert.equal(forB.mentions_me, true, 'B is mentioned');
    assert.ok(/\bmention-me\b/.test(forB.html), `mention-me for B: ${forB.html}`);
    assert.ok(/\bmention\b/.test(cls(forB.html)), `still class mention: ${forB.html}`);
    const forC = await messageAt(c, g.id, m.seq);
    assert.equal(forC.mentions_me, false, 'C is not mentioned');
    assert.ok(!/mention-me/.test(forC.html), `no mention-me for C: ${forC.html}`);
  });
});
