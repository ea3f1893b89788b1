// The authorization matrix of every route under /api/v1/conversations/<id>…: the owner, a
// member, a removed member, a stranger and nobody (no session). Removed members and
// strangers get an error that holds none of the conversation's content.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, sharedUsers, hex, uuid, assertError, show, assertNoLeak, createGroup, getConversation,
  allMessages, send, memberOf, listConversations,
} from './lib.mjs';

/**
 * A fresh group owned by `owner` with `member`, `extra` and `removed` as members. The owner
 * posts a secret; the member posts twice; `removed` reads the secret, then is removed by the
 * owner. `stranger` never belonged; `newbie` is not a member (for the add-member route).
 * The six people are registered once for this file; every test gets its own conversation
 * (and its own secrets), so no test sees another's state.
 */
async function setup() {
  const [owner, member, removed, stranger, extra, newbie] = await sharedUsers(6);
  const secret = `secret-body-${hex(8)}`;
  const title = `Secret title ${hex(6)}`;
  const description = `secret description ${hex(6)}`;
  const conv = await createGroup(owner, [member, removed, extra], { title, description });
  const secretMsg = await send(owner, conv.id, secret);
  const memberMsg = await send(member, conv.id, `member words ${hex(4)}`);
  const memberMsg2 = await send(member, conv.id, `member words two ${hex(4)}`);
  const ownerSpare = await send(owner, conv.id, `owner spare ${hex(4)}`);

  // the removed member had access: they saw the secret
  const seen = await api('GET', `/api/v1/conversations/${conv.id}/messages`, { token: removed.token });
  assert.equal(seen.status, 200, `before removal: ${show(seen)}`);
  assert.ok(seen.text.includes(secret), 'before removal the member reads the secret');
  const rm = await api('DELETE', `/api/v1/conversations/${conv.id}/members/${removed.user.id}`, { token: owner.token });
  assert.equal(rm.status, 204, `remove: ${show(rm)}`);

  return {
    owner, member, removed, stranger, extra, newbie, conv, secret, title, description,
    secretMsg, memberMsg, memberMsg2, ownerSpare, secrets: [secret, title, description],
  };
}

const P = (id, rest = '') => `/api/v1/conversations/${id}${rest}`;

/** Asserts an outsider's refusal: one of `statuses`, a JSON error, none of the secrets. */
function assertOutsider(r, statuses, secrets, what) {
  assert.ok(statuses.includes(r.status), `${what}: expected ${statuses.join('|')}, got ${show(r)}`);
  assertError(r, r.status, r.status === 404 ? 'not_found' : ['forbidden', 'not_found', 'not_member']);
  assertNoLeak(r, secrets, what);
}

function assertAnon(r, secrets, what) {
  assertError(r, 401, 'unauthorized');
  assertNoLeak(r, secrets, what);
}

/**
 * Runs the matrix for one route. `call(user|null, s)` makes the request (user null = no
 * session); `expect` gives the owner's and the member's statuses; `outsider` the statuses a
 * removed member and a stranger may get. The outsiders and anonymous requests run first,
 * then the member, then the owner (so the owner's change does not hide theirs).
 */
async function matrix(s, call, expect) {
  const outsider = expect.outsider || [403, 404];
  const rRemoved = await call(s.removed, s);
  assertOutsider(rRemoved, outsider, s.secrets, 'removed member');
  const rStranger = await call(s.stranger, s);
  assertOutsider(rStranger, outsider, s.secrets, 'stranger');
  assertAnon(await call(null, s), s.secrets, 'no session');
  assertAnon(await call({ token: `bogus${hex(16)}` }, s), s.secrets, 'a made-up token');
  const rMember = await call(s.member, s);
  const mList = [].concat(expect.member);
  assert.ok(mList.includes(rMember.status), `member: expected ${mList.join('|')}, got ${show(rMember)}`);
  if (rMember.status === 403) assertError(rMember, 403, 'forbidden');
  const rOwner = await call(s.owner, s);
  const oList = [].concat(expect.owner);
  assert.ok(oList.includes(rOwner.status), `owner: expected ${oList.join('|')}, got ${show(rOwner)}`);
  return { rRemoved, rStranger, rMember, rOwner };
}

/** Same status and code as for an id that does not exist (ids reveal nothing). */
async function assertLikeUnknown(r, user, pathFor) {
  const unknown = await api('GET', pathFor(2 ** 31 - 9), { token: user.token });
  assert.equal(r.status, unknown.status, `same status as an unknown id: ${show(r)} vs ${show(unknown)}`);
  assert.equal(r.json?.error?.code, unknown.json?.error?.code, 'same code as an unknown id');
}

