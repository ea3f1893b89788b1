// Browser tests of the account pages, driven through Chromium the way a person uses them:
// follow links, fill labelled fields, press buttons, read what the page shows. They run
// against a running stack (PARLEY_URL) with `node --test --test-concurrency=1 tests/browser/`.
//
// Environment:
//   PARLEY_URL           the stack to test (default http://127.0.0.1:18080)
//   CHROMIUM             the Chromium binary (default /usr/bin/chromium); nothing is downloaded
//   PARLEY_SCREENSHOTS   a directory: when set, the layout test saves screenshots of /me and
//                        /me/sessions (desktop and phone) there
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE, PASSWORD, TIMEOUT, ipSource, uname as lowUname, useBrowser, pageSource, dialogWatcher,
  pathname, visible, assertHidden, mainNav, arrive, fillRegister, register,
} from './lib.mjs';

const fakeIp = ipSource(77);

function uname(prefix = 'b') {
  return lowUname(prefix);
}

const newContext = useBrowser();
/** Every unexpected dialog any page opens; the tests expect none. The confirmations that
 *  app.js asks before revoking or logging out everywhere are answered "OK" and counted. */
const dialogs = [];
const confirmations = [];

/** A fresh browser profile (own cookies) with its own fake client address; returns a page. */
const newPage = pageSource(
  newContext,
  fakeIp,
  dialogWatcher(dialogs, confirmations, /^(Revoke this token|Log out of every device)/),
);

// ---- small assertion helpers (playwright-core has no `expect`) ----------------------------

function path(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}

async function assertValue(locator, expected, what) {
  assert.equal(await locator.inputValue(), expected, `${what}: input value`);
}

/** Clicks a submit button and waits for the page that the POST leads to. */
async function submit(page, button, expectedPath) {
  await arrive(page, expectedPath, () => button.click());
}

async function assertAnonymousHeader(page) {
  const nav = mainNav(page);
  await visible(nav.getByRole('link', { name: 'Log in', exact: true }));
  await visible(nav.getByRole('link', { name: 'Register', exact: true }));
  await assertHidden(nav.getByRole('button', { name: 'Log out' }), 'Log out button (anonymous)');
}

async function assertLoggedInHeader(page, displayName) {
  const nav = mainNav(page);
  await visible(nav.getByRole('link', { name: displayName }));
  await visible(nav.getByRole('button', { name: 'Log out' }));
  await assertHidden(nav.getByRole('link', { name: 'Log in', exact: true }), 'Log in link (logged in)');
}

// ---- the flows, as a person does them ------------------------------------------------------

async function fillLogin(page, username, password) {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}

async function login(page, username, password = PASSWORD) {
  await page.goto('/login');
  await arrive(page, '**/me', () => fillLogin(page, username, password));
}

async function logout(page) {
  await submit(page, mainNav(page).getByRole('button', { name: 'Log out' }), '**/?done=logout');
}

async function apiMe(token) {
  const res = await fetch(`${BASE}/api/v1/me`, {
    headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': fakeIp() },
    signal: AbortSignal.timeout(TIMEOUT),
  });
  const body = await res.json().catch(() => undefined);
  return { status: res.status, body };
}

/**
 * Register from the front page, log out, log in, edit the profile, check the public
 * profile (logged in and out), then the two failures (a taken username, a wrong password).
 * `js` is whether the browser runs JavaScript: every step must work as plain HTML forms too.
 */
