// Web Push from the page: Parley is installable (its manifest and icons), the service worker
// (static/sw.js) registers for the whole site, "Turn on notifications" on /push/subscriptions
// subscribes and the server stores it; with the page closed, a direct message reaches the
// push service stand-in (STACK_PUSH=1) as one encrypted notification that decrypts to its
// excerpt; and the service worker shows a pushed notification, one per conversation, and
// closes it on a read notice (read on another device).
// Headless Chromium has no push service of its own (pushManager.subscribe needs Google's),
// so the page's PushManager.subscribe is replaced by one that returns a subscription at the
// stand-in with keys this test made: everything around it — permission, the worker, the
// POST, the page — is the real code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { BASE, ipSource, uname, useBrowser, pageSource, problemWatcher, register, arrive, waitFor } from './lib.mjs';
import { api, register as apiRegister, openDirect, send } from '../api/lib.mjs';

const SERVICE = process.env.PARLEY_PUSH_SERVICE;
const problems = [];
const newPage = pageSource(useBrowser(), ipSource(99), problemWatcher(problems));

async function service(method, path, json) {
  const r = await fetch(SERVICE + path, {
    method, headers: { 'Content-Type': 'application/json' }, body: json === undefined ? undefined : JSON.stringify(json),
  });
  return r.json();
}

test('installable: the manifest, its icons and the service worker headers', async () => {
  const page = await newPage();
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  assert.equal(href, '/static/manifest.webmanifest');
  const r = await page.request.get(href);
  assert.equal(r.status(), 200);
  assert.match(r.headers()['content-type'], /^application\/manifest\+json/);
  const m = await r.json();
  assert.equal(m.display, 'standalone');
  assert.equal(m.start_url, '/');
  for (const size of ['192x192', '512x512']) {
    const icon = m.icons.find((i) => i.sizes === size && i.type === 'image/png');
    assert.ok(icon, `a ${size} PNG icon`);
    const ir = await page.request.get(icon.src);
    assert.equal(ir.status(), 200);
    assert.equal(ir.headers()['content-type'], 'image/png');
  }
  const sw = await page.request.get('/static/sw.js');
  assert.equal(sw.status(), 200);
  assert.match(sw.headers()['content-type'], /javascript/);
  assert.equal(sw.headers()['service-worker-allowed'], '/');
  await page.context().close();
});

