// Real-time events (docs/API.md "Real-time events", DESIGN §4): SSE streams and long-polls on
// GET /api/v1/events, served by the events hub. Needs the whole stack; the two-node test needs
// PARLEY_URL2 (deploy/local/stack.sh node2 start) and the hub-restart test needs PARLEY_VAR
// (the stack's state directory) to find and restart the hub.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import {
  api,
  assertSecurityHeaders,
  BASE,
  BASE2,
  ChatClient,
  createGroup,
  longPoll,
  messages,
  openStream,
  pool,
  registerMany,
  send,
  sendAt,
  sharedUsers,
  show,
  sleep,
  SseStream,
  sql,
} from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const isMsg = (convId, seq) => (e) =>
  e.type === 'message.created' && e.conversation_id === convId && (seq === undefined || e.seq === seq);

/** Closes every stream given (ignores undefined). */
function closeAll(...streams) {
  return Promise.all(streams.filter(Boolean).map((s) => s.close()));
}

test('SSE: a message from another member arrives within 1 s, with increasing event ids', async () => {
  const [a, b] = await sharedUsers(2);
  const g = await createGroup(a, [b]);
  const s = await openStream(b);
  try {
    assert.equal(s.headers.get('cache-control'), 'no-store', 'SSE Cache-Control');
    const t0 = performance.now();
    const m1 = await send(a, g.id, 'first event');
    const e1 = await s.waitFor(isMsg(g.id, m1.seq), 2000, `message.created seq ${m1.seq}`);
    const elapsed = e1._at - t0;
    assert.ok(elapsed < 1000, `the event arrived after ${elapsed.toFixed(0)} ms (send included); want < 1000`);
    assert.equal(e1.type, 'message.created');
    assert.equal(e1.conversation_id, g.id);
    assert.equal(e1.seq, m1.seq);
    assert.equal(e1.message?.body, 'first event');
    assert.equal(e1.message?.seq, m1.seq);
    assert.equal(e1.message?.sender?.id, a.user.id);
    assert.equal(e1.message?.mentions_me, false, 'events are rendered for no particular reader');
    assert.ok(Number.isInteger(e1.id) && e1.id > 0, `event id: ${JSON.stringify(e1)}`);
    assert.equal(e1._id, String(e1.id), 'the id: line equals the JSON id');
    assert.equal(s.retry, 2000, 'the stream starts with retry: 2000');

    const m2 = await send(a, g.id, 'second event');
    const e2 = await s.waitFor(isMsg(g.id, m2.seq), 2000, `message.created seq ${m2.seq}`);
    assert.equal(e2.message.body, 'second event');
    const ids = s.events.map((e) => e.id);
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], `event ids increase: ${ids}`);
    assert.ok(e2.id > e1.id);
  } finally {
    await s.close();
  }
});

