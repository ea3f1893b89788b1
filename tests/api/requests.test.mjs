// Message requests as the recipient, the sender and everyone else see them: a stranger's
// first direct message waits in Requests (not the inbox, no unread count) until it is
// accepted, deleted or blocked; contacts and people who allow everyone are not asked; only
// the recipient can answer a request (404 for the sender and anyone else).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, register, assertError, show, makeContacts, openDirect, send, sendRaw, listConversations,
  getContacts, getConversation, browserOf, locationPath,
} from './lib.mjs';

/** Two people who are not contacts; `to` keeps the default (requests on). */
async function strangers() {
  const [from, to] = await Promise.all([register(), register({ requests: true })]);
  return { from, to };
}

async function requestsOf(u) {
  const r = await api('GET', '/api/v1/requests', { token: u.token });
  assert.equal(r.status, 200, `GET /requests as ${u.username}: ${show(r)}`);
  assert.ok(Array.isArray(r.json?.requests), `requests array: ${show(r)}`);
  return r.json;
}

async function unreadOf(u) {
  const r = await api('GET', '/api/v1/unread', { token: u.token });
  assert.equal(r.status, 200, `GET /unread: ${show(r)}`);
  return r.json;
}

/** A stranger's direct conversation with one message in it; returns its id. */
async function request(from, to, body = 'Hello, we have not met') {
  const cv = await openDirect(from, to);
  await send(from, cv.id, body);
  return cv.id;
}

const answer = (u, id, what, json) => api('POST', `/api/v1/requests/${id}/${what}`, { token: u.token, json });

describe('a stranger\'s first direct message', () => {
  it('lands in Requests, not the inbox, and counts as no unread message', async () => {
    const { from, to } = await strangers();
    const id = await request(from, to, 'Hi there, a question about the meetup');
    const req = await requestsOf(to);
    assert.equal(req.allow_everyone, false, 'requests are on by default');
    assert.equal(req.requests.length, 1, `one request: ${JSON.stringify(req)}`);
    const [r] = req.requests;
    assert.equal(r.conversation_id, id);
    assert.equal(r.user.id, from.user.id);
    assert.equal(r.user.username, from.username);
    assert.equal(r.messages, 1);
    assert.equal(r.excerpt, 'Hi there, a question about the meetup');
    assert.ok(!(await listConversations(to)).some((c) => c.id === id), 'not in the recipient\'s inbox');
    const u = await unreadOf(to);
    assert.equal(u.unread, 0, 'no unread count for a request');
    assert.equal(u.requests, 1, 'the Requests badge counts it');
    // The sender sees their conversation as usual.
    const mine = await listConversations(from);
    assert.ok(mine.some((c) => c.id === id), 'in the sender\'s inbox');
    assert.equal((await getConversation(from, id)).conversation.request, null);
    // The recipient can read it (the page shows the request bar).
    const seen = await getConversation(to, id);
    assert.equal(seen.conversation.request, 'pending');
    assert.equal(seen.messages.at(-1).body, 'Hi there, a question about the meetup');
  });

  it('is not a request between contacts, nor for someone who allows everyone', async () => {
    const { from, to } = await strangers();
    await makeContacts(from, to);
    const id = await request(from, to);
    assert.equal((await requestsOf(to)).requests.length, 0);
    assert.ok((await listConversations(to)).some((c) => c.id === id), 'a contact\'s message is in the inbox');

    const other = await strangers();
    const set = await api('PATCH', '/api/v1/requests/settings', { token: other.to.token, json: { allow_everyone: true } });
    assert.equal(set.status, 200, show(set));
    assert.equal(set.json.allow_everyone, true);
    assert.equal((await requestsOf(other.to)).allow_everyone, true);
    const id2 = await request(other.from, other.to);
    assert.equal((await requestsOf(other.to)).requests.length, 0);
    assert.ok((await listConversations(other.to)).some((c) => c.id === id2));
    const bad = await api('PATCH', '/api/v1/requests/settings', { token: other.to.token, json: {} });
    assertError(bad, 400, undefined, 'allow_everyone');
  });

  it('is not a request when the recipient started the conversation', async () => {
    const { from, to } = await strangers();
    const cv = await openDirect(to, from);       // the one with requests on writes first
    await send(to, cv.id, 'Hello from me');
    await send(from, cv.id, 'Hello back');
    assert.equal((await requestsOf(to)).requests.length, 0);
    assert.ok((await listConversations(to)).some((c) => c.id === cv.id));
  });
});

