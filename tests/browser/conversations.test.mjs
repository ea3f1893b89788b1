// Browser tests of conversations, groups and contacts, driven through Chromium the way two
// people use them side by side: each person is a browser context of their own (own cookies,
// own client address). They run against a running stack (PARLEY_URL) with
// `node --test --test-concurrency=1 tests/browser/`.
//
// Environment:
//   PARLEY_URL           the stack to test (default http://127.0.0.1:18080)
//   CHROMIUM             the Chromium binary (default /usr/bin/chromium); nothing is downloaded
//   PARLEY_SCREENSHOTS   a directory: when set, the layout test saves screenshots of
//                        /conversations, a conversation (desktop and phone), its settings page
//                        and /contacts there
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ipSource, uname, useBrowser, pageSource, dialogWatcher, pathname, visible, assertHidden, mainNav,
  arrive as arriveAt, register, postRegister, createGroup,
  messageFromProfile as messageFromProfileAt,
} from './lib.mjs';

const fakeIp = ipSource(78);
const newContext = useBrowser();
/** Every alert or prompt any page opens; the tests expect none. Confirmations (a page may
 *  ask before deleting or removing) are answered "OK" and kept apart. */
const dialogs = [];
const confirmations = [];

/** A fresh browser profile (own cookies) with its own fake client address; returns a page. */
const newPage = pageSource(newContext, fakeIp, dialogWatcher(dialogs, confirmations, /^/));

// ---- small assertion helpers (playwright-core has no `expect`) ----------------------------

/** The text a person reads in an element: whitespace collapsed. */
async function text(locator) {
  return (await locator.first().innerText()).replace(/\s+/g, ' ').trim();
}

/** arrive() (lib.mjs) that waits for the next page load: the same page often comes back. */
function arrive(page, url, action) {
  return arriveAt(page, url, action, { nextLoad: true });
}

/** A URL predicate: the conversation page `id` (any query or fragment). */
function atConversation(id) {
  return (u) => u.pathname === `/conversations/${id}`;
}

// ---- people --------------------------------------------------------------------------------

/**
 * Registers a new person in a fresh browser context; returns { page, username, displayName }.
 * With `quick`, the register form is posted without typing into it (the account pages have
 * their own tests); the browser is logged in all the same.
 */
async function person(displayName, { js = true, context = {}, prefix = 'c', quick = false } = {}) {
  const page = await newPage({ context: { javaScriptEnabled: js, ...context } });
  const username = uname(prefix);
  if (quick) {
    const res = await postRegister(page.request, { username, displayName });
    assert.equal(res.headers().location, '/me');
    return { page, username, displayName };
  }
  await register(page, { username, displayName }, { nextLoad: true });
  return { page, username, displayName };
}

/** Opens someone's profile and presses "Message"; returns the conversation id. */
async function messageFromProfile(page, username, displayName) {
  return messageFromProfileAt(page, username, { displayName, nextLoad: true });
}

// ---- the conversation page ---------------------------------------------------------------

/** The messages of the open conversation page (text messages, tombstones and system lines). */
function messages(page) {
  return page.getByRole('region', { name: 'Messages' }).locator('li.msg, li.msg-system');
}

/** The message whose own text (not a quote of it) shows `content` (a string or RegExp). */
function message(page, content) {
  return page
    .getByRole('region', { name: 'Messages' })
    .locator('li.msg')
    .filter({ has: page.locator('.msg-body', { hasText: content }) });
}

/**
 * Types `body` into the composer and presses Send. Without JavaScript the form is posted and
 * the page comes back; with it the message is sent in the background and moved into the
 * list. Either way: the list has one more message and the composer is empty again.
 */
async function send(page, convId, body) {
  const before = await messages(page).count();
  const composer = page.getByRole('textbox', { name: 'Message', exact: true });
  await composer.fill(body);
  const button = page.getByRole('button', { name: 'Send', exact: true });
  if (page.js) {
    await button.click();
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('.chat-scroll li.msg, .chat-scroll li.msg-system').length > n &&
        document.querySelector('.composer textarea').value === '',
      before,
    );
    assert.equal(pathname(page), `/conversations/${convId}`, 'still on the conversation');
  } else {
    await arrive(page, atConversation(convId), () => button.click());
  }
  assert.ok((await messages(page).count()) > before, 'one more message in the list');
  assert.equal(await composer.inputValue(), '', 'composer emptied');
}

