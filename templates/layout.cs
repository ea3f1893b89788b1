<?cs #
  The document around every page. A page includes partials/macros.cs, defines
  page_body(), sets Layout.title and Layout.name, then includes this file.
  A non-empty Page.title from the handler wins over the page's own title;
  it may be a user's name, so FSI…PDI isolate it in the tab's title.
  Layout.section ("conversations", "contacts", "broadcast") marks the
  current section link in the header of a logged-in user.
  Session.presence_away_s (seconds of idleness before someone shows as away)
  goes to <body data-presence-away> for static/js/presence.js.
  Page.theme ("light" or "dark", from the parley_theme cookie; unset: the
  system's) goes to <html data-theme> and the color-scheme meta.
  Session.unread (your unread messages, when any) shows as a badge on
  Conversations and "(3)" in the tab's title; static/js/unread.js keeps both live.
?><?cs if:Page.title ?><?cs set:Layout.title = Page.title ?><?cs /if ?><!DOCTYPE html>
<html lang="en"<?cs if:Page.theme ?> data-theme="<?cs var:Page.theme ?>"<?cs /if ?>>
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="csrf-token" content="<?cs var:Session.csrf ?>">
  <meta name="color-scheme" content="<?cs if:Page.theme ?><?cs var:Page.theme ?><?cs else ?>light dark<?cs /if ?>">
  <title><?cs if:Session.unread ?>(<?cs var:Session.unread ?>) <?cs /if ?><?cs if:Layout.title && Layout.title != "Parley" ?>&#x2068;<?cs var:Layout.title ?>&#x2069; · <?cs /if ?><?cs var:Page.instance_name ?></title>
  <link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/css/parley.css">
  <link rel="manifest" href="/static/manifest.webmanifest">
  <meta name="theme-color" content="#4f46e5">
</head>
<body class="page-<?cs var:Layout.name ?>"<?cs if:?Session.user.id ?> data-me="<?cs var:Session.user.id ?>"<?cs /if ?><?cs if:?Session.presence_away_s ?> data-presence-away="<?cs var:Session.presence_away_s ?>"<?cs /if ?>>
  <a class="skip-link" href="#main">Skip to content</a>
  <header class="site-header">
    <div class="container header-inner">
      <a class="brand" href="/"><img src="/static/img/logo.svg" alt="" width="28" height="28"><span class="brand-name"><?cs var:Page.instance_name ?></span></a>
      <nav class="site-nav" aria-label="Main"><?cs
      if:?Session.user.id ?>
        <span class="nav-sections"><?cs
          call:section_link("/conversations", "conversations", "Conversations") ?><span class="nav-unread" id="nav-unread"<?cs if:!Session.unread ?> hidden<?cs /if ?>><?cs var:Session.unread ?><span class="visually-hidden"> unread</span></span><a class="nav-unread nav-requests" id="nav-requests" href="/requests"<?cs if:!Session.requests ?> hidden<?cs /if ?>><?cs var:Session.requests ?><span class="visually-hidden"> message requests</span></a><?cs
          call:section_link("/contacts", "contacts", "Contacts") ?><span class="nav-unread" id="nav-contact-requests"<?cs if:!Session.contact_requests ?> hidden<?cs /if ?>><?cs var:Session.contact_requests ?><span class="visually-hidden"> contact requests</span></span><?cs
          call:section_link("/broadcasts", "broadcast", "Broadcast") ?><?cs
          call:section_link("/mentions", "mentions", "Mentions") ?></span>
        <form class="inline-form header-search" method="get" action="/search" role="search">
          <label class="visually-hidden" for="header-q">Search</label>
          <input id="header-q" name="q" type="search" maxlength="256" autocomplete="off" spellcheck="false" placeholder="Search"<?cs if:Layout.name == "search" ?> value="<?cs var:Layout.q ?>"<?cs /if ?>>
          <button type="submit" class="visually-hidden">Search</button>
        </form>
<?cs if:Session.user.is_admin ?>        <a class="nav-link" href="/admin"<?cs if:Page.path == "/admin" ?> aria-current="page"<?cs /if ?>>Admin</a>
<?cs /if ?>        <a class="nav-user" href="/me"<?cs if:Page.path == "/me" ?> aria-current="page"<?cs /if ?>><?cs call:avatar(Session.user, "avatar-sm") ?><span class="nav-user-name"><?cs call:user_name(Session.user) ?></span></a>
        <form class="inline-form" method="post" action="/logout">
          <?cs call:csrf_field() ?>
          <button type="submit" class="link-button">Log out</button>
        </form><?cs
      else ?>
        <a class="nav-link" href="/login"<?cs if:Page.path == "/login" ?> aria-current="page"<?cs /if ?>>Log in</a>
        <a class="btn btn-primary btn-sm" href="/register"<?cs if:Page.path == "/register" ?> aria-current="page"<?cs /if ?>>Register</a><?cs
      /if ?>
      </nav>
    </div>
  </header>
  <main id="main" tabindex="-1">
<?cs call:page_body() ?>
  </main><?cs
  if:?Session.user.id ?>
  <p class="live-status" id="live-status" role="status" hidden>Reconnecting…</p><?cs
  /if ?>
  <footer class="site-footer">
    <div class="container footer-inner">
      <p><?cs if:Page.instance_name != "Parley" ?><?cs var:Page.instance_name ?> · <?cs /if ?>Parley<?cs if:Page.version ?> <?cs var:Page.version ?><?cs /if ?> · self-hosted chat</p>
      <p>Every page is also a JSON API at <code>/api/v1/…</code></p>
    </div>
  </footer>
  <script type="module" src="/static/js/app.js"></script>
</body>
</html>
