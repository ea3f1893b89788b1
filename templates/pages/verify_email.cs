<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "verify_email" ?><?cs set:Layout.title = "E-mail address verified" ?><?cs #
  GET /verify-email?token= (the link of a verification mail). Reads Data.email. A link
  that does not work is the error page (400) with its reason.
?><?cs def:page_body() ?>
    <div class="container narrow">
      <section class="card" aria-labelledby="page-title">
        <h1 id="page-title">E-mail address verified</h1><?cs
        call:notice("Your e-mail address is verified.") ?>
        <p class="lead"><strong><?cs var:Data.email ?></strong> can now receive the link to reset your password if you ever forget it.</p>
        <p><a class="btn btn-primary" href="/me">Your profile</a></p>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
