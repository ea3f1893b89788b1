// Bad input at the edge: validation, encodings, content types, sizes, malformed HTTP.
// After every test the server must still answer /healthz with 200.
import { describe, it, afterEach, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, register, uname, hex, assertError, assertHealthy, assertSecurityHeaders, rawRequest,
  rawAsResponse, sql, haveDb, PASSWORD, HOST_HEADER,
} from './lib.mjs';

afterEach(assertHealthy);
after(assertHealthy);

const reg = (json, opts = {}) => api('POST', '/api/v1/register', { json, ...opts });
const regForm = (form, opts = {}) => api('POST', '/api/v1/register', { form, ...opts });
const valid = () => ({ username: uname(), password: PASSWORD, display_name: 'Valid Name' });

/** Accepts a 4xx answer from lighttpd (any body) or from Parley (then the JSON error shape). */
function assertClientError(r, { status, codes } = {}) {
  assert.ok(r.status >= 400 && r.status < 500, `expected 4xx, got ${r.status} ${r.text?.slice(0, 200)}`);
  const ct = r.headers['content-type'] || '';
  if (/json/i.test(ct)) {
    const res = rawAsResponse(r);
    assertError(res, status ?? r.status, codes);
  }
}

describe('missing fields and wrong JSON types', () => {
  for (const f of ['username', 'password', 'display_name']) {
    it(`register without ${f} is 400 missing_field (${f})`, async () => {
      const body = valid();
      delete body[f];
      assertError(await reg(body), 400, 'missing_field', f);
    });
  }

  it('an empty username is 400 missing_field', async () => {
    assertError(await reg({ ...valid(), username: '' }), 400, 'missing_field', 'username');
  });

  it('a number, boolean, array or object where a string belongs is 400 invalid_field', async () => {
    assertError(await reg({ ...valid(), username: 12345 }), 400, 'invalid_field', 'username');
    assertError(await reg({ ...valid(), password: 12345678 }), 400, 'invalid_field', 'password');
    assertError(await reg({ ...valid(), display_name: true }), 400, 'invalid_field', 'display_name');
    assertError(await reg({ ...valid(), display_name: ['x'] }), 400, 'invalid_field', 'display_name');
    assertError(await reg({ ...valid(), username: { a: 1 } }), 400, 'invalid_field', 'username');
  });

  it('a body that is an array, a string, a number or null is 400 invalid_json', async () => {
    assertError(await reg([valid()]), 400, 'invalid_json');
    assertError(await reg([]), 400, 'invalid_json');
    assertError(await reg('username=alice'), 400, 'invalid_json');
    assertError(await reg(42), 400, 'invalid_json');
    assertError(await reg(null), 400, 'invalid_json');
  });

  it('status_text of the wrong type is 400 invalid_field', async () => {
    const a = await register();
    const r = await api('PATCH', '/api/v1/me', { token: a.token, json: { status_text: 7 } });
    assertError(r, 400, 'invalid_field', 'status_text');
  });
});

describe('username rules', () => {
  it('accepts 3 and 32 characters of a-z 0-9 _ . -', async () => {
    const long = ('u' + hex(16)).slice(0, 32);
    assert.equal(long.length, 32);
    const r = await reg({ ...valid(), username: long });
    assert.equal(r.status, 201, r.text);
    const odd = `a_.-${hex(3)}`;
    const r2 = await reg({ ...valid(), username: odd });
    assert.equal(r2.status, 201, r2.text);
    assert.equal(r2.json.user.username, odd);
  });

  it('refuses too short, too long and bad characters with 400 invalid_field', async () => {
    const cases = [
      'ab',
      'u' + hex(16), // 33
      `bad name${hex(2)}`,
      `bad!${hex(2)}`,
      `a/b${hex(2)}`,
      `a+b${hex(2)}`,
      `a@b${hex(2)}`,
      `ünï${hex(2)}`,
      ` ${uname()}`,
      `${uname()}\n`,
    ];
    for (const username of cases) {
      const r = await reg({ ...valid(), username });
      assertError(r, 400, 'invalid_field', 'username');
    }
  });

  it("SQL metacharacters are refused and the users table still works", async () => {
    const r = await reg({ ...valid(), username: "a'; drop table users;--" });
    assertError(r, 400, 'invalid_field', 'username');
    const r2 = await regForm({ ...valid(), username: "x' or '1'='1" });
    assertError(r2, 400, 'invalid_field', 'username');
    const a = await register();
    const p = await api('GET', `/api/v1/users/${a.username}`);
    assert.equal(p.status, 200, p.text);
    if (haveDb) assert.ok(Number(sql('select count(*) from users')) >= 1);
  });

  it('SQL in the login username is just a wrong login', async () => {
    const r = await api('POST', '/api/v1/login', { json: { username: "' OR '1'='1' --", password: "' OR '1'='1" } });
    assert.ok([400, 401].includes(r.status), `${r.status} ${r.text}`);
    assertError(r, r.status, ['invalid_credentials', 'invalid_field']);
  });
});

