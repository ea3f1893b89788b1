// media-view.js — photos of the conversation opened full size. A click on a thumbnail
// (a.att-thumb[data-view], partials/attachments.cs) opens a modal <dialog> with the large
// image (data-view: the 1280 px thumbnail, or the original while there is none), its name,
// "3 of 7", Previous and Next across the photos shown on the page, and a link to the
// original. Arrow keys go back and forth, Escape closes; the rest of the page is inert while
// it is open, Tab stays inside, and focus returns to the thumbnail that opened it. A click
// with a modifier key (a new tab) and the page without scripts just follow the link.

const PHOTOS = 'a.att-thumb[data-view]';

function button(className, label, path) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.innerHTML = `<svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="22" height="22"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" d="${path}"/></svg>`;
  const text = document.createElement('span');
  text.className = 'visually-hidden';
  text.textContent = label;
  b.append(text);
  b.title = label;
  return b;
}

/** Makes the photos inside `root` (the conversation's .chat-log) open in the viewer. */
export function initViewer(root) {
  let dialog = null;
  let parts = null;
  let photos = [];
  let index = 0;
  let opener = null;

  function build() {
    dialog = document.createElement('dialog');
    dialog.className = 'viewer';
    dialog.setAttribute('aria-labelledby', 'viewer-name');
    const bar = document.createElement('div');
    bar.className = 'viewer-bar';
    const caption = document.createElement('p');
    caption.className = 'viewer-caption';
    const name = document.createElement('bdi');
    name.id = 'viewer-name';
    name.className = 'viewer-name';
    const count = document.createElement('span');
    count.className = 'viewer-count';
    caption.append(name, ' ', count);
    const original = document.createElement('a');
    original.className = 'btn btn-secondary btn-sm viewer-original';
    original.textContent = 'Open original';
    original.target = '_blank';
    original.rel = 'noopener';
    const close = button('viewer-close', 'Close', 'm5 5 10 10M15 5 5 15');
    bar.append(caption, original, close);
    const stage = document.createElement('div');
    stage.className = 'viewer-stage';
    const prev = button('viewer-nav viewer-prev', 'Previous photo', 'M12.5 4.5 7 10l5.5 5.5');
    const next = button('viewer-nav viewer-next', 'Next photo', 'M7.5 4.5 13 10l-5.5 5.5');
    const img = document.createElement('img');
    img.className = 'viewer-img';
    img.decoding = 'async';
    stage.append(prev, img, next);
    dialog.append(bar, stage);
    document.body.append(dialog);
    parts = { name, count, original, close, prev, next, img, stage };

    close.addEventListener('click', () => dialog.close());
    prev.addEventListener('click', () => show(index - 1));
    next.addEventListener('click', () => show(index + 1));
    img.addEventListener('load', () => dialog.classList.remove('is-loading'));
    img.addEventListener('error', () => dialog.classList.remove('is-loading'));
    // A click on the dark backdrop (the stage around the photo) closes it.
    stage.addEventListener('click', (ev) => {
      if (ev.target === stage) dialog.close();
    });
    dialog.addEventListener('keydown', (ev) => {
      if (ev.key === 'ArrowLeft') show(index - 1);
      else if (ev.key === 'ArrowRight') show(index + 1);
      else if (ev.key === 'Tab') trapTab(ev);
      else return;
      ev.preventDefault();
    });
    dialog.addEventListener('close', () => {
      parts.img.removeAttribute('src');
      if (opener && opener.isConnected) opener.focus();
      else if (opener) {
        // The message was re-rendered meanwhile: focus the same photo's new link.
        const again = root.querySelector(`${PHOTOS}[href="${CSS.escape(opener.getAttribute('href'))}"]`);
        if (again) again.focus();
      }
      opener = null;
    });
  }

  /** Tab and Shift+Tab go round the viewer's own controls. */
  function trapTab(ev) {
    const stops = [parts.original, parts.close, parts.prev, parts.next].filter((b) => !b.disabled && !b.hidden);
    const at = stops.indexOf(document.activeElement);
    const to = ev.shiftKey ? (at <= 0 ? stops.length - 1 : at - 1) : (at + 1) % stops.length;
    stops[to].focus();
  }

  function show(i) {
    if (i < 0 || i >= photos.length) return;
    index = i;
    const a = photos[i];
    const name = a.dataset.name || a.querySelector('img')?.alt || 'Photo';
    dialog.classList.add('is-loading');
    parts.img.alt = name;
    parts.img.src = a.dataset.view;
    if (parts.img.complete && parts.img.naturalWidth) dialog.classList.remove('is-loading'); // cached
    parts.name.textContent = name;
    parts.count.textContent = photos.length > 1 ? `${i + 1} of ${photos.length}` : '';
    parts.original.href = a.getAttribute('href');
    parts.prev.disabled = i === 0;
    parts.next.disabled = i === photos.length - 1;
    parts.prev.hidden = parts.next.hidden = photos.length < 2;
    if (document.activeElement && document.activeElement.disabled) parts.close.focus();
  }

  function open(link) {
    if (!dialog) build();
    photos = [...root.querySelectorAll(PHOTOS)];
    opener = link;
    dialog.showModal();
    show(Math.max(0, photos.indexOf(link)));
    parts.close.focus();
  }

  root.addEventListener('click', (ev) => {
    const link = ev.target.closest(PHOTOS);
    if (!link || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    open(link);
  });
}
