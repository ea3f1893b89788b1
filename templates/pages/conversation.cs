<?cs include:"partials/macros.cs" ?><?cs include:"partials/message.cs" ?><?cs include:"partials/conv_list.cs" ?><?cs set:Layout.name = "conversation" ?><?cs set:Layout.section = "conversations" ?><?cs if:Data.conversation.title ?><?cs set:Layout.title = Data.conversation.title ?><?cs else ?><?cs set:Layout.title = "Conversation" ?><?cs /if ?><?cs #
  GET /conversations/<id> (?before= ?after= ?around= ?reply_to=), and the
  re-render after a failed POST …/messages (or reaction, delete).
  Reads Data.conversation.{id,kind,title,description,my_role,members.N,
  peer.{id,presence.{state,last_seen}}},
  Data.messages.N (see partials/message.cs), Data.has_older, Data.has_newer,
  Data.reply_to.{seq,sender.{username,display_name},excerpt},
  Page.client_id (a fresh UUID per render), Form.body, Error.*, Session.*,
  Data.unread_after (the page only: your read position when you opened it, while
  something came after it; the "New messages" line goes before the first message
  of someone else after it).

  The message list sits in a scroll box laid out with column-reverse, so
  without any script the browser opens it scrolled to the newest message;
  #m<seq> and #composer anchors still scroll to their targets.

  For static/js/conversation.js: .chat carries data-conversation-id,
  data-read-seq and data-kind, .chat-log data-has-older/data-has-newer; the script fetches this
  same page (?after=, ?around=, ?before=) and moves the <li id="m<seq>"> in.
  The notification buttons and #typing stay hidden or empty without it.

  The app shell: .shell holds the list of your conversations (Data.inbox, see
  partials/conv_list.cs; hidden on phones, one pane at a time) and #shell-main, the
  conversation. static/js/shell.js swaps only #shell-main when another conversation
  is opened from the list; its filter box narrows the list as you type (without
  JavaScript it searches conversations by name).

  The composer is a multipart form: its file input sends files with the text
  (the CSRF field comes first, since the server checks it before it stores
  a file). static/js/attach.js turns that input into an attach button, drag
  and drop, paste and voice notes, uploading each file as soon as it is
  chosen; the form then sends media_ids with the text.