describe('answering a request', () => {
  it('accept moves it to the inbox; add_contact asks the sender to be a contact', async () => {
    const { from, to } = await strangers();
    const id = await request(from, to);
    const r = await answer(to, id, 'accept', { add_contact: true });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.conversation.id, id);
    assert.equal(r.json.conversation.request, null);
    assert.equal((await requestsOf(to)).requests.length, 0);
    assert.ok((await listConversations(to)).some((c) => c.id === id), 'now in the inbox');
    assert.equal((await unreadOf(to)).requests, 0);
    const theirs = await getContacts(from);
    assert.ok(theirs.incoming.some((c) => c.user.id === to.user.id), 'the sender got a contact request');
    // Answered: a second accept has nothing to accept.
    assertError(await answer(to, id, 'accept'), 404, 'not_found');
  });

  it('replying accepts it', async () => {
    const { from, to } = await strangers();
    const id = await request(from, to);
    await send(to, id, 'Sure, go ahead');
    assert.equal((await requestsOf(to)).requests.length, 0);
    assert.ok((await listConversations(to)).some((c) => c.id === id));
  });

  it('delete hides it for the recipient; the sender is not told and can still write', async () => {
    const { from, to } = await strangers();
    const id = await request(from, to);
    const r = await api('DELETE', `/api/v1/requests/${id}`, { token: to.token });
    assert.equal(r.status, 204, show(r));
    assert.equal((await requestsOf(to)).requests.length, 0);
    assert.ok(!(await listConversations(to)).some((c) => c.id === id), 'not in the inbox either');
    const again = await sendRaw(from, id, 'Did you get my message?');
    assert.equal(again.status, 201, `the sender is not told: ${show(again)}`);
    assert.equal((await getConversation(from, id)).conversation.request, null);
    assert.equal((await requestsOf(to)).requests.length, 0, 'a deleted request stays deleted');
    assert.equal((await unreadOf(to)).unread, 0);
  });

  it('block (and report) stops the sender\'s messages and files a report', async () => {
    const { from, to } = await strangers();
    const id = await request(from, to, 'Buy my stuff');
    const r = await answer(to, id, 'block', { report: true, reason: 'Spam' });
    assert.equal(r.status, 201, show(r));
    assert.equal(r.json.blocked.user.id, from.user.id);
    assert.ok(Number.isInteger(r.json.report.id), `a report: ${show(r)}`);
    assert.equal(r.json.report.state, 'open');
    const next = await sendRaw(from, id, 'Buy it now');
    const e = assertError(next, 403, 'not_allowed');
    assert.ok(!/block/i.test(e.message), 'the refusal does not say "block"');
    assert.equal((await requestsOf(to)).requests.length, 0);
    const mine = await api('GET', '/api/v1/reports', { token: to.token });
    assert.equal(mine.status, 200, show(mine));
    const rep = mine.json.reports.find((x) => x.id === r.json.report.id);
    assert.ok(rep, `the report is in the reporter's list: ${show(mine)}`);
    assert.equal(rep.user.id, from.user.id);
    assert.equal(rep.reason, 'Spam');
    const blocked = (await getContacts(to)).blocked;
    assert.ok(blocked.some((b) => b.user.id === from.user.id), 'listed under blocked');
  });

  it('block without report files no report', async () => {
    const { from, to } = await strangers();
    const id = await request(from, to);
    const r = await answer(to, id, 'block');
    assert.equal(r.status, 201, show(r));
    assert.equal(r.json.report, null);
  });
});

describe('who may answer a request', () => {
  it('the sender, someone else and a made-up id get 404; nothing changes', async () => {
    const { from, to } = await strangers();
    const third = await register();
    const id = await request(from, to);
    for (const who of [from, third]) {
      for (const what of ['accept', 'delete', 'block']) {
        assertError(await answer(who, id, what), 404, 'not_found');
      }
      assertError(await api('DELETE', `/api/v1/requests/${id}`, { token: who.token }), 404, 'not_found');
    }
    assertError(await answer(to, 999999999, 'accept'), 404, 'not_found');
    assertError(await answer(to, 'abc', 'accept'), 404, 'not_found');
    assert.equal((await requestsOf(to)).requests.length, 1, 'still a request');
    assert.equal((await requestsOf(from)).requests.length, 0, 'the sender has no request');
    assert.equal((await requestsOf(third)).requests.length, 0);
    const anon = await api('GET', '/api/v1/requests');
    assert.equal(anon.status, 401, show(anon));
  });

  it('a person who blocked the recipient earlier is no request (nothing reaches them)', async () => {
    const { from, to } = await strangers();
    const id = await request(from, to);
    const b = await api('POST', '/api/v1/blocks', { token: to.token, json: { username: from.username } });
    assert.equal(b.status, 201, show(b));
    assert.equal((await requestsOf(to)).requests.length, 0, 'a blocked sender\'s request is gone');
    assertError(await answer(to, id, 'accept'), 404, 'not_found');
  });
});

