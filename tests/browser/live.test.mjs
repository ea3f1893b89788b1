// Browser tests of the live pages (static/js/live.js, conversation.js, inbox.js): two
// people side by side in Chromium, each a browser context of their own (own cookies, own
// client address). Messages, typing and unread counts must arrive without a reload, survive
// a network outage without losses or duplicates, and arrive the same way over long-polling.
// They run against a running stack (PARLEY_URL) with
// `node --test --test-concurrency=1 tests/browser/`.
//
// Environment:
//   PARLEY_URL           the stack to test (default http://127.0.0.1:18080)
//   CHROMIUM             the Chromium binary (default /usr/bin/chromium); nothing is downloaded
//   PARLEY_SCREENSHOTS   a directory: when set, screenshots of the live conversation page
//                        (typing indicator, notifications button, "Reconnecting…") go there
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE, LIVE_MS, ipSource, uname, useBrowser, problemWatcher,
  waitLive, composer, message, waitFor, register, messageFromProfile,
} from './lib.mjs';

const fakeIp = ipSource(79);

const SHOTS = process.env.PARLEY_SCREENSHOTS || '';
async function screenshot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Script errors and CSP violations of any page: the tests expect none. */
const problems = [];
const watch = problemWatcher(problems);
const openContext = useBrowser();

/** A fresh browser profile (own cookies) with its own fake client address. */
async function newContext() {
  return openContext(fakeIp(), watch);
}

/** Registers a new person in a fresh context; returns { ctx, page, username, displayName }. */
async function person(displayName, prefix) {
  const ctx = await newContext();
  const page = await ctx.newPage();
  const username = uname(prefix);
  await register(page, { username, displayName });
  return { ctx, page, username, displayName };
}

/** Opens the conversation page and waits until its event connection is up. */
async function openConversation(page, id) {
  await page.goto(`/conversations/${id}`);
  await waitLive(page);
}

/** Sends with the keyboard (Enter) on a live page: no navigation may happen. */
async function sendLive(page, body) {
  const url = page.url();
  let navigated = false;
  const onNav = (frame) => {
    if (frame === page.mainFrame()) navigated = true;
  };
  page.on('framenavigated', onNav);
  await composer(page).fill(body);
  await composer(page).press('Enter');
  await message(page, body).waitFor({ timeout: 15_000 });   // the sender's own copy: not a latency check
  page.off('framenavigated', onNav);
  assert.equal(navigated, false, 'sending does not load a page');
  assert.equal(page.url(), url, 'the address stays');
  assert.equal(await composer(page).inputValue(), '', 'the composer is emptied');
}

/** The seqs of the messages in the DOM, in document order. */
async function seqs(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.chat-log li[id^="m"]')].map((li) => Number(li.id.slice(1))),
  );
}

function assertOrdered(list, what) {
  for (let i = 1; i < list.length; i += 1) {
    assert.ok(list[i] > list[i - 1], `${what}: seqs strictly increasing, got ${list.join(',')}`);
  }
}

/** The unread count on the inbox row of `title` (0 without a badge). */
async function unreadOf(page, title) {
  const row = page.locator('#conv-list .conv-item').filter({ hasText: title });
  const badge = row.locator('.unread-badge');
  if ((await badge.count()) === 0) return 0;
  // The inbox replaces its list live: a badge counted a moment ago may be gone; say -1 (no
  // answer yet) so that the caller's wait asks again.
  const text = await badge.first().textContent({ timeout: 500 }).catch(() => null);
  return text == null ? -1 : parseInt(text, 10);
}


