// Media: uploads (a raw body, a form, tus), downloads (byte-identical, Range, who may fetch),
// attachments on messages, and the headers that keep uploaded HTML and SVG from running.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  api, apiAt, register, createGroup, messages, listConversations, assertError, openStream,
  browserOf, HOST, PORT, BASE2, sql, haveDb, sleep,
} from './lib.mjs';
import { png, multipart, noise } from '../support/media-files.mjs';

/** A JPEG (made by ffmpeg) with an EXIF block carrying GPS coordinates, as phones write. */
function jpegWithGps() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-exif-'));
  try {
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x480', '-frames:v', '1', join(dir, 'p.jpg')]);
    const jpg = readFileSync(join(dir, 'p.jpg'));
    // TIFF, little-endian: IFD0 with one entry (GPSInfo → the GPS IFD), the GPS IFD with
    // GPSLatitudeRef "N" and GPSLatitude 48/1 51/1 2952/100 (Paris).
    const t = Buffer.alloc(8 + 2 + 12 + 4 + 2 + 24 + 4 + 24);
    t.write('II', 0); t.writeUInt16LE(42, 2); t.writeUInt32LE(8, 4);
    t.writeUInt16LE(1, 8);
    t.writeUInt16LE(0x8825, 10); t.writeUInt16LE(4, 12); t.writeUInt32LE(1, 14); t.writeUInt32LE(26, 18);
    t.writeUInt32LE(0, 22);
    t.writeUInt16LE(2, 26);
    t.writeUInt16LE(1, 28); t.writeUInt16LE(2, 30); t.writeUInt32LE(2, 32); t.write('N\0', 36);
    t.writeUInt16LE(2, 40); t.writeUInt16LE(5, 42); t.writeUInt32LE(3, 44); t.writeUInt32LE(56, 48);
    t.writeUInt32LE(0, 52);
    [48, 1, 51, 1, 2952, 100].forEach((v, i) => t.writeUInt32LE(v, 56 + 4 * i));
    const exif = Buffer.concat([Buffer.from('Exif\0\0'), t]);
    const app1 = Buffer.alloc(4);
    app1.writeUInt16BE(0xffe1, 0);
    app1.writeUInt16BE(exif.length + 2, 2);
    return Buffer.concat([jpg.subarray(0, 2), app1, exif, jpg.subarray(2)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until media id (seen by u) is no longer processing; returns its description. */
async function processed(u, id, timeout = 30000) {
  const until = Date.now() + timeout;
  for (;;) {
    const r = await api('GET', `/api/v1/media/${id}/meta`, { token: u.token });
    assert.equal(r.status, 200, r.text);
    if (r.json.media.state !== 'processing') return r.json.media;
    assert.ok(Date.now() < until, `media ${id} still processing after ${timeout} ms`);
    await sleep(200);
  }
}

/** The worker's memory (kB) from /proc: {rss, peak}. */
function workerMemory() {
  const pid = readFileSync(`${process.env.PARLEY_VAR}/run/worker.pid`, 'utf8').split('\n')[0].trim();
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(st)[1]);
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

export async function upload(u, bytes, name = 'file.bin', headers = {}) {
  return api('POST', `/api/v1/media?name=${encodeURIComponent(name)}`, {
    token: u.token, body: bytes, headers: { 'Content-Type': 'application/octet-stream', ...headers }, timeout: 120000,
  });
}

async function uploadOk(u, bytes, name) {
  const r = await upload(u, bytes, name);
  assert.equal(r.status, 201, `upload ${name}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json.media;
}

const sha = (b) => createHash('sha256').update(b).digest('hex');

/** One request on a connection of its own (Connection: close), for the 50 MB transfers:
 * lighttpd may close a kept-alive connection right after a large transfer, and fetch would
 * then fail the next request sent on it. Returns {status, headers, buf, json}. */
function oneShot(method, path, { token, body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port: PORT, method, path, agent: false,
      headers: { Connection: 'close', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers,
                 ...(body ? { 'Content-Length': body.length } : {}) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        let json;
        try { json = JSON.parse(buf.toString()); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, buf, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends a message with files through the API. */
async function sendFiles(u, convId, body, ids) {
  const r = await api('POST', `/api/v1/conversations/${convId}/messages`, { token: u.token, json: { body, media_ids: ids } });
  assert.equal(r.status, 201, `send with files: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json.message;
}


let alice, bob, carol;
before(async () => {
  [alice, bob, carol] = await Promise.all([register(), register(), register()]);
});

describe('upload and download', () => {
  it('a raw upload comes back byte-identical, with its hash, type and Range', async () => {
    const bytes = noise(300000);
    const m = await uploadOk(alice, bytes, 'notes.bin');
    assert.equal(m.size, bytes.length);
    assert.equal(m.name, 'notes.bin');
    assert.equal(m.kind, 'file');
    assert.equal(m.url, `/api/v1/media/${m.id}`);
    const d = await api('GET', m.url, { token: alice.token, raw: true });
    assert.equal(d.status, 200);
    assert.equal(sha(d.buf), sha(bytes));
    assert.match(d.headers.get('content-disposition'), /^attachment; filename="notes.bin"/);
    const part = await api('GET', m.url, { token: alice.token, raw: true, headers: { Range: 'bytes=1000-1999' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${bytes.length}`);
    assert.deepEqual(part.buf, bytes.subarray(1000, 2000));
    if (haveDb) assert.equal(sql(`SELECT sha256 FROM media WHERE id = ${m.id}`), sha(bytes));
  });

  it('a 50 MB file survives the round trip', async () => {
    const bytes = noise(50 * 1024 * 1024);
    const up = await oneShot('POST', '/api/v1/media?name=big.bin', { token: alice.token, body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(up.status, 201, `upload: ${up.status} ${up.buf.toString().slice(0, 200)}`);
    const m = up.json.media;
    assert.equal(m.size, bytes.length);
    const d = await oneShot('GET', m.url, { token: alice.token });
    assert.equal(d.status, 200);
    assert.equal(d.buf.length, bytes.length);
    assert.equal(sha(d.buf), sha(bytes));
  });

  it('streamed by Parley itself (node 2): Range, ETag and 304', { skip: !BASE2 && 'needs the second node' }, async () => {
    const bytes = noise(200000);
    const m = await uploadOk(alice, bytes, 'stream.bin');
    const d = await apiAt(BASE2, 'GET', m.url, { token: alice.token, raw: true });
    assert.equal(d.status, 200);
    assert.equal(sha(d.buf), sha(bytes));
    // (Apache passes the bytes on chunked, without the length.)
    const len = d.headers.get('content-length');
    assert.ok(len === null || len === String(bytes.length), `Content-Length: ${len}`);
    assert.equal(d.headers.get('accept-ranges'), 'bytes');
    assert.equal(d.headers.get('content-security-policy'), "sandbox; default-src 'none'");
    const etag = d.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{64}"$/);
    const again = await apiAt(BASE2, 'GET', m.url, { token: alice.token, raw: true, headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.buf.length, 0);
    const tail = await apiAt(BASE2, 'GET', m.url, { token: alice.token, raw: true, headers: { Range: 'bytes=-100' } });
    assert.equal(tail.status, 206);
    assert.equal(tail.headers.get('content-range'), `bytes ${bytes.length - 100}-${bytes.length - 1}/${bytes.length}`);
    assert.deepEqual(tail.buf, bytes.subarray(bytes.length - 100));
    const from = await apiAt(BASE2, 'GET', m.url, { token: alice.token, raw: true, headers: { Range: 'bytes=199990-' } });
    assert.equal(from.status, 206);
    assert.equal(from.buf.length, 10);
    const bad = await apiAt(BASE2, 'GET', m.url, { token: alice.token, headers: { Range: 'bytes=300000-' } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers.get('content-range'), `bytes */${bytes.length}`);
    const head = await apiAt(BASE2, 'HEAD', m.url, { token: alice.token, raw: true });
    assert.equal(head.status, 200);
    const headLen = head.headers.get('content-length');
    assert.ok(headLen === null || headLen === String(bytes.length), `HEAD Content-Length: ${headLen}`);
    assert.equal(head.buf.length, 0);
    assert.equal((await apiAt(BASE2, 'GET', m.url, { token: carol.token })).status, 404);
  });

  it('the same bytes uploaded twice are stored once', async () => {
    const bytes = noise(5000);
    const a = await uploadOk(alice, bytes, 'a.bin');
    const b = await uploadOk(bob, bytes, 'b.bin');
    assert.notEqual(a.id, b.id);
    if (haveDb) assert.equal(sql(`SELECT count(DISTINCT sha256) FROM media WHERE id IN (${a.id}, ${b.id})`), '1');
  });

  it('the type comes from the bytes, not from the name or the header', async () => {
    const m = await uploadOk(alice, png(4, 3), 'holiday.txt');
    assert.equal(m.mime, 'image/png');
    assert.equal(m.kind, 'image');
    assert.equal(m.width, 4);
    assert.equal(m.height, 3);
    const fake = await upload(alice, Buffer.from('just text, not a picture'), 'photo.png', { 'Content-Type': 'image/png' });
    assert.equal(fake.status, 201);
    assert.equal(fake.json.media.kind, 'file');
    assert.equal(fake.json.media.mime, 'text/plain');
  });

  it('file names lose paths, control and direction characters', async () => {
    const m = await uploadOk(alice, noise(10), '../../etc/pass\u202Ewd\u200B.exe');
    assert.equal(m.name, 'passwd.exe');
  });

  it('over the size limit is a 413 before the body is read', async () => {
    const t0 = Date.now();
    const r = await rawUpload(alice, 1024 * 1024 * 1024);
    assert.equal(r.status, 413, `1 GB announced: ${r.status} ${r.body}`);
    assert.equal(JSON.parse(r.body).error.code, 'body_too_large');
    assert.equal(r.sent, 0, `answered after ${r.sent} bytes of 1 GB`);
    assert.ok(Date.now() - t0 < 20000);
    // Just over the configured limit: the application itself refuses, and says the limit.
    const limit = Number(process.env.PARLEY_MAX_UPLOAD || 104857600);
    const r2 = await rawUpload(alice, limit + 1);
    assert.equal(r2.status, 413, `limit + 1 announced: ${r2.status} ${r2.body}`);
    assert.match(JSON.parse(r2.body).error.message, /file may be at most \d+ MB/i);
    assert.equal(r2.sent, 0, `answered after ${r2.sent} bytes`);
  });

  it('without a session, a stranger, and a removed member get nothing', async () => {
    const g = await createGroup(alice, [bob]);
    const m = await uploadOk(alice, noise(2000), 'secret.bin');
    await sendFiles(alice, g.id, 'the plan', [m.id]);
    assert.equal((await api('GET', m.url, { token: bob.token, raw: true })).status, 200, 'a member reads it');
    assert.equal((await api('GET', m.url)).status, 401);
    assertError(await api('GET', m.url, { token: carol.token }), 404, 'not_found');
    assertError(await api('GET', `${m.url}/meta`, { token: carol.token }), 404, 'not_found');
    assertError(await api('GET', `${m.url}/thumb/320`, { token: carol.token }), 404, 'not_found');
    const rm = await api('DELETE', `/api/v1/conversations/${g.id}/members/${bob.user.id}`, { token: alice.token });
    assert.ok([200, 204].includes(rm.status), `remove bob: ${rm.status}`);
    assertError(await api('GET', m.url, { token: bob.token }), 404, 'not_found');
  });

  it('HTML and SVG come back as attachments that cannot run', async () => {
    const html = await uploadOk(alice, Buffer.from('<!doctype html><script>alert(document.cookie)</script>'), 'page.html');
    const svg = await uploadOk(alice, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'pic.svg');
    for (const m of [html, svg]) {
      assert.equal(m.kind, 'file');
      const d = await api('GET', m.url, { token: alice.token, raw: true });
      assert.equal(d.status, 200);
      assert.match(d.headers.get('content-disposition'), /^attachment;/);
      assert.equal(d.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(d.headers.get('content-security-policy'), "sandbox; default-src 'none'");
    }
  });

  it('bad input gets a clear error', async () => {
    assertError(await api('GET', '/api/v1/media/abc', { token: alice.token }), 404, 'not_found');
    assertError(await api('GET', '/api/v1/media/999999999', { token: alice.token }), 404, 'not_found');
    const m = await uploadOk(alice, noise(100), 'x.bin');
    assertError(await api('GET', `${m.url}/thumb/77`, { token: alice.token }), 404, 'not_found');
    const r = await api('GET', m.url, { token: alice.token, headers: { Range: 'bytes=500-600' } });
    assert.equal(r.status, 416);
    const cr = r.headers.get('content-range');
    assert.ok(cr === null || cr === 'bytes */100', `Content-Range: ${cr}`);
    const mp = await api('POST', '/api/v1/media', { token: alice.token, body: 'garbage', headers: { 'Content-Type': 'multipart/form-data; boundary=zz' } });
    assertError(mp, 400, 'bad_request');
  });
});

/** Sends only the headers of an upload announcing `length` bytes and waits for the answer:
 * a server that refuses without reading answers before any body byte is sent. If nothing
 * comes within 5 s, it streams zeros (at most 64 MB) until an answer comes. */
function rawUpload(u, length) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: HOST, port: PORT });
    let sent = 0;
    let got = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      sock.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      resolve({ status: m ? Number(m[1]) : 0, body: got.slice(got.indexOf('\r\n\r\n') + 4), sent });
    };
    sock.on('data', (d) => { got += d.toString(); if (got.includes('\r\n\r\n')) setTimeout(finish, 200); });
    sock.on('error', () => finish());
    sock.on('close', () => finish());
    sock.on('connect', () => {
      sock.write(`POST /api/v1/media?name=huge.bin HTTP/1.1\r\nHost: ${HOST}:${PORT}\r\nAuthorization: Bearer ${u.token}\r\n` +
                 `Content-Type: application/octet-stream\r\nContent-Length: ${length}\r\n\r\n`);
      setTimeout(async () => {
        const chunk = Buffer.alloc(64 * 1024);
        while (!done && sent < length && sent < 64 * 1024 * 1024) {
          if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r).once('close', r));
          sent += chunk.length;
        }
      }, 5000);
    });
    setTimeout(finish, 30000).unref();
  });
}

describe('processing in parley-worker', () => {
  it('others get a photo without its EXIF and GPS, with thumbnails; the uploader keeps the original', async () => {
    const g = await createGroup(alice, [bob]);
    const bytes = jpegWithGps();
    assert.ok(bytes.includes(Buffer.from('Exif\0\0')), 'the test photo has EXIF');
    const m = await uploadOk(alice, bytes, 'paris.jpg');
    assert.equal(m.kind, 'image');
    assert.deepEqual([m.width, m.height], [640, 480]);
    await sendFiles(alice, g.id, 'from the trip', [m.id]);
    const done = await processed(alice, m.id);
    assert.equal(done.state, 'ready');
    assert.equal(done.thumbs, true);
    assert.equal(done.thumb_url, `/api/v1/media/${m.id}/thumb/320`);
    const mine = await api('GET', m.url, { token: alice.token, raw: true });
    assert.equal(sha(mine.buf), sha(bytes), 'the uploader gets the original');
    const theirs = await api('GET', m.url, { token: bob.token, raw: true });
    assert.equal(theirs.status, 200);
    assert.equal(theirs.headers.get('content-type'), 'image/jpeg');
    assert.ok(theirs.buf.length > 1000 && theirs.buf[0] === 0xff && theirs.buf[1] === 0xd8, 'a JPEG');
    assert.ok(!theirs.buf.includes(Buffer.from('Exif\0\0')), 'no EXIF block for the other member');
    for (const size of [320, 1280]) {
      const t = await api('GET', `${m.url}/thumb/${size}`, { token: bob.token, raw: true });
      assert.equal(t.status, 200);
      assert.equal(t.headers.get('content-type'), 'image/webp');
      assert.equal(t.buf.subarray(8, 12).toString(), 'WEBP');
      assert.ok(!t.buf.includes(Buffer.from('EXIF')), 'no EXIF chunk in the thumbnail');
    }
  });

  it('a 1 KB PNG that declares 50,000 × 50,000 pixels is never decoded', async () => {
    const g = await createGroup(alice, [bob]);
    const bomb = png(50000, 50000, { bomb: true });
    assert.ok(bomb.length < 2048);
    const before = workerMemory();
    const m = await uploadOk(alice, bomb, 'bomb.png');
    assert.deepEqual([m.width, m.height], [50000, 50000]);
    await sendFiles(alice, g.id, '', [m.id]);
    const done = await processed(alice, m.id);
    assert.equal(done.state, 'failed');
    assert.equal(done.thumbs, false);
    assertError(await api('GET', `${m.url}/thumb/320`, { token: bob.token }), 404, 'not_found');
    assertError(await api('GET', m.url, { token: bob.token }), 404, 'not_found');
    const after = workerMemory();
    // Decoding would need 7.5 GB; the worker's peak may not grow by more than 64 MB.
    assert.ok(after.peak - before.peak < 64 * 1024, `worker peak ${before.peak} → ${after.peak} kB`);
  });
});

describe('processing that fails for good', () => {
  // A media.process job whose every attempt failed (here: its blob is gone) must not leave the
  // upload "processing" forever: it becomes "failed", as an undecodable image does, and the
  // members hear of it. The job is queued by hand with one attempt, through PostgreSQL.
  it('the upload becomes failed after the last attempt, and media.ready says so', { skip: !haveDb && 'needs PARLEY_DB' }, async () => {
    const [alice, bob] = await Promise.all([register(), register()]);
    const g = await createGroup(alice, [bob]);
    const m = await uploadOk(alice, png(37 + Math.floor(Math.random() * 50), 41), 'gone.png');
    await sendFiles(alice, g.id, 'a photo', [m.id]);
    assert.equal((await processed(alice, m.id)).state, 'ready');
    const stream = await openStream(bob);
    try {
      sql(`UPDATE media SET state = 'processing', sha256 = '${'0f'.repeat(32)}' WHERE id = ${m.id}`);
      sql(`INSERT INTO jobs (kind, payload, max_attempts) VALUES ('media.process', '{"media_id": ${m.id}}', 1)`);
      sql("SELECT pg_notify('parley_jobs', '')");
      const done = await processed(alice, m.id);
      assert.equal(done.state, 'failed');
      const ev = await stream.waitFor((e) => e.type === 'media.ready' && e.media?.id === m.id && e.media.state === 'failed');
      assert.equal(ev.media.thumbs, false);
      assert.equal(sql(`SELECT state FROM jobs WHERE kind = 'media.process' AND payload->>'media_id' = '${m.id}' ORDER BY id DESC LIMIT 1`), 'failed');
    } finally {
      stream.close();
    }
  });
});

describe('tus resumable uploads', () => {
  const tus = { 'Tus-Resumable': '1.0.0' };
  const meta = (name) => `filename ${Buffer.from(name).toString('base64')},filetype ${Buffer.from('application/octet-stream').toString('base64')}`;

  it('OPTIONS tells what is supported', async () => {
    const r = await api('OPTIONS', '/api/v1/uploads');
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('tus-version'), '1.0.0');
    assert.match(r.headers.get('tus-extension'), /creation/);
    assert.match(r.headers.get('tus-extension'), /termination/);
  });

  it('an upload cut at half resumes from where it stopped', async () => {
    const bytes = noise(4 * 1024 * 1024);
    const c = await api('POST', '/api/v1/uploads', {
      token: alice.token, headers: { ...tus, 'Upload-Length': String(bytes.length), 'Upload-Metadata': meta('video-draft.bin') },
    });
    assert.equal(c.status, 201, `create: ${c.status} ${c.text}`);
    const loc = c.headers.get('location');
    assert.match(loc, /^\/api\/v1\/uploads\/[0-9a-f]{32}$/);
    // The first PATCH announces everything but the connection drops after half.
    const half = bytes.length / 2;
    await new Promise((resolve) => {
      const sock = net.connect({ host: HOST, port: PORT }, () => {
        sock.write(`PATCH ${loc} HTTP/1.1\r\nHost: ${HOST}:${PORT}\r\nAuthorization: Bearer ${alice.token}\r\n` +
                   `Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n` +
                   `Content-Length: ${bytes.length}\r\n\r\n`);
        sock.write(bytes.subarray(0, half), () => setTimeout(() => { sock.destroy(); resolve(); }, 500));
      });
      sock.on('error', resolve);
    });
    let off = -1;
    for (let i = 0; i < 40; i++) {                       // the server notices the drop
      const h = await api('HEAD', loc, { token: alice.token, headers: tus });
      assert.equal(h.status, 200);
      assert.equal(h.headers.get('upload-length'), String(bytes.length));
      off = Number(h.headers.get('upload-offset'));
      if (off > 0) break;
      await sleep(250);
    }
    assert.ok(off > 0 && off <= half, `kept ${off} of the ${half} bytes sent`);
    const wrong = await api('PATCH', loc, {
      token: alice.token, body: bytes.subarray(0, 10),
      headers: { ...tus, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
    });
    assertError(wrong, 409, 'conflict');
    const rest = await api('PATCH', loc, {
      token: alice.token, body: bytes.subarray(off),
      headers: { ...tus, 'Upload-Offset': String(off), 'Content-Type': 'application/offset+octet-stream' },
    });
    assert.equal(rest.status, 204, `resume: ${rest.status} ${rest.text}`);
    assert.equal(rest.headers.get('upload-offset'), String(bytes.length));
    const done = await api('GET', loc, { token: alice.token, headers: tus });
    assert.equal(done.status, 200);
    const m = done.json.upload.media;
    assert.ok(m && m.id, `the upload became a file: ${done.text}`);
    assert.equal(m.name, 'video-draft.bin');
    const d = await api('GET', m.url, { token: alice.token, raw: true });
    assert.equal(sha(d.buf), sha(bytes));
  });

  it('refuses what the protocol does not allow', async () => {
    assertError(await api('POST', '/api/v1/uploads', { token: alice.token, headers: { 'Upload-Length': '10' } }), 412, 'precondition_failed');
    assertError(await api('POST', '/api/v1/uploads', { token: alice.token, headers: { ...tus, 'Upload-Length': '-1' } }), 400, 'bad_request');
    assertError(await api('POST', '/api/v1/uploads', { token: alice.token, headers: { ...tus, 'Upload-Length': '10', 'Upload-Metadata': 'filename !!!' } }), 400, 'bad_request');
    assertError(await api('POST', '/api/v1/uploads', { token: alice.token, headers: { ...tus, 'Upload-Length': String(1e12) } }), 413, 'body_too_large');
    const c = await api('POST', '/api/v1/uploads', { token: alice.token, headers: { ...tus, 'Upload-Length': '10' } });
    const loc = c.headers.get('location');
    assert.equal((await api('HEAD', loc, { token: bob.token, headers: tus })).status, 404, "another person's upload");
    assertError(await api('GET', loc, { token: bob.token, headers: tus }), 404, 'not_found');
    assertError(await api('PATCH', loc, { token: alice.token, body: 'x', headers: { ...tus, 'Upload-Offset': '0', 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type');
    assertError(await api('PATCH', loc, { token: alice.token, body: Buffer.alloc(11), headers: { ...tus, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' } }), 413, 'body_too_large');
    const del = await api('DELETE', loc, { token: alice.token, headers: tus });
    assert.equal(del.status, 204);
    assert.equal((await api('HEAD', loc, { token: alice.token, headers: tus })).status, 404);
  });
});

describe('attachments', () => {
  it('a message carries files: in its JSON, the history, the inbox and the live event', async () => {
    const g = await createGroup(alice, [bob]);
    const s = await openStream(bob);
    try {
      const doc = await uploadOk(alice, noise(1234), 'report.pdf');
      const msg = await sendFiles(alice, g.id, '', [doc.id]);
      assert.equal(msg.body, '');
      assert.equal(msg.attachments.length, 1);
      assert.equal(msg.attachments[0].id, doc.id);
      assert.equal(msg.attachments[0].name, 'report.pdf');
      assert.equal(msg.attachments[0].url, `/api/v1/media/${doc.id}`);
      const ev = await s.waitFor((e) => e.type === 'message.created' && e.message?.conversation_id === g.id);
      assert.equal(ev.message.attachments[0].id, doc.id);
      const hist = await messages(bob, g.id);
      assert.equal(hist.messages.at(-1).attachments[0].name, 'report.pdf');
      const inbox = await listConversations(bob);
      const row = inbox.find((c) => c.id === g.id);
      assert.equal(row.last_message.excerpt, '📎 report.pdf');
      const photo = await uploadOk(alice, png(8, 8), 'p.png');
      await sendFiles(alice, g.id, '', [photo.id]);
      const inbox2 = await listConversations(bob);
      assert.equal(inbox2.find((c) => c.id === g.id).last_message.excerpt, '📷 Photo');
    } finally {
      s.close();
    }
  });

  it("a send's answer and its live event are the message as history shows it: files in order, reply, mention", async () => {
    const g = await createGroup(alice, [bob]);
    const s = await openStream(bob);
    try {
      const first = await uploadOk(alice, noise(300), 'first.txt');
      const second = await uploadOk(alice, noise(400), 'second.txt');
      const orig = await sendFiles(alice, g.id, 'the original', []);
      const r = await api('POST', `/api/v1/conversations/${g.id}/messages`, {
        token: alice.token,
        json: { body: `look, @${bob.user.username}`, media_ids: [second.id, first.id], reply_to: orig.seq },
      });
      assert.equal(r.status, 201, r.text);
      const sent = r.json.message;
      assert.deepEqual(sent.attachments.map((a) => a.name), ['second.txt', 'first.txt']);
      assert.equal(sent.reply_to.seq, orig.seq);
      const shown = (await messages(alice, g.id, `?around=${sent.seq}&limit=3`)).messages.find((m) => m.seq === sent.seq);
      const { receipt, ...asShown } = shown;            // history adds the sender's receipt
      assert.ok(receipt, 'history shows the sender a receipt');
      assert.deepEqual(sent, asShown);
      const ev = await s.waitFor((e) => e.type === 'message.created' && e.message?.seq === sent.seq && e.message.conversation_id === g.id);
      const forBob = (await messages(bob, g.id, `?around=${sent.seq}&limit=3`)).messages.find((m) => m.seq === sent.seq);
      assert.equal(forBob.mentions_me, true);
      assert.deepEqual(ev.message, { ...forBob, mentions_me: false, html: ev.message.html });   // rendered for no reader
      assert.ok(ev.message.html.includes(bob.user.username));
    } finally {
      s.close();
    }
  });

  it('only your own uploads, at most ten, each once', async () => {
    const g = await createGroup(alice, [bob]);
    const bobs = await uploadOk(bob, noise(50), 'bob.bin');
    const r = await api('POST', `/api/v1/conversations/${g.id}/messages`, { token: alice.token, json: { body: 'look', media_ids: [bobs.id] } });
    assertError(r, 400, 'invalid_field', 'media_ids');
    const mine = await uploadOk(alice, noise(50), 'a.bin');
    assertError(await api('POST', `/api/v1/conversations/${g.id}/messages`, { token: alice.token, json: { body: 'x', media_ids: [mine.id, mine.id] } }), 400, 'invalid_field', 'media_ids');
    assertError(await api('POST', `/api/v1/conversations/${g.id}/messages`, { token: alice.token, json: { body: 'x', media_ids: Array.from({ length: 11 }, (_, i) => i + 1) } }), 400, 'invalid_field', 'media_ids');
    assertError(await api('POST', `/api/v1/conversations/${g.id}/messages`, { token: alice.token, json: { body: '  ' } }), 400, 'missing_field', 'body');
  });

  it('search finds messages by what they carry: has:file, has:image, has:audio', async () => {
    const g = await createGroup(alice, [bob]);
    const tag = `att${randomBytes(4).toString('hex')}`;
    const doc = await uploadOk(alice, noise(300), 'budget.ods');
    const pic = await uploadOk(alice, png(8, 8), 'cat.png');
    const withDoc = await sendFiles(alice, g.id, `${tag} the budget`, [doc.id]);
    const withPic = await sendFiles(alice, g.id, `${tag} the cat`, [pic.id]);
    await api('POST', `/api/v1/conversations/${g.id}/messages`, { token: alice.token, json: { body: `${tag} no file here` } });
    const find = async (q) => {
      const r = await api('GET', `/api/v1/search?q=${encodeURIComponent(q)}&sort=newest`, { token: bob.token });
      assert.equal(r.status, 200, r.text);
      return r.json.messages.map((h) => h.seq).sort((x, y) => x - y);
    };
    assert.deepEqual(await find(`${tag} has:file`), [withDoc.seq, withPic.seq]);
    assert.deepEqual(await find(`${tag} has:image`), [withPic.seq]);
    assert.deepEqual(await find(`${tag} has:audio`), []);
    assert.deepEqual(await find(`${tag}`), [withDoc.seq, withPic.seq, withPic.seq + 1]);
    assert.deepEqual((await api('GET', `/api/v1/search?q=${tag}%20has:file`, { token: carol.token })).json.messages, [], 'a stranger finds nothing');
  });

  it('a deleted message takes its files away from the other members', async () => {
    const g = await createGroup(alice, [bob]);
    const m = await uploadOk(alice, noise(300), 'oops.bin');
    const msg = await sendFiles(alice, g.id, 'wrong file', [m.id]);
    assert.equal((await api('GET', m.url, { token: bob.token, raw: true })).status, 200);
    const del = await api('DELETE', `/api/v1/conversations/${g.id}/messages/${msg.seq}`, { token: alice.token });
    assert.equal(del.status, 204);
    assertError(await api('GET', m.url, { token: bob.token }), 404, 'not_found');
    const hist = await messages(bob, g.id);
    assert.deepEqual(hist.messages.find((x) => x.seq === msg.seq).attachments, []);
  });

  it('without JavaScript: the composer form sends text and a file together', async () => {
    const g = await createGroup(alice, [bob]);
    const { session, csrf } = await browserOf(alice);
    const bytes = noise(70000);
    const form = multipart([
      { name: 'csrf_token', value: csrf },
      { name: 'body', value: 'minutes attached' },
      { name: 'file', filename: 'minutes.odt', type: 'application/vnd.oasis.opendocument.text', data: bytes },
      { name: 'file', filename: '', type: 'application/octet-stream', data: Buffer.alloc(0) },
    ]);
    const r = await api('POST', `/conversations/${g.id}/messages`, { cookie: { parley_session: session }, body: form.body, headers: { 'Content-Type': form.type } });
    assert.equal(r.status, 303, `form post: ${r.status} ${r.text.slice(0, 300)}`);
    const last = (await messages(bob, g.id)).messages.at(-1);
    assert.equal(last.body, 'minutes attached');
    assert.equal(last.attachments.length, 1);
    assert.equal(last.attachments[0].name, 'minutes.odt');
    const d = await api('GET', last.attachments[0].url, { token: bob.token, raw: true });
    assert.equal(sha(d.buf), sha(bytes));
    const page = await api('GET', `/conversations/${g.id}`, { cookie: { parley_session: session } });
    assert.match(page.text, /minutes\.odt/);
  });

  it('a form with a file but no CSRF token stores nothing', async () => {
    const g = await createGroup(alice, [bob]);
    const { session } = await browserOf(alice);
    const form = multipart([{ name: 'body', value: 'hi' }, { name: 'file', filename: 'x.bin', data: noise(100) }]);
    const before = haveDb ? Number(sql(`SELECT count(*) FROM media WHERE uploader_id = ${alice.user.id}`)) : 0;
    const r = await api('POST', `/conversations/${g.id}/messages`, { cookie: { parley_session: session }, body: form.body, headers: { 'Content-Type': form.type } });
    assert.equal(r.status, 403);
    if (haveDb) assert.equal(Number(sql(`SELECT count(*) FROM media WHERE uploader_id = ${alice.user.id}`)), before);
  });
});

describe('avatars and quota', () => {
  it('a person sets a photo as avatar; a file that is not a photo is refused', async () => {
    const u = await register();
    const p = await uploadOk(u, png(16, 16), 'me.png');
    const r = await api('PUT', '/api/v1/me/avatar', { token: u.token, json: { media_id: p.id } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.avatar_url, `/api/v1/media/${p.id}/thumb/320`);
    const doc = await uploadOk(u, noise(30), 'cv.bin');
    assertError(await api('PUT', '/api/v1/me/avatar', { token: u.token, json: { media_id: doc.id } }), 400, 'invalid_field', 'media_id');
    assert.equal((await api('GET', `/api/v1/media/${p.id}/meta`, { token: carol.token })).status, 200, 'anyone sees an avatar');
    const me = await api('GET', '/api/v1/me', { token: u.token });
    assert.equal((me.json.user ?? me.json).avatar_url, `/api/v1/media/${p.id}/thumb/320`);
    const g = await createGroup(u, [carol]);
    await api('POST', `/api/v1/conversations/${g.id}/messages`, { token: u.token, json: { body: 'hello' } });
    const seen = (await messages(carol, g.id)).messages.at(-1);
    assert.equal(seen.sender.avatar_url, `/api/v1/media/${p.id}/thumb/320`, 'the sender carries the avatar');
    assert.equal((await api('DELETE', '/api/v1/me/avatar', { token: u.token })).status, 200);
    const after = await api('GET', '/api/v1/me', { token: u.token });
    assert.equal((after.json.user ?? after.json).avatar_url, null);
  });

  it('only owners and admins change a group picture', async () => {
    const g = await createGroup(alice, [bob]);
    const p = await uploadOk(bob, png(8, 8), 'g.png');
    assertError(await api('PUT', `/api/v1/conversations/${g.id}/avatar`, { token: bob.token, json: { media_id: p.id } }), 403, 'forbidden');
    const q = await uploadOk(alice, png(8, 8), 'g2.png');
    assert.equal((await api('PUT', `/api/v1/conversations/${g.id}/avatar`, { token: alice.token, json: { media_id: q.id } })).status, 200);
    const seen = await api('GET', `/api/v1/conversations/${g.id}`, { token: bob.token });
    assert.equal(seen.json.conversation.avatar_url, `/api/v1/media/${q.id}/thumb/320`);
    assert.equal((await api('GET', `/api/v1/media/${q.id}/meta`, { token: bob.token })).status, 200, 'members see the picture');
    assertError(await api('GET', `/api/v1/media/${q.id}/meta`, { token: carol.token }), 404, 'not_found');
  });

  it('the quota is per person and says so', async () => {
    const u = await register();
    // Pretend the person already stored almost all of the quota.
    sql(`INSERT INTO media (uploader_id, sha256, size, name, mime, kind) VALUES (${u.user.id}, '${'0'.repeat(64)}', 5368709000, 'old.bin', 'application/octet-stream', 'file')`);
    const r = await upload(u, noise(1000), 'one-too-many.bin');
    assertError(r, 413, 'body_too_large');
    assert.match(r.json.error.message, /quota/);
  });
});
