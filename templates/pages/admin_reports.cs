<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "admin" ?><?cs set:Layout.title = "Reports" ?><?cs #
  GET /admin/reports?state=open|resolved (administrators only) and a failed resolve form. Reads
  Data.reports.N.{id,reason,state,outcome,created_at,reporter.username,user.{id,username,
  display_name},message.{conversation_id,seq},context.N.{seq,body,deleted,sender.*,created_at}},
  Page.query.state, Page.done, Error.*.
?><?cs def:page_body() ?>
    <div class="container">
      <p class="back-link"><a href="/admin">Administration</a></p>
      <h1 id="page-title">Reports</h1><?cs
      if:Page.done == "resolved" ?><?cs call:notice("Resolved: the reporter has been told.") ?><?cs /if ?><?cs
      call:form_error("action", "-", "-", "-") ?>
      <p><?cs if:Page.query.state == "resolved" ?><a href="/admin/reports">Open reports</a> · <strong>Resolved</strong><?cs else ?><strong>Open reports</strong> · <a href="/admin/reports?state=resolved">Resolved</a><?cs /if ?></p><?cs
      if:subcount(Data.reports) == 0 ?>
      <p>Nothing here.</p><?cs
      /if ?>
      <div class="stack"><?cs each:r = Data.reports ?>
        <section class="card report" aria-labelledby="report-<?cs var:r.id ?>">
          <h2 id="report-<?cs var:r.id ?>">Report <?cs var:r.id ?>: <?cs if:r.message.seq ?>a message by<?cs else ?>the person<?cs /if ?> <?cs if:r.user.username ?>@<?cs var:r.user.username ?><?cs else ?>a deleted account<?cs /if ?></h2>
          <p class="muted">From @<?cs var:r.reporter.username ?>, <?cs call:time(r.created_at) ?><?cs if:r.state == "resolved" ?> · resolved: <?cs var:r.outcome ?><?cs /if ?></p>
          <p dir="auto"><strong>Reason:</strong> <?cs var:r.reason ?></p><?cs
          if:subcount(r.context) > 0 ?>
          <ol class="report-context"><?cs each:m = r.context ?>
            <li<?cs if:m.seq == r.message.seq ?> class="is-reported" aria-current="true"<?cs /if ?>><span class="muted"><?cs call:time_hm(m.created_at) ?></span> <strong><?cs if:m.sender.username ?><?cs call:user_name(m.sender) ?><?cs else ?>Deleted account<?cs /if ?></strong>: <span dir="auto"><?cs if:m.deleted ?><em><?cs if:m.removed ?>removed by an administrator<?cs else ?>deleted<?cs /if ?></em><?cs else ?><?cs var:m.body ?><?cs /if ?></span></li><?cs /each ?>
          </ol><?cs
          /if ?><?cs
          if:r.state == "open" ?>
          <form class="inline-form" method="post" action="/admin/reports/<?cs var:r.id ?>/resolve">
            <?cs call:csrf_field() ?>
            <label for="action-<?cs var:r.id ?>">Resolve by</label>
            <select class="select-sm" id="action-<?cs var:r.id ?>" name="action"><?cs
              if:r.message.seq ?><option value="remove">removing the message</option><?cs /if ?>
              <option value="warn">warning the person</option>
              <option value="deactivate">deactivating the account</option>
              <option value="dismiss">dismissing it (no action)</option>
            </select>
            <button type="submit" class="btn btn-primary btn-sm">Resolve<span class="visually-hidden"> report <?cs var:r.id ?></span></button>
          </form><?cs
          /if ?>
        </section><?cs /each ?>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
