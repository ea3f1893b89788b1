<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "conversation_webhooks" ?><?cs set:Layout.title = "Webhooks" ?><?cs #
  GET/POST /conversations/<id>/webhooks (owners and admins): the conversation's incoming
  webhooks. Reads Data.conversation.{id,title}, Data.webhooks.N.{id,name,created_at,
  last_used_at,bot.username}, Data.url and Data.webhook.name (right after creating one),
  Form.name, Page.done, Error.*, Session.*.
?><?cs def:page_body() ?>
    <div class="container account">
      <p class="back-link"><a href="/conversations/<?cs var:Data.conversation.id ?>/settings">Back to the settings of <bdi><?cs var:Data.conversation.title ?></bdi></a></p><?cs
      if:Page.done == "revoked" ?><?cs call:notice("The webhook was revoked. Its URL stopped working at once.") ?><?cs
      /if ?><?cs
      if:?Data.url ?>
      <section class="card secret-card" aria-labelledby="secret-title" role="status">
        <h2 id="secret-title">Your new webhook “<bdi><?cs var:Data.webhook.name ?></bdi>”</h2>
        <p class="secret-warning"><strong>Copy its URL now, it will not be shown again.</strong> Parley keeps only a hash of it. Whoever has the URL can post here.</p>
        <label class="visually-hidden" for="new-hook">Webhook URL</label>
        <input class="secret-value" id="new-hook" type="text" readonly autocomplete="off" spellcheck="false" value="<?cs var:Data.url ?>">
        <p class="hint">Post to it: <code>curl -H 'Content-Type: application/json' -d '{"text":"Hello"}' <?cs var:Data.url ?></code></p>
      </section><?cs
      /if ?>
      <div class="stack">
        <section class="card" aria-labelledby="create-title">
          <h1 id="create-title">Incoming webhooks</h1>
          <p class="muted">A webhook is a secret URL that scripts and other services (anything that speaks Slack's incoming webhooks) post to. Its messages appear in <bdi><?cs var:Data.conversation.title ?></bdi> under the webhook's name, marked BOT.</p>
          <form class="form form-inline" method="post" action="/conversations/<?cs var:Data.conversation.id ?>/webhooks">
            <?cs call:csrf_field() ?><?cs
            call:form_error("name", "-", "-", "-") ?>
            <div class="<?cs call:field_class("name") ?>">
              <label for="name">Name</label>
              <div class="input-row">
                <input id="name" name="name" type="text" autocomplete="off" required maxlength="64" placeholder="e.g. Deploys" value="<?cs var:Form.name ?>"<?cs call:field_attrs("name", "1") ?>>
                <button type="submit" class="btn btn-primary">Create webhook</button>
              </div><?cs
              call:field_error("name") ?>
              <p class="hint" id="name-hint">Shown as the sender of what it posts.</p>
            </div>
          </form>
        </section>

        <section class="card" aria-labelledby="hooks-title">
          <h2 id="hooks-title">Webhooks of this conversation</h2><?cs
          if:subcount(Data.webhooks) > 0 ?>
          <div class="table-wrap">
            <table class="data-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col"><span class="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody><?cs
              each:h = Data.webhooks ?>
                <tr>
                  <th scope="row" data-label="Name"><bdi><?cs var:h.name ?></bdi> <span class="badge badge-bot">BOT</span></th>
                  <td data-label="Created"><?cs call:time(h.created_at) ?></td>
                  <td data-label="Last used"><?cs if:h.last_used_at ?><?cs call:time(h.last_used_at) ?><?cs else ?><span class="muted">never</span><?cs /if ?></td>
                  <td class="cell-action">
                    <form method="post" action="/conversations/<?cs var:Data.conversation.id ?>/webhooks/<?cs var:h.id ?>/delete">
                      <?cs call:csrf_field() ?>
                      <button type="submit" class="btn btn-secondary btn-sm">Revoke<span class="visually-hidden"> <bdi><?cs var:h.name ?></bdi></span></button>
                    </form>
                  </td>
                </tr><?cs
              /each ?>
              </tbody>
            </table>
          </div><?cs
          else ?>
          <p class="empty">No webhooks yet.</p><?cs
          /if ?>
        </section>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
