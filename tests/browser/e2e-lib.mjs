// e2e-lib.mjs — what the end-to-end encryption browser tests share: people in fresh browser
// profiles, an encrypted conversation made from /conversations' forms, waiting until this
// browser is a device that can write it, sending from the encrypted composer, waiting for a
// decrypted message, and the files under a directory (for the searches for plaintext).
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  ipSource, uname, useBrowser, pageSource, problemWatcher, postRegister, conversationId, visible, waitFor, LIVE_MS,
} from './lib.mjs';

/**
 * A test file's browser (call once, at the top of the file): fake client addresses from
 * ipBase, usernames from prefix. Returns {newPage, problems, person}: problems collects every
 * page's script errors, CSP violations and dialogs; person(displayName) registers someone in
 * a profile of their own and returns {page, username, displayName}; onPage(page) runs first.
 */
export function e2eBrowser(ipBase, prefix, onPage = () => {}) {
  const newContext = useBrowser();
  const problems = [];
  const newPage = pageSource(newContext, ipSource(ipBase), problemWatcher(problems));
  async function person(displayName) {
    const page = await newPage();
    onPage(page);
    const username = uname(prefix);
    await postRegister(page.request, { username, displayName });
    return { page, username, displayName };
  }
  return { newPage, problems, person };
}

/** Creates an encrypted direct conversation or group from /conversations' forms (fields by
 *  label: Username, or Title and "Members optional"); returns its id. */
export async function createEncrypted(page, kind, fields) {
  await page.goto('/conversations');
  const form = page.locator('form').filter({ has: page.locator(`input[name="kind"][value="${kind}"]`) });
  const details = page.locator('details').filter({ has: form });
  if (!(await details.evaluate((d) => d.open))) {
    await page.getByText(kind === 'direct' ? 'New direct conversation' : 'New group', { exact: true }).click();
  }
  for (const [label, value] of Object.entries(fields)) await form.getByLabel(label, { exact: true }).fill(value);
  await form.getByLabel('End-to-end encrypted').check();
  await Promise.all([page.waitForURL(/\/conversations\/\d+$/), form.locator('button[type="submit"]').click()]);
  return conversationId(page);
}

/** Opens the conversation and waits until this browser is a device that can write it. */
export async function openEncrypted(page, id) {
  if (!page.url().endsWith(`/conversations/${id}`)) await page.goto(`/conversations/${id}`);
  await visible(page.locator('.e2e-lock'));
  await visible(page.getByRole('textbox', { name: 'Message', exact: true }));
}

/** Sends text from the encrypted composer; waits until its sender shows it, decrypted. */
export async function sendEncrypted(page, text) {
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await waitFor(`"${text}" shown to its sender`, async () => {
    if ((await page.locator('.msg-decrypted', { hasText: text }).count()) > 0) return true;
    assert.equal(await page.locator('.e2e-composer .composer-hint').innerText(), '', 'the composer reports no failure');
    return false;
  });
}

/** Waits until page shows text decrypted. */
export const shows = (page, text) => waitFor(`"${text}" decrypted`, async () =>
  (await page.locator('.msg-decrypted', { hasText: text }).count()) > 0, LIVE_MS * 2);

/** Every file under dir, at any depth. */
export function filesUnder(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name), st = statSync(p);
    if (st.isDirectory()) out = out.concat(filesUnder(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}
