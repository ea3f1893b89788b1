// The accessibility and validity gate: every page a person can open, light and dark, 1280 px
// and 390 px wide, has no critical or serious axe-core violation, and the HTML the server
// sends has no html-validate error (recommended preset). The conversations are filled the
// way people fill them (messages, a reply, reactions, an edit, a deletion, system lines), so
// every partial a conversation can show is on a checked page.
//
// Environment: PARLEY_URL, CHROMIUM (see lib.mjs); BIN (the built programs) to make an
// administrator with `parley admin grant` for the admin pages (without BIN those two pages
// are reported as not checked, and the test fails: nothing is skipped silently).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ipSource, useBrowser, pageSource, problemWatcher } from './lib.mjs';
import { apiPerson, call, send } from './api.mjs';
import { pageProblems } from './a11y.mjs';

const fakeIp = ipSource(91);
const newContext = useBrowser();
const problems = [];
const newPage = pageSource(newContext, fakeIp, problemWatcher(problems));

/** A registered person (logged in on their page). */
const person = (displayName) => apiPerson(newPage, displayName, { prefix: 'a' });

let alice, bob, carol, direct, group, channel, editSeq;


/** Checks every path as `who` and fails with every problem found, page by page. */
async function gate(page, paths) {
  const found = [];
  for (const path of paths) found.push(...(await pageProblems(page, path)));
  assert.deepEqual(found, [], `\n${found.join('\n')}`);
}

describe('every page passes axe-core and html-validate, light and dark, wide and narrow', () => {
  before(async () => {
    [alice, bob, carol] = await Promise.all([person('Alice Gate'), person('Bob Gate'), person('Carol Gate')]);
    // Alice is an administrator, for the admin pages.
    if (process.env.BIN) {
      execFileSync(`${process.env.BIN}/parley`, ['admin', 'grant', alice.username], { env: process.env, stdio: 'ignore' });
    }
    direct = (await call(alice, 'POST', '/conversations', { kind: 'direct', members: [bob.id] })).conversation.id;
    const first = await send(alice, direct, 'Hello **Bob**, see https://example.com');
    await send(bob, direct, `Hi @${alice.username}`, { reply_to: first });
    await call(bob, 'POST', `/conversations/${direct}/messages/${first}/reactions`, { emoji: '👍' });
    editSeq = await send(alice, direct, 'A typo here');
    await call(alice, 'PATCH', `/conversations/${direct}/messages/${editSeq}`, { body: 'No typo here' });
    const gone = await send(bob, direct, 'Never mind');
    await call(bob, 'DELETE', `/conversations/${direct}/messages/${gone}`);
    await send(alice, direct, '`code` and *italic*');

    const ids = async (...who) => who.map((w) => w.id);
    group = (await call(alice, 'POST', '/conversations', { kind: 'group', title: 'Gate group', description: 'Checked pages', members: await ids(bob, carol) })).conversation.id;
    await send(bob, group, 'Hello group');
    await call(alice, 'PATCH', `/conversations/${group}`, { title: 'Gate group renamed' });
    await call(carol, 'DELETE', `/conversations/${group}/members/${(await ids(carol))[0]}`);
    channel = (await call(alice, 'POST', '/conversations', { kind: 'channel', title: 'Gate news', members: await ids(bob) })).conversation.id;
    await send(alice, channel, 'Announcement');
  });

  test('pages for visitors', async () => {
    const page = await newPage();
    await gate(page, ['/', '/login', '/register', '/password/forgot', `/users/${alice.username}`, '/no-such-page']);
  });

  test('the conversations of a member (direct, group, channel)', async () => {
    await gate(bob.page, [
      '/conversations',
      `/conversations/${direct}`,
      `/conversations/${direct}?reply_to=1`,
      `/conversations/${direct}?around=2`,
      `/conversations/${direct}/settings`,
      `/conversations/${group}`,
      `/conversations/${group}/settings`,
      `/conversations/${channel}`,
    ]);
  });

  test('the pages of an owner and administrator', async () => {
    assert.ok(process.env.BIN, 'BIN must name the built programs to make an administrator');
    await gate(alice.page, [
      '/',
      `/conversations/${direct}/messages/${editSeq}/edit`,
      `/conversations/${direct}/messages/${editSeq}/react`,
      `/conversations/${direct}/messages/${editSeq}/react?q=heart`,
      `/conversations/${group}/settings`,
      `/conversations/${group}/moderation`,
      `/conversations/${channel}/settings`,
      '/contacts',
      `/users?q=${bob.username.slice(0, 4)}`,
      `/users/${bob.username}`,
      '/search?q=typo',
      '/broadcasts',
      '/me',
      '/me/security',
      '/me/sessions',
      '/me/tokens',
      '/me/2fa',
      '/me/passkeys',
      '/me/exports',
      '/reports',
      `/reports/new?conversation_id=${direct}&seq=1`,
      '/admin',
      '/admin/reports',
    ]);
  });

  test('a message request and a group invitation: the Requests page and the request\'s conversation', async () => {
    const dan = await apiPerson(newPage, 'Dan Gate', { prefix: 'a', requests: true });
    const req = (await call(alice, 'POST', '/conversations', { kind: 'direct', members: [dan.id] })).conversation.id;
    await send(alice, req, 'Hello Dan, we have not met');
    const club = (await call(alice, 'POST', '/conversations', { kind: 'group', title: 'Gate club', members: [] })).conversation.id;
    assert.equal((await call(alice, 'POST', `/conversations/${club}/members`, { username: dan.username })).invited, true);
    await gate(dan.page, ['/requests', `/conversations/${req}`, `/conversations/${req}/settings`]);
  });

  test('no page had a script error', () => {
    assert.deepEqual(problems, []);
  });
});
