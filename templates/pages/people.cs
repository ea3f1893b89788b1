<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "people" ?><?cs set:Layout.section = "contacts" ?><?cs set:Layout.title = "Find people" ?><?cs #
  GET /users?q=. Reads Data.q (else Page.query.q), Data.users.N.{id,
  username,display_name,status_text}, Error.*, Session.user.username.
?><?cs if:?Data.q ?><?cs set:Layout.q = Data.q ?><?cs else ?><?cs set:Layout.q = Page.query.q ?><?cs /if ?><?cs def:page_body() ?>
    <div class="container account">
      <div class="page-head">
        <div>
          <h1 id="page-title">Find people</h1>
          <p class="muted">Search by username or name. People who blocked you are not listed.</p>
        </div>
        <a class="btn btn-secondary btn-sm" href="/contacts">Your contacts</a>
      </div>
      <section class="card" aria-labelledby="search-title">
        <h2 id="search-title" class="visually-hidden">Search</h2>
        <form class="search-form" method="get" action="/users" role="search">
          <label class="visually-hidden" for="q">Name or username</label>
          <div class="input-row">
            <input id="q" name="q" type="search" required maxlength="64" autocomplete="off" autocapitalize="none" spellcheck="false" placeholder="Name or username" value="<?cs var:Layout.q ?>"<?cs call:field_attrs("q", "0") ?>>
            <button type="submit" class="btn btn-primary">Search</button>
          </div><?cs
          call:field_error("q") ?>
        </form><?cs
        call:form_error("q", "-", "-", "-") ?><?cs
        if:subcount(Data.users) > 0 ?>
        <p class="result-count muted"><?cs var:subcount(Data.users) ?> <?cs if:subcount(Data.users) == 1 ?>person<?cs else ?>people<?cs /if ?> found for “<bdi><?cs var:Layout.q ?></bdi>”</p>
        <ul class="people-list"><?cs
        each:u = Data.users ?>
          <li class="person">
            <?cs call:avatar(u, "avatar-md") ?>
            <span class="person-text">
              <span class="person-name"><?cs call:user_name(u) ?></span>
              <a class="person-handle" href="/users/<?cs var:u.username ?>">@<?cs var:u.username ?></a><?cs
              if:u.status_text ?>
              <span class="person-status"><bdi><?cs var:u.status_text ?></bdi></span><?cs
              /if ?>
            </span><?cs
            if:u.username == Session.user.username ?>
            <span class="role-tag">You</span><?cs
            else ?>
            <div class="button-row person-actions"><?cs
              call:message_button(u.username, "btn btn-secondary btn-sm") ?><?cs
              call:add_contact_button(u.username, "btn btn-primary btn-sm") ?></div><?cs
            /if ?>
          </li><?cs
        /each ?>
        </ul><?cs
        elif:Layout.q ?>
        <p class="empty">Nobody found for “<bdi><?cs var:Layout.q ?></bdi>”. Check the spelling, or try the first letters of a name.</p><?cs
        else ?>
        <p class="empty">Type a name or username to find people to chat with.</p><?cs
        /if ?>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
