// Fan-out by conversation (docs/ARCHITECTURE.md "Fan-out by conversation"): a conversation's
// event (a message, an edit, a reaction, a receipt, typing, a member change) is published once, on parley:c:<conversation>:<member epoch>, and each events hub delivers it
// from a member list read at that same epoch, or leaves it to its log follower. These tests
// publish on that channel themselves (as a page server would) with ids the database handed
// out but never logged, so only the Redis path can deliver them: what a stream gets is what
// the hub decided.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { api, createGroup, makeContacts, openStream, redis, redisConn, registerMany, send, sharedUsers, show, sleep, sql } from './lib.mjs';

const epochOf = (convId) => Number(sql(`SELECT member_epoch FROM conversations WHERE id = ${convId}`));
const freshId = () => Number(sql(`SELECT nextval('event_ids')`));

/** Publishes a message event for convId at epoch, as events.c does; returns its id. */
function publish(convId, epoch, body) {
  const id = freshId();
  const ev = { id, type: 'message.created', conversation_id: convId, seq: 100000 + id, message: { body } };
  redis('PUBLISH', `parley:c:${convId}:${epoch}`, JSON.stringify(ev));
  return id;
}

const got = (s, id) => s.events.some((e) => e.id === id);

/** Listens to every PUBLISH on parley:* (redis-cli PSUBSCRIBE): .channels(id) lists the
 * channels event id went out on; stop() ends it. */
