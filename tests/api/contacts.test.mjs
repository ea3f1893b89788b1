// Contacts and blocks as a script sees them: people search, requests, accept, decline,
// cancel, remove, and what a block forbids (without ever saying "block" to the blocked).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, register, registerMany, hex, assertError, assertUser, ISO, show,
  contactRequest, getContacts, makeContacts, block, createConversationRaw, openDirect,
  createGroup, sendRaw, send,
} from './lib.mjs';

async function search(u, q) {
  const r = await api('GET', `/api/v1/users?q=${encodeURIComponent(q)}`, { token: u.token });
  assert.equal(r.status, 200, `GET /users?q=${q}: ${show(r)}`);
  assert.ok(Array.isArray(r.json?.users), `users array: ${show(r)}`);
  assert.ok(r.json.users.length <= 20, `at most 20 results, got ${r.json.users.length}`);
  return r.json.users;
}

function ids(list) {
  return list.map((c) => c.user?.id);
}

/** Asserts a not_allowed refusal whose message does not reveal the block. */
function assertNotAllowedQuiet(r, what) {
  const e = assertError(r, 403, 'not_allowed');
  assert.ok(!/block/i.test(e.message), `${what}: the message must not mention the block: ${JSON.stringify(e.message)}`);
  assert.ok(!/block/i.test(r.text), `${what}: the answer must not mention the block: ${show(r)}`);
  return e;
}

describe('people search', () => {
  it('finds by username prefix and by display-name word, ignoring case and accents', async () => {
    const tag = hex(4);
    const [me, jose] = await Promise.all([
      register(),
      register({ username: `jn${tag}${hex(2)}`, display_name: 'José Ñandú' }),
    ]);
    const found = (list) => list.some((u) => u.id === jose.user.id);

    const byUser = await search(me, jose.username.slice(0, 7));
    assert.ok(found(byUser), `username prefix ${jose.username.slice(0, 7)} finds ${jose.username}`);
    const hit = byUser.find((u) => u.id === jose.user.id);
    assertUser(hit, { username: jose.username, display_name: 'José Ñandú' });

    for (const q of ['jose', 'JOSE', 'José', 'nan', 'NAN', 'Ñan', 'nandu']) {
      const list = await search(me, q);
      assert.ok(found(list), `q=${q} finds "José Ñandú" (${list.length} results${list.length === 20 ? ', list full' : ''})`);
    }
    // a unique accented name, found only through accent folding
    const emile = await register({ display_name: `Émile${tag} Zoë` });
    const list = await search(me, `emile${tag}`);
    assert.deepEqual(list.map((u) => u.id), [emile.user.id], `q=emile${tag} finds exactly Émile${tag}`);
    const zoe = await search(me, `EMILE${tag.toUpperCase()}`);
    assert.ok(zoe.some((u) => u.id === emile.user.id), 'upper-case query finds it too');
    // the middle of a word is not a word start
    const mid = await search(me, `mile${tag}`);
    assert.ok(!mid.some((u) => u.id === emile.user.id), 'a query inside a word does not match');
  });

  it('needs a session and a q of 1–64 characters', async () => {
    const me = await register();
    assertError(await api('GET', '/api/v1/users?q=abc'), 401, 'unauthorized');
    const empty = await api('GET', '/api/v1/users?q=', { token: me.token });
    assertError(empty, 400, ['missing_field', 'invalid_field']);
    const long = await api('GET', `/api/v1/users?q=${'a'.repeat(65)}`, { token: me.token });
    assertError(long, 400, 'invalid_field');
  });

  it('does not list people who blocked me', async () => {
    const tag = hex(5);
    const [me, blocker, other] = await Promise.all([
      register(),
      register({ display_name: `Blockerx${tag} One` }),
      register({ display_name: `Blockerx${tag} Two` }),
    ]);
    let list = await search(me, `blockerx${tag}`);
    assert.deepEqual(new Set(list.map((u) => u.id)), new Set([blocker.user.id, other.user.id]), 'both found before');
    await block(blocker, me);
    list = await search(me, `blockerx${tag}`);
    assert.deepEqual(list.map((u) => u.id), [other.user.id], 'the blocker is gone from my results');
    list = await search(me, blocker.username);
    assert.ok(!list.some((u) => u.id === blocker.user.id), 'not even by exact username');
  });
});

