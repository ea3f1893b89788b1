<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "conversations" ?><?cs set:Layout.section = "conversations" ?><?cs set:Layout.title = "Conversations" ?><?cs #
  GET /conversations (the inbox), and the re-render after a failed
  POST /conversations. Reads Data.conversations.N.{id,kind,title,unread,
  last_activity_at,last_message.{body,deleted,kind,created_at,
  sender.{username,display_name}},peer.{id,presence.{state,last_seen}}},
  Form.{kind,username,title,description,
  members}, Error.*, Page.done, Session.*.

  The time of a row is printed twice (top row on wide screens, bottom row on
  phones, where the title needs the width); CSS shows one of them.
  The three "new conversation" forms are <details>: the one whose kind
  failed (Form.kind) opens again with its values and error.
?><?cs def:conv_row(c) ?>
            <li class="conv-item<?cs if:c.unread > 0 ?> is-unread<?cs /if ?>">
              <a class="conv-link" href="/conversations/<?cs var:c.id ?>">
                <span class="avatar-wrap"><?cs call:conv_avatar(c) ?><?cs
                  if:c.kind == "direct" && ?c.peer.id ?><?cs call:presence(c.peer, "badge") ?><?cs /if ?></span>
                <span class="conv-text">
                  <span class="conv-top">
                    <span class="conv-title"><bdi><?cs var:c.title ?></bdi><span class="kind-tag kind-<?cs var:c.kind ?>"><?cs call:kind_label(c.kind) ?></span></span><?cs
                    if:c.last_activity_at ?>
                    <span class="conv-time conv-time-top"><?cs call:time_day(c.last_activity_at) ?></span><?cs
                    /if ?>
                  </span>
                  <span class="conv-bottom">
                    <span class="conv-excerpt"><?cs
                    if:!?c.last_message.kind ?><em>No messages yet</em><?cs
                    elif:c.last_message.deleted ?><em>Message deleted</em><?cs
                    elif:c.last_message.kind == "system" ?><bdi><?cs var:c.last_message.excerpt ?></bdi><?cs
                    else ?><span class="conv-excerpt-who"><?cs
                      if:?Session.user.username && c.last_message.sender.username == Session.user.username ?>You<?cs
                      else ?><?cs call:user_name(c.last_message.sender) ?><?cs /if ?>:</span> <bdi><?cs var:c.last_message.excerpt ?></bdi><?cs
                    /if ?></span><?cs
                    if:c.last_activity_at ?>
                    <span class="conv-time conv-time-bottom"><?cs call:time_day(c.last_activity_at) ?></span><?cs
                    /if ?><?cs
                    if:c.unread > 0 ?>
                    <span class="unread-badge"><?cs var:c.unread ?><span class="visually-hidden"> unread</span></span><?cs
                    /if ?>
                  </span>
                </span>
              </a>
            </li><?cs /def ?><?cs #

  The fields of the group and channel forms; `k` is "group" or "channel".
