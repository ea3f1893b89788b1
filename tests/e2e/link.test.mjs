// link.test.mjs — linking a new device (cgi/e2e/link.h) through the WebAssembly build: the
// code read back, both sides deriving the same key (one in WebAssembly, one natively), the
// transfer sealed in one build and opened in the other, and refusals of a wrong code's key,
// a swapped public key, a tampered or truncated transfer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { wasm, native, hex, utf8 } from './wasm.mjs';

const e = await wasm();
const CHUNK = 65536, HEAD = 26, FULL = CHUNK + 17;

test('the code: 50 digits that read back as the id and the secret, spaces or not', () => {
  const secret = new Uint8Array(randomBytes(16));
  const code = e.linkCode('0042424242', secret);
  assert.match(code, /^\d{50}$/);
  assert.equal(code.slice(0, 10), '0042424242');
  const back = e.linkCodeParse(code.match(/.{5}/g).join(' '));
  assert.equal(back.id, '0042424242');
  assert.equal(hex(back.secret), hex(secret));
  for (const bad of ['', code.slice(1), `${code}1`, `${code.slice(0, 20)}x${code.slice(21)}`, `${code.slice(0, 10)}99999${code.slice(15)}`]) {
    assert.throws(() => e.linkCodeParse(bad), /link code: malformed/);
  }
  // The QR code of a code: numeric, so it fits the module's encoder.
  assert.ok(e.qr(code).side <= 29);
});

test('both sides derive one key, across the two builds; the transfer opens in either', () => {
  const fresh = e.linkKeypair(), old = e.linkKeypair(), secret = new Uint8Array(randomBytes(16)), id = '1234567890';
  const kNew = e.linkKey(fresh.secret, old.public, fresh.public, old.public, secret, id);
  const kOld = e.linkKey(old.secret, fresh.public, fresh.public, old.public, secret, id);
  assert.equal(hex(kNew), hex(kOld));
  const [[kNative]] = native(['link_key', old.secret, fresh.public, fresh.public, old.public, secret, utf8(id)]);
  assert.equal(hex(kNative), hex(kNew), 'the native build derives the same key');
  for (const n of [0, 1, 5000, CHUNK, CHUNK + 1, 2 * CHUNK + 9]) {
    const plain = new Uint8Array(randomBytes(n));
    const sealed = e.linkSeal(kOld, plain);
    assert.equal(sealed.length, HEAD + n + (Math.floor(n / CHUNK) + 1) * 17);
    assert.equal(hex(e.linkOpen(kNew, sealed)), hex(plain));
    if (!n) continue;                     // the command line takes no empty argument
    const [[back]] = native(['link_open', kNew, sealed]);
    assert.equal(hex(back), hex(plain), 'sealed in WebAssembly, opened natively');
    const [[nat]] = native(['link_seal', kOld, plain]);
    assert.equal(hex(e.linkOpen(kNew, nat)), hex(plain), 'sealed natively, opened in WebAssembly');
  }
});

test('a wrong code, a swapped key, a tampered or truncated transfer: refused', () => {
  const fresh = e.linkKeypair(), old = e.linkKeypair(), secret = new Uint8Array(randomBytes(16)), id = '1234567890';
  const kOld = e.linkKey(old.secret, fresh.public, fresh.public, old.public, secret, id);
  const plain = new Uint8Array(randomBytes(2 * CHUNK + 100));
  const sealed = e.linkSeal(kOld, plain);
  const wrong = new Uint8Array(secret);
  wrong[3] ^= 1;
  assert.throws(() => e.linkOpen(e.linkKey(fresh.secret, old.public, fresh.public, old.public, wrong, id), sealed),
    /transfer: does not verify/);
  // The server put its own key in place of the new device's: the old device sealed under a
  // key from the server's key; without the secret the server cannot open it, and what the
  // new device derives does not open it either.
  const server = e.linkKeypair();
  const kSwapped = e.linkKey(old.secret, server.public, server.public, old.public, secret, id);
  const toServer = e.linkSeal(kSwapped, plain);
  assert.throws(() => e.linkOpen(e.linkKey(server.secret, old.public, server.public, old.public, new Uint8Array(16), id),
    toServer), /does not verify/);
  assert.throws(() => e.linkOpen(e.linkKey(fresh.secret, old.public, fresh.public, old.public, secret, id), toServer),
    /does not verify/);
  const kNew = e.linkKey(fresh.secret, old.public, fresh.public, old.public, secret, id);
  for (const at of [2, HEAD + 1, HEAD + FULL + 7, sealed.length - 1]) {
    const t = new Uint8Array(sealed);
    t[at] ^= 0x10;
    assert.throws(() => e.linkOpen(kNew, t), /transfer: does not verify/);
  }
  assert.throws(() => e.linkOpen(kNew, sealed.subarray(0, HEAD + 2 * FULL)), /transfer: malformed/);
  assert.throws(() => e.linkOpen(kNew, sealed.subarray(0, sealed.length - 1)), /transfer/);
  assert.throws(() => e.linkOpen(kNew, sealed.subarray(0, 10)), /transfer: malformed/);
  assert.equal(hex(e.linkOpen(kNew, sealed)), hex(plain));
});
