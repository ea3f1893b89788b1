<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "conversation_moderation" ?><?cs set:Layout.title = "Moderation log" ?><?cs #
  GET /conversations/<id>/moderation (owners and admins of a group or channel): who muted,
  unmuted, removed or changed the role of whom, newest first. Reads Data.conversation.{id,title},
  Data.entries.N.{at,action,detail.{minutes,until,from,to},actor.username,subject.username}.
?><?cs def:minutes_label(m) ?><?cs
  if:m == 10 ?>10 minutes<?cs elif:m == 60 ?>1 hour<?cs elif:m == 1440 ?>1 day<?cs elif:m == 10080 ?>1 week<?cs
  else ?><?cs var:m ?> minutes<?cs /if ?><?cs /def ?><?cs
def:page_body() ?>
    <div class="container account">
      <p class="back-link"><a href="/conversations/<?cs var:Data.conversation.id ?>/settings">Back to the settings of <bdi><?cs var:Data.conversation.title ?></bdi></a></p>
      <section class="card" aria-labelledby="log-title">
        <h1 id="log-title">Moderation log</h1>
        <p class="muted">What owners and admins of <bdi><?cs var:Data.conversation.title ?></bdi> did to its members, newest first.</p><?cs
        if:subcount(Data.entries) > 0 ?>
        <div class="table-wrap">
          <table class="data-table">
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th></tr></thead>
            <tbody><?cs each:e = Data.entries ?>
              <tr><td><?cs call:time(e.at) ?></td><th scope="row"><?cs if:e.actor.username ?>@<?cs var:e.actor.username ?><?cs else ?>A deleted account<?cs /if ?></th><td><?cs
                set:Layout.who = "someone whose account is gone" ?><?cs if:e.subject.username ?><?cs set:Layout.who = "@" + e.subject.username ?><?cs /if ?><?cs
                if:e.action == "member.mute" ?>muted <?cs var:Layout.who ?> for <?cs call:minutes_label(e.detail.minutes) ?><?cs
                elif:e.action == "member.unmute" ?>unmuted <?cs var:Layout.who ?><?cs
                elif:e.action == "member.remove" ?>removed <?cs var:Layout.who ?><?cs
                elif:e.action == "member.role" ?>made <?cs var:Layout.who ?> <?cs var:e.detail.to ?> (was <?cs var:e.detail.from ?>)<?cs
                else ?><?cs var:e.action ?> <?cs var:Layout.who ?><?cs /if ?></td></tr><?cs /each ?>
            </tbody>
          </table>
        </div><?cs
        else ?>
        <p>Nothing yet.</p><?cs
        /if ?>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
