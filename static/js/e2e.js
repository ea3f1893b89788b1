// e2e.js — loads static/e2e.wasm (cgi/e2e/ built for wasm32-wasi) and gives it a small API
// over bytes: every state (identity, prekeys, sessions, sender keys) goes in and comes out as
// a Uint8Array, for the page to keep (encrypted) in IndexedDB. The WASI shim's only real
// import is random_get, from crypto.getRandomValues. Runs in browsers and in Node (tests,
// make bench). Errors throw E2EError whose code is the module's (cgi/e2e/e2e.h).
//
// const e2e = await loadE2E('/static/e2e.wasm');   // or the file's bytes

const CODES = { '-1': 'malformed', '-2': 'does not verify', '-3': 'too far ahead', '-4': 'already received',
  '-5': 'not possible in this state', '-6': 'buffer too small', '-7': 'unusable key' };

export class E2EError extends Error {
  constructor(code, what) { super(`${what}: ${CODES[code] || 'error ' + code}`); this.code = code; }
}

const SESSION_MAX = 68281;      // E2E_SESSION_MAX
const GROUP_MAX = 36147;        // E2E_GROUP_MAX
const OVERHEAD = 200;           // more than any message's overhead over its plaintext

function wasi(memory) {
  const ENOSYS = 52;
  return {
    random_get(ptr, len) {
      for (let off = 0; off < len; off += 65536) {
        crypto.getRandomValues(new Uint8Array(memory().buffer, ptr + off, Math.min(65536, len - off)));
      }
      return 0;
    },
    fd_write: () => ENOSYS, fd_close: () => ENOSYS, fd_seek: () => ENOSYS, poll_oneoff: () => ENOSYS,
    proc_exit: (code) => { throw new Error(`e2e.wasm exited (${code})`); },
    environ_get: () => 0, environ_sizes_get: (c, s) => { new DataView(memory().buffer).setUint32(c, 0, true); new DataView(memory().buffer).setUint32(s, 0, true); return 0; },
  };
}

export async function loadE2E(source) {
  let memory = null;
  const imports = { wasi_snapshot_preview1: wasi(() => memory) };
  let instance;
  if (typeof source === 'string' || source instanceof URL) source = await fetch(source);
  if (typeof Response !== 'undefined' && source instanceof Response) {
    ({ instance } = await WebAssembly.instantiateStreaming(source, imports));
  } else {
    ({ instance } = await WebAssembly.instantiate(source, imports));
  }
  const x = instance.exports;
  memory = x.memory;
  x._initialize();
  if (x.init() !== 0) throw new Error('e2e.wasm: libsodium did not start');
  return api(x);
}

