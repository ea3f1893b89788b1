<?cs #
  The list of your conversations, on /conversations and beside a conversation on wide
  screens (pages/conversation.cs). conv_list(list) is the inside of the element marked
  data-inbox, which static/js/inbox.js swaps for the same part of a fresh /conversations.
  Each row reads list.N.{id,kind,title,unread,last_activity_at,last_message.{excerpt,
  deleted,kind,sender.{username,display_name}},peer.{id,presence.{state,last_seen}}};
  the row of Layout.cid (the open conversation) is aria-current.

  The time of a row is printed twice (top row on wide screens, bottom row on
  phones and in the narrow list beside a conversation); CSS shows one of them.
?><?cs def:conv_row(c) ?>
            <li class="conv-item<?cs if:c.unread > 0 ?> is-unread<?cs /if ?>">
              <a class="conv-link" href="/conversations/<?cs var:c.id ?>"<?cs if:#c.id == #Layout.cid ?> aria-current="page"<?cs /if ?>>
                <span class="avatar-wrap"><?cs call:conv_avatar(c) ?><?cs
                  if:c.kind == "direct" && ?c.peer.id ?><?cs call:presence(c.peer, "badge") ?><?cs /if ?></span>
                <span class="conv-text">
                  <span class="conv-top">
                    <span class="conv-title"><bdi><?cs var:c.title ?></bdi><span class="kind-tag kind-<?cs var:c.kind ?>"><?cs call:kind_label(c.kind) ?></span></span><?cs
                    if:c.last_activity_at ?>
                    <span class="conv-time conv-time-top"><?cs call:time_day(c.last_activity_at) ?></span><?cs
                    /if ?>
                  </span>
                  <span class="conv-bottom">
                    <span class="conv-excerpt"><?cs
                    if:!?c.last_message.kind ?><em>No messages yet</em><?cs
                    elif:c.last_message.deleted ?><em>Message deleted</em><?cs
                    elif:c.last_message.kind == "system" ?><bdi><?cs var:c.last_message.excerpt ?></bdi><?cs
                    else ?><span class="conv-excerpt-who"><?cs
                      if:?Session.user.username && c.last_message.sender.username == Session.user.username ?>You<?cs
                      else ?><?cs call:user_name(c.last_message.sender) ?><?cs /if ?>:</span> <bdi><?cs var:c.last_message.excerpt ?></bdi><?cs
                    /if ?></span><?cs
                    if:c.last_activity_at ?>
                    <span class="conv-time conv-time-bottom"><?cs call:time_day(c.last_activity_at) ?></span><?cs
                    /if ?><?cs
                    if:c.unread > 0 ?>
                    <span class="unread-badge"><?cs var:c.unread ?><span class="visually-hidden"> unread</span></span><?cs
                    /if ?>
                  </span>
                </span>
              </a>
            </li><?cs /def ?><?cs #

?><?cs def:conv_list(list) ?>
          <h2 id="list-title" class="visually-hidden">Your conversations</h2><?cs
          if:subcount(list) > 0 ?>
          <ul class="conv-list"><?cs
          each:c = list ?><?cs call:conv_row(c) ?><?cs /each ?>
          </ul><?cs
          else ?>
          <div class="empty-state">
            <span class="empty-icon" aria-hidden="true"><svg viewBox="0 0 24 24" width="26" height="26" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d="M20 12a8 8 0 0 1-11.6 7.1L4 20l1-4.2A8 8 0 1 1 20 12Z"/></svg></span>
            <h3>No conversations yet</h3>
            <p>Start one with a contact, or create a group for your team. You can also <a href="/contacts">add contacts</a> first.</p>
          </div><?cs
          /if ?><?cs /def ?>