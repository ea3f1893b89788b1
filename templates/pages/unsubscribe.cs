<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "unsubscribe" ?><?cs set:Layout.title = "E-mail digests" ?><?cs #
  GET /unsubscribe/digests?user=&token= (the link in every digest mail): what it does, and a
  button that does it (no sign-in: the signed link is the authority, RFC 8058). The POST of
  that URL renders this page again with Data.unsubscribed = 1. Reads Data.{user,token,
  unsubscribed}. A link that does not work is the error page (400) with its reason.
?><?cs def:page_body() ?>
    <div class="container narrow">
      <section class="card" aria-labelledby="page-title">
        <h1 id="page-title">E-mail digests</h1><?cs
        if:Data.unsubscribed == "1" ?><?cs
          call:notice("E-mail digests are off. You will get no more mails about unread messages.") ?>
        <p>You can turn them on again on your <a href="/push/subscriptions">Notifications</a> page.</p><?cs
        else ?>
        <p class="lead">Stop the mails about messages you left unread?</p>
        <form class="form" method="post" action="/unsubscribe/digests?user=<?cs var:Data.user ?>&amp;token=<?cs var:Data.token ?>">
          <input type="hidden" name="List-Unsubscribe" value="One-Click">
          <button type="submit" class="btn btn-primary">Turn e-mail digests off</button>
        </form>
        <p class="muted">Web Push notifications and mails about your account (password reset) do not change.</p><?cs
        /if ?>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
