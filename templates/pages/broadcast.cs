<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "broadcast" ?><?cs set:Layout.section = "broadcast" ?><?cs set:Layout.title = "Broadcast" ?><?cs #
  GET /broadcasts (the form) and POST /broadcasts (the form again, with the
  results of the send when it went through). Reads Data.conversations.N.{id,
  kind,title} (where you may post), Data.contacts.N.user.{username,
  display_name}, Data.results.N.{target,user_id,username,conversation_id,
  title,status,reason,seq}, Page.client_id, Form.{body,usernames},
  Error.*, Session.*.

  Contacts are shown as hints only: a click selects the username to copy
  (CSS user-select: all); the server reads the `usernames` text field and
  the `conversation_ids[]` checkboxes.
?><?cs def:reason(r) ?><?cs
  if:r == "not_member" ?>not a member<?cs
  elif:r == "not_allowed" ?>not allowed<?cs
  elif:r == "not_found" ?>no such user<?cs
  else ?><?cs var:r ?><?cs /if ?><?cs /def ?><?cs #

?><?cs def:page_body() ?>
    <div class="container account">
      <div class="page-head">
        <div>
          <h1 id="page-title">Broadcast</h1>
          <p class="muted">Send one message to many people and conversations at once. Each person gets it in your direct conversation with them, so replies stay private.</p>
        </div>
      </div><?cs
      if:subcount(Data.results) > 0 ?><?cs
        set:Layout.sent = 0 ?><?cs
        each:r = Data.results ?><?cs if:r.status == "sent" ?><?cs set:Layout.sent = #Layout.sent + #1 ?><?cs /if ?><?cs /each ?>
      <section class="card results-card" aria-labelledby="results-title" role="status">
        <h2 id="results-title">Sent to <?cs var:Layout.sent ?> of <?cs var:subcount(Data.results) ?></h2>
        <div class="table-wrap">
          <table class="data-table results-table">
            <thead>
              <tr>
                <th scope="col">Recipient</th>
                <th scope="col">Result</th>
                <th scope="col"><span class="visually-hidden">Link</span></th>
              </tr>
            </thead>
            <tbody><?cs
            each:r = Data.results ?>
              <tr>
                <th scope="row"><?cs
                if:r.target == "conversation" ?><span class="kind-tag">Conversation</span> <?cs if:r.title ?><bdi><?cs var:r.title ?></bdi><?cs else ?>#<?cs var:r.conversation_id ?><?cs /if ?><?cs
                else ?><span class="kind-tag">Person</span> <?cs if:r.username ?>@<?cs var:r.username ?><?cs else ?>user <?cs var:r.user_id ?><?cs /if ?><?cs
                /if ?></th>
                <td class="cell-result"><?cs
                if:r.status == "sent" ?><span class="result-ok"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><path fill="currentColor" d="M8.3 14.2 4 9.9l1.3-1.3 3 3 6.4-6.4L16 6.5Z"/></svg>Sent</span><?cs
                else ?><span class="result-failed"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="m6 6 8 8M14 6l-8 8"/></svg>Failed: <?cs call:reason(r.reason) ?></span><?cs
                /if ?></td>
                <td class="cell-action"><?cs
                if:r.status == "sent" && r.conversation_id ?><a href="/conversations/<?cs var:r.conversation_id ?><?cs if:r.seq ?>?around=<?cs var:r.seq ?>#m<?cs var:r.seq ?><?cs /if ?>">Open conversation</a><?cs
                /if ?></td>
              </tr><?cs
            /each ?>
            </tbody>
          </table>
        </div>
      </section><?cs
      /if ?>
      <section class="card" aria-labelledby="compose-title">
        <h2 id="compose-title"><?cs if:subcount(Data.results) > 0 ?>Send another<?cs else ?>New broadcast<?cs /if ?></h2>
        <form class="form" method="post" action="/broadcasts">
          <?cs call:csrf_field() ?>
          <input type="hidden" name="client_id" value="<?cs var:Page.client_id ?>"><?cs
          call:form_error("body", "usernames", "conversation_ids", "-") ?>
          <div class="<?cs call:field_class("body") ?>">
            <label for="body">Message</label>
            <textarea id="body" name="body" rows="5" required maxlength="16384"<?cs call:field_attrs("body", "1") ?>><?cs if:subcount(Data.results) == 0 ?><?cs var:Form.body ?><?cs /if ?></textarea><?cs
            call:field_error("body") ?>
            <p class="hint" id="body-hint">**bold**, *italic*, `code`, links and @mentions are formatted.</p>
          </div>
          <div class="<?cs call:field_class("usernames") ?>">
            <label for="usernames">People <span class="optional">optional</span></label>
            <input id="usernames" name="usernames" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" placeholder="bob, carol dave" value="<?cs if:subcount(Data.results) == 0 ?><?cs var:Form.usernames ?><?cs /if ?>"<?cs call:field_attrs("usernames", "1") ?>><?cs
            call:field_error("usernames") ?>
            <p class="hint" id="usernames-hint">Usernames, separated by commas or spaces.</p><?cs
            if:subcount(Data.contacts) > 0 ?>
            <div class="contact-hints">
              <p class="hint">Your contacts (click one to select it):</p>
              <ul class="chips"><?cs
              each:c = Data.contacts ?>
                <li><span class="chip" data-username="<?cs var:c.user.username ?>" title="<?cs call:user_name_text(c.user) ?>"><?cs var:c.user.username ?></span></li><?cs
              /each ?>
              </ul>
            </div><?cs
            /if ?>
          </div>
          <fieldset class="<?cs call:field_class("conversation_ids") ?> check-group">
            <legend>Conversations <span class="optional">optional</span></legend><?cs
            if:subcount(Data.conversations) > 0 ?>
            <ul class="check-list"><?cs
            each:c = Data.conversations ?>
              <li>
                <label class="check">
                  <input type="checkbox" name="conversation_ids[]" value="<?cs var:c.id ?>">
                  <?cs call:conv_avatar(c) ?>
                  <span class="check-text"><span class="check-title"><bdi><?cs var:c.title ?></bdi></span><span class="kind-tag"><?cs call:kind_label(c.kind) ?></span></span>
                </label>
              </li><?cs
            /each ?>
            </ul><?cs
            else ?>
            <p class="hint">You are in no group or channel where you may post.</p><?cs
            /if ?><?cs
            call:field_error("conversation_ids") ?>
          </fieldset>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary"><svg class="icon" aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d="M4 10v4a1 1 0 0 0 1 1h2l5 4V5L7 9H5a1 1 0 0 0-1 1Z"/><path d="M16 8.5a5 5 0 0 1 0 7"/></svg>Send broadcast</button>
          </div>
        </form>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
