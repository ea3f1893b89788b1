<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "home" ?><?cs set:Layout.title = "Parley" ?><?cs #
  GET /. Reads Data.name, Data.version, Session.user.*, Page.done.
?><?cs def:feature(icon, title, text) ?>
          <li class="feature">
            <span class="feature-icon" aria-hidden="true"><svg viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><?cs
            if:icon == "groups" ?><path d="M16 19v-1.5a3.5 3.5 0 0 0-3.5-3.5h-5A3.5 3.5 0 0 0 4 17.5V19"/><circle cx="10" cy="7.5" r="3.5"/><path d="M20 19v-1.5a3.5 3.5 0 0 0-2.5-3.35"/><path d="M15.5 4.2a3.5 3.5 0 0 1 0 6.6"/><?cs
            elif:icon == "broadcast" ?><path d="M4 10v4a1 1 0 0 0 1 1h2l5 4V5L7 9H5a1 1 0 0 0-1 1Z"/><path d="M16 8.5a5 5 0 0 1 0 7"/><path d="M19 5.5a9 9 0 0 1 0 13"/><?cs
            elif:icon == "files" ?><path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8Z"/><path d="M14 3v5h5"/><path d="M9 13h6M9 17h4"/><?cs
            elif:icon == "search" ?><circle cx="11" cy="11" r="6.5"/><path d="m20 20-4.3-4.3"/><?cs
            elif:icon == "lock" ?><rect x="4.5" y="10.5" width="15" height="10" rx="2"/><path d="M8 10.5V7.5a4 4 0 0 1 8 0v3"/><circle cx="12" cy="15.5" r="1.2"/><?cs
            else ?><rect x="3.5" y="4" width="17" height="6" rx="1.5"/><rect x="3.5" y="14" width="17" height="6" rx="1.5"/><path d="M7 7h.01M7 17h.01"/><?cs
            /if ?></svg></span>
            <h3><?cs var:title ?></h3>
            <p><?cs var:text ?></p>
          </li><?cs /def ?><?cs def:page_body() ?>
    <div class="container"><?cs
      if:Page.done == "logout" ?><?cs call:notice("You have been logged out. See you soon.") ?><?cs
      elif:Page.done == "deleted" ?><?cs call:notice("Your account has been deleted.") ?><?cs
      /if ?>
      <section class="hero" aria-labelledby="page-title">
        <p class="eyebrow">Self-hosted team chat</p>
        <h1 id="page-title">Conversations that stay yours.</h1>
        <p class="hero-lead">Parley is a fast, calm chat for teams, families and communities, running on your own server. Groups, broadcasts, files and search, with end-to-end encryption when it matters.</p><?cs
        if:?Session.user.id ?>
        <p class="hero-welcome">Welcome back, <strong><?cs call:user_name(Session.user) ?></strong>.</p>
        <div class="hero-actions">
          <a class="btn btn-primary btn-lg" href="/me">Go to your profile</a>
          <a class="btn btn-secondary btn-lg" href="/me/tokens">API tokens</a>
        </div><?cs
        else ?>
        <div class="hero-actions">
          <a class="btn btn-primary btn-lg" href="/register">Create your account</a>
          <a class="btn btn-secondary btn-lg" href="/login">Log in</a>
        </div><?cs
        /if ?>
      </section>

      <section class="features" aria-labelledby="features-title">
        <h2 id="features-title" class="visually-hidden">What you get</h2>
        <ul class="feature-grid"><?cs
          call:feature("groups", "Groups", "Direct messages and group conversations that keep their order, even on a flaky connection.") ?><?cs
          call:feature("broadcast", "Broadcasts", "Announcements to many people at once, without a reply-all storm.") ?><?cs
          call:feature("files", "Files", "Share pictures and documents; thumbnails and upload progress included.") ?><?cs
          call:feature("search", "Search", "Full-text search across every conversation you are in, in milliseconds.") ?><?cs
          call:feature("lock", "End-to-end encryption", "Encrypted conversations are locked in your browser. The server only sees ciphertext.") ?><?cs
          call:feature("server", "Yours to run", "One small server or many. Works without JavaScript, and every page is a JSON API.") ?>
        </ul>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
