// Two-factor sign-in from the pages, as a person does it: open the account tab, set it up,
// read the key from the page (the test plays the authenticator app), turn it on, keep the
// recovery codes, log out, and log in again with a code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, ipSource, uname, useBrowser, pageSource, pathname, arrive, register } from './lib.mjs';
import { totp } from '../support/totp.mjs';

const newPage = pageSource(useBrowser(), ipSource(91), () => {});

test('enrol from the page, log out, and log in again with a code', async () => {
  const page = await newPage();
  const user = { username: uname('tf'), displayName: 'Two Factor' };
  await register(page, user);
  await arrive(page, '**/me/2fa', () => page.getByRole('link', { name: 'Two-factor sign-in' }).click());
  await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  const qr = page.getByRole('img', { name: /QR code/ });
  await qr.waitFor();
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code is drawn');
  const secret = (await page.locator('code.totp-secret').textContent()).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  await page.getByLabel('Code', { exact: true }).fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByText('Save these recovery codes now').waitFor();
  assert.equal(await page.locator('ol.recovery-codes li').count(), 10);

  // Log out, then in: the password alone leads to the code form.
  await arrive(page, '**/?done=logout', () => page.getByRole('button', { name: 'Log out' }).first().click());
  await page.goto('/login');
  await page.getByLabel('Username', { exact: true }).fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
  await page.getByLabel('Code', { exact: true }).fill('000000');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByText('That code is wrong or was used already.').first().waitFor();
  // The code that turned it on was spent; the next step's code is accepted.
  await page.getByLabel('Code', { exact: true }).fill(totp(secret, Date.now() / 1000 + 30));
  await arrive(page, '**/me', () => page.getByRole('button', { name: 'Log in', exact: true }).click());
  assert.equal(pathname(page), '/me');
  await page.getByRole('heading', { level: 1, name: user.displayName }).waitFor();
  await page.context().close();
});
