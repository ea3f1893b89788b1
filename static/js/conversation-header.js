// conversation-header.js — the conversation's header kept current: when someone joins or
// leaves, the conversation is renamed or a role changes (member.added, member.removed,
// conversation.updated, member.role), the page fetches itself and swaps in the
// server-rendered title line (title, kind, member count, description) and the tab's title.
// A change of my own role may open or close the composer (a channel's admins post), so the
// caller is told (`onMyRole`).

import { fetchDocument } from './net.js';

const DELAY_MS = 200; // one refetch for a burst of events

export function initHeader(chat, id, me, { onMyRole }) {
  let timer = null;

  async function refresh() {
    try {
      const doc = await fetchDocument(location.pathname);
      const fresh = doc.querySelector('.chat-head .chat-title');
      const old = chat.querySelector('.chat-head .chat-title');
      if (!fresh || !old) return;
      old.replaceWith(fresh);
      const prefix = (document.title.match(/^\(\d+\)\s*/) || [''])[0];
      document.title = prefix + doc.title.replace(/^\(\d+\)\s*/, '');
    } catch {
      /* offline or logged out: the next event tries again */
    }
  }

  return function onEvent(ev) {
    if (String(ev.conversation_id) !== id) return;
    if (!['member.added', 'member.removed', 'conversation.updated', 'member.role'].includes(ev.type)) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY_MS);
    if (ev.type === 'member.role' && String(ev.user_id) === me) onMyRole();
  };
}
