// Where a form lands after acting on a message without JavaScript (react, edit, delete):
// back at the message's anchor on the conversation's newest page when the message is on
// it, so the page keeps growing live; only a message further back lands on the page around
// it (?around=), the one page that shows it.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { register, createGroup, send, browserOf } from './lib.mjs';

let alice, bob, conv, first, last;

before(async () => {
  [alice, bob] = await Promise.all([register(), register()]);
  conv = await createGroup(alice, [bob], { title: 'Landing' });
  first = (await send(alice, conv.id, 'the first, far back')).seq;
  for (let i = 0; i < 55; i++) last = (await send(bob, conv.id, `message ${i}`)).seq;
  last = (await send(alice, conv.id, 'the newest, mine')).seq;
});

/** The Location of a 303 as path + hash. */
function landing(r) {
  assert.equal(r.status, 303, `expected a redirect, got ${r.status} ${r.text}`);
  return r.headers.get('location').replace(/^https?:\/\/[^/]+/, '');
}

describe('forms on messages land where the person was', () => {
  it('a reaction to a recent message lands at its anchor on the newest page', async () => {
    const b = await browserOf(alice);
    const r = await b.postForm(`/conversations/${conv.id}/messages/${last - 3}/reactions`, { emoji: '👍' });
    assert.equal(landing(r), `/conversations/${conv.id}#m${last - 3}`);
  });

  it('an edit and a delete of a recent message land at its anchor too', async () => {
    const b = await browserOf(alice);
    const edited = await b.postForm(`/conversations/${conv.id}/messages/${last}/edit`, { body: 'the newest, edited' });
    assert.equal(landing(edited), `/conversations/${conv.id}#m${last}`);
    const deleted = await b.postForm(`/conversations/${conv.id}/messages/${last}/delete`, {});
    assert.equal(landing(deleted), `/conversations/${conv.id}#m${last}`);
  });

  it('a reaction to a message older than the newest page lands on the page around it', async () => {
    const b = await browserOf(bob);
    const r = await b.postForm(`/conversations/${conv.id}/messages/${first}/reactions`, { emoji: '🎉' });
    assert.equal(landing(r), `/conversations/${conv.id}?around=${first}#m${first}`);
    const page = await b.get(landing(r));
    assert.match(page.text, new RegExp(`id="m${first}"`));
  });
});
