// Presence (docs/API.md "Presence", the `presence` event, `show_presence` on /me): online while
// an event stream is open, away after PARLEY_PRESENCE_AWAY seconds without activity, offline
// (with last_seen) after the last stream ends or its hub crashes; shown only to contacts and
// co-members, never across a block, never when either side hides it.
//
// Runs on the test clock of tests/support/run-stack-tests.sh (PARLEY_PRESENCE_AWAY=4,
// PARLEY_PRESENCE_TTL=6). The tests use fresh people each, so the slow ones (waiting for
// "away" and "offline") run side by side; the hub-crash test runs alone at the end because it
// kills (and then restarts) the second node's hub. It needs PARLEY_URL2 and PARLEY_VAR (or VAR).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import {
  api,
  apiAt,
  assertError,
  BASE,
  BASE2,
  block,
  createGroup,
  getContacts,
  getConversation,
  haveRedis,
  ISO,
  listConversations,
  longPoll,
  makeContacts,
  memberOf,
  openDirect,
  openStream,
  redis,
  register,
  show,
  sleep,
} from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STACK_VAR = process.env.PARLEY_VAR || process.env.VAR;
const AWAY_S = Number(process.env.PARLEY_PRESENCE_AWAY || 4);
const TTL_S = Number(process.env.PARLEY_PRESENCE_TTL || 6);
// The waits below are sized for the test clock; with production values they would take minutes.
const clockSkip =
  AWAY_S <= 10 && TTL_S <= 15 ? false : `needs the test clock (PARLEY_PRESENCE_AWAY=4 PARLEY_PRESENCE_TTL=6), not ${AWAY_S}/${TTL_S}`;
// The longest a closed SSE stream can take to count as gone: the next heartbeat (15 s), the
// hub's tick (1 s), the grace (5 s), and room for a loaded machine.
const SSE_GONE_MS = 32000;
// An idle person turns away after AWAY_S; the hubs check every TTL_S/3.
const AWAY_MS = (AWAY_S + TTL_S / 3) * 1000 + 6000;

// ---- helpers -------------------------------------------------------------------------------

const STATES = ['online', 'away', 'offline'];

/** A presence event about user u (in the given state, if any). */
const isPres = (u, state) => (e) => e.type === 'presence' && e.user_id === u.user.id && (state === undefined || e.state === state);
/** The same, only among events after `after` (an event). */
const isPresAfter = (u, state, after) => (e) => isPres(u, state)(e) && e.id > after.id;

/** Asserts a presence object {state, last_seen} (state as given, if any); returns it. */
function assertPresence(p, state, what = 'presence') {
  const ctx = `${what}: ${JSON.stringify(p)}`;
  assert.ok(p && typeof p === 'object' && !Array.isArray(p), `${ctx}: an object`);
  assert.deepEqual(Object.keys(p).sort(), ['last_seen', 'state'], `${ctx}: exactly state and last_seen`);
  assert.ok(STATES.includes(p.state), `${ctx}: state online|away|offline`);
  if (state !== undefined) assert.equal(p.state, state, ctx);
  if (p.state === 'offline') assert.ok(p.last_seen === null || ISO.test(p.last_seen), `${ctx}: last_seen null or ISO`);
  else assert.equal(p.last_seen, null, `${ctx}: last_seen is null while ${p.state}`);
  return p;
}

/** Asserts the shape of a `presence` event about u in `state`. */
function assertPresenceEvent(e, u, state) {
  const ctx = JSON.stringify(e);
  assert.deepEqual(Object.keys(e).sort(), ['id', 'last_seen', 'state', 'type', 'user_id', 'version'], `presence event fields: ${ctx}`);
  assert.ok(Number.isInteger(e.id) && e.id > 0, `event id: ${ctx}`);
  assert.ok(Number.isInteger(e.version) && e.version > 0, `version: ${ctx}`);
  assert.equal(e._id, String(e.id), `the id: line equals the JSON id: ${ctx}`);
  assert.equal(e.type, 'presence');
  assert.equal(e.user_id, u.user.id, ctx);
  assert.equal(e.state, state, ctx);
  if (state === 'offline') assert.match(String(e.last_seen), ISO, `offline carries last_seen: ${ctx}`);
  else assert.equal(e.last_seen, null, `last_seen is null when ${state}: ${ctx}`);
}

