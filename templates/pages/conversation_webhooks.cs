<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "conversation_webhooks" ?><?cs set:Layout.title = "Webhooks" ?><?cs #
  GET/POST /conversations/<id>/webhooks (owners and admins): the conversation's incoming
  and outgoing webhooks. Reads Data.conversation.{id,title}, Data.webhooks.N.{id,name,
  created_at,last_used_at,bot.username}, Data.url and Data.webhook.name (right after creating
  one), Data.outgoing.N.{id,name,url,trigger_word,mentions_only,last_error,bot.username},
  Data.secret and Data.outgoing_webhook.name (right after creating one), Form.*, Page.done,
  Page.path (which form failed), Error.*, Session.*.
?><?cs def:page_body() ?>
    <div class="container account">
      <p class="back-link"><a href="/conversations/<?cs var:Data.conversation.id ?>/settings">Back to the settings of <bdi><?cs var:Data.conversation.title ?></bdi></a></p><?cs
      if:Page.done == "revoked" ?><?cs call:notice("The webhook was revoked. Its URL stopped working at once.") ?><?cs
      /if ?><?cs
      if:?Data.url ?>
      <section class="card secret-card" aria-labelledby="secret-title" role="status">
        <h2 id="secret-title">Your new webhook “<bdi><?cs var:Data.webhook.name ?></bdi>”</h2>
        <p class="secret-warning"><strong>Copy its URL now, it will not be shown again.</strong> Parley keeps only a hash of it. Whoever has the URL can post here.</p>
        <?cs call:secret_value("new-hook", "Webhook URL", Data.url) ?>
        <p class="hint">Post to it: <code>curl -H 'Content-Type: application/json' -d '{"text":"Hello"}' <?cs var:Data.url ?></code></p>
      </section><?cs
      /if ?>
