// net.js — small helpers shared by the live modules: the CSRF token, JSON POSTs with it,
// server-rendered pages parsed into documents, and client ids.

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

/** POSTs `body` as JSON with the session's CSRF token; resolves to the Response. */
export function postJSON(path, body = {}) {
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'X-CSRF-Token': csrfToken(),
    },
    body: JSON.stringify(body),
  });
}

/** The error message of a failed API answer ({"error":{"message"}}), or null. */
export async function errorMessage(response) {
  try {
    const data = await response.json();
    return (data && data.error && data.error.message) || null;
  } catch {
    return null;
  }
}

/** GETs a page of the site and parses it (scripts in it never run). */
export async function fetchDocument(path) {
  const response = await fetch(path, {
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { Accept: 'text/html' },
  });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  const html = await response.text();
  return new DOMParser().parseFromString(html, 'text/html');
}

/** A random UUID; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function uuid() {
  if (crypto.randomUUID && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Tells app.js (and anyone else) that `root` holds new server-rendered content. */
export function announceContent(root) {
  root.dispatchEvent(new CustomEvent('parley:content', { bubbles: true }));
}
