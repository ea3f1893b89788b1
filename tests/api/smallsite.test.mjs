// The small-site mode: parley.fcgi run as plain CGI with no Redis (PARLEY_REDIS=none), as on a
// shared host. Sessions, rate limits and presence live in PostgreSQL; GET /api/v1/events is a
// long-poll answered by the CGI process itself, woken by PostgreSQL LISTEN/NOTIFY.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';

const BIN = process.env.BIN;

function cgiEnv(method, uri, body, extra) {
  return {
    ...process.env, PARLEY_REDIS: 'none', PARLEY_LISTEN: '', GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: method, REQUEST_URI: uri, REMOTE_ADDR: '127.0.0.1',
    CONTENT_LENGTH: String(Buffer.byteLength(body)), ...extra,
  };
}

function parse(out) {
  const [head, ...rest] = out.split('\r\n\r\n');
  const text = rest.join('\r\n\r\n');
  const status = Number((head.match(/^Status: (\d+)/) || [])[1]);
  let json = null;
  try { json = JSON.parse(text); } catch { /* a page */ }
  return { status, head, text, json };
}

// One request: method, uri, JSON body (or undefined), bearer token (or undefined).
function cgi(method, uri, body, token, extra = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const h = { ...(text ? { CONTENT_TYPE: 'application/json' } : {}), ...(token ? { HTTP_AUTHORIZATION: `Bearer ${token}` } : {}), ...extra };
  const r = spawnSync(`${BIN}/parley.fcgi`, [], { env: cgiEnv(method, uri, text, h), input: text, timeout: 40000 });
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
  return parse(r.stdout.toString());
}

// The same, not waiting: a promise of the answer (a long-poll).
function cgiAsync(method, uri, token) {
  return new Promise((resolve, reject) => {
    const p = spawn(`${BIN}/parley.fcgi`, [], { env: cgiEnv(method, uri, '', { HTTP_AUTHORIZATION: `Bearer ${token}` }) });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', () => {});
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(parse(out)) : reject(new Error(`exit ${code}`))));
    p.stdin.end();
  });
}

const uniq = () => Math.random().toString(16).slice(2, 10);
let ip = 1;
const nextIp = () => ({ HTTP_X_FORWARDED_FOR: `10.251.${Math.floor(ip / 250)}.${(ip++ % 250) + 1}` });

function register(name) {
  const r = cgi('POST', '/api/v1/register', { username: name, password: 'small site password', display_name: name }, undefined, nextIp());
  assert.equal(r.status, 201, r.text);
  return { id: r.json.user.id, token: r.json.token };
}

