// Browser tests of search: a person types into the header's search box, reads the hits with
// the matched words marked, opens one and lands on that message, highlighted, in its
// conversation; with JavaScript and without. Any script error or CSP violation fails.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  ipSource, uname, useBrowser, pageSource, problemWatcher, pathname, visible, arrive,
  postRegister, messageFromProfile,
} from './lib.mjs';

const fakeIp = ipSource(91);
const newContext = useBrowser();
const problems = [];
const newPage = pageSource(newContext, fakeIp, problemWatcher(problems));

after(() => assert.deepEqual(problems, [], 'no script errors, CSP violations or dialogs'));

async function person(displayName, js) {
  const page = await newPage({ context: { javaScriptEnabled: js } });
  const username = uname('s');
  await postRegister(page.request, { username, displayName });
  return { page, username, displayName };
}

/** Sends body from the open conversation page (posting the form; the page comes back). */
async function send(page, convId, body) {
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill(body);
  const sent = page.waitForResponse((r) => r.request().method() === 'POST' && /\/messages$/.test(new URL(r.url()).pathname));
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await sent;
  await page.locator('li.msg .msg-body', { hasText: body }).first().waitFor();
  assert.equal(pathname(page), `/conversations/${convId}`);
}

for (const js of [true, false]) {
  describe(`search from the header (JavaScript ${js ? 'on' : 'off'})`, () => {
    test('search, open a hit, land on the highlighted message', async () => {
      const tag = `k${randomBytes(4).toString('hex')}`;   // a letter first: "22e6…" would read as a number
      const bob = await person(`Bob ${tag}`, true);
      const ann = await person(`Ann ${tag}`, js);
      const page = ann.page;
      const convId = await messageFromProfile(page, bob.username, { nextLoad: true });
      await send(page, convId, `first message ${tag}`);
      await send(page, convId, `the needle ${tag} <b>stays text</b>`);
      for (let i = 0; i < 3; i++) await send(page, convId, `filler ${i} ${tag}`);

      await page.goto('/conversations');
      const box = page.locator('#header-q');             // a combobox with JavaScript, a searchbox without
      await box.fill(`needle ${tag}`);
      await arrive(page, (u) => u.pathname === '/search', () => box.press('Enter'));
      await visible(page.getByRole('heading', { level: 1, name: 'Search' }));
      const hits = page.locator('.search-hit');
      assert.equal(await hits.count(), 1, 'one hit');
      const marks = await hits.first().locator('mark').allInnerTexts();
      assert.deepEqual(marks, ['needle', tag], 'the matched words are marked');
      assert.match(await hits.first().locator('.search-snippet').innerText(), /^the needle \S+ <b>stays text<\/b>$/, 'the whole short message, markup as text');
      assert.equal(await hits.first().locator('.search-snippet b').count(), 0, 'no element from the message');
      const link = hits.first().getByRole('link', { name: `Bob ${tag}` });
      const href = await link.getAttribute('href');
      const seq = Number(href.match(/#m(\d+)$/)[1]);
      assert.ok(href.startsWith(`/conversations/${convId}?around=${seq}`), href);

      await arrive(page, (u) => u.pathname === `/conversations/${convId}` && u.hash === `#m${seq}`, () => link.click());
      const target = page.locator(`li#m${seq}`);
      await visible(target);
      assert.match(await target.innerText(), new RegExp(`needle ${tag}`));
      assert.ok(await target.evaluate((el) => el.matches(':target')), 'the hit is the page\'s target');
      const [hit, other] = await page.evaluate((s) => {
        const bg = (el) => getComputedStyle(el).backgroundColor;
        return [bg(document.getElementById(`m${s}`)), bg(document.getElementById(`m${s + 1}`))];
      }, seq);
      assert.notEqual(hit, other, 'the hit is highlighted');
    });
  });
}

describe('suggestions while typing (JavaScript on)', () => {
  test('conversations and people appear under the header box; a click or the keyboard opens them', async () => {
    const tag = `k${randomBytes(4).toString('hex')}`;
    const bob = await person(`Bob ${tag}`, true);
    const ann = await person(`Ann ${tag}`, true);
    const page = ann.page;
    const convId = await messageFromProfile(page, bob.username, { nextLoad: true });
    await page.goto('/conversations');
    const box = page.getByRole('combobox', { name: 'Search' });
    await box.fill(`Bob ${tag}`);
    const list = page.getByRole('listbox', { name: 'Suggestions' });
    await visible(list);
    assert.equal(await box.getAttribute('aria-expanded'), 'true');
    const person_ = list.getByRole('option').filter({ hasText: `@${bob.username}` });
    const conv = list.getByRole('option').filter({ hasText: 'Direct conversation' });
    await visible(person_);
    await visible(conv);
    await visible(list.getByRole('option').filter({ hasText: `Search messages for “Bob ${tag}”` }));
    // The keyboard: the first option is the conversation.
    await box.press('ArrowDown');
    assert.equal(await conv.first().getAttribute('aria-selected'), 'true');
    await arrive(page, (u) => u.pathname === `/conversations/${convId}`, () => box.press('Enter'));
    // A click on the person opens their profile.
    await page.getByRole('combobox', { name: 'Search' }).fill(`Bob ${tag}`);
    await visible(page.getByRole('listbox', { name: 'Suggestions' }));
    await arrive(page, (u) => u.pathname === `/users/${bob.username}`,
      () => page.getByRole('option').filter({ hasText: `@${bob.username}` }).click());
    // Operators (from:, in:, …) are message searches: no suggestions for them.
    await page.getByRole('combobox', { name: 'Search' }).fill(`from:@${bob.username}`);
    await page.waitForTimeout(600);
    assert.equal(await page.getByRole('listbox', { name: 'Suggestions', includeHidden: true }).isHidden(), true);
  });
});
