// The Mentions view (GET /api/v1/mentions and /mentions) reads the mentions table that the
// sending statement writes: @username of a member, @all and @here in groups and channels.
// Newest first, unread marked, paged, only conversations the reader is still a member of;
// edits rewrite a message's mentions and deletes remove them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { api, register, createGroup, openDirect, send, sql, haveDb, browserOf, assertError, show } from './lib.mjs';

async function mentions(u, query = '') {
  const r = await api('GET', `/api/v1/mentions${query}`, { token: u.token });
  assert.equal(r.status, 200, show(r));
  return r.json;
}
const addMember = (actor, convId, u) => api('POST', `/api/v1/conversations/${convId}/members`, { token: actor.token, json: { user_id: u.user.id } });
const removeMember = (actor, convId, u) => api('DELETE', `/api/v1/conversations/${convId}/members/${u.user.id}`, { token: actor.token });

describe('mentions', () => {
  it('lists @username, @all and @here newest first with their kind, unread marked; never my own', async () => {
    const [a, b, c] = [await register(), await register(), await register()];
    const g = await createGroup(a, [b, c]);
    const own = await send(b, g.id, `@${a.username} ready, @all`);   // b's own: not in b's list
    const m1 = await send(a, g.id, `@${b.username} can you look?`);
    const m2 = await send(a, g.id, '@all standup in 5');
    const m3 = await send(a, g.id, `@here and @${b.username} too`);
    await send(a, g.id, 'no mention here');
    assert.equal((await api('POST', `/api/v1/conversations/${g.id}/read`, { token: b.token, json: { seq: m1.seq } })).status, 200);
    const mb = await mentions(b);
    assert.deepEqual(mb.mentions.map((x) => [x.message.seq, x.kind, x.unread]),
      [[m3.seq, 'user', true], [m2.seq, 'all', true], [m1.seq, 'user', false]]);
    assert.equal(mb.mentions[0].conversation.id, g.id);
    assert.equal(mb.next_before, null);
    const mc = await mentions(c);
    assert.deepEqual(mc.mentions.map((x) => [x.message.seq, x.kind]), [[m3.seq, 'here'], [m2.seq, 'all'], [own.seq, 'all']],
                     "b's @all reaches c too");
    assert.deepEqual((await mentions(a)).mentions.map((x) => [x.message.seq, x.kind]), [[own.seq, 'user']]);
    // A direct conversation has no @all; the page shows the kinds.
    const d = await openDirect(a, b);
    await send(a, d.id, '@all in a direct message');
    assert.equal((await mentions(b)).mentions.length, 3);
    const page = await (await browserOf(c)).get('/mentions');
    assert.equal(page.status, 200);
    assert.match(page.text, /<span class="badge">@all<\/span>/);
    assert.match(page.text, /<span class="badge">@here<\/span>/);
    assertError(await api('GET', '/api/v1/mentions?before=x', { token: b.token }), 400, 'invalid_field', 'before');
  });

  it('a removed member sees none of that conversation\'s mentions, nor any sent while away', async () => {
    const [a, b] = [await register(), await register()];
    const g = await createGroup(a, [b]);
    const before = await send(a, g.id, `@${b.username} before`);
    assert.equal((await mentions(b)).mentions.length, 1);
    assert.equal((await removeMember(a, g.id, b)).status, 204);
    const away = await send(a, g.id, `@${b.username} while you are away`);
    await send(a, g.id, '@all while you are away');
    assert.deepEqual((await mentions(b)).mentions, [], 'no longer a member: nothing from there');
    const r = await addMember(a, g.id, b);
    assert.ok([200, 201].includes(r.status), show(r));
    const back = await mentions(b);
    assert.deepEqual(back.mentions.map((x) => x.message.seq), [before.seq], 'what was sent while away never mentioned b');
    assert.ok(!back.mentions.some((x) => x.message.seq === away.seq));
  });

  it('an edit rewrites a message\'s mentions, a delete removes them', async () => {
    const [a, b, c] = [await register(), await register(), await register()];
    const g = await createGroup(a, [b, c]);
    const m = await send(a, g.id, 'plain at first');
    const edit = (body) => api('PATCH', `/api/v1/conversations/${g.id}/messages/${m.seq}`, { token: a.token, json: { body } });
    assert.equal((await edit(`now for @${b.username}`)).status, 200);
    assert.deepEqual((await mentions(b)).mentions.map((x) => [x.message.seq, x.kind, x.message.body]), [[m.seq, 'user', `now for @${b.username}`]]);
    assert.deepEqual((await mentions(c)).mentions, []);
    assert.equal((await edit(`@all and @${c.username}`)).status, 200);
    assert.deepEqual((await mentions(b)).mentions.map((x) => x.kind), ['all']);
    assert.deepEqual((await mentions(c)).mentions.map((x) => x.kind), ['user']);
    assert.equal((await edit('nobody any more')).status, 200);
    assert.deepEqual((await mentions(b)).mentions, []);
    assert.deepEqual((await mentions(c)).mentions, []);
    const m2 = await send(a, g.id, `@${b.username} delete me`);
    assert.equal((await mentions(b)).mentions.length, 1);
    assert.equal((await api('DELETE', `/api/v1/conversations/${g.id}/messages/${m2.seq}`, { token: a.token })).status, 204);
    assert.deepEqual((await mentions(b)).mentions, []);
    if (haveDb) assert.equal(sql(`SELECT count(*) FROM mentions WHERE conversation_id = ${g.id}`), '0');
  });

  it('pages by message id, 50 at a time', async () => {
    const [a, b] = [await register(), await register()];
    const g = await createGroup(a, [b]);
    const seqs = [];
    for (let i = 0; i < 53; i++) seqs.push((await send(a, g.id, `@${b.username} number ${i}`)).seq);
    const p1 = await mentions(b);
    assert.equal(p1.mentions.length, 50);
    assert.equal(p1.mentions[0].message.seq, seqs[52]);
    assert.equal(typeof p1.next_before, 'number');
    const p2 = await mentions(b, `?before=${p1.next_before}`);
    assert.deepEqual(p2.mentions.map((x) => x.message.seq), [seqs[2], seqs[1], seqs[0]]);
    assert.equal(p2.next_before, null);
  });

  it('keywords still count, beside the stored mentions', async () => {
    const [a, b] = [await register(), await register()];
    const g = await createGroup(a, [b]);
    assert.equal((await api('PUT', '/api/v1/me/notifications', { token: b.token, json: { keywords: 'deploy' } })).status, 200);
    const k = await send(a, g.id, 'the deploy is done');
    const u = await send(a, g.id, `@${b.username} look`);
    const h = await send(a, g.id, '@here anyone?');
    await send(a, g.id, 'redeployment is not the word');
    assert.deepEqual((await mentions(b)).mentions.map((x) => [x.message.seq, x.kind]), [[h.seq, 'here'], [u.seq, 'user'], [k.seq, 'keyword']]);
  });

  it('the migration\'s backfill finds the mentions of stored messages', { skip: !haveDb && 'needs PARLEY_DB' }, async () => {
    const [a, b, c] = [await register(), await register(), await register()];
    const g = await createGroup(a, [b, c]);
    const m1 = await send(a, g.id, `hello @${b.username.toUpperCase()}.`);
    const m2 = await send(a, g.id, 'mail@example.org is no mention; @here is');
    sql(`DELETE FROM mentions WHERE conversation_id = ${g.id}`);
    const file = readFileSync(new URL('../../sql/027_send_path.sql', import.meta.url), 'utf8');
    const backfill = file.slice(file.lastIndexOf('INSERT INTO mentions'));
    sql(backfill);
    assert.deepEqual((await mentions(b)).mentions.map((x) => [x.message.seq, x.kind]), [[m2.seq, 'here'], [m1.seq, 'user']]);
    assert.deepEqual((await mentions(c)).mentions.map((x) => [x.message.seq, x.kind]), [[m2.seq, 'here']]);
  });
});