/** GET /presence?ids=… as viewer; asserts 200 and {"presence":{…}}; returns the map. */
async function presenceMap(viewer, ids, base = BASE) {
  const r = await apiAt(base, 'GET', `/api/v1/presence?ids=${ids.join(',')}`, { token: viewer.token });
  assert.equal(r.status, 200, `GET /presence?ids=${ids} as ${viewer.username}: ${show(r)}`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  const m = r.json?.presence;
  assert.ok(m && typeof m === 'object' && !Array.isArray(m), `{"presence":{…}}: ${show(r)}`);
  return m;
}

/** u's presence as viewer sees it (object or null), from GET /presence?ids=<u>. */
async function presenceOf(viewer, u, base = BASE) {
  const m = await presenceMap(viewer, [u.user.id], base);
  assert.deepEqual(Object.keys(m), [String(u.user.id)], `one key per id asked: ${JSON.stringify(m)}`);
  return m[String(u.user.id)];
}

/** POST /presence/active as u: 204. */
async function active(u) {
  const r = await api('POST', '/api/v1/presence/active', { token: u.token, json: {} });
  assert.equal(r.status, 204, `POST /presence/active as ${u.username}: ${show(r)}`);
  assert.equal(r.text, '', '204 has no body');
}

/** PATCH /me {show_presence} as u; asserts the answer carries the new value. */
async function setShowPresence(u, on) {
  const r = await api('PATCH', '/api/v1/me', { token: u.token, json: { show_presence: on } });
  assert.equal(r.status, 200, `PATCH /me show_presence ${on} as ${u.username}: ${show(r)}`);
  assert.equal(r.json?.user?.show_presence, on, `PATCH /me answers user.show_presence ${on}: ${show(r)}`);
  return r.json.user;
}

/** Resolves with fn()'s first truthy value, checking every 250 ms; throws after timeout ms. */
async function waitUntil(fn, timeout, what) {
  const t0 = performance.now();
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (performance.now() - t0 > timeout) throw new Error(`not within ${timeout} ms: ${what}`);
    await sleep(250);
  }
}

function closeAll(...streams) {
  return Promise.all(streams.filter(Boolean).map((s) => s.close()));
}

/** n fresh people. The tests below run side by side; registrations (Argon2) go two at a
 *  time so that their burst does not starve the page server on a small machine. */
const regSlots = { free: 2, waiting: [] };
async function people(n) {
  const one = async () => {
    if (regSlots.free > 0) regSlots.free--;
    else await new Promise((r) => regSlots.waiting.push(r));
    try {
      return await register();
    } finally {
      const next = regSlots.waiting.shift();
      if (next) next();
      else regSlots.free++;
    }
  };
  return Promise.all(Array.from({ length: n }, one));
}

/** Whole seconds: last_seen has no fractions, so compare it with a clock reading floored. */
const floorS = (ms) => Math.floor(ms / 1000) * 1000;

// ---- the tests ---------------------------------------------------------------------------------

