// Search as a script sees it: messages (words, fragments, phrases, exclusions, or, every
// operator), who may see what (members only, at the time of the search), deleted and edited
// messages, the snippet's escaping, people and conversations, bad input and the rate limit.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, register, hex, assertError, show, openDirect, createGroup, send, block, makeContacts, sql, lit,
} from './lib.mjs';

function searchRaw(u, q, extra = '') {
  return api('GET', `/api/v1/search?q=${encodeURIComponent(q)}${extra}`, { token: u.token });
}

async function search(u, q, extra = '') {
  const r = await searchRaw(u, q, extra);
  assert.equal(r.status, 200, `search ${JSON.stringify(q)}: ${show(r)}`);
  assert.ok(Array.isArray(r.json?.messages), `messages array: ${show(r)}`);
  return r.json;
}

/** The seqs of the hits in conversation conv. */
async function seqs(u, q, conv, extra = '') {
  const res = await search(u, q, extra);
  return res.messages.filter((h) => h.conversation.id === conv.id).map((h) => h.seq).sort((a, b) => a - b);
}

const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

describe('search: messages', () => {
  let a, b, dm, group, tag, m;
  before(async () => {
    a = await register({ display_name: 'Ana Search' });
    b = await register({ display_name: 'Bruno Search' });
    dm = await openDirect(a, b);
    tag = `k${hex(4)}`;                  // a made-up word unique to this run (a letter first: "22e6…" reads as a number)
    group = await createGroup(a, [b], { title: `Project ${tag}` });
    m = {};
    m.hello = await send(a, dm.id, `Hello there ${tag}alpha, see https://example.org/${tag}`);
    m.jose = await send(b, dm.id, `José says ${tag}beta plainly`);
    m.phrase = await send(a, group.id, `the quick brown fox ${tag}gamma`);
    m.reverse = await send(b, group.id, `brown quick the fox ${tag}gamma`);
    m.mention = await send(b, group.id, `ping @${a.username} about ${tag}delta`);
    m.short = await send(a, group.id, `qz ${tag}eps`);
    m.script = await send(b, dm.id, `${tag}zeta <script>alert(1)</script> & <b>bold</b>`);
  });

  it('finds words, case- and accent-insensitively, with the hit shape', async () => {
    const res = await search(a, `hello ${tag}alpha`);
    assert.equal(res.messages.length, 1, show({ status: 200, text: JSON.stringify(res) }));
    const h = res.messages[0];
    assert.equal(h.seq, m.hello.seq);
    assert.equal(h.id, m.hello.id);
    assert.equal(h.conversation.id, dm.id);
    assert.equal(h.conversation.kind, 'direct');
    assert.equal(h.conversation.title, 'Bruno Search', 'a direct conversation is titled by the peer');
    assert.equal(h.sender.username, a.username);
    assert.match(h.created_at, /^\d{4}-\d\d-\d\dT/);
    assert.equal(h.url, `/conversations/${dm.id}?around=${h.seq}#m${h.seq}`);
    assert.match(h.snippet, /<mark>Hello<\/mark>/);
    assert.deepEqual(await seqs(a, `JOSE ${tag}beta`, dm), [m.jose.seq], 'José is found by jose');
    assert.deepEqual(await seqs(b, `josé`, dm), [m.jose.seq]);
  });

  it('finds two-letter terms and fragments inside words', async () => {
    assert.deepEqual(await seqs(a, `qz ${tag}`, group), [m.short.seq], 'a two-letter term');
    assert.deepEqual(await seqs(a, 'qz', group), [m.short.seq], 'alone too');
    assert.deepEqual(await seqs(a, `ell ${tag}alpha`, dm), [m.hello.seq], '"ell" finds "Hello"');
    assert.deepEqual(await seqs(a, `${tag}alp`, dm), [m.hello.seq], 'a prefix');
    assert.deepEqual(await seqs(a, tag.slice(1) + 'alph', dm), [m.hello.seq], 'a fragment inside a word');
  });

  it('marks a fragment where it occurs inside a word, ignoring case and accents', async () => {
    const hit = (res) => res.messages.find((h) => h.conversation.id === dm.id);
    let h = hit(await search(a, `ell ${tag}alpha`));
    assert.match(h.snippet, /^H<mark>ell<\/mark>o there <mark>/, h.snippet);
    h = hit(await search(a, tag.slice(1) + 'alph'));
    assert.ok(h.snippet.includes(`${tag[0]}<mark>${tag.slice(1)}alph</mark>a`), h.snippet);
    h = hit(await search(b, `OSE ${tag}beta`));
    assert.ok(h.snippet.startsWith('J<mark>osé</mark> says'), h.snippet);
    h = hit(await search(b, `script>alert ${tag}zeta`));
    assert.ok(h.snippet.includes('&lt;<mark>script&gt;alert</mark>(1)'), h.snippet);
  });

  it('matches "phrases" in order, -excludes, and or', async () => {
    assert.deepEqual(await seqs(a, `"quick brown fox" ${tag}gamma`, group), [m.phrase.seq]);
    assert.deepEqual(await seqs(a, `${tag}gamma`, group), [m.phrase.seq, m.reverse.seq]);
    assert.deepEqual(await seqs(a, `${tag}gamma -"brown quick"`, group), [m.phrase.seq]);
    assert.deepEqual(await seqs(a, `${tag}gamma -reverse -brown`, group), []);
    const either = await search(a, `${tag}delta or ${tag}eps`);
    assert.deepEqual(either.messages.map((h) => h.seq).sort((x, y) => x - y), [m.mention.seq, m.short.seq]);
  });

  it('from:, in: (id and title), is:mention and has:link', async () => {
    assert.deepEqual(await seqs(a, `from:@${b.username} ${tag}gamma`, group), [m.reverse.seq]);
    assert.deepEqual(await seqs(a, `from:${a.username} ${tag}gamma`, group), [m.phrase.seq]);
    const inId = await search(a, `in:${group.id} ${tag}`);
    assert.ok(inId.messages.length >= 4 && inId.messages.every((h) => h.conversation.id === group.id), 'in:<id>');
    const inTitle = await search(a, `in:"project ${tag}" qz`);
    assert.deepEqual(inTitle.messages.map((h) => h.seq), [m.short.seq], 'in:"title"');
    const inPeer = await search(a, `in:bruno ${tag}`);
    assert.ok(inPeer.messages.length >= 3 && inPeer.messages.every((h) => h.conversation.id === dm.id), 'a direct one by the peer name');
    assert.deepEqual((await search(a, `is:mention ${tag}`)).messages.map((h) => h.seq), [m.mention.seq]);
    assert.deepEqual((await search(b, `is:mention ${tag}`)).messages, [], 'the mention is of a, not b');
    assert.deepEqual((await search(a, `has:link ${tag}`)).messages.map((h) => h.seq), [m.hello.seq]);
  });

  it('before:, after: and on: (UTC days)', async () => {
    const n = async (q) => (await search(a, `${q} ${tag}alpha`)).messages.length;
    assert.equal(await n(`before:${day(1)}`), 1);
    assert.equal(await n(`before:${day(0)}`), 0);
    assert.equal(await n(`after:${day(-1)}`), 1);
    assert.equal(await n(`after:${day(0)}`), 0);
    assert.equal(await n(`on:${day(0)}`), 1);
    assert.equal(await n(`on:${day(-1)}`), 0);
  });

  it('the snippet is escaped text with <mark> added by Parley', async () => {
    const res = await search(b, `${tag}zeta`);
    assert.equal(res.messages.length, 1);
    const s = res.messages[0].snippet;
    assert.ok(s.startsWith(`<mark>${tag}zeta</mark> &lt;script&gt;alert(1)&lt;/script&gt;`), s);
    assert.ok(s.endsWith('&amp; &lt;b&gt;bold&lt;/b&gt;'), `a short message comes whole: ${s}`);
    assert.ok(!/<(?!\/?mark>)/.test(s), `no markup but <mark>: ${s}`);
    const hit = await search(b, `script ${tag}zeta`);
    assert.match(hit.messages[0].snippet, /<mark>script<\/mark>&gt;alert/, 'a word inside markup-looking text is highlighted as text');
    const page = await api('GET', `/search?q=${encodeURIComponent(`${tag}zeta`)}`, { token: b.token });
    assert.equal(page.status, 200, show(page));
    assert.ok(page.text.includes(`<mark>${tag}zeta</mark> &lt;script&gt;`), 'the page shows the same snippet');
    assert.ok(!page.text.includes('<script>alert'), 'no live script on the page');
  });

  it('sort=newest pages by before=<id>; relevance by offset', async () => {
    const c = await register();
    const conv = await openDirect(c, a);
    const w = `${hex(4)}page`;
    const sent = [];
    for (let i = 0; i < 23; i++) sent.push(await send(c, conv.id, `${w} number ${i}`));
    const p1 = await search(c, w, '&sort=newest');
    assert.equal(p1.messages.length, 20);
    assert.deepEqual(p1.messages.map((h) => h.id), sent.slice(3).reverse().map((x) => x.id));
    assert.ok(p1.next?.before, JSON.stringify(p1.next));
    const p2 = await search(c, w, `&sort=newest&before=${p1.next.before}`);
    assert.deepEqual(p2.messages.map((h) => h.id), sent.slice(0, 3).reverse().map((x) => x.id));
    assert.equal(p2.next, null);
    const r1 = await search(c, w);
    assert.equal(r1.messages.length, 20);
    assert.equal(r1.next?.offset, 20);
    const r2 = await search(c, w, '&offset=20');
    assert.equal(r2.messages.length, 3);
    const all = new Set([...r1.messages, ...r2.messages].map((h) => h.id));
    assert.equal(all.size, 23, 'relevance pages neither repeat nor skip');
  });
});