/** Shows a message's actions the way a person does (pointer over it), then uses one. */
async function act(msg, role, name) {
  const control = msg.locator('.msg-actions').getByRole(role, { name, exact: true });
  await msg.hover();
  // On a touch screen there is no hover: a tap on the message shows its actions.
  if (!(await control.isVisible())) await msg.locator('.msg-body').first().click();
  await control.click();
}

/** The reaction pill of `msg` for `emoji` ("👍 1"): its visible text and pressed state. */
async function reactionPill(msg, emoji) {
  const pill = msg.getByRole('list', { name: 'Reactions' }).getByRole('button').filter({ hasText: emoji });
  await visible(pill);
  assert.equal(await pill.count(), 1, `one ${emoji} pill`);
  const shown = (await pill.locator('.reaction-emoji').innerText()) + ' ' + (await pill.locator('.reaction-count').innerText());
  return { shown, pressed: await pill.getAttribute('aria-pressed') };
}

/**
 * The direct-conversation flow between two people: message from the profile, formatting,
 * inbox with unread badge, reply with quote, reaction, edit and delete. `js` is whether both
 * browsers run JavaScript: every step must work as plain HTML forms too.
 */
async function directFlow(js) {
  const tag = js ? 'Scripted' : 'Plain';
  const a = await person(`Ada ${tag}`, { js, prefix: js ? 'ja' : 'na' });
  const b = await person(`Bea ${tag}`, { js, prefix: js ? 'jb' : 'nb' });

  // A opens B's profile and presses "Message": the (empty) direct conversation.
  const id = await messageFromProfile(a.page, b.username, b.displayName);
  await visible(a.page.getByText('No messages yet'));

  // A sends "Hello **B**": it shows with "B" in bold, no asterisks.
  await send(a.page, id, 'Hello **B**');
  const hello = message(a.page, 'Hello');
  await visible(hello);
  assert.equal(await text(hello.locator('.msg-body')), 'Hello B', 'the message as read');
  assert.equal(await hello.locator('.msg-body strong').innerText(), 'B', 'B is bold');
  await visible(hello.getByText(a.displayName, { exact: true }));

  // B's inbox: the conversation, titled with A's name, unread and with the excerpt.
  await b.page.goto('/conversations');
  const row = b.page.getByRole('link').filter({ hasText: a.displayName });
  await visible(row);
  assert.equal(await row.count(), 1, 'one row for the conversation');
  await visible(row.getByText(/Hello \*\*B\*\*|Hello B/));
  const badge = row.locator('.unread-badge');
  await visible(badge);
  assert.match((await badge.textContent()).trim(), /^1\s*unread$/, 'one unread message');
  assert.match(await row.getAttribute('href'), new RegExp(`/conversations/${id}$`));

  // B opens it and sees A's message, then the inbox shows it read.
  await arrive(b.page, atConversation(id), () => row.click());
  await visible(b.page.getByRole('heading', { level: 1, name: a.displayName }));
  const seenByB = message(b.page, 'Hello');
  await visible(seenByB);
  assert.equal(await seenByB.locator('.msg-body strong').innerText(), 'B');

  // B replies: Reply → the composer says "Replying to Ada …" → send → the reply quotes it.
  // With JavaScript the strip fills in place; without, the page comes back with ?reply_to=.
  if (js) await act(seenByB, 'link', 'Reply');
  else await arrive(b.page, (u) => u.searchParams.get('reply_to') !== null, () => act(seenByB, 'link', 'Reply'));
  const strip = b.page.locator('#composer').getByText(/Replying to/);
  await visible(strip);
  // The strip quotes the words replied to. (Checked at the end, so that one missing quote
  // does not hide what the rest of the flow would find.)
  const later = [];
  const stripText = await text(b.page.locator('.reply-strip'));
  if (!new RegExp(`Replying to ${a.displayName}.*Hello (\\*\\*B\\*\\*|B)`).test(stripText))
    later.push(`GET /conversations/${id}?reply_to=1: the reply strip reads "${stripText}", without the words replied to`);
  const replyText = `Hi Ada, ${tag.toLowerCase()} reply`;
  await send(b.page, id, replyText);
  const reply = message(b.page, replyText);
  await visible(reply);
  const quote = reply.locator('.msg-quote');
  await visible(quote);
  assert.match(await text(quote), new RegExp(`${a.displayName}.*Hello B`), 'the quote names A and her words');
  assert.equal(await quote.locator('strong', { hasText: 'B' }).count(), 1, 'formatted as her message: **B** in bold');
  await assertHidden(b.page.locator('.reply-strip'), 'the reply strip after sending');

  // A reloads: B's reply with the quote.
  await a.page.reload();
  const replyForA = message(a.page, replyText);
  await visible(replyForA);
  await visible(replyForA.getByText(b.displayName, { exact: true }));
  assert.match(await text(replyForA.locator('.msg-quote')), new RegExp(`${a.displayName}.*Hello`));

  // A reacts 👍 on B's message: "👍 1", pressed for A.
  if (js) {
    await act(replyForA, 'button', 'React with thumbs up');
    await message(a.page, replyText).locator('.reactions').waitFor();
  } else {
    await arrive(a.page, atConversation(id), () => act(replyForA, 'button', 'React with thumbs up'));
  }
  let pill = await reactionPill(message(a.page, replyText), '👍');
  assert.deepEqual(pill, { shown: '👍 1', pressed: 'true' }, 'A sees her own reaction');

  // B reloads: "👍 1", not pressed for B.
  await b.page.reload();
  pill = await reactionPill(message(b.page, replyText), '👍');
  assert.deepEqual(pill, { shown: '👍 1', pressed: 'false' }, 'B sees A’s reaction');

  // B edits her own message: Edit → the form with the text → save → new text and "(edited)".
  // With JavaScript the form opens in place (Enter saves); without, on a page of its own.
  const edited = `${replyText}, now *edited*`;
  if (js) {
    await act(message(b.page, replyText), 'link', 'Edit');
    const field = b.page.getByRole('textbox', { name: 'Edit message' });
    await visible(field);
    assert.equal(await field.inputValue(), replyText, 'the edit form holds the text');
    await field.fill(edited);
    await field.press('Enter');
  } else {
    await arrive(b.page, /\/messages\/\d+\/edit$/, () => act(message(b.page, replyText), 'link', 'Edit'));
    await visible(b.page.getByRole('heading', { level: 1, name: 'Edit message' }));
    const field = b.page.getByRole('textbox', { name: 'Message', exact: true });
    assert.equal(await field.inputValue(), replyText, 'the edit form holds the text');
    await field.fill(edited);
    await arrive(b.page, atConversation(id), () => b.page.getByRole('button', { name: 'Save changes' }).click());
  }
  const editedMsg = message(b.page, 'now edited');
  await visible(editedMsg);
  assert.equal(await text(editedMsg.locator('.msg-body')), `${replyText}, now edited`);
  assert.equal(await editedMsg.locator('.msg-body em').innerText(), 'edited');
  await visible(editedMsg.getByText('(edited)', { exact: true }));
  // The reaction stays on the edited message.
  assert.equal((await reactionPill(editedMsg, '👍')).shown, '👍 1');

  // B sends one more and deletes it: the tombstone takes its place.
  const oops = `Oops, wrong window ${randomBytes(3).toString('hex')}`;
  await send(b.page, id, oops);
  const count = await messages(b.page).count();
  if (js) await act(message(b.page, oops), 'button', 'Delete');   // asks first: answered OK
  else await arrive(b.page, atConversation(id), () => act(message(b.page, oops), 'button', 'Delete'));
  await visible(b.page.getByText('This message was deleted', { exact: true }));
  // (In the messages: the list of conversations beside them follows a moment later.)
  await assertHidden(b.page.getByRole('region', { name: 'Messages' }).getByText(oops), 'the deleted text');
  assert.equal(await messages(b.page).count(), count, 'the tombstone keeps its place');
  // A cannot edit or delete B's messages, and sees the tombstone too.
  await a.page.reload();
  await visible(a.page.getByText('This message was deleted', { exact: true }));
  const bsEdited = message(a.page, 'now edited');
  await visible(bsEdited.getByText('(edited)', { exact: true }));
  await assertHidden(bsEdited.getByRole('link', { name: 'Edit', exact: true }), 'Edit on someone else’s message');
  await assertHidden(bsEdited.getByRole('button', { name: 'Delete', exact: true }), 'Delete on someone else’s message');

  // The inbox no longer counts anything unread for A, and shows the deletion.
  await a.page.goto('/conversations');
  const aRow = a.page.getByRole('link').filter({ hasText: b.displayName });
  await visible(aRow.getByText('Message deleted'));
  await assertHidden(aRow.locator('.unread-badge'), 'an unread badge after reading');
  assert.deepEqual(later, [], 'what the page showed wrong along the way');
  return { a, b, id };
}

