// Helpers for the API tests: they talk to a running Parley stack the way a script or a
// browser would (HTTP only), plus read-only peeks at PostgreSQL and Redis for the checks a
// user cannot make (what is stored). The harness sets PARLEY_URL, PARLEY_DB, PARLEY_REDIS.
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes, randomInt, generateKeyPairSync, sign } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { multipart } from '../support/media-files.mjs';

export const BASE = (process.env.PARLEY_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
const baseUrl = new URL(BASE);
export const HOST = baseUrl.hostname;
export const PORT = Number(baseUrl.port || (baseUrl.protocol === 'https:' ? 443 : 80));

export const PASSWORD = 'correct horse battery';

// ---- unique names and fake client addresses ------------------------------------------------

export function hex(bytes = 6) {
  return randomBytes(bytes).toString('hex');
}

/** A fresh lower-case username (3–32 chars of a-z0-9_.-). */
export function uname(prefix = 'u') {
  return `${prefix}${hex(6)}`;
}

/** A fresh fake client address; the stack trusts X-Forwarded-For from 127.0.0.1. */
export function fakeIp() {
  return `10.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

// ---- HTTP through fetch -------------------------------------------------------------------

/**
 * api(method, path, {json, form, body, token, cookie, headers, ip, raw, redirect})
 *   json: value sent as JSON (any value: arrays and strings too, for bad-input tests)
 *   form: object or string sent as application/x-www-form-urlencoded
 *   body: string or Buffer sent as is (set the content-type in headers)
 *   token: bearer token; cookie: Cookie header value (string or {name: value})
 *   ip: X-Forwarded-For value (a fresh fake address unless given, so that rate limits per IP
 *       never couple unrelated tests); raw: true to skip JSON parsing.
 * Returns {status, headers, json, text, cookies} (cookies: the Set-Cookie lines parsed).
 */
export async function api(method, path, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  const lower = Object.fromEntries(Object.keys(headers).map((k) => [k.toLowerCase(), k]));
  if (!('x-forwarded-for' in lower)) headers['X-Forwarded-For'] = opts.ip || fakeIp();
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.Cookie = cookieHeader(opts.cookie);
  let body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    if (!('content-type' in lower)) headers['Content-Type'] = 'application/json';
  } else if (opts.form !== undefined) {
    body = typeof opts.form === 'string' ? opts.form : new URLSearchParams(opts.form).toString();
    if (!('content-type' in lower)) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (opts.body !== undefined) {
    body = opts.body;
  }
  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body,
      redirect: opts.redirect || 'manual',
      signal: AbortSignal.timeout(opts.timeout || 20000),
    });
  } catch (err) {
    const why = err.cause?.code || err.cause?.message || err.message;
    throw new Error(`${method} ${BASE}${path.slice(0, 80)}: ${why}`, { cause: err });
  }
  const buf = Buffer.from(await res.arrayBuffer());
  const text = buf.toString('utf8');
  let json;
  if (!opts.raw && /json/i.test(res.headers.get('content-type') || '') && text.length) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  const setCookies = res.headers.getSetCookie ? res.headers.getSetCookie() : [];
  return { status: res.status, headers: res.headers, json, text, buf, cookies: parseSetCookies(setCookies), setCookies };
}

export function cookieHeader(c) {
  if (typeof c === 'string') return c;
  return Object.entries(c)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

/** Parses Set-Cookie lines into {name: {value, attrs: {lowercased: value|true}, line}}. */
export function parseSetCookies(lines) {
  const out = {};
  for (const line of lines) {
    const parts = line.split(';').map((s) => s.trim());
    const [nv, ...rest] = parts;
    const eq = nv.indexOf('=');
    if (eq < 0) continue;
    const name = nv.slice(0, eq);
    const value = nv.slice(eq + 1);
    const attrs = {};
    for (const a of rest) {
      if (!a) continue;
      const i = a.indexOf('=');
      if (i < 0) attrs[a.toLowerCase()] = true;
      else attrs[a.slice(0, i).toLowerCase()] = a.slice(i + 1);
    }
    out[name] = { value, attrs, line };
  }
  return out;
}

// ---- accounts -------------------------------------------------------------------------------

/** Registers a fresh user through the JSON API; returns {username, password, token, user, ip}. */
export async function register(opts = {}) {
  const username = opts.username || uname();
  const password = opts.password || PASSWORD;
  const display_name = opts.display_name || `Test ${username}`;
  const ip = opts.ip || fakeIp();
  const r = await api('POST', '/api/v1/register', {
    json: { username, password, display_name },
    ip,
    headers: opts.headers,
  });
  assert.equal(r.status, 201, `register ${username}: ${r.status} ${r.text}`);
  // The people of these tests accept direct messages from everyone, as they did before
  // message requests; { requests: true } keeps the default (requests.test.mjs).
  if (!opts.requests) {
    const s = await api('PATCH', '/api/v1/requests/settings', { token: r.json.token, json: { allow_everyone: true }, ip });
    assert.equal(s.status, 200, `allow everyone ${username}: ${s.status} ${s.text}`);
  }
  return { username, password, display_name, token: r.json.token, user: r.json.user, ip };
}

/** Logs in through the JSON API; returns the raw response (status, json …). */
export function loginRaw(username, password, opts = {}) {
  return api('POST', '/api/v1/login', { json: { username, password }, ip: opts.ip, headers: opts.headers });
}

/** Logs in and asserts success; returns the session token. */
export async function login(username, password, opts = {}) {
  const r = await loginRaw(username, password, opts);
  assert.equal(r.status, 200, `login ${username}: ${r.status} ${r.text}`);
  assert.equal(typeof r.json.token, 'string');
  return r.json.token;
}

// ---- assertions -------------------------------------------------------------------------------

export const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** The security headers every response carries (HTML, JSON and errors alike). */
export function assertSecurityHeaders(r, what = '') {
  const csp = r.headers.get('content-security-policy') || '';
  assert.ok(csp.includes("script-src 'self' 'wasm-unsafe-eval'"), `${what} CSP script-src: ${JSON.stringify(csp)}`);
  assert.ok(csp.includes("frame-ancestors 'none'"), `${what} CSP frame-ancestors: ${JSON.stringify(csp)}`);
  assert.equal((r.headers.get('x-content-type-options') || '').toLowerCase(), 'nosniff', `${what} X-Content-Type-Options`);
  assert.ok(r.headers.get('referrer-policy'), `${what} Referrer-Policy present`);
}

/** Asserts the JSON error shape {error:{code,message[,field]}} with the given status/code/field.
 *  code may be a string or an array of acceptable codes; field undefined = not checked. */
export function assertError(r, status, code, field) {
  const ctx = `${r.status} ${r.text.slice(0, 300)}`;
  assert.equal(r.status, status, `status: ${ctx}`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/i, `content-type: ${ctx}`);
  assert.ok(r.json && typeof r.json === 'object' && !Array.isArray(r.json), `JSON object body: ${ctx}`);
  const e = r.json.error;
  assert.ok(e && typeof e === 'object', `error object: ${ctx}`);
  assert.equal(typeof e.code, 'string', `error.code: ${ctx}`);
  assert.match(e.code, SNAKE, `error.code snake_case: ${ctx}`);
  assert.equal(typeof e.message, 'string', `error.message: ${ctx}`);
  assert.ok(e.message.length > 0, `error.message non-empty: ${ctx}`);
  if (code !== undefined) {
    const codes = Array.isArray(code) ? code : [code];
    assert.ok(codes.includes(e.code), `error.code ${e.code} not in ${codes.join('|')}: ${ctx}`);
  }
  if (field !== undefined) assert.equal(e.field, field, `error.field: ${ctx}`);
  assertSecurityHeaders(r, `error ${status}`);
  return e;
}

/** Asserts a public user object. */
export function assertUser(u, expect = {}) {
  assert.ok(u && typeof u === 'object', 'user object');
  assert.ok(Number.isInteger(u.id) && u.id > 0, `user.id integer: ${JSON.stringify(u)}`);
  assert.equal(typeof u.username, 'string');
  assert.equal(typeof u.display_name, 'string');
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(u[k], v, `user.${k}`);
}

export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

// ---- HTML helpers --------------------------------------------------------------------------

/** The value of <input name="NAME" value="…"> in a page (attribute order free). */
export function inputValue(html, name) {
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const tag = m[0];
    const n = /\bname\s*=\s*["']?([^"'\s>]+)/i.exec(tag);
    if (n && n[1] === name) {
      const v = /\bvalue\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
      return v ? (v[1] ?? v[2] ?? v[3]) : '';
    }
  }
  return undefined;
}

/** The content of <meta name="NAME" content="…">. */
export function metaContent(html, name) {
  for (const m of html.matchAll(/<meta\b[^>]*>/gi)) {
    const tag = m[0];
    const n = /\bname\s*=\s*["']?([^"'\s>]+)/i.exec(tag);
    if (n && n[1] === name) {
      const v = /\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
      return v ? (v[1] ?? v[2] ?? v[3]) : '';
    }
  }
  return undefined;
}

/** The path of a redirect's Location (absolute or relative). */
export function locationPath(r) {
  const loc = r.headers.get('location');
  if (!loc) return undefined;
  const u = new URL(loc, BASE + '/');
  return u.pathname + u.search;
}

// ---- raw HTTP over a socket, for requests fetch will not send -------------------------------

/**
 * Sends `data` (string or Buffer, or an array of chunks) on a fresh TCP connection and reads
 * the first response. Resolves {status, headers (lower-cased names), body (Buffer), text, json,
 * closed} or {status: 0, closed: true} when the server closed without answering. Write errors
 * after a response (the server answered early and closed) are ignored.
 * opts.timeout (ms, default 10000); opts.halfClose: end the write side after sending.
 */
export function rawRequest(data, opts = {}) {
  const timeout = opts.timeout || 10000;
  const chunks = Array.isArray(data) ? data : [data];
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: HOST, port: PORT });
    const got = [];
    let done = false;
    const finish = (timedOut) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const buf = Buffer.concat(got);
      const parsed = parseHttpResponse(buf);
      if (parsed) resolve({ ...parsed, timedOut: !!timedOut });
      else if (timedOut && buf.length === 0) resolve({ status: 0, closed: false, timedOut: true, raw: buf });
      else resolve({ status: 0, closed: true, timedOut: !!timedOut, raw: buf });
    };
    const timer = setTimeout(() => finish(true), timeout);
    sock.on('data', (d) => {
      got.push(d);
      const parsed = parseHttpResponse(Buffer.concat(got));
      if (parsed && parsed.complete) finish(false);
    });
    sock.on('end', () => finish(false));
    sock.on('close', () => finish(false));
    sock.on('error', (err) => {
      if (got.length) finish(false);
      else if (['ECONNRESET', 'EPIPE'].includes(err.code)) finish(false);
      else if (!done) {
        done = true;
        clearTimeout(timer);
        reject(err);
      }
    });
    sock.on('connect', async () => {
      try {
        for (const c of chunks) {
          if (done) break;
          const ok = sock.write(c);
          if (!ok) await new Promise((r) => sock.once('drain', r).once('close', r));
        }
        if (opts.halfClose && !done) sock.end();
      } catch {
        /* the server closed early; what it said (if anything) is in `got` */
      }
    });
  });
}

/** Parses one HTTP/1.x response from a buffer; undefined if the head is not complete yet. */
export function parseHttpResponse(buf) {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = buf.subarray(0, headEnd).toString('latin1');
  const lines = head.split('\r\n');
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(lines[0]);
  if (!m) return undefined;
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) {
      const k = l.slice(0, i).trim().toLowerCase();
      const v = l.slice(i + 1).trim();
      headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
    }
  }
  let body = buf.subarray(headEnd + 4);
  let complete = false;
  if (/chunked/i.test(headers['transfer-encoding'] || '')) {
    const out = [];
    let p = 0;
    for (;;) {
      const le = body.indexOf('\r\n', p);
      if (le < 0) break;
      const size = parseInt(body.subarray(p, le).toString('latin1'), 16);
      if (Number.isNaN(size)) break;
      if (size === 0) {
        complete = true;
        break;
      }
      if (body.length < le + 2 + size + 2) break;
      out.push(body.subarray(le + 2, le + 2 + size));
      p = le + 2 + size + 2;
    }
    body = Buffer.concat(out);
  } else if ('content-length' in headers) {
    const n = Number(headers['content-length']);
    complete = body.length >= n;
    body = body.subarray(0, n);
  }
  const text = body.toString('utf8');
  let json;
  if (/json/i.test(headers['content-type'] || '')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: Number(m[1]), headers, body, text, json, complete, closed: false };
}

/** A fetch-like header accessor for raw responses, so assertError/assertSecurityHeaders work. */
export function rawAsResponse(r) {
  return {
    status: r.status,
    text: r.text || '',
    json: r.json,
    headers: { get: (k) => (r.headers ? r.headers[k.toLowerCase()] ?? null : null) },
  };
}

/** The Host header value for raw requests. */
export const HOST_HEADER = `${HOST}:${PORT}`;

// ---- health ---------------------------------------------------------------------------------

/** Asserts the server still answers /healthz with 200 (used after every bad-input test). */
export async function assertHealthy() {
  const r = await api('GET', '/healthz');
  assert.equal(r.status, 200, `healthz: ${r.status} ${r.text}`);
  assert.equal(r.json?.status, 'ok', `healthz body: ${r.text}`);
}

// ---- database and Redis peeks ------------------------------------------------------------

/** Runs one SQL statement through psql and returns its unaligned, tuples-only output. */
export function sql(query) {
  if (!process.env.PARLEY_DB) throw new Error('PARLEY_DB is not set');
  return execFileSync('psql', [process.env.PARLEY_DB, '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-c', query], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15000,
  }).trim();
}

/** Quotes a string as an SQL literal (for our own generated names only). */
export function lit(s) {
  return `'${String(s).replace(/'/g, "''")}'`;
}

