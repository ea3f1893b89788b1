// Reactions without JavaScript: beside the five quick ones, "More reactions" leads to a page
// of every emoji (a group at a time, or found by name), each a button of one CSRF-protected
// form that adds the reaction and lands back at the message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, register, createGroup, send, assertError } from './lib.mjs';

const decode = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** A page as a browser without JavaScript gets it (the session cookie only). */
async function page(u, path) {
  const r = await api('GET', path, { cookie: { parley_session: u.token } });
  assert.equal(r.status, 200, `${path}: ${r.status} ${r.text.slice(0, 200)}`);
  assert.match(r.headers.get('content-type') || '', /^text\/html/);
  return r.text;
}

/** The part of a conversation page that is message seq. */
function messageHtml(html, seq) {
  const at = html.indexOf(`id="m${seq}"`);
  assert.ok(at >= 0, `message ${seq} is on the page`);
  const end = html.indexOf('</li>\n', html.indexOf('class="msg-actions"', at));
  return html.slice(at, end);
}

/** The emoji buttons of a "More reactions" page: [{emoji, name}]. */
function buttons(html) {
  return [...html.matchAll(/<button type="submit" name="emoji" value="([^"]+)" class="react-btn" title="([^"]+)">/g)]
    .map((m) => ({ emoji: decode(m[1]), name: decode(m[2]) }));
}