describe('search: never leaking', () => {
  it('a stranger\'s conversation never appears', async () => {
    const [a, c, d] = [await register(), await register(), await register()];
    const w = `secret${hex(5)}`;
    const conv = await openDirect(c, d);
    await send(c, conv.id, `the ${w} is here`);
    const g = await createGroup(c, [d], { title: `Hidden ${w}` });
    await send(d, g.id, `${w} again`);
    assert.deepEqual((await search(a, w)).messages, []);
    assert.deepEqual((await search(a, `in:${conv.id}`)).messages, [], 'not by id either');
    assert.deepEqual((await search(a, w)).conversations, []);
    assert.equal((await search(c, w)).messages.length, 2, 'the members do see them');
  });

  it('a removed member loses the conversation at once', async () => {
    const [owner, x] = [await register(), await register()];
    const w = `removed${hex(5)}`;
    const g = await createGroup(owner, [x]);
    await send(owner, g.id, `before removal ${w}`);
    assert.equal((await search(x, w)).messages.length, 1);
    const rm = await api('DELETE', `/api/v1/conversations/${g.id}/members/${x.user.id}`, { token: owner.token });
    assert.ok([200, 204].includes(rm.status), show(rm));
    assert.deepEqual((await search(x, w)).messages, []);
  });

  it('deleted messages never match; edits re-index', async () => {
    const [a, b] = [await register(), await register()];
    const conv = await openDirect(a, b);
    const old = `oldword${hex(4)}`, neu = `newword${hex(4)}`, gone = `gone${hex(4)}`;
    const m1 = await send(a, conv.id, `first ${old}`);
    const m2 = await send(a, conv.id, `second ${gone}`);
    const ed = await api('PATCH', `/api/v1/conversations/${conv.id}/messages/${m1.seq}`, { token: a.token, json: { body: `first ${neu}` } });
    assert.equal(ed.status, 200, show(ed));
    assert.deepEqual((await search(b, old)).messages, [], 'the old word is gone');
    assert.deepEqual((await search(b, neu)).messages.map((h) => h.seq), [m1.seq], 'the new word is found');
    assert.equal((await search(b, gone)).messages.length, 1);
    const del = await api('DELETE', `/api/v1/conversations/${conv.id}/messages/${m2.seq}`, { token: a.token });
    assert.ok([200, 204].includes(del.status), show(del));
    assert.deepEqual((await search(b, gone)).messages, []);
    assert.deepEqual((await search(b, gone.slice(0, 6))).messages, [], 'not by fragment either');
  });

  it('system messages are not searched', async () => {
    const [a, b] = [await register({ display_name: `Sysname ${hex(3)}` }), await register()];
    const g = await createGroup(b, [a]);          // "… added …" system messages name a
    const name = a.display_name.split(' ')[1];
    assert.deepEqual((await search(b, `in:${g.id} ${name}`)).messages, []);
  });
});