?><?cs def:new_multi_form(k) ?><?cs
  if:Form.kind == k ?><?cs set:Layout.f = "1" ?><?cs else ?><?cs set:Layout.f = "0" ?><?cs /if ?>
              <details<?cs if:Layout.f == "1" ?> open<?cs /if ?>>
                <summary><?cs call:kind_icon(k) ?>New <?cs if:k == "channel" ?>channel<?cs else ?>group<?cs /if ?></summary>
                <form class="form" method="post" action="/conversations">
                  <?cs call:csrf_field() ?>
                  <input type="hidden" name="kind" value="<?cs var:k ?>">
                  <p class="hint"><?cs if:k == "channel" ?>Announcements: only owners and admins post, members read.<?cs else ?>Everyone in the group can post.<?cs /if ?></p><?cs
                  if:Layout.f == "1" ?><?cs call:form_error("title", "description", "members", "-") ?><?cs /if ?>
                  <div class="field<?cs if:Layout.f == "1" && Error.message && Error.field == "title" ?> has-error<?cs /if ?>">
                    <label for="<?cs var:k ?>-title">Title</label>
                    <input id="<?cs var:k ?>-title" name="title" type="text" required maxlength="100" autocomplete="off" value="<?cs if:Layout.f == "1" ?><?cs var:Form.title ?><?cs /if ?>"<?cs if:Layout.f == "1" ?><?cs call:field_attrs("title", "0") ?><?cs /if ?>><?cs
                    if:Layout.f == "1" ?><?cs call:field_error("title") ?><?cs /if ?>
                  </div>
                  <div class="field<?cs if:Layout.f == "1" && Error.message && Error.field == "description" ?> has-error<?cs /if ?>">
                    <label for="<?cs var:k ?>-description">Description <span class="optional">optional</span></label>
                    <input id="<?cs var:k ?>-description" name="description" type="text" maxlength="1000" autocomplete="off" value="<?cs if:Layout.f == "1" ?><?cs var:Form.description ?><?cs /if ?>"<?cs if:Layout.f == "1" ?><?cs call:field_attrs("description", "0") ?><?cs /if ?>><?cs
                    if:Layout.f == "1" ?><?cs call:field_error("description") ?><?cs /if ?>
                  </div>
                  <div class="field<?cs if:Layout.f == "1" && Error.message && Error.field == "members" ?> has-error<?cs /if ?>">
                    <label for="<?cs var:k ?>-members">Members <span class="optional">optional</span></label>
                    <input id="<?cs var:k ?>-members" name="members" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" placeholder="bob, carol" value="<?cs if:Layout.f == "1" ?><?cs var:Form.members ?><?cs /if ?>" aria-describedby="<?cs var:k ?>-members-hint<?cs if:Layout.f == "1" && Error.message && Error.field == "members" ?> members-error<?cs /if ?>"<?cs if:Layout.f == "1" && Error.message && Error.field == "members" ?> aria-invalid="true"<?cs /if ?>><?cs
                    if:Layout.f == "1" ?><?cs call:field_error("members") ?><?cs /if ?>
                    <p class="hint" id="<?cs var:k ?>-members-hint">Usernames, separated by commas or spaces. You can add people later too.</p>
                  </div>
                  <button type="submit" class="btn btn-primary">Create <?cs if:k == "channel" ?>channel<?cs else ?>group<?cs /if ?></button>
                </form>
              </details><?cs /def ?><?cs #

?><?cs def:page_body() ?>
    <div class="container">
      <div class="page-head">
        <div>
          <h1 id="page-title">Conversations</h1>
          <p class="muted">Direct messages, groups and channels, most recent first.</p>
        </div>
        <button type="button" class="btn btn-secondary btn-sm notify-enable" hidden><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d="M5 8a5 5 0 0 1 10 0c0 4 1.5 5.5 2 6H3c.5-.5 2-2 2-6Z"/><path d="M8.2 16.5a2 2 0 0 0 3.6 0"/></svg><span class="notify-enable-label">Enable desktop notifications</span></button>
      </div><?cs
      if:Page.done == "left" ?><?cs call:notice("You left the conversation.") ?><?cs
      /if ?><?cs
      if:!?Form.kind ?><?cs call:form_error("-", "-", "-", "-") ?><?cs /if ?>
      <div class="two-col">
        <section class="card card-flush" id="conv-list" aria-labelledby="list-title">
          <h2 id="list-title" class="visually-hidden">Your conversations</h2><?cs
          if:subcount(Data.conversations) > 0 ?>
          <ul class="conv-list"><?cs
          each:c = Data.conversations ?><?cs call:conv_row(c) ?><?cs /each ?>
          </ul><?cs
          else ?>
          <div class="empty-state">
            <span class="empty-icon" aria-hidden="true"><svg viewBox="0 0 24 24" width="26" height="26" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d="M20 12a8 8 0 0 1-11.6 7.1L4 20l1-4.2A8 8 0 1 1 20 12Z"/></svg></span>
            <h3>No conversations yet</h3>
            <p>Start one with a contact, or create a group for your team. You can also <a href="/contacts">add contacts</a> first.</p>
          </div><?cs
          /if ?>
        </section>

        <aside class="card side-card" aria-labelledby="new-title">
          <h2 id="new-title">Start a conversation</h2>
          <div class="new-conv"><?cs
            if:Form.kind == "direct" || !?Form.kind ?><?cs set:Layout.fd = "1" ?><?cs else ?><?cs set:Layout.fd = "0" ?><?cs /if ?>
              <details<?cs if:Layout.fd == "1" ?> open<?cs /if ?>>
                <summary><?cs call:kind_icon("direct") ?>New direct conversation</summary>
                <form class="form" method="post" action="/conversations">
                  <?cs call:csrf_field() ?>
                  <input type="hidden" name="kind" value="direct"><?cs
                  if:Form.kind == "direct" ?><?cs set:Layout.mine = "1" ?><?cs else ?><?cs set:Layout.mine = "0" ?><?cs /if ?><?cs
                  call:username_row("direct-username", Layout.mine, "Start") ?>
                </form>
              </details><?cs
            call:new_multi_form("group") ?><?cs
            call:new_multi_form("channel") ?>
          </div>
        </aside>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
