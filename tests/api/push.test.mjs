// Web Push: a device's subscription (POST/GET/DELETE /push/subscriptions), and what
// parley-worker sends to it. The stack's push service stand-in (STACK_PUSH=1:
// tests/support/push-service.mjs, at $PARLEY_PUSH_SERVICE) checks the VAPID signature, aud,
// exp, TTL and Topic and decrypts each notification with the private key the test made for
// the subscription, as a browser would; these tests read what it got.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import {
  api, register, openStream, openDirect, createGroup, send, assertError, show, sql, haveDb, UA_FIREFOX_LINUX, BASE, browserOf,
  inputValue,
} from './lib.mjs';

const SERVICE = process.env.PARLEY_PUSH_SERVICE;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b64u = (b) => Buffer.from(b).toString('base64url');

/** A browser's subscription keys: a P-256 pair and a 16-byte auth secret. */
function deviceKeys() {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  return { publicKey: b64u(ecdh.getPublicKey()), privateKey: b64u(ecdh.getPrivateKey()), auth: b64u(crypto.randomBytes(16)) };
}

async function service(method, path, json) {
  const r = await fetch(SERVICE + path, {
    method, headers: { 'Content-Type': 'application/json' }, body: json === undefined ? undefined : JSON.stringify(json),
  });
  return r.json();
}

/** A device at the stand-in: its endpoint and keys, registered there so it can decrypt. */
async function device() {
  const name = `d${crypto.randomBytes(6).toString('hex')}`;
  const keys = deviceKeys();
  const { endpoint } = await service('POST', `/_subscriptions/${name}`, keys);
  return { name, endpoint, keys };
}

function subscribeRaw(u, sub, headers = {}) {
  return api('POST', '/api/v1/push/subscriptions', { token: u.token, json: sub, headers });
}

async function subscribe(u, dev) {
  const r = await subscribeRaw(u, { endpoint: dev.endpoint, keys: { p256dh: dev.keys.publicKey, auth: dev.keys.auth } },
    { 'User-Agent': UA_FIREFOX_LINUX });
  assert.equal(r.status, 201, show(r));
  return r.json.subscription;
}

const received = (dev) => service('GET', `/_received/${dev.name}`);

/** Waits until the stand-in got at least n notifications for dev (or the time is up). */
async function waitFor(dev, n, ms = 15000) {
  const until = Date.now() + ms;
  for (;;) {
    const got = await received(dev);
    if (got.length >= n || Date.now() > until) return got;
    await sleep(200);
  }
}

/** Waits until the job of message (conv, seq) is done (or failed), so "nothing arrived" means it. */
async function jobSettled(conv, seq, ms = 15000) {
  const until = Date.now() + ms;
  for (;;) {
    const state = sql(`SELECT state FROM jobs WHERE idem_key = 'push:${conv}:${seq}'`);
    if (state && state !== 'queued' && state !== 'running') return state;
    if (Date.now() > until) return state || 'none';
    await sleep(200);
  }
}