describe('search: people and conversations', () => {
  it('people by name or username, typo-tolerant, contacts first, never who blocked you', async () => {
    const tag = hex(3);
    const me = await register();
    const friend = await register({ display_name: `Marguerite ${tag}` });
    const other = await register({ display_name: `Marguerite ${tag}x` });
    const blocker = await register({ display_name: `Marguerite ${tag}y` });
    await makeContacts(me, friend);
    await block(blocker, me);
    const r = await api('GET', `/api/v1/search/people?q=marguerite ${tag}`, { token: me.token });
    assert.equal(r.status, 200, show(r));
    const names = r.json.people.map((u) => u.username);
    assert.equal(names[0], friend.username, 'the contact comes first');
    assert.equal(r.json.people[0].contact, true);
    assert.ok(names.includes(other.username));
    assert.ok(!names.includes(blocker.username), 'someone who blocked you is never listed');
    const typo = await api('GET', `/api/v1/search/people?q=${encodeURIComponent(friend.username.slice(0, -1) + 'q')}`, { token: me.token });
    assert.equal(typo.status, 200, show(typo));
    assert.ok(typo.json.people.some((u) => u.username === friend.username), `a typo still finds: ${show(typo)}`);
  });

  it('your conversations by title, on their own and on the first /search page', async () => {
    const [a, b, c] = [await register(), await register(), await register()];
    const tag = hex(4);
    const g = await createGroup(a, [b], { title: `Garden ${tag}` });
    await createGroup(c, [b], { title: `Garden ${tag} elsewhere` });
    const r = await api('GET', `/api/v1/search/conversations?q=garden ${tag}`, { token: a.token });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json.conversations.map((x) => x.id), [g.id]);
    const s = await search(a, `garden ${tag}`);
    assert.deepEqual(s.conversations.map((x) => x.id), [g.id]);
  });

  // Text with three letters in a row starts from the title and name indexes (migration 029),
  // shorter text from your memberships: the same answers either way.
  it('titles as you see them: a direct one by the peer, accents ignored, only yours, at once', async () => {
    const tag = hex(4);
    const [a, c] = [await register(), await register()];
    const b = await register({ display_name: `Zoë ${tag}` });
    const dm = await openDirect(a, b);
    const g = await createGroup(a, [c], { title: `Café ${tag} Équipe` });
    const other = await createGroup(c, [], { title: `Café ${tag} elsewhere` });
    const convs = async (u, q) => {
      const r = await api('GET', `/api/v1/search/conversations?q=${encodeURIComponent(q)}`, { token: u.token });
      assert.equal(r.status, 200, show(r));
      return r.json.conversations;
    };
    const peer = await convs(a, `zoe ${tag}`);
    assert.deepEqual(peer.map((x) => [x.id, x.kind, x.title]), [[dm.id, 'direct', `Zoë ${tag}`]]);
    assert.deepEqual((await convs(a, `CAFE ${tag} equipe`)).map((x) => x.id), [g.id]);
    assert.deepEqual((await convs(a, tag)).map((x) => x.id).sort(), [dm.id, g.id].sort());
    assert.deepEqual((await convs(c, `zoe ${tag}`)), [], 'not a direct conversation of yours');
    assert.deepEqual((await convs(c, `café ${tag}`)).map((x) => x.id).sort(), [g.id, other.id].sort());
    assert.ok((await convs(c, 'ca')).some((x) => x.id === g.id), 'two letters: from your memberships');
    const rm = await api('DELETE', `/api/v1/conversations/${g.id}/members/${c.user.id}`, { token: a.token });
    assert.ok(rm.status < 300, show(rm));
    assert.deepEqual((await convs(c, `café ${tag}`)).map((x) => x.id), [other.id], 'removed: gone at once');
    assert.ok(!(await convs(c, 'ca')).some((x) => x.id === g.id), 'and by two letters too');
  });
});