/** redis-cli's arguments that reach PARLEY_REDIS (unix:/path, redis://… or host:port). */
export function redisConn() {
  const spec = process.env.PARLEY_REDIS;
  if (!spec) throw new Error('PARLEY_REDIS is not set');
  if (spec.startsWith('unix:')) return ['-s', spec.slice(5)];
  if (spec.startsWith('redis://')) return ['-u', spec];
  const [h, p] = spec.split(':');
  return ['-h', h, '-p', p || '6379'];
}

/** Runs redis-cli against PARLEY_REDIS and returns its output. */
export function redis(...args) {
  return execFileSync('redis-cli', [...redisConn(), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15000,
  }).trim();
}

/** Runs deploy/local/stack.sh with the test stack's VAR and BIN (e.g. 'restart-postgres'). */
export function stack(...args) {
  const root = new URL('../..', import.meta.url).pathname;
  execFileSync(`${root}/deploy/local/stack.sh`, args, {
    env: { ...process.env, VAR: process.env.PARLEY_VAR, BIN: process.env.BIN },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120000,
  });
}

/** The same without blocking the tests' own event loop (senders keep sending meanwhile). */
export function stackAsync(...args) {
  const root = new URL('../..', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    execFile(`${root}/deploy/local/stack.sh`, args,
      { env: { ...process.env, VAR: process.env.PARLEY_VAR, BIN: process.env.BIN }, timeout: 120000 },
      (err, stdout, stderr) => (err ? reject(new Error(`stack.sh ${args.join(' ')}: ${err.message} ${stderr}`)) : resolve(stdout)));
  });
}

