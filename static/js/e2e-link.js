// e2e-link.js — linking a new device on /me/devices (docs/SECURITY.md, "Linking a device").
// Each device has its own identity, so what moves is the history: the new device (this
// browser, made a device as in any encrypted conversation) opens a link with a fresh X25519
// key and shows a one-time code (the link's id and a 128-bit secret, 50 digits and a QR
// code); the old device, given the code, derives the channel key from its own fresh key and
// the secret (static/e2e.wasm, cgi/e2e/link.c), seals the messages it has decrypted (and the
// identity keys it has seen for each contact) and sends them in parts; the new device opens
// them and keeps them as if it had decrypted them itself. The server relays bytes it cannot
// read, and a key it swapped makes the transfer fail to open (the secret never reaches it).

import { loadE2E } from './e2e.js';
import { openStore, b64, unb64 } from './e2e-store.js';
import { openDevice } from './e2e-client.js';
import { csrfToken } from './net.js';

const PART = 512 * 1024;          // bytes per PUT (links.h LINK_PART_MAX)
const POLL_MS = 2000;
const MAX = 50 * 2 ** 20;         // the most a transfer holds (cgi/e2e/link.h E2E_LINK_MAX)

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
    throw err;
  }
  return data;
}

const group5 = (digits) => digits.match(/.{1,5}/g).join(' ');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The code as an SVG QR code (4 light modules around it), from the module's encoder.
function qrSvg(e2e, text) {
  const q = e2e.qr(text), n = q.side + 8, NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${n} ${n}`);
  svg.setAttribute('width', String(n * 5));
  svg.setAttribute('height', String(n * 5));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `QR code of the one-time code ${group5(text)}`);
  svg.setAttribute('shape-rendering', 'crispEdges');
  const bg = document.createElementNS(NS, 'rect');
  bg.setAttribute('width', String(n));
  bg.setAttribute('height', String(n));
  bg.setAttribute('fill', '#fff');
  let d = '';
  for (let y = 0; y < q.side; y++) for (let x = 0; x < q.side; x++) if (q.modules[y * q.side + x]) d += `M${x + 4} ${y + 4}h1v1h-1z`;
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(bg, path);
  return svg;
}

// What is copied: every message this device has decrypted (plain:), and the identity key it
// first saw for each contact (peer:, so both show the same safety numbers).
async function gather(store, me) {
  const plains = (await store.entries(`plain:${me}:`)).map(([name, content]) => {
    const [conv, seq] = name.slice(`plain:${me}:`.length).split(':').map(Number);
    return [conv, seq, typeof content === 'string' ? { body: content, files: [] } : content];
  });
  const peers = (await store.entries(`peer:${me}:`)).map(([name, key]) => [Number(name.slice(`peer:${me}:`.length)), key]);
  return { v: 1, plains, peers };
}

// Keeps what a transfer held; what this device has already is left as it is. Returns the
// number of messages it adds.
async function keep(store, me, t) {
  if (!t || t.v !== 1 || !Array.isArray(t.plains)) throw new Error('the transfer is not one this page reads');
  let added = 0;
  for (const item of t.plains) {
    if (!Array.isArray(item)) continue;
    const [conv, seq, c] = item;
    if (!Number.isInteger(conv) || conv <= 0 || !Number.isInteger(seq) || seq <= 0 || !c || typeof c.body !== 'string') continue;
    const name = `plain:${me}:${conv}:${seq}`;
    if (await store.get(name)) continue;
    await store.put(name, { body: c.body, files: Array.isArray(c.files) ? c.files : [] });
    added++;
  }
  for (const item of Array.isArray(t.peers) ? t.peers : []) {
    if (!Array.isArray(item) || !Number.isInteger(item[0]) || typeof item[1] !== 'string') continue;
    const name = `peer:${me}:${item[0]}`;
    if (!(await store.get(name))) await store.put(name, item[1]);
  }
  return added;
}

/** The new device's side: a link, its code shown, and the transfer received and kept. */
async function linkThisDevice(me, root) {
  const status = root.querySelector('.link-new-status'), say = (t) => { status.textContent = t; };
  const start = root.querySelector('.link-start');
  start.disabled = true;
  try {
    say('Preparing this device…');
    const [e2e, store] = await Promise.all([loadE2E('/static/e2e.wasm'), openStore()]);
    await openDevice(me);                       // registered now: contacts are told, new messages reach it
    const mine = e2e.linkKeypair(), secret = crypto.getRandomValues(new Uint8Array(16));
    const { link } = await api('POST', '/devices/links', { public_key: b64(mine.public) });
    const code = e2e.linkCode(link.id, secret);
    const box = root.querySelector('.link-code');
    box.querySelector('.link-code-digits').textContent = group5(code);
    box.querySelector('.link-code-qr').replaceChildren(qrSvg(e2e, code));
    box.hidden = false;
    say('Waiting for your other device…');
    let l = link;
    while (!l.complete) {
      await sleep(POLL_MS);
      l = (await api('GET', `/devices/links/${link.id}`)).link;
      if (l.sender_key && !l.complete) say(`Receiving… ${l.bytes.toLocaleString()} bytes so far`);
    }
    const parts = [];
    for (let i = 0; i < l.parts; i++) parts.push(unb64((await api('GET', `/devices/links/${link.id}?part=${i}`)).part.data));
    const sealed = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((off, p) => { sealed.set(p, off); return off + p.length; }, 0);
    const sender = unb64(l.sender_key);
    let plain;
    try {
      plain = e2e.linkOpen(e2e.linkKey(mine.secret, sender, mine.public, sender, secret, link.id), sealed);
    } catch {
      throw new Error('The transfer did not verify: it was not sealed with this code. Nothing was kept; start again.');
    }
    const added = await keep(store, me, JSON.parse(new TextDecoder().decode(plain)));
    box.hidden = true;
    say(`Linked: ${added} ${added === 1 ? 'message' : 'messages'} from your other device can be read here now.`);
  } catch (err) {
    say(`Linking failed: ${err.message}`);
    start.disabled = false;
  }
}

/** The old device's side: the code read, the history sealed and sent. */
async function linkNewDevice(me, form) {
  const status = form.querySelector('.link-old-status'), say = (t) => { status.textContent = t; };
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const [e2e, store] = await Promise.all([loadE2E('/static/e2e.wasm'), openStore()]);
    let parsed;
    try { parsed = e2e.linkCodeParse(form.elements.code.value); } catch {
      throw new Error('That is not a code: it is the 50 digits the new device shows.');
    }
    const { link } = await api('GET', `/devices/links/${parsed.id}`);
    if (link.sender_key) throw new Error('Another device has answered this code already.');
    const other = unb64(link.public_key), mine = e2e.linkKeypair();
    const key = e2e.linkKey(mine.secret, other, other, mine.public, parsed.secret, parsed.id);
    const transfer = await gather(store, me);
    const bytes = new TextEncoder().encode(JSON.stringify(transfer));
    if (bytes.length > MAX) throw new Error(`This device holds ${Math.ceil(bytes.length / 2 ** 20)} MiB of history; a link carries at most 50 MiB.`);
    const sealed = e2e.linkSeal(key, bytes);
    const count = Math.max(1, Math.ceil(sealed.length / PART));
    for (let i = 0; i < count; i++) {
      say(`Sending… part ${i + 1} of ${count}`);
      await api('PUT', `/devices/links/${parsed.id}`, { sender_key: b64(mine.public), part: i,
        data: b64(sealed.subarray(i * PART, (i + 1) * PART)), last: i === count - 1 });
    }
    form.elements.code.value = '';
    say(`Sent: ${transfer.plains.length} ${transfer.plains.length === 1 ? 'message' : 'messages'} to the new device.`);
  } catch (err) {
    say(`Not sent: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

/** On /me/devices: shows both forms (they need JavaScript and WebAssembly). */
export function initLink() {
  const root = document.querySelector('.device-link');
  const me = Number(document.body.dataset.me);
  if (!root || !me || typeof WebAssembly !== 'object') return;
  const fresh = root.querySelector('.device-link-new'), old = root.querySelector('.device-link-old');
  fresh.hidden = false;
  old.hidden = false;
  fresh.querySelector('.link-start').addEventListener('click', () => linkThisDevice(me, fresh));
  old.addEventListener('submit', (e) => { e.preventDefault(); linkNewDevice(me, old); });
}
