// Browser test of search on the device (static/js/e2e-search.js, e2e-search-ui.js): two
// people in Chromium, an encrypted direct conversation with several messages and a plain one.
// The reader's browser indexes what it decrypts; /search then finds a word that only an
// encrypted message holds (the server's own search finds nothing for it), merges the device's
// hits with the server's newest first, marks them with the lock and highlights the match with
// elements made from text; a deleted message stops matching; the index survives a new page
// (it is in IndexedDB); an encrypted conversation has its own search box; without JavaScript
// the page says encrypted conversations need it; a conversation left leaves the index. Every request of both browsers is recorded:
// the encrypted-only word leaves a page only in the normal server search (GET /search?q=).
//
// Environment: PARLEY_URL, CHROMIUM as for the other browser tests. Needs static/e2e.wasm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { conversationId, visible, waitFor, LIVE_MS, messageFromProfile, csrfOf } from './lib.mjs';
import { e2eBrowser, createEncrypted, openEncrypted, sendEncrypted, shows } from './e2e-lib.mjs';

const requests = [];     // {url, method, post} of every request any page of this file made
const { newPage, problems, person } = e2eBrowser(93, 'q', (page) =>
  page.context().on('request', (r) => requests.push({ url: r.url(), method: r.method(), post: r.postData() || '' })));

/** Searches from the /search page's own form (GET /search?q=…, as without JavaScript). */
async function searchPage(page, q) {
  if (new URL(page.url()).pathname !== '/search') await page.goto('/search');
  await page.locator('#q').fill(q);
  await Promise.all([page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === q),
    page.locator('form.search-form button[type="submit"]').click()]);
  await waitFor('the device searched', async () =>
    /searched on this device|holds no messages/.test(await page.locator('.search-e2e-note').innerText()));
}

/** The hits shown: [{e2e, marks, text, href}] in order. */
const hitsOf = (page) => page.locator('.search-hit').evaluateAll((els) => els.map((li) => ({
  e2e: li.classList.contains('search-hit-e2e'),
  lock: li.querySelector('.e2e-lock') !== null,
  marks: [...li.querySelectorAll('.search-snippet mark')].map((m) => m.textContent),
  text: li.querySelector('.search-snippet').textContent,
  meta: li.querySelector('.muted').textContent,
  href: li.querySelector('a.search-hit-link').getAttribute('href'),
  elements: li.querySelector('.search-snippet').querySelectorAll('*:not(mark)').length,
})));

/**
 * Waits until the device's index holds n messages of conversation c. The page writes the index
 * just after it shows a message decrypted; a person leaving the page in that moment loses the
 * write until they open the conversation again, which is not what these steps test. Reads
 * the database only once the page has made it (opening it here first would make it empty).
 */
