<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "password_reset" ?><?cs set:Layout.title = "Choose a new password" ?><?cs #
  GET /password/reset?token= (the link of a reset mail) and a failed POST /password/reset.
  Reads Data.token (the link's, when it works) or Form.token (the one posted), Error.*.
  A link that does not work on GET is the error page (400) with its reason.
?><?cs def:page_body() ?>
    <div class="container auth">
      <section class="card auth-card" aria-labelledby="page-title">
        <h1 id="page-title">Choose a new password</h1>
        <p class="lead">Setting it signs your account out everywhere. Two-factor sign-in, if it is on, still applies.</p>
        <form class="form" method="post" action="/password/reset">
          <?cs call:csrf_field() ?><?cs if:Data.token ?>
          <input type="hidden" name="token" value="<?cs var:Data.token ?>"><?cs elif:Form.token ?>
          <input type="hidden" name="token" value="<?cs var:Form.token ?>"><?cs /if ?><?cs
          call:form_error("password", "-", "-", "-") ?><?cs
          if:Error.field == "token" ?>
          <p><a href="/password/forgot">Ask for a new link</a></p><?cs
          /if ?>
          <div class="<?cs call:field_class("password") ?>">
            <label for="password">New password</label>
            <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8"<?cs call:field_attrs("password", "1") ?>><?cs
            call:field_error("password") ?>
            <p class="hint" id="password-hint">At least 8 characters.</p>
          </div>
          <button type="submit" class="btn btn-primary btn-block">Set the new password</button>
        </form>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
