// Faults on the delivery path: restarts of PostgreSQL and Redis, a hung Redis, a page server
// killed between its commit and its publication. What a person would notice: a request
// failing after a restart, a message event "from the past" that a client then ignores, a
// missed message, or one shown twice.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import {
  api, registerMany, openDirect, send, show, stack, stackAsync, openStream, sleep, BASE2, apiAt, uuid, sql, createGroup, ChatClient,
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

  it('an event Redis did not carry reaches the open streams from the event log, without a resync', async () => {
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
    try {
      await s.waitFor((e) => e.type === 'message.created' && e.seq === lost.seq, 5000, 'the message, from the log');
      const next = await send(b, conv.id, 'after Redis is back');
      await s.waitFor((e) => e.type === 'message.created' && e.seq === next.seq, 5000, 'the next message');
      assert.ok(!s.events.some((e) => e.type === 'resync'), `no resync: ${s.describe()}`);
      assert.equal(s.matching((e) => e.type === 'message.created' && e.seq === lost.seq).length, 1, `once: ${s.describe()}`);
    } finally {
      await s.close();
    }
  });

  it('a page server killed between its commit and its publication: the message reaches the stream once', async () => {
    const [a, b] = await registerMany(2);
    const conv = await openDirect(b, a);
    const s = await openStream(a);
    const client_id = uuid();
    const body = JSON.stringify({ body: 'committed, then the process died', client_id });
    // parley.fcgi as plain CGI, told to wait 5 s between its commit and its PUBLISH, killed
    // in that wait (SIGKILL: nothing runs after it).
    const child = spawn(`${process.env.BIN}/parley.fcgi`, [], {
      env: {
        ...process.env, PARLEY_LISTEN: '', PARLEY_TEST_PUBLISH_DELAY_MS: '5000', GATEWAY_INTERFACE: 'CGI/1.1',
        REQUEST_METHOD: 'POST', REQUEST_URI: `/api/v1/conversations/${conv.id}/messages`, REMOTE_ADDR: '127.0.0.1',
        CONTENT_TYPE: 'application/json', CONTENT_LENGTH: String(Buffer.byteLength(body)), HTTP_AUTHORIZATION: `Bearer ${b.token}`,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stdin.end(body);
    const exited = new Promise((r) => child.on('exit', (code, sig) => r(sig || code)));
    try {
      let stored = '';
      for (let i = 0; i < 100 && !stored; i++) {                // committed: the row is there
        await sleep(50);
        stored = sql(`SELECT seq FROM messages WHERE conversation_id = ${conv.id} AND client_id = '${client_id}'`);
      }
      assert.ok(stored, 'the message was committed');
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      assert.equal(out, '', 'the sender got no answer');
      const seq = Number(stored);
      await s.waitFor((e) => e.type === 'message.created' && e.seq === seq, 5000, 'the message, from the log');
      // The sender's retry (same client_id) answers 200 and announces it again under the same
      // event id: the stream does not get it twice.
      const again = await api('POST', `/api/v1/conversations/${conv.id}/messages`, { token: b.token, json: { body: 'x', client_id } });
      assert.equal(again.status, 200, show(again));
      assert.equal(again.json.message.seq, seq);
      await sleep(1500);
      assert.equal(s.matching((e) => e.type === 'message.created' && e.seq === seq).length, 1, `once: ${s.describe()}`);
      assert.ok(!s.events.some((e) => e.type === 'resync'), `no resync: ${s.describe()}`);
    } finally {
      child.kill('SIGKILL');
      await s.close();
    }
  });

  for (const fault of ['restart-redis', 'restart-postgres']) {
    it(`${fault} under a stream of sends: every acknowledged message reaches every streaming member once, no resync, no refetch`, async (t) => {
      const [a0, b, c] = await registerMany(3);
      const a = await patOf(a0);                                  // PostgreSQL tokens outlive a Redis restart
      const g = await createGroup(a0, [b, c]);
      const logs = [];
      const clients = [b, c].map((u) => new ChatClient(u, { only: [g.id], gapGraceMs: 2000, log: (l) => logs.push(`${u.username} ${l}`) }));
      await Promise.all(clients.map((cl) => cl.start()));
      const acked = [];
      let faulted;
      const sender = (async () => {
        for (let i = 1; i <= 40; i++) {
          const client_id = uuid();                               // retried until acknowledged
          for (let t0 = Date.now(); ; await sleep(100)) {
            const r = await api('POST', `/api/v1/conversations/${g.id}/messages`, { token: a.token, json: { body: `m ${i}`, client_id } })
              .catch((err) => ({ status: 0, text: err.message }));
            if (r.status === 201 || r.status === 200) { acked.push(r.json.message.seq); break; }
            assert.ok(Date.now() - t0 < 30000, `send ${i} never acknowledged: ${show(r)}`);
          }
          if (i === 10) faulted = stackAsync(fault);
        }
      })();
      try {
        await sender;
        await faulted;
        const last = Math.max(...acked);
        for (const cl of clients) {
          await cl.waitSeq(g.id, last, 15000).catch((e) => { throw new Error(`${e.message}: ${JSON.stringify(cl.stats)} ${logs.join(' | ')}`); });
          await cl.idle();
          const seqs = cl.applied(g.id);
          assert.deepEqual(seqs, Array.from({ length: last }, (_, i) => i + 1), `every message once, in order: ${JSON.stringify(cl.stats)}`);
          assert.equal(cl.error, undefined, String(cl.error));
          assert.equal(cl.stats.resyncs, 0, `no resync: ${JSON.stringify(cl.stats)} ${logs.join(' | ')}`);
          assert.equal(cl.stats.gapFetches, 0, `no history refetched: ${JSON.stringify(cl.stats)} ${logs.join(' | ')}`);
          // (An event for a message the client's first catch-up already fetched can still
          // arrive on the stream: the client drops it by seq, as every client must. What the
          // person sees is the list above, each message once.)
          t.diagnostic(`${cl.user.username}: ${JSON.stringify(cl.stats)}`);
        }
      } finally {
        await Promise.all(clients.map((cl) => cl.stop()));
      }
    });
  }

  it('a retried send answers with the original and announces it under the same event id: seen once', async () => {
    const [a, b] = await registerMany(2);
    const conv = await openDirect(b, a);
    const s = await openStream(a);
    try {
      const client_id = uuid();
      const first = await send(b, conv.id, 'said twice, stored once', { client_id });
      const ev = await s.waitFor((e) => e.type === 'message.created' && e.seq === first.seq, 5000, 'the first announcement');
      const again = await api('POST', `/api/v1/conversations/${conv.id}/messages`, { token: b.token, json: { body: 'said twice, stored once', client_id } });
      assert.equal(again.status, 200, show(again));
      assert.equal(again.json.message.seq, first.seq);
      // A stream that had missed the first announcement gets it from this one (or from the
      // log); one that had it does not get it twice.
      const fresh = await openStream(a, { lastEventId: Number(ev._id) - 1 });
      try {
        const e2 = await fresh.waitFor((e) => e.type === 'message.created' && e.seq === first.seq, 5000, 'the replayed announcement');
        assert.equal(e2._id, ev._id, 'the same event id');
      } finally {
        await fresh.close();
      }
      await sleep(1000);
      assert.equal(s.matching((e) => e.type === 'message.created' && e.seq === first.seq).length, 1, `once: ${s.describe()}`);
      const page = await api('GET', `/api/v1/conversations/${conv.id}/messages?after=0`, { token: a.token });
      assert.equal(page.json.messages.filter((m) => m.client_id === client_id).length, 1, 'one stored copy');
    } finally {
      s.close();
    }
  });
});