test('long-poll: waits until the deadline, answers at once when an event comes, checks its input', async () => {
  const [a, b] = await sharedUsers(2);
  const g = await createGroup(a, [b]);

  // Nothing to say: timeout=1 answers at the deadline (the hub's timer ticks once a second).
  const idle = await longPoll(b, { timeout: 1 });
  assert.equal(idle.status, 200, `idle long-poll: ${show(idle)}`);
  assert.match(idle.headers.get('content-type') || '', /^application\/json/);
  assert.deepEqual(idle.json.events, [], `idle long-poll: ${show(idle)}`);
  assert.match(idle.json.cursor, /^\d+$/, `cursor is a string of digits: ${show(idle)}`);
  assert.ok(idle.ms >= 900 && idle.ms < 2600, `timeout=1 answered after ${idle.ms.toFixed(0)} ms; want about 1 s`);

  // A message while a poll waits: the answer comes well before the timeout.
  const cursor = idle.json.cursor;
  const polling = longPoll(b, { cursor, timeout: 5 });
  await sleep(300);
  const m = await send(a, g.id, 'wake up');
  const r = await polling;
  assert.equal(r.status, 200, `long-poll: ${show(r)}`);
  assert.ok(r.ms < 2500, `long-poll answered after ${r.ms.toFixed(0)} ms; want at once after the send (timeout 5 s)`);
  const evs = r.json.events;
  assert.ok(Array.isArray(evs) && evs.length >= 1, `events: ${show(r)}`);
  const ev = evs.find(isMsg(g.id, m.seq));
  assert.ok(ev, `the message.created of seq ${m.seq} is in ${show(r)}`);
  assert.equal(ev.message.body, 'wake up');
  assert.match(r.json.cursor, /^\d+$/);
  assert.ok(Number(r.json.cursor) > Number(cursor), `the cursor moved on: ${cursor} → ${r.json.cursor}`);
  assert.equal(Number(r.json.cursor), evs[evs.length - 1].id, 'the cursor is the last event id');

  // The returned cursor: nothing new → an empty answer at the deadline, not the same event again.
  const again = await longPoll(b, { cursor: r.json.cursor, timeout: 1 });
  assert.equal(again.status, 200, show(again));
  assert.deepEqual(again.json.events, [], `no duplicate after the returned cursor: ${show(again)}`);

  // Bad input.
  for (const t of ['0', '61', 'abc', '-1', '']) {
    const bad = await longPoll(b, { query: `?timeout=${encodeURIComponent(t)}` });
    assert.equal(bad.status, 400, `timeout=${JSON.stringify(t)}: ${show(bad)}`);
    assert.equal(bad.json?.error?.code, 'invalid_field', `timeout=${t}: ${show(bad)}`);
  }
  for (const c of ['abc', '-5', '1.5']) {
    const bad = await longPoll(b, { cursor: c, timeout: 1 });
    assert.equal(bad.status, 400, `cursor=${c}: ${show(bad)}`);
    assert.equal(bad.json?.error?.code, 'invalid_field', `cursor=${c}: ${show(bad)}`);
  }
  const ok60 = longPoll(b, { cursor: r.json.cursor, timeout: 60 });
  const m60 = await send(a, g.id, 'timeout=60 is allowed');
  const r60 = await ok60;
  assert.equal(r60.status, 200, `timeout=60: ${show(r60)}`);
  assert.ok(r60.json.events.some(isMsg(g.id, m60.seq)), show(r60));

  // No or bad credentials: 401 JSON error, for long-polls and SSE alike.
  for (const [what, u] of [['no auth', undefined], ['bad token', { token: 'x'.repeat(43) }]]) {
    const r401 = await longPoll(u, { timeout: 1 });
    assert.equal(r401.status, 401, `${what}: ${show(r401)}`);
    assert.match(r401.headers.get('content-type') || '', /^application\/json/, `${what}: ${show(r401)}`);
    assert.equal(r401.json?.error?.code, 'unauthorized', `${what}: ${show(r401)}`);
    assert.ok(r401.json.error.message, `${what}: error.message`);
    const s401 = await SseStream.open(u, { raw: true });
    assert.equal(s401.status, 401, `${what} (SSE): ${s401.status} ${s401.text}`);
    assert.equal(JSON.parse(s401.text).error.code, 'unauthorized');
  }
});

test('replay: reconnecting with Last-Event-ID (or a long-poll cursor) gets exactly what was missed', async () => {
  const [a, b] = await sharedUsers(2);
  const g = await createGroup(a, [b]);
  let s = await openStream(b);
  const m0 = await send(a, g.id, 'seen');
  const e0 = await s.waitFor(isMsg(g.id, m0.seq), 2000, 'the first message');
  const lastId = s.lastId;
  assert.equal(lastId, String(e0.id));
  await s.close();

  const missed = [];
  for (let i = 1; i <= 3; i++) missed.push(await send(a, g.id, `missed ${i}`));

  s = await SseStream.open(b, { lastEventId: lastId });
  try {
    const got = await s.waitCount(isMsg(g.id), 3, 2000, 'replayed message.created');
    assert.deepEqual(got.map((e) => e.seq), missed.map((m) => m.seq), `replayed in order: ${s.describe()}`);
    assert.deepEqual(got.map((e) => e.message.body), ['missed 1', 'missed 2', 'missed 3']);
    for (const e of got) assert.ok(e.id > e0.id, 'only events after Last-Event-ID');
    assert.ok(!s.events.some((e) => e.type === 'resync'), `no resync when the buffer holds it all: ${s.describe()}`);
    // Live events continue after the replay, with nothing repeated.
    const m4 = await send(a, g.id, 'live again');
    await s.waitFor(isMsg(g.id, m4.seq), 2000, 'the live message after the replay');
    await sleep(200);
    const seqs = s.matching(isMsg(g.id)).map((e) => e.seq);
    assert.deepEqual(seqs, [...missed.map((m) => m.seq), m4.seq], `no duplicates: ${s.describe()}`);
  } finally {
    await s.close();
  }

  // The same with a long-poll cursor: everything after it, at once, in one answer.
  const cursor = s.lastId;
  const more = [];
  for (let i = 1; i <= 3; i++) more.push(await send(a, g.id, `polled ${i}`));
  const r = await longPoll(b, { cursor, timeout: 5 });
  assert.equal(r.status, 200, show(r));
  assert.ok(r.ms < 1500, `buffered events are answered at once (${r.ms.toFixed(0)} ms)`);
  assert.deepEqual(r.json.events.filter(isMsg(g.id)).map((e) => e.seq), more.map((m) => m.seq), show(r));
  assert.equal(r.json.cursor, String(r.json.events[r.json.events.length - 1].id));
  const r2 = await longPoll(b, { cursor: r.json.cursor, timeout: 1 });
  assert.deepEqual(r2.json.events, [], `nothing twice: ${show(r2)}`);
});

