// Passkeys from the pages, with Chromium's virtual authenticator standing in for a phone or a
// laptop's fingerprint reader (user verification on): add one on /me/passkeys, log out, log
// in with it from /login without typing a password. Browsers refuse passkeys for an IP
// address, so this page talks to the stack as http://localhost:<port>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, ipSource, uname, useBrowser, pageSource, problemWatcher, register, arrive, pathname } from './lib.mjs';

const problems = [];
const newPage = pageSource(useBrowser(), ipSource(97), problemWatcher(problems));
const LOCAL = BASE.replace('//127.0.0.1:', '//localhost:');

test('add a passkey, log out, and log in with it', async () => {
  const page = await newPage({ context: { baseURL: LOCAL } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  const user = { username: uname('pk'), displayName: 'Passkey Person' };
  await register(page, user);

  await page.goto('/me/passkeys');
  await page.getByText('You have no passkeys yet.').waitFor();
  await page.getByLabel('Name it').fill('Test laptop');
  await arrive(page, '**/me/passkeys?done=added', () => page.getByRole('button', { name: 'Add a passkey' }).click());
  await page.getByText('The passkey was added').waitFor();
  await page.locator('.passkey-list strong', { hasText: 'Test laptop' }).waitFor();
  await page.getByText('never used').waitFor();

  await arrive(page, '**/?done=logout', () => page.getByRole('button', { name: 'Log out' }).first().click());
  await page.goto('/login');
  await arrive(page, '**/me', () => page.getByRole('button', { name: 'Log in with a passkey' }).click());
  assert.equal(pathname(page), '/me');
  await page.getByRole('heading', { level: 1, name: user.displayName }).waitFor();

  await page.goto('/me/passkeys');
  await page.getByText(/last used/).waitFor();
  // The authenticator holds one discoverable passkey for this site, its counter moving with each use.
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0].rpId, 'localhost');
  assert.equal(credentials[0].isResidentCredential, true);
  assert.ok(credentials[0].signCount >= 1, 'its counter moved');
  assert.deepEqual(problems, []);
  await page.context().close();
});
