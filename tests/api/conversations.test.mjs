// Conversations as a script sees them: direct, group and channel; members and roles; the
// inbox list with unread counts; validation of what a client may send.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, register, registerMany, sharedUsers, hex, assertError, ISO, show, assertClientError,
  createConversationRaw, openDirect, createGroup, getConversation, getConversationRaw,
  listConversations, send, sendRaw, allMessages, memberOf, assertMessageShape,
} from './lib.mjs';

function addMember(actor, convId, body) {
  return api('POST', `/api/v1/conversations/${convId}/members`, { token: actor.token, json: body });
}
function setRole(actor, convId, user, role) {
  return api('PATCH', `/api/v1/conversations/${convId}/members/${user.user.id}`, { token: actor.token, json: { role } });
}
function removeMember(actor, convId, user) {
  return api('DELETE', `/api/v1/conversations/${convId}/members/${user.user.id}`, { token: actor.token });
}
async function roleOf(viewer, convId, user) {
  const j = await getConversation(viewer, convId);
  return memberOf(j.conversation, user)?.role;
}
function names(u) {
  return [u.display_name, u.username];
}
function mentionsOneOf(body, list) {
  return list.some((s) => body.includes(s));
}

describe('direct conversations', () => {
  it('create → 201 with two members; again → 200, same id, also when the other person opens it', async () => {
    const [a, b] = await registerMany(2);
    const r = await createConversationRaw(a, { kind: 'direct', members: [b.user.id] });
    assert.equal(r.status, 201, show(r));
    const c = r.json.conversation;
    assert.equal(c.kind, 'direct');
    assert.ok(Array.isArray(c.members), `members array: ${show(r)}`);
    assert.deepEqual(new Set(c.members.map((m) => m.id)), new Set([a.user.id, b.user.id]), 'exactly A and B');
    assert.equal(c.members.length, 2);
    assert.equal(c.e2e, false);
    assert.match(c.created_at, ISO);
    assert.ok(Number.isInteger(c.last_seq), show(r));

    const again = await createConversationRaw(a, { kind: 'direct', members: [b.user.id] });
    assert.equal(again.status, 200, `second open: ${show(again)}`);
    assert.equal(again.json.conversation.id, c.id, 'same conversation');
    const other = await createConversationRaw(b, { kind: 'direct', members: [a.user.id] });
    assert.equal(other.status, 200, `opened by the other person: ${show(other)}`);
    assert.equal(other.json.conversation.id, c.id, 'same conversation from the other side');
  });

  it("its title is the peer's display name, and peer holds that user, on both sides", async () => {
    const tag = hex(3);
    const a = await register({ display_name: `Anna ${tag}` });
    const b = await register({ display_name: `Bruno ${tag}` });
    const c = await openDirect(a, b);
    assert.equal(c.title, b.display_name, 'A sees B’s name');
    assert.equal(c.peer?.id, b.user.id, 'peer is B');
    const fromB = await getConversation(b, c.id);
    assert.equal(fromB.conversation.title, a.display_name, 'B sees A’s name');
    assert.equal(fromB.conversation.peer?.id, a.user.id);
    const list = await listConversations(a);
    const item = list.find((x) => x.id === c.id);
    assert.ok(item, 'in A’s list');
    assert.equal(item.title, b.display_name);
    assert.equal(item.peer?.id, b.user.id);
  });

  it('cannot be renamed (400 bad_request)', async () => {
    const [a, b] = await registerMany(2);
    const c = await openDirect(a, b);
    const r = await api('PATCH', `/api/v1/conversations/${c.id}`, { token: a.token, json: { title: 'x' } });
    assertError(r, 400, 'bad_request');
  });
});

