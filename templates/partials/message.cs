<?cs include:"partials/attachments.cs" ?><?cs #
  One message of the conversation page, as an <li> of the message list.
  Include it after partials/macros.cs and before the page's own def:s, then
  `call:message(m)` inside `each:m = Data.messages`. Reads m.{seq,kind,
  sender.{username,display_name},body,html,created_at,edited_at,deleted,
  reply_to.{seq,sender.display_name,excerpt,excerpt_html,deleted},preview.{url,host,title,description,image.{width,height}},reactions.N.{emoji,
  count,users.N,names.N (display names: the tooltip),me},mentions_me,receipt.{state,read_by,delivered_to,of,
  readers.N}}, Data.conversation.{id,kind,my_role}, Session.user.username,
  Session.csrf, Layout.can_post (the page's: "0" hides Reply from someone who cannot
  post here, such as a member of a channel).

  m.attachments.N: partials/attachments.cs (included here) shows them.

  Consecutive text messages of one sender on one day are grouped: only the
  first shows the avatar and name. The grouping state lives in
  Layout.prev_sender, Layout.prev_kind and Layout.prev_day; the page resets
  them before the loop. A day separator starts each new day in the reader's zone.

  Direction: the body's container has dir="auto", names sit in <bdi>; a
  system line is the server's English sentence quoting names, so it is
  isolated with dir="ltr" rather than take the direction of a name.

  Receipts: the server gives m.receipt only on the reader's own text messages
  (and not at all to people who turned read receipts off). A first message
  shows it in its head after the time; a grouped one floats it at the right
  of its row. static/js/conversation.js swaps the .receipt element (by its
  message id) when a `read` or `delivered` event comes.
?><?cs def:quick_react(m, emoji, label) ?><form class="inline-form" method="post" action="/conversations/<?cs var:Data.conversation.id ?>/messages/<?cs var:m.seq ?>/reactions"><?cs call:csrf_field() ?><input type="hidden" name="emoji" value="<?cs var:emoji ?>"><button type="submit" class="react-btn" title="<?cs var:label ?>"><span aria-hidden="true"><?cs var:emoji ?></span><span class="visually-hidden">React with <?cs var:label ?></span></button></form><?cs /def ?><?cs #

  The receipt of one of your own messages: "✓" sent, "✓✓" delivered, blue
  "✓✓" read; in groups and channels also "Read by N of M", with the readers'
  names in the title. data-state is for scripts and tests.
?><?cs def:receipt_word(state) ?><?cs if:state == "read" ?>Read<?cs elif:state == "delivered" ?>Delivered<?cs else ?>Sent<?cs /if ?><?cs /def ?><?cs #
?><?cs def:receipt(m) ?><span class="receipt receipt-<?cs var:m.receipt.state ?>" data-state="<?cs var:m.receipt.state ?>" title="<?cs
  if:Data.conversation.kind == "direct" ?><?cs call:receipt_word(m.receipt.state) ?><?cs
  elif:m.receipt.read_by > 0 ?>Read by <?cs each:n = m.receipt.readers ?><?cs var:n ?><?cs if:!last(n) ?>, <?cs /if ?><?cs /each ?><?cs if:m.receipt.read_by > subcount(m.receipt.readers) ?> and <?cs var:m.receipt.read_by - subcount(m.receipt.readers) ?> more<?cs /if ?><?cs
  elif:m.receipt.delivered_to > 0 ?>Delivered to <?cs var:m.receipt.delivered_to ?> of <?cs var:m.receipt.of ?><?cs
  else ?>Sent<?cs
  /if ?>"><span class="receipt-ticks" aria-hidden="true"><?cs if:m.receipt.state == "sent" ?>✓<?cs else ?>✓✓<?cs /if ?></span><?cs
  if:Data.conversation.kind == "direct" || m.receipt.read_by == 0 ?><span class="visually-hidden"><?cs call:receipt_word(m.receipt.state) ?></span><?cs
  else ?><?cs if:m.receipt.state != "read" ?><span class="visually-hidden"><?cs call:receipt_word(m.receipt.state) ?>, </span><?cs /if ?><span class="receipt-count">Read by <?cs var:m.receipt.read_by ?> of <?cs var:m.receipt.of ?></span><?cs
  /if ?></span><?cs /def ?><?cs #

