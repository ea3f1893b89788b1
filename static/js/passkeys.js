// passkeys.js — the browser's half of passkeys (cgi/app/passkeys.c): "Add a passkey" on
// /me/passkeys and "Log in with a passkey" on /login. Passkeys need JavaScript (the
// WebAuthn API), so their buttons stay hidden without it and where the browser has no
// WebAuthn; everything else on those pages works as forms.

import { postJSON, errorMessage } from './net.js';

function toBase64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text) {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}

function say(box, text) {
  if (!box) return;
  box.textContent = text;
  box.hidden = !text;
}

async function options(path) {
  const r = await postJSON(path);
  if (!r.ok) throw new Error((await errorMessage(r)) || `HTTP ${r.status}`);
  return (await r.json()).publicKey;
}

// "The user cancelled" is not an error worth a red box.
function cancelled(err) {
  return err && (err.name === 'NotAllowedError' || err.name === 'AbortError');
}

function initAdd(form) {
  const box = form.querySelector('.passkey-error');
  form.hidden = false;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    say(box, '');
    try {
      const pk = await options('/api/v1/me/passkeys/options');
      pk.challenge = fromBase64url(pk.challenge);
      pk.user.id = fromBase64url(pk.user.id);
      pk.excludeCredentials = pk.excludeCredentials.map((c) => ({ ...c, id: fromBase64url(c.id) }));
      const cred = await navigator.credentials.create({ publicKey: pk });
      const r = await postJSON('/api/v1/me/passkeys', {
        name: form.elements.name.value.trim(),
        credential: {
          id: cred.id,
          type: cred.type,
          response: {
            clientDataJSON: toBase64url(cred.response.clientDataJSON),
            attestationObject: toBase64url(cred.response.attestationObject),
          },
        },
      });
      if (!r.ok) throw new Error((await errorMessage(r)) || `HTTP ${r.status}`);
      window.location.assign('/me/passkeys?done=added');
    } catch (err) {
      if (err && err.name === 'InvalidStateError') say(box, 'This device already holds a passkey for your account.');
      else if (!cancelled(err)) say(box, `The passkey was not added: ${err.message}`);
    }
  });
}

function initLogin(button) {
  const box = document.querySelector('.passkey-error');
  button.hidden = false;
  button.addEventListener('click', async () => {
    say(box, '');
    try {
      const pk = await options('/login/passkey/options');
      pk.challenge = fromBase64url(pk.challenge);
      const cred = await navigator.credentials.get({ publicKey: pk });
      const next = document.querySelector('input[name="next"]');
      const r = await postJSON('/login/passkey', {
        next: next ? next.value : undefined,
        credential: {
          id: cred.id,
          type: cred.type,
          response: {
            clientDataJSON: toBase64url(cred.response.clientDataJSON),
            authenticatorData: toBase64url(cred.response.authenticatorData),
            signature: toBase64url(cred.response.signature),
            userHandle: cred.response.userHandle ? toBase64url(cred.response.userHandle) : '',
          },
        },
      });
      // The page route answers like the login form: a redirect (followed) to where to go.
      if (!r.ok) throw new Error((await errorMessage(r)) || `HTTP ${r.status}`);
      window.location.assign(r.url);
    } catch (err) {
      if (!cancelled(err)) say(box, err.message);
    }
  });
}

export function initPasskeys() {
  if (!window.PublicKeyCredential || !navigator.credentials) return;
  const add = document.querySelector('form.passkey-add');
  if (add) initAdd(add);
  const login = document.querySelector('button.passkey-login');
  if (login) initLogin(login);
}
