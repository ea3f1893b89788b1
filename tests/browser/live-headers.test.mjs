// The conversation's header as a member sees it while others change the conversation: the
// member count after someone leaves (in another browser), the title after a rename and
// the count after someone is added, all without reloading the page.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ipSource, useBrowser, pageSource, problemWatcher, waitFor, waitLive, LIVE_MS } from './lib.mjs';
import { apiPerson, call, group } from './api.mjs';

const fakeIp = ipSource(97);
const newContext = useBrowser();
const problems = [];
const newPage = pageSource(newContext, fakeIp, problemWatcher(problems));
const WIDE = { viewport: { width: 1280, height: 900 } };

const headerText = (page) => page.locator('.chat-head .chat-title').innerText();

describe('live headers', () => {
  test('the member count follows a leave in another browser, the title a rename', async () => {
    const alice = await apiPerson(newPage, 'Alice Header', { context: WIDE, prefix: 'h' });
    const bob = await apiPerson(newPage, 'Bob Header', { prefix: 'h' });
    const carol = await apiPerson(newPage, 'Carol Header', { prefix: 'h' });
    const dave = await apiPerson(newPage, 'Dave Header', { prefix: 'h' });
    const conv = await group(alice, 'Header news', [bob, carol]);
    const page = alice.page;
    await page.goto(`/conversations/${conv}`);
    await waitLive(page);
    await page.evaluate(() => { window.headerMarker = 1; });
    assert.match(await headerText(page), /3 members/);

    // Carol leaves, in her own browser, with the page's own form.
    await carol.page.goto(`/conversations/${conv}/settings`);
    await carol.page.getByRole('button', { name: 'Leave' }).click();
    await carol.page.waitForURL(/\/conversations\?done=left/);
    await waitFor('the header says 2 members', async () => /2 members/.test(await headerText(page)), LIVE_MS);

    await call(bob, 'DELETE', `/conversations/${conv}/members/${bob.id}`);
    await waitFor('the header says 1 member', async () => /1 member\b/.test(await headerText(page)), LIVE_MS);

    await call(alice, 'POST', `/conversations/${conv}/members`, { username: dave.username });
    await waitFor('the header says 2 members again', async () => /2 members/.test(await headerText(page)), LIVE_MS);

    // Dave renames it: Alice's header and tab follow.
    await call(alice, 'PATCH', `/conversations/${conv}/members/${dave.id}`, { role: 'admin' });
    await call(dave, 'PATCH', `/conversations/${conv}`, { title: 'Header renamed' });
    await waitFor('the header shows the new title', async () =>
      (await page.locator('.chat-head h1').innerText()).trim() === 'Header renamed', LIVE_MS);
    await waitFor('the tab shows the new title', async () => /Header renamed/.test(await page.title()), LIVE_MS);
    assert.equal(await page.evaluate(() => window.headerMarker), 1, 'no reload');
    assert.deepEqual(problems, []);
  });
});
