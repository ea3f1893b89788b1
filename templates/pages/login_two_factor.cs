<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "login" ?><?cs set:Layout.title = "Two-factor sign-in" ?><?cs #
  The second step of a login (POST /login when two-factor sign-in is on, and POST
  /login/two-factor when a code was wrong). Reads Data.ticket, Data.next, Form.ticket,
  Form.next, Session.csrf, Error.*.
?><?cs def:page_body() ?>
    <div class="container auth">
      <section class="card auth-card" aria-labelledby="page-title">
        <h1 id="page-title">Enter your code</h1>
        <p class="lead">Open your authenticator app and type the six-digit code for Parley. Lost your phone? A recovery code works too.</p>
        <form class="form" method="post" action="/login/two-factor">
          <?cs call:csrf_field() ?>
          <input type="hidden" name="ticket" value="<?cs if:Data.ticket ?><?cs var:Data.ticket ?><?cs else ?><?cs var:Form.ticket ?><?cs /if ?>"><?cs
          if:Data.next ?>
          <input type="hidden" name="next" value="<?cs var:Data.next ?>"><?cs elif:Form.next ?>
          <input type="hidden" name="next" value="<?cs var:Form.next ?>"><?cs /if ?><?cs
          call:form_error("code", "ticket", "-", "-") ?>
          <div class="<?cs call:field_class("code") ?>">
            <label for="code">Code</label>
            <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required maxlength="32" autofocus<?cs call:field_attrs("code", "0") ?>><?cs
            call:field_error("code") ?>
          </div>
          <button type="submit" class="btn btn-primary btn-block">Log in</button>
        </form><?cs
        if:Error.field == "ticket" ?>
        <p class="auth-switch"><a href="/login">Start again</a></p><?cs
        /if ?>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