describe('small-site mode (plain CGI, no Redis)', { skip: !BIN && 'needs BIN (the directory of the built programs)' }, () => {
  it('/healthz says Redis is not used', () => {
    const r = cgi('GET', '/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ok', postgres: 'ok', redis: 'not used' });
  });

  it('parley config check prints the mode', () => {
    const r = spawnSync(`${BIN}/parley`, ['config', 'check'], { env: { ...process.env, PARLEY_REDIS: 'none' }, timeout: 20000 });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.match(r.stdout.toString(), /^redis: not used \(small-site mode/m);
  });

  it('registers, logs in with a session kept in PostgreSQL, lists it, logs out', () => {
    const name = `sm${uniq()}`;
    register(name);
    const login = cgi('POST', '/api/v1/login', { username: name, password: 'small site password' }, undefined, nextIp());
    assert.equal(login.status, 200, login.text);
    const token = login.json.token;
    const me = cgi('GET', '/api/v1/me', undefined, token);
    assert.equal(me.status, 200);
    assert.equal(me.json.user.username, name);
    const list = cgi('GET', '/api/v1/me/sessions', undefined, token);
    assert.equal(list.status, 200);
    assert.equal(list.json.sessions.length, 2);              // the registration's and the login's
    assert.equal(list.json.sessions.filter((s) => s.current).length, 1);
    const out = cgi('POST', '/api/v1/logout', undefined, token);
    assert.equal(out.status, 204);
    assert.equal(cgi('GET', '/api/v1/me', undefined, token).status, 401);
  });

  it('revokes another session by id, and a wrong id is 404', () => {
    const name = `sm${uniq()}`;
    const first = register(name);
    const login = cgi('POST', '/api/v1/login', { username: name, password: 'small site password' }, undefined, nextIp());
    const list = cgi('GET', '/api/v1/me/sessions', undefined, login.json.token).json.sessions;
    const other = list.find((s) => !s.current);
    assert.equal(cgi('DELETE', `/api/v1/me/sessions/${other.id}`, undefined, login.json.token).status, 204);
    assert.equal(cgi('GET', '/api/v1/me', undefined, first.token).status, 401);
    assert.equal(cgi('DELETE', `/api/v1/me/sessions/${other.id}`, undefined, login.json.token).status, 404);
  });

  it('applies the login rate limit from PostgreSQL counters', () => {
    const name = `sm${uniq()}`;
    register(name);
    const env = { PARLEY_RL_LOGIN_USER: '3/60', ...nextIp() };
    for (let i = 0; i < 3; i++) {
      const r = cgi('POST', '/api/v1/login', { username: name, password: 'wrong password' }, undefined, env);
      assert.equal(r.status, 401, r.text);
    }
    const r = cgi('POST', '/api/v1/login', { username: name, password: 'small site password' }, undefined, env);
    assert.equal(r.status, 429, r.text);
    assert.equal(r.json.error.code, 'rate_limited');
    const wait = Number((r.head.match(/Retry-After: (\d+)/) || [])[1]);
    assert.ok(wait >= 1 && wait <= 60, r.head);
  });

  it('shows presence from last activity', () => {
    const a = register(`sm${uniq()}`);
    const b = register(`sm${uniq()}`);
    const conv = cgi('POST', '/api/v1/conversations', { kind: 'direct', members: [b.id] }, a.token);
    assert.ok(conv.status === 201 || conv.status === 200, conv.text);
    assert.equal(cgi('POST', '/api/v1/presence/active', undefined, b.token).status, 204);
    const p = cgi('GET', `/api/v1/presence?ids=${b.id}`, undefined, a.token);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.presence[b.id].state, 'online');
  });

  it('answers a long-poll at once from the cursor, and refuses SSE with a hint', () => {
    const a = register(`sm${uniq()}`);
    const b = register(`sm${uniq()}`);
    const conv = cgi('POST', '/api/v1/conversations', { kind: 'direct', members: [b.id] }, a.token).json.conversation;
    const first = cgi('GET', '/api/v1/events?timeout=1', undefined, b.token);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json.events, []);
    const cursor = first.json.cursor;
    const sent = cgi('POST', `/api/v1/conversations/${conv.id}/messages`, { body: 'hello from CGI', client_id: randomUUID() }, a.token);
    assert.equal(sent.status, 201, sent.text);
    const t0 = Date.now();
    const r = cgi('GET', `/api/v1/events?cursor=${cursor}&timeout=20`, undefined, b.token);
    assert.ok(Date.now() - t0 < 5000, 'answered without waiting');
    assert.equal(r.status, 200, r.text);
    const created = r.json.events.find((e) => e.type === 'message.created');
    assert.ok(created, r.text);
    assert.equal(created.message.body, 'hello from CGI');
    assert.equal(r.json.cursor, String(r.json.events.at(-1).id));
    assert.equal(r.json.after, r.json.cursor, 'here `after` is the cursor');
    // `after` (the hub's arrival order) is read as a cursor here: the same answer.
    const again = cgi('GET', `/api/v1/events?after=${cursor}&timeout=20`, undefined, b.token);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json.events.map((e) => e.id), r.json.events.map((e) => e.id), again.text);
    const badAfter = cgi('GET', '/api/v1/events?after=x', undefined, b.token);
    assert.equal(badAfter.status, 400, badAfter.text);
    assert.equal(badAfter.json.error.field, 'after', badAfter.text);
    const sse = cgi('GET', '/api/v1/events', undefined, b.token, { HTTP_ACCEPT: 'text/event-stream' });
    assert.equal(sse.status, 501);
    assert.match(sse.json.error.message, /long-poll/);
    assert.equal(cgi('GET', '/api/v1/events?cursor=x', undefined, b.token).status, 400);
    assert.equal(cgi('GET', '/api/v1/events', undefined, undefined).status, 401);
  });

  it('wakes a waiting long-poll when another CGI process sends a message', async () => {
    const a = register(`sm${uniq()}`);
    const b = register(`sm${uniq()}`);
    const conv = cgi('POST', '/api/v1/conversations', { kind: 'direct', members: [b.id] }, a.token).json.conversation;
    const cursor = cgi('GET', '/api/v1/events?timeout=1', undefined, b.token).json.cursor;
    const t0 = Date.now();
    const waiting = cgiAsync('GET', `/api/v1/events?cursor=${cursor}&timeout=20`, b.token);
    await new Promise((res) => setTimeout(res, 1500));       // the poll is waiting by now
    const sent = cgi('POST', `/api/v1/conversations/${conv.id}/messages`, { body: 'wake up', client_id: randomUUID() }, a.token);
    assert.equal(sent.status, 201, sent.text);
    const r = await waiting;
    const took = Date.now() - t0;
    assert.equal(r.status, 200, r.text);
    assert.ok(took >= 1400 && took < 10000, `answered after ${took} ms`);
    const created = r.json.events.find((e) => e.type === 'message.created');
    assert.ok(created, r.text);
    assert.equal(created.message.body, 'wake up');
  });

  it('answers a long-poll with no events at its deadline', async () => {
    const b = register(`sm${uniq()}`);
    const cursor = cgi('GET', '/api/v1/events?timeout=1', undefined, b.token).json.cursor;
    const t0 = Date.now();
    const r = cgi('GET', `/api/v1/events?cursor=${cursor}&timeout=2`, undefined, b.token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.events, []);
    assert.equal(r.json.cursor, cursor);
    assert.ok(Date.now() - t0 >= 1900);
  });
});

