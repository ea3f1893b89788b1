<?cs #
  Shared macros. Every page includes this file first, because ClearSilver
  resolves `call:` when it parses, so a macro must be defined before any
  `def:` that calls it. The comments between the definitions swallow the
  newlines that would otherwise be printed before <!DOCTYPE html>.
?><?cs def:csrf_field() ?><input type="hidden" name="csrf_token" value="<?cs var:Session.csrf ?>"><?cs /def ?><?cs #

  Attributes for an input: marks it invalid and points at its error when
  Error.field names it; `hint` is "1" when the field has a <p id="NAME-hint">.
?><?cs def:field_attrs(name, hint) ?><?cs
  if:Error.field == name ?> aria-invalid="true" aria-describedby="<?cs
    if:hint == "1" ?><?cs var:name ?>-hint <?cs /if ?><?cs var:name ?>-error"<?cs
  elif:hint == "1" ?> aria-describedby="<?cs var:name ?>-hint"<?cs
  /if ?><?cs /def ?><?cs #

  The message under an input, when the error is about that input.
?><?cs def:field_error(name) ?><?cs
  if:Error.message && Error.field == name ?><p class="field-error" id="<?cs var:name ?>-error"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><path fill="currentColor" d="M10 1.8a8.2 8.2 0 1 0 0 16.4 8.2 8.2 0 0 0 0-16.4Zm-.9 4.4h1.8v5.2H9.1Zm.9 8.3a1.1 1.1 0 1 1 0-2.2 1.1 1.1 0 0 1 0 2.2Z"/></svg><span><?cs var:Error.message ?></span></p><?cs
  /if ?><?cs /def ?><?cs #

  "has-error" class for the field wrapper.
?><?cs def:field_class(name) ?>field<?cs if:Error.message && Error.field == name ?> has-error<?cs /if ?><?cs /def ?><?cs #

  An error that belongs to no input of this form (up to four field names;
  pass "-" for an unused one):
  shown at the top of the form.
?><?cs def:form_error(f1, f2, f3, f4) ?><?cs
  if:Error.message && Error.field != f1 && Error.field != f2 && Error.field != f3 && Error.field != f4 ?><div class="alert alert-error" role="alert" id="form-error"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="20" height="20"><path fill="currentColor" d="M10 1.8a8.2 8.2 0 1 0 0 16.4 8.2 8.2 0 0 0 0-16.4Zm-.9 4.4h1.8v5.2H9.1Zm.9 8.3a1.1 1.1 0 1 1 0-2.2 1.1 1.1 0 0 1 0 2.2Z"/></svg><p><?cs var:Error.message ?></p></div><?cs
  /if ?><?cs /def ?><?cs #

  A username input with its submit button on one row (adding a contact,
  starting a direct conversation). `id` is the input's id; `mine` is "1"
  when the page's error and Form values belong to this form; `button` is the
  button's text.
?><?cs def:username_row(id, mine, button) ?><?cs
  if:mine == "1" ?><?cs call:form_error("username", "-", "-", "-") ?><?cs /if ?>
<div class="<?cs if:mine == "1" ?><?cs call:field_class("username") ?><?cs else ?>field<?cs /if ?>">
  <label for="<?cs var:id ?>">Username</label>
  <div class="input-row">
    <input id="<?cs var:id ?>" name="username" type="text" required maxlength="32" autocomplete="off" autocapitalize="none" spellcheck="false" placeholder="e.g. bob" value="<?cs if:mine == "1" ?><?cs var:Form.username ?><?cs /if ?>"<?cs if:mine == "1" ?><?cs call:field_attrs("username", "0") ?><?cs /if ?>>
    <button type="submit" class="btn btn-primary"><?cs var:button ?></button>
  </div><?cs
  if:mine == "1" ?><?cs call:field_error("username") ?><?cs /if ?>
</div><?cs /def ?><?cs #

  A success notice.
?><?cs def:avatar_forms(action, failed) ?><?cs #
  The picture's upload form (multipart, the CSRF field before the file) and its Remove
  button, posting to action and action + "/delete" (/me/avatar, /conversations/<id>/avatar).
  failed is "1" when this form came back with an error.
