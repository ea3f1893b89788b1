// Helpers shared by the browser tests in this directory (accounts, conversations, live,
// presence, receipts): the Chromium launch, fresh browser contexts with their own fake client
// address, small waits and locators, and the steps every file takes (register, open a
// conversation, create a group). playwright-core has no `expect`; these stand in for it.
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

// ---- pages and dialogs of a test file ------------------------------------------------------

/**
 * Returns newPage(options) for a file: a page in a fresh context (own cookies) from
 * `newContext` (useBrowser) with address `options.ip` or a new fakeIp(); the page carries
 * `ip` and `js` (whether `options.context` leaves JavaScript on). `onPage` watches each page.
 */
export function pageSource(newContext, fakeIp, onPage) {
  return async function newPage(options = {}) {
    const ip = options.ip || fakeIp();
    const ctx = await newContext(ip, onPage, options.context);
    const page = await ctx.newPage();
    page.ip = ip;
    page.js = options.context?.javaScriptEnabled !== false;
    return page;
  };
}

/**
 * Returns a page watcher for dialogs: a confirm whose message matches `expected` is accepted
 * and recorded in `confirmations`; any other dialog is dismissed and recorded in `dialogs`.
 */
export function dialogWatcher(dialogs, confirmations, expected) {
  return function watchDialogs(page) {
    page.on('dialog', async (dialog) => {
      if (dialog.type() === 'confirm' && expected.test(dialog.message())) {
        confirmations.push(dialog.message());
        await dialog.accept().catch(() => {});
        return;
      }
      dialogs.push(`${dialog.type()}: ${dialog.message()} (on ${page.url()})`);
      await dialog.dismiss().catch(() => {});
    });
  };
}

// ---- forms, as a person uses them ----------------------------------------------------------

/**
 * Runs `action` (which submits a form or follows a link) and waits for the page to arrive at
 * `url` (a glob, RegExp or predicate). With `nextLoad`, it first waits for the next page load
 * and then gives the URL 2 s: a form posted from /conversations/7 often comes back to
 * /conversations/7 (with another fragment), which the URL alone would take as arrived. When
 * it does not arrive, the error names what the page shows instead (URL, heading, messages).
 */
export async function arrive(page, url, action, { nextLoad = false } = {}) {
  try {
    if (nextLoad) {
      const loaded = page.waitForEvent('load');
      await action();
      await loaded;
      await page.waitForURL(url, { timeout: 2000 });
    } else {
      await Promise.all([page.waitForURL(url), action()]);
    }
  } catch (err) {
    await page.waitForLoadState('load', { timeout: 3000 }).catch(() => {});
    const shown = await page
      .evaluate(() =>
        [...document.querySelectorAll('h1, .alert, .field-error')]
          .map((e) => e.textContent.trim().replace(/\s+/g, ' '))
          .join(' | '),
      )
      .catch(() => '(page not readable)');
    err.message = `expected to arrive at ${url}, but the page is ${page.url()} showing: ${shown}\n${err.message}`;
    throw err;
  }
}

/** page.goto: the default way for the helpers below to open a page. */
function goto(page, path) {
  return page.goto(path);
}

/** Fills the /register form that is open on `page` and presses "Create account". */
export async function fillRegister(page, { username, displayName, password = PASSWORD }) {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Display name', { exact: true }).fill(displayName);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/**
 * Opens /register (with `open`, page.goto unless given), creates the account and checks that
 * it lands on /me showing the display name. `nextLoad` is passed on to arrive().
 */
export async function register(page, user, { open = goto, nextLoad = false, requests = false } = {}) {
  await open(page, '/register');
  await arrive(page, '**/me', () => fillRegister(page, user), { nextLoad });
  await page.getByRole('heading', { level: 1, name: user.displayName }).waitFor();
  // The people of these tests accept direct messages from everyone, as before message
  // requests; { requests: true } keeps the default (requests.test.mjs).
  if (!requests) await allowEveryone(page.request);
}

/** "Allow direct messages from everyone" for the account logged in on `request`. */
export async function allowEveryone(request) {
  const { csrf } = await csrfOf(request, '/me');
  const res = await request.fetch('/api/v1/requests/settings', {
    method: 'PATCH', headers: { 'X-CSRF-Token': csrf }, data: { allow_everyone: true },
  });
  assert.equal(res.status(), 200, `allow everyone: ${res.status()} ${await res.text().catch(() => '')}`);
}

/** The CSRF token of a form page fetched by `request` (no page opened, no event stream). */
export async function csrfOf(request, path) {
  const html = await (await request.get(path)).text();
  const m = html.match(/name="csrf_token" value="([^"]+)"/);
  assert.ok(m, `${path} has a CSRF token`);
  return { html, csrf: m[1] };
}

/** Posts the register form with `request` (no page opened); checks the 303 and returns the response. */
export async function postRegister(request, { username, displayName, password = PASSWORD, requests = false }) {
  const { csrf } = await csrfOf(request, '/register');
  const res = await request.post('/register', {
    form: { csrf_token: csrf, username, display_name: displayName, password },
    maxRedirects: 0,
  });
  assert.equal(res.status(), 303, `POST /register: ${res.status()} ${await res.text().catch(() => '')}`);
  // As register(): direct messages and group additions from everyone, unless { requests: true }.
  if (!requests) await allowEveryone(request);
  return res;
}

/** The conversation id in the page's URL (/conversations/<id>…). */
export function conversationId(page) {
  return Number(pathname(page).split('/')[2]);
}

/**
 * Opens @username's profile and presses "Message"; returns the conversation id. With
 * `displayName`, the profile and then the conversation must show it as their heading.
 */
export async function messageFromProfile(page, username, { displayName, open = goto, nextLoad = false } = {}) {
  await open(page, `/users/${username}`);
  if (displayName) await visible(page.getByRole('heading', { level: 1, name: displayName }));
  await arrive(page, /\/conversations\/\d+$/, () =>
    page.getByRole('button', { name: `Message @${username}` }).click(), { nextLoad },
  );
  if (displayName) await visible(page.getByRole('heading', { level: 1, name: displayName }));
  return conversationId(page);
}

/**
 * "New group" on /conversations: fills `fields` (label → value, in order: Title,
 * Description, Members), presses "Create group" and returns the new group's id.
 */
export async function createGroup(page, fields, { open = goto, nextLoad = false } = {}) {
  await open(page, '/conversations');
  await page.getByText('New group', { exact: true }).click();
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create group' }) });
  for (const [label, value] of Object.entries(fields)) await form.getByLabel(label).fill(value);
  await arrive(page, /\/conversations\/\d+$/, () => form.getByRole('button', { name: 'Create group' }).click(), { nextLoad });
  return conversationId(page);
}
