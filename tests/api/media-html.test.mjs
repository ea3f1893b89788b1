// Files on the HTML pages as a browser without JavaScript sees them: the composer is a
// multipart form whose CSRF field comes before its file input; attachments render as
// thumbnails with their size reserved, "Processing…" boxes for others until the worker is
// done, players, and cards with a download link; names are escaped; the picture forms on
// /me and a group's settings page.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, register, createGroup, messages, inputValue, locationPath, browserOf } from './lib.mjs';
import { png } from '../support/media-files.mjs';

/** The first <form …> element (start tag to </form>) whose start tag matches `re`. */
function formOf(html, re) {
  for (const m of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)) if (re.test(m[0].slice(0, m[0].indexOf('>') + 1))) return m[0];
  return undefined;
}

/** The <li id="m<seq>"> of a message on a conversation page. */
function messageHtml(html, seq) {
  const start = html.indexOf(`id="m${seq}"`);
  assert.ok(start > 0, `message ${seq} is on the page`);
  const end = html.indexOf('<li', html.indexOf('</li>', html.indexOf('class="msg-actions"', start)));
  return html.slice(start, end > 0 ? end : undefined);
}

/** Asserts the form posts multipart and carries csrf_token before its file input. */
function assertFileForm(form, what) {
  assert.ok(form, `${what}: the form is on the page`);
  assert.match(form, /^<form\b[^>]*\benctype="multipart\/form-data"/, `${what}: multipart`);
  const csrf = form.search(/<input\b[^>]*name="csrf_token"/);
  const file = form.search(/<input\b[^>]*type="file"/);
  assert.ok(csrf >= 0 && file > csrf, `${what}: the CSRF field comes before the file input`);
  assert.match(form, /<input\b[^>]*name="file"[^>]*type="file"|<input\b[^>]*type="file"[^>]*name="file"/, `${what}: the file input is named file`);
}

let alice;
let bob;
let g;
let A;
let B;
before(async () => {
  [alice, bob] = await Promise.all([register(), register()]);
  g = await createGroup(alice, [bob]);
  [A, B] = await Promise.all([browserOf(alice), browserOf(bob)]);
});