async function indexed(page, c, n) {
  await waitFor(`${n} message(s) of conversation ${c} in the device's index`, () => page.evaluate(async ({ c, n }) => {
    const name = `parley-e2e-search:${document.body.dataset.me}`;
    if (!(await indexedDB.databases()).some((d) => d.name === name && d.version >= 1)) return false;
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    try {
      if (!db.objectStoreNames.contains('docs')) return false;
      const count = await new Promise((resolve, reject) => {
        const r = db.transaction('docs').objectStore('docs').count(IDBKeyRange.bound([c], [c, []]));
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      return count === n;
    } finally { db.close(); }
  }, { c: Number(c), n }), LIVE_MS * 2);
}

/** Waits until the device's search for q shows n encrypted hits (the index is written after decrypting). */
async function deviceHits(page, q, n) {
  let hits = [];
  await waitFor(`${n} encrypted hit(s) for "${q}"`, async () => {
    await searchPage(page, q);
    hits = await hitsOf(page);
    return hits.filter((h) => h.e2e).length === n;
  }, LIVE_MS * 2);
  return hits;
}

test('search on the device: found, merged with the server\'s hits, forgotten when deleted, kept across pages', async () => {
  const tag = randomBytes(4).toString('hex');
  const secret = `qz${randomBytes(5).toString('hex')}`;     // only in an encrypted message
  const doomed = `qd${randomBytes(5).toString('hex')}`;     // in the message deleted later
  const common = `kc${tag}`;                                 // in a plain and an encrypted message
  const ada = await person('Ada Seek'), ben = await person('Ben Seek');

  // A plain conversation first (older), then the encrypted one.
  const plain = await messageFromProfile(ada.page, ben.username, { nextLoad: true });
  await ada.page.getByRole('textbox', { name: 'Message', exact: true }).fill(`plain ${common} words`);
  await ada.page.getByRole('button', { name: 'Send', exact: true }).click();
  await visible(ada.page.locator('li.msg .msg-body', { hasText: `plain ${common}` }).first());

  const direct = await createEncrypted(ada.page, 'direct', { Username: ben.username });
  await openEncrypted(ada.page, direct);
  await openEncrypted(ben.page, direct);
  const texts = [`Crème brûlée tonight ${tag}`, `the ${secret} is here`, `sealed ${common} too`, `drop ${doomed} soon`,
    `<b>bold</b> markup ${tag}`];
  for (const t of texts) await sendEncrypted(ada.page, t);
  for (const t of texts) await shows(ben.page, t);
  await indexed(ben.page, direct, texts.length);

  // The encrypted-only word: found on Ben's device, with the lock, linking to the message.
  const hits = await deviceHits(ben.page, secret, 1);
  assert.equal(hits.length, 1, 'only the encrypted message');
  assert.equal(hits[0].lock, true);
  assert.deepEqual(hits[0].marks, [secret]);
  assert.equal(hits[0].text, `the ${secret} is here`);
  assert.match(hits[0].meta, /Ada Seek/);
  const seq = Number(hits[0].href.match(/^\/conversations\/(\d+)\?around=(\d+)#m(\d+)$/)?.[2]);
  assert.ok(hits[0].href === `/conversations/${direct}?around=${seq}#m${seq}` && seq > 0, hits[0].href);
  // The server's own search knows nothing of it.
  const api = await (await ben.page.request.get(`/api/v1/search?q=${secret}`)).json();
  assert.deepEqual(api.messages, [], 'the server finds nothing for the encrypted-only word');
  // The link opens the message in its conversation, decrypted.
  await Promise.all([ben.page.waitForURL((u) => u.hash === `#m${seq}`), ben.page.locator('.search-hit-e2e a').click()]);
  await visible(ben.page.locator(`li#m${seq} .msg-decrypted`, { hasText: secret }));

  // Merged with the server's hit of the plain conversation, newest first.
  const merged = await deviceHits(ben.page, common, 1);
  assert.deepEqual(merged.map((h) => [h.e2e, h.lock, h.text]),
    [[true, true, `sealed ${common} too`], [false, false, `plain ${common} words`]]);
  assert.ok(merged[1].href.startsWith(`/conversations/${plain}?`), merged[1].href);
  assert.match(await ben.page.locator('.search-e2e-note').innerText(), /1 message found/);

  // Accents folded, words as prefixes; markup in a message stays text.
  const folded = await deviceHits(ben.page, 'creme brul', 1);
  assert.deepEqual(folded[0].marks, ['Crème', 'brûlée']);
  const markup = await deviceHits(ben.page, `bold ${tag}`, 1);
  assert.equal(markup[0].text, `<b>bold</b> markup ${tag}`);
  assert.equal(markup[0].elements, 0, 'no element from the message');

  // The conversation's own search box: this conversation only, on the device.
  await openEncrypted(ben.page, direct);
  await ben.page.getByText('Search this conversation', { exact: true }).click();
  const box = ben.page.getByRole('searchbox', { name: 'Search this encrypted conversation on this device' });
  await box.fill(common);
  await box.press('Enter');
  const inConv = ben.page.locator('.e2e-search-hits .search-hit');
  await waitFor('the conversation\'s search shows its hit', async () => (await inConv.count()) === 1);
  assert.equal(await inConv.locator('mark').innerText(), common);
  assert.match(await ben.page.locator('.e2e-search [role="status"]').innerText(), /1 found on this device/);

  // A deleted message no longer matches (Ben's page shows it deleted, and forgets it).
  await deviceHits(ben.page, doomed, 1);
  await openEncrypted(ben.page, direct);
  const doomedSeq = Number((await ada.page.locator('li.msg', { has: ada.page.locator('.msg-decrypted', { hasText: doomed }) })
    .getAttribute('id')).slice(1));
  const { csrf } = await csrfOf(ada.page.request, '/me');
  const del = await ada.page.request.delete(`/api/v1/conversations/${direct}/messages/${doomedSeq}`, { headers: { 'X-CSRF-Token': csrf } });
  assert.ok(del.status() < 300, `delete: ${del.status()}`);
  await visible(ben.page.locator(`li#m${doomedSeq}.msg-deleted`));
  await deviceHits(ben.page, doomed, 0);
  assert.match(await ben.page.locator('.search-e2e-note').innerText(), /0 messages found/);
  await deviceHits(ada.page, doomed, 0);       // the sender's device too

  // A conversation left: its messages leave the index when /search next runs.
  const gone = `qg${randomBytes(5).toString('hex')}`;
  await ada.page.goto('/conversations');
  const groupForm = ada.page.locator('form').filter({ has: ada.page.locator('input[name="kind"][value="group"]') });
  await ada.page.getByText('New group', { exact: true }).click();
  await groupForm.getByLabel('Title', { exact: true }).fill(`Sealed ${tag}`);
  await groupForm.getByLabel('Members optional', { exact: true }).fill(ben.username);
  await groupForm.getByLabel('End-to-end encrypted').check();
  await Promise.all([ada.page.waitForURL(/\/conversations\/\d+$/), groupForm.locator('button[type="submit"]').click()]);
  const group = conversationId(ada.page);
  await openEncrypted(ada.page, group);
  await openEncrypted(ben.page, group);
  await sendEncrypted(ada.page, `in the group ${gone}`);
  await shows(ben.page, `in the group ${gone}`);
  await indexed(ben.page, group, 1);
  const inGroup = await deviceHits(ben.page, gone, 1);
  assert.match(inGroup[0].href, new RegExp(`^/conversations/${group}\\?`));
  const benId = (await (await ben.page.request.get('/api/v1/me')).json()).user.id;
  const { csrf: benCsrf } = await csrfOf(ben.page.request, '/me');
  const left = await ben.page.request.delete(`/api/v1/conversations/${group}/members/${benId}`, { headers: { 'X-CSRF-Token': benCsrf } });
  assert.ok(left.status() < 300, `leave: ${left.status()}`);
  await deviceHits(ben.page, gone, 0);
  const held = await ben.page.evaluate(async () => {
    const { openIndex } = await import('/static/js/e2e-search.js');
    return (await openIndex(document.body.dataset.me)).conversations();
  });
  assert.ok(!held.includes(group) && held.includes(direct), `the index holds ${JSON.stringify(held)}`);

  // The index is kept: a new tab that opens no conversation (so decrypts nothing) still finds
  // the word, and again after a reload.
  const tab = await ben.page.context().newPage();
  await tab.goto(`/search?q=${secret}`);
  await waitFor('the new tab searched the device', async () => /1 message found/.test(await tab.locator('.search-e2e-note').innerText()));
  assert.deepEqual((await hitsOf(tab)).map((h) => h.marks), [[secret]]);
  await tab.reload();                                   // and after a reload of that page
  await waitFor('the reloaded tab searched the device', async () => /1 message found/.test(await tab.locator('.search-e2e-note').innerText()));
  assert.deepEqual((await hitsOf(tab)).map((h) => h.marks), [[secret]]);
  await tab.close();

  // Without JavaScript: the page says so, and finds nothing encrypted.
  const nojs = await newPage({ context: { javaScriptEnabled: false } });
  await nojs.context().addCookies(await ben.page.context().cookies());
  await nojs.goto(`/search?q=${secret}`);
  await visible(nojs.getByText('End-to-end encrypted conversations are searched only with JavaScript'));
  assert.equal(await nojs.locator('.search-hit').count(), 0);

  // The encrypted-only words left the pages only in the server's search (the page itself,
  // or the header's suggestions), never in anything else: no fetch, no POST, no message.
  for (const word of [secret, doomed, gone]) {
    const leaks = requests.filter((r) => r.url.includes(word) || r.post.includes(word));
    assert.ok(leaks.length > 0, 'the searches themselves were recorded');
    for (const r of leaks) {
      const u = new URL(r.url);
      assert.ok(r.method === 'GET' && (u.pathname === '/search' || u.pathname.startsWith('/api/v1/search/')),
        `"${word}" sent in ${r.method} ${r.url}`);
    }
  }
  for (const t of texts) {
    assert.equal(requests.filter((r) => r.url.includes(encodeURIComponent(t)) || r.post.includes(t)).length, 0, `"${t}" sent`);
  }
  assert.deepEqual(problems, [], 'no script errors, CSP violations or dialogs');
});
