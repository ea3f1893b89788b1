<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "contacts" ?><?cs set:Layout.section = "contacts" ?><?cs set:Layout.title = "Contacts" ?><?cs #
  GET /contacts, and the re-render after a failed POST /contacts, /blocks,
  …/accept, …/decline, …/remove. Reads Data.contacts.N.{user.{id,username,
  display_name,status_text,presence.{state,last_seen}},state,since},
  Data.incoming.N, Data.outgoing.N (same shape, without presence),
  Data.blocked.N.{user,since}, Form.username, Error.*, Page.path, Page.done,
  Session.*.

  person_head(u, with_presence): "1" where the list shows presence (accepted
  contacts), "0" elsewhere.

  An error of POST /contacts shows under the add-contact field; any other
  error (accept, block, …) at the top of the page.
?><?cs def:person_head(u, with_presence) ?>
              <?cs call:avatar(u, "avatar-md") ?>
              <span class="person-text">
                <span class="person-name"><span class="person-display"><?cs call:user_name(u) ?></span><?cs if:with_presence == "1" ?><?cs call:presence(u, "compact") ?><?cs /if ?></span>
                <a class="person-handle" href="/users/<?cs var:u.username ?>">@<?cs var:u.username ?></a><?cs
                if:u.status_text ?>
                <span class="person-status"><bdi><?cs var:u.status_text ?></bdi></span><?cs
                /if ?>
              </span><?cs /def ?><?cs #

