// Group invitations: an owner or admin adding someone who is not their contact (and who does
// not allow direct messages from everyone) to a group or channel invites them (202
// {"invited":true}): the invitation waits in the invitee's Requests with the group's title,
// the inviter and the member count; until they accept they are no member (404 on the
// conversation, nothing in their inbox). Accept joins, decline drops it (the inviter is not
// told), block blocks the inviter; contacts and people who allow everyone are added at once
// (creating a group with members follows the same rule);
// nobody but the invitee can answer an invitation (404).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, register, assertError, show, makeContacts, createGroup, send, listConversations, getConversation,
  getConversationRaw, messagesRaw, memberOf, browserOf, locationPath, openStream,
} from './lib.mjs';

const add = (actor, convId, body) => api('POST', `/api/v1/conversations/${convId}/members`, { token: actor.token, json: body });
const answer = (u, id, what) => api('POST', `/api/v1/requests/invitations/${id}/${what}`, { token: u.token, json: {} });

async function requestsOf(u) {
  const r = await api('GET', '/api/v1/requests', { token: u.token });
  assert.equal(r.status, 200, show(r));
  assert.ok(Array.isArray(r.json.invitations), show(r));
  return r.json;
}

async function badge(u) {
  const r = await api('GET', '/api/v1/unread', { token: u.token });
  assert.equal(r.status, 200, show(r));
  return r.json.requests;
}

/** An owner with a group of one other member and a message in it, and a stranger invited to it. */
async function invited(kind = 'group') {
  const owner = await register(), other = await register(), stranger = await register({ requests: true });
  const g = await createGroup(owner, [other], { title: `Invite ${kind}`, kind });
  await send(owner, g.id, 'Said before the invitation');
  const r = await add(owner, g.id, { user_id: stranger.user.id });
  assert.equal(r.status, 202, show(r));
  assert.equal(r.json.invited, true);
  assert.equal(r.json.user.id, stranger.user.id);
  return { owner, other, stranger, g };
}

