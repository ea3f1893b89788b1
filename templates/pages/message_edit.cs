<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "message-edit" ?><?cs set:Layout.section = "conversations" ?><?cs set:Layout.title = "Edit message" ?><?cs #
  GET/POST /conversations/<id>/messages/<seq>/edit. Reads
  Data.conversation.{id,title}, Data.message.{seq,body,created_at},
  Form.body, Error.*, Session.*.
?><?cs def:page_body() ?>
    <div class="container narrow">
      <p class="back-link"><a href="/conversations/<?cs var:Data.conversation.id ?>?around=<?cs var:Data.message.seq ?>#m<?cs var:Data.message.seq ?>"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" d="M12.5 4.5 7 10l5.5 5.5"/></svg><bdi><?cs var:Data.conversation.title ?></bdi></a></p>
      <section class="card" aria-labelledby="page-title">
        <h1 id="page-title">Edit message</h1>
        <p class="muted">Sent <?cs call:time(Data.message.created_at) ?>. Everyone sees that it was edited.</p>
        <form class="form" method="post" action="/conversations/<?cs var:Data.conversation.id ?>/messages/<?cs var:Data.message.seq ?>/edit">
          <?cs call:csrf_field() ?><?cs
          call:form_error("body", "-", "-", "-") ?>
          <div class="<?cs call:field_class("body") ?>">
            <label for="body">Message</label>
            <textarea id="body" name="body" rows="6" required maxlength="16384"<?cs call:field_attrs("body", "1") ?>><?cs if:?Form.body ?><?cs var:Form.body ?><?cs else ?><?cs var:Data.message.body ?><?cs /if ?></textarea><?cs
            call:field_error("body") ?>
            <p class="hint" id="body-hint">**bold**, *italic*, `code`, links and @mentions are formatted.</p>
          </div>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary">Save changes</button>
            <a class="btn btn-secondary" href="/conversations/<?cs var:Data.conversation.id ?>?around=<?cs var:Data.message.seq ?>#m<?cs var:Data.message.seq ?>">Cancel</a>
          </div>
        </form>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
