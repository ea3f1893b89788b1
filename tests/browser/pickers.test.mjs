// The composer's pickers and the reaction picker: an emoji picked by keyboard alone goes in
// at the caret (search, arrow keys in the grid, Enter; Esc closes and the focus returns), in
// the skin tone chosen; "More reactions" reacts with any emoji; `@` completes a member and
// `:` an emoji name without sending the message. Headless Chromium has no emoji font here:
// the tests compare text (code points), never glyphs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ipSource, useBrowser, pageSource, problemWatcher, waitFor, waitLive, composer, message, LIVE_MS } from './lib.mjs';
import { apiPerson, send, group } from './api.mjs';
import { axeErrors } from './a11y.mjs';

const fakeIp = ipSource(72);
const newContext = useBrowser();
const problems = [];
const newPage = pageSource(newContext, fakeIp, problemWatcher(problems));
const WIDE = { viewport: { width: 1280, height: 900 } };
const FLAMINGO = '\u{1F9A9}';
const THUMBS_MEDIUM = '\u{1F44D}\u{1F3FD}';

const focusedEmoji = (page) => page.evaluate(() => document.activeElement?.dataset?.emoji || null);
const focusedIndex = (page) =>
  page.evaluate(() => [...document.querySelectorAll('.emoji-picker button.emoji-cell')].indexOf(document.activeElement));