export const haveDb = !!process.env.PARLEY_DB;
export const haveRedis = !!process.env.PARLEY_REDIS;

/** A User-Agent a desktop Firefox on Linux sends. */
export const UA_FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
export const UA_CURL = 'curl/8.5.0';

// ---- contacts, conversations and messages ------------------------------------------------
// Helpers for contacts/conversations/messages/broadcast/authz tests. Each asserts the
// status the contract promises and fails with the request and the answer in its message.
import { randomUUID } from 'node:crypto';

/** A fresh client_id (UUID v4) for a send. */
export function uuid() {
  return randomUUID();
}

/** Registers n fresh users at once (each from its own fake address). */
export function registerMany(n, opts = {}) {
  return Promise.all(Array.from({ length: n }, () => register(opts)));
}

/** Short description of a response for assertion messages. */
export function show(r) {
  return `${r.status} ${(r.text || '').slice(0, 400)}`;
}

/** Asserts r.status is one of the given statuses; returns r. */
export function expectStatus(r, statuses, what = '') {
  const list = Array.isArray(statuses) ? statuses : [statuses];
  assert.ok(list.includes(r.status), `${what}: expected ${list.join('|')}, got ${show(r)}`);
  return r;
}

/** Asserts a 4xx JSON error (any 4xx in `statuses`, default 400–499), optional codes. */
export function assertClientError(r, statuses, codes) {
  const list = statuses ? (Array.isArray(statuses) ? statuses : [statuses]) : null;
  const ok = list ? list.includes(r.status) : r.status >= 400 && r.status < 500;
  assert.ok(ok, `expected ${list ? list.join('|') : '4xx'}, got ${show(r)}`);
  return assertError(r, r.status, codes);
}

