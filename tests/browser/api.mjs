// Setting the scene through the JSON API, as a browser test's people: registering without
// typing (the account pages have their own tests), then calls with the session cookie and
// the CSRF header, as the page's own scripts make them. What a test checks is always done
// on the page; these only prepare it or play the other person.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { uname, postRegister, csrfOf } from './lib.mjs';

/** Registers someone on a fresh page from `newPage` (pageSource); returns {page, username, displayName, csrf, id}. */
export async function apiPerson(newPage, displayName, options = {}) {
  const { requests, ...pageOptions } = options;
  const page = await newPage(pageOptions);
  const username = uname(options.prefix || 'p');
  await postRegister(page.request, { username, displayName, requests: true });   // the setting follows below
  const { csrf } = await csrfOf(page.request, '/me');
  const who = { page, username, displayName, csrf };
  who.id = (await call(who, 'GET', '/me')).user.id;
  // The people of these tests accept direct messages from everyone, as before message
  // requests; { requests: true } keeps the default (requests.test.mjs).
  if (!requests) await call(who, 'PATCH', '/requests/settings', { allow_everyone: true });
  return who;
}

/** A JSON API call as `who`; fails the test on an error status; returns the parsed answer. */
export async function call(who, method, path, data) {
  const res = await who.page.request.fetch(`/api/v1${path}`, {
    method,
    headers: { 'X-CSRF-Token': who.csrf },
    data,
  });
  assert.ok(res.status() < 300, `${method} ${path}: ${res.status()} ${await res.text()}`);
  return res.status() === 204 ? null : res.json();
}

/** Sends `body` to conversation `cid` as `who`; returns the new message's seq. */
export async function send(who, cid, body, extra = {}) {
  const r = await call(who, 'POST', `/conversations/${cid}/messages`, { body, client_id: randomUUID(), ...extra });
  return r.message.seq;
}

/** A direct conversation between `a` and `b`; returns its id. */
export async function direct(a, b) {
  return (await call(a, 'POST', '/conversations', { kind: 'direct', members: [b.id] })).conversation.id;
}

/** A group (or channel, with kind) owned by `owner` with `members`; returns its id. */
export async function group(owner, title, members, kind = 'group') {
  return (await call(owner, 'POST', '/conversations', { kind, title, members: members.map((m) => m.id) })).conversation.id;
}
