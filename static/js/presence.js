// presence.js — who is online, away, or when they were last here, kept current; and this
// person's own "I am here".
//
// The server renders every indicator (the `presence` macro of templates/partials/macros.cs):
//   <span class="presence presence-full|presence-compact" data-presence-user="<id>"
//         data-presence="online|away|offline"><span class="presence-dot" aria-hidden="true">
//   </span><span class="presence-text">Online | Away | Offline | Last seen <time …></span></span>
// or, for someone whose presence this reader may not see, an empty one with
// data-presence="" and `hidden`. This module rewrites them with the same markup, so a page
// looks the same whether it was rendered a second ago or updated live.
//
// A `presence` event carries the whole answer (state, last_seen), so it is applied as it is;
// state "hidden" (the person turned presence off) empties the indicator. After a fresh
// connection or a resync, events may have been missed: everyone shown is fetched again with
// GET /api/v1/presence?ids=… (100 ids a request).
//
// The other half: the server shows this person away after <body data-presence-away> seconds
// without a sign of life. An open event stream is one; so is POST /api/v1/presence/active,
// sent when they press a key, click or tap, or come back to the tab, at most once per
// min(60 s, away/2), so someone using the page never looks away. Never from a hidden tab: a
// tab in the background is not someone being here.

import { postJSON, announceContent } from './net.js';

const WORDS = new Map([
  ['online', 'Online'],
  ['away', 'Away'],
  ['offline', 'Offline'],
]);
const MAX_IDS = 100; // per GET /api/v1/presence
const DEFAULT_AWAY_S = 300;
const ACTIVE_EVERY_MAX_MS = 60_000;
const TICK_MS = 60_000; // "Last seen 5 minutes ago" is rewritten this often

function indicators(userId) {
  return document.querySelectorAll(`[data-presence-user="${userId}"]`);
}

/** The user ids of the indicators on the page, each once. */
function shownIds() {
  const ids = new Set();
  for (const el of document.querySelectorAll('[data-presence-user]')) {
    if (/^\d+$/.test(el.dataset.presenceUser)) ids.add(el.dataset.presenceUser);
  }
  return [...ids];
}

/** Lets app.js put a "Last seen" time in local words, then gives a compact indicator (only
 *  its dot shows) the same words as its tooltip. */
function localize(el) {
  if (el.querySelector('time[datetime]')) announceContent(el);
  if (el.classList.contains('presence-compact')) {
    const text = el.querySelector('.presence-text');
    if (text) el.title = text.textContent.trim();
  }
}

/** Shows `state` ("online", "away", "offline"; anything else hides) in one indicator. */
function show(el, state, lastSeen) {
  if (!WORDS.has(state)) {
    el.dataset.presence = '';
    el.replaceChildren();
    el.removeAttribute('title');
    el.hidden = true;
    return;
  }
  const seen = state === 'offline' && lastSeen ? String(lastSeen) : '';
  const time = el.querySelector('time[datetime]');
  if (!el.hidden && el.dataset.presence === state && (time ? time.getAttribute('datetime') : '') === seen) return;
  const dot = document.createElement('span');
  dot.className = 'presence-dot';
  dot.setAttribute('aria-hidden', 'true');
  const text = document.createElement('span');
  text.className = 'presence-text';
  if (seen) {
    const t = document.createElement('time');
    t.setAttribute('datetime', seen);
    t.title = seen;
    t.dataset.format = 'relative';
    t.textContent = seen;
    text.append('Last seen ', t);
  } else {
    text.textContent = WORDS.get(state);
  }
  el.replaceChildren(dot, text);
  el.dataset.presence = state;
  el.hidden = false;
  localize(el);
}

function apply(userId, state, lastSeen) {
  for (const el of indicators(userId)) show(el, state, lastSeen);
}

// ---- catching up ------------------------------------------------------------------------------

let heard = 0; // counts presence events, so a fetch never undoes a newer event
const heardAt = new Map(); // user id → the value of `heard` at that person's last event
const lastVersion = new Map(); // user id → the version of that person's last presence event
let fetching = null;
let fetchAgain = false;

async function fetchPresence(ids) {
  const response = await fetch(`/api/v1/presence?ids=${ids.join(',')}`, {
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { Accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const data = await response.json();
  return (data && data.presence) || {};
}

/** Fetches the presence of everyone shown (once at a time; again if asked meanwhile). */
function refetch() {
  if (fetching) {
    fetchAgain = true;
    return;
  }
  fetching = (async () => {
    do {
      fetchAgain = false;
      const ids = shownIds();
      for (let i = 0; i < ids.length; i += MAX_IDS) {
        const chunk = ids.slice(i, i + MAX_IDS);
        const asked = heard;
        const answers = await fetchPresence(chunk);
        for (const id of chunk) {
          if (!Object.prototype.hasOwnProperty.call(answers, id) || (heardAt.get(id) || 0) > asked) continue;
          const p = answers[id];
          apply(id, p ? p.state : 'hidden', p ? p.last_seen : null);
        }
      }
    } while (fetchAgain);
  })()
    .catch((err) => console.warn('parley: could not fetch presence', err))
    .finally(() => {
      fetching = null;
    });
}

// ---- "I am here" ------------------------------------------------------------------------------

function reportActivity() {
  const away = Number(document.body.dataset.presenceAway);
  const every = Math.min(ACTIVE_EVERY_MAX_MS, ((away > 0 ? away : DEFAULT_AWAY_S) * 1000) / 2);
  let last = -Infinity; // performance.now() of the last report: immune to clock changes
  const here = () => {
    if (document.hidden) return;
    const now = performance.now();
    if (now - last < every) return;
    last = now;
    postJSON('/api/v1/presence/active').catch(() => {
      /* offline: the event stream's reconnect counts as a sign of life anyway */
    });
  };
  const quiet = { capture: true, passive: true };
  document.addEventListener('keydown', here, quiet);
  document.addEventListener('pointerdown', here, quiet);
  window.addEventListener('focus', here);
  document.addEventListener('visibilitychange', here);
  here();
}

// ---- start ------------------------------------------------------------------------------------

/** Relative "Last seen" times, rewritten while the tab is shown. */
function tick() {
  if (document.hidden) return;
  for (const el of document.querySelectorAll('[data-presence-user]')) {
    if (el.querySelector('time[datetime]')) localize(el);
  }
}

export function initPresence(live) {
  reportActivity();
  // app.js has put the server-rendered times in local words; compact tooltips follow.
  for (const el of document.querySelectorAll('.presence-compact[data-presence-user]')) localize(el);
  setInterval(tick, TICK_MS);
  document.addEventListener('visibilitychange', tick);

  live.subscribe((ev) => {
    if (ev.type === 'presence') {
      if (ev.user_id == null || !/^\d+$/.test(String(ev.user_id))) return;
      const id = String(ev.user_id);
      // Each change of a person's presence has a higher `version`, but two servers may
      // publish two changes in the other order: an older change arriving late is dropped.
      const version = Number(ev.version);
      if (Number.isFinite(version)) {
        if ((lastVersion.get(id) || 0) > version) return;
        lastVersion.set(id, version);
      }
      heard += 1;
      heardAt.set(id, heard);
      apply(id, ev.state, ev.last_seen);
    } else if (ev.type === 'open' || ev.type === 'resync') {
      lastVersion.clear(); // Redis may have lost the versions too: start over from the fetch
      if (document.querySelector('[data-presence-user]')) refetch();
    }
  });
}