// Behind a web server that runs parley.fcgi as plain CGI with no Redis (run-server-tests.sh
// apache-cgi sets PARLEY_SMALL_SITE=1): the long-poll through the front, woken by a send.
describe('small-site long-poll through the web server', { skip: process.env.PARLEY_SMALL_SITE !== '1' && 'needs a small site at PARLEY_URL (run-server-tests.sh apache-cgi)' }, () => {
  const URL = process.env.PARLEY_URL;
  async function api(method, path, body, token) {
    const res = await fetch(`${URL}/api/v1${path}`, {
      method,
      headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}), 'X-Forwarded-For': nextIp().HTTP_X_FORWARDED_FOR },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, json, text };
  }

  it('says Redis is not used, and a waiting long-poll is woken by a message', async () => {
    const health = await (await fetch(`${URL}/healthz`)).json();
    assert.equal(health.redis, 'not used');
    const pw = 'small site password';
    const a = (await api('POST', '/register', { username: `sh${uniq()}`, password: pw, display_name: 'A' })).json;
    const b = (await api('POST', '/register', { username: `sh${uniq()}`, password: pw, display_name: 'B' })).json;
    const conv = (await api('POST', '/conversations', { kind: 'direct', members: [b.user.id] }, a.token)).json.conversation;
    const first = await api('GET', '/events?timeout=1', undefined, b.token);
    assert.equal(first.status, 200, first.text);
    const t0 = Date.now();
    const waiting = api('GET', `/events?cursor=${first.json.cursor}&timeout=20`, undefined, b.token);
    await new Promise((res) => setTimeout(res, 1500));
    const sent = await api('POST', `/conversations/${conv.id}/messages`, { body: 'through Apache', client_id: randomUUID() }, a.token);
    assert.equal(sent.status, 201, sent.text);
    const r = await waiting;
    assert.equal(r.status, 200, r.text);
    assert.ok(Date.now() - t0 < 10000);
    assert.equal(r.json.events.find((e) => e.type === 'message.created')?.message.body, 'through Apache');
  });
});