async function accountFlow(js) {
  const page = await newPage({ context: { javaScriptEnabled: js } });
  const username = uname(js ? 'js' : 'nojs');
  const displayName = `Ada ${js ? 'Scripted' : 'Plain'} Lovelace`;

  // Front page, anonymous: follow "Register" in the header.
  await page.goto('/');
  await assertAnonymousHeader(page);
  await arrive(page, '**/register', () =>
    mainNav(page).getByRole('link', { name: 'Register', exact: true }).click(),
  );
  await visible(page.getByRole('heading', { level: 1, name: 'Create your account' }));

  // Register → /me with the display name.
  await arrive(page, '**/me', () => fillRegister(page, { username, displayName }));
  assert.equal(path(page), '/me');
  await visible(page.getByRole('heading', { level: 1, name: displayName }));
  await visible(page.getByText(`@${username}`));
  await assertLoggedInHeader(page, displayName);
  await assertValue(page.getByLabel('Display name'), displayName, 'display name on /me');

  // Log out with the header button → the front page, anonymous again.
  await logout(page);
  assert.equal(path(page), '/?done=logout');
  await visible(page.getByRole('status').getByText('You have been logged out.'));
  await assertAnonymousHeader(page);
  await assertHidden(page.getByText(displayName), 'display name after logout');

  // Log in from the header link → /me.
  await arrive(page, '**/login', () =>
    mainNav(page).getByRole('link', { name: 'Log in', exact: true }).click(),
  );
  await visible(page.getByRole('heading', { level: 1, name: 'Log in to Parley' }));
  await arrive(page, '**/me', () => fillLogin(page, username, PASSWORD));
  await visible(page.getByRole('heading', { level: 1, name: displayName }));
  await assertLoggedInHeader(page, displayName);

  // Edit the profile → "saved" notice and the new values.
  const newName = `${displayName} II`;
  const status = `Computing numbers, ${js ? 'with' : 'without'} scripts`;
  await page.getByLabel('Display name').fill(newName);
  await page.getByLabel('Status').fill(status);
  await submit(page, page.getByRole('button', { name: 'Save profile' }), '**/me?done=profile');
  await visible(page.getByRole('status').getByText('Your profile was saved.'));
  await visible(page.getByRole('heading', { level: 1, name: newName }));
  await assertLoggedInHeader(page, newName);
  await assertValue(page.getByLabel('Display name'), newName, 'display name after saving');
  await assertValue(page.getByLabel('Status'), status, 'status after saving');

  // The public profile shows the new values.
  await arrive(page, `**/users/${username}`, () =>
    page.getByRole('link', { name: 'View public profile' }).click(),
  );
  await visible(page.getByRole('heading', { level: 1, name: newName }));
  await visible(page.getByText(status, { exact: true }));
  await visible(page.getByText(`@${username}`));
  await visible(page.getByRole('link', { name: 'Edit your profile' }));

  // …also to someone who is not logged in.
  await page.goto('/me');
  await logout(page);
  await page.goto(`/users/${username}`);
  await visible(page.getByRole('heading', { level: 1, name: newName }));
  await visible(page.getByText(status, { exact: true }));
  await assertHidden(page.getByRole('link', { name: 'Edit your profile' }), 'edit link for a stranger');

  // A taken username (typed in another case): the error next to the username field, the
  // other fields kept.
  await page.goto('/register');
  await fillRegister(page, { username: username.toUpperCase(), displayName: 'Someone Else' });
  const usernameInput = page.getByLabel('Username', { exact: true });
  const usernameField = page.locator('.field', { has: usernameInput });
  await visible(usernameField.getByText('That username is taken. Try another one.'));
  assert.equal(pathname(page), '/register');
  assert.equal(await usernameInput.getAttribute('aria-invalid'), 'true', 'username marked invalid');
  assert.match(
    (await usernameInput.getAttribute('aria-describedby')) || '',
    /\busername-error\b/,
    'username input described by its error',
  );
  await assertValue(page.getByLabel('Display name'), 'Someone Else', 'display name kept after an error');
  await assertHidden(
    page.locator('.field', { has: page.getByLabel('Display name') }).locator('.field-error'),
    'an error under the display name',
  );
  await assertAnonymousHeader(page);

  // A wrong password: the error next to the form, the username still filled in.
  await page.goto('/login');
  await fillLogin(page, username, 'not the password');
  const loginForm = page.locator('form[action="/login"]');
  await visible(loginForm.getByText('Wrong username or password.'));
  assert.equal(pathname(page), '/login');
  await assertValue(page.getByLabel('Username', { exact: true }), username, 'username kept after a failed login');
  await assertValue(page.getByLabel('Password', { exact: true }), '', 'password cleared after a failed login');
  await assertAnonymousHeader(page);
  // The right password in the form shown again works (its CSRF token is still good).
  await arrive(page, '**/me', () => fillLogin(page, username, PASSWORD));
  await visible(page.getByRole('heading', { level: 1, name: newName }));
}

/** Logs in through the JSON API (another device, without a browser); returns the token. */
async function apiLogin(username, password = PASSWORD) {
  const res = await fetch(`${BASE}/api/v1/login`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Forwarded-For': fakeIp(),
      'User-Agent': 'curl/8.0',
    },
    body: JSON.stringify({ username, password }),
    signal: AbortSignal.timeout(TIMEOUT),
  });
  const body = await res.json();
  assert.equal(res.status, 200, `POST /api/v1/login: ${JSON.stringify(body)}`);
  return body.token;
}

// ---- the tests ---------------------------------------------------------------------------