describe('push subscriptions', () => {
  it('the page gets the VAPID public key', async () => {
    assert.ok(SERVICE, 'PARLEY_PUSH_SERVICE: start the stack with STACK_PUSH=1');
    const a = await register();
    const r = await api('GET', '/api/v1/push/key', { token: a.token });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.enabled, true);
    assert.match(r.json.public_key, /^[A-Za-z0-9_-]{87}$/);
    assert.equal(Buffer.from(r.json.public_key, 'base64url')[0], 4);
    assert.equal((await api('GET', '/api/v1/push/key')).status, 401);
  });

  it('subscribe → 201; the same endpoint again updates (200); list; delete; 404 for another\'s', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    const s = await subscribe(a, dev);
    assert.ok(Number.isInteger(s.id));
    assert.equal(s.device, 'Firefox on Linux');
    assert.equal(s.service, new URL(SERVICE).host);
    assert.equal(s.last_success_at, null);
    assert.ok(!JSON.stringify(s).includes(dev.endpoint), 'the endpoint (a secret) is not shown back');
    const k2 = deviceKeys();
    const again = await subscribeRaw(a, { endpoint: dev.endpoint, keys: { p256dh: k2.publicKey, auth: k2.auth } });
    assert.equal(again.status, 200, show(again));
    assert.equal(again.json.subscription.id, s.id);
    const list = await api('GET', '/api/v1/push/subscriptions', { token: a.token });
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.subscriptions.map((x) => x.id), [s.id]);
    assert.deepEqual((await api('GET', '/api/v1/push/subscriptions', { token: b.token })).json.subscriptions, []);
    assertError(await api('DELETE', `/api/v1/push/subscriptions/${s.id}`, { token: b.token }), 404, 'not_found');
    assert.equal((await api('DELETE', `/api/v1/push/subscriptions/${s.id}`, { token: a.token })).status, 204);
    assertError(await api('DELETE', `/api/v1/push/subscriptions/${s.id}`, { token: a.token }), 404, 'not_found');
  });

  it('bad subscriptions are 400 with the field named', async () => {
    const a = await register();
    const dev = await device();
    const good = { p256dh: dev.keys.publicKey, auth: dev.keys.auth };
    const cases = [
      [{}, 'endpoint'],
      [{ endpoint: 'not a url', keys: good }, 'endpoint'],
      [{ endpoint: 'ftp://push.example/x', keys: good }, 'endpoint'],
      [{ endpoint: 'http://push.example.org/x', keys: good }, 'endpoint'],          // https only
      [{ endpoint: 'https://user:pw@push.example.org/x', keys: good }, 'endpoint'],
      [{ endpoint: 'https://push.example.org/x' }, 'keys.p256dh'],
      [{ endpoint: 'https://push.example.org/x', keys: { ...good, p256dh: b64u(Buffer.alloc(65, 4)) } }, 'keys.p256dh'], // not on the curve
      [{ endpoint: 'https://push.example.org/x', keys: { ...good, p256dh: good.p256dh.slice(0, 40) } }, 'keys.p256dh'],
      [{ endpoint: 'https://push.example.org/x', keys: { ...good, auth: b64u(Buffer.alloc(15)) } }, 'keys.auth'],
      [{ endpoint: 'https://push.example.org/x', keys: { ...good, auth: '!!!' } }, 'keys.auth'],
    ];
    for (const [body, field] of cases) {
      const r = await subscribeRaw(a, body);
      assertError(r, 400, 'invalid_field', field);
      assert.ok(r.json.error.message.length > 10, `a clear message: ${show(r)}`);
    }
    assert.deepEqual((await api('GET', '/api/v1/push/subscriptions', { token: a.token })).json.subscriptions, []);
  });

  it('SSRF: loopback, private, link-local and mapped addresses are refused when not allowed', async () => {
    const a = await register();
    const dev = await device();
    const keys = { p256dh: dev.keys.publicKey, auth: dev.keys.auth };
    for (const endpoint of ['https://127.0.0.1/push', 'https://10.0.0.1/push', 'https://169.254.169.254/latest/meta-data',
      'https://[::ffff:127.0.0.1]/push', 'https://[::1]/push', 'https://192.168.1.1/', 'https://100.64.0.1/',
      'https://2130706433/']) {
      const r = await subscribeRaw(a, { endpoint, keys });
      assertError(r, 400, 'invalid_field', 'endpoint');
      assert.match(r.json.error.message, /loopback, private, link-local/, endpoint);
    }
    // The allowed host (PARLEY_OUTBOUND_ALLOW) passes, but only on its port.
    const port = Number(new URL(SERVICE).port);
    const other = await subscribeRaw(a, { endpoint: `http://127.0.0.1:${port + 1 === 65536 ? 1 : port + 1}/push/x`, keys });
    assertError(other, 400, 'invalid_field', 'endpoint');
  });

  it('at most 20 devices per account', async () => {
    const a = await register();
    const dev = await device();
    const keys = { p256dh: dev.keys.publicKey, auth: dev.keys.auth };
    for (let i = 0; i < 20; i++) {
      const r = await subscribeRaw(a, { endpoint: `${SERVICE}/push/many-${i}-${a.user.id}`, keys });
      assert.equal(r.status, 201, show(r));
    }
    const r = await subscribeRaw(a, { endpoint: `${SERVICE}/push/many-20-${a.user.id}`, keys });
    assertError(r, 409, 'conflict');
    // The same endpoint again still updates.
    assert.equal((await subscribeRaw(a, { endpoint: `${SERVICE}/push/many-3-${a.user.id}`, keys })).status, 200);
  });

  it('the devices page lists them and removes one with a CSRF-checked form', async () => {
    const a = await register();
    const dev = await device();
    const s = await subscribe(a, dev);
    const web = await browserOf(a);
    const page = await web.get('/push/subscriptions');
    assert.equal(page.status, 200, show(page));
    assert.ok(page.text.includes('Firefox on Linux'), 'the device is listed');
    assert.ok(page.text.includes(`action="/push/subscriptions/${s.id}/delete"`), 'with a form to turn it off');
    assert.ok(inputValue(page.text, 'csrf_token'), 'the form carries a CSRF token');
    assert.ok(page.text.includes('Turn on notifications'));
    assert.ok(page.text.includes('needs JavaScript'));
    const forged = await web.postForm(`/push/subscriptions/${s.id}/delete`, { csrf_token: 'x'.repeat(43) });
    assert.equal(forged.status, 403, `a forged CSRF token: ${forged.status}`);
    const ok = await web.postForm(`/push/subscriptions/${s.id}/delete`, {});
    assert.equal(ok.status, 303, show(ok));
    assert.equal(ok.headers.get('location'), '/push/subscriptions?done=removed');
    const after = await web.get('/push/subscriptions?done=removed');
    assert.ok(after.text.includes('Notifications are off for that device.'));
    assert.ok(!after.text.includes('Firefox on Linux'));
  });
});