describe('search: bad input', () => {
  let u;
  before(async () => { u = await register(); });
  const bad = async (q, re, field = 'q') => {
    const r = await api('GET', `/api/v1/search${q}`, { token: u.token });
    const e = assertError(r, 400, undefined, field);
    if (re) assert.match(e.message, re);
  };
  it('says what is wrong, with the field', async () => {
    await bad('', /what to search/i);
    await bad('?q=', /what to search/i);
    await bad(`?q=${'a'.repeat(257)}`, /at most 256/);
    await bad('?q=before:2026-13-40', /YYYY-MM-DD/);
    await bad('?q=on:2026-02-30', /YYYY-MM-DD/);
    await bad('?q=colour:red', /Unknown search operator "colour:"/);
    await bad('?q=has:cats', /has:link, has:file, has:image, has:video and has:audio/);
    await bad('?q=-alone', /not only words to leave out/);
    await bad('?q=hi&sort=oldest', /relevance or newest/, 'sort');
    await bad('?q=hi&offset=9999', undefined, 'offset');
    await bad('?q=hi&before=x', undefined, 'before');
  });
  it('needs a login', async () => {
    const r = await api('GET', '/api/v1/search?q=hi');
    assert.equal(r.status, 401, show(r));
  });
  it('the page says what is wrong and keeps the header search box', async () => {
    const r = await api('GET', `/search?q=${encodeURIComponent('before:2026-13-40')}`, { token: u.token });
    assert.equal(r.status, 400, show(r));
    assert.match(r.text, /YYYY-MM-DD/);
    assert.match(r.text, /<form class="inline-form header-search" method="get" action="\/search"/);
    // the search form again, with the query as typed and the message under it
    assert.match(r.text, /<form class="search-form"[^]*?id="q" name="q"[^>]*value="before:2026-13-40"/);
    assert.match(r.text, /<p class="field-error" id="q-error">[^]*?before: needs a date written YYYY-MM-DD/);
    const bad = await api('GET', `/search?q=${encodeURIComponent('"<b>" foo:bar')}&sort=newest`, { token: u.token });
    assert.equal(bad.status, 400, show(bad));
    assert.match(bad.text, /value="&quot;&lt;b&gt;&quot; foo:bar"/);
    assert.match(bad.text, /Unknown search operator/);
    assert.doesNotMatch(bad.text, /No messages found/);
  });
});

