<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "conversation-notifications" ?><?cs set:Layout.section = "conversations" ?><?cs set:Layout.title = "Notifications" ?><?cs #
  GET /conversations/<id>/notifications, and the re-render after a failed POST: what this
  person is notified of here. Reads Data.conversation.{id,kind,title}, Data.level (null:
  the default), Data.default_level, Data.effective_level, Data.muted_until, Error.*,
  Page.done.
?><?cs def:level_option(value, label) ?><option value="<?cs var:value ?>"<?cs if:(value == "default" && !Data.level) || Data.level == value ?> selected<?cs /if ?>><?cs var:label ?></option><?cs /def ?><?cs #
?><?cs def:page_body() ?>
    <div class="container account">
      <p class="back-link"><a href="/conversations/<?cs var:Data.conversation.id ?>/settings">Back to the settings</a></p>
      <section class="card" aria-labelledby="page-title">
        <h1 id="page-title">Notifications for <bdi><?cs var:Data.conversation.title ?></bdi></h1><?cs
        if:Page.done == "saved" ?><?cs call:notice("Saved.") ?><?cs /if ?><?cs
        call:form_error("-", "-", "-", "-") ?>
        <p class="muted">Now: <?cs if:Data.effective_level == "all" ?>every message<?cs elif:Data.effective_level == "mentions" ?>only messages that mention you or your keywords<?cs else ?>nothing<?cs /if ?><?cs if:Data.muted_until ?>, muted until <?cs call:time(Data.muted_until) ?><?cs /if ?>.</p>
        <form class="form" method="post" action="/conversations/<?cs var:Data.conversation.id ?>/notifications">
          <?cs call:csrf_field() ?>
          <div class="field">
            <label for="notify-level">Notify me of</label>
            <select id="notify-level" name="level">
              <?cs call:level_option("default", "The default (" + Data.default_level + ")") ?>
              <?cs call:level_option("all", "Every message") ?>
              <?cs call:level_option("mentions", "Mentions and keywords only") ?>
              <?cs call:level_option("none", "Nothing") ?>
            </select>
          </div>
          <div class="field">
            <label for="notify-mute">Mute</label>
            <select id="notify-mute" name="mute_minutes">
              <option value="0">Not muted</option>
              <option value="60">For an hour</option>
              <option value="480">For 8 hours</option>
              <option value="1440">For a day</option>
              <option value="10080">For a week</option>
            </select>
          </div>
          <button type="submit" class="btn btn-primary">Save</button>
        </form>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