test('replay from the log: a reconnect the hub cannot serve from its buffer gets exactly what was missed', async () => {
  const [a, b] = await sharedUsers(2);
  const [c] = await registerMany(1);
  const g = await createGroup(a, [b, c]);

  // Where c stands: the id of a message every member got.
  const s0 = await openStream(b);
  const m0 = await send(a, g.id, 'before c goes away');
  await s0.waitFor(isMsg(g.id, m0.seq), 2000);
  const since = s0.lastId;
  await s0.close();
  const missed = [];
  for (let i = 1; i <= 3; i++) missed.push(await send(a, g.id, `while c was away ${i}`));

  // c never had a stream on this hub: its buffer has nothing of c, the log has it all.
  const s = await SseStream.open(c, { lastEventId: since });
  try {
    await s.waitFor(isMsg(g.id, missed[2].seq), 3000, 'the last missed message');
    assert.deepEqual(s.matching(isMsg(g.id)).map((e) => e.seq), missed.map((m) => m.seq), `in order, once: ${s.describe()}`);
    assert.ok(!s.events.some((e) => e.type === 'resync'), `no resync: ${s.describe()}`);
    const ids = s.events.map((e) => Number(e._id));
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y), `increasing ids: ${s.describe()}`);
  } finally {
    await s.close();
  }
  // The same from a long-poll cursor, answered at once.
  const r = await longPoll(c, { cursor: since, timeout: 5 });
  assert.equal(r.status, 200, show(r));
  assert.ok(r.ms < 1500, `answered at once (${r.ms.toFixed(0)} ms)`);
  assert.deepEqual(r.json.events.filter(isMsg(g.id)).map((e) => e.seq), missed.map((m) => m.seq), show(r));

  // A known user whose buffer (256 events) overflowed while away: 260 come from the log.
  const s1 = await openStream(b);
  const m1 = await send(a, g.id, 'before the flood');
  await s1.waitFor(isMsg(g.id, m1.seq), 2000);
  const lastId = s1.lastId;
  await s1.close();
  const g2 = await createGroup(a, [b]);
  const flood = await pool(Array.from({ length: 260 }, (_, i) => i), 8, (i) => send(a, g2.id, `flood ${i}`));
  const s2 = await SseStream.open(b, { lastEventId: lastId });
  try {
    await s2.waitCount(isMsg(g2.id), 261, 5000, 'the group\'s first message and all 260');
    const seqs = s2.matching(isMsg(g2.id)).map((e) => e.seq).sort((x, y) => x - y);
    assert.deepEqual(seqs, [1, ...flood.map((f) => f.seq).sort((x, y) => x - y)], `every message once: ${seqs.length}`);
    assert.ok(!s2.events.some((e) => e.type === 'resync'), 'no resync');
  } finally {
    await s2.close();
  }
});

test('resync: a Last-Event-ID older than the log keeps, or from the future, gives {"type":"resync"} first', async () => {
  const [a] = await sharedUsers(1);
  const [c] = await registerMany(1);
  const g = await createGroup(a, [c]);
  const m = await send(a, g.id, 'so that the log has rows');
  // The log keeps a day; here its older rows are deleted by hand, as the clean-up would.
  const oldest = Number(sql(`SELECT max(id) FROM event_log WHERE conv_id = ${g.id} AND msg_seq = ${m.seq}`));
  sql(`DELETE FROM event_log WHERE id < ${oldest}`);
  for (const cursor of [1, 9e15]) {
    const s = await SseStream.open(c, { lastEventId: cursor });
    try {
      const first = await s.waitFor(() => true, 2000, 'the first event');
      assert.equal(first.type, 'resync', `cursor ${cursor}: ${s.describe()}`);
      const m2 = await send(a, g.id, 'after the resync');            // the stream goes on
      await s.waitFor(isMsg(g.id, m2.seq), 2000, 'a live message after the resync');
      assert.equal(s.matching((e) => e.type === 'resync').length, 1);
    } finally {
      await s.close();
    }
    const r = await longPoll(c, { cursor, timeout: 5 });
    assert.equal(r.status, 200, show(r));
    assert.ok(r.ms < 1500, `resync is answered at once (${r.ms.toFixed(0)} ms)`);
    assert.deepEqual(r.json.events.map((e) => e.type), ['resync'], show(r));
    assert.match(r.json.cursor, /^\d+$/);
  }
});

