// conversation-typing.js — "… is typing": shows who is typing in #typing (from `typing`
// events, each shown for a few seconds or until their message arrives), and tells the
// server while this person types in the composer (at most every few seconds).

import { postJSON } from './net.js';

const TYPING_POST_EVERY_MS = 3000;
const TYPING_SHOW_MS = 5000;

/** A name in a <bdi>, so that direction marks in it cannot reorder the sentence. */
function isolated(name) {
  const el = document.createElement('bdi');
  el.textContent = name;
  return el;
}

/** Returns {typingStarted, typingStopped, reportTyping}. */
export function initTyping(conv) {
  const indicator = document.getElementById('typing');
  const typists = new Map(); // user id → {name, timer}

  function render() {
    if (!indicator) return;
    const names = [...typists.values()].map((t) => t.name);
    const parts = [];
    if (names.length === 1) parts.push(isolated(names[0]), ' is typing…');
    else if (names.length === 2) parts.push(isolated(names[0]), ' and ', isolated(names[1]), ' are typing…');
    else if (names.length > 2) parts.push('Several people are typing…');
    indicator.replaceChildren(...parts);
    indicator.classList.toggle('is-active', names.length > 0);
  }

  /** `user` ({id, username, display_name}) is typing: shown for TYPING_SHOW_MS. */
  function typingStarted(user) {
    const key = String(user.id);
    const known = typists.get(key);
    if (known) clearTimeout(known.timer);
    const timer = setTimeout(() => typingStopped(key), TYPING_SHOW_MS);
    typists.set(key, { name: user.display_name || user.username, timer });
    render();
  }

  function typingStopped(userId) {
    const key = String(userId);
    const known = typists.get(key);
    if (!known) return;
    clearTimeout(known.timer);
    typists.delete(key);
    render();
  }

  /** Posts "typing" while there is text being typed in `textarea`. */
  function reportTyping(textarea) {
    let lastPost = 0;
    textarea.addEventListener('input', () => {
      const now = Date.now();
      if (!textarea.value.trim() || now - lastPost < TYPING_POST_EVERY_MS) return;
      lastPost = now;
      postJSON(`/api/v1/conversations/${conv.id}/typing`).catch(() => {});
    });
  }

  return { typingStarted, typingStopped, reportTyping };
}
