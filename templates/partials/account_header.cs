<?cs #
  The top of the account pages (/me, /me/sessions, /me/tokens, /me/2fa, /me/passkeys, /me/devices): who is
  logged in, and the tabs. Set Layout.tab before including it.
?>
      <div class="account-head">
        <?cs call:avatar(Session.user, "avatar-lg") ?>
        <div class="account-who">
          <h1 id="page-title"><?cs call:user_name(Session.user) ?></h1>
          <p class="muted">@<?cs var:Session.user.username ?> · <a href="/users/<?cs var:Session.user.username ?>">View public profile</a></p>
        </div>
      </div>
      <?cs call:account_nav(Layout.tab) ?>
