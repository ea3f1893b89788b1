// The security review's findings, each tried the way an attacker would: streams that outlive
// their session, Unicode look-alike logins, a blocked person reaching the blocker, tokens that
// survive a password change, unlimited password guessing, limits overshot by concurrency,
// cookies without Secure behind a TLS proxy, and reads marked by prefetches.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  api, register, registerMany, login, loginRaw, assertError, block, openDirect, send, show, PASSWORD,
  openStream, longPoll, sleep, redis, sql, BASE2, fakeIp, uname, makeContacts, getConversation,
} from './lib.mjs';

const sha256 = (s) => createHash('sha256').update(s).digest('hex');
const cookieOf = (token) => ({ Cookie: `parley_session=${token}` });

/** Resolves when stream s ends, or fails after ms; asserts it said why first. */
async function assertEnds(s, what, ms = 4000) {
  const why = await Promise.race([s.ended, sleep(ms).then(() => 'still open')]);
  assert.notEqual(why, 'still open', `${what}: the stream must end within ${ms} ms: ${s.describe()}`);
  assert.ok(s.events.some((e) => e.type === 'session.ended'), `${what}: a session.ended event first: ${s.describe()}`);
}

/** Asserts stream s still delivers: peer sends to conv, s receives it. */
async function assertLive(s, peer, convId, what) {
  assert.equal(s.done, false, `${what}: still open (${s.endReason})`);
  const m = await send(peer, convId, `still here ${Math.random()}`);
  await s.waitFor((e) => e.type === 'message.created' && e.seq === m.seq, 3000, `${what}: the message`);
}

describe('an event stream ends with the session or token that opened it', () => {
  it('logout ends that session’s streams (bearer and cookie, on every hub) and no other', async () => {
    const [a, b] = await registerMany(2);
    const conv = await openDirect(b, a);
    const other = await login(a.username, PASSWORD);
    const bearer = await openStream(a);
    const cookie = await openStream(null, { headers: cookieOf(a.token) });
    const onNode2 = BASE2 ? await openStream(a, { base: BASE2 }) : null;
    const kept = await openStream({ token: other });
    await assertLive(bearer, b, conv.id, 'before logout');
    const r = await api('POST', '/api/v1/logout', { token: a.token });
    assert.equal(r.status, 204, show(r));
    await assertEnds(bearer, 'bearer stream');
    await assertEnds(cookie, 'cookie stream');
    if (onNode2) await assertEnds(onNode2, 'the stream on the second node');
    await assertLive(kept, b, conv.id, 'another session’s stream');
    // Reconnecting with the old token is refused.
    const again = await longPoll(a, { timeout: 1 });
    assertError(again, 401, 'unauthorized');
    await kept.close();
  });

  it('logout/all, a session revoke, a password change and a token revoke each end streams', async () => {
    const [a, b] = await registerMany(2);
    const conv = await openDirect(b, a);
    // logout/all: every session's stream and every token's
    const s2 = await login(a.username, PASSWORD);
    const tok = (await api('POST', '/api/v1/me/tokens', { token: a.token, json: { name: 'bot' } })).json.secret;
    const streams = [await openStream(a), await openStream({ token: s2 }), await openStream({ token: tok })];
    const all = await api('POST', '/api/v1/logout/all', { token: s2 });
    assert.equal(all.status, 200, show(all));
    for (const [i, s] of streams.entries()) await assertEnds(s, `logout/all, stream ${i}`);

    // a session revoked from the sessions list
    const t1 = await login(a.username, PASSWORD);
    const t2 = await login(a.username, PASSWORD);
    const victim = await openStream({ token: t2 });
    const revoked = await api('DELETE', `/api/v1/me/sessions/${sha256(t2)}`, { token: t1 });
    assert.equal(revoked.status, 204, show(revoked));
    await assertEnds(victim, 'revoked session');

    // a password change: every other session and token; this one stays
    const t3 = await login(a.username, PASSWORD);
    const bot = (await api('POST', '/api/v1/me/tokens', { token: t1, json: { name: 'bot' } })).json.secret;
    const [mine, theirs, bots] = [await openStream({ token: t1 }), await openStream({ token: t3 }), await openStream({ token: bot })];
    const pw = await api('POST', '/api/v1/me/password', {
      token: t1, json: { current_password: PASSWORD, new_password: 'a whole new secret' },
    });
    assert.equal(pw.status, 200, show(pw));
    await assertEnds(theirs, 'password change: another session');
    await assertEnds(bots, 'password change: a token');
    await assertLive(mine, b, conv.id, 'password change: the session that changed it');

    // a token revoked
    const t4 = (await api('POST', '/api/v1/me/tokens', { token: t1, json: { name: 'script' } })).json;
    const scripted = await openStream({ token: t4.secret });
    const rv = await api('DELETE', `/api/v1/me/tokens/${t4.token.id}`, { token: t1 });
    assert.equal(rv.status, 204, show(rv));
    await assertEnds(scripted, 'revoked token');
    await assertLive(mine, b, conv.id, 'unrelated');
    await mine.close();
  });

  it('a token revoked by an id written with leading zeros ends its streams too', async () => {
    const a = await register();
    const made = (await api('POST', '/api/v1/me/tokens', { token: a.token, json: { name: 'zeros' } })).json;
    const s = await openStream({ token: made.secret });
    const rv = await api('DELETE', `/api/v1/me/tokens/00${made.token.id}`, { token: a.token });
    assert.equal(rv.status, 204, show(rv));
    await assertEnds(s, 'revoked as 00<id>', 1000);            // before the hub's re-check, most likely
  });

  it('a waiting long-poll is answered 401 when its session ends', async () => {
    const a = await register();
    const waiting = longPoll(a, { timeout: 30 });
    await sleep(300);
    const t0 = performance.now();
    const r = await api('POST', '/api/v1/logout', { token: a.token });
    assert.equal(r.status, 204, show(r));
    const poll = await waiting;
    assertError(poll, 401, 'unauthorized');
    assert.ok(performance.now() - t0 < 3000, `answered at once, not at its deadline (${poll.ms} ms)`);
  });

  it('a session removed without an announcement ends at the hub’s next re-check', async () => {
    const a = await register();
    const s = await openStream(a);
    redis('DEL', `sess:${sha256(a.token)}`);                // expired, say, or removed by hand
    await assertEnds(s, 'the re-check (PARLEY_EVENTS_RECHECK=2 in the test stack)', 8000);
  });
});

