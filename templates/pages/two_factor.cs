<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "two_factor" ?><?cs set:Layout.title = "Two-factor sign-in" ?><?cs set:Layout.tab = "two_factor" ?><?cs #
  GET /me/two-factor and its forms. Reads Data.two_factor.{enabled,pending,
  recovery_codes_left}, Data.setup.{secret,otpauth_url} (while being set up),
  Data.recovery_codes (shown once, right after they are made), Session.csrf,
  Error.*, Page.done.
?><?cs def:password_field(id) ?>
          <div class="<?cs call:field_class("password") ?>">
            <label for="<?cs var:id ?>">Your password</label>
            <input id="<?cs var:id ?>" name="password" type="password" autocomplete="current-password" required<?cs call:field_attrs("password", "0") ?>>
            <?cs call:field_error("password") ?>
          </div><?cs /def ?><?cs
def:page_body() ?>
    <div class="container account">
<?cs include:"partials/account_header.cs" ?>
      <section class="card" aria-labelledby="tf-title">
        <h2 id="tf-title">Two-factor sign-in</h2><?cs
        if:Page.done == "two_factor_off" ?><?cs call:notice("Two-factor sign-in is off.") ?><?cs /if ?>
        <?cs call:form_error("password", "code", "-", "-") ?><?cs
        if:subcount(Data.recovery_codes) > 0 ?>
        <div class="alert alert-success" role="status">
          <p><strong>Save these recovery codes now.</strong> Each works once, instead of a code from your app, if you lose your phone. They will not be shown again.</p>
          <ol class="recovery-codes"><?cs each:rc = Data.recovery_codes ?>
            <li><code><?cs var:rc ?></code></li><?cs /each ?>
          </ol>
        </div><?cs
        /if ?><?cs
        if:Data.two_factor.enabled ?>
        <p>Two-factor sign-in is <strong>on</strong>: logging in asks for a code from your authenticator app after your password. Recovery codes left: <?cs var:Data.two_factor.recovery_codes_left ?>.</p>
        <form class="form" method="post" action="/me/two-factor/recovery-codes">
          <?cs call:csrf_field() ?>
          <h3>New recovery codes</h3>
          <?cs call:password_field("password-codes") ?>
          <button type="submit" class="btn btn-secondary">Make new recovery codes</button>
        </form>
        <form class="form" method="post" action="/me/two-factor/disable">
          <?cs call:csrf_field() ?>
          <h3>Turn it off</h3>
          <?cs call:password_field("password-off") ?>
          <button type="submit" class="btn btn-danger">Turn off two-factor sign-in</button>
        </form><?cs
        elif:Data.setup.secret ?>
        <ol class="steps">
          <li>In your authenticator app, add an account with this key (or open the link on your phone):
            <p><code class="totp-secret"><?cs var:Data.setup.secret ?></code></p>
            <p><a href="<?cs var:Data.setup.otpauth_url ?>">Add to an authenticator app</a></p></li>
          <li>Type the six-digit code the app shows:
            <form class="form" method="post" action="/me/two-factor/enable">
              <?cs call:csrf_field() ?>
              <div class="<?cs call:field_class("code") ?>">
                <label for="code">Code</label>
                <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="32"<?cs call:field_attrs("code", "0") ?>>
                <?cs call:field_error("code") ?>
              </div>
              <button type="submit" class="btn btn-primary">Turn on</button>
            </form></li>
        </ol><?cs
        else ?>
        <p>Protect your account with a second step at login: a six-digit code from an authenticator app on your phone (any app that speaks TOTP).</p>
        <form class="form" method="post" action="/me/two-factor/setup">
          <?cs call:csrf_field() ?>
          <?cs call:password_field("password") ?>
          <button type="submit" class="btn btn-primary">Set up two-factor sign-in</button>
        </form><?cs
        /if ?>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
