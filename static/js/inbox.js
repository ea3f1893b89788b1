// inbox.js — the conversation list kept current, on /conversations and beside a
// conversation (the element marked data-inbox): on an event that changes it, the page
// fetches /conversations and swaps in the server-rendered list. The tab's title counts the
// unread messages: "(3) Conversations · Parley". After each swap the list announces
// `parley:inbox` (shell.js marks the open conversation and applies its filter again).

import { fetchDocument, announceContent } from './net.js';

const REFRESH_DELAY_MS = 250; // one refetch for a burst of events

const REFRESH_ON = new Set([
  'open',
  'resync',
  'message.created',
  'message.edited',
  'message.deleted',
  'read',
  'conversation.created',
  'conversation.updated',
  'member.added',
  'member.removed',
  'request.changed',
]);

function unreadTotal(root) {
  let total = 0;
  for (const badge of root.querySelectorAll('.unread-badge')) {
    const n = parseInt(badge.textContent, 10);
    if (n > 0) total += n;
  }
  return total;
}

export function initInbox(live) {
  const section = document.querySelector('[data-inbox]');
  if (!section) return;
  const me = document.body.dataset.me;

  // The title without a count: read again each time, since the shell changes the title
  // when it opens another conversation.
  function showTitle() {
    const n = unreadTotal(section);
    const baseTitle = document.title.replace(/^\(\d+\)\s*/, '');
    document.title = n > 0 ? `(${n}) ${baseTitle}` : baseTitle;
  }

  let timer = null;
  let running = false;
  let again = false;

  async function refresh() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const doc = await fetchDocument('/conversations');
        const fresh = doc.querySelector('[data-inbox]');
        if (!fresh) throw new Error('no conversation list in the answer (logged out?)');
        section.replaceChildren(...fresh.childNodes);
        section.dispatchEvent(new CustomEvent('parley:inbox', { bubbles: true }));
        announceContent(section);
        showTitle();
      } while (again);
    } catch (err) {
      console.warn('parley: could not refresh the conversation list', err);
    } finally {
      running = false;
    }
  }

  live.subscribe((ev) => {
    if (!REFRESH_ON.has(ev.type)) return;
    if (ev.type === 'read' && String(ev.user_id) !== me) return; // someone else read
    clearTimeout(timer);
    timer = setTimeout(refresh, REFRESH_DELAY_MS);
  });
  showTitle();
  return { showTitle };
}
