// GET /healthz: no prefix, always JSON, names each dependency.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertSecurityHeaders } from './lib.mjs';

describe('health', () => {
  it('GET /healthz is 200 {status:"ok",postgres:"ok",redis:"ok"}', async () => {
    const r = await api('GET', '/healthz');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') || '', /^application\/json/i);
    assert.equal(r.json.status, 'ok');
    assert.equal(r.json.postgres, 'ok');
    assert.equal(r.json.redis, 'ok');
    assertSecurityHeaders(r, '/healthz');
  });

  it('answers JSON even when the client asks for HTML', async () => {
    const r = await api('GET', '/healthz', { headers: { Accept: 'text/html' } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^application\/json/i);
    assert.equal(r.json.status, 'ok');
  });
});