describe('pages without JavaScript', () => {
  it('GET /requests lists the request with Accept, Delete and Block forms; Accept opens it', async () => {
    const { from, to } = await strangers();
    const id = await request(from, to, 'A <b>bold</b> hello');
    const b = await browserOf(to);
    const page = await b.get('/requests');
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(`@${from.username}`), 'the sender is named');
    assert.ok(page.text.includes('A &lt;b&gt;bold&lt;/b&gt; hello'), 'the excerpt, escaped');
    for (const what of ['accept', 'delete', 'block'])
      assert.ok(page.text.includes(`action="/requests/${id}/${what}"`), `a ${what} form`);
    const conv = await b.get(`/conversations/${id}`);
    assert.ok(conv.text.includes('class="request-bar"'), 'the conversation page shows the request bar');
    const nav = await b.get('/contacts');
    assert.match(nav.text, /id="nav-requests" href="\/requests">1</, 'the navigation badge counts it');
    const r = await b.postForm(`/requests/${id}/accept`, {});
    assert.equal(r.status, 303, `accept: ${r.status}`);
    assert.equal(locationPath(r), `/conversations/${id}`);
    const after = await b.get(`/conversations/${id}`);
    assert.ok(!after.text.includes('class="request-bar"'), 'no request bar once accepted');
  });

  it('the setting form and Block from the page', async () => {
    const { from, to } = await strangers();
    const id = await request(from, to);
    const b = await browserOf(to);
    const r = await b.postForm(`/requests/${id}/block`, { report: 'true' });
    assert.equal(r.status, 303);
    assert.equal(locationPath(r), '/requests?done=reported');
    const page = await b.get('/requests?done=reported');
    assert.ok(page.text.includes('Blocked and reported'), 'says what happened');
    const s = await b.postForm('/requests/settings', { allow_everyone: 'true' });
    assert.equal(s.status, 303);
    assert.equal((await requestsOf(to)).allow_everyone, true);
    const off = await b.postForm('/requests/settings', {});
    assert.equal(off.status, 303);
    assert.equal((await requestsOf(to)).allow_everyone, false, 'an unchecked box turns it off');
  });
});

describe('Block and Report from the profile and the conversation details', () => {
  it('the profile and a direct conversation\'s details offer Block and Report for the other person', async () => {
    const [me, them] = await Promise.all([register(), register()]);
    const cv = await openDirect(me, them);
    const b = await browserOf(me);
    for (const path of [`/users/${them.username}`, `/conversations/${cv.id}/settings`]) {
      const page = await b.get(path);
      assert.equal(page.status, 200, path);
      assert.match(page.text, new RegExp(`action="/blocks">[^]*?name="username" value="${them.username}"`), `${path}: a Block form`);
      assert.ok(page.text.includes(`href="/reports/new?user_id=${them.user.id}"`), `${path}: a Report link`);
    }
    const own = await b.get(`/users/${me.username}`);
    assert.ok(!own.text.includes('action="/blocks"'), 'no Block on your own profile');
    const r = await b.postForm('/blocks', { username: them.username });
    assert.equal(r.status, 303);
    assert.equal(locationPath(r), '/contacts?done=blocked');
    const next = await sendRaw(them, cv.id, 'Still there?');
    assertError(next, 403, 'not_allowed');
  });

  it('a stranger can be blocked before any request; their first message is then refused', async () => {
    const { from, to } = await strangers();
    const b = await api('POST', '/api/v1/blocks', { token: to.token, json: { username: from.username } });
    assert.equal(b.status, 201, show(b));
    const open = await api('POST', '/api/v1/conversations', { token: from.token, json: { kind: 'direct', members: [to.user.id] } });
    assertError(open, 403, 'not_allowed');
    assert.equal((await requestsOf(to)).requests.length, 0);
  });

  it('a member removed from a group can no longer report its messages or see it (404)', async () => {
    const [owner, gone] = await Promise.all([register(), register()]);
    const g = await api('POST', '/api/v1/conversations', { token: owner.token, json: { kind: 'group', title: 'Removal', members: [gone.user.id] } });
    assert.equal(g.status, 201, show(g));
    const id = g.json.conversation.id;
    const m = await send(owner, id, 'Before the removal');
    const rm = await api('DELETE', `/api/v1/conversations/${id}/members/${gone.user.id}`, { token: owner.token });
    assert.equal(rm.status, 204, show(rm));
    const rep = await api('POST', '/api/v1/reports', { token: gone.token, json: { conversation_id: id, seq: m.seq, reason: 'x' } });
    assertError(rep, 404, 'not_found');
    assertError(await api('GET', `/api/v1/conversations/${id}`, { token: gone.token }), 404, 'not_found');
    assertError(await answer(gone, id, 'block'), 404, 'not_found');
  });
});
