<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "bots" ?><?cs set:Layout.title = "Bots" ?><?cs set:Layout.tab = "bots" ?><?cs #
  GET/POST /bots. Reads Data.bots.N.{id,username,display_name,created_at}, Data.bot.username,
  Data.secret (right after creating one), Form.{username,display_name}, Page.done, Error.*, Session.*.
?><?cs def:page_body() ?>
    <div class="container account">
<?cs include:"partials/account_header.cs" ?><?cs
      if:Page.done == "deleted" ?><?cs call:notice("The bot was deleted, and its tokens with it.") ?><?cs
      /if ?><?cs
      if:?Data.secret ?>
      <section class="card secret-card" aria-labelledby="secret-title" role="status">
        <h2 id="secret-title">The token of @<?cs var:Data.bot.username ?></h2>
        <p class="secret-warning"><strong>Copy it now, it will not be shown again.</strong> Parley keeps only a hash of it.</p>
        <?cs call:secret_value("new-token", "The bot's API token", Data.secret) ?>
        <p class="hint">The bot uses it as a bearer token: <code>Authorization: Bearer <?cs var:Data.secret ?></code></p>
      </section><?cs
      /if ?>
      <div class="stack">
        <section class="card" aria-labelledby="create-title">
          <h2 id="create-title">Make a bot</h2>
          <p class="muted">A bot is an account of its own, marked BOT wherever its name shows, that your scripts run with an API token. It cannot sign in with a password. Add it to conversations like anyone else.</p>
          <form class="form" method="post" action="/bots">
            <?cs call:csrf_field() ?><?cs
            call:form_error("username", "display_name", "-", "-") ?>
            <div class="<?cs call:field_class("username") ?>">
              <label for="username">Username</label>
              <input id="username" name="username" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" required maxlength="32" placeholder="e.g. deploy-bot" value="<?cs var:Form.username ?>"<?cs call:field_attrs("username", "0") ?>><?cs
              call:field_error("username") ?>
            </div>
            <div class="<?cs call:field_class("display_name") ?>">
              <label for="display_name">Display name</label>
              <input id="display_name" name="display_name" type="text" autocomplete="off" required maxlength="64" placeholder="e.g. Deploy bot" value="<?cs var:Form.display_name ?>"<?cs call:field_attrs("display_name", "0") ?>><?cs
              call:field_error("display_name") ?>
            </div>
            <button type="submit" class="btn btn-primary">Make bot</button>
          </form>
        </section>

        <section class="card" aria-labelledby="bots-title">
          <h2 id="bots-title">Your bots</h2><?cs
          if:subcount(Data.bots) > 0 ?>
          <?cs call:data_table_head("Bot", "Created", "-", "-", "Actions") ?><?cs
              each:b = Data.bots ?>
                <tr>
                  <th scope="row" data-label="Bot"><a href="/users/<?cs var:b.username ?>"><?cs call:user_name(b) ?></a> <span class="muted">@<?cs var:b.username ?></span></th>
                  <td data-label="Created"><?cs call:time(b.created_at) ?></td>
                  <td class="cell-action">
                    <form method="post" action="/bots/<?cs var:b.id ?>/delete">
                      <?cs call:csrf_field() ?>
                      <button type="submit" class="btn btn-secondary btn-sm">Delete<span class="visually-hidden"> @<?cs var:b.username ?></span></button>
                    </form>
                  </td>
                </tr><?cs
              /each ?><?cs call:data_table_end() ?><?cs
          else ?>
          <p class="empty">No bots yet.</p><?cs
          /if ?>
        </section>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
