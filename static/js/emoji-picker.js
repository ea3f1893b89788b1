// emoji-picker.js — the emoji picker of the composer and of reactions: every emoji of
// Unicode's list (emoji-data.js, made from emoji-test.txt; no request leaves the site), by
// group or found by name, a skin tone, and the recently used ones (kept in this browser).
//
// Keyboard: the search box has the focus when it opens; Down (or Tab) moves into the grid,
// the arrow keys move inside it (one Tab stop: roving tabindex), Enter or Space picks, Esc
// closes; the focus goes back to what opened it. The DOM it builds is owned here and removed
// on close.

import { EMOJI, EMOJI_GROUPS, EMOJI_TONES } from './emoji-data.js';

const COLUMNS = 8;
const RECENT_KEY = 'parley.emoji.recent';
const TONE_KEY = 'parley.emoji.tone';
const RECENT_MAX = 24;
const SEARCH_MAX = 160; // matches shown for a search (the first by name order)
const TONE_NAMES = ['No skin tone', 'Light', 'Medium-light', 'Medium', 'Medium-dark', 'Dark'];

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The recently used emoji, newest first (fully-qualified strings). */
export function recentEmoji() {
  try {
    const list = JSON.parse(storage()?.getItem(RECENT_KEY) || '[]');
    return Array.isArray(list) ? list.filter((e) => typeof e === 'string').slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

/** Remembers `emoji` as the most recently used. */
export function rememberEmoji(emoji) {
  const list = [emoji, ...recentEmoji().filter((e) => e !== emoji)].slice(0, RECENT_MAX);
  try {
    storage()?.setItem(RECENT_KEY, JSON.stringify(list));
  } catch {
    /* storage full or off: the picker just has no recent ones */
  }
}

/** The skin tone picked before (0: none, 1–5: light to dark). */
function savedTone() {
  const n = Number(storage()?.getItem(TONE_KEY));
  return n >= 0 && n <= 5 ? n : 0;
}

/** `base` in skin tone `tone` when it takes tones (the tone follows its first code point). */
export function withTone(entry, tone) {
  if (!tone || !entry[3]) return entry[0];
  const cps = [...entry[0]];
  let rest = cps.slice(1);
  if (rest[0] === '\uFE0F') rest = rest.slice(1);
  return cps[0] + EMOJI_TONES[tone - 1] + rest.join('');
}

const byEmoji = new Map(EMOJI.map((e) => [e[0], e]));

/** The name of an emoji of the list (a toned one by its base), or ''. */
export function emojiName(emoji) {
  const e = byEmoji.get(emoji) || byEmoji.get(emoji.replace(/[\u{1F3FB}-\u{1F3FF}]/u, ''));
  return e ? e[1] : '';
}

/**
 * Emoji whose name has a word starting with `query` (or contains it, after those), in the
 * list's order: what the search box and `:` autocomplete show.
 */
export function searchEmoji(query, max = SEARCH_MAX) {
  const q = query.trim().toLowerCase().replace(/_/g, ' ');
  if (!q) return [];
  const first = [];
  const then = [];
  for (const e of EMOJI) {
    const name = e[1].toLowerCase();
    const at = name.indexOf(q);
    if (at < 0) continue;
    if (at === 0 || /[\s:-]/.test(name[at - 1])) first.push(e);
    else then.push(e);
    if (first.length >= max) break;
  }
  return first.concat(then).slice(0, max);
}

let open = null; // the one open picker: {close}

/**
 * Opens the picker next to `opener` (a button); `onPick(emoji)` gets the picked emoji (in
 * the chosen skin tone). `label` names the dialog ("Insert emoji", "React with an emoji");
 * `place(dialog)` puts it in the page (default: right after the opener).
 */
export function openEmojiPicker(opener, onPick, { label = 'Emoji', place = (d) => opener.after(d) } = {}) {
  if (open) open.close(false);
  const store = storage();
  let tone = savedTone();
  let group = recentEmoji().length ? -1 : 0; // -1: recently used

  const dialog = document.createElement('div');
  dialog.className = 'emoji-picker';
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-label', label);

  const top = document.createElement('div');
  top.className = 'emoji-picker-top';
  const searchId = `emoji-search-${Date.now()}`;
  const searchLabel = document.createElement('label');
  searchLabel.className = 'visually-hidden';
  searchLabel.htmlFor = searchId;
  searchLabel.textContent = 'Search emoji by name';
  const search = document.createElement('input');
  search.type = 'search';
  search.id = searchId;
  search.className = 'emoji-search';
  search.placeholder = 'Search emoji';
  search.autocomplete = 'off';
  search.spellcheck = false;
  const toneLabel = document.createElement('label');
  toneLabel.className = 'visually-hidden';
  toneLabel.htmlFor = `${searchId}-tone`;
  toneLabel.textContent = 'Skin tone';
  const toneSelect = document.createElement('select');
  toneSelect.id = `${searchId}-tone`;
  toneSelect.className = 'emoji-tone';
  TONE_NAMES.forEach((name, i) => {
    const o = document.createElement('option');
    o.value = String(i);
    o.textContent = i ? `${EMOJI_TONES[i - 1]} ${name}` : `✋ ${name}`;
    toneSelect.append(o);
  });
  toneSelect.value = String(tone);
  top.append(searchLabel, search, toneLabel, toneSelect);

  const groups = document.createElement('div');
  groups.className = 'emoji-groups';
  groups.setAttribute('role', 'group');
  groups.setAttribute('aria-label', 'Emoji groups');
  const groupButtons = [];
  [-1, ...EMOJI_GROUPS.keys()].forEach((g) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'emoji-group';
    b.dataset.group = String(g);
    b.textContent = g < 0 ? 'Recent' : EMOJI_GROUPS[g];
    b.addEventListener('click', () => {
      group = g;
      search.value = '';
      draw();
    });
    groupButtons.push(b);
    groups.append(b);
  });

  const grid = document.createElement('div');
  grid.className = 'emoji-grid';
  grid.setAttribute('role', 'grid');
  const status = document.createElement('p');
  status.className = 'emoji-status hint';
  status.setAttribute('aria-live', 'polite');

  dialog.append(top, groups, grid, status);

  /** The emoji entries the grid shows now. */
  function shown() {
    const q = search.value;
    if (q.trim()) return searchEmoji(q);
    if (group < 0) return recentEmoji().map((e) => byEmoji.get(e) || [e, emojiName(e) || e, -1, 0]);
    return EMOJI.filter((e) => e[2] === group);
  }

  function cells() {
    return [...grid.querySelectorAll('button.emoji-cell')];
  }

  function draw() {
    const list = shown();
    grid.replaceChildren();
    const searching = Boolean(search.value.trim());
    grid.setAttribute('aria-label', searching ? 'Search results' : group < 0 ? 'Recently used' : EMOJI_GROUPS[group]);
    for (const b of groupButtons) b.setAttribute('aria-pressed', String(!searching && Number(b.dataset.group) === group));
    let row = null;
    list.forEach((e, i) => {
      if (i % COLUMNS === 0) {
        row = document.createElement('div');
        row.setAttribute('role', 'row');
        grid.append(row);
      }
      const cell = document.createElement('div');
      cell.setAttribute('role', 'gridcell');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'emoji-cell';
      // A recent one is stored as picked (maybe toned): it stays as it is.
      const emoji = group < 0 && !searching ? e[0] : withTone(e, tone);
      b.dataset.emoji = emoji;
      b.textContent = emoji;
      b.setAttribute('aria-label', e[1]);
      b.title = e[1];
      b.tabIndex = i === 0 ? 0 : -1;
      cell.append(b);
      row.append(cell);
    });
    status.textContent = list.length
      ? searching
        ? `${list.length} emoji found`
        : ''
      : searching
        ? 'No emoji has that name.'
        : 'Nothing used yet: pick a group.';
  }

  function pick(emoji) {
    rememberEmoji(emoji);
    close(true);
    onPick(emoji);
  }

  function close(returnFocus = true) {
    dialog.remove();
    document.removeEventListener('pointerdown', outside, true);
    if (open && open.dialog === dialog) open = null;
    if (returnFocus && opener.isConnected) opener.focus();
  }

  function outside(ev) {
    if (!dialog.contains(ev.target) && ev.target !== opener && !opener.contains(ev.target)) close(false);
  }

  function focusCell(i) {
    const all = cells();
    if (!all.length) return;
    const at = Math.max(0, Math.min(all.length - 1, i));
    for (const b of all) b.tabIndex = -1;
    all[at].tabIndex = 0;
    all[at].focus();
  }

  grid.addEventListener('click', (ev) => {
    const b = ev.target.closest('button.emoji-cell');
    if (b) pick(b.dataset.emoji);
  });
  grid.addEventListener('keydown', (ev) => {
    const all = cells();
    const at = all.indexOf(document.activeElement);
    if (at < 0) return;
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS };
    if (ev.key in moves) {
      ev.preventDefault();
      if (ev.key === 'ArrowUp' && at < COLUMNS) search.focus();
      else focusCell(at + moves[ev.key]);
    } else if (ev.key === 'Home') {
      ev.preventDefault();
      focusCell(ev.ctrlKey ? 0 : at - (at % COLUMNS));
    } else if (ev.key === 'End') {
      ev.preventDefault();
      focusCell(ev.ctrlKey ? all.length - 1 : at - (at % COLUMNS) + COLUMNS - 1);
    }
  });
  search.addEventListener('input', draw);
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown') {
      ev.preventDefault();
      focusCell(0);
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      const first = cells()[0];
      if (first) pick(first.dataset.emoji);
    }
  });
  toneSelect.addEventListener('change', () => {
    tone = Number(toneSelect.value) || 0;
    try {
      store?.setItem(TONE_KEY, String(tone));
    } catch {
      /* not kept: this picker still uses it */
    }
    draw();
  });
  // Keys typed here are the picker's alone (not the toolbar's, the shortcuts' or the composer's).
  dialog.addEventListener('keydown', (ev) => {
    ev.stopPropagation();
    if (ev.key === 'Escape') {
      ev.preventDefault();
      close(true);
    }
  });

  draw();
  place(dialog);
  document.addEventListener('pointerdown', outside, true);
  open = { dialog, close };
  search.focus();
  return open;
}

/** A button that opens the picker (an icon and a hidden name); the caller places it. */
export function emojiButton(className, name) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.setAttribute('aria-haspopup', 'dialog');
  const icon = document.createElement('span');
  icon.setAttribute('aria-hidden', 'true');
  icon.textContent = '☺';
  const text = document.createElement('span');
  text.className = 'visually-hidden';
  text.textContent = name;
  b.append(icon, text);
  return b;
}