/**
 * A transaction takes its event id, then commits after a later event: ids are taken when an
 * event is made, events arrive when they commit. Takes the late id, has `a` send a message
 * to `g` (a higher id) and waits for it on stream `s`, which it then closes.
 * Returns {late, m: the message, got: its event}.
 */
async function lateBeforeMessage(a, g, s) {
  const late = Number(sql(`SELECT nextval('event_ids')`));
  const m = await send(a, g.id, 'sent after the late event took its id');
  const got = await s.waitFor(isMsg(g.id, m.seq), 5000, 'the message');
  assert.ok(got.id > late, `${got.id} > ${late}`);
  await s.close();
  return { late, m, got };
}

/** The late id's transaction commits now (a rename of g); waits until the hubs' log readers
 * have delivered it (FOLLOW_REPAIR_MS). */
async function commitLate(late, g) {
  const body = JSON.stringify({ type: 'conversation.updated', conversation_id: g.id, title: 'Renamed late', description: '' });
  sql(`INSERT INTO event_log (id, type, conv_id, body) VALUES (${late}, 'conversation.updated', ${g.id}, '${body}')`);
  await sleep(2000);
}

test('a reconnect to the same hub replays an event committed late, with a lower id than Last-Event-ID', async () => {
  const [a, b] = await registerMany(2);
  const g = await createGroup(a, [b]);
  const s = await openStream(b);
  let s2;
  try {
    const { late, m, got } = await lateBeforeMessage(a, g, s);
    await commitLate(late, g);
    s2 = await SseStream.open(b, { lastEventId: got.id });
    const again = await s2.waitFor((e) => e.id === late, 5000, 'the late event, replayed after the reconnect');
    assert.equal(again.title, 'Renamed late');
    await sleep(300);
    assert.equal(s2.matching(isMsg(g.id, m.seq)).length, 0, `the message itself is not sent again: ${s2.describe()}`);
    assert.ok(!s2.events.some((e) => e.type === 'resync'), `no resync: ${s2.describe()}`);
  } finally {
    await closeAll(s, s2);
  }
});

test(
  'a reconnect to another hub replays an event committed late, with a lower id than Last-Event-ID',
  { skip: BASE2 ? false : 'PARLEY_URL2 is not set: no second node (deploy/local/stack.sh node2 start)' },
  async () => {
    const [a, b] = await registerMany(2);
    const g = await createGroup(a, [b]);
    const s = await openStream(b, { base: BASE });
    let s2, s3;
    try {
      // As above, but the stream comes back through the other hub, which never held it: that
      // hub knows the late event came after the message, as the first one does.
      const { late, m, got } = await lateBeforeMessage(a, g, s);
      await commitLate(late, g);
      s2 = await SseStream.open(b, { base: BASE2, lastEventId: got.id });
      const again = await s2.waitFor((e) => e.id === late, 5000, 'the late event, replayed by the other hub');
      assert.equal(again.title, 'Renamed late');
      await sleep(300);
      assert.equal(s2.matching(isMsg(g.id, m.seq)).length, 0, `the message itself is not sent again: ${s2.describe()}`);
      assert.equal(s2.matching((e) => e.id === late).length, 1, `once: ${s2.describe()}`);
      assert.ok(!s2.events.some((e) => e.type === 'resync'), `no resync: ${s2.describe()}`);
      // An event that came before the message is not replayed: the stream had it.
      const m2 = await send(a, g.id, 'a later message');
      await s2.waitFor(isMsg(g.id, m2.seq), 5000, 'the next message');
      const last = s2.events.find(isMsg(g.id, m2.seq)).id;
      await s2.close();
      s3 = await SseStream.open(b, { base: BASE, lastEventId: last });
      await sleep(500);
      assert.equal(s3.matching((e) => e.conversation_id === g.id).length, 0, `nothing missed, nothing again: ${s3.describe()}`);
    } finally {
      await closeAll(s, s2, s3);
    }
  },
);

