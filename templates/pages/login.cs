<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "login" ?><?cs set:Layout.title = "Log in" ?><?cs #
  GET/POST /login. Reads Session.csrf, Form.username, Error.*, Page.done.
?><?cs def:page_body() ?>
    <div class="container auth">
      <section class="card auth-card" aria-labelledby="page-title">
        <h1 id="page-title">Log in to Parley</h1>
        <p class="lead">Welcome back. Your conversations are waiting.</p><?cs
        if:Page.done == "logout" ?><?cs call:notice("You have been logged out.") ?><?cs
        elif:Page.done == "logout_all" || Page.done == "everywhere" ?><?cs call:ended_notice("You have been logged out on every device:") ?><?cs
        elif:Page.done == "password" ?><?cs call:notice("Your password was changed. Please log in again.") ?><?cs
        elif:Page.done == "password_reset" ?><?cs call:notice("Your new password is set, and every session of your account was signed out. Log in with it.") ?><?cs
        /if ?>
        <form class="form" method="post" action="/login">
          <?cs call:csrf_field() ?><?cs if:Data.next ?>
          <input type="hidden" name="next" value="<?cs var:Data.next ?>"><?cs elif:Form.next ?>
          <input type="hidden" name="next" value="<?cs var:Form.next ?>"><?cs /if ?><?cs
          call:form_error("username", "password", "-", "-") ?>
          <div class="<?cs call:field_class("username") ?>">
            <label for="username">Username</label>
            <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="32" value="<?cs var:Form.username ?>"<?cs call:field_attrs("username", "0") ?>><?cs
            call:field_error("username") ?>
          </div>
          <div class="<?cs call:field_class("password") ?>">
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required<?cs call:field_attrs("password", "0") ?>><?cs
            call:field_error("password") ?>
          </div>
          <button type="submit" class="btn btn-primary btn-block">Log in</button>
        </form>
        <p class="alert alert-error passkey-error" role="alert" hidden></p>
        <button type="button" class="btn btn-secondary btn-block passkey-login" hidden>Log in with a passkey</button>
        <p class="auth-switch"><a href="/password/forgot">Forgot your password?</a></p>
        <p class="auth-switch">New to Parley? <a href="/register">Create an account</a></p>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
