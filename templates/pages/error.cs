<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "error" ?><?cs #
  Any error page. Reads Error.{status,code,message}, Session.user.
?><?cs if:Error.status == 404 ?><?cs set:Layout.heading = "Page not found"
?><?cs elif:Error.status == 401 ?><?cs set:Layout.heading = "Please log in"
?><?cs elif:Error.status == 403 ?><?cs set:Layout.heading = "Not allowed"
?><?cs elif:Error.status == 405 ?><?cs set:Layout.heading = "Not allowed here"
?><?cs elif:Error.status == 429 ?><?cs set:Layout.heading = "Slow down"
?><?cs elif:Error.status == 503 ?><?cs set:Layout.heading = "Temporarily unavailable"
?><?cs elif:Error.status >= 500 ?><?cs set:Layout.heading = "Something went wrong"
?><?cs else ?><?cs set:Layout.heading = "That didn't work"
?><?cs /if ?><?cs set:Layout.title = Layout.heading ?><?cs def:page_body() ?>
    <div class="container narrow">
      <section class="card error-card" aria-labelledby="page-title">
        <p class="error-status"><?cs if:Error.status ?><?cs var:Error.status ?><?cs else ?>Error<?cs /if ?></p>
        <h1 id="page-title"><?cs var:Layout.heading ?></h1>
        <p class="lead"><?cs if:Error.message ?><?cs var:Error.message ?><?cs else ?>Something went wrong.<?cs /if ?></p><?cs
        if:Error.code ?>
        <p class="muted">Error code: <code><?cs var:Error.code ?></code></p><?cs
        /if ?>
        <p class="error-actions">
          <a class="btn btn-primary" href="/">Go home</a><?cs
          if:Error.status == 401 && !?Session.user.id ?>
          <a class="btn btn-secondary" href="/login">Log in</a><?cs
          /if ?>
        </p>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