describe('authorization matrix: /api/v1/conversations/<id>…', () => {
  it('GET conversation', async () => {
    const s = await setup();
    const res = await matrix(s, (u, s) => api('GET', P(s.conv.id), { token: u?.token }), {
      owner: 200, member: 200, outsider: [404],
    });
    assert.ok(res.rOwner.text.includes(s.secret), 'the owner reads the secret');
    assert.ok(res.rMember.text.includes(s.secret), 'the member reads the secret');
    await assertLikeUnknown(res.rRemoved, s.removed, (id) => P(id));
    await assertLikeUnknown(res.rStranger, s.stranger, (id) => P(id));
    const around = await api('GET', P(s.conv.id, `?around=${s.secretMsg.seq}`), { token: s.removed.token });
    assertOutsider(around, [404], s.secrets, 'removed member, around=');
  });

  it('GET messages', async () => {
    const s = await setup();
    const res = await matrix(s, (u, s) => api('GET', P(s.conv.id, '/messages'), { token: u?.token }), {
      owner: 200, member: 200, outsider: [404],
    });
    assert.ok(res.rMember.text.includes(s.secret));
    await assertLikeUnknown(res.rRemoved, s.removed, (id) => P(id, '/messages'));
    for (const q of [`?around=${s.secretMsg.seq}`, '?after=0', `?before=${s.secretMsg.seq + 1}`, '?limit=200']) {
      const r = await api('GET', P(s.conv.id, `/messages${q}`), { token: s.removed.token });
      assertOutsider(r, [404], s.secrets, `removed member, messages${q}`);
    }
  });

  it('POST messages', async () => {
    const s = await setup();
    const body = (who) => `${who} writes ${hex(4)}`;
    const sent = {};
    const res = await matrix(s, (u, s) => {
      const b = body(u?.username || 'anon');
      if (u?.username) sent[u.username] = b;
      return api('POST', P(s.conv.id, '/messages'), { token: u?.token, json: { body: b, client_id: uuid() } });
    }, { owner: 201, member: 201, outsider: [404] });
    assert.equal(res.rMember.json.message.body, sent[s.member.username]);
    const hist = await allMessages(s.owner, s.conv.id);
    const bodies = hist.map((m) => m.body);
    assert.ok(!bodies.includes(sent[s.removed.username]), 'nothing from the removed member');
    assert.ok(!bodies.includes(sent[s.stranger.username]), 'nothing from the stranger');
    assert.ok(bodies.includes(sent[s.member.username]) && bodies.includes(sent[s.owner.username]));
  });

  it("PATCH message (the owner's secret; the member edits only their own)", async () => {
    const s = await setup();
    const res = await matrix(s, (u, s) => api('PATCH', P(s.conv.id, `/messages/${s.secretMsg.seq}`), {
      token: u?.token, json: { body: `edited by ${u?.username || 'anon'}` },
    }), { owner: 200, member: 403 });
    assert.equal(res.rOwner.json.message.body, `edited by ${s.owner.username}`, 'only the owner’s edit landed');
    const own = await api('PATCH', P(s.conv.id, `/messages/${s.memberMsg.seq}`), { token: s.member.token, json: { body: 'fixed typo' } });
    assert.equal(own.status, 200, `member edits own: ${show(own)}`);
    // the removed member cannot edit what they wrote while a member either
    const s2 = await setup();
    const mine = await send(s2.extra, s2.conv.id, 'extra wrote this');
    const rm = await api('DELETE', P(s2.conv.id, `/members/${s2.extra.user.id}`), { token: s2.owner.token });
    assert.equal(rm.status, 204);
    const late = await api('PATCH', P(s2.conv.id, `/messages/${mine.seq}`), { token: s2.extra.token, json: { body: 'too late' } });
    assertOutsider(late, [403, 404], s2.secrets, 'removed member edits own old message');
  });

  it('DELETE message', async () => {
    const s = await setup();
    const res = await matrix(s, (u, s) => api('DELETE', P(s.conv.id, `/messages/${s.secretMsg.seq}`), { token: u?.token }), {
      owner: 204, member: 403,
    });
    assert.ok(res.rOwner);
    const own = await api('DELETE', P(s.conv.id, `/messages/${s.memberMsg.seq}`), { token: s.member.token });
    assert.equal(own.status, 204, `member deletes own: ${show(own)}`);
    const ownerOther = await api('DELETE', P(s.conv.id, `/messages/${s.memberMsg2.seq}`), { token: s.owner.token });
    assert.equal(ownerOther.status, 204, `owner deletes the member's: ${show(ownerOther)}`);
    const spare = (await allMessages(s.member, s.conv.id)).find((m) => m.seq === s.ownerSpare.seq);
    assert.equal(spare.deleted, false, 'untouched messages stay');
  });

  it('DELETE message: outsiders delete nothing', async () => {
    const s = await setup();
    for (const u of [s.removed, s.stranger, null]) {
      await api('DELETE', P(s.conv.id, `/messages/${s.secretMsg.seq}`), { token: u?.token });
    }
    const m = (await allMessages(s.member, s.conv.id)).find((x) => x.seq === s.secretMsg.seq);
    assert.equal(m.deleted, false);
    assert.equal(m.body, s.secret);
  });

  it('POST reaction', async () => {
    const s = await setup();
    await matrix(s, (u, s) => api('POST', P(s.conv.id, `/messages/${s.secretMsg.seq}/reactions`), {
      token: u?.token, json: { emoji: '👍' },
    }), { owner: 200, member: 200 });
    const m = (await allMessages(s.owner, s.conv.id)).find((x) => x.seq === s.secretMsg.seq);
    const thumbs = m.reactions.find((x) => x.emoji === '👍');
    assert.deepEqual(new Set(thumbs.users), new Set([s.owner.username, s.member.username]), 'only members reacted');
  });

  it('POST read', async () => {
    const s = await setup();
    const res = await matrix(s, (u, s) => api('POST', P(s.conv.id, '/read'), {
      token: u?.token, json: { seq: s.ownerSpare.seq },
    }), { owner: 200, member: 200 });
    assert.equal(res.rMember.json.read_seq, s.ownerSpare.seq);
  });

  it('PATCH conversation (rename)', async () => {
    const s = await setup();
    await matrix(s, (u, s) => api('PATCH', P(s.conv.id), {
      token: u?.token, json: { title: `by ${u?.username || 'anon'}` },
    }), { owner: 200, member: 403 });
    const c = (await getConversation(s.member, s.conv.id)).conversation;
    assert.equal(c.title, `by ${s.owner.username}`, 'only the owner’s rename landed');
  });

  it('POST members (add)', async () => {
    const s = await setup();
    const res = await matrix(s, (u, s) => api('POST', P(s.conv.id, '/members'), {
      token: u?.token, json: { user_id: s.newbie.user.id },
    }), { owner: 201, member: 403 });
    assert.equal(res.rOwner.json.member.id, s.newbie.user.id);
    // the removed member cannot add themselves back
    const back = await api('POST', P(s.conv.id, '/members'), { token: s.removed.token, json: { user_id: s.removed.user.id } });
    assertOutsider(back, [403, 404], s.secrets, 'removed member re-adds self');
    const c = (await getConversation(s.owner, s.conv.id)).conversation;
    assert.ok(!memberOf(c, s.removed), 'still removed');
    assert.ok(!memberOf(c, s.stranger), 'the stranger did not get in');
  });

  it('PATCH member (role)', async () => {
    const s = await setup();
    await matrix(s, (u, s) => api('PATCH', P(s.conv.id, `/members/${s.extra.user.id}`), {
      token: u?.token, json: { role: 'admin' },
    }), { owner: 200, member: 403 });
    const self = await api('PATCH', P(s.conv.id, `/members/${s.member.user.id}`), { token: s.member.token, json: { role: 'owner' } });
    assertError(self, 403, 'forbidden');
    const c = (await getConversation(s.owner, s.conv.id)).conversation;
    assert.equal(memberOf(c, s.extra).role, 'admin');
    assert.equal(memberOf(c, s.member).role, 'member', 'no self-promotion');
  });

  it('DELETE member (remove)', async () => {
    const s = await setup();
    await matrix(s, (u, s) => api('DELETE', P(s.conv.id, `/members/${s.extra.user.id}`), { token: u?.token }), {
      owner: 204, member: 403,
    });
    const c = (await getConversation(s.owner, s.conv.id)).conversation;
    assert.ok(!memberOf(c, s.extra), 'the owner removed extra');
    assert.ok(memberOf(c, s.member), 'the member is still there');
    assertError(await api('GET', P(s.conv.id), { token: s.extra.token }), 404, 'not_found');
  });

  it('GET settings', async () => {
    const s = await setup();
    const res = await matrix(s, (u, s) => api('GET', P(s.conv.id, '/settings'), { token: u?.token }), {
      owner: 200, member: 200, outsider: [404],
    });
    assert.equal(res.rOwner.json.conversation.title, s.title);
  });

  it('a removed member loses access at once, and the conversation leaves their list', async () => {
    const s = await setup();
    const r = await api('GET', P(s.conv.id), { token: s.removed.token });
    assertOutsider(r, [404], s.secrets, 'right after removal');
    const list = await listConversations(s.removed);
    assert.ok(!list.some((c) => c.id === s.conv.id), 'not in their list');
    assertNoLeak({ status: 200, text: JSON.stringify(list) }, s.secrets, 'their list');
    const send2 = await api('POST', P(s.conv.id, '/messages'), { token: s.removed.token, json: { body: 'still here?', client_id: uuid() } });
    assertOutsider(send2, [404], s.secrets, 'send after removal');
  });

  it('a channel: members read but may not post', async () => {
    const [owner, member, stranger] = await sharedUsers(3);
    const ch = await createGroup(owner, [member], { kind: 'channel', title: `Ch ${hex(4)}` });
    const secret = `chan-secret-${hex(6)}`;
    await send(owner, ch.id, secret);
    const read = await api('GET', P(ch.id, '/messages'), { token: member.token });
    assert.equal(read.status, 200, show(read));
    assert.ok(read.text.includes(secret));
    const post = await api('POST', P(ch.id, '/messages'), { token: member.token, json: { body: 'hi', client_id: uuid() } });
    assertError(post, 403, 'forbidden');
    const out = await api('GET', P(ch.id, '/messages'), { token: stranger.token });
    assertOutsider(out, [404], [secret], 'stranger in a channel');
  });
});
