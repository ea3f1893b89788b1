<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "search" ?><?cs set:Layout.title = "Search" ?><?cs #
  GET /search?q= (also /search/people and /search/conversations). Reads Data.q
  (else Page.query.q), Data.sort, Data.messages.N.{url,snippet,created_at,
  sender,conversation.{id,kind,title}}, Data.next.{before,offset},
  Data.conversations.N.{id,kind,title}, Data.people.N.{username,display_name,
  contact}, Error.*.
?><?cs if:?Data.q ?><?cs set:Layout.q = Data.q ?><?cs else ?><?cs set:Layout.q = Page.query.q ?><?cs /if ?><?cs def:page_body() ?>
    <div class="container account">
      <div class="page-head">
        <div>
          <h1 id="page-title">Search</h1>
          <p class="muted">Messages in your conversations, conversations and people. Try <code>"a phrase"</code>, <code>-word</code>, <code>from:@name</code>, <code>in:title</code>, <code>after:2026-01-31</code>, <code>is:mention</code>, <code>has:link</code>.</p>
          <p class="muted search-e2e-note" role="status">End-to-end encrypted conversations are searched only with JavaScript, on your device: the server cannot read them.</p>
        </div>
      </div>
      <section class="card" aria-labelledby="search-title">
        <h2 id="search-title" class="visually-hidden">Search</h2>
        <form class="search-form" method="get" action="/search" role="search">
          <label class="visually-hidden" for="q">Search messages, conversations and people</label>
          <div class="input-row">
            <input id="q" name="q" type="search" required maxlength="256" autocomplete="off" spellcheck="false" placeholder="Search" value="<?cs var:Layout.q ?>"<?cs call:field_attrs("q", "0") ?>>
            <select name="sort" aria-label="Order">
              <option value="relevance"<?cs if:Data.sort != "newest" ?> selected<?cs /if ?>>Best match</option>
              <option value="newest"<?cs if:Data.sort == "newest" ?> selected<?cs /if ?>>Newest</option>
            </select>
            <button type="submit" class="btn btn-primary">Search</button>
          </div><?cs
          call:field_error("q") ?>
        </form><?cs
        call:form_error("q", "sort", "-", "-") ?>
      </section><?cs
      if:subcount(Data.conversations) > 0 ?>
      <section class="card search-section" aria-labelledby="search-convs">
        <h2 id="search-convs">Conversations</h2>
        <ul class="search-list"><?cs each:cv = Data.conversations ?>
          <li><a href="/conversations/<?cs var:cv.id ?>"><bdi><?cs var:cv.title ?></bdi></a> <span class="muted"><?cs call:kind_label(cv.kind) ?></span></li><?cs /each ?>
        </ul>
      </section><?cs
      /if ?><?cs
      if:subcount(Data.people) > 0 ?>
      <section class="card search-section" aria-labelledby="search-people">
        <h2 id="search-people">People</h2>
        <ul class="search-list"><?cs each:u = Data.people ?>
          <li><a href="/users/<?cs var:u.username ?>"><?cs call:user_name(u) ?></a> <span class="muted">@<?cs var:u.username ?></span><?cs if:u.contact ?> <span class="role-tag">Contact</span><?cs /if ?></li><?cs /each ?>
        </ul>
      </section><?cs
      /if ?><?cs
      if:Layout.q ?>
      <section class="card search-section" aria-labelledby="search-msgs">
        <h2 id="search-msgs">Messages</h2><?cs
        if:subcount(Data.messages) > 0 ?>
        <ol class="search-hits"><?cs each:h = Data.messages ?>
          <li class="search-hit">
            <a class="search-hit-link" href="<?cs var:h.url ?>"><bdi><?cs var:h.conversation.title ?></bdi></a>
            <span class="muted"><?cs if:h.sender.username ?><?cs call:user_name(h.sender) ?> · <?cs /if ?><?cs call:time_day(h.created_at) ?></span><?cs #
              The only raw HTML here: search.c escapes the message text itself and adds
              only <mark>…</mark> around the matched words (search_snippet_html). Never
              uvar anything else.
            ?>
            <p class="search-snippet" dir="auto"><?cs uvar:h.snippet ?></p>
          </li><?cs /each ?>
        </ol><?cs
          if:?Data.next.before || ?Data.next.offset ?>
        <form class="inline-form" method="get" action="/search">
          <input type="hidden" name="q" value="<?cs var:Layout.q ?>"><?cs
          if:?Data.next.before ?>
          <input type="hidden" name="sort" value="newest"><input type="hidden" name="before" value="<?cs var:Data.next.before ?>"><?cs
          else ?>
          <input type="hidden" name="offset" value="<?cs var:Data.next.offset ?>"><?cs
          /if ?>
          <button type="submit" class="btn btn-secondary btn-sm">More results</button>
        </form><?cs
          /if ?><?cs
        elif:!Error.message ?>
        <p class="empty">No messages found for “<bdi><?cs var:Layout.q ?></bdi>”.</p><?cs
        /if ?>
      </section><?cs
      /if ?>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
