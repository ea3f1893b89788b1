<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "security_log" ?><?cs set:Layout.title = "Security log" ?><?cs set:Layout.tab = "security_log" ?><?cs #
  GET /me/security: the security events about you, newest first. Reads Data.entries.N.{at,
  action,ip,actor.username}, Session.*.
?><?cs def:action_label(a) ?><?cs
  if:a == "signin" ?>Signed in<?cs
  elif:a == "signin.failed" ?>A failed sign-in<?cs
  elif:a == "signin.refused" ?>A sign-in refused (account deactivated)<?cs
  elif:a == "register" ?>Account created<?cs
  elif:a == "password.change" ?>Password changed<?cs
  elif:a == "password.wrong" ?>A wrong current password<?cs
  elif:a == "password.reset_requested" ?>A password reset link was asked for<?cs
  elif:a == "password.reset" ?>Password reset with an e-mailed link<?cs
  elif:a == "email.set" ?>E-mail address set<?cs
  elif:a == "email.remove" ?>E-mail address removed<?cs
  elif:a == "email.verify" ?>E-mail address verified<?cs
  elif:a == "two_factor.enable" ?>Two-factor sign-in turned on<?cs
  elif:a == "two_factor.disable" ?>Two-factor sign-in turned off<?cs
  elif:a == "two_factor.recovery_codes" ?>New recovery codes<?cs
  elif:a == "token.create" ?>API token created<?cs
  elif:a == "token.revoke" ?>API token revoked<?cs
  elif:a == "session.revoke" ?>A session revoked<?cs
  elif:a == "admin.deactivate" ?>Deactivated by an administrator<?cs
  elif:a == "admin.reactivate" ?>Reactivated by an administrator<?cs
  elif:a == "admin.grant" ?>Made an administrator<?cs
  elif:a == "admin.revoke" ?>No longer an administrator<?cs
  elif:a == "admin.require_password_change" ?>An administrator asked for a new password<?cs
  elif:a == "admin.reset_2fa" ?>Two-factor sign-in reset by an administrator<?cs
  elif:a == "member.mute" ?>Muted in a group<?cs
  elif:a == "member.unmute" ?>Unmuted in a group<?cs
  elif:a == "member.remove" ?>Removed from a group<?cs
  elif:a == "member.role" ?>Role changed in a group<?cs
  else ?><?cs var:a ?><?cs /if ?><?cs /def ?><?cs
def:page_body() ?>
    <div class="container account">
<?cs include:"partials/account_header.cs" ?>
      <section class="card" aria-labelledby="log-title">
        <h2 id="log-title">Security log</h2>
        <p class="muted">Sign-ins and changes to how you sign in, newest first. Anything you don't recognise? Change your password and revoke sessions you don't know.</p><?cs
        if:subcount(Data.entries) > 0 ?>
        <div class="table-wrap">
          <table class="data-table">
            <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">From</th></tr></thead>
            <tbody><?cs each:e = Data.entries ?>
              <tr><td><?cs call:time(e.at) ?></td><th scope="row"><?cs call:action_label(e.action) ?></th><td><code><?cs var:e.ip ?></code></td></tr><?cs /each ?>
            </tbody>
          </table>
        </div><?cs
        else ?>
        <p>Nothing yet.</p><?cs
        /if ?>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
