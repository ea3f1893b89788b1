// Rate limits: failed logins per account and per IP, registrations per IP.
// Defaults: 10 failed logins per account and 50 per IP in 15 minutes; 10 registrations per IP
// in an hour. Every test uses fresh accounts and fake addresses, so they never meet.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, register, loginRaw, uname, fakeIp, assertError, PASSWORD } from './lib.mjs';

function assertRetryAfter(r, max) {
  const ra = r.headers.get('retry-after');
  assert.ok(ra, 'Retry-After header present');
  assert.match(ra, /^\d+$/, `Retry-After is a number of seconds: ${ra}`);
  const n = Number(ra);
  assert.ok(n > 0, `Retry-After > 0: ${ra}`);
  assert.ok(n <= max, `Retry-After within the window (${max}s): ${ra}`);
}

describe('rate limits', { concurrency: true }, () => {
  it('10 failed logins for one account (from many IPs) lock it: the 11th is 429', async () => {
    const a = await register();
    for (let i = 1; i <= 10; i++) {
      const r = await loginRaw(a.username, `wrong password ${i}`, { ip: fakeIp() });
      assertError(r, 401, 'invalid_credentials');
    }
    // even the right password, from yet another address, is refused now
    const r = await loginRaw(a.username, PASSWORD, { ip: fakeIp() });
    assertError(r, 429, 'rate_limited');
    assertRetryAfter(r, 15 * 60);
    assert.ok(!r.json.token, 'no token while limited');
    // the existing session is not affected
    const me = await api('GET', '/api/v1/me', { token: a.token });
    assert.equal(me.status, 200, me.text);
    // another account is not affected
    const b = await register();
    const rb = await loginRaw(b.username, PASSWORD);
    assert.equal(rb.status, 200, rb.text);
  });

  it('50 failed logins from one IP block that IP: the 51st is 429', async () => {
    const victim = await register();
    const ip = fakeIp();
    const names = Array.from({ length: 50 }, () => uname('nobody'));
    // in parallel batches: each is a failure, so each must be a plain 401
    for (let i = 0; i < names.length; i += 10) {
      const batch = names.slice(i, i + 10).map((n) => loginRaw(n, 'wrong password', { ip }));
      for (const r of await Promise.all(batch)) assertError(r, 401, 'invalid_credentials');
    }
    const r = await loginRaw(victim.username, PASSWORD, { ip });
    assertError(r, 429, 'rate_limited');
    assertRetryAfter(r, 15 * 60);
    // the account itself is not locked: from another address it logs in
    const ok = await loginRaw(victim.username, PASSWORD, { ip: fakeIp() });
    assert.equal(ok.status, 200, ok.text);
  });

  it('10 registrations from one IP are fine, the 11th is 429', async () => {
    const ip = fakeIp();
    for (let i = 1; i <= 10; i++) {
      const r = await api('POST', '/api/v1/register', {
        json: { username: uname(), password: PASSWORD, display_name: `Bulk ${i}` },
        ip,
      });
      assert.equal(r.status, 201, `registration ${i}: ${r.status} ${r.text}`);
    }
    const username = uname();
    const r = await api('POST', '/api/v1/register', {
      json: { username, password: PASSWORD, display_name: 'One too many' },
      ip,
    });
    assertError(r, 429, 'rate_limited');
    assertRetryAfter(r, 60 * 60);
    // nothing was created
    assertError(await api('GET', `/api/v1/users/${username}`), 404, 'not_found');
    // another address may still register
    const other = await api('POST', '/api/v1/register', {
      json: { username: uname(), password: PASSWORD, display_name: 'Elsewhere' },
      ip: fakeIp(),
    });
    assert.equal(other.status, 201, other.text);
  });
});
