<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "admin" ?><?cs set:Layout.title = "Administration" ?><?cs #
  GET /admin (administrators only; everyone else gets the 404 page). Reads Data.users.N.{id,
  username,display_name,is_admin,deactivated_at,must_change_password,two_factor},
  Data.settings.{registration,require_2fa,message_retention_days,instance_name}, Data.limits.*,
  Data.jobs.N.{id,kind,attempts,max_attempts,created_at,last_error}, Data.entries.N.{at,
  action,ip,actor.username,subject.username}, Data.invite.{url,uses_left,expires_at} (right
  after one was made), Page.query.q, Page.done, Session.csrf, Error.*.
?><?cs def:page_body() ?>
    <div class="container">
      <h1 id="page-title">Administration</h1><?cs
      if:Page.done == "deactivated" ?><?cs call:notice("Deactivated: every session, token and open stream of theirs has ended.") ?><?cs
      elif:Page.done == "reactivated" ?><?cs call:notice("Reactivated: they can sign in again.") ?><?cs
      elif:Page.done == "settings" ?><?cs call:notice("Saved.") ?><?cs
      elif:Page.done == "job_retried" ?><?cs call:notice("The job is queued again.") ?><?cs
      elif:Page.done == "password_change_required" ?><?cs call:notice("They must choose a new password before they can do anything else.") ?><?cs
      elif:Page.done == "reset_2fa" ?><?cs call:notice("Two-factor sign-in was reset: they sign in with their password alone.") ?><?cs /if ?><?cs
      call:form_error("registration", "require_2fa", "instance_name", "message_retention_days") ?><?cs
      if:Data.invite.url ?>
      <div class="alert alert-success" role="status">
        <p><strong>The invitation link</strong> (shown this once; <?cs var:Data.invite.uses_left ?> use(s), until <?cs call:time(Data.invite.expires_at) ?>):</p>
        <p><code><?cs var:Data.invite.url ?></code></p>
        <p><a href="/admin">Back to administration</a></p>
      </div><?cs
      /if ?>
      <div class="stack">
        <section class="card" aria-labelledby="stats-title">
          <h2 id="stats-title">This server</h2>
          <dl class="stats">
            <dt>Accounts</dt><dd><?cs var:Data.stats.accounts ?></dd>
            <dt>Active in the last 24 hours</dt><dd><?cs var:Data.stats.active_today ?></dd>
            <dt>Media stored</dt><dd><?cs var:Data.stats.media_bytes ?> bytes</dd>
            <dt>Jobs waiting</dt><dd><?cs var:Data.stats.queue_depth ?></dd>
            <dt>Open reports</dt><dd><a href="/admin/reports"><?cs var:Data.stats.open_reports ?></a></dd>
          </dl>
          <h3>Messages per day</h3>
          <ul class="per-day"><?cs each:d = Data.stats.messages_per_day ?><li><?cs var:d.day ?>: <?cs var:d.messages ?></li><?cs /each ?></ul>
        </section>
        <section class="card" aria-labelledby="reg-title">
          <h2 id="reg-title">Registration</h2>
          <form class="form" method="post" action="/admin/settings">
            <?cs call:csrf_field() ?>
            <div class="field">
              <label for="registration">Who may create an account</label>
              <select id="registration" name="registration">
                <option value="open"<?cs if:Data.settings.registration == "open" ?> selected<?cs /if ?>>Anyone</option>
                <option value="invite"<?cs if:Data.settings.registration == "invite" ?> selected<?cs /if ?>>People with an invitation link</option>
                <option value="closed"<?cs if:Data.settings.registration == "closed" ?> selected<?cs /if ?>>Nobody (closed)</option>
              </select>
            </div>
            <div class="field">
              <label for="require_2fa">Two-factor sign-in is required of</label>
              <select id="require_2fa" name="require_2fa" aria-describedby="require_2fa-hint">
                <option value="off"<?cs if:Data.settings.require_2fa == "off" ?> selected<?cs /if ?>>Nobody (each person chooses)</option>
                <option value="admins"<?cs if:Data.settings.require_2fa == "admins" ?> selected<?cs /if ?>>Administrators</option>
                <option value="everyone"<?cs if:Data.settings.require_2fa == "everyone" ?> selected<?cs /if ?>>Everyone</option>
              </select>
              <p class="hint" id="require_2fa-hint">Those it covers who have not set it up are taken to the set-up page and can do nothing else until they have.</p>
            </div>
            <button type="submit" class="btn btn-primary">Save</button>
          </form>
          <form class="form" method="post" action="/admin/invites">
            <?cs call:csrf_field() ?>
            <h3>New invitation link</h3>
            <div class="field"><label for="uses">Uses</label><input id="uses" name="uses" type="number" min="1" max="1000" value="1"></div>
            <div class="field"><label for="days">Valid for (days)</label><input id="days" name="days" type="number" min="1" max="365" value="7"></div>
            <button type="submit" class="btn btn-secondary">Make a link</button>
          </form>
        </section>
        <section class="card" aria-labelledby="server-title">
          <h2 id="server-title">This server's name and limits</h2>
          <form class="form" method="post" action="/admin/settings">
            <?cs call:csrf_field() ?>
            <div class="field">
              <label for="instance_name">Name</label>
              <input id="instance_name" name="instance_name" type="text" maxlength="64" required value="<?cs var:Data.settings.instance_name ?>" aria-describedby="instance_name-hint">
              <p class="hint" id="instance_name-hint">Shown in every page's header and title.</p>
            </div>
            <button type="submit" class="btn btn-primary">Save</button>
          </form>
          <h3>Limits</h3>
          <p class="muted">Set in the server's configuration (README, "Configuration"); a restart applies a change.</p>
          <dl class="stats">
            <dt>A file (<code>PARLEY_MAX_UPLOAD</code>)</dt><dd><?cs var:Data.limits.max_upload_bytes ?> bytes</dd>
            <dt>Files per person (<code>PARLEY_MEDIA_QUOTA</code>)</dt><dd><?cs var:Data.limits.media_quota_bytes ?> bytes</dd>
            <dt>Members of a group (<code>PARLEY_MAX_MEMBERS</code>)</dt><dd><?cs var:Data.limits.max_members ?></dd>
            <dt>A message (<code>PARLEY_MAX_MESSAGE</code>)</dt><dd><?cs var:Data.limits.max_message_bytes ?> bytes</dd>
            <dt>A session, unused (<code>PARLEY_SESSION_TTL</code>)</dt><dd><?cs var:Data.limits.session_days ?> days</dd>
            <dt>The audit log (<code>PARLEY_AUDIT_DAYS</code>)</dt><dd><?cs var:Data.limits.audit_days ?> days</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="jobs-title">
          <h2 id="jobs-title">Background jobs</h2>
          <p class="muted"><?cs var:Data.stats.queue_depth ?> waiting or running. Failed jobs (out of attempts) are listed here; retry one once its cause is fixed.</p><?cs
          if:subcount(Data.jobs) > 0 ?>
          <div class="table-wrap">
            <table class="data-table">
              <thead><tr><th scope="col">Job</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody><?cs each:j = Data.jobs ?>
                <tr>
                  <th scope="row"><code><?cs var:j.kind ?></code> <span class="muted">#<?cs var:j.id ?>, <?cs call:time(j.created_at) ?></span></th>
                  <td><?cs var:j.attempts ?> of <?cs var:j.max_attempts ?></td>
                  <td><?cs var:j.last_error ?></td>
                  <td><form class="inline-form" method="post" action="/admin/jobs/<?cs var:j.id ?>/retry"><?cs call:csrf_field() ?><button type="submit" class="btn btn-secondary btn-sm">Retry<span class="visually-hidden"> job <?cs var:j.id ?></span></button></form></td>
                </tr><?cs /each ?>
              </tbody>
            </table>
          </div><?cs
          else ?>
          <p>No failed jobs.</p><?cs
          /if ?>
        </section>
        <section class="card" aria-labelledby="retention-title">
          <h2 id="retention-title">Message retention</h2>
          <p class="muted">Messages older than this are deleted everywhere on this server (they stay as "deleted" markers). Conversations may set a shorter limit of their own. 0 keeps messages forever.</p>
          <form class="form" method="post" action="/admin/settings">
            <?cs call:csrf_field() ?>
            <div class="field">
              <label for="message_retention_days">Delete messages after (days)</label>
              <input id="message_retention_days" name="message_retention_days" type="number" min="0" max="36500" required value="<?cs if:Data.message_retention_days ?><?cs var:Data.message_retention_days ?><?cs else ?>0<?cs /if ?>">
            </div>
            <button type="submit" class="btn btn-primary">Save</button>
          </form>
        </section>
        <section class="card" aria-labelledby="people-title">
          <h2 id="people-title">People</h2>
          <form class="inline-form" method="get" action="/admin" role="search">
            <label for="admin-q">Find</label>
            <input id="admin-q" name="q" type="search" maxlength="64" value="<?cs var:Page.query.q ?>">
            <button type="submit" class="btn btn-secondary btn-sm">Search</button>
          </form>
          <div class="table-wrap">
            <table class="data-table">
              <thead><tr><th scope="col">Person</th><th scope="col">Since</th><th scope="col">State</th><th scope="col">Two-factor</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody><?cs each:u = Data.users ?>
                <tr>
                  <th scope="row"><?cs call:user_name(u) ?> <span class="muted">@<?cs var:u.username ?></span><?cs if:u.is_admin ?> <span class="badge">Admin</span><?cs /if ?></th>
                  <td><?cs call:time(u.created_at) ?></td>
                  <td><?cs if:u.deactivated_at ?>Deactivated<?cs else ?>Active<?cs /if ?><?cs if:u.must_change_password ?> · must choose a new password<?cs /if ?></td>
                  <td><?cs if:u.two_factor ?>On<?cs else ?>Off<?cs /if ?></td>
                  <td><?cs if:u.id != Session.user.id ?><?cs if:u.deactivated_at ?>
                    <form class="inline-form" method="post" action="/admin/users/<?cs var:u.id ?>/reactivate"><?cs call:csrf_field() ?><button type="submit" class="btn btn-secondary btn-sm">Reactivate<span class="visually-hidden"> @<?cs var:u.username ?></span></button></form><?cs else ?>
                    <form class="inline-form" method="post" action="/admin/users/<?cs var:u.id ?>/deactivate"><?cs call:csrf_field() ?><button type="submit" class="btn btn-danger-quiet btn-sm">Deactivate<span class="visually-hidden"> @<?cs var:u.username ?></span></button></form><?cs /if ?>
                    <form class="inline-form" method="post" action="/admin/users/<?cs var:u.id ?>/reset-2fa"><?cs call:csrf_field() ?><button type="submit" class="btn btn-secondary btn-sm">Reset two-factor<span class="visually-hidden"> of @<?cs var:u.username ?></span></button></form><?cs if:!u.must_change_password ?>
                    <form class="inline-form" method="post" action="/admin/users/<?cs var:u.id ?>/require-password-change"><?cs call:csrf_field() ?><button type="submit" class="btn btn-secondary btn-sm">Require a new password<span class="visually-hidden"> of @<?cs var:u.username ?></span></button></form><?cs /if ?><?cs /if ?></td>
                </tr><?cs /each ?>
              </tbody>
            </table>
          </div>
        </section>
        <section class="card" aria-labelledby="audit-title">
          <h2 id="audit-title">Audit log</h2>
          <ol class="audit-log"><?cs each:a = Data.entries ?>
            <li><?cs call:time(a.at) ?> · <code><?cs var:a.action ?></code><?cs if:a.actor.username ?> by @<?cs var:a.actor.username ?><?cs /if ?><?cs if:a.subject.username ?> · @<?cs var:a.subject.username ?><?cs /if ?><?cs if:a.ip ?> · <?cs var:a.ip ?><?cs /if ?></li><?cs /each ?>
          </ol>
        </section>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
