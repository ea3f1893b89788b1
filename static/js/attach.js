// attach.js — files in the composer. The form's own <input type="file" name="file"> (which
// sends files with the text when there is no script) becomes an attach button; files also
// come by drag and drop onto the conversation and by pasting images into the message box,
// and voice notes from voice.js. Each file uploads as soon as it is chosen (upload.js) and
// shows as a chip: a preview (an object URL for images), its name and size, a progress bar,
// and Cancel/Remove and Retry buttons. The composer (conversation-composer.js) sends the
// finished files' ids with the text and keeps Send disabled while any is still uploading;
// #attach-status says what is going on, politely, for screen readers.
//
// initAttachments(conv, form) → {ids(), busy(), failed(), count(), add(files), clear(ids),
// onChange(fn), status}; null when the form has no file input.

import { uploadFile } from './upload.js';
import { initVoice } from './voice.js';

export const MAX_FILES = 10;

/** "850 B", "1.4 KB", "230 KB", "12 MB": as partials/attachments.cs writes sizes. */
export function humanSize(n) {
  const unit = (div, name) => {
    const v = n / div;
    return `${v < 10 ? Math.floor(v * 10) / 10 : Math.floor(v)} ${name}`;
  };
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return unit(1e3, 'KB');
  if (n < 1e9) return unit(1e6, 'MB');
  return unit(1e9, 'GB');
}

const ICON = '<svg class="icon" aria-hidden="true" viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">';
const FILE_ICON = `${ICON}<path d="M14 3.5H7a2 2 0 0 0-2 2v13a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8.5Z"/><path d="M14 3.5v5h5"/></svg>`;
const CLIP_ICON = `${ICON}<path d="m20 11.5-7.6 7.6a5 5 0 0 1-7.1-7.1l8.1-8.1a3.3 3.3 0 0 1 4.7 4.7l-8.1 8.1a1.7 1.7 0 0 1-2.4-2.4l7.4-7.4"/></svg>`;

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text != null) e.textContent = text;
  return e;
}