test('turn on notifications; a direct message arrives at the push service encrypted, with the page closed', async () => {
  assert.ok(SERVICE, 'PARLEY_PUSH_SERVICE: start the stack with STACK_PUSH=1');
  const name = `b${crypto.randomBytes(6).toString('hex')}`;
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const keys = { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: ecdh.getPrivateKey().toString('base64url'),
                 auth: crypto.randomBytes(16).toString('base64url') };
  const { endpoint } = await service('POST', `/_subscriptions/${name}`, keys);

  const page = await newPage();
  await page.context().grantPermissions(['notifications'], { origin: BASE });
  await page.addInitScript(({ endpoint: ep, p256dh, auth }) => {
    // The browser's push service, stood in for: a subscription at the test's stand-in.
    const sub = { endpoint: ep, options: { applicationServerKey: null }, toJSON: () => ({ endpoint: ep, expirationTime: null, keys: { p256dh, auth } }),
                  unsubscribe: async () => true };
    if (window.PushManager) {
      PushManager.prototype.subscribe = async function subscribe(opts) {
        sub.options = opts;
        sessionStorage.setItem('subscribedWith', JSON.stringify({ visible: opts.userVisibleOnly,
          key: btoa(String.fromCharCode(...new Uint8Array(opts.applicationServerKey))) }));
        return sub;
      };
      PushManager.prototype.getSubscription = async function getSubscription() { return null; };
    }
  }, { endpoint, p256dh: keys.publicKey, auth: keys.auth });
  const user = { username: uname('push'), displayName: 'Push Person' };
  await register(page, user);
  // The service worker is registered for the whole site once signed in.
  const scope = await waitFor('the service worker', () => page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration('/');
    return reg && reg.active ? reg.scope : null;
  }));
  assert.equal(scope, `${BASE}/`);

  await page.goto('/push/subscriptions');
  await page.getByText('No device has notifications on.').waitFor();
  await arrive(page, '**/push/subscriptions?done=added', () => page.getByRole('button', { name: 'Turn on notifications' }).click());
  await page.getByText('Notifications are on for this device.').waitFor();
  assert.equal(await page.locator('.push-list li').count(), 1, 'this device is listed');
  // It subscribed with the server's VAPID key, userVisibleOnly.
  const used = await page.evaluate(() => JSON.parse(sessionStorage.getItem('subscribedWith')));
  const serverKey = await (await page.request.get('/api/v1/push/key')).json();
  assert.equal(used.visible, true);
  assert.equal(Buffer.from(used.key, 'base64').toString('base64url'), serverKey.public_key);
  await page.close();

  // A direct message from someone else, with no Parley page open.
  const me = await page.context().request.get('/api/v1/me');
  const myId = (await me.json()).user.id;
  const other = await apiRegister();
  const conv = await openDirect(other, { user: { id: myId }, username: user.username });
  // Someone reading in an open tab gets no push: wait until the closed page made them offline.
  await waitFor('offline once the page is closed', async () => {
    const r = await api('GET', `/api/v1/presence?ids=${myId}`, { token: other.token });
    const state = r.json?.presence?.[myId]?.state;
    return state === 'offline' || state === 'away' ? state : null;
  }, 15000);
  await send(other, conv.id, 'Are you there? This came by push.');
  const got = await waitFor('the notification at the push service', async () => {
    const list = await service('GET', `/_received/${name}`);
    return list.length ? list : null;
  }, 15000);
  assert.equal(got.length, 1, 'one notification');
  assert.ok(got[0].ok, `valid VAPID, TTL, Topic, and it decrypts: ${got[0].errors}`);
  const p = JSON.parse(got[0].plaintext);
  assert.equal(p.body, 'Are you there? This came by push.');
  assert.equal(p.title, other.display_name);
  assert.equal(got[0].topic, `conversation-${conv.id}`);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the service worker shows a pushed notification, one per conversation, and a click opens it', async () => {
  const page = await newPage();
  await page.context().grantPermissions(['notifications'], { origin: BASE });
  await register(page, { username: uname('sw'), displayName: 'Worker Person' });
  await waitFor('the service worker', () => page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration('/');
    return reg && reg.active ? true : null;
  }));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  const regs = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (ev) => regs.push(...ev.registrations));
  const registrationId = await waitFor('the registration id', () => {
    const r = regs.find((x) => x.scopeURL === `${BASE}/` && !x.isDeleted);
    return r ? r.registrationId : null;
  });
  const push = (data) => cdp.send('ServiceWorker.deliverPushMessage', { origin: BASE, registrationId, data: JSON.stringify(data) });
  await push({ title: 'Alice', body: 'first', tag: 'conversation-7', seq: 1, url: `${BASE}/conversations/7` });
  await push({ title: 'Alice', body: 'second', tag: 'conversation-7', seq: 2, url: `${BASE}/conversations/7` });
  await push({ title: 'Bob', body: 'elsewhere', tag: 'conversation-8', url: 'https://evil.example/phish' });
  const shown = await waitFor('two notifications', async () => {
    const list = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration('/');
      return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data.url }));
    });
    return list.length === 2 && list.some((n) => n.body === 'second') ? list : null;
  });
  const byTag = Object.fromEntries(shown.map((n) => [n.tag, n]));
  assert.deepEqual(byTag['conversation-7'], { title: 'Alice', body: 'second', tag: 'conversation-7', url: `${BASE}/conversations/7` });
  assert.equal(byTag['conversation-8'].url, `${BASE}/`, 'a click never leaves the site');
  // Read on another device: that conversation's notification closes, nothing new is shown.
  await push({ type: 'read', conv: 7, seq: 2 });
  const left = await waitFor('conversation 7 closed', async () => {
    const list = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration('/');
      return (await reg.getNotifications()).map((n) => n.tag);
    });
    return list.length === 1 ? list : null;
  });
  assert.deepEqual(left, ['conversation-8']);
  assert.deepEqual(problems, []);
  await page.context().close();
});
