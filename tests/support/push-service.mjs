#!/usr/bin/env node
// push-service.mjs — a Web Push service stand-in for the tests (no internet needed). It takes
// what parley-worker POSTs to a subscription's endpoint (http://127.0.0.1:PORT/push/NAME),
// checks it as a real push service would — the VAPID JWT (RFC 8292) against the server's
// public key, its aud and exp, the TTL, Topic and Content-Encoding headers — decrypts the
// aes128gcm body (RFC 8291) with the subscription's private key the test registered, and
// records it for the test to read. Control routes (the tests' side):
//   POST /_subscriptions/NAME {"privateKey","publicKey","auth"} (base64url) → {"endpoint"}
//   PUT  /_subscriptions/NAME/status {"status": 410}   what the next pushes are answered
//        (optionally "retry_after": seconds, sent as Retry-After with that status)
//   GET  /_received/NAME                                → [{ok, errors, plaintext, ttl, topic, urgency, vapid}]
//   GET  /_count                                        → {"accepted": n, "connections": TCP connections
//        accepted so far} (all names, bench mode too)
// Like a real push service it takes many requests at once over kept-alive connections; a VAPID
// JWT it has verified once is not verified again (its aud and exp are still checked every time).
// Usage: node push-service.mjs --vapid-public KEY [--port-file FILE] [--port N] [--bench]
// --bench (tests/bench/push.sh): any /push/NAME is accepted after its VAPID signature,
// TTL and Topic were checked, without a registered key (the body is not decrypted).
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const vapidPublic = opt('--vapid-public', process.env.PARLEY_VAPID_PUBLIC || '');
const portFile = opt('--port-file', '');
const port = Number(opt('--port', '0'));
const bench = args.includes('--bench');
let accepted = 0, connections = 0;
const verified = new Map();   // JWT → claims, once its signature verified (senders reuse a JWT)

const b64u = (s) => Buffer.from(s, 'base64url');
const hmac = (key, ...parts) => crypto.createHmac('sha256', key).update(Buffer.concat(parts)).digest();

// RFC 8291 decryption (one record), as a browser does it.
export function decrypt(body, uaPrivate, uaPublic, auth) {
  const salt = body.subarray(0, 16), rs = body.readUInt32BE(16), idlen = body[20];
  if (idlen !== 65) throw new Error(`keyid length ${idlen}, want 65`);
  const asPublic = body.subarray(21, 21 + idlen), record = body.subarray(21 + idlen);
  if (record.length > rs) throw new Error('more than one record');
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.setPrivateKey(uaPrivate);
  const shared = ecdh.computeSecret(asPublic);
  const prkKey = hmac(auth, shared);
  const ikm = hmac(prkKey, Buffer.from('WebPush: info\0'), uaPublic, asPublic, Buffer.from([1]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0'), Buffer.from([1])).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0'), Buffer.from([1])).subarray(0, 12);
  const d = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  d.setAuthTag(record.subarray(record.length - 16));
  let plain = Buffer.concat([d.update(record.subarray(0, record.length - 16)), d.final()]);
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  if (end === 0 || plain[end - 1] !== 2) throw new Error('no last-record delimiter');
  return plain.subarray(0, end - 1).toString('utf8');
}

