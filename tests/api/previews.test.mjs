// Link previews: the first http(s) link of a message gets a preview (title, description)
// fetched by parley-worker through the outbound guard, shown in the API and on the page;
// loopback, private, link-local, IPv4-mapped addresses and a name resolving to loopback are
// refused, also behind a redirect from an allowed page; the sender (only) removes a preview.
// The stack's workers are stopped: a worker of our own runs with PARLEY_OUTBOUND_ALLOW naming
// this file's page server (127.0.0.1 and its port), as an administrator would allow a host.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign, randomBytes } from 'node:crypto';
import { api, register, sql, lit, stack, uuid, assertError, createConversationRaw } from './lib.mjs';

const BIN = process.env.BIN;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await sleep(150);
  }
}

let server;
let port;
const hits = [];
let worker;
let workerLog = '';

function page(title, description) {
  return `<!doctype html><html><head><title>Fallback</title>
<meta property="og:title" content="${title}">
<meta name="description" content="${description}">
</head><body><p>body text</p></body></html>`;
}

async function group(owner, members) {
  const r = await api('POST', '/api/v1/conversations', {
    token: owner.token, json: { kind: 'group', title: 'Previews', members: members.map((m) => m.user.id) },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.conversation.id;
}

async function send(u, conv, body) {
  const r = await api('POST', `/api/v1/conversations/${conv}/messages`, { token: u.token, json: { body, client_id: uuid() } });
  assert.equal(r.status, 201, r.text);
  return r.json.message.seq;
}

async function messageAt(u, conv, seq) {
  const r = await api('GET', `/api/v1/conversations/${conv}/messages?after=${seq - 1}&limit=1`, { token: u.token });
  assert.equal(r.status, 200, r.text);
  return r.json.messages.find((m) => m.seq === seq);
}

const raw = (key) => Buffer.from(key.export({ format: 'jwk' }).x, 'base64url');
const b64 = (b) => Buffer.from(b).toString('base64url');

/** A device with keys for `u` (as e2e-conversations.test.mjs registers one); its id. */
async function device(u) {
  const identity = generateKeyPairSync('ed25519');
  const spk = raw(generateKeyPairSync('x25519').publicKey);
  const id = uuid();
  const r = await api('PUT', `/api/v1/devices/${id}/keys`, { token: u.token, json: {
    identity_key: b64(raw(identity.publicKey)),
    signed_prekey: { id: 1, key: b64(spk), signature: b64(sign(null, spk, identity.privateKey)) },
    one_time_prekeys: [],
  } });
  assert.equal(r.status, 201, r.text);
  return id;
}

function cacheStatus(url) {
  return sql(`SELECT status FROM link_previews WHERE url = ${lit(url)}`);
}

describe('link previews', () => {
  before(async () => {
    assert.ok(BIN && process.env.PARLEY_DB, 'these tests need BIN and PARLEY_DB');
    server = http.createServer((req, res) => {
      hits.push(req.url);
      const u = new URL(req.url, 'http://x');
      if (u.pathname.startsWith('/page')) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(page(u.searchParams.get('t') || 'A page', u.searchParams.get('d') || 'About the page'));
      } else if (u.pathname === '/to') {
        res.writeHead(302, { Location: u.searchParams.get('u') });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    port = server.address().port;
    stack('worker', 'stop');
    worker = spawn(`${BIN}/parley-worker`, [], {
      env: { ...process.env, PARLEY_OUTBOUND_ALLOW: `127.0.0.1:${port}`, PARLEY_WORKER_THREADS: '2', PARLEY_JOB_POLL: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    worker.stderr.on('data', (d) => { workerLog += d; });
    await until('the worker to start', () => /parley-worker \S+ running/.test(workerLog));
  });

  after(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.on('exit', r));
    }
    stack('worker', 'start');
    await new Promise((r) => server.close(r));
  });

  it('a link to an allowed page gets a preview with its title and description, in the API and on the page', async () => {
    const a = await register(), b = await register();
    const g = await group(a, [b]);
    const url = `http://127.0.0.1:${port}/page?t=Hello+preview&d=A+described+page`;
    const seq = await send(a, g, `look at this: ${url}, and ${url.replace('Hello', 'Second')} too`);
    const m = await until('the preview', async () => (await messageAt(b, g, seq))?.preview);
    assert.deepEqual(m, { url, host: '127.0.0.1', title: 'Hello preview', description: 'A described page' });
    const html = await api('GET', `/conversations/${g}`, { token: b.token });
    assert.equal(html.status, 200);
    assert.match(html.text, /class="link-preview"/);
    assert.match(html.text, /Hello preview/);
    assert.match(html.text, /A described page/);
    assert.doesNotMatch(html.text, /Remove preview/, 'only the sender sees Remove');
    assert.ok(hits.some((h) => h.startsWith('/page?t=Hello')), 'the worker fetched the page');
    assert.ok(!hits.some((h) => h.includes('Second')), 'only the first link');
    // The cache: a second message with the same link gets the preview without a new fetch.
    const before = hits.length;
    const seq2 = await send(b, g, url);
    assert.equal((await messageAt(a, g, seq2)).preview.title, 'Hello preview');
    assert.equal(hits.length, before);
    // A message without a link has none.
    const plain = await send(a, g, 'no link here, just text: http:// and www.example.org');
    assert.equal((await messageAt(a, g, plain)).preview, undefined);
  });

  it('refuses 127.0.0.1, 10.0.0.1, 169.254.169.254, ::ffff:127.0.0.1, localhost, and a redirect to any of them', async () => {
    const a = await register();
    const g = await group(a, []);
    const bad = [
      'http://127.0.0.1:1/page',
      'http://10.0.0.1/page',
      'http://169.254.169.254/latest/meta-data/',
      `http://[::ffff:127.0.0.1]:${port}/page`,
      `http://localhost:${port}/page`,
    ];
    const links = [...bad, ...bad.map((u) => `http://127.0.0.1:${port}/to?u=${encodeURIComponent(u)}`)];
    const seqs = [];
    for (const u of links) seqs.push(await send(a, g, `see ${u}`));
    for (const u of links) await until(`${u} refused`, () => cacheStatus(u) === 'failed');
    for (const s of seqs) assert.equal((await messageAt(a, g, s)).preview, undefined);
    assert.ok(!hits.some((h) => h.startsWith('/page') && !h.startsWith('/page?')), 'no refused address reached the page server');
    assert.match(workerLog, /refused/);
  });

  it('an end-to-end encrypted conversation gets no preview, whatever a client sends', async () => {
    const a = await register(), b = await register();
    const [a1, b1] = [await device(a), await device(b)];
    const enc = await createConversationRaw(a, { kind: 'direct', members: [b.user.id], e2e: true });
    assert.equal(enc.status, 201, enc.text);
    const conv = enc.json.conversation.id;
    const url = `http://127.0.0.1:${port}/page?t=never-fetched`;
    const envelope = { device_id: b1, type: 'prekey', ciphertext: b64(Buffer.concat([Buffer.from([0x12]), randomBytes(200)])) };
    const sent = await api('POST', `/api/v1/conversations/${conv}/messages`, {
      token: a.token, json: { device_id: a1, client_id: uuid(), envelopes: [envelope], body: `see ${url}` },
    });
    assert.ok([201, 400].includes(sent.status), sent.text);
    // A plain message's preview after it: the worker has run what was queued before.
    const g = await group(a, [b]);
    const seq = await send(a, g, `http://127.0.0.1:${port}/page?t=after-e2e`);
    await until('the plain preview', async () => (await messageAt(a, g, seq))?.preview);
    assert.equal(sql(`SELECT count(*) FROM message_previews WHERE conversation_id = ${Number(conv)}`), '0');
    assert.equal(cacheStatus(url), '', 'nothing cached for it');
    assert.ok(!hits.some((h) => h.includes('never-fetched')), 'never fetched');
  });

  it('the sender removes a preview; anyone else gets 403; a member of no conversation 404', async () => {
    const a = await register(), b = await register(), stranger = await register();
    const g = await group(a, [b]);
    const url = `http://127.0.0.1:${port}/page?t=Removable`;
    const seq = await send(a, g, url);
    await until('the preview', async () => (await messageAt(a, g, seq))?.preview);
    const mine = await api('GET', `/conversations/${g}`, { token: a.token });
    assert.match(mine.text, /Remove preview/);
    const path = `/api/v1/conversations/${g}/messages/${seq}/preview/remove`;
    assertError(await api('POST', path, { token: b.token, json: {} }), 403, 'forbidden');
    assertError(await api('POST', path, { token: stranger.token, json: {} }), 404, 'not_found');
    const r = await api('POST', path, { token: a.token, json: {} });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.message.preview, undefined);
    assert.equal((await messageAt(b, g, seq)).preview, undefined);
    assertError(await api('DELETE', `/api/v1/conversations/${g}/messages/${seq}/preview`, { token: a.token }), 404, 'not_found');
    const page2 = await api('GET', `/conversations/${g}`, { token: b.token });
    assert.doesNotMatch(page2.text, /class="link-preview"/, 'the page shows no preview');
  });
});