?><?cs
  if:failed == "1" && Error.message && (Error.field == "media_id" || Error.field == "file") ?><?cs set:Layout.avatar_bad = "1" ?><?cs else ?><?cs set:Layout.avatar_bad = "0" ?><?cs /if ?>
          <form class="form avatar-form" method="post" action="<?cs var:action ?>" enctype="multipart/form-data">
            <?cs call:csrf_field() ?><?cs
            if:failed == "1" ?><?cs call:form_error("media_id", "file", "-", "-") ?><?cs /if ?>
            <div class="field<?cs if:Layout.avatar_bad == "1" ?> has-error<?cs /if ?>">
              <label for="avatar-file">Photo</label>
              <input id="avatar-file" name="file" type="file" accept="image/png,image/jpeg,image/gif,image/webp" required<?cs if:Layout.avatar_bad == "1" ?> aria-invalid="true" aria-describedby="avatar-error"<?cs /if ?>><?cs
              if:Layout.avatar_bad == "1" ?>
              <p class="field-error" id="avatar-error"><span><?cs var:Error.message ?></span></p><?cs
              /if ?>
            </div>
            <div class="form-actions">
              <button type="submit" class="btn btn-primary">Upload picture</button>
            </div>
          </form>
          <form class="avatar-remove" method="post" action="<?cs var:action ?>/delete">
            <?cs call:csrf_field() ?>
            <button type="submit" class="btn btn-secondary btn-sm">Remove picture</button>
          </form><?cs /def ?><?cs #
?><?cs def:required_notice(text) ?><div class="alert alert-warning" role="alert"><p><strong><?cs var:text ?></strong></p></div><?cs /def ?><?cs def:notice(text) ?><div class="alert alert-success" role="status"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="20" height="20"><path fill="currentColor" d="M10 1.8a8.2 8.2 0 1 0 0 16.4 8.2 8.2 0 0 0 0-16.4Zm-1.2 11.7L5.2 9.9l1.3-1.3 2.3 2.3 4.7-4.7 1.3 1.3Z"/></svg><p><?cs var:text ?></p></div><?cs /def ?><?cs #

  "N sessions and M API tokens were signed out." from the digits in Page.query.sessions and
  Page.query.tokens (a password change and "log out everywhere" redirect with them).
?><?cs def:ended_notice(lead) ?><?cs
  set:Layout.ns = #Page.query.sessions + 0 ?><?cs set:Layout.nt = #Page.query.tokens + 0 ?><?cs
  set:Layout.ended = lead + " " + Layout.ns + " session" ?><?cs
  if:Layout.ns != 1 ?><?cs set:Layout.ended = Layout.ended + "s" ?><?cs /if ?><?cs
  set:Layout.ended = Layout.ended + " and " + Layout.nt + " API token" ?><?cs
  if:Layout.nt != 1 ?><?cs set:Layout.ended = Layout.ended + "s" ?><?cs /if ?><?cs
  if:Layout.ns + Layout.nt == 1 ?><?cs set:Layout.ended = Layout.ended + " was signed out." ?><?cs
  else ?><?cs set:Layout.ended = Layout.ended + " were signed out." ?><?cs /if ?><?cs
  call:notice(Layout.ended) ?><?cs /def ?><?cs #

  An ISO time, shown as a date and time in the reader's zone (Session.time_zone,
  cgi/view/localtime.c): "Mar 5, 2025, 3:00 PM".
?><?cs def:time(iso) ?><time datetime="<?cs var:iso ?>"><?cs var:local_time(iso, "long") ?></time><?cs /def ?><?cs #

  Tabs of the account pages; `current` is "profile", "sessions" or "tokens".
?><?cs def:account_nav(current) ?><nav class="tabs" aria-label="Account">
      <a href="/me"<?cs if:current == "profile" ?> aria-current="page"<?cs /if ?>>Profile</a>
      <a href="/me/sessions"<?cs if:current == "sessions" ?> aria-current="page"<?cs /if ?>>Sessions</a>
      <a href="/me/tokens"<?cs if:current == "tokens" ?> aria-current="page"<?cs /if ?>>API tokens</a>
      <a href="/bots"<?cs if:current == "bots" ?> aria-current="page"<?cs /if ?>>Bots</a>
      <a href="/me/2fa"<?cs if:current == "two_factor" ?> aria-current="page"<?cs /if ?>>Two-factor sign-in</a>
      <a href="/me/passkeys"<?cs if:current == "passkeys" ?> aria-current="page"<?cs /if ?>>Passkeys</a>
      <a href="/push/subscriptions"<?cs if:current == "push" ?> aria-current="page"<?cs /if ?>>Notifications</a>
      <a href="/me/security"<?cs if:current == "security_log" ?> aria-current="page"<?cs /if ?>>Security log</a>
      <a href="/me/devices"<?cs if:current == "devices" ?> aria-current="page"<?cs /if ?>>Devices</a>
    </nav><?cs /def ?><?cs #

  The value of an input: what was submitted (Form.NAME) when the form is
  shown again after an error, else the stored value (Data.user.NAME).