describe('one canonical form of a username', () => {
  it('a look-alike name (Kelvin sign) reaches no account, and the limit is the account’s', async () => {
    const name = `k${uname('').slice(0, 10)}`;
    const a = await register({ username: name });
    const kelvin = `\u212A${name.slice(1)}`;                 // "Kxxxx" with U+212A KELVIN SIGN
    assertError(await loginRaw(kelvin, PASSWORD), 401, 'invalid_credentials');
    const upper = await loginRaw(name.toUpperCase(), PASSWORD);   // ASCII case still folds
    assert.equal(upper.status, 200, show(upper));
    for (let i = 0; i < 10; i++) assertError(await loginRaw(name, `wrong ${i}`, { ip: fakeIp() }), 401, 'invalid_credentials');
    assertError(await loginRaw(name, PASSWORD, { ip: fakeIp() }), 429, 'rate_limited');
    assertError(await loginRaw(kelvin, PASSWORD, { ip: fakeIp() }), 401, 'invalid_credentials');
    assert.ok(Number(redis('GET', `rl:login:u:${a.user.id}`)) >= 10, 'the budget is keyed by the account id');
    assert.equal(redis('EXISTS', `rl:login:u:${kelvin.toLowerCase()}`), '0');
  });

  it('registration takes only the canonical form', async () => {
    const r = await api('POST', '/api/v1/register', {
      json: { username: `\u212Aelvin${uname('').slice(0, 6)}`, password: PASSWORD, display_name: 'K' },
    });
    assertError(r, 400, 'invalid_field', 'username');
  });
});

