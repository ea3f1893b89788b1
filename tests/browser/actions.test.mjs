// In-place actions and drafts: with JavaScript, reacting, replying, editing (inline, Up
// arrow, Esc) and deleting happen without a reload and leave what is being typed alone; the
// draft survives reloads and switching conversations and is gone once sent. Reacting deep
// in the history does not strand the page: new messages still arrive. Without JavaScript
// the forms land back at the message. A channel member who cannot post sees no Reply.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ipSource, useBrowser, pageSource, dialogWatcher, waitFor, waitLive, composer, message, pathname, LIVE_MS,
} from './lib.mjs';
import { apiPerson, send, direct, group, call } from './api.mjs';
import { axeErrors } from './a11y.mjs';

const fakeIp = ipSource(93);
const newContext = useBrowser();
const dialogs = [];
const confirmations = [];
const newPage = pageSource(newContext, fakeIp, dialogWatcher(dialogs, confirmations, /^Delete this message\?/));
const WIDE = { viewport: { width: 1280, height: 900 } };
const UNDO_MS = 5000; // conversation-actions.js: how long a delete can be undone

/** The reaction count button of `emoji` under a message ('' when there is none). */
async function reactionCount(msg, emoji) {
  const button = msg.locator('.reactions button', { hasText: emoji });
  const [text] = await button.locator('.reaction-count').allInnerTexts();   // no wait: it may go meanwhile
  return text === undefined ? '' : text.trim();
}

