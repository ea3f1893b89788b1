// Unread messages as a person meets them: the navigation's badge and the tab's count on
// every page (live), the "New messages" line where they start, a conversation with more
// unread than a screen opening at that line with "Jump to latest", and "Mark all as read".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ipSource, useBrowser, pageSource, problemWatcher, waitFor, waitLive, message, LIVE_MS } from './lib.mjs';
import { apiPerson, send, direct, group } from './api.mjs';

const fakeIp = ipSource(94);
const newContext = useBrowser();
const problems = [];
const newPage = pageSource(newContext, fakeIp, problemWatcher(problems));
const WIDE = { viewport: { width: 1280, height: 900 } };

/** The number on the navigation's Conversations badge ('' when it is hidden). */
async function navBadge(page) {
  const badge = page.locator('#nav-unread');
  if (!(await badge.isVisible())) return '';
  return (await badge.innerText()).replace(/\D+/g, '');
}

/** Whether `locator` is inside the visible part of the message list. */
async function inView(page, locator) {
  return locator.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const view = el.closest('.chat-scroll').getBoundingClientRect();
    return box.bottom > view.top && box.top < view.bottom;
  });
}

describe('unread', () => {
  test('the badge and the tab count follow new messages live on any page', async () => {
    const alice = await apiPerson(newPage, 'Alice Unread', { context: WIDE, prefix: 'u' });
    const bob = await apiPerson(newPage, 'Bob Unread', { prefix: 'u' });
    const conv = await direct(alice, bob);
    const page = alice.page;
    await page.goto('/me');
    await waitLive(page);
    assert.equal(await navBadge(page), '');
    assert.doesNotMatch(await page.title(), /^\(\d+\)/);
    await page.evaluate(() => { window.unreadMarker = 1; });
    await send(bob, conv, 'one for the badge');
    await waitFor('the badge shows 1', async () => (await navBadge(page)) === '1', LIVE_MS);
    assert.match(await page.title(), /^\(1\) /);
    await send(bob, conv, 'two for the badge');
    await waitFor('the badge shows 2', async () => (await navBadge(page)) === '2', LIVE_MS);
    assert.match(await page.title(), /^\(2\) /);
    // Reading it in another tab clears the badge here.
    const other = await page.context().newPage();
    await other.goto(`/conversations/${conv}`);
    await message(other, 'two for the badge').waitFor();
    await waitFor('the badge goes away', async () => (await navBadge(page)) === '', LIVE_MS);
    assert.doesNotMatch(await page.title(), /^\(\d+\)/);
    assert.equal(await page.evaluate(() => window.unreadMarker), 1, 'no reload');
    // Without JavaScript the page shows it as rendered (the open conversation is closed
    // first: it would read what arrives).
    await other.close();
    await send(bob, conv, 'three, seen without scripts');
    const plain = await newContext(page.ip, () => {}, { javaScriptEnabled: false, storageState: await page.context().storageState() });
    const plainPage = await plain.newPage();
    await plainPage.goto('/contacts');
    assert.equal(await navBadge(plainPage), '1');
    assert.match(await plainPage.title(), /^\(1\) /);
  });

  test('many unread: the page opens at "New messages" with "Jump to latest"', async () => {
    const alice = await apiPerson(newPage, 'Alice Line', { context: WIDE, prefix: 'u' });
    const bob = await apiPerson(newPage, 'Bob Line', { prefix: 'u' });
    const conv = await direct(alice, bob);
    await send(alice, conv, 'what Alice read last');
    for (let i = 1; i <= 40; i++) await send(bob, conv, `unread ${i}`);
    const page = alice.page;
    await page.goto(`/conversations/${conv}`);
    await waitLive(page);
    const line = page.locator('#unread');
    assert.equal((await line.innerText()).trim(), 'New messages');
    // The line comes right before Bob's first unread message.
    assert.equal(await line.evaluate((el) => el.nextElementSibling?.id), (await message(page, 'unread 1').getAttribute('id')));
    assert.ok(await inView(page, line), 'the line is on the screen');
    assert.ok(!(await inView(page, message(page, 'unread 40'))), 'the newest is below');
    const jump = page.getByRole('button', { name: 'Jump to latest' });
    assert.ok(await jump.isVisible());
    await jump.click();
    await waitFor('the newest is shown', () => inView(page, message(page, 'unread 40')));
    await waitFor('the button goes', async () => !(await jump.isVisible()));
    // Opened again, everything is read: no line.
    await page.reload();
    await waitLive(page);
    assert.equal(await page.locator('#unread').count(), 0);
  });

  test('a few unread: the line shows, the page opens at the newest', async () => {
    const alice = await apiPerson(newPage, 'Alice Few', { context: WIDE, prefix: 'u' });
    const bob = await apiPerson(newPage, 'Bob Few', { prefix: 'u' });
    const conv = await direct(alice, bob);
    await send(alice, conv, 'read already');
    await send(bob, conv, 'new one');
    await send(bob, conv, 'new two');
    const page = alice.page;
    await page.goto(`/conversations/${conv}`);
    await waitLive(page);
    assert.ok(await inView(page, page.locator('#unread')));
    assert.ok(await inView(page, message(page, 'new two')));
    assert.equal(await page.getByRole('button', { name: 'Jump to latest' }).isVisible(), false);
  });

  test('mark all as read', async () => {
    const alice = await apiPerson(newPage, 'Alice All', { context: WIDE, prefix: 'u' });
    const bob = await apiPerson(newPage, 'Bob All', { prefix: 'u' });
    const conv = await direct(alice, bob);
    const team = await group(bob, 'All team', [alice]);
    await send(bob, conv, 'direct unread');
    await send(bob, team, 'group unread');
    const page = alice.page;
    await page.goto('/conversations');
    await waitLive(page);
    assert.equal(await navBadge(page), '2');
    await Promise.all([
      page.waitForURL('**/conversations?done=all_read'),
      page.getByRole('button', { name: 'Mark all as read' }).click(),
    ]);
    await page.getByText('Everything is marked as read.').waitFor();
    assert.equal(await page.locator('#conv-list .unread-badge').count(), 0);
    assert.equal(await navBadge(page), '');
    assert.equal(await page.getByRole('button', { name: 'Mark all as read' }).count(), 0);
    assert.deepEqual(problems, []);
  });
});