describe('password rules (bytes, not characters)', () => {
  it('7 bytes is too short, 1025 bytes too long: 400 invalid_field', async () => {
    assertError(await reg({ ...valid(), password: 'seven77' }), 400, 'invalid_field', 'password');
    assertError(await reg({ ...valid(), password: 'ééé7' }), 400, 'invalid_field', 'password'); // 4 chars, 7 bytes
    assertError(await reg({ ...valid(), password: 'p'.repeat(1025) }), 400, 'invalid_field', 'password');
    assertError(await reg({ ...valid(), password: 'p'.repeat(1023) + 'é' }), 400, 'invalid_field', 'password');
  });

  it('8 bytes and 1024 bytes are fine', async () => {
    const a = valid();
    const r = await reg({ ...a, password: 'éééé' }); // 4 characters, 8 bytes
    assert.equal(r.status, 201, r.text);
    const b = valid();
    const long = 'p'.repeat(1022) + 'é';
    assert.equal(Buffer.byteLength(long), 1024);
    const r2 = await reg({ ...b, password: long });
    assert.equal(r2.status, 201, r2.text);
    const l = await api('POST', '/api/v1/login', { json: { username: b.username, password: long } });
    assert.equal(l.status, 200, l.text);
  });
});

describe('display name and status text rules', () => {
  it('an empty display name is refused', async () => {
    assertError(await reg({ ...valid(), display_name: '' }), 400, ['missing_field', 'invalid_field'], 'display_name');
    const a = await register();
    const r = await api('PATCH', '/api/v1/me', { token: a.token, json: { display_name: '' } });
    assertError(r, 400, ['missing_field', 'invalid_field'], 'display_name');
  });

  it('64 characters are fine, 65 are not (characters, not bytes)', async () => {
    const r = await reg({ ...valid(), display_name: 'é'.repeat(64) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.user.display_name, 'é'.repeat(64));
    assertError(await reg({ ...valid(), display_name: 'd'.repeat(65) }), 400, 'invalid_field', 'display_name');
    assertError(await reg({ ...valid(), display_name: 'é'.repeat(65) }), 400, 'invalid_field', 'display_name');
    const a = await register();
    const p = await api('PATCH', '/api/v1/me', { token: a.token, json: { display_name: 'd'.repeat(65) } });
    assertError(p, 400, 'invalid_field', 'display_name');
  });

  it('control characters are refused', async () => {
    for (const bad of ['a\u0001b', 'line\nbreak', 'esc\u001b[31m', 'del\u007f', 'tab\there', 'cr\r']) {
      assertError(await reg({ ...valid(), display_name: bad }), 400, 'invalid_field', 'display_name');
    }
  });

  it('status text: 140 characters fine, 141 refused', async () => {
    const a = await register();
    const ok = await api('PATCH', '/api/v1/me', { token: a.token, json: { status_text: 'é'.repeat(140) } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.user.status_text, 'é'.repeat(140));
    const r = await api('PATCH', '/api/v1/me', { token: a.token, json: { status_text: 's'.repeat(141) } });
    assertError(r, 400, 'invalid_field', 'status_text');
    const f = await api('POST', '/api/v1/me', { token: a.token, form: { status_text: 's'.repeat(141) } });
    assertError(f, 400, 'invalid_field', 'status_text');
    const me = await api('GET', '/api/v1/me', { token: a.token });
    assert.equal(me.json.user.status_text, 'é'.repeat(140), 'a refused change changes nothing');
  });

  it('SQL and HTML in a display name are stored and returned verbatim', async () => {
    const name = `'; DROP TABLE users; --<script>alert(1)</script>"&`;
    const a = await register({ display_name: name });
    assert.equal(a.user.display_name, name);
    const p = await api('GET', `/api/v1/users/${a.username}`);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.user.display_name, name);
    if (haveDb) assert.ok(Number(sql('select count(*) from users')) >= 1, 'users table intact');
  });
});

describe('urlencoded bodies follow the same rules', () => {
  it('missing and invalid fields give the same errors as JSON', async () => {
    const { username, password } = valid();
    assertError(await regForm({ username, password }), 400, 'missing_field', 'display_name');
    assertError(await regForm({ username: 'ab', password, display_name: 'X' }), 400, 'invalid_field', 'username');
    assertError(await regForm({ username, password: 'short', display_name: 'X' }), 400, 'invalid_field', 'password');
  });

  it('invalid UTF-8 (%C3%28) is 400 invalid_utf8', async () => {
    const r = await regForm(`username=${uname()}&password=abc%C3%28defgh&display_name=X`);
    assertError(r, 400, 'invalid_utf8');
    const r2 = await regForm(`username=${uname()}&password=${encodeURIComponent(PASSWORD)}&display_name=%FF%FE`);
    assertError(r2, 400, 'invalid_utf8');
  });

  it('raw invalid UTF-8 bytes in the body are 400 invalid_utf8', async () => {
    const body = Buffer.concat([
      Buffer.from(`username=${uname()}&password=abcdefgh`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('&display_name=X'),
    ]);
    const r = await api('POST', '/api/v1/register', {
      body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assertError(r, 400, 'invalid_utf8');
  });

  it('a NUL byte (%00) is 400 invalid_utf8', async () => {
    const r = await regForm(`username=${uname()}&password=abcd%00efgh&display_name=X`);
    assertError(r, 400, 'invalid_utf8');
  });

  it('bad percent-encoding is 400 bad_request', async () => {
    const r = await regForm(`username=${uname()}&password=abc%ZZdefgh&display_name=X`);
    assertError(r, 400, 'bad_request');
    const r2 = await regForm(`username=${uname()}&password=abcdefgh%4&display_name=X`);
    assertError(r2, 400, 'bad_request');
  });
});

describe('JSON syntax and encoding', () => {
  const rawJson = (body) =>
    api('POST', '/api/v1/register', { body, headers: { 'Content-Type': 'application/json' } });

  it('malformed JSON is 400 invalid_json', async () => {
    for (const body of ['{"username":', '{} trailing', "{'username':'a'}", '{"a":1,}', 'nul', '']) {
      assertError(await rawJson(body), 400, 'invalid_json');
    }
  });

  it('invalid UTF-8 inside a JSON string is 400', async () => {
    const body = Buffer.concat([
      Buffer.from(`{"username":"${uname()}","password":"abcdefgh`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","display_name":"X"}'),
    ]);
    assertError(await rawJson(body), 400, ['invalid_utf8', 'invalid_json']);
    const overlong = Buffer.concat([
      Buffer.from(`{"username":"${uname()}","password":"abcdefgh`),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('","display_name":"X"}'),
    ]);
    assertError(await rawJson(overlong), 400, ['invalid_utf8', 'invalid_json']);
  });

  it('a lone surrogate escape is 400', async () => {
    const body = `{"username":"${uname()}","password":"abcdefgh\\ud800","display_name":"X"}`;
    assertError(await rawJson(body), 400, ['invalid_utf8', 'invalid_json']);
  });

  it('a NUL byte (\\u0000) is 400 invalid_utf8', async () => {
    assertError(await reg({ ...valid(), password: 'abcd\u0000efgh' }), 400, 'invalid_utf8');
    assertError(await reg({ ...valid(), display_name: 'nul\u0000name' }), 400, ['invalid_utf8', 'invalid_field']);
  });

  it('deeply nested JSON is refused without crashing', async () => {
    const depth = 100000;
    const body = `{"username":"${uname()}","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const r = await rawJson(body);
    assertError(r, 400);
  });

  it('absurd numbers are refused without crashing', async () => {
    assertError(await rawJson(`{"username":1e999999,"password":"abcdefgh","display_name":"X"}`), 400);
    assertError(await rawJson(`{"username":${'9'.repeat(5000)},"password":"abcdefgh","display_name":"X"}`), 400);
  });
});

describe('content types', () => {
  it('a body that is neither JSON nor urlencoded is 415 unsupported_media_type', async () => {
    for (const ct of ['text/plain', 'application/xml', 'application/octet-stream']) {
      const r = await api('POST', '/api/v1/register', {
        body: JSON.stringify(valid()),
        headers: { 'Content-Type': ct },
      });
      assertError(r, 415, 'unsupported_media_type');
    }
  });
});

describe('sizes', () => {
  function post(path, ct, body, extraHeaders = '') {
    const head =
      `POST ${path} HTTP/1.1\r\nHost: ${HOST_HEADER}\r\nContent-Type: ${ct}\r\n` +
      `Content-Length: ${body.length}\r\nX-Forwarded-For: 10.250.0.1\r\n${extraHeaders}Connection: close\r\n\r\n`;
    return rawRequest([Buffer.from(head), body], { timeout: 30000 });
  }

  it('a 10 MB body is 413 body_too_large (JSON)', async () => {
    const body = Buffer.alloc(10 * 1024 * 1024, 'a');
    body.write('{"username":"', 0);
    const r = await post('/api/v1/register', 'application/json', body);
    assertError(rawAsResponse(r), 413, 'body_too_large');
  });

  it('one byte over 1 MiB is 413 body_too_large', async () => {
    const body = Buffer.alloc(1024 * 1024 + 1, 'a');
    body.write('username=', 0);
    const r = await post('/api/v1/register', 'application/x-www-form-urlencoded', body);
    assertError(rawAsResponse(r), 413, 'body_too_large');
  });

  it('a 20 KB header is 431 (or another 4xx from the web server)', async () => {
    const r = await rawRequest(
      `GET /api/v1/me HTTP/1.1\r\nHost: ${HOST_HEADER}\r\nX-Filler: ${'h'.repeat(20 * 1024)}\r\nConnection: close\r\n\r\n`,
    );
    assertClientError(r, { status: 431, codes: 'headers_too_large' });
  });

  it('a header just over 8 KiB is 431 (or another 4xx from the web server)', async () => {
    const r = await rawRequest(
      `GET /api/v1/me HTTP/1.1\r\nHost: ${HOST_HEADER}\r\nX-Filler: ${'h'.repeat(8 * 1024 + 100)}\r\nConnection: close\r\n\r\n`,
    );
    assertClientError(r, { status: 431, codes: 'headers_too_large' });
  });

  it('cookies over 4 KiB are 431 headers_too_large', async () => {
    const cookie = `parley_session=${hex(32)}; junk=${'c'.repeat(5 * 1024)}`;
    const r = await api('GET', '/api/v1/me', { headers: { Cookie: cookie } });
    assertError(r, 431, 'headers_too_large');
  });

  it('a URL over 4 KiB is 414 uri_too_long', async () => {
    const r = await api('GET', `/api/v1/users/${'a'.repeat(5000)}`);
    assertError(r, 414, 'uri_too_long');
    const q = await api('GET', `/api/v1/me?x=${'q'.repeat(5000)}`);
    assertError(q, 414, 'uri_too_long');
  });

  it('a 10 KB path is 414 (or another 4xx from the web server)', async () => {
    const r = await rawRequest(
      `GET /api/v1/users/${'a'.repeat(10 * 1024)} HTTP/1.1\r\nHost: ${HOST_HEADER}\r\nConnection: close\r\n\r\n`,
    );
    assertClientError(r, { status: 414, codes: 'uri_too_long' });
  });
});

describe('routes and methods', () => {
  it('an unknown API route is 404 not_found (JSON)', async () => {
    assertError(await api('GET', '/api/v1/no-such-thing'), 404, 'not_found');
    assertError(await api('POST', '/api/v1/no/such/thing', { json: {} }), 404, 'not_found');
  });

  it('an unknown HTML route is 404 with the security headers', async () => {
    const r = await api('GET', `/no-such-page-${hex(4)}`);
    assert.equal(r.status, 404, r.text);
    assertSecurityHeaders(r, 'html 404');
  });

  it('a wrong method is 405 method_not_allowed with Allow', async () => {
    const cases = [
      ['DELETE', '/api/v1/register', ['POST']],
      ['GET', '/api/v1/logout', ['POST']],
      ['PUT', '/api/v1/me', ['GET', 'PATCH']],
      ['PUT', '/api/v1/me/tokens', ['GET', 'POST']],
      ['GET', '/api/v1/me/password', ['POST']],
    ];
    for (const [method, path, allowed] of cases) {
      const r = await api(method, path, { json: method === 'GET' ? undefined : {} });
      assertError(r, 405, 'method_not_allowed');
      const allow = (r.headers.get('allow') || '').toUpperCase().split(/\s*,\s*/);
      for (const m of allowed) assert.ok(allow.includes(m), `${method} ${path}: Allow ${allow} lacks ${m}`);
    }
  });

  it('a path parameter of the wrong shape is 400 or 404, never 5xx', async () => {
    const a = await register();
    for (const p of ['/api/v1/me/tokens/abc', '/api/v1/me/tokens/-1', '/api/v1/me/tokens/99999999999999999999999']) {
      const r = await api('DELETE', p, { token: a.token });
      assert.ok([400, 404].includes(r.status), `${p}: ${r.status} ${r.text}`);
      assertError(r, r.status, ['bad_request', 'not_found']);
    }
  });
});

describe('malformed HTTP (raw socket)', () => {
  it('a garbage request line gets a 4xx or a closed connection', async () => {
    const r = await rawRequest('HELLO THERE\r\n\r\n', { timeout: 5000 });
    if (r.status) assertClientError(r);
  });

  it('an unknown method is refused', async () => {
    const r = await rawRequest(`FROB /healthz HTTP/1.1\r\nHost: ${HOST_HEADER}\r\nConnection: close\r\n\r\n`);
    assert.ok((r.status >= 400 && r.status < 500) || r.status === 501, `status ${r.status}`);
  });

  it('bad percent-encoding in the path is 400 (or 404)', async () => {
    // the web server may refuse it itself, or re-encode it as %25ZZ (a username that cannot exist)
    const r = await rawRequest(`GET /api/v1/users/%ZZ HTTP/1.1\r\nHost: ${HOST_HEADER}\r\nConnection: close\r\n\r\n`);
    assert.ok([400, 404].includes(r.status), `status ${r.status}`);
    assertClientError(r, { codes: ['bad_request', 'not_found'] });
  });

  it('invalid UTF-8 or NUL in the path is refused with 4xx', async () => {
    for (const p of ['/api/v1/users/%C3%28', '/api/v1/users/ab%00cd', '/api/v1/users/%FF%FF%FF']) {
      const r = await rawRequest(`GET ${p} HTTP/1.1\r\nHost: ${HOST_HEADER}\r\nConnection: close\r\n\r\n`);
      assertClientError(r, { codes: ['bad_request', 'not_found', 'invalid_utf8'] });
    }
  });

  it('HTTP/1.1 without Host is 400', async () => {
    const r = await rawRequest('GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
    assertClientError(r, { status: 400 });
  });

  it('a header line without a colon is 400', async () => {
    const r = await rawRequest(`GET /healthz HTTP/1.1\r\nHost: ${HOST_HEADER}\r\nno colon here\r\nConnection: close\r\n\r\n`);
    assertClientError(r, { status: 400 });
  });

  it('a non-numeric Content-Length is 400', async () => {
    const r = await rawRequest(
      `POST /api/v1/login HTTP/1.1\r\nHost: ${HOST_HEADER}\r\nContent-Type: application/json\r\n` +
        `Content-Length: abc\r\nConnection: close\r\n\r\n{}`,
    );
    assertClientError(r, { status: 400 });
  });

  it('a body shorter than its Content-Length does not hurt the server', async () => {
    const r = await rawRequest(
      `POST /api/v1/login HTTP/1.1\r\nHost: ${HOST_HEADER}\r\nContent-Type: application/json\r\n` +
        `Content-Length: 1000\r\nConnection: close\r\n\r\n{"username":"x"`,
      { halfClose: true, timeout: 5000 },
    );
    assert.ok(!r.status || r.status < 500, `no server error: ${r.status}`);
  });

  it('a chunked request body is read like any other', async () => {
    const json = JSON.stringify({ username: uname('nobody'), password: 'not the password' });
    const mid = Math.floor(json.length / 2);
    const chunk = (s) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
    const r = await rawRequest(
      `POST /api/v1/login HTTP/1.1\r\nHost: ${HOST_HEADER}\r\nContent-Type: application/json\r\n` +
        `Transfer-Encoding: chunked\r\nX-Forwarded-For: 10.251.${Math.floor(Math.random() * 250)}.7\r\n` +
        `Connection: close\r\n\r\n` +
        chunk(json.slice(0, mid)) +
        chunk(json.slice(mid)) +
        '0\r\n\r\n',
    );
    assertError(rawAsResponse(r), 401, 'invalid_credentials');
  });
});
