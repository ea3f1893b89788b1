// shell.js — the app shell of the conversation page: the list of your conversations on the
// left (kept live by inbox.js), the conversation on the right (#shell-main).
//
// Opening another conversation from the list fetches its page and swaps in only its
// #shell-main: the list, the event stream and everything else on the page stay. The old
// conversation's script is stopped first (`mount` returns the function that stops it) and
// the new one started; the address changes with history.pushState, and Back and Forward
// (popstate) open the conversation of the address the same way. On phones the list is
// hidden (one pane at a time) and links navigate as usual. The filter box narrows the
// list by title as you type; Enter opens the first conversation left.

import { fetchDocument, announceContent } from './net.js';

const CONVERSATION_PATH = /^\/conversations\/\d+$/;

/**
 * `mount()` makes the conversation in #shell-main live and returns a function that stops
 * it (or null); `after()` runs after each swap (notification buttons, the tab's title).
 */
export function initShell({ mount, after }) {
  const shell = document.querySelector('.shell');
  const main = document.getElementById('shell-main');
  const listPane = shell && shell.querySelector('.shell-list');
  const list = shell && shell.querySelector('[data-inbox]');
  if (!shell || !main || !list) return null;
  const filter = shell.querySelector('#conv-filter');
  let stop = mount();
  let opening = 0; // the latest open(): an older answer arriving late is dropped
  let shownPath = location.pathname; // the conversation in #shell-main

  /** The list is beside the conversation (wide screens), not hidden (phones). */
  const listShown = () => getComputedStyle(listPane).display !== 'none';

  function markCurrent() {
    for (const a of list.querySelectorAll('a.conv-link')) {
      if (new URL(a.href).pathname === location.pathname) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }

  function applyFilter() {
    if (!filter) return;
    const words = filter.value.trim().toLocaleLowerCase().split(/\s+/).filter(Boolean);
    for (const li of list.querySelectorAll('.conv-item')) {
      const title = (li.querySelector('.conv-title bdi')?.textContent || '').toLocaleLowerCase();
      li.hidden = !words.every((w) => title.includes(w));
    }
  }

  async function open(path, push) {
    const ticket = ++opening;
    let doc;
    try {
      doc = await fetchDocument(path);
    } catch {
      location.assign(path); // offline, gone or logged out: let the browser show it
      return;
    }
    if (ticket !== opening) return;
    const fresh = doc.getElementById('shell-main');
    if (!fresh) {
      location.assign(path);
      return;
    }
    if (stop) stop();
    main.replaceChildren(...fresh.childNodes);
    document.title = doc.title;
    if (push) history.pushState({ shell: true }, '', path);
    shownPath = new URL(path, location.href).pathname;
    stop = mount();
    markCurrent();
    announceContent(main);
    if (after) after();
    const composer = main.querySelector('textarea[name="body"]');
    if (composer) composer.focus({ preventScroll: true });
    else main.querySelector('h1')?.focus?.();
  }

  list.addEventListener('click', (ev) => {
    const a = ev.target.closest('a.conv-link');
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin || !CONVERSATION_PATH.test(url.pathname) || !listShown()) return;
    ev.preventDefault();
    if (url.pathname === location.pathname && !location.search) return;
    open(url.pathname, true);
  });

  // Back and Forward between conversations; a jump within this one (#m42) is not a switch.
  window.addEventListener('popstate', () => {
    if (location.pathname === shownPath) return;
    if (CONVERSATION_PATH.test(location.pathname)) open(location.pathname + location.search, false);
    else location.reload();
  });

  if (filter) {
    filter.addEventListener('input', applyFilter);
    filter.form.addEventListener('submit', (ev) => {
      const first = [...list.querySelectorAll('.conv-item')].find((li) => !li.hidden);
      if (!first || !listShown()) return; // no match: the server searches instead
      ev.preventDefault();
      first.querySelector('a.conv-link').click();
    });
  }
  list.addEventListener('parley:inbox', () => {
    markCurrent();
    applyFilter();
  });
  // The first entry gets a state too, so Back to it comes through popstate.
  history.replaceState({ shell: true }, '', location.href);
  markCurrent();
  return { open };
}
