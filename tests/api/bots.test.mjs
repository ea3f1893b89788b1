// Bot accounts: made by a person who owns them, with API tokens; they use the same JSON API
// and event stream as scripts, cannot sign in with a password, and show as bots everywhere.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, register, uname, createGroup, messages, openStream, loginRaw, assertError, inputValue, PASSWORD } from './lib.mjs';

async function makeBot(owner, opts = {}) {
  const username = opts.username || uname('bot');
  const r = await api('POST', '/api/v1/bots', { token: owner.token, json: { username, display_name: opts.display_name || 'Echo bot' } });
  assert.equal(r.status, 201, r.text);
  return { ...r.json, username, token: r.json.secret, user: r.json.bot };
}

describe('bot accounts', () => {
  it('a person makes a bot and gets its first token once; the token works for /me and sending', async () => {
    const [a, b] = [await register(), await register()];
    const bot = await makeBot(a);
    assert.equal(bot.bot.bot, true);
    assert.equal(bot.bot.username, bot.username);
    assert.match(bot.secret, /^pat_/);
    assert.ok(Number.isInteger(bot.token.id) || typeof bot.token === 'string');

    const me = await api('GET', '/api/v1/me', { token: bot.secret });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.user.id, bot.bot.id);
    assert.equal(me.json.user.bot, true);

    // Added to a group like anyone else (by username); then it reads the stream and sends.
    const g = await createGroup(a, [b]);
    const add = await api('POST', `/api/v1/conversations/${g.id}/members`, { token: a.token, json: { username: bot.username } });
    assert.equal(add.status, 201, add.text);
    assert.equal(add.json.member.bot, true, 'member JSON says bot');

    const stream = await openStream({ token: bot.secret });
    try {
      const sent = await api('POST', `/api/v1/conversations/${g.id}/messages`, { token: b.token, json: { body: 'ping' } });
      assert.equal(sent.status, 201, sent.text);
      const ev = await stream.waitFor((e) => e.type === 'message.created' && e.message?.body === 'ping', 10000, 'ping on the bot stream');
      assert.equal(ev.message.sender.bot, false);
    } finally {
      stream.close();
    }
    const reply = await api('POST', `/api/v1/conversations/${g.id}/messages`, { token: bot.secret, json: { body: 'pong' } });
    assert.equal(reply.status, 201, reply.text);
    assert.equal(reply.json.message.sender.bot, true);
    const hist = await messages(b, g.id);
    const pong = hist.messages.find((m) => m.body === 'pong');
    assert.ok(pong, 'b sees the reply');
    assert.equal(pong.sender.bot, true);

    // Profiles and member lists show the badge.
    const profile = await api('GET', `/api/v1/users/${bot.username}`, { token: b.token });
    assert.equal(profile.status, 200, profile.text);
    assert.equal(profile.json.user.bot, true);
    const page = await api('GET', `/users/${bot.username}`, { token: b.token, raw: true });
    assert.match(page.text, /class="badge badge-bot"[^>]*>BOT</);
    const conv = await api('GET', `/api/v1/conversations/${g.id}/settings`, { token: b.token });
    assert.equal(conv.json.conversation.members.find((m) => m.id === bot.bot.id)?.bot, true);
    assert.equal(conv.json.conversation.members.find((m) => m.id === b.user.id)?.bot, false);
  });

  it('cannot sign in with a password', async () => {
    const a = await register();
    const bot = await makeBot(a);
    for (const pw of [PASSWORD, '!', '']) {
      const r = await loginRaw(bot.username, pw);
      assert.ok([400, 401].includes(r.status), `login as a bot with ${JSON.stringify(pw)}: ${r.status} ${r.text}`);
      assert.ok(!r.json?.token, 'no session');
    }
  });

  it('lists bots to their owner only, more tokens, delete ends its tokens', async () => {
    const [a, other] = [await register(), await register()];
    const bot = await makeBot(a);
    const list = await api('GET', '/api/v1/bots', { token: a.token });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.bots.map((x) => x.username), [bot.username]);
    assert.equal(list.json.bots[0].bot, true);
    assert.ok(!list.text.includes(bot.secret.slice(4)), 'no secret in the list');
    const theirs = await api('GET', '/api/v1/bots', { token: other.token });
    assert.deepEqual(theirs.json.bots, []);

    const t2 = await api('POST', `/api/v1/bots/${bot.bot.id}/tokens`, { token: a.token, json: { name: 'second' } });
    assert.equal(t2.status, 201, t2.text);
    assert.equal((await api('GET', '/api/v1/me', { token: t2.json.secret })).status, 200);
    const toks = await api('GET', `/api/v1/bots/${bot.bot.id}/tokens`, { token: a.token });
    assert.deepEqual(toks.json.tokens.map((t) => t.name).sort(), ['first token', 'second']);

    // Someone else's bot is not found; a bot makes no bots.
    assertError(await api('POST', `/api/v1/bots/${bot.bot.id}/tokens`, { token: other.token, json: { name: 'x' } }), 404);
    assertError(await api('DELETE', `/api/v1/bots/${bot.bot.id}`, { token: other.token }), 404);
    assertError(await api('POST', '/api/v1/bots', { token: bot.secret, json: { username: uname('bot'), display_name: 'x' } }), 403);

    // Bad input is a 400 that names the field; a taken name says so.
    assertError(await api('POST', '/api/v1/bots', { token: a.token, json: { username: 'no spaces', display_name: 'x' } }), 400, undefined, 'username');
    const taken = await api('POST', '/api/v1/bots', { token: a.token, json: { username: other.username, display_name: 'x' } });
    assertError(taken, 409, undefined, 'username');

    const del = await api('DELETE', `/api/v1/bots/${bot.bot.id}`, { token: a.token });
    assert.equal(del.status, 204, del.text);
    assertError(await api('GET', '/api/v1/me', { token: bot.secret }), 401);
    assertError(await api('GET', '/api/v1/me', { token: t2.json.secret }), 401);
    assert.deepEqual((await api('GET', '/api/v1/bots', { token: a.token })).json.bots, []);
  });

  it('has a page with a CSRF-protected form', async () => {
    const a = await register();
    const cookie = { parley_session: a.token };
    const page = await api('GET', '/bots', { cookie });
    assert.equal(page.status, 200);
    assert.match(page.text, /action="\/bots"/);
    const csrf = inputValue(page.text, 'csrf_token');
    assert.ok(csrf, 'the form carries a CSRF token');
    const username = uname('bot');
    assert.equal((await api('POST', '/bots', { cookie, form: { username, display_name: 'Paged bot' } })).status, 403);
    const bad = await api('POST', '/bots', { cookie, form: { username: 'x', display_name: 'Paged bot', csrf_token: csrf } });
    assert.equal(bad.status, 400);
    const made = await api('POST', '/bots', { cookie, form: { username, display_name: 'Paged bot', csrf_token: csrf } });
    assert.equal(made.status, 201, made.text.slice(0, 300));
    const secret = /id="new-token"[^>]*value="([^"]+)"/.exec(made.text)?.[1];
    assert.match(secret, /^pat_/, 'the token is shown once');
    assert.equal((await api('GET', '/api/v1/me', { token: secret })).json.user.username, username);
    const list = await api('GET', '/bots', { cookie });
    assert.ok(!list.text.includes(secret), 'not shown again');
    assert.match(list.text, /Paged bot<\/bdi> <span class="badge badge-bot"/);
    const id = /\/bots\/(\d+)\/delete/.exec(list.text)[1];
    const del = await api('POST', `/bots/${id}/delete`, { cookie, form: { csrf_token: csrf } });
    assert.equal(del.status, 303);
    assert.equal((await api('GET', '/api/v1/me', { token: secret })).status, 401);
  });
});