describe('the conversation page without JavaScript', () => {
  it('the composer is a multipart form, CSRF first, with a file input for several files', async () => {
    const page = await A.get(`/conversations/${g.id}`);
    assert.equal(page.status, 200);
    const form = formOf(page.text, /class="composer-form"/);
    assertFileForm(form, 'the composer');
    assert.match(form, /<input\b[^>]*type="file"[^>]*\bmultiple\b/);
    assert.match(form, /<label for="composer-file">Attach files/);
    assert.doesNotMatch(form, /<textarea\b[^>]*\brequired\b/, 'a file may go without text');
  });

  it('a file sent alone from the form shows as a card with its name, size, type and a download link', async () => {
    const name = "<img src=x onerror=alert(1)> & 'minutes'.txt";
    const r = await A.post(`/conversations/${g.id}/messages`, [
      { name: 'client_id', value: crypto.randomUUID() },
      { name: 'body', value: '' },
      { name: 'file', filename: name, type: 'text/plain', data: Buffer.from('x'.repeat(2345)) },
    ]);
    assert.equal(r.status, 303, `form post: ${r.status} ${r.text.slice(0, 300)}`);
    assert.equal(locationPath(r).split('#')[0], `/conversations/${g.id}`);
    const last = (await messages(bob, g.id)).messages.at(-1);
    assert.equal(last.body, '');
    const file = last.attachments[0];
    const li = messageHtml((await B.get(`/conversations/${g.id}`)).text, last.seq);
    assert.doesNotMatch(li, /class="msg-body"/, 'no empty text under the sender');
    assert.match(li, new RegExp(`<li class="att att-file" data-media-id="${file.id}"`));
    assert.match(li, /<span class="att-name"><bdi>&lt;img src=x onerror=alert\(1\)&gt; &amp; &#39;minutes&#39;\.txt<\/bdi><\/span>/, 'the name, escaped');
    assert.doesNotMatch(li, /<img src=x/);
    assert.match(li, /2\.3 KB · text\/plain/);
    assert.match(li, new RegExp(`<a class="[^"]*att-download" href="/api/v1/media/${file.id}\\?download=1" download>Download`));
  });

  it('a photo: the uploader sees it at once, others a box of its size until the worker is done', async () => {
    const r = await A.post(`/conversations/${g.id}/messages`, [
      { name: 'body', value: 'the view' },
      { name: 'file', filename: 'view.png', type: 'image/png', data: png(800, 600) },
    ]);
    assert.equal(r.status, 303, `form post: ${r.status} ${r.text.slice(0, 300)}`);
    const last = (await messages(bob, g.id)).messages.at(-1);
    const m = last.attachments[0];
    assert.equal(m.kind, 'image');
    const mine = messageHtml((await A.get(`/conversations/${g.id}`)).text, last.seq);
    const theirs = messageHtml((await B.get(`/conversations/${g.id}`)).text, last.seq);
    if (m.thumbs) {
      // The worker was quick: both see the 320 px thumbnail, linking to the full image.
      for (const li of [mine, theirs]) {
        assert.match(li, new RegExp(`<a class="att-thumb" href="/api/v1/media/${m.id}" data-view="/api/v1/media/${m.id}/thumb/1280"`));
        assert.match(li, new RegExp(`<img src="/api/v1/media/${m.id}/thumb/320" width="320" height="240" alt="view.png" loading="lazy"`));
      }
    } else {
      assert.equal(m.state, 'processing');
      assert.match(mine, new RegExp(`<a class="att-thumb" href="/api/v1/media/${m.id}"[^>]*><img src="/api/v1/media/${m.id}" width="320" height="240" alt="view.png" loading="lazy"`));
      assert.match(theirs, /<li class="att att-image att-pending"/);
      assert.match(theirs, /<svg class="att-box" aria-hidden="true" width="320" height="240" viewBox="0 0 320 240">/);
      assert.match(theirs, /Processing…/);
      assert.doesNotMatch(theirs, new RegExp(`src="/api/v1/media/${m.id}"`), 'no image others could not load');
    }
  });

  it('video and audio get players; a tall photo fits the box by its height', async () => {
    // Not real media: the kind comes from the bytes' type, so a WebM header is enough here.
    const webm = Buffer.concat([Buffer.from('1a45dfa3', 'hex'), Buffer.from('4282847765626d', 'hex'), randomBytes(200)]);
    const up = async (data, name, type) => {
      const res = await api('POST', `/api/v1/media?name=${encodeURIComponent(name)}`, { token: alice.token, body: data, headers: { 'Content-Type': type } });
      assert.equal(res.status, 201, res.text);
      return res.json.media;
    };
    const voice = await up(webm, 'Voice note.webm', 'audio/webm');
    const tall = await up(png(90, 400), 'tall.png', 'image/png');
    const send = await api('POST', `/api/v1/conversations/${g.id}/messages`, { token: alice.token, json: { body: 'listen', media_ids: [voice.id, tall.id] } });
    assert.equal(send.status, 201, send.text);
    const li = messageHtml((await A.get(`/conversations/${g.id}`)).text, send.json.message.seq);
    if (voice.kind === 'audio') {
      assert.match(li, new RegExp(`<audio controls preload="metadata" src="/api/v1/media/${voice.id}" aria-label="Voice note.webm">`));
    } else {
      assert.match(li, new RegExp(`<(video|li class="att att-file")\\b[^>]*`), `a ${voice.kind} gets a player or a card`);
    }
    assert.match(li, new RegExp(`<img src="/api/v1/media/${tall.id}[^"]*" width="72" height="320"`), '90×400 fits as 72×320');
  });
});

describe('picture forms without JavaScript', () => {
  it('/me uploads a picture from a multipart form and can remove it', async () => {
    const page = await A.get('/me');
    const form = formOf(page.text, /action="\/me\/avatar"/);
    assertFileForm(form, '/me picture');
    const ok = await A.post('/me/avatar', [{ name: 'file', filename: 'me.png', type: 'image/png', data: png(64, 64) }]);
    assert.equal(ok.status, 303, `${ok.status} ${ok.text.slice(0, 300)}`);
    assert.equal(locationPath(ok), '/me?done=avatar');
    assert.match((await A.get('/me?done=avatar')).text, /Your picture was changed\./);
    const bad = await A.post('/me/avatar', [{ name: 'file', filename: 'cv.txt', type: 'text/plain', data: Buffer.from('not a photo') }]);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /<p class="field-error" id="avatar-error"><span>The picture must be a photo you uploaded\.<\/span><\/p>/);
    assert.doesNotMatch(bad.text, /id="display_name"/, 'the profile form is not shown empty');
    assert.match(bad.text, /<a href="\/me">Back to your profile<\/a>/);
    const removeForm = formOf(page.text, /action="\/me\/avatar\/delete"/);
    assert.ok(removeForm, 'a Remove picture form');
    const gone = await A.postForm('/me/avatar/delete', {});
    assert.equal(gone.status, 303);
    assert.equal(locationPath(gone), '/me?done=avatar');
  });

  it('a group\'s settings show the picture form to owners and admins only', async () => {
    const owner = (await A.get(`/conversations/${g.id}/settings`)).text;
    assertFileForm(formOf(owner, new RegExp(`action="/conversations/${g.id}/avatar"`)), 'group picture');
    const member = (await B.get(`/conversations/${g.id}/settings`)).text;
    assert.equal(formOf(member, new RegExp(`action="/conversations/${g.id}/avatar"`)), undefined);
    const ok = await A.post(`/conversations/${g.id}/avatar`, [{ name: 'file', filename: 'g.png', type: 'image/png', data: png(32, 32) }]);
    assert.equal(ok.status, 303, `${ok.status} ${ok.text.slice(0, 300)}`);
    assert.equal(locationPath(ok), `/conversations/${g.id}/settings?done=avatar`);
    assert.match((await A.get(`/conversations/${g.id}/settings?done=avatar`)).text, /The picture was changed\./);
  });
});
