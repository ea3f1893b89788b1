// app.js — progressive enhancement for the server-rendered pages. Every page works without
// it; with it, times read in the reader's own time zone, a new token's secret has a Copy
// button, and destructive buttons ask before acting. For a logged-in person the pages are
// live (live.js: one event connection per tab): conversations grow as messages arrive, the
// inbox keeps its unread counts, the conversation page lists your conversations beside it and
// switches between them without a reload (shell.js), desktop notifications when enabled, people show as
// online, away or last seen (presence.js), and senders see their messages delivered
// (delivery.js).

import * as live from './live.js';
import { initConversation } from './conversation.js';
import { initInbox } from './inbox.js';
import { initNotifications, initNotifyButtons } from './notify.js';
import { initShell } from './shell.js';
import { initUnread } from './unread.js';
import { initKeyboard } from './keyboard.js';
import { initPresence } from './presence.js';
import { initSearchSuggest } from './search-suggest.js';
import { initDeliveryReceipts } from './delivery.js';
import { initPasskeys } from './passkeys.js';
import { initPush } from './push.js';
import { initE2EForms } from './conversation-e2e.js';
import { initSearchPage } from './e2e-search-ui.js';

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const isToday = (d) => d.toDateString() === new Date().toDateString();
// Message and list times: today's as a time ("3:00 PM"), older ones as a date ("Dec 4, 2026");
// the title has both.
const formats = {
  time: { format: (d) => (isToday(d) ? clock : day).format(d) },
  datetime: { format: (d) => (isToday(d) ? clock : day).format(d) },
  date: new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }),
  long: new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }),
  relative: { format: relativeTime },
};

// The words around a relative time ("Last seen …") are the page's language, so these are
// too; the clock times in them follow the reader's locale, like every other time here.
const relativeFormat =
  typeof Intl.RelativeTimeFormat === 'function'
    ? new Intl.RelativeTimeFormat(document.documentElement.lang || 'en', { numeric: 'auto' })
    : null;

// "just now", "5 minutes ago", "3 hours ago" (today), "yesterday at 14:02", else a date and
// time. Times a little in the future (clocks differ) count as just now.
function relativeTime(d) {
  const seconds = (Date.now() - d.getTime()) / 1000;
  if (!relativeFormat) return formats.long.format(d);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return relativeFormat.format(-Math.floor(seconds / 60), 'minute');
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  if (d >= today) return relativeFormat.format(-Math.floor(seconds / 3600), 'hour');
  const yesterday = new Date(today);
  yesterday.setDate(yesterday.getDate() - 1);
  if (d >= yesterday) return `${relativeFormat.format(-1, 'day')} at ${clock.format(d)}`;
  return formats.long.format(d);
}

// <time datetime="2026-11-27T23:25:56Z" data-format="time"> → "23:25" in local time;
// data-format may be time, datetime, date or relative; without it, a medium date and time.
// presence.js announces its indicators (parley:content) again each minute, so relative
// times stay current.
function localTimes(root = document) {
  for (const el of root.querySelectorAll('time[datetime]')) {
    const d = new Date(el.getAttribute('datetime'));
    if (Number.isNaN(d.getTime())) continue;
    const fmt = formats[el.dataset.format] || formats.long;
    el.title = formats.long.format(d);
    el.textContent = fmt.format(d);
  }
}

// A Copy button next to the one-time token secret.
function copyButtons() {
  const input = document.getElementById('new-token');
  if (!input || !navigator.clipboard) return;
  const btn = document.createElement('button');
  btn.type = 'button';
  btn.className = 'btn btn-sm';
  btn.textContent = 'Copy';
  btn.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      btn.textContent = 'Copied';
    } catch {
      input.select();
      btn.textContent = 'Press Ctrl+C';
    }
  });
  input.insertAdjacentElement('afterend', btn);
}

// Forms that end sessions or revoke tokens ask first.
function confirmations() {
  document.addEventListener('submit', (ev) => {
    const form = ev.target;
    const action = form.getAttribute('action') || '';
    let question = null;
    if (action === '/logout/all') question = 'Log out of every device, this one included?';
    else if (/\/me\/tokens\/\d+\/revoke$/.test(action)) question = 'Revoke this token? Scripts using it stop working at once.';
    else if (/\/me\/passkeys\/\d+\/delete$/.test(action)) question = 'Remove this passkey? You can no longer log in with it.';
    if (question && !window.confirm(question)) ev.preventDefault();
  });
}

localTimes();
copyButtons();
confirmations();
initPasskeys();
// Linking a device (/me/devices): loaded only there.
if (document.querySelector('.device-link')) import('./e2e-link.js').then((m) => m.initLink());
initPush();
// Content the live modules move in from a fetched page (new messages, a fresh inbox list).
document.addEventListener('parley:content', (ev) => localTimes(ev.target));

if (document.body.dataset.me) {
  const inbox = initInbox(live);
  // On the conversation page the shell starts (and later swaps) the conversation's script.
  const shell = initShell({
    mount: () => initConversation(live),
    after: () => {
      initNotifyButtons();
      if (inbox) inbox.showTitle();
    },
  });
  if (!shell) initConversation(live);
  initKeyboard({ open: (path) => (shell ? shell.open(path, true) : location.assign(path)) });
  initNotifications(live);
  initPresence(live);
  initDeliveryReceipts(live);
  initUnread(live);
  initSearchSuggest();
  initE2EForms();
  initSearchPage();
  live.start();
}
