// Devices and keys (docs/API.md "Devices and keys"): the key directory of end-to-end
// encryption. A device publishes its identity key, a signed prekey (the server verifies the
// signature) and one-time prekeys; people who share a conversation or a contact fetch its
// bundle, each one-time prekey handed out once. Keys are made here with Node's own crypto.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify, createPublicKey } from 'node:crypto';
import { api, register, assertError, openDirect, makeContacts, block, uuid, sql, haveDb } from './lib.mjs';

const raw = (key) => Buffer.from(key.export({ format: 'jwk' }).x, 'base64url');
const b64 = (b) => Buffer.from(b).toString('base64url');

// A device's keys: identity (Ed25519), a signed prekey and n one-time prekeys (X25519).
function deviceKeys(n = 5, { firstId = 1, spkId = 7 } = {}) {
  const identity = generateKeyPairSync('ed25519');
  const spk = raw(generateKeyPairSync('x25519').publicKey);
  const otks = Array.from({ length: n }, (_, i) => ({ id: firstId + i, key: b64(raw(generateKeyPairSync('x25519').publicKey)) }));
  return {
    identity,
    body: {
      identity_key: b64(raw(identity.publicKey)),
      signed_prekey: { id: spkId, key: b64(spk), signature: b64(sign(null, spk, identity.privateKey)) },
      one_time_prekeys: otks,
    },
  };
}

const putKeys = (u, id, body) => api('PUT', `/api/v1/devices/${id}/keys`, { token: u.token, json: body });
const bundles = (u, target) => api('GET', `/api/v1/users/${target.user.id}/devices`, { token: u.token });

async function newDevice(u, n = 5, opts) {
  const id = uuid(), k = deviceKeys(n, opts);
  const r = await putKeys(u, id, k.body);
  assert.equal(r.status, 201, r.text);
  return { id, ...k };
}

// The binary bundle, as cgi/e2e/keys.h reads it.
function parseBundle(s) {
  const b = Buffer.from(s, 'base64url');
  const out = { version: b[0], identity: b.subarray(1, 33), spkId: b.readUInt32BE(33), spk: b.subarray(37, 69),
    sig: b.subarray(69, 133), hasOpk: b[133] };
  if (out.hasOpk === 1) { out.opkId = b.readUInt32BE(134); out.opk = b.subarray(138, 170); assert.equal(b.length, 170); }
  else assert.equal(b.length, 134);
  return out;
}

