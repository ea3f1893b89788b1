// Incoming webhooks: an owner or admin makes a secret URL that posts, Slack-style, as the
// webhook's bot into the conversation; revoked URLs answer 404; posts are rate limited.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { createHmac, timingSafeEqual, createECDH, randomBytes } from 'node:crypto';
import { api, register, createGroup, messages, send, openStream, assertError, sql, haveDb, hex, inputValue } from './lib.mjs';

const PUSH_SERVICE = process.env.PARLEY_PUSH_SERVICE;

/** Subscribes u's "device" at the push stand-in (which decrypts what it gets); returns its name. */
async function pushDevice(u) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const b64u = (x) => Buffer.from(x).toString('base64url');
  const keys = { publicKey: b64u(ecdh.getPublicKey()), privateKey: b64u(ecdh.getPrivateKey()), auth: b64u(randomBytes(16)) };
  const name = `wh${hex(6)}`;
  const reg = await fetch(`${PUSH_SERVICE}/_subscriptions/${name}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(keys),
  });
  const { endpoint } = await reg.json();
  const r = await api('POST', '/api/v1/push/subscriptions', { token: u.token, json: { endpoint, keys: { p256dh: keys.publicKey, auth: keys.auth } } });
  assert.equal(r.status, 201, r.text);
  return name;
}

/** What the stand-in received for device name, once pred holds (15 s at most). */
async function pushWait(name, pred) {
  const until = Date.now() + 15000;
  for (;;) {
    const got = await (await fetch(`${PUSH_SERVICE}/_received/${name}`)).json();
    if (pred(got)) return got;
    if (Date.now() > until) throw new Error(`push: not received: ${JSON.stringify(got)}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** Creates an incoming webhook as u (asserts 201); returns {webhook, url, secret, path}. */
async function createHook(u, convId, name = `Deploys ${hex(2)}`) {
  const r = await api('POST', `/api/v1/conversations/${convId}/webhooks`, { token: u.token, json: { name } });
  assert.equal(r.status, 201, r.text);
  const path = new URL(r.json.url, 'http://x').pathname;
  return { ...r.json, path };
}

describe('incoming webhooks', () => {
  it('posts {"text"} as the webhook bot, seen in history and live by members', async () => {
    const [a, b] = [await register(), await register()];
    const g = await createGroup(a, [b]);
    const h = await createHook(a, g.id, 'Deploys');
    assert.match(h.secret, /^whk_[A-Za-z0-9_-]{43}$/);
    assert.match(h.path, /^\/hooks\/whk_/);
    assert.equal(h.webhook.name, 'Deploys');
    assert.equal(h.webhook.bot.bot, true, 'its sender is a bot');
    assert.equal(h.webhook.bot.display_name, 'Deploys');

    const stream = await openStream(b);
    try {
      const r = await api('POST', h.path, { json: { text: 'Build *42* passed', channel: '#ignored' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.ok, true);
      const ev = await stream.waitFor((e) => e.type === 'message.created' && e.conversation_id === g.id &&
                                        e.message?.body === 'Build *42* passed', 10000, 'the webhook message live');
      assert.equal(ev.message.sender.display_name, 'Deploys');
      assert.equal(ev.message.sender.bot, true);
    } finally {
      stream.close();
    }
    const hist = await messages(b, g.id);
    const m = hist.messages.find((x) => x.body === 'Build *42* passed');
    assert.ok(m, 'in the history');
    assert.equal(m.sender.bot, true);
    assert.equal(m.sender.display_name, 'Deploys');
    const humans = hist.messages.filter((x) => x.kind === 'text' && x.sender.id === a.user.id);
    for (const x of humans) assert.equal(x.sender.bot, false, 'people are not bots');

    // The page shows the BOT badge next to the webhook's name.
    const page = await api('GET', `/conversations/${g.id}`, { token: b.token, raw: true });
    assert.equal(page.status, 200);
    assert.match(page.text, /Deploys<\/bdi> <span class="badge badge-bot"[^>]*>BOT<\/span>/);
  });

  it('accepts Slack\'s payload= form encoding, and says what is wrong with bad input', async () => {
    const a = await register();
    const g = await createGroup(a, []);
    const h = await createHook(a, g.id);
    const ok = await api('POST', h.path, { form: { payload: JSON.stringify({ text: 'from a form' }) } });
    assert.equal(ok.status, 200, ok.text);
    const plain = await api('POST', h.path, { form: { text: 'plain form field' } });
    assert.equal(plain.status, 200, plain.text);
    const hist = await messages(a, g.id);
    assert.ok(hist.messages.some((x) => x.body === 'from a form'));
    assert.ok(hist.messages.some((x) => x.body === 'plain form field'));

    const bad = await api('POST', h.path, { body: '{"text": ', headers: { 'Content-Type': 'application/json' } });
    assertError(bad, 400);
    const empty = await api('POST', h.path, { json: { text: '   ' } });
    const e = assertError(empty, 400, undefined, 'text');
    assert.match(e.message, /text/);
    const none = await api('POST', h.path, { json: { username: 'x' } });
    assertError(none, 400, undefined, 'text');
    const badPayload = await api('POST', h.path, { form: { payload: 'not json' } });
    assertError(badPayload, 400, undefined, 'payload');
  });

  it('a post\'s "username" shows beside the bot, never alone: page, JSON, events and push text', async () => {
    const [a, b, c] = [await register(), await register(), await register()];
    const g = await createGroup(a, [b, c], { title: `Ops ${hex(2)}` });
    const h = await createHook(a, g.id, 'Deploys');
    const dev = await pushDevice(c);                      // c has no page open: pushed at once
    const stream = await openStream(b);
    try {
      const r = await api('POST', h.path, { json: { text: 'Deployed v1.2', username: 'Deploy bot' } });
      assert.equal(r.status, 200, r.text);
      const ev = await stream.waitFor((e) => e.type === 'message.created' && e.conversation_id === g.id &&
                                        e.message?.body === 'Deployed v1.2', 10000, 'the named post live');
      assert.equal(ev.message.sender_name, 'Deploy bot');
      assert.equal(ev.message.sender.display_name, 'Deploys', 'the sender is still the bot');
      assert.equal(ev.message.sender.bot, true);
    } finally {
      stream.close();
    }
    const plain = await api('POST', h.path, { json: { text: 'no name given' } });
    assert.equal(plain.status, 200, plain.text);
    const slack = await api('POST', h.path, { form: { payload: JSON.stringify({ text: 'from Slack form', username: 'CI' }) } });
    assert.equal(slack.status, 200, slack.text);

    const hist = await messages(b, g.id);
    const named = hist.messages.find((x) => x.body === 'Deployed v1.2');
    assert.equal(named.sender_name, 'Deploy bot');
    assert.equal(named.sender.bot, true);
    assert.equal(hist.messages.find((x) => x.body === 'no name given').sender_name, null);
    assert.equal(hist.messages.find((x) => x.body === 'from Slack form').sender_name, 'CI');
    for (const x of hist.messages.filter((y) => y.sender.id === a.user.id)) assert.equal(x.sender_name, null, 'people have none');

    // The page: the name, then "(via <bot>)" and the BOT badge; the unnamed post after it is
    // not folded under the named one.
    const page = await api('GET', `/conversations/${g.id}`, { token: b.token, raw: true });
    assert.equal(page.status, 200);
    assert.match(page.text, /<span class="msg-sender"><bdi>Deploy bot<\/bdi> <span class="msg-via">\(via <bdi>Deploys<\/bdi>\)<\/span> <span class="badge badge-bot"[^>]*>BOT<\/span><\/span>/);
    assert.match(page.text, /<span class="msg-sender"><bdi>Deploys<\/bdi> <span class="badge badge-bot"[^>]*>BOT<\/span><\/span>/,
                 'the next post, without a name, shows its bot as its own head');

    // The push notification names both.
    const pushes = await pushWait(dev, (l) => l.some((n) => n.plaintext && JSON.parse(n.plaintext).body.includes('Deployed v1.2')));
    const note = JSON.parse(pushes.find((n) => JSON.parse(n.plaintext).body.includes('Deployed v1.2')).plaintext);
    assert.equal(note.sender, 'Deploy bot (via Deploys)');
    assert.match(note.title, /^Deploy bot \(via Deploys\) in Ops /);
  });

  it('a "username" must be 1–80 visible characters: anything else is 400 and posts nothing', async () => {
    const a = await register();
    const g = await createGroup(a, []);
    const h = await createHook(a, g.id);
    for (const username of ['', '   ', 'x'.repeat(81), 'Deploy\u0007bot', 'a\u202Eevil', 'line\nbreak', 42, { n: 1 }]) {
      const r = await api('POST', h.path, { json: { text: `bad name ${JSON.stringify(username)}`, username } });
      assertError(r, 400, undefined, 'username');
    }
    const long = 'é'.repeat(80);                          // characters, not bytes
    const ok = await api('POST', h.path, { json: { text: 'eighty', username: long } });
    assert.equal(ok.status, 200, ok.text);
    const hist = await messages(a, g.id);
    assert.equal(hist.messages.find((x) => x.body === 'eighty').sender_name, long);
    assert.ok(!hist.messages.some((x) => (x.body || '').startsWith('bad name')), 'no refused post was stored');
  });

  it('lists webhooks to admins only, never with their secret; revoked → 404', async () => {
    const [a, b, outsider] = [await register(), await register(), await register()];
    const g = await createGroup(a, [b]);
    const h = await createHook(a, g.id);

    const list = await api('GET', `/api/v1/conversations/${g.id}/webhooks`, { token: a.token });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.webhooks.map((x) => x.id), [h.webhook.id]);
    assert.ok(!list.text.includes(h.secret.slice(4)), 'the list never shows the secret');
    if (haveDb) {
      const stored = sql(`SELECT secret_hash FROM incoming_webhooks WHERE id = ${h.webhook.id}`);
      assert.match(stored, /^[0-9a-f]{64}$/, 'stored hashed');
      assert.ok(!stored.includes(h.secret.slice(4)));
    }

    // A plain member may neither create nor list; a non-member does not see the conversation.
    assertError(await api('POST', `/api/v1/conversations/${g.id}/webhooks`, { token: b.token, json: { name: 'x' } }), 403);
    assertError(await api('GET', `/api/v1/conversations/${g.id}/webhooks`, { token: b.token }), 403);
    assertError(await api('POST', `/api/v1/conversations/${g.id}/webhooks`, { token: outsider.token, json: { name: 'x' } }), 404);
    assertError(await api('DELETE', `/api/v1/conversations/${g.id}/webhooks/${h.webhook.id}`, { token: b.token }), 403);

    const del = await api('DELETE', `/api/v1/conversations/${g.id}/webhooks/${h.webhook.id}`, { token: a.token });
    assert.equal(del.status, 204, del.text);
    assertError(await api('POST', h.path, { json: { text: 'after revoke' } }), 404);
    assertError(await api('DELETE', `/api/v1/conversations/${g.id}/webhooks/${h.webhook.id}`, { token: a.token }), 404);
    assertError(await api('POST', '/hooks/whk_nonsense', { json: { text: 'x' } }), 404);
    // The URL is a credential: the application's log names the route, not the secret.
    const log = `${process.env.PARLEY_VAR}/log/parley.log`;
    if (process.env.PARLEY_VAR && existsSync(log)) assert.ok(!readFileSync(log, 'utf8').includes(h.secret), 'no secret in the log');
    const hist = await messages(a, g.id);
    assert.ok(!hist.messages.some((x) => x.body === 'after revoke'));
  });

  it('works from the settings page with a CSRF-protected form', async () => {
    const a = await register();
    const g = await createGroup(a, []);
    const settings = await api('GET', `/conversations/${g.id}/settings`, { token: a.token, raw: true });
    assert.match(settings.text, new RegExp(`href="/conversations/${g.id}/webhooks"`), 'the settings link to webhooks');
    const cookie = { parley_session: a.token };
    const page = await api('GET', `/conversations/${g.id}/webhooks`, { cookie });
    assert.equal(page.status, 200);
    const csrf = inputValue(page.text, 'csrf_token');
    assert.ok(csrf, 'the form carries a CSRF token');

    const forged = await api('POST', `/conversations/${g.id}/webhooks`, { cookie, form: { name: 'Forged' } });
    assert.equal(forged.status, 403, 'no CSRF token: refused');
    const made = await api('POST', `/conversations/${g.id}/webhooks`, { cookie, form: { name: 'From the page', csrf_token: csrf } });
    assert.equal(made.status, 201, made.text.slice(0, 300));
    const url = inputValue(made.text, 'new-hook') || /id="new-hook"[^>]*value="([^"]+)"/.exec(made.text)?.[1];
    assert.match(url, /\/hooks\/whk_/, 'the page shows the URL once');
    const post = await api('POST', new URL(url, 'http://x').pathname, { json: { text: 'via the page' } });
    assert.equal(post.status, 200, post.text);

    const list = await api('GET', `/conversations/${g.id}/webhooks`, { cookie });
    assert.match(list.text, /From the page<\/bdi> <span class="badge badge-bot"/);
    assert.ok(!list.text.includes(url.split('/hooks/')[1]), 'the list page never shows the secret');
    const id = /webhooks\/(\d+)\/delete/.exec(list.text)[1];
    const del = await api('POST', `/conversations/${g.id}/webhooks/${id}/delete`, { cookie, form: { csrf_token: csrf } });
    assert.equal(del.status, 303);
    assert.match(del.headers.get('location'), /\/webhooks\?done=revoked$/);
    assertError(await api('POST', new URL(url, 'http://x').pathname, { json: { text: 'gone' } }), 404);
  });

  it('refuses a direct conversation (groups and channels only)', async () => {
    const [a, b] = [await register(), await register()];
    const d = await api('POST', '/api/v1/conversations', { token: a.token, json: { kind: 'direct', members: [b.user.id] } });
    assert.ok([200, 201].includes(d.status), d.text);
    assertError(await api('POST', `/api/v1/conversations/${d.json.conversation.id}/webhooks`,
                          { token: a.token, json: { name: 'x' } }), 400);
  });

  it('is rate limited: 30 posts a minute, then 429 with Retry-After', async () => {
    const a = await register();
    const g = await createGroup(a, []);
    const h = await createHook(a, g.id);
    let limited;
    for (let i = 0; i < 31; i++) {
      const r = await api('POST', h.path, { json: { text: `n${i}` } });
      if (r.status === 429) { limited = r; break; }
      assert.equal(r.status, 200, r.text);
    }
    assert.ok(limited, 'the 31st post is refused');
    assertError(limited, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  });
});

// ---- outgoing webhooks ----------------------------------------------------------------------
// A receiver on 127.0.0.1:PARLEY_TEST_HOOK_PORT, which the test stack adds to
// PARLEY_OUTBOUND_ALLOW (tests/support/scratch.sh); every other loopback or private address
// stays refused.

const HOOK_PORT = Number(process.env.PARLEY_TEST_HOOK_PORT || 0);

/** The receiver: records each request per path; answer(path, req) says what to send back. */
function startReceiver() {
  const got = new Map();
  const answers = new Map();
  const waiters = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const hit = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      if (!got.has(req.url)) got.set(req.url, []);
      got.get(req.url).push(hit);
      const a = (answers.get(req.url) || (() => ({ status: 200, body: '' })))(hit, got.get(req.url).length);
      res.writeHead(a.status, { 'Content-Type': 'application/json' });
      res.end(a.body);
      for (const w of waiters) w();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(HOOK_PORT, '127.0.0.1', () => resolve({
      got, answers, url: (path) => `http://127.0.0.1:${HOOK_PORT}${path}`,
      close: () => new Promise((r) => server.close(r)),
      /** Resolves with the requests to path once pred(requests) holds (timeout: rejects). */
      wait(path, pred, ms = 30000) {
        return new Promise((res2, rej) => {
          const check = () => {
            const list = got.get(path) || [];
            if (pred(list)) { waiters.delete(check); clearTimeout(t); res2(list); }
          };
          const t = setTimeout(() => { waiters.delete(check); rej(new Error(`receiver ${path}: not in ${ms} ms`)); }, ms);
          waiters.add(check);
          check();
        });
      },
    }));
  });
}