export function initAttachments(conv, form) {
  const input = form.querySelector('input[type="file"][name="file"]');
  if (!input) return null;
  const textarea = form.querySelector('textarea[name="body"]');
  const row = form.querySelector('.composer-row');

  // The no-script input stays in the form (hidden) and opens from the attach button.
  const wrapper = input.closest('.composer-files') || input;
  wrapper.hidden = true;
  input.tabIndex = -1;
  const button = el('button', 'composer-tool composer-attach');
  button.type = 'button';
  button.title = 'Attach files';
  button.innerHTML = CLIP_ICON;
  button.append(el('span', 'visually-hidden', 'Attach files'));
  row.prepend(button);
  button.addEventListener('click', () => input.click());

  const list = el('ul', 'attach-list');
  list.setAttribute('aria-label', 'Files to send');
  list.hidden = true;
  const status = el('p', 'attach-status');
  status.id = 'attach-status';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  row.before(list);
  row.after(status);

  const items = []; // {file, chip, bar, note, retry, remove, url, media, abort, state: "uploading"|"done"|"failed"}
  const listeners = new Set();
  let notice = ''; // files left out of the last add, said until the next one

  function changed() {
    list.hidden = items.length === 0;
    const uploading = items.filter((it) => it.state === 'uploading').length;
    const failed = items.filter((it) => it.state === 'failed').length;
    const done = items.filter((it) => it.state === 'done').length;
    let text = '';
    if (uploading) text = `Uploading ${uploading} ${uploading === 1 ? 'file' : 'files'}… Send waits until ${uploading === 1 ? 'it is' : 'they are'} done.`;
    else if (failed) text = `${failed === 1 ? 'A file' : `${failed} files`} could not be uploaded: press Retry, or remove ${failed === 1 ? 'it' : 'them'}.`;
    else if (done) text = `${done} ${done === 1 ? 'file' : 'files'} ready to send.`;
    text = [notice, text].filter(Boolean).join(' ');
    if (status.textContent !== text) status.textContent = text;
    for (const fn of listeners) fn();
  }

  function setProgress(it, sent, total) {
    const pct = total ? Math.floor((sent * 100) / total) : 0;
    it.bar.value = pct;
    it.bar.textContent = `${pct}%`;
    it.note.textContent = `${pct}%`;
  }

  function start(it) {
    const ctl = new AbortController();
    it.abort = () => ctl.abort();
    it.state = 'uploading';
    it.chip.dataset.state = 'uploading';
    it.bar.hidden = false;
    it.retry.hidden = true;
    it.remove.querySelector('.visually-hidden').textContent = `Cancel ${it.file.name}`;
    it.remove.title = 'Cancel';
    setProgress(it, 0, it.file.size);
    changed();
    uploadFile(it.file, { signal: ctl.signal, onProgress: (s, t) => setProgress(it, s, t) }).then(
      (media) => {
        it.media = media;
        it.state = 'done';
        it.chip.dataset.state = 'done';
        it.chip.dataset.mediaId = media.id;
        it.bar.value = 100;
        it.bar.hidden = true;
        it.note.textContent = 'Uploaded';
        it.remove.querySelector('.visually-hidden').textContent = `Remove ${it.file.name}`;
        it.remove.title = 'Remove';
        changed();
      },
      (err) => {
        if (err.aborted) return; // removed by the person: the chip is gone already
        it.state = 'failed';
        it.chip.dataset.state = 'failed';
        it.bar.hidden = true;
        it.note.textContent = err.message;
        it.retry.hidden = false;
        it.remove.querySelector('.visually-hidden').textContent = `Remove ${it.file.name}`;
        changed();
      },
    );
  }

  function drop(it) {
    if (it.state === 'uploading' && it.abort) it.abort();
    if (it.url) URL.revokeObjectURL(it.url);
    it.chip.remove();
    items.splice(items.indexOf(it), 1);
    changed();
    (items.length ? list.querySelector('.attach-remove') : textarea || button).focus();
  }

  function chip(file) {
    const it = { file, state: 'uploading', media: null };
    const li = el('li', 'attach-chip');
    const thumb = el('span', 'attach-preview');
    if (/^image\/(png|jpeg|gif|webp)$/.test(file.type)) {
      it.url = URL.createObjectURL(file);
      const img = el('img');
      img.src = it.url;
      img.alt = '';
      thumb.append(img);
    } else {
      thumb.innerHTML = FILE_ICON;
    }
    const text = el('span', 'attach-text');
    const name = el('span', 'attach-name');
    name.append(el('bdi', null, file.name));
    const meta = el('span', 'attach-meta', humanSize(file.size));
    it.note = el('span', 'attach-note');
    meta.append(' · ', it.note);
    it.bar = el('progress', 'attach-bar');
    it.bar.max = 100;
    it.bar.value = 0;
    it.bar.setAttribute('aria-label', `Uploading ${file.name}`);
    text.append(name, meta, it.bar);
    it.retry = el('button', 'btn btn-secondary btn-sm attach-retry', 'Retry');
    it.retry.type = 'button';
    it.retry.hidden = true;
    it.retry.append(el('span', 'visually-hidden', ` ${file.name}`));
    it.retry.addEventListener('click', () => {
      start(it);
      it.remove.focus();
    });
    it.remove = el('button', 'attach-remove');
    it.remove.type = 'button';
    it.remove.innerHTML = '<svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="m5 5 10 10M15 5 5 15"/></svg>';
    it.remove.append(el('span', 'visually-hidden', `Cancel ${file.name}`));
    it.remove.addEventListener('click', () => drop(it));
    li.append(thumb, text, it.retry, it.remove);
    it.chip = li;
    return it;
  }

  /** Adds files (a FileList or array); refuses those over MAX_FILES with a message. */
  function add(files) {
    const take = [...files].filter((f) => f && f.size >= 0);
    const room = Math.max(MAX_FILES - items.length, 0);
    notice = take.length > room ? `At most ${MAX_FILES} files can go in one message: ${take.length - room} left out.` : '';
    if (!take.length || !room) changed();
    for (const file of take.slice(0, room)) {
      const it = chip(file);
      items.push(it);
      list.append(it.chip);
      start(it);
    }
  }

  input.addEventListener('change', () => {
    add(input.files);
    input.value = ''; // sent by script, never again with the form; the same file may come again
  });

  // Pasting images (a screenshot) into the message box attaches them.
  if (textarea) {
    textarea.addEventListener('paste', (ev) => {
      const files = ev.clipboardData ? [...ev.clipboardData.files] : [];
      if (!files.length) return;
      ev.preventDefault();
      add(files);
    });
  }

  // Dropping files anywhere on the conversation attaches them.
  const zone = conv.chat;
  let depth = 0;
  const hasFiles = (ev) => ev.dataTransfer && [...ev.dataTransfer.types].includes('Files');
  zone.addEventListener('dragenter', (ev) => {
    if (!hasFiles(ev)) return;
    depth += 1;
    zone.classList.add('is-dropping');
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) zone.classList.remove('is-dropping');
  });
  zone.addEventListener('dragover', (ev) => {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('drop', (ev) => {
    depth = 0;
    zone.classList.remove('is-dropping');
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    add(ev.dataTransfer.files);
    if (textarea) textarea.focus();
  });

  const api = {
    status,
    add,
    ids: () => items.filter((it) => it.state === 'done').map((it) => it.media.id),
    busy: () => items.some((it) => it.state === 'uploading'),
    failed: () => items.some((it) => it.state === 'failed'),
    count: () => items.length,
    /** After a send: the chips of the files sent (`ids`) go; they are in the message now. */
    clear(ids) {
      for (const it of [...items]) {
        if (it.state !== 'done' || !ids.includes(it.media.id)) continue;
        if (it.url) URL.revokeObjectURL(it.url);
        it.chip.remove();
        items.splice(items.indexOf(it), 1);
      }
      changed();
    },
    onChange(fn) {
      listeners.add(fn);
    },
  };
  initVoice(row, button, (file) => add([file]));
  return api;
}
