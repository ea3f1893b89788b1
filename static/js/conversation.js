// conversation.js — the conversation page made live.
//
// Messages are never rendered here: on an event the page fetches its own HTML again
// (/conversations/<id>?after=… , ?around=… , ?before=…) and moves the server-rendered <li
// id="m<seq>"> elements in. The list stays in seq order with every seq once.
//
// A GET of the conversation page marks what it shows as read (a person looking at the page
// has read it), so a hidden tab does not fetch: it catches up when it is shown again.
//
// Also: sending without a reload (Enter sends, Shift+Enter is a new line), "… is typing",
// older history when scrolled to the top, and the receipts of your own messages ("✓",
// "✓✓", "Read", "Read by 2 of 5"), refetched when someone's `read` or `delivered` event
// comes and swapped in place.

import { postJSON, errorMessage, fetchDocument, uuid, announceContent } from './net.js';

const TYPING_POST_EVERY_MS = 3000;
const TYPING_SHOW_MS = 5000;

/** The seq of a message element (<li id="m42">), or null. */
function seqOf(el) {
  const m = /^m(\d+)$/.exec(el.id || '');
  return m ? Number(m[1]) : null;
}

function messageItems(list) {
  return list ? [...list.children].filter((li) => seqOf(li) !== null) : [];
}

/** Drops day separators that repeat the previous day or separate nothing. */
function tidyDays(list) {
  let day = null;
  for (const li of [...list.children]) {
    if (!li.classList.contains('day-sep')) continue;
    const text = li.textContent.trim();
    const next = li.nextElementSibling;
    if (text === day || !next || next.classList.contains('day-sep')) li.remove();
    else day = text;
  }
}