describe('a block stops everything in the direct conversation', () => {
  it('the blocked person can no longer edit, delete, react, or move receipts the blocker sees', async () => {
    const [blocker, blocked] = await registerMany(2);
    const conv = await openDirect(blocked, blocker);
    const mine = await send(blocked, conv.id, 'before the block');
    const theirs = await send(blocker, conv.id, 'reply before the block');
    await block(blocker, blocked);
    const watch = await openStream(blocker);
    const base = `/api/v1/conversations/${conv.id}/messages`;
    const t = { token: blocked.token };
    assertError(await api('PATCH', `${base}/${mine.seq}`, { ...t, json: { body: 'edited after' } }), 403, 'not_allowed');
    assertError(await api('POST', `${base}/${theirs.seq}/reactions`, { ...t, json: { emoji: '👍' } }), 403, 'not_allowed');
    assertError(await api('DELETE', `${base}/${mine.seq}`, t), 403, 'not_allowed');
    const rd = await api('POST', `/api/v1/conversations/${conv.id}/read`, { ...t, json: { seq: theirs.seq } });
    assert.equal(rd.status, 200, show(rd));
    const dl = await api('POST', `/api/v1/conversations/${conv.id}/delivered`, { ...t, json: { seq: theirs.seq } });
    assert.equal(dl.status, 200, show(dl));
    const typing = await api('POST', `/api/v1/conversations/${conv.id}/typing`, t);
    assert.equal(typing.status, 204, show(typing));
    await sleep(800);
    assert.deepEqual(watch.events.map((e) => e.type), [], `the blocker heard nothing: ${watch.describe()}`);
    const seen = (await getConversation(blocker, conv.id)).messages.find((m) => m.seq === mine.seq);
    assert.equal(seen.body, 'before the block', 'the message is as it was');
    // The blocker's own view keeps the receipts where they were.
    const me = (await getConversation(blocked, conv.id)).conversation;
    assert.ok(me.read_seq < theirs.seq, `read position stands still (${me.read_seq})`);
    await watch.close();
  });
});

describe('a password change', () => {
  it('revokes every other session and every personal token but the one in use, and says so', async () => {
    const a = await register();
    const other = await login(a.username, PASSWORD);
    const mk = async (name) => (await api('POST', '/api/v1/me/tokens', { token: a.token, json: { name } })).json.secret;
    const [t1, t2] = [await mk('one'), await mk('two')];
    const r = await api('POST', '/api/v1/me/password', {
      token: t1, json: { current_password: PASSWORD, new_password: 'changed by a script' },
    });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json, { sessions_ended: 2, tokens_revoked: 1 });
    for (const dead of [a.token, other, t2]) assertError(await api('GET', '/api/v1/me', { token: dead }), 401, 'unauthorized');
    assert.equal((await api('GET', '/api/v1/me', { token: t1 })).status, 200, 'the token in use stays');
  });

  it('the page says what ended', async () => {
    const a = await register();
    await login(a.username, PASSWORD);
    await api('POST', '/api/v1/me/tokens', { token: a.token, json: { name: 'cron' } });
    const page = await api('GET', '/me', { cookie: { parley_session: a.token } });
    const csrf = page.text.match(/name="csrf_token" value="([^"]+)"/)[1];
    const r = await api('POST', '/me/password', {
      cookie: { parley_session: a.token },
      form: { csrf_token: csrf, current_password: PASSWORD, new_password: 'the next passphrase' },
    });
    assert.equal(r.status, 303, show(r));
    const after = await api('GET', r.headers.get('location'), { cookie: { parley_session: a.token } });
    assert.match(after.text, /Your password was changed: 1 session and 1 API token were signed out\./, after.text.slice(0, 400));
  });
});

describe('wrong current passwords count against the account’s login budget', () => {
  it('a stolen session cannot guess the password without limit', async () => {
    const a = await register();
    for (let i = 0; i < 10; i++) {
      const r = await api('POST', '/api/v1/me/password', {
        token: a.token, json: { current_password: `guess ${i}`, new_password: 'whatever passphrase' },
      });
      assertError(r, 403, 'wrong_password');
    }
    const r = await api('POST', '/api/v1/me/password', {
      token: a.token, json: { current_password: PASSWORD, new_password: 'whatever passphrase' },
    });
    assertError(r, 429, 'rate_limited');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assertError(await loginRaw(a.username, PASSWORD), 429, 'rate_limited');   // the same budget
  });
});

describe('locking the logins does not lock the owner out of a password change', () => {
  it('ten wrong logins by someone else: logins are refused, the owner’s session still changes the password', async () => {
    const a = await register();
    for (let i = 0; i < 10; i++) assertError(await loginRaw(a.username, `attacker ${i}`, { ip: fakeIp() }), 401, 'invalid_credentials');
    assertError(await loginRaw(a.username, PASSWORD, { ip: fakeIp() }), 429, 'rate_limited');
    const r = await api('POST', '/api/v1/me/password', {
      token: a.token, json: { current_password: PASSWORD, new_password: 'rotated after the attack' },
    });
    assert.equal(r.status, 200, show(r));
  });
});

