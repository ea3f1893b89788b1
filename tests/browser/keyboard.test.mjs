// Keyboard and small things: Ctrl+K opens the quick switcher (filter, Enter opens; on the
// conversation page without a reload), `?` lists the shortcuts, a message's actions are one
// Tab stop with arrow keys inside, today's times read as a time and older ones as a date,
// and a direct conversation starts with "This is the beginning of your conversation with …".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ipSource, useBrowser, pageSource, problemWatcher, waitFor, waitLive, message } from './lib.mjs';
import { apiPerson, send, direct, group } from './api.mjs';
import { axeErrors } from './a11y.mjs';

const fakeIp = ipSource(95);
const newContext = useBrowser();
const problems = [];
const newPage = pageSource(newContext, fakeIp, problemWatcher(problems));
const WIDE = { viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' };

async function heading(page) {
  return (await page.getByRole('heading', { level: 1 }).innerText()).trim();
}

describe('keyboard and small things', () => {
  test('Ctrl+K switches conversations; ? lists the shortcuts', async () => {
    const alice = await apiPerson(newPage, 'Alice Keys', { context: WIDE, prefix: 'k' });
    const bob = await apiPerson(newPage, 'Bob Keys', { prefix: 'k' });
    const withBob = await direct(alice, bob);
    const team = await group(alice, 'Keyboard crew', [bob]);
    await send(bob, team, 'crew hello');
    const page = alice.page;

    // From any page: Ctrl+K, a few letters, Enter.
    await page.goto('/me');
    await waitLive(page);
    await page.keyboard.press('Control+k');
    const dialog = page.getByRole('dialog', { name: 'Switch conversation' });
    await dialog.waitFor();
    const box = dialog.getByRole('combobox', { name: 'Go to conversation' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'switcher-q');
    await box.fill('crew');
    await waitFor('one match', async () => (await dialog.getByRole('option').allInnerTexts()).length === 1);
    assert.match((await dialog.getByRole('option').innerText()).trim(), /^Keyboard crew/);
    assert.deepEqual(await axeErrors(page, 'the quick switcher'), []);
    await Promise.all([page.waitForURL(`**/conversations/${team}`), box.press('Enter')]);
    await waitLive(page);

    // On the conversation page the switch happens in place.
    await page.evaluate(() => { window.keysMarker = 1; });
    await page.keyboard.press('Control+k');
    await box.fill('bob');
    await box.press('Enter');
    await page.waitForURL(`**/conversations/${withBob}`);
    await waitFor('Bob\'s conversation', async () => (await heading(page)) === 'Bob Keys');
    assert.equal(await page.evaluate(() => window.keysMarker), 1, 'no reload');
    assert.equal(await dialog.isVisible(), false);

    // "?" outside a text field lists the shortcuts; Esc closes the list.
    await page.getByRole('heading', { level: 1 }).click();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    assert.match(await help.innerText(), /Switch to another conversation/);
    assert.deepEqual(await axeErrors(page, 'the shortcut list'), []);
    await page.keyboard.press('Escape');
    await waitFor('the list closes', async () => !(await help.isVisible()));
    // In the composer, "?" is just a character.
    await page.getByRole('textbox', { name: 'Message', exact: true }).press('?');
    assert.equal(await help.isVisible(), false);
    assert.equal(await page.getByRole('textbox', { name: 'Message', exact: true }).inputValue(), '?');
    assert.deepEqual(problems, []);
  });

  test('a message\'s actions are one Tab stop; arrows move inside', async () => {
    const alice = await apiPerson(newPage, 'Alice Tabs', { context: WIDE, prefix: 'k' });
    const bob = await apiPerson(newPage, 'Bob Tabs', { prefix: 'k' });
    const conv = await direct(alice, bob);
    for (let i = 1; i <= 10; i++) await send(bob, conv, `tab line ${i}`);
    const page = alice.page;
    await page.goto(`/conversations/${conv}`);
    await waitLive(page);
    const stops = await page.getByRole('region', { name: 'Messages' }).evaluate((region) =>
      [...region.querySelectorAll('.msg-actions')].map((bar) =>
        [...bar.querySelectorAll('a[href], button')].filter((el) => el.tabIndex >= 0).length));
    assert.equal(stops.length, 10);
    assert.ok(stops.every((n) => n === 1), `one Tab stop per message's actions: ${stops}`);
    const bar = message(page, 'tab line 10').getByRole('toolbar', { name: 'Message actions' });
    const first = bar.getByRole('button', { name: 'React with thumbs up' });
    await first.focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent.trim()), '❤️React with heart');
    await page.keyboard.press('End');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent.trim()), 'Report');
    // Tab leaves the toolbar at once (to the next message's, or on).
    const id = await message(page, 'tab line 10').getAttribute('id');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate((mid) => Boolean(document.activeElement?.closest(`#${mid} .msg-actions`)), id), false);
  });

  test('times: today as a time, older as a date; the start of a direct conversation', async () => {
    const alice = await apiPerson(newPage, 'Alice Times', { context: WIDE, prefix: 'k' });
    const bob = await apiPerson(newPage, 'Bob Times', { prefix: 'k' });
    const conv = await direct(alice, bob);
    const old = await send(bob, conv, 'from three days ago');
    await send(bob, conv, 'from today');
    execFileSync('psql', [process.env.PARLEY_DB, '-X', '-q', '-c',
      `UPDATE messages SET created_at = now() - interval '3 days' WHERE conversation_id = ${Number(conv)} AND seq = ${Number(old)}`]);
    const page = alice.page;
    await page.goto(`/conversations/${conv}`);
    await waitLive(page);
    await page.getByText('This is the beginning of your conversation with Bob Times.').waitFor();
    const timeOf = (body) => message(page, body).locator('.msg-time time').first().innerText();
    assert.match(await timeOf('from today'), /^\d{1,2}:\d{2}\s?[AP]M$/);
    assert.match(await timeOf('from three days ago'), /^[A-Z][a-z]{2} \d{1,2}, \d{4}$/);
  });

  test('the theme switch: the server renders the chosen theme, whatever the system says', async () => {
    const alice = await apiPerson(newPage, 'Alice Theme', { context: WIDE, prefix: 'k' });
    const page = alice.page;
    const bodyColor = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto('/me');
    const systemLight = await bodyColor();
    const themes = page.getByRole('group', { name: 'Colours in this browser' });
    await themes.getByLabel('Dark').check();
    await Promise.all([page.waitForURL('**/me?done=theme*'), page.getByRole('button', { name: 'Save theme' }).click()]);
    await page.getByText('Saved: this browser shows the theme you chose.').waitFor();
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
    assert.notEqual(await bodyColor(), systemLight, 'dark although the system is light');
    // In the HTML the server sends, so there is no flash of the other theme.
    const html = await (await page.request.get('/conversations')).text();
    assert.match(html, /<html lang="en" data-theme="dark">/);
    assert.match(html, /<meta name="color-scheme" content="dark">/);
    // Light on a dark system.
    await page.emulateMedia({ colorScheme: 'dark' });
    await themes.getByLabel('Light').check();
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Save theme' }).click()]);
    await page.getByText('Saved: this browser shows the theme you chose.').waitFor();
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'light');
    assert.equal(await bodyColor(), systemLight, 'light although the system is dark');
    // Back to the system's.
    await themes.getByLabel('As the system').check();
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Save theme' }).click()]);
    await page.getByText('Saved: this browser shows the theme you chose.').waitFor();
    assert.equal(await page.locator('html').getAttribute('data-theme'), null);
    assert.notEqual(await bodyColor(), systemLight, 'the system is dark');
  });
});