describe('presence', { concurrency: true, skip: clockSkip }, () => {
  // The slowest first: they set the pace of the whole file.
  test(
    'two nodes: presence crosses hubs; closing one of two streams keeps you online, closing both → offline',
    { skip: !BASE2 ? 'PARLEY_URL2 is not set: no second node' : !haveRedis ? 'PARLEY_REDIS is not set' : false },
    async () => {
      const [a, b] = await people(2);
      await openDirect(a, b);
      const sa = await openStream(a, { base: BASE });
      let s1, s2;
      const hubsHolding = () => Number(redis('ZCARD', `pres:on:${b.user.id}`));
      try {
        s2 = await openStream(b, { base: BASE2 });
        const on = await sa.waitFor(isPres(b, 'online'), 3000, 'B (on node 2) online at A (on node 1)');
        assertPresenceEvent(on, b, 'online');
        assert.deepEqual(await presenceOf(a, b, BASE2), { state: 'online', last_seen: null }, 'asked through node 2');
        assert.deepEqual(await presenceOf(a, b, BASE), { state: 'online', last_seen: null }, 'asked through node 1');

        s1 = await openStream(b, { base: BASE });
        await waitUntil(() => hubsHolding() === 2, 5000, 'both hubs tell Redis they hold B');

        const closed = performance.now();
        await s2.close();
        // Node 2's hub notices (its next heartbeat), waits its grace, and lets go of B.
        await waitUntil(() => hubsHolding() === 1, SSE_GONE_MS, 'node 2 lets go of B after the stream there closed');
        await sleep(1500);
        const since = (performance.now() - closed).toFixed(0);
        assert.deepEqual(sa.matching(isPres(b, 'offline')), [], `B still has a stream on node 1: no offline (${since} ms after closing the other)`);
        const p = assertPresence(await presenceOf(a, b), undefined, 'B with one stream left');
        assert.notEqual(p.state, 'offline');

        await s1.close();
        const off = await sa.waitFor(isPres(b, 'offline'), SSE_GONE_MS, 'B offline after both streams closed');
        assertPresenceEvent(off, b, 'offline');
        assert.deepEqual(await presenceOf(a, b, BASE2), { state: 'offline', last_seen: off.last_seen }, 'asked through node 2');
        assert.equal(sa.matching(isPres(b, 'offline')).length, 1, 'one offline event');
      } finally {
        await closeAll(sa, s1, s2);
      }
    },
  );

  test('offline: the last stream ends (SSE, or a long-poll that stops) → offline with last_seen', async () => {
    const [a, b, c] = await people(3);
    await openDirect(a, b);
    await openDirect(a, c);
    const sa = await openStream(a);
    try {
      // B: one SSE stream, then closed. C: long-polls only, then stops. Side by side.
      const sse = (async () => {
        const opened = Date.now();
        const sb = await openStream(b);
        await sa.waitFor(isPres(b, 'online'), 3000, 'B online (SSE)');
        const closedAt = performance.now();
        await sb.close();
        const off = await sa.waitFor(isPres(b, 'offline'), SSE_GONE_MS, 'B offline after the SSE stream closed');
        assertPresenceEvent(off, b, 'offline');
        const seen = Date.parse(off.last_seen);
        assert.ok(seen >= floorS(opened) && seen <= Date.now() + 1000, `last_seen ${off.last_seen} between the stream's opening and now`);
        const after = off._at - closedAt;
        assert.ok(after >= 3000, `a closed stream counts for a few more seconds (offline after ${after.toFixed(0)} ms)`);
        assert.deepEqual(await presenceOf(a, b), { state: 'offline', last_seen: off.last_seen }, 'A asks for B');
        assert.deepEqual(await presenceOf(b, b), { state: 'offline', last_seen: off.last_seen }, 'B asks for themself');
        // (Until the hub notices the closed stream B may turn away: nothing was done meanwhile.)
        const states = sa.matching(isPres(b)).map((e) => e.state);
        assert.equal(states.indexOf('offline'), states.length - 1, `offline once, last: ${states}`);
      })();

      const poll = (async () => {
        const opened = Date.now();
        let stop = false;
        let polls = 0;
        const poller = (async () => {
          let cursor;
          while (!stop) {
            const r = await longPoll(c, { cursor, timeout: 2 });
            assert.equal(r.status, 200, `long-poll: ${show(r)}`);
            cursor = r.json.cursor;
            polls++;
          }
        })();
        let stoppedAt;
        try {
          await sa.waitFor(isPres(c, 'online'), 5000, 'C online while long-polling');
          // Keep polling past the grace period: the gaps between polls never count as gone.
          await sleep(7000);
          const p = assertPresence(await presenceOf(a, c), undefined, 'C while polling');
          assert.notEqual(p.state, 'offline', 'a long-polling client is not offline');
          assert.deepEqual(sa.matching(isPres(c, 'offline')), [], 'no offline event while C keeps polling');
        } finally {
          stop = true;
          await poller;
          stoppedAt = performance.now();
        }
        assert.ok(polls >= 3, `C polled ${polls} times`);
        const off = await sa.waitFor(isPres(c, 'offline'), 15000, 'C offline after the long-polls stopped');
        assertPresenceEvent(off, c, 'offline');
        const after = off._at - stoppedAt;
        assert.ok(after >= 3000, `not offline at once when the polls stop (${after.toFixed(0)} ms): the next poll may be on its way`);
        const seen = Date.parse(off.last_seen);
        assert.ok(seen >= floorS(opened) && seen <= Date.now() + 1000, `last_seen ${off.last_seen} is in the test's time`);
        assert.deepEqual(await presenceOf(a, c), { state: 'offline', last_seen: off.last_seen }, 'A asks for C');
      })();

      const [r1, r2] = await Promise.allSettled([sse, poll]);
      if (r1.status === 'rejected') throw r1.reason;
      if (r2.status === 'rejected') throw r2.reason;
    } finally {
      await sa.close();
    }
  });

  test('online: opening a stream makes you online for the people you share a conversation with', async () => {
    const [a, b] = await people(2);
    await openDirect(a, b);
    const sa = await openStream(a);
    let sb;
    try {
      // Never connected: offline, and when is unknown.
      assert.deepEqual(assertPresence(await presenceOf(a, b)), { state: 'offline', last_seen: null }, 'before B ever connects');

      const t0 = performance.now();
      sb = await openStream(b);
      const e = await sa.waitFor(isPres(b, 'online'), 3000, `presence online of B at A (${sa.describe()})`);
      assertPresenceEvent(e, b, 'online');
      assert.ok(e._at - t0 < 3000, `online arrived after ${(e._at - t0).toFixed(0)} ms`);
      assert.deepEqual(await presenceOf(a, b), { state: 'online', last_seen: null }, 'A asks for B');
      assert.deepEqual(await presenceOf(b, b), { state: 'online', last_seen: null }, 'B asks for themself');
      assert.deepEqual(await presenceOf(b, a), { state: 'online', last_seen: null }, 'B asks for A (who has a stream too)');
      // Exactly one announcement, however the hubs and page servers noticed it.
      await sleep(500);
      assert.equal(sa.matching(isPres(b)).length, 1, `one presence event for one change: ${JSON.stringify(sa.matching(isPres(b)))}`);
    } finally {
      await closeAll(sa, sb);
    }
  });

  test('away and back: idle → away; POST /presence/active and typing → online again', async () => {
    const [a, b] = await people(2);
    const d = await openDirect(a, b);
    const sa = await openStream(a);
    const t0 = performance.now();
    const sb = await openStream(b);
    try {
      const on = await sa.waitFor(isPres(b, 'online'), 3000, 'B online');
      const away = await sa.waitFor(isPres(b, 'away'), AWAY_MS, 'B away after being idle');
      assertPresenceEvent(away, b, 'away');
      const idle = away._at - t0;
      assert.ok(idle >= AWAY_S * 1000 - 1500, `away after ${idle.toFixed(0)} ms of idling; PARLEY_PRESENCE_AWAY is ${AWAY_S} s`);
      assert.ok(away.id > on.id);
      assert.deepEqual(await presenceOf(a, b), { state: 'away', last_seen: null }, 'A asks for B while B is away');
      assert.deepEqual(await presenceOf(b, b), { state: 'away', last_seen: null }, 'B sees themself away');

      await active(b);
      const back = await sa.waitFor(isPresAfter(b, 'online', away), 3000, 'B online again after POST /presence/active');
      assertPresenceEvent(back, b, 'online');
      assert.deepEqual(await presenceOf(a, b), { state: 'online', last_seen: null }, 'after POST /presence/active');

      const away2 = await sa.waitFor(isPresAfter(b, 'away', back), AWAY_MS, 'B away again');
      const typing = await api('POST', `/api/v1/conversations/${d.id}/typing`, { token: b.token });
      assert.equal(typing.status, 204, `typing: ${show(typing)}`);
      await sa.waitFor(isPresAfter(b, 'online', away2), 3000, 'B online again after typing');
      assert.deepEqual(await presenceOf(a, b), { state: 'online', last_seen: null }, 'after typing');

      assert.deepEqual(
        sa.matching(isPres(b)).map((e) => e.state),
        ['online', 'away', 'online', 'away', 'online'],
        'A heard each change once, in order',
      );
      const versions = sa.matching(isPres(b)).map((e) => e.version);
      assert.ok(versions.every((v, i) => i === 0 || v > versions[i - 1]), `each change has a higher version: ${versions}`);
    } finally {
      await closeAll(sa, sb);
    }
  });

  test(
    'a new stream is activity: an away person who opens another stream is online again',
    async () => {
      const [a, b] = await people(2);
      await openDirect(a, b);
      const sa = await openStream(a);
      const sb = await openStream(b);
      let sb2;
      try {
        await sa.waitFor(isPres(b, 'online'), 3000, 'B online');
        const away = await sa.waitFor(isPres(b, 'away'), AWAY_MS, 'B away');
        sb2 = await openStream(b); // e.g. a second tab, or the next page
        // docs/API.md: "Opening a stream, POST /presence/active, and typing count as doing something."
        await sa.waitFor(isPresAfter(b, 'online', away), 3000, 'B online after opening another stream');
      } finally {
        await closeAll(sa, sb, sb2);
      }
    },
  );

  test('who sees: contacts and co-members do; strangers, blocked people and removed members get null', async () => {
    // b is watched. a1: a contact, no conversation. a2: shares a group with b, then is removed.
    // s: a stranger. k1: blocked by b; k2: blocks b (both in the group with b).
    const [b, a1, a2, s, k1, k2] = await people(6);
    await makeContacts(a1, b);
    const g = await createGroup(b, [a2, k1, k2]);
    for (const v of [a1, a2, k1, k2]) assertPresence(await presenceOf(v, b), undefined, `${v.username} sees b before any block`);
    assert.equal(await presenceOf(s, b), null, 'a stranger gets null');
    assert.equal(await presenceOf(b, s), null, 'and sees null for the stranger');
    await block(b, k1);
    await block(k2, b);

    const streams = {};
    try {
      for (const [name, u] of Object.entries({ a1, a2, s, k1, k2 })) streams[name] = await openStream(u);
      streams.b = await openStream(b);
      const e1 = await streams.a1.waitFor(isPres(b, 'online'), 3000, 'the contact hears B online');
      assertPresenceEvent(e1, b, 'online');
      await streams.a2.waitFor(isPres(b, 'online'), 3000, 'the co-member hears B online');
      assert.deepEqual(await presenceOf(a1, b), { state: 'online', last_seen: null }, 'contact, no shared conversation');
      assert.deepEqual(await presenceOf(a2, b), { state: 'online', last_seen: null }, 'co-member of a group');
      assert.equal(await presenceOf(s, b), null, 'stranger');
      assert.equal(await presenceOf(k1, b), null, 'blocked by b');
      assert.equal(await presenceOf(k2, b), null, 'blocks b');
      // Either direction, from b's side too; in one request.
      const m = await presenceMap(b, [a1.user.id, s.user.id, k1.user.id, k2.user.id, b.user.id, 999999999]);
      assert.deepEqual(Object.keys(m).sort(), [a1, s, k1, k2, b].map((u) => String(u.user.id)).concat('999999999').sort());
      assertPresence(m[a1.user.id], 'online', 'b sees the contact');
      assert.equal(m[s.user.id], null, 'b sees null for the stranger');
      assert.equal(m[k1.user.id], null, 'b sees null for the person b blocked');
      assert.equal(m[k2.user.id], null, 'b sees null for the person who blocked b');
      assert.equal(m['999999999'], null, 'nobody: null, the same answer');
      assertPresence(m[b.user.id], 'online', 'b always sees themself');
      // Your own is always visible, whoever you are.
      for (const u of [s, k1, k2]) assertPresence(await presenceOf(u, u), 'online', `${u.username} sees themself`);

      // Removed from the only shared conversation: null from then on, both ways.
      const del = await api('DELETE', `/api/v1/conversations/${g.id}/members/${a2.user.id}`, { token: b.token });
      assert.equal(del.status, 204, `remove a2: ${show(del)}`);
      assert.equal(await presenceOf(a2, b), null, 'a removed member gets null');
      assert.equal(await presenceOf(b, a2), null, 'and is null to b');
      // b's next change (away) reaches the contact, and none of the others.
      await streams.a1.waitFor(isPres(b, 'away'), AWAY_MS, 'the contact hears B away');
      await sleep(1000);
      assert.deepEqual(streams.a2.matching(isPres(b, 'away')), [], 'the removed member hears nothing more');
      for (const name of ['s', 'k1', 'k2']) {
        assert.deepEqual(streams[name].matching(isPres(b)), [], `${name} hears no presence of b: ${streams[name].describe()}`);
      }
    } finally {
      await closeAll(...Object.values(streams));
    }
  });

  test('relations change live: a new contact hears the other at once; a block hides both at once', async () => {
    const [a, b] = await people(2);
    const sa = await openStream(a);
    const sb = await openStream(b);
    try {
      await sleep(1500); // both online by now, and strangers: nobody has heard anything
      assert.deepEqual(sa.matching(isPres(b)), [], `A, a stranger, hears nothing of B: ${sa.describe()}`);
      await makeContacts(a, b);
      const e = await sa.waitFor(isPres(b, 'online'), 3000, 'A hears B (online) as soon as they are contacts');
      assertPresenceEvent(e, b, 'online');
      await sb.waitFor(isPres(a, 'online'), 3000, 'and B hears A');
      await block(b, a);
      const h = await sa.waitFor(isPres(b, 'hidden'), 3000, 'the block hides B from A at once');
      assertPresenceEvent(h, b, 'hidden');
      assert.ok(h.version > e.version, `a later version: ${h.version} > ${e.version}`);
      await sb.waitFor(isPres(a, 'hidden'), 3000, 'and A from B');
      assert.equal(await presenceOf(a, b), null, 'A asks: null');
      assert.equal(await presenceOf(b, a), null, 'B asks: null');
    } finally {
      await closeAll(sa, sb);
    }
  });

  test('show_presence off: "hidden" to the others, null both ways, your own still visible; on again: the real state', async () => {
    const [a, b] = await people(2);
    const d = await openDirect(a, b);
    const me = await api('GET', '/api/v1/me', { token: b.token });
    assert.equal(me.json?.user?.show_presence, true, `on by default: ${show(me)}`);
    const sa = await openStream(a);
    const sb = await openStream(b);
    try {
      await sa.waitFor(isPres(b, 'online'), 3000, 'B online');
      await setShowPresence(b, false);
      const hidden = await sa.waitFor(isPres(b, 'hidden'), 3000, 'B hidden');
      assertPresenceEvent(hidden, b, 'hidden');
      const me2 = await api('GET', '/api/v1/me', { token: b.token });
      assert.equal(me2.json?.user?.show_presence, false, `GET /me after turning it off: ${show(me2)}`);

      assert.equal(await presenceOf(a, b), null, 'A gets null for B');
      assert.equal(await presenceOf(b, a), null, 'B gets null for A (A has a stream and shows presence)');
      assertPresence(await presenceOf(b, b), undefined, 'B still sees their own');
      const ca = (await getConversation(a, d.id)).conversation;
      assert.equal(ca.peer.presence, null, 'conversation.peer.presence of a hidden person');
      assert.equal(memberOf(ca, b).presence, null, 'members[].presence of a hidden person');
      assertPresence(memberOf(ca, a).presence, undefined, 'A sees their own in members[]');
      const cb = (await getConversation(b, d.id)).conversation;
      assert.equal(cb.peer.presence, null, 'B, hiding, sees null for the peer');
      assertPresence(memberOf(cb, b).presence, undefined, 'B sees their own in members[]');

      // B turns away while hidden: A is not told.
      await waitUntil(async () => (await presenceOf(b, b))?.state === 'away', AWAY_MS, 'B (seen by B) turns away');
      await sleep((TTL_S * 1000) / 3 + 1000); // the hubs' next check, which would announce it
      assert.deepEqual(sa.matching(isPres(b, 'away')), [], 'no away event while B hides');

      await setShowPresence(b, true);
      const real = await sa.waitFor(isPresAfter(b, undefined, hidden), 3000, 'B shown again');
      assertPresenceEvent(real, b, 'away');
      assert.deepEqual(await presenceOf(a, b), { state: 'away', last_seen: null }, 'A sees B again');
      assertPresence(await presenceOf(b, a), undefined, 'B sees A again');
    } finally {
      await closeAll(sa, sb);
    }
  });

  test('embedded: conversations[].peer, conversation.peer/members[] (page and settings), contacts[].user carry presence', async () => {
    // a looks. b: contact and peer, online. c: group member, never connected. h: hides
    // presence. k: in the group, blocked by a.
    const [a, b, c, h, k] = await people(5);
    const d = await openDirect(a, b);
    const dh = await openDirect(a, h);
    await makeContacts(a, b);
    await makeContacts(a, h);
    const g = await createGroup(a, [b, c, h, k]);
    await setShowPresence(h, false);
    await block(a, k);
    const sa = await openStream(a);
    const sb = await openStream(b);
    try {
      await sa.waitFor(isPres(b, 'online'), 3000, 'B online');
      const online = { state: 'online', last_seen: null };

      const dv = (await getConversation(a, d.id)).conversation;
      assert.deepEqual(dv.peer.presence, online, 'direct: conversation.peer.presence');
      assert.deepEqual(memberOf(dv, b).presence, online, 'direct: members[].presence of the peer');
      assertPresence(memberOf(dv, a).presence, undefined, 'direct: members[].presence of yourself');
      const dhv = (await getConversation(a, dh.id)).conversation;
      assert.ok('presence' in dhv.peer, `direct: peer.presence present: ${JSON.stringify(dhv.peer)}`);
      assert.equal(dhv.peer.presence, null, 'direct: the peer hides presence');

      // The conversation list: direct conversations' peers carry it too.
      const list = await listConversations(a);
      const listed = (id) => list.find((cv) => cv.id === id);
      assert.deepEqual(listed(d.id)?.peer?.presence, online, 'GET /conversations: conversations[].peer.presence');
      assert.ok(listed(dh.id)?.peer && 'presence' in listed(dh.id).peer, `listed peer has presence: ${JSON.stringify(listed(dh.id))}`);
      assert.equal(listed(dh.id).peer.presence, null, 'GET /conversations: a peer who hides presence');

      for (const [what, path] of [['page', `/api/v1/conversations/${g.id}`], ['settings', `/api/v1/conversations/${g.id}/settings`]]) {
        const r = await api('GET', path, { token: a.token });
        assert.equal(r.status, 200, `${what}: ${show(r)}`);
        const cv = r.json.conversation;
        for (const m of cv.members) assert.ok('presence' in m, `${what}: every member has presence: ${JSON.stringify(m)}`);
        assert.ok(!('peer' in cv) || cv.peer === null, `${what}: a group has no peer`);
        assertPresence(memberOf(cv, a).presence, undefined, `${what}: yourself`);
        assert.deepEqual(memberOf(cv, b).presence, online, `${what}: an online member`);
        assert.deepEqual(memberOf(cv, c).presence, { state: 'offline', last_seen: null }, `${what}: a member never seen`);
        assert.equal(memberOf(cv, h).presence, null, `${what}: a member who hides presence`);
        assert.equal(memberOf(cv, k).presence, null, `${what}: a member you blocked`);
      }
      // The blocked member sees null for a; the hiding member sees null for everyone but themself.
      const kv = (await getConversation(k, g.id)).conversation;
      assert.equal(memberOf(kv, a).presence, null, 'the blocked member sees null for the blocker');
      assertPresence(memberOf(kv, b).presence, 'online', 'and still sees the others');
      const hv = (await getConversation(h, g.id)).conversation;
      for (const u of [a, b, c, k]) assert.equal(memberOf(hv, u).presence, null, `h (hiding) sees null for ${u.username}`);
      assertPresence(memberOf(hv, h).presence, undefined, 'h sees their own');

      const cts = await getContacts(a);
      const byId = new Map(cts.contacts.map((ct) => [ct.user.id, ct.user]));
      assert.deepEqual(byId.get(b.user.id)?.presence, online, 'contacts[].user.presence');
      assert.ok(byId.has(h.user.id), 'h is a contact');
      assert.equal(byId.get(h.user.id).presence, null, 'contacts[].user.presence of a contact who hides it');
    } finally {
      await closeAll(sa, sb);
    }
  });

  test('bad input: ids must be 1–100 ids; no credentials → 401', async () => {
    const [u, v] = await people(2);
    const ids = (n, from = 1) => Array.from({ length: n }, (_, i) => from + i).join(',');
    for (const q of ['', '?ids=']) {
      assertError(await api('GET', `/api/v1/presence${q}`, { token: u.token }), 400, 'missing_field', 'ids');
    }
    const bad = ['abc', '-1', '1;2', '1.5', '1,x', '9'.repeat(19), ',', ids(101)];
    for (const q of bad) {
      const r = await api('GET', `/api/v1/presence?ids=${encodeURIComponent(q)}`, { token: u.token });
      assert.equal(r.status, 400, `ids=${q.slice(0, 40)}: ${show(r)}`);
      assertError(r, 400, 'invalid_field', 'ids');
    }
    // Commas or spaces separate; 100 ids are allowed: one key each, yourself an object, the
    // others (nobody you may see) null.
    const spaced = await api('GET', `/api/v1/presence?ids=${u.user.id}%20${v.user.id}`, { token: u.token });
    assert.equal(spaced.status, 200, `ids separated by a space: ${show(spaced)}`);
    assert.deepEqual(Object.keys(spaced.json.presence).sort(), [u.user.id, v.user.id].map(String).sort(), show(spaced));
    const hundred = Array.from({ length: 99 }, (_, i) => 900000000 + i).concat(u.user.id);
    const m = await presenceMap(u, hundred);
    assert.equal(Object.keys(m).length, 100, 'one key per id');
    assertPresence(m[u.user.id], undefined, 'yourself');
    for (const id of hundred.slice(0, 99)) assert.equal(m[id], null, `unknown id ${id}`);

    for (const token of [undefined, 'x'.repeat(43)]) {
      assertError(await api('GET', `/api/v1/presence?ids=${u.user.id}`, { token }), 401, 'unauthorized');
      assertError(await api('POST', '/api/v1/presence/active', { token, json: {} }), 401, 'unauthorized');
    }
  });
});

