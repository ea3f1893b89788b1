<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "mentions" ?><?cs set:Layout.title = "Mentions" ?><?cs set:Layout.section = "mentions" ?><?cs #
  GET /mentions: messages that mention me, reach me with @all or @here, or hold one of my
  keywords, newest first. Reads Data.mentions.N.{conversation.{id,kind,title},unread,kind,
  message.{seq,body,created_at,sender.*,sender_name}}, Data.next_before. The message text is shown escaped (var), never as HTML.
?><?cs def:page_body() ?>
    <div class="container">
      <section class="card search-section" aria-labelledby="page-title">
        <h1 id="page-title">Mentions</h1>
        <p class="muted">Messages that mention you (@<?cs var:Session.user.username ?>), everyone (@all, @here) or one of your <a href="/push/subscriptions">keywords</a>, newest first.</p><?cs
        if:subcount(Data.mentions) > 0 ?>
        <ol class="search-hits mention-list"><?cs each:h = Data.mentions ?>
          <li class="search-hit<?cs if:h.unread ?> unread<?cs /if ?>">
            <a class="search-hit-link" href="/conversations/<?cs var:h.conversation.id ?>?around=<?cs var:h.message.seq ?>#m<?cs var:h.message.seq ?>"><bdi><?cs if:h.conversation.title ?><?cs var:h.conversation.title ?><?cs else ?>Direct message<?cs /if ?></bdi></a><?cs
            if:h.unread ?> <span class="badge">Unread</span><?cs /if ?><?cs
            if:h.kind == "all" ?> <span class="badge">@all</span><?cs elif:h.kind == "here" ?> <span class="badge">@here</span><?cs elif:h.kind == "keyword" ?> <span class="badge">Keyword</span><?cs /if ?>
            <span class="muted"><?cs if:h.message.sender.username ?><?cs call:msg_sender_name(h.message) ?> · <?cs /if ?><?cs call:time(h.message.created_at) ?></span>
            <p class="search-snippet" dir="auto"><?cs var:h.message.body ?></p>
          </li><?cs /each ?>
        </ol><?cs
          if:Data.next_before ?>
        <p><a href="/mentions?before=<?cs var:Data.next_before ?>">Older mentions</a></p><?cs /if ?><?cs
        else ?>
        <p class="empty">Nobody has mentioned you yet.</p><?cs
        /if ?>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
