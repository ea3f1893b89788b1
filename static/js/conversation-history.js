// conversation-history.js — the messages shown, kept current: newer ones appended as they
// come (?after=), one re-rendered in place when edited, deleted or reacted to (?around=),
// older ones prepended when the top of the list scrolls into view (?before=). Expects the
// page's .chat-log with data-has-older/data-has-newer and its .history-link at the top.

import { announceContent } from './net.js';
import { seqOf, tidyDays, fetchLog } from './conversation-log.js';

/** Returns {catchUp, refresh, catchingUp, resume, stop}; `markRead` runs after each catch-up. */
export function initHistory(conv, { markRead }) {
  const { log } = conv;

  // ---- newer messages ---------------------------------------------------------------------

  let catchingUp = null;
  let catchUpAgain = false;
  let pendingWhileHidden = false;
  const pendingRefresh = new Set();

  /** Appends the messages after the last one shown, in order, each once. */
  function catchUp() {
    if (!conv.atNewest) return Promise.resolve();
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
          const before = conv.lastSeq();
          // Ask from the last message shown (included again as context), so the server groups
          // the new ones with it and adds a day separator only when the day changes.
          const fetched = await fetchLog(conv, `after=${Math.max(0, before - 1)}`);
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

  /** Moves the fetched messages after seq `after` to the end of the list; returns how many. */
  function appendAfter(fetched, after) {
    const from = fetched.querySelector('.msg-list');
    if (!from) return 0;
    let to = conv.list();
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
      const fetched = await fetchLog(conv, `around=${seq}`);
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

  /** The tab is shown again: does what waited while it was hidden. */
  function resume() {
    if (pendingWhileHidden) {
      pendingWhileHidden = false;
      catchUp();
    }
    for (const seq of pendingRefresh) refresh(seq);
    pendingRefresh.clear();
  }

  // ---- older messages ---------------------------------------------------------------------

  let loadingOlder = false;
  let observer = null;

  async function loadOlder() {
    const first = conv.firstSeq();
    if (loadingOlder || !first || log.dataset.hasOlder !== '1') return;
    loadingOlder = true;
    try {
      // Ask up to and including the first message shown, so it comes back grouped with the
      // ones before it; the fetched copy replaces it.
      const fetched = await fetchLog(conv, `before=${first + 1}`);
      const from = fetched.querySelector('.msg-list');
      const to = conv.list();
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

  /** Loads older messages when the "Older messages" link at the top nears the view. */
  function watchTop() {
    if (!('IntersectionObserver' in window)) return;
    if (observer) observer.disconnect();
    const top = log.querySelector(':scope > .history-link');
    if (!top || log.dataset.hasOlder !== '1') return;
    observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) loadOlder();
      },
      { root: conv.scroller, rootMargin: '200px 0px 0px 0px' },
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

  /** Stops watching the top of the list (the shell is replacing this conversation). */
  function stop() {
    if (observer) observer.disconnect();
    observer = null;
  }

  return { catchUp, refresh, resume, stop, catchingUp: () => catchingUp };
}
