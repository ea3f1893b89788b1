// Linking a device (docs/API.md "Linking a device"): the server keeps a slot per link and
// relays opaque bytes between two devices of the same account. The new device opens it with
// a public key; the old one sends its own key and the sealed transfer in parts; the new one
// reads them, and the last read uses the link up. Only the same account sees a link (others
// get 404); an expired or used link answers 410. The bytes here are random: the server never
// looks inside them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { api, register, assertError, sql, lit, ISO, uuid, browserOf } from './lib.mjs';

const b64 = (b) => Buffer.from(b).toString('base64url');
const key = () => b64(randomBytes(32));
const open = (u, body = { public_key: key() }) => api('POST', '/api/v1/devices/links', { token: u.token, json: body });
const put = (u, id, body) => api('PUT', `/api/v1/devices/links/${id}`, { token: u.token, json: body });
const get = (u, id, part) => api('GET', `/api/v1/devices/links/${id}${part === undefined ? '' : `?part=${part}`}`, { token: u.token });

async function newLink(u) {
  const pk = key();
  const r = await open(u, { public_key: pk });
  assert.equal(r.status, 201, r.text);
  return { ...r.json.link, pk };
}

describe('opening a link', () => {
  it('answers 201 with a ten-digit id, the key, and ten minutes', async () => {
    const a = await register();
    const pk = key();
    const r = await open(a, { public_key: pk });
    assert.equal(r.status, 201, r.text);
    const l = r.json.link;
    assert.match(l.id, /^\d{10}$/);
    assert.equal(l.public_key, pk);
    assert.equal(l.sender_key, null);
    assert.equal(l.parts, 0);
    assert.equal(l.bytes, 0);
    assert.equal(l.complete, false);
    assert.match(l.expires_at, ISO);
    const left = Date.parse(l.expires_at) - Date.now();
    assert.ok(left > 8 * 60e3 && left <= 10 * 60e3 + 5e3, `expires in ${left} ms`);
    const g = await get(a, l.id);
    assert.equal(g.status, 200, g.text);
    assert.deepEqual(g.json.link, l);
  });

  it('refuses a missing or malformed key, and a request without a login', async () => {
    const a = await register();
    assertError(await open(a, {}), 400, 'missing_field', 'public_key');
    assertError(await open(a, { public_key: b64(randomBytes(31)) }), 400, 'invalid_field', 'public_key');
    assertError(await open(a, { public_key: 'not base64!' }), 400, 'invalid_field', 'public_key');
    assertError(await open(a, { public_key: 42 }), 400, 'invalid_field', 'public_key');
    const anon = await api('POST', '/api/v1/devices/links', { json: { public_key: key() } });
    assert.equal(anon.status, 401, anon.text);
  });
});