describe('groups and channels', () => {
  it('create a group: creator is owner, members are members, history starts with a system message', async () => {
    const [o, m1, m2] = await sharedUsers(3);
    const title = `Ops ${hex(3)}`;
    const r = await createConversationRaw(o, {
      kind: 'group', title, description: 'the ops room', members: [m1.user.id, m2.user.id],
    });
    assert.equal(r.status, 201, show(r));
    const c = r.json.conversation;
    assert.equal(c.kind, 'group');
    assert.equal(c.title, title);
    assert.equal(c.description, 'the ops room');
    assert.equal(c.my_role, 'owner');
    assert.equal(memberOf(c, o)?.role, 'owner', 'creator is owner');
    assert.equal(memberOf(c, m1)?.role, 'member');
    assert.equal(memberOf(c, m2)?.role, 'member');
    assert.equal(c.members.length, 3);

    const j = await getConversation(m1, c.id);
    assert.equal(j.conversation.my_role, 'member');
    assert.ok(Array.isArray(j.messages), 'GET conversation carries a page of messages');
    assert.equal(typeof j.has_older, 'boolean');
    assert.equal(typeof j.has_newer, 'boolean');
    const sys = j.messages.filter((m) => m.kind === 'system');
    assert.ok(sys.length >= 1, `a system message in the history: ${JSON.stringify(j.messages).slice(0, 300)}`);
    for (const m of sys) assertMessageShape(m);
    assert.ok(
      sys.some((m) => /creat|join|add/i.test(m.body || '')),
      `a system message says the group was created / people joined: ${sys.map((m) => m.body)}`,
    );
    assert.equal(j.messages[0].seq, 1, 'history starts at seq 1');
  });

  it('channel: a plain member cannot post (403 forbidden); admins and owners can', async () => {
    const [o, adm, mem] = await sharedUsers(3);
    const ch = await createGroup(o, [mem], { kind: 'channel', title: `News ${hex(3)}` });
    assert.equal(ch.kind, 'channel');
    const add = await addMember(o, ch.id, { user_id: adm.user.id, role: 'admin' });
    assert.equal(add.status, 201, show(add));
    assert.equal(add.json.member.role, 'admin');

    assertError(await sendRaw(mem, ch.id, 'may I?'), 403, 'forbidden');
    await send(adm, ch.id, 'admin post');
    await send(o, ch.id, 'owner post');
    const hist = await allMessages(mem, ch.id);
    const bodies = hist.filter((m) => m.kind === 'text').map((m) => m.body);
    assert.deepEqual(bodies, ['admin post', 'owner post'], 'the member reads both posts and nothing of theirs');
  });

  it('rename (PATCH and POST …/settings) adds a system message; members may not rename', async () => {
    const [o, m] = await sharedUsers(2);
    const g = await createGroup(o, [m]);
    const before = (await getConversation(o, g.id)).conversation.last_seq;
    const r = await api('PATCH', `/api/v1/conversations/${g.id}`, {
      token: o.token, json: { title: 'Renamed', description: 'new words' },
    });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.conversation.title, 'Renamed');
    assert.equal(r.json.conversation.description, 'new words');
    const hist = await allMessages(m, g.id);
    const last = hist[hist.length - 1];
    assert.equal(last.seq, before + 1, 'exactly one new message');
    assert.equal(last.kind, 'system', 'the rename is a system message');
    assert.equal(last.sender.id, o.user.id, 'sender is the person who renamed');
    assert.ok(typeof last.body === 'string' && last.body.length > 0, 'a sentence');

    const form = await api('POST', `/api/v1/conversations/${g.id}/settings`, { token: o.token, json: { title: 'Again' } });
    assert.equal(form.status, 200, show(form));
    assert.equal((await getConversation(m, g.id)).conversation.title, 'Again');

    assertError(
      await api('PATCH', `/api/v1/conversations/${g.id}`, { token: m.token, json: { title: 'Mine now' } }),
      403, 'forbidden',
    );
    assert.equal((await getConversation(m, g.id)).conversation.title, 'Again', 'title unchanged');
    assertError(
      await api('PATCH', `/api/v1/conversations/${g.id}`, { token: o.token, json: { title: 'x'.repeat(101) } }),
      400, 'invalid_field', 'title',
    );
  });

  it('add a member (201, by id or username); again → 409 already_member; members may not add', async () => {
    const [o, m, n, p, q] = await sharedUsers(5);
    const g = await createGroup(o, [m]);
    const last0 = (await getConversation(o, g.id)).conversation.last_seq;
    const r = await addMember(o, g.id, { user_id: n.user.id });
    assert.equal(r.status, 201, show(r));
    assert.equal(r.json.member.id, n.user.id);
    assert.equal(r.json.member.role, 'member', 'default role');
    assertError(await addMember(o, g.id, { user_id: n.user.id }), 409, 'already_member');
    assertError(await addMember(o, g.id, { username: n.username }), 409, 'already_member');
    const j = await getConversation(n, g.id);
    assert.equal(j.conversation.my_role, 'member', 'the new member sees the group');
    assert.ok(j.conversation.last_seq > last0, 'adding wrote a system message');
    const sys = (await allMessages(n, g.id)).filter((x) => x.seq > last0);
    assert.ok(sys.some((x) => x.kind === 'system'), 'a system message for the add');

    const byName = await addMember(o, g.id, { username: p.username });
    assert.equal(byName.status, 201, `add by username: ${show(byName)}`);
    assert.equal(byName.json.member.id, p.user.id);

    assertError(await addMember(m, g.id, { user_id: q.user.id }), 403, 'forbidden');
    assertClientError(await addMember(o, g.id, { user_id: 2 ** 31 - 7 }), [400, 404]);
  });

  it('promote and demote; admins manage members but not admins or owners', async () => {
    const [o, a, m, x, y] = await sharedUsers(5);
    const g = await createGroup(o, [a, m, x]);
    let r = await setRole(o, g.id, a, 'admin');
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.member.role, 'admin');
    assert.equal(await roleOf(a, g.id, a), 'admin');
    assert.equal((await getConversation(a, g.id)).conversation.my_role, 'admin');

    // the admin turns a member into an admin and back
    r = await setRole(a, g.id, m, 'admin');
    assert.equal(r.status, 200, `admin promotes a member: ${show(r)}`);
    r = await setRole(a, g.id, m, 'member');
    assert.equal(r.status, 200, `admin demotes an admin: ${show(r)}`);
    assert.equal(await roleOf(o, g.id, m), 'member');
    // … but cannot make owners, add admins, or remove the owner
    assertError(await setRole(a, g.id, x, 'owner'), 403, 'forbidden');
    assertError(await addMember(a, g.id, { user_id: y.user.id, role: 'admin' }), 403, 'forbidden');
    assertError(await removeMember(a, g.id, o), 403, 'forbidden');
    assertError(await setRole(a, g.id, o, 'member'), 403, 'forbidden');
    // a member changes nobody's role
    assertError(await setRole(m, g.id, x, 'admin'), 403, 'forbidden');
    assert.equal(await roleOf(o, g.id, x), 'member');
    // the owner demotes the admin
    r = await setRole(o, g.id, a, 'member');
    assert.equal(r.status, 200, show(r));
    assert.equal(await roleOf(o, g.id, a), 'member');
    // nobody demotes the last owner
    const last = await setRole(o, g.id, o, 'member');
    assertClientError(last);
    assert.equal(await roleOf(o, g.id, o), 'owner', 'still owner');
    // a bad role
    assertError(await setRole(o, g.id, x, 'king'), 400, 'invalid_field');
  });

  it('remove a member: 204, a system message names them, they lose access at once', async () => {
    const [o, m, k] = await sharedUsers(3);
    const g = await createGroup(o, [m, k]);
    await send(o, g.id, 'hello all');
    const r = await removeMember(o, g.id, m);
    assert.equal(r.status, 204, show(r));
    assertError(await getConversationRaw(m, g.id), 404, 'not_found');
    const c = (await getConversation(o, g.id)).conversation;
    assert.ok(!memberOf(c, m), 'gone from members');
    const hist = await allMessages(k, g.id);
    const last = hist[hist.length - 1];
    assert.equal(last.kind, 'system');
    assert.ok(mentionsOneOf(last.body, names(m)), `the system message names the removed member: ${last.body}`);
    assert.ok(!(await listConversations(m)).some((x) => x.id === g.id), 'gone from the removed member’s list');
    // removing again: no longer a member
    assertClientError(await removeMember(o, g.id, m), [400, 404]);
    // a plain member cannot remove others
    assertError(await removeMember(k, g.id, o), 403, 'forbidden');
  });

  it('leave: anyone may leave; a system message says so', async () => {
    const [o, m, k] = await sharedUsers(3);
    const g = await createGroup(o, [m, k]);
    const r = await removeMember(m, g.id, m);
    assert.equal(r.status, 204, show(r));
    assertError(await getConversationRaw(m, g.id), 404, 'not_found');
    const hist = await allMessages(k, g.id);
    const last = hist[hist.length - 1];
    assert.equal(last.kind, 'system');
    assert.equal(last.sender.id, m.user.id, 'the leaver is the sender of "left"');
    assert.ok(mentionsOneOf(last.body, names(m)), `names the leaver: ${last.body}`);
  });

  it('when the last owner leaves, the longest-standing admin becomes owner', async () => {
    const [o, m, a1, a2] = await sharedUsers(4);
    const g = await createGroup(o, [m]);
    // a1 joins as admin before a2; m is older but only a member
    assert.equal((await addMember(o, g.id, { user_id: a1.user.id, role: 'admin' })).status, 201);
    assert.equal((await addMember(o, g.id, { user_id: a2.user.id, role: 'admin' })).status, 201);
    const r = await removeMember(o, g.id, o);
    assert.equal(r.status, 204, show(r));
    assert.equal(await roleOf(m, g.id, a1), 'owner', 'oldest admin promoted');
    assert.equal(await roleOf(m, g.id, a2), 'admin');
    assert.equal(await roleOf(m, g.id, m), 'member');
    assertError(await getConversationRaw(o, g.id), 404, 'not_found');
  });

  it('when the last owner leaves and there is no admin, the longest-standing member becomes owner', async () => {
    const [o, m1, m2] = await sharedUsers(3);
    const g = await createGroup(o, []);
    assert.equal((await addMember(o, g.id, { user_id: m1.user.id })).status, 201);
    assert.equal((await addMember(o, g.id, { user_id: m2.user.id })).status, 201);
    assert.equal((await removeMember(o, g.id, o)).status, 204);
    assert.equal(await roleOf(m2, g.id, m1), 'owner', 'oldest member promoted');
    assert.equal(await roleOf(m2, g.id, m2), 'member');
    // the new owner can rename
    const ren = await api('PATCH', `/api/v1/conversations/${g.id}`, { token: m1.token, json: { title: 'Ours' } });
    assert.equal(ren.status, 200, show(ren));
  });
});

