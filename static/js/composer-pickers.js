// composer-pickers.js — the composer's emoji button (emoji-picker.js) and its autocomplete:
// `@` lists the conversation's members (username and display name; picking one inserts
// `@username `), `:` and two letters list emoji by name (picking one inserts the emoji).
//
// The combobox pattern on a textarea: a multi-line textarea may not take role="combobox"
// (ARIA in HTML), so it keeps its textbox role with aria-autocomplete="list", aria-controls
// and aria-activedescendant, and a polite status says how many suggestions there are. Up and
// Down move, Enter or Tab picks, Esc closes; the focus never leaves the textarea. The list is a listbox under the composer row, owned and removed here.
// Members come from GET /api/v1/conversations/<id> (its "members"), fetched once, on the
// first `@`.

import { openEmojiPicker, emojiButton, searchEmoji, rememberEmoji } from './emoji-picker.js';

const MAX_ITEMS = 8;

/** Inserts `text` at the textarea's caret (replacing `from`..caret) and tells the draft. */
function insertAt(textarea, from, text) {
  const to = textarea.selectionStart;
  textarea.setRangeText(text, from, to, 'end');
  textarea.dispatchEvent(new Event('input', { bubbles: true }));
}

/** The emoji button of the composer's row: the picked emoji goes in at the caret. */
function initEmojiButton(form, textarea) {
  const row = form.querySelector('.composer-row');
  const send = form.querySelector('button[type="submit"]');
  if (!row || !send || row.querySelector('.composer-emoji')) return;
  const button = emojiButton('composer-emoji', 'Insert emoji');
  send.before(button);
  let caret = 0;
  button.addEventListener('click', () => {
    caret = textarea.selectionStart;
    openEmojiPicker(
      button,
      (emoji) => {
        textarea.focus();
        textarea.setSelectionRange(caret, caret);
        insertAt(textarea, caret, emoji);
      },
      { label: 'Insert emoji', place: (dialog) => form.closest('.composer').append(dialog) },
    );
  });
}

/** `@` and `:` completion on `textarea` for conversation `conv`. */
function initAutocomplete(conv, form, textarea) {
  const listId = `complete-${conv.id}`;
  const list = document.createElement('ul');
  list.id = listId;
  list.className = 'complete-list';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', 'Suggestions');
  list.hidden = true;
  const status = document.createElement('p');
  status.className = 'visually-hidden';
  status.setAttribute('aria-live', 'polite');
  form.querySelector('.composer-row').after(list, status);

  textarea.setAttribute('aria-autocomplete', 'list');
  textarea.setAttribute('aria-controls', listId);

  let members = null; // [{username, display_name}] once fetched
  let loading = null;
  let items = []; // [{label, detail, insert}]
  let active = -1;
  let token = null; // {from, kind, query} of the word being completed

  function loadMembers() {
    if (!loading) {
      loading = fetch(`/api/v1/conversations/${conv.id}?limit=1`, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      })
        .then((r) => (r.ok ? r.json() : {}))
        .then((data) => {
          const all = (data.conversation && data.conversation.members) || [];
          members = all.filter((m) => m && m.username);
        })
        .catch(() => {
          loading = null; // offline: the next `@` tries again
        });
    }
    return loading;
  }

  /** The `@word` or `:word` just before the caret, or null. */
  function currentToken() {
    if (textarea.selectionStart !== textarea.selectionEnd) return null;
    const before = textarea.value.slice(0, textarea.selectionStart);
    const m = /(^|[\s(])([@:])([\p{L}\p{N}_.+-]*)$/u.exec(before);
    if (!m) return null;
    if (m[2] === ':' && m[3].length < 2) return null; // ":" alone, ":)", "10:3" are not names
    return { from: before.length - m[3].length - 1, kind: m[2], query: m[3] };
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    items = [];
    active = -1;
    token = null;
    textarea.removeAttribute('aria-activedescendant');
  }

  function setActive(i) {
    active = (i + items.length) % items.length;
    [...list.children].forEach((li, j) => li.setAttribute('aria-selected', String(j === active)));
    const li = list.children[active];
    textarea.setAttribute('aria-activedescendant', li.id);
    li.scrollIntoView({ block: 'nearest' });
  }

  function show(found) {
    items = found.slice(0, MAX_ITEMS);
    if (!items.length) {
      close();
      return;
    }
    list.replaceChildren();
    items.forEach((item, i) => {
      const li = document.createElement('li');
      li.id = `${listId}-${i}`;
      li.setAttribute('role', 'option');
      li.className = 'complete-item';
      const main = document.createElement('span');
      main.className = 'complete-label';
      main.textContent = item.label;
      const detail = document.createElement('span');
      detail.className = 'complete-detail';
      detail.textContent = item.detail;
      li.append(main, ' ', detail);
      // pointerdown, not click: the textarea keeps its focus and caret
      li.addEventListener('pointerdown', (ev) => {
        ev.preventDefault();
        pick(i);
      });
      list.append(li);
    });
    list.hidden = false;
    setActive(0);
    status.textContent = `${items.length} suggestion${items.length === 1 ? '' : 's'}: up and down to choose, Enter to insert.`;
  }

  function pick(i) {
    const item = items[i];
    if (!item || !token) return;
    const from = token.from;
    close();
    if (item.emoji) rememberEmoji(item.emoji);
    insertAt(textarea, from, item.insert);
  }

  async function update() {
    token = currentToken();
    if (!token) {
      close();
      return;
    }
    if (token.kind === ':') {
      show(searchEmoji(token.query, MAX_ITEMS).map((e) => ({ label: e[0], detail: `:${e[1].replace(/\s+/g, '_')}:`, insert: e[0], emoji: e[0] })));
      return;
    }
    if (!members) await loadMembers();
    const now = currentToken(); // the text may have moved on while the members loaded
    if (!members || !now || now.kind !== '@') return;
    token = now;
    const q = now.query.toLowerCase();
    const me = conv.me;
    const found = members
      .filter((m) => String(m.id) !== me)
      .filter((m) => m.username.toLowerCase().startsWith(q) || (m.display_name || '').toLowerCase().split(/\s+/).some((w) => w.startsWith(q)))
      .map((m) => ({ label: m.display_name || m.username, detail: `@${m.username}`, insert: `@${m.username} ` }));
    show(found);
  }

  textarea.addEventListener('input', update);
  textarea.addEventListener('blur', () => setTimeout(() => document.activeElement !== textarea && close(), 0));
  textarea.addEventListener('click', update);
  // Capture: these keys are the list's while it is open (Enter must not send the message).
  textarea.addEventListener(
    'keydown',
    (ev) => {
      if (list.hidden || ev.isComposing) return;
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        setActive(active + (ev.key === 'ArrowDown' ? 1 : -1));
      } else if ((ev.key === 'Enter' || ev.key === 'Tab') && !ev.shiftKey) {
        pick(active);
      } else if (ev.key === 'Escape') {
        close();
      } else {
        return;
      }
      ev.preventDefault();
      ev.stopImmediatePropagation();
    },
    true,
  );
}

/** The composer's pickers for conversation `conv`: the emoji button and the autocomplete. */
export function initComposerPickers(conv, form) {
  const textarea = form.querySelector('textarea[name="body"]');
  if (!textarea) return;
  initEmojiButton(form, textarea);
  initAutocomplete(conv, form, textarea);
}
