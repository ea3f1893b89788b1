// Passkeys: adding one (WebAuthn registration with ES256) and signing in with it instead of
// a password. The passkey is a software authenticator (tests/support/webauthn.mjs) signing
// with Node's own crypto; the server must refuse every answer that is replayed, made for
// another site or origin, unverified, forged, from a copied key, or for someone else.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, register, assertError, browserOf, locationPath, BASE } from './lib.mjs';
import { SoftPasskey } from '../support/webauthn.mjs';
import { totp } from '../support/totp.mjs';

const ORIGIN = new URL(BASE).origin;
const RP_ID = new URL(BASE).hostname;

async function regOptions(u) {
  const r = await api('POST', '/api/v1/me/passkeys/options', { token: u.token });
  assert.equal(r.status, 200, r.text);
  return r.json.publicKey;
}

async function addPasskey(u, name = 'Laptop') {
  const pk = new SoftPasskey();
  const r = await api('POST', '/api/v1/me/passkeys', { token: u.token, json: { name, credential: pk.create(await regOptions(u), ORIGIN) } });
  assert.equal(r.status, 201, r.text);
  pk.row = r.json.passkey;
  return pk;
}

async function loginOptions() {
  const r = await api('POST', '/api/v1/login/passkey/options', { json: {} });
  assert.equal(r.status, 200, r.text);
  return r.json.publicKey;
}

const passkeyLogin = (credential) => api('POST', '/api/v1/login/passkey', { json: { credential } });