?><?cs def:page_body() ?><?cs
    set:Layout.cid = Data.conversation.id ?><?cs
    if:Data.conversation.my_muted_until ?><?cs
      set:Layout.can_post = "0" ?><?cs
    elif:Data.conversation.e2e ?><?cs #
      An end-to-end encrypted conversation takes no form post: only a device
      holding keys can write it (the notice below says so). ?><?cs
      set:Layout.can_post = "0" ?><?cs
    elif:Data.conversation.kind == "channel" && Data.conversation.my_role != "owner" && Data.conversation.my_role != "admin" ?><?cs
      set:Layout.can_post = "0" ?><?cs
    else ?><?cs
      set:Layout.can_post = "1" ?><?cs
    /if ?>
    <div class="shell">
      <nav class="shell-list" aria-label="Conversations">
        <form class="shell-filter" method="get" action="/search/conversations" role="search" aria-label="Filter conversations">
          <label class="visually-hidden" for="conv-filter">Filter conversations</label>
          <input id="conv-filter" name="q" type="search" maxlength="100" autocomplete="off" spellcheck="false" placeholder="Filter conversations">
          <button type="submit" class="visually-hidden">Filter</button>
        </form>
        <div class="shell-convs" data-inbox><?cs call:conv_list(Data.inbox) ?>
        </div>
      </nav>
      <div class="shell-main" id="shell-main">
    <div class="chat" data-conversation-id="<?cs var:Layout.cid ?>" data-kind="<?cs var:Data.conversation.kind ?>" data-read-seq="<?cs var:Data.conversation.read_seq ?>"<?cs if:Data.conversation.e2e ?> data-e2e="1"<?cs /if ?>>
      <header class="chat-head">
        <a class="chat-back" href="/conversations"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="20" height="20"><path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" d="M12.5 4.5 7 10l5.5 5.5"/></svg><span class="visually-hidden">All conversations</span></a>
        <?cs call:conv_avatar(Data.conversation) ?>
        <div class="chat-title">
          <h1 id="page-title"><bdi><?cs var:Data.conversation.title ?></bdi></h1>
          <p class="chat-sub"><span class="kind-tag kind-<?cs var:Data.conversation.kind ?>"><?cs call:kind_label(Data.conversation.kind) ?></span><?cs
          if:Data.conversation.kind == "direct" && Data.conversation.peer.id ?><?cs call:presence(Data.conversation.peer, "full") ?><?cs /if ?><?cs
          if:Data.conversation.kind != "direct" ?> · <?cs var:subcount(Data.conversation.members) ?> <?cs if:subcount(Data.conversation.members) == 1 ?>member<?cs else ?>members<?cs /if ?><?cs /if ?><?cs
          if:Data.conversation.description ?> · <span class="chat-desc" dir="auto"><?cs var:Data.conversation.description ?></span><?cs /if ?><?cs
          if:Data.conversation.e2e ?> · <span class="e2e-tag">End-to-end encrypted</span><?cs /if ?></p>
        </div>
        <button type="button" class="btn btn-secondary btn-sm notify-enable" hidden><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d="M5 8a5 5 0 0 1 10 0c0 4 1.5 5.5 2 6H3c.5-.5 2-2 2-6Z"/><path d="M8.2 16.5a2 2 0 0 0 3.6 0"/></svg><span class="notify-enable-label">Enable desktop notifications</span></button>
        <button type="button" class="btn btn-secondary btn-sm mute-toggle" aria-pressed="false" title="Mute desktop notifications for this conversation" hidden><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d="M5 8a5 5 0 0 1 10 0c0 4 1.5 5.5 2 6H3c.5-.5 2-2 2-6Z"/><path class="mute-slash" d="M3 3l14 14"/><path d="M8.2 16.5a2 2 0 0 0 3.6 0"/></svg><span class="mute-label">Mute</span></button>
        <a class="btn btn-secondary btn-sm chat-settings" href="/conversations/<?cs var:Layout.cid ?>/settings"><svg class="icon" aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><circle cx="12" cy="12" r="3"/><path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1Z"/></svg><span class="chat-settings-label"><?cs if:Data.conversation.kind == "direct" ?>Details<?cs else ?>Settings<?cs /if ?></span></a>
      </header><?cs
      if:Data.conversation.request == "pending" ?>
      <section class="request-bar" aria-label="Message request">
        <p><strong><bdi><?cs var:Data.conversation.title ?></bdi></strong> is not among your contacts. Accept the request to move this conversation to your inbox; they are not told if you delete it.</p>
        <div class="button-row">
          <form class="inline-form" method="post" action="/requests/<?cs var:Layout.cid ?>/accept"><?cs call:csrf_field() ?><button type="submit" class="btn btn-primary btn-sm">Accept</button></form>
          <form class="inline-form" method="post" action="/requests/<?cs var:Layout.cid ?>/delete"><?cs call:csrf_field() ?><button type="submit" class="btn btn-secondary btn-sm">Delete</button></form>
          <form class="inline-form" method="post" action="/requests/<?cs var:Layout.cid ?>/block"><?cs call:csrf_field() ?><button type="submit" class="btn btn-danger-quiet btn-sm">Block</button></form>
          <form class="inline-form" method="post" action="/requests/<?cs var:Layout.cid ?>/block"><?cs call:csrf_field() ?><input type="hidden" name="report" value="true"><button type="submit" class="btn btn-danger-quiet btn-sm">Block and report</button></form>
        </div>
      </section><?cs
      /if ?>

      <section class="chat-scroll" tabindex="0" aria-label="Messages">
        <div class="chat-log" data-has-older="<?cs if:Data.has_older ?>1<?cs else ?>0<?cs /if ?>" data-has-newer="<?cs if:Data.has_newer ?>1<?cs else ?>0<?cs /if ?>"><?cs
        if:Data.has_older ?>
          <p class="history-link"><a class="btn btn-secondary btn-sm" href="/conversations/<?cs var:Layout.cid ?>?before=<?cs var:Data.messages.0.seq ?>">Older messages</a></p><?cs
        elif:subcount(Data.messages) > 0 ?>
          <p class="history-start">This is the beginning of <?cs if:Data.conversation.kind == "direct" ?>your conversation with <?cs /if ?><strong><bdi><?cs var:Data.conversation.title ?></bdi></strong>.</p><?cs
        /if ?><?cs
        if:subcount(Data.messages) > 0 ?><?cs
          set:Layout.prev_sender = "" ?><?cs set:Layout.prev_day = "" ?>
          <ol class="msg-list"><?cs
          each:m = Data.messages ?><?cs
            if:?Data.unread_after && Layout.unread_shown != "1" && #m.seq > #Data.unread_after && m.sender.username != Session.user.username ?>
          <li class="unread-sep" id="unread"><span>New messages</span></li><?cs
              set:Layout.unread_shown = "1" ?><?cs
            /if ?><?cs call:message(m) ?><?cs set:Layout.last_seq = m.seq ?><?cs /each ?>
          </ol><?cs
        else ?>
          <div class="chat-empty">
            <p class="chat-empty-title">No messages yet</p>
            <p class="muted"><?cs if:Layout.can_post == "1" ?>Say hello — your first message starts the conversation.<?cs else ?>Nothing has been posted in this channel yet.<?cs /if ?></p>
          </div><?cs
        /if ?><?cs
        if:Data.has_newer ?>
          <p class="history-link"><a class="btn btn-secondary btn-sm" href="/conversations/<?cs var:Layout.cid ?>?after=<?cs var:Layout.last_seq ?>">Newer messages</a> <a class="btn btn-secondary btn-sm" href="/conversations/<?cs var:Layout.cid ?>#composer">Jump to latest</a></p><?cs
        /if ?>
        </div>
      </section>

      <div class="composer" id="composer">
        <p class="typing-indicator" id="typing" aria-live="polite"></p><?cs
        call:form_error("body", "-", "-", "-") ?><?cs
        if:Layout.can_post == "1" ?>
        <form class="composer-form" method="post" action="/conversations/<?cs var:Layout.cid ?>/messages" enctype="multipart/form-data">
          <?cs call:csrf_field() ?>
          <input type="hidden" name="client_id" value="<?cs var:Page.client_id ?>"><?cs
          if:Error.field == "confirm_all" ?>
          <input type="hidden" name="confirm_all" value="1"><?cs /if ?><?cs
          if:Data.reply_to.seq ?>
          <input type="hidden" name="reply_to" value="<?cs var:Data.reply_to.seq ?>">
          <div class="reply-strip">
            <svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="18" height="18"><path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" d="M8 5 3.5 9.5 8 14M4 9.5h7.5a5 5 0 0 1 5 5V16"/></svg>
            <p><span class="reply-strip-who">Replying to <a href="#m<?cs var:Data.reply_to.seq ?>"><?cs call:user_name(Data.reply_to.sender) ?></a></span> <span class="reply-strip-text" dir="auto"><?cs var:Data.reply_to.excerpt ?></span></p>
            <a class="reply-cancel" href="/conversations/<?cs var:Layout.cid ?>#composer"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="m5 5 10 10M15 5 5 15"/></svg><span class="visually-hidden">Cancel reply</span></a>
          </div><?cs
          /if ?>
          <div class="composer-row<?cs if:Error.message && Error.field == "body" ?> has-error<?cs /if ?>">
            <label class="visually-hidden" for="body">Message</label>
            <textarea id="body" name="body" rows="2" maxlength="16384" placeholder="Message <?cs var:Data.conversation.title ?>"<?cs call:field_attrs("body", "1") ?>><?cs var:Form.body ?></textarea>
            <button type="submit" class="btn btn-primary composer-send"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="18" height="18"><path fill="currentColor" d="M2.7 2.6a.8.8 0 0 1 .9-.1l13.6 6.8a.8.8 0 0 1 0 1.4L3.6 17.5a.8.8 0 0 1-1.1-1l2-6.5-2-6.5a.8.8 0 0 1 .2-.9Zm3.4 8.2-1.3 4.3 9.8-5.1-9.8-5.1 1.3 4.3H11v1.6Z"/></svg><span class="composer-send-label">Send</span></button>
          </div><?cs
          call:field_error("body") ?>
          <div class="composer-files">
            <label for="composer-file">Attach files <span class="optional">up to 10</span></label>
            <input id="composer-file" name="file" type="file" multiple>
          </div>
          <p class="hint composer-hint" id="body-hint"><strong>**bold**</strong>, <em>*italic*</em>, <code>`code`</code>, links and @mentions are formatted.</p>
        </form><?cs
        else ?>
        <p class="composer-closed"><svg class="icon" aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><rect x="4.5" y="10.5" width="15" height="10" rx="2"/><path d="M8 10.5V7.5a4 4 0 0 1 8 0v3"/></svg><?cs if:Data.conversation.e2e && !Data.conversation.my_muted_until ?>This conversation is end-to-end encrypted: reading and writing it needs JavaScript, which decrypts and encrypts on your device. The server cannot read it.<?cs elif:Data.conversation.my_muted_until ?>An owner or admin muted you here until <?cs call:time(Data.conversation.my_muted_until) ?>: you can read but not send.<?cs else ?>Only admins can post in this channel.<?cs /if ?></p><?cs
        /if ?>
      </div>
    </div>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
