// e2e-search-ui.js — the pages of search on the device (e2e-search.js holds the index):
// indexing what an encrypted conversation's page decrypts (and forgetting what is deleted),
// the search box of an encrypted conversation, and on /search the device's hits merged
// into the server's, newest first, each with a lock. The server gets no request about a
// query here: the index and the texts (e2e-store.js) are read in this browser only.
// Message text is written with textContent; the only elements made are <mark>s around it.

import { openIndex, forgetMessages, parseQuery, hasPhrase, snippetRuns, fold, MAX_HITS } from './e2e-search.js';
import { openStore } from './e2e-store.js';

const warn = (what, err) => console.warn(`parley: ${what}`, err);

// ---- indexing (conversation page) ------------------------------------------------------

/** The sender's display name of a message <li>: its head, or the head of its group above. */
function senderName(li) {
  for (let el = li; el; el = el.previousElementSibling) {
    if (!el.matches('li.msg')) return '';
    const head = el.querySelector(':scope .msg-head .msg-sender');
    if (head) return head.textContent.replace(/\s*BOT$/, '').trim();
    if (!el.classList.contains('msg-cont')) return '';
  }
  return '';
}

/**
 * An indexer for one conversation's page: queue(li, seq, content) each message decrypted,
 * then flush() once writes them in one transaction, and forgets messages shown deleted.
 * members are the conversation's [{id, username, display_name}] (for from:).
 */
export function conversationIndexer(conv, members) {
  let queued = [];
  const byName = new Map((members || []).map((m) => [m.display_name || m.username, m.username]));
  const index = () => openIndex(conv.me);
  return {
    queue(li, seq, content) {
      const time = li.querySelector('time[datetime]');
      const sender = senderName(li);
      const names = (content.files || []).map((f) => (f && typeof f.name === 'string' ? f.name : '')).join(' ');
      queued.push({ c: conv.id, s: seq, text: `${content.body || ''} ${names}`, sender,
        from: byName.get(sender) || '', at: time ? Date.parse(time.getAttribute('datetime')) : Date.now() });
    },
    async flush() {
      const list = queued;
      queued = [];
      const gone = [];
      for (const li of conv.log.querySelectorAll('li.msg-deleted[id^="m"]:not([data-e2e-unindexed])')) {
        li.dataset.e2eUnindexed = '1';
        gone.push({ c: conv.id, s: Number(li.id.slice(1)) });
      }
      if (!list.length && !gone.length) return;
      try {
        await Promise.all([
          gone.length ? forgetMessages(conv.me, gone) : null,       // journaled before its first await
          list.length ? index().then((ix) => ix.addMany(list)) : null,
        ]);
      } catch (err) { warn('could not update the search index of this device', err); }
    },
  };
}

// ---- hits ------------------------------------------------------------------------------

/** The text kept for message (c, s) in this browser's sealed store, or null. */
async function bodyOf(store, me, c, s) {
  const v = await store.get(`plain:${me}:${c}:${s}`);
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  const names = (Array.isArray(v.files) ? v.files : []).map((f) => (f && typeof f.name === 'string' ? f.name : ''));
  return [v.body || '', ...names].filter(Boolean).join(' ');
}

/**
 * The device's hits for q as [{c, s, at, sender, text}], newest first; phrases checked on the
 * text. `conv` limits it to one conversation.
 */
export async function searchDevice(me, q, { conv = null, titles = null } = {}) {
  const query = parseQuery(q);
  if (!query) return { query, hits: [] };
  const index = await openIndex(me);
  const found = await index.search(query, { conv, titles, limit: MAX_HITS * 2 });
  if (!found.length) return { query, hits: [] };
  const store = await openStore();
  const hits = [];
  for (const h of found) {
    if (hits.length >= MAX_HITS) break;
    const text = await bodyOf(store, me, h.c, h.s);
    if (text === null) continue;
    if (!query.phrases.every((p) => hasPhrase(text, p))) continue;
    hits.push({ ...h, text });
  }
  return { query, hits };
}

