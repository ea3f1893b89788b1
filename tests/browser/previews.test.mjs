// Link previews on the page: a preview appears under a message live, when the worker has it
// (the message.preview event), with its image served from Parley, without a reload and
// without the browser asking the linked site for anything; the sender removes it in place. The stack's workers are stopped: a
// worker of our own runs with PARLEY_OUTBOUND_ALLOW naming this file's page server.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn, execFileSync } from 'node:child_process';
import { ipSource, useBrowser, pageSource, problemWatcher, waitFor, waitLive, composer, message, LIVE_MS } from './lib.mjs';
import { apiPerson, send, group } from './api.mjs';
import { png } from '../support/media-files.mjs';
import { axeErrors } from './a11y.mjs';

const fakeIp = ipSource(73);
const newContext = useBrowser();
const problems = [];
const newPage = pageSource(newContext, fakeIp, problemWatcher(problems));
const WIDE = { viewport: { width: 1280, height: 900 } };
const BIN = process.env.BIN;

let server;
let port;
let worker;
let workerLog = '';
const hits = [];

/** deploy/local/stack.sh on the test stack (its workers stopped and started again). */
function stack(...args) {
  const root = new URL('../..', import.meta.url).pathname;
  execFileSync(`${root}/deploy/local/stack.sh`, args, {
    env: { ...process.env, VAR: process.env.PARLEY_VAR, BIN }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000,
  });
}

describe('link previews in the browser', () => {
  before(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url);
      if (req.url === '/pic.png') {
        res.writeHead(200, { 'Content-Type': 'image/png' });
        res.end(png(640, 320, { gradient: true }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><head><meta property="og:title" content="Preview in the page">' +
        '<meta property="og:description" content="Fetched by the worker, not by you.">' +
        '<meta property="og:image" content="/pic.png"></head></html>');
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    port = server.address().port;
    stack('worker', 'stop');
    worker = spawn(`${BIN}/parley-worker`, [], {
      env: { ...process.env, PARLEY_OUTBOUND_ALLOW: `127.0.0.1:${port}`, PARLEY_WORKER_THREADS: '2', PARLEY_JOB_POLL: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    worker.stderr.on('data', (d) => { workerLog += d; });
    await waitFor('the worker to start', async () => /parley-worker \S+ running/.test(workerLog), 20000);
  });

  after(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.on('exit', r));
    }
    stack('worker', 'start');
    await new Promise((r) => server.close(r));
  });

  test('a preview arrives live under the message; the sender removes it in place', async () => {
    const alice = await apiPerson(newPage, 'Alice Previews', { context: WIDE, prefix: 'v' });
    const bob = await apiPerson(newPage, 'Bob Links', { prefix: 'v' });
    const g = await group(alice, 'Links', [bob]);
    const page = alice.page;
    await page.goto(`/conversations/${g}`);
    await waitLive(page);
    await page.evaluate(() => { window.previewMarker = 1; });
    await composer(page).pressSequentially('a draft');

    // Bob's link: the preview shows up live; the browser never asked the linked site.
    const link = `http://127.0.0.1:${port}/bob`;
    await send(bob, g, `read ${link}`);
    const bobs = message(page, `read ${link}`);
    await bobs.waitFor({ timeout: LIVE_MS });
    await waitFor('the preview', async () => (await bobs.locator('.link-preview').count()) === 1, 20000);
    const preview = bobs.locator('.link-preview');
    assert.equal((await preview.getByRole('link').innerText()).trim(), 'Preview in the page');
    assert.match(await preview.innerText(), /Fetched by the worker, not by you\./);
    assert.equal(await preview.getByRole('button', { name: 'Remove preview' }).count(), 0, 'not the sender');
    // Its image: the thumbnail from our origin, at its size, loaded.
    const img = preview.locator('img.link-preview-image');
    assert.equal(await img.getAttribute('width'), '320');
    assert.equal(await img.getAttribute('height'), '160');
    assert.match(await img.getAttribute('src'), new RegExp(`^/conversations/${g}/messages/\\d+/preview/image$`));
    await waitFor('the image loaded', async () => img.evaluate((el) => el.complete && el.naturalWidth === 320));
    assert.deepEqual(hits, ['/bob', '/pic.png'], 'the page and its image, fetched once each, by the worker');
    assert.deepEqual(await axeErrors(page, 'a link preview'), []);

    // Alice's own link: she removes its preview without a reload; the draft stays.
    const mine = `http://127.0.0.1:${port}/alice`;
    await send(alice, g, `mine ${mine}`);
    const own = message(page, `mine ${mine}`);
    await waitFor('my preview', async () => (await own.locator('.link-preview').count()) === 1, 20000);
    await own.getByRole('button', { name: 'Remove preview' }).click();
    await waitFor('the preview removed', async () => (await message(page, `mine ${mine}`).locator('.link-preview').count()) === 0);
    assert.equal(await composer(page).inputValue(), 'a draft');
    assert.equal(await page.evaluate(() => window.previewMarker), 1, 'no reload');
    assert.deepEqual(problems, []);
  });
});