?><?cs def:message(m) ?><?cs
  set:Layout.m_day = local_time(m.created_at, "day") ?><?cs
  if:Layout.m_day != Layout.prev_day ?>
          <li class="day-sep"><span><?cs var:Layout.m_day ?></span></li><?cs
    set:Layout.prev_sender = "" ?><?cs
  /if ?><?cs
  set:Layout.prev_day = Layout.m_day ?><?cs
  if:m.kind == "system" ?>
          <li class="msg-system" id="m<?cs var:m.seq ?>"><p><span class="msg-system-text" dir="ltr"><?cs var:m.body ?></span> <span class="msg-time"><?cs call:time_hm(m.created_at) ?></span></p></li><?cs
    set:Layout.prev_sender = "" ?><?cs
  else ?><?cs
    if:m.sender.username == Layout.prev_sender && m.sender_name == Layout.prev_sender_name && !m.reply_to.seq ?><?cs set:Layout.m_cont = "1" ?><?cs else ?><?cs set:Layout.m_cont = "0" ?><?cs /if ?><?cs
    set:Layout.prev_sender = m.sender.username ?><?cs set:Layout.prev_sender_name = m.sender_name ?><?cs
    if:?Session.user.username && m.sender.username == Session.user.username ?><?cs set:Layout.m_mine = "1" ?><?cs else ?><?cs set:Layout.m_mine = "0" ?><?cs /if ?><?cs
    if:Layout.m_mine == "1" && ?m.receipt.state && !m.deleted ?><?cs set:Layout.m_receipt = "1" ?><?cs else ?><?cs set:Layout.m_receipt = "0" ?><?cs /if ?><?cs
    if:Layout.m_mine == "1" || (Data.conversation.kind != "direct" && (Data.conversation.my_role == "owner" || Data.conversation.my_role == "admin")) ?><?cs set:Layout.m_can_delete = "1" ?><?cs else ?><?cs set:Layout.m_can_delete = "0" ?><?cs /if ?>
          <li tabindex="-1" class="msg<?cs if:Layout.m_cont == "1" ?> msg-cont<?cs /if ?><?cs if:Layout.m_mine == "1" ?> msg-mine<?cs /if ?><?cs if:m.mentions_me && !m.deleted ?> msg-mention<?cs /if ?><?cs if:m.deleted ?> msg-deleted<?cs /if ?>" id="m<?cs var:m.seq ?>"><?cs
    if:Layout.m_cont == "1" ?>
            <span class="msg-gutter"><?cs call:time_hm(m.created_at) ?></span><?cs
    else ?>
            <?cs call:avatar(m.sender, "avatar-msg") ?><?cs
    /if ?>
            <div class="msg-main"><?cs
    if:Layout.m_cont != "1" ?>
              <p class="msg-head"><span class="msg-sender"><?cs call:msg_sender_name(m) ?></span> <span class="msg-time"><?cs call:time_hm(m.created_at) ?></span><?cs if:m.edited_at && !m.deleted ?> <span class="msg-edited" title="Edited <?cs var:local_time(m.edited_at, "long") ?>">(edited)</span><?cs /if ?><?cs if:Layout.m_receipt == "1" ?> <?cs call:receipt(m) ?><?cs /if ?></p><?cs
    else ?>
              <p class="visually-hidden"><?cs call:msg_sender_name(m) ?></p><?cs
      if:Layout.m_receipt == "1" ?>
              <?cs call:receipt(m) ?><?cs
      /if ?><?cs
    /if ?><?cs
    if:m.reply_to.seq ?>
              <a class="msg-quote" href="/conversations/<?cs var:Data.conversation.id ?>?around=<?cs var:m.reply_to.seq ?>#m<?cs var:m.reply_to.seq ?>"><span class="visually-hidden">In reply to </span><span class="msg-quote-who"><?cs call:user_name(m.reply_to.sender) ?></span> <span class="msg-quote-text" dir="auto"><?cs if:m.reply_to.deleted ?><em>Message deleted</em><?cs else ?><?cs uvar:m.reply_to.excerpt_html ?><?cs /if ?></span></a><?cs
    /if ?><?cs
    if:m.deleted ?>
              <p class="msg-body msg-tombstone"><?cs if:m.removed ?>This message was removed by an administrator<?cs else ?>This message was deleted<?cs /if ?></p><?cs
    else ?><?cs #
              The ONLY unescaped output of the site: the server escapes the
              message text itself and formats a small safe subset (bold,
              italic, code, links, mentions) into m.html. Never uvar anything else
              (search hits' snippets and reply quotes' excerpt_html, made the same
              way without links, are the other raw values).
              A message may be only files: then it has no body element.
