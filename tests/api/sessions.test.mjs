// Sessions: the list a user sees at /me/sessions, and revoking one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, apiAt, BASE, BASE2, register, login, hex, fakeIp, assertError, redis, haveRedis, PASSWORD, ISO,
  UA_FIREFOX_LINUX, UA_CURL,
} from './lib.mjs';

async function listSessions(token) {
  const r = await api('GET', '/api/v1/me/sessions', { token });
  assert.equal(r.status, 200, r.text);
  assert.ok(Array.isArray(r.json.sessions), r.text);
  return r;
}

describe('sessions', () => {
  it('lists each session with browser, ip, times and the current flag', async () => {
    const ipA = fakeIp();
    const ipB = fakeIp();
    const a = await register({ ip: ipA, headers: { 'User-Agent': UA_FIREFOX_LINUX } });
    const second = await login(a.username, PASSWORD, { ip: ipB, headers: { 'User-Agent': UA_CURL } });

    const r = await listSessions(a.token);
    const { sessions } = r.json;
    assert.equal(sessions.length, 2, r.text);
    for (const s of sessions) {
      assert.match(s.id, /^[0-9a-f]{64}$/, `session id is 64 hex: ${s.id}`);
      assert.equal(typeof s.browser, 'string');
      assert.equal(typeof s.ip, 'string');
      assert.match(s.created_at, ISO);
      assert.match(s.last_seen, ISO);
      assert.equal(typeof s.current, 'boolean');
    }
    const current = sessions.filter((s) => s.current);
    assert.equal(current.length, 1, 'exactly one current session');
    assert.equal(current[0].ip, ipA);
    assert.match(current[0].browser, /Firefox/);
    assert.match(current[0].browser, /Linux/);
    const other = sessions.find((s) => !s.current);
    assert.equal(other.ip, ipB);
    assert.match(other.browser, /curl/i);
    // newest first
    assert.ok(sessions[0].created_at >= sessions[1].created_at, 'newest first');
    // the list never shows the bearer tokens themselves
    assert.ok(!r.text.includes(a.token) && !r.text.includes(second), 'no token in the list');

    // from the other session, that one is current
    const r2 = await listSessions(second);
    const cur2 = r2.json.sessions.find((s) => s.current);
    assert.equal(cur2.id, other.id);
  });

  it('revokes another session by id (DELETE); it is dead at once', async () => {
    const a = await register();
    const victim = await login(a.username, PASSWORD);
    const { json } = await listSessions(a.token);
    const target = json.sessions.find((s) => !s.current);
    const r = await api('DELETE', `/api/v1/me/sessions/${target.id}`, { token: a.token });
    assert.equal(r.status, 204, r.text);
    assertError(await api('GET', '/api/v1/me', { token: victim }), 401, 'unauthorized');
    const after = await listSessions(a.token);
    assert.ok(!after.json.sessions.some((s) => s.id === target.id), 'gone from the list');
    const still = await api('GET', '/api/v1/me', { token: a.token });
    assert.equal(still.status, 200);
    // revoking it again: it no longer exists
    assertError(await api('DELETE', `/api/v1/me/sessions/${target.id}`, { token: a.token }), 404, 'not_found');
  });

  it('revokes by POST …/revoke (the form twin)', async () => {
    const a = await register();
    const victim = await login(a.username, PASSWORD);
    const { json } = await listSessions(a.token);
    const target = json.sessions.find((s) => !s.current);
    const r = await api('POST', `/api/v1/me/sessions/${target.id}/revoke`, { token: a.token });
    assert.equal(r.status, 204, r.text);
    assertError(await api('GET', '/api/v1/me', { token: victim }), 401, 'unauthorized');
  });

  // parley.fcgi keeps sessions for a few seconds in each process (cgi/app/sesscache.c): every
  // node's threads must still refuse a revoked session, and see a changed profile, at once.
  // Each round sends many requests at the same time so that every worker thread of every
  // node serves the session before the change, and again right after it.
  const nodes = BASE2 ? [BASE, BASE2] : [BASE];
  const everywhere = (token, n = 24) => Promise.all(nodes.flatMap((base) =>
    Array.from({ length: n }, () => apiAt(base, 'GET', '/api/v1/me', { token }))));

  it('a revoked session is refused at once by every thread of every node', async () => {
    const a = await register();
    for (const end of ['DELETE', 'logout', 'password changed']) {
      const victim = await login(a.username, PASSWORD);
      for (const r of await everywhere(victim)) assert.equal(r.status, 200, r.text);   // kept everywhere now
      const { json } = await listSessions(victim);
      const id = json.sessions.find((s) => s.current).id;
      let r;
      if (end === 'DELETE') r = await api('DELETE', `/api/v1/me/sessions/${id}`, { token: a.token });
      else if (end === 'logout') r = await apiAt(nodes.at(-1), 'POST', '/api/v1/logout', { token: victim });
      else r = await api('POST', '/api/v1/me/password', { token: a.token, json: { current_password: PASSWORD, new_password: `new ${PASSWORD}` } });
      assert.ok(r.status < 300, `${end}: ${r.status} ${r.text}`);
      const after = await everywhere(victim);
      assert.deepEqual([...new Set(after.map((x) => x.status))], [401], `${end}: every request after it is refused`);
    }
    assert.equal((await api('GET', '/api/v1/me', { token: a.token })).status, 200, 'the session that did it lives on');
  });

  it('a changed profile shows at once on every thread of every node', async () => {
    const a = await register();
    const other = await login(a.username, PASSWORD);
    for (const r of await everywhere(a.token)) assert.equal(r.json.user.display_name, a.display_name);
    for (const [i, base] of nodes.entries()) {
      const name = `Renamed ${i} ${hex(3)}`;
      const r = await apiAt(base, 'PATCH', '/api/v1/me', { token: other, json: { display_name: name } });
      assert.equal(r.status, 200, r.text);
      const seen = (await everywhere(a.token)).map((x) => x.json.user.display_name);
      assert.deepEqual([...new Set(seen)], [name], `renamed through node ${i + 1}: every thread says so`);
    }
  });

  it("an unknown id, or another user's, is 404 not_found and changes nothing", async () => {
    const a = await register();
    const b = await register();
    assertError(await api('DELETE', `/api/v1/me/sessions/${hex(32)}`, { token: a.token }), 404, 'not_found');
    const bs = await listSessions(b.token);
    const bid = bs.json.sessions[0].id;
    assertError(await api('DELETE', `/api/v1/me/sessions/${bid}`, { token: a.token }), 404, 'not_found');
    assertError(await api('POST', `/api/v1/me/sessions/${bid}/revoke`, { token: a.token }), 404, 'not_found');
    const still = await api('GET', '/api/v1/me', { token: b.token });
    assert.equal(still.status, 200, "the other user's session lives on");
    // a malformed id is refused too, not a server error
    const bad = await api('DELETE', '/api/v1/me/sessions/not-hex', { token: a.token });
    assert.ok([400, 404].includes(bad.status), `malformed id: ${bad.status} ${bad.text}`);
    assertError(bad, bad.status, ['bad_request', 'not_found']);
  });

  it('needs authentication', async () => {
    assertError(await api('GET', '/api/v1/me/sessions'), 401, 'unauthorized');
    assertError(await api('DELETE', `/api/v1/me/sessions/${hex(32)}`), 401, 'unauthorized');
  });

  it('Redis keeps no raw session token in its keys', { skip: !haveRedis && 'PARLEY_REDIS not set' }, async () => {
    const a = await register();
    const keys = redis('--scan', '--pattern', `*${a.token.replace(/[*?[\]\\]/g, '\\$&')}*`);
    assert.equal(keys, '', `keys naming the raw token: ${keys}`);
  });
});
