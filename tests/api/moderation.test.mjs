// Moderation inside a group or channel: owners and admins mute a member for a time (they read
// but cannot send, edit or react, and hear that they are muted), unmute them, and see the
// group's moderation log; nobody else can, and nobody can mute an owner.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, register, assertError, createGroup, send, sendRaw, messages, openStream, openDirect, uuid, sql } from './lib.mjs';

const mute = (by, convId, who, minutes) =>
  api('POST', `/api/v1/conversations/${convId}/members/${who.user.id}/mute`, { token: by.token, json: minutes === undefined ? {} : { minutes } });
const unmute = (by, convId, who) => api('DELETE', `/api/v1/conversations/${convId}/members/${who.user.id}/mute`, { token: by.token });

let owner, admin, mel, ned, stranger, conv;
before(async () => {
  [owner, admin, mel, ned, stranger] = await Promise.all([register(), register(), register(), register(), register()]);
  conv = await createGroup(owner, [admin, mel, ned]);
  const r = await api('PATCH', `/api/v1/conversations/${conv.id}/members/${admin.user.id}`, { token: owner.token, json: { role: 'admin' } });
  assert.equal(r.status, 200, r.text);
});

describe('muting a member', () => {
  it('a muted member reads but cannot send, edit or react until unmuted, and is told until when', async () => {
    const before = await send(mel, conv.id, 'before the mute');
    const stream = await openStream(mel);
    let until;
    try {
      const r = await mute(admin, conv.id, mel, 60);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.member.id, mel.user.id);
      until = Date.parse(r.json.member.muted_until);
      assert.ok(Math.abs(until - (Date.now() + 3600e3)) < 120e3, `about an hour from now: ${r.json.member.muted_until}`);
      const ev = await stream.waitFor((e) => e.type === 'member.muted' && e.user_id === mel.user.id, 5000, 'the muted member hears of it');
      assert.equal(ev.conversation_id, conv.id);
      assert.equal(ev.muted_until, r.json.member.muted_until);
    } finally {
      stream.close();
    }
    const refused = await sendRaw(mel, conv.id, 'let me speak');
    assertError(refused, 403, 'forbidden');
    assert.match(refused.json.error.message, /muted you here until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    assertError(await api('PATCH', `/api/v1/conversations/${conv.id}/messages/${before.seq}`, { token: mel.token, json: { body: 'edited' } }), 403, 'forbidden');
    assertError(await api('POST', `/api/v1/conversations/${conv.id}/messages/${before.seq}/reactions`, { token: mel.token, json: { emoji: '👍' } }), 403, 'forbidden');
    // Reading goes on; others are not affected; the conversation says it to the muted person.
    await send(ned, conv.id, 'ned still talks');
    const page = await messages(mel, conv.id);
    assert.ok(page.messages.some((m) => m.body === 'ned still talks'));
    const mine = await api('GET', `/api/v1/conversations/${conv.id}`, { token: mel.token });
    assert.equal(mine.json.conversation.my_muted_until, new Date(until).toISOString().replace(/\.\d+Z$/, 'Z'));
    const members = mine.json.conversation.members;
    assert.ok(members.find((m) => m.id === mel.user.id).muted_until, 'the member list shows it');
    assert.equal(members.find((m) => m.id === ned.user.id).muted_until, null);
    const html = await api('GET', `/conversations/${conv.id}`, { token: mel.token });
    assert.match(html.text, /muted you here until/);
    assert.doesNotMatch(html.text, /class="composer-form"/, 'no composer while muted');

    const u = await unmute(owner, conv.id, mel);
    assert.equal(u.status, 200, u.text);
    assert.equal(u.json.member.muted_until, null);
    await send(mel, conv.id, 'back again', { client_id: uuid() });
  });

  it('a mute ends by itself when its time is up', async () => {
    const r = await mute(owner, conv.id, ned, 1);
    assert.equal(r.status, 200, r.text);
    assertError(await sendRaw(ned, conv.id, 'muted for a minute'), 403, 'forbidden');
    // Wind the clock: the mute's end is in the past now.
    sql(`UPDATE members SET muted_until = now() - interval '1 second' WHERE conversation_id = ${conv.id} AND user_id = ${ned.user.id}`);
    await send(ned, conv.id, 'free again');
  });

  it('only owners and admins mute; admins not admins; nobody owners or themselves; strangers see nothing', async () => {
    assertError(await mute(mel, conv.id, ned, 10), 403, 'forbidden');
    assertError(await mute(admin, conv.id, owner, 10), 403, 'forbidden');
    assertError(await mute(owner, conv.id, owner, 10), 400, 'bad_request');
    assertError(await mute(stranger, conv.id, mel, 10), 404, 'not_found');
    assertError(await mute(owner, conv.id, stranger, 10), 404, 'not_found');
    assertError(await mute(owner, conv.id, mel, 0), 400, 'invalid_field', 'minutes');
    assertError(await mute(owner, conv.id, mel, 60 * 24 * 31), 400, 'invalid_field', 'minutes');
    assertError(await mute(owner, conv.id, mel), 400, 'missing_field', 'minutes');
    const admin2 = await register();
    await api('POST', `/api/v1/conversations/${conv.id}/members`, { token: owner.token, json: { user_id: admin2.user.id, role: 'admin' } });
    assertError(await mute(admin, conv.id, admin2, 10), 403, 'forbidden');
    const ok = await mute(owner, conv.id, admin2, 10);
    assert.equal(ok.status, 200, 'an owner may mute an admin');
    const dm = await openDirect(owner, stranger);
    assertError(await mute(owner, dm.id, stranger, 10), 400, 'bad_request');
  });

  it('the moderation log: mutes, unmutes, removals and role changes, for owners and admins only', async () => {
    const gone = await register();
    await api('POST', `/api/v1/conversations/${conv.id}/members`, { token: owner.token, json: { user_id: gone.user.id } });
    assert.equal((await api('DELETE', `/api/v1/conversations/${conv.id}/members/${gone.user.id}`, { token: admin.token })).status, 204);
    const log = await api('GET', `/api/v1/conversations/${conv.id}/moderation`, { token: admin.token });
    assert.equal(log.status, 200, log.text);
    const seen = log.json.entries.map((e) => `${e.action} ${e.actor.username} ${e.subject.username}`);
    assert.ok(seen.includes(`member.mute ${admin.username} ${mel.username}`), seen.join('\n'));
    assert.ok(seen.includes(`member.unmute ${owner.username} ${mel.username}`), seen.join('\n'));
    assert.ok(seen.includes(`member.remove ${admin.username} ${gone.username}`), seen.join('\n'));
    assert.ok(seen.includes(`member.role ${owner.username} ${admin.username}`), seen.join('\n'));
    const m = log.json.entries.find((e) => e.action === 'member.mute' && e.subject.username === mel.username);
    assert.equal(m.detail.minutes, 60);
    assert.equal(m.detail.conversation_id, conv.id);
    assertError(await api('GET', `/api/v1/conversations/${conv.id}/moderation`, { token: mel.token }), 403, 'forbidden');
    assertError(await api('GET', `/api/v1/conversations/${conv.id}/moderation`, { token: stranger.token }), 404, 'not_found');
    const other = await createGroup(stranger, []);
    const otherLog = await api('GET', `/api/v1/conversations/${other.id}/moderation`, { token: stranger.token });
    assert.deepEqual(otherLog.json.entries, [], "another group's log has none of it");
    const page = await api('GET', `/conversations/${conv.id}/moderation`, { token: owner.token });
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`muted @${mel.username} for 1 hour`));
    // The muted person sees it in their own security log.
    const sec = await api('GET', '/api/v1/me/security', { token: mel.token });
    assert.ok(sec.json.entries.some((e) => e.action === 'member.mute'));
  });

  it('the settings page mutes and unmutes without JavaScript', async () => {
    const page = await api('GET', `/conversations/${conv.id}/settings`, { token: owner.token });
    assert.match(page.text, new RegExp(`action="/conversations/${conv.id}/members/${mel.user.id}/mute"`));
    assert.doesNotMatch(page.text, new RegExp(`action="/conversations/${conv.id}/members/${owner.user.id}/mute"`), 'not for oneself');
    const melPage = await api('GET', `/conversations/${conv.id}/settings`, { token: mel.token });
    assert.doesNotMatch(melPage.text, /\/mute"/, 'plain members get no mute buttons');
  });
});
