// conversation-composer.js — sends a message without a reload: Enter sends, Shift+Enter is
// a new line; the form's client_id (kept for a retry, new after a success) means pressing
// Send again can never post a message twice. Expects form.composer-form with
// textarea[name=body], input[name=client_id] and a submit button, inside .composer.
// Files (attach.js, when the form has a file input) upload before the send; the message
// carries their media_ids, and may then have no text. Send stays disabled while any uploads.

import { postJSON, errorMessage, uuid } from './net.js';
import { initAttachments } from './attach.js';

/**
 * Sends `form` as JSON; after a send, `catchUp()` shows the message (live: for
 * expectDelivery) and `onSent()` runs (the draft forgets what was sent). Up arrow in the
 * empty composer calls `editLast()` (edit your last message), which says if it did.
 */
export function initComposer(conv, form, { live, catchUp, onSent = () => {}, editLast = () => false }) {
  const textarea = form.querySelector('textarea[name="body"]');
  const clientId = form.querySelector('input[name="client_id"]');
  const button = form.querySelector('button[type="submit"]');
  const composer = form.closest('.composer');
  const files = initAttachments(conv, form);
  let sending = false;

  // Send waits for uploads; #attach-status (read with the button) says why it is disabled.
  function updateButton() {
    button.disabled = sending || Boolean(files && files.busy());
  }
  if (files) {
    button.setAttribute('aria-describedby', files.status.id);
    files.onChange(updateButton);
  }

  function showError(text) {
    let box = composer.querySelector('.composer-error');
    if (!box) {
      box = document.createElement('div');
      box.className = 'alert alert-error composer-error';
      box.setAttribute('role', 'alert');
      box.append(document.createElement('p'));
      form.before(box);
    }
    box.querySelector('p').textContent = text;
  }

  function clearErrors() {
    for (const el of composer.querySelectorAll('.composer-error, #form-error, .field-error')) el.remove();
    const row = form.querySelector('.composer-row.has-error');
    if (row) row.classList.remove('has-error');
    textarea.removeAttribute('aria-invalid');
  }

  function endReply() {
    for (const el of form.querySelectorAll('input[name="reply_to"], .reply-strip')) el.remove();
    const url = new URL(location.href);
    if (url.searchParams.has('reply_to')) {
      url.searchParams.delete('reply_to');
      history.replaceState(history.state, '', url.pathname + url.search);
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (sending) return;
    const body = textarea.value;
    if (files && files.busy()) return; // the button is disabled; Enter may still get here
    if (files && files.failed()) {
      showError('A file could not be uploaded: press Retry, or remove it, before sending.');
      return;
    }
    const mediaIds = files ? files.ids() : [];
    if (!body.trim() && !mediaIds.length) {
      textarea.focus();
      return;
    }
    if (!clientId.value) clientId.value = uuid();
    const payload = { body: body.trim() ? body : '', client_id: clientId.value };
    if (mediaIds.length) payload.media_ids = mediaIds;
    const replyTo = form.querySelector('input[name="reply_to"]');
    if (replyTo && replyTo.value) payload.reply_to = Number(replyTo.value);
    sending = true;
    updateButton();
    form.classList.add('is-sending');
    try {
      let response = await postJSON(`/api/v1/conversations/${conv.id}/messages`, payload);
      if (response.status === 409) { // @all / @here to more than 50 people: asked first (notify.h)
        const err = (await response.clone().json().catch(() => ({}))).error || {};
        if (err.field === 'confirm_all' && window.confirm(err.message)) {
          response = await postJSON(`/api/v1/conversations/${conv.id}/messages`, { ...payload, confirm_all: true });
        }
      }
      if (response.status === 201 || response.status === 200) {
        const data = await response.json().catch(() => ({}));
        clearErrors();
        if (textarea.value === body) textarea.value = '';
        onSent();
        if (files) files.clear(mediaIds);
        clientId.value = uuid(); // the next message is a new one; a retry of this one was not
        endReply();
        const seq = data.message && data.message.seq;
        // A new message (201) makes an event for this tab too: if it never comes, the
        // event stream is not getting through.
        if (response.status === 201 && seq && live.expectDelivery) {
          live.expectDelivery((e) => e.type === 'message.created' && String(e.conversation_id) === conv.id && e.seq === seq);
        }
        if (!conv.atNewest) {
          location.assign(`/conversations/${conv.id}${seq ? `#m${seq}` : '#composer'}`);
          return;
        }
        await catchUp();
        conv.scroller.scrollTop = 0; // column-reverse: 0 is the newest end
      } else {
        // The same client_id stays: pressing Send again can never post it twice.
        showError((await errorMessage(response)) || `The message was not sent (HTTP ${response.status}).`);
      }
    } catch {
      showError('The message was not sent: no connection to the server. Press Send to try again.');
    } finally {
      sending = false;
      updateButton();
      form.classList.remove('is-sending');
    }
  });

  textarea.addEventListener('keydown', (ev) => {
    const plain = !ev.shiftKey && !ev.altKey && !ev.ctrlKey && !ev.metaKey && !ev.isComposing;
    if (ev.key === 'ArrowUp' && plain && textarea.value === '' && editLast()) {
      ev.preventDefault();
      return;
    }
    if (ev.key !== 'Enter' || ev.shiftKey || ev.altKey || ev.isComposing || ev.keyCode === 229) return;
    ev.preventDefault();
    form.requestSubmit();
  });
}
