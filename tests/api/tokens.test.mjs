// Personal API tokens (pat_…): create, use, list, revoke; the server keeps only a hash.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, register, login, assertError, sql, haveDb, PASSWORD, ISO } from './lib.mjs';

async function createToken(session, name = 'ci script') {
  const r = await api('POST', '/api/v1/me/tokens', { token: session, json: { name } });
  assert.equal(r.status, 201, r.text);
  return r;
}

describe('personal API tokens', () => {
  it('creates a token whose secret is shown once and works as a bearer', async () => {
    const a = await register();
    const r = await createToken(a.token, 'backup script');
    const { token, secret } = r.json;
    assert.equal(typeof secret, 'string');
    assert.match(secret, /^pat_./, 'secret starts with pat_');
    assert.ok(secret.length >= 20, 'secret long enough to be unguessable');
    assert.ok(Number.isInteger(token.id), r.text);
    assert.equal(token.name, 'backup script');
    assert.match(token.created_at, ISO);
    assert.equal(token.last_used_at, null, 'unused yet');
    assert.ok(!('secret' in token), 'the token object itself has no secret');

    const list = await api('GET', '/api/v1/me/tokens', { token: a.token });
    assert.equal(list.status, 200, list.text);
    assert.ok(Array.isArray(list.json.tokens));
    const t = list.json.tokens.find((x) => x.id === token.id);
    assert.ok(t, 'listed');
    assert.equal(t.name, 'backup script');
    assert.equal(t.last_used_at, null);
    assert.ok(!list.text.includes(secret), 'the list never shows the secret');
    assert.ok(!list.text.includes(secret.slice(4)), 'not even without its prefix');

    const me = await api('GET', '/api/v1/me', { token: secret });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.user.id, a.user.id);

    const list2 = await api('GET', '/api/v1/me/tokens', { token: a.token });
    const t2 = list2.json.tokens.find((x) => x.id === token.id);
    assert.match(String(t2.last_used_at), ISO, 'last_used_at is set after use');
  });

  it('revoking (DELETE) stops the token at once', async () => {
    const a = await register();
    const { json } = await createToken(a.token);
    assert.equal((await api('GET', '/api/v1/me', { token: json.secret })).status, 200);
    const r = await api('DELETE', `/api/v1/me/tokens/${json.token.id}`, { token: a.token });
    assert.equal(r.status, 204, r.text);
    assertError(await api('GET', '/api/v1/me', { token: json.secret }), 401, 'unauthorized');
    const list = await api('GET', '/api/v1/me/tokens', { token: a.token });
    assert.ok(!list.json.tokens.some((x) => x.id === json.token.id), 'gone from the list');
    assertError(await api('DELETE', `/api/v1/me/tokens/${json.token.id}`, { token: a.token }), 404, 'not_found');
  });

  it('revoking by POST …/revoke (the form twin) works too', async () => {
    const a = await register();
    const { json } = await createToken(a.token);
    const r = await api('POST', `/api/v1/me/tokens/${json.token.id}/revoke`, { token: a.token });
    assert.equal(r.status, 204, r.text);
    assertError(await api('GET', '/api/v1/me', { token: json.secret }), 401, 'unauthorized');
  });

  it("an unknown id, or another user's token, is 404 not_found", async () => {
    const a = await register();
    const b = await register();
    const { json } = await createToken(b.token);
    assertError(await api('DELETE', '/api/v1/me/tokens/999999999', { token: a.token }), 404, 'not_found');
    assertError(await api('DELETE', `/api/v1/me/tokens/${json.token.id}`, { token: a.token }), 404, 'not_found');
    assertError(await api('POST', `/api/v1/me/tokens/${json.token.id}/revoke`, { token: a.token }), 404, 'not_found');
    const still = await api('GET', '/api/v1/me', { token: json.secret });
    assert.equal(still.status, 200, "the other user's token still works");
    const alist = await api('GET', '/api/v1/me/tokens', { token: a.token });
    assert.ok(!alist.json.tokens.some((x) => x.id === json.token.id), "b's token is not in a's list");
  });

  it('validates the name', async () => {
    const a = await register();
    const empty = await api('POST', '/api/v1/me/tokens', { token: a.token, json: { name: '' } });
    assertError(empty, 400, ['missing_field', 'invalid_field'], 'name');
    const missing = await api('POST', '/api/v1/me/tokens', { token: a.token, json: {} });
    assertError(missing, 400, 'missing_field', 'name');
    const long = await api('POST', '/api/v1/me/tokens', { token: a.token, json: { name: 'n'.repeat(65) } });
    assertError(long, 400, 'invalid_field', 'name');
    const ok = await api('POST', '/api/v1/me/tokens', { token: a.token, json: { name: 'n'.repeat(64) } });
    assert.equal(ok.status, 201, ok.text);
  });

  it('needs authentication', async () => {
    assertError(await api('GET', '/api/v1/me/tokens'), 401, 'unauthorized');
    assertError(await api('POST', '/api/v1/me/tokens', { json: { name: 'x' } }), 401, 'unauthorized');
  });

  it('ends with logout/all, as every session does', async () => {
    const a = await register();
    const { json } = await createToken(a.token);
    const r = await api('POST', '/api/v1/logout/all', { token: a.token });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { sessions_ended: 1, tokens_revoked: 1 });
    assertError(await api('GET', '/api/v1/me', { token: a.token }), 401, 'unauthorized');
    assertError(await api('GET', '/api/v1/me', { token: json.secret }), 401, 'unauthorized');
  });

  it('the database holds no secret, only a hash', { skip: !haveDb && 'PARLEY_DB not set' }, async () => {
    const a = await register();
    const { json } = await createToken(a.token, 'db check');
    const rows = sql('select t::text from api_tokens t');
    assert.ok(rows.length > 0, 'api_tokens has rows');
    assert.ok(!rows.includes(json.secret), 'no column holds the secret');
    assert.ok(!rows.includes(json.secret.slice(4)), 'nor the secret without its prefix');
    // a fresh login is not stored in clear anywhere in the table either
    const session = await login(a.username, PASSWORD);
    assert.ok(!sql('select t::text from api_tokens t').includes(session));
  });
});
