<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "me" ?><?cs set:Layout.title = "Your profile" ?><?cs set:Layout.tab = "profile" ?><?cs #
  GET/POST /me, POST /me/email, /me/password and /me/time-zone. Reads Data.user.{username,
  display_name,status_text,created_at,read_receipts,show_presence ("1"/"0"),
  email,email_verified,time_zone,clock}, Data.mail_configured (the e-mail form shows only with mail, or
  to remove an address),
  Form.{display_name,status_text,read_receipts,show_presence}, Error.*,
  Page.done, Page.path, Session.*.

  Each checkbox (read_receipts, show_presence) comes BEFORE a hidden NAME=0:
  the form parser keeps the first value, so a ticked box sends 1 and an
  empty one 0.

  The picture form posts the file (multipart, the CSRF field first: the
  server checks it before it stores anything) to /me/avatar; its errors come
  back on POST /me/avatar without Data.user, so the profile forms are left
  out then (they would show empty) and a link leads back to them.
?><?cs def:avatar_section() ?>
        <section class="card" aria-labelledby="avatar-title">
          <h2 id="avatar-title">Picture</h2>
          <p class="muted">A photo of you (PNG, JPEG, GIF or WebP), cropped square, shown to the people you chat with.</p><?cs call:avatar_forms("/me/avatar", Layout.avatar_error) ?>
        </section><?cs /def ?><?cs def:page_body() ?>
    <div class="container account">
<?cs include:"partials/account_header.cs" ?><?cs
      if:string.slice(Page.path, 0, 10) == "/me/avatar" ?><?cs set:Layout.avatar_error = "1" ?><?cs else ?><?cs set:Layout.avatar_error = "0" ?><?cs /if ?><?cs
      if:Page.done == "profile" ?><?cs call:notice("Your profile was saved.") ?><?cs
      elif:Page.done == "avatar" ?><?cs call:notice("Your picture was changed.") ?><?cs
      elif:Page.done == "password" ?><?cs call:ended_notice("Your password was changed:") ?><?cs
      elif:Page.done == "email" ?><?cs call:notice("We sent a link to your new address. Open it within 24 hours to verify it.") ?><?cs
      elif:Page.done == "email_removed" ?><?cs call:notice("Your e-mail address was removed.") ?><?cs
      /if ?><?cs
      if:Session.user.must_change_password ?><?cs call:required_notice("An administrator asked you to choose a new password. Until you do, Parley shows you nothing else.") ?><?cs /if ?>
      <div class="stack"><?cs
      if:Layout.avatar_error == "1" ?><?cs call:avatar_section() ?>
        <p><a href="/me">Back to your profile</a></p><?cs
      else ?>
        <section class="card" aria-labelledby="profile-title">
          <h2 id="profile-title">Profile</h2>
          <p class="muted">Shown to people you chat with<?cs if:Data.user.created_at ?>. Member since <?cs call:time(Data.user.created_at) ?><?cs /if ?>.</p>
          <form class="form" method="post" action="/me">
            <?cs call:csrf_field() ?><?cs
            if:Page.path == "/me" ?><?cs
            call:form_error("display_name", "status_text", "current_password", "new_password") ?><?cs
            /if ?>
            <div class="<?cs call:field_class("display_name") ?>">
              <label for="display_name">Display name</label>
              <input id="display_name" name="display_name" type="text" autocomplete="name" required maxlength="64" value="<?cs call:user_value("display_name") ?>"<?cs call:field_attrs("display_name", "0") ?>><?cs
              call:field_error("display_name") ?>
            </div>
            <div class="<?cs call:field_class("status_text") ?>">
              <label for="status_text">Status <span class="optional">optional</span></label>
              <input id="status_text" name="status_text" type="text" autocomplete="off" maxlength="140" placeholder="What are you up to?" value="<?cs call:user_value("status_text") ?>"<?cs call:field_attrs("status_text", "1") ?>><?cs
              call:field_error("status_text") ?>
              <p class="hint" id="status_text-hint">Up to 140 characters. Leave it empty to clear it.</p>
            </div><?cs
            if:?Form.read_receipts ?><?cs set:Layout.rr = Form.read_receipts ?><?cs else ?><?cs set:Layout.rr = Data.user.read_receipts ?><?cs /if ?>
            <div class="field field-check">
              <label class="check-inline"><input id="read_receipts" name="read_receipts" type="checkbox" value="1"<?cs if:Layout.rr != "0" ?> checked<?cs /if ?> aria-describedby="read_receipts-hint"><span>Send read receipts</span></label>
              <!-- [html-validate-disable-next form-dup-name -- the server keeps the first value: the box when ticked, else this 0] -->
              <input type="hidden" name="read_receipts" value="0">
              <p class="hint" id="read_receipts-hint">When this is off, others don’t see when you’ve read their messages, and you don’t see when they’ve read yours.</p>
            </div><?cs
            if:?Form.show_presence ?><?cs set:Layout.sp = Form.show_presence ?><?cs else ?><?cs set:Layout.sp = Data.user.show_presence ?><?cs /if ?>
            <div class="field field-check">
              <label class="check-inline"><input id="show_presence" name="show_presence" type="checkbox" value="1"<?cs if:Layout.sp != "0" ?> checked<?cs /if ?> aria-describedby="show_presence-hint"><span>Show when I’m online</span></label>
              <!-- [html-validate-disable-next form-dup-name -- the server keeps the first value: the box when ticked, else this 0] -->
              <input type="hidden" name="show_presence" value="0">
              <p class="hint" id="show_presence-hint">When this is off, others don’t see whether you’re online or when you were last here, and you don’t see theirs.</p>
            </div>
            <div class="form-actions">
              <button type="submit" class="btn btn-primary">Save profile</button>
            </div>
          </form>
        </section>