function api(x) {
  const heap = () => new Uint8Array(x.memory.buffer);
  // Runs fn with every argument copied into the module's memory (Uint8Array → pointer,
  // a number n in `out` → an n-byte zeroed buffer) and frees them all afterwards.
  function withMem(fn) {
    const ptrs = [];
    const put = (bytes) => { const p = x.alloc(bytes.length); heap().set(bytes, p); ptrs.push(p); return p; };
    const buf = (n) => { const p = x.alloc(n); ptrs.push(p); return p; };
    const get = (p, n) => heap().slice(p, p + n);
    try { return fn(put, buf, get); } finally { for (const p of ptrs) x.free(p); }
  }
  const check = (rc, what) => { if (rc < 0) throw new E2EError(rc, what); return rc; };
  const sizes = { identity: x.sizeof_identity(), prekey: x.sizeof_prekey(), bundle: x.sizeof_bundle(),
    session: x.sizeof_session(), group: x.sizeof_group() };

  const loadInto = (put, buf, kind, state) => {
    const p = buf(sizes[kind]);
    check(x[kind === 'group' ? 'group_load' : kind + '_load'](p, put(state), state.length), `${kind} state`);
    return p;
  };
  const saveFrom = (buf, get, kind, p, cap) => {
    const o = buf(cap);
    return get(o, check(x[kind + '_save'](p, o, cap), `${kind} save`));
  };

  return {
    exports: x,
    // Primitives (SHA-256 is 32, SHA-512 64).
    hmac: (hash, key, msg) => withMem((put, buf, get) => {
      const o = buf(64); check(x.hmac(hash, put(key), key.length, put(msg), msg.length, o), 'hmac'); return get(o, hash);
    }),
    hkdf: (hash, salt, ikm, info, len) => withMem((put, buf, get) => {
      const o = buf(len || 1);
      const rc = x.hkdf(hash, put(salt), salt.length, put(ikm), ikm.length, put(info), info.length, o, len);
      return rc < 0 ? null : get(o, len);
    }),
    x25519: (scalar, point) => withMem((put, buf, get) => {
      if (scalar.length !== 32 || point.length !== 32) return null;
      const o = buf(32); return x.x25519(put(scalar), put(point), o) < 0 ? null : get(o, 32);
    }),
    ed25519Verify: (sig, msg, pk) => withMem((put) => sig.length === 64 && pk.length === 32 &&
      x.ed25519_verify(put(sig), put(msg), msg.length, put(pk)) === 0),
    aeadSeal: (key, nonce, ad, msg) => withMem((put, buf, get) => {
      const o = buf(msg.length + 16);
      const n = x.aead_seal(put(key), key.length, put(nonce), nonce.length, put(ad), ad.length, put(msg), msg.length, o);
      return n < 0 ? null : get(o, n);
    }),
    aeadOpen: (key, nonce, ad, ct) => withMem((put, buf, get) => {
      const o = buf(ct.length + 1);
      const n = x.aead_open(put(key), key.length, put(nonce), nonce.length, put(ad), ad.length, put(ct), ct.length, o);
      return n < 0 ? null : get(o, n);
    }),

    // Keys: identity and prekey states are secrets; the public parts go to the key directory.
    identityNew: () => withMem((put, buf, get) => {
      const p = buf(sizes.identity); check(x.identity_new(p), 'identity');
      return saveFrom(buf, get, 'identity', p, 66);
    }),
    identityPublic: (state) => withMem((put, buf, get) => get(x.identity_public(loadInto(put, buf, 'identity', state)), 32)),
    signedPrekeyNew: (identity, id) => withMem((put, buf, get) => {
      const p = buf(sizes.prekey);
      check(x.signed_prekey_new(p, loadInto(put, buf, 'identity', identity), id >>> 0), 'signed prekey');
      return { id, state: saveFrom(buf, get, 'prekey', p, 102), public: get(x.prekey_public(p), 32),
        signature: get(x.prekey_signature(p), 64) };
    }),
    /** A kept prekey state's public key and (for a signed prekey) signature, to send again. */
    prekeyPublic: (state) => withMem((put, buf, get) => {
      const p = loadInto(put, buf, 'prekey', state);
      return { public: get(x.prekey_public(p), 32), signature: get(x.prekey_signature(p), 64) };
    }),
    onetimePrekeyNew: (id) => withMem((put, buf, get) => {
      const p = buf(sizes.prekey); check(x.onetime_prekey_new(p, id >>> 0), 'one-time prekey');
      return { id, state: saveFrom(buf, get, 'prekey', p, 102), public: get(x.prekey_public(p), 32) };
    }),
    bundle: (identity, spk, opk) => withMem((put, buf, get) => {
      const o = buf(256);
      const n = x.bundle_encode(loadInto(put, buf, 'identity', identity), loadInto(put, buf, 'prekey', spk),
        opk ? loadInto(put, buf, 'prekey', opk) : 0, o, 256);
      return get(o, check(n, 'bundle'));
    }),
    safetyNumber: (ikA, idA, ikB, idB) => withMem((put, buf, get) => {
      const te = new TextEncoder(), a = te.encode(String(idA)), b = te.encode(String(idB));
      const o = buf(61);
      x.safety_number(put(ikA), put(a), a.length, put(ikB), put(b), b.length, o);
      return new TextDecoder().decode(get(o, 60));
    }),

    /** An attachment sealed under a fresh key: {key, header, blob} (key and header go in the message). */
    fileSeal: (plain) => withMem((put, buf, get) => {
      const k = buf(32), h = buf(24), cap = x.file_sealed_len(plain.length), o = buf(cap);
      const n = check(x.file_seal(k, h, put(plain), plain.length, o, cap), 'attachment');
      return { key: get(k, 32), header: get(h, 24), blob: get(o, n) };
    }),
    /** The attachment's bytes, or an E2EError when the blob is cut, reordered or tampered with. */
    fileOpen: (key, header, blob) => withMem((put, buf, get) => {
      if (key.length !== 32 || header.length !== 24) throw new E2EError(-1, 'attachment');
      const o = buf(blob.length);
      return get(o, check(x.file_open(put(key), put(header), put(blob), blob.length, o, blob.length), 'attachment'));
    }),
    // Linking a new device (cgi/e2e/link.h): a fresh key pair, the code, the channel key, and
    // the transfer sealed and opened (E2EError -2 for another code, tampering; -1 when cut).
    linkKeypair: () => withMem((put, buf, get) => {
      const sk = buf(32), pk = buf(32); check(x.link_keypair(sk, pk), 'link key');
      return { secret: get(sk, 32), public: get(pk, 32) };
    }),
    linkCode: (id, secret) => withMem((put, buf, get) => {
      const o = buf(51);
      check(x.link_code(put(new TextEncoder().encode(`${id}\0`)), put(secret), o), 'link code');
      return new TextDecoder().decode(get(o, 50));
    }),
    linkCodeParse: (text) => withMem((put, buf, get) => {
      const t = new TextEncoder().encode(text), id = buf(11), s = buf(16);
      check(x.link_code_parse(put(t), t.length, id, s), 'link code');
      return { id: new TextDecoder().decode(get(id, 10)), secret: get(s, 16) };
    }),
    linkKey: (mySecret, peerPublic, newPublic, oldPublic, secret, id) => withMem((put, buf, get) => {
      const k = buf(32);
      check(x.link_key(k, put(mySecret), put(peerPublic), put(newPublic), put(oldPublic), put(secret),
        put(new TextEncoder().encode(`${id}\0`))), 'link key');
      return get(k, 32);
    }),
    linkSeal: (key, plain) => withMem((put, buf, get) => {
      const cap = x.link_sealed_len(plain.length), o = buf(cap);
      return get(o, check(x.link_seal(put(key), put(plain), plain.length, o, cap), 'transfer'));
    }),
    linkOpen: (key, sealed) => withMem((put, buf, get) => {
      const o = buf(sealed.length);
      return get(o, check(x.link_open(put(key), put(sealed), sealed.length, o, sealed.length), 'transfer'));
    }),
    /** text (a string) as a QR code: {side, modules} with modules[y * side + x] 1 for dark. */
    qr: (str) => withMem((put, buf, get) => {
      const t = new TextEncoder().encode(str), cap = 29 * 29, o = buf(cap);
      const side = check(x.qr_encode(put(t), t.length, o, cap), 'qr');
      return { side, modules: get(o, side * side) };
    }),

    // One-to-one sessions.
    sessionInitiate: (identity, bundle) => withMem((put, buf, get) => {
      const b = buf(sizes.bundle); check(x.bundle_decode(b, put(bundle), bundle.length), 'bundle');
      const s = buf(sizes.session);
      check(x.session_initiate(s, loadInto(put, buf, 'identity', identity), b), 'session');
      return saveFrom(buf, get, 'session', s, SESSION_MAX);
    }),
    prekeyMessagePeek: (msg) => withMem((put, buf, get) => {
      const ik = buf(32), spk = buf(4), has = buf(4), opk = buf(4);
      check(x.prekey_message_peek(put(msg), msg.length, ik, spk, has, opk), 'prekey message');
      const dv = new DataView(x.memory.buffer);
      return { identity: get(ik, 32), spkId: dv.getUint32(spk, true), opkId: dv.getInt32(has, true) ? dv.getUint32(opk, true) : null };
    }),
    sessionRespond: (identity, spk, opk, msg) => withMem((put, buf, get) => {
      const s = buf(sizes.session), o = buf(msg.length);
      const n = check(x.session_respond(s, loadInto(put, buf, 'identity', identity), loadInto(put, buf, 'prekey', spk),
        opk ? loadInto(put, buf, 'prekey', opk) : 0, put(msg), msg.length, o, msg.length), 'prekey message');
      return { session: saveFrom(buf, get, 'session', s, SESSION_MAX), plaintext: get(o, n) };
    }),
    encrypt: (session, plain) => withMem((put, buf, get) => {
      const s = loadInto(put, buf, 'session', session), cap = plain.length + OVERHEAD, o = buf(cap);
      const n = check(x.session_encrypt(s, put(plain), plain.length, o, cap), 'encrypt');
      return { session: saveFrom(buf, get, 'session', s, SESSION_MAX), message: get(o, n) };
    }),
    decrypt: (session, msg) => withMem((put, buf, get) => {
      const s = loadInto(put, buf, 'session', session), o = buf(msg.length);
      const n = check(x.session_decrypt(s, put(msg), msg.length, o, msg.length), 'decrypt');
      return { session: saveFrom(buf, get, 'session', s, SESSION_MAX), plaintext: get(o, n) };
    }),

    // Groups: our own sender key, other devices' from their distribution messages.
    groupNew: (id) => withMem((put, buf, get) => {
      const k = buf(sizes.group); check(x.group_new(k, id >>> 0), 'group'); return saveFrom(buf, get, 'group', k, GROUP_MAX);
    }),
    groupRotate: (state) => withMem((put, buf, get) => {
      const k = loadInto(put, buf, 'group', state); check(x.group_rotate(k), 'rotate');
      return saveFrom(buf, get, 'group', k, GROUP_MAX);
    }),
    groupDistribution: (state) => withMem((put, buf, get) => {
      const o = buf(73); return get(o, check(x.group_distribution(loadInto(put, buf, 'group', state), o, 73), 'distribution'));
    }),
    groupAccept: (dist) => withMem((put, buf, get) => {
      const k = buf(sizes.group); check(x.group_accept(k, put(dist), dist.length), 'distribution');
      return saveFrom(buf, get, 'group', k, GROUP_MAX);
    }),
    groupEncrypt: (state, plain) => withMem((put, buf, get) => {
      const k = loadInto(put, buf, 'group', state), cap = plain.length + OVERHEAD, o = buf(cap);
      const n = check(x.group_encrypt(k, put(plain), plain.length, o, cap), 'group encrypt');
      return { state: saveFrom(buf, get, 'group', k, GROUP_MAX), message: get(o, n) };
    }),
    groupDecrypt: (state, msg) => withMem((put, buf, get) => {
      const k = loadInto(put, buf, 'group', state), o = buf(msg.length);
      const n = check(x.group_decrypt(k, put(msg), msg.length, o, msg.length), 'group decrypt');
      return { state: saveFrom(buf, get, 'group', k, GROUP_MAX), plaintext: get(o, n) };
    }),
  };
}
