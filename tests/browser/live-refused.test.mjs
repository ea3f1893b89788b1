// A server without an event stream (the small-site mode answers SSE 501, docs/API.md) must
// not leave the page without live updates: static/js/live.js falls back to long-polling when
// the stream is refused before it opens. Here the browser's SSE requests are answered 501 as
// a small site would; long-polls reach the stack as they are.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ipSource, uname, useBrowser, problemWatcher, waitLive, message, register, messageFromProfile, composer } from './lib.mjs';

const fakeIp = ipSource(83);
const problems = [];
const watch = problemWatcher(problems);
const openContext = useBrowser();

describe('live pages without an event stream', () => {
  test('an SSE request refused with 501 gives long-polling, and messages arrive live', async () => {
    const actx = await openContext(fakeIp(), watch);
    const bctx = await openContext(fakeIp(), watch);
    let refused = 0;
    await bctx.route('**/api/v1/events*', async (route) => {
      if (!(route.request().headers().accept || '').includes('text/event-stream')) return route.continue();
      refused += 1;
      return route.fulfill({
        status: 501, contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'not_implemented', message: 'This server has no event stream; long-poll GET /api/v1/events?cursor=<id> instead.' } }),
      });
    });
    const a = await actx.newPage();
    const b = await bctx.newPage();
    const bName = uname('rb');
    await register(a, { username: uname('ra'), displayName: 'Ann Refused' });
    await register(b, { username: bName, displayName: 'Ben Refused' });
    const id = await messageFromProfile(a, bName);
    await b.goto(`/conversations/${id}`);
    await b.locator('html[data-live-transport="poll"]').waitFor({ state: 'attached', timeout: 15_000 });
    await waitLive(b);
    assert.ok(refused >= 1, 'the page asked for a stream first');
    await waitLive(a);
    const body = `Refused stream ${randomBytes(3).toString('hex')}`;
    await composer(a).fill(body);
    await composer(a).press('Enter');
    await message(b, body).waitFor({ timeout: 15_000 });
    assert.equal(await message(b, body).count(), 1);
    assert.deepEqual(problems, []);
  });
});
