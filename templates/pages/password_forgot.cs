<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "password_forgot" ?><?cs set:Layout.title = "Forgot your password?" ?><?cs #
  GET/POST /password/forgot. Reads Data.mail_configured ("0" on a server that sends no
  mail: no form then), Form.email, Error.*, Page.done ("reset_sent" after a request).
?><?cs def:page_body() ?>
    <div class="container auth">
      <section class="card auth-card" aria-labelledby="page-title">
        <h1 id="page-title">Forgot your password?</h1><?cs
        if:Page.done == "reset_sent" ?><?cs call:notice("If an account has this verified address, a link to reset its password is on its way. It works once, for 30 minutes.") ?><?cs
        /if ?><?cs
        if:Data.mail_configured == "0" ?>
        <p class="lead">This server does not send e-mail, so a password cannot be reset by mail here. Ask one of its administrators for help.</p><?cs
        else ?>
        <p class="lead">Enter the e-mail address you verified on your profile. We will send a link to choose a new password.</p>
        <form class="form" method="post" action="/password/forgot">
          <?cs call:csrf_field() ?><?cs
          call:form_error("email", "-", "-", "-") ?>
          <div class="<?cs call:field_class("email") ?>">
            <label for="email">E-mail address</label>
            <input id="email" name="email" type="email" autocomplete="email" autocapitalize="none" spellcheck="false" required maxlength="254" value="<?cs var:Form.email ?>"<?cs call:field_attrs("email", "0") ?>><?cs
            call:field_error("email") ?>
          </div>
          <button type="submit" class="btn btn-primary btn-block">Send the link</button>
        </form><?cs
        /if ?>
        <p class="auth-switch"><a href="/login">Back to log in</a></p>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