describe('the transfer', () => {
  it('goes up in parts, comes down the same, and the last read uses the link up', async () => {
    const a = await register();
    const l = await newLink(a);
    const sender = key(), p0 = randomBytes(512 * 1024), p1 = randomBytes(1000);
    // The new device polls: nothing yet.
    assertError(await get(a, l.id, 0), 409, 'conflict', 'part');
    let r = await put(a, l.id, { sender_key: sender, part: 0, data: b64(p0) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.link.sender_key, sender);
    assert.equal(r.json.link.parts, 1);
    assert.equal(r.json.link.complete, false);
    assertError(await get(a, l.id, 0), 409, 'conflict', 'part');        // not all there yet
    r = await put(a, l.id, { sender_key: sender, part: 1, data: b64(p1), last: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.link.complete, true);
    assert.equal(r.json.link.bytes, p0.length + p1.length);
    const meta = await get(a, l.id);
    assert.equal(meta.status, 200, meta.text);
    assert.deepEqual({ ...meta.json.link }, { ...r.json.link });
    assert.equal(meta.json.link.public_key, l.pk);
    assertError(await get(a, l.id, 2), 400, 'invalid_field', 'part');
    const d0 = await get(a, l.id, 0);
    assert.equal(d0.status, 200, d0.text);
    assert.equal(d0.json.part.index, 0);
    assert.equal(d0.json.part.bytes, p0.length);
    assert.ok(Buffer.from(d0.json.part.data, 'base64url').equals(p0), 'part 0 as sent');
    const d1 = await get(a, l.id, 1);
    assert.equal(d1.status, 200, d1.text);
    assert.equal(d1.json.link.used, true);
    assert.ok(Buffer.from(d1.json.part.data, 'base64url').equals(p1), 'part 1 as sent');
    // One use: the link is gone for reading and writing, and its bytes are deleted.
    assertError(await get(a, l.id), 410, 'gone');
    assertError(await get(a, l.id, 0), 410, 'gone');
    assertError(await put(a, l.id, { sender_key: sender, part: 2, data: b64(p1) }), 410, 'gone');
    assert.equal(sql(`SELECT count(*) FROM e2e_link_parts WHERE link_id = ${lit(l.id)}`), '0');
  });

  it('takes the parts in order, from one device, and nothing after the last', async () => {
    const a = await register();
    const l = await newLink(a);
    const sender = key(), data = b64(randomBytes(100));
    assertError(await put(a, l.id, { sender_key: sender, part: 1, data }), 409, 'conflict', 'part');
    assert.equal((await put(a, l.id, { sender_key: sender, part: 0, data })).status, 200);
    assertError(await put(a, l.id, { sender_key: key(), part: 1, data }), 409, 'conflict', 'sender_key');
    assertError(await put(a, l.id, { sender_key: sender, part: 0, data }), 409, 'conflict', 'part');
    assert.equal((await put(a, l.id, { sender_key: sender, part: 1, data, last: true })).status, 200);
    assertError(await put(a, l.id, { sender_key: sender, part: 2, data }), 409, 'conflict', 'part');
  });

  it('refuses malformed parts with 400 and the field', async () => {
    const a = await register();
    const l = await newLink(a);
    const sender = key();
    assertError(await put(a, l.id, { part: 0, data: 'AA' }), 400, 'missing_field', 'sender_key');
    assertError(await put(a, l.id, { sender_key: 'x', part: 0, data: 'AA' }), 400, 'invalid_field', 'sender_key');
    assertError(await put(a, l.id, { sender_key: sender, data: 'AA' }), 400, 'invalid_field', 'part');
    assertError(await put(a, l.id, { sender_key: sender, part: -1, data: 'AA' }), 400, 'invalid_field', 'part');
    assertError(await put(a, l.id, { sender_key: sender, part: 0 }), 400, 'missing_field', 'data');
    assertError(await put(a, l.id, { sender_key: sender, part: 0, data: '' }), 400, 'invalid_field', 'data');
    assertError(await put(a, l.id, { sender_key: sender, part: 0, data: '!!' }), 400, 'invalid_field', 'data');
    assertError(await put(a, l.id, { sender_key: sender, part: 0, data: 'AA', last: 'yes' }), 400, 'invalid_field', 'last');
    assertError(await put(a, l.id, { sender_key: sender, part: 0, data: b64(randomBytes(512 * 1024 + 1)) }), 400,
      'invalid_field', 'data');
    assertError(await get(a, l.id, 'x'), 400, 'invalid_field', 'part');
    // Nothing was taken.
    assert.equal((await get(a, l.id)).json.link.parts, 0);
  });

  it('bounds a transfer at 50 MiB with a clear 413', async () => {
    const a = await register();
    const l = await newLink(a);
    const sender = key();
    assert.equal((await put(a, l.id, { sender_key: sender, part: 0, data: b64(randomBytes(10)) })).status, 200);
    // As if 50 MiB had come already (sending them here would only be slow).
    sql(`UPDATE e2e_links SET bytes = 50 * 1024 * 1024 WHERE id = ${lit(l.id)}`);
    const e = assertError(await put(a, l.id, { sender_key: sender, part: 1, data: b64(randomBytes(64 * 1024)) }), 413,
      'body_too_large', 'data');
    assert.match(e.message, /50 MiB/);
  });
});

describe('who may touch a link', () => {
  it('another account, a wrong id or a malformed one: the same 404', async () => {
    const a = await register(), b = await register();
    const l = await newLink(a);
    const sender = key(), data = b64(randomBytes(10));
    for (const id of [l.id, '0000000000', '12345', 'abcdefghij']) {
      const who = id === l.id ? b : a;
      const e1 = assertError(await get(who, id), 404, 'not_found');
      assert.equal(e1.message, 'There is no such link.');
      assertError(await get(who, id, 0), 404, 'not_found');
      assertError(await put(who, id, { sender_key: sender, part: 0, data }), 404, 'not_found');
    }
    // b's attempts changed nothing.
    const g = await get(a, l.id);
    assert.equal(g.json.link.parts, 0);
    assert.equal(g.json.link.sender_key, null);
  });

  it('answers 410 once the ten minutes are over', async () => {
    const a = await register();
    const l = await newLink(a);
    const sender = key(), data = b64(randomBytes(10));
    assert.equal((await put(a, l.id, { sender_key: sender, part: 0, data, last: true })).status, 200);
    sql(`UPDATE e2e_links SET expires_at = now() - interval '1 second' WHERE id = ${lit(l.id)}`);
    assert.match(assertError(await get(a, l.id), 410, 'gone').message, /expired/);
    assertError(await get(a, l.id, 0), 410, 'gone');
    assertError(await put(a, l.id, { sender_key: sender, part: 1, data }), 410, 'gone');
    // The next link opened sweeps the parts of ended ones.
    await newLink(a);
    assert.equal(sql(`SELECT count(*) FROM e2e_link_parts WHERE link_id = ${lit(l.id)}`), '0');
  });

  it('limits how many links an account opens an hour', async () => {
    const a = await register();
    for (let i = 0; i < 10; i++) assert.equal((await open(a)).status, 201);
    const e = assertError(await open(a), 429, 'rate_limited');
    assert.match(e.message, /10 times in an hour/);
    // Another account is not held back.
    assert.equal((await open(await register())).status, 201);
  });
});

describe('housekeeping', () => {
  it('the hourly cleanup deletes the parts of ended links, and links ended a day ago', async () => {
    const a = await register();
    const sender = key(), data = b64(randomBytes(100));
    const ended = await newLink(a), old = await newLink(a), open = await newLink(a);
    for (const l of [ended, old, open]) assert.equal((await put(a, l.id, { sender_key: sender, part: 0, data })).status, 200);
    sql(`UPDATE e2e_links SET expires_at = now() - interval '1 minute' WHERE id = ${lit(ended.id)}`);
    sql(`UPDATE e2e_links SET expires_at = now() - interval '2 days' WHERE id = ${lit(old.id)}`);
    const r = spawnSync(`${process.env.BIN}/parley`, ['jobs', 'enqueue', 'cleanup'], { env: process.env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const id = Number(/^queued job (\d+)$/m.exec(r.stdout)[1]);
    for (let i = 0; i < 50 && sql(`SELECT state FROM jobs WHERE id = ${id}`) !== 'done'; i++) await new Promise((ok) => setTimeout(ok, 200));
    assert.equal(sql(`SELECT state FROM jobs WHERE id = ${id}`), 'done');
    const parts = (l) => sql(`SELECT count(*) FROM e2e_link_parts WHERE link_id = ${lit(l.id)}`);
    assert.equal(parts(ended), '0');
    assertError(await get(a, ended.id), 410, 'gone');                       // still says why
    assert.equal(sql(`SELECT count(*) FROM e2e_links WHERE id = ${lit(old.id)}`), '0');
    assertError(await get(a, old.id), 404, 'not_found');
    assert.equal(parts(open), '1', 'an open link keeps its parts');
    assert.equal((await get(a, open.id)).json.link.parts, 1);
  });
});

describe('the devices page', () => {
  it('lists your devices, oldest first, in JSON and as the page with both linking forms', async () => {
    const a = await register(), b = await register();
    const raw = (k) => Buffer.from(k.export({ format: 'jwk' }).x, 'base64url');
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const identity = generateKeyPairSync('ed25519'), spk = raw(generateKeyPairSync('x25519').publicKey);
      const id = uuid();
      const r = await api('PUT', `/api/v1/devices/${id}/keys`, { token: a.token, json: { identity_key: b64(raw(identity.publicKey)),
        signed_prekey: { id: 1, key: b64(spk), signature: b64(sign(null, spk, identity.privateKey)) } } });
      assert.equal(r.status, 201, r.text);
      ids.push({ id, identity_key: b64(raw(identity.publicKey)) });
    }
    const r = await api('GET', '/api/v1/me/devices', { token: a.token });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.devices.map((d) => ({ id: d.id, identity_key: d.identity_key })), ids);
    for (const d of r.json.devices) assert.match(d.created_at, ISO);
    assert.deepEqual((await api('GET', '/api/v1/me/devices', { token: b.token })).json.devices, [], 'only your own');
    const page = await browserOf(a);
    const html = await page.get('/me/devices');
    assert.equal(html.status, 200);
    assert.match(html.text, /aria-current="page">Devices</);
    for (const d of ids) assert.match(html.text, new RegExp(`data-device-id="${d.id}"`));
    assert.match(html.text, /Link this device/);
    assert.match(html.text, /Link a new device/);
    assert.match(html.text, /<noscript><p class="muted">Linking a device needs JavaScript\.<\/p><\/noscript>/);
    const anon = await api('GET', '/me/devices');
    assert.equal(anon.status, 303, 'a page for signed-in people');
  });
});