test('long-poll with `after`: an event committed late, with a lower id, arriving between two polls, is answered', async () => {
  const [a, b] = await registerMany(2);
  const g = await createGroup(a, [b]);
  const start = await longPoll(b, { timeout: 1 });
  assert.equal(start.status, 200, show(start));
  assert.match(start.json.after, /^\d+$/, `after is a string of digits: ${show(start)}`);
  const late = Number(sql(`SELECT nextval('event_ids')`));
  const polling = longPoll(b, { after: start.json.after, timeout: 10 });
  await sleep(300);
  const m = await send(a, g.id, 'sent after the late event took its id');
  const r1 = await polling;
  assert.equal(r1.status, 200, show(r1));
  const got = r1.json.events.find(isMsg(g.id, m.seq));
  assert.ok(got && got.id > late, `the message, with an id above ${late}: ${show(r1)}`);
  assert.equal(r1.json.after, String(got.id), `after names the last event to arrive: ${show(r1)}`);
  await commitLate(late, g);                            // between two polls
  const bases = BASE2 ? [BASE, BASE2] : [BASE];
  for (const base of bases) {                           // the same hub, and the other one
    const r2 = await longPoll(b, { base, after: r1.json.after, timeout: 5 });
    assert.equal(r2.status, 200, show(r2));
    assert.ok(r2.ms < 2500, `answered at once (${r2.ms.toFixed(0)} ms) at ${base}`);
    assert.deepEqual(r2.json.events.map((e) => e.id), [late], `just the late event at ${base}: ${show(r2)}`);
    assert.equal(r2.json.events[0].title, 'Renamed late');
    assert.equal(r2.json.cursor, String(got.id), `the cursor does not go back: ${show(r2)}`);
    assert.equal(r2.json.after, String(late), show(r2));
    // Nothing else: the next poll waits (it is not answered the same events again).
    const r3 = await longPoll(b, { base, after: r2.json.after, timeout: 1 });
    assert.equal(r3.status, 200, show(r3));
    assert.deepEqual(r3.json.events.filter((e) => e.conversation_id === g.id), [], `nothing again at ${base}: ${show(r3)}`);
  }
  const bad = await longPoll(b, { after: 'x', timeout: 1 });
  assert.equal(bad.status, 400, show(bad));
  assert.equal(bad.json.error.field, 'after', show(bad));
});

test('a removed member hears nothing more from the conversation; the others do', async () => {
  const [a, b, c] = await sharedUsers(3);
  const g = await createGroup(a, [b, c]);
  const sb = await openStream(b);
  const sc = await openStream(c);
  try {
    const m1 = await send(a, g.id, 'before the removal');
    await sb.waitFor(isMsg(g.id, m1.seq), 2000, 'B gets messages while a member');
    await sc.waitFor(isMsg(g.id, m1.seq), 2000);

    const del = await api('DELETE', `/api/v1/conversations/${g.id}/members/${b.user.id}`, { token: a.token });
    assert.equal(del.status, 204, `remove B: ${show(del)}`);
    const isRemoved = (e) => e.type === 'member.removed' && e.conversation_id === g.id && e.user_id === b.user.id;
    await sb.waitFor(isRemoved, 2000, 'member.removed for B (the removed person)');
    await sc.waitFor(isRemoved, 2000, 'member.removed for C (a remaining member)');

    const m2 = await send(a, g.id, 'after the removal');
    await sc.waitFor(isMsg(g.id, m2.seq), 2000, 'C still gets the conversation');
    await sleep(1000);
    const leaked = sb.events.filter((e) => e.conversation_id === g.id && (e.seq ?? 0) >= m2.seq);
    assert.deepEqual(leaked, [], `B must get nothing more from the conversation: ${sb.describe()}`);
    const typing = await api('POST', `/api/v1/conversations/${g.id}/typing`, { token: a.token });
    assert.equal(typing.status, 204);
    await sc.waitFor((e) => e.type === 'typing' && e.conversation_id === g.id, 2000);
    await sleep(300);
    assert.ok(!sb.events.some((e) => e.type === 'typing' && e.conversation_id === g.id), `no typing for B: ${sb.describe()}`);
  } finally {
    await closeAll(sb, sc);
  }
});

test('typing: 204, the other members hear it once per 3 s, the typist does not', async () => {
  const [a, b, c] = await sharedUsers(3);
  const g = await createGroup(a, [b, c]);
  const [sa, sb, sc] = await Promise.all([openStream(a), openStream(b), openStream(c)]);
  try {
    const isTyping = (u) => (e) => e.type === 'typing' && e.conversation_id === g.id && e.user?.id === u.user.id;
    const r = await api('POST', `/api/v1/conversations/${g.id}/typing`, { token: a.token });
    assert.equal(r.status, 204, `typing: ${show(r)}`);
    assert.equal(r.text, '', '204 has no body');
    const eb = await sb.waitFor(isTyping(a), 2000, 'typing of A at B');
    await sc.waitFor(isTyping(a), 2000, 'typing of A at C');
    assert.equal(eb.user.username, a.username);
    assert.equal(typeof eb.user.display_name, 'string');
    assert.ok(Number.isInteger(eb.id), `typing event id: ${JSON.stringify(eb)}`);

    const r2 = await api('POST', `/api/v1/conversations/${g.id}/typing`, { token: a.token });
    assert.equal(r2.status, 204, `second typing within 3 s is accepted: ${show(r2)}`);
    // B types too: A hears B (a separate limiter per person), which also bounds the wait.
    const rb = await api('POST', `/api/v1/conversations/${g.id}/typing`, { token: b.token });
    assert.equal(rb.status, 204);
    await sa.waitFor(isTyping(b), 2000, 'typing of B at A');
    await sc.waitFor(isTyping(b), 2000, 'typing of B at C');
    await sleep(500);
    assert.equal(sb.matching(isTyping(a)).length, 1, `one typing event per 3 s at B: ${sb.describe()}`);
    assert.equal(sc.matching(isTyping(a)).length, 1, `one typing event per 3 s at C: ${sc.describe()}`);
    assert.equal(sa.matching(isTyping(a)).length, 0, `the typist hears nothing of its own: ${sa.describe()}`);
    assert.equal(sb.matching(isTyping(b)).length, 0, `the typist hears nothing of its own: ${sb.describe()}`);

    const outsider = (await registerMany(1))[0];
    const r404 = await api('POST', `/api/v1/conversations/${g.id}/typing`, { token: outsider.token });
    assert.equal(r404.status, 404, `typing in someone else's conversation: ${show(r404)}`);
  } finally {
    await closeAll(sa, sb, sc);
  }
});