describe('push notifications', () => {
  it('a direct message → one encrypted notification that decrypts to the excerpt', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    await subscribe(b, dev);
    const conv = await openDirect(a, b);
    const long = `Hello ${'x'.repeat(200)}`;
    const m = await send(a, conv.id, long);
    const got = await waitFor(dev, 1);
    assert.equal(got.length, 1, `one notification: ${JSON.stringify(got)}`);
    const n = got[0];
    assert.ok(n.ok, `the stand-in accepted it: ${n.errors}`);
    assert.equal(n.vapid.aud, new URL(SERVICE).origin);
    assert.equal(n.topic, `conversation-${conv.id}`);
    assert.equal(n.urgency, 'high');
    assert.ok(Number(n.ttl) > 0);
    const p = JSON.parse(n.plaintext);
    assert.equal(p.title, a.display_name);
    assert.equal(p.conversation_id, conv.id);
    assert.equal(p.seq, m.seq);
    assert.equal(p.url, `${BASE}/conversations/${conv.id}`);
    assert.equal(p.tag, `conversation-${conv.id}`);
    assert.equal([...p.body].length, 121, 'at most 120 characters and an ellipsis');
    assert.ok(p.body.startsWith('Hello xxx') && p.body.endsWith('\u2026'), p.body);
    // The sender's own devices hear nothing; and the device shows its last success.
    const list = (await api('GET', '/api/v1/push/subscriptions', { token: b.token })).json.subscriptions;
    assert.ok(list[0].last_success_at, 'last success recorded');
    await sleep(500);
    assert.equal((await received(dev)).length, 1, 'still one (the job is not run twice)');
  });

  it('a group message names the sender and the group; not sent to the sender', async () => {
    const a = await register(), b = await register();
    const devA = await device(), devB = await device();
    await subscribe(a, devA);
    await subscribe(b, devB);
    const g = await createGroup(a, [b], { title: 'Push group' });
    await send(a, g.id, 'group hello');
    const got = await waitFor(devB, 1);
    assert.equal(got.length, 1);
    const p = JSON.parse(got[0].plaintext);
    assert.equal(p.title, `${a.display_name} in Push group`);
    assert.equal(p.body, 'group hello');
    assert.equal(got[0].urgency, 'normal');
    assert.equal((await received(devA)).length, 0, 'the sender is not notified');
  });

  it('a message request is silent until accepted; then messages notify', async () => {
    const a = await register(), b = await register({ requests: true });
    const dev = await device();
    await subscribe(b, dev);
    const conv = await openDirect(a, b);
    const m = await send(a, conv.id, 'a stranger says hi');
    assert.equal(await jobSettled(conv.id, m.seq), 'done');
    assert.equal((await received(dev)).length, 0, 'nothing for a request');
    const acc = await api('POST', `/api/v1/requests/${conv.id}/accept`, { token: b.token });
    assert.equal(acc.status, 200, show(acc));
    await send(a, conv.id, 'now you know me');
    const got = await waitFor(dev, 1);
    assert.equal(got.length, 1);
    assert.equal(JSON.parse(got[0].plaintext).body, 'now you know me');
  });

  it('read before the push went out → nothing sent', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    await subscribe(b, dev);
    const conv = await openDirect(a, b);
    const m = await send(a, conv.id, 'read me at once');
    const r = await api('POST', `/api/v1/conversations/${conv.id}/read`, { token: b.token, json: { seq: m.seq } });
    assert.equal(r.status, 200, show(r));
    assert.equal(await jobSettled(conv.id, m.seq), 'done');
    assert.equal((await received(dev)).length, 0, 'nothing for a message already read');
  });

  it('reading in an open tab: no push; left without reading it: pushed later', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    await subscribe(b, dev);
    const conv = await openDirect(a, b);
    const stream = await openStream(b);                  // B has Parley open: online
    let m;
    try {
      await sleep(300);
      m = await send(a, conv.id, 'seen live');
      assert.equal(await jobSettled(conv.id, m.seq), 'done');
      assert.equal((await received(dev)).length, 0, 'nothing while B is online in a tab');
    } finally {
      stream.close();                                    // B closes the tab without reading it
    }
    const got = await waitFor(dev, 1, 20000);
    assert.equal(got.length, 1, 'pushed once B left without reading it');
    assert.equal(JSON.parse(got[0].plaintext).body, 'seen live');
  });

  it('reading in an open tab and reading it there: never pushed', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    await subscribe(b, dev);
    const conv = await openDirect(a, b);
    const stream = await openStream(b);
    try {
      await sleep(300);
      const m = await send(a, conv.id, 'read live');
      assert.equal(await jobSettled(conv.id, m.seq), 'done');
      const r = await api('POST', `/api/v1/conversations/${conv.id}/read`, { token: b.token, json: { seq: m.seq } });
      assert.equal(r.status, 200, show(r));
    } finally {
      stream.close();
    }
    await sleep(9000);                                   // past the later look (PARLEY_PRESENCE_AWAY)
    assert.equal((await received(dev)).length, 0);
  });

  it('410 from the push service deletes the subscription', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    const s = await subscribe(b, dev);
    await service('PUT', `/_subscriptions/${dev.name}/status`, { status: 410 });
    const conv = await openDirect(a, b);
    const m = await send(a, conv.id, 'to a gone browser');
    assert.equal(await jobSettled(conv.id, m.seq), 'done');
    assert.equal((await received(dev)).length, 1);
    const list = (await api('GET', '/api/v1/push/subscriptions', { token: b.token })).json.subscriptions;
    assert.deepEqual(list.filter((x) => x.id === s.id), [], 'the subscription is gone');
  });

  it('429 fails the job for a retry and records the problem on the device', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    await subscribe(b, dev);
    await service('PUT', `/_subscriptions/${dev.name}/status`, { status: 429 });
    const conv = await openDirect(a, b);
    const m = await send(a, conv.id, 'busy service');
    await waitFor(dev, 1);
    let list;
    for (let i = 0; i < 50; i++) {
      list = (await api('GET', '/api/v1/push/subscriptions', { token: b.token })).json.subscriptions;
      if (list[0]?.last_error) break;
      await sleep(200);
    }
    assert.match(list[0].last_error || '', /429/);
    let row = '';
    for (let i = 0; i < 50 && !/429/.test(row); i++) {
      row = sql(`SELECT state || ' ' || coalesce(last_error, '') FROM jobs WHERE idem_key = 'push:${conv.id}:${m.seq}'`);
      await sleep(200);
    }
    assert.match(row, /^queued .*429/, `queued again for a retry, with the reason: ${row}`);
    // The service recovers: the retry delivers it once.
    await service('PUT', `/_subscriptions/${dev.name}/status`, { status: 201 });
    sql(`UPDATE jobs SET run_after = now() WHERE idem_key = 'push:${conv.id}:${m.seq}'`);
    assert.equal(await jobSettled(conv.id, m.seq), 'done');
    const got = await received(dev);
    assert.equal(got.filter((x) => x.status === 201).length, 1, 'delivered once after the retry');
  });

  it('an endpoint that resolves to a refused address is refused by the worker with a clear error', async () => {
    if (!haveDb) assert.fail('needs PARLEY_DB');
    const a = await register(), b = await register();
    const dev = await device();
    const s = await subscribe(b, dev);
    // As if a name now resolved to loopback: the stored endpoint is changed behind the API's back
    // (to one of its own: endpoints are unique, and the database may hold an earlier run's).
    sql(`UPDATE push_subscriptions SET endpoint = 'https://localhost:9/push/${s.id}' WHERE id = ${s.id}`);
    const conv = await openDirect(a, b);
    const m = await send(a, conv.id, 'to nowhere');
    assert.equal(await jobSettled(conv.id, m.seq), 'done', 'not retried: the address is refused for good');
    const list = (await api('GET', '/api/v1/push/subscriptions', { token: b.token })).json.subscriptions;
    assert.match(list[0].last_error, /refused localhost: it resolves to (127\.0\.0\.1|::1)/);
    assert.equal((await received(dev)).length, 0);
  });
});