?><?cs
      if:m.e2e.device_id ?>
              <div class="msg-body msg-encrypted">Encrypted message</div><?cs
      elif:m.body != "" || subcount(m.attachments) == 0 ?>
              <div class="msg-body" dir="auto"><?cs uvar:m.html ?><?cs if:Layout.m_cont == "1" && m.edited_at ?> <span class="msg-edited" title="Edited <?cs var:local_time(m.edited_at, "long") ?>">(edited)</span><?cs /if ?></div><?cs
      /if ?><?cs
      if:subcount(m.attachments) > 0 ?><?cs call:attachments(m) ?><?cs /if ?><?cs
      if:m.preview.url ?>
              <div class="link-preview"><?cs if:m.preview.image.width ?><img class="link-preview-image" src="/conversations/<?cs var:Data.conversation.id ?>/messages/<?cs var:m.seq ?>/preview/image" width="<?cs var:m.preview.image.width ?>" height="<?cs var:m.preview.image.height ?>" alt="" loading="lazy"><?cs /if ?><a class="link-preview-title" href="<?cs var:m.preview.url ?>" rel="noopener noreferrer nofollow ugc" dir="auto"><?cs if:m.preview.title ?><?cs var:m.preview.title ?><?cs else ?><?cs var:m.preview.host ?><?cs /if ?></a><?cs
        if:m.preview.description ?><p class="link-preview-desc" dir="auto"><?cs var:m.preview.description ?></p><?cs /if ?><span class="link-preview-host"><?cs var:m.preview.host ?></span><?cs
        if:Layout.m_mine == "1" ?><form class="inline-form" method="post" action="/conversations/<?cs var:Data.conversation.id ?>/messages/<?cs var:m.seq ?>/preview/remove"><?cs call:csrf_field() ?><button type="submit" class="act link-preview-remove">Remove preview</button></form><?cs /if ?></div><?cs
      /if ?><?cs
      if:subcount(m.reactions) > 0 ?>
              <ul class="reactions" aria-label="Reactions"><?cs
        each:r = m.reactions ?>
                <li><form class="inline-form" method="post" action="/conversations/<?cs var:Data.conversation.id ?>/messages/<?cs var:m.seq ?>/reactions"><?cs call:csrf_field() ?><input type="hidden" name="emoji" value="<?cs var:r.emoji ?>"><button type="submit" class="reaction<?cs if:r.me ?> is-mine<?cs /if ?>" aria-pressed="<?cs if:r.me ?>true<?cs else ?>false<?cs /if ?>" title="<?cs each:u = r.names ?><?cs var:u ?><?cs if:!last(u) ?>, <?cs /if ?><?cs /each ?>"><span class="reaction-emoji" dir="auto"><?cs var:r.emoji ?></span> <span class="reaction-count"><?cs var:r.count ?></span><span class="visually-hidden"> (<?cs if:r.me ?>you reacted; press to remove<?cs else ?>press to add yours<?cs /if ?>)</span></button></form></li><?cs
        /each ?>
              </ul><?cs
      /if ?><?cs
    /if ?>
            </div><?cs
    if:!m.deleted ?>
            <div class="msg-actions">
              <div class="quick-reacts"><?cs
        call:quick_react(m, "👍", "thumbs up") ?><?cs
        call:quick_react(m, "❤️", "heart") ?><?cs
        call:quick_react(m, "😂", "laughing") ?><?cs
        call:quick_react(m, "🎉", "party") ?><?cs
        call:quick_react(m, "😮", "surprised") ?><a class="react-btn react-more-link" href="/conversations/<?cs var:Data.conversation.id ?>/messages/<?cs var:m.seq ?>/react" title="More reactions"><span aria-hidden="true">+</span><span class="visually-hidden">More reactions</span></a></div>
<?cs
      if:Layout.can_post != "0" ?>
              <a class="act" href="/conversations/<?cs var:Data.conversation.id ?>?reply_to=<?cs var:m.seq ?>#composer">Reply</a><?cs
      /if ?><?cs
      if:Layout.m_mine != "1" && m.sender.username ?>
              <a class="act" href="/reports/new?conversation_id=<?cs var:Data.conversation.id ?>&amp;seq=<?cs var:m.seq ?>">Report</a><?cs
      /if ?><?cs
      if:Layout.m_mine == "1" ?>
              <a class="act" href="/conversations/<?cs var:Data.conversation.id ?>/messages/<?cs var:m.seq ?>/edit">Edit</a><?cs
      /if ?><?cs
      if:Layout.m_can_delete == "1" ?>
              <form class="inline-form" method="post" action="/conversations/<?cs var:Data.conversation.id ?>/messages/<?cs var:m.seq ?>/delete"><?cs call:csrf_field() ?><button type="submit" class="act act-danger">Delete</button></form><?cs
      /if ?>
            </div><?cs
    /if ?>
          </li><?cs
  /if ?><?cs /def ?>