export function initConversation(live) {
  const chat = document.querySelector('.chat[data-conversation-id]');
  if (!chat) return;
  const id = chat.dataset.conversationId;
  const me = document.body.dataset.me;
  const log = chat.querySelector('.chat-log');
  const scroller = chat.querySelector('.chat-scroll');
  // "Reconnecting…" shows just below the chat's header rather than over the page.
  const status = document.getElementById('live-status');
  const head = chat.querySelector('.chat-head');
  if (status && head) head.append(status);
  // A page further back in history has a gap to the newest messages: it does not grow live.
  const atNewest = log.dataset.hasNewer !== '1';

  const list = () => log.querySelector('.msg-list');
  const lastSeq = () => {
    const items = messageItems(list());
    return items.length ? seqOf(items[items.length - 1]) : 0;
  };
  const firstSeq = () => {
    const items = messageItems(list());
    return items.length ? seqOf(items[0]) : 0;
  };

  // ---- newer messages ---------------------------------------------------------------------

  let catchingUp = null;
  let catchUpAgain = false;
  let pendingWhileHidden = false;
  const pendingRefresh = new Set();
  let readPosted = 0;

  /** Appends the messages after the last one shown, in order, each once. */
  function catchUp() {
    if (!atNewest) return Promise.resolve();
    if (document.hidden) {
      pendingWhileHidden = true;
      return Promise.resolve();
    }
    if (catchingUp) {
      catchUpAgain = true;
      return catchingUp;
    }
    catchingUp = (async () => {
      do {
        catchUpAgain = false;
        for (let pages = 0; pages < 20; pages += 1) {
          const before = lastSeq();
          // Ask from the last message shown (included again as context), so the server groups
          // the new ones with it and adds a day separator only when the day changes.
          const fetched = await fetchLog(`after=${Math.max(0, before - 1)}`);
          const added = appendAfter(fetched, before);
          if (!added || fetched.dataset.hasNewer !== '1') break;
        }
      } while (catchUpAgain);
      markRead();
    })()
      .catch((err) => console.warn('parley: could not fetch new messages', err))
      .finally(() => {
        catchingUp = null;
      });
    return catchingUp;
  }

  async function fetchLog(query) {
    const doc = await fetchDocument(`/conversations/${id}?${query}`);
    const fetched = doc.querySelector(`.chat[data-conversation-id="${id}"] .chat-log`);
    if (!fetched) throw new Error('the answer is not this conversation (logged out?)');
    return fetched;
  }

  /** Moves the fetched messages after seq `after` to the end of the list; returns how many. */
  function appendAfter(fetched, after) {
    const from = fetched.querySelector('.msg-list');
    if (!from) return 0;
    let to = list();
    if (!to) {
      // The first message of the conversation: the empty state gives way to the list.
      for (const el of log.querySelectorAll('.chat-empty, .history-start')) el.remove();
      to = document.createElement('ol');
      to.className = from.className;
      const start = fetched.querySelector(':scope > .history-start, :scope > .history-link');
      if (start && !start.querySelector('a[href*="after="]')) {
        log.prepend(start);
        start.after(to);
      } else {
        log.prepend(to);
      }
    }
    let added = 0;
    let separator = null;
    for (const li of [...from.children]) {
      if (li.classList.contains('day-sep')) {
        separator = li;
        continue;
      }
      const seq = seqOf(li);
      if (seq === null || seq <= after || document.getElementById(`m${seq}`)) {
        separator = null;
        continue;
      }
      if (separator) to.append(separator);
      separator = null;
      to.append(li);
      announceContent(li);
      added += 1;
    }
    if (added) {
      tidyDays(to);
      for (const el of log.querySelectorAll('.chat-empty')) el.remove();
    }
    return added;
  }

  /** Re-renders one message shown (edited, deleted, reacted to) from ?around=<seq>. */
  async function refresh(seq) {
    if (document.hidden) {
      pendingRefresh.add(seq);
      return;
    }
    const old = document.getElementById(`m${seq}`);
    if (!old) return; // not loaded here: it renders right when it is
    try {
      const fetched = await fetchLog(`around=${seq}`);
      const fresh = fetched.querySelector(`#m${seq}`);
      const current = document.getElementById(`m${seq}`);
      if (fresh && current) {
        current.replaceWith(fresh);
        announceContent(fresh);
      }
    } catch (err) {
      console.warn('parley: could not refresh message', seq, err);
    }
  }

  // ---- receipts ---------------------------------------------------------------------------

  // Own messages whose receipt may still change: every state short of "read" (in a group
  // "read" means everyone has read it). `upTo`: only messages up to that seq.
  function receiptCandidates(upTo) {
    return messageItems(list()).filter((li) => {
      const receipt = li.querySelector('.receipt[data-state]');
      return receipt && receipt.dataset.state !== 'read' && seqOf(li) <= upTo;
    });
  }

  let receiptsRunning = null;
  let receiptsAgain = false;
  let receiptsUpTo = 0;
  let receiptsTimer = null;
  let receiptsWhileHidden = false;

  /** Refreshes the receipts of own messages up to seq `upTo` (soon, coalesced). */
  function refreshReceipts(upTo = Infinity) {
    receiptsUpTo = Math.max(receiptsUpTo, upTo);
    if (document.hidden) {
      receiptsWhileHidden = true;
      return;
    }
    if (receiptsRunning) {
      receiptsAgain = true;
      return;
    }
    clearTimeout(receiptsTimer);
    receiptsTimer = setTimeout(runReceipts, 100);
  }

  function runReceipts() {
    receiptsTimer = null;
    receiptsRunning = (async () => {
      do {
        receiptsAgain = false;
        // New messages first: one being appended now must not miss the update.
        if (catchingUp) await catchingUp;
        const upTo = receiptsUpTo;
        receiptsUpTo = 0;
        let pending = receiptCandidates(upTo);
        // One fetch covers a page of history up to the newest message that may change; a
        // few more pages for older ones still waiting.
        for (let pages = 0; pages < 4 && pending.length; pages += 1) {
          const newest = seqOf(pending[pending.length - 1]);
          const fetched = await fetchLog(`before=${newest + 1}`);
          const covered = swapReceipts(fetched);
          pending = pending.filter((li) => li.isConnected && !covered.has(seqOf(li)) && seqOf(li) < newest);
        }
      } while (receiptsAgain);
    })()
      .catch((err) => console.warn('parley: could not refresh receipts', err))
      .finally(() => {
        receiptsRunning = null;
      });
  }

  /** Swaps in the fetched receipts of the messages shown; returns the seqs fetched. */
  function swapReceipts(fetched) {
    const covered = new Set();
    for (const fresh of fetched.querySelectorAll('.msg-list > li[id^="m"]')) {
      const seq = seqOf(fresh);
      if (seq === null) continue;
      covered.add(seq);
      const current = document.getElementById(`m${seq}`);
      if (!current) continue;
      const had = current.querySelector('.receipt');
      const got = fresh.querySelector('.receipt');
      if (had && got) {
        if (had.outerHTML !== got.outerHTML) had.replaceWith(document.importNode(got, true));
      } else if (had) {
        had.remove(); // receipts were turned off
      }
    }
    return covered;
  }

  /** Tells the server what this visible tab has shown. */
  function markRead() {
    const seq = lastSeq();
    if (document.hidden || !atNewest || seq <= readPosted) return;
    readPosted = seq;
    postJSON(`/api/v1/conversations/${id}/read`, { seq }).catch(() => {
      readPosted = 0;
    });
  }
  // Where the server has us: the page itself marked read when a person opened it, not when
  // it was prefetched or prerendered (then the first markRead, once seen, posts it).
  readPosted = Number(chat.dataset.readSeq) || 0;
  markRead();

  document.addEventListener('visibilitychange', () => {
    if (document.hidden) return;
    if (pendingWhileHidden) {
      pendingWhileHidden = false;
      catchUp();
    }
    for (const seq of pendingRefresh) refresh(seq);
    pendingRefresh.clear();
    if (receiptsWhileHidden) {
      receiptsWhileHidden = false;
      refreshReceipts();
    }
    markRead();
  });

  // ---- events -----------------------------------------------------------------------------

  live.subscribe((ev) => {
    switch (ev.type) {
      case 'open':
      case 'resync':
        catchUp();
        refreshReceipts();
        break;
      case 'read':
      case 'delivered':
        if (String(ev.conversation_id) !== id || String(ev.user_id) === me) break;
        refreshReceipts(Number(ev.type === 'read' ? ev.read_seq : ev.delivered_seq) || Infinity);
        break;
      case 'message.created':
        if (String(ev.conversation_id) !== id) break;
        if (ev.message && ev.message.sender) typingStopped(ev.message.sender.id);
        if (ev.seq > lastSeq()) catchUp();
        break;
      case 'message.edited':
      case 'message.deleted':
      case 'reaction':
        if (String(ev.conversation_id) !== id) break;
        if (ev.seq > lastSeq()) catchUp();
        else refresh(ev.seq);
        break;
      case 'typing':
        if (String(ev.conversation_id) === id && ev.user && String(ev.user.id) !== me) typingStarted(ev.user);
        break;
      default:
    }
  });

  // ---- "… is typing" ----------------------------------------------------------------------

  const indicator = document.getElementById('typing');
  const typists = new Map(); // user id → {name, timer}

  /** A name in a <bdi>, so that direction marks in it cannot reorder the sentence. */
  function isolated(name) {
    const el = document.createElement('bdi');
    el.textContent = name;
    return el;
  }

  function renderTyping() {
    if (!indicator) return;
    const names = [...typists.values()].map((t) => t.name);
    const parts = [];
    if (names.length === 1) parts.push(isolated(names[0]), ' is typing…');
    else if (names.length === 2) parts.push(isolated(names[0]), ' and ', isolated(names[1]), ' are typing…');
    else if (names.length > 2) parts.push('Several people are typing…');
    indicator.replaceChildren(...parts);
    indicator.classList.toggle('is-active', names.length > 0);
  }

  function typingStarted(user) {
    const key = String(user.id);
    const known = typists.get(key);
    if (known) clearTimeout(known.timer);
    const timer = setTimeout(() => typingStopped(key), TYPING_SHOW_MS);
    typists.set(key, { name: user.display_name || user.username, timer });
    renderTyping();
  }

  function typingStopped(userId) {
    const key = String(userId);
    const known = typists.get(key);
    if (!known) return;
    clearTimeout(known.timer);
    typists.delete(key);
    renderTyping();
  }

  // ---- the composer -----------------------------------------------------------------------

  const form = chat.querySelector('form.composer-form');
  if (form) enhanceComposer(form);

  function enhanceComposer(form) {
    const textarea = form.querySelector('textarea[name="body"]');
    const clientId = form.querySelector('input[name="client_id"]');
    const button = form.querySelector('button[type="submit"]');
    const composer = form.closest('.composer');
    let sending = false;
    let lastTypingPost = 0;

    function showError(text) {
      let box = composer.querySelector('.composer-error');
      if (!box) {
        box = document.createElement('div');
        box.className = 'alert alert-error composer-error';
        box.setAttribute('role', 'alert');
        box.append(document.createElement('p'));
        form.before(box);
      }
      box.querySelector('p').textContent = text;
    }

    function clearErrors() {
      for (const el of composer.querySelectorAll('.composer-error, #form-error, .field-error')) el.remove();
      const row = form.querySelector('.composer-row.has-error');
      if (row) row.classList.remove('has-error');
      textarea.removeAttribute('aria-invalid');
    }

    function endReply() {
      for (const el of form.querySelectorAll('input[name="reply_to"], .reply-strip')) el.remove();
      const url = new URL(location.href);
      if (url.searchParams.has('reply_to')) {
        url.searchParams.delete('reply_to');
        history.replaceState(history.state, '', url.pathname + url.search);
      }
    }

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (sending) return;
      const body = textarea.value;
      if (!body.trim()) {
        textarea.focus();
        return;
      }
      if (!clientId.value) clientId.value = uuid();
      const payload = { body, client_id: clientId.value };
      const replyTo = form.querySelector('input[name="reply_to"]');
      if (replyTo && replyTo.value) payload.reply_to = Number(replyTo.value);
      sending = true;
      button.disabled = true;
      form.classList.add('is-sending');
      try {
        const response = await postJSON(`/api/v1/conversations/${id}/messages`, payload);
        if (response.status === 201 || response.status === 200) {
          const data = await response.json().catch(() => ({}));
          clearErrors();
          if (textarea.value === body) textarea.value = '';
          clientId.value = uuid(); // the next message is a new one; a retry of this one was not
          endReply();
          const seq = data.message && data.message.seq;
          // A new message (201) makes an event for this tab too: if it never comes, the
          // event stream is not getting through.
          if (response.status === 201 && seq && live.expectDelivery) {
            live.expectDelivery((e) => e.type === 'message.created' && String(e.conversation_id) === id && e.seq === seq);
          }
          if (!atNewest) {
            location.assign(`/conversations/${id}${seq ? `#m${seq}` : '#composer'}`);
            return;
          }
          await catchUp();
          scroller.scrollTop = 0; // column-reverse: 0 is the newest end
        } else {
          // The same client_id stays: pressing Send again can never post it twice.
          showError((await errorMessage(response)) || `The message was not sent (HTTP ${response.status}).`);
        }
      } catch {
        showError('The message was not sent: no connection to the server. Press Send to try again.');
      } finally {
        sending = false;
        button.disabled = false;
        form.classList.remove('is-sending');
      }
    });

    textarea.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter' || ev.shiftKey || ev.altKey || ev.isComposing || ev.keyCode === 229) return;
      ev.preventDefault();
      form.requestSubmit();
    });

    textarea.addEventListener('input', () => {
      const now = Date.now();
      if (!textarea.value.trim() || now - lastTypingPost < TYPING_POST_EVERY_MS) return;
      lastTypingPost = now;
      postJSON(`/api/v1/conversations/${id}/typing`).catch(() => {});
    });
  }

  // ---- older history ----------------------------------------------------------------------

  let loadingOlder = false;
  let observer = null;

  async function loadOlder() {
    const first = firstSeq();
    if (loadingOlder || !first || log.dataset.hasOlder !== '1') return;
    loadingOlder = true;
    try {
      // Ask up to and including the first message shown, so it comes back grouped with the
      // ones before it; the fetched copy replaces it.
      const fetched = await fetchLog(`before=${first + 1}`);
      const from = fetched.querySelector('.msg-list');
      const to = list();
      if (!from || !to) return;
      const incoming = [...from.children];
      if (!incoming.some((li) => seqOf(li) === first)) return;
      // Everything shown up to and including the first message gives way to the fetched copy.
      while (to.firstElementChild) {
        const li = to.firstElementChild;
        const seq = seqOf(li);
        li.remove();
        if (seq === first) break;
      }
      to.prepend(...incoming);
      tidyDays(to);
      for (const li of incoming) announceContent(li);
      log.dataset.hasOlder = fetched.dataset.hasOlder === '1' ? '1' : '0';
      const top = log.querySelector(':scope > .history-link, :scope > .history-start');
      const fetchedTop = fetched.firstElementChild;
      if (top && fetchedTop && fetchedTop.matches('.history-link, .history-start')) {
        top.replaceWith(fetchedTop);
        watchTop();
      }
    } catch (err) {
      console.warn('parley: could not load older messages', err);
    } finally {
      loadingOlder = false;
    }
  }

  function watchTop() {
    if (!('IntersectionObserver' in window)) return;
    if (observer) observer.disconnect();
    const top = log.querySelector(':scope > .history-link');
    if (!top || log.dataset.hasOlder !== '1') return;
    observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) loadOlder();
      },
      { root: scroller, rootMargin: '200px 0px 0px 0px' },
    );
    observer.observe(top);
  }

  log.addEventListener('click', (ev) => {
    const link = ev.target.closest('.history-link a[href*="before="]');
    if (!link) return;
    ev.preventDefault();
    loadOlder();
  });
  watchTop();
}