describe('creating conversations: validation', () => {
  it('group without title → 400 missing_field title; title too long → 400 invalid_field', async () => {
    const [a] = await sharedUsers(1);
    assertError(await createConversationRaw(a, { kind: 'group', members: [] }), 400, 'missing_field', 'title');
    assertError(await createConversationRaw(a, { kind: 'channel', title: '' }), 400, 'missing_field', 'title');
    assertError(await createConversationRaw(a, { kind: 'group', title: 'x'.repeat(101) }), 400, 'invalid_field', 'title');
    assertError(
      await createConversationRaw(a, { kind: 'group', title: 'ok', description: 'd'.repeat(1001) }),
      400, 'invalid_field', 'description',
    );
  });

  it('a bad kind → 400; a missing kind → 400', async () => {
    const [a] = await sharedUsers(1);
    assertError(await createConversationRaw(a, { kind: 'party', title: 'x' }), 400, 'invalid_field', 'kind');
    assertError(await createConversationRaw(a, { title: 'x' }), 400, ['missing_field', 'invalid_field'], 'kind');
  });

  it('direct with two other members, or none → 400', async () => {
    const [a, b, c] = await sharedUsers(3);
    const before = (await listConversations(a)).length;
    assertClientError(await createConversationRaw(a, { kind: 'direct', members: [b.user.id, c.user.id] }), [400]);
    assertClientError(await createConversationRaw(a, { kind: 'direct', members: [] }), [400]);
    assert.equal((await listConversations(a)).length, before, 'nothing created');
  });

  it('an unknown member id → a 4xx JSON error and nothing created', async () => {
    const [a] = await sharedUsers(1);
    const title = `Ghosts ${hex(4)}`;
    const r = await createConversationRaw(a, { kind: 'group', title, members: [2 ** 31 - 11] });
    assertClientError(r, [400, 404]);
    const d = await createConversationRaw(a, { kind: 'direct', members: [2 ** 31 - 11] });
    assertClientError(d, [400, 404]);
    assert.ok(!(await listConversations(a)).some((x) => x.title === title), 'no group created');
    const bad = await createConversationRaw(a, { kind: 'group', title, members: ['abc'] });
    assertClientError(bad, [400, 404]);
  });

  it('no session → 401', async () => {
    const r = await api('POST', '/api/v1/conversations', { json: { kind: 'group', title: 'x' } });
    assertError(r, 401, 'unauthorized');
    assertError(await api('GET', '/api/v1/conversations'), 401, 'unauthorized');
  });
});

