// Errors the web server decides before Parley sees the request (docs/API.md, "Errors from the
// web server"): lighttpd hands them to Parley as its error handler, so they answer in kind too:
// the JSON error shape under /api/v1/, an HTML page elsewhere. And a request the web server
// refused never runs.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertHealthy, register, rawRequest, rawAsResponse, HOST_HEADER } from './lib.mjs';

after(assertHealthy);

/** Sends a raw request: the request line, then the given header lines, Host first. */
function send(requestLine, headers = [], { host = true, body = '' } = {}) {
  const lines = [requestLine, ...(host ? [`Host: ${HOST_HEADER}`] : []), ...headers, 'Connection: close'];
  return rawRequest(`${lines.join('\r\n')}\r\n\r\n${body}`, { timeout: 15000 });
}

/** Asserts the JSON error shape with this status and code. */
function assertJson(r, status, code) {
  assert.ok(r.status, `no answer: ${r.raw?.toString('latin1').slice(0, 200)}`);
  return assertError(rawAsResponse(r), status, code);
}

/** Asserts an HTML error page with this status (never lighttpd's bare XHTML page). */
function assertHtml(r, status) {
  assert.equal(r.status, status, `status: ${r.status} ${r.text?.slice(0, 200)}`);
  assert.match(r.headers['content-type'] || '', /^text\/html/i, `content-type of ${r.status}`);
  assert.match(r.text, /^<!doctype html>/i, `an HTML page: ${r.text.slice(0, 200)}`);
  assert.doesNotMatch(r.text, /<\?xml/, 'not the web server\'s own page');
}

const filler = (n) => `X-Filler: ${'h'.repeat(n)}`;

describe('under /api/v1/ the web server\'s errors are JSON', () => {
  it('a POST without Content-Length is 411 length_required', async () => {
    assertJson(await send('POST /api/v1/logout HTTP/1.1'), 411, 'length_required');
  });

  it('an encoded NUL in the path is 400 bad_request', async () => {
    assertJson(await send('GET /api/v1/me%00 HTTP/1.1'), 400, 'bad_request');
  });

  it('HTTP/1.1 without Host is 400 bad_request', async () => {
    assertJson(await send('GET /api/v1/me HTTP/1.1', [], { host: false }), 400, 'bad_request');
  });

  it('Transfer-Encoding together with Content-Length is 400 bad_request', async () => {
    const r = await send('POST /api/v1/logout HTTP/1.1', ['Content-Length: 2', 'Transfer-Encoding: chunked'], {
      body: '0\r\n\r\n',
    });
    assertJson(r, 400, 'bad_request');
  });

  it('a URI over 4 KiB is 414 uri_too_long', async () => {
    assertJson(await send(`GET /api/v1/users/${'a'.repeat(10 * 1024)} HTTP/1.1`), 414, 'uri_too_long');
  });

  it('a URI over the web server\'s 64 KiB is 431 headers_too_large', async () => {
    assertJson(await send(`GET /api/v1/users/${'a'.repeat(70 * 1024)} HTTP/1.1`), 431, 'headers_too_large');
  });

  it('headers over 32 KiB are 431 headers_too_large, and over 64 KiB too', async () => {
    assertJson(await send('GET /api/v1/me HTTP/1.1', [filler(6000), filler(6000), filler(6000), filler(6000),
      filler(6000), filler(6000)]), 431, 'headers_too_large');
    assertJson(await send('GET /api/v1/me HTTP/1.1', [filler(70 * 1024)]), 431, 'headers_too_large');
  });

  it('a declared body over the web server\'s limit is 413 body_too_large', async () => {
    const r = await send('POST /api/v1/logout HTTP/1.1', ['Content-Type: application/json',
      `Content-Length: ${64 * 1024 * 1024}`]);
    assertJson(r, 413, 'body_too_large');
  });

  it('an unknown method is 501 not_implemented', async () => {
    assertJson(await send('FROB /api/v1/me HTTP/1.1'), 501, 'not_implemented');
  });

  it('a request the web server refused never runs, whatever credentials it carries', async () => {
    const a = await register();
    const r = await send('GET /api/v1/me HTTP/1.1', [`Authorization: Bearer ${a.token}`], { host: false });
    assertJson(r, 400, 'bad_request');
    assert.ok(!r.text.includes(a.username), 'no account data in the error');
  });
});

describe('under page paths the same errors are HTML pages', () => {
  it('a POST without Content-Length is a 411 page', async () => {
    assertHtml(await send('POST /logout HTTP/1.1'), 411);
  });

  it('an encoded NUL in the path is a 400 page', async () => {
    assertHtml(await send('GET /me%00 HTTP/1.1'), 400);
  });

  it('a URI over 4 KiB is a 414 page', async () => {
    assertHtml(await send(`GET /${'a'.repeat(10 * 1024)} HTTP/1.1`), 414);
  });

  it('headers over 32 KiB are a 431 page', async () => {
    assertHtml(await send('GET /login HTTP/1.1', [filler(6000), filler(6000), filler(6000), filler(6000),
      filler(6000), filler(6000)]), 431);
  });

  it('a declared body over the web server\'s limit is a 413 page', async () => {
    const r = await send('POST /login HTTP/1.1', ['Content-Type: application/x-www-form-urlencoded',
      `Content-Length: ${64 * 1024 * 1024}`]);
    assertHtml(r, 413);
  });

  it('a missing static file is a 404 page', async () => {
    assertHtml(await send('GET /static/no-such-file.css HTTP/1.1'), 404);
  });

  it('headers over 64 KiB: the web server never read the path, so the answer is JSON', async () => {
    assertJson(await send('GET /login HTTP/1.1', [filler(70 * 1024)]), 431, 'headers_too_large');
  });
});
