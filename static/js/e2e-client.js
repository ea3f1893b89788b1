// e2e-client.js — this browser as one end-to-end encryption device of the signed-in person:
// its keys made in static/e2e.wasm and registered in the key directory, its pairwise
// sessions (X3DH, then the Double Ratchet) with every other device, and messages encrypted
// to all of a conversation's devices (in a group once, under this device's sender key) and
// decrypted from the envelope addressed to it or with the sender's key.
// Every state is kept by e2e-store.js; plaintexts once read are kept there too, since a
// ratchet's keys open a message only once.

import { loadE2E } from './e2e.js';
import { openStore, b64, unb64 } from './e2e-store.js';
import { csrfToken, uuid } from './net.js';

const PREKEYS = 20;
const OLDER = 2;          // earlier sessions kept per device (see read)
const PLAIN_MAX = 60000;  // bytes of a message's JSON: its ciphertext stays under the server's 64 KiB

async function api(method, path, body) {
  const r = await fetch(`/api/v1${path}`, {
    method, credentials: 'same-origin',
    headers: { Accept: 'application/json', 'X-CSRF-Token': csrfToken(), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) {
    const err = new Error((data.error && data.error.message) || `HTTP ${r.status}`);
    err.status = r.status;
    err.field = data.error && data.error.field;
    throw err;
  }
  return data;
}

// fn run while no other tab of this browser runs it for the same name (Web Locks), so two
// tabs opened at once make one device, not two; without Web Locks, it simply runs.
function exclusive(name, fn) {
  return navigator.locks ? navigator.locks.request(`parley-e2e:${name}`, fn) : fn();
}

// fn(...args) one call at a time, in order, for each queue made by serialOf().
function serialOf() {
  let chain = Promise.resolve();
  return (fn) => { const run = chain.then(fn); chain = run.catch(() => {}); return run; };
}

/** The device of user `me` in this browser, registered on first use. */
export async function openDevice(me) {
  const [e2e, store] = await Promise.all([loadE2E('/static/e2e.wasm'), openStore()]);
  const name = `device:${me}`;
  // Registered by whichever tab gets the lock first; the others find it in the store.
  let dev = await exclusive(name, async () => {
    let d = await store.get(name);
    if (d) return d;
    const identity = e2e.identityNew();
    const spk = e2e.signedPrekeyNew(identity, 1);
    const otks = Array.from({ length: PREKEYS }, (_, i) => e2e.onetimePrekeyNew(i + 1));
    d = { id: uuid(), identity: b64(identity), spk: { id: 1, state: b64(spk.state) },
      opks: Object.fromEntries(otks.map((k) => [k.id, b64(k.state)])), nextOpk: PREKEYS + 1 };
    await api('PUT', `/devices/${d.id}/keys`, {
      identity_key: b64(e2e.identityPublic(identity)),
      signed_prekey: { id: 1, key: b64(spk.public), signature: b64(spk.signature) },
      one_time_prekeys: otks.map((k) => ({ id: k.id, key: b64(k.public) })),
    });
    await store.put(name, d);
    return d;
  });
  // The device record changed under the lock from what the store holds now (another tab may
  // have taken or added prekeys since this one read it).
  const updateDev = (fn) => exclusive(name, async () => {
    dev = (await store.get(name)) || dev;
    await fn(dev);
    await store.put(name, dev);
  });
  // When the server's count of this device's one-time prekeys is low (each bundle fetched
  // takes one), make and send more, keeping their secret halves first.
  async function refill() {
    await updateDev(async (d) => {
      const mine = (await api('GET', `/devices/${d.id}/keys`)).device;
      if (!mine.prekeys_low) return;
      const first = d.nextOpk || Math.max(0, ...Object.keys(d.opks).map(Number)) + 1;
      const otks = Array.from({ length: PREKEYS }, (_, i) => e2e.onetimePrekeyNew(first + i));
      for (const k of otks) d.opks[k.id] = b64(k.state);
      d.nextOpk = first + PREKEYS;
      await store.put(name, d);
      const spk = e2e.prekeyPublic(unb64(d.spk.state));
      await api('PUT', `/devices/${d.id}/keys`, {
        identity_key: b64(e2e.identityPublic(unb64(d.identity))),
        signed_prekey: { id: d.spk.id, key: b64(spk.public), signature: b64(spk.signature) },
        one_time_prekeys: otks.map((k) => ({ id: k.id, key: b64(k.public) })),
      });
    });
  }
  await refill().catch(() => {});   // a failed refill is tried again on the next page
  const identity = unb64(dev.identity);
  const sessionName = (peer) => `session:${me}:${dev.id}:${peer}`;
  const groupName = (convId) => `gown:${me}:${dev.id}:${convId}`;                  // {state, sentTo: [device ids]}
  const gkeyName = (convId, from) => `gkey:${me}:${dev.id}:${convId}:${from}`;    // {states: newest first}
  const known = new Map();    // user id → their devices (bundles), fetched once per page
  let onNotices = () => {};   // hears of new key-change and new-device notices (see notices)

  // A person without devices yet is asked again next time.
  async function devicesOf(uid, convId) {
    if (known.has(uid)) return known.get(uid);
    const list = (await api('GET', `/users/${uid}/devices`)).devices;
    if (list.length) known.set(uid, list);
    const fresh = await noteDevices(convId, uid, list);
    if (fresh.length) onNotices(fresh);
    return list;
  }
  // The identity key of the first device of uid this device has had a session with.
  async function notePeer(uid, identityKey) {
    if (!(await store.get(`peer:${me}:${uid}`))) await store.put(`peer:${me}:${uid}`, identityKey);
  }

  // Key-change and new-device notices, per conversation: `devs:` holds the devices (id →
  // identity key) of each other member as last seen in it, `notices:` what was announced.
  // The first look at a member records without a notice; later a device not seen before is
  // "added a device", and the direct peer's safety-number device gone is "key changed".
  const seen = serialOf();
  const noticesName = (convId) => `notices:${me}:${convId}`;
  const noteDevices = (convId, uid, list) => seen(async () => {
    if (uid === me) return [];
    const devsName = `devs:${me}:${convId}`;
    const all = (await store.get(devsName)) || {};
    const before = all[uid];
    all[uid] = Object.fromEntries(list.map((d) => [d.id, d.identity_key]));
    await store.put(devsName, all);
    if (!before || !Object.keys(before).length) return [];   // first look, or their first device
    const fresh = [];
    for (const d of list) {
      if (!(d.id in before)) fresh.push({ at: Date.now(), uid, kind: 'device', key: d.identity_key });
      else if (before[d.id] !== d.identity_key) fresh.push({ at: Date.now(), uid, kind: 'key', key: d.identity_key });
    }
    const peerKey = await store.get(`peer:${me}:${uid}`);
    if (peerKey && list.length && !list.some((d) => d.identity_key === peerKey)) {
      const newest = list[list.length - 1].identity_key;          // oldest first: the last is newest
      await store.put(`peer:${me}:${uid}`, newest);
      const n = fresh.find((x) => x.key === newest);
      if (n) n.kind = 'key'; else fresh.push({ at: Date.now(), uid, kind: 'key', key: newest });
    }
    if (fresh.length) await store.put(noticesName(convId), [...((await store.get(noticesName(convId))) || []), ...fresh]);
    return fresh;
  });

  // One device's session, created from its bundle when there is none.
  async function sessionWith(d) {
    const s = await store.get(sessionName(d.id));
    if (s) return s;
    return { state: b64(e2e.sessionInitiate(identity, unb64(d.bundle))), identity: d.identity_key };
  }


  // One thing at a time: a session's state is read, advanced and written back whole.
  const queue = serialOf();
  const serial = (fn) => (...args) => queue(() => fn(...args));

  return {
    id: dev.id,
    /** The notices kept for a conversation, oldest first; fn(list) hears of new ones. */
    notices: (convId) => store.get(noticesName(convId)).then((l) => l || []),
    onNotices: (fn) => { onNotices = fn; },
    /** Looks at the other members' devices now (no prekey taken); new notices go to onNotices. */
    checkDevices: async (convId, memberIds) => {
      for (const uid of memberIds) {
        if (uid === me) continue;
        const list = (await api('GET', `/users/${uid}/devices?keys_only=1`)).devices;
        const fresh = await noteDevices(convId, uid, list);
        if (fresh.length) onNotices(fresh);
      }
    },
    identityKey: e2e.identityPublic(identity),
    /** text as a QR code (static/e2e.wasm's encoder): {side, modules}. */
    qr: (text) => e2e.qr(text),
    safetyNumber: (myUid, peerKey, peerUid) => e2e.safetyNumber(e2e.identityPublic(identity), myUid, unb64(peerKey), peerUid),
    /** The identity key of the first device of `uid` this device has a session with (or null). */
    peerIdentity: (uid) => store.get(`peer:${me}:${uid}`),

    /**
     * Encrypts text (and files: [{name, mime, bytes}]) to every device of `memberIds` but this
     * one; sends it; keeps the plaintext. Each file is sealed under a fresh key (e2e.wasm's
     * secretstream) and uploaded as an opaque blob; its key, header, name, type and the
     * blob's SHA-256 go inside the message.
     */
    send: serial(async (convId, memberIds, text, files = [], { group = false } = {}) => {
      const attached = [];
      for (const f of files) {
        const sealed = e2e.fileSeal(f.bytes);
        const up = await fetch('/api/v1/media?opaque=1&name=encrypted', {
          method: 'POST', credentials: 'same-origin', body: sealed.blob,
          headers: { Accept: 'application/json', 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': csrfToken() },
        });
        const data = await up.json().catch(() => ({}));
        if (!up.ok) throw new Error((data.error && data.error.message) || `upload: HTTP ${up.status}`);
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', sealed.blob));
        attached.push({ id: data.media.id, name: f.name, mime: f.mime || 'application/octet-stream', size: f.bytes.length,
          key: b64(sealed.key), header: b64(sealed.header), sha256: b64(digest),
          ...(f.thumb ? { width: f.thumb.width, height: f.thumb.height, thumb: b64(f.thumb.bytes), thumb_mime: f.thumb.mime } : {}) });
      }
      // A photo's preview (e2e-thumb.js) rides inside the message; a ciphertext holds at most
      // 64 KiB, so previews that do not fit are left out, the last first (the photo stays).
      for (let i = attached.length - 1; i >= 0 && new TextEncoder().encode(JSON.stringify({ v: 1, body: text, files: attached })).length > PLAIN_MAX; i--) {
        delete attached[i].thumb;
        delete attached[i].thumb_mime;
      }
      const content = { body: text, files: attached };
      const plain = new TextEncoder().encode(JSON.stringify({ v: 1, ...content }));
      const clientId = uuid();
      const attemptPairwise = async () => {
        const envelopes = [];
        for (const uid of memberIds) {
          for (const d of await devicesOf(uid, convId)) {
            if (d.id === dev.id) continue;
            const s = await sessionWith(d);
            const out = e2e.encrypt(unb64(s.state), plain);
            await store.put(sessionName(d.id), { ...s, state: b64(out.session) });
            await notePeer(uid, s.identity);
            envelopes.push({ device_id: d.id, type: out.message[0] === 0x12 ? 'prekey' : 'message', ciphertext: b64(out.message) });
          }
        }
        return api('POST', `/conversations/${convId}/messages`, { device_id: dev.id, client_id: clientId, all_devices: true,
          envelopes, ...(attached.length ? { media_ids: attached.map((f) => f.id) } : {}) });
      };
      // A group: the message once under this device's sender key; the key itself (a
      // distribution message) pairwise to each device that does not have it yet, and to all
      // again under a new key when a device it was given to is no longer among the members'.
      const attemptGroup = async () => {
        const targets = [];
        for (const uid of memberIds) {
          for (const d of await devicesOf(uid, convId)) if (d.id !== dev.id) targets.push({ uid, d });
        }
        const ids = new Set(targets.map((t) => t.d.id));
        let own = await store.get(groupName(convId));
        if (own && own.sentTo.some((id) => !ids.has(id))) own = { state: b64(e2e.groupRotate(unb64(own.state))), sentTo: [] };
        if (!own) own = { state: b64(e2e.groupNew(1)), sentTo: [] };
        const dist = new TextEncoder().encode(JSON.stringify({ v: 1, dist: b64(e2e.groupDistribution(unb64(own.state))) }));
        const fresh = targets.filter((t) => !own.sentTo.includes(t.d.id));
        const envelopes = [];
        for (const { uid, d } of fresh) {
          const s = await sessionWith(d);
          const out = e2e.encrypt(unb64(s.state), dist);
          await store.put(sessionName(d.id), { ...s, state: b64(out.session) });
          await notePeer(uid, s.identity);
          envelopes.push({ device_id: d.id, type: out.message[0] === 0x12 ? 'prekey' : 'message', ciphertext: b64(out.message) });
        }
        const g = e2e.groupEncrypt(unb64(own.state), plain);
        own = { ...own, state: b64(g.state) };
        await store.put(groupName(convId), own);          // the chain moved on, sent or not
        const res = await api('POST', `/conversations/${convId}/messages`, { device_id: dev.id, client_id: clientId,
          all_devices: true, group: b64(g.message), envelopes,
          ...(attached.length ? { media_ids: attached.map((f) => f.id) } : {}) });
        await store.put(groupName(convId), { ...own, sentTo: [...own.sentTo, ...fresh.map((t) => t.d.id)] });
        return res;
      };
      const attempt = group ? attemptGroup : attemptPairwise;
      let r;
      try {
        r = await attempt();
      } catch (err) {
        // A device registered (409) or removed (400) since the bundles were fetched: fetch
        // them again and encrypt once more, to the devices as they are now.
        if (err.field !== 'envelopes' || (err.status !== 409 && err.status !== 400)) throw err;
        for (const uid of memberIds) known.delete(uid);
        r = await attempt();
      }
      await store.put(`plain:${me}:${convId}:${r.message.seq}`, content);
      return r.message;
    }),

    /** An attachment of a message read: its bytes, fetched, checked against its hash and opened. */
    openFile: async (f) => {
      const r = await fetch(`/api/v1/media/${f.id}`, { credentials: 'same-origin' });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const blob = new Uint8Array(await r.arrayBuffer());
      const digest = b64(new Uint8Array(await crypto.subtle.digest('SHA-256', blob)));
      if (digest !== f.sha256) throw new Error('the file is not the one sent');
      return e2e.fileOpen(unb64(f.key), unb64(f.header), blob);
    },

    /**
     * Message `seq` as {body, files} (read before, or decrypted now from its envelope); null
     * if none is ours.
     */
    read: serial(async (convId, seq) => {
      const cacheName = `plain:${me}:${convId}:${seq}`;
      const cached = await store.get(cacheName);
      if (typeof cached === 'string') return { body: cached, files: [] };   // kept before attachments
      if (cached !== null) return cached;
      const page = await api('GET', `/conversations/${convId}/messages?after=${seq - 1}&limit=1`);
      const m = page.messages[0];
      if (m && m.e2e && m.e2e.device_id === dev.id) return null;   // ours, being sent: kept by send
      const env = m && m.e2e && (m.e2e.envelopes || []).find((x) => x.device_id === dev.id);
      if (!env && !(m && m.e2e && m.e2e.group)) return null;
      const from = m.e2e.device_id;
      // A sender-key message: what the envelope (if any) carries is the sender's key.
      let got = env ? await openEnvelope(m, env, from, convId) : null;
      if (got && typeof got.dist === 'string') {
        const rec = (await store.get(gkeyName(convId, from))) || { states: [] };
        rec.states = [b64(e2e.groupAccept(unb64(got.dist))), ...rec.states].slice(0, OLDER + 1);
        await store.put(gkeyName(convId, from), rec);
      }
      if (m.e2e.group) {
        const rec = await store.get(gkeyName(convId, from));
        if (!rec) throw new Error('the sender\'s group key has not reached this device');
        const msg = unb64(m.e2e.group);
        let out = null;
        for (let i = 0; i < rec.states.length && !out; i++) {
          try { out = e2e.groupDecrypt(unb64(rec.states[i]), msg); rec.states[i] = b64(out.state); } catch { /* older key */ }
        }
        if (!out) throw new Error('no group key of this device opens it');
        await store.put(gkeyName(convId, from), rec);
        got = JSON.parse(new TextDecoder().decode(out.plaintext));
      }
      const content = { body: typeof got.body === 'string' ? got.body : '', files: Array.isArray(got.files) ? got.files : [] };
      await store.put(cacheName, content);
      return content;
    }),
  };

  // The pairwise envelope `env` of message m from device `from`, opened: its JSON.
  async function openEnvelope(m, env, from, convId) {
    const msg = unb64(env.ciphertext);
    // A device of the sender not seen in this conversation before: look at their devices.
    if (m.sender && m.sender.id !== me) {
      const devs = ((await store.get(`devs:${me}:${convId}`)) || {})[m.sender.id];
      if (devs && !(from in devs)) {
        const list = (await api('GET', `/users/${m.sender.id}/devices?keys_only=1`).catch(() => ({ devices: [] }))).devices;
        const fresh = list.length ? await noteDevices(convId, m.sender.id, list) : [];
        if (fresh.length) onNotices(fresh);
      }
    }
    // The current session, then up to OLDER earlier ones: when both devices started a
    // session at once, each answers the other's, and the other's messages still come
    // under the session it started.
    const s = await store.get(sessionName(from));
    const states = s ? [s.state, ...(s.older || [])] : [];
    let out = null, which = -1;
    for (let i = 0; i < states.length && !out; i++) {
      try { out = e2e.decrypt(unb64(states[i]), msg); which = i; } catch { /* the next one */ }
    }
    if (!out && msg[0] !== 0x12) throw new Error('no session of this device opens it');
    let rec;
    if (!out) {                                      // a new session, started by the sender
      const peek = e2e.prekeyMessagePeek(msg);
      dev = (await store.get(name)) || dev;          // prekeys another tab has added since
      const opk = peek.opkId === null ? null : dev.opks[peek.opkId];
      if (peek.opkId !== null && !opk) throw new Error('the one-time prekey it names is gone');
      const r = e2e.sessionRespond(identity, unb64(dev.spk.state), opk ? unb64(opk) : null, msg);
      out = { session: r.session, plaintext: r.plaintext };
      rec = { state: b64(r.session), older: states.slice(0, OLDER), identity: b64(peek.identity) };
      if (opk) {
        await updateDev((d) => { delete d.opks[peek.opkId]; });
        refill().catch(() => {});
      }
    } else {
      rec = { ...s, older: [...(s.older || [])] };
      if (which === 0) rec.state = b64(out.session); else rec.older[which - 1] = b64(out.session);
    }
    await store.put(sessionName(from), rec);
    const ident = rec.identity;
    if (m.sender) await notePeer(m.sender.id, ident);
    return JSON.parse(new TextDecoder().decode(out.plaintext));
  }
}
