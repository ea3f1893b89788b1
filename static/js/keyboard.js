// keyboard.js — the keyboard shortcuts of every logged-in page: Ctrl+K (Cmd+K on a Mac)
// opens the quick switcher, a dialog that filters your conversations by title as you type
// (arrows choose, Enter opens, Esc closes); `?` (outside a text field) lists the shortcuts.
// Opening a conversation goes through `open(path)`: the shell's in-place switch on the
// conversation page, a plain navigation elsewhere.

const SHORTCUTS = [
  ['Ctrl+K / ⌘K', 'Switch to another conversation'],
  ['Enter', 'Send the message (Shift+Enter: a new line)'],
  ['↑ in an empty composer', 'Edit your last message'],
  ['Esc', 'Cancel the edit, or close a dialog'],
  ['← → on message actions', 'Move between a message\'s actions (one Tab stop)'],
  ['?', 'Show this list'],
];

function typing(target) {
  return target.closest && target.closest('input, textarea, select, [contenteditable="true"]');
}

function makeDialog(className, label) {
  const dialog = document.createElement('dialog');
  dialog.className = `kbd-dialog ${className}`;
  dialog.setAttribute('aria-label', label);
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'btn btn-secondary btn-sm kbd-close';
  close.textContent = 'Close';
  close.addEventListener('click', () => dialog.close());
  dialog.append(close);
  document.body.append(dialog);
  return dialog;
}

/** `open(path)` opens a conversation page. */
export function initKeyboard({ open }) {
  let switcher = null;
  let help = null;

  function showHelp() {
    if (!help) {
      help = makeDialog('kbd-help', 'Keyboard shortcuts');
      const h = document.createElement('h2');
      h.textContent = 'Keyboard shortcuts';
      const dl = document.createElement('dl');
      for (const [keys, what] of SHORTCUTS) {
        const dt = document.createElement('dt');
        const kbd = document.createElement('kbd');
        kbd.textContent = keys;
        dt.append(kbd);
        const dd = document.createElement('dd');
        dd.textContent = what;
        dl.append(dt, dd);
      }
      help.prepend(h, dl);
    }
    if (!help.open) help.showModal();
  }

  async function showSwitcher() {
    if (!switcher) switcher = buildSwitcher(open);
    await switcher.show();
  }

  document.addEventListener('keydown', (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && !ev.shiftKey && ev.key.toLowerCase() === 'k') {
      ev.preventDefault();
      showSwitcher();
    } else if (ev.key === '?' && !ev.ctrlKey && !ev.metaKey && !ev.altKey && !typing(ev.target)) {
      ev.preventDefault();
      showHelp();
    }
  });
}

function buildSwitcher(open) {
  const dialog = makeDialog('switcher', 'Switch conversation');
  const label = document.createElement('label');
  label.htmlFor = 'switcher-q';
  label.textContent = 'Go to conversation';
  const input = document.createElement('input');
  input.id = 'switcher-q';
  input.type = 'text';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'true');
  input.setAttribute('aria-controls', 'switcher-list');
  const list = document.createElement('ul');
  list.id = 'switcher-list';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', 'Conversations');
  const empty = document.createElement('p');
  empty.className = 'muted';
  empty.textContent = 'No conversation has that name.';
  empty.hidden = true;
  dialog.prepend(label, input, list, empty);

  let all = [];
  let shown = [];
  let active = 0;

  function render() {
    const words = input.value.trim().toLocaleLowerCase().split(/\s+/).filter(Boolean);
    shown = all.filter((c) => words.every((w) => c.title.toLocaleLowerCase().includes(w))).slice(0, 50);
    active = Math.min(active, Math.max(0, shown.length - 1));
    list.replaceChildren(
      ...shown.map((c, i) => {
        const li = document.createElement('li');
        li.id = `switcher-${c.id}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', String(i === active));
        li.textContent = c.title;
        if (c.unread > 0) {
          const badge = document.createElement('span');
          badge.className = 'unread-badge';
          badge.textContent = String(c.unread);
          const hidden = document.createElement('span');
          hidden.className = 'visually-hidden';
          hidden.textContent = ' unread';
          badge.append(hidden);
          li.append(' ', badge);
        }
        li.addEventListener('click', () => go(c));
        return li;
      }),
    );
    empty.hidden = shown.length > 0;
    if (shown[active]) input.setAttribute('aria-activedescendant', `switcher-${shown[active].id}`);
    else input.removeAttribute('aria-activedescendant');
  }

  function go(c) {
    dialog.close();
    open(`/conversations/${c.id}`);
  }

  input.addEventListener('input', () => {
    active = 0;
    render();
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      if (!shown.length) return;
      active = (active + (ev.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length;
      render();
      list.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      if (shown[active]) go(shown[active]);
    }
  });

  return {
    async show() {
      input.value = '';
      active = 0;
      if (!dialog.open) dialog.showModal();
      input.focus();
      try {
        const res = await fetch('/api/v1/conversations', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
        if (res.ok) all = (await res.json()).conversations.map((c) => ({ id: c.id, title: c.title, unread: c.unread }));
      } catch {
        /* offline: the last list, if any */
      }
      render();
    },
  };
}