<?cs call:avatar_section() ?><?cs
        if:Data.mail_configured == "1" || Data.user.email ?>
        <section class="card" aria-labelledby="email-title">
          <h2 id="email-title">E-mail address</h2>
          <p class="muted">Private: only you and this server see it. Once verified, it can receive a link to reset your password.<?cs
          if:Data.user.email ?> <strong><?cs var:Data.user.email ?></strong> is <?cs if:Data.user.email_verified == "1" ?>verified<?cs else ?>not verified yet: open the link we sent<?cs /if ?>.<?cs /if ?></p>
          <form class="form" method="post" action="/me/email">
            <?cs call:csrf_field() ?><?cs
            if:Page.path == "/me/email" ?><?cs
            call:form_error("email", "-", "-", "-") ?><?cs
            /if ?>
            <div class="<?cs call:field_class("email") ?>">
              <label for="email">E-mail address <span class="optional">optional</span></label>
              <input id="email" name="email" type="email" autocomplete="email" autocapitalize="none" spellcheck="false" maxlength="254" value="<?cs if:?Form.email ?><?cs var:Form.email ?><?cs else ?><?cs var:Data.user.email ?><?cs /if ?>"<?cs call:field_attrs("email", "1") ?>><?cs
              call:field_error("email") ?>
              <p class="hint" id="email-hint">A new address gets a link to verify it. Leave it empty to remove yours.</p>
            </div>
            <div class="form-actions">
              <button type="submit" class="btn btn-primary">Save address</button>
            </div>
          </form>
        </section><?cs
        /if ?>

        <section class="card" aria-labelledby="password-title">
          <h2 id="password-title">Password</h2>
          <p class="muted">Changing it logs you out everywhere except here.</p>
          <form class="form" method="post" action="/me/password">
            <?cs call:csrf_field() ?>
            <input type="text" autocomplete="username" value="<?cs var:Session.user.username ?>" hidden><?cs
            if:Page.path == "/me/password" ?><?cs
            call:form_error("display_name", "status_text", "current_password", "new_password") ?><?cs
            /if ?>
            <div class="<?cs call:field_class("current_password") ?>">
              <label for="current_password">Current password</label>
              <input id="current_password" name="current_password" type="password" autocomplete="current-password" required<?cs call:field_attrs("current_password", "0") ?>><?cs
              call:field_error("current_password") ?>
            </div>
            <div class="<?cs call:field_class("new_password") ?>">
              <label for="new_password">New password</label>
              <input id="new_password" name="new_password" type="password" autocomplete="new-password" required minlength="8"<?cs call:field_attrs("new_password", "1") ?>><?cs
              call:field_error("new_password") ?>
              <p class="hint" id="new_password-hint">At least 8 characters.</p>
            </div>
            <div class="form-actions">
              <button type="submit" class="btn btn-primary">Change password</button>
            </div>
          </form>
        </section>
        <section class="card" aria-labelledby="theme-title">
          <h2 id="theme-title">Theme</h2><?cs
          if:Page.done == "theme" ?><?cs call:notice("Saved: this browser shows the theme you chose.") ?><?cs /if ?>
          <form class="form" method="post" action="/me/theme">
            <?cs call:csrf_field() ?>
            <fieldset>
              <legend>Colours in this browser</legend>
              <label class="check-inline"><input type="radio" name="theme" value="system"<?cs if:!Page.theme ?> checked<?cs /if ?>><span>As the system</span></label>
              <label class="check-inline"><input type="radio" name="theme" value="light"<?cs if:Page.theme == "light" ?> checked<?cs /if ?>><span>Light</span></label>
              <label class="check-inline"><input type="radio" name="theme" value="dark"<?cs if:Page.theme == "dark" ?> checked<?cs /if ?>><span>Dark</span></label>
            </fieldset>
            <div class="form-actions">
              <button type="submit" class="btn btn-primary">Save theme</button>
            </div>
          </form>
        </section>
        <section class="card" aria-labelledby="time-zone-title">
          <h2 id="time-zone-title">Time zone and clock</h2><?cs
          if:Page.done == "time_zone" ?><?cs call:notice("Saved: times on every page are in this zone, on this clock.") ?><?cs /if ?>
          <form class="form" method="post" action="/me/time-zone">
            <?cs call:csrf_field() ?><?cs
            if:Page.path == "/me/time-zone" ?><?cs call:form_error("time_zone", "clock", "-", "-") ?><?cs /if ?>
            <div class="<?cs call:field_class("time_zone") ?>">
              <label for="time_zone">Time zone</label>
              <input id="time_zone" name="time_zone" type="text" autocomplete="off" spellcheck="false" maxlength="64" value="<?cs call:user_value("time_zone") ?>"<?cs call:field_attrs("time_zone", "1") ?>><?cs
              call:field_error("time_zone") ?>
              <p class="hint" id="time_zone-hint">Like Europe/Berlin or America/New_York. Pages show times in it (also without JavaScript), and do-not-disturb follows it.</p>
            </div><?cs
            set:Layout.clock = Data.user.clock ?><?cs if:?Form.clock ?><?cs set:Layout.clock = Form.clock ?><?cs /if ?>
            <fieldset class="<?cs call:field_class("clock") ?>">
              <legend>Clock</legend>
              <label class="check-inline"><input type="radio" name="clock" value="12h"<?cs if:Layout.clock != "24h" ?> checked<?cs /if ?>><span>12-hour (3:05 PM)</span></label>
              <label class="check-inline"><input type="radio" name="clock" value="24h"<?cs if:Layout.clock == "24h" ?> checked<?cs /if ?>><span>24-hour (15:05)</span></label><?cs
              call:field_error("clock") ?>
            </fieldset>
            <div class="form-actions">
              <button type="submit" class="btn btn-primary">Save</button>
            </div>
          </form>
        </section>
        <section class="card" aria-labelledby="data-title">
          <h2 id="data-title">Your data</h2>
          <p class="muted">Download everything Parley holds about you as one ZIP file: profile, contacts, conversations and uploads. <a href="/me/exports">Your exports</a></p>
          <form method="post" action="/me/export">
            <?cs call:csrf_field() ?>
            <button type="submit" class="btn btn-secondary">Export my data</button>
          </form>
        </section>
        <section class="card" aria-labelledby="delete-title">
          <h2 id="delete-title">Delete your account</h2>
          <p class="muted">Your profile, contacts, uploads, data exports, sessions and API tokens are deleted. Your messages stay in other people's conversations, from "Deleted account". This cannot be undone.</p>
          <form class="form" method="post" action="/me/delete">
            <?cs call:csrf_field() ?><?cs
            if:Page.path == "/me/delete" ?><?cs
            call:form_error("password", "totp", "-", "-") ?><?cs
            /if ?>
            <div class="field">
              <label for="delete-password">Your password</label>
              <input id="delete-password" name="password" type="password" autocomplete="current-password" required>
            </div>
            <div class="field">
              <label for="delete-totp">Two-factor code (if it is on)</label>
              <input id="delete-totp" name="totp" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="32">
            </div>
            <div class="form-actions">
              <button type="submit" class="btn btn-danger">Delete my account</button>
            </div>
          </form>
        </section><?cs
      /if ?>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
