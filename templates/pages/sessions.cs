<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "sessions" ?><?cs set:Layout.title = "Sessions" ?><?cs set:Layout.tab = "sessions" ?><?cs #
  GET /me/sessions. Reads Data.sessions.N.{id,browser,ip,created_at,
  last_seen,current}, Page.done, Error.*, Session.*.
?><?cs def:page_body() ?>
    <div class="container account">
<?cs include:"partials/account_header.cs" ?><?cs
      if:Page.done == "revoked" ?><?cs call:notice("The session was revoked. That device is logged out.") ?><?cs
      /if ?><?cs call:form_error("-", "-", "-", "-") ?>
      <div class="stack">
        <section class="card" aria-labelledby="sessions-title">
          <h2 id="sessions-title">Where you're logged in</h2>
          <p class="muted">Newest first. Revoke any session you don't recognise.</p><?cs
          if:subcount(Data.sessions) > 0 ?>
          <?cs call:data_table_head("Device", "IP address", "Signed in", "Last active", "Actions") ?><?cs
              each:s = Data.sessions ?>
                <tr<?cs if:s.current ?> class="is-current"<?cs /if ?>>
                  <th scope="row" data-label="Device"><span class="device"><?cs if:s.browser ?><?cs var:s.browser ?><?cs else ?>Unknown browser<?cs /if ?></span><?cs if:s.current ?> <span class="badge">This device</span><?cs /if ?></th>
                  <td data-label="IP address"><code><?cs var:s.ip ?></code></td>
                  <td data-label="Signed in"><?cs call:time(s.created_at) ?></td>
                  <td data-label="Last active"><?cs call:time(s.last_seen) ?></td>
                  <td class="cell-action">
                    <form method="post" action="/me/sessions/<?cs var:s.id ?>/revoke">
                      <?cs call:csrf_field() ?>
                      <button type="submit" class="btn btn-secondary btn-sm">Revoke<span class="visually-hidden"> <?cs if:s.current ?>this device (logs you out)<?cs else ?><?cs var:s.browser ?>, <?cs var:s.ip ?><?cs /if ?></span></button>
                    </form>
                  </td>
                </tr><?cs
              /each ?><?cs call:data_table_end() ?><?cs
          else ?>
          <p class="empty">No active sessions.</p><?cs
          /if ?>
        </section>

        <section class="card card-danger" aria-labelledby="everywhere-title">
          <h2 id="everywhere-title">Log out everywhere</h2>
          <p class="muted">Ends every session, this one included. Personal API tokens keep working; revoke them under <a href="/me/tokens">API tokens</a>.</p>
          <form method="post" action="/logout/all">
            <?cs call:csrf_field() ?>
            <button type="submit" class="btn btn-danger">Log out everywhere</button>
          </form>
        </section>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
