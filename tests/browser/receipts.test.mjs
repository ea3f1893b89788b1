// Browser tests of receipts (templates/partials/message.cs, static/js/live.js,
// conversation.js): "✓" sent, "✓✓" delivered, "Read" in a direct conversation, "Read by N
// of M" in a group, all turning without a reload; and the "Send read receipts" switch on
// /me. Each person is a browser context of their own (own cookies, own client address).
// They run against a running stack (PARLEY_URL) with
// `node --test --test-concurrency=1 tests/browser/`.
//
// Environment:
//   PARLEY_URL           the stack to test (default http://127.0.0.1:18080)
//   CHROMIUM             the Chromium binary (default /usr/bin/chromium); nothing is downloaded
//   PARLEY_SCREENSHOTS   a directory: when set, screenshots of the receipts (desktop and
//                        phone) go there
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  LIVE_MS, ipSource, uname, useBrowser, problemWatcher,
  waitLive, composer, message, escapeRe, waitFor, register, messageFromProfile, createGroup,
} from './lib.mjs';

const PHONE = { width: 390, height: 844 };
const fakeIp = ipSource(81);

function words(prefix) {
  return `${prefix} ${randomBytes(3).toString('hex')}`;
}

const SHOTS = process.env.PARLEY_SCREENSHOTS || '';
/** A screenshot of the page as it is, and of the same page on a phone-sized screen. */
async function screenshots(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  const size = page.viewportSize();
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`) });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`) });
  await page.setViewportSize(size);
}

/** Script errors and CSP violations of any page: the tests expect none. */
const problems = [];
const watch = problemWatcher(problems);
const newContext = useBrowser();

/** page.goto, again a few times while the stack is restarting (connection refused). */
async function go(page, path) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await page.goto(path);
    } catch (err) {
      if (attempt >= 5 || !/ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE/.test(err.message)) throw err;
      await new Promise((r) => setTimeout(r, 1000)); // the stack is coming back
    }
  }
}

/** Registers a new person in a fresh context; returns { ctx, page, username, displayName }. */
async function person(displayName, prefix) {
  const ctx = await newContext(fakeIp(), watch);
  const page = await ctx.newPage();
  const username = uname(prefix);
  await register(page, { username, displayName }, { open: go });
  // Off every live page until the test says otherwise: nothing is delivered to a closed tab.
  await page.goto('about:blank');
  return { ctx, page, username, displayName };
}

async function openLive(page, path) {
  await go(page, path);
  await waitLive(page);
}

/** Sends with Enter on a live conversation page and waits for the message to show. */
async function sendLive(page, body) {
  await composer(page).fill(body);
  await composer(page).press('Enter');
  await message(page, body).waitFor();
}

/**
 * Waits until the message's receipt is in `state` and shows `ticks` ("✓" or "✓✓") and, when
 * given, `count` ("Read by 1 of 2"); returns the receipt.
 */
async function receiptShows(page, body, { state, ticks, count }, timeout = LIVE_MS) {
  let receipt = message(page, body).locator(`.receipt[data-state="${state}"]`);
  receipt = receipt.filter({ has: page.locator('.receipt-ticks', { hasText: new RegExp(`^${ticks}$`) }) });
  if (count) receipt = receipt.filter({ has: page.locator('.receipt-count', { hasText: new RegExp(`^${escapeRe(count)}$`) }) });
  else receipt = receipt.filter({ hasNot: page.locator('.receipt-count') });
  try {
    await receipt.waitFor({ timeout });
  } catch (err) {
    const shown = await message(page, body)
      .locator('.receipt')
      .evaluateAll((els) => els.map((e) => `${e.dataset.state}: "${e.textContent}" (${e.title})`).join(' | '))
      .catch(() => '?');
    err.message = `receipt of “${body}”: expected ${state} ${ticks} ${count || ''}, shows ${shown || 'none'}\n${err.message}`;
    throw err;
  }
  return receipt;
}