describe('group invitations', () => {
  it('a stranger is invited, not added: in their Requests, not a member, nothing to read', async () => {
    const { owner, stranger, g } = await invited();
    const { invitations } = await requestsOf(stranger);
    assert.equal(invitations.length, 1);
    const inv = invitations[0];
    assert.equal(inv.conversation_id, g.id);
    assert.equal(inv.kind, 'group');
    assert.equal(inv.title, 'Invite group');
    assert.equal(inv.members, 2);
    assert.equal(inv.role, 'member');
    assert.equal(inv.inviter.username, owner.username);
    assert.equal(await badge(stranger), 1, 'the Requests badge counts it');
    assertError(await getConversationRaw(stranger, g.id), 404, 'not_found');
    assertError(await messagesRaw(stranger, g.id), 404, 'not_found');
    assert.ok(!(await listConversations(stranger)).some((c) => c.id === g.id), 'no inbox entry');
    const c = (await getConversation(owner, g.id)).conversation;
    assert.ok(!memberOf(c, stranger), 'not among the members');
    // Inviting again is no error and still one invitation.
    assert.equal((await add(owner, g.id, { username: stranger.username })).status, 202);
    assert.equal((await requestsOf(stranger)).invitations.length, 1);
    // The page lists it with Join, Decline and Block.
    const page = await api('GET', '/requests', { token: stranger.token });
    assert.equal(page.status, 200);
    assert.match(page.text, /Invite group/);
    assert.match(page.text, new RegExp(`action="/requests/invitations/${g.id}/accept"`));
    assert.match(page.text, /2 members/);
  });

  it('accept joins: a member who reads the history, announced to the others', async () => {
    const { owner, other, stranger, g } = await invited();
    const r = await answer(stranger, g.id, 'accept');
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.conversation.id, g.id);
    const c = (await getConversation(owner, g.id)).conversation;
    assert.ok(memberOf(c, stranger), 'a member now');
    const h = await messagesRaw(stranger, g.id);
    assert.equal(h.status, 200, show(h));
    const bodies = h.json.messages.map((m) => m.body);
    assert.ok(bodies.includes('Said before the invitation'), bodies.join(' | '));
    assert.ok(bodies.some((b) => /joined, invited by/.test(b || '')), bodies.join(' | '));
    assert.ok((await listConversations(stranger)).some((x) => x.id === g.id), 'in the inbox');
    assert.equal((await requestsOf(stranger)).invitations.length, 0);
    assert.equal(await badge(stranger), 0);
    const seen = await messagesRaw(other, g.id);
    assert.ok(seen.json.messages.some((m) => /joined, invited by/.test(m.body || '')), 'the others see the join');
    // Answered: a second accept is 404, adding again is 409.
    assertError(await answer(stranger, g.id, 'accept'), 404, 'not_found');
    assertError(await add(owner, g.id, { user_id: stranger.user.id }), 409, 'already_member');
  });

  it('live: the invitee hears of the invitation, nothing of the group until they join', async () => {
    const owner = await register(), stranger = await register({ requests: true });
    const g = await createGroup(owner, [], { title: 'Quiet until joined' });
    const stream = await openStream(stranger);
    try {
      assert.equal((await add(owner, g.id, { user_id: stranger.user.id })).status, 202);
      await stream.waitFor((e) => e.type === 'request.changed' && e.conversation_id === g.id && e.state === 'invited',
        5000, 'the invitation');
      const before = await send(owner, g.id, 'Not for the invitee yet');
      // A message after it, to a conversation of the invitee's own, shows the stream is live.
      const mine = await createGroup(stranger, [], { title: 'Own' });
      const marker = await send(stranger, mine.id, 'marker');
      await stream.waitFor((e) => e.type === 'message.created' && e.conversation_id === mine.id && e.seq === marker.seq,
        5000, 'the marker');
      assert.deepEqual(stream.matching((e) => e.conversation_id === g.id && e.type !== 'request.changed'), [],
        `nothing of the group: ${stream.describe()}`);
      assert.equal((await answer(stranger, g.id, 'accept')).status, 200);
      await stream.waitFor((e) => e.type === 'member.added' && e.conversation_id === g.id, 5000, 'the join');
      const after = await send(owner, g.id, 'Now for everyone');
      await stream.waitFor((e) => e.type === 'message.created' && e.conversation_id === g.id && e.seq === after.seq,
        5000, 'a message once joined');
      assert.ok(after.seq > before.seq);
    } finally {
      await stream.close();
    }
  });

  it('decline drops it without telling the inviter, who may invite again', async () => {
    const { owner, stranger, g } = await invited();
    const r = await answer(stranger, g.id, 'decline');
    assert.equal(r.status, 204, show(r));
    assert.equal((await requestsOf(stranger)).invitations.length, 0);
    assertError(await getConversationRaw(stranger, g.id), 404, 'not_found');
    const h = await messagesRaw(owner, g.id);
    assert.ok(!h.text.includes(stranger.username) && !h.json.messages.some((m) => /declin/i.test(m.body || '')),
      'nothing tells the group');
    assert.equal((await add(owner, g.id, { user_id: stranger.user.id })).status, 202);
    assert.equal((await api('DELETE', `/api/v1/requests/invitations/${g.id}`, { token: stranger.token })).status, 204);
  });

  it('block blocks the inviter: the invitation is gone and they cannot add or invite again', async () => {
    const { owner, stranger, g } = await invited();
    const g2 = await createGroup(owner, [], { title: 'Second' });
    assert.equal((await add(owner, g2.id, { user_id: stranger.user.id })).status, 202);
    const r = await answer(stranger, g.id, 'block');
    assert.equal(r.status, 201, show(r));
    assert.equal(r.json.blocked.user.id, owner.user.id);
    assert.equal((await requestsOf(stranger)).invitations.length, 0, 'every invitation of theirs is gone');
    assertError(await add(owner, g.id, { user_id: stranger.user.id }), 403, 'not_allowed');
    assertError(await getConversationRaw(stranger, g.id), 404, 'not_found');
  });

  it('contacts and people who allow everyone are added at once; a channel follows the same rule', async () => {
    const owner = await register(), friend = await register({ requests: true }), open = await register();
    await makeContacts(owner, friend);
    const g = await createGroup(owner, []);
    const a = await add(owner, g.id, { user_id: friend.user.id });
    assert.equal(a.status, 201, show(a));
    assert.equal(a.json.member.id, friend.user.id);
    const b = await add(owner, g.id, { user_id: open.user.id });
    assert.equal(b.status, 201, show(b));
    const c = (await getConversation(owner, g.id)).conversation;
    assert.ok(memberOf(c, friend) && memberOf(c, open));
    const ch = await createGroup(owner, [], { kind: 'channel', title: 'News' });
    const stranger = await register({ requests: true });
    const inv = await add(owner, ch.id, { user_id: stranger.user.id, role: 'admin' });
    assert.equal(inv.status, 202, show(inv));
    const listed = (await requestsOf(stranger)).invitations[0];
    assert.equal(listed.kind, 'channel');
    assert.equal(listed.role, 'admin');
    assert.equal((await answer(stranger, ch.id, 'accept')).status, 200);
    const member = (await getConversation(owner, ch.id)).conversation.members.find((m) => m.id === stranger.user.id);
    assert.equal(member?.role, 'admin', 'joined with the role they were invited with');
  });

  it('creating a group with a stranger invites them; contacts and people who allow everyone are added', async () => {
    const owner = await register(), friend = await register({ requests: true }), open = await register();
    const stranger = await register({ requests: true });
    await makeContacts(owner, friend);
    const r = await api('POST', '/api/v1/conversations', {
      token: owner.token, json: { kind: 'group', title: 'Made with a stranger', members: [friend.user.id, open.user.id, stranger.user.id] },
    });
    assert.equal(r.status, 201, show(r));
    assert.deepEqual(r.json.invited.map((u) => u.id), [stranger.user.id]);
    const c = r.json.conversation;
    assert.ok(memberOf(c, friend) && memberOf(c, open), 'the contact and the open one are members');
    assert.ok(!memberOf(c, stranger), 'the stranger is not');
    assertError(await getConversationRaw(stranger, c.id), 404, 'not_found');
    const inv = (await requestsOf(stranger)).invitations;
    assert.equal(inv.length, 1);
    assert.equal(inv[0].title, 'Made with a stranger');
    assert.equal(inv[0].inviter.id, owner.user.id);
    const pending = await api('GET', `/api/v1/conversations/${c.id}/invitations`, { token: owner.token });
    assert.deepEqual(pending.json.invitations.map((i) => i.user.id), [stranger.user.id]);
    assert.equal((await answer(stranger, c.id, 'accept')).status, 200);
    assert.ok(memberOf((await getConversation(owner, c.id)).conversation, stranger), 'a member once they accept');
    // The form: to the settings page, which says who was invited.
    const other = await register({ requests: true });
    const ob = await browserOf(owner);
    const f = await ob.postForm('/conversations', { kind: 'group', title: 'Form group', members: other.username });
    assert.equal(f.status, 303, show(f));
    assert.match(locationPath(f), /^\/conversations\/\d+\/settings\?done=invited$/);
    const page = await ob.get(locationPath(f));
    assert.match(page.text, /Invited: they are not your contact/);
    assert.ok(page.text.includes(`@${other.username}`), 'listed under the pending invitations');
  });

  it('nobody but the invitee answers it (404): not a stranger, a member, the inviter, nor a removed member', async () => {
    const { owner, other, stranger, g } = await invited();
    const removed = await register();
    assert.equal((await add(owner, g.id, { user_id: removed.user.id })).status, 201);
    assert.equal((await api('DELETE', `/api/v1/conversations/${g.id}/members/${removed.user.id}`, { token: owner.token })).status, 204);
    const nobody = await register();
    for (const u of [nobody, other, owner, removed]) {
      for (const what of ['accept', 'decline', 'block']) assertError(await answer(u, g.id, what), 404, 'not_found');
    }
    assertError(await answer(stranger, 999999999, 'accept'), 404, 'not_found');
    assertError(await answer(stranger, 'abc', 'accept'), 404, 'not_found');
    const c = (await getConversation(owner, g.id)).conversation;
    assert.ok(!memberOf(c, removed) && !memberOf(c, nobody) && !memberOf(c, stranger), 'nobody got in');
    assert.equal((await requestsOf(stranger)).invitations.length, 1, 'still waiting for the invitee');
  });

  it('an invitation lapses when its inviter is no longer an owner or admin there', async () => {
    const owner = await register(), admin = await register(), stranger = await register({ requests: true });
    const g = await createGroup(owner, [admin]);
    assert.equal((await api('PATCH', `/api/v1/conversations/${g.id}/members/${admin.user.id}`,
      { token: owner.token, json: { role: 'admin' } })).status, 200);
    assert.equal((await add(admin, g.id, { user_id: stranger.user.id })).status, 202);
    assert.equal((await requestsOf(stranger)).invitations.length, 1);
    assert.equal((await api('DELETE', `/api/v1/conversations/${g.id}/members/${admin.user.id}`, { token: owner.token })).status, 204);
    assert.equal((await requestsOf(stranger)).invitations.length, 0);
    assert.equal(await badge(stranger), 0);
    assertError(await answer(stranger, g.id, 'accept'), 404, 'not_found');
  });

  it('on the pages: adding a stranger flashes "Invited"; Join from /requests opens the group', async () => {
    const owner = await register(), stranger = await register({ requests: true });
    const g = await createGroup(owner, [], { title: 'Paged group' });
    const ob = await browserOf(owner);
    const r = await ob.postForm(`/conversations/${g.id}/members`, { username: stranger.username });
    assert.equal(r.status, 303, show(r));
    assert.equal(locationPath(r), `/conversations/${g.id}/settings?done=invited`);
    const flash = await ob.get(locationPath(r));
    assert.match(flash.text, /Invited: they are not your contact/);
    const sb = await browserOf(stranger);
    const join = await sb.postForm(`/requests/invitations/${g.id}/accept`, {});
    assert.equal(join.status, 303, show(join));
    assert.equal(locationPath(join), `/conversations/${g.id}`);
    const page = await sb.get(`/conversations/${g.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Paged group/);
  });

  it('owners and admins list and withdraw pending invitations; members 403, strangers 404', async () => {
    const { owner, other, stranger, g } = await invited();
    const outsider = await register();
    const list = await api('GET', `/api/v1/conversations/${g.id}/invitations`, { token: owner.token });
    assert.equal(list.status, 200, show(list));
    assert.equal(list.json.invitations.length, 1);
    const inv = list.json.invitations[0];
    assert.equal(inv.user.id, stranger.user.id);
    assert.equal(inv.user.username, stranger.username);
    assert.equal(inv.inviter.id, owner.user.id);
    assert.equal(inv.role, 'member');
    assert.match(inv.created_at, /^\d{4}-\d\d-\d\dT/);
    // The settings JSON carries them for its managers only.
    const mine = (await api('GET', `/api/v1/conversations/${g.id}/settings`, { token: owner.token })).json.conversation;
    assert.equal(mine.invitations.length, 1);
    const theirs = (await api('GET', `/api/v1/conversations/${g.id}/settings`, { token: other.token })).json.conversation;
    assert.equal(theirs.invitations, undefined, 'a plain member does not see who is invited');
    assertError(await api('GET', `/api/v1/conversations/${g.id}/invitations`, { token: other.token }), 403, 'forbidden');
    assertError(await api('GET', `/api/v1/conversations/${g.id}/invitations`, { token: outsider.token }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/conversations/${g.id}/invitations`, { token: stranger.token }), 404, 'not_found');
    assertError(await api('DELETE', `/api/v1/conversations/${g.id}/invitations/${stranger.user.id}`, { token: other.token }),
      403, 'forbidden');
    assert.equal((await requestsOf(stranger)).invitations.length, 1, 'a refused withdrawal leaves it');

    // Without JavaScript: the settings page lists it with a Withdraw button, which works.
    const ob = await browserOf(owner);
    const page = await ob.get(`/conversations/${g.id}/settings`);
    assert.match(page.text, /Invited, not joined yet/);
    assert.ok(page.text.includes(`@${stranger.username}`));
    const w = await ob.postForm(`/conversations/${g.id}/invitations/${stranger.user.id}/withdraw`, {});
    assert.equal(w.status, 303, show(w));
    assert.equal(locationPath(w), `/conversations/${g.id}/settings?done=withdrawn`);
    const after = await ob.get(locationPath(w));
    assert.match(after.text, /The invitation was withdrawn/);
    assert.doesNotMatch(after.text, /Invited, not joined yet/);
    assert.equal((await requestsOf(stranger)).invitations.length, 0, 'gone from their Requests');
    assert.equal(await badge(stranger), 0);
    assertError(await answer(stranger, g.id, 'accept'), 404, 'not_found');
    // Gone: withdrawing again is 404; a new invitation is withdrawn through the API.
    assertError(await api('DELETE', `/api/v1/conversations/${g.id}/invitations/${stranger.user.id}`, { token: owner.token }),
      404, 'not_found');
    assert.equal((await add(owner, g.id, { user_id: stranger.user.id })).status, 202);
    const del = await api('DELETE', `/api/v1/conversations/${g.id}/invitations/${stranger.user.id}`, { token: owner.token });
    assert.equal(del.status, 204, show(del));
    assert.equal((await requestsOf(stranger)).invitations.length, 0);
  });
});
