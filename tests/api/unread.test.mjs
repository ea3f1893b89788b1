// GET /unread (the total every page shows) and POST /conversations/read-all.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, register, createGroup, send, browserOf } from './lib.mjs';

let alice, bob, carol, group, other;

before(async () => {
  [alice, bob, carol] = await Promise.all([register(), register(), register()]);
  group = await createGroup(alice, [bob, carol], { title: 'Unread totals' });
  other = await createGroup(carol, [bob], { title: 'Another' });
});

// The two totals of messages (the request badges are requests.test.mjs's).
const unread = async (u) => {
  const j = (await api('GET', '/api/v1/unread', { token: u.token })).json;
  return { unread: j.unread, conversations: j.conversations };
};

describe('unread totals and mark all as read', () => {
  it('counts what others sent after your position, in how many conversations', async () => {
    assert.deepEqual(await unread(bob), { unread: 0, conversations: 0 });
    await send(alice, group.id, 'one');
    await send(alice, group.id, 'two');
    await send(carol, other.id, 'three');
    await send(bob, group.id, 'my own does not count');
    assert.deepEqual(await unread(bob), { unread: 1, conversations: 1 }, 'sending moved my position in the group');
    await send(alice, group.id, 'four');
    assert.deepEqual(await unread(bob), { unread: 2, conversations: 2 });
    assert.deepEqual(await unread(alice), { unread: 0, conversations: 0 }, 'her last send moved her past Bob\'s');
  });

  it('read-all marks every conversation read and announces each', async () => {
    const r = await api('POST', '/api/v1/conversations/read-all', { token: bob.token });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { marked: 2 });
    assert.deepEqual(await unread(bob), { unread: 0, conversations: 0 });
    const again = await api('POST', '/api/v1/conversations/read-all', { token: bob.token });
    assert.deepEqual(again.json, { marked: 0 });
    const list = await api('GET', '/api/v1/conversations', { token: bob.token });
    assert.ok(list.json.conversations.every((c) => c.unread === 0));
  });

  it('the form needs its CSRF token and lands on the inbox', async () => {
    await send(alice, group.id, 'five');
    const b = await browserOf(bob);
    const bad = await api('POST', '/conversations/read-all', { cookie: { parley_session: b.session }, form: { csrf_token: 'nope' } });
    assert.equal(bad.status, 403);
    const r = await b.postForm('/conversations/read-all', {});
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /\/conversations\?done=all_read$/);
    assert.deepEqual(await unread(bob), { unread: 0, conversations: 0 });
  });

  it('needs a login', async () => {
    assert.equal((await api('GET', '/api/v1/unread')).status, 401);
    assert.equal((await api('POST', '/api/v1/conversations/read-all')).status, 401);
  });
});
