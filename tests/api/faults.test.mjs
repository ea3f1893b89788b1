// Faults on the delivery path: restarts of PostgreSQL and Redis, and events that could not
// be published. What a person would notice: a request failing after a restart, a message
// event "from the past" that a client then ignores, or a missed message nobody is told of.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  api, registerMany, openDirect, send, show, stack, openStream, sleep, BASE2, apiAt, uuid,
} from './lib.mjs';

const VAR = process.env.PARLEY_VAR;

/** A personal API token for u: tokens live in PostgreSQL, so they outlive a Redis restart. */
async function patOf(u) {
  const r = await api('POST', '/api/v1/me/tokens', { token: u.token, json: { name: 'faults' } });
  assert.equal(r.status, 201, show(r));
  return { ...u, token: r.json.secret };
}

describe('faults on the delivery path', { skip: !VAR && 'needs PARLEY_VAR (the stack directory)' }, () => {
  it('after a PostgreSQL restart no request fails: each connection is renewed before its next statement', async () => {
    const [a, b] = await registerMany(2);
    const conv = await openDirect(a, b);
    // Every page-server thread of both nodes holds a connection (16 at once per node).
    await Promise.all(Array.from({ length: 16 }, () => api('GET', '/api/v1/me', { token: a.token })));
    stack('restart-postgres');
    const sends = Array.from({ length: 16 }, (_, i) => (BASE2 && i % 2
      ? apiAt(BASE2, 'POST', `/api/v1/conversations/${conv.id}/messages`, { token: a.token, json: { body: `after ${i}` } })
      : api('POST', `/api/v1/conversations/${conv.id}/messages`, { token: a.token, json: { body: `after ${i}` } })));
    const me = Array.from({ length: 16 }, () => api('GET', '/api/v1/me', { token: b.token }));
    const all = await Promise.all([...sends, ...me]);
    const statuses = all.map((r) => r.status);
    assert.deepEqual(statuses, [...Array(16).fill(201), ...Array(16).fill(200)], `no 503 after the restart: ${statuses.join(' ')}`);
  });

  it('event ids never go backwards across a Redis restart', async () => {
    let [a, b] = await registerMany(2);
    const conv = await openDirect(a, b);
    const s1 = await openStream(a);
    const m1 = await send(b, conv.id, 'before the restart');
    const ev1 = await s1.waitFor((e) => e.type === 'message.created' && e.seq === m1.seq, 3000);
    const before = Number(ev1._id);
    await s1.close();
    stack('restart-redis');
    // Sessions survive it: Redis keeps an append-only file (fsync every second).
    for (const u of [a, b]) {
      const me = await api('GET', '/api/v1/me', { token: u.token });
      assert.equal(me.status, 200, `${u.username}'s session after the restart: ${me.status} ${me.text}`);
    }
    await sleep(2500);                                            // the hubs subscribe again
    const s2 = await openStream(a, { lastEventId: before });
    const m2 = await send(b, conv.id, 'after the restart');
    const ev2 = await s2.waitFor((e) => e.type === 'message.created' && e.seq === m2.seq, 5000);
    assert.ok(Number(ev2._id) > before, `the new event's id ${ev2._id} is above ${before}: a client would drop it otherwise`);
    for (const e of s2.events) assert.ok(Number(e._id) >= before, `no id below what the client held: ${s2.describe()}`);
    await s2.close();
  });

  it('events that could not be published are followed by a resync for every stream', async () => {
    const [a, b0] = await registerMany(2);
    const b = await patOf(b0);                                    // sends without Redis (sessions live there)
    const conv = await openDirect(b0, a);
    const s = await openStream(a);
    const pid = Number(readFileSync(`${VAR}/run/redis.pid`, 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGSTOP');                                 // a hung Redis: the publish times out
    let lost;
    try {
      lost = await send(b, conv.id, 'committed while Redis hung');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await sleep(3500);                                            // past the publisher's quiet window
    const next = await send(b, conv.id, 'after Redis is back');
    // Without the resync the client would never learn of the message it missed.
    await s.waitFor((e) => e.type === 'resync', 5000, 'a resync');
    await s.waitFor((e) => e.type === 'message.created' && e.seq === next.seq, 5000, 'the next message');
    await s.close();
    // The message itself was never lost: it is in the history a client refetches on resync.
    const page = await api('GET', `/api/v1/conversations/${conv.id}/messages?after=0`, { token: a.token });
    assert.ok(page.json.messages.some((m) => m.seq === lost.seq), show(page));
  });

  it('a retried send announces its message again (a lost announcement is repaired)', async () => {
    const [a, b] = await registerMany(2);
    const conv = await openDirect(b, a);
    const s = await openStream(a);
    try {
      const client_id = uuid();
      const first = await send(b, conv.id, 'said twice, stored once', { client_id });
      await s.waitFor((e) => e.type === 'message.created' && e.seq === first.seq, 5000, 'the first announcement');
      const again = await api('POST', `/api/v1/conversations/${conv.id}/messages`, { token: b.token, json: { body: 'said twice, stored once', client_id } });
      assert.equal(again.status, 200, show(again));
      assert.equal(again.json.message.seq, first.seq);
      await s.waitCount((e) => e.type === 'message.created' && e.seq === first.seq, 2, 5000, 'the announcement again');
      const page = await api('GET', `/api/v1/conversations/${conv.id}/messages?after=0`, { token: a.token });
      assert.equal(page.json.messages.filter((m) => m.client_id === client_id).length, 1, 'one stored copy');
    } finally {
      s.close();
    }
  });
});