/** Checks X-Parley-Signature as a receiver should: the 5-minute window and the HMAC. */
function verifySignature(secret, header, body) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header || '');
  assert.ok(m, `signature header shape: ${header}`);
  const t = Number(m[1]);
  assert.ok(Math.abs(Date.now() / 1000 - t) < 300, 'inside the 5-minute replay window');
  const want = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  assert.ok(timingSafeEqual(Buffer.from(want), Buffer.from(m[2])), 'the HMAC matches');
}

async function createOut(u, convId, json) {
  return api('POST', `/api/v1/conversations/${convId}/outgoing-webhooks`, { token: u.token, json });
}

async function waitFor(fn, ms = 30000, what = 'a condition') {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('outgoing webhooks', () => {
  it('the test stack names a receiver port (PARLEY_TEST_HOOK_PORT)', () => {
    assert.ok(HOOK_PORT > 0, 'PARLEY_TEST_HOOK_PORT is set by tests/support/scratch.sh');
  });

  it('POSTs each new message signed, and posts a {"text"} reply back as the bot', async () => {
    const rcv = await startReceiver();
    try {
      const [a, b] = [await register(), await register()];
      const g = await createGroup(a, [b]);
      rcv.answers.set('/echo', (hit) => ({ status: 200, body: JSON.stringify({ text: `echo: ${JSON.parse(hit.body).message.body}` }) }));
      const r = await createOut(a, g.id, { name: 'Echo', url: rcv.url('/echo') });
      assert.equal(r.status, 201, r.text);
      const { outgoing_webhook: w, secret } = r.json;
      assert.match(secret, /^whsec_/);
      assert.equal(w.bot.bot, true);
      assert.equal(w.url, rcv.url('/echo'));
      const list = await api('GET', `/api/v1/conversations/${g.id}/outgoing-webhooks`, { token: a.token });
      assert.deepEqual(list.json.outgoing_webhooks.map((x) => x.id), [w.id]);
      assert.ok(!list.text.includes(secret), 'the list never shows the secret');

      const m = await send(b, g.id, 'hello hook');
      const [hit] = await rcv.wait('/echo', (l) => l.length >= 1);
      verifySignature(secret, hit.headers['x-parley-signature'], hit.body);
      assert.equal(hit.headers['content-type'], 'application/json');
      const doc = JSON.parse(hit.body);
      assert.equal(doc.type, 'message.created');
      assert.equal(doc.webhook_id, w.id);
      assert.equal(doc.conversation_id, g.id);
      assert.equal(doc.seq, m.seq);
      assert.equal(doc.message.body, 'hello hook');
      assert.equal(doc.message.sender.username, b.username);

      const reply = await waitFor(async () => (await messages(b, g.id)).messages.find((x) => x.body === 'echo: hello hook'),
                                  30000, 'the reply in the history');
      assert.equal(reply.sender.bot, true);
      assert.equal(reply.sender.display_name, 'Echo');
      // The bot's own reply triggers nothing (no loop).
      await new Promise((res) => setTimeout(res, 500));
      assert.equal(rcv.got.get('/echo').length, 1);
    } finally {
      await rcv.close();
    }
  });

  it('with a trigger word or mentions only, only matching messages are sent', async () => {
    const a = await register();
    const g = await createGroup(a, []);
    const botName = `deploybot${hex(3)}`;
    const r = await createOut(a, g.id, { name: 'Deploy', url: `http://127.0.0.1:${HOOK_PORT}/t`, trigger_word: '!deploy',
                                         mentions_only: true, username: botName });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.outgoing_webhook.bot.username, botName);
    const w = r.json.outgoing_webhook.id;
    const sent = {};
    for (const body of ['plain words', '!deploy now', 'ask @' + botName + ' please', '!deployed is not it', 'mail@' + botName]) {
      sent[body] = (await send(a, g.id, body)).seq;
    }
    if (haveDb) {
      const keys = sql(`SELECT idem_key FROM jobs WHERE kind = 'hook.send' AND idem_key LIKE 'hook:${w}:%' ORDER BY id`)
        .split('\n').filter(Boolean);
      assert.deepEqual(keys, [`hook:${w}:${g.id}:${sent['!deploy now']}`, `hook:${w}:${g.id}:${sent['ask @' + botName + ' please']}`]);
    }
  });

  it('refuses loopback, private, link-local and IPv4-mapped URLs at creation (400)', async () => {
    const [a, b] = [await register(), await register()];
    const g = await createGroup(a, [b]);
    for (const url of ['http://127.0.0.1/x', 'https://127.0.0.1/x', 'https://10.0.0.1/hook', 'https://169.254.169.254/latest/meta-data/',
                       'https://[::ffff:127.0.0.1]/x', 'https://localhost/x', 'ftp://example.org/x', 'not a url']) {
      const r = await createOut(a, g.id, { name: 'Bad', url });
      assertError(r, 400, undefined, 'url');
    }
    assertError(await createOut(b, g.id, { name: 'x', url: `http://127.0.0.1:${HOOK_PORT}/x` }), 403);
    const list = await api('GET', `/api/v1/conversations/${g.id}/outgoing-webhooks`, { token: a.token });
    assert.deepEqual(list.json.outgoing_webhooks, []);
  });

  it('refuses a private address at send time too, recorded and not retried', async () => {
    const a = await register();
    const g = await createGroup(a, []);
    const r = await createOut(a, g.id, { name: 'Moved', url: `http://127.0.0.1:${HOOK_PORT}/moved` });
    assert.equal(r.status, 201, r.text);
    const w = r.json.outgoing_webhook.id;
    // As if its name now resolved somewhere else: the worker checks again on every send.
    sql(`UPDATE outgoing_webhooks SET url = 'https://[::ffff:127.0.0.1]:9/x' WHERE id = ${w}`);
    await send(a, g.id, 'to nowhere');
    const hook = await waitFor(async () => {
      const l = await api('GET', `/api/v1/conversations/${g.id}/outgoing-webhooks`, { token: a.token });
      return l.json.outgoing_webhooks.find((x) => x.id === w && x.last_error);
    }, 30000, 'last_error');
    assert.match(hook.last_error, /refused|not allowed|private|loopback|mapped/i);
    const job = sql(`SELECT state || ' ' || attempts FROM jobs WHERE kind = 'hook.send' AND idem_key LIKE 'hook:${w}:%'`);
    assert.equal(job, 'done 1', 'not retried');
  });

  it('retries with backoff when the receiver fails, visible in the job list', async () => {
    const rcv = await startReceiver();
    try {
      const a = await register();
      const g = await createGroup(a, []);
      rcv.answers.set('/flaky', (hit, n) => (n === 1 ? { status: 503, body: '' } : { status: 200, body: '{}' }));
      const r = await createOut(a, g.id, { name: 'Flaky', url: rcv.url('/flaky') });
      assert.equal(r.status, 201, r.text);
      const w = r.json.outgoing_webhook.id;
      await send(a, g.id, 'try twice');
      await rcv.wait('/flaky', (l) => l.length >= 1);
      const queued = await waitFor(() => {
        const row = sql(`SELECT state || '|' || attempts || '|' || coalesce(last_error, '') FROM jobs WHERE kind = 'hook.send' AND idem_key LIKE 'hook:${w}:%'`);
        return row.startsWith('queued|1|') && row;
      }, 15000, 'the failed first attempt queued again');
      assert.match(queued, /503/);
      const hits = await rcv.wait('/flaky', (l) => l.length >= 2, 60000);
      verifySignature(r.json.secret, hits[1].headers['x-parley-signature'], hits[1].body);
      await waitFor(() => sql(`SELECT state FROM jobs WHERE kind = 'hook.send' AND idem_key LIKE 'hook:${w}:%'`) === 'done',
                    15000, 'the job done');
    } finally {
      await rcv.close();
    }
  });

  it('works from the webhooks page: CSRF form, secret shown once, bad URL explained', async () => {
    const a = await register();
    const g = await createGroup(a, []);
    const cookie = { parley_session: a.token };
    const page = await api('GET', `/conversations/${g.id}/webhooks`, { cookie });
    const csrf = inputValue(page.text, 'csrf_token');
    assert.match(page.text, new RegExp(`action="/conversations/${g.id}/outgoing-webhooks"`));
    const path = `/conversations/${g.id}/outgoing-webhooks`;
    assert.equal((await api('POST', path, { cookie, form: { name: 'X', url: `http://127.0.0.1:${HOOK_PORT}/p` } })).status, 403);
    const bad = await api('POST', path, { cookie, form: { name: 'X', url: 'https://10.0.0.1/p', csrf_token: csrf } });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /This URL cannot be used/);
    const made = await api('POST', path, { cookie, form: { name: 'Paged', url: `http://127.0.0.1:${HOOK_PORT}/p`, trigger_word: '!go',
                                                           csrf_token: csrf } });
    assert.equal(made.status, 201, made.text.slice(0, 300));
    const secret = /id="new-secret"[^>]*value="([^"]+)"/.exec(made.text)?.[1];
    assert.match(secret, /^whsec_/);
    const again = await api('GET', `/conversations/${g.id}/webhooks`, { cookie });
    assert.ok(!again.text.includes(secret), 'shown once');
    assert.match(again.text, /starts with <code>!go<\/code>/);
  });

  it('revoking stops the sends', async () => {
    const a = await register();
    const g = await createGroup(a, []);
    const r = await createOut(a, g.id, { name: 'Gone', url: `http://127.0.0.1:${HOOK_PORT}/gone` });
    assert.equal(r.status, 201, r.text);
    const del = await api('DELETE', `/api/v1/conversations/${g.id}/outgoing-webhooks/${r.json.outgoing_webhook.id}`, { token: a.token });
    assert.equal(del.status, 204, del.text);
    assertError(await api('DELETE', `/api/v1/conversations/${g.id}/outgoing-webhooks/${r.json.outgoing_webhook.id}`, { token: a.token }), 404);
    if (haveDb) {
      await send(a, g.id, 'nobody listens');
      assert.equal(sql(`SELECT count(*) FROM jobs WHERE idem_key LIKE 'hook:${r.json.outgoing_webhook.id}:%'`), '0');
    }
  });
});