describe('receipts', () => {
  test('direct: sent, delivered, read; group: read by N of M; the receipts switch', async () => {
    const a = await person('Ada Tick', 'ra');
    const b = await person('Bo Tick', 'rb');
    const c = await person('Cy Tick', 'rc');

    // ---- direct conversation ----------------------------------------------------------

    // A writes to B (B has no page open): one tick, "Sent", next to the time.
    const direct = await messageFromProfile(a.page, b.username, { open: go });
    await waitLive(a.page);
    const d1 = words('Hello Bo');
    await sendLive(a.page, d1);
    const sent = await receiptShows(a.page, d1, { state: 'sent', ticks: '✓' });
    assert.equal(await sent.getAttribute('title'), 'Sent');
    assert.equal((await sent.locator('.visually-hidden').textContent()).trim(), 'Sent', 'a label for screen readers');
    assert.equal(await message(a.page, d1).locator('.msg-head .receipt').count(), 1, 'in the head, next to the time');

    // B has the conversation list open: the next message reaches B's tab, which tells the
    // server; A's ticks turn to "✓✓" without a reload (both messages: delivered up to it).
    await openLive(b.page, '/conversations');
    // Opening any page acknowledges what came while B had no tab open.
    await receiptShows(a.page, d1, { state: 'delivered', ticks: '✓✓' });
    const d2 = words('Still there');
    await sendLive(a.page, d2);
    await b.page.locator('#conv-list .conv-item').filter({ hasText: d2 }).first().waitFor({ timeout: LIVE_MS });
    const delivered = await receiptShows(a.page, d2, { state: 'delivered', ticks: '✓✓' });
    assert.equal(await delivered.getAttribute('title'), 'Delivered');
    await receiptShows(a.page, d1, { state: 'delivered', ticks: '✓✓' });
    // A grouped message (no head of its own) carries the receipt in its row.
    assert.equal(await message(a.page, d2).locator('.msg-main > .receipt').count(), 1, 'a grouped message shows it too');

    // B opens the conversation: A sees "Read" (blue ticks), live.
    await openLive(b.page, `/conversations/${direct}`);
    const read = await receiptShows(a.page, d2, { state: 'read', ticks: '✓✓' });
    assert.equal(await read.getAttribute('title'), 'Read');
    assert.equal((await read.locator('.visually-hidden').textContent()).trim(), 'Read');
    await receiptShows(a.page, d1, { state: 'read', ticks: '✓✓' });
    const colours = await read.evaluate((el) => {
      const ticks = getComputedStyle(el.querySelector('.receipt-ticks')).color;
      return { ticks, muted: getComputedStyle(el).color };
    });
    assert.notEqual(colours.ticks, colours.muted, 'read ticks stand out from sent and delivered');
    // Only on your own messages: B sees no receipt on A's.
    assert.equal(await message(b.page, d1).locator('.receipt').count(), 0, 'no receipt on others’ messages');
    await screenshots(a.page, 'receipts-direct');

    // ---- group of three -----------------------------------------------------------------

    await go(b.page, 'about:blank');
    const title = words('Ticks');
    const group = await createGroup(a.page, { Title: title, Members: `${b.username} ${c.username}` }, { open: go });
    await waitLive(a.page);
    await a.page.getByText('3 members').waitFor();

    const g1 = words('Morning all');
    await sendLive(a.page, g1);
    await receiptShows(a.page, g1, { state: 'sent', ticks: '✓' });

    // B reads: "Read by 1 of 2", B's name in the title.
    await openLive(b.page, `/conversations/${group}`);
    let byOne = await receiptShows(a.page, g1, { state: 'delivered', ticks: '✓✓', count: 'Read by 1 of 2' });
    assert.equal(await byOne.getAttribute('title'), `Read by ${b.displayName}`);

    // B writes too, and sees the receipt of B's own message while receipts are on.
    const b1 = words('Hi from Bo');
    await sendLive(b.page, b1);
    await message(b.page, b1).locator('.receipt').waitFor();
    await message(a.page, b1).waitFor({ timeout: LIVE_MS });

    // B turns read receipts off on /me.
    await go(b.page, '/me');
    const box = b.page.getByRole('checkbox', { name: 'Send read receipts' });
    assert.equal(await box.isChecked(), true, 'on by default');
    assert.match(
      await b.page.locator('#read_receipts-hint').innerText(),
      /don.t see when you.ve read their messages.*you don.t see when they.ve read yours/,
    );
    await box.uncheck();
    await Promise.all([b.page.waitForLoadState('load'), b.page.getByRole('button', { name: 'Save profile' }).click()]);
    await b.page.getByText('Your profile was saved.').waitFor();
    assert.equal(await b.page.getByRole('checkbox', { name: 'Send read receipts' }).isChecked(), false, 'saved off');

    // B (receipts off) sees no receipts, not even on B's own message.
    await openLive(b.page, `/conversations/${group}`);
    await message(b.page, b1).waitFor();
    assert.equal(await b.page.locator('.receipt').count(), 0, 'no receipts for someone who keeps them off');

    // A writes again; B's open page reads it, but B no longer counts. C reads: A sees
    // "Read by 1 of 2" on both messages, C alone in the title (B no longer counts for g1
    // either).
    const g2 = words('Second note');
    await sendLive(a.page, g2);
    await message(b.page, g2).waitFor({ timeout: LIVE_MS });
    await openLive(c.page, `/conversations/${group}`);
    await receiptShows(a.page, g2, { state: 'delivered', ticks: '✓✓', count: 'Read by 1 of 2' });
    const g2Receipt = message(a.page, g2).locator('.receipt');
    await waitFor('g2 is read by C alone', async () => (await g2Receipt.getAttribute('title')) === `Read by ${c.displayName}`);
    byOne = await receiptShows(a.page, g1, { state: 'delivered', ticks: '✓✓', count: 'Read by 1 of 2' });
    assert.equal(await byOne.getAttribute('title'), `Read by ${c.displayName}`, 'B no longer counts for g1');
    const seen = await byOne.evaluate((el) => {
      const copy = el.cloneNode(true);
      for (const hidden of copy.querySelectorAll('.visually-hidden')) hidden.remove();
      return copy.textContent.replace(/\s+/g, ' ').trim();
    });
    assert.equal(seen, '✓✓Read by 1 of 2', 'what a sighted person reads');
    await screenshots(a.page, 'receipts-group');

    assert.deepEqual(problems, [], 'no script errors');
  });
});