describe('in-place actions and drafts', () => {
  test('react, reply, edit and delete leave the draft alone; the draft outlives reloads until sent', async () => {
    const alice = await apiPerson(newPage, 'Alice Acts', { context: WIDE, prefix: 'x' });
    const bob = await apiPerson(newPage, 'Bob Acts', { prefix: 'x' });
    const withBob = await direct(alice, bob);
    const other = await group(alice, 'Acts elsewhere', [bob]);
    await send(alice, withBob, 'Alice wrote a tpyo');
    await send(bob, withBob, 'Bob asks a question');
    await send(alice, withBob, 'Alice will delete this');
    const page = alice.page;
    await page.goto(`/conversations/${withBob}`);
    await waitLive(page);
    await page.evaluate(() => { window.actionsMarker = 1; });

    // The composer has the focus on open; a half-typed draft.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'body');
    await composer(page).pressSequentially('half a thought');

    // React to Bob's message.
    const bobs = message(page, 'Bob asks a question');
    await bobs.hover();
    await bobs.getByRole('button', { name: 'React with thumbs up' }).click();
    await waitFor('the reaction shows', async () => (await reactionCount(message(page, 'Bob asks a question'), '👍')) === '1');
    assert.equal(await composer(page).inputValue(), 'half a thought');

    // Reply to it: the strip names Bob; the draft stays.
    await message(page, 'Bob asks a question').hover();
    await message(page, 'Bob asks a question').getByRole('link', { name: 'Reply' }).click();
    await page.locator('.reply-strip', { hasText: 'Replying to Bob Acts' }).waitFor();
    assert.deepEqual(await axeErrors(page, 'the reply strip'), []);
    assert.equal(await composer(page).inputValue(), 'half a thought');
    await page.getByRole('button', { name: 'Cancel reply' }).click();
    assert.equal(await page.locator('.reply-strip').count(), 0);

    // Edit my own message inline.
    await message(page, 'Alice wrote a tpyo').hover();
    await message(page, 'Alice wrote a tpyo').getByRole('link', { name: 'Edit' }).click();
    const editor = page.getByRole('textbox', { name: 'Edit message' });
    await editor.waitFor();
    assert.equal(await editor.inputValue(), 'Alice wrote a tpyo');
    assert.deepEqual(await axeErrors(page, 'the inline editor'), []);
    await editor.fill('Alice wrote a typo, fixed');
    await editor.press('Enter');
    const fixed = message(page, 'Alice wrote a typo, fixed');
    await fixed.waitFor();
    assert.match(await fixed.innerText(), /\(edited\)/);
    assert.equal(await composer(page).inputValue(), 'half a thought');

    // Delete: hidden at once with "Undo", deleted on the server a few seconds later.
    await message(page, 'Alice will delete this').hover();
    await message(page, 'Alice will delete this').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Undo' }).waitFor();
    assert.equal(await message(page, 'Alice will delete this').isVisible(), false);
    await page.getByText('This message was deleted').waitFor({ timeout: UNDO_MS + LIVE_MS });
    assert.equal(await message(page, 'Alice will delete this').count(), 0);
    assert.deepEqual(confirmations, [], 'no confirmation: undo instead');
    assert.equal(await composer(page).inputValue(), 'half a thought');
    assert.equal(await page.evaluate(() => window.actionsMarker), 1, 'no action reloaded the page');
    assert.equal(pathname(page), `/conversations/${withBob}`);

    // Reload: the draft is back. Another conversation and back: still there.
    await page.reload();
    await waitLive(page);
    assert.equal(await composer(page).inputValue(), 'half a thought');
    await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: /Acts elsewhere/ }).click();
    await page.waitForURL(`**/conversations/${other}`);
    await waitFor('the other conversation', async () => (await composer(page).getAttribute('placeholder')) === 'Message Acts elsewhere');
    assert.equal(await composer(page).inputValue(), '');
    await page.goBack();
    await waitFor('back in Bob\'s', async () => (await composer(page).getAttribute('placeholder')) === 'Message Bob Acts');
    assert.equal(await composer(page).inputValue(), 'half a thought');

    // Send it: the composer empties, and stays empty after a reload.
    await composer(page).press('Enter');
    await message(page, 'half a thought').waitFor({ timeout: LIVE_MS });
    assert.equal(await composer(page).inputValue(), '');
    await page.reload();
    await waitLive(page);
    assert.equal(await composer(page).inputValue(), '');

    // Up arrow in the empty composer edits my last message; Esc leaves it as it was.
    await composer(page).focus();
    await composer(page).press('ArrowUp');
    await editor.waitFor();
    assert.equal(await editor.inputValue(), 'half a thought');
    await editor.press('Escape');
    assert.equal(await editor.count(), 0);
    await message(page, 'half a thought').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'body');
    assert.deepEqual(dialogs, []);
  });

  test('undo brings a deleted message back, and nothing is deleted', async () => {
    const alice = await apiPerson(newPage, 'Alice Undo', { context: WIDE, prefix: 'x' });
    const bob = await apiPerson(newPage, 'Bob Undo', { prefix: 'x' });
    const conv = await direct(alice, bob);
    const seq = await send(alice, conv, 'Alice keeps this after all');
    const page = alice.page;
    await page.goto(`/conversations/${conv}`);
    await waitLive(page);
    await message(page, 'Alice keeps this after all').hover();
    await message(page, 'Alice keeps this after all').getByRole('button', { name: 'Delete' }).click();
    const undo = page.getByRole('button', { name: 'Undo' });
    await undo.waitFor();
    assert.equal(await message(page, 'Alice keeps this after all').isVisible(), false, 'hidden while it can be undone');
    await undo.click();
    await message(page, 'Alice keeps this after all').waitFor();
    assert.equal(await undo.count(), 0);
    // Past the undo time the server still has it (the DELETE was never sent), and Bob sees it.
    await page.waitForTimeout(UNDO_MS + 1000);
    const got = await call(bob, 'GET', `/conversations/${conv}/messages?after=${seq - 1}`);
    const m = got.messages.find((x) => x.seq === seq);
    assert.equal(m.deleted, false);
    assert.equal(m.body, 'Alice keeps this after all');
    assert.equal(await message(page, 'Alice keeps this after all').isVisible(), true);
  });

  test('reacting deep in the history keeps the page live', async () => {
    const alice = await apiPerson(newPage, 'Alice Deep', { context: WIDE, prefix: 'x' });
    const bob = await apiPerson(newPage, 'Bob Deep', { prefix: 'x' });
    const conv = await direct(alice, bob);
    for (let i = 1; i <= 49; i++) await send(bob, conv, `old line ${i}`);
    const page = alice.page;
    await page.goto(`/conversations/${conv}`);
    await waitLive(page);
    // 45 messages up.
    const deep = message(page, 'old line 4');
    await deep.scrollIntoViewIfNeeded();
    await deep.hover();
    await deep.getByRole('button', { name: 'React with party' }).click();
    await waitFor('the reaction shows', async () => (await reactionCount(message(page, 'old line 4'), '🎉')) === '1');
    assert.equal(new URL(page.url()).search, '', 'no ?around= page');
    await send(bob, conv, 'a new one after the reaction');
    await message(page, 'a new one after the reaction').waitFor({ timeout: LIVE_MS });
  });

  test('without JavaScript a reaction lands back at the message on the live page', async () => {
    const alice = await apiPerson(newPage, 'Alice Plain', { context: { ...WIDE, javaScriptEnabled: false }, prefix: 'x' });
    const bob = await apiPerson(newPage, 'Bob Plain', { prefix: 'x' });
    const conv = await direct(alice, bob);
    const seq = await send(bob, conv, 'react to me plainly');
    const page = alice.page;
    await page.goto(`/conversations/${conv}`);
    await Promise.all([
      page.waitForURL((u) => u.hash === `#m${seq}`),
      message(page, 'react to me plainly').getByRole('button', { name: 'React with heart' }).click(),
    ]);
    assert.equal(new URL(page.url()).search, '');
    assert.equal(await reactionCount(message(page, 'react to me plainly'), '❤️'), '1');
  });

  test('a channel member who cannot post sees no Reply; an admin does', async () => {
    const owner = await apiPerson(newPage, 'Owner Chan', { context: WIDE, prefix: 'x' });
    const member = await apiPerson(newPage, 'Member Chan', { context: WIDE, prefix: 'x' });
    const channel = await group(owner, 'Quiet channel', [member], 'channel');
    await send(owner, channel, 'News for all');
    for (const [who, replies] of [[member, 0], [owner, 1]]) {
      await who.page.goto(`/conversations/${channel}`);
      const msg = message(who.page, 'News for all');
      await msg.waitFor();
      assert.equal(await msg.getByRole('link', { name: 'Reply' }).count(), replies, who.displayName);
    }
  });
});