/** Asserts that a response text does not contain any of the given secrets. */
export function assertNoLeak(r, secrets, what = '') {
  for (const s of [].concat(secrets)) {
    assert.ok(!(r.text || '').includes(s), `${what}: the answer must not contain ${JSON.stringify(s)}: ${show(r)}`);
  }
}

/** POST /contacts {username} as user `from` (raw response). */
export function contactRequest(from, to) {
  return api('POST', '/api/v1/contacts', { token: from.token, json: { username: to.username } });
}

/** GET /contacts (asserts 200; returns the JSON). */
export async function getContacts(u) {
  const r = await api('GET', '/api/v1/contacts', { token: u.token });
  assert.equal(r.status, 200, `GET /contacts as ${u.username}: ${show(r)}`);
  for (const k of ['contacts', 'incoming', 'outgoing', 'blocked']) {
    assert.ok(Array.isArray(r.json[k]), `GET /contacts: ${k} must be an array: ${show(r)}`);
  }
  return r.json;
}

/** Makes a and b accepted contacts (a asks, b accepts). */
export async function makeContacts(a, b) {
  const r = await contactRequest(a, b);
  assert.equal(r.status, 201, `contact request ${a.username} → ${b.username}: ${show(r)}`);
  const acc = await api('POST', `/api/v1/contacts/${a.user.id}/accept`, { token: b.token });
  assert.equal(acc.status, 200, `accept ${a.username} by ${b.username}: ${show(acc)}`);
  return acc.json.contact;
}

/** `blocker` blocks `target` (asserts 201). */
export async function block(blocker, target) {
  const r = await api('POST', '/api/v1/blocks', { token: blocker.token, json: { username: target.username } });
  assert.equal(r.status, 201, `${blocker.username} blocks ${target.username}: ${show(r)}`);
  return r.json.blocked;
}

/** POST /conversations (raw response). */
export function createConversationRaw(u, body) {
  return api('POST', '/api/v1/conversations', { token: u.token, json: body });
}

/** Opens (or reopens) the direct conversation of a with b; asserts 200/201; returns it. */
export async function openDirect(a, b, statuses = [200, 201]) {
  const r = await createConversationRaw(a, { kind: 'direct', members: [b.user.id] });
  expectStatus(r, statuses, `direct ${a.username} ↔ ${b.username}`);
  assert.ok(r.json?.conversation && Number.isInteger(r.json.conversation.id), `conversation object: ${show(r)}`);
  return r.json.conversation;
}

/** Creates a group (or channel with kind:'channel') owned by `owner` with the given members. */
export async function createGroup(owner, members = [], opts = {}) {
  const body = {
    kind: opts.kind || 'group',
    title: opts.title || `Group ${hex(4)}`,
    description: opts.description ?? '',
    members: members.map((m) => m.user.id),
  };
  const r = await createConversationRaw(owner, body);
  assert.equal(r.status, 201, `create ${body.kind} "${body.title}": ${show(r)}`);
  assert.ok(r.json?.conversation && Number.isInteger(r.json.conversation.id), `conversation object: ${show(r)}`);
  return r.json.conversation;
}

/** GET /conversations/<id> (raw). */
export function getConversationRaw(u, id, query = '') {
  return api('GET', `/api/v1/conversations/${id}${query}`, { token: u?.token });
}

/** GET /conversations/<id> as a member; asserts 200, returns {conversation, messages, …}. */
export async function getConversation(u, id, query = '') {
  const r = await getConversationRaw(u, id, query);
  assert.equal(r.status, 200, `GET conversation ${id} as ${u.username}: ${show(r)}`);
  return r.json;
}

/** GET /conversations (asserts 200; returns the array). */
export async function listConversations(u) {
  const r = await api('GET', '/api/v1/conversations', { token: u.token });
  assert.equal(r.status, 200, `GET /conversations as ${u.username}: ${show(r)}`);
  assert.ok(Array.isArray(r.json?.conversations), `conversations array: ${show(r)}`);
  return r.json.conversations;
}

/** POST /conversations/<id>/messages (raw). */
export function sendRaw(u, convId, body, opts = {}) {
  const json = { body, client_id: opts.client_id || uuid() };
  if (opts.reply_to !== undefined) json.reply_to = opts.reply_to;
  return api('POST', `/api/v1/conversations/${convId}/messages`, { token: u?.token, json });
}

/** Sends a message and asserts 201; returns the message. */
export async function send(u, convId, body, opts = {}) {
  const r = await sendRaw(u, convId, body, opts);
  assert.equal(r.status, 201, `send to ${convId} as ${u.username}: ${show(r)}`);
  assert.ok(r.json?.message && Number.isInteger(r.json.message.seq), `message object: ${show(r)}`);
  return r.json.message;
}

/** GET /conversations/<id>/messages?query (raw). */
export function messagesRaw(u, convId, query = '') {
  return api('GET', `/api/v1/conversations/${convId}/messages${query}`, { token: u?.token });
}

