// unread.js — the navigation's unread badge (on Conversations) and the "(3)" in the tab's
// title, kept live on every page: on an event that can change the total, GET
// /api/v1/unread once (a burst of events makes one request). A page with a conversation
// list (inbox.js) counts its title from that list instead; the badge is still this one's.

const REFRESH_ON = new Set(['open', 'resync', 'message.created', 'message.deleted', 'read', 'member.added', 'member.removed',
  'conversation.created', 'request.changed', 'contact.request', 'contact.accepted']);

// The Requests badge (message requests) and the Contacts badge (contact requests waiting).
function showCount(el, n) {
  if (!el) return;
  if (!el.firstChild || el.firstChild.nodeType !== Node.TEXT_NODE) el.prepend(document.createTextNode(''));
  el.hidden = !(n > 0);
  el.firstChild.nodeValue = n > 0 ? String(n) : '';
}
const DELAY_MS = 300;

export function initUnread(live) {
  const badge = document.getElementById('nav-unread');
  if (!badge) return;
  const me = document.body.dataset.me;
  const titleFromList = () => Boolean(document.querySelector('[data-inbox]'));
  let timer = null;

  function show(n) {
    badge.hidden = !(n > 0);
    badge.firstChild.nodeValue = n > 0 ? String(n) : '';
    if (titleFromList()) return;
    const base = document.title.replace(/^\(\d+\)\s*/, '');
    document.title = n > 0 ? `(${n}) ${base}` : base;
  }

  async function refresh() {
    try {
      const res = await fetch('/api/v1/unread', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!res.ok) return;
      const counts = await res.json();
      show(counts.unread);
      showCount(document.getElementById('nav-requests'), counts.requests);
      showCount(document.getElementById('nav-contact-requests'), counts.contact_requests);
    } catch {
      /* offline: the next event asks again */
    }
  }

  if (!badge.firstChild || badge.firstChild.nodeType !== Node.TEXT_NODE) badge.prepend(document.createTextNode(''));
  live.subscribe((ev) => {
    if (!REFRESH_ON.has(ev.type)) return;
    if (ev.type === 'read' && String(ev.user_id) !== me) return; // someone else read
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY_MS);
  });
}