describe('contact requests', () => {
  it('a request is outgoing for me and incoming for them; asking again is 200', async () => {
    const [a, b] = await registerMany(2);
    const r = await contactRequest(a, b);
    assert.equal(r.status, 201, show(r));
    const c = r.json.contact;
    assert.equal(c.state, 'outgoing', show(r));
    assertUser(c.user, { id: b.user.id, username: b.username });
    assert.match(c.since, ISO);

    const ca = await getContacts(a);
    assert.deepEqual(ids(ca.outgoing), [b.user.id], 'A: outgoing holds B');
    assert.equal(ca.outgoing[0].state, 'outgoing');
    assert.deepEqual(ca.contacts, [], 'A: no accepted contacts yet');
    assert.deepEqual(ca.incoming, []);
    const cb = await getContacts(b);
    assert.deepEqual(ids(cb.incoming), [a.user.id], 'B: incoming holds A');
    assert.equal(cb.incoming[0].state, 'incoming');
    assert.deepEqual(cb.outgoing, []);

    const again = await contactRequest(a, b);
    assert.equal(again.status, 200, `asking again: ${show(again)}`);
    assert.equal(again.json.contact.state, 'outgoing');
    assert.equal((await getContacts(a)).outgoing.length, 1, 'still one request');
  });

  it('accept: both see each other as accepted with display name and status text', async () => {
    const [a, b] = await registerMany(2);
    const st = await api('PATCH', '/api/v1/me', { token: a.token, json: { status_text: `Busy ${hex(3)}` } });
    assert.equal(st.status, 200, show(st));
    const statusA = st.json.user.status_text;
    const st2 = await api('PATCH', '/api/v1/me', { token: b.token, json: { status_text: 'Gone fishing' } });
    assert.equal(st2.status, 200, show(st2));

    assert.equal((await contactRequest(a, b)).status, 201);
    const acc = await api('POST', `/api/v1/contacts/${a.user.id}/accept`, { token: b.token });
    assert.equal(acc.status, 200, show(acc));
    assert.equal(acc.json.contact.state, 'accepted');
    assert.equal(acc.json.contact.user.id, a.user.id);

    const ca = await getContacts(a);
    const cb = await getContacts(b);
    assert.deepEqual(ids(ca.contacts), [b.user.id], 'A has B');
    assert.deepEqual(ids(cb.contacts), [a.user.id], 'B has A');
    assert.equal(ca.contacts[0].state, 'accepted');
    assert.equal(ca.contacts[0].user.display_name, b.display_name);
    assert.equal(ca.contacts[0].user.status_text, 'Gone fishing');
    assert.equal(cb.contacts[0].user.display_name, a.display_name);
    assert.equal(cb.contacts[0].user.status_text, statusA);
    for (const c of [ca, cb]) {
      assert.deepEqual(c.incoming, [], 'no pending incoming');
      assert.deepEqual(c.outgoing, [], 'no pending outgoing');
    }
    // accepting again: nothing pending any more
    assertError(await api('POST', `/api/v1/contacts/${a.user.id}/accept`, { token: b.token }), 404, 'not_found');
  });

  it('contacts are sorted by display name', async () => {
    const me = await register();
    const tag = hex(3);
    const others = await Promise.all(
      ['Charlie', 'alice', 'Bob'].map((n) => register({ display_name: `${n} ${tag}` })),
    );
    for (const o of others) await makeContacts(o, me);
    const c = await getContacts(me);
    assert.deepEqual(
      c.contacts.map((x) => x.user.display_name.split(' ')[0].toLowerCase()),
      ['alice', 'bob', 'charlie'],
      `sorted by display name: ${c.contacts.map((x) => x.user.display_name)}`,
    );
  });

  it('decline: 204, the request is gone on both sides', async () => {
    const [a, b] = await registerMany(2);
    assert.equal((await contactRequest(a, b)).status, 201);
    const r = await api('POST', `/api/v1/contacts/${a.user.id}/decline`, { token: b.token });
    assert.equal(r.status, 204, show(r));
    const ca = await getContacts(a);
    const cb = await getContacts(b);
    assert.deepEqual([ca.contacts, ca.outgoing, ca.incoming], [[], [], []], 'A has nothing');
    assert.deepEqual([cb.contacts, cb.outgoing, cb.incoming], [[], [], []], 'B has nothing');
    // no pending request to accept any more
    assertError(await api('POST', `/api/v1/contacts/${a.user.id}/accept`, { token: b.token }), 404, 'not_found');
  });

  it('cancel my outgoing request (DELETE); again → 404', async () => {
    const [a, b] = await registerMany(2);
    assert.equal((await contactRequest(a, b)).status, 201);
    const r = await api('DELETE', `/api/v1/contacts/${b.user.id}`, { token: a.token });
    assert.equal(r.status, 204, show(r));
    assert.deepEqual((await getContacts(a)).outgoing, [], 'A: outgoing empty');
    assert.deepEqual((await getContacts(b)).incoming, [], 'B: incoming empty');
    assertError(await api('DELETE', `/api/v1/contacts/${b.user.id}`, { token: a.token }), 404, 'not_found');
  });

  it('remove an accepted contact (POST …/remove, the form twin)', async () => {
    const [a, b] = await registerMany(2);
    await makeContacts(a, b);
    const r = await api('POST', `/api/v1/contacts/${a.user.id}/remove`, { token: b.token });
    assert.equal(r.status, 204, show(r));
    assert.deepEqual((await getContacts(a)).contacts, [], 'A no longer has B');
    assert.deepEqual((await getContacts(b)).contacts, [], 'B no longer has A');
  });

  it('removing an incoming request declines it', async () => {
    const [a, b] = await registerMany(2);
    assert.equal((await contactRequest(a, b)).status, 201);
    const r = await api('DELETE', `/api/v1/contacts/${a.user.id}`, { token: b.token });
    assert.equal(r.status, 204, show(r));
    assert.deepEqual((await getContacts(a)).outgoing, []);
    assert.deepEqual((await getContacts(b)).incoming, []);
  });

  it('asking someone who already asked me accepts their request', async () => {
    const [a, b] = await registerMany(2);
    assert.equal((await contactRequest(a, b)).status, 201);
    const r = await contactRequest(b, a);
    assert.equal(r.status, 201, show(r));
    assert.equal(r.json.contact.state, 'accepted', show(r));
    assert.deepEqual(ids((await getContacts(a)).contacts), [b.user.id]);
    assert.deepEqual(ids((await getContacts(b)).contacts), [a.user.id]);
    assert.deepEqual((await getContacts(a)).outgoing, []);
    assert.deepEqual((await getContacts(b)).incoming, []);
  });

  it('myself → 400 invalid_field; unknown user → 404; no session → 401', async () => {
    const a = await register();
    assertError(await contactRequest(a, a), 400, 'invalid_field');
    assertError(await contactRequest(a, { username: `nobody${hex(6)}` }), 404, 'not_found');
    assertError(await api('POST', '/api/v1/contacts', { json: { username: a.username } }), 401, 'unauthorized');
    assertError(await api('POST', '/api/v1/contacts', { token: a.token, json: {} }), 400, 'missing_field');
    assertError(await api('DELETE', '/api/v1/contacts/999999999', { token: a.token }), 404, 'not_found');
  });
});