/** One page of history; asserts 200 and the page shape. */
export async function messages(u, convId, query = '') {
  const r = await messagesRaw(u, convId, query);
  assert.equal(r.status, 200, `GET messages${query} of ${convId} as ${u.username}: ${show(r)}`);
  const j = r.json;
  assert.ok(Array.isArray(j?.messages), `messages array: ${show(r)}`);
  assert.equal(typeof j.has_older, 'boolean', `has_older boolean: ${show(r)}`);
  assert.equal(typeof j.has_newer, 'boolean', `has_newer boolean: ${show(r)}`);
  assert.ok(Number.isInteger(j.last_seq), `last_seq integer: ${show(r)}`);
  for (let i = 1; i < j.messages.length; i++) {
    assert.ok(j.messages[i - 1].seq < j.messages[i].seq, `page in ascending seq: ${j.messages.map((m) => m.seq)}`);
  }
  return j;
}

/** The whole history of a conversation (pages forward with after=, limit=200). */
export async function allMessages(u, convId) {
  const out = [];
  let after = 0;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await messages(u, convId, `?after=${after}&limit=200`);
    out.push(...page.messages);
    if (!page.messages.length || !page.has_newer) break;
    after = page.messages[page.messages.length - 1].seq;
  }
  return out;
}

/** Runs async fn over items with at most `n` in flight; resolves the results in order. */
export async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** A member entry by user id in a conversation object's members (or undefined). */
export function memberOf(conv, user) {
  assert.ok(Array.isArray(conv?.members), `conversation.members array: ${JSON.stringify(conv)?.slice(0, 300)}`);
  return conv.members.find((m) => m.id === user.user.id);
}

/** Asserts the message object shape of the contract. */
export function assertMessageShape(m, expect = {}) {
  const ctx = JSON.stringify(m)?.slice(0, 400);
  assert.ok(m && typeof m === 'object', `message object: ${ctx}`);
  assert.ok(Number.isInteger(m.id) && m.id > 0, `message.id integer: ${ctx}`);
  assert.ok(Number.isInteger(m.conversation_id), `message.conversation_id integer: ${ctx}`);
  assert.ok(Number.isInteger(m.seq) && m.seq >= 1, `message.seq integer ≥ 1: ${ctx}`);
  assert.ok(['text', 'system'].includes(m.kind), `message.kind text|system: ${ctx}`);
  assert.ok(m.sender && Number.isInteger(m.sender.id), `message.sender.id: ${ctx}`);
  assert.equal(typeof m.sender.username, 'string', `message.sender.username: ${ctx}`);
  assert.equal(typeof m.sender.display_name, 'string', `message.sender.display_name: ${ctx}`);
  assert.equal(typeof m.html, 'string', `message.html string: ${ctx}`);
  assert.match(m.created_at, ISO, `message.created_at ISO: ${ctx}`);
  assert.ok(m.edited_at === null || ISO.test(m.edited_at), `message.edited_at null|ISO: ${ctx}`);
  assert.equal(typeof m.deleted, 'boolean', `message.deleted boolean: ${ctx}`);
  assert.ok(Array.isArray(m.reactions), `message.reactions array: ${ctx}`);
  assert.equal(typeof m.mentions_me, 'boolean', `message.mentions_me boolean: ${ctx}`);
  assert.ok('reply_to' in m, `message.reply_to present (null or object): ${ctx}`);
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(m[k], v, `message.${k}: ${ctx}`);
  return m;
}

let sharedCast = Promise.resolve([]);
/**
 * The first n of a cast of users registered once per test file (each file runs in its own
 * process). For tests that only need people in a fresh conversation of their own: they
 * create that conversation themselves, and never block or befriend, so they stay
 * independent while sparing a registration (Argon2) per user per test. Tests about
 * relationships (contacts, blocks, direct conversations, the inbox) register fresh users.
 */
export function sharedUsers(n) {
  sharedCast = sharedCast.then(async (have) =>
    have.length >= n ? have : [...have, ...(await registerMany(n - have.length))]);
  return sharedCast.then((have) => have.slice(0, n));
}

// ---- real-time events: SSE streams, long-polls, a second node, a reference client ---------
// GET /api/v1/events is served by the events hub. PARLEY_URL2 (set when the harness started a
// second app node, `stack.sh node2 start`) is another parley.fcgi, events hub and lighttpd on
// the same PostgreSQL and Redis.

export const BASE2 = process.env.PARLEY_URL2 ? process.env.PARLEY_URL2.replace(/\/+$/, '') : undefined;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Like api() but against another base URL (e.g. BASE2); {json, token, ip, headers, timeout}.
 * Returns {status, headers, json, text}.
 */
export async function apiAt(base, method, path, opts = {}) {
  const headers = { 'X-Forwarded-For': opts.ip || fakeIp(), ...(opts.headers || {}) };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(base + path, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(opts.timeout || 20000) });
  } catch (err) {
    const why = err.cause?.code || err.cause?.message || err.message;
    throw new Error(`${method} ${base}${path.slice(0, 80)}: ${why}`, { cause: err });
  }
  const buf = Buffer.from(await res.arrayBuffer());
  const text = buf.toString('utf8');
  let json;
  if (/json/i.test(res.headers.get('content-type') || '') && text.length) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, headers: res.headers, json, text, buf };
}

/** Sends a message through the node at `base` and asserts 201; returns the message. */
export async function sendAt(base, u, convId, body, opts = {}) {
  const r = await apiAt(base, 'POST', `/api/v1/conversations/${convId}/messages`, {
    token: u.token,
    json: { body, client_id: opts.client_id || uuid() },
  });
  assert.equal(r.status, 201, `send to ${convId} as ${u.username} via ${base}: ${show(r)}`);
  return r.json.message;
}

