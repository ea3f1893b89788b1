<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "register" ?><?cs set:Layout.title = "Create your account" ?><?cs #
  GET/POST /register. Reads Session.csrf, Form.username, Form.display_name,
  Error.*.
?><?cs def:page_body() ?>
    <div class="container auth">
      <section class="card auth-card" aria-labelledby="page-title">
        <h1 id="page-title">Create your account</h1>
        <p class="lead">Chat with your team on a server you run yourself.</p>
        <form class="form" method="post" action="/register">
          <?cs call:csrf_field() ?><?cs if:Page.query.invite ?>
          <input type="hidden" name="invite" value="<?cs var:Page.query.invite ?>"><?cs elif:Form.invite ?>
          <input type="hidden" name="invite" value="<?cs var:Form.invite ?>"><?cs /if ?><?cs
          call:form_error("username", "display_name", "password", "-") ?>
          <div class="<?cs call:field_class("username") ?>">
            <label for="username">Username</label>
            <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required minlength="3" maxlength="32" pattern="[A-Za-z0-9_.\-]{3,32}" value="<?cs var:Form.username ?>"<?cs call:field_attrs("username", "1") ?>><?cs
            call:field_error("username") ?>
            <p class="hint" id="username-hint">3–32 characters: letters, digits, <kbd>_</kbd> <kbd>.</kbd> <kbd>-</kbd></p>
          </div>
          <div class="<?cs call:field_class("display_name") ?>">
            <label for="display_name">Display name</label>
            <input id="display_name" name="display_name" type="text" autocomplete="name" required maxlength="64" value="<?cs var:Form.display_name ?>"<?cs call:field_attrs("display_name", "1") ?>><?cs
            call:field_error("display_name") ?>
            <p class="hint" id="display_name-hint">How other people see you. You can change it later.</p>
          </div>
          <div class="<?cs call:field_class("password") ?>">
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8"<?cs call:field_attrs("password", "1") ?>><?cs
            call:field_error("password") ?>
            <p class="hint" id="password-hint">At least 8 characters. A few unrelated words work well.</p>
          </div>
          <button type="submit" class="btn btn-primary btn-block">Create account</button>
        </form>
        <p class="auth-switch">Already have an account? <a href="/login">Log in</a></p>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
