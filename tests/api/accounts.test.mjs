// The account life cycle as a script sees it: register, log in, profile, password, logout.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, register, login, loginRaw, uname, fakeIp, hex, assertError, assertUser, assertSecurityHeaders,
  sql, lit, haveDb, PASSWORD, ISO,
} from './lib.mjs';

describe('register', () => {
  it('answers 201 with the user and a session token', async () => {
    const username = uname();
    const r = await api('POST', '/api/v1/register', {
      json: { username, password: PASSWORD, display_name: 'Alice Liddell' },
    });
    assert.equal(r.status, 201, r.text);
    assert.match(r.headers.get('content-type') || '', /^application\/json/i);
    assertSecurityHeaders(r, 'register');
    assertUser(r.json.user, { username, display_name: 'Alice Liddell' });
    assert.equal(typeof r.json.token, 'string');
    assert.ok(r.json.token.length >= 16, 'token long enough to be unguessable');
    if ('created_at' in r.json.user) assert.match(r.json.user.created_at, ISO);
    assert.ok(!JSON.stringify(r.json).includes(PASSWORD), 'the password is never echoed');
    assert.ok(!('password_hash' in r.json.user), 'no hash in the user object');
  });

  it('folds an upper-case username to lower case', async () => {
    const base = uname();
    const r = await api('POST', '/api/v1/register', {
      json: { username: base.toUpperCase(), password: PASSWORD, display_name: 'Upper' },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.user.username, base);
    const p = await api('GET', `/api/v1/users/${base}`);
    assert.equal(p.status, 200, p.text);
  });

  it('refuses a taken username, ignoring case, with 409 username_taken', async () => {
    const a = await register();
    const same = await api('POST', '/api/v1/register', {
      json: { username: a.username, password: PASSWORD, display_name: 'Again' },
    });
    assertError(same, 409, 'username_taken');
    const upper = await api('POST', '/api/v1/register', {
      json: { username: a.username.toUpperCase(), password: PASSWORD, display_name: 'Again' },
    });
    assertError(upper, 409, 'username_taken');
    // the first account is untouched
    await login(a.username, PASSWORD);
  });

  it('ignores unknown fields', async () => {
    const username = uname();
    const r = await api('POST', '/api/v1/register', {
      json: { username, password: PASSWORD, display_name: 'Extra', admin: true, id: 1, favourite: 'tea' },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.user.username, username);
    assert.notEqual(r.json.user.id, 1);
  });

  it('stores an argon2id hash, never the password', { skip: !haveDb && 'PARLEY_DB not set' }, async () => {
    const a = await register();
    const hash = sql(`select password_hash from users where username = ${lit(a.username)}`);
    assert.ok(hash.startsWith('$argon2id$'), `hash: ${hash.slice(0, 20)}…`);
    assert.ok(!hash.includes(PASSWORD));
    const row = sql(`select u::text from users u where username = ${lit(a.username)}`);
    assert.ok(!row.includes(PASSWORD), 'no column holds the password');
  });

  it('accepts a urlencoded body like JSON', async () => {
    const username = uname();
    const r = await api('POST', '/api/v1/register', {
      form: { username, password: PASSWORD, display_name: 'Form Ü' },
    });
    assert.equal(r.status, 201, r.text);
    assertUser(r.json.user, { username, display_name: 'Form Ü' });
    await login(username, PASSWORD);
  });

  it('accepts application/json with a charset parameter', async () => {
    const username = uname();
    const r = await api('POST', '/api/v1/register', {
      body: JSON.stringify({ username, password: PASSWORD, display_name: 'Charset' }),
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
    assert.equal(r.status, 201, r.text);
  });
});

describe('login', () => {
  it('the JSON twins of the form pages are empty objects', async () => {
    for (const path of ['/api/v1/login', '/api/v1/register']) {
      const r = await api('GET', path);
      assert.equal(r.status, 200, `${path}: ${r.status} ${r.text}`);
      assert.match(r.headers.get('content-type') || '', /^application\/json/i);
      assert.deepEqual(r.json, {});
    }
  });

  it('answers 200 with the user and a new token', async () => {
    const a = await register();
    const r = await loginRaw(a.username, PASSWORD);
    assert.equal(r.status, 200, r.text);
    assertUser(r.json.user, { username: a.username, id: a.user.id });
    assert.equal(typeof r.json.token, 'string');
    assert.notEqual(r.json.token, a.token, 'each login is a new session');
    const me = await api('GET', '/api/v1/me', { token: r.json.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.user.id, a.user.id);
  });

  it('accepts the username in another case', async () => {
    const a = await register();
    const r = await loginRaw(a.username.toUpperCase(), PASSWORD);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.username, a.username);
  });

  it('gives the same 401 invalid_credentials for a wrong password and an unknown user', async () => {
    const a = await register();
    const wrong = await loginRaw(a.username, 'not the password');
    const e1 = assertError(wrong, 401, 'invalid_credentials');
    const unknown = await loginRaw(uname('nobody'), 'not the password');
    const e2 = assertError(unknown, 401, 'invalid_credentials');
    assert.equal(e1.message, e2.message, 'the same answer for both');
    assert.ok(!wrong.json.token && !unknown.json.token);
  });

  it('works with a urlencoded body', async () => {
    const a = await register();
    const r = await api('POST', '/api/v1/login', { form: { username: a.username, password: PASSWORD } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.username, a.username);
  });

  it('refuses missing fields with 400', async () => {
    const r1 = await api('POST', '/api/v1/login', { json: { password: PASSWORD } });
    assertError(r1, 400, 'missing_field', 'username');
    const r2 = await api('POST', '/api/v1/login', { json: { username: uname() } });
    assertError(r2, 400, 'missing_field', 'password');
  });
});

describe('GET /api/v1/me', () => {
  it('answers 200 with the user for a bearer token', async () => {
    const a = await register({ display_name: 'Me Myself' });
    const r = await api('GET', '/api/v1/me', { token: a.token });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') || '', /^application\/json/i);
    assertUser(r.json.user, { id: a.user.id, username: a.username, display_name: 'Me Myself' });
  });

  it('answers 401 unauthorized without a token or with a bad one', async () => {
    assertError(await api('GET', '/api/v1/me'), 401, 'unauthorized');
    assertError(await api('GET', '/api/v1/me', { token: 'nonsense' }), 401, 'unauthorized');
    assertError(await api('GET', '/api/v1/me', { token: hex(32) }), 401, 'unauthorized');
    assertError(await api('GET', '/api/v1/me', { token: 'pat_' + hex(24) }), 401, 'unauthorized');
    assertError(await api('GET', '/api/v1/me', { headers: { Authorization: 'Basic dTpw' } }), 401, 'unauthorized');
    assertError(await api('GET', '/api/v1/me', { headers: { Authorization: 'Bearer' } }), 401, 'unauthorized');
    assertError(await api('GET', '/api/v1/me', { cookie: { parley_session: hex(32) } }), 401, 'unauthorized');
  });

  it('the home endpoint names the signed-in user, or null', async () => {
    const a = await register();
    // the JSON twin of `/` is `/api/v1/`; accept `/api/v1` when only that one is routed
    let path = '/api/v1/';
    let anon = await api('GET', path);
    if (anon.status === 404) {
      path = '/api/v1';
      anon = await api('GET', path);
    }
    assert.equal(anon.status, 200, anon.text);
    assert.equal(anon.json.name, 'Parley');
    assert.equal(typeof anon.json.version, 'string');
    assert.equal(anon.json.user, null);
    const me = await api('GET', path, { token: a.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.user?.username, a.username);
  });
});

describe('profile', () => {
  it('PATCH /api/v1/me changes display_name and status_text, visible to anyone', async () => {
    const a = await register();
    const r = await api('PATCH', '/api/v1/me', {
      token: a.token,
      json: { display_name: 'Alice in Wonderland', status_text: 'down the rabbit hole' },
    });
    assert.equal(r.status, 200, r.text);
    assertUser(r.json.user, { display_name: 'Alice in Wonderland', status_text: 'down the rabbit hole' });
    const pub = await api('GET', `/api/v1/users/${a.username}`);
    assert.equal(pub.status, 200, pub.text);
    assertUser(pub.json.user, {
      id: a.user.id,
      username: a.username,
      display_name: 'Alice in Wonderland',
      status_text: 'down the rabbit hole',
    });
    // one field at a time leaves the other alone
    const r2 = await api('PATCH', '/api/v1/me', { token: a.token, json: { status_text: 'back' } });
    assert.equal(r2.status, 200, r2.text);
    assertUser(r2.json.user, { display_name: 'Alice in Wonderland', status_text: 'back' });
    // an empty status clears it
    const r3 = await api('PATCH', '/api/v1/me', { token: a.token, json: { status_text: '' } });
    assert.equal(r3.status, 200, r3.text);
    assert.ok(r3.json.user.status_text === '' || r3.json.user.status_text === null, r3.text);
  });

  it('POST /api/v1/me with a form body does the same', async () => {
    const a = await register();
    const r = await api('POST', '/api/v1/me', { token: a.token, form: { status_text: 'by form' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.status_text, 'by form');
  });

  it('the public profile needs no session and has no private fields', async () => {
    const a = await register();
    const r = await api('GET', `/api/v1/users/${a.username}`);
    assert.equal(r.status, 200, r.text);
    assertUser(r.json.user, { username: a.username });
    const t = r.text.toLowerCase();
    assert.ok(!t.includes('password') && !t.includes('argon2'), 'no password data');
  });

  it('an unknown user is 404 not_found', async () => {
    assertError(await api('GET', `/api/v1/users/${uname('ghost')}`), 404, 'not_found');
  });

  it('PATCH /api/v1/me needs authentication', async () => {
    assertError(await api('PATCH', '/api/v1/me', { json: { status_text: 'x' } }), 401, 'unauthorized');
  });
});

describe('password change', () => {
  it('ends other sessions, keeps this one; the old password stops working', async () => {
    const a = await register();
    const other = await login(a.username, PASSWORD);
    const newPassword = 'a brand new passphrase';
    const r = await api('POST', '/api/v1/me/password', {
      token: a.token,
      json: { current_password: PASSWORD, new_password: newPassword },
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { sessions_ended: 1, tokens_revoked: 0 }, 'the answer says what ended');
    assertError(await api('GET', '/api/v1/me', { token: other }), 401, 'unauthorized');
    const still = await api('GET', '/api/v1/me', { token: a.token });
    assert.equal(still.status, 200, `current session stays: ${still.text}`);
    assertError(await loginRaw(a.username, PASSWORD), 401, 'invalid_credentials');
    await login(a.username, newPassword);
  });

  it('a wrong current password is 403 wrong_password and changes nothing', async () => {
    const a = await register();
    const r = await api('POST', '/api/v1/me/password', {
      token: a.token,
      json: { current_password: 'not it at all', new_password: 'another passphrase' },
    });
    assertError(r, 403, 'wrong_password');
    await login(a.username, PASSWORD);
    assertError(await loginRaw(a.username, 'another passphrase'), 401, 'invalid_credentials');
  });

  it('validates the new password and needs authentication', async () => {
    const a = await register();
    const short = await api('POST', '/api/v1/me/password', {
      token: a.token,
      json: { current_password: PASSWORD, new_password: 'short' },
    });
    assertError(short, 400, 'invalid_field', 'new_password');
    const missing = await api('POST', '/api/v1/me/password', { token: a.token, json: { current_password: PASSWORD } });
    assertError(missing, 400, 'missing_field', 'new_password');
    const anon = await api('POST', '/api/v1/me/password', {
      json: { current_password: PASSWORD, new_password: 'whatever passphrase' },
    });
    assertError(anon, 401, 'unauthorized');
    await login(a.username, PASSWORD);
  });
});

describe('logout', () => {
  it('POST /api/v1/logout answers 204 and the token is dead', async () => {
    const a = await register();
    const other = await login(a.username, PASSWORD);
    // like `curl -X POST …/logout -H 'Authorization: Bearer …'`: no body, no content type
    const r = await api('POST', '/api/v1/logout', { token: a.token });
    assert.equal(r.status, 204, r.text);
    assertError(await api('GET', '/api/v1/me', { token: a.token }), 401, 'unauthorized');
    const o = await api('GET', '/api/v1/me', { token: other });
    assert.equal(o.status, 200, 'other sessions live on');
  });

  it('POST /api/v1/logout without a session is 401', async () => {
    assertError(await api('POST', '/api/v1/logout'), 401, 'unauthorized');
  });

  it('POST /api/v1/logout/all ends every session of the user', async () => {
    const a = await register();
    const s2 = await login(a.username, PASSWORD);
    const s3 = await login(a.username, PASSWORD);
    const b = await register();
    const r = await api('POST', '/api/v1/logout/all', { token: s2 });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { sessions_ended: 3, tokens_revoked: 0 }, 'this one included');
    for (const t of [a.token, s2, s3]) {
      assertError(await api('GET', '/api/v1/me', { token: t }), 401, 'unauthorized');
    }
    const other = await api('GET', '/api/v1/me', { token: b.token });
    assert.equal(other.status, 200, 'another user is not affected');
    await login(a.username, PASSWORD);
  });
});