?><?cs def:page_body() ?><?cs
    if:Page.path == "/contacts" ?><?cs set:Layout.form = "add" ?><?cs else ?><?cs set:Layout.form = "other" ?><?cs /if ?>
    <div class="container">
      <div class="page-head">
        <div>
          <h1 id="page-title">Contacts</h1>
          <p class="muted">People you chat with. Contact requests need the other person's yes.</p>
        </div>
      </div><?cs
      if:Page.done == "requested" ?><?cs call:notice("Contact request sent.") ?><?cs
      elif:Page.done == "accepted" ?><?cs call:notice("Contact request accepted.") ?><?cs
      elif:Page.done == "declined" ?><?cs call:notice("Contact request declined.") ?><?cs
      elif:Page.done == "removed" ?><?cs call:notice("Removed.") ?><?cs
      elif:Page.done == "blocked" ?><?cs call:notice("Blocked. They can no longer message you or send you requests.") ?><?cs
      elif:Page.done == "unblocked" ?><?cs call:notice("Unblocked.") ?><?cs
      /if ?><?cs
      if:Layout.form != "add" ?><?cs call:form_error("-", "-", "-", "-") ?><?cs /if ?>
      <div class="two-col aside-first">
        <div class="stack"><?cs
        if:subcount(Data.incoming) > 0 ?>
          <section class="card card-highlight" aria-labelledby="incoming-title">
            <h2 id="incoming-title">Requests for you <span class="count-pill"><?cs var:subcount(Data.incoming) ?></span></h2>
            <ul class="people-list"><?cs
            each:c = Data.incoming ?>
              <li class="person"><?cs call:person_head(c.user, "0") ?>
                <div class="button-row person-actions">
                  <form class="inline-form" method="post" action="/contacts/<?cs var:c.user.id ?>/accept"><?cs call:csrf_field() ?><button type="submit" class="btn btn-primary btn-sm">Accept<span class="visually-hidden"> @<?cs var:c.user.username ?></span></button></form>
                  <form class="inline-form" method="post" action="/contacts/<?cs var:c.user.id ?>/decline"><?cs call:csrf_field() ?><button type="submit" class="btn btn-secondary btn-sm">Decline<span class="visually-hidden"> @<?cs var:c.user.username ?></span></button></form>
                </div>
              </li><?cs
            /each ?>
            </ul>
          </section><?cs
        /if ?>

          <section class="card" aria-labelledby="contacts-title">
            <h2 id="contacts-title">Your contacts <span class="count-pill"><?cs var:subcount(Data.contacts) ?></span></h2><?cs
            if:subcount(Data.contacts) > 0 ?>
            <ul class="people-list"><?cs
            each:c = Data.contacts ?>
              <li class="person"><?cs call:person_head(c.user, "1") ?>
                <div class="button-row person-actions"><?cs
                  call:message_button(c.user.username, "btn btn-primary btn-sm") ?>
                  <form class="inline-form" method="post" action="/contacts/<?cs var:c.user.id ?>/remove"><?cs call:csrf_field() ?><button type="submit" class="btn btn-secondary btn-sm">Remove<span class="visually-hidden"> @<?cs var:c.user.username ?> from contacts</span></button></form>
                  <form class="inline-form" method="post" action="/blocks"><?cs call:csrf_field() ?><input type="hidden" name="username" value="<?cs var:c.user.username ?>"><button type="submit" class="btn btn-danger-quiet btn-sm">Block<span class="visually-hidden"> @<?cs var:c.user.username ?></span></button></form>
                </div>
              </li><?cs
            /each ?>
            </ul><?cs
            else ?>
            <div class="empty-state">
              <span class="empty-icon" aria-hidden="true"><svg viewBox="0 0 24 24" width="26" height="26" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d="M16 19v-1.5a3.5 3.5 0 0 0-3.5-3.5h-5A3.5 3.5 0 0 0 4 17.5V19"/><circle cx="10" cy="7.5" r="3.5"/><path d="M19 8v6M16 11h6"/></svg></span>
              <h3>No contacts yet</h3>
              <p>Add someone by username, or <a href="/users">search for people</a>.</p>
            </div><?cs
            /if ?>
          </section><?cs

        if:subcount(Data.outgoing) > 0 ?>
          <section class="card" aria-labelledby="outgoing-title">
            <h2 id="outgoing-title">Waiting for an answer <span class="count-pill"><?cs var:subcount(Data.outgoing) ?></span></h2>
            <ul class="people-list"><?cs
            each:c = Data.outgoing ?>
              <li class="person"><?cs call:person_head(c.user, "0") ?>
                <div class="button-row person-actions">
                  <span class="muted person-since">Asked <?cs call:time(c.since) ?></span>
                  <form class="inline-form" method="post" action="/contacts/<?cs var:c.user.id ?>/remove"><?cs call:csrf_field() ?><button type="submit" class="btn btn-secondary btn-sm">Cancel<span class="visually-hidden"> request to @<?cs var:c.user.username ?></span></button></form>
                </div>
              </li><?cs
            /each ?>
            </ul>
          </section><?cs
        /if ?><?cs

        if:subcount(Data.blocked) > 0 ?>
          <section class="card" aria-labelledby="blocked-title">
            <h2 id="blocked-title">Blocked <span class="count-pill"><?cs var:subcount(Data.blocked) ?></span></h2>
            <p class="muted">They cannot message you, add you to groups or send you requests. They are not told.</p>
            <ul class="people-list"><?cs
            each:b = Data.blocked ?>
              <li class="person"><?cs call:person_head(b.user, "0") ?>
                <div class="button-row person-actions">
                  <form class="inline-form" method="post" action="/blocks/<?cs var:b.user.id ?>/remove"><?cs call:csrf_field() ?><button type="submit" class="btn btn-secondary btn-sm">Unblock<span class="visually-hidden"> @<?cs var:b.user.username ?></span></button></form>
                </div>
              </li><?cs
            /each ?>
            </ul>
          </section><?cs
        /if ?>
        </div>

        <aside>
          <section class="card side-card" aria-labelledby="add-title">
            <h2 id="add-title">Add a contact</h2>
            <form class="form" method="post" action="/contacts">
              <?cs call:csrf_field() ?><?cs
              if:Layout.form == "add" ?><?cs set:Layout.mine = "1" ?><?cs else ?><?cs set:Layout.mine = "0" ?><?cs /if ?><?cs
              call:username_row("username", Layout.mine, "Add") ?>
            </form>
          </section>
          <section class="card side-card" aria-labelledby="find-title">
            <h2 id="find-title">Find people</h2>
            <form class="form" method="get" action="/users" role="search">
              <div class="field">
                <label for="q">Name or username</label>
                <div class="input-row">
                  <input id="q" name="q" type="search" required maxlength="64" autocomplete="off" autocapitalize="none" spellcheck="false" placeholder="Search">
                  <button type="submit" class="btn btn-secondary">Search</button>
                </div>
              </div>
            </form>
          </section>
        </aside>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
