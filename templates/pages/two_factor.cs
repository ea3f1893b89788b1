<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "two_factor" ?><?cs set:Layout.title = "Two-factor sign-in" ?><?cs set:Layout.tab = "two_factor" ?><?cs #
  GET /me/2fa and its forms. Reads Data.two_factor.{enabled,pending,
  recovery_codes_left}, Data.secret and Data.otpauth_uri (while being set up),
  Data.recovery_codes (shown once, right after they are made), Session.csrf,
  Error.*, Page.done.
?><?cs def:code_field(id) ?>
          <div class="<?cs call:field_class("code") ?>">
            <label for="<?cs var:id ?>">Code from your app, or a recovery code</label>
            <input id="<?cs var:id ?>" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required maxlength="32"<?cs call:field_attrs("code", "0") ?>><?cs
            call:field_error("code") ?>
          </div><?cs /def ?><?cs
def:page_body() ?>
    <div class="container account">
<?cs include:"partials/account_header.cs" ?>
      <section class="card" aria-labelledby="tf-title">
        <h2 id="tf-title">Two-factor sign-in</h2><?cs
        if:Page.done == "two_factor_off" ?><?cs call:notice("Two-factor sign-in is off.") ?><?cs /if ?><?cs
        if:Session.user.needs_2fa ?><?cs call:required_notice("This server requires two-factor sign-in. Set it up here to go on using Parley.") ?><?cs /if ?><?cs
        call:form_error("code", "-", "-", "-") ?><?cs
        if:subcount(Data.recovery_codes) > 0 ?>
        <div class="alert alert-success" role="status">
          <p><strong>Two-factor sign-in is on. Save these recovery codes now.</strong> Each works once, instead of a code from your app, if you lose your phone. They will not be shown again.</p>
          <ol class="recovery-codes"><?cs each:rc = Data.recovery_codes ?>
            <li><code><?cs var:rc ?></code></li><?cs /each ?>
          </ol>
        </div><?cs
        /if ?><?cs
        if:Data.two_factor.enabled ?>
        <p>Two-factor sign-in is <strong>on</strong>: logging in asks for a code from your authenticator app after your password. Recovery codes left: <?cs var:Data.two_factor.recovery_codes_left ?>.</p>
        <form class="form" method="post" action="/me/2fa/recovery-codes">
          <?cs call:csrf_field() ?>
          <h3>New recovery codes</h3>
          <?cs call:code_field("code-new") ?>
          <button type="submit" class="btn btn-secondary">Make new recovery codes</button>
        </form>
        <form class="form" method="post" action="/me/2fa/delete">
          <?cs call:csrf_field() ?>
          <h3>Turn it off</h3>
          <?cs call:code_field("code-off") ?>
          <button type="submit" class="btn btn-danger">Turn off two-factor sign-in</button>
        </form><?cs
        elif:Data.secret ?>
        <ol class="steps">
          <li>Scan this code with your authenticator app:
            <p><img class="qr" src="/me/2fa/totp/qr.svg" alt="QR code of the key below" width="240" height="240"></p>
            <p>Or type the key by hand: <code class="totp-secret"><?cs var:Data.secret ?></code> (time-based, six digits), or <a href="<?cs var:Data.otpauth_uri ?>">open it in an app on this device</a>.</p></li>
          <li>Type the six-digit code the app shows:
            <form class="form" method="post" action="/me/2fa/totp/confirm">
              <?cs call:csrf_field() ?>
              <div class="<?cs call:field_class("code") ?>">
                <label for="code">Code</label>
                <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="32"<?cs call:field_attrs("code", "0") ?>><?cs
                call:field_error("code") ?>
              </div>
              <button type="submit" class="btn btn-primary">Turn on</button>
            </form></li>
        </ol><?cs
        else ?>
        <p>Protect your account with a second step at login: a six-digit code from an authenticator app on your phone (any app that speaks TOTP).</p>
        <form class="form" method="post" action="/me/2fa/totp">
          <?cs call:csrf_field() ?>
          <button type="submit" class="btn btn-primary">Set up two-factor sign-in</button>
        </form><?cs
        /if ?>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