describe('push housekeeping', () => {
  it('the hourly cleanup forgets what was sent more than a week ago', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    const s = await subscribe(b, dev);
    const conv = await openDirect(a, b);
    const m = await send(a, conv.id, 'remembered for a week');
    assert.equal(await jobSettled(conv.id, m.seq), 'done');
    assert.equal(sql(`SELECT count(*) FROM push_sent WHERE subscription_id = ${s.id}`), '1');
    sql(`UPDATE push_sent SET sent_at = now() - interval '8 days' WHERE subscription_id = ${s.id}`);
    const r = spawnSync(`${process.env.BIN}/parley`, ['jobs', 'enqueue', 'cleanup'], { env: process.env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const id = Number(/^queued job (\d+)$/m.exec(r.stdout)[1]);
    for (let i = 0; i < 50 && sql(`SELECT state FROM jobs WHERE id = ${id}`) !== 'done'; i++) await sleep(200);
    assert.equal(sql(`SELECT state FROM jobs WHERE id = ${id}`), 'done');
    assert.equal(sql(`SELECT count(*) FROM push_sent WHERE subscription_id = ${s.id}`), '0');
  });
});

describe('notification rules', () => {
  const setConv = (u, id, json) => api('PUT', `/api/v1/conversations/${id}/notifications`, { token: u.token, json });
  const setPrefs = (u, json) => api('PUT', '/api/v1/me/notifications', { token: u.token, json });
  /** Sends as `from` and waits for the push job; returns what dev got for it. */
  async function sendAndSettle(from, conv, body, dev) {
    const before = (await received(dev)).length;
    const m = await send(from, conv, body);
    assert.equal(await jobSettled(conv, m.seq), 'done');
    return (await received(dev)).slice(before);
  }

  it('defaults by kind; a non-member gets 404; bad values 400', async () => {
    const a = await register(), b = await register(), c = await register();
    const d = await openDirect(a, b);
    const ch = await createGroup(a, [b], { kind: 'channel', title: 'Chan' });
    let r = await api('GET', `/api/v1/conversations/${d.id}/notifications`, { token: b.token });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual({ level: r.json.level, d: r.json.default_level, e: r.json.effective_level, m: r.json.muted_until },
      { level: null, d: 'all', e: 'all', m: null });
    r = await api('GET', `/api/v1/conversations/${ch.id}/notifications`, { token: b.token });
    assert.equal(r.json.default_level, 'mentions');
    assertError(await api('GET', `/api/v1/conversations/${d.id}/notifications`, { token: c.token }), 404, 'not_found');
    assertError(await setConv(c, d.id, { level: 'none' }), 404, 'not_found');
    assertError(await setConv(b, d.id, { level: 'loud' }), 400, 'invalid_field', 'level');
    assertError(await setConv(b, d.id, { level: 'all', mute_minutes: -5 }), 400, 'invalid_field', 'mute_minutes');
    r = await setConv(b, d.id, { level: 'none', mute_minutes: 60 });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.effective_level, 'none');
    assert.match(r.json.muted_until, /^\d{4}-\d\d-\d\dT/);
    r = await setConv(b, d.id, { level: 'default' });
    assert.deepEqual([r.json.level, r.json.effective_level, r.json.muted_until], [null, 'all', null]);
  });

  it('"nothing" and a mute silence a conversation; back to the default, it notifies again', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    await subscribe(b, dev);
    const d = await openDirect(a, b);
    assert.equal((await setConv(b, d.id, { level: 'none' })).status, 200);
    assert.equal((await sendAndSettle(a, d.id, 'silenced', dev)).length, 0, 'level none: nothing');
    assert.equal((await setConv(b, d.id, { level: 'all', mute_minutes: 30 })).status, 200);
    assert.equal((await sendAndSettle(a, d.id, 'muted', dev)).length, 0, 'muted: nothing');
    assert.equal((await setConv(b, d.id, { level: 'default' })).status, 200);
    const got = await sendAndSettle(a, d.id, 'audible again', dev);
    assert.equal(got.length, 1);
    assert.equal(JSON.parse(got[0].plaintext).body, 'audible again');
  });

  it('mentions only: a group message notifies when it names me; a channel does so by default', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    await subscribe(b, dev);
    const g = await createGroup(a, [b]);
    assert.equal((await setConv(b, g.id, { level: 'mentions' })).status, 200);
    assert.equal((await sendAndSettle(a, g.id, 'nothing for you', dev)).length, 0);
    let got = await sendAndSettle(a, g.id, `hey @${b.username} look`, dev);
    assert.equal(got.length, 1, 'a mention notifies');
    assert.equal(JSON.parse(got[0].plaintext).body, `hey @${b.username} look`);
    const ch = await createGroup(a, [b], { kind: 'channel' });
    assert.equal((await sendAndSettle(a, ch.id, 'announcement for all', dev)).length, 0, 'channel: mentions by default');
    got = await sendAndSettle(a, ch.id, `@${b.username}: this one is yours`, dev);
    assert.equal(got.length, 1);
  });

  it('@all reaches everyone set to mentions only, in groups and channels', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    await subscribe(b, dev);
    const g = await createGroup(a, [b]);
    assert.equal((await setConv(b, g.id, { level: 'mentions' })).status, 200);
    assert.equal((await sendAndSettle(a, g.id, 'not for everyone, all of you', dev)).length, 0, '"all" alone is no mention');
    assert.equal((await sendAndSettle(a, g.id, '@all standup in 5', dev)).length, 1);
    const ch = await createGroup(a, [b], { kind: 'channel' });          // only owners and admins post here
    assert.equal((await sendAndSettle(a, ch.id, 'Hello @all!', dev)).length, 1);
    assert.equal((await setConv(b, ch.id, { level: 'none' })).status, 200);
    assert.equal((await sendAndSettle(a, ch.id, 'Again @all', dev)).length, 0, '"nothing" still means nothing');
  });

  it('keywords count as mentions, as whole words', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    await subscribe(b, dev);
    let r = await setPrefs(b, { keywords: 'deploy, Release Day' });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json.keywords, ['deploy', 'Release Day']);
    const g = await createGroup(a, [b]);
    assert.equal((await setConv(b, g.id, { level: 'mentions' })).status, 200);
    assert.equal((await sendAndSettle(a, g.id, 'the deployment went fine', dev)).length, 0, 'not a whole word');
    assert.equal((await sendAndSettle(a, g.id, 'Deploy is done.', dev)).length, 1, 'case folded');
    assert.equal((await sendAndSettle(a, g.id, 'see you on release day!', dev)).length, 1);
    assertError(await setPrefs(b, { keywords: 'x' }), 400, 'invalid_field', 'keywords');
    assertError(await setPrefs(b, { keywords: Array.from({ length: 21 }, (_, i) => `word${i}`).join(',') }), 400,
      'invalid_field', 'keywords');
    r = await api('GET', '/api/v1/me/notifications', { token: b.token });
    assert.deepEqual(r.json.keywords, ['deploy', 'Release Day'], 'refused input changed nothing');
  });

  it('do-not-disturb hours in my time zone: nothing then; bad values 400', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    await subscribe(b, dev);
    const d = await openDirect(a, b);
    // Now in Tokyo (UTC+9, no DST), from a minute ago for two hours.
    const now = new Date(Date.now() + 9 * 3600e3);
    const hm = (t) => `${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}`;
    const start = hm(new Date(now.getTime() - 60e3)), end = hm(new Date(now.getTime() + 120 * 60e3));
    let r = await setPrefs(b, { time_zone: 'Asia/Tokyo', dnd_start: start, dnd_end: end });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json.dnd, { start, end });
    assert.equal(r.json.time_zone, 'Asia/Tokyo');
    assert.equal((await sendAndSettle(a, d.id, 'at night', dev)).length, 0, 'inside do-not-disturb: nothing');
    // The same hours in a time zone where they are not now (UTC-10): notified.
    r = await setPrefs(b, { time_zone: 'Pacific/Honolulu', dnd_start: start, dnd_end: end });
    assert.equal(r.status, 200);
    assert.equal((await sendAndSettle(a, d.id, 'daytime there', dev)).length, 1);
    assertError(await setPrefs(b, { time_zone: 'Mars/Olympus' }), 400, 'invalid_field', 'time_zone');
    assertError(await setPrefs(b, { dnd_start: '25:00', dnd_end: '07:00' }), 400, 'invalid_field', 'dnd_start');
    assertError(await setPrefs(b, { dnd_start: '22:00' }), 400, 'invalid_field', 'dnd_end');
    assertError(await setPrefs(b, { dnd_start: '22:00', dnd_end: '22:00' }), 400, 'invalid_field', 'dnd_end');
    r = await setPrefs(b, {});
    assert.deepEqual([r.json.time_zone, r.json.dnd, r.json.keywords], ['UTC', null, []]);
  });

  it('reading on one device sends the others a read notice (Urgency low, same Topic), once', async () => {
    const a = await register(), b = await register();
    const d1 = await device(), d2 = await device();
    await subscribe(b, d1);
    await subscribe(b, d2);
    const conv = await openDirect(a, b);
    const m = await send(a, conv.id, 'ping');
    assert.equal((await waitFor(d1, 1)).length, 1);
    assert.equal((await waitFor(d2, 1)).length, 1);
    const later = await device();                       // subscribed after: it was shown nothing
    await subscribe(b, later);
    let r = await api('POST', `/api/v1/conversations/${conv.id}/read`, { token: b.token, json: { seq: m.seq } });
    assert.equal(r.status, 200, show(r));
    for (const dev of [d1, d2]) {
      const got = await waitFor(dev, 2);
      assert.equal(got.length, 2, 'a second push: the read notice');
      assert.deepEqual(JSON.parse(got[1].plaintext), { type: 'read', conv: conv.id, seq: m.seq });
      assert.equal(got[1].urgency, 'low');
      assert.equal(got[1].topic, `conversation-${conv.id}`, 'the same Topic replaces a notification still queued');
    }
    r = await api('POST', `/api/v1/conversations/${conv.id}/read`, { token: b.token, json: { seq: m.seq } });
    assert.equal(r.status, 200);
    await sleep(3000);
    assert.equal((await received(d1)).length, 2, 'once');
    assert.equal((await received(later)).length, 0, 'nothing to a device that showed nothing');
  });

  it('do-not-disturb holds a push until the hours end, then sends it if still unread', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    await subscribe(b, dev);
    const unread = await openDirect(a, b);
    const g = await createGroup(a, [b]);
    // In UTC, from an hour ago until the next full minute (at least 20 s away).
    let end = Math.ceil((Date.now() + 1) / 60e3) * 60e3;
    if (end - Date.now() < 20e3) end += 60e3;
    const hm = (t) => new Date(t).toISOString().slice(11, 16);
    assert.equal((await setPrefs(b, { time_zone: 'UTC', dnd_start: hm(Date.now() - 3600e3), dnd_end: hm(end) })).status, 200);
    assert.equal((await sendAndSettle(a, unread.id, 'wait for me', dev)).length, 0, 'nothing inside the hours');
    const m = await send(a, g.id, 'read meanwhile');
    assert.equal(await jobSettled(g.id, m.seq), 'done');
    const r = await api('POST', `/api/v1/conversations/${g.id}/read`, { token: b.token, json: { seq: m.seq } });
    assert.equal(r.status, 200, show(r));
    const got = await waitFor(dev, 1, end - Date.now() + 30e3);
    assert.ok(Date.now() >= end, 'not before the hours end');
    assert.equal(got.length, 1);
    assert.equal(JSON.parse(got[0].plaintext).body, 'wait for me');
    await sleep(3000);
    assert.equal((await received(dev)).length, 1, 'what was read meanwhile is not pushed');
  });

  it('the pages: a conversation\'s form and the preferences form save with CSRF', async () => {
    const a = await register(), b = await register();
    const d = await openDirect(a, b);
    const web = await browserOf(b);
    let page = await web.get(`/conversations/${d.id}/notifications`);
    assert.equal(page.status, 200, show(page));
    assert.ok(page.text.includes('every message'));
    let r = await web.postForm(`/conversations/${d.id}/notifications`, { level: 'mentions', mute_minutes: '60' });
    assert.equal(r.status, 303, show(r));
    page = await web.get(r.headers.get('location'));
    assert.ok(page.text.includes('Saved.') && page.text.includes('muted until'), 'saved and shown');
    r = await web.postForm(`/conversations/${d.id}/notifications`, { level: 'loud' });
    assert.equal(r.status, 400);
    assert.ok(r.text.includes('Choose all, mentions, none or default.'));
    assert.equal((await web.postForm('/me/notifications', { csrf_token: 'x'.repeat(43), time_zone: 'UTC' })).status, 403);
    r = await web.postForm('/me/notifications', { time_zone: 'Europe/Berlin', dnd_start: '22:00', dnd_end: '07:00', keywords: 'lunch' });
    assert.equal(r.status, 303, show(r));
    page = await web.get('/push/subscriptions?done=prefs');
    assert.ok(page.text.includes('Your notification settings were saved.'));
    assert.equal(inputValue(page.text, 'time_zone'), 'Europe/Berlin');
    assert.equal(inputValue(page.text, 'keywords'), 'lunch');
    r = await web.postForm('/me/notifications', { time_zone: 'Nowhere/Land' });
    assert.equal(r.status, 400);
    assert.ok(r.text.includes('Name a time zone like'));
    assert.equal(inputValue(r.text, 'time_zone'), 'Nowhere/Land', 'the form keeps what was typed');
  });
});

