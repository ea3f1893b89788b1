<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "conversation-settings" ?><?cs set:Layout.section = "conversations" ?><?cs if:Data.conversation.kind == "direct" ?><?cs set:Layout.title = "Details" ?><?cs else ?><?cs set:Layout.title = "Settings" ?><?cs /if ?><?cs #
  GET /conversations/<id>/settings, and the re-render after a failed POST
  …/settings, …/members, …/members/<user_id>/role or …/remove, or
  …/invitations/<user_id>/withdraw.
  Reads Data.conversation.{id,kind,title,description,my_role,retention_days,
  instance_retention_days,effective_retention_days,
  members.N.{id,username,display_name,role,presence.{state,last_seen}},
  invitations.N.{user,inviter,role,created_at} (owners and admins only)},
  Form.{title,description,
  username,role}, Error.*, Page.done, Session.user.{id,username}.

  Which form failed is told by Page.path (…/settings, …/members, …/role,
  …/remove, …/avatar). The picture form (owners and admins) posts the file
  as multipart, the CSRF field first. Owners change any role; admins may only manage members and
  admins (the server has the last word either way).
?><?cs def:role_options(current, owner) ?><option value="member"<?cs if:current == "member" ?> selected<?cs /if ?>>Member</option><option value="admin"<?cs if:current == "admin" ?> selected<?cs /if ?>>Admin</option><?cs if:owner == "1" ?><option value="owner"<?cs if:current == "owner" ?> selected<?cs /if ?>>Owner</option><?cs /if ?><?cs /def ?><?cs #

