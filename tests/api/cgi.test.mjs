// parley.fcgi started as plain CGI (a shared host's cgi-bin) serves one request and exits.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const BIN = process.env.BIN;

function cgi(method, uri, body = '', extra = {}) {
  const env = {
    ...process.env, PARLEY_LISTEN: '', GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: method,
    REQUEST_URI: uri, REMOTE_ADDR: '127.0.0.1', CONTENT_LENGTH: String(Buffer.byteLength(body)), ...extra,
  };
  const r = spawnSync(`${BIN}/parley.fcgi`, [], { env, input: body, timeout: 20000 });
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
  const out = r.stdout.toString();
  const [head, ...rest] = out.split('\r\n\r\n');
  return { head, body: rest.join('\r\n\r\n') };
}

describe('plain CGI', { skip: !BIN && 'needs BIN (the directory of the built programs)' }, () => {
  it('answers GET /healthz and exits', () => {
    const r = cgi('GET', '/healthz');
    assert.match(r.head, /^Status: 200 OK/);
    assert.match(r.head, /Content-Security-Policy: /);
    assert.deepEqual(JSON.parse(r.body), { status: 'ok', postgres: 'ok', redis: 'ok' });
  });

  it('registers through a JSON POST, and renders pages', () => {
    const name = `cgi${Math.random().toString(16).slice(2, 10)}`;
    const body = JSON.stringify({ username: name, password: 'cgi password', display_name: 'Via CGI' });
    const r = cgi('POST', '/api/v1/register', body, { CONTENT_TYPE: 'application/json', HTTP_X_FORWARDED_FOR: '10.250.0.1' });
    assert.match(r.head, /^Status: 201 Created/);
    assert.equal(JSON.parse(r.body).user.username, name);
    const page = cgi('GET', `/users/${name}`);
    assert.match(page.head, /^Status: 200 OK/);
    assert.match(page.head, /Content-Type: text\/html/);
    assert.match(page.body, /Via CGI/);
  });

  // The dummy password hash (timing of a sign-in of nobody) is made only when needed in CGI:
  // that request must still answer exactly like a wrong password.
  it('answers a sign-in of nobody 401 invalid_credentials, like a wrong password', () => {
    const who = `cgi${Math.random().toString(16).slice(2, 10)}`;
    const body = JSON.stringify({ username: who, password: 'not the password' });
    const r = cgi('POST', '/api/v1/login', body, { CONTENT_TYPE: 'application/json', HTTP_X_FORWARDED_FOR: '10.250.0.2' });
    assert.match(r.head, /^Status: 401 /);
    assert.equal(JSON.parse(r.body).error.code, 'invalid_credentials');
    assert.ok(!JSON.parse(r.body).token);
  });

  // A connection prepares a statement the first time it runs it; `parley config check`
  // prepares all of them, so a statement that does not match the schema shows there.
  it('config check prepares every statement against the schema', () => {
    const r = spawnSync(`${BIN}/parley`, ['config', 'check'], { env: process.env, timeout: 20000 });
    assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
    const m = r.stdout.toString().match(/^postgresql: ok \((\d+) statements prepared\)$/m);
    assert.ok(m, r.stdout.toString());
    assert.ok(Number(m[1]) > 100);
  });
});
