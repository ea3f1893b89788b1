<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "report-new" ?><?cs set:Layout.title = "Report" ?><?cs #
  GET /reports/new?conversation_id=&seq= (a message you can see) or ?user_id= (a person), and
  POST /reports when it fails. Reads Data.message.{seq,body,sender.{username,display_name},
  created_at,deleted}, Data.conversation.{id,title}, Data.user.{id,username,display_name},
  Form.reason, Error.*, Session.*.
?><?cs def:page_body() ?>
    <div class="container narrow">
      <section class="card" aria-labelledby="page-title">
        <h1 id="page-title"><?cs if:Data.message.seq ?>Report a message<?cs else ?>Report a person<?cs /if ?></h1>
        <p class="muted">The administrators of this server will see your report and <?cs if:Data.message.seq ?>the messages around this one<?cs else ?>who you report<?cs /if ?>, and tell you what they did. The person you report is not told who reported them.</p><?cs
        if:Data.message.seq ?>
        <blockquote class="report-subject">
          <p><strong><?cs call:user_name(Data.message.sender) ?></strong> in <bdi><?cs var:Data.conversation.title ?></bdi>, <?cs call:time(Data.message.created_at) ?></p>
          <p dir="auto"><?cs if:Data.message.deleted ?><em>This message was deleted.</em><?cs else ?><?cs var:Data.message.body ?><?cs /if ?></p>
        </blockquote><?cs
        elif:Data.user.id ?>
        <p class="report-subject"><strong><?cs call:user_name(Data.user) ?></strong> <span class="muted">@<?cs var:Data.user.username ?></span></p><?cs
        /if ?>
        <form class="form" method="post" action="/reports">
          <?cs call:csrf_field() ?><?cs
          call:form_error("reason", "seq", "user_id", "-") ?><?cs
          if:Data.message.seq ?>
          <input type="hidden" name="conversation_id" value="<?cs var:Data.conversation.id ?>">
          <input type="hidden" name="seq" value="<?cs var:Data.message.seq ?>"><?cs
          else ?>
          <input type="hidden" name="user_id" value="<?cs var:Data.user.id ?>"><?cs
          /if ?>
          <div class="<?cs call:field_class("reason") ?>">
            <label for="reason">What is wrong?</label>
            <textarea id="reason" name="reason" rows="4" required maxlength="1000"<?cs call:field_attrs("reason", "1") ?>><?cs var:Form.reason ?></textarea><?cs
            call:field_error("reason") ?>
            <p class="hint" id="reason-hint">Spam, harassment, something illegal… up to 1,000 characters.</p>
          </div>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary">Send report</button><?cs
            if:Data.message.seq ?>
            <a class="btn btn-secondary" href="/conversations/<?cs var:Data.conversation.id ?>?around=<?cs var:Data.message.seq ?>#m<?cs var:Data.message.seq ?>">Cancel</a><?cs
            elif:Data.user.username ?>
            <a class="btn btn-secondary" href="/users/<?cs var:Data.user.username ?>">Cancel</a><?cs
            /if ?>
          </div>
        </form>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
