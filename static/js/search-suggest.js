// search-suggest.js — suggestions under the header's search box while typing: your
// conversations by title and people by name (GET /api/v1/search/conversations and
// /search/people), and "Search messages for …", which submits the form as it would without
// JavaScript. A combobox with a listbox (arrow keys, Enter, Escape); built with textContent
// only, so nothing typed or stored becomes markup.

const DEBOUNCE_MS = 250;
const MIN_CHARS = 2;
const MAX_EACH = 5;

/** Fetches one suggestion list; [] on any failure (rate limit included: the form still works). */
async function fetchList(kind, q, signal) {
  try {
    const response = await fetch(`/api/v1/search/${kind}?q=${encodeURIComponent(q)}`, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
      signal,
    });
    if (!response.ok) return [];
    const data = await response.json();
    return (data[kind] || []).slice(0, MAX_EACH);
  } catch {
    return [];
  }
}

export function initSearchSuggest() {
  const input = document.getElementById('header-q');
  const form = input && input.form;
  if (!input || !form || !document.body.dataset.me) return;

  const list = document.createElement('ul');
  list.id = 'header-q-suggestions';
  list.className = 'search-suggest';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', 'Suggestions');
  list.hidden = true;
  form.append(list);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');

  let timer = null;
  let ctrl = null;
  let active = -1;

  const options = () => [...list.querySelectorAll('[role="option"]')];

  function close() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function highlight(i) {
    const all = options();
    if (!all.length) return;
    active = (i + all.length) % all.length;
    all.forEach((o, k) => o.setAttribute('aria-selected', k === active ? 'true' : 'false'));
    input.setAttribute('aria-activedescendant', all[active].id);
  }

  /** One option: a link (a conversation, a person) or the message search itself. */
  function option(text, detail, href) {
    const li = document.createElement('li');
    li.id = `header-q-opt-${list.children.length}`;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', 'false');
    li.dataset.href = href;
    const main = document.createElement('span');
    main.className = 'search-suggest-main';
    main.textContent = text;
    li.append(main);
    if (detail) {
      const small = document.createElement('span');
      small.className = 'search-suggest-detail';
      small.textContent = detail;
      li.append(small);
    }
    // mousedown, not click: the input's blur would close the list first.
    li.addEventListener('mousedown', (e) => {
      e.preventDefault();
      go(li);
    });
    list.append(li);
  }

  function go(li) {
    if (li.dataset.href) location.assign(li.dataset.href);
    else form.requestSubmit();
  }

  async function suggest() {
    const q = input.value.trim();
    if (ctrl) ctrl.abort();
    // Operators (from:, in:, …) and quotes are message searches: no suggestions for them.
    if (q.length < MIN_CHARS || /[:"]/.test(q)) {
      close();
      return;
    }
    ctrl = new AbortController();
    const signal = ctrl.signal;
    const [conversations, people] = await Promise.all([
      fetchList('conversations', q, signal),
      fetchList('people', q, signal),
    ]);
    if (signal.aborted || input.value.trim() !== q) return;
    list.replaceChildren();
    active = -1;
    for (const c of conversations) option(c.title, c.kind === 'direct' ? 'Direct conversation' : 'Conversation', `/conversations/${encodeURIComponent(c.id)}`);
    for (const p of people) option(p.display_name, `@${p.username}`, `/users/${encodeURIComponent(p.username)}`);
    option(`Search messages for “${q}”`, '', '');
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (list.hidden) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      highlight(active + (e.key === 'ArrowDown' ? 1 : -1));
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      go(options()[active]);
    } else if (e.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
}
