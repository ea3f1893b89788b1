// @all and @here: who they notify and who may use them. In groups anyone may; in channels
// only owners and admins post at all, so only they can (anyone else's post is refused with
// 403, as every post of theirs is). Above 50 members the sender must confirm: the API answers
// 409 (field confirm_all) until "confirm_all": true comes with the message; the page shows
// the question above the composer, which then carries the confirmation. @here notifies the
// members with Parley open now (presence online or away): online ones see it in their tab,
// away ones get a push; offline ones nothing. Push reaches the stand-in (STACK_PUSH=1).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  api, register, openStream, createGroup, send, sendRaw, assertError, show, sql, browserOf, messages,
  inputValue,
} from './lib.mjs';

const SERVICE = process.env.PARLEY_PUSH_SERVICE;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function service(method, path, json) {
  const r = await fetch(SERVICE + path, {
    method, headers: { 'Content-Type': 'application/json' }, body: json === undefined ? undefined : JSON.stringify(json),
  });
  return r.json();
}

/** A device at the push stand-in, subscribed for u. */
async function device(u) {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const keys = { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: ecdh.getPrivateKey().toString('base64url'), auth: crypto.randomBytes(16).toString('base64url') };
  const name = `e${crypto.randomBytes(6).toString('hex')}`;
  const { endpoint } = await service('POST', `/_subscriptions/${name}`, keys);
  const r = await api('POST', '/api/v1/push/subscriptions', { token: u.token, json: { endpoint, keys: { p256dh: keys.publicKey, auth: keys.auth } } });
  assert.equal(r.status, 201, show(r));
  return { name };
}
const received = (dev) => service('GET', `/_received/${dev.name}`);

/** Waits until the push job of (conv, seq) is done, so "nothing arrived" means it. */
async function jobSettled(conv, seq, ms = 15000) {
  const until = Date.now() + ms;
  for (;;) {
    const state = sql(`SELECT state FROM jobs WHERE idem_key = 'push:${conv}:${seq}'`);
    if (state && state !== 'queued' && state !== 'running') return state;
    if (Date.now() > until) return state || 'none';
    await sleep(200);
  }
}

/** n fresh users, a few at a time (a password hash each: all at once would time out). */
let crowd = Promise.resolve([]);
function people(n) {
  crowd = crowd.then(async (have) => {
    while (have.length < n) have.push(...(await Promise.all(Array.from({ length: Math.min(4, n - have.length) }, () => register()))));
    return have;
  });
  return crowd.then((have) => have.slice(0, n));
}

function setLevel(u, conv, level) {
  return api('PUT', `/api/v1/conversations/${conv}/notifications`, { token: u.token, json: { level } });
}

function sendJson(u, conv, json) {
  return api('POST', `/api/v1/conversations/${conv}/messages`, { token: u.token, json: { client_id: crypto.randomUUID(), ...json } });
}