<?cs
      if:?Data.secret && ?Data.outgoing_webhook.name ?>
      <section class="card secret-card" aria-labelledby="osecret-title" role="status">
        <h2 id="osecret-title">The signing secret of “<bdi><?cs var:Data.outgoing_webhook.name ?></bdi>”</h2>
        <p class="secret-warning"><strong>Copy it now, it will not be shown again.</strong> Your receiver checks the X-Parley-Signature header of each request with it.</p>
        <?cs call:secret_value("new-secret", "Signing secret", Data.secret) ?>
      </section><?cs
      /if ?><?cs
      if:string.slice(Page.path, string.length(Page.path) - 18, string.length(Page.path)) == "/outgoing-webhooks" ?><?cs set:Layout.oform = "1" ?><?cs else ?><?cs set:Layout.oform = "0" ?><?cs /if ?>
      <div class="stack">
        <section class="card" aria-labelledby="create-title">
          <h1 id="create-title">Incoming webhooks</h1>
          <p class="muted">A webhook is a secret URL that scripts and other services (anything that speaks Slack's incoming webhooks) post to. Its messages appear in <bdi><?cs var:Data.conversation.title ?></bdi> under the webhook's name, marked BOT.</p>
          <form class="form form-inline" method="post" action="/conversations/<?cs var:Data.conversation.id ?>/webhooks">
            <?cs call:csrf_field() ?><?cs
            if:Layout.oform != "1" ?><?cs call:form_error("name", "-", "-", "-") ?><?cs /if ?>
            <div class="<?cs if:Layout.oform != "1" ?><?cs call:field_class("name") ?><?cs else ?>field<?cs /if ?>">
              <label for="name">Name</label>
              <div class="input-row">
                <input id="name" name="name" type="text" autocomplete="off" required maxlength="64" placeholder="e.g. Deploys" value="<?cs if:Layout.oform != "1" ?><?cs var:Form.name ?><?cs /if ?>"<?cs if:Layout.oform != "1" ?><?cs call:field_attrs("name", "1") ?><?cs /if ?>>
                <button type="submit" class="btn btn-primary">Create webhook</button>
              </div><?cs
              if:Layout.oform != "1" ?><?cs call:field_error("name") ?><?cs /if ?>
              <p class="hint" id="name-hint">Shown as the sender of what it posts.</p>
            </div>
          </form>
        </section>

        <section class="card" aria-labelledby="hooks-title">
          <h2 id="hooks-title">Webhooks of this conversation</h2><?cs
          if:subcount(Data.webhooks) > 0 ?>
          <?cs call:data_table_head("Name", "Created", "Last used", "-", "Actions") ?><?cs
              each:h = Data.webhooks ?>
                <tr>
                  <th scope="row" data-label="Name"><bdi><?cs var:h.name ?></bdi> <span class="badge badge-bot">BOT</span></th>
                  <td data-label="Created"><?cs call:time(h.created_at) ?></td>
                  <td data-label="Last used"><?cs if:h.last_used_at ?><?cs call:time(h.last_used_at) ?><?cs else ?><span class="muted">never</span><?cs /if ?></td>
                  <?cs call:row_action("/conversations/" + Data.conversation.id + "/webhooks/" + h.id + "/delete", "Revoke", h.name) ?>
                </tr><?cs
              /each ?><?cs call:data_table_end() ?><?cs
          else ?>
          <p class="empty">No webhooks yet.</p><?cs
          /if ?>
        </section>

        <section class="card" aria-labelledby="out-title">
          <h2 id="out-title">Outgoing webhooks</h2>
          <p class="muted">Parley sends each new message here (or only those that start with a trigger word or mention the webhook's bot) to a URL of yours, signed, and posts a <code>{"text":"…"}</code> answer back as the bot.</p>
          <form class="form" method="post" action="/conversations/<?cs var:Data.conversation.id ?>/outgoing-webhooks">
            <?cs call:csrf_field() ?><?cs
            if:Layout.oform == "1" ?><?cs call:form_error("-", "-", "-", "-") ?><?cs /if ?>
            <div class="field">
              <label for="out-name">Name</label>
              <input id="out-name" name="name" type="text" autocomplete="off" required maxlength="64" placeholder="e.g. Build bot" value="<?cs if:Layout.oform == "1" ?><?cs var:Form.name ?><?cs /if ?>">
            </div>
            <div class="field">
              <label for="out-url">URL</label>
              <input id="out-url" name="url" type="url" autocomplete="off" required maxlength="2048" placeholder="https://bots.example.org/parley" value="<?cs if:Layout.oform == "1" ?><?cs var:Form.url ?><?cs /if ?>">
            </div>
            <div class="field">
              <label for="out-trigger">Trigger word <span class="muted">(optional)</span></label>
              <input id="out-trigger" name="trigger_word" type="text" autocomplete="off" maxlength="32" placeholder="e.g. !build" value="<?cs if:Layout.oform == "1" ?><?cs var:Form.trigger_word ?><?cs /if ?>">
            </div>
            <div class="field">
              <label for="out-username">Bot username <span class="muted">(optional)</span></label>
              <input id="out-username" name="username" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="32" placeholder="e.g. buildbot" value="<?cs if:Layout.oform == "1" ?><?cs var:Form.username ?><?cs /if ?>">
            </div>
            <div class="field field-check">
              <input id="out-mentions" name="mentions_only" type="checkbox" value="1"><label for="out-mentions">Also send messages that mention the bot (with neither set: every message)</label>
            </div>
            <button type="submit" class="btn btn-primary">Create outgoing webhook</button>
          </form><?cs
          if:subcount(Data.outgoing) > 0 ?>
          <?cs call:data_table_head("Name", "Sends to", "When", "Last error", "Actions") ?><?cs
              each:h = Data.outgoing ?>
                <tr>
                  <th scope="row" data-label="Name"><?cs call:user_name(h.bot) ?> <span class="muted">@<?cs var:h.bot.username ?></span></th>
                  <td data-label="Sends to"><code><?cs var:h.url ?></code></td>
                  <td data-label="When"><?cs if:h.trigger_word ?>starts with <code><?cs var:h.trigger_word ?></code><?cs if:h.mentions_only == "1" ?> or mentions it<?cs /if ?><?cs elif:h.mentions_only == "1" ?>mentions it<?cs else ?>every message<?cs /if ?></td>
                  <td data-label="Last error"><?cs if:h.last_error ?><?cs var:h.last_error ?><?cs else ?><span class="muted">none</span><?cs /if ?></td>
                  <?cs call:row_action("/conversations/" + Data.conversation.id + "/outgoing-webhooks/" + h.id + "/delete", "Delete", h.name) ?>
                </tr><?cs
              /each ?><?cs call:data_table_end() ?><?cs
          else ?>
          <p class="empty">No outgoing webhooks yet.</p><?cs
          /if ?>
        </section>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
