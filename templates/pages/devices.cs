<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "devices" ?><?cs set:Layout.title = "Devices" ?><?cs set:Layout.tab = "devices" ?><?cs #
  GET /me/devices: the browsers and apps that hold your end-to-end encryption keys, and linking
  a new one with the history an old one holds (static/js/e2e-link.js shows the two forms:
  both need JavaScript, since the keys never leave the devices). Reads Data.devices.N.{id,
  identity_key,created_at}, Session.*.
?><?cs def:page_body() ?>
    <div class="container account">
<?cs include:"partials/account_header.cs" ?>
      <section class="card" aria-labelledby="dev-title">
        <h2 id="dev-title">Devices</h2>
        <p class="muted">Each browser where you open an end-to-end encrypted conversation becomes one of your devices, with keys of its own. Your contacts are told when you add one.</p><?cs
        if:subcount(Data.devices) > 0 ?>
        <ul class="device-list"><?cs each:d = Data.devices ?>
          <li data-device-id="<?cs var:d.id ?>"><span><strong class="device-key"><?cs var:string.slice(d.identity_key, 0, 12) ?>…</strong> <span class="muted">added <?cs call:time(d.created_at) ?></span></span></li><?cs /each ?>
        </ul><?cs
        else ?>
        <p>You have no devices yet.</p><?cs
        /if ?>
      </section>
      <section class="card device-link" aria-labelledby="link-title">
        <h2 id="link-title">Link a device</h2>
        <p class="muted">A new device cannot read the encrypted messages sent before it existed. Linking copies the history another of your devices holds to it, over a channel the server cannot read: the new device shows a one-time code, and you type or scan it on the old one. The code works for ten minutes, once.</p>
        <div class="device-link-new" hidden>
          <h3>On the new device</h3>
          <button type="button" class="btn btn-primary link-start">Link this device</button>
          <div class="link-code" hidden>
            <p>Type this code on your other device, in "Link a new device", or scan it:</p>
            <p class="link-code-digits"></p>
            <div class="link-code-qr"></div>
          </div>
          <p class="hint link-new-status" role="status" aria-live="polite"></p>
        </div>
        <form class="form device-link-old" hidden>
          <h3>On the old device</h3>
          <div class="field">
            <label for="link-code-input">Link a new device</label>
            <input id="link-code-input" name="code" type="text" inputmode="numeric" autocomplete="off" spellcheck="false" aria-describedby="link-code-hint">
            <p class="hint" id="link-code-hint">The 50 digits the new device shows (spaces do not matter).</p>
          </div>
          <button type="submit" class="btn btn-primary">Send the history</button>
          <p class="hint link-old-status" role="status" aria-live="polite"></p>
        </form>
        <noscript><p class="muted">Linking a device needs JavaScript.</p></noscript>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
