// Browser tests of presence (the `presence` macro of templates/partials/macros.cs,
// static/js/presence.js, docs/API.md "Presence"): two people with a direct conversation, each
// a browser context of their own (own cookies, own client address). A watches B: the header
// of their conversation says "Online", "Away" or "Last seen …" and changes without a reload;
// A's contacts list shows the same as a dot with a tooltip; pages without JavaScript show it
// as rendered; "Show when I’m online" on /me hides it both ways.
// They run against a running stack (PARLEY_URL) with
// `node --test --test-concurrency=1 tests/browser/`, and need the stack's test clock for
// presence (PARLEY_PRESENCE_AWAY=4, as tests/support/run-stack-tests.sh sets it): the
// waits for "Away" are a few seconds long, not five minutes.
//
// Environment:
//   PARLEY_URL           the stack to test (default http://127.0.0.1:18080)
//   CHROMIUM             the Chromium binary (default /usr/bin/chromium); nothing is downloaded
//   PARLEY_PRESENCE_AWAY the stack's away delay in seconds (default 4)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LIVE_MS, ipSource, uname, useBrowser, problemWatcher, waitLive, csrfOf, postRegister,
} from './lib.mjs';

const fakeIp = ipSource(83);
const AWAY_MS = Number(process.env.PARLEY_PRESENCE_AWAY || 4) * 1000;
/** Someone who stops doing anything shows as away within this long (the away delay, then the
 *  hub's check and the event on its way). */
const AWAY_WAIT_MS = AWAY_MS + LIVE_MS + 3_000;
/** A closed tab shows as "Last seen" within this long: the hub notices a vanished event
 *  stream at its next heartbeat (15 s), then the 5 s grace. */
const OFFLINE_WAIT_MS = 35_000;

/** Script errors and CSP violations of any page: the tests expect none. */
const problems = [];
const watch = problemWatcher(problems);
const newContext = useBrowser();

/**
 * Registers a new person in a fresh context without opening a page: nobody has seen them
 * yet, so they are offline and never seen. Returns { ctx, username, displayName }.
 */
async function person(displayName, prefix) {
  const ctx = await newContext(fakeIp(), watch);
  const username = uname(prefix);
  await postRegister(ctx.request, { username, displayName });
  return { ctx, username, displayName };
}

/** What a presence indicator shows right now. */
async function reading(indicator) {
  if ((await indicator.count()) === 0) return { missing: true };
  return indicator.first().evaluate((el) => {
    const size = (part) => {
      if (!part) return null;
      const r = part.getBoundingClientRect();
      return { width: r.width, height: r.height };
    };
    return {
      state: el.dataset.presence,
      hidden: el.hidden,
      shown: el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null,
      text: (el.querySelector('.presence-text')?.textContent || '').replace(/\s+/g, ' ').trim(),
      read: el.innerText.replace(/\s+/g, ' ').trim(),
      title: el.getAttribute('title'),
      dot: size(el.querySelector('.presence-dot')),
      words: size(el.querySelector('.presence-text')),
    };
  });
}

/**
 * Waits until `indicator` satisfies `ok(reading)`; the failure says what it showed last.
 * Polls the page (no fixed sleeps): a live update is there the moment it is applied.
 */
