// sw.js — Parley's service worker: shows the Web Push notifications parley-worker sends
// (cgi/worker/push_send.c; the payload is JSON: title, body, url, tag), one per conversation
// (the tag: a newer one replaces the older), and opens or focuses the conversation when one
// is clicked. A {"type":"read","conv","seq"} push (read on another device) closes that
// conversation's notification and shows nothing. Served from /static/ with `Service-Worker-Allowed: /` (the web server
// configurations in deploy/ set it), so it is registered for the whole site.

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// A URL of this site only: a payload never sends a click elsewhere.
function sameSite(url) {
  try {
    const u = new URL(url || '/', self.location.origin);
    return u.origin === self.location.origin ? u : new URL('/', self.location.origin);
  } catch {
    return new URL('/', self.location.origin);
  }
}

// Push events are shown one after another, in the order they arrive (each waits for the one
// before), and one older than the notification its conversation shows already (a lower seq)
// is dropped: two pushes close together must not leave the older text on screen.
let shown = Promise.resolve();

async function show(data) {
  if (data.type === 'read') { // read on another device: close that conversation's notification
    const conv = Number.isInteger(data.conv) ? data.conv : null;
    if (conv === null) return;
    const seq = Number.isInteger(data.seq) ? data.seq : Infinity;
    for (const n of await self.registration.getNotifications({ tag: `conversation-${conv}` })) {
      if (!(n.data && Number.isInteger(n.data.seq) && n.data.seq > seq)) n.close();
    }
    return;
  }
  const title = typeof data.title === 'string' && data.title ? data.title : 'New message';
  const tag = typeof data.tag === 'string' && data.tag ? data.tag : 'parley';
  const seq = Number.isInteger(data.seq) ? data.seq : null;
  if (seq !== null) {
    const current = await self.registration.getNotifications({ tag });
    if (current.some((n) => n.data && Number.isInteger(n.data.seq) && n.data.seq > seq)) return;
  }
  await self.registration.showNotification(title, {
    body: typeof data.body === 'string' ? data.body : '',
    tag,
    renotify: true,
    icon: '/static/img/icon-192.png',
    badge: '/static/img/icon-192.png',
    data: { url: sameSite(data.url).href, conversation_id: data.conversation_id, seq },
  });
}

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  shown = shown.then(() => show(data), () => show(data));
  event.waitUntil(shown);
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = sameSite(event.notification.data && event.notification.data.url);
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const here = open.find((c) => new URL(c.url).pathname === target.pathname);
    if (here) return here.focus();
    const any = open.find((c) => 'navigate' in c);
    if (any) {
      const c = await any.navigate(target.href);
      return c ? c.focus() : self.clients.openWindow(target.href);
    }
    return self.clients.openWindow(target.href);
  })());
});
