// The HTML side as a browser without JavaScript sees it: forms, CSRF, the session cookie,
// escaping, and the security headers on every kind of response.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, register, login, uname, hex, assertError, assertSecurityHeaders, inputValue, metaContent,
  locationPath, PASSWORD,
} from './lib.mjs';

/** GET a form page; returns the double-submit cookie and the hidden field. */
async function formPage(path) {
  const r = await api('GET', path);
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  assert.match(r.headers.get('content-type') || '', /^text\/html/i);
  const c = r.cookies.parley_csrf;
  assert.ok(c && c.value, `${path} sets parley_csrf: ${r.setCookies.join(' | ')}`);
  const field = inputValue(r.text, 'csrf_token');
  assert.ok(field, `${path} has a hidden csrf_token`);
  assert.match(r.text, /<input\b[^>]*type\s*=\s*["']?hidden[^>]*name\s*=\s*["']?csrf_token|<input\b[^>]*name\s*=\s*["']?csrf_token[^>]*type\s*=\s*["']?hidden/i);
  return { cookie: c.value, field, html: r.text, res: r };
}

/** Logs in through the HTML form; returns the session cookie value. */
async function htmlLogin(username, password) {
  const f = await formPage('/login');
  const r = await api('POST', '/login', {
    form: { username, password, csrf_token: f.field },
    cookie: { parley_csrf: f.cookie },
  });
  assert.equal(r.status, 303, `login: ${r.status} ${r.text.slice(0, 200)}`);
  return { res: r, session: r.cookies.parley_session?.value };
}

/** The session's CSRF token from the <meta> of /me. */
async function pageCsrf(session) {
  const r = await api('GET', '/me', { cookie: { parley_session: session } });
  assert.equal(r.status, 200, `/me: ${r.status}`);
  const t = metaContent(r.text, 'csrf-token');
  assert.ok(t, '/me has <meta name="csrf-token">');
  return t;
}

describe('anonymous forms (double-submit CSRF)', () => {
  it('GET /login sets parley_csrf and a hidden csrf_token', async () => {
    const f = await formPage('/login');
    assertSecurityHeaders(f.res, '/login');
    assert.match(f.html, /name\s*=\s*["']?username/i, 'a username field');
    assert.match(f.html, /name\s*=\s*["']?password/i, 'a password field');
  });

  it('POST /login without the token, without the cookie, or with a wrong one is 403', async () => {
    const a = await register();
    const f = await formPage('/login');
    const tries = [
      { form: { username: a.username, password: PASSWORD }, cookie: { parley_csrf: f.cookie } },
      { form: { username: a.username, password: PASSWORD, csrf_token: f.field } },
      { form: { username: a.username, password: PASSWORD, csrf_token: 'x' + f.field }, cookie: { parley_csrf: f.cookie } },
      { form: { username: a.username, password: PASSWORD, csrf_token: hex(16) }, cookie: { parley_csrf: hex(16) } },
    ];
    for (const t of tries) {
      const r = await api('POST', '/login', t);
      assert.equal(r.status, 403, `${JSON.stringify(Object.keys(t))}: ${r.status}`);
      assert.ok(!r.cookies.parley_session?.value, 'no session cookie on a CSRF failure');
      assertSecurityHeaders(r, 'csrf 403');
    }
  });

  it('POST /login with cookie and field: 303 → /me with an HttpOnly SameSite=Lax session cookie', async () => {
    const display = `Html Tester ${hex(3)}`;
    const a = await register({ display_name: display });
    const { res, session } = await htmlLogin(a.username, PASSWORD);
    assert.equal(locationPath(res), '/me');
    const c = res.cookies.parley_session;
    assert.ok(session, `parley_session set: ${res.setCookies.join(' | ')}`);
    assert.equal(c.attrs.httponly, true, `HttpOnly: ${c.line}`);
    assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', `SameSite=Lax: ${c.line}`);
    assert.equal(c.attrs.path ?? '/', '/', `Path=/: ${c.line}`);
    assertSecurityHeaders(res, '303');

    const me = await api('GET', '/me', { cookie: { parley_session: session } });
    assert.equal(me.status, 200, me.text.slice(0, 200));
    assert.match(me.headers.get('content-type') || '', /^text\/html/i);
    assert.ok(me.text.includes(display), 'the page shows the display name');
    assertSecurityHeaders(me, '/me');
    // the cookie is a session like any other: the API accepts it too
    const apiMe = await api('GET', '/api/v1/me', { cookie: { parley_session: session } });
    assert.equal(apiMe.status, 200, apiMe.text);
    assert.equal(apiMe.json.user.username, a.username);
  });

  it('a wrong password on the form re-renders it with 401 and sets no session', async () => {
    const a = await register();
    const f = await formPage('/login');
    const r = await api('POST', '/login', {
      form: { username: a.username, password: 'wrong password', csrf_token: f.field },
      cookie: { parley_csrf: f.cookie },
    });
    assert.equal(r.status, 401, `${r.status}`);
    assert.match(r.headers.get('content-type') || '', /^text\/html/i);
    assert.ok(!r.cookies.parley_session?.value, 'no session cookie');
    assert.ok(!r.text.includes('wrong password'), 'the password is not echoed back');
  });

  it('POST /register with cookie and field: 303 → /me and a session', async () => {
    const f = await formPage('/register');
    const username = uname();
    const r = await api('POST', '/register', {
      form: { username, password: PASSWORD, display_name: 'Form Person', csrf_token: f.field },
      cookie: { parley_csrf: f.cookie },
    });
    assert.equal(r.status, 303, `${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(locationPath(r), '/me');
    const session = r.cookies.parley_session?.value;
    assert.ok(session, 'session cookie set');
    const me = await api('GET', '/api/v1/me', { cookie: { parley_session: session } });
    assert.equal(me.status, 200);
    assert.equal(me.json.user.username, username);
  });

  it('POST /register without the token is 403 and creates nothing', async () => {
    const f = await formPage('/register');
    const username = uname();
    const r = await api('POST', '/register', {
      form: { username, password: PASSWORD, display_name: 'No Token' },
      cookie: { parley_csrf: f.cookie },
    });
    assert.equal(r.status, 403);
    assertError(await api('GET', `/api/v1/users/${username}`), 404, 'not_found');
  });
});

describe('cookie sessions need the session CSRF token', () => {
  it('POST /me without csrf_token is 403; with the <meta> token it is 303', async () => {
    const a = await register();
    const { session } = await htmlLogin(a.username, PASSWORD);
    const csrf = await pageCsrf(session);
    assert.notEqual(csrf, session, 'the CSRF token is not the session token');

    const bad = await api('POST', '/me', {
      form: { display_name: 'Forged' },
      cookie: { parley_session: session },
    });
    assert.equal(bad.status, 403, `${bad.status}`);
    const wrong = await api('POST', '/me', {
      form: { display_name: 'Forged', csrf_token: hex(16) },
      cookie: { parley_session: session },
    });
    assert.equal(wrong.status, 403, `${wrong.status}`);

    const ok = await api('POST', '/me', {
      form: { display_name: 'Genuine Change', csrf_token: csrf },
      cookie: { parley_session: session },
    });
    assert.equal(ok.status, 303, `${ok.status} ${ok.text.slice(0, 200)}`);
    assert.equal(locationPath(ok), '/me?done=profile');
    const me = await api('GET', '/api/v1/me', { token: a.token });
    assert.equal(me.json.user.display_name, 'Genuine Change');
  });

  it('a JSON request with the cookie needs X-CSRF-Token (403 csrf_failed without)', async () => {
    const a = await register();
    const { session } = await htmlLogin(a.username, PASSWORD);
    const csrf = await pageCsrf(session);
    const bad = await api('PATCH', '/api/v1/me', {
      json: { status_text: 'forged' },
      cookie: { parley_session: session },
    });
    assertError(bad, 403, 'csrf_failed');
    const ok = await api('PATCH', '/api/v1/me', {
      json: { status_text: 'genuine' },
      cookie: { parley_session: session },
      headers: { 'X-CSRF-Token': csrf },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.user.status_text, 'genuine');
  });

  it("another session's CSRF token does not do", async () => {
    const a = await register();
    const s1 = (await htmlLogin(a.username, PASSWORD)).session;
    const s2 = (await htmlLogin(a.username, PASSWORD)).session;
    const csrf2 = await pageCsrf(s2);
    const r = await api('PATCH', '/api/v1/me', {
      json: { status_text: 'cross' },
      cookie: { parley_session: s1 },
      headers: { 'X-CSRF-Token': csrf2 },
    });
    assertError(r, 403, 'csrf_failed');
  });

  it('a bearer token needs no CSRF token', async () => {
    const a = await register();
    const r = await api('PATCH', '/api/v1/me', { token: a.token, json: { status_text: 'by bearer' } });
    assert.equal(r.status, 200, r.text);
    const f = await api('POST', '/api/v1/me', { token: a.token, form: { status_text: 'by bearer form' } });
    assert.equal(f.status, 200, f.text);
    const l = await api('POST', '/api/v1/logout', { token: a.token });
    assert.equal(l.status, 204, l.text);
  });

  it('POST /logout with the cookie needs the token; then 303 → / and the session is dead', async () => {
    const a = await register();
    const { session } = await htmlLogin(a.username, PASSWORD);
    const csrf = await pageCsrf(session);
    const bad = await api('POST', '/logout', { form: {}, cookie: { parley_session: session } });
    assert.equal(bad.status, 403, `${bad.status}`);
    assert.equal((await api('GET', '/api/v1/me', { cookie: { parley_session: session } })).status, 200);

    const r = await api('POST', '/logout', { form: { csrf_token: csrf }, cookie: { parley_session: session } });
    assert.equal(r.status, 303, `${r.status}`);
    assert.match(locationPath(r), /^\/(\?done=logout)?$/);
    const cleared = r.cookies.parley_session;
    assert.ok(cleared, 'the cookie is cleared');
    assert.ok(
      cleared.value === '' || cleared.attrs['max-age'] === '0' || /1970/.test(cleared.attrs.expires || ''),
      `cleared: ${cleared.line}`,
    );
    assertError(await api('GET', '/api/v1/me', { cookie: { parley_session: session } }), 401, 'unauthorized');
  });

  it('GET /me without a session does not show a page', async () => {
    const r = await api('GET', '/me');
    assert.ok(r.status === 401 || (r.status >= 300 && r.status < 400), `${r.status}`);
    if (r.status >= 300 && r.status < 400) assert.match(locationPath(r), /^\/login/);
    assertSecurityHeaders(r, 'GET /me anonymous');
  });
});

describe('escaping', () => {
  it('the profile page escapes a hostile display name', async () => {
    const name = `'; DROP TABLE users; --<script>alert(1)</script>`;
    const status = `<img src=x onerror=alert(2)>"&'`;
    const a = await register({ display_name: name });
    const p = await api('PATCH', '/api/v1/me', { token: a.token, json: { status_text: status } });
    assert.equal(p.status, 200, p.text);
    const json = await api('GET', `/api/v1/users/${a.username}`);
    assert.equal(json.json.user.display_name, name, 'stored verbatim');
    assert.equal(json.json.user.status_text, status, 'stored verbatim');
    const r = await api('GET', `/users/${a.username}`);
    assert.equal(r.status, 200, `${r.status}`);
    assert.match(r.headers.get('content-type') || '', /^text\/html/i);
    assert.ok(!r.text.includes('<script>alert(1)'), 'no raw <script> from the name');
    assert.ok(!/<img src=x/i.test(r.text), 'no raw <img> from the status text');
    assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the name is shown escaped');
    assertSecurityHeaders(r, '/users/<u>');
  });

  it('an unknown profile page is 404', async () => {
    const r = await api('GET', `/users/${uname('ghost')}`);
    assert.equal(r.status, 404);
    assert.ok(!/<script>/i.test(r.text.replace(/<script\b[^>]*\bsrc=[^>]*>\s*<\/script>/gi, '')), 'no inline script');
  });
});

describe('content types and security headers', () => {
  it('GET / is HTML, GET /api/v1/me is JSON', async () => {
    const home = await api('GET', '/');
    assert.equal(home.status, 200);
    assert.match(home.headers.get('content-type') || '', /^text\/html/i);
    const a = await register();
    const me = await api('GET', '/api/v1/me', { token: a.token });
    assert.match(me.headers.get('content-type') || '', /^application\/json/i);
    const anon = await api('GET', '/api/v1/me');
    assert.match(anon.headers.get('content-type') || '', /^application\/json/i);
  });

  it('every kind of response carries the security headers', async () => {
    const a = await register();
    const responses = {
      'GET /': await api('GET', '/'),
      'GET /login': await api('GET', '/login'),
      'GET /register': await api('GET', '/register'),
      'GET /healthz': await api('GET', '/healthz'),
      'GET /api/v1/me (200)': await api('GET', '/api/v1/me', { token: a.token }),
      'GET /api/v1/me (401)': await api('GET', '/api/v1/me'),
      'GET /api/v1/nowhere (404)': await api('GET', '/api/v1/nowhere'),
      'GET /nowhere (404 html)': await api('GET', '/nowhere'),
      'GET /api/v1/logout (405)': await api('GET', '/api/v1/logout'),
      'POST bad JSON (400)': await api('POST', '/api/v1/login', {
        body: '{',
        headers: { 'Content-Type': 'application/json' },
      }),
      'POST text/plain (415)': await api('POST', '/api/v1/login', {
        body: 'x',
        headers: { 'Content-Type': 'text/plain' },
      }),
      'GET /users/<u>': await api('GET', `/users/${a.username}`),
      'GET /api/v1/users/<u>': await api('GET', `/api/v1/users/${a.username}`),
      'POST /api/v1/logout (204)': await api('POST', '/api/v1/logout', { token: a.token }),
    };
    for (const [what, r] of Object.entries(responses)) {
      assert.ok(r.status < 500, `${what}: ${r.status}`);
      assertSecurityHeaders(r, what);
    }
  });
});