describe('the Mentions view', () => {
  it('messages naming me or a keyword, newest first, unread marked; nothing of others', async () => {
    const a = await register(), b = await register(), c = await register();
    const g = await createGroup(a, [b]);
    const other = await createGroup(a, [c]);                 // b is not in it
    assert.equal((await api('PUT', '/api/v1/me/notifications', { token: b.token, json: { keywords: 'pizza' } })).status, 200);
    await send(b, g.id, `I, @${b.username}, wrote this myself`);   // (sending also reads up to it)
    const m1 = await send(a, g.id, `@${b.username} first`);
    await send(a, g.id, 'no mention here');
    await send(a, g.id, `@${b.username}x is someone else`);
    await send(a, other.id, `@${b.username} where b cannot read`);
    const m2 = await send(a, g.id, 'Pizza tonight?');
    let r = await api('POST', `/api/v1/conversations/${g.id}/read`, { token: b.token, json: { seq: m1.seq } });
    assert.equal(r.status, 200);
    r = await api('GET', '/api/v1/mentions', { token: b.token });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json.mentions.map((x) => [x.conversation.id, x.message.seq, x.unread]),
      [[g.id, m2.seq, true], [g.id, m1.seq, false]]);
    assert.equal(r.json.mentions[1].message.body, `@${b.username} first`);
    assert.equal(r.json.mentions[1].message.mentions_me, true);
    assert.equal(r.json.next_before, null);
    const page = await (await browserOf(b)).get('/mentions');
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('Pizza tonight?') && page.text.includes('Unread'));
    assert.ok(!page.text.includes('where b cannot read'));
    assertError(await api('GET', '/api/v1/mentions?before=x', { token: b.token }), 400, 'invalid_field', 'before');
    assert.equal((await api('GET', '/api/v1/mentions')).status, 401);
  });

  it('a keyword with regular-expression characters is matched literally', async () => {
    const a = await register(), b = await register();
    const g = await createGroup(a, [b]);
    assert.equal((await api('PUT', '/api/v1/me/notifications', { token: b.token, json: { keywords: 'c++, a.b' } })).status, 200);
    await send(a, g.id, 'I like c++ a lot');
    await send(a, g.id, 'axb is not a.b');
    await send(a, g.id, 'cxx is not it');
    const r = await api('GET', '/api/v1/mentions', { token: b.token });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json.mentions.map((x) => x.message.body).sort(), ['I like c++ a lot', 'axb is not a.b']);
  });
});

