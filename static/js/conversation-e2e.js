// conversation-e2e.js — an end-to-end encrypted conversation's page with JavaScript: this
// browser becomes a device (e2e-client.js), the server's "needs JavaScript" notice becomes
// a composer that encrypts, every "Encrypted message" in the list (history and what
// arrives live) is decrypted in place as text, and the header shows a lock and, in a direct
// conversation, the safety number to compare in person (digits, and a QR code); a line
// above the composer tells when a member adds a device or their identity key changes.

import { openDevice } from './e2e-client.js';
import { conversationIndexer, initConversationSearch } from './e2e-search-ui.js';
import { makeThumb, hasThumb, showPreview } from './e2e-thumb.js';
import { unb64 } from './e2e-store.js';
import { initComposerPickers } from './composer-pickers.js';

async function conversationJSON(id) {
  const r = await fetch(`/api/v1/conversations/${id}?limit=1`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return (await r.json()).conversation;
}

export async function initE2E(conv, { catchUp, reportTyping }) {
  const closed = conv.chat.querySelector('#composer .composer-closed');
  const sub = conv.chat.querySelector('.chat-sub');
  const say = (text) => { if (closed) closed.textContent = text; };
  let device, info;
  try {
    [device, info] = await Promise.all([openDevice(conv.me), conversationJSON(conv.id)]);
  } catch (err) {
    say(`End-to-end encryption could not start in this browser: ${err.message}`);
    return;
  }
  let members = (info.members || []).map((m) => m.id);
  const indexer = conversationIndexer(conv, info.members);     // search on this device
  initConversationSearch(conv, info.title);
  const peer = info.kind === 'direct' && info.peer ? info.peer.id : null;

  const lock = document.createElement('span');
  lock.className = 'e2e-lock';
  lock.textContent = ' · 🔒 ';
  const safety = document.createElement('span');
  safety.className = 'e2e-safety';
  if (sub) sub.append(lock, safety);
  // The same number as a QR code to scan, under the header (the digits stay to compare).
  const qrBox = document.createElement('details');
  qrBox.className = 'e2e-qr';
  qrBox.hidden = true;
  qrBox.innerHTML = '<summary>Safety number as a QR code</summary>';
  if (sub) sub.after(qrBox);
  let qrFor = null;
  function showQR(digits) {
    if (qrFor === digits) return;
    qrFor = digits;
    const q = device.qr(digits), n = q.side + 8, NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', `0 0 ${n} ${n}`);
    svg.setAttribute('width', String(n * 6));
    svg.setAttribute('height', String(n * 6));
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `QR code of the safety number ${group5(digits)}`);
    svg.setAttribute('shape-rendering', 'crispEdges');
    const bg = document.createElementNS(NS, 'rect');
    bg.setAttribute('width', String(n));
    bg.setAttribute('height', String(n));
    bg.setAttribute('fill', '#fff');
    let d = '';
    for (let y = 0; y < q.side; y++) {
      for (let x = 0; x < q.side; x++) if (q.modules[y * q.side + x]) d += `M${x + 4} ${y + 4}h1v1h-1z`;
    }
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', d);
    path.setAttribute('fill', '#000');
    svg.append(bg, path);
    qrBox.querySelector('svg')?.remove();
    qrBox.append(svg);
    qrBox.hidden = false;
  }
  async function showSafety() {
    if (!peer) { safety.textContent = 'Encrypted for each member\'s devices'; return; }
    const key = await device.peerIdentity(peer);
    if (!key) { safety.textContent = 'Safety number: after the first message'; return; }
    const digits = device.safetyNumber(conv.me, key, peer);
    safety.textContent = `Safety number: ${group5(digits)}`;
    showQR(digits);
  }

  // Key-change and new-device notices: system lines above the composer, kept per
  // conversation in this browser's store, each with the safety number to compare again.
  const names = new Map((info.members || []).map((m) => [m.id, m.display_name || m.username]));
  const noticeList = document.createElement('ul');
  noticeList.className = 'e2e-notices';
  noticeList.setAttribute('aria-live', 'polite');
  const composerBox = conv.chat.querySelector('#composer');
  if (composerBox) composerBox.before(noticeList);
  const group5 = (digits) => digits.match(/.{5}/g).join(' ');
  function showNotices(list) {
    for (const n of list) {
      const who = names.get(n.uid) || 'A member';
      const number = group5(device.safetyNumber(conv.me, n.key, n.uid));
      const li = document.createElement('li');
      li.className = 'msg-system e2e-notice';
      const p = document.createElement('p');
      p.textContent = n.kind === 'key'
        ? `${who}'s identity key changed. New safety number: ${number}`
        : `${who} added a device. Its safety number: ${number}`;
      const time = document.createElement('time');
      time.className = 'msg-time';
      time.dateTime = new Date(n.at).toISOString();
      time.textContent = ` · ${new Date(n.at).toLocaleString()}`;
      p.append(time);
      li.append(p);
      noticeList.append(li);
    }
  }
  device.onNotices((list) => { showNotices(list); showSafety(); });
  showNotices(await device.notices(conv.id));

  // An attachment of a decrypted message: its card (the server's, naming an opaque blob)
  // shows "Decrypting…", then the file under its real name as a download, and a photo inline.
  // The type is the sender's word: only these image types are shown, anything else is bytes.
  const INLINE = /^image\/(png|jpeg|gif|webp)$/;
  function showFile(li, f) {
    if (!f || !Number.isInteger(f.id) || typeof f.name !== 'string') return;
    let card = li.querySelector(`.att[data-media-id="${f.id}"]`);
    if (!card) {
      let list = li.querySelector('.attachments');
      if (!list) {
        list = document.createElement('ul');
        list.className = 'attachments';
        list.setAttribute('aria-label', 'Attachments');
        li.querySelector('.msg-encrypted').after(list);
      }
      card = document.createElement('li');
      card.dataset.mediaId = String(f.id);
      list.append(card);
    }
    if (card.dataset.e2eFile) return;
    card.dataset.e2eFile = '1';
    card.className = 'att att-file e2e-att';
    card.textContent = `Decrypting ${f.name}…`;
    const links = (url, bytes) => {
      const a = document.createElement('a');
      a.href = url;
      a.download = f.name;
      a.className = 'e2e-att-link';
      a.textContent = f.name;
      const size = document.createElement('span');
      size.className = 'att-meta';
      size.textContent = ` ${bytes.length.toLocaleString()} bytes · decrypted on this device`;
      return [a, size];
    };
    // A photo with a preview: the preview now, the photo when it is seen (e2e-thumb.js).
    if (hasThumb(f)) {
      let thumb = null;
      try { thumb = unb64(f.thumb); } catch { /* not base64: the photo alone, below */ }
      if (thumb) { showPreview(card, f, thumb, () => device.openFile(f), links); return; }
    }
    device.openFile(f).then((bytes) => {
      const type = INLINE.test(f.mime) ? f.mime : 'application/octet-stream';
      const url = URL.createObjectURL(new Blob([bytes], { type }));
      card.textContent = '';
      if (type !== 'application/octet-stream') {
        const img = document.createElement('img');
        img.src = url;
        img.alt = f.name;
        img.className = 'e2e-att-img';
        card.append(img);
      }
      card.append(...links(url, bytes));
    }).catch((err) => { card.textContent = `Could not decrypt ${f.name}: ${err.message}`; });
  }

  // A call while a pass runs asks for one more pass after it (a message moved in meanwhile).
  let running = null, again = false;
  async function decryptAll() {
    if (running) { again = true; return running; }
    running = (async () => {
      do {
        again = false;
        for (const el of conv.log.querySelectorAll('.msg-encrypted:not([data-e2e-done])')) {
          const li = el.closest('li[id^="m"]');
          const seq = li && Number(li.id.slice(1));
          if (!seq) continue;
          try {
            const content = await device.read(conv.id, seq);
            if (content === null) continue;
            el.textContent = content.body;
            el.classList.add('msg-decrypted');
            el.setAttribute('dir', 'auto');
            el.dataset.e2eDone = '1';
            for (const f of content.files) showFile(li, f);
            indexer.queue(li, seq, content);
          } catch (err) {
            el.textContent = `Could not decrypt: ${err.message}`;
            el.dataset.e2eDone = '1';
          }
        }
        indexer.flush();                               // in the background: it catches its errors
      } while (again);
      await showSafety();
    })();
    try { await running; } finally { running = null; }
  }
  new MutationObserver(() => { decryptAll(); }).observe(conv.log, { childList: true, subtree: true });

  if (closed) {
    const form = document.createElement('form');
    form.className = 'composer-form e2e-composer';
    form.innerHTML = '<div class="composer-row"><label class="visually-hidden" for="e2e-body">Message</label>'
      + '<textarea id="e2e-body" name="body" rows="1" placeholder="Encrypted message"></textarea>'
      + '<button type="submit" class="btn btn-primary composer-send">Send</button></div>'
      + '<div class="composer-files"><label for="e2e-file">Attach files <span class="optional">encrypted on this device</span></label>'
      + '<input id="e2e-file" name="file" type="file" multiple></div>'
      + '<p class="hint composer-hint" role="status"></p>';
    const area = form.querySelector('textarea'), hint = form.querySelector('.composer-hint');
    const fileInput = form.querySelector('input[type="file"]');
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const text = area.value;
      const picked = [...fileInput.files];
      if (!text.trim() && !picked.length) { hint.textContent = 'Write something or attach a file first.'; return; }
      area.disabled = true;
      hint.textContent = '';
      try {
        // Members as they are now: someone added since the page opened gets it too.
        members = ((await conversationJSON(conv.id)).members || []).map((m) => m.id);
        const files = await Promise.all(picked.map(async (f) => ({ name: f.name, mime: f.type,
          bytes: new Uint8Array(await f.arrayBuffer()), thumb: await makeThumb(f) })));
        await device.send(conv.id, members, text, files, { group: info.kind === 'group' });
        area.value = '';
        fileInput.value = '';
        await catchUp();
      } catch (err) {
        hint.textContent = `Not sent: ${err.message}`;
      } finally {
        area.disabled = false;
        area.focus();
        decryptAll();
      }
    });
    area.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
    });
    closed.replaceWith(form);
    // The emoji button and `@`/`:` completion of plain composers; they work on the text
    // before it is encrypted (members come from the API, emoji from the page's own data).
    initComposerPickers(conv, form);
    if (reportTyping) reportTyping(area);           // typing is metadata, as in plain ones
  }
  await decryptAll();
  // Devices added or keys changed since this conversation was last open here.
  device.checkDevices(conv.id, members).catch(() => {});
}

/** On the conversations page: the new direct conversation and new group forms offer encryption. */
export function initE2EForms() {
  for (const kind of ['direct', 'group']) {
    const input = document.querySelector(`form[action="/conversations"] input[name="kind"][value="${kind}"]`);
    if (!input) continue;
    const p = document.createElement('p');
    p.className = 'field e2e-option';
    p.innerHTML = '<label><input type="checkbox" name="e2e" value="1"> End-to-end encrypted</label>';
    const submit = input.form.querySelector('button[type="submit"]');
    if (kind === 'group' && submit) submit.before(p); else input.form.append(p);
  }
}