?><?cs def:user_value(name) ?><?cs if:?Form[name] ?><?cs var:Form[name] ?><?cs else ?><?cs var:Data.user[name] ?><?cs /if ?><?cs /def ?><?cs #

  The first letter of a username, for the round avatar.
?><?cs def:initial(username) ?><?cs var:string.slice(username, 0, 1) ?><?cs /def ?><?cs #

  A person's round picture: their avatar's thumbnail (cropped square by CSS), or the first
  letter of their username. u needs username and may have avatar_url; size is the size
  class (avatar-sm, avatar-md, avatar-msg, avatar-lg, avatar-xl).
?><?cs def:avatar(u, size) ?><span class="avatar <?cs var:size ?>" aria-hidden="true"><?cs if:u.avatar_url ?><img src="<?cs var:u.avatar_url ?>" alt="" loading="lazy"><?cs else ?><?cs call:initial(u.username) ?><?cs /if ?></span><?cs /def ?><?cs #

  A user's display name, else the username. Pass the user node
  (Session.user, Data.user). Never use `alt:` for output: it bypasses the
  HTML escaping of Config.VarEscapeMode. user_name_text is the bare text,
  for attributes; user_name wraps it in <bdi>, so that direction marks in a
  name (or a right-to-left name) cannot reorder the text around it. Every
  user-supplied run printed in running text is isolated the same way: <bdi>
  around it, or dir="auto" on an element that holds only it (a message body,
  a description, an excerpt).
