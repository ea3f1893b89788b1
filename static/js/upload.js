// upload.js — sends one file to the server and resolves to its media ({"id","name","kind",…}).
//
// Small files go in one POST /api/v1/media?name=… (the raw file as the body) through
// XMLHttpRequest, for its upload progress. Files over TUS_OVER bytes use the server's tus 1.0
// endpoint (/api/v1/uploads): created once, then sent in PATCH chunks; when the connection
// drops, the client asks the server how far it got (HEAD) and goes on from there, with a
// growing pause between tries. The upload's address is remembered in localStorage under the
// file's name, size and date, so choosing the same file again after a reload resumes it too.
//
// uploadFile(file, {onProgress(sent, total), signal}) → Promise<media>; the promise rejects
// with an Error whose `aborted` is true when the signal cancelled it (a tus upload cancelled
// is terminated on the server, DELETE).

import { csrfToken } from './net.js';

export const TUS_OVER = 8 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;
const RETRIES = 8; // tries in a row without progress before giving up
const PAUSE_MS = [500, 1000, 2000, 4000, 8000, 15000];

/** The message of a failed JSON answer, or a plain one. */
function failure(xhr, what) {
  let text = null;
  try {
    const data = JSON.parse(xhr.responseText);
    text = data && data.error && data.error.message;
  } catch {
    /* not JSON */
  }
  const err = new Error(text || (xhr.status ? `${what} failed (HTTP ${xhr.status}).` : `${what} failed: no connection to the server.`));
  err.status = xhr.status;
  err.final = xhr.status >= 400 && xhr.status < 500 && xhr.status !== 409 && xhr.status !== 423;
  return err;
}

function aborted() {
  const err = new Error('Cancelled.');
  err.aborted = true;
  return err;
}

/**
 * One XMLHttpRequest: resolves to the xhr once it has a status below 300 (or the `ok` list),
 * rejects otherwise. `onSent(bytes)` follows the upload.
 */
function request(method, url, { headers = {}, body = null, signal, onSent, ok = [], what = 'The upload' } = {}) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) {
      reject(aborted());
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    if (!/^(GET|HEAD)$/.test(method)) xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    if (onSent && xhr.upload) xhr.upload.onprogress = (ev) => onSent(ev.loaded);
    const stop = () => xhr.abort();
    if (signal) signal.addEventListener('abort', stop, { once: true });
    const done = () => signal && signal.removeEventListener('abort', stop);
    xhr.onload = () => {
      done();
      if ((xhr.status >= 200 && xhr.status < 300) || ok.includes(xhr.status)) resolve(xhr);
      else reject(failure(xhr, what));
    };
    xhr.onerror = () => {
      done();
      reject(failure(xhr, what));
    };
    xhr.onabort = () => {
      done();
      reject(aborted());
    };
    xhr.send(body);
  });
}

function json(xhr) {
  try {
    return JSON.parse(xhr.responseText);
  } catch {
    return {};
  }
}

/** One POST with the whole file as the body. */
async function uploadSimple(file, { onProgress, signal }) {
  const type = file.type || 'application/octet-stream';
  const xhr = await request('POST', `/api/v1/media?name=${encodeURIComponent(file.name)}`, {
    headers: { 'Content-Type': type },
    body: file,
    signal,
    onSent: (n) => onProgress(Math.min(n, file.size), file.size),
  });
  const media = json(xhr).media;
  if (!media) throw new Error('The server did not describe the uploaded file.');
  return media;
}

// ---- tus ------------------------------------------------------------------------------------

const TUS = { 'Tus-Resumable': '1.0.0' };

function b64(s) {
  return btoa(String.fromCharCode(...new TextEncoder().encode(s)));
}

function fingerprint(file) {
  return `parley.tus.${file.name}.${file.size}.${file.lastModified}`;
}

function remembered(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function remember(key, value) {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    /* private mode: no resuming across reloads */
  }
}

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    if (signal) signal.addEventListener('abort', () => { clearTimeout(t); reject(aborted()); }, { once: true });
  });

/** Where the upload at `url` stands: its offset, or null when the server no longer knows it. */
async function offsetOf(url, signal) {
  try {
    const xhr = await request('HEAD', url, { headers: TUS, signal, what: 'Asking how far the upload got' });
    const n = Number(xhr.getResponseHeader('Upload-Offset'));
    return Number.isFinite(n) ? n : null;
  } catch (err) {
    if (err.aborted) throw err;
    if (err.status === 404 || err.status === 410) return null;
    throw err;
  }
}

async function uploadTus(file, { onProgress, signal }) {
  const key = fingerprint(file);
  let url = remembered(key);
  let offset = url ? await offsetOf(url, signal).catch((err) => { if (err.aborted) throw err; return null; }) : null;
  if (offset === null) {
    const meta = `filename ${b64(file.name)},filetype ${b64(file.type || 'application/octet-stream')}`;
    const xhr = await request('POST', '/api/v1/uploads', {
      headers: { ...TUS, 'Upload-Length': String(file.size), 'Upload-Metadata': meta },
      signal,
    });
    url = xhr.getResponseHeader('Location') || `/api/v1/uploads/${json(xhr).upload.id}`;
    remember(key, url);
    offset = 0;
  }
  const cancel = () => {
    // Abandoned: the server may drop what it has (termination); a finished one stays.
    request('DELETE', url, { headers: TUS }).catch(() => {});
    remember(key, null);
  };
  let failures = 0;
  try {
    while (offset < file.size) {
      onProgress(offset, file.size);
      const end = Math.min(offset + CHUNK, file.size);
      try {
        const from = offset;
        const xhr = await request('PATCH', url, {
          headers: { ...TUS, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(from) },
          body: file.slice(from, end),
          signal,
          onSent: (n) => onProgress(from + n, file.size),
        });
        offset = Number(xhr.getResponseHeader('Upload-Offset')) || end;
        failures = 0;
      } catch (err) {
        if (err.aborted || err.final) throw err;
        // A dropped connection or a busy server: wait, ask where it stands, go on from there.
        failures += 1;
        if (failures > RETRIES) throw err;
        await sleep(PAUSE_MS[Math.min(failures - 1, PAUSE_MS.length - 1)], signal);
        const at = await offsetOf(url, signal).catch((e) => { if (e.aborted) throw e; return offset; });
        if (at === null) throw new Error('The server forgot this upload; remove the file and add it again.');
        offset = at;
      }
    }
  } catch (err) {
    if (err.aborted) cancel();
    throw err;
  }
  onProgress(file.size, file.size);
  const done = json(await request('GET', url, { headers: TUS, signal, what: 'Finishing the upload' }));
  remember(key, null);
  const media = done.upload && done.upload.media;
  if (!media) throw new Error('The server did not describe the uploaded file.');
  return media;
}

/** Uploads `file`; see the top of this file. */
export function uploadFile(file, { onProgress = () => {}, signal } = {}) {
  return file.size > TUS_OVER ? uploadTus(file, { onProgress, signal }) : uploadSimple(file, { onProgress, signal });
}
