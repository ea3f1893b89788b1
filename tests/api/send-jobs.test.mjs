// The send path queues a message's jobs (Web Push, the e-mail digest check, outgoing
// webhooks, the link preview) in the sending statement itself: they commit with the message
// or not at all. What a user would see depends on it (a notification for every message, none
// for a send that was refused), so the test reads the job rows a send leaves behind.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, register, createGroup, send, sendRaw, assertError, sql, haveDb, hex, show } from './lib.mjs';

const SERVICE = process.env.PARLEY_PUSH_SERVICE;
const HOOK_PORT = Number(process.env.PARLEY_TEST_HOOK_PORT || 0);
const b64u = (b) => Buffer.from(b).toString('base64url');

/** Subscribes u's "device" at the push stand-in (asserts 201). */
async function subscribe(u) {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const keys = { publicKey: b64u(ecdh.getPublicKey()), privateKey: b64u(ecdh.getPrivateKey()), auth: b64u(crypto.randomBytes(16)) };
  const reg = await fetch(`${SERVICE}/_subscriptions/s${hex(6)}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(keys),
  });
  const { endpoint } = await reg.json();
  const r = await api('POST', '/api/v1/push/subscriptions', { token: u.token, json: { endpoint, keys: { p256dh: keys.publicKey, auth: keys.auth } } });
  assert.equal(r.status, 201, show(r));
}

/** The jobs of message seq of conversation conv: kind → the row's created_at, equal-to-the-message flag. */
function jobsOf(conv, seq) {
  const rows = sql(`SELECT j.kind, j.created_at = m.created_at FROM jobs j JOIN messages m ON m.conversation_id = ${conv} AND m.seq = ${seq} ` +
                   `WHERE j.payload->>'conversation_id' = '${conv}' AND j.payload->>'seq' = '${seq}' ORDER BY j.kind`);
  return rows ? rows.split('\n').map((l) => l.split('|')) : [];
}

const jobCount = (conv) => Number(sql(`SELECT count(*) FROM jobs WHERE payload->>'conversation_id' = '${conv}'`));

describe('jobs queued by the sending statement', { skip: !haveDb || !SERVICE || !HOOK_PORT ? 'needs PARLEY_DB, the push stand-in and the hook port' : false }, () => {
  it('a send with a push subscriber, an outgoing webhook and a link commits its jobs with the message', async () => {
    const [a, b] = [await register(), await register()];
    const g = await createGroup(a, [b]);
    await subscribe(b);
    sql(`UPDATE users SET email = 'sj-${b.user.id}@example.test', email_verified_at = now() WHERE id = ${b.user.id}`);
    const out = await api('POST', `/api/v1/conversations/${g.id}/outgoing-webhooks`, {
      token: a.token, json: { name: 'Jobs', url: `http://127.0.0.1:${HOOK_PORT}/send-jobs` },
    });
    assert.equal(out.status, 201, show(out));
    const hookId = out.json.outgoing_webhook.id;
    const url = `https://example.org/send-jobs-${hex(4)}`;

    const m = await send(a, g.id, `release notes: ${url}`);
    const jobs = jobsOf(g.id, m.seq);
    assert.deepEqual(jobs.map(([k]) => k), ['digest.message', 'hook.send', 'push.message'], 'one job of each kind for the message');
    // now() is the transaction's start: the same instant on the message and each job means one transaction.
    for (const [k, same] of jobs) assert.equal(same, 't', `${k} was queued in the message's transaction`);
    assert.equal(sql(`SELECT payload->>'webhook_id' FROM jobs WHERE kind = 'hook.send' AND payload->>'conversation_id' = '${g.id}' ` +
                     `AND payload->>'seq' = '${m.seq}'`), String(hookId));
    // The link: tied to the message, and its fetch queued in the same transaction.
    assert.equal(sql(`SELECT url FROM message_previews WHERE conversation_id = ${g.id} AND seq = ${m.seq}`), url);
    assert.equal(sql(`SELECT count(*) FROM jobs j, messages m WHERE j.kind = 'preview.fetch' AND j.payload->>'url' = '${url}' ` +
                     `AND m.conversation_id = ${g.id} AND m.seq = ${m.seq} AND j.created_at = m.created_at`), '1');

    // A retry of the same send queues nothing twice.
    const again = await sendRaw(a, g.id, `release notes: ${url}`, { client_id: m.client_id });
    assert.equal(again.status, 200, show(again));
    assert.equal(jobsOf(g.id, m.seq).length, 3);
    // Nothing listens at the webhook's URL: revoked, so its retries end instead of reaching
    // another test's receiver later.
    const del = await api('DELETE', `/api/v1/conversations/${g.id}/outgoing-webhooks/${hookId}`, { token: a.token });
    assert.equal(del.status, 204, show(del));
  });

  it('a message nobody else could hear of queues no push, digest or webhook job', async () => {
    const a = await register();
    const g = await createGroup(a, []);
    const m = await send(a, g.id, 'talking to myself');
    assert.deepEqual(jobsOf(g.id, m.seq), [], 'no other member: nothing to notify');
  });

  it('a send refused by a check creates no job', async () => {
    const [a, b, c] = [await register(), await register(), await register()];
    const ch = await createGroup(a, [b], { kind: 'channel' });
    await subscribe(a);
    await subscribe(b);
    const before = jobCount(ch.id);
    assertError(await sendRaw(b, ch.id, 'members cannot post in a channel'), 403);
    assertError(await sendRaw(c, ch.id, 'a stranger cannot post'), 404);
    assertError(await sendRaw(a, ch.id, '   '), 400);
    assert.equal(jobCount(ch.id), before, 'no job for a refused send');
    const m = await send(a, ch.id, 'the owner can');
    assert.deepEqual(jobsOf(ch.id, m.seq).map(([k]) => k), ['push.message']);
  });
});