?><?cs def:user_name_text(u) ?><?cs if:u.display_name ?><?cs var:u.display_name ?><?cs else ?><?cs var:u.username ?><?cs /if ?><?cs /def ?><?cs #
?><?cs def:user_name(u) ?><bdi><?cs call:user_name_text(u) ?></bdi><?cs if:u.bot == "1" ?> <span class="badge badge-bot" title="An automated account">BOT</span><?cs /if ?><?cs /def ?><?cs #

  A person's presence: a dot and "Online", "Away", "Offline" or "Last seen
  <time>". `u` is a user node with id and presence.{state,last_seen};
  `size` is "full" (the words show), "compact" (only the dot shows; the
  words are for screen readers, and the tooltip) or "badge" (a dot on an
  avatar's corner in the inbox, online and away only). The dot's shape differs
  too (full, half, ring), so colour is never the only sign.
  static/js/presence.js finds
  these by data-presence-user and rewrites them with the same markup. No
  presence node (this reader may not see it) gives an empty, hidden
  placeholder with data-presence="": it shows nothing, and comes alive if
  a `presence` event says otherwise later.
?><?cs def:presence(u, size) ?><span class="presence presence-<?cs var:size ?>" data-presence-user="<?cs var:u.id ?>" data-presence="<?cs
  if:u.presence.state == "online" || u.presence.state == "away" || u.presence.state == "offline" ?><?cs var:u.presence.state ?>"<?cs
    if:size == "compact" ?> title="<?cs
      if:u.presence.state == "online" ?>Online<?cs
      elif:u.presence.state == "away" ?>Away<?cs
      elif:?u.presence.last_seen ?>Last seen <?cs var:local_time(u.presence.last_seen, "long") ?><?cs
      else ?>Offline<?cs /if ?>"<?cs
    /if ?>><span class="presence-dot" aria-hidden="true"></span><span class="presence-text"><?cs
    if:u.presence.state == "online" ?>Online<?cs
    elif:u.presence.state == "away" ?>Away<?cs
    elif:?u.presence.last_seen ?>Last seen <time datetime="<?cs var:u.presence.last_seen ?>" title="<?cs var:local_time(u.presence.last_seen, "long") ?>" data-format="relative"><?cs var:local_time(u.presence.last_seen, "short") ?></time><?cs
    else ?>Offline<?cs /if ?></span><?cs
  else ?>" hidden><?cs
  /if ?></span><?cs /def ?><?cs #

  ---- Conversations, contacts, broadcasts ----

  A short time for lists and messages in the reader's zone (Session.time_zone):
  today's "3:00 PM", this year's "Mar 5", older "2025-03-05"; the full ISO
  time (UTC) in datetime, the long local one in title. app.js may rewrite the
  text in the browser's zone; data-format says which length the page wants
  ("time" or "datetime").
?><?cs def:time_hm(iso) ?><time datetime="<?cs var:iso ?>" title="<?cs var:local_time(iso, "long") ?>" data-format="time"><?cs var:local_time(iso, "short") ?></time><?cs /def ?><?cs #
?><?cs def:time_day(iso) ?><time datetime="<?cs var:iso ?>" title="<?cs var:local_time(iso, "long") ?>" data-format="datetime"><?cs var:local_time(iso, "short") ?></time><?cs /def ?><?cs #

  The icon of a conversation kind ("direct", "group", "channel"), 20 px.
?><?cs def:kind_icon(kind) ?><svg class="icon" aria-hidden="true" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><?cs
  if:kind == "channel" ?><path d="M10 4 8 20M16 4l-2 16M5 9h15M4 15h15"/><?cs
  elif:kind == "group" ?><path d="M16 19v-1.5a3.5 3.5 0 0 0-3.5-3.5h-5A3.5 3.5 0 0 0 4 17.5V19"/><circle cx="10" cy="7.5" r="3.5"/><path d="M20 19v-1.5a3.5 3.5 0 0 0-2.5-3.35"/><path d="M15.5 4.2a3.5 3.5 0 0 1 0 6.6"/><?cs
  else ?><path d="M5 19.5v-1a4.5 4.5 0 0 1 4.5-4.5h5a4.5 4.5 0 0 1 4.5 4.5v1"/><circle cx="12" cy="7.5" r="3.8"/><?cs
  /if ?></svg><?cs /def ?><?cs #

  The word for a conversation kind.
?><?cs def:kind_label(kind) ?><?cs if:kind == "channel" ?>Channel<?cs elif:kind == "group" ?>Group<?cs else ?>Direct<?cs /if ?><?cs /def ?><?cs #

  The round picture of a conversation: a direct conversation's peer's avatar or
  first letter; a group's or channel's picture, else the kind's icon.
?><?cs def:conv_avatar(c) ?><?cs if:c.kind == "direct" && c.peer.avatar_url ?><?cs call:avatar(c.peer, "avatar-md") ?><?cs elif:c.kind == "direct" ?><span class="avatar avatar-md" aria-hidden="true"><?cs call:initial(c.title) ?></span><?cs elif:c.avatar_url ?><span class="avatar avatar-md" aria-hidden="true"><img src="<?cs var:c.avatar_url ?>" alt="" loading="lazy"></span><?cs else ?><span class="avatar avatar-md avatar-<?cs var:c.kind ?>" aria-hidden="true"><?cs call:kind_icon(c.kind) ?></span><?cs /if ?><?cs /def ?><?cs #

  The word for a member's role.
?><?cs def:role_label(role) ?><?cs if:role == "owner" ?>Owner<?cs elif:role == "admin" ?>Admin<?cs else ?>Member<?cs /if ?><?cs /def ?><?cs #

  A POST form that is one button. `cls` is the button's class, `label` its
  text; it carries the CSRF token and nothing else.
?><?cs def:post_button(action, cls, label) ?><form class="inline-form" method="post" action="<?cs var:action ?>"><?cs call:csrf_field() ?><button type="submit" class="<?cs var:cls ?>"><?cs var:label ?></button></form><?cs /def ?><?cs #

  "Message" (start or open the direct conversation with a username) and
  "Add contact" buttons.
?><?cs def:message_button(username, cls) ?><form class="inline-form" method="post" action="/conversations"><?cs call:csrf_field() ?><input type="hidden" name="kind" value="direct"><input type="hidden" name="username" value="<?cs var:username ?>"><button type="submit" class="<?cs var:cls ?>">Message<span class="visually-hidden"> @<?cs var:username ?></span></button></form><?cs /def ?><?cs #
?><?cs def:add_contact_button(username, cls) ?><form class="inline-form" method="post" action="/contacts"><?cs call:csrf_field() ?><input type="hidden" name="username" value="<?cs var:username ?>"><button type="submit" class="<?cs var:cls ?>">Add contact<span class="visually-hidden"> @<?cs var:username ?></span></button></form><?cs /def ?><?cs #

  The section links in the header ("conversations", "contacts",
  "broadcast"); Layout.section names the current one.
?><?cs def:section_link(href, section, label) ?><a class="nav-link nav-section" href="<?cs var:href ?>"<?cs if:Layout.section == section ?> aria-current="page"<?cs /if ?>><svg class="icon" aria-hidden="true" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><?cs
  if:section == "contacts" ?><rect x="4" y="3.5" width="16" height="17" rx="2"/><circle cx="12" cy="10" r="2.8"/><path d="M7.5 17a4.5 4.5 0 0 1 9 0"/><?cs
  elif:section == "broadcast" ?><path d="M4 10v4a1 1 0 0 0 1 1h2l5 4V5L7 9H5a1 1 0 0 0-1 1Z"/><path d="M16 8.5a5 5 0 0 1 0 7"/><path d="M19 5.5a9 9 0 0 1 0 13"/><?cs
  elif:section == "mentions" ?><circle cx="12" cy="12" r="3.5"/><path d="M15.5 12v1.5a2.5 2.5 0 0 0 5 0V12a8.5 8.5 0 1 0-3.3 6.7"/><?cs
  else ?><path d="M20 12a8 8 0 0 1-11.6 7.1L4 20l1-4.2A8 8 0 1 1 20 12Z"/><?cs
  /if ?></svg><span class="nav-section-label"><?cs var:label ?></span></a><?cs /def ?><?cs #

  The sender of message m: its user (user_name), or for a webhook post that
  named itself (m.sender_name, Slack's "username") that name with its bot
  beside it, "Deploy bot (via Deploys) BOT": never a name alone that could
  pass for a person.
?><?cs def:msg_sender_name(m) ?><?cs if:m.sender_name ?><bdi><?cs var:m.sender_name ?></bdi> <span class="msg-via">(via <bdi><?cs call:user_name_text(m.sender) ?></bdi>)</span> <span class="badge badge-bot" title="Posted by an automated account">BOT</span><?cs else ?><?cs call:user_name(m.sender) ?><?cs /if ?><?cs /def ?><?cs #

  A one-time secret to copy (an API token, a webhook's URL or signing secret): its input
  (id) and the label screen readers read for it.
?><?cs def:secret_value(id, label, value) ?><label class="visually-hidden" for="<?cs var:id ?>"><?cs var:label ?></label>
        <input class="secret-value" id="<?cs var:id ?>" type="text" readonly autocomplete="off" spellcheck="false" value="<?cs var:value ?>"><?cs /def ?><?cs #

  An account page's table of things, up to its <tbody>: up to four column headings (pass
  "-" for an unused one), then the hidden heading of the last column, its actions.
  data_table_end closes what it opens.
?><?cs def:data_table_head(c1, c2, c3, c4, last) ?><div class="table-wrap">
            <table class="data-table">
              <thead>
                <tr><?cs if:c1 != "-" ?>
                  <th scope="col"><?cs var:c1 ?></th><?cs /if ?><?cs if:c2 != "-" ?>
                  <th scope="col"><?cs var:c2 ?></th><?cs /if ?><?cs if:c3 != "-" ?>
                  <th scope="col"><?cs var:c3 ?></th><?cs /if ?><?cs if:c4 != "-" ?>
                  <th scope="col"><?cs var:c4 ?></th><?cs /if ?>
                  <th scope="col"><span class="visually-hidden"><?cs var:last ?></span></th>
                </tr>
              </thead>
              <tbody><?cs /def ?><?cs def:data_table_end() ?>
              </tbody>
            </table>
          </div><?cs /def ?><?cs #

  The action cell of such a table's row: a button (label) posting to action, naming the
  row's thing (name) to screen readers.
?><?cs def:row_action(action, label, name) ?><td class="cell-action">
                    <form method="post" action="<?cs var:action ?>">
                      <?cs call:csrf_field() ?>
                      <button type="submit" class="btn btn-secondary btn-sm"><?cs var:label ?><span class="visually-hidden"> <bdi><?cs var:name ?></bdi></span></button>
                    </form>
                  </td><?cs /def ?>