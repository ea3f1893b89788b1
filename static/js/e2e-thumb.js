// e2e-thumb.js — previews of encrypted images. Before a photo is encrypted, the sender's page
// draws it on a canvas at most 320 px on its longest side and encodes that as WebP (JPEG if
// the browser cannot) of about 20 KB: a fresh encoding from pixels, so no EXIF or other
// metadata of the original goes with it. The preview and the photo's width and height travel
// inside the encrypted message (e2e-client.js), never as a file the server could read.
// A reader's page shows the preview at once, blurred, in a box of the photo's proportions
// (the list does not jump), and fetches, checks and decrypts the full photo when it scrolls
// into view or is clicked; then the photo takes the preview's place.

export const THUMB_SIDE = 320;
const THUMB_BYTES = 20 * 1024;
const IMAGE = /^image\/(png|jpeg|gif|webp)$/;

async function encode(canvas, type, quality) {
  if (canvas.convertToBlob) return canvas.convertToBlob({ type, quality });
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

/**
 * The preview of an image file: {bytes, mime, width, height} (width and height the
 * original's, as shown upright), or null for anything that is not a photo the page can draw.
 */
export async function makeThumb(file) {
  if (!IMAGE.test(file.type || '')) return null;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return null;                                   // not decodable here: sent without a preview
  }
  const { width, height } = bitmap;
  if (!width || !height) return null;
  const scale = Math.min(1, THUMB_SIDE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale)), h = Math.max(1, Math.round(height * scale));
  const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(w, h) : Object.assign(document.createElement('canvas'), { width: w, height: h });
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff';                            // transparency becomes white (JPEG has none)
  g.fillRect(0, 0, w, h);
  g.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  let blob = null;
  for (const type of ['image/webp', 'image/jpeg']) {
    for (const q of [0.8, 0.65, 0.5, 0.35, 0.2]) {
      blob = await encode(canvas, type, q);
      if (!blob || blob.type !== type) break;      // this type is not offered: try the next
      if (blob.size <= THUMB_BYTES) break;
    }
    if (blob && blob.type === type) break;
  }
  if (!blob || !/^image\/(webp|jpeg)$/.test(blob.type) || blob.size > THUMB_BYTES * 2) return null;
  return { bytes: new Uint8Array(await blob.arrayBuffer()), mime: blob.type, width, height };
}

/**
 * Is f (a file of a decrypted message) a photo with a usable preview? The preview's fields
 * are the sender's words: checked here, and its bytes only ever shown as an image.
 */
export function hasThumb(f) {
  return IMAGE.test(f.mime || '') && typeof f.thumb === 'string' && /^image\/(webp|jpeg)$/.test(f.thumb_mime || '')
    && Number.isInteger(f.width) && Number.isInteger(f.height) && f.width > 0 && f.height > 0
    && f.width <= 100000 && f.height <= 100000;
}

const watching = new WeakMap();
let observer = null;
function whenSeen(el, fn) {
  if (!('IntersectionObserver' in window)) { fn(); return; }
  if (!observer) {
    observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        observer.unobserve(e.target);
        const go = watching.get(e.target);
        watching.delete(e.target);
        if (go) go();
      }
    }, { rootMargin: '200px 0px' });
  }
  watching.set(el, fn);
  observer.observe(el);
}

/**
 * Draws f's preview in card (blurred, sized like the photo) and calls load() for the full
 * photo's bytes when the card nears the view or the preview is clicked; then shows the photo
 * and its download link (from links(url, bytes)). thumb is the preview's bytes.
 */
export function showPreview(card, f, thumb, load, links) {
  const url = URL.createObjectURL(new Blob([thumb], { type: f.thumb_mime }));
  // The box the photo will fill, at most 320 px a side: the preview fills it first.
  const fit = Math.min(1, THUMB_SIDE / f.width, THUMB_SIDE / f.height);
  const w = Math.max(1, Math.round(f.width * fit)), h = Math.max(1, Math.round(f.height * fit));
  card.textContent = '';
  // The preview itself is the button (a <button> around it would size it differently).
  const img = document.createElement('img');
  img.src = url;
  img.alt = `${f.name} (preview; press to show the photo)`;
  img.width = w;
  img.height = h;
  img.className = 'e2e-att-img e2e-att-preview';
  img.tabIndex = 0;
  img.setAttribute('role', 'button');
  const status = document.createElement('span');
  status.className = 'att-meta';
  status.textContent = ` ${f.name} · preview`;
  card.append(img, status);
  let started = false;
  const full = () => {
    if (started) return;
    started = true;
    status.textContent = ` ${f.name} · decrypting…`;
    load().then((bytes) => {
      const fullUrl = URL.createObjectURL(new Blob([bytes], { type: f.mime }));
      const photo = document.createElement('img');
      photo.className = 'e2e-att-img e2e-att-full';
      photo.alt = f.name;
      photo.width = w;
      photo.height = h;
      photo.src = fullUrl;
      const shown = () => { card.textContent = ''; card.append(photo, ...links(fullUrl, bytes)); URL.revokeObjectURL(url); };
      if (photo.decode) photo.decode().then(shown, shown); else shown();
    }).catch((err) => { status.textContent = ` Could not decrypt ${f.name}: ${err.message}`; started = false; });
  };
  img.addEventListener('click', full);
  img.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); full(); } });
  whenSeen(card, full);
}
