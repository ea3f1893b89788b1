// qr.test.mjs — the QR encoder (cgi/e2e/qr.h) in the WebAssembly build gives the same modules
// as the native build, which tests/unit/test_e2e_qr.c checks against libqrencode; and the
// page's refusals come back as errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasm, native, utf8, hex } from './wasm.mjs';

const e = await wasm();

test('the WebAssembly QR encoder draws what the native one draws', () => {
  const texts = ['052317844918729304518239041283795501283740912387409128374091', '7', 'hello',
    '0123456789012345678901234567890123456789012345678901234567890123', 'end-to-end encrypted: compare these'];
  for (const t of texts) {
    const w = e.qr(t);
    const [[n]] = native(['qr', utf8(t)]);
    assert.equal(w.side * w.side, n.length, t);
    assert.equal(hex(w.modules), hex(n), t);
    assert.equal(w.side, t.length === 60 ? 25 : w.side);
  }
  assert.throws(() => e.qr('x'.repeat(43)), /qr: malformed/);
});
