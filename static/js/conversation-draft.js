// conversation-draft.js — what you typed in a conversation's composer, kept in this
// browser (localStorage, per person and conversation) until it is sent: it survives
// switching conversations, reloads and closing the tab. Nothing of it reaches the server
// before you press Send. A composer the server filled (a send that failed without
// JavaScript) keeps the server's text.

const PREFIX = 'parley.draft.';

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: drafts live as long as the page
  }
}

/** Keeps `textarea`'s text for conversation `conv`; returns {sync} to call after a send. */
export function initDraft(conv, textarea) {
  const store = storage();
  const key = `${PREFIX}${conv.me}.${conv.id}`;
  if (!store) return { sync() {} };

  function sync() {
    try {
      if (textarea.value.trim()) store.setItem(key, textarea.value);
      else store.removeItem(key);
    } catch {
      /* full or disabled: the text stays on the page */
    }
  }

  if (!textarea.value) {
    const saved = store.getItem(key);
    if (saved) textarea.value = saved;
  }
  textarea.addEventListener('input', sync);
  return { sync };
}
