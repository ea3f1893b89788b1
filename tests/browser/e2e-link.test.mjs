// Browser test of linking a new device (docs/SECURITY.md "Linking a device"): Ada in one
// Chromium profile and Ben in another exchange encrypted messages; then Ada signs in to a
// second, fresh profile, which cannot read them. On /me/devices the new profile shows a
// one-time code (digits and a QR code), the old one takes the code and sends its history,
// and afterwards the new profile reads the messages sent before it existed, Ben is told Ada
// added a device, and a message Ben sends then reaches the new profile too. A wrong code and
// a used one are refused; the page passes axe-core and html-validate. The server's tables
// never hold the plaintext (pg_dump, searched byte for byte).
//
// Environment: PARLEY_URL, CHROMIUM as for the other browser tests, PARLEY_DB for the search
// afterwards. Needs static/e2e.wasm (make wasm; test-stack builds it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { loadE2E } from '../../static/js/e2e.js';
import { pageProblems, axeErrors } from './a11y.mjs';
import { visible, waitFor, csrfOf, PASSWORD, LIVE_MS } from './lib.mjs';
import { e2eBrowser, createEncrypted, openEncrypted, sendEncrypted, shows } from './e2e-lib.mjs';

const { newPage, problems, person } = e2eBrowser(92, 'l');

/** A fresh browser profile signed in to an existing account. */
async function signIn(username) {
  const page = await newPage();
  const { csrf } = await csrfOf(page.request, '/login');
  const res = await page.request.post('/login', { form: { csrf_token: csrf, username, password: PASSWORD }, maxRedirects: 0 });
  assert.equal(res.status(), 303, `POST /login: ${res.status()}`);
  return page;
}

test('a linked device reads the history from before it existed, and what comes after', async () => {
  const tag = randomBytes(6).toString('hex');
  const before = [`before linking, from Ada ${tag}`, `before linking, from Ben ${tag}`];
  const after = `after linking, from Ben ${tag}`;
  const ada = await person('Ada Link'), ben = await person('Ben Link');
  const id = await createEncrypted(ada.page, 'direct', { Username: ben.username });
  await openEncrypted(ada.page, id);
  await openEncrypted(ben.page, id);
  await sendEncrypted(ada.page, before[0]);
  await shows(ben.page, before[0]);
  await sendEncrypted(ben.page, before[1]);
  await shows(ada.page, before[1]);

  // Ada's second browser: a device of its own that was not there when these were sent.
  const fresh = await signIn(ada.username);
  await openEncrypted(fresh, id);
  await visible(fresh.locator('.msg-encrypted', { hasText: 'Encrypted message' }).first());
  assert.equal(await fresh.locator('.msg-decrypted').count(), 0, 'nothing readable before linking');

  // New device: Settings → Devices → "Link this device" shows the code.
  await fresh.goto('/me/devices');
  await fresh.getByRole('button', { name: 'Link this device' }).click();
  const digits = fresh.locator('.link-code-digits');
  await visible(digits);
  const code = (await digits.innerText()).trim();
  assert.match(code, /^(\d{5} ){9}\d{5}$/, 'fifty digits in groups of five');
  // The QR code drawn is the module's code of those digits.
  const svg = fresh.getByRole('img', { name: /^QR code of the one-time code/ });
  await visible(svg);
  const q = (await loadE2E(readFileSync(new URL('../../static/e2e.wasm', import.meta.url)))).qr(code.replace(/ /g, ''));
  const want = new Set();
  for (let y = 0; y < q.side; y++) for (let x = 0; x < q.side; x++) if (q.modules[y * q.side + x]) want.add(`${x + 4},${y + 4}`);
  const d = await svg.locator('path').getAttribute('d');
  assert.deepEqual(new Set([...d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`)), want);
  assert.deepEqual(await axeErrors(fresh, '/me/devices with a code shown'), []);

  // A wrong code on the old device: refused there, and nothing is sent.
  await ada.page.goto('/me/devices');
  const input = ada.page.getByLabel('Link a new device');
  await input.fill('12345');
  await ada.page.getByRole('button', { name: 'Send the history' }).click();
  await waitFor('the wrong code refused', async () => /Not sent: That is not a code/.test(
    await ada.page.locator('.link-old-status').innerText()));

  // The old device: "Link a new device" takes the code and sends.
  await input.fill(code);
  await ada.page.getByRole('button', { name: 'Send the history' }).click();
  await waitFor('the history sent', async () => /^Sent: \d+ messages? to the new device\.$/.test(
    await ada.page.locator('.link-old-status').innerText()), LIVE_MS * 2);
  await waitFor('the history received', async () => /^Linked: \d+ messages? from your other device/.test(
    await fresh.locator('.link-new-status').innerText()), LIVE_MS * 3);
  assert.match(await fresh.locator('.link-new-status').innerText(), /^Linked: 2 messages/);

  // The new device reads what was sent before it existed.
  await fresh.goto(`/conversations/${id}`);
  await shows(fresh, before[0]);
  await shows(fresh, before[1]);
  assert.equal(await fresh.getByText('Could not decrypt').count(), 0);

  // Ben is told Ada added a device; what he sends now reaches the new device as any device.
  await ben.page.reload();
  await openEncrypted(ben.page, id);
  await waitFor('Ben sees the new-device notice', async () =>
    (await ben.page.locator('.e2e-notice', { hasText: 'Ada Link added a device' }).count()) > 0, LIVE_MS * 2);
  await sendEncrypted(ben.page, after);
  await shows(fresh, after);
  await openEncrypted(ada.page, id);
  await shows(ada.page, after);

  // The code is used up: typed again, it is refused.
  await ada.page.goto('/me/devices');
  await ada.page.getByLabel('Link a new device').fill(code);
  await ada.page.getByRole('button', { name: 'Send the history' }).click();
  await waitFor('a used code refused', async () => /Not sent: This link has been used/.test(
    await ada.page.locator('.link-old-status').innerText()));

  // The page passes axe-core and html-validate, light and dark, wide and narrow.
  const found = await pageProblems(ada.page, '/me/devices', { ready: (p) => visible(p.getByLabel('Link a new device')) });
  assert.deepEqual(found, [], `\n${found.join('\n')}`);

  assert.deepEqual(problems, [], 'no script errors, CSP violations or dialogs');
  assert.ok(process.env.PARLEY_DB, 'PARLEY_DB names the stack to search');
  const dump = execFileSync('pg_dump', ['--data-only', process.env.PARLEY_DB], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  for (const s of [...before, after]) assert.equal(dump.indexOf(Buffer.from(s)), -1, `the database holds "${s}"`);
  assert.ok(dump.indexOf(Buffer.from(ada.username)) >= 0, 'the dump is of this stack');
});