// The sender sends many notifications at once (cgi/worker/push_pool.c) and claims many push
// jobs together; each notification keeps its own outcome.
describe('push sender: many at once', () => {
  it('200 subscriptions of one post: each gets it exactly once and it decrypts; a 410 removes just those', async () => {
    const a = await register();
    const people = [];
    for (let i = 0; i < 10; i++) people.push(await register());
    const devs = [];               // {who, dev, sub, gone}
    for (const [k, who] of people.entries()) {
      for (let i = 0; i < 20; i++) {
        const dev = await device();
        const sub = await subscribe(who, dev);
        const gone = (k * 20 + i) % 7 === 3;      // 29 of the 200, spread over every person
        if (gone) await service('PUT', `/_subscriptions/${dev.name}/status`, { status: 410 });
        devs.push({ who, dev, sub, gone });
      }
    }
    const g = await createGroup(a, people, { title: 'Two hundred devices' });
    const m = await send(a, g.id, 'one post, many devices');
    assert.equal(await jobSettled(g.id, m.seq, 60000), 'done');
    let delivered = 0;
    for (const d of devs) {
      const got = await received(d.dev);
      assert.equal(got.length, 1, `device ${d.dev.name}: exactly one request, got ${got.length}`);
      assert.ok(got[0].ok, `it verified and decrypted: ${got[0].errors}`);
      const p = JSON.parse(got[0].plaintext);
      assert.equal(p.body, 'one post, many devices');
      assert.equal(p.seq, m.seq);
      assert.equal(got[0].topic, `conversation-${g.id}`);
      if (!d.gone) delivered++;
    }
    assert.equal(delivered, 171);
    assert.equal(sql(`SELECT count(*) FROM push_sent WHERE conversation_id = ${g.id} AND seq = ${m.seq}`), '171');
    for (const who of people) {
      const list = (await api('GET', '/api/v1/push/subscriptions', { token: who.token })).json.subscriptions;
      const want = devs.filter((d) => d.who === who && !d.gone).map((d) => d.sub.id).sort((x, y) => x - y);
      assert.deepEqual(list.map((x) => x.id).sort((x, y) => x - y), want, 'the 410 ones are gone, the others stay');
    }
    await sleep(500);
    const again = await Promise.all(devs.slice(0, 20).map((d) => received(d.dev)));
    assert.ok(again.every((got) => got.length === 1), 'nothing sent twice');
  });

  it('many messages at once: every job is done and each device gets each of its messages once', async () => {
    const b = await register();
    const dev = await device();
    await subscribe(b, dev);
    const senders = [];
    for (let i = 0; i < 12; i++) senders.push(await register());
    const sent = await Promise.all(senders.map(async (a, i) => {
      const conv = await openDirect(a, b);
      const m = await send(a, conv.id, `burst ${i}`);
      return { conv, m };
    }));
    for (const { conv, m } of sent) assert.equal(await jobSettled(conv.id, m.seq, 60000), 'done');
    const got = await waitFor(dev, 12);
    assert.equal(got.length, 12, `twelve notifications: ${got.length}`);
    assert.deepEqual(got.map((x) => JSON.parse(x.plaintext).body).sort(),
      senders.map((_, i) => `burst ${i}`).sort());
  });

  it('413 (too large) is recorded on the device and not retried', async () => {
    const a = await register(), b = await register();
    const dev = await device();
    await subscribe(b, dev);
    await service('PUT', `/_subscriptions/${dev.name}/status`, { status: 413 });
    const conv = await openDirect(a, b);
    const m = await send(a, conv.id, 'too big, says the service');
    assert.equal(await jobSettled(conv.id, m.seq), 'done', 'not retried');
    assert.equal((await received(dev)).length, 1);
    const list = (await api('GET', '/api/v1/push/subscriptions', { token: b.token })).json.subscriptions;
    assert.equal(list.length, 1, 'the subscription stays');
    assert.match(list[0].last_error || '', /413: the notification is too large/);
  });

  it('429 with Retry-After: that push service is left alone that long, the others are not', async () => {
    const port = Number(process.env.PARLEY_TEST_HOOK_PORT || 0);
    assert.ok(port > 0, 'PARLEY_TEST_HOOK_PORT: a second push service the stack allows (tests/support/scratch.sh)');
    let hits = 0;
    const busy = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits++;
        res.writeHead(429, { 'Retry-After': '120', 'Content-Type': 'text/plain' });
        res.end('slow down');
      });
    });
    await new Promise((r) => busy.listen(port, '127.0.0.1', r));
    try {
      const a = await register(), b = await register();
      const good = await device();
      await subscribe(b, good);
      const keys = deviceKeys();
      const r = await subscribeRaw(b, { endpoint: `http://127.0.0.1:${port}/push/busy`, keys: { p256dh: keys.publicKey, auth: keys.auth } });
      assert.equal(r.status, 201, show(r));
      const conv = await openDirect(a, b);
      const m = await send(a, conv.id, 'one service is busy');
      assert.equal((await waitFor(good, 1)).length, 1, 'the other push service got it');
      const key = `push:${conv.id}:${m.seq}`;
      let row = '';
      for (let i = 0; i < 75 && !/^queued/.test(row); i++) {
        row = sql(`SELECT state || ' ' || (run_after > now() + interval '100 seconds') || ' ' || coalesce(last_error, '') FROM jobs WHERE idem_key = '${key}'`);
        await sleep(200);
      }
      assert.match(row, /^queued true .*429 \(Retry-After 120 s\)/, `retried no sooner than the service asked: ${row}`);
      assert.equal(hits, 1);
      // Run it again now: the busy service is still left alone; nothing goes twice to the other.
      sql(`UPDATE jobs SET run_after = now() WHERE idem_key = '${key}'`);
      row = '';
      for (let i = 0; i < 75 && !/asked us to wait/.test(row); i++) {
        await sleep(200);
        row = sql(`SELECT state || ' ' || (run_after > now() + interval '60 seconds') || ' ' || coalesce(last_error, '') FROM jobs WHERE idem_key = '${key}'`);
      }
      assert.match(row, /^queued true .*asked us to wait/, row);
      assert.equal(hits, 1, 'no request to the service that asked us to wait');
      assert.equal((await received(good)).length, 1, 'the other device got it once');
      // Cleaned up: without that subscription the retry has nothing left to send.
      assert.equal((await api('DELETE', `/api/v1/push/subscriptions/${r.json.subscription.id}`, { token: b.token })).status, 204);
      sql(`UPDATE jobs SET run_after = now() WHERE idem_key = '${key}'`);
      assert.equal(await jobSettled(conv.id, m.seq), 'done');
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });
});
