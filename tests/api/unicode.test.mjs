// Invisible and direction-changing characters: one-line names and titles refuse them (a name
// must show what it says: "Admin\u202Egnp.exe" reads "Adminexe.png"); message bodies and
// descriptions keep them, and the pages isolate every user-supplied run (<bdi>, dir="auto")
// so that it cannot reorder the text around it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, register, uname, assertError, createGroup, createConversationRaw, send, sendRaw, hex,
  sql, lit, haveDb, PASSWORD, sleep,
} from './lib.mjs';

const RLO = '\u202E';
// One of each class: an override, an isolate, a zero-width space, a line separator, a BOM.
const INVISIBLE = ['\u202E', '\u2066', '\u200B', '\u2028', '\uFEFF'];
const code = (ch) => `U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
const PERSIAN = 'می\u200Cخواهم';                                  // "I want", with a ZWNJ
const FAMILY = '👨\u200D👩\u200D👧';

/** Asserts a 400 invalid_field on `field` whose message names the code point. */
function assertRefused(r, field, ch) {
  const e = assertError(r, 400, 'invalid_field', field);
  assert.match(e.message, /invisible or direction-changing/, e.message);
  assert.ok(e.message.includes(code(ch)), `the message names ${code(ch)}: ${e.message}`);
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/**
 * For each place where `text` is shown in the <body> of `html` (as text, not inside a tag's
 * attributes): the innermost open element that isolates it (a <bdi> or one with a dir
 * attribute: dir="auto" for user text, dir="ltr" for the server's own sentences that quote
 * names), as {name, attrs}, or null. A small tag walker: enough for the server's own markup.
 */
function isolators(html, text) {
  const out = [];
  const stack = [];
  const tag = /<(\/?)([a-zA-Z][\w-]*)([^>]*)>/g;
  let from = html.indexOf('<body');
  let m = tag.exec(html);
  for (let at = html.indexOf(text, from); at >= 0; at = html.indexOf(text, at + 1)) {
    for (; m && m.index < at; m = tag.exec(html)) {
      const [, close, rawName, attrs] = m;
      const name = rawName.toLowerCase();
      if (close) {
        const i = stack.map((e) => e.name).lastIndexOf(name);
        if (i >= 0) stack.length = i;
      } else if (!VOID.has(name) && !attrs.endsWith('/')) {
        stack.push({ name, attrs });
      }
    }
    if (html.lastIndexOf('<', at) > html.lastIndexOf('>', at)) continue;   /* an attribute */
    out.push([...stack].reverse().find((e) => e.name === 'bdi' || /\bdir\s*=/i.test(e.attrs)) || null);
  }
  assert.ok(out.length > 0, `the page shows ${JSON.stringify(text)}`);
  return out;
}

/** Asserts every place showing `text` isolates it; returns the isolating elements. */
function assertIsolated(html, text, what) {
  const found = isolators(html, text);
  found.forEach((e, i) => assert.ok(e, `${what}: occurrence ${i + 1} of ${found.length} is inside <bdi> or dir=`));
  return found;
}

/** Names and titles sit in <bdi>, or in a system line ("Ann created the group “Ops”"). */
const inBdiOrSystemLine = (e) => assert.ok(e.name === 'bdi' || /msg-system-text/.test(e.attrs), JSON.stringify(e));

function page(u, path) {
  return api('GET', path, { cookie: { parley_session: u.token } });
}

describe('names refuse invisible and direction-changing characters', () => {
  it('register with U+202E in the display name is 400 on display_name', async () => {
    const r = await api('POST', '/api/v1/register', {
      json: { username: uname(), password: PASSWORD, display_name: `Admin${RLO}gnp.exe` },
    });
    assertRefused(r, 'display_name', RLO);
  });

  it('PATCH /me refuses each class in display_name and status_text', async () => {
    const a = await register();
    for (const ch of INVISIBLE) {
      for (const field of ['display_name', 'status_text']) {
        const r = await api('PATCH', '/api/v1/me', { token: a.token, json: { [field]: `Ad${ch}min` } });
        assertRefused(r, field, ch);
      }
    }
    const me = await api('GET', '/api/v1/me', { token: a.token });
    assert.equal(me.json.user.display_name, a.display_name, 'nothing was changed');
  });

  it('a Persian name with a ZWNJ inside a word is fine; a ZWNJ at its end is not', async () => {
    const a = await register({ display_name: PERSIAN });
    assert.equal(a.user.display_name, PERSIAN);
    const r = await api('PATCH', '/api/v1/me', { token: a.token, json: { status_text: `${PERSIAN} ${FAMILY}` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.status_text, `${PERSIAN} ${FAMILY}`, 'stored as sent');
    assertRefused(await api('PATCH', '/api/v1/me', { token: a.token, json: { display_name: 'می\u200C' } }),
      'display_name', '\u200C');
    assertRefused(await api('PATCH', '/api/v1/me', { token: a.token, json: { display_name: 'Ad\u200Dmin' } }),
      'display_name', '\u200D');
  });

  it('the HTML profile form shows the refusal under the field', async () => {
    const a = await register();
    const me = await page(a, '/me');
    assert.equal(me.status, 200);
    const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(me.text)?.[1];
    assert.ok(csrf, 'a csrf token');
    const r = await api('POST', '/me', {
      cookie: { parley_session: a.token },
      form: { csrf_token: csrf, display_name: `Admin${RLO}gnp.exe`, status_text: '' },
    });
    assert.equal(r.status, 400, r.text.slice(0, 200));
    assert.match(r.text, /id="display_name-error"[^]*invisible or direction-changing characters \(U\+202E\)/);
  });

  it('a token name with U+202E is 400 on name', async () => {
    const a = await register();
    assertRefused(await api('POST', '/api/v1/me/tokens', { token: a.token, json: { name: `ci${RLO}` } }), 'name', RLO);
  });
});

describe('titles refuse them too', () => {
  it('creating a group titled with U+202E is 400 on title', async () => {
    const a = await register();
    const r = await createConversationRaw(a, { kind: 'group', title: `Ops${RLO}`, description: '', members: [] });
    assertRefused(r, 'title', RLO);
  });

  it('renaming is 400 on title; a description keeps them', async () => {
    const [a, b] = [await register(), await register()];
    const g = await createGroup(a, [b]);
    for (const ch of INVISIBLE) {
      const r = await api('PATCH', `/api/v1/conversations/${g.id}`, { token: a.token, json: { title: `x${ch}y` } });
      assertRefused(r, 'title', ch);
    }
    const desc = `Rules ${RLO}txt.exe`;
    const r = await api('PATCH', `/api/v1/conversations/${g.id}`, { token: a.token, json: { description: desc } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.conversation.description, desc);
    const about = await page(b, `/conversations/${g.id}/settings`);     // a member reads it
    assert.equal(about.status, 200);
    assertIsolated(about.text, desc, 'the description on the settings page').forEach((e) => assert.match(e.attrs, /dir="auto"/));
    assertIsolated((await page(a, `/conversations/${g.id}`)).text, desc, 'the description in the chat header');
  });
});

describe('reactions', () => {
  it('an emoji followed by U+202E is 400 on emoji; a ZWJ family is fine', async () => {
    const a = await register();
    const g = await createGroup(a);
    const m = await send(a, g.id, 'react to me');
    const path = `/api/v1/conversations/${g.id}/messages/${m.seq}/reactions`;
    assertError(await api('POST', path, { token: a.token, json: { emoji: `👍${RLO}` } }), 400, 'invalid_field', 'emoji');
    assertError(await api('POST', path, { token: a.token, json: { emoji: `\u200D👍` } }), 400, 'invalid_field', 'emoji');
    const r = await api('POST', path, { token: a.token, json: { emoji: FAMILY } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.message.reactions.map((x) => x.emoji), [FAMILY]);
    assertIsolated((await page(a, `/conversations/${g.id}`)).text, FAMILY, 'the reaction');
  });
});

describe('message bodies keep them, isolated on the page', () => {
  it('a body with U+202E is accepted and shown inside an isolating element', async () => {
    const a = await register({ display_name: PERSIAN });
    const g = await createGroup(a, [], { title: `Group ${hex(4)}` });
    const body = `look at ${RLO}gnp.exe ${hex(4)}`;
    const r = await sendRaw(a, g.id, body);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.message.body, body, 'stored as sent');
    const html = await page(a, `/conversations/${g.id}`);
    assert.equal(html.status, 200);
    // Every place shows it isolated: the message, and its excerpt in the list beside it.
    const iso = assertIsolated(html.text, body, 'the body').find((x) => /msg-body/.test(x.attrs));
    assert.ok(iso, 'the message body container isolates it');
    assert.equal(iso.name, 'div');
    // the names and the title are isolated too
    assertIsolated(html.text, PERSIAN, 'the display name').forEach(inBdiOrSystemLine);
    assertIsolated(html.text, g.title, 'the title').forEach(inBdiOrSystemLine);
    // a reply quotes the excerpt, isolated as well
    await send(a, g.id, 'answer', { reply_to: r.json.message.seq });
    const again = (await page(a, `/conversations/${g.id}`)).text;
    assert.equal(assertIsolated(again, `${RLO}gnp.exe`, 'the body and its excerpt').length, 2);
    assertIsolated((await page(a, '/conversations')).text, g.title, 'the title in the inbox');
  });

  it('a name stored before the rule is still shown inside <bdi>', { skip: !haveDb && 'needs PARLEY_DB' }, async () => {
    const a = await register();
    const legacy = `Eve${RLO}gnp.exe ${hex(3)}`;
    sql(`update users set display_name = ${lit(legacy)} where username = ${lit(a.username)}`);
    await sleep(3100);      // a change made by hand shows within 3 s (USERS_CACHE_MS, ARCHITECTURE.md)
    const g = await createGroup(a);
    const hello = `hello ${hex(4)}`;
    await send(a, g.id, hello);
    const html = (await page(a, `/conversations/${g.id}`)).text;
    assertIsolated(html, legacy, 'a stored name').forEach(inBdiOrSystemLine);
    assertIsolated((await page(a, '/conversations')).text, hello, 'the excerpt in the inbox');
    assertIsolated((await page(a, '/me')).text, legacy, 'the name on the profile');
  });
});
