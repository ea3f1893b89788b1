// vectors.test.mjs — the Wycheproof vectors (../shared/vectors/wycheproof/) through the
// WebAssembly build, as tests/unit/test_e2e_vectors.c does natively: every `valid` passes,
// every `invalid` fails; an `acceptable` X25519 case (a low-order or unreduced public key)
// may be refused only when its secret would be all zero. A missing file fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { wasm, vectors, unhex, hex } from './wasm.mjs';

const e = await wasm();

function each(file, check) {
  const data = JSON.parse(readFileSync(vectors + file, 'utf8'));
  const count = { valid: 0, invalid: 0, acceptable: 0 };
  let total = 0;
  for (const g of data.testGroups) {
    for (const t of g.tests) {
      total++;
      const ok = check(g, t);
      if (t.result === 'valid') assert.ok(ok, `${file} tcId ${t.tcId}: valid case failed`);
      else if (t.result === 'invalid') assert.ok(!ok, `${file} tcId ${t.tcId}: invalid case accepted`);
      count[t.result]++;
    }
  }
  assert.equal(total, data.numberOfTests);
  assert.ok(count.valid > 0);
  return count;
}

const aead = (g, t) => {
  const ct = new Uint8Array([...unhex(t.ct), ...unhex(t.tag)]);
  const out = e.aeadOpen(unhex(t.key), unhex(t.iv), unhex(t.aad), ct);
  if (!out || hex(out) !== t.msg) return false;
  const sealed = e.aeadSeal(unhex(t.key), unhex(t.iv), unhex(t.aad), unhex(t.msg));
  return sealed !== null && hex(sealed) === t.ct + t.tag;
};

test('XChaCha20-Poly1305', () => { assert.ok(each('xchacha20_poly1305_test.json', aead).invalid > 0); });
test('ChaCha20-Poly1305', () => { assert.ok(each('chacha20_poly1305_test.json', aead).invalid > 0); });

test('X25519', () => {
  each('x25519_test.json', (g, t) => {
    const out = e.x25519(unhex(t.private), unhex(t.public));
    if (out === null) assert.equal(t.shared, '00'.repeat(32), `tcId ${t.tcId}: refused a non-zero secret`);
    return out !== null && hex(out) === t.shared;
  });
});

test('Ed25519', () => {
  const c = each('ed25519_test.json', (g, t) => e.ed25519Verify(unhex(t.sig), unhex(t.msg), unhex((g.publicKey || g.key).pk)));
  assert.ok(c.invalid > 0);
});

for (const [file, hash] of [['hkdf_sha256_test.json', 32], ['hkdf_sha512_test.json', 64]]) {
  test(`HKDF-SHA-${hash * 8}`, () => {
    const c = each(file, (g, t) => {
      const out = e.hkdf(hash, unhex(t.salt), unhex(t.ikm), unhex(t.info), t.size);
      return out !== null && hex(out) === t.okm;
    });
    assert.ok(c.invalid > 0);
  });
}

for (const [file, hash] of [['hmac_sha256_test.json', 32], ['hmac_sha512_test.json', 64]]) {
  test(`HMAC-SHA-${hash * 8}`, () => {
    const c = each(file, (g, t) => {
      const tag = e.hmac(hash, unhex(t.key), unhex(t.msg)).subarray(0, g.tagSize / 8);
      return t.tag.length === g.tagSize / 4 && hex(tag) === t.tag;
    });
    assert.ok(c.invalid > 0);
  });
}
