// Browser test of end-to-end encrypted conversations: two people in two Chromium contexts,
// an encrypted direct conversation and an encrypted group made with the forms' "End-to-end
// encrypted" box; messages both ways are encrypted by static/e2e.wasm in one browser and
// decrypted in the other, with an attachment sealed before upload. Afterwards no table of
// PostgreSQL (pg_dump --data-only through PARLEY_DB) and no file under the stack's media
// directory holds any of the plaintext: texts, the file's bytes or its name.
//
// Environment: PARLEY_URL, CHROMIUM as for the other browser tests; PARLEY_DB and PARLEY_VAR
// (the stack's state directory; VAR under tests/support/run-stack-tests.sh) for the search
// afterwards. Needs static/e2e.wasm (make wasm; test-stack builds it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadE2E } from '../../static/js/e2e.js';
import { visible, waitFor, csrfOf, LIVE_MS } from './lib.mjs';
import { e2eBrowser, createEncrypted, openEncrypted, sendEncrypted, shows, filesUnder } from './e2e-lib.mjs';

/** problems: script errors, CSP violations and dialogs of any page; the test expects none. */
const { newPage, problems, person } = e2eBrowser(91, 'e');

test('encrypted direct conversation and group: both ways decrypt, and the server keeps no plaintext', async () => {
  const tag = randomBytes(6).toString('hex');
  const fileText = `attached secret ${tag}`, fileName = `plan-${tag}.txt`;
  const secrets = [`direct from Ada ${tag}`, `direct from Ben ${tag}`, `group from Ada ${tag}`, `group from Ben ${tag}`,
    `with a file ${tag}`, fileText, fileName];
  const ada = await person('Ada Crypt'), ben = await person('Ben Crypt');

  const direct = await createEncrypted(ada.page, 'direct', { Username: ben.username });
  await openEncrypted(ada.page, direct);
  await openEncrypted(ben.page, direct);
  // Typing still shows (it is metadata, in the clear).
  await ben.page.getByRole('textbox', { name: 'Message', exact: true }).fill('typing…');
  await waitFor('Ada sees Ben typing', async () => /Ben Crypt is typing/.test(await ada.page.locator('#typing').innerText()));
  await ben.page.getByRole('textbox', { name: 'Message', exact: true }).fill('');
  await sendEncrypted(ada.page, secrets[0]);
  await shows(ben.page, secrets[0]);
  await sendEncrypted(ben.page, secrets[1]);
  await shows(ada.page, secrets[1]);
  // An attachment: sealed in Ada's browser, uploaded as an opaque blob, opened in Ben's under
  // its own name; downloading it gives the bytes Ada picked.
  await ada.page.locator('#e2e-file').setInputFiles({ name: fileName, mimeType: 'text/plain', buffer: Buffer.from(fileText) });
  await sendEncrypted(ada.page, secrets[4]);
  await shows(ben.page, secrets[4]);
  for (const p of [ben.page, ada.page]) {
    const link = p.locator('.e2e-att-link', { hasText: fileName });
    await waitFor(`${fileName} decrypted`, async () => (await link.count()) > 0, LIVE_MS * 2);
    const [download] = await Promise.all([p.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), fileName);
    assert.equal(readFileSync(await download.path(), 'utf8'), fileText);
  }
  // The safety number: the same 60 digits on both sides.
  const number = async (p) => (await p.locator('.e2e-safety').innerText()).replace(/\D/g, '');
  await waitFor('safety numbers', async () => (await number(ada.page)).length === 60 && (await number(ben.page)).length === 60);
  assert.equal(await number(ada.page), await number(ben.page));
  // And as a QR code: the modules drawn are the 60 digits' code (cgi/e2e/qr.c, which
  // tests/unit/test_e2e_qr.c checks against libqrencode).
  const digits = await number(ada.page);
  const qrModules = await (async () => {
    const q = (await loadE2E(readFileSync(new URL('../../static/e2e.wasm', import.meta.url)))).qr(digits);
    const set = new Set();
    for (let y = 0; y < q.side; y++) for (let x = 0; x < q.side; x++) if (q.modules[y * q.side + x]) set.add(`${x + 4},${y + 4}`);
    return set;
  })();
  for (const p of [ada.page, ben.page]) {
    await p.getByText('Safety number as a QR code').click();
    const svg = p.getByRole('img', { name: /^QR code of the safety number/ });
    await visible(svg);
    assert.equal((await svg.getAttribute('aria-label')).replace(/\D/g, ''), digits);
    const d = await svg.locator('path').getAttribute('d');
    const drawn = new Set([...d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`));
    assert.deepEqual(drawn, qrModules);
  }
  // History after a reload is still readable (kept on the device).
  await ben.page.reload();
  await shows(ben.page, secrets[0]);

  const group = await createEncrypted(ada.page, 'group', { Title: `Sealed ${tag}`, 'Members optional': ben.username });
  await openEncrypted(ada.page, group);
  await openEncrypted(ben.page, group);
  await sendEncrypted(ada.page, secrets[2]);
  await shows(ben.page, secrets[2]);
  await sendEncrypted(ben.page, secrets[3]);
  await shows(ada.page, secrets[3]);

  // Without JavaScript the page says what it needs, and shows no text.
  const nojs = await newPage({ context: { javaScriptEnabled: false } });
  await nojs.context().addCookies(await ben.page.context().cookies());
  await nojs.goto(`/conversations/${group}`);
  await visible(nojs.getByText('needs JavaScript'));
  assert.equal(await nojs.getByText(secrets[2]).count(), 0);

  assert.deepEqual(problems, [], 'no script errors, CSP violations or dialogs');

  // Byte for byte: not in any table, not in any stored file.
  const varDir = process.env.PARLEY_VAR || process.env.VAR;
  assert.ok(process.env.PARLEY_DB && varDir, 'PARLEY_DB and PARLEY_VAR (or VAR) name the stack to search');
  {
    const dump = execFileSync('pg_dump', ['--data-only', process.env.PARLEY_DB],
      { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
    for (const s of secrets) assert.equal(dump.indexOf(Buffer.from(s)), -1, `the database holds "${s}"`);
    assert.ok(dump.indexOf(Buffer.from(ada.username)) >= 0, 'the dump is of this stack');
  }
  {
    const files = filesUnder(join(varDir, 'media'));
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const s of secrets) assert.equal(bytes.indexOf(Buffer.from(s)), -1, `${f} holds "${s}"`);
    }
  }
});

test('both start at once: each answers the other\'s session and every message still decrypts', async () => {
  const tag = randomBytes(6).toString('hex');
  const cy = await person('Cy Crypt'), di = await person('Di Crypt');
  const id = await createEncrypted(cy.page, 'direct', { Username: di.username });
  await openEncrypted(cy.page, id);
  await openEncrypted(di.page, id);
  // Neither has a session yet: both send before either has read anything.
  const first = [`Cy first ${tag}`, `Di first ${tag}`];
  const box = (p) => p.getByRole('textbox', { name: 'Message', exact: true });
  await box(cy.page).fill(first[0]);
  await box(di.page).fill(first[1]);
  await Promise.all([
    cy.page.getByRole('button', { name: 'Send', exact: true }).click(),
    di.page.getByRole('button', { name: 'Send', exact: true }).click(),
  ]);
  await shows(cy.page, first[1]);
  await shows(di.page, first[0]);
  const second = [`Cy second ${tag}`, `Di second ${tag}`];
  await sendEncrypted(cy.page, second[0]);
  await shows(di.page, second[0]);
  await sendEncrypted(di.page, second[1]);
  await shows(cy.page, second[1]);
  for (const p of [cy.page, di.page]) assert.equal(await p.getByText('Could not decrypt').count(), 0);
  assert.deepEqual(problems, [], 'no script errors, CSP violations or dialogs');
});

// The store's sealing key is made by the first tab to open it. Two tabs opening it for the
// first time at once must agree on one key: a value one tab sealed must open in the other
// and on a later page (a dropped key made a device unreadable and its page never started).
test('two tabs opening the key store at once keep one sealing key: each reads what the other stored', async () => {
  const store = (page, name) => page.evaluate(async (n) => {
    const { openStore } = await import('/static/js/e2e-store.js');
    const s = await openStore();
    await s.put(n, { by: n });
    return true;
  }, name);
  const readAll = (page) => page.evaluate(async () => {
    const { openStore } = await import('/static/js/e2e-store.js');
    const s = await openStore();
    const out = [];
    for (const n of ['one', 'two']) out.push(await s.get(n).then((v) => v && v.by, (e) => `unreadable: ${e.name}`));
    return out;
  });
  for (let round = 0; round < 8; round++) {
    const one = await newPage();
    const two = await one.context().newPage();
    await Promise.all([one.goto('/login'), two.goto('/login')]);
    await Promise.all([store(one, 'one'), store(two, 'two')]);
    assert.deepEqual(await readAll(one), ['one', 'two'], `round ${round}: the first tab reads both`);
    assert.deepEqual(await readAll(two), ['one', 'two'], `round ${round}: the second tab reads both`);
    await one.context().close();
  }
});

test('two tabs make one device, prekeys are refilled, a later device gets the next message and is announced', async () => {
  const tag = randomBytes(6).toString('hex');
  const eve = await person('Eve Crypt'), fay = await person('Fay Crypt');
  const id = await createEncrypted(eve.page, 'direct', { Username: fay.username });
  await openEncrypted(eve.page, id);
  const get = async (page, path) => {
    const r = await page.request.get(`/api/v1${path}`);
    assert.equal(r.status(), 200, await r.text());
    return r.json();
  };
  const fayId = (await get(fay.page, '/me')).user.id;

  // Fay's first visit, in two tabs of one browser at the same moment: one device, not two.
  const tab2 = await fay.page.context().newPage();
  await Promise.all([openEncrypted(fay.page, id), openEncrypted(tab2, id)]);
  const devices = (await get(fay.page, `/users/${fayId}/devices`)).devices;
  assert.equal(devices.length, 1, 'two tabs registered one device');
  const first = devices[0].id;
  await tab2.close();

  // Others fetching Fay's bundles use up her one-time prekeys; her next page makes more.
  for (let i = 0; i < 25 && !(await get(eve.page, `/users/${fayId}/devices`)).devices[0].prekeys_low; i++);
  assert.equal((await get(fay.page, `/devices/${first}/keys`)).device.prekeys_low, true);
  await fay.page.reload();
  await openEncrypted(fay.page, id);
  await waitFor('Fay\'s device refilled its prekeys', async () =>
    !(await get(fay.page, `/devices/${first}/keys`)).device.prekeys_low, LIVE_MS * 2);

  const before = `before the new device ${tag}`, after = `after the new device ${tag}`;
  await sendEncrypted(eve.page, before);
  await shows(fay.page, before);
  // Fay signs in on another browser after Eve's page fetched her devices: without a reload,
  // Eve's next message reaches it too.
  const other = await newPage();
  await other.context().addCookies(await fay.page.context().cookies());
  await openEncrypted(other, id);
  assert.equal((await get(other, `/users/${fayId}/devices`)).devices.length, 2);
  await sendEncrypted(eve.page, after);
  await shows(other, after);
  await shows(fay.page, after);
  for (const p of [eve.page, fay.page, other]) assert.equal(await p.getByText('Could not decrypt').count(), 0);

  // Eve's page announced the new device, with the safety number Fay's new browser shows.
  const number = async (p) => (await p.locator('.e2e-safety').innerText()).replace(/\D/g, '');
  await waitFor('Fay\'s new browser shows a safety number', async () => (await number(other)).length === 60);
  const added = eve.page.locator('.e2e-notice', { hasText: 'Fay Crypt added a device' });
  await visible(added);
  assert.equal((await added.innerText()).match(/safety number: ([\d ]+)/)[1].replace(/\D/g, ''), await number(other));
  const oldNumber = await number(eve.page);
  assert.notEqual(oldNumber, await number(other), 'each device has its own safety number');
  // Fay retires her first device: Eve's next visit says her key changed, and the header
  // shows the new number. Notices are kept: the earlier one is still there.
  const { csrf } = await csrfOf(fay.page.request, '/me');
  const del = await fay.page.request.delete(`/api/v1/devices/${first}`, { headers: { 'X-CSRF-Token': csrf } });
  assert.equal(del.status(), 204, await del.text());
  await eve.page.reload();
  await openEncrypted(eve.page, id);
  const changed = eve.page.locator('.e2e-notice', { hasText: 'Fay Crypt\'s identity key changed' });
  await visible(changed);
  assert.equal((await changed.innerText()).match(/safety number: ([\d ]+)/)[1].replace(/\D/g, ''), await number(other));
  await waitFor('the header shows the new safety number', async () => (await number(eve.page)) === (await number(other)));
  assert.equal(await added.count(), 1);
  assert.deepEqual(problems, [], 'no script errors, CSP violations or dialogs');
});

test('a group sends with sender keys: each message once, the key pairwise once, a new key after a removal', async () => {
  const tag = randomBytes(6).toString('hex');
  const gil = await person('Gil Crypt'), hal = await person('Hal Crypt'), ivy = await person('Ivy Crypt');
  const id = await createEncrypted(gil.page, 'group', { Title: `Keys ${tag}`, 'Members optional': `${hal.username} ${ivy.username}` });
  for (const p of [gil.page, hal.page, ivy.page]) await openEncrypted(p, id);
  const envelopes = () => execFileSync('psql', [process.env.PARLEY_DB, '-Atc',
    `SELECT m.ciphertext IS NOT NULL, (SELECT count(*) FROM e2e_envelopes e WHERE e.conversation_id = m.conversation_id ` +
    `AND e.seq = m.seq) FROM messages m WHERE m.conversation_id = ${Number(id)} AND m.e2e_device IS NOT NULL ORDER BY m.seq`],
  { encoding: 'utf8' }).trim().split('\n').map((l) => l.split('|'));
  const m = [`first ${tag}`, `second ${tag}`, `after Ivy left ${tag}`];
  await sendEncrypted(gil.page, m[0]);
  await sendEncrypted(gil.page, m[1]);
  for (const p of [hal.page, ivy.page]) { await shows(p, m[0]); await shows(p, m[1]); }
  // One group ciphertext each; Gil's key went to Hal's and Ivy's devices with the first only.
  assert.deepEqual(envelopes(), [['t', '2'], ['t', '0']]);
  // Gil removes Ivy: the next message is under a new key, given to Hal's device alone.
  const { csrf } = await csrfOf(gil.page.request, '/me');
  const ivyId = (await (await ivy.page.request.get('/api/v1/me')).json()).user.id;
  const del = await gil.page.request.delete(`/api/v1/conversations/${id}/members/${ivyId}`, { headers: { 'X-CSRF-Token': csrf } });
  assert.ok(del.status() < 300, `remove: ${del.status()}`);
  await sendEncrypted(gil.page, m[2]);
  await shows(hal.page, m[2]);
  assert.deepEqual(envelopes(), [['t', '2'], ['t', '0'], ['t', '1']]);
  for (const p of [gil.page, hal.page]) assert.equal(await p.getByText('Could not decrypt').count(), 0);
  // Nothing of it in the database.
  const dump = execFileSync('pg_dump', ['--data-only', process.env.PARLEY_DB], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  for (const s of m) assert.equal(dump.indexOf(Buffer.from(s)), -1, `the database holds "${s}"`);
  assert.deepEqual(problems, [], 'no script errors, CSP violations or dialogs');
});

test('the encrypted composer has the emoji button and `:` and `@` completion; the result is sent encrypted', async () => {
  const tag = randomBytes(6).toString('hex');
  const FLAMINGO = '\u{1F9A9}';
  const jo = await person('Jo Crypt'), kai = await person('Kai Crypt');
  const id = await createEncrypted(jo.page, 'group', { Title: `Pickers ${tag}`, 'Members optional': kai.username });
  await openEncrypted(jo.page, id);
  await openEncrypted(kai.page, id);
  const page = jo.page;
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await page.evaluate(() => localStorage.removeItem('parley.emoji.recent'));
  await box.fill(`picked ${tag} `);

  // The emoji button: the picker opens, a search and Enter put the emoji in at the caret.
  await page.locator('.e2e-composer').getByRole('button', { name: 'Insert emoji' }).click();
  const picker = page.getByRole('dialog', { name: 'Insert emoji' });
  await picker.waitFor();
  await page.keyboard.type('flamingo');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await picker.waitFor({ state: 'detached' });
  assert.equal(await box.inputValue(), `picked ${tag} ${FLAMINGO}`);

  // `:smi` offers emoji by name; Enter takes the first and does not send.
  await box.press('End');
  await box.pressSequentially(' :smi');
  const list = page.getByRole('listbox', { name: 'Suggestions' });
  await visible(list);
  const options = list.getByRole('option');
  assert.ok((await options.count()) > 1, 'several emoji match "smi"');
  for (const d of await list.locator('.complete-detail').allInnerTexts()) assert.ok(d.toLowerCase().includes('smi'), `a name with "smi": ${d}`);
  const first = (await options.first().locator('.complete-label').innerText()).trim();
  assert.equal(await box.getAttribute('aria-activedescendant'), await options.first().getAttribute('id'));
  await box.press('Enter');
  await waitFor('the list closes', async () => !(await list.isVisible()));
  assert.equal(await box.inputValue(), `picked ${tag} ${FLAMINGO} ${first}`);
  assert.equal(await page.locator('.msg-decrypted', { hasText: `picked ${tag}` }).count(), 0, 'Enter picked, it did not send');

  // `@` and the start of a member's username completes it.
  await box.pressSequentially(` @${kai.username.slice(0, 4)}`);
  await visible(list);
  assert.equal((await options.first().locator('.complete-detail').innerText()).trim(), `@${kai.username}`);
  await box.press('Tab');
  const text = `picked ${tag} ${FLAMINGO} ${first} @${kai.username} `;
  assert.equal(await box.inputValue(), text);

  // Sent encrypted; the other side decrypts exactly that text; the server holds none of it.
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const sent = text.trim();
  await waitFor('sent and shown to its sender', async () =>
    (await page.locator('.msg-decrypted', { hasText: `picked ${tag}` }).count()) > 0);
  await shows(kai.page, `picked ${tag}`);
  assert.equal((await kai.page.locator('.msg-decrypted', { hasText: `picked ${tag}` }).innerText()).trim(), sent);
  const dump = execFileSync('pg_dump', ['--data-only', process.env.PARLEY_DB], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  assert.equal(dump.indexOf(Buffer.from(`picked ${tag}`)), -1, 'the database holds no plaintext');
  assert.deepEqual(problems, [], 'no script errors, CSP violations or dialogs');
});
