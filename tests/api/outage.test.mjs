// A stopped PostgreSQL or Redis must give a quick 503 (JSON error or page), never a hung
// request or a crash, and Parley must recover by itself when the backend comes back.
// The stack's processes are frozen with SIGSTOP and thawed with SIGCONT.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { api, assertError, register, login, PASSWORD } from './lib.mjs';

const VAR = process.env.PARLEY_VAR;

function pidsOf(pidFile, withChildren) {
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const pids = [pid];
  if (withChildren) {
    try {
      pids.push(...execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').map(Number));
    } catch { /* no children */ }
  }
  return pids;
}

async function frozen(pids, fn) {
  for (const p of pids) process.kill(p, 'SIGSTOP');
  try {
    return await fn();
  } finally {
    for (const p of pids) process.kill(p, 'SIGCONT');
  }
}

async function waitHealthy() {
  const until = Date.now() + 15000;
  for (;;) {
    const r = await api('GET', '/healthz');
    if (r.status === 200) return;
    assert.ok(Date.now() < until, `still unhealthy: ${r.status} ${r.text}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

describe('backend outages', { skip: !VAR && 'needs PARLEY_VAR (the stack directory)' }, () => {
  it('a frozen PostgreSQL gives 503 quickly, then Parley recovers', async () => {
    const { token } = await register();
    const pids = pidsOf(`${VAR}/pg/postmaster.pid`, true);
    await frozen(pids, async () => {
      const t0 = Date.now();
      const h = await api('GET', '/healthz');
      assert.equal(h.status, 503, h.text);
      assert.deepEqual(h.json, { status: 'unavailable', postgres: 'down', redis: 'ok' });
      // The inbox, which is read from PostgreSQL every time: /api/v1/me may be answered from
      // what parley.fcgi keeps (the session and, for 3 s, the acting user's row).
      const inbox = await api('GET', '/api/v1/conversations', { token });
      assertError(inbox, 503, 'unavailable');
      const page = await api('GET', '/users/nobody');
      assert.equal(page.status, 503);
      assert.match(page.headers.get('content-type') || '', /^text\/html/);
      assert.ok(Date.now() - t0 < 20000, `answers took ${Date.now() - t0} ms`);
    });
    await waitHealthy();
    const me = await api('GET', '/api/v1/me', { token });
    assert.equal(me.status, 200, me.text);
  });

  it('a frozen Redis gives 503 quickly, then Parley recovers', async () => {
    // A session never used yet: one used in the last 3 s is still known to parley.fcgi
    // (its session cache, cgi/app/sesscache.c) and would be answered without Redis.
    const { username } = await register();
    const token = await login(username, PASSWORD);
    const pids = pidsOf(`${VAR}/run/redis.pid`, false);
    await frozen(pids, async () => {
      const t0 = Date.now();
      const h = await api('GET', '/healthz');
      assert.equal(h.status, 503, h.text);
      assert.equal(h.json.redis, 'down');
      const me = await api('GET', '/api/v1/me', { token });
      assertError(me, 503, 'unavailable');
      assert.ok(Date.now() - t0 < 20000, `answers took ${Date.now() - t0} ms`);
    });
    await waitHealthy();
    const me = await api('GET', '/api/v1/me', { token });
    assert.equal(me.status, 200, me.text);
  });
});