/**
 * One long-poll: GET /api/v1/events?cursor=&timeout= (query values as given; undefined ones
 * are left out). opts: {token, base, headers, raw query string `query`}. Returns the api()
 * shape plus `ms`, the time the answer took.
 */
export async function longPoll(u, { cursor, after, timeout, base = BASE, query, headers } = {}) {
  const q = new URLSearchParams();
  if (cursor !== undefined) q.set('cursor', String(cursor));
  if (after !== undefined) q.set('after', String(after));
  if (timeout !== undefined) q.set('timeout', String(timeout));
  const qs = query ?? (q.toString() ? `?${q}` : '');
  const t0 = performance.now();
  const r = await apiAt(base, 'GET', `/api/v1/events${qs}`, { token: u?.token, headers, timeout: 70000 });
  return { ...r, ms: performance.now() - t0 };
}

/**
 * An SSE stream on GET /api/v1/events, read with fetch and a streaming body reader.
 *   const s = await SseStream.open(user, {lastEventId, base});
 *   const ev = await s.waitFor((e) => e.type === 'message.created', 2000);
 * Every event is kept in s.events as the parsed JSON of its data line, with `_id` (the
 * `id:` line), `_at` (performance.now() when it arrived) added; comments count in s.comments.
 * s.ended resolves when the stream ends (server closed, error, or close()).
 */
export class SseStream {
  constructor() {
    this.events = [];
    this.comments = 0;
    this.retry = undefined;
    this.lastId = undefined;
    this.done = false;
    this.endReason = undefined;
    this.onEvent = null;
    this._waiters = new Set();
    this._ctl = new AbortController();
    this.ended = new Promise((r) => (this._endResolve = r));
  }

  /** Connects; resolves once the response head is in (asserts 200 text/event-stream unless opts.raw). */
  static async open(u, opts = {}) {
    const s = new SseStream();
    const headers = { Accept: 'text/event-stream', 'X-Forwarded-For': opts.ip || fakeIp() };
    if (u?.token) headers.Authorization = `Bearer ${u.token}`;
    if (opts.lastEventId !== undefined) headers['Last-Event-ID'] = String(opts.lastEventId);
    Object.assign(headers, opts.headers || {});
    const base = opts.base || BASE;
    const timer = setTimeout(() => s._ctl.abort(), opts.connectTimeout || 10000);
    let res;
    try {
      res = await fetch(base + '/api/v1/events' + (opts.query || ''), { headers, signal: s._ctl.signal });
    } finally {
      clearTimeout(timer);
    }
    s.status = res.status;
    s.headers = res.headers;
    if (opts.raw && res.status !== 200) {
      s.text = await res.text().catch(() => '');
      s._end('not 200');
      return s;
    }
    if (res.status !== 200 || !/^text\/event-stream/i.test(res.headers.get('content-type') || '')) {
      const text = await res.text().catch(() => '');
      s._end('not 200');
      throw new Error(`SSE ${base} as ${u?.username}: ${res.status} ${res.headers.get('content-type')} ${text.slice(0, 200)}`);
    }
    if (opts.onEvent) s.onEvent = opts.onEvent;
    s._read(res.body.getReader());
    return s;
  }

  async _read(reader) {
    const dec = new TextDecoder();
    let buf = '';
    let cur = { data: [], id: undefined };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let nl;
        while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1));
          if (line === '') {
            if (cur.data.length) this._dispatch(cur);
            cur = { data: [], id: undefined };
            continue;
          }
          if (line.startsWith(':')) {
            this.comments++;
            continue;
          }
          const c = line.indexOf(':');
          const field = c < 0 ? line : line.slice(0, c);
          let v = c < 0 ? '' : line.slice(c + 1);
          if (v.startsWith(' ')) v = v.slice(1);
          if (field === 'data') cur.data.push(v);
          else if (field === 'id') cur.id = v;
          else if (field === 'retry') this.retry = Number(v);
        }
      }
      this._end('closed by the server');
    } catch (err) {
      this._end(this._closing ? 'closed' : `error: ${err.cause?.code || err.message}`);
    }
  }

  _dispatch(cur) {
    const text = cur.data.join('\n');
    let ev;
    try {
      ev = JSON.parse(text);
    } catch {
      ev = { type: '(not JSON)', text };
    }
    if (ev === null || typeof ev !== 'object') ev = { type: '(not an object)', text };
    Object.defineProperty(ev, '_id', { value: cur.id, enumerable: false });
    Object.defineProperty(ev, '_at', { value: performance.now(), enumerable: false });
    if (cur.id !== undefined) this.lastId = cur.id;
    this.events.push(ev);
    if (this.onEvent) this.onEvent(ev);
    for (const w of [...this._waiters]) w();
  }

  _end(reason) {
    if (this.done) return;
    this.done = true;
    this.endReason = reason;
    this._endResolve(reason);
    for (const w of [...this._waiters]) w();
  }

  /** The events so far that match pred. */
  matching(pred) {
    return this.events.filter(pred);
  }

  /** Resolves with the first event (of all received) matching pred; rejects after timeout ms. */
  waitFor(pred, timeout = 3000, what = 'an event') {
    return this.waitCount(pred, 1, timeout, what).then((l) => l[0]);
  }

  /** Resolves with the first n events matching pred once there are n. */
  waitCount(pred, n, timeout = 3000, what = 'events') {
    return new Promise((resolve, reject) => {
      const check = () => {
        const got = this.events.filter(pred);
        if (got.length >= n) {
          done();
          resolve(got.slice(0, n));
        } else if (this.done) {
          done();
          reject(new Error(`SSE stream ended (${this.endReason}) before ${n} × ${what}; got ${got.length}: ${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${n} × ${what} within ${timeout} ms (got ${this.events.filter(pred).length}): ${this.describe()}`));
      }, timeout);
      const done = () => {
        clearTimeout(timer);
        this._waiters.delete(check);
      };
      this._waiters.add(check);
      check();
    });
  }

  /** A short account of what the stream received, for assertion messages. */
  describe() {
    return JSON.stringify(this.events.map((e) => ({ id: e._id, type: e.type, c: e.conversation_id, seq: e.seq }))).slice(0, 1500);
  }

  close() {
    this._closing = true;
    this._ctl.abort();
    return this.ended;
  }
}