describe('live pages', () => {
  test('messages, typing, unread counts, an outage and long-polling', async () => {
    const a = await person('Ada Live', 'la');
    const b = await person('Bea Live', 'lb');
    const id = await messageFromProfile(a.page, b.username);
    await waitLive(a.page);
    await openConversation(b.page, id);
    const bConv = b.page;

    // The notifications button is offered (never asked on load); mute is per conversation.
    const permission = await bConv.evaluate(() => ('Notification' in window ? Notification.permission : 'none'));
    const enable = bConv.getByRole('button', { name: 'Enable desktop notifications' });
    if (permission === 'default') await enable.waitFor();
    else assert.equal(await enable.isVisible(), false, `no enable button when permission is ${permission}`);
    const mute = bConv.getByRole('button', { name: 'Mute', exact: true });
    assert.equal(await mute.isVisible(), false, 'no Mute button before notifications are allowed');

    // A types: B sees "Ada Live is typing…".
    const typing = bConv.locator('#typing');
    await composer(a.page).pressSequentially('Hello Bea', { delay: 30 });
    await waitFor('B sees A typing', async () => /Ada Live is typing/.test(await typing.innerText()), 8000);
    await screenshot(bConv, 'live-typing');

    // A presses Enter: the message is sent without a reload and shows on B's page live,
    // and the typing line goes away with it.
    const first = `Hello Bea ${randomBytes(3).toString('hex')}`;
    await composer(a.page).fill('');
    await sendLive(a.page, first);
    await message(bConv, first).waitFor({ timeout: LIVE_MS });
    await waitFor('the typing line clears', async () => (await typing.innerText()).trim() === '');

    // B answers with Shift+Enter for a second line and Enter to send; A sees it live.
    await composer(bConv).pressSequentially('Hi Ada');
    await composer(bConv).press('Shift+Enter');
    await composer(bConv).pressSequentially('two lines');
    assert.equal(await composer(bConv).inputValue(), 'Hi Ada\ntwo lines', 'Shift+Enter is a new line');
    await composer(bConv).press('Enter');
    await a.page.locator('li.msg', { hasText: 'two lines' }).waitFor({ timeout: LIVE_MS });
    assert.equal(await composer(bConv).inputValue(), '');

    // Notifications allowed: the enable button goes, Mute shows and toggles (localStorage).
    await b.ctx.grantPermissions(['notifications'], { origin: BASE });
    await openConversation(bConv, id);
    await mute.waitFor();
    assert.equal(await enable.isVisible(), false, 'no enable button once allowed');
    assert.equal(await mute.getAttribute('aria-pressed'), 'false');
    await mute.click();
    assert.equal(await mute.getAttribute('aria-pressed'), 'true');
    assert.equal(await bConv.evaluate((cid) => localStorage.getItem(`parley.muted.${cid}`), id), '1');
    await mute.click();
    assert.equal(await mute.getAttribute('aria-pressed'), 'false');
    assert.equal(await bConv.evaluate((cid) => localStorage.getItem(`parley.muted.${cid}`), id), null);

    // A hidden tab of B notifies (sender as title, the text as body), unless muted. The
    // Notification class is recorded and the tab reports itself hidden.
    const hiddenTab = await b.ctx.newPage();
    await hiddenTab.addInitScript(() => {
      window.__notes = [];
      window.Notification = class {
        static get permission() {
          return 'granted';
        }
        static requestPermission() {
          return Promise.resolve('granted');
        }
        constructor(title, options = {}) {
          window.__notes.push({ title, body: options.body });
        }
        addEventListener() {}
        close() {}
      };
      Object.defineProperty(document, 'hidden', { get: () => true, configurable: true });
    });
    await hiddenTab.goto('/me');
    await waitLive(hiddenTab);
    const notified = `Ping for a hidden tab ${randomBytes(2).toString('hex')}`;
    await sendLive(a.page, notified);
    await waitFor('a notification', async () => (await hiddenTab.evaluate(() => window.__notes.length)) === 1);
    // The name is isolated (FSI … PDI) so that no direction-changing character can reorder it.
    assert.deepEqual(await hiddenTab.evaluate(() => window.__notes), [{ title: `\u2068${a.displayName}\u2069`, body: notified }]);
    await hiddenTab.evaluate((cid) => localStorage.setItem(`parley.muted.${cid}`, '1'), id);
    const quiet = `Muted ping ${randomBytes(2).toString('hex')}`;
    await sendLive(a.page, quiet);
    await message(bConv, quiet).waitFor({ timeout: LIVE_MS });
    await hiddenTab.waitForTimeout(500);
    assert.equal(await hiddenTab.evaluate(() => window.__notes.length), 1, 'a muted conversation does not notify');
    await hiddenTab.evaluate((cid) => localStorage.removeItem(`parley.muted.${cid}`), id);
    await hiddenTab.close();

    // B's inbox in a third page: unread badge and the title count grow live.
    await bConv.goto('/me'); // away from the conversation, which would read what arrives
    const inbox = await b.ctx.newPage();
    await inbox.goto('/conversations');
    await waitLive(inbox);
    await inbox.evaluate(() => {
      window.__notReloaded = true;
    });
    await waitFor('nothing unread after reading the conversation', async () => (await unreadOf(inbox, a.displayName)) === 0);
    assert.doesNotMatch(await inbox.title(), /^\(\d+\)/);
    await sendLive(a.page, `Unread one ${randomBytes(2).toString('hex')}`);
    await waitFor('the badge shows 1', async () => (await unreadOf(inbox, a.displayName)) === 1);
    assert.match(await inbox.title(), /^\(1\) /);
    await sendLive(a.page, `Unread two ${randomBytes(2).toString('hex')}`);
    await waitFor('the badge shows 2', async () => (await unreadOf(inbox, a.displayName)) === 2);
    assert.match(await inbox.title(), /^\(2\) /);
    assert.equal(await inbox.evaluate(() => window.__notReloaded), true, 'the inbox did not reload');

    // B opens the conversation again (it reads everything); the inbox follows.
    await openConversation(bConv, id);
    await waitFor('the badge goes away', async () => (await unreadOf(inbox, a.displayName)) === 0);
    assert.doesNotMatch(await inbox.title(), /^\(\d+\)/);
    await inbox.close();

    // B's network goes away; A sends three; B's network comes back: all three, once, in order.
    await b.ctx.setOffline(true);
    const missed = [1, 2, 3].map((n) => `Missed ${n} ${randomBytes(2).toString('hex')}`);
    for (const body of missed) await sendLive(a.page, body);
    await bConv.locator('#live-status').waitFor({ state: 'visible', timeout: 8000 });
    assert.match(await bConv.locator('#live-status').innerText(), /Reconnecting/);
    await screenshot(bConv, 'live-reconnecting');
    for (const body of missed) assert.equal(await message(bConv, body).count(), 0, 'nothing arrives while offline');
    await b.ctx.setOffline(false);
    for (const body of missed) await message(bConv, body).waitFor({ timeout: 15_000 });
    await bConv.locator('#live-status').waitFor({ state: 'hidden' });
    for (const body of missed) assert.equal(await message(bConv, body).count(), 1, `${body} shown once`);
    const afterOutage = await seqs(bConv);
    assertOrdered(afterOutage, 'after the outage');
    const aSeqs = await seqs(a.page);
    assert.deepEqual(afterOutage, aSeqs, 'B shows exactly the messages A shows');
    assert.deepEqual(
      afterOutage,
      Array.from({ length: afterOutage.length }, (_, i) => i + 1),
      'every message from seq 1 on, without a gap',
    );

    // Long-polling forced by the setting: a message still arrives live, once.
    await bConv.evaluate(() => localStorage.setItem('parley.transport', 'poll'));
    await openConversation(bConv, id);
    assert.equal(await bConv.evaluate(() => document.documentElement.dataset.liveTransport), 'poll');
    const polled = `Over long-polling ${randomBytes(2).toString('hex')}`;
    await sendLive(a.page, polled);
    await message(bConv, polled).waitFor({ timeout: LIVE_MS });
    await sendLive(a.page, `${polled} again`);
    await message(bConv, `${polled} again`).waitFor({ timeout: LIVE_MS });
    assert.equal(await message(bConv, polled).count(), 1);
    assertOrdered(await seqs(bConv), 'over long-polling');
    assert.deepEqual(await seqs(bConv), await seqs(a.page));
    await screenshot(bConv, 'live-conversation');

    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  });

  test('an event that comes after one with a higher id is still shown', async () => {
    // Ids are handed out when an event is made and published when its transaction commits,
    // so a message's event can come after, say, a presence change made a moment later. The
    // page must not take it for a repeat. The event with the higher id is put into the real
    // stream here (the page's own EventSource), then a real message follows.
    const a = await person('Ada Order', 'oa');
    const b = await person('Bea Order', 'ob');
    await b.ctx.addInitScript(() => {
      const Real = window.EventSource;
      window.EventSource = class extends Real {
        constructor(...args) { super(...args); window.testStream = this; }
      };
    });
    const id = await messageFromProfile(a.page, b.username);
    await waitLive(a.page);
    await openConversation(b.page, id);
    const first = `In order ${randomBytes(2).toString('hex')}`;
    await sendLive(a.page, first);
    await message(b.page, first).waitFor({ timeout: LIVE_MS });
    await b.page.evaluate(() => window.testStream.dispatchEvent(new MessageEvent('message', {
      data: JSON.stringify({ id: 9_000_000_000_000, type: 'test.committed_first' }),
    })));
    const late = `Committed later ${randomBytes(2).toString('hex')}`;
    await sendLive(a.page, late);
    await message(b.page, late).waitFor({ timeout: LIVE_MS });
    assert.equal(await message(b.page, late).count(), 1, 'shown once');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  });
});