describe('registering a device', () => {
  it('publishes its keys (201), then updates the signed prekey and adds one-time prekeys (200)', async () => {
    const a = await register();
    const id = uuid(), k = deviceKeys(3);
    const r = await putKeys(a, id, k.body);
    assert.equal(r.status, 201, r.text);
    const d = r.json.device;
    assert.equal(d.id, id);
    assert.equal(d.identity_key, k.body.identity_key);
    assert.deepEqual(d.signed_prekey, k.body.signed_prekey);
    assert.equal(d.one_time_prekeys_left, 3);
    assert.equal(d.prekeys_low, true);
    // The same identity with a new signed prekey and more one-time prekeys.
    const spk = raw(generateKeyPairSync('x25519').publicKey);
    const more = { ...deviceKeys(12, { firstId: 100 }).body, identity_key: k.body.identity_key,
      signed_prekey: { id: 8, key: b64(spk), signature: b64(sign(null, spk, k.identity.privateKey)) } };
    const r2 = await putKeys(a, id.toUpperCase(), more);
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.device.signed_prekey.id, 8);
    assert.equal(r2.json.device.one_time_prekeys_left, 15);
    assert.equal(r2.json.device.prekeys_low, false);
    const g = await api('GET', `/api/v1/devices/${id}/keys`, { token: a.token });
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.device.one_time_prekeys_left, 15);
    // Looking at it consumed nothing.
    assert.equal((await api('GET', `/api/v1/devices/${id}/keys`, { token: a.token })).json.device.one_time_prekeys_left, 15);
  });

  it('refuses a bad signature, bad keys and bad lists with 400 and the field', async () => {
    const a = await register();
    const id = uuid();
    const k = deviceKeys(2);
    const forged = structuredClone(k.body);
    const other = generateKeyPairSync('ed25519');
    forged.signed_prekey.signature = b64(sign(null, Buffer.from(k.body.signed_prekey.key, 'base64url'), other.privateKey));
    const e = assertError(await putKeys(a, id, forged), 400, 'invalid_field', 'signed_prekey');
    assert.match(e.message, /signature does not verify/);
    const flipped = structuredClone(k.body);
    const key = Buffer.from(flipped.signed_prekey.key, 'base64url');
    key[0] ^= 1;
    flipped.signed_prekey.key = b64(key);
    assertError(await putKeys(a, id, flipped), 400, 'invalid_field', 'signed_prekey');
    assertError(await putKeys(a, id, { ...k.body, identity_key: 'AAAA' }), 400, 'invalid_field', 'identity_key');
    assertError(await putKeys(a, id, { ...k.body, identity_key: b64(Buffer.alloc(32)) }), 400, 'invalid_field', 'identity_key');
    const { identity_key, ...noIdentity } = k.body;
    assert.ok(identity_key);
    assertError(await putKeys(a, id, noIdentity), 400, 'missing_field', 'identity_key');
    assertError(await putKeys(a, id, { ...k.body, signed_prekey: { id: -1, key: k.body.signed_prekey.key, signature: k.body.signed_prekey.signature } }), 400, 'invalid_field', 'signed_prekey');
    assertError(await putKeys(a, id, { ...k.body, one_time_prekeys: 'many' }), 400, 'invalid_field', 'one_time_prekeys');
    assertError(await putKeys(a, id, { ...k.body, one_time_prekeys: [{ id: 1, key: 'short' }] }), 400, 'invalid_field', 'one_time_prekeys');
    const dup = k.body.one_time_prekeys[0];
    assertError(await putKeys(a, id, { ...k.body, one_time_prekeys: [dup, dup] }), 400, 'invalid_field', 'one_time_prekeys');
    assertError(await putKeys(a, id, deviceKeys(101).body), 400, 'invalid_field', 'one_time_prekeys');
    // Nothing of these was stored.
    assertError(await api('GET', `/api/v1/devices/${id}/keys`, { token: a.token }), 404, 'not_found');
    // Not a UUID; not logged in.
    assertError(await putKeys(a, 'laptop', k.body), 404, 'not_found');
    assertError(await api('PUT', `/api/v1/devices/${id}/keys`, { json: k.body }), 401);
  });

  it('a device is its owner\'s: another person gets 404, a new identity key 409, a full device 409', async () => {
    const a = await register(), b = await register();
    const dev = await newDevice(a, 100);
    assertError(await putKeys(b, dev.id, deviceKeys(1).body), 404, 'not_found');
    assertError(await putKeys(b, dev.id, dev.body), 404, 'not_found');
    assertError(await api('GET', `/api/v1/devices/${dev.id}/keys`, { token: b.token }), 404, 'not_found');
    assertError(await putKeys(a, dev.id, deviceKeys(1).body), 409, 'conflict', 'identity_key');
    // 100 more make 200, the most a device may hold; one more is refused.
    const more = (n, firstId) => ({ ...dev.body, one_time_prekeys: deviceKeys(n, { firstId }).body.one_time_prekeys });
    assert.equal((await putKeys(a, dev.id, more(100, 1000))).json.device.one_time_prekeys_left, 200);
    assertError(await putKeys(a, dev.id, more(1, 5000)), 409, 'conflict', 'one_time_prekeys');
    const g = await api('GET', `/api/v1/devices/${dev.id}/keys`, { token: a.token });
    assert.equal(g.json.device.one_time_prekeys_left, 200);
  });
});

