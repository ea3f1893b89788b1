<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "tokens" ?><?cs set:Layout.title = "API tokens" ?><?cs set:Layout.tab = "tokens" ?><?cs #
  GET/POST /me/tokens. Reads Data.tokens.N.{id,name,created_at,last_used_at},
  Data.secret and Data.token.name (right after creating one), Form.name,
  Page.done, Error.*, Session.*.
?><?cs def:page_body() ?>
    <div class="container account">
<?cs include:"partials/account_header.cs" ?><?cs
      if:Page.done == "revoked" ?><?cs call:notice("The token was revoked. It stopped working at once.") ?><?cs
      /if ?><?cs
      if:?Data.secret ?>
      <section class="card secret-card" aria-labelledby="secret-title" role="status">
        <h2 id="secret-title">Your new token<?cs if:Data.token.name ?> “<bdi><?cs var:Data.token.name ?></bdi>”<?cs /if ?></h2>
        <p class="secret-warning"><strong>Copy it now, it will not be shown again.</strong> Parley keeps only a hash of it.</p>
        <?cs call:secret_value("new-token", "New API token", Data.secret) ?>
        <p class="hint">Use it as a bearer token: <code>Authorization: Bearer <?cs var:Data.secret ?></code></p>
      </section><?cs
      /if ?>
      <div class="stack">
        <section class="card" aria-labelledby="create-title">
          <h2 id="create-title">Create a token</h2>
          <p class="muted">Tokens let scripts and bots use the JSON API as you. They keep working after you log out.</p>
          <form class="form form-inline" method="post" action="/me/tokens">
            <?cs call:csrf_field() ?><?cs
            call:form_error("name", "-", "-", "-") ?>
            <div class="<?cs call:field_class("name") ?>">
              <label for="name">Name</label>
              <div class="input-row">
                <input id="name" name="name" type="text" autocomplete="off" required maxlength="64" placeholder="e.g. backup script" value="<?cs var:Form.name ?>"<?cs call:field_attrs("name", "1") ?>>
                <button type="submit" class="btn btn-primary">Create token</button>
              </div><?cs
              call:field_error("name") ?>
              <p class="hint" id="name-hint">Something that tells you later what it is for.</p>
            </div>
          </form>
        </section>

        <section class="card" aria-labelledby="tokens-title">
          <h2 id="tokens-title">Your tokens</h2><?cs
          if:subcount(Data.tokens) > 0 ?>
          <?cs call:data_table_head("Name", "Created", "Last used", "-", "Actions") ?><?cs
              each:t = Data.tokens ?>
                <tr>
                  <th scope="row" data-label="Name"><bdi><?cs var:t.name ?></bdi></th>
                  <td data-label="Created"><?cs call:time(t.created_at) ?></td>
                  <td data-label="Last used"><?cs if:t.last_used_at ?><?cs call:time(t.last_used_at) ?><?cs else ?><span class="muted">never</span><?cs /if ?></td>
                  <?cs call:row_action("/me/tokens/" + t.id + "/revoke", "Revoke", t.name) ?>
                </tr><?cs
              /each ?><?cs call:data_table_end() ?><?cs
          else ?>
          <p class="empty">No tokens yet. Create one above to use the API from a script.</p><?cs
          /if ?>
        </section>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
