// e2e-store.js — this browser's end-to-end encryption state in IndexedDB, every value
// sealed with AES-GCM under a key WebCrypto made non-extractable (the page can use it but
// never read it out; IndexedDB keeps the CryptoKey object itself). Values are JSON with
// byte arrays as base64url; callers get plain objects back and own them.

const DB = 'parley-e2e', STORE = 'state';

function open() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function req(db, mode, fn) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const r = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(r && r.result);
    tx.onerror = () => reject(tx.error);
  });
}

export function b64(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 8192) bin += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
export function unb64(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

// The sealing key: the one stored, else `fresh`, stored in the same readwrite transaction
// (transactions on one store run one at a time across tabs), so two tabs opening the store
// for the first time at once agree on one key and neither seals with a key the other dropped.
function keepKey(db, fresh) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, 'readwrite'), s = tx.objectStore(STORE);
    let key = null;
    const r = s.get('key');
    r.onsuccess = () => {
      key = r.result || fresh;
      if (!r.result) s.put(fresh, 'key');
    };
    tx.oncomplete = () => resolve(key);
    tx.onerror = () => reject(tx.error);
  });
}

/** Opens the store; the sealing key is made on first use and never leaves WebCrypto. */
export async function openStore() {
  const db = await open();
  let key = await req(db, 'readonly', (s) => s.get('key'));
  if (!key) key = await keepKey(db, await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']));
  return {
    async get(name) {
      const v = await req(db, 'readonly', (s) => s.get(name));
      if (!v) return null;
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: v.iv, additionalData: new TextEncoder().encode(name) }, key, v.ct);
      return JSON.parse(new TextDecoder().decode(plain));
    },
    /** Every [name, value] whose name starts with prefix (linking a device copies them). */
    async entries(prefix) {
      const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
      const rows = await new Promise((resolve, reject) => {       // one transaction: a consistent view
        const tx = db.transaction(STORE, 'readonly'), got = [], c = tx.objectStore(STORE).openCursor(range);
        c.onsuccess = () => { if (c.result) { got.push([c.result.key, c.result.value]); c.result.continue(); } };
        tx.oncomplete = () => resolve(got);
        tx.onerror = () => reject(tx.error);
      });
      const out = [];
      for (const [name, v] of rows) {
        const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: v.iv, additionalData: new TextEncoder().encode(name) },
          key, v.ct);
        out.push([name, JSON.parse(new TextDecoder().decode(plain))]);
      }
      return out;
    },
    async put(name, value) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(name) }, key,
        new TextEncoder().encode(JSON.stringify(value)));
      await req(db, 'readwrite', (s) => s.put({ iv, ct }, name));
    },
  };
}
