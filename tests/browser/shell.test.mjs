// The app shell: beside a conversation, on wide screens, the list of your conversations
// (rendered by the server, so it is there without JavaScript); with JavaScript, opening
// another conversation from it replaces only the conversation (no page load: a window
// variable survives), Back returns, the list stays live and the swapped-in conversation is
// live too. On phones one pane at a time. Environment: see lib.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ipSource, useBrowser, pageSource, problemWatcher, waitFor, waitLive, composer, message, pathname, LIVE_MS,
} from './lib.mjs';
import { apiPerson, send, direct, group } from './api.mjs';

const fakeIp = ipSource(92);
const newContext = useBrowser();
const problems = [];
const newPage = pageSource(newContext, fakeIp, problemWatcher(problems));
const WIDE = { viewport: { width: 1280, height: 900 } };
const PHONE = { viewport: { width: 390, height: 844 } };

/** The list of conversations beside the conversation. */
function shellList(page) {
  return page.getByRole('navigation', { name: 'Conversations' });
}

/** The rows of that list, as their titles in order (top first). */
async function listTitles(page) {
  return shellList(page).locator('.conv-item:not([hidden]) .conv-title bdi').allInnerTexts();
}

/** The unread count shown on the row titled `title` ('' when none). */
async function unreadOf(page, title) {
  const row = shellList(page).locator('.conv-item').filter({ has: page.locator('.conv-title bdi', { hasText: title }) });
  // One read that does not wait: the badge may go (read meanwhile) between a count and a read.
  const [text] = await row.locator('.unread-badge').allInnerTexts();
  return text === undefined ? '' : text.replace(/\D+/g, '');
}

async function heading(page) {
  return (await page.getByRole('heading', { level: 1 }).innerText()).trim();
}

describe('the app shell', () => {
  test('switching conversations keeps the page and the list, and both stay live', async () => {
    const alice = await apiPerson(newPage, 'Alice Shell', { context: WIDE, prefix: 's' });
    const bob = await apiPerson(newPage, 'Bob Shell', { prefix: 's' });
    const carol = await apiPerson(newPage, 'Carol Shell', { prefix: 's' });
    const withBob = await direct(alice, bob);
    await send(bob, withBob, 'First from Bob');
    const team = await group(alice, 'Shell team', [bob, carol]);
    await send(carol, team, 'Team hello');
    const page = alice.page;

    await page.goto(`/conversations/${withBob}`);
    await waitLive(page);
    assert.equal(await heading(page), 'Bob Shell');
    // Both conversations are listed, most recent first; the open one is marked.
    assert.deepEqual(await listTitles(page), ['Shell team', 'Bob Shell']);
    assert.equal(await shellList(page).locator('a[aria-current="page"] .conv-title bdi').innerText(), 'Bob Shell');
    assert.equal(await unreadOf(page, 'Shell team'), '1');

    // Open the group from the list: only the conversation changes.
    await page.evaluate(() => { window.shellMarker = 'still here'; });
    await shellList(page).getByRole('link', { name: /Shell team/ }).click();
    await page.waitForURL(`**/conversations/${team}`);
    await waitFor('the group is shown', async () => (await heading(page)) === 'Shell team');
    await message(page, 'Team hello').waitFor();
    assert.equal(await page.evaluate(() => window.shellMarker), 'still here', 'the page was not reloaded');
    assert.equal(await shellList(page).locator('a[aria-current="page"] .conv-title bdi').innerText(), 'Shell team');
    assert.match(await page.title(), /Shell team/);
    // The composer has the focus, and is the group's.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('placeholder')), 'Message Shell team');
    await waitFor('the group is read', async () => (await unreadOf(page, 'Shell team')) === '');

    // A message in the other conversation: the list moves it to the top with its count.
    await send(bob, withBob, 'Second from Bob');
    await waitFor('Bob\'s conversation moves up with 1 unread', async () =>
      (await listTitles(page))[0] === 'Bob Shell' && (await unreadOf(page, 'Bob Shell')) === '1');

    // The swapped-in conversation is live: Carol's message arrives, Alice's send works once.
    await send(carol, team, 'Live in the swapped pane');
    await message(page, 'Live in the swapped pane').waitFor({ timeout: LIVE_MS });
    await composer(page).fill('Alice answers the team');
    await composer(page).press('Enter');
    await message(page, 'Alice answers the team').waitFor({ timeout: LIVE_MS });
    assert.equal(await message(page, 'Alice answers the team').count(), 1);
    assert.equal(pathname(page), `/conversations/${team}`);

    // Back: Bob's conversation again, with both of his messages, still the same page.
    await page.goBack();
    await waitFor('Back shows Bob', async () => (await heading(page)) === 'Bob Shell');
    await message(page, 'Second from Bob').waitFor();
    assert.equal(pathname(page), `/conversations/${withBob}`);
    assert.equal(await page.evaluate(() => window.shellMarker), 'still here');
    await send(bob, withBob, 'Third, live after Back');
    await message(page, 'Third, live after Back').waitFor({ timeout: LIVE_MS });
    // Only one conversation's script runs: the message did not land in another list.
    assert.equal(await message(page, 'Third, live after Back').count(), 1);

    // The filter box narrows the list as you type.
    await shellList(page).getByRole('searchbox', { name: 'Filter conversations' }).fill('team');
    assert.deepEqual(await listTitles(page), ['Shell team']);
    await shellList(page).getByRole('searchbox', { name: 'Filter conversations' }).fill('');
    assert.equal((await listTitles(page)).length, 2);
    assert.deepEqual(problems, []);
  });

  test('without JavaScript the list is there and its links open the conversation', async () => {
    const alice = await apiPerson(newPage, 'Alice Plain', { context: { ...WIDE, javaScriptEnabled: false }, prefix: 's' });
    const bob = await apiPerson(newPage, 'Bob Plain', { prefix: 's' });
    const withBob = await direct(alice, bob);
    const club = await group(alice, 'Plain club', [bob]);
    await send(bob, club, 'Club news');
    const page = alice.page;
    await page.goto(`/conversations/${withBob}`);
    assert.deepEqual(await listTitles(page), ['Plain club', 'Bob Plain']);
    assert.equal(await unreadOf(page, 'Plain club'), '1');
    await Promise.all([page.waitForURL(`**/conversations/${club}`), shellList(page).getByRole('link', { name: /Plain club/ }).click()]);
    assert.equal(await heading(page), 'Plain club');
    await message(page, 'Club news').waitFor();
    assert.equal(await unreadOf(page, 'Plain club'), '');
  });

  test('on a phone one pane at a time: the conversation, with a way back to the list', async () => {
    const alice = await apiPerson(newPage, 'Alice Phone', { context: PHONE, prefix: 's' });
    const bob = await apiPerson(newPage, 'Bob Phone', { prefix: 's' });
    const withBob = await direct(alice, bob);
    const page = alice.page;
    await page.goto(`/conversations/${withBob}`);
    assert.equal(await shellList(page).isVisible(), false, 'the list is hidden on a phone');
    const back = page.getByRole('link', { name: 'All conversations' });
    assert.equal(await back.isVisible(), true);
    await Promise.all([page.waitForURL('**/conversations'), back.click()]);
    assert.equal(await page.getByRole('link', { name: /Bob Phone/ }).isVisible(), true);
  });
});