?><?cs def:page_body() ?><?cs
    set:Layout.cid = Data.conversation.id ?><?cs
    if:Data.conversation.kind != "direct" && (Data.conversation.my_role == "owner" || Data.conversation.my_role == "admin") ?><?cs set:Layout.manage = "1" ?><?cs else ?><?cs set:Layout.manage = "0" ?><?cs /if ?><?cs
    if:Data.conversation.my_role == "owner" ?><?cs set:Layout.owner = "1" ?><?cs else ?><?cs set:Layout.owner = "0" ?><?cs /if ?><?cs
    if:string.slice(Page.path, string.length(Page.path) - 9, string.length(Page.path)) == "/settings" ?><?cs set:Layout.form = "settings" ?><?cs
    elif:string.slice(Page.path, string.length(Page.path) - 8, string.length(Page.path)) == "/members" ?><?cs set:Layout.form = "members" ?><?cs
    elif:string.slice(Page.path, string.length(Page.path) - 7, string.length(Page.path)) == "/avatar" ?><?cs set:Layout.form = "avatar" ?><?cs
    else ?><?cs set:Layout.form = "other" ?><?cs /if ?>
    <div class="container account">
      <p class="back-link"><a href="/conversations/<?cs var:Layout.cid ?>"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" d="M12.5 4.5 7 10l5.5 5.5"/></svg>Back to the conversation</a> · <a href="/conversations/<?cs var:Layout.cid ?>/notifications">Notifications</a></p>
      <div class="account-head">
        <?cs call:conv_avatar(Data.conversation) ?>
        <div class="account-who">
          <h1 id="page-title"><bdi><?cs var:Data.conversation.title ?></bdi></h1>
          <p class="muted"><span class="kind-tag"><?cs call:kind_label(Data.conversation.kind) ?></span> · <?cs var:subcount(Data.conversation.members) ?> <?cs if:subcount(Data.conversation.members) == 1 ?>member<?cs else ?>members<?cs /if ?><?cs if:Data.conversation.kind != "direct" ?> · you are <?cs if:Data.conversation.my_role == "owner" ?>an owner<?cs elif:Data.conversation.my_role == "admin" ?>an admin<?cs else ?>a member<?cs /if ?><?cs /if ?></p>
        </div>
      </div><?cs
      if:Page.done == "saved" ?><?cs call:notice("The conversation was updated.") ?><?cs
      elif:Page.done == "added" ?><?cs call:notice("The member was added.") ?><?cs
      elif:Page.done == "invited" ?><?cs call:notice("Invited: they are not your contact, so they join once they accept.") ?><?cs
      elif:Page.done == "role" ?><?cs call:notice("The role was changed.") ?><?cs
      elif:Page.done == "removed" ?><?cs call:notice("The member was removed.") ?><?cs
      elif:Page.done == "muted" ?><?cs call:notice("The member was muted: they can read but not send.") ?><?cs
      elif:Page.done == "unmuted" ?><?cs call:notice("The member can send again.") ?><?cs
      elif:Page.done == "avatar" ?><?cs call:notice("The picture was changed.") ?><?cs
      elif:Page.done == "withdrawn" ?><?cs call:notice("The invitation was withdrawn.") ?><?cs
      /if ?><?cs
      if:Layout.form == "other" ?><?cs call:form_error("-", "-", "-", "-") ?><?cs /if ?>
      <div class="stack"><?cs
      if:Data.conversation.kind == "direct" ?>
        <section class="card" aria-labelledby="people-title">
          <h2 id="people-title">People</h2>
          <p class="muted">A direct conversation is always between the two of you.</p>
          <ul class="people-list"><?cs
          each:p = Data.conversation.members ?>
            <li class="person">
              <?cs call:avatar(p, "avatar-md") ?>
              <span class="person-text">
                <span class="person-name"><span class="person-display"><?cs call:user_name(p) ?><?cs if:p.username == Session.user.username ?> <span class="muted">(you)</span><?cs /if ?></span><?cs call:presence(p, "compact") ?></span>
                <a class="person-handle" href="/users/<?cs var:p.username ?>">@<?cs var:p.username ?></a>
              </span><?cs
              if:p.username != Session.user.username ?>
              <div class="button-row person-actions">
                <form class="inline-form" method="post" action="/blocks"><?cs call:csrf_field() ?><input type="hidden" name="username" value="<?cs var:p.username ?>"><button type="submit" class="btn btn-danger-quiet btn-sm">Block<span class="visually-hidden"> @<?cs var:p.username ?></span></button></form>
                <a class="btn btn-secondary btn-sm" href="/reports/new?user_id=<?cs var:p.id ?>">Report<span class="visually-hidden"> @<?cs var:p.username ?></span></a>
              </div><?cs
              /if ?>
            </li><?cs
          /each ?>
          </ul>
        </section><?cs
      else ?><?cs
        if:Layout.manage == "1" ?>
        <section class="card" aria-labelledby="about-title">
          <h2 id="about-title">Name and description</h2>
          <p class="muted">Renaming posts a note in the conversation.</p>
          <form class="form" method="post" action="/conversations/<?cs var:Layout.cid ?>/settings">
            <?cs call:csrf_field() ?><?cs
            if:Layout.form == "settings" ?><?cs call:form_error("title", "description", "retention_days", "-") ?><?cs /if ?>
            <div class="<?cs if:Layout.form == "settings" ?><?cs call:field_class("title") ?><?cs else ?>field<?cs /if ?>">
              <label for="title">Title</label>
              <input id="title" name="title" type="text" required maxlength="100" autocomplete="off" value="<?cs if:Layout.form == "settings" && ?Form.title ?><?cs var:Form.title ?><?cs else ?><?cs var:Data.conversation.title ?><?cs /if ?>"<?cs if:Layout.form == "settings" ?><?cs call:field_attrs("title", "0") ?><?cs /if ?>><?cs
              if:Layout.form == "settings" ?><?cs call:field_error("title") ?><?cs /if ?>
            </div>
            <div class="<?cs if:Layout.form == "settings" ?><?cs call:field_class("description") ?><?cs else ?>field<?cs /if ?>">
              <label for="description">Description <span class="optional">optional</span></label>
              <textarea id="description" name="description" rows="3" maxlength="1000"<?cs if:Layout.form == "settings" ?><?cs call:field_attrs("description", "0") ?><?cs /if ?>><?cs if:Layout.form == "settings" && ?Form.description ?><?cs var:Form.description ?><?cs else ?><?cs var:Data.conversation.description ?><?cs /if ?></textarea><?cs
              if:Layout.form == "settings" ?><?cs call:field_error("description") ?><?cs /if ?>
            </div>
            <div class="<?cs if:Layout.form == "settings" ?><?cs call:field_class("retention_days") ?><?cs else ?>field<?cs /if ?>">
              <label for="retention_days">Delete messages after (days)</label>
              <input id="retention_days" name="retention_days" type="number" min="0" max="36500" inputmode="numeric" value="<?cs if:Layout.form == "settings" && ?Form.retention_days ?><?cs var:Form.retention_days ?><?cs elif:Data.conversation.retention_days ?><?cs var:Data.conversation.retention_days ?><?cs else ?>0<?cs /if ?>"<?cs call:field_attrs("retention_days", "1") ?>><?cs
              if:Layout.form == "settings" ?><?cs call:field_error("retention_days") ?><?cs /if ?>
              <p class="hint" id="retention_days-hint">0 keeps them. Older messages become "deleted" markers for everyone.<?cs if:Data.conversation.instance_retention_days ?> This server deletes messages after <?cs var:Data.conversation.instance_retention_days ?> days in any case.<?cs /if ?></p>
            </div>
            <div class="form-actions">
              <button type="submit" class="btn btn-primary">Save</button>
            </div>
          </form>
        </section>

        <section class="card" aria-labelledby="avatar-title">
          <h2 id="avatar-title">Picture</h2>
          <p class="muted">A photo for the <?cs if:Data.conversation.kind == "channel" ?>channel<?cs else ?>group<?cs /if ?> (PNG, JPEG, GIF or WebP), cropped square.</p><?cs
          if:Layout.form == "avatar" ?><?cs set:Layout.avatar_failed = "1" ?><?cs else ?><?cs set:Layout.avatar_failed = "0" ?><?cs /if ?><?cs
          set:Layout.avatar_action = "/conversations/" + Layout.cid + "/avatar" ?><?cs
          call:avatar_forms(Layout.avatar_action, Layout.avatar_failed) ?>
        </section><?cs
        else ?>
        <section class="card" aria-labelledby="about-title">
          <h2 id="about-title">About</h2><?cs
          if:Data.conversation.description ?>
          <p class="about-text" dir="auto"><?cs var:Data.conversation.description ?></p><?cs
          else ?>
          <p class="muted">No description.</p><?cs
          /if ?>
          <p class="muted"><?cs if:Data.conversation.effective_retention_days ?>Messages are deleted after <?cs var:Data.conversation.effective_retention_days ?> days.<?cs else ?>Messages are kept.<?cs /if ?></p>
          <p class="muted">Only owners and admins can rename it or manage its members.</p>
        </section><?cs
        /if ?>

        <section class="card" aria-labelledby="members-title">
          <h2 id="members-title">Members <span class="count-pill"><?cs var:subcount(Data.conversation.members) ?></span></h2><?cs
          if:Layout.manage == "1" ?>
          <p><a href="/conversations/<?cs var:Layout.cid ?>/moderation">Moderation log</a>: who muted, removed or changed the role of whom.</p><?cs /if ?><?cs
          if:Layout.manage == "1" && !Data.conversation.e2e ?>
          <p><a href="/conversations/<?cs var:Layout.cid ?>/webhooks">Webhooks</a>: secret URLs that scripts and services post to as a bot.</p><?cs /if ?><?cs
          if:Layout.manage == "1" ?>
          <form class="form add-member" method="post" action="/conversations/<?cs var:Layout.cid ?>/members">
            <?cs call:csrf_field() ?><?cs
            if:Layout.form == "members" ?><?cs call:form_error("username", "role", "-", "-") ?><?cs /if ?>
            <div class="<?cs if:Layout.form == "members" ?><?cs call:field_class("username") ?><?cs else ?>field<?cs /if ?>">
              <label for="add-username">Add someone</label>
              <div class="input-row">
                <input id="add-username" name="username" type="text" required maxlength="32" autocomplete="off" autocapitalize="none" spellcheck="false" placeholder="Username" value="<?cs if:Layout.form == "members" ?><?cs var:Form.username ?><?cs /if ?>"<?cs if:Layout.form == "members" ?><?cs call:field_attrs("username", "0") ?><?cs /if ?>>
                <label class="visually-hidden" for="add-role">Role</label>
                <select id="add-role" name="role"><?cs if:Layout.form == "members" && Form.role ?><?cs call:role_options(Form.role, Layout.owner) ?><?cs else ?><?cs call:role_options("member", Layout.owner) ?><?cs /if ?></select>
                <button type="submit" class="btn btn-primary">Add</button>
              </div><?cs
              if:Layout.form == "members" ?><?cs call:field_error("username") ?><?cs /if ?>
            </div>
          </form><?cs
          /if ?>
          <ul class="member-list"><?cs
          each:p = Data.conversation.members ?><?cs
            if:p.username == Session.user.username ?><?cs set:Layout.me = "1" ?><?cs else ?><?cs set:Layout.me = "0" ?><?cs /if ?>
            <li class="member">
              <?cs call:avatar(p, "avatar-md") ?>
              <span class="person-text">
                <span class="person-name"><span class="person-display"><?cs call:user_name(p) ?><?cs if:Layout.me == "1" ?> <span class="muted">(you)</span><?cs /if ?></span><?cs call:presence(p, "compact") ?></span>
                <a class="person-handle" href="/users/<?cs var:p.username ?>">@<?cs var:p.username ?></a><?cs
                if:p.muted_until ?>
                <span class="muted member-muted">Muted until <?cs call:time(p.muted_until) ?></span><?cs /if ?>
              </span><?cs
            if:Layout.manage == "1" && Layout.me != "1" && (Layout.owner == "1" || p.role != "owner") ?>
              <div class="member-actions">
                <form class="role-form" method="post" action="/conversations/<?cs var:Layout.cid ?>/members/<?cs var:p.id ?>/role">
                  <?cs call:csrf_field() ?>
                  <label class="visually-hidden" for="role-<?cs var:p.id ?>">Role of <?cs call:user_name(p) ?></label>
                  <select class="select-sm" id="role-<?cs var:p.id ?>" name="role"><?cs call:role_options(p.role, Layout.owner) ?></select>
                  <button type="submit" class="btn btn-secondary btn-sm">Change<span class="visually-hidden"> role of <?cs call:user_name(p) ?></span></button>
                </form>