describe('blocks', () => {
  it("a blocked user's contact request → 403 not_allowed, same words both ways, no mention of the block", async () => {
    const [a, b] = await registerMany(2);
    const bl = await block(b, a);
    assert.equal(bl.user.id, a.user.id);
    assert.match(bl.since, ISO);
    const cb = await getContacts(b);
    assert.deepEqual(cb.blocked.map((x) => x.user.id), [a.user.id], 'B lists A as blocked');
    assert.deepEqual((await getContacts(a)).blocked, [], 'A sees no block list entry');

    const e1 = assertNotAllowedQuiet(await contactRequest(a, b), 'blocked asks blocker');
    const e2 = assertNotAllowedQuiet(await contactRequest(b, a), 'blocker asks blocked');
    assert.equal(e1.message, e2.message, 'the same words whatever the reason');
    assert.deepEqual((await getContacts(b)).incoming, [], 'no request reached B');
  });

  it('blocking removes the contact and any pending request', async () => {
    const [a, b, c] = await registerMany(3);
    await makeContacts(a, b);
    assert.equal((await contactRequest(c, b)).status, 201);
    await block(b, a);
    await block(b, c);
    const ca = await getContacts(a);
    const cb = await getContacts(b);
    assert.deepEqual(ca.contacts, [], 'A lost B');
    assert.deepEqual(cb.contacts, [], 'B lost A');
    assert.deepEqual(cb.incoming, [], "C's request to B is gone");
    assert.deepEqual((await getContacts(c)).outgoing, [], "C's outgoing request is gone");
  });

  it('the blocked user cannot open a direct conversation or add the blocker to a group', async () => {
    const [a, b] = await registerMany(2);
    await block(b, a);
    const direct = await createConversationRaw(a, { kind: 'direct', members: [b.user.id] });
    assertNotAllowedQuiet(direct, 'direct with the blocker');
    // the blocker cannot open one with the blocked either ("blocked either way")
    assertError(await createConversationRaw(b, { kind: 'direct', members: [a.user.id] }), 403, 'not_allowed');

    const title = `NoGroup ${hex(4)}`;
    const grp = await createConversationRaw(a, { kind: 'group', title, members: [b.user.id] });
    assertNotAllowedQuiet(grp, 'group with the blocker as member');
    const list = await api('GET', '/api/v1/conversations', { token: a.token });
    assert.equal(list.status, 200, show(list));
    assert.ok(!list.text.includes(title), 'nothing was created');

    const g = await createGroup(a, [], { title: `Mine ${hex(4)}` });
    const add = await api('POST', `/api/v1/conversations/${g.id}/members`, {
      token: a.token, json: { user_id: b.user.id },
    });
    assertNotAllowedQuiet(add, 'add the blocker to a group');
    const add2 = await api('POST', `/api/v1/conversations/${g.id}/members`, {
      token: a.token, json: { username: b.username },
    });
    assertNotAllowedQuiet(add2, 'add the blocker to a group by username');
  });

  it('the blocked user cannot send in the existing direct conversation', async () => {
    const [a, b] = await registerMany(2);
    const conv = await openDirect(a, b);
    await send(a, conv.id, 'before the block');
    await block(b, a);
    const r = await sendRaw(a, conv.id, `after the block ${hex(4)}`);
    assertNotAllowedQuiet(r, 'send in the direct conversation');
    const hist = await api('GET', `/api/v1/conversations/${conv.id}/messages`, { token: b.token });
    assert.equal(hist.status, 200, show(hist));
    assert.ok(!hist.text.includes('after the block'), 'the refused message is not stored');
  });

  it('unblock (DELETE and POST …/remove) restores requests, direct conversations and sends', async () => {
    const [a, b, c] = await registerMany(3);
    const conv = await openDirect(a, b);
    await block(b, a);
    await block(c, a);
    let r = await api('DELETE', `/api/v1/blocks/${a.user.id}`, { token: b.token });
    assert.equal(r.status, 204, show(r));
    r = await api('POST', `/api/v1/blocks/${a.user.id}/remove`, { token: c.token });
    assert.equal(r.status, 204, show(r));
    assert.deepEqual((await getContacts(b)).blocked, [], 'B has nobody blocked');

    assert.equal((await contactRequest(a, b)).status, 201, 'A may ask B again');
    assert.equal((await contactRequest(a, c)).status, 201, 'A may ask C again');
    const again = await openDirect(a, b, 200);
    assert.equal(again.id, conv.id, 'the same direct conversation');
    await send(a, conv.id, 'after unblock');
    const g = await createGroup(a, [b, c]);
    assert.ok(g.id);
  });

  it('blocking needs a session and a known user', async () => {
    const a = await register();
    assertError(await api('POST', '/api/v1/blocks', { json: { username: a.username } }), 401, 'unauthorized');
    assertError(
      await api('POST', '/api/v1/blocks', { token: a.token, json: { username: `nobody${hex(6)}` } }),
      404, 'not_found',
    );
  });
});
