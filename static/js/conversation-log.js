// conversation-log.js — the message list of a conversation page as the other conversation
// modules see it: <li id="m<seq>"> items in seq order, day separators (<li class="day-sep">),
// and pages of the same conversation fetched again (?after=, ?around=, ?before=) to take
// server-rendered messages from.

import { fetchDocument } from './net.js';

/** The seq of a message element (<li id="m42">), or null. */
export function seqOf(el) {
  const m = /^m(\d+)$/.exec(el.id || '');
  return m ? Number(m[1]) : null;
}

/** The message items of a .msg-list (or none when there is no list yet). */
export function messageItems(list) {
  return list ? [...list.children].filter((li) => seqOf(li) !== null) : [];
}

/** Drops day separators that repeat the previous day or separate nothing. */
export function tidyDays(list) {
  let day = null;
  for (const li of [...list.children]) {
    if (!li.classList.contains('day-sep')) continue;
    const text = li.textContent.trim();
    const next = li.nextElementSibling;
    if (text === day || !next || next.classList.contains('day-sep')) li.remove();
    else day = text;
  }
}

/** The .chat-log of this conversation's page fetched with `query` ("after=41", …). */
export async function fetchLog(conv, query) {
  const doc = await fetchDocument(`/conversations/${conv.id}?${query}`);
  const fetched = doc.querySelector(`.chat[data-conversation-id="${conv.id}"] .chat-log`);
  if (!fetched) throw new Error('the answer is not this conversation (logged out?)');
  return fetched;
}
