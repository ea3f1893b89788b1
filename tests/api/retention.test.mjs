// Message retention: an instance-wide limit (administrators) and one per group or channel
// (its owners and admins); the shorter applies. The retention job (`parley retention run`
// here, hourly in parley-worker) turns only the messages past the limit into tombstones,
// as a delete does: body, reactions and files gone, every seq still there.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { api, register, createGroup, send, assertError, allMessages, sql } from './lib.mjs';

function cli(...args) {
  return execFileSync(`${process.env.BIN}/parley`, args, { env: process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const setInstance = (admin, days) => api('PATCH', '/api/v1/admin/settings', { token: admin.token, json: { message_retention_days: days } });
const setConv = (u, id, days) => api('PATCH', `/api/v1/conversations/${id}`, { token: u.token, json: { retention_days: days } });
/** Makes message seq of conversation id look `days` old. */
const age = (id, seqs, days) =>
  sql(`UPDATE messages SET created_at = now() - interval '${days} days' WHERE conversation_id = ${id} AND seq IN (${seqs.join(',')})`);

/** Sends n messages; returns their seqs. */
async function fill(u, id, n, tag) {
  const seqs = [];
  for (let i = 0; i < n; i++) seqs.push((await send(u, id, `${tag} ${i}`)).seq);
  return seqs;
}

/** Asserts the history is gap-free and exactly the seqs in gone are tombstones. */
async function assertGone(u, id, gone, what) {
  const all = await allMessages(u, id);
  assert.deepEqual(all.map((m) => m.seq), all.map((_, i) => i + 1), `${what}: every seq is still there`);
  for (const m of all) {
    if (gone.includes(m.seq)) {
      assert.equal(m.deleted, true, `${what}: seq ${m.seq} is a tombstone`);
      assert.equal(m.body, null);
      assert.deepEqual(m.attachments, []);
      assert.deepEqual(m.reactions, []);
    } else {
      assert.equal(m.deleted, false, `${what}: seq ${m.seq} is kept`);
      assert.ok(m.body !== null);
    }
  }
  return all;
}

let admin, alice, bob, stranger;
before(async () => {
  [admin, alice, bob, stranger] = await Promise.all([register(), register(), register(), register()]);
  assert.match(cli('admin', 'grant', admin.username), /is now an administrator/);
});
after(async () => {
  await setInstance(admin, null);               // other test files keep their messages
});

describe('retention settings', () => {
  it('a conversation\'s owners and admins set it; members get 403, others 404', async () => {
    const g = await createGroup(alice, [bob]);
    assert.equal(g.retention_days, null);
    const r = await setConv(alice, g.id, 30);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.conversation.retention_days, 30);
    assertError(await setConv(bob, g.id, 1), 403, 'forbidden');
    assertError(await setConv(stranger, g.id, 1), 404, 'not_found');
    const s = await api('GET', `/api/v1/conversations/${g.id}/settings`, { token: bob.token });
    assert.equal(s.json.conversation.retention_days, 30);
    assert.equal(s.json.conversation.effective_retention_days, 30);
    const all = await allMessages(bob, g.id);
    assert.match(all[all.length - 1].body, /set messages to be deleted after 30 days/, 'the members are told');
    const off = await setConv(alice, g.id, null);
    assert.equal(off.json.conversation.retention_days, null);
    assert.equal((await setConv(alice, g.id, 0)).json.conversation.retention_days, null, '0 also keeps them');
  });

  it('refuses values that are not 0-36500 days', async () => {
    const g = await createGroup(alice, []);
    for (const bad of [-1, 36501, 'soon', 1.5, true]) {
      assertError(await setConv(alice, g.id, bad), 400, 'invalid_field', 'retention_days');
      assertError(await setInstance(admin, bad), 400, 'invalid_field', 'message_retention_days');
    }
    assert.equal(sql(`SELECT retention_days IS NULL FROM conversations WHERE id = ${g.id}`), 't');
  });

  it('the instance-wide limit is an administrator\'s setting, audited', async () => {
    assert.equal((await setInstance(alice, 30)).status, 404, 'not an administrator');
    const r = await setInstance(admin, 90);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.settings.message_retention_days, 90);
    assert.equal(r.json.settings.registration, 'open', 'the other setting is untouched');
    const users = await api('GET', '/api/v1/admin/users', { token: admin.token });
    assert.equal(users.json.message_retention_days, 90);
    const audit = await api('GET', '/api/v1/admin/audit?action=admin.settings', { token: admin.token });
    assert.ok(audit.json.entries.some((e) => e.detail.message_retention_days === 90));
    const page = await api('GET', '/admin', { token: admin.token });
    assert.match(page.text, /name="message_retention_days"[^>]*value="90"/);
    const cleared = await setInstance(admin, null);
    assert.equal(cleared.json.settings.message_retention_days, null);
  });
});

describe('the retention job', () => {
  it('turns only messages past the conversation\'s limit into tombstones, files and reactions too', async () => {
    const g = await createGroup(alice, [bob]);             // seq 1: "created the group"
    const seqs = await fill(alice, g.id, 5, 'plan');        // 2..6
    const up = await api('POST', '/api/v1/media?name=old.bin', {
      token: alice.token, body: randomBytes(100), headers: { 'Content-Type': 'application/octet-stream' },
    });
    const withFile = await api('POST', `/api/v1/conversations/${g.id}/messages`, { token: alice.token, json: { body: 'old file', media_ids: [up.json.media.id] } });
    assert.equal(withFile.status, 201);
    const fileSeq = withFile.json.message.seq;              // 7
    const react = await api('POST', `/api/v1/conversations/${g.id}/messages/${seqs[0]}/reactions`, { token: bob.token, json: { emoji: '👍' } });
    assert.equal(react.status, 200, react.text);
    assert.equal((await setConv(alice, g.id, 30)).status, 200);  // seq 8: the note about it
    age(g.id, [seqs[0], seqs[1], fileSeq], 40);
    age(g.id, [seqs[2]], 29);
    assert.match(cli('retention', 'run'), /retention: \d+ messages deleted/);
    await assertGone(bob, g.id, [seqs[0], seqs[1], fileSeq], 'limit 30 days');
    assert.equal(sql(`SELECT count(*) FROM message_media WHERE conversation_id = ${g.id}`), '0', 'the file is detached for the media clean-up');
    assert.equal(sql(`SELECT count(*) FROM reactions WHERE conversation_id = ${g.id}`), '0');
    const conv = await api('GET', `/api/v1/conversations/${g.id}`, { token: alice.token });
    assert.equal(conv.json.conversation.last_seq, 8);
    // Running again changes nothing.
    cli('retention', 'run');
    await assertGone(bob, g.id, [seqs[0], seqs[1], fileSeq], 'second run');
    const audit = await api('GET', '/api/v1/admin/audit?action=retention.run', { token: admin.token });
    assert.ok(audit.json.entries.length >= 1 && audit.json.entries[0].detail.messages >= 3, 'the count is in the audit log');
  });

  it('the shorter of the instance\'s and the conversation\'s limits wins', async () => {
    const longer = await createGroup(alice, []);            // conversation 60 days, instance 30
    const shorter = await createGroup(alice, []);           // conversation 7 days, instance 30
    const plain = await createGroup(alice, []);             // instance 30 only
    const kept = await createGroup(alice, []);              // kept: no limit until the instance's is set
    const a = await fill(alice, longer.id, 3, 'a');
    const b = await fill(alice, shorter.id, 3, 'b');
    const c = await fill(alice, plain.id, 3, 'c');
    const d = await fill(alice, kept.id, 2, 'd');
    assert.equal((await setConv(alice, longer.id, 60)).status, 200);
    assert.equal((await setConv(alice, shorter.id, 7)).status, 200);
    for (const [g, s] of [[longer, a], [shorter, b], [plain, c]]) {
      age(g.id, [s[0]], 40);
      age(g.id, [s[1]], 10);
    }
    age(kept.id, d, 400);
    cli('retention', 'run');
    await assertGone(alice, longer.id, [], 'conversation 60 days, no instance limit');
    await assertGone(alice, shorter.id, [b[0], b[1]], 'conversation 7 days');
    await assertGone(alice, plain.id, [], 'no limit at all');
    await assertGone(alice, kept.id, [], 'no limit at all');
    assert.equal((await setInstance(admin, 30)).status, 200);
    const s = await api('GET', `/api/v1/conversations/${longer.id}/settings`, { token: alice.token });
    assert.equal(s.json.conversation.effective_retention_days, 30);
    assert.equal(s.json.conversation.instance_retention_days, 30);
    cli('retention', 'run');
    await assertGone(alice, longer.id, [a[0]], 'instance 30 beats conversation 60');
    await assertGone(alice, shorter.id, [b[0], b[1]], 'conversation 7 beats instance 30');
    await assertGone(alice, plain.id, [c[0]], 'instance 30 alone');
    await assertGone(alice, kept.id, d, 'instance 30 alone');
    assert.equal((await setInstance(admin, 0)).status, 200);
  });

  it('runs in parley-worker: queued every hour, and by hand', async () => {
    assert.ok(Number(sql("SELECT count(*) FROM jobs WHERE kind = 'retention' AND idem_key LIKE 'retention:%'")) >= 1,
      'the worker queued this hour\'s run when it started');
    const g = await createGroup(alice, []);
    const s = await fill(alice, g.id, 2, 'w');
    assert.equal((await setConv(alice, g.id, 3)).status, 200);
    age(g.id, [s[0]], 4);
    assert.match(cli('jobs', 'enqueue', 'retention'), /queued job \d+/);
    const until = Date.now() + 20000;
    for (;;) {
      const all = await allMessages(alice, g.id);
      if (all.find((m) => m.seq === s[0]).deleted) break;
      assert.ok(Date.now() < until, 'the worker turned the old message into a tombstone');
      await new Promise((r) => setTimeout(r, 200));
    }
    await assertGone(alice, g.id, [s[0]], 'by the worker');
  });

  it('is shown and set on the conversation settings page', async () => {
    const g = await createGroup(alice, [bob]);
    await setConv(alice, g.id, 14);
    const owner = await api('GET', `/conversations/${g.id}/settings`, { token: alice.token });
    assert.equal(owner.status, 200);
    assert.match(owner.text, /<input id="retention_days" name="retention_days" type="number"[^>]*value="14"/);
    const member = await api('GET', `/conversations/${g.id}/settings`, { token: bob.token });
    assert.doesNotMatch(member.text, /name="retention_days"/);
    assert.match(member.text, /Messages are deleted after 14 days/);
  });
});