// The tests share nothing but the browser (each has its own users, contexts and client
// addresses), so they run side by side: most of their time is spent waiting on pages.
describe('accounts in the browser', { concurrency: 2 }, () => {
  test('register, log out, log in, edit the profile, errors (JavaScript on)', async () => {
    await accountFlow(true);
  });

  test('the same flow as plain HTML forms (JavaScript off)', async () => {
    await accountFlow(false);
  });

  test('change the password on /me', async () => {
    const page = await newPage();
    const username = uname('pw');
    const displayName = 'Password Changer';
    await register(page, { username, displayName });
    // Another device, logged in before the change.
    const otherDevice = await apiLogin(username);
    assert.equal((await apiMe(otherDevice)).status, 200);

    // A wrong current password is refused next to its field.
    const newPassword = 'a brand new passphrase';
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    const currentField = page.locator('.field', { has: page.getByLabel('Current password') });
    await visible(currentField.getByText('The current password is wrong.'));
    assert.equal(pathname(page), '/me/password');
    assert.equal(await page.getByLabel('Current password').getAttribute('aria-invalid'), 'true');

    // The right one changes it: a notice, this session stays, the other device is out.
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password').fill(newPassword);
    await submit(page, page.getByRole('button', { name: 'Change password' }), '**/me?done=password*');
    await visible(page.getByRole('status').getByText('Your password was changed: 1 session and 0 API tokens were signed out.'));
    await visible(page.getByRole('heading', { level: 1, name: displayName }));
    assert.equal((await apiMe(otherDevice)).status, 401, 'the other session ended');

    // The old password fails, the new one works.
    await logout(page);
    await page.goto('/login');
    await fillLogin(page, username, PASSWORD);
    await visible(page.getByText('Wrong username or password.'));
    assert.equal(pathname(page), '/login');
    await arrive(page, '**/me', () => fillLogin(page, username, newPassword));
    await visible(page.getByRole('heading', { level: 1, name: displayName }));
  });

  test('sessions: revoke another device', async () => {
    const a = await newPage();
    const username = uname('ss');
    await register(a, { username, displayName: 'Two Devices' });
    const b = await newPage();
    await login(b, username);

    await arrive(a, '**/me/sessions', () => a.getByRole('link', { name: 'Sessions' }).click());
    await visible(a.getByRole('heading', { name: "Where you're logged in" }));
    const rows = a.locator('table tbody tr');
    assert.equal(await rows.count(), 2, 'two sessions listed');
    const current = rows.filter({ hasText: 'This device' });
    assert.equal(await current.count(), 1, 'exactly one session marked "This device"');
    await visible(current.getByText(a.ip, { exact: true }));
    const otherRow = rows.filter({ hasNotText: 'This device' });
    assert.equal(await otherRow.count(), 1);
    await visible(otherRow.getByText(b.ip, { exact: true }));

    await submit(a, otherRow.getByRole('button', { name: /^Revoke/ }), '**/me/sessions**');
    await visible(a.getByRole('heading', { name: "Where you're logged in" }));
    assert.equal(await rows.count(), 1, 'one session left');
    await visible(rows.first().getByText('This device'));

    // Device B is logged out at once: its live page leaves for the login form by itself,
    // which would bring it back to where it was.
    await b.waitForURL('**/login?next=%2Fme', { timeout: 5000 });
    assert.equal(pathname(b), '/login');
    await visible(b.getByRole('heading', { level: 1, name: 'Log in to Parley' }));
    await assertAnonymousHeader(b);
    // A keeps working.
    await a.goto('/me');
    assert.equal(pathname(a), '/me');
  });

  test('API tokens: create, use, revoke', async () => {
    const page = await newPage();
    const username = uname('tk');
    await register(page, { username, displayName: 'Token Maker' });
    await arrive(page, '**/me/tokens', () => page.getByRole('link', { name: 'API tokens' }).click());
    await visible(page.getByText('No tokens yet.'));

    await page.getByLabel('Name', { exact: true }).fill('ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    await visible(page.getByRole('heading', { name: 'Your new token “ci”' }));
    await visible(page.getByText('Copy it now, it will not be shown again.'));
    await visible(page.getByRole('button', { name: 'Copy', exact: true }));
    const secret = await page.getByLabel('New API token').inputValue();
    assert.match(secret, /^pat_[A-Za-z0-9_-]{16,}$/, 'the secret is shown');
    await visible(page.getByRole('rowheader', { name: 'ci', exact: true }));

    // Coming back to the page: the secret is gone, the token is listed.
    await page.goto('/me/tokens');
    assert.equal(await page.getByLabel('New API token').count(), 0, 'no secret field any more');
    assert.ok(!(await page.content()).includes(secret), 'the secret is not in the page');
    await visible(page.getByRole('rowheader', { name: 'ci', exact: true }));

    // The secret works against the API.
    const ok = await apiMe(secret);
    assert.equal(ok.status, 200, `GET /api/v1/me with the new token: ${JSON.stringify(ok.body)}`);
    assert.equal(ok.body.user.username, username);

    // Revoke it: it stops working at once.
    await submit(page, page.getByRole('button', { name: 'Revoke ci' }), '**/me/tokens**');
    assert.ok(confirmations.some((m) => m.startsWith('Revoke this token')), 'the page asked before revoking');
    await visible(page.getByText('No tokens yet.'));
    await assertHidden(page.getByRole('rowheader', { name: 'ci', exact: true }), 'the revoked token');
    const gone = await apiMe(secret);
    assert.equal(gone.status, 401, `GET /api/v1/me with a revoked token: ${JSON.stringify(gone.body)}`);
  });

  test('markup in names is shown as text, never run', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const evilStatus = '"><script>alert(2)</script><b>bold</b>';
    const username = uname('xss');
    const page = await newPage();
    await page.goto('/register');
    await arrive(page, '**/me', () => fillRegister(page, { username, displayName: evil }));

    const noMarkup = async (where) => {
      assert.equal(await page.locator('img[src="x"]').count(), 0, `no <img src=x> on ${where}`);
      assert.equal(await page.locator('main script, main b').count(), 0, `no injected elements on ${where}`);
    };
    await visible(page.getByRole('heading', { level: 1, name: evil }));
    await visible(mainNav(page).getByText(evil, { exact: true }));
    await assertValue(page.getByLabel('Display name'), evil, 'display name field');
    await noMarkup('/me');

    await page.getByLabel('Status').fill(evilStatus);
    await submit(page, page.getByRole('button', { name: 'Save profile' }), '**/me?done=profile');
    await assertValue(page.getByLabel('Status'), evilStatus, 'status field');
    await noMarkup('/me after saving');

    await page.goto(`/users/${username}`);
    await visible(page.getByRole('heading', { level: 1, name: evil }));
    await visible(page.getByText(evilStatus, { exact: true }));
    await noMarkup('the public profile');

    await page.goto('/');
    await visible(page.getByText(`Welcome back, ${evil}.`));
    await noMarkup('the front page');

    await page.goto('/me/sessions');
    await visible(page.getByRole('rowheader').filter({ hasText: 'This device' }));
    await noMarkup('/me/sessions');

    // A form shown again after an error repeats what was typed, as text in the field.
    await logout(page);
    await page.goto('/register');
    await fillRegister(page, { username, displayName: evil });
    await visible(page.getByText('That username is taken. Try another one.'));
    await assertValue(page.getByLabel('Display name'), evil, 'display name kept after an error');
    await noMarkup('the register form after an error');

    assert.deepEqual(dialogs, [], 'no dialog was opened by any page');
  });

  test('phone layout: no sideways scrolling', async () => {
    const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
    const page = await newPage({ context: phone });
    const shots = process.env.PARLEY_SCREENSHOTS;
    if (shots) mkdirSync(shots, { recursive: true });

    const noSideScroll = async (where) => {
      const m = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        inner: window.innerWidth,
      }));
      // On a mobile viewport innerWidth grows with wide content, so compare with the screen.
      assert.ok(m.scroll <= 390, `${where}: scrollWidth ${m.scroll} > 390 (innerWidth ${m.inner})`);
    };

    for (const p of ['/', '/login', '/register']) {
      await page.goto(p);
      await noSideScroll(p);
    }
    // A long unbroken display name must not push the page wider either.
    const username = uname('ph');
    await register(page, { username, displayName: 'Maximiliana-Wilhelmina-Konstantinopolitanische' });
    // A second session, so that /me/sessions has more than one row.
    await apiLogin(username);
    for (const p of ['/me', '/me/sessions', '/me/tokens', `/users/${username}`]) {
      await page.goto(p);
      await noSideScroll(p);
    }
    if (shots) {
      await page.goto('/me');
      await page.screenshot({ path: join(shots, 'me-phone.png'), fullPage: true });
      const desk = await newPage({ context: { viewport: { width: 1280, height: 900 } } });
      await login(desk, username);
      await desk.screenshot({ path: join(shots, 'me-desktop.png'), fullPage: true });
      await desk.goto('/me/sessions');
      await desk.screenshot({ path: join(shots, 'sessions-desktop.png'), fullPage: true });
      await page.goto('/me/sessions');
      await page.screenshot({ path: join(shots, 'sessions-phone.png'), fullPage: true });
    }
  });
});