describe('emoji picker and autocomplete', () => {
  test('by keyboard: picks into the composer, in a skin tone; Esc returns the focus', async () => {
    const alice = await apiPerson(newPage, 'Alice Picks', { context: WIDE, prefix: 'k' });
    const bob = await apiPerson(newPage, 'Bob Picked', { prefix: 'k' });
    const g = await group(alice, 'Pickers', [bob]);
    const page = alice.page;
    await page.goto(`/conversations/${g}`);
    await waitLive(page);
    await page.evaluate(() => localStorage.clear());
    await composer(page).pressSequentially('hi ');

    // Tab from the composer reaches the emoji button; Enter opens the picker with the search focused.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-haspopup')), 'dialog');
    await page.keyboard.press('Enter');
    const picker = page.getByRole('dialog', { name: 'Insert emoji' });
    await picker.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.type), 'search');
    assert.deepEqual(await axeErrors(page, 'the emoji picker'), []);

    // Search by name, Down into the grid, Enter picks: it goes in at the caret.
    await page.keyboard.type('flamingo');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focusedEmoji(page), FLAMINGO);
    await page.keyboard.press('Enter');
    await picker.waitFor({ state: 'detached' });
    assert.equal(await composer(page).inputValue(), `hi ${FLAMINGO}`);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'body', 'the focus is back in the composer');

    // Arrow keys move in the grid (eight to a row): Right, then Down is the 10th.
    await page.getByRole('button', { name: 'Insert emoji' }).click();
    await picker.waitFor();
    await page.keyboard.type('face');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focusedIndex(page), 9);
    const tenth = await focusedEmoji(page);
    assert.ok(tenth && tenth.codePointAt(0) > 0x2000, `an emoji: ${tenth}`);
    await page.keyboard.press('Enter');
    assert.equal(await composer(page).inputValue(), `hi ${FLAMINGO}${tenth}`);

    // Esc closes without inserting; the focus returns to the button that opened it.
    await page.getByRole('button', { name: 'Insert emoji' }).focus();
    await page.keyboard.press('Enter');
    await picker.waitFor();
    await page.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-haspopup')), 'dialog');
    assert.equal(await composer(page).inputValue(), `hi ${FLAMINGO}${tenth}`);

    // A skin tone applies to the emoji that take one; it is remembered.
    await page.keyboard.press('Enter');
    await picker.waitFor();
    await picker.getByRole('combobox', { name: 'Skin tone' }).selectOption({ label: '\u{1F3FD} Medium' });
    await picker.getByRole('searchbox').fill('thumbs up');
    await page.keyboard.press('Enter'); // Enter in the search box picks the first match
    assert.equal(await composer(page).inputValue(), `hi ${FLAMINGO}${tenth}${THUMBS_MEDIUM}`);

    // Recently used: the picker opens on them, newest first.
    await page.getByRole('button', { name: 'Insert emoji' }).click();
    await picker.waitFor();
    const recent = await picker.locator('button.emoji-cell').evaluateAll((bs) => bs.map((b) => b.dataset.emoji));
    assert.deepEqual(recent.slice(0, 3), [THUMBS_MEDIUM, tenth, FLAMINGO]);
    await page.keyboard.press('Escape');
    assert.deepEqual(problems, []);
  });

  test('"More reactions" reacts with any emoji, by keyboard', async () => {
    const alice = await apiPerson(newPage, 'Alice Reacts', { context: WIDE, prefix: 'k' });
    const bob = await apiPerson(newPage, 'Bob Reacted', { prefix: 'k' });
    const g = await group(alice, 'Reacting', [bob]);
    await send(bob, g, 'react with a flamingo');
    const page = alice.page;
    await page.goto(`/conversations/${g}`);
    await waitLive(page);
    await composer(page).pressSequentially('my draft');
    const msg = message(page, 'react with a flamingo');
    await msg.hover();
    await msg.getByRole('button', { name: 'More reactions' }).focus();
    await page.keyboard.press('Enter');
    const picker = page.getByRole('dialog', { name: 'React with an emoji' });
    await picker.waitFor();
    assert.deepEqual(await axeErrors(page, 'the reaction picker'), []);
    await page.keyboard.type('flamingo');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitFor('the flamingo reaction', async () => {
      const pill = message(page, 'react with a flamingo').locator('.reactions button', { hasText: FLAMINGO });
      return (await pill.count()) === 1 && (await pill.locator('.reaction-count').innerText()).trim() === '1';
    });
    assert.equal(await composer(page).inputValue(), 'my draft');
    // Bob sees it as a reaction of the message (the server stored exactly that emoji).
    const seen = await bob.page.request.get(`/api/v1/conversations/${g}`, { headers: { Accept: 'application/json' } });
    const m = (await seen.json()).messages.find((x) => x.body === 'react with a flamingo');
    assert.deepEqual(m.reactions.map((r) => r.emoji), [FLAMINGO]);
    assert.deepEqual(problems, []);
  });

  test('`@` inserts a member, `:` an emoji; Enter picks without sending', async () => {
    const alice = await apiPerson(newPage, 'Alice Mentions', { context: WIDE, prefix: 'k' });
    const bob = await apiPerson(newPage, 'Bobby Tables', { prefix: 'k' });
    const carol = await apiPerson(newPage, 'Carol Other', { prefix: 'k' });
    const g = await group(alice, 'Mentioning', [bob, carol]);
    const page = alice.page;
    await page.goto(`/conversations/${g}`);
    await waitLive(page);
    const box = composer(page);
    await box.pressSequentially('hello @bobb');
    const list = page.getByRole('listbox');
    await list.waitFor();
    const options = list.getByRole('option');
    assert.deepEqual(await options.allInnerTexts().then((t) => t.map((s) => s.replace(/\s+/g, ' ').trim())), [`Bobby Tables @${bob.username}`]);
    assert.equal(await box.getAttribute('aria-activedescendant'), await options.first().getAttribute('id'));
    assert.deepEqual(await axeErrors(page, 'the autocomplete'), []);
    await box.press('Enter');
    await list.waitFor({ state: 'hidden' });
    assert.equal(await box.inputValue(), `hello @${bob.username} `);

    // By display name, Down to the second, Tab picks.
    await box.pressSequentially('and @');
    await list.waitFor();
    const names = (await options.allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
    assert.deepEqual(names.sort(), [`Bobby Tables @${bob.username}`, `Carol Other @${carol.username}`].sort(), 'the members but me');
    await box.pressSequentially('car');
    await waitFor('only Carol', async () => (await options.count()) === 1);
    await box.press('Tab');
    assert.equal(await box.inputValue(), `hello @${bob.username} and @${carol.username} `);

    // `:` and a name: the emoji goes in; Esc closes and the text stays.
    await box.pressSequentially(':flamin');
    await list.waitFor();
    assert.match((await options.first().innerText()).replace(/\s+/g, ' '), /:flamingo:/);
    await box.press('Enter');
    assert.equal(await box.inputValue(), `hello @${bob.username} and @${carol.username} ${FLAMINGO}`);
    await box.pressSequentially(' :thumbs');
    await list.waitFor();
    await box.press('Escape');
    await list.waitFor({ state: 'hidden' });
    assert.equal(await box.inputValue(), `hello @${bob.username} and @${carol.username} ${FLAMINGO} :thumbs`);

    // Nothing was sent on the way; now Enter sends, and Bob is mentioned.
    assert.equal(await page.locator('.msg-body', { hasText: 'hello' }).count(), 0);
    await box.fill(`hi @${bob.username}`);
    await box.press('Escape');
    await box.press('Enter');
    await message(page, `hi @${bob.username}`).waitFor({ timeout: LIVE_MS });
    assert.equal(await box.inputValue(), '');
    assert.deepEqual(problems, []);
  });
});
