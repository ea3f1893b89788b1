<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "push" ?><?cs set:Layout.title = "Notifications" ?><?cs set:Layout.tab = "push" ?><?cs #
  GET /push/subscriptions: the devices you turned notifications on for, each removable with a
  plain form. Turning them on needs the browser's Push API (static/js/push.js shows the
  button). Reads Data.subscriptions.N.{id,device,service,created_at,last_success_at,
  last_error}, Data.enabled, Data.public_key, Data.preferences.{time_zone,dnd.{start,end},
  keywords.N,email_digests,digest_minutes}, Form.*, Error.*, Page.done, Session.*.
?><?cs def:page_body() ?>
    <div class="container account">
<?cs include:"partials/account_header.cs" ?>
      <section class="card" aria-labelledby="push-title">
        <h2 id="push-title">Notifications on your devices</h2><?cs
        if:Page.done == "removed" ?><?cs call:notice("Notifications are off for that device.") ?><?cs
        elif:Page.done == "added" ?><?cs call:notice("Notifications are on for this device.") ?><?cs
        elif:Page.done == "prefs" ?><?cs call:notice("Your notification settings were saved.") ?><?cs /if ?>
        <p class="muted">With notifications on, a device tells you of new messages while no Parley page is open. Nothing is sent for a message you have already read, or while you are reading in an open tab.</p><?cs
        if:subcount(Data.subscriptions) > 0 ?>
        <ul class="passkey-list push-list"><?cs each:s = Data.subscriptions ?>
          <li>
            <span><strong><?cs var:s.device ?></strong> <span class="muted">via <?cs var:s.service ?> · on since <?cs call:time(s.created_at) ?> · <?cs if:s.last_success_at ?>last notified <?cs call:time(s.last_success_at) ?><?cs else ?>not notified yet<?cs /if ?></span><?cs
              if:s.last_error ?><br><span class="muted">Last problem: <?cs var:s.last_error ?></span><?cs /if ?></span>
            <form class="inline-form" method="post" action="/push/subscriptions/<?cs var:s.id ?>/delete">
              <?cs call:csrf_field() ?>
              <button type="submit" class="btn btn-danger-quiet btn-sm">Turn off<span class="visually-hidden"> <?cs var:s.device ?></span></button>
            </form>
          </li><?cs /each ?>
        </ul><?cs
        else ?>
        <p>No device has notifications on.</p><?cs
        /if ?><?cs
        if:Data.enabled ?>
        <div class="push-add" data-vapid-key="<?cs var:Data.public_key ?>" hidden>
          <p class="alert alert-error push-error" role="alert" hidden></p>
          <p class="push-status" role="status"></p>
          <button type="button" class="btn btn-primary push-on">Turn on notifications</button>
        </div>
        <noscript><p class="muted">Turning notifications on needs JavaScript.</p></noscript><?cs
        else ?>
        <p class="muted">This server does not send notifications: its administrator has not set them up.</p><?cs
        /if ?>
      </section>
      <section class="card" aria-labelledby="prefs-title">
        <h2 id="prefs-title">When and what</h2><?cs
        call:form_error("-", "-", "-", "-") ?>
        <p class="muted">Each conversation's own settings (every message, mentions only, nothing, or muted for a while) are on its Notifications page, linked from its settings.</p>
        <form class="form" method="post" action="/me/notifications">
          <?cs call:csrf_field() ?>
          <div class="field">
            <label for="prefs-tz">Your time zone</label>
            <input id="prefs-tz" name="time_zone" type="text" maxlength="64" value="<?cs if:?Form.time_zone ?><?cs var:Form.time_zone ?><?cs else ?><?cs var:Data.preferences.time_zone ?><?cs /if ?>" aria-describedby="prefs-tz-hint">
            <p class="hint" id="prefs-tz-hint">Like Europe/Berlin or America/New_York.</p>
          </div>
          <div class="field">
            <label for="prefs-dnd-start">Do not disturb from</label>
            <input id="prefs-dnd-start" name="dnd_start" type="time" value="<?cs if:?Form.dnd_start ?><?cs var:Form.dnd_start ?><?cs else ?><?cs var:Data.preferences.dnd.start ?><?cs /if ?>">
          </div>
          <div class="field">
            <label for="prefs-dnd-end">until</label>
            <input id="prefs-dnd-end" name="dnd_end" type="time" value="<?cs if:?Form.dnd_end ?><?cs var:Form.dnd_end ?><?cs else ?><?cs var:Data.preferences.dnd.end ?><?cs /if ?>" aria-describedby="prefs-dnd-hint">
            <p class="hint" id="prefs-dnd-hint">No notifications between these times, in your time zone. Leave both empty for none.</p>
          </div>
          <div class="field">
            <label for="prefs-keywords">Keywords</label>
            <input id="prefs-keywords" name="keywords" type="text" maxlength="900" value="<?cs if:?Form.keywords ?><?cs var:Form.keywords ?><?cs else ?><?cs each:k = Data.preferences.keywords ?><?cs if:name(k) > 0 ?>, <?cs /if ?><?cs var:k ?><?cs /each ?><?cs /if ?>" aria-describedby="prefs-keywords-hint">
            <p class="hint" id="prefs-keywords-hint">Words that count as mentions, separated by commas.</p>
          </div>
          <div class="field"><?cs
            if:?Form.email_digests ?><?cs set:Layout.dg = Form.email_digests ?><?cs else ?><?cs set:Layout.dg = Data.preferences.email_digests ?><?cs /if ?>
            <label class="check-inline"><input id="prefs-digests" name="email_digests" type="checkbox" value="1"<?cs if:Layout.dg != "0" ?> checked<?cs /if ?> aria-describedby="prefs-digests-hint"><span>E-mail me a digest of unread messages</span></label>
            <input type="hidden" name="email_digests" value="0">
          </div>
          <div class="field">
            <label for="prefs-digest-minutes">Mail them after (minutes unread)</label>
            <input id="prefs-digest-minutes" name="digest_minutes" type="number" min="1" max="1440" value="<?cs if:?Form.digest_minutes ?><?cs var:Form.digest_minutes ?><?cs else ?><?cs var:Data.preferences.digest_minutes ?><?cs /if ?>" aria-describedby="prefs-digests-hint">
            <p class="hint" id="prefs-digests-hint">To your verified e-mail address, one mail per conversation, for what would notify you here; nothing for what you read by then, nothing while muted, held during do-not-disturb hours.</p>
          </div>
          <button type="submit" class="btn btn-primary">Save</button>
        </form>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