/** Opens an SSE stream and waits until the hub has parked it (a long-poll by the same user
 *  with timeout=1 cannot tell; so this just waits `settle` ms after the head arrived). */
export async function openStream(u, opts = {}) {
  const s = await SseStream.open(u, opts);
  await sleep(opts.settle ?? 50);
  return s;
}

/**
 * A reference client for DESIGN §4: holds an SSE stream (reconnecting with backoff and
 * Last-Event-ID), applies messages in seq order per conversation, fetches any gap with
 * GET …/messages?after=<seq> (paging until has_newer is false), and on `resync` refetches the
 * conversation list and catches up every conversation whose last_seq is ahead.
 *
 *   const c = new ChatClient(user, {only: [convId]}); await c.start(); … await c.stop();
 *   c.applied(convId) → the applied messages' seqs, in order.
 * opts.only: follow just these conversation ids (others are ignored), so that a test's client
 * does not page through every conversation its (shared) user is in; opts.base; opts.log(line);
 * opts.gapGraceMs: how long a gap may stay open before it is fetched (the missing events may
 * still be on their way, e.g. delivered from the server's event log; default 0: at once).
 */
export class ChatClient {
  constructor(user, opts = {}) {
    this.user = user;
    this.base = opts.base || BASE;
    this.log = opts.log || (() => {});
    this.gapGraceMs = opts.gapGraceMs || 0;
    this.only = opts.only ? new Set(opts.only) : null;
    this.convs = new Map(); // id → {lastSeq, seqs: [], messages: Map seq → message}
    this.lastEventId = undefined;
    this.stats = { connects: 0, failedConnects: 0, resyncs: 0, gapFetches: 0, duplicates: 0, live: 0, fetched: 0, events: 0 };
    this._queue = [];
    this._wake = null;
    this._stopped = false;
    this._connected = null; // resolves on each successful connect
    this.stream = null;
    this.error = undefined; // the first error met while applying events
  }

  conv(id) {
    let c = this.convs.get(id);
    if (!c) {
      c = { lastSeq: 0, seqs: [], messages: new Map() };
      this.convs.set(id, c);
    }
    return c;
  }

  applied(id) {
    return this.conv(id).seqs.slice();
  }

  lastSeq(id) {
    return this.conv(id).lastSeq;
  }

  /** Connects, then catches up from the conversation list; resolves once both are done. */
  async start() {
    this._loop = this._run();
    this._proc = this._process();
    await this._firstConnect;
    this._queue.push({ type: 'resync', _local: true }); // initial catch-up, after subscribing
    this._kick();
    await this.idle();
  }

  /** Resolves when the event queue is empty and nothing is being applied. */
  async idle(timeout = 10000) {
    const t0 = Date.now();
    while (this._queue.length || this._busy) {
      if (Date.now() - t0 > timeout) throw new Error('ChatClient: not idle');
      await sleep(10);
    }
  }

  /** Waits until conversation id has applied seq `seq` (or more). */
  async waitSeq(id, seq, timeout = 5000) {
    const t0 = Date.now();
    while (this.lastSeq(id) < seq) {
      if (Date.now() - t0 > timeout) throw new Error(`ChatClient: conversation ${id} stuck at seq ${this.lastSeq(id)}, want ${seq}`);
      await sleep(10);
    }
  }

  async stop() {
    this._stopped = true;
    if (this.stream) await this.stream.close();
    this._kick();
    await Promise.allSettled([this._loop, this._proc]);
  }

  _kick() {
    if (this._wake) {
      const w = this._wake;
      this._wake = null;
      w();
    }
  }

  async _run() {
    let firstResolve;
    this._firstConnect = new Promise((r) => (firstResolve = r));
    let delay = 50;
    while (!this._stopped) {
      let s;
      try {
        s = await SseStream.open(this.user, {
          base: this.base,
          lastEventId: this.lastEventId,
          connectTimeout: 3000,
          onEvent: (ev) => {
            if (ev._id !== undefined) this.lastEventId = ev._id;
            this.stats.events++;
            this._queue.push(ev);
            this._kick();
          },
        });
      } catch (err) {
        this.stats.failedConnects++;
        this.log(`connect failed (${err.message.slice(0, 120)}); retrying in ${delay} ms`);
        await sleep(delay);
        delay = Math.min(delay * 2, 1000);
        continue;
      }
      this.stream = s;
      this.stats.connects++;
      this.log(`connected (Last-Event-ID ${this.lastEventId})`);
      delay = 50;
      firstResolve();
      const why = await s.ended;
      if (this._stopped) break;
      this.log(`stream ended: ${why}`);
    }
    firstResolve();
  }