// ---- a crashed hub (alone: it kills the second node's hub, then restarts node 2) -----------

/** Runs deploy/local/stack.sh with the stack's VAR and ports (and its own BIN). */
function stackSh(...args) {
  const env = { ...process.env, VAR: STACK_VAR, PORT: new URL(BASE).port, PORT2: new URL(BASE2).port };
  delete env.BIN; // node 2 runs the build the stack was started with ($VAR/run/bin)
  return new Promise((resolve, reject) => {
    execFile(path.join(ROOT, 'deploy/local/stack.sh'), args, { env, timeout: 90000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`stack.sh ${args.join(' ')}: ${err.message} ${stderr}`)) : resolve(stdout),
    );
  });
}

/** The pid of node 2's hub, checked to be a running parley-events.fcgi. */
function hub2Pid() {
  const pid = Number(readFileSync(path.join(STACK_VAR, 'run', 'events2.pid'), 'utf8').trim());
  assert.ok(Number.isInteger(pid) && pid > 1, `events2.pid: ${pid}`);
  const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  assert.ok(cmd.includes('parley-events.fcgi'), `pid ${pid} is a hub: ${JSON.stringify(cmd)}`);
  return pid;
}

test(
  'a crashed hub: its people go offline within PARLEY_PRESENCE_TTL (another hub announces it)',
  {
    skip:
      clockSkip ||
      (!BASE2 ? 'PARLEY_URL2 is not set: no second node' : !STACK_VAR ? 'PARLEY_VAR/VAR is not set: cannot find the hub' : false),
  },
  async () => {
    const [a, b] = await people(2);
    await openDirect(a, b);
    const sa = await openStream(a, { base: BASE });
    let sb, sb2;
    let killed = false;
    try {
      sb = await openStream(b, { base: BASE2 });
      await sa.waitFor(isPres(b, 'online'), 3000, 'B (on node 2 only) online');
      const pid = hub2Pid();
      await sleep(TTL_S * 1000 / 3 + 500); // node 2's hub has renewed B at least once
      process.kill(pid, 'SIGKILL');
      killed = true;
      const t0 = performance.now();
      const off = await sa.waitFor(isPres(b, 'offline'), TTL_S * 1000 + 14000, 'B offline after node 2\'s hub died');
      assertPresenceEvent(off, b, 'offline');
      const took = off._at - t0;
      // The dead hub renewed B at most TTL/3 before it died; the sweep waits for the TTL.
      assert.ok(took >= (TTL_S * 1000 * 2) / 3 - 1000, `offline ${took.toFixed(0)} ms after the crash: too soon for the sweep`);
      assert.deepEqual(await presenceOf(a, b), { state: 'offline', last_seen: off.last_seen }, 'A asks (node 1)');
      await sb.close();

      // Node 2 back: its new hub announces B again.
      await stackSh('node2', 'stop');
      await stackSh('node2', 'start');
      killed = false;
      const h = await apiAt(BASE2, 'GET', '/healthz');
      assert.equal(h.status, 200, `node 2 healthy again: ${show(h)}`);
      sb2 = await openStream(b, { base: BASE2 });
      await sa.waitFor(isPresAfter(b, 'online', off), 5000, 'B online again through the restarted node 2');
    } finally {
      await closeAll(sa, sb, sb2);
      if (killed) await stackSh('node2', 'stop').then(() => stackSh('node2', 'start'));
    }
  },
);