describe('"More reactions" without JavaScript', () => {
  it('finds a non-quick emoji by name, posts it with the page\'s form, and shows it on the message', async () => {
    const a = await register();
    const b = await register();
    const conv = await createGroup(a, [b], { title: 'Reactions' });
    const m = await send(a, conv.id, 'Who wants to see an octopus?');

    // The message's actions link to the page (the five quick ones stay forms).
    const html = await page(b, `/conversations/${conv.id}`);
    const mine = messageHtml(html, m.seq);
    const link = /<a class="react-btn react-more-link" href="([^"]+)" title="More reactions">/.exec(mine);
    assert.ok(link, 'a "More reactions" link on the message');
    assert.equal(link[1], `/conversations/${conv.id}/messages/${m.seq}/react`);
    assert.equal((mine.match(/<form class="inline-form" method="post" action="[^"]+\/reactions">/g) || []).length, 5);

    // The page: the first group, its name as the heading, every group a link.
    let p = await page(b, link[1]);
    assert.match(p, /<h1 id="page-title">React to a message<\/h1>/);
    assert.match(p, /Who wants to see an octopus\?/, 'the message is quoted');
    assert.match(p, /<h2 class="react-heading">Smileys &amp; Emotion<\/h2>/);
    const groups = [...p.matchAll(/<a href="[^"]+\/react\?group=(\d)"( aria-current="page")?>([^<]+)<\/a>/g)];
    assert.equal(groups.length, 9, 'nine groups');
    assert.equal(decode(groups[8][3]), 'Flags');
    const smileys = buttons(p);
    assert.ok(smileys.length > 100, `the whole group: ${smileys.length}`);
    assert.deepEqual(smileys[0], { emoji: '😀', name: 'grinning face' });
    assert.ok(!smileys.some((x) => x.emoji === '🐙'), 'an animal is not among the smileys');

    // Another group by its link, and a search by name.
    const flags = buttons(await page(b, `${link[1]}?group=8`));
    assert.ok(flags.some((x) => x.emoji === '🇫🇷' && x.name === 'flag: France'), 'the flags group has France');
    p = await page(b, `${link[1]}?q=${encodeURIComponent('Octopus')}`);
    assert.match(p, /<h2 class="react-heading">1 emoji for “Octopus”<\/h2>/);
    assert.deepEqual(buttons(p), [{ emoji: '🐙', name: 'octopus' }]);
    assert.match(p, /<input id="react-q" name="q" type="search"[^>]*value="Octopus"/, 'the search box keeps the words');
    const words = buttons(await page(b, `${link[1]}?q=${encodeURIComponent('heart eyes cat')}`));
    assert.deepEqual(words.map((x) => x.name), ['smiling cat with heart-eyes'], 'every word must match');
    const none = await page(b, `${link[1]}?q=zzzqqq`);
    assert.match(none, /No emoji named “zzzqqq”/);
    assert.equal(buttons(none).length, 0);

    // The form posts with its CSRF field, as a browser does with the button pressed.
    const form = /<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrf_token" value="([^"]+)">/.exec(p);
    assert.ok(form, 'one form with a CSRF field');
    assert.equal(form[1], `/conversations/${conv.id}/messages/${m.seq}/reactions`);
    const without = await api('POST', form[1], { cookie: { parley_session: b.token }, form: { emoji: '🐙' } });
    assert.equal(without.status, 403, 'no CSRF field: refused');
    const r = await api('POST', form[1], { cookie: { parley_session: b.token }, form: { csrf_token: form[2], emoji: '🐙' } });
    assert.equal(r.status, 303, `react: ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.headers.get('location'), `/conversations/${conv.id}#m${m.seq}`, 'back at the message');

    // Everyone sees it on the message, the reactor's own marked as theirs.
    const seenByB = messageHtml(await page(b, `/conversations/${conv.id}`), m.seq);
    assert.match(seenByB, /<button type="submit" class="reaction is-mine" aria-pressed="true"[^>]*><span class="reaction-emoji" dir="auto">🐙<\/span> <span class="reaction-count">1<\/span>/);
    const seenByA = messageHtml(await page(a, `/conversations/${conv.id}`), m.seq);
    assert.match(seenByA, /<button type="submit" class="reaction" aria-pressed="false"[^>]*><span class="reaction-emoji" dir="auto">🐙<\/span> <span class="reaction-count">1<\/span>/);
    const j = await api('GET', `/api/v1/conversations/${conv.id}/messages?around=${m.seq}`, { token: a.token });
    const got = j.json.messages.find((x) => x.seq === m.seq);
    assert.deepEqual(got.reactions.map((x) => [x.emoji, x.count]), [['🐙', 1]]);
  });

  it('has a JSON twin and refuses what it must', async () => {
    const a = await register();
    const b = await register();
    const stranger = await register();
    const conv = await createGroup(a, [b], { title: 'Twin' });
    const m = await send(a, conv.id, 'hello');
    const path = `/api/v1/conversations/${conv.id}/messages/${m.seq}/react`;
    let r = await api('GET', `${path}?q=red%20heart`, { token: b.token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.q, 'red heart');
    assert.equal(r.json.group, -1);
    assert.ok(r.json.emoji.some((x) => x.emoji === '❤️' && x.name === 'red heart' && x.group === 'Smileys & Emotion'));
    assert.equal(r.json.groups.length, 9);
    assert.equal(r.json.groups.reduce((n, g) => n + g.count, 0), 1870, 'all of Unicode\'s emoji without skin tones');
    r = await api('GET', `${path}?group=2`, { token: b.token });
    assert.equal(r.json.groups[2].current, true);
    assert.ok(r.json.emoji.every((x) => x.group === 'Animals & Nature'));
    assert.equal(r.json.found, r.json.groups[2].count);
    // Not a member, no such message: 404; the group's creation notice: 403; bad queries: 400.
    assertError(await api('GET', path, { token: stranger.token }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/conversations/${conv.id}/messages/9999/react`, { token: b.token }), 404, 'not_found');
    r = await api('GET', `/api/v1/conversations/${conv.id}/messages/1/react`, { token: b.token });
    assert.equal(r.status, 403, `a system line: ${r.status} ${r.text}`);
    assertError(await api('GET', `${path}?group=9`, { token: b.token }), 400, 'invalid_field', 'group');
    assertError(await api('GET', `${path}?q=${'x'.repeat(65)}`, { token: b.token }), 400, 'invalid_field', 'q');
    assertError(await api('GET', path), 401, 'unauthorized');
  });
});
