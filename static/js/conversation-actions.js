// conversation-actions.js — react, reply, edit and delete on the conversation page without
// a reload, through the JSON API, never touching what is being typed in the composer.
// Without JavaScript the same buttons are forms and links (partials/message.cs). A
// message's actions are one toolbar: one Tab stop, arrow keys inside.
//
//   react   the quick-reaction and reaction-count forms post …/reactions; the message is
//           re-rendered from the server (history.refresh), as for anyone else's reaction
//   reply   "Reply" fills the composer's reply strip (the server's markup for ?reply_to=)
//   edit    "Edit" (or Up arrow in an empty composer: your last message) opens an inline
//           editor with the message's text from the API; Enter or Save saves, Esc cancels
//   delete  the message hides at once with "Undo" in its place for UNDO_MS; only then is
//           POST …/delete sent (at once when the page goes away) and the message becomes
//           its tombstone. Without JavaScript the form's confirmation page stays.
//   preview "Remove preview" (the sender's) posts …/preview/remove the same way
//   picker  "More reactions" after the quick ones opens the emoji picker (emoji-picker.js)

import { csrfToken, errorMessage } from './net.js';
import { openEmojiPicker, emojiButton } from './emoji-picker.js';

/** Calls the JSON API with the CSRF token; resolves to the Response. */
function api(method, path, body) {
  return fetch(`/api/v1${path}`, {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const CANCEL_ICON =
  '<svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="m5 5 10 10M15 5 5 15"/></svg>';

const ACTION = /\/conversations\/(\d+)\/messages\/(\d+)\/(reactions|delete|preview\/remove)$/;

const UNDO_MS = 5000; // how long a deleted message can be brought back before it is deleted

/**
 * Each message's actions become one toolbar and one Tab stop (roving tabindex): Tab passes a
 * message's actions in one step, the arrow keys (and Home, End) move inside.
 */
function rove(root) {
  for (const bar of root.querySelectorAll('.msg-actions:not([role])')) {
    const quick = bar.querySelector('.quick-reacts');
    // The picker replaces the link to the page of every emoji (the way without JavaScript).
    quick?.querySelector('.react-more-link')?.remove();
    if (quick) quick.append(emojiButton('react-btn react-more', 'More reactions'));
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', 'Message actions');
    bar.querySelectorAll('button, a[href]').forEach((el, i) => {
      el.tabIndex = i === 0 ? 0 : -1;
    });
  }
}

function moveInToolbar(ev) {
  const bar = ev.target.closest('.msg-actions[role="toolbar"]');
  if (!bar || !['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp', 'Home', 'End'].includes(ev.key)) return;
  const items = [...bar.querySelectorAll('button, a[href]')];
  const at = items.indexOf(ev.target);
  if (at < 0) return;
  ev.preventDefault();
  let next = at;
  if (ev.key === 'Home') next = 0;
  else if (ev.key === 'End') next = items.length - 1;
  else next = (at + (ev.key === 'ArrowRight' || ev.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
  items[at].tabIndex = -1;
  items[next].tabIndex = 0;
  items[next].focus();
}

/** Wires the actions of `conv`'s messages; `refresh(seq)` re-renders one message. */
export function initActions(conv, { refresh }) {
  const { log, chat } = conv;
  rove(log);
  log.addEventListener('parley:content', (ev) => rove(ev.target));
  log.addEventListener('keydown', moveInToolbar);

  function composerForm() {
    return chat.querySelector('form.composer-form');
  }

  /** Shows an error next to the message (replaced by the next one). */
  function fail(li, text) {
    let box = li.querySelector('.msg-action-error');
    if (!box) {
      box = document.createElement('p');
      box.className = 'field-error msg-action-error';
      box.setAttribute('role', 'alert');
      li.querySelector('.msg-main')?.append(box);
    }
    box.textContent = text;
  }

  async function act(li, seq, method, path, body) {
    try {
      const res = await api(method, path, body);
      if (!res.ok) {
        fail(li, (await errorMessage(res)) || `That did not work (HTTP ${res.status}).`);
        return false;
      }
      await refresh(seq);
      return true;
    } catch {
      fail(li, 'No connection to the server: nothing changed. Try again.');
      return false;
    }
  }

  // Reactions and deletes are forms: taken over here, posted as JSON.
  log.addEventListener('submit', (ev) => {
    const form = ev.target;
    const m = ACTION.exec(form.getAttribute('action') || '');
    const li = form.closest('li.msg');
    if (!m || !li || m[1] !== conv.id) return;
    ev.preventDefault();
    const seq = Number(m[2]);
    if (m[3] === 'reactions') {
      const emoji = form.querySelector('input[name="emoji"]').value;
      act(li, seq, 'POST', `/conversations/${conv.id}/messages/${seq}/reactions`, { emoji });
    } else if (m[3] === 'preview/remove') {
      act(li, seq, 'POST', `/conversations/${conv.id}/messages/${seq}/preview/remove`, {});
    } else if (!li.hidden) {
      deleteWithUndo(li, seq);
    }
  });

  // ---- delete, with undo ----------------------------------------------------------------

  const pending = new Map(); // seq → the function that sends its delete now

  function deleteWithUndo(li, seq) {
    const bar = document.createElement('li');
    bar.className = 'msg-undo';
    bar.setAttribute('role', 'status');
    bar.append('Message deleted. ');
    const undo = document.createElement('button');
    undo.type = 'button';
    undo.className = 'btn btn-secondary btn-sm';
    undo.textContent = 'Undo';
    bar.append(undo);
    li.hidden = true;
    li.after(bar);
    undo.focus({ preventScroll: true });
    let done = false;
    const send = (keepalive) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      pending.delete(seq);
      bar.remove();
      li.hidden = false;
      if (keepalive) {
        fetch(`/api/v1/conversations/${conv.id}/messages/${seq}/delete`, {
          method: 'POST', credentials: 'same-origin', keepalive: true,
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrfToken() },
          body: '{}',
        }).catch(() => {});
      } else {
        act(li, seq, 'POST', `/conversations/${conv.id}/messages/${seq}/delete`, {});
      }
    };
    const timer = setTimeout(() => send(false), UNDO_MS);
    pending.set(seq, send);
    undo.addEventListener('click', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      pending.delete(seq);
      bar.remove();
      li.hidden = false;
      li.focus({ preventScroll: true });
    });
  }
  // Leaving the page (or the shell opening another conversation) sends what is pending.
  const flush = () => { for (const send of [...pending.values()]) send(true); };
  window.addEventListener('pagehide', flush);
  conv.flushDeletes = flush;

  log.addEventListener('click', (ev) => {
    const more = ev.target.closest('button.react-more');
    const at = more && more.closest('li.msg');
    if (at) {
      const seq = Number(at.id.slice(1));
      const bar = more.closest('.msg-actions');
      // The message is drawn again after the reaction: the focus goes to its new button.
      const react = async (emoji) => {
        await act(at, seq, 'POST', `/conversations/${conv.id}/messages/${seq}/reactions`, { emoji });
        document.getElementById(`m${seq}`)?.querySelector('button.react-more')?.focus();
      };
      openEmojiPicker(more, react, {
        label: 'React with an emoji',
        place: (dialog) => bar.after(dialog),
      });
      return;
    }
    const a = ev.target.closest('a.act');
    const li = a && a.closest('li.msg');
    if (!li || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const href = a.getAttribute('href') || '';
    const seq = Number(li.id.slice(1));
    if (/[?&]reply_to=\d+/.test(href) && composerForm()) {
      ev.preventDefault();
      startReply(li, seq);
    } else if (/\/messages\/\d+\/edit$/.test(href)) {
      ev.preventDefault();
      startEdit(li, seq);
    }
  });

  // ---- reply --------------------------------------------------------------------------

  function startReply(li, seq) {
    const form = composerForm();
    for (const el of form.querySelectorAll('input[name="reply_to"], .reply-strip')) el.remove();
    const who = li.querySelector('.msg-sender, .msg-main > .visually-hidden')?.textContent.trim() || 'the message';
    const text = (li.querySelector('.msg-body')?.textContent || '').trim().replace(/\s+/g, ' ');
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = 'reply_to';
    input.value = String(seq);
    const strip = document.createElement('div');
    strip.className = 'reply-strip';
    const p = document.createElement('p');
    const whoSpan = document.createElement('span');
    whoSpan.className = 'reply-strip-who';
    whoSpan.append('Replying to ');
    const link = document.createElement('a');
    link.href = `#m${seq}`;
    link.textContent = who;
    whoSpan.append(link);
    const textSpan = document.createElement('span');
    textSpan.className = 'reply-strip-text';
    textSpan.dir = 'auto';
    textSpan.textContent = text.length > 120 ? `${text.slice(0, 119)}…` : text;
    p.append(whoSpan, ' ', textSpan);
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'reply-cancel';
    cancel.innerHTML = CANCEL_ICON; // a constant: no text from anyone
    const cancelLabel = document.createElement('span');
    cancelLabel.className = 'visually-hidden';
    cancelLabel.textContent = 'Cancel reply';
    cancel.append(cancelLabel);
    cancel.addEventListener('click', () => {
      input.remove();
      strip.remove();
      form.querySelector('textarea[name="body"]').focus();
    });
    strip.append(p, cancel);
    const hidden = form.querySelector('input[name="client_id"]');
    hidden.after(input, strip);
    form.querySelector('textarea[name="body"]').focus();
  }

  // ---- edit ---------------------------------------------------------------------------

  let editing = null; // {li, close}

  async function startEdit(li, seq) {
    if (editing) editing.close();
    let body;
    try {
      const res = await api('GET', `/conversations/${conv.id}/messages/${seq}/edit`);
      if (!res.ok) {
        fail(li, (await errorMessage(res)) || 'This message cannot be edited.');
        return;
      }
      body = (await res.json()).message.body;
    } catch {
      fail(li, 'No connection to the server. Try again.');
      return;
    }
    const shown = li.querySelector('.msg-body');
    const form = document.createElement('form');
    form.className = 'msg-edit-inline';
    const id = `edit-m${seq}`;
    const label = document.createElement('label');
    label.className = 'visually-hidden';
    label.htmlFor = id;
    label.textContent = 'Edit message';
    const textarea = document.createElement('textarea');
    textarea.id = id;
    textarea.rows = Math.min(8, Math.max(2, body.split('\n').length));
    textarea.maxLength = 16384;
    textarea.value = body;
    const hint = document.createElement('p');
    hint.className = 'hint';
    hint.textContent = 'Enter saves, Esc cancels.';
    const save = document.createElement('button');
    save.type = 'submit';
    save.className = 'btn btn-primary btn-sm';
    save.textContent = 'Save';
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'btn btn-secondary btn-sm';
    cancel.textContent = 'Cancel';
    const row = document.createElement('div');
    row.className = 'msg-edit-actions';
    row.append(save, cancel, hint);
    form.append(label, textarea, row);
    if (shown) {
      shown.hidden = true;
      shown.after(form);
    } else {
      li.querySelector('.msg-main').append(form);
    }
    li.classList.add('is-editing');

    function close(focusComposer = true) {
      form.remove();
      if (shown) shown.hidden = false;
      li.classList.remove('is-editing');
      if (editing && editing.li === li) editing = null;
      if (focusComposer) chat.querySelector('textarea[name="body"]')?.focus();
    }
    editing = { li, close };

    cancel.addEventListener('click', () => close());
    textarea.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        close();
      } else if (ev.key === 'Enter' && !ev.shiftKey && !ev.altKey && !ev.isComposing && ev.keyCode !== 229) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (textarea.value === body) {
        close();
        return;
      }
      save.disabled = true;
      const ok = await act(li, seq, 'PATCH', `/conversations/${conv.id}/messages/${seq}`, { body: textarea.value });
      save.disabled = false;
      if (ok) close();
    });
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  }

  /** Up arrow in the empty composer: edit your last message shown (if any). */
  function editLast() {
    const mine = [...log.querySelectorAll('li.msg.msg-mine:not(.msg-deleted)')].filter((li) =>
      li.querySelector('a.act[href$="/edit"]'),
    );
    const li = mine[mine.length - 1];
    if (!li) return false;
    startEdit(li, Number(li.id.slice(1)));
    return true;
  }

  return { editLast };
}