describe('the conversation list', () => {
  it('is ordered by last activity, with unread counts and the last message', async () => {
    const [a, b, c, d] = await registerMany(4);
    const direct = await openDirect(a, b);
    const g1 = await createGroup(a, [c], { title: `G1 ${hex(3)}` });
    const g2 = await createGroup(a, [d], { title: `G2 ${hex(3)}` });
    await send(b, direct.id, 'from b 1');
    await send(b, direct.id, 'from b 2');
    await send(d, g2.id, 'from d 1');
    await send(c, g1.id, 'from c 1');
    await send(c, g1.id, 'from c 2');
    await send(c, g1.id, 'from c 3');

    const list = await listConversations(a);
    const mine = list.filter((x) => [direct.id, g1.id, g2.id].includes(x.id));
    assert.deepEqual(mine.map((x) => x.id), [g1.id, g2.id, direct.id], 'most recent activity first');
    for (let i = 1; i < list.length; i++) {
      assert.ok(list[i - 1].last_activity_at >= list[i].last_activity_at, 'the whole list is ordered');
    }
    const byId = Object.fromEntries(mine.map((x) => [x.id, x]));
    for (const x of mine) {
      assert.match(x.last_activity_at, ISO);
      assert.ok(Number.isInteger(x.unread), `unread integer: ${JSON.stringify(x)}`);
      assert.ok(Number.isInteger(x.last_seq));
      assert.ok(x.my_role, 'my_role present');
      // the preview: who said what, when (the list may carry a trimmed message object)
      const lm = x.last_message;
      assert.ok(lm && Number.isInteger(lm.id) && Number.isInteger(lm.seq), `last_message: ${JSON.stringify(x)}`);
      assert.ok(lm.sender && Number.isInteger(lm.sender.id), `last_message.sender: ${JSON.stringify(lm)}`);
      assert.equal(typeof lm.body, 'string', `last_message.body: ${JSON.stringify(lm)}`);
      assert.match(lm.created_at, ISO);
    }
    assert.equal(byId[direct.id].unread, 2, 'two unread in the direct conversation');
    assert.equal(byId[direct.id].last_message.body, 'from b 2');
    assert.equal(byId[g1.id].last_message.body, 'from c 3');
    assert.equal(byId[g1.id].last_message.sender.id, c.user.id);
    assert.equal(byId[g1.id].my_role, 'owner');
    // system messages by others may count as unread; C's three texts must
    const g1sysByOthers = (await allMessages(a, g1.id)).filter((m) => m.kind === 'system' && m.sender.id !== a.user.id).length;
    assert.ok(byId[g1.id].unread >= 3 && byId[g1.id].unread <= 3 + g1sysByOthers, `G1 unread: ${byId[g1.id].unread}`);
    assert.equal(byId[g1.id].last_seq, byId[g1.id].last_message.seq);

    // reading G1 clears its count; my own messages never count
    const rd = await api('POST', `/api/v1/conversations/${g1.id}/read`, { token: a.token, json: { seq: byId[g1.id].last_seq } });
    assert.equal(rd.status, 200, show(rd));
    await send(a, direct.id, 'my reply');
    const list2 = await listConversations(a);
    const x1 = list2.find((x) => x.id === g1.id);
    const xd = list2.find((x) => x.id === direct.id);
    assert.equal(x1.unread, 0, 'G1 read');
    assert.equal(xd.unread, 0, 'sending moves my read position');
    assert.equal(list2.filter((x) => [direct.id, g1.id, g2.id].includes(x.id))[0].id, direct.id, 'my reply moved the direct conversation to the top');
    // B sees one unread (my reply)
    const lb = await listConversations(b);
    assert.equal(lb.find((x) => x.id === direct.id).unread, 1, 'B has my reply unread');
  });

  it('an empty list for a new user', async () => {
    const a = await register();
    assert.deepEqual(await listConversations(a), []);
  });
});