<?cs
                if:p.role == "member" || Layout.owner == "1" ?><?cs
                if:p.muted_until ?>
                <form class="inline-form" method="post" action="/conversations/<?cs var:Layout.cid ?>/members/<?cs var:p.id ?>/unmute">
                  <?cs call:csrf_field() ?>
                  <button type="submit" class="btn btn-secondary btn-sm">Unmute<span class="visually-hidden"> <?cs call:user_name(p) ?></span></button>
                </form><?cs
                elif:p.role != "owner" ?>
                <form class="role-form" method="post" action="/conversations/<?cs var:Layout.cid ?>/members/<?cs var:p.id ?>/mute">
                  <?cs call:csrf_field() ?>
                  <label class="visually-hidden" for="mute-<?cs var:p.id ?>">Mute <?cs call:user_name(p) ?> for</label>
                  <select class="select-sm" id="mute-<?cs var:p.id ?>" name="minutes"><option value="10">10 minutes</option><option value="60">1 hour</option><option value="1440">1 day</option><option value="10080">1 week</option></select>
                  <button type="submit" class="btn btn-secondary btn-sm">Mute<span class="visually-hidden"> <?cs call:user_name(p) ?></span></button>
                </form><?cs
                /if ?><?cs /if ?>
                <form class="inline-form" method="post" action="/conversations/<?cs var:Layout.cid ?>/members/<?cs var:p.id ?>/remove">
                  <?cs call:csrf_field() ?>
                  <button type="submit" class="btn btn-danger-quiet btn-sm">Remove<span class="visually-hidden"> <?cs call:user_name(p) ?></span></button>
                </form>
              </div><?cs
            else ?>
              <span class="role-tag role-<?cs var:p.role ?>"><?cs call:role_label(p.role) ?></span><?cs
            /if ?>
            </li><?cs
          /each ?>
          </ul><?cs
          if:subcount(Data.conversation.invitations) > 0 ?>
          <h3 id="invited-title">Invited, not joined yet</h3>
          <ul class="member-list" aria-labelledby="invited-title"><?cs
          each:i = Data.conversation.invitations ?>
            <li class="member">
              <?cs call:avatar(i.user, "avatar-md") ?>
              <span class="person-text">
                <span class="person-name"><span class="person-display"><?cs call:user_name(i.user) ?></span></span>
                <a class="person-handle" href="/users/<?cs var:i.user.username ?>">@<?cs var:i.user.username ?></a>
                <span class="muted">Invited by <?cs call:user_name(i.inviter) ?>, <?cs call:time(i.created_at) ?><?cs if:i.role != "member" ?> · as <?cs call:role_label(i.role) ?><?cs /if ?></span>
              </span>
              <div class="member-actions">
                <form class="inline-form" method="post" action="/conversations/<?cs var:Layout.cid ?>/invitations/<?cs var:i.user.id ?>/withdraw">
                  <?cs call:csrf_field() ?>
                  <button type="submit" class="btn btn-danger-quiet btn-sm">Withdraw<span class="visually-hidden"> the invitation of <?cs call:user_name(i.user) ?></span></button>
                </form>
              </div>
            </li><?cs
          /each ?>
          </ul><?cs
          /if ?>
        </section>

        <section class="card card-danger" aria-labelledby="leave-title">
          <h2 id="leave-title">Leave this <?cs if:Data.conversation.kind == "channel" ?>channel<?cs else ?>group<?cs /if ?></h2>
          <p class="muted">You stop receiving its messages and lose access to its history.<?cs if:Data.conversation.my_role == "owner" ?> If you are the last owner, the longest-standing admin (or member) becomes owner.<?cs /if ?></p>
          <form method="post" action="/conversations/<?cs var:Layout.cid ?>/members/<?cs var:Session.user.id ?>/remove">
            <?cs call:csrf_field() ?>
            <button type="submit" class="btn btn-danger">Leave</button>
          </form>
        </section><?cs
      /if ?>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