describe('limits hold under concurrency', () => {
  it('17 wrong logins sent at once against a limit of 10: exactly 10 are checked', async () => {
    const a = await register();
    const all = await Promise.all(Array.from({ length: 17 }, (_, i) => loginRaw(a.username, `wrong ${i}`, { ip: fakeIp() })));
    const counts = {};
    for (const r of all) counts[r.status] = (counts[r.status] || 0) + 1;
    assert.deepEqual(counts, { 401: 10, 429: 7 }, JSON.stringify(counts));
  });

  it('registrations from one address at once stop at the limit', async () => {
    const ip = fakeIp();
    const all = await Promise.all(Array.from({ length: 14 }, () => api('POST', '/api/v1/register', {
      ip, json: { username: uname('r'), password: PASSWORD, display_name: 'Racer' },
    })));
    const created = all.filter((r) => r.status === 201).length;
    assert.equal(created, 10, all.map((r) => r.status).join(' '));
  });
});

describe('cookies behind a TLS proxy', () => {
  const BIN = process.env.BIN;
  // GET /login as plain CGI: the page sets its CSRF cookie through the one cookie builder.
  function cgi(extra) {
    const env = {
      ...process.env, PARLEY_LISTEN: '', GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET',
      REQUEST_URI: '/login', REMOTE_ADDR: '127.0.0.1', PARLEY_TRUSTED_PROXY: '127.0.0.1', ...extra,
    };
    const r = spawnSync(`${BIN}/parley.fcgi`, [], { env, timeout: 20000 });
    assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
    const head = r.stdout.toString().split('\r\n\r\n')[0];
    assert.match(head, /^Status: 200/, head);
    const line = head.split('\r\n').find((l) => l.startsWith('Set-Cookie: parley_csrf='));
    assert.ok(line, head);
    return line;
  }

  it('X-Forwarded-Proto: https from the trusted proxy, or PARLEY_URL=https://…, makes cookies Secure', { skip: !BIN && 'needs BIN' }, () => {
    assert.doesNotMatch(cgi({ PARLEY_URL: '' }), /; Secure/, 'plain http');
    assert.match(cgi({ PARLEY_URL: '', HTTP_X_FORWARDED_PROTO: 'https' }), /; Secure/, 'the trusted proxy says https');
    assert.doesNotMatch(cgi({ PARLEY_URL: '', HTTP_X_FORWARDED_PROTO: 'https', REMOTE_ADDR: '192.0.2.7' }), /; Secure/,
      'anyone else saying so is not believed');
    assert.match(cgi({ PARLEY_URL: 'https://chat.example.org/' }), /; Secure/, 'the public URL is https');
  });

  it('a malformed PARLEY_URL stops the program with a clear message', { skip: !BIN && 'needs BIN' }, () => {
    const r = spawnSync(`${BIN}/parley`, ['config', 'check'], { env: { ...process.env, PARLEY_URL: 'chat.example.org' }, timeout: 20000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr.toString(), /PARLEY_URL/);
  });
});

describe('reading is a person looking', () => {
  it('a prefetch, a prerender or a script’s fetch of the page does not mark messages read; opening it does', async () => {
    const [a, b] = await registerMany(2);
    const conv = await openDirect(a, b);
    const m = await send(a, conv.id, 'did you read this?');
    const page = (headers) => api('GET', `/conversations/${conv.id}`, { cookie: { parley_session: b.token }, headers });
    const readSeq = async () => (await getConversation(b, conv.id)).conversation.read_seq;
    const before = await readSeq();
    assert.ok(before < m.seq);
    for (const h of [{ 'Sec-Purpose': 'prefetch' }, { 'Sec-Purpose': 'prefetch;prerender' }, { Purpose: 'prefetch' },
      { 'X-Moz': 'prefetch' }, { 'Sec-Fetch-Dest': 'empty', 'Sec-Fetch-Mode': 'cors' }]) {
      const r = await page(h);
      assert.equal(r.status, 200, show(r));
      assert.match(r.text, /did you read this\?/);
      assert.equal(await readSeq(), before, `not read by ${JSON.stringify(h)}`);
    }
    await page({ 'Sec-Fetch-Dest': 'document', 'Sec-Fetch-Mode': 'navigate' });
    assert.equal(await readSeq(), m.seq, 'opened: read');
  });
});

describe('a block between contacts', () => {
  it('the one who is blocked cannot rewrite what they sent', async () => {
    const [a, b] = await registerMany(2);
    await makeContacts(a, b);
    const conv = await openDirect(a, b);
    const m = await send(a, conv.id, 'hi');
    await block(b, a);
    assertError(await api('PATCH', `/api/v1/conversations/${conv.id}/messages/${m.seq}`, { token: a.token, json: { body: 'x' } }),
      403, 'not_allowed');
    assert.equal(sql(`select body from messages where conversation_id = ${conv.id} and seq = ${m.seq}`), 'hi');
  });
});