test(
  'two nodes: messages sent through either parley.fcgi reach streams on either hub',
  { skip: BASE2 ? false : 'PARLEY_URL2 is not set: no second node (deploy/local/stack.sh node2 start)' },
  async () => {
    const [a, b, c] = await sharedUsers(3);
    const g = await createGroup(a, [b, c]);
    const s1 = await openStream(b, { base: BASE }); // first node's hub
    const s2 = await openStream(c, { base: BASE2 }); // second node's hub
    try {
      const t0 = performance.now();
      const via2 = await sendAt(BASE2, a, g.id, 'sent through node 2');
      const e1 = await s1.waitFor(isMsg(g.id, via2.seq), 2000, 'node 2 → hub 1');
      await s2.waitFor(isMsg(g.id, via2.seq), 2000, 'node 2 → hub 2');
      assert.ok(e1._at - t0 < 1000, `cross-node delivery took ${(e1._at - t0).toFixed(0)} ms`);
      assert.equal(e1.message.body, 'sent through node 2');
      const via1 = await sendAt(BASE, a, g.id, 'sent through node 1');
      const e2 = await s2.waitFor(isMsg(g.id, via1.seq), 2000, 'node 1 → hub 2');
      await s1.waitFor(isMsg(g.id, via1.seq), 2000, 'node 1 → hub 1');
      assert.equal(e2.message.body, 'sent through node 1');
      assert.equal(e2.id, s1.events.find(isMsg(g.id, via1.seq)).id, 'both hubs give the event the same id');
      // Replay works on the other hub too: ids are shared by all hubs.
      const lp = await longPoll(b, { base: BASE2, cursor: e1.id, timeout: 5 });
      assert.equal(lp.status, 200, show(lp));
      const seqs = lp.json.events.filter(isMsg(g.id)).map((e) => e.seq);
      assert.ok(
        seqs.includes(via1.seq) || lp.json.events[0]?.type === 'resync',
        `a cursor from hub 1 on hub 2: replay or resync: ${show(lp)}`,
      );
    } finally {
      await closeAll(s1, s2);
    }
  },
);

/** The pid in $PARLEY_VAR/run/events.pid if it is a running parley-events.fcgi. */
function hubPid() {
  const pid = Number(readFileSync(path.join(process.env.PARLEY_VAR, 'run', 'events.pid'), 'utf8').trim());
  assert.ok(Number.isInteger(pid) && pid > 1, `events.pid: ${pid}`);
  const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  assert.ok(cmd.includes('parley-events.fcgi'), `pid ${pid} is the hub: ${JSON.stringify(cmd)}`);
  return pid;
}

function restartHub() {
  return new Promise((resolve, reject) => {
    execFile(
      path.join(ROOT, 'deploy/local/stack.sh'),
      ['restart-events'],
      { env: { ...process.env, VAR: process.env.PARLEY_VAR }, timeout: 60000 },
      (err, stdout, stderr) => (err ? reject(new Error(`stack.sh restart-events: ${err.message} ${stderr}`)) : resolve(stdout)),
    );
  });
}