async function until(what, indicator, ok, timeout = LIVE_MS) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await reading(indicator).catch((err) => ({ error: err.message }));
    if (!last.missing && !last.error && ok(last)) return last;
    if (Date.now() > end) assert.fail(`${what} (within ${timeout} ms); it shows ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const WORD = { online: 'Online', away: 'Away' };

/** A full indicator (a conversation header) showing `state` ("online" or "away") in words. */
function fullShows(state) {
  return (r) => r.state === state && !r.hidden && r.shown && r.read === WORD[state];
}
/** A compact indicator (a list) showing `state`: the dot, and the words as tooltip and for
 *  screen readers only (clipped to nothing on screen). */
function compactShows(state) {
  return (r) => r.state === state && !r.hidden && r.shown && r.text === WORD[state] && r.title === WORD[state]
    && dotDrawn(r) && wordsClipped(r);
}
function dotDrawn(r) {
  return r.dot && r.dot.width > 4 && r.dot.height > 4;
}
function wordsClipped(r) {
  return r.words && r.words.width <= 1 && r.words.height <= 1;
}
/** An indicator the reader may not see: empty, hidden, no words anywhere. */
function nothingShown(r) {
  return r.state === '' && r.hidden && !r.shown && r.text === '' && r.read === '' && !r.title;
}

/** The presence in a direct conversation's header (the other person's). */
function headerPresence(page) {
  return page.locator('.chat-head .presence.presence-full');
}

/** The dot next to `displayName` in the contacts list. */
function contactPresence(page, displayName) {
  return page
    .getByRole('region', { name: /Your contacts/ })
    .getByRole('listitem')
    .filter({ hasText: displayName })
    .locator('.presence.presence-compact');
}

/** Marks the page; noReload(page) is true while the same document is still shown. */
async function mark(page) {
  await page.evaluate(() => {
    window.presenceTestMark = 1;
  });
}
async function noReload(page) {
  return page.evaluate(() => window.presenceTestMark === 1);
}

/** Ticks or unticks "Show when I’m online" on /me and saves. */
async function setShowPresence(page, on) {
  await page.goto('/me');
  await waitLive(page);
  const box = page.getByRole('checkbox', { name: 'Show when I’m online' });
  assert.equal(await box.isChecked(), !on, `the switch starts ${on ? 'off' : 'on'}`);
  await box.setChecked(on);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save profile' }).click()]);
  await page.getByText('Your profile was saved.').waitFor();
  assert.equal(await page.getByRole('checkbox', { name: 'Show when I’m online' }).isChecked(), on, 'saved');
  await waitLive(page);
}


describe('presence', () => {
  test('online, away, last seen, live and without JavaScript; the switch on /me; contacts', async () => {
    const started = Date.now();
    const a = await person('Ada Here', 'pa');
    const b = await person('Bo There', 'pb');

    // ---- setup: contacts (B accepts without opening a page) and a direct conversation ----

    const aContacts = await a.ctx.newPage();
    await aContacts.goto('/contacts');
    await aContacts.getByLabel('Username', { exact: true }).fill(b.username);
    await Promise.all([
      aContacts.waitForURL('**/contacts?done=requested'),
      aContacts.getByRole('button', { name: 'Add', exact: true }).click(),
    ]);
    {
      const { html, csrf } = await csrfOf(b.ctx.request, '/contacts');
      const accept = html.match(/action="(\/contacts\/\d+\/accept)"/);
      assert.ok(accept, 'B has A’s request');
      const res = await b.ctx.request.post(accept[1], { form: { csrf_token: csrf }, maxRedirects: 0 });
      assert.equal(res.status(), 303, `accepting: ${res.status()}`);
    }

    const aConv = await a.ctx.newPage();
    await aConv.goto(`/users/${b.username}`);
    await Promise.all([
      aConv.waitForURL(/\/conversations\/\d+$/),
      aConv.getByRole('button', { name: `Message @${b.username}` }).click(),
    ]);
    const id = Number(new URL(aConv.url()).pathname.split('/')[2]);
    await waitLive(aConv);
    await mark(aConv);
    await aContacts.reload();
    await waitLive(aContacts);
    await mark(aContacts);

    // B has never had Parley open: "Offline", no "Last seen".
    const header = headerPresence(aConv);
    const dot = contactPresence(aContacts, b.displayName);
    const neverSeen = (r) => r.state === 'offline' && !r.hidden && r.shown && r.read === 'Offline';
    await until('A’s header shows B offline before B comes', header, neverSeen, 1);
    await until('A’s contacts show B offline', dot, (r) => r.state === 'offline' && r.shown && r.text === 'Offline' && r.title === 'Offline', 1);

    // A page without JavaScript, logged in as A (same cookies: A on another device).
    const aStatic = await (await newContext(fakeIp(), watch, { javaScriptEnabled: false })).newPage();
    await aStatic.context().addCookies(await a.ctx.cookies());

    // ---- 1. B opens the conversation: A sees "Online", live -------------------------------

    const bPage = await b.ctx.newPage();
    await bPage.goto(`/conversations/${id}`);
    await waitLive(bPage);
    await until('A’s header turns to “Online” when B opens the page', header, fullShows('online'));
    await until('A’s contacts dot turns to “Online”', dot, compactShows('online'));
    assert.ok(await noReload(aConv) && await noReload(aContacts), 'A’s pages were not reloaded');

    // ---- 2. B does nothing: "Away"; a key press or a click: "Online" again ----------------

    await until('A sees B “Away” after B did nothing', header, fullShows('away'), AWAY_WAIT_MS);
    await until('A’s contacts dot turns to “Away”', dot, compactShows('away'));
    // The member list of the conversation's details, without JavaScript: a dot saying "Away".
    await aStatic.goto(`/conversations/${id}/settings`);
    const member = aStatic
      .getByRole('region', { name: 'People' })
      .getByRole('listitem')
      .filter({ hasText: b.displayName })
      .locator('.presence.presence-compact');
    await until('the details page renders B “Away” as a dot', member, compactShows('away'), 1);

    // A key, not typing in the composer. B's page tells the server at once (B has been idle
    // for longer than the page waits between two reports).
    const told = bPage.waitForResponse(
      (r) => r.url().endsWith('/api/v1/presence/active') && r.request().method() === 'POST',
      { timeout: LIVE_MS },
    );
    await bPage.locator('body').press('Shift');
    await told.catch(() => assert.fail('B’s page did not say B is here when B pressed a key'));
    // A sees "Online" again, live; and without JavaScript, a page rendered now says "Online"
    // (both at once: B is away again a few seconds later).
    await Promise.all([
      (async () => {
        await until('A sees B “Online” after B pressed a key', header, fullShows('online'));
        await until('A’s contacts dot turns back to “Online”', dot, compactShows('online'));
      })(),
      (async () => {
        await aStatic.goto(`/conversations/${id}`);
        await until('the page without JavaScript renders B “Online”', headerPresence(aStatic), fullShows('online'), 1);
      })(),
    ]);

    await until('A sees B “Away” again', header, fullShows('away'), AWAY_WAIT_MS);
    await bPage.locator('#page-title').click();
    await until('A sees B “Online” after B clicked', header, fullShows('online'));
    assert.ok(await noReload(aConv) && await noReload(aContacts), 'A’s pages were not reloaded');

    // ---- 3. B closes the tab: "Last seen just now" ----------------------------------------

    const closedAt = Date.now();
    await bPage.close();
    const lastSeen = await until(
      'A sees B “Last seen …” after B closed Parley',
      header,
      (r) => r.state === 'offline' && !r.hidden && r.shown && /^Last seen /.test(r.read),
      OFFLINE_WAIT_MS,
    );
    assert.equal(lastSeen.read, 'Last seen just now', 'in words, relative to now');
    const seenTime = header.locator('time[datetime]');
    const when = Date.parse(await seenTime.getAttribute('datetime'));
    assert.ok(when >= closedAt - 2_000 && when <= Date.now() + 2_000, `last seen ${new Date(when).toISOString()} is when B left`);
    assert.notEqual(await seenTime.getAttribute('title'), await seenTime.getAttribute('datetime'), 'the tooltip is a local time, not ISO');
    await until('A’s contacts dot says “Last seen …” in its tooltip', dot,
      (r) => r.state === 'offline' && r.shown && /^Last seen /.test(r.text) && r.title === r.text && dotDrawn(r) && wordsClipped(r));
    assert.ok(await noReload(aConv) && await noReload(aContacts), 'A’s pages were not reloaded');
    const offlineAfter = Date.now() - closedAt;

    // ---- 4. "Show when I’m online" off: hidden both ways; on: shown again ------------------

    const bMe = await b.ctx.newPage();
    await bMe.goto('/me');
    await waitLive(bMe);
    const back = (r) => ['online', 'away'].includes(r.state) && fullShows(r.state)(r);
    await until('A sees B again when B is back', header, back);
    await setShowPresence(bMe, false);
    await until('A’s header shows nothing of B once B hid it', header, nothingShown);
    await until('A’s contacts show no dot for B', dot, nothingShown);
    assert.ok(await noReload(aConv) && await noReload(aContacts), 'A’s pages were not reloaded');
    await aStatic.goto(`/conversations/${id}`);
    await until('a page rendered now shows nothing of B', headerPresence(aStatic), nothingShown, 1);

    // B, hiding theirs, sees nobody's: nothing of A in B's header, even after the page has
    // fetched everyone's presence.
    const fetched = bMe.waitForResponse((r) => r.url().includes('/api/v1/presence?'));
    await bMe.goto(`/conversations/${id}`);
    await waitLive(bMe);
    await (await fetched).finished();
    await bMe.evaluate(() => new Promise((r) => setTimeout(r, 100)));   // the answer is applied
    await until('B sees nothing of A', headerPresence(bMe), nothingShown, 1);

    await setShowPresence(bMe, true);
    await until('A sees B again once B shows presence', header, back);
    await until('A’s contacts dot for B is back', dot, (r) => ['online', 'away'].includes(r.state) && compactShows(r.state)(r));
    assert.ok(await noReload(aConv) && await noReload(aContacts), 'A’s pages were not reloaded');
    await bMe.goto(`/conversations/${id}`);
    await until('B sees A again (A has tabs open)', headerPresence(bMe), back, 1);

    // ---- 5. the contacts list, as rendered ------------------------------------------------

    await aStatic.goto('/contacts');
    const staticDot = contactPresence(aStatic, b.displayName);
    await until('the contacts page renders a dot for B with its words as tooltip', staticDot,
      (r) => ['online', 'away'].includes(r.state) && compactShows(r.state)(r), 1);
    const word = (await reading(staticDot)).title;
    assert.ok(await aStatic.getByRole('region', { name: /Your contacts/ }).getByTitle(word, { exact: true }).isVisible(), 'the dot has the tooltip');

    assert.deepEqual(problems, [], 'no script errors');
    console.log(`presence: offline ${offlineAfter} ms after the tab closed, last seen ${when - closedAt} ms after; whole test ${Date.now() - started} ms`);
  });
});
