// Broadcasts: one message to several people and conversations, one result per target in the
// order given, idempotent by client_id.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, register, registerMany, hex, uuid, assertError, show, block, openDirect, createGroup,
  allMessages, listConversations, expectStatus,
} from './lib.mjs';

function broadcast(u, body) {
  return api('POST', '/api/v1/broadcasts', { token: u?.token, json: body });
}

/** How many messages in the history have this body. */
async function copies(viewer, convId, body) {
  return (await allMessages(viewer, convId)).filter((m) => m.body === body).length;
}

/** Results for the users come in user_ids order, those for conversations in conversation_ids order. */
function assertOrder(results, userIds, convIds) {
  const users = results.filter((x) => x.target === 'user').map((x) => x.user_id);
  const convs = results.filter((x) => x.target === 'conversation').map((x) => x.conversation_id);
  assert.deepEqual(users, userIds, `user results in the order given: ${JSON.stringify(results)}`);
  assert.deepEqual(convs, convIds, `conversation results in the order given: ${JSON.stringify(results)}`);
  assert.equal(results.length, userIds.length + convIds.length, 'one result per target');
}

describe('broadcasts', () => {
  it('sends where allowed, reports each failure, and a retry sends nothing twice', async () => {
    const [me, u1, u2, x] = await registerMany(4);
    await block(u2, me); // u2 blocked me
    const existing = await openDirect(me, u1);
    const g1 = await createGroup(x, [me, u1], { title: `G1 ${hex(3)}` });
    const ch = await createGroup(x, [me], { kind: 'channel', title: `Ch ${hex(3)}` });
    const g2 = await createGroup(x, [], { title: `G2 ${hex(3)}` });
    const body = `broadcast ${hex(6)}`;
    const client_id = uuid();
    const req = {
      body, client_id,
      user_ids: [u1.user.id, u2.user.id],
      conversation_ids: [g1.id, ch.id, g2.id],
    };
    const r = await broadcast(me, req);
    assert.equal(r.status, 201, show(r));
    const res = r.json.results;
    assert.ok(Array.isArray(res), show(r));
    assertOrder(res, req.user_ids, req.conversation_ids);
    const ru1 = res.find((x) => x.user_id === u1.user.id);
    const ru2 = res.find((x) => x.user_id === u2.user.id);
    const rg1 = res.find((x) => x.conversation_id === g1.id && x.target === 'conversation');
    const rch = res.find((x) => x.conversation_id === ch.id);
    const rg2 = res.find((x) => x.conversation_id === g2.id);

    assert.equal(ru1.status, 'sent', JSON.stringify(ru1));
    assert.equal(ru1.conversation_id, existing.id, 'into our existing direct conversation');
    assert.ok(Number.isInteger(ru1.seq), JSON.stringify(ru1));
    // A block is not told apart from any other refusal.
    assert.deepEqual([ru2.status, ru2.reason], ['failed', 'not_allowed'], JSON.stringify(ru2));
    assert.equal(rg1.status, 'sent', JSON.stringify(rg1));
    assert.ok(Number.isInteger(rg1.seq), JSON.stringify(rg1));
    assert.deepEqual([rch.status, rch.reason], ['failed', 'not_allowed'], JSON.stringify(rch));
    assert.deepEqual([rg2.status, rg2.reason], ['failed', 'not_member'], JSON.stringify(rg2));

    // what the recipients see
    const d = (await allMessages(u1, existing.id)).find((m) => m.seq === ru1.seq);
    assert.equal(d?.body, body, 'u1 has it at the reported seq');
    assert.equal(d.sender.id, me.user.id);
    const gm = (await allMessages(x, g1.id)).find((m) => m.seq === rg1.seq);
    assert.equal(gm?.body, body, 'the group has it at the reported seq');
    assert.equal(await copies(x, ch.id, body), 0, 'not in the channel');
    assert.equal(await copies(x, g2.id, body), 0, 'not in the group I am not in');
    const u2list = await listConversations(u2);
    assert.ok(!JSON.stringify(u2list).includes(body), 'nothing reached the person who blocked me');

    // the retry
    const again = await broadcast(me, req);
    expectStatus(again, [200, 201], 'retry');
    assert.deepEqual(again.json.results, res, 'the same results');
    assert.equal(await copies(u1, existing.id, body), 1, 'u1 has it once');
    assert.equal(await copies(x, g1.id, body), 1, 'the group has it once');
    assert.equal(await copies(x, ch.id, body), 0);
    assert.equal(await copies(x, g2.id, body), 0);
  });

  it('creates the direct conversation when needed; unknown user → not_found; one I blocked → not_allowed', async () => {
    const [me, fresh, blockedByMe] = await registerMany(3);
    await block(me, blockedByMe);
    const ghost = 2 ** 31 - 3;
    const body = `hello ${hex(5)}`;
    const r = await broadcast(me, {
      body, client_id: uuid(), user_ids: [ghost, fresh.user.id, blockedByMe.user.id], conversation_ids: [],
    });
    assert.equal(r.status, 201, show(r));
    const res = r.json.results;
    assertOrder(res, [ghost, fresh.user.id, blockedByMe.user.id], []);
    assert.deepEqual([res[0].status, res[0].reason], ['failed', 'not_found'], JSON.stringify(res[0]));
    assert.equal(res[1].status, 'sent', JSON.stringify(res[1]));
    assert.deepEqual([res[2].status, res[2].reason], ['failed', 'not_allowed'], JSON.stringify(res[2]));
    const list = await listConversations(fresh);
    const conv = list.find((c) => c.id === res[1].conversation_id);
    assert.ok(conv, 'the new direct conversation is in their list');
    assert.equal(conv.kind, 'direct');
    assert.equal(conv.last_message?.body, body);
    assert.equal(conv.unread, 1);
  });

  it('an unknown conversation id → failed (not_member), revealing nothing', async () => {
    const me = await register();
    const r = await broadcast(me, { body: 'x', client_id: uuid(), user_ids: [], conversation_ids: [2 ** 31 - 5] });
    assert.equal(r.status, 201, show(r));
    assert.equal(r.json.results.length, 1);
    assert.equal(r.json.results[0].status, 'failed');
    assert.ok(['not_member', 'not_found'].includes(r.json.results[0].reason), JSON.stringify(r.json.results[0]));
  });

  it('validation: no session 401, bad body/client_id 400, over 500 targets 400', async () => {
    const [me, u] = await registerMany(2);
    assertError(await broadcast(null, { body: 'x', client_id: uuid(), user_ids: [u.user.id] }), 401, 'unauthorized');
    assertError(await broadcast(me, { body: '', client_id: uuid(), user_ids: [u.user.id] }), 400, ['missing_field', 'invalid_field']);
    assertError(await broadcast(me, { body: 'x', client_id: 'nope', user_ids: [u.user.id] }), 400, 'invalid_field', 'client_id');
    assertError(
      await broadcast(me, { body: 'x'.repeat(16 * 1024 + 1), client_id: uuid(), user_ids: [u.user.id] }),
      400, 'invalid_field', 'body',
    );
    const many = Array.from({ length: 501 }, (_, i) => 2 ** 30 + i);
    const r = await broadcast(me, { body: 'x', client_id: uuid(), user_ids: many, conversation_ids: [] });
    assertError(r, 400, ['invalid_field', 'too_many_targets', 'bad_request']);
    assert.deepEqual(await listConversations(u), [], 'nothing was sent by the refused requests');
  });
});
