// notify.js — desktop notifications for messages that arrive while the tab is hidden.
//
// Nothing is asked on page load: a button "Enable desktop notifications" (.notify-enable,
// shown only while the permission is undecided) asks. Once notifications are allowed, a
// conversation can be muted from its page (.mute-toggle); the choice lives in localStorage
// as `parley.muted.<id>` = "1".

const MAX_BODY = 180;

function supported() {
  return 'Notification' in window;
}

function storage(key, value) {
  try {
    if (value === undefined) return localStorage.getItem(key);
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* storage disabled: nothing is remembered */
  }
  return null;
}

export function isMuted(conversationId) {
  return storage(`parley.muted.${conversationId}`) === '1';
}

function enableButtons(onChange) {
  const buttons = document.querySelectorAll('.notify-enable');
  const show = () => {
    const undecided = supported() && Notification.permission === 'default';
    for (const b of buttons) b.hidden = !undecided;
    onChange();
  };
  for (const b of buttons) {
    b.addEventListener('click', async () => {
      try {
        await Notification.requestPermission();
      } catch {
        /* an old browser without the promise form; the permission stays as it is */
      }
      show();
    });
  }
  show();
}

/** The mute button of a conversation page, shown while notifications are allowed; returns
 *  a function that shows or hides it after the permission changed. */
function muteToggle() {
  const chat = document.querySelector('.chat[data-conversation-id]');
  const button = document.querySelector('.mute-toggle');
  if (!chat || !button || !supported()) return () => {};
  const id = chat.dataset.conversationId;
  // The name stays "Mute"; aria-pressed (and the slashed bell) tells whether it is on.
  const show = () => {
    const muted = isMuted(id);
    button.setAttribute('aria-pressed', String(muted));
    button.title = muted
      ? 'Notifications for this conversation are muted; press to unmute'
      : 'Mute desktop notifications for this conversation';
  };
  button.addEventListener('click', () => {
    storage(`parley.muted.${id}`, isMuted(id) ? null : '1');
    show();
  });
  window.addEventListener('storage', (ev) => {
    if (ev.key === `parley.muted.${id}`) show();
  });
  show();
  return () => {
    button.hidden = Notification.permission !== 'granted';
  };
}

// A message request (a stranger's first direct messages, requests.c) notifies nobody until
// it is accepted; the event does not say, so the conversation is asked once. A conversation
// that is not a request never becomes one again: those are remembered.
const notRequests = new Set();
async function isRequest(conversationId) {
  if (notRequests.has(conversationId)) return false;
  try {
    const res = await fetch(`/api/v1/conversations/${conversationId}?limit=1`, {
      credentials: 'same-origin', headers: { Accept: 'application/json' },
    });
    if (!res.ok) return true; // not to be shown: gone, or not ours
    const request = (await res.json()).conversation?.request;
    if (!request) notRequests.add(conversationId);
    return Boolean(request);
  } catch {
    return false; // offline: as before requests
  }
}

function notifier(live) {
  const me = document.body.dataset.me;
  live.subscribe(async (ev) => {
    if (ev.type !== 'message.created' || !ev.message || !supported()) return;
    if (Notification.permission !== 'granted' || !document.hidden) return;
    const m = ev.message;
    if (m.kind === 'system' || !m.sender || String(m.sender.id) === me) return;
    if (isMuted(ev.conversation_id)) return;
    if (await isRequest(String(ev.conversation_id))) return;
    // Each name is isolated (FSI … PDI): a direction-changing character in a name or a
    // title written before such characters were refused cannot reorder the rest.
    const iso = (text) => `\u2068${text}\u2069`;
    const bot = m.sender.display_name || m.sender.username;     // a webhook post's own name shows with its bot
    const sender = m.sender_name ? `${iso(m.sender_name)} (via ${iso(bot)})` : iso(bot);
    // The conversation's title is known when this page shows it (or lists it).
    let title = sender;
    const chat = document.querySelector(`.chat[data-conversation-id="${ev.conversation_id}"]`);
    if (chat && chat.dataset.kind !== 'direct') {
      const h1 = chat.querySelector('h1');
      if (h1) title = `${sender} · ${iso(h1.textContent.trim())}`;
    }
    // An end-to-end encrypted message has no body on the server: the notification says so.
    let body = m.e2e ? 'Encrypted message' : String(m.body || '').replace(/\s+/g, ' ').trim();
    if (body.length > MAX_BODY) body = `${body.slice(0, MAX_BODY - 1)}…`;
    try {
      // One tag per message: several tabs of this browser show it once.
      const n = new Notification(title, {
        body,
        tag: `parley-${ev.conversation_id}-${ev.seq}`,
        icon: '/static/img/logo.svg',
      });
      n.addEventListener('click', () => {
        window.focus();
        const target = `/conversations/${ev.conversation_id}`;
        if (location.pathname !== target) location.assign(`${target}#m${ev.seq}`);
        n.close();
      });
    } catch {
      /* some platforms only allow notifications from a service worker */
    }
  });
}

/** Wires the page's "Enable desktop notifications" and "Mute" buttons (again, for the
 *  conversation the shell swapped in). */
export function initNotifyButtons() {
  enableButtons(muteToggle());
}

export function initNotifications(live) {
  initNotifyButtons();
  notifier(live);
}
