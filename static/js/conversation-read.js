// conversation-read.js — tells the server how far this person has read: the last message
// shown, once the tab is visible, and only on a page that shows the newest messages. Starts
// from the page's data-read-seq (where the server already has us).

import { postJSON } from './net.js';

/** Returns {markRead}; posts the read position once now if the page did not already. */
export function initReadPosition(conv) {
  // Where the server has us: the page itself marked read when a person opened it, not when
  // it was prefetched or prerendered (then the first markRead, once seen, posts it).
  let readPosted = Number(conv.chat.dataset.readSeq) || 0;

  /** Tells the server what this visible tab has shown. */
  function markRead() {
    const seq = conv.lastSeq();
    if (document.hidden || !conv.atNewest || seq <= readPosted) return;
    readPosted = seq;
    postJSON(`/api/v1/conversations/${conv.id}/read`, { seq }).catch(() => {
      readPosted = 0;
    });
  }

  markRead();
  return { markRead };
}