// The VAPID header: "vapid t=<jwt>, k=<key>" — signature, key, aud, exp. Returns the claims.
export function checkVapid(header, expectKey, origin) {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header || '');
  if (!m) throw new Error(`Authorization is not "vapid t=…, k=…": ${header}`);
  const [, jwt, k] = m;
  if (expectKey && k !== expectKey) throw new Error('k is not the server\'s VAPID public key');
  const claims = verified.get(`${k} ${jwt}`) || verifyJwt(jwt, k);
  if (verified.size > 1000) verified.clear();
  verified.set(`${k} ${jwt}`, claims);
  const now = Math.floor(Date.now() / 1000);
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud}, want ${origin}`);
  if (!(claims.exp > now && claims.exp <= now + 86400)) throw new Error(`exp ${claims.exp} not within 24 hours`);
  if (!/^(mailto:|https:)/.test(claims.sub || '')) throw new Error(`sub ${claims.sub}`);
  return claims;
}

// The JWT's header and signature against the key k; its claims.
function verifyJwt(jwt, k) {
  const [h, c, s] = jwt.split('.');
  const head = JSON.parse(b64u(h).toString());
  if (head.alg !== 'ES256') throw new Error(`alg ${head.alg}`);
  const point = b64u(k);
  const key = crypto.createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  const sig = b64u(s);
  if (sig.length !== 64) throw new Error(`signature of ${sig.length} bytes, want 64 (raw r||s)`);
  if (!crypto.verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, sig))
    throw new Error('the JWT signature does not verify');
  return JSON.parse(b64u(c).toString());
}

const subs = new Map();       // name → {priv, pub, auth, status, received: []}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    req.on('data', (d) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function answer(res, status, obj) {
  const text = obj === undefined ? '' : JSON.stringify(obj);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://x');
    const origin = `http://${req.headers.host}`;
    const body = await readBody(req);
    let m;
    if (req.method === 'POST' && (m = /^\/_subscriptions\/([\w-]+)$/.exec(url.pathname))) {
      const j = JSON.parse(body.toString());
      subs.set(m[1], { priv: b64u(j.privateKey), pub: b64u(j.publicKey), auth: b64u(j.auth), status: 201, received: [] });
      return answer(res, 201, { endpoint: `${origin}/push/${m[1]}` });
    }
    if (req.method === 'PUT' && (m = /^\/_subscriptions\/([\w-]+)\/status$/.exec(url.pathname))) {
      const s = subs.get(m[1]);
      if (!s) return answer(res, 404, { error: 'no such subscription' });
      const j = JSON.parse(body.toString());
      s.status = j.status;
      s.retryAfter = j.retry_after;
      return answer(res, 200, { status: s.status });
    }
    if (req.method === 'GET' && (m = /^\/_received\/([\w-]+)$/.exec(url.pathname))) {
      const s = subs.get(m[1]);
      return answer(res, 200, s ? s.received : []);
    }
    if (req.method === 'GET' && url.pathname === '/_count') {
      return answer(res, 200, { accepted, connections });
    }
    if (bench && req.method === 'POST' && /^\/push\/[\w-]+$/.test(url.pathname)) {
      try {
        checkVapid(req.headers.authorization, vapidPublic, origin);
        if (!/^\d+$/.test(req.headers.ttl || '') || !req.headers.topic) throw new Error('TTL or Topic missing');
      } catch (e) {
        return answer(res, 400, { error: String(e.message) });
      }
      accepted++;
      return answer(res, 201);
    }
    if (req.method === 'POST' && (m = /^\/push\/([\w-]+)$/.exec(url.pathname))) {
      const s = subs.get(m[1]);
      if (!s) return answer(res, 404, { error: 'no such subscription' });
      const rec = { ok: true, errors: [], ttl: req.headers.ttl, topic: req.headers.topic, urgency: req.headers.urgency,
                    status: s.status, at: Date.now() };
      const fail = (e) => { rec.ok = false; rec.errors.push(String(e.message || e)); };
      try { rec.vapid = checkVapid(req.headers.authorization, vapidPublic, origin); } catch (e) { fail(e); }
      if (!/^\d+$/.test(req.headers.ttl || '')) fail(new Error(`TTL ${req.headers.ttl}`));
      if (req.headers.topic && !/^[A-Za-z0-9_-]{1,32}$/.test(req.headers.topic)) fail(new Error(`Topic ${req.headers.topic}`));
      if (req.headers['content-encoding'] !== 'aes128gcm') fail(new Error(`Content-Encoding ${req.headers['content-encoding']}`));
      try { rec.plaintext = decrypt(body, s.priv, s.pub, s.auth); } catch (e) { fail(e); }
      s.received.push(rec);
      if (!rec.ok) return answer(res, 400, { errors: rec.errors });
      if (s.status === 201) accepted++;
      if (s.retryAfter && s.status !== 201) res.setHeader('Retry-After', String(s.retryAfter));
      return answer(res, s.status, s.status === 201 ? undefined : { status: s.status });
    }
    answer(res, 404, { error: 'not here' });
  } catch (e) {
    answer(res, 500, { error: String(e) });
  }
});

server.on('connection', () => { connections++; });
server.keepAliveTimeout = 60000;          // a sender's connections stay open between its batches
server.headersTimeout = 65000;

if (import.meta.url === `file://${process.argv[1]}`) {
  server.listen(port, '127.0.0.1', () => {
    const p = server.address().port;
    if (portFile) fs.writeFileSync(portFile, `${p}\n`);
    console.log(`push-service: listening on 127.0.0.1:${p}`);
  });
}
