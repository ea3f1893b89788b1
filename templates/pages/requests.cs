<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "requests" ?><?cs set:Layout.section = "conversations" ?><?cs set:Layout.title = "Message requests" ?><?cs #
  GET /requests, and the re-render after a failed POST /requests/<id>/accept,
  …/delete, …/block or /requests/settings. Reads Data.requests.N.{conversation_id,
  user.{id,username,display_name,avatar_url},e2e,last_activity_at,messages,excerpt},
  Data.invitations.N.{conversation_id,kind,title,members,role,created_at,
  inviter.{id,username,display_name,avatar_url}}, Data.allow_everyone, Page.done,
  Error.*, Session.*.

  Accept opens the conversation (it moves to the inbox); Delete hides it (the
  sender is not told); Block blocks the sender and, with the box checked,
  reports them to the administrators. An invitation to a group or channel: Join
  makes you a member, Decline drops it (the inviter is not told), Block blocks
  the inviter.
?><?cs def:page_body() ?>
    <div class="container">
      <div class="page-head">
        <div>
          <h1 id="page-title">Message requests</h1>
          <p class="muted">First messages from people who are not your contacts wait here: they do not notify you until you accept them.</p>
        </div>
      </div><?cs
      if:Page.done == "deleted" ?><?cs call:notice("Request deleted. The sender is not told.") ?><?cs
      elif:Page.done == "blocked" ?><?cs call:notice("Blocked. They can no longer message you or send you requests.") ?><?cs
      elif:Page.done == "reported" ?><?cs call:notice("Blocked and reported: the administrators will look at your report.") ?><?cs
      elif:Page.done == "saved" ?><?cs call:notice("Saved.") ?><?cs
      elif:Page.done == "declined" ?><?cs call:notice("Invitation declined. The inviter is not told.") ?><?cs
      /if ?><?cs call:form_error("-", "-", "-", "-") ?>
      <div class="two-col">
        <section class="card" aria-labelledby="requests-title">
          <h2 id="requests-title">Requests <span class="count-pill"><?cs var:subcount(Data.requests) ?></span></h2><?cs
          if:subcount(Data.requests) > 0 ?>
          <ul class="people-list request-list"><?cs
          each:r = Data.requests ?>
            <li class="person request" data-request="<?cs var:r.conversation_id ?>">
              <?cs call:avatar(r.user, "avatar-md") ?>
              <span class="person-text">
                <span class="person-name"><span class="person-display"><?cs call:user_name(r.user) ?></span></span>
                <a class="person-handle" href="/users/<?cs var:r.user.username ?>">@<?cs var:r.user.username ?></a>
                <span class="request-excerpt" dir="auto"><?cs var:r.excerpt ?></span>
                <span class="muted"><?cs var:r.messages ?> message<?cs if:r.messages != 1 ?>s<?cs /if ?>, last <?cs call:time_day(r.last_activity_at) ?> · <a href="/conversations/<?cs var:r.conversation_id ?>">Read<span class="visually-hidden"> the request from @<?cs var:r.user.username ?></span></a></span>
              </span>
              <div class="button-row person-actions">
                <form class="inline-form" method="post" action="/requests/<?cs var:r.conversation_id ?>/accept"><?cs call:csrf_field() ?><button type="submit" class="btn btn-primary btn-sm">Accept<span class="visually-hidden"> the request from @<?cs var:r.user.username ?></span></button></form>
                <form class="inline-form" method="post" action="/requests/<?cs var:r.conversation_id ?>/delete"><?cs call:csrf_field() ?><button type="submit" class="btn btn-secondary btn-sm">Delete<span class="visually-hidden"> the request from @<?cs var:r.user.username ?></span></button></form>
                <form class="inline-form" method="post" action="/requests/<?cs var:r.conversation_id ?>/block"><?cs call:csrf_field() ?>
                  <label class="check-inline"><input type="checkbox" name="report" value="true"> Report<span class="visually-hidden"> @<?cs var:r.user.username ?></span></label>
                  <button type="submit" class="btn btn-danger-quiet btn-sm">Block<span class="visually-hidden"> @<?cs var:r.user.username ?></span></button></form>
              </div>
            </li><?cs
          /each ?>
          </ul><?cs
          else ?>
          <p class="muted">No message requests.</p><?cs
          /if ?>
        </section>
        <section class="card" aria-labelledby="invitations-title">
          <h2 id="invitations-title">Invitations <span class="count-pill"><?cs var:subcount(Data.invitations) ?></span></h2><?cs
          if:subcount(Data.invitations) > 0 ?>
          <ul class="people-list request-list"><?cs
          each:v = Data.invitations ?>
            <li class="person request invitation" data-invitation="<?cs var:v.conversation_id ?>">
              <?cs call:avatar(v.inviter, "avatar-md") ?>
              <span class="person-text">
                <span class="person-name"><span class="person-display invitation-title" dir="auto"><?cs var:v.title ?></span></span>
                <span class="muted"><?cs if:v.kind == "channel" ?>Channel<?cs else ?>Group<?cs /if ?> · <?cs var:v.members ?> member<?cs if:v.members != 1 ?>s<?cs /if ?><?cs if:v.role != "member" ?> · as <?cs var:v.role ?><?cs /if ?></span>
                <span class="muted">Invited by <?cs call:user_name(v.inviter) ?> <a class="person-handle" href="/users/<?cs var:v.inviter.username ?>">@<?cs var:v.inviter.username ?></a>, <?cs call:time_day(v.created_at) ?></span>
              </span>
              <div class="button-row person-actions">
                <form class="inline-form" method="post" action="/requests/invitations/<?cs var:v.conversation_id ?>/accept"><?cs call:csrf_field() ?><button type="submit" class="btn btn-primary btn-sm">Join<span class="visually-hidden"> <?cs var:v.title ?></span></button></form>
                <form class="inline-form" method="post" action="/requests/invitations/<?cs var:v.conversation_id ?>/decline"><?cs call:csrf_field() ?><button type="submit" class="btn btn-secondary btn-sm">Decline<span class="visually-hidden"> the invitation to <?cs var:v.title ?></span></button></form>
                <form class="inline-form" method="post" action="/requests/invitations/<?cs var:v.conversation_id ?>/block"><?cs call:csrf_field() ?><button type="submit" class="btn btn-danger-quiet btn-sm">Block<span class="visually-hidden"> @<?cs var:v.inviter.username ?></span></button></form>
              </div>
            </li><?cs
          /each ?>
          </ul><?cs
          else ?>
          <p class="muted">No invitations.</p><?cs
          /if ?>
        </section>
        <section class="card" aria-labelledby="dm-setting-title">
          <h2 id="dm-setting-title">Who can message you</h2>
          <form method="post" action="/requests/settings"><?cs call:csrf_field() ?>
            <div class="field">
              <label class="check-inline"><input type="checkbox" name="allow_everyone" value="true"<?cs if:Data.allow_everyone ?> checked<?cs /if ?>> Allow direct messages from everyone</label>
              <p class="hint">Off: a first message from someone who is not your contact is a request here.</p>
            </div>
            <button type="submit" class="btn btn-secondary btn-sm">Save</button>
          </form>
        </section>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
