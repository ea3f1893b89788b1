// Browser test of previews of encrypted photos (static/js/e2e-thumb.js): Ada attaches an
// 800×600 JPEG carrying EXIF to an end-to-end encrypted message; her page makes a preview of
// at most 320 px before encrypting, and it travels inside the encrypted message. Ben's page
// shows the preview (blurred, in the photo's box) while the photo's download is held back,
// then the photo itself in the same box once it is let through. Afterwards neither
// PostgreSQL (pg_dump --data-only) nor any file under the stack's media directory holds the
// preview's bytes (raw, hex or base64), the photo's, its EXIF text or the message's text:
// the byte-for-byte search of tests/browser/e2e.test.mjs, with the preview added.
//
// Environment: PARLEY_URL, CHROMIUM, PARLEY_DB and PARLEY_VAR (or VAR) as for e2e.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { visible, waitFor, LIVE_MS } from './lib.mjs';
import { e2eBrowser, createEncrypted, openEncrypted, filesUnder } from './e2e-lib.mjs';

const { problems, person } = e2eBrowser(94, 'p');

/** An 800×600 JPEG drawn in the page, with an EXIF segment holding `exifText` after SOI. */
async function photoWithExif(page, exifText) {
  const bytes = await page.evaluate(async () => {
    const c = Object.assign(document.createElement('canvas'), { width: 800, height: 600 });
    const g = c.getContext('2d');
    const grad = g.createLinearGradient(0, 0, 800, 600);
    grad.addColorStop(0, '#2a6'); grad.addColorStop(1, '#a26');
    g.fillStyle = grad;
    g.fillRect(0, 0, 800, 600);
    for (let i = 0; i < 200; i++) {
      g.fillStyle = `hsl(${(i * 37) % 360} 70% ${30 + (i % 40)}%)`;
      g.fillRect((i * 97) % 780, (i * 61) % 580, 10 + (i % 50), 10 + ((i * 7) % 50));
    }
    const blob = await new Promise((resolve) => c.toBlob(resolve, 'image/jpeg', 0.9));
    return [...new Uint8Array(await blob.arrayBuffer())];
  });
  const jpeg = Buffer.from(bytes);
  // APP1 "Exif\0\0" with a big-endian TIFF header, an empty IFD and the text after it.
  const tiff = Buffer.concat([Buffer.from('MM\0*\0\0\0\x08\0\0\0\0\0\0', 'binary'), Buffer.from(exifText)]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

test('an encrypted photo: the preview (≤ 320 px) first, the photo after, and the server never sees either', async () => {
  const tag = randomBytes(6).toString('hex');
  const text = `a photo ${tag}`, exifText = `GPS here ${tag}`, name = `beach-${tag}.jpg`;
  const ada = await person('Ada Pixel'), ben = await person('Ben Pixel');
  const id = await createEncrypted(ada.page, 'direct', { Username: ben.username });
  await openEncrypted(ada.page, id);
  await openEncrypted(ben.page, id);
  const photo = await photoWithExif(ada.page, exifText);
  assert.ok(photo.includes(Buffer.from(exifText)), 'the photo carries the EXIF text');

  // Ben's downloads of media are held until the preview has been looked at.
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  let held = 0;
  await ben.page.route(/\/api\/v1\/media\/\d+$/, async (route) => { held += 1; await gate; await route.continue(); });

  await ada.page.locator('#e2e-file').setInputFiles({ name, mimeType: 'image/jpeg', buffer: photo });
  await ada.page.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
  await ada.page.getByRole('button', { name: 'Send', exact: true }).click();
  await waitFor('Ada sees her message', async () => (await ada.page.locator('.msg-decrypted', { hasText: text }).count()) > 0, LIVE_MS * 2);

  const preview = ben.page.locator('img.e2e-att-preview');
  await waitFor('Ben sees the preview', async () => (await preview.count()) === 1, LIVE_MS * 2);
  await visible(preview);
  // The preview's bytes as Ben's browser got them: the message's plaintext it keeps (a blob:
  // URL cannot be fetched under the page's CSP).
  const p = await preview.evaluate(async (img, convId) => {
    await img.decode();
    const { openStore, unb64 } = await import('/static/js/e2e-store.js');
    const seq = img.closest('li[id^="m"]').id.slice(1);
    const kept = await (await openStore()).get(`plain:${document.body.dataset.me}:${convId}:${seq}`);
    const box = img.getBoundingClientRect();
    return { nw: img.naturalWidth, nh: img.naturalHeight, w: box.width, h: box.height, bytes: [...unb64(kept.files[0].thumb)],
      mime: kept.files[0].thumb_mime, size: [kept.files[0].width, kept.files[0].height],
      blurred: getComputedStyle(img).filter.includes('blur') };
  }, id);
  assert.deepEqual(p.size, [800, 600], 'the photo\'s size travels with the preview');
  assert.ok(p.nw > 0 && p.nw <= 320 && p.nh > 0 && p.nh <= 320, `preview ${p.nw}×${p.nh}`);
  assert.equal(p.nw, 320, 'the longest side is 320 px');
  assert.equal(p.nh, 240);
  assert.ok(p.blurred, 'the preview is blurred');
  assert.ok(Math.abs(p.w / p.h - 4 / 3) < 0.02, `the box has the photo's proportions (${p.w}×${p.h})`);
  assert.equal(await ben.page.locator('img.e2e-att-full').count(), 0, 'the photo is not shown yet');
  const thumb = Buffer.from(p.bytes);
  assert.ok(thumb.length > 200 && thumb.length <= 40 * 1024, `preview of ${thumb.length} bytes`);
  assert.ok(thumb.subarray(0, 4).toString('binary') === 'RIFF' || (thumb[0] === 0xff && thumb[1] === 0xd8), 'WebP or JPEG');
  assert.equal(thumb.indexOf(Buffer.from(exifText)), -1, 'no EXIF in the preview');
  assert.equal(thumb.indexOf(Buffer.from('Exif\0\0', 'binary')), -1, 'no EXIF segment in the preview');
  await waitFor('the photo\'s download was asked for (the card is in view)', async () => held > 0);

  // Let the download through: the photo takes the preview's place, in the same box.
  release();
  const full = ben.page.locator('img.e2e-att-full');
  await waitFor('Ben sees the photo', async () => (await full.count()) === 1, LIVE_MS * 2);
  const f = await full.evaluate(async (img) => {
    await img.decode();
    const box = img.getBoundingClientRect();
    return { nw: img.naturalWidth, nh: img.naturalHeight, w: box.width, h: box.height };
  });
  assert.deepEqual([f.nw, f.nh], [800, 600], 'the full photo');
  assert.ok(Math.abs(f.w - p.w) < 1 && Math.abs(f.h - p.h) < 1, `the box did not change (${p.w}×${p.h} → ${f.w}×${f.h})`);
  assert.equal(await preview.count(), 0);
  await visible(ben.page.locator('.e2e-att-link', { hasText: name }));
  // The sender's own page shows it too (from what her browser kept).
  await waitFor('Ada sees her photo', async () => (await ada.page.locator('img.e2e-att-full').count()) === 1, LIVE_MS * 2);
  assert.deepEqual(problems, [], 'no script errors, CSP violations or dialogs');

  // Byte for byte: the preview (in every way a server might write bytes), the photo, the
  // EXIF text, the name and the text are in no table and no stored file.
  const varDir = process.env.PARLEY_VAR || process.env.VAR;
  assert.ok(process.env.PARLEY_DB && varDir, 'PARLEY_DB and PARLEY_VAR (or VAR) name the stack to search');
  const mid = thumb.subarray(thumb.length >> 1, (thumb.length >> 1) + 48);
  const needles = [
    ['the preview', thumb], ['the preview in hex', Buffer.from(thumb.toString('hex'))],
    ['the preview in base64', Buffer.from(thumb.toString('base64').replace(/=+$/, ''))],
    ['the preview in base64url', Buffer.from(thumb.toString('base64url'))],
    ['48 bytes of the preview', mid], ['48 bytes of the preview in hex', Buffer.from(mid.toString('hex'))],
    ['the photo', photo], ['the EXIF text', Buffer.from(exifText)], ['the name', Buffer.from(name)], ['the text', Buffer.from(text)],
  ];
  const dump = execFileSync('pg_dump', ['--data-only', process.env.PARLEY_DB], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  assert.ok(dump.indexOf(Buffer.from(ada.username)) >= 0, 'the dump is of this stack');
  for (const [what, bytes] of needles) assert.equal(dump.indexOf(bytes), -1, `the database holds ${what}`);
  for (const file of filesUnder(join(varDir, 'media'))) {
    const bytes = readFileSync(file);
    for (const [what, needle] of needles) assert.equal(bytes.indexOf(needle), -1, `${file} holds ${what}`);
  }
});
