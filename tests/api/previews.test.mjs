// Link previews: the first http(s) link of a message gets a preview (title, description and
// the page's og:image as a thumbnail served from here) fetched by parley-worker through the
// outbound guard, shown in the API and on the page; an image at a refused address, one that is
// not an image or one over 2 MB gives a preview without image; the clean-up deletes what no
// message shows any more;
// loopback, private, link-local, IPv4-mapped addresses and a name resolving to loopback are
// refused, also behind a redirect from an allowed page; the sender (only) removes a preview.
// The stack's workers are stopped: a worker of our own runs with PARLEY_OUTBOUND_ALLOW naming
// this file's page server (127.0.0.1 and its port), as an administrator would allow a host.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import {
  api, register, sql, lit, stack, uuid, assertError, createConversationRaw, b64url as b64, e2eDevice as device,
} from './lib.mjs';
import { png } from '../support/media-files.mjs';

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

function imagePage(title, image) {
  return `<!doctype html><html><head><meta property="og:title" content="${title}">
<meta property="og:image" content="${image}"></head><body></body></html>`;
}

/** Where the worker keeps url's preview image (cgi/media/store.h), when the stack says where media live. */
function imageFile(url) {
  const dir = process.env.PARLEY_MEDIA_DIR;
  if (!dir) return null;
  const key = createHash('sha256').update(`preview:${url}`).digest('hex');
  return `${dir}/previews/${key.slice(0, 2)}/${key.slice(2, 4)}/${key}.webp`;
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
      } else if (u.pathname === '/imgpage') {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(imagePage(u.searchParams.get('t') || 'With an image', u.searchParams.get('img')));
      } else if (u.pathname === '/img.png') {
        res.writeHead(200, { 'Content-Type': 'image/png' });
        res.end(png(Number(u.searchParams.get('w')), Number(u.searchParams.get('h')), { gradient: true }));
      } else if (u.pathname === '/fake.png') {
        res.writeHead(200, { 'Content-Type': 'image/png' });
        res.end('<html><body>this is not a picture</body></html>');
      } else if (u.pathname === '/big.png') {
        res.writeHead(200, { 'Content-Type': 'image/png' });
        res.end(Buffer.concat([png(8, 8), Buffer.alloc(2.5 * 1024 * 1024)]));
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

  it('an og:image becomes a bounded thumbnail served from here, to members only, in the API and on the page', async () => {
    const a = await register(), b = await register(), stranger = await register();
    const g = await group(a, [b]);
    const url = `http://127.0.0.1:${port}/imgpage?t=Pictured&img=${encodeURIComponent('/img.png?w=800&h=600&mark=ok')}`;
    const seq = await send(a, g, url);
    const pv = await until('the preview', async () => (await messageAt(b, g, seq))?.preview);
    assert.equal(pv.title, 'Pictured');
    assert.deepEqual(pv.image, { url: `/api/v1/conversations/${g}/messages/${seq}/preview/image`, width: 320, height: 240 });
    assert.ok(hits.includes('/img.png?w=800&h=600&mark=ok'), 'the worker fetched the image');
    const img = await api('GET', pv.image.url, { token: b.token });
    assert.equal(img.status, 200, img.text);
    assert.equal(img.headers.get('content-type'), 'image/webp');
    const bytes = img.buf;
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'RIFF');
    assert.equal(bytes.subarray(8, 12).toString('latin1'), 'WEBP');
    assert.ok(bytes.length < 64 * 1024, `a small thumbnail, not the original (${bytes.length} bytes)`);
    assertError(await api('GET', pv.image.url, { token: stranger.token }), 404, 'not_found');
    // The page: the image from our origin with its size, never the page's own address.
    const html = await api('GET', `/conversations/${g}`, { token: b.token });
    const tag = html.text.match(/<img class="link-preview-image"[^>]*>/);
    assert.ok(tag, 'the card shows the image');
    assert.match(tag[0], new RegExp(`src="/conversations/${g}/messages/${seq}/preview/image"`));
    assert.match(tag[0], /width="320" height="240"/);
    for (const t of html.text.match(/<img [^>]*>/g)) assert.doesNotMatch(t, /src="(https?:)?\/\//, `not hot-linked: ${t}`);
    // A removed preview's image is gone too.
    const r = await api('POST', `/api/v1/conversations/${g}/messages/${seq}/preview/remove`, { token: a.token, json: {} });
    assert.equal(r.status, 200, r.text);
    assertError(await api('GET', pv.image.url, { token: b.token }), 404, 'not_found');
  });

  it('an og:image at a refused address, not an image, or over 2 MB gives a preview without image', async () => {
    const a = await register();
    const g = await group(a, []);
    const refused = [
      'http://127.0.0.1:1/img.png?w=10&h=10',
      'http://10.0.0.1/img.png?w=10&h=10',
      `http://[::ffff:127.0.0.1]:${port}/img.png?w=10&h=10&mark=mapped`,
      `http://localhost:${port}/img.png?w=10&h=10&mark=localhost`,
      `/to?u=${encodeURIComponent(`http://[::ffff:127.0.0.1]:${port}/img.png?w=10&h=10&mark=redirected`)}`,
      '/fake.png',
      '/big.png',
      'data:image/png;base64,iVBORw0KGgo=',
    ];
    const links = refused.map((img, i) => `http://127.0.0.1:${port}/imgpage?t=Case+${i}&img=${encodeURIComponent(img)}`);
    const seqs = [];
    for (const u of links) seqs.push(await send(a, g, u));
    for (let i = 0; i < links.length; i++) {
      const pv = await until(`preview ${i}`, async () => (await messageAt(a, g, seqs[i]))?.preview);
      assert.equal(pv.title, `Case ${i}`);
      assert.equal(pv.image, undefined, `no image for ${refused[i]}`);
      assertError(await api('GET', `/api/v1/conversations/${g}/messages/${seqs[i]}/preview/image`, { token: a.token }),
        404, 'not_found');
    }
    assert.ok(!hits.some((h) => /mark=(mapped|localhost|redirected)/.test(h)), 'no refused address was reached');
    assert.ok(hits.includes('/fake.png') && hits.includes('/big.png'), 'the allowed ones were fetched, then refused');
    assert.match(workerLog, /not a PNG, JPEG, GIF or WebP image/);
    assert.match(workerLog, /over 2097152 bytes/);
  });

  it('the clean-up deletes an expired preview no message shows, and its image', async () => {
    const a = await register();
    const g = await group(a, []);
    const url = `http://127.0.0.1:${port}/imgpage?t=Forgotten&img=${encodeURIComponent('/img.png?w=64&h=64')}`;
    const seq = await send(a, g, url);
    await until('the image', async () => (await messageAt(a, g, seq))?.preview?.image);
    const file = imageFile(url);
    if (file) assert.ok(existsSync(file), 'the thumbnail is stored under previews/');
    sql(`DELETE FROM messages WHERE conversation_id = ${Number(g)} AND seq = ${Number(seq)}`);
    sql(`UPDATE link_previews SET expires_at = now() - interval '1 minute' WHERE url = ${lit(url)}`);
    sql(`INSERT INTO jobs (kind, payload) VALUES ('media.cleanup', '{}')`);
    await until('the cache row deleted', () => sql(`SELECT count(*) FROM link_previews WHERE url = ${lit(url)}`) === '0');
    if (file) await until('the file deleted', () => !existsSync(file));
  });
});