describe('removing a device', () => {
  it('takes it and its prekeys out of every bundle; only its owner can (404 for others)', async () => {
    const a = await register(), b = await register();
    await openDirect(b, a);
    const keep = await newDevice(a, 2), lost = await newDevice(a, 2);
    assert.equal((await bundles(b, a)).json.devices.length, 2);
    assertError(await api('DELETE', `/api/v1/devices/${lost.id}`, { token: b.token }), 404, 'not_found');
    assertError(await api('DELETE', `/api/v1/devices/${lost.id}`, {}), 401);
    const r = await api('DELETE', `/api/v1/devices/${lost.id}`, { token: a.token });
    assert.equal(r.status, 204, r.text);
    assert.deepEqual((await bundles(b, a)).json.devices.map((d) => d.id), [keep.id]);
    assertError(await api('GET', `/api/v1/devices/${lost.id}/keys`, { token: a.token }), 404, 'not_found');
    assertError(await api('DELETE', `/api/v1/devices/${lost.id}`, { token: a.token }), 404, 'not_found');
    if (haveDb) assert.equal(sql(`SELECT count(*) FROM e2e_prekeys WHERE device_id = '${lost.id}'`), '0');
  });
});

describe('fetching bundles', () => {
  it('a stranger gets 404; a conversation or a contact opens them; a block closes them again', async () => {
    const a = await register(), stranger = await register(), partner = await register(), contact = await register();
    await newDevice(a, 5);
    assertError(await bundles(stranger, a), 404, 'not_found');
    assertError(await api('GET', '/api/v1/users/99999999/devices', { token: stranger.token }), 404, 'not_found');
    assertError(await api('GET', '/api/v1/users/abc/devices', { token: stranger.token }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/users/${a.user.id}/devices`, {}), 401);
    await openDirect(partner, a);
    const r = await bundles(partner, a);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user_id, a.user.id);
    assert.equal(r.json.devices.length, 1);
    await makeContacts(contact, a);
    assert.equal((await bundles(contact, a)).status, 200);
    await block(a, partner);
    assertError(await bundles(partner, a), 404, 'not_found');
    // A person sees their own devices (to reach their other devices).
    assert.equal((await bundles(a, a)).status, 200);
  });

  it('gives each one-time prekey once, even to fetches at the same moment, then says prekeys_low', async () => {
    const a = await register(), b = await register();
    await openDirect(b, a);
    const dev = await newDevice(a, 3);
    const answers = await Promise.all(Array.from({ length: 6 }, () => bundles(b, a)));
    const given = [];
    for (const r of answers) {
      assert.equal(r.status, 200, r.text);
      const d = r.json.devices[0];
      assert.equal(d.id, dev.id);
      assert.equal(d.prekeys_low, true);
      if (d.one_time_prekey) given.push(d.one_time_prekey.id);
    }
    assert.deepEqual(given.sort(), [1, 2, 3]);
    const after = await bundles(b, a);
    assert.equal(after.json.devices[0].one_time_prekey, null);
    assert.equal(after.json.devices[0].one_time_prekeys_left, 0);
    assert.equal((await api('GET', `/api/v1/devices/${dev.id}/keys`, { token: a.token })).json.device.one_time_prekeys_left, 0);
    if (haveDb) assert.equal(sql(`SELECT count(*) FROM e2e_prekeys WHERE device_id = '${dev.id}'`), '0');
    // The device refills; the next fetch gets a new key.
    const refill = await putKeys(a, dev.id, { ...dev.body, one_time_prekeys: deviceKeys(20, { firstId: 50 }).body.one_time_prekeys });
    assert.equal(refill.status, 200, refill.text);
    const next = await bundles(b, a);
    assert.equal(next.json.devices[0].one_time_prekey.id, 50);
    assert.equal(next.json.devices[0].one_time_prekeys_left, 19);
    assert.equal(next.json.devices[0].prekeys_low, false);
  });

  it('every device of the person, each with a bundle whose bytes say the same and whose signature verifies', async () => {
    const a = await register(), b = await register();
    await openDirect(a, b);
    const d1 = await newDevice(a, 2), d2 = await newDevice(a, 0);
    const r = await bundles(b, a);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.devices.map((d) => d.id), [d1.id, d2.id]);
    for (const [d, dev] of [[r.json.devices[0], d1], [r.json.devices[1], d2]]) {
      assert.equal(d.identity_key, dev.body.identity_key);
      assert.deepEqual(d.signed_prekey, dev.body.signed_prekey);
      const p = parseBundle(d.bundle);
      assert.equal(p.version, 1);
      assert.equal(b64(p.identity), d.identity_key);
      assert.equal(p.spkId, d.signed_prekey.id);
      assert.equal(b64(p.spk), d.signed_prekey.key);
      const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: d.identity_key }, format: 'jwk' });
      assert.ok(verify(null, p.spk, pub, p.sig));
      if (d.one_time_prekey) {
        assert.equal(p.hasOpk, 1);
        assert.equal(p.opkId, d.one_time_prekey.id);
        assert.equal(b64(p.opk), d.one_time_prekey.key);
      } else {
        assert.equal(p.hasOpk, 0);
      }
    }
    assert.equal(r.json.devices[0].one_time_prekey.id, 1);
    assert.equal(r.json.devices[1].one_time_prekey, null);
  });
});

describe('bundle fetches are rate-limited', () => {
  it('a person may fetch bundles 100 times a minute; the 101st is 429 with Retry-After, and takes no prekey', async () => {
    const a = await register(), b = await register();
    await openDirect(a, b);
    const d = await newDevice(b, 100);
    for (let i = 0; i < 100; i += 10) {             // ten at a time, well inside the minute
      const rs = await Promise.all(Array.from({ length: 10 }, () => bundles(a, b)));
      for (const r of rs) assert.equal(r.status, 200, r.text);
    }
    const r = await bundles(a, b);
    assertError(r, 429, 'rate_limited');
    assert.match(r.json.error.message, /100 times in a minute.*Try again in \d+ seconds/);
    assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After names the wait');
    // The refused fetch took nothing: 100 handed out, none left, and the owner can see it.
    const mine = await api('GET', `/api/v1/devices/${d.id}/keys`, { token: b.token });
    assert.equal(mine.json.device.one_time_prekeys_left, 0);
    assert.equal(mine.json.device.prekeys_low, true);
    // Another person's budget is their own.
    const c = await register();
    await openDirect(c, b);
    assert.equal((await bundles(c, b)).status, 200);
  });
});

describe('listing devices without taking prekeys', () => {
  it('?keys_only=1 lists every device and its identity key, takes no one-time prekey; a bad value is 400', async () => {
    const a = await register(), b = await register();
    await openDirect(a, b);
    const d1 = await newDevice(b, 3), d2 = await newDevice(b, 0);
    const r = await api('GET', `/api/v1/users/${b.user.id}/devices?keys_only=1`, { token: a.token });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.devices.map((d) => [d.id, d.identity_key, d.one_time_prekey, d.one_time_prekeys_left]),
      [[d1.id, d1.body.identity_key, null, 3], [d2.id, d2.body.identity_key, null, 0]]);
    assert.equal(parseBundle(r.json.devices[0].bundle).hasOpk, 0);
    assert.equal((await api('GET', `/api/v1/devices/${d1.id}/keys`, { token: b.token })).json.device.one_time_prekeys_left, 3);
    assertError(await api('GET', `/api/v1/users/${b.user.id}/devices?keys_only=yes`, { token: a.token }), 400,
      'invalid_field', 'keys_only');
    // Still only for those who may see them.
    const c = await register();
    assertError(await api('GET', `/api/v1/users/${b.user.id}/devices?keys_only=1`, { token: c.token }), 404, 'not_found');
  });
});