  async _process() {
    while (!this._stopped) {
      if (!this._queue.length) {
        await new Promise((r) => (this._wake = r));
        continue;
      }
      this._busy = true;
      const ev = this._queue.shift();
      try {
        await this._apply(ev);
      } catch (err) {
        this.log(`applying ${ev.type}: ${err.message}`);
        this.error ??= err;
      } finally {
        this._busy = false;
      }
    }
  }

  async _apply(ev) {
    if (ev.type === 'resync') {
      if (!ev._local) this.stats.resyncs++;
      const r = await apiAt(this.base, 'GET', '/api/v1/conversations', { token: this.user.token });
      assert.equal(r.status, 200, `ChatClient resync: GET /conversations: ${show(r)}`);
      for (const cv of r.json.conversations) {
        if (this.only && !this.only.has(cv.id)) continue;
        if (cv.last_seq > this.conv(cv.id).lastSeq) await this._catchUp(cv.id);
      }
      return;
    }
    if (ev.type === 'message.created' && Number.isInteger(ev.conversation_id) && Number.isInteger(ev.seq)) {
      if (this.only && !this.only.has(ev.conversation_id)) return;
      const c = this.conv(ev.conversation_id);
      if (ev.seq <= c.lastSeq) {
        this.stats.duplicates++;
        return;
      }
      if (ev.seq > c.lastSeq + 1 && this.gapGraceMs) await this._awaitGap(ev, c);
      if (ev.seq <= c.lastSeq) {
        this.stats.duplicates++;
        return;
      }
      if (ev.seq > c.lastSeq + 1) {
        this.stats.gapFetches++;
        await this._catchUp(ev.conversation_id);
        if (ev.seq <= c.lastSeq) return;
      }
      this._take(c, ev.message);
      this.stats.live++;
    }
  }

  /** Waits up to gapGraceMs for the events before ev to arrive, applying them in seq order. */
  async _awaitGap(ev, c) {
    const t0 = Date.now();
    while (Date.now() - t0 < this.gapGraceMs) {
      const i = this._queue.findIndex((e) => e.type === 'message.created' && e.conversation_id === ev.conversation_id && e.seq === c.lastSeq + 1);
      if (i >= 0) {
        const [next] = this._queue.splice(i, 1);
        this._take(c, next.message);
        this.stats.live++;
        if (c.lastSeq + 1 >= ev.seq) return;
        continue;
      }
      await sleep(20);
    }
  }

  /** Fetches everything after the last applied seq, page by page. */
  async _catchUp(id) {
    const c = this.conv(id);
    for (let guard = 0; guard < 1000; guard++) {
      const r = await apiAt(this.base, 'GET', `/api/v1/conversations/${id}/messages?after=${c.lastSeq}&limit=200`, {
        token: this.user.token,
      });
      assert.equal(r.status, 200, `ChatClient: GET messages after ${c.lastSeq} of ${id}: ${show(r)}`);
      for (const m of r.json.messages) {
        if (m.seq === c.lastSeq + 1) {
          this._take(c, m);
          this.stats.fetched++;
        } else if (m.seq > c.lastSeq + 1) {
          throw new Error(`ChatClient: history of ${id} jumps from ${c.lastSeq} to ${m.seq}`);
        }
      }
      if (!r.json.has_newer || !r.json.messages.length) break;
    }
  }

  _take(c, m) {
    c.lastSeq = m.seq;
    c.seqs.push(m.seq);
    c.messages.set(m.seq, m);
  }
}

/**
 * Logs u in through the HTML form, as a browser without JavaScript: {session (the cookie's
 * value), csrf, get(path), postForm(path, fields), post(path, multipart parts)}.
 */
export async function browserOf(u) {
  const f = await api('GET', '/login');
  const r = await api('POST', '/login', {
    form: { username: u.username, password: PASSWORD, csrf_token: inputValue(f.text, 'csrf_token') },
    cookie: { parley_csrf: f.cookies.parley_csrf.value },
  });
  assert.equal(r.status, 303, `login: ${r.status}`);
  const session = r.cookies.parley_session.value;
  const me = await api('GET', '/me', { cookie: { parley_session: session } });
  const csrf = metaContent(me.text, 'csrf-token');
  return {
    session,
    csrf,
    get: (path) => api('GET', path, { cookie: { parley_session: session } }),
    postForm: (path, fields) => api('POST', path, { cookie: { parley_session: session }, form: { csrf_token: csrf, ...fields } }),
    post(path, parts) {
      const form = multipart([{ name: 'csrf_token', value: csrf }, ...parts]);
      return api('POST', path, { cookie: { parley_session: session }, body: form.body, headers: { 'Content-Type': form.type } });
    },
  };
}

/** Bytes as unpadded base64url, the encoding of keys and ciphertexts in the e2e API. */
export const b64url = (b) => Buffer.from(b).toString('base64url');

/**
 * Registers an end-to-end encryption device for u with real keys (the key directory checks
 * the signed prekey's signature) and no one-time prekeys; returns its id.
 */
export async function e2eDevice(u) {
  const raw = (key) => Buffer.from(key.export({ format: 'jwk' }).x, 'base64url');
  const identity = generateKeyPairSync('ed25519');
  const spk = raw(generateKeyPairSync('x25519').publicKey);
  const id = uuid();
  const r = await api('PUT', `/api/v1/devices/${id}/keys`, { token: u.token, json: {
    identity_key: b64url(raw(identity.publicKey)),
    signed_prekey: { id: 1, key: b64url(spk), signature: b64url(sign(null, spk, identity.privateKey)) },
    one_time_prekeys: [],
  } });
  assert.equal(r.status, 201, r.text);
  return id;
}
