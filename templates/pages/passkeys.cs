<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "passkeys" ?><?cs set:Layout.title = "Passkeys" ?><?cs set:Layout.tab = "passkeys" ?><?cs #
  GET /me/passkeys: your passkeys, each removable with a plain form. Adding one needs the
  browser's WebAuthn (static/js/passkeys.js shows the form). Reads Data.passkeys.N.{id,name,
  created_at,last_used_at}, Page.done, Session.*.
?><?cs def:page_body() ?>
    <div class="container account">
<?cs include:"partials/account_header.cs" ?>
      <section class="card" aria-labelledby="pk-title">
        <h2 id="pk-title">Passkeys</h2><?cs
        if:Page.done == "added" ?><?cs call:notice("The passkey was added: you can log in with it now.") ?><?cs
        elif:Page.done == "removed" ?><?cs call:notice("The passkey was removed.") ?><?cs /if ?><?cs
        if:Session.user.needs_2fa ?><?cs call:required_notice("This server requires two-factor sign-in: a passkey counts. Add one here, or set up an authenticator app.") ?><?cs /if ?>
        <p class="muted">A passkey signs you in with your device's lock (fingerprint, face or PIN) instead of your password, and counts as two-factor sign-in. It never leaves your device, and works only on this site.</p><?cs
        if:subcount(Data.passkeys) > 0 ?>
        <ul class="passkey-list"><?cs each:k = Data.passkeys ?>
          <li>
            <span><strong><?cs var:k.name ?></strong> <span class="muted">added <?cs call:time(k.created_at) ?> · <?cs if:k.last_used_at ?>last used <?cs call:time(k.last_used_at) ?><?cs else ?>never used<?cs /if ?></span></span>
            <form class="inline-form" method="post" action="/me/passkeys/<?cs var:k.id ?>/delete">
              <?cs call:csrf_field() ?>
              <button type="submit" class="btn btn-danger-quiet btn-sm">Remove<span class="visually-hidden"> <?cs var:k.name ?></span></button>
            </form>
          </li><?cs /each ?>
        </ul><?cs
        else ?>
        <p>You have no passkeys yet.</p><?cs
        /if ?>
        <form class="form passkey-add" hidden>
          <p class="alert alert-error passkey-error" role="alert" hidden></p>
          <div class="field">
            <label for="passkey-name">Name it</label>
            <input id="passkey-name" name="name" type="text" maxlength="64" placeholder="My laptop" aria-describedby="passkey-name-hint">
            <p class="hint" id="passkey-name-hint">So you know which device it is, later.</p>
          </div>
          <button type="submit" class="btn btn-primary">Add a passkey</button>
        </form>
        <noscript><p class="muted">Adding a passkey needs JavaScript.</p></noscript>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