test(
  'killing the hub: the client reconnects and the new hub replays from the log: every message exactly once, in order, no refetch',
  { skip: process.env.PARLEY_VAR ? false : 'PARLEY_VAR is not set: cannot find the hub to kill' },
  async (t) => {
    const [a, b] = await sharedUsers(2);
    const g = await createGroup(a, [b]);
    const log = [];
    const client = new ChatClient(b, { only: [g.id], log: (l) => log.push(`${Math.round(performance.now())} ${l}`) });
    await client.start();
    const why = () => `client ${JSON.stringify(client.stats)} log ${JSON.stringify(log)}`;
    try {
      assert.equal(client.lastSeq(g.id), g.last_seq, `initial catch-up: ${why()}`);
      const acked = [];
      const ackWaiters = [];
      const sender = (async () => {
        for (let i = 1; i <= 30; i++) {
          const m = await send(a, g.id, `loop ${i}`);
          acked.push(m.seq);
          for (const w of ackWaiters.splice(0)) w();
        }
      })();
      const acks = async (n) => {
        while (acked.length < n) await new Promise((r) => ackWaiters.push(r));
      };
      await acks(10);
      process.kill(hubPid(), 'SIGKILL');
      await acks(11); // one event is published while no hub listens: the new hub replays it from the log
      const restarted = restartHub();
      await sender;
      await restarted;
      const last = acked[acked.length - 1];
      await client.waitSeq(g.id, last, 15000).catch((e) => {
        throw new Error(`${e.message}: ${why()}`);
      });
      await sleep(300); // late live events must be dropped as duplicates
      await client.idle();
      assert.equal(client.error, undefined, `no error while applying: ${client.error?.message} ${why()}`);
      const seqs = client.applied(g.id);
      const expected = Array.from({ length: last }, (_, i) => i + 1);
      assert.deepEqual(seqs, expected, `applied seqs are exactly 1..${last}: ${why()}`);
      for (const s of acked) assert.equal(seqs.filter((x) => x === s).length, 1, `seq ${s} applied once`);
      assert.ok(client.stats.connects >= 2, `the client reconnected: ${why()}`);
      assert.equal(client.stats.resyncs, 0, `the new hub replayed from the log, no resync: ${why()}`);
      assert.equal(client.stats.gapFetches, 0, `no history refetched: ${why()}`);
      t.diagnostic(`client: ${JSON.stringify(client.stats)}`);
      // The restarted hub serves live events again.
      const after = await send(a, g.id, 'after the restart');
      await client.waitSeq(g.id, after.seq, 3000);
    } finally {
      await client.stop();
    }
  },
);

/**
 * A web server's side of one FastCGI request to the hub's socket, for the backpressure test:
 * it can stop reading like a web server whose client stopped reading. `out` gathers the
 * FCGI_STDOUT text; `ended` resolves on FCGI_END_REQUEST or when the socket closes.
 */
function fcgiRequest(sockPath, params) {
  const sock = net.createConnection(sockPath);
  const rec = (type, content) => {
    const h = Buffer.alloc(8);
    h.writeUInt8(1, 0);
    h.writeUInt8(type, 1);
    h.writeUInt16BE(1, 2); // request id 1
    h.writeUInt16BE(content.length, 4);
    return Buffer.concat([h, content]);
  };
  const len = (n) => (n < 128 ? Buffer.from([n]) : Buffer.from([((n >>> 24) | 0x80) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]));
  const body = Buffer.concat(
    Object.entries(params).map(([k, v]) => Buffer.concat([len(Buffer.byteLength(k)), len(Buffer.byteLength(v)), Buffer.from(k), Buffer.from(v)])),
  );
  sock.write(Buffer.concat([rec(1, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0])), rec(4, body), rec(4, Buffer.alloc(0)), rec(5, Buffer.alloc(0))]));
  const r = { sock, out: '', endedRequest: false };
  let pending = Buffer.alloc(0);
  r.ended = new Promise((resolve) => {
    sock.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 8) {
        const clen = pending.readUInt16BE(4);
        const plen = pending.readUInt8(6);
        if (pending.length < 8 + clen + plen) break;
        const type = pending.readUInt8(1);
        if (type === 6) r.out += pending.subarray(8, 8 + clen).toString();
        if (type === 3) {
          r.endedRequest = true;
          resolve();
        }
        pending = pending.subarray(8 + clen + plen);
      }
    });
    sock.on('close', resolve);
    sock.on('error', resolve);
  });
  return r;
}

