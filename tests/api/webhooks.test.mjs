// Incoming webhooks: an owner or admin makes a secret URL that posts, Slack-style, as the
// webhook's bot into the conversation; revoked URLs answer 404; posts are rate limited.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, register, createGroup, messages, openStream, assertError, sql, haveDb, hex, inputValue } from './lib.mjs';

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
