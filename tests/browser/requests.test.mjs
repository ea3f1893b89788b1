// Message requests as the recipient meets them in Chromium: the Requests badge (and the
// Contacts badge for a contact request) appears live, a group invitation from a stranger
// too and Join opens the group,
// the request opens from it and Accept moves it into the conversation list; Block from the
// Requests page keeps the blocked person's next message from ever showing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ipSource, useBrowser, pageSource, problemWatcher, waitFor, waitLive, message, LIVE_MS } from './lib.mjs';
import { apiPerson, send, call } from './api.mjs';

const fakeIp = ipSource(96);
const newContext = useBrowser();
const problems = [];
const newPage = pageSource(newContext, fakeIp, problemWatcher(problems));
const WIDE = { viewport: { width: 1280, height: 900 } };

/** The number on the navigation's Requests badge ('' when it is hidden). */
async function requestsBadge(page) {
  const badge = page.locator('#nav-requests');
  if (!(await badge.isVisible())) return '';
  return (await badge.innerText()).replace(/\D+/g, '');
}

/** `from` opens a direct conversation with `to` and writes `body`; returns its id. */
async function firstMessage(from, to, body) {
  const id = (await call(from, 'POST', '/conversations', { kind: 'direct', members: [to.id] })).conversation.id;
  await send(from, id, body);
  return id;
}

describe('message requests', () => {
  test('a request shows up live, opens from the badge and is accepted into the list', async () => {
    const dan = await apiPerson(newPage, 'Dan Request', { context: WIDE, prefix: 'r', requests: true });
    const amy = await apiPerson(newPage, 'Amy Stranger', { prefix: 'r' });
    const page = dan.page;
    await page.goto('/me');
    await waitLive(page);
    assert.equal(await requestsBadge(page), '');
    // A contact request shows on Contacts, live.
    await call(amy, 'POST', '/contacts', { username: dan.username });
    await waitFor('the Contacts badge shows 1', async () =>
      (await page.locator('#nav-contact-requests').isVisible()) &&
      (await page.locator('#nav-contact-requests').innerText()).replace(/\D+/g, '') === '1', LIVE_MS);
    // A hidden tab of Dan's records desktop notifications (as live.test.mjs does).
    const hiddenTab = await page.context().newPage();
    await hiddenTab.addInitScript(() => {
      window.__notes = [];
      window.Notification = class {
        static get permission() { return 'granted'; }
        static requestPermission() { return Promise.resolve('granted'); }
        constructor(title, options = {}) { window.__notes.push({ title, body: options.body }); }
        addEventListener() {}
        close() {}
      };
      Object.defineProperty(document, 'hidden', { get: () => true, configurable: true });
    });
    await hiddenTab.goto('/me');
    await waitLive(hiddenTab);
    const id = await firstMessage(amy, dan, 'Hello Dan, may I ask you something?');
    await waitFor('the Requests badge shows 1', async () => (await requestsBadge(page)) === '1', LIVE_MS);
    assert.equal((await page.locator('#nav-unread').isVisible()), false, 'a request is no unread message');
    await page.locator('#nav-requests').click();
    await page.waitForURL(/\/requests$/);
    const item = page.locator(`[data-request="${id}"]`);
    assert.match(await item.innerText(), /Amy Stranger/);
    assert.match(await item.innerText(), /Hello Dan, may I ask you something\?/);
    await item.getByRole('button', { name: /^Accept/ }).click();
    await page.waitForURL(new RegExp(`/conversations/${id}$`));
    await message(page, 'Hello Dan, may I ask you something?').waitFor();
    assert.equal(await page.locator('.request-bar').count(), 0, 'no request bar once accepted');
    await waitFor('the conversation is in the list', async () =>
      (await page.locator(`[data-inbox] a[href="/conversations/${id}"]`).count()) > 0, LIVE_MS);
    await waitFor('the Requests badge goes away', async () => (await requestsBadge(page)) === '', LIVE_MS);
    // Accepted, Amy's next message notifies; the request itself never did.
    await send(amy, id, 'Thanks for accepting');
    await waitFor('a notification', async () => (await hiddenTab.evaluate(() => window.__notes.length)) >= 1, LIVE_MS);
    assert.deepEqual(await hiddenTab.evaluate(() => window.__notes.map((n) => n.body)), ['Thanks for accepting']);
    await hiddenTab.close();
    assert.deepEqual(problems, []);
  });

  test('a blocked request: the person\'s next message never shows', async () => {
    const dan = await apiPerson(newPage, 'Dan Blocks', { context: WIDE, prefix: 'r', requests: true });
    const eve = await apiPerson(newPage, 'Eve Spammer', { prefix: 'r' });
    const id = await firstMessage(eve, dan, 'Cheap watches here');
    const page = dan.page;
    await page.goto('/requests');
    await waitLive(page);
    const item = page.locator(`[data-request="${id}"]`);
    await item.getByRole('checkbox', { name: /Report/ }).check();
    await item.getByRole('button', { name: /^Block/ }).click();
    await page.waitForURL(/\/requests\?done=reported$/);
    assert.match(await page.locator('main').innerText(), /Blocked and reported/);
    assert.equal(await page.locator(`[data-request="${id}"]`).count(), 0, 'the request is gone');
    // Eve writes again: refused, and nothing reaches Dan's pages.
    const res = await eve.page.request.fetch(`/api/v1/conversations/${id}/messages`, {
      method: 'POST', headers: { 'X-CSRF-Token': eve.csrf }, data: { body: 'Are you there?', client_id: randomUUID() },
    });
    assert.equal(res.status(), 403, await res.text());
    await page.goto('/requests');
    assert.doesNotMatch(await page.locator('main').innerText(), /Eve Spammer|Are you there/);
    await page.goto('/conversations');
    assert.doesNotMatch(await page.locator('main').innerText(), /Eve Spammer|Are you there/);
    assert.equal(await requestsBadge(page), '');
    assert.deepEqual(problems, []);
  });

  test('a group invitation from a stranger shows up live; Join opens the group', async () => {
    const dan = await apiPerson(newPage, 'Dan Invited', { context: WIDE, prefix: 'r', requests: true });
    const gus = await apiPerson(newPage, 'Gus Organiser', { prefix: 'r' });
    const id = (await call(gus, 'POST', '/conversations', { kind: 'group', title: 'Book club', members: [] })).conversation.id;
    await send(gus, id, 'Welcome to the book club');
    const page = dan.page;
    await page.goto('/me');
    await waitLive(page);
    assert.equal(await requestsBadge(page), '');
    const added = await call(gus, 'POST', `/conversations/${id}/members`, { username: dan.username });
    assert.equal(added.invited, true);
    await waitFor('the Requests badge shows 1', async () => (await requestsBadge(page)) === '1', LIVE_MS);
    await page.locator('#nav-requests').click();
    await page.waitForURL(/\/requests$/);
    const item = page.locator(`[data-invitation="${id}"]`);
    assert.match(await item.innerText(), /Book club/);
    assert.match(await item.innerText(), /Gus Organiser/);
    assert.match(await item.innerText(), /1 member\b/);
    await item.getByRole('button', { name: /^Join/ }).click();
    await page.waitForURL(new RegExp(`/conversations/${id}$`));
    await message(page, 'Welcome to the book club').waitFor();
    await waitFor('the group is in the list', async () =>
      (await page.locator(`[data-inbox] a[href="/conversations/${id}"]`).count()) > 0, LIVE_MS);
    await waitFor('the Requests badge goes away', async () => (await requestsBadge(page)) === '', LIVE_MS);
    assert.deepEqual(problems, []);
  });
});