describe('adding a passkey', () => {
  it('the options name this site and ask for ES256 and user verification; the answer is stored once', async () => {
    const u = await register();
    const o = await regOptions(u);
    assert.equal(o.rp.id, RP_ID);
    assert.equal(o.user.name, u.username);
    assert.equal(Buffer.from(o.user.id, 'base64url').toString(), String(u.user.id));
    assert.deepEqual(o.pubKeyCredParams, [{ type: 'public-key', alg: -7 }]);
    assert.equal(o.authenticatorSelection.userVerification, 'required');
    assert.match(o.challenge, /^[A-Za-z0-9_-]{43}$/);
    const pk = new SoftPasskey();
    const answer = pk.create(o, ORIGIN);
    const r = await api('POST', '/api/v1/me/passkeys', { token: u.token, json: { name: 'Phone', credential: answer } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.passkey.name, 'Phone');
    // The same answer again: its challenge was spent.
    assertError(await api('POST', '/api/v1/me/passkeys', { token: u.token, json: { credential: answer } }), 400, 'invalid_field', 'credential');
    const list = await api('GET', '/api/v1/me/passkeys', { token: u.token });
    assert.deepEqual(list.json.passkeys.map((k) => k.name), ['Phone']);
    assert.equal(list.json.passkeys[0].last_used_at, null);
    // Registered keys are excluded from the next registration's options.
    assert.deepEqual((await regOptions(u)).excludeCredentials, [{ type: 'public-key', id: pk.id }]);
    const other = await register();
    assert.deepEqual((await api('GET', '/api/v1/me/passkeys', { token: other.token })).json.passkeys, []);
    const log = await api('GET', '/api/v1/me/security', { token: u.token });
    assert.ok(log.json.entries.some((e) => e.action === 'passkey.add'));
  });

  it('refuses answers for another origin or site, without verification, or malformed', async () => {
    const u = await register();
    const pk = new SoftPasskey();
    const bad = async (credential, what) => {
      const r = await api('POST', '/api/v1/me/passkeys', { token: u.token, json: { credential } });
      assert.equal(r.status, 400, `${what}: ${r.text}`);
      assertError(r, 400, 'invalid_field', 'credential');
    };
    await bad(pk.create(await regOptions(u), 'https://evil.example'), 'another origin');
    await bad(pk.create(await regOptions(u), ORIGIN, { rpId: 'evil.example' }), 'another relying party');
    await bad(pk.create(await regOptions(u), ORIGIN, { type: 'webauthn.get' }), 'the wrong ceremony');
    pk.flags = 0x01;
    await bad(pk.create(await regOptions(u), ORIGIN), 'user not verified');
    pk.flags = 0x05;
    const good = pk.create(await regOptions(u), ORIGIN);
    await bad({ ...good, id: 'AAAAAAAAAAAAAAAAAAAAAA' }, 'an id that is not the credential\'s');
    await bad({ id: pk.id, response: { clientDataJSON: '!!!', attestationObject: 'x' } }, 'not base64url');
    await bad({ id: pk.id, response: { ...good.response, attestationObject: Buffer.from('not cbor').toString('base64url') } }, 'not CBOR');
    await bad({}, 'nothing');
    // Someone else's challenge: options asked by another account.
    const other = await register();
    await bad(pk.create(await regOptions(other), ORIGIN), "another account's challenge");
    assert.deepEqual((await api('GET', '/api/v1/me/passkeys', { token: u.token })).json.passkeys, []);
  });
});

describe('signing in with a passkey', () => {
  let u, pk;
  before(async () => {
    u = await register();
    pk = await addPasskey(u);
  });

  it('gives a session, once per challenge, and records the use', async () => {
    const o = await loginOptions();
    assert.equal(o.rpId, RP_ID);
    assert.equal(o.userVerification, 'required');
    const answer = pk.get(o, ORIGIN, u.user.id);
    const r = await passkeyLogin(answer);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.username, u.username);
    assert.equal((await api('GET', '/api/v1/me', { token: r.json.token })).json.user.id, u.user.id);
    assertError(await passkeyLogin(answer), 401, 'invalid_credentials', 'credential');   // replayed
    const list = await api('GET', '/api/v1/me/passkeys', { token: u.token });
    assert.ok(list.json.passkeys[0].last_used_at, 'last used is set');
  });

  it('refuses the wrong origin, site, user, a forged signature, no verification and a copied key', async () => {
    const refuse = async (credential, what) => {
      const r = await passkeyLogin(credential);
      assert.equal(r.status, 401, `${what}: ${r.text}`);
      assertError(r, 401, 'invalid_credentials', 'credential');
    };
    await refuse(pk.get(await loginOptions(), 'https://evil.example', u.user.id), 'another origin');
    await refuse(pk.get(await loginOptions(), ORIGIN, u.user.id, { rpId: 'evil.example' }), 'another site');
    await refuse(pk.get(await loginOptions(), ORIGIN, u.user.id + 1), 'someone else as the user handle');
    const forged = pk.get(await loginOptions(), ORIGIN, u.user.id);
    const sig = Buffer.from(forged.response.signature, 'base64url');
    sig[sig.length - 1] ^= 1;
    await refuse({ ...forged, response: { ...forged.response, signature: sig.toString('base64url') } }, 'a forged signature');
    const stranger = new SoftPasskey();
    stranger.credentialId = pk.credentialId;
    stranger.id = pk.id;
    await refuse(stranger.get(await loginOptions(), ORIGIN, u.user.id), 'another key claiming the id');
    pk.flags = 0x01;
    await refuse(pk.get(await loginOptions(), ORIGIN, u.user.id), 'not verified');
    pk.flags = 0x05;
    const before = pk.counter;
    pk.counter = 0;                        // a copy of the key, behind the original's counter
    const copied = await passkeyLogin(pk.get(await loginOptions(), ORIGIN, u.user.id));
    assertError(copied, 401, 'invalid_credentials', 'credential');
    assert.match(copied.json.error.message, /copied/);
    pk.counter = before + 10;
    assert.equal((await passkeyLogin(pk.get(await loginOptions(), ORIGIN, u.user.id))).status, 200, 'the original goes on');
    const log = await api('GET', '/api/v1/me/security', { token: u.token });
    assert.ok(log.json.entries.some((e) => e.action === 'signin.failed' && e.detail.factor === 'passkey'));
  });

  it('skips the TOTP step (the passkey verified the person), but not a deactivation', async () => {
    const v = await register();
    const setup = await api('POST', '/api/v1/me/2fa/totp', { token: v.token });
    await api('POST', '/api/v1/me/2fa/totp/confirm', { token: v.token, json: { code: totp(setup.json.secret) } });
    const key = await addPasskey(v);
    assert.equal((await passkeyLogin(key.get(await loginOptions(), ORIGIN, v.user.id))).status, 200);
    const admin = await register();
    execFileSync(`${process.env.BIN}/parley`, ['admin', 'grant', admin.username], { env: process.env, stdio: 'ignore' });
    assert.equal((await api('POST', `/api/v1/admin/users/${v.user.id}/deactivate`, { token: admin.token })).status, 200);
    assertError(await passkeyLogin(key.get(await loginOptions(), ORIGIN, v.user.id)), 403, 'forbidden');
  });

  it('a removed passkey signs nobody in; only its owner removes it, also from the page', async () => {
    const w = await register();
    const a = await addPasskey(w, 'Old phone');
    const b = await addPasskey(w, 'New phone');
    const other = await register();
    assertError(await api('DELETE', `/api/v1/me/passkeys/${a.row.id}`, { token: other.token }), 404, 'not_found');
    assert.equal((await api('DELETE', `/api/v1/me/passkeys/${a.row.id}`, { token: w.token })).status, 204);
    assertError(await passkeyLogin(a.get(await loginOptions(), ORIGIN, w.user.id)), 401, 'invalid_credentials');
    const page = await browserOf(w);
    const html = await page.get('/me/passkeys');
    assert.match(html.text, /New phone/);
    assert.doesNotMatch(html.text, /Old phone/);
    const del = await page.postForm(`/me/passkeys/${b.row.id}/delete`, {});
    assert.equal(del.status, 303);
    assert.equal(locationPath(del), '/me/passkeys?done=removed');
    assert.deepEqual((await api('GET', '/api/v1/me/passkeys', { token: w.token })).json.passkeys, []);
  });
});

describe('a passkey counts as two-factor sign-in', () => {
  let admin;
  after(async () => {
    if (admin) await api('PATCH', '/api/v1/admin/settings', { token: admin.token, json: { require_2fa: 'off' } });
  });

  it('an admin with only a passkey may require two-factor sign-in, and is not asked for more', async () => {
    admin = await register();
    execFileSync(`${process.env.BIN}/parley`, ['admin', 'grant', admin.username], { env: process.env, stdio: 'ignore' });
    assertError(await api('PATCH', '/api/v1/admin/settings', { token: admin.token, json: { require_2fa: 'admins' } }), 409, 'conflict');
    await addPasskey(admin);
    const r = await api('PATCH', '/api/v1/admin/settings', { token: admin.token, json: { require_2fa: 'admins' } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await api('GET', '/api/v1/admin/users', { token: admin.token })).status, 200);
    // The passkey page is open to those still without a second factor.
    const admin2 = await register();
    execFileSync(`${process.env.BIN}/parley`, ['admin', 'grant', admin2.username], { env: process.env, stdio: 'ignore' });
    assertError(await api('GET', '/api/v1/conversations', { token: admin2.token }), 403, 'two_factor_setup_required');
    await addPasskey(admin2);
    assert.equal((await api('GET', '/api/v1/conversations', { token: admin2.token })).status, 200);
  });
});