// ---- the tests ---------------------------------------------------------------------------

describe('conversations in the browser', { concurrency: 3 }, () => {
  test('direct conversation: send, reply, react, edit, delete (JavaScript on)', async () => {
    await directFlow(true);
  });

  test('the same flow as plain HTML forms (JavaScript off)', async () => {
    await directFlow(false);
  });

  test('groups: create, mention, promote, remove', async () => {
    const a = await person('Gus Owner', { prefix: 'ga', quick: true });
    const b = await person('Gia Member', { prefix: 'gb', quick: true });
    const title = `Team ${randomBytes(3).toString('hex')}`;

    // "New group" on /conversations, with B as member → the group page, with its note.
    const id = await createGroup(a.page, { Title: title, Members: b.username }, { nextLoad: true });
    await visible(a.page.getByRole('heading', { level: 1, name: title }));
    await visible(a.page.getByText('2 members'));
    await visible(a.page.locator('li.msg-system').getByText(`${a.displayName} created the group “${title}”`));

    // A mentions B.
    await send(a.page, id, `Welcome @${b.username}, glad you're here`);
    const mentionForA = message(a.page, 'glad you');
    await visible(mentionForA.locator('.mention', { hasText: `@${b.username}` }));
    await assertHidden(mentionForA.locator('.mention-me'), 'mention-me for the author');

    // B opens the group from the inbox: the mention is highlighted for B.
    await b.page.goto('/conversations');
    const row = b.page.getByRole('link').filter({ hasText: title });
    await visible(row.locator('.unread-badge'));
    await arrive(b.page, atConversation(id), () => row.click());
    const mentionForB = message(b.page, 'glad you');
    await visible(mentionForB.locator('.mention-me', { hasText: `@${b.username}` }));

    // A opens settings and makes B an admin.
    await arrive(a.page, `**/conversations/${id}/settings`, () =>
      a.page.getByRole('link', { name: 'Settings', exact: true }).click(),
    );
    await visible(a.page.getByRole('heading', { level: 1, name: title }));
    await a.page.getByLabel(`Role of ${b.displayName}`).selectOption({ label: 'Admin' });
    await arrive(a.page, '**/settings?done=role', () =>
      a.page.getByRole('button', { name: `Change role of ${b.displayName}` }).click(),
    );
    await visible(a.page.getByRole('status').getByText('The role was changed.'));
    assert.equal(
      await a.page.getByLabel(`Role of ${b.displayName}`).locator('option:checked').innerText(),
      'Admin',
      'the select shows the new role',
    );

    // B sees it: the note in the conversation, and "you are an admin" in the settings.
    await b.page.reload();
    await visible(b.page.locator('li.msg-system').getByText(new RegExp(`${a.displayName} made ${b.displayName} .*admin`)));
    await arrive(b.page, `**/conversations/${id}/settings`, () => b.page.getByRole('link', { name: 'Settings', exact: true }).click());
    await visible(b.page.getByText('you are an admin'));
    const bRow = b.page.locator('li.member').filter({ hasText: '(you)' });
    assert.equal(await text(bRow.locator('.role-tag')), 'Admin');
    const aRow = b.page.locator('li.member').filter({ hasText: a.displayName });
    assert.equal(await text(aRow.locator('.role-tag')), 'Owner');

    // A removes B: B loses the group at once.
    await a.page.reload();
    await arrive(a.page, '**/settings?done=removed', () =>
      a.page.getByRole('button', { name: `Remove ${b.displayName}` }).click(),
    );
    await visible(a.page.getByRole('status').getByText('The member was removed.'));
    await visible(a.page.getByText('1 member', { exact: false }));
    await assertHidden(a.page.locator('li.member').filter({ hasText: b.username }), 'B in the member list');

    const res = await b.page.goto(`/conversations/${id}`);
    assert.equal(res.status(), 404, 'the group URL for a removed member');
    await visible(b.page.getByRole('heading', { level: 1, name: 'Page not found' }));
    await assertHidden(b.page.getByText(title), 'the group title on the not-found page');
    await b.page.goto('/conversations');
    await visible(b.page.getByRole('heading', { level: 1, name: 'Conversations' }));
    await assertHidden(b.page.getByRole('link').filter({ hasText: title }), 'the group in B’s inbox');
  });

  test('contacts: request, accept, block', async () => {
    const a = await person('Cleo Asker', { prefix: 'ka', quick: true });
    const b = await person('Cyd Answerer', { prefix: 'kb', quick: true });

    // A adds B by username.
    await a.page.goto('/contacts');
    await visible(a.page.getByText('No contacts yet'));
    await a.page.getByLabel('Username', { exact: true }).fill(b.username);
    await arrive(a.page, '**/contacts?done=requested', () =>
      a.page.getByRole('button', { name: 'Add', exact: true }).click(),
    );
    await visible(a.page.getByRole('status').getByText('Contact request sent.'));
    const waiting = a.page.getByRole('region', { name: /Waiting for an answer/ });
    await visible(waiting.getByText(b.displayName, { exact: true }));

    // B sees the request and accepts.
    await b.page.goto('/contacts');
    const requests = b.page.getByRole('region', { name: /Requests for you/ });
    await visible(requests.getByText(a.displayName, { exact: true }));
    await arrive(b.page, '**/contacts?done=accepted', () =>
      requests.getByRole('button', { name: `Accept @${a.username}` }).click(),
    );
    await visible(b.page.getByRole('status').getByText('Contact request accepted.'));
    await assertHidden(b.page.getByRole('region', { name: /Requests for you/ }), 'the requests card');

    // Both list each other.
    const listed = (page) => page.getByRole('region', { name: /Your contacts/ });
    await visible(listed(b.page).getByText(a.displayName, { exact: true }));
    await visible(listed(b.page).getByRole('link', { name: `@${a.username}` }));
    await a.page.reload();
    await visible(listed(a.page).getByText(b.displayName, { exact: true }));
    await assertHidden(a.page.getByRole('region', { name: /Waiting for an answer/ }), 'the waiting card');

    // B blocks A: A is gone from B's contacts, listed under Blocked.
    await arrive(b.page, '**/contacts?done=blocked', () =>
      listed(b.page).getByRole('button', { name: `Block @${a.username}` }).click(),
    );
    await visible(b.page.getByRole('status').getByText(/^Blocked\./));
    await visible(b.page.getByRole('region', { name: /Blocked/ }).getByText(a.displayName, { exact: true }));
    await assertHidden(listed(b.page).getByText(a.displayName, { exact: true }), 'A among B’s contacts');

    // A presses "Message" on B's profile: an error that does not say why.
    await a.page.goto(`/users/${b.username}`);
    await a.page.getByRole('button', { name: `Message @${b.username}` }).click();
    const error = a.page.locator('.field-error, .alert-error');
    await visible(error);
    const said = await text(error);
    assert.match(said, /cannot/i, 'an error is shown');
    assert.doesNotMatch(said, /block/i, 'the error does not mention blocking');
    assert.doesNotMatch(await a.page.locator('main').innerText(), /block/i, 'nothing on the page mentions blocking');
    assert.doesNotMatch(pathname(a.page), /^\/conversations\/\d+/, 'no conversation was opened');
  });

  test('markup in messages and titles is shown as text, never run', async () => {
    const a = await person('Xena Escaper', { prefix: 'xa', quick: true });
    const b = await person('Xavi Reader', { prefix: 'xb', quick: true });
    const evilMsg = '<img src=x onerror=alert(1)>';
    const evilTitle = '<script>alert(1)</script>';

    const noMarkup = async (page, where) => {
      assert.equal(await page.locator('img[src="x"]').count(), 0, `no <img src=x> on ${where}`);
      assert.equal(await page.locator('main script').count(), 0, `no injected script on ${where}`);
    };

    const id = await messageFromProfile(a.page, b.username, b.displayName);
    await send(a.page, id, evilMsg);
    await visible(message(a.page, evilMsg).getByText(evilMsg, { exact: true }));
    await noMarkup(a.page, 'the direct conversation');

    const gid = await createGroup(a.page, { Title: evilTitle, Members: b.username }, { nextLoad: true });
    await visible(a.page.getByRole('heading', { level: 1, name: evilTitle }));
    assert.equal(await a.page.title().then((t) => t.includes(evilTitle)), true, 'the tab title shows it as text');
    await send(a.page, gid, evilMsg);
    await noMarkup(a.page, 'the group');

    for (const [page, where] of [
      [b.page, '/conversations'],
      [b.page, `/conversations/${gid}`],
      [b.page, `/conversations/${gid}/settings`],
      [b.page, `/conversations/${id}`],
      [a.page, '/broadcasts'],
    ]) {
      await page.goto(where);
      await noMarkup(page, where);
    }
    await b.page.goto('/conversations');
    await visible(b.page.getByRole('link').filter({ hasText: evilTitle }));
    await visible(b.page.getByText(evilMsg).first());
    await b.page.goto(`/conversations/${gid}`);
    await visible(b.page.getByRole('heading', { level: 1, name: evilTitle }));
    await visible(message(b.page, evilMsg).getByText(evilMsg, { exact: true }));

    assert.deepEqual(dialogs, [], 'no dialog was opened by any page');
  });

  test('phone layout: no sideways scrolling, the composer in view; screenshots', async () => {
    const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
    const a = await person('Pia Phone', { prefix: 'pa', context: phone, quick: true });
    const b = await person('Desmond Desktop-Wide-Unbreakable-Name', {
      prefix: 'pb',
      quick: true,
      context: { viewport: { width: 1280, height: 900 } },
    });
    const shots = process.env.PARLEY_SCREENSHOTS;
    if (shots) mkdirSync(shots, { recursive: true });

    // Against the phone's width, not innerWidth: on a mobile viewport the layout viewport
    // grows to fit content that sticks out, and innerWidth grows with it.
    const noSideScroll = async (page, where) => {
      const m = await page.evaluate(() => {
        const wide = [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > 390.5)
          .slice(0, 3)
          .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">`);
        return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide };
      });
      assert.ok(
        m.scroll <= 390 && m.inner <= 390,
        `${where}: the page is ${Math.max(m.scroll, m.inner)}px wide on a 390px phone; sticking out: ${m.wide.join(', ')}`,
      );
    };

    // A conversation with some history: replies, a reaction, a long unbroken word, a link.
    const id = await messageFromProfile(a.page, b.username, b.displayName);
    await send(a.page, id, 'Morning! Did you see the **release notes**?');
    await b.page.goto(`/conversations/${id}`);
    await send(b.page, id, `Yes — https://example.com/${'very-long-path-segment-'.repeat(6)}end`);
    await send(b.page, id, 'Supercalifragilisticexpialidocious'.repeat(4));
    await b.page.goto(`/conversations/${id}?reply_to=1`);
    await send(b.page, id, 'Replying with `inline code` and _style_');
    await a.page.reload();
    await act(message(a.page, 'inline code'), 'button', 'React with party');   // in place
    await message(a.page, 'inline code').locator('.reactions').waitFor();
    await b.page.goto('/contacts');
    await b.page.getByLabel('Username', { exact: true }).fill(a.username);
    await arrive(b.page, '**/contacts?done=requested', () => b.page.getByRole('button', { name: 'Add', exact: true }).click());
    const gTitle = `Layout crew ${randomBytes(2).toString('hex')}`;
    const gid = await createGroup(b.page, {
      Title: gTitle,
      Description: 'Where we check that pages look right on every screen',
      Members: a.username,
    }, { nextLoad: true });

    // The phone: the conversation fits the width and the composer is on screen.
    await a.page.goto(`/conversations/${id}`);
    await noSideScroll(a.page, 'conversation (phone)');
    const composer = a.page.getByRole('textbox', { name: 'Message', exact: true });
    await visible(composer);
    const box = await composer.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 844, `composer in the viewport: ${JSON.stringify(box)}`);
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `composer within the width: ${JSON.stringify(box)}`);
    const sendBox = await a.page.getByRole('button', { name: 'Send', exact: true }).boundingBox();
    assert.ok(sendBox && sendBox.x + sendBox.width <= 390 && sendBox.y + sendBox.height <= 844, 'Send button on screen');
    // The newest message is in view without scrolling (the list opens at the bottom).
    const newest = message(a.page, 'inline code');
    assert.ok(await newest.isVisible(), 'newest message shown');
    const nb = await newest.boundingBox();
    assert.ok(nb && nb.y < box.y && nb.y + nb.height > 0, `newest message on screen above the composer: ${JSON.stringify(nb)}`);
    if (shots) await a.page.screenshot({ path: join(shots, 'conversation-phone.png') });
    // With the reply strip too.
    await a.page.goto(`/conversations/${id}?reply_to=2#composer`);
    await noSideScroll(a.page, 'conversation with reply (phone)');
    await visible(a.page.locator('.reply-strip'));
    if (shots) await a.page.screenshot({ path: join(shots, 'conversation-reply-phone.png') });
    // Tapping a message shows its actions within the width.
    await message(a.page, 'release notes').tap();
    await visible(message(a.page, 'release notes').getByRole('link', { name: 'Reply', exact: true }));
    await noSideScroll(a.page, 'conversation with actions (phone)');
    if (shots) await a.page.screenshot({ path: join(shots, 'conversation-actions-phone.png') });

    // Every page of this part of the site, on the phone; a name for each screenshot.
    const pages = {
      inbox: '/conversations',
      contacts: '/contacts',
      group: `/conversations/${gid}`,
      'group-settings': `/conversations/${gid}/settings`,
      'direct-details': `/conversations/${id}/settings`,
      'message-edit': `/conversations/${id}/messages/1/edit`,
      broadcast: '/broadcasts',
      people: `/users?q=${b.username.slice(0, 4)}`,
    };
    const failures = [];
    for (const [name, p] of Object.entries(pages)) {
      await a.page.goto(p);
      if (shots) await a.page.screenshot({ path: join(shots, `${name}-phone.png`), fullPage: true });
      await noSideScroll(a.page, `${p} (phone)`).catch((err) => failures.push(err.message));
    }

    if (shots) {
      const desktop = { inbox: pages.inbox, direct: `/conversations/${id}`, group: pages.group, 'group-settings': pages['group-settings'], contacts: pages.contacts, 'message-edit': `/conversations/${id}/messages/2/edit` };
      for (const [name, p] of Object.entries(desktop)) {
        await b.page.goto(p);
        await b.page.screenshot({ path: join(shots, `${name}-desktop.png`), fullPage: name !== 'direct' && name !== 'group' });
      }
    }
    assert.deepEqual(failures, [], 'pages wider than the phone');
  });
});
