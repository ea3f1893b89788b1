// file.test.mjs — encrypted attachments (cgi/e2e/file.h) through the WebAssembly build: round
// trips, files sealed natively opened in WebAssembly and back, and tampering refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { wasm, native, hex } from './wasm.mjs';

const e = await wasm();
const CHUNK = 65536, SEALED = CHUNK + 17;

test('attachments round-trip in WebAssembly and between the two builds', () => {
  for (const n of [1, 1000, CHUNK, CHUNK + 1, 2 * CHUNK + 7]) {
    const plain = new Uint8Array(randomBytes(n));
    const s = e.fileSeal(plain);
    assert.equal(s.blob.length, n + (Math.floor(n / CHUNK) + 1) * 17);
    assert.equal(hex(e.fileOpen(s.key, s.header, s.blob)), hex(plain));
    const [[back]] = native(['file_open', s.key, s.header, s.blob]);
    assert.equal(hex(back), hex(plain), 'sealed in WebAssembly, opened natively');
    const [[k, h, b]] = native(['file_seal', plain]);
    assert.equal(hex(e.fileOpen(k, h, b)), hex(plain), 'sealed natively, opened in WebAssembly');
  }
  const empty = e.fileSeal(new Uint8Array(0));
  assert.equal(e.fileOpen(empty.key, empty.header, empty.blob).length, 0);
});

test('a cut, reordered or flipped blob, or another key, is refused', () => {
  const plain = new Uint8Array(randomBytes(2 * CHUNK + 100));
  const s = e.fileSeal(plain);
  assert.throws(() => e.fileOpen(s.key, s.header, s.blob.subarray(0, 2 * SEALED)), /attachment: malformed/);
  assert.throws(() => e.fileOpen(s.key, s.header, s.blob.subarray(0, s.blob.length - 1)), /attachment/);
  const swapped = new Uint8Array(s.blob);
  swapped.set(s.blob.subarray(SEALED, 2 * SEALED), 0);
  swapped.set(s.blob.subarray(0, SEALED), SEALED);
  assert.throws(() => e.fileOpen(s.key, s.header, swapped), /attachment: does not verify/);
  for (const at of [0, 5000, SEALED + 3, s.blob.length - 1]) {
    const flipped = new Uint8Array(s.blob);
    flipped[at] ^= 1;
    assert.throws(() => e.fileOpen(s.key, s.header, flipped), /attachment: does not verify/);
  }
  const other = e.fileSeal(plain);
  assert.throws(() => e.fileOpen(other.key, s.header, s.blob), /does not verify/);
  assert.throws(() => e.fileOpen(s.key, other.header, s.blob), /does not verify/);
  assert.notEqual(hex(other.blob), hex(s.blob), 'a fresh key each time');
});