async function listen() {
  const child = spawn('redis-cli', [...redisConn(), 'PSUBSCRIBE', 'parley:*'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => { out += d; });
  for (let i = 0; i < 100 && !out.includes('psubscribe'); i++) await sleep(20);
  if (!out.includes('psubscribe')) child.kill();           // else it would keep the test process alive
  assert.ok(out.includes('psubscribe'), 'redis-cli subscribed');
  const published = () => {
    const lines = out.split('\n');
    const seen = [];
    for (let i = 0; i + 3 < lines.length; i++) {
      if (lines[i] !== 'pmessage') continue;
      let id = null;
      try { id = JSON.parse(lines[i + 3]).id; } catch { /* not an event */ }
      seen.push({ channel: lines[i + 2], id });
      i += 3;
    }
    return seen;
  };
  return {
    channels: (id) => published().filter((p) => p.id === id).map((p) => p.channel),
    stop: () => child.kill(),
  };
}

test('a real message travels on its conversation channel, addressed with the member epoch', async () => {
  const [a, b, c] = await registerMany(3);                          // fresh: A and C befriend
  const g = await createGroup(a, [b]);
  const sb = await openStream(b);
  try {
    const e0 = epochOf(g.id);
    assert.ok(e0 >= 1, `adding members moved the epoch: ${e0}`);
    const m = await send(a, g.id, 'one publish for everyone');
    await sb.waitFor((e) => e.type === 'message.created' && e.seq === m.seq, 3000, 'the message');
    assert.equal(epochOf(g.id), e0, 'a message does not move the epoch');
    await makeContacts(a, c);                                      // added at once, not invited
    const add = await api('POST', `/api/v1/conversations/${g.id}/members`, { token: a.token, json: { user_id: c.user.id } });
    assert.ok([200, 201].includes(add.status), `add C: ${show(add)}`);
    assert.equal(epochOf(g.id), e0 + 1, 'a join moves it by one');
  } finally {
    await sb.close();
  }
});

test('a hub delivers a conversation event only from a member list of the same epoch', async () => {
  const [a, b, c] = await sharedUsers(3);
  const g = await createGroup(a, [b, c]);
  const sa = await openStream(a);
  const sb = await openStream(b);
  try {
    const e0 = epochOf(g.id);
    const now = publish(g.id, e0, 'at the current epoch');
    await sa.waitFor((e) => e.id === now, 3000, 'A gets an event of the current epoch');
    await sb.waitFor((e) => e.id === now, 3000, 'B too');

    const del = await api('DELETE', `/api/v1/conversations/${g.id}/members/${b.user.id}`, { token: a.token });
    assert.equal(del.status, 204, `remove B: ${show(del)}`);
    const e1 = epochOf(g.id);
    assert.equal(e1, e0 + 1, 'the removal moved the epoch');

    // Sent before the removal, published after it: the hub's list (once it read the new
    // one) is not the list it was sent to, so the hub leaves it to its log follower, which
    // finds no such logged event. Neither the removed member nor anyone else gets it from
    // a list of the wrong epoch.
    const after = publish(g.id, e1, 'after the removal');          // makes the hub read epoch e1
    await sa.waitFor((e) => e.id === after, 3000, 'A gets the event of the new epoch');
    const stale = publish(g.id, e0, 'addressed to the old members');
    await sleep(1500);                                              // past the follower's 500 ms
    assert.ok(!got(sa, stale) && !got(sb, stale), `an event of an older epoch is not delivered from the newer list: ${sa.describe()}`);
    assert.ok(!got(sb, after), `the removed member gets nothing of the new epoch: ${sb.describe()}`);

    // A real message after all that reaches the members exactly once, not B.
    const m = await send(a, g.id, 'real, after the removal');
    await sa.waitFor((e) => e.type === 'message.created' && e.seq === m.seq, 3000, 'the real message');
    await sleep(300);
    assert.equal(sa.events.filter((e) => e.type === 'message.created' && e.seq === m.seq && e.conversation_id === g.id).length, 1,
      'exactly once');
    assert.ok(!sb.events.some((e) => e.conversation_id === g.id && e.seq === m.seq), `not to B: ${sb.describe()}`);
  } finally {
    await Promise.all([sa.close(), sb.close()]);
  }
});

test('an event from a newer epoch than the hub has read makes it read the members again', async () => {
  const [a, b, c] = await registerMany(3);                          // fresh: A and C befriend
  const g = await createGroup(a, [b]);
  const sa = await openStream(a);
  const sc = await openStream(c);
  try {
    const first = await send(a, g.id, 'the hub reads the list now');
    await sa.waitFor((e) => e.type === 'message.created' && e.seq === first.seq, 3000, 'first message');
    // C joins: the hub hears nothing of the list yet; the next message names the new epoch.
    await makeContacts(a, c);                                      // added at once, not invited
    const add = await api('POST', `/api/v1/conversations/${g.id}/members`, { token: a.token, json: { user_id: c.user.id } });
    assert.ok([200, 201].includes(add.status), `add C: ${show(add)}`);
    const m = await send(a, g.id, 'welcome, C');
    await sc.waitFor((e) => e.type === 'message.created' && e.seq === m.seq, 3000, 'the new member gets the next message');
    await sa.waitFor((e) => e.type === 'message.created' && e.seq === m.seq, 3000, 'and A');
  } finally {
    await Promise.all([sa.close(), sc.close()]);
  }
});

test('edits, reactions, receipts, typing and member changes are one publish on the conversation channel', async () => {
  const [a, b, c] = await sharedUsers(3);
  const g = await createGroup(a, [b, c]);
  const sa = await openStream(a);
  const sb = await openStream(b);
  const sc = await openStream(c);
  const bus = await listen();
  try {
    const epoch = epochOf(g.id);
    const chan = `parley:c:${g.id}:${epoch}`;
    const m = await send(a, g.id, 'to be edited and liked');
    const base = `/api/v1/conversations/${g.id}/messages/${m.seq}`;
    const kinds = [
      ['message.edited', () => api('PATCH', base, { token: a.token, json: { body: 'edited' } })],
      ['reaction', () => api('POST', `${base}/reactions`, { token: b.token, json: { emoji: '👍' } })],
      ['read', () => api('POST', `/api/v1/conversations/${g.id}/read`, { token: c.token, json: { seq: m.seq } })],
    ];
    for (const [kind, act] of kinds) {
      const r = await act();
      assert.ok(r.status < 300, `${kind}: ${show(r)}`);
      const at = (e) => e.conversation_id === g.id && e.type === kind;
      const eb = await sb.waitFor(at, 3000, `${kind} at B`);
      await sc.waitFor((e) => e.id === eb.id, 3000, `${kind} at C`);
      await sa.waitFor((e) => e.id === eb.id, 3000, `${kind} at A`);
      await sleep(100);
      assert.deepEqual(bus.channels(eb.id), [chan], `${kind} went out once, on ${chan}`);
    }

    // Typing: once, on the channel that names the typist, who does not hear it.
    const t = await api('POST', `/api/v1/conversations/${g.id}/typing`, { token: a.token });
    assert.equal(t.status, 204, `typing: ${show(t)}`);
    const tb = await sb.waitFor((e) => e.type === 'typing' && e.conversation_id === g.id, 3000, 'typing at B');
    await sc.waitFor((e) => e.id === tb.id, 3000, 'typing at C');
    await sleep(200);
    assert.deepEqual(bus.channels(tb.id), [`${chan}:${a.user.id}`], 'typing went out once, naming the typist');
    assert.ok(!got(sa, tb.id), `the typist does not hear their own typing: ${sa.describe()}`);

    // A removal: the conversation's channel at the new epoch, and the removed member's own.
    const del = await api('DELETE', `/api/v1/conversations/${g.id}/members/${c.user.id}`, { token: a.token });
    assert.equal(del.status, 204, `remove C: ${show(del)}`);
    const isRemoved = (e) => e.type === 'member.removed' && e.conversation_id === g.id && e.user_id === c.user.id;
    const rc = await sc.waitFor(isRemoved, 3000, 'member.removed at C (the removed member)');
    await sb.waitFor((e) => e.id === rc.id, 3000, 'member.removed at B');
    await sleep(100);
    assert.deepEqual(bus.channels(rc.id).sort(), [`parley:c:${g.id}:${epochOf(g.id)}`, `parley:u:${c.user.id}`].sort(),
      'member.removed: the conversation channel and the removed member\'s own');
    // After the removal, C hears nothing more of the group.
    const after = await send(a, g.id, 'C has gone');
    await sb.waitFor((e) => e.type === 'message.created' && e.seq === after.seq, 3000, 'the next message at B');
    await sleep(300);
    assert.ok(!sc.events.some((e) => e.conversation_id === g.id && e.seq === after.seq), `C does not get it: ${sc.describe()}`);
  } finally {
    bus.stop();
    await Promise.all([sa.close(), sb.close(), sc.close()]);
  }
});
