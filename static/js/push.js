// push.js — the browser's half of Web Push (cgi/app/push.c): registers the service worker
// (static/sw.js) for a signed-in person, which also makes Parley installable, and "Turn on
// notifications" on /push/subscriptions: asks for permission, subscribes this browser with
// the server's VAPID key and hands the subscription to the server. Without JavaScript or the
// Push API the page says so; turning a device off is a plain form.

import { postJSON, errorMessage } from './net.js';

function fromBase64url(text) {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function sameKey(a, b) {
  if (!a) return false;
  const x = new Uint8Array(a);
  return x.length === b.length && x.every((v, i) => v === b[i]);
}

export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return Promise.resolve(null);
  return navigator.serviceWorker.register('/static/sw.js', { scope: '/' });
}

function say(el, text) {
  if (!el) return;
  el.textContent = text;
  el.hidden = !text;
}

// Subscribes this browser (or renews its subscription) and stores it on the server.
async function turnOn(box) {
  const key = fromBase64url(box.dataset.vapidKey);
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error('Notifications are blocked for this site: allow them in your browser\'s site settings, then try again.');
  await registerServiceWorker();
  const reg = await navigator.serviceWorker.ready;
  let sub = await reg.pushManager.getSubscription();
  if (sub && !sameKey(sub.options.applicationServerKey, key)) {   // made for another server key
    await sub.unsubscribe();
    sub = null;
  }
  if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const r = await postJSON('/api/v1/push/subscriptions', sub.toJSON());
  if (!r.ok) throw new Error((await errorMessage(r)) || `HTTP ${r.status}`);
}

export function initPush() {
  if (document.body.dataset.me) registerServiceWorker().catch(() => {});
  const box = document.querySelector('.push-add');
  if (!box) return;
  box.hidden = false;
  const error = box.querySelector('.push-error');
  const button = box.querySelector('.push-on');
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    say(box.querySelector('.push-status'), 'This browser cannot show notifications while no page is open.');
    button.disabled = true;
    return;
  }
  button.addEventListener('click', async () => {
    say(error, '');
    button.disabled = true;
    try {
      await turnOn(box);
      window.location.assign('/push/subscriptions?done=added');
    } catch (err) {
      say(error, `Notifications were not turned on: ${err.message}`);
      button.disabled = false;
    }
  });
}