describe('@all and @here', () => {
  it('above 50 members @all and @here need a confirmation (409 until confirm_all: true)', async () => {
    const owner = await register();
    const many = await people(51);
    const g = await createGroup(owner, many, { title: 'Big group' });
    const before = (await messages(owner, g.id)).last_seq;
    let r = await sendJson(owner, g.id, { body: '@all the build is green' });
    const err = assertError(r, 409, 'conflict', 'confirm_all');
    assert.match(err.message, /@all notifies all 52 members/);
    assert.match(err.message, /"confirm_all": true/);
    r = await sendJson(owner, g.id, { body: 'anyone @here?' });
    assert.match(assertError(r, 409, 'conflict', 'confirm_all').message, /@here notifies everyone of the 52 members/);
    assert.equal((await messages(owner, g.id)).last_seq, before, 'nothing was sent');
    r = await sendJson(owner, g.id, { body: '@all the build is green', confirm_all: true });
    assert.equal(r.status, 201, show(r));
    assert.equal(r.json.message.body, '@all the build is green');
    // a member may too (groups), with the same question; other words need none
    r = await sendJson(many[0], g.id, { body: 'hi @here' });
    assertError(r, 409, 'conflict', 'confirm_all');
    assert.equal((await sendJson(many[0], g.id, { body: 'hi @here', confirm_all: true })).status, 201);
    for (const body of ['all of you, look', 'hi @allison', 'no mention here']) {
      r = await sendJson(owner, g.id, { body });
      assert.equal(r.status, 201, `${body}: ${show(r)}`);
    }
  });

  it('the page asks too: the error above the composer, which then carries confirm_all', async () => {
    const owner = await register();
    const many = await people(51);
    const g = await createGroup(owner, many, { title: 'Big page group' });
    const web = await browserOf(owner);
    let r = await web.post(`/conversations/${g.id}/messages`, [{ name: 'body', value: '@all lunch?' }, { name: 'client_id', value: crypto.randomUUID() }]);
    assert.equal(r.status, 409, show(r));
    assert.match(r.text, /@all notifies all 52 members of this conversation/);
    assert.equal(inputValue(r.text, 'confirm_all'), '1');
    assert.match(r.text, /<textarea id="body" name="body"[^>]*>@all lunch\?<\/textarea>/);
    r = await web.post(`/conversations/${g.id}/messages`, [{ name: 'body', value: '@all lunch?' }, { name: 'client_id', value: crypto.randomUUID() }, { name: 'confirm_all', value: '1' }]);
    assert.equal(r.status, 303, show(r));
    assert.equal((await messages(owner, g.id)).messages.at(-1).body, '@all lunch?');
  });

  it('50 members or fewer: no question', async () => {
    const owner = await register();
    const g = await createGroup(owner, await people(49), { title: 'Fifty' });
    assert.equal((await sendJson(owner, g.id, { body: '@all hello' })).status, 201);
    assert.equal((await sendJson(owner, g.id, { body: '@here hello' })).status, 201);
  });

  it('in a channel only owners and admins use them: a member\'s post is refused', async () => {
    const owner = await register(), member = await register();
    const dev = await device(member);
    const ch = await createGroup(owner, [member], { kind: 'channel', title: 'Announcements' });
    const r = await sendRaw(member, ch.id, '@all listen');
    assert.equal(r.status, 403, show(r));
    const m = await send(owner, ch.id, '@all listen');       // mentions-only (a channel's default) hears it
    assert.equal(await jobSettled(ch.id, m.seq), 'done');
    const got = await received(dev);
    assert.equal(got.length, 1);
    assert.equal(JSON.parse(got[0].plaintext).body, '@all listen');
  });

  it('@here notifies who has Parley open (away: a push), not who is offline', async () => {
    const a = await register(), here = await register(), gone = await register();
    const devHere = await device(here), devGone = await device(gone);
    const g = await createGroup(a, [here, gone], { title: 'Here group' });
    for (const u of [here, gone]) assert.equal((await setLevel(u, g.id, 'mentions')).status, 200);
    const stream = await openStream(here);                   // a tab open, then idle: away
    try {
      const until = Date.now() + 20000;
      for (;;) {
        const p = await api('GET', `/api/v1/presence?ids=${here.user.id}`, { token: here.token });
        if (p.json?.presence?.[here.user.id]?.state === 'away') break;
        assert.ok(Date.now() < until, `turns away: ${show(p)}`);
        await sleep(500);
      }
      const plain = await send(a, g.id, 'no mention for anyone');
      assert.equal(await jobSettled(g.id, plain.seq), 'done');
      const m = await send(a, g.id, '@here quick question');
      assert.equal(await jobSettled(g.id, m.seq), 'done');
      const got = await received(devHere);
      assert.equal(got.length, 1, 'the away member got @here, and not the plain message');
      assert.equal(JSON.parse(got[0].plaintext).body, '@here quick question');
      assert.equal((await received(devGone)).length, 0, 'the offline member got nothing');
    } finally {
      stream.close();
    }
  });
});
