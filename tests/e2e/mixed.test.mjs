// mixed.test.mjs — one conversation driven half by the native build of cgi/e2e/ (the
// command line build/e2e/parley-e2e, with the sanitizers) and half by the WebAssembly build
// (static/e2e.wasm through static/js/e2e.js): the wire and state formats are the same, so
// Alice can be native and Bob in the browser, and a state saved by one loads in the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasm, native, utf8, text, hex } from './wasm.mjs';

const e = await wasm();

test('a native device and a WebAssembly device talk, in order and out of order', () => {
  // Bob (WebAssembly) publishes a bundle; Alice (native) starts the session from it.
  const bob = e.identityNew();
  const spk = e.signedPrekeyNew(bob, 1);
  const opk = e.onetimePrekeyNew(77);
  const bundle = e.bundle(bob, spk.state, opk.state);
  let [[alice, alicePub]] = native(['identity_new']);
  let [[sa]] = native(['initiate', alice, bundle]);
  let [[sa1, m1]] = native(['encrypt', sa, utf8('hello from C')]);
  sa = sa1;
  const peek = e.prekeyMessagePeek(m1);
  assert.equal(hex(peek.identity), hex(alicePub));
  assert.equal(peek.spkId, 1);
  assert.equal(peek.opkId, 77);
  let r = e.sessionRespond(bob, spk.state, opk.state, m1);
  assert.equal(text(r.plaintext), 'hello from C');
  let sb = r.session;
  for (let i = 0; i < 5; i++) {
    const w = e.encrypt(sb, utf8(`wasm ${i}`));
    sb = w.session;
    const [[s2, plain]] = native(['decrypt', sa, w.message]);
    sa = s2;
    assert.equal(text(plain), `wasm ${i}`);
    const [[s3, msg]] = native(['encrypt', sa, utf8(`native ${i}`)]);
    sa = s3;
    const d = e.decrypt(sb, msg);
    sb = d.session;
    assert.equal(text(d.plaintext), `native ${i}`);
  }
  // Three from native, delivered to WebAssembly backwards; a replay refused.
  const msgs = [];
  for (const t of ['one', 'two', 'three']) {
    const [[s, m]] = native(['encrypt', sa, utf8(t)]);
    sa = s;
    msgs.push(m);
  }
  for (const [i, t] of [[2, 'three'], [1, 'two'], [0, 'one']]) {
    const d = e.decrypt(sb, msgs[i]);
    sb = d.session;
    assert.equal(text(d.plaintext), t);
  }
  assert.throws(() => e.decrypt(sb, msgs[1]), (err) => err.code === -4);
  // Alice's saved state moves from the native build into the WebAssembly one, and on.
  const w = e.encrypt(sa, utf8('alice now in the browser'));
  const d = e.decrypt(sb, w.message);
  assert.equal(text(d.plaintext), 'alice now in the browser');
  sb = d.session;
  const back = e.encrypt(sb, utf8('and bob moves to C'));
  const [[, plain]] = native(['decrypt', w.session, back.message]);
  assert.equal(text(plain), 'and bob moves to C');
});

test('the same safety number from both builds', () => {
  const a = e.identityNew(), b = e.identityNew();
  const pa = e.identityPublic(a), pb = e.identityPublic(b);
  const fromWasm = e.safetyNumber(pa, 17, pb, 23);
  const [[digits]] = native(['safety', pa, utf8('17'), pb, utf8('23')]);
  assert.match(fromWasm, /^[0-9]{60}$/);
  assert.equal(text(digits), fromWasm);
  assert.equal(e.safetyNumber(pb, 23, pa, 17), fromWasm);
});

test('groups: a native sender and WebAssembly members, and back', () => {
  let [[own]] = native(['group_new', '1']);
  const [[dist]] = native(['group_distribution', own]);
  let m1 = e.groupAccept(dist), m2 = e.groupAccept(dist);
  const [[own2, msg]] = native(['group_encrypt', own, utf8('to the group')]);
  own = own2;
  for (const m of [m1, m2]) assert.equal(text(e.groupDecrypt(m, msg).plaintext), 'to the group');
  m1 = e.groupDecrypt(m1, msg).state;
  // A WebAssembly sender, a native member.
  let g = e.groupNew(9);
  const [[member]] = native(['group_accept', e.groupDistribution(g)]);
  const out = e.groupEncrypt(g, utf8('from the browser'));
  g = out.state;
  const [[, plain]] = native(['group_decrypt', member, out.message]);
  assert.equal(text(plain), 'from the browser');
  // Rotation after removal: the old member state cannot read the new key's messages.
  g = e.groupRotate(g);
  const after = e.groupEncrypt(g, utf8('after removal'));
  assert.throws(() => native(['group_decrypt', member, after.message]), /not possible in this state/);
});