/** A hit as the server draws one (templates/pages/search.cs), with a lock. */
export function hitItem(h, query, title) {
  const li = document.createElement('li');
  li.className = 'search-hit search-hit-e2e';
  li.dataset.at = String(h.at);
  const a = document.createElement('a');
  a.className = 'search-hit-link';
  a.href = `/conversations/${h.c}?around=${h.s}#m${h.s}`;
  const bdi = document.createElement('bdi');
  bdi.textContent = title || 'Encrypted conversation';
  a.append(bdi);
  const meta = document.createElement('span');
  meta.className = 'muted';
  const lock = document.createElement('span');
  lock.className = 'e2e-lock';
  lock.title = 'End-to-end encrypted: found on this device';
  lock.setAttribute('aria-label', 'End-to-end encrypted, found on this device');
  lock.textContent = '🔒';
  const time = document.createElement('time');
  const iso = new Date(h.at).toISOString();
  time.dateTime = iso;
  time.dataset.format = 'datetime';
  time.title = iso;
  time.textContent = `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  const who = document.createElement('bdi');
  who.textContent = h.sender;
  meta.append(lock, ' ');
  if (h.sender) meta.append(who, ' · ');
  meta.append(time);
  const p = document.createElement('p');
  p.className = 'search-snippet';
  p.dir = 'auto';
  for (const r of snippetRuns(h.text, query)) {
    if (r.mark) { const m = document.createElement('mark'); m.textContent = r.text; p.append(m); } else p.append(r.text);
  }
  li.append(a, ' ', meta, p);
  return li;
}

// ---- the search box of an encrypted conversation ---------------------------------------

/** Adds "Search this conversation" under the header: the device's index, this conversation only. */
export function initConversationSearch(conv, title) {
  const sub = conv.chat.querySelector('.chat-sub');
  if (!sub || conv.chat.querySelector('.e2e-search')) return;
  const box = document.createElement('details');
  box.className = 'e2e-search';
  const summary = document.createElement('summary');
  summary.textContent = 'Search this conversation';
  const form = document.createElement('form');
  form.setAttribute('role', 'search');
  form.className = 'e2e-search-form';
  const label = document.createElement('label');
  label.className = 'visually-hidden';
  label.htmlFor = 'e2e-search-q';
  label.textContent = 'Search this encrypted conversation on this device';
  const input = document.createElement('input');
  input.type = 'search';
  input.id = 'e2e-search-q';
  input.maxLength = 256;
  input.autocomplete = 'off';
  input.placeholder = 'Search on this device';
  const button = document.createElement('button');
  button.type = 'submit';
  button.className = 'btn btn-secondary btn-sm';
  button.textContent = 'Search';
  const status = document.createElement('p');
  status.className = 'hint';
  status.setAttribute('role', 'status');
  const list = document.createElement('ol');
  list.className = 'search-hits e2e-search-hits';
  form.append(label, input, ' ', button);
  box.append(summary, form, status, list);
  sub.after(box);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const q = input.value.trim();
    list.replaceChildren();
    if (!q) { status.textContent = 'Say what to search for.'; return; }
    try {
      const { query, hits } = await searchDevice(conv.me, q, { conv: conv.id });
      if (query && query.unsupported.length) {
        status.textContent = `${query.unsupported.join(', ')} cannot be searched on this device.`;
        return;
      }
      status.textContent = hits.length ? `${hits.length} found on this device` : `Nothing found on this device for “${q}”.`;
      for (const h of hits) list.append(hitItem(h, query, title));
    } catch (err) {
      status.textContent = `Could not search on this device: ${err.message}`;
    }
  });
}

// ---- /search ---------------------------------------------------------------------------

const getJSON = (path) => fetch(`/api/v1${path}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });

/**
 * The titles (id → title) of the conversations `held` in the index, from your list; one not
 * in it (a request not yet accepted, or one left) is asked for by id, and when the server
 * answers 404 (left, or removed from it) it leaves the index. Asks nothing about the query.
 */
async function titlesOf(index, held) {
  const titles = new Map();
  const r = await getJSON('/conversations');
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  for (const c of (await r.json()).conversations || []) titles.set(Number(c.id), c.title);
  for (const c of held.filter((id) => !titles.has(id)).slice(0, 50)) {
    const one = await getJSON(`/conversations/${c}?limit=1`);
    if (one.status === 404) await index.removeConversation(c);
    else if (one.ok) titles.set(c, (await one.json()).conversation.title);
  }
  return titles;
}

/**
 * On /search with JavaScript: the same query on this device's index, its hits merged into
 * the server's list newest first (first page only: the device's are all on it). The note
 * under the heading says what was searched where.
 */
export async function initSearchPage() {
  const me = document.body.dataset.me;
  const section = document.querySelector('section[aria-labelledby="search-msgs"]');
  const note = document.querySelector('.search-e2e-note');
  if (!me || !section || !note || !window.indexedDB) return;
  const params = new URLSearchParams(location.search);
  const q = (params.get('q') || '').trim();
  if (!q || params.has('before') || params.has('offset') || document.querySelector('.field-error, .alert-error')) return;
  note.textContent = 'Searching encrypted conversations on this device…';
  try {
    const index = await openIndex(me);
    const held = await index.conversations();
    if (!held.length) { note.textContent = 'This device holds no messages of encrypted conversations to search.'; return; }
    const titles = await titlesOf(index, held);
    const folded = new Map([...titles].map(([id, t]) => [id, fold(t)]));
    const { query, hits } = await searchDevice(me, q, { titles: folded });
    if (query && query.unsupported.length) {
      note.textContent = `Encrypted conversations were not searched: ${query.unsupported.join(', ')} works only in the server's search.`;
      return;
    }
    const shown = hits.filter((h) => titles.has(h.c));           // never one of a conversation left
    note.textContent = shown.length === 1 ? 'Encrypted conversations were searched on this device: 1 message found (marked 🔒).'
      : `Encrypted conversations were searched on this device: ${shown.length} messages found${shown.length ? ' (marked 🔒)' : ''}.`;
    if (!shown.length) return;
    let list = section.querySelector('ol.search-hits');
    if (!list) {
      list = document.createElement('ol');
      list.className = 'search-hits';
      const empty = section.querySelector('p.empty');
      if (empty) empty.replaceWith(list); else section.append(list);
    }
    const items = [...list.children].map((li) => {
      const t = li.querySelector('time[datetime]');
      return { li, at: t ? Date.parse(t.getAttribute('datetime')) : 0 };
    });
    for (const h of shown) items.push({ li: hitItem(h, query, titles.get(h.c)), at: h.at });
    items.sort((a, b) => b.at - a.at);
    list.replaceChildren(...items.map((x) => x.li));
    list.dispatchEvent(new CustomEvent('parley:content', { bubbles: true }));
  } catch (err) {
    note.textContent = `Encrypted conversations could not be searched on this device: ${err.message}`;
  }
}