describe('search: rate limit', () => {
  it('answers 429 once the budget is spent', async () => {
    const u = await register();
    let limited;
    for (let i = 0; i < 70 && !limited; i++) {
      const r = await searchRaw(u, `x${i}`);
      if (r.status === 429) limited = r;
      else assert.equal(r.status, 200, show(r));
    }
    assert.ok(limited, 'no 429 after 70 searches');
    assertError(limited, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0, 'Retry-After');
  });
});

// Someone in more than 200 conversations takes the plans for large memberships (search.c,
// search_page): a rare or absent word straight from the trigram index, a fragment found in
// thousands of messages by the walk and a window whose age depends on whether any message
// could rank above zero. The messages are written in SQL (thousands of sends would take
// minutes), newest with the highest ids as sends make them; the answers are the API's.
describe('search: someone in many conversations', () => {
  let u, v, tag, rare, edited, convs, theirs, newest;
  const ids = (res) => res.messages.map((h) => h.id);
  before(async () => {
    u = await register();
    v = await register();
    tag = `k${hex(4)}`;
    rare = `r${hex(4)}word`;
    edited = `e${hex(4)}edit`;
    convs = sql(`WITH c AS (INSERT INTO conversations (kind, title) SELECT 'group', 'many ' || g
                 FROM generate_series(1, 210) g RETURNING id),
                 m AS (INSERT INTO members (conversation_id, user_id) SELECT id, ${u.user.id} FROM c RETURNING conversation_id)
                 SELECT string_agg(conversation_id::text, ',' ORDER BY conversation_id) FROM m`).split(',').map(Number);
    theirs = await createGroup(v, [], { title: `not yours ${tag}` });
    const c0 = convs[0];
    // 2,500 messages holding the tag inside a word, a minute apart, the newest last (highest id)
    sql(`INSERT INTO messages (conversation_id, seq, sender_id, kind, body, created_at)
         SELECT (ARRAY[${convs.slice(0, 10).join(',')}])[1 + i % 10], 1000 + i, ${u.user.id}, 'text',
                'note ' || i || ' ab${tag}cd', now() - i * interval '1 minute'
         FROM generate_series(1, 2500) i ORDER BY i DESC`);
    // older, but the tag starts a word: it ranks above the newest ones by relevance
    sql(`INSERT INTO messages (conversation_id, seq, sender_id, kind, body, created_at)
         VALUES (${c0}, 1, ${u.user.id}, 'text', 'an old ${tag}zz', now() - interval '2 days')`);
    // the rare word: once where u is a member, once where u is not, once deleted, once encrypted
    sql(`INSERT INTO messages (conversation_id, seq, sender_id, kind, body) VALUES
         (${convs[20]}, 1, ${u.user.id}, 'text', 'the ${rare} here'),
         (${convs[21]}, 1, ${u.user.id}, 'text', 'deleted ${rare}'),
         (${convs[22]}, 1, ${u.user.id}, 'text', 'encrypted ${rare}'),
         (${convs[23]}, 1, ${u.user.id}, 'text', 'edited away ${rare}')`);
    await send(v, theirs.id, `theirs ${rare}`);
    sql(`UPDATE messages SET body = NULL, deleted_at = now() WHERE conversation_id = ${convs[21]} AND seq = 1`);
    sql(`UPDATE messages SET body = NULL, ciphertext = decode('00', 'hex') WHERE conversation_id = ${convs[22]} AND seq = 1`);
    sql(`UPDATE messages SET body = ${lit(`now ${edited}`)}, edited_at = now() WHERE conversation_id = ${convs[23]} AND seq = 1`);
    newest = sql(`SELECT string_agg(id::text, ',' ORDER BY created_at DESC, id DESC) FROM messages
                  WHERE body LIKE ${lit(`note % ab${tag}cd`)}`).split(',').map(Number);
  });

  it('a rare word from the index: yours only, never deleted or encrypted, edits re-indexed', async () => {
    const res = await search(u, rare);
    assert.deepEqual(res.messages.map((h) => [h.conversation.id, h.seq]), [[convs[20], 1]], show({ status: 200, text: JSON.stringify(res) }));
    assert.match(res.messages[0].snippet, new RegExp(`<mark>${rare}</mark>`));
    assert.deepEqual((await search(u, rare.slice(1, -2))).messages.map((h) => h.conversation.id), [convs[20]], 'a fragment of it');
    assert.deepEqual((await search(v, rare)).messages.map((h) => h.conversation.id), [theirs.id], 'theirs to them');
    assert.deepEqual((await search(u, edited)).messages.map((h) => h.conversation.id), [convs[23]], 'the edit is found');
    assert.equal(sql(`SELECT count(*) FROM messages WHERE conversation_id IN (${convs[21]}, ${convs[22]}) AND search_tsv IS NOT NULL`), '0',
      'deleted and encrypted messages leave the index');
  });

  it('an absent word: nothing, quickly answered', async () => {
    const res = await search(u, `zq${hex(5)}`);
    assert.deepEqual(res.messages, []);
    assert.equal(res.next, null);
  });

  it('a removed member loses the rare word at once', async () => {
    const w = await register();
    const c = Number(sql(`WITH c AS (INSERT INTO conversations (kind, title) SELECT 'group', 'w ' || g FROM generate_series(1, 205) g RETURNING id),
                         m AS (INSERT INTO members (conversation_id, user_id) SELECT id, ${w.user.id} FROM c RETURNING conversation_id)
                         SELECT min(conversation_id) FROM m`));
    const word = `g${hex(4)}word`;
    sql(`INSERT INTO messages (conversation_id, seq, sender_id, kind, body) VALUES (${c}, 1, ${w.user.id}, 'text', 'hi ${word}')`);
    assert.equal((await search(w, word)).messages.length, 1);
    sql(`DELETE FROM members WHERE conversation_id = ${c} AND user_id = ${w.user.id}`);
    assert.deepEqual((await search(w, word)).messages, []);
  });

  it('a fragment in thousands of messages, by relevance: an older message that ranks is not missed', async () => {
    const res = await search(u, tag);
    assert.equal(res.messages.length, 20);
    assert.equal(res.messages[0].conversation.id, convs[0]);
    assert.equal(res.messages[0].seq, 1, 'the old message whose word starts with the tag comes first');
    assert.deepEqual(ids(res).slice(1), newest.slice(0, 19), 'then the newest');
    assert.deepEqual(res.next, { offset: 20 });
  });

  it('a fragment no word starts with, by relevance and newest first, page after page', async () => {
    const frag = `b${tag}c`;
    const p1 = await search(u, frag);
    assert.deepEqual(ids(p1), newest.slice(0, 20));
    assert.match(p1.messages[0].snippet, new RegExp(`a<mark>b${tag}c</mark>d`));
    assert.deepEqual(p1.next, { offset: 20 });
    const p2 = await search(u, frag, '&offset=20');
    assert.deepEqual(ids(p2), newest.slice(20, 40));
    const n1 = await search(u, frag, '&sort=newest');
    assert.deepEqual(ids(n1), [...newest].sort((x, y) => y - x).slice(0, 20));
    const n2 = await search(u, frag, `&sort=newest&before=${n1.next.before}`);
    assert.deepEqual(ids(n2), [...newest].sort((x, y) => y - x).slice(20, 40));
  });
});
