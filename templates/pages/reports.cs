<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "reports" ?><?cs set:Layout.title = "Your reports" ?><?cs #
  GET /reports: the reports you sent and what became of them. Reads Data.reports.N.{id,reason,
  state,outcome,created_at,resolved_at,user.{username,display_name},message.{conversation_id,seq}},
  Page.done.
?><?cs def:outcome_text(o) ?><?cs
  if:o == "removed" ?>The message was removed<?cs
  elif:o == "warned" ?>The person was warned<?cs
  elif:o == "deactivated" ?>The account was deactivated<?cs
  elif:o == "dismissed" ?>Reviewed: no action taken<?cs
  else ?><?cs var:o ?><?cs /if ?><?cs /def ?><?cs
def:page_body() ?>
    <div class="container">
      <h1 id="page-title">Your reports</h1><?cs
      if:Page.done == "reported" ?><?cs call:notice("Thank you: the administrators will look at your report and tell you what they did.") ?><?cs /if ?><?cs
      if:subcount(Data.reports) > 0 ?>
      <div class="table-wrap">
        <table class="data-table">
          <thead><tr><th scope="col">Sent</th><th scope="col">About</th><th scope="col">Reason</th><th scope="col">What happened</th></tr></thead>
          <tbody><?cs each:r = Data.reports ?>
            <tr>
              <td><?cs call:time(r.created_at) ?></td>
              <th scope="row"><?cs if:r.message.seq ?><a href="/conversations/<?cs var:r.message.conversation_id ?>?around=<?cs var:r.message.seq ?>#m<?cs var:r.message.seq ?>">A message</a> by <?cs /if ?><?cs if:r.user.username ?>@<?cs var:r.user.username ?><?cs else ?>a deleted account<?cs /if ?></th>
              <td dir="auto"><?cs var:r.reason ?></td>
              <td><?cs if:r.state == "open" ?>Waiting for an administrator<?cs else ?><?cs call:outcome_text(r.outcome) ?> (<?cs call:time(r.resolved_at) ?>)<?cs /if ?></td>
            </tr><?cs /each ?>
          </tbody>
        </table>
      </div><?cs
      else ?>
      <p>You have not reported anything. To report a message, use “Report” under it; to report a person, their profile.</p><?cs
      /if ?>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