test(
  'backpressure: a stream whose reader stops is cut with stream.resume; the others get every event at once, the resume replays the rest',
  { skip: process.env.PARLEY_VAR ? false : 'PARLEY_VAR is not set: cannot find the hub socket' },
  async () => {
    const [a, b] = await sharedUsers(2);
    const g = await createGroup(a, [b]);
    const slow = fcgiRequest(path.join(process.env.PARLEY_VAR, 'run', 'events.sock'), {
      REQUEST_METHOD: 'GET',
      REQUEST_URI: '/api/v1/events',
      SCRIPT_NAME: '/api/v1/events',
      QUERY_STRING: '',
      HTTP_HOST: new URL(BASE).host,
      HTTP_ACCEPT: 'text/event-stream',
      HTTP_AUTHORIZATION: `Bearer ${b.token}`,
      REMOTE_ADDR: '127.0.0.1',
    });
    const fast = await openStream(b);
    try {
      for (let i = 0; i < 100 && !slow.out.includes('retry:'); i++) await sleep(50);
      assert.match(slow.out, /^Status: 200|text\/event-stream/m, `the slow stream opened: ${slow.out.slice(0, 200)}`);
      slow.sock.pause(); // the web server stops reading: its socket from the hub fills up

      // 20 events of about 16 KB: more than the 128 KB the hub lets a reader fall behind.
      const big = 'z'.repeat(15000);
      const sent = [];
      for (let i = 0; i < 20; i++) sent.push(await send(a, g.id, `${i} ${big}`));
      for (const m of sent) await fast.waitFor(isMsg(g.id, m.seq), 5000, `the reading stream got seq ${m.seq}`);

      slow.sock.resume();
      await Promise.race([slow.ended, sleep(10000)]);
      assert.ok(slow.endedRequest, 'the hub ended the slow request');
      const m = /event: stream\.resume\ndata: (\{[^\n]*\})\n\n$/.exec(slow.out);
      assert.ok(m, `the slow stream's last words are a stream.resume event: …${slow.out.slice(-300)}`);
      const resume = JSON.parse(m[1]);
      assert.equal(resume.type, 'stream.resume');
      assert.equal(resume.reason, 'slow');
      const ids = [...slow.out.matchAll(/^id: (\d+)$/gm)].map((x) => Number(x[1]));
      assert.ok(ids.length < sent.length, `the slow stream was cut before the end (${ids.length} of ${sent.length})`);
      assert.equal(resume.last_event_id, ids.length ? ids.at(-1) : resume.last_event_id, 'last_event_id is the last event written');

      // Coming back from there replays exactly the rest, once each.
      const back = await openStream(b, { lastEventId: resume.last_event_id });
      try {
        const got = [];
        for (const x of slow.out.matchAll(/^data: (\{.*\})$/gm)) {
          const e = JSON.parse(x[1]);
          if (isMsg(g.id)(e)) got.push(e.seq);
        }
        for (const msg of sent) if (!got.includes(msg.seq)) await back.waitFor(isMsg(g.id, msg.seq), 5000, `replayed seq ${msg.seq}`);
        const replayed = back.events.filter(isMsg(g.id)).map((e) => e.seq);
        const all = [...got, ...replayed];
        assert.deepEqual(all, sent.map((x) => x.seq), 'every message exactly once, in order, across the cut');
      } finally {
        await back.close();
      }
    } finally {
      slow.sock.destroy();
      await fast.close();
    }
  },
);

test('catching up from nothing: …/messages?after=0 pages from seq 1 (the client algorithm relies on it)', async () => {
  const [a, b] = await sharedUsers(2);
  const g = await createGroup(a, [b]);
  for (let i = 0; i < 6; i++) await send(a, g.id, `page ${i}`);
  const p = await messages(b, g.id, '?after=0&limit=5');
  const got = p.messages.map((m) => m.seq);
  assert.deepEqual(got, [1, 2, 3, 4, 5], `after=0&limit=5 is the first page, not the newest: got ${got}`);
  assert.equal(p.has_newer, true);
  assert.equal(p.has_older, false);
});

test('hub errors name the field (docs/API.md "Errors")', async () => {
  const [b] = await sharedUsers(1);
  for (const [q, field] of [['?timeout=0', 'timeout'], ['?timeout=61', 'timeout'], ['?cursor=abc', 'cursor']]) {
    const r = await longPoll(b, { query: q });
    assert.equal(r.status, 400, `${q}: ${show(r)}`);
    assert.equal(r.json?.error?.code, 'invalid_field', `${q}: ${show(r)}`);
    assert.equal(r.json?.error?.field, field, `${q}: invalid_field names the field: ${show(r)}`);
  }
});

test('hub answers carry the security headers every response carries (docs/ARCHITECTURE.md)', async () => {
  const [b] = await sharedUsers(1);
  const r401 = await longPoll(undefined, { timeout: 1 });
  assertSecurityHeaders(r401, 'hub 401');
  const r400 = await longPoll(b, { timeout: 0 });
  assertSecurityHeaders(r400, 'hub 400');
  const ok = await longPoll(b, { timeout: 1 });
  assertSecurityHeaders(ok, 'long-poll 200');
  const s = await SseStream.open(b);
  try {
    assertSecurityHeaders(s, 'SSE 200');
  } finally {
    await s.close();
  }
});
