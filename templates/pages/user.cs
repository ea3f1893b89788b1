<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "user" ?><?cs if:Data.user.display_name ?><?cs set:Layout.title = Data.user.display_name ?><?cs else ?><?cs set:Layout.title = "Profile" ?><?cs /if ?><?cs #
  GET /users/<username>. Reads Data.user.{username,display_name,
  status_text,created_at}, Session.user.username. Logged in and looking at
  someone else: "Message" (POST /conversations, kind=direct), "Add
  contact" (POST /contacts), "Block" (POST /blocks) and "Report" buttons.
?><?cs def:page_body() ?>
    <div class="container narrow">
      <article class="card profile-card" aria-labelledby="page-title">
        <?cs call:avatar(Data.user, "avatar-xl") ?>
        <h1 id="page-title"><?cs call:user_name(Data.user) ?></h1>
        <p class="handle">@<?cs var:Data.user.username ?></p><?cs
        if:Data.user.status_text ?>
        <p class="status-text" dir="auto"><?cs var:Data.user.status_text ?></p><?cs
        /if ?><?cs
        if:Data.user.created_at ?>
        <p class="muted member-since">Member since <?cs call:time(Data.user.created_at) ?></p><?cs
        /if ?><?cs
        if:?Session.user.username && Session.user.username == Data.user.username ?>
        <p><a class="btn btn-secondary" href="/me">Edit your profile</a></p><?cs
        elif:?Session.user.username ?>
        <div class="profile-actions"><?cs
          call:message_button(Data.user.username, "btn btn-primary") ?><?cs
          call:add_contact_button(Data.user.username, "btn btn-secondary") ?>
          <form class="inline-form" method="post" action="/blocks"><?cs call:csrf_field() ?><input type="hidden" name="username" value="<?cs var:Data.user.username ?>"><button type="submit" class="btn btn-danger-quiet">Block</button></form>
          <a class="btn btn-secondary" href="/reports/new?user_id=<?cs var:Data.user.id ?>">Report</a></div><?cs
        /if ?>
      </article>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
