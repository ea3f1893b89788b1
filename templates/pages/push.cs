<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "push" ?><?cs set:Layout.title = "Notifications" ?><?cs set:Layout.tab = "push" ?><?cs #
  GET /push/subscriptions: the devices you turned notifications on for, each removable with a
  plain form. Turning them on needs the browser's Push API (static/js/push.js shows the
  button). Reads Data.subscriptions.N.{id,device,service,created_at,last_success_at,
  last_error}, Data.enabled, Data.public_key, Page.done, Session.*.
?><?cs def:page_body() ?>
    <div class="container account">
<?cs include:"partials/account_header.cs" ?>
      <section class="card" aria-labelledby="push-title">
        <h2 id="push-title">Notifications on your devices</h2><?cs
        if:Page.done == "removed" ?><?cs call:notice("Notifications are off for that device.") ?><?cs
        elif:Page.done == "added" ?><?cs call:notice("Notifications are on for this device.") ?><?cs /if ?>
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
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
