<?cs include:"partials/macros.cs" ?><?cs include:"partials/conv_list.cs" ?><?cs set:Layout.name = "conversations" ?><?cs set:Layout.section = "conversations" ?><?cs set:Layout.title = "Conversations" ?><?cs #
  GET /conversations (the inbox), and the re-render after a failed
  POST /conversations. Reads Data.conversations.N.{id,kind,title,unread,
  last_activity_at,last_message.{body,deleted,kind,created_at,
  sender.{username,display_name}},peer.{id,presence.{state,last_seen}}},
  Form.{kind,username,title,description,
  members}, Error.*, Page.done, Session.*.

  The list itself is partials/conv_list.cs (shared with the conversation page).
  The three "new conversation" forms are <details>: the one whose kind
  failed (Form.kind) opens again with its values and error.
?><?cs #
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
<?cs if:Session.unread ?>
        <form class="inline-form mark-all-read" method="post" action="/conversations/read-all">
          <?cs call:csrf_field() ?>
          <button type="submit" class="btn btn-secondary btn-sm">Mark all as read</button>
        </form><?cs /if ?>
        <button type="button" class="btn btn-secondary btn-sm notify-enable" hidden><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d="M5 8a5 5 0 0 1 10 0c0 4 1.5 5.5 2 6H3c.5-.5 2-2 2-6Z"/><path d="M8.2 16.5a2 2 0 0 0 3.6 0"/></svg><span class="notify-enable-label">Enable desktop notifications</span></button>
      </div><?cs
      if:Page.done == "left" ?><?cs call:notice("You left the conversation.") ?><?cs
      elif:Page.done == "all_read" ?><?cs call:notice("Everything is marked as read.") ?><?cs
      /if ?><?cs
      if:!?Form.kind ?><?cs call:form_error("-", "-", "-", "-") ?><?cs /if ?>
      <div class="two-col">
        <section class="card card-flush" id="conv-list" data-inbox aria-labelledby="list-title"><?cs call:conv_list(Data.conversations) ?>
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
