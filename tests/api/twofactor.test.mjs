// Two-factor sign-in: set up with the password, turn on with a first code, then every login
// needs a code from the app (once each) or a recovery code (once each); the form flow without
// JavaScript; turning it off.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, register, assertError, inputValue, metaContent, PASSWORD, uname } from './lib.mjs';
import { totp } from '../support/totp.mjs';

/** Sets up and turns on two-factor sign-in for u: {secret, codes}. */
async function enable(u) {
  const setup = await api('POST', '/api/v1/me/2fa/totp', { token: u.token });
  assert.equal(setup.status, 200, setup.text);
  const { secret, otpauth_uri } = setup.json;
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.equal(otpauth_uri, `otpauth://totp/Parley%3A${u.username}?secret=${secret}&issuer=Parley&algorithm=SHA1&digits=6&period=30`);
  const on = await api('POST', '/api/v1/me/2fa/totp/confirm', { token: u.token, json: { code: totp(secret) } });
  assert.equal(on.status, 200, on.text);
  assert.equal(on.json.two_factor.enabled, true);
  assert.equal(on.json.recovery_codes.length, 10);
  for (const c of on.json.recovery_codes) assert.match(c, /^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
  return { secret, codes: on.json.recovery_codes };
}

const loginApi = (u, body = {}) => api('POST', '/api/v1/login', { json: { username: u.username, password: PASSWORD, ...body } });

describe('two-factor sign-in', () => {
  it('a login then needs a code, each code works once, a recovery code once', async () => {
    const u = await register();
    const { secret, codes } = await enable(u);
    assertError(await loginApi(u), 401, 'totp_required');
    assertError(await loginApi(u, { totp: '000000' }), 401, 'invalid_credentials', 'totp');
    // The code that turned it on was spent: the next step's code is accepted too (±1 step).
    const used = totp(secret, Date.now() / 1000 + 30);
    const ok = await loginApi(u, { totp: used });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(typeof ok.json.token, 'string');
    assert.equal(ok.json.user.username, u.username);
    assert.equal((await api('GET', '/api/v1/me', { token: ok.json.token })).status, 200);
    assertError(await loginApi(u, { totp: used }), 401, 'invalid_credentials', 'totp');   // replayed
    const rec = await loginApi(u, { totp: codes[0].toLowerCase() });
    assert.equal(rec.status, 200, `a recovery code, any case: ${rec.text}`);
    assertError(await loginApi(u, { totp: codes[0] }), 401, 'invalid_credentials', 'totp');
    const st = await api('GET', '/api/v1/me/2fa', { token: rec.json.token });
    assert.equal(st.json.two_factor.enabled, true);
    assert.equal(st.json.two_factor.recovery_codes_left, 9);
    assertError(await api('POST', '/api/v1/login', { json: { username: u.username, password: 'not the password', totp: totp(secret) } }), 401, 'invalid_credentials');
  });

  it('wrong codes count against the login limit', async () => {
    const u = await register();
    await enable(u);
    let last;
    for (let i = 0; i < 12; i++) last = await loginApi(u, { totp: `00000${i % 10}` });
    assertError(last, 429, 'rate_limited');
  });

  it('set up, confirm with a right code, new recovery codes, off with a code', async () => {
    const u = await register();
    assertError(await api('POST', '/api/v1/me/2fa/totp/confirm', { token: u.token, json: { code: '123456' } }), 409, 'conflict');
    const setup = await api('POST', '/api/v1/me/2fa/totp', { token: u.token });
    const secret = setup.json.secret;
    const qr = await api('GET', '/api/v1/me/2fa/totp/qr.svg', { token: u.token, raw: true });
    assert.equal(qr.status, 200);
    assert.match(qr.headers.get('content-type'), /^image\/svg\+xml/);
    assert.match(qr.text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*><rect [^>]*\/><path fill="#000" d="(M\d+ \d+h1v1h-1z)+"\/><\/svg>\n$/);
    assertError(await api('POST', '/api/v1/me/2fa/totp/confirm', { token: u.token, json: { code: '000000' } }), 400, 'invalid_field', 'code');
    assert.equal(typeof (await loginApi(u)).json.token, 'string', 'not on yet: no second step');
    const on = await api('POST', '/api/v1/me/2fa/totp/confirm', { token: u.token, json: { code: totp(secret) } });
    assert.equal(on.status, 200);
    assertError(await api('POST', '/api/v1/me/2fa/totp', { token: u.token }), 409, 'conflict');
    assertError(await api('GET', '/api/v1/me/2fa/totp/qr.svg', { token: u.token }), 404, 'not_found');
    const fresh = await api('POST', '/api/v1/me/2fa/recovery-codes', { token: u.token, json: { code: on.json.recovery_codes[0] } });
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal(fresh.json.recovery_codes.length, 10);
    assertError(await api('DELETE', '/api/v1/me/2fa', { token: u.token, json: { code: on.json.recovery_codes[1] } }), 400, 'invalid_field', 'code');
    assertError(await api('DELETE', '/api/v1/me/2fa', { token: u.token, json: {} }), 400, 'invalid_field', 'code');
    const off = await api('DELETE', '/api/v1/me/2fa', { token: u.token, json: { code: fresh.json.recovery_codes[0] } });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json.two_factor.enabled, false);
    assert.equal(typeof (await loginApi(u)).json.token, 'string', 'off: no second step');
  });

  it('without JavaScript: the login form asks for the code on a page of its own', async () => {
    const u = await register();
    const { secret } = await enable(u);
    const f = await api('GET', '/login');
    const csrf = inputValue(f.text, 'csrf_token');
    const cookie = { parley_csrf: f.cookies.parley_csrf.value };
    const step1 = await api('POST', '/login', { form: { username: u.username, password: PASSWORD, csrf_token: csrf, next: '/contacts' }, cookie });
    assert.equal(step1.status, 200);
    assert.equal(step1.cookies.parley_session, undefined, 'no session cookie yet');
    assert.match(step1.text, /Enter your code/);
    assert.doesNotMatch(step1.text, new RegExp(PASSWORD), 'the password is not kept in the page');
    const ticket = inputValue(step1.text, 'ticket');
    assert.ok(ticket);
    assert.equal(inputValue(step1.text, 'next'), '/contacts');
    const wrong = await api('POST', '/login/two-factor', { form: { ticket, code: '000000', next: '/contacts', csrf_token: csrf }, cookie });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /wrong or was used already/);
    assert.equal(inputValue(wrong.text, 'ticket'), ticket, 'the form keeps its ticket');
    const ok = await api('POST', '/login/two-factor', { form: { ticket, code: totp(secret, Date.now() / 1000 + 30), next: '/contacts', csrf_token: csrf }, cookie });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    assert.equal(ok.headers.get('location'), '/contacts');
    const session = ok.cookies.parley_session?.value;
    assert.ok(session);
    const again = await api('POST', '/login/two-factor', { form: { ticket, code: totp(secret), csrf_token: csrf }, cookie });
    assert.equal(again.status, 401, 'a ticket opens one session');
    const page = await api('GET', '/me/2fa', { cookie: { parley_session: session } });
    assert.equal(page.status, 200);
    assert.match(page.text, /Two-factor sign-in is <strong>on<\/strong>/);
    assert.ok(metaContent(page.text, 'csrf-token'));
  });

  it('five wrong codes end a ticket; a made-up ticket gets nowhere', async () => {
    const u = await register();
    await enable(u);
    const f = await api('GET', '/login');
    const csrf = inputValue(f.text, 'csrf_token');
    const cookie = { parley_csrf: f.cookies.parley_csrf.value };
    const step1 = await api('POST', '/login', { form: { username: u.username, password: PASSWORD, csrf_token: csrf }, cookie });
    const ticket = inputValue(step1.text, 'ticket');
    for (let i = 0; i < 5; i++) {
      assertError(await api('POST', '/api/v1/login/two-factor', { json: { ticket, code: `12345${i}` } }), 401, 'invalid_credentials', 'code');
    }
    assertError(await api('POST', '/api/v1/login/two-factor', { json: { ticket, code: '123456' } }), 401, 'unauthorized', 'ticket');
    assertError(await api('POST', '/api/v1/login/two-factor', { json: { ticket: 'A'.repeat(43), code: '123456' } }), 401, 'unauthorized', 'ticket');
    assertError(await api('POST', '/api/v1/login/two-factor', { json: { ticket: 'nope', code: '123456' } }), 401, 'unauthorized', 'ticket');
  });

  it('an unknown user never learns whether two-factor sign-in is on', async () => {
    assertError(await api('POST', '/api/v1/login', { json: { username: uname(), password: PASSWORD } }), 401, 'invalid_credentials');
  });
});
