// Helpers shared by the browser tests in this directory (accounts, conversations, live,
// receipts): the Chromium launch, fresh browser contexts with their own fake client address,
// and small waits and locators. playwright-core has no `expect`; these stand in for it.
//
// Environment:
//   PARLEY_URL   the stack to test (default http://127.0.0.1:18080)
//   CHROMIUM     the Chromium binary (default /usr/bin/chromium); nothing is downloaded
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { chromium } from 'playwright-core';

export const BASE = (process.env.PARLEY_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
export const PASSWORD = 'correct horse battery';
export const TIMEOUT = 20_000;
/** How long a live update (a message, a receipt) may take to show on another screen. */
export const LIVE_MS = 5_000;   // "live" under sanitizer builds on a loaded two-core machine

/**
 * Returns a fakeIp() for one test file: one /24 per run (10.<second>.<random>.x, `second`
 * different per file) and a fresh address per call. Registrations are limited per client IP,
 * and the stack trusts X-Forwarded-For from 127.0.0.1.
 */
export function ipSource(second) {
  const runOctet = randomInt(0, 256);
  let ipCounter = randomInt(0, 50_000);
  return function fakeIp() {
    ipCounter += 1;
    return `10.${second}.${runOctet}.${(ipCounter % 254) + 1}`;
  };
}

export function uname(prefix) {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

/**
 * Launches Chromium before the file's tests and closes it (and every context) after them.
 * Returns newContext(ip, onPage, options): a fresh browser profile (own cookies) that sends
 * `ip` as X-Forwarded-For, with the default timeouts set; `onPage` runs on every page it opens.
 */
export function useBrowser() {
  let browser;
  const contexts = [];

  before(async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
    });
  });

  after(async () => {
    for (const ctx of contexts) await ctx.close().catch(() => {});
    if (browser) await browser.close();
  });

  return async function newContext(ip, onPage, options = {}) {
    const ctx = await browser.newContext({
      baseURL: BASE,
      extraHTTPHeaders: { 'X-Forwarded-For': ip },
      ...options,
    });
    ctx.setDefaultTimeout(TIMEOUT);
    ctx.setDefaultNavigationTimeout(TIMEOUT);
    contexts.push(ctx);
    ctx.on('page', onPage);
    return ctx;
  };
}

/** Returns a page watcher that records script errors, CSP violations and any dialog in `problems`. */
export function problemWatcher(problems) {
  return function watch(page) {
    page.on('pageerror', (err) => problems.push(`${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Uncaught|SyntaxError/.test(msg.text())) {
        problems.push(`${page.url()}: ${msg.text()}`);
      }
    });
    page.on('dialog', (dialog) => {
      problems.push(`unexpected ${dialog.type()}: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
  };
}

// ---- small assertion helpers ----------------------------------------------------------------

export function pathname(page) {
  return new URL(page.url()).pathname;
}

/** Waits until the locator is visible, then returns it. */
export async function visible(locator) {
  await locator.first().waitFor({ state: 'visible' });
  return locator;
}

export async function assertHidden(locator, what) {
  assert.equal(await locator.count(), 0, `${what} should not be on the page`);
}

export function mainNav(page) {
  return page.getByRole('navigation', { name: 'Main' });
}

/** Polls `fn` every 100 ms until it returns something truthy (returned); fails after `timeout`. */
export async function waitFor(what, fn, timeout = LIVE_MS) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) assert.fail(`${what} (within ${timeout} ms)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- the live conversation page -------------------------------------------------------------

export async function waitLive(page) {
  await page.locator('html[data-live="up"]').waitFor({ state: 'attached' });
}

export function composer(page) {
  return page.getByRole('textbox', { name: 'Message', exact: true });
}

/** The message showing exactly `body`. */
export function message(page, body) {
  return page
    .getByRole('region', { name: 'Messages' })
    .locator('li.msg')
    .filter({ has: page.locator('.msg-body', { hasText: new RegExp(`^\\s*${escapeRe(body)}\\s*$`) }) });
}

export function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
