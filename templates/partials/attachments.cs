<?cs #
  The files a message carries, as partials/message.cs shows them. Included by
  message.cs (its defs must be parsed before the message def calls them).
  Reads m.attachments.N.{id,name,mime,kind,size,width,height,duration_ms,
  state,thumbs,url} and Layout.m_mine ("1" on the reader's own message: the
  sender is the uploader).

  Images show as thumbnails whose width and height attributes are computed
  here to fit a 320 px box, so the history never jumps while they load. Until
  the worker has processed a photo (state "processing", thumbs "0"), only its
  uploader may fetch it: they see the original, everyone else a box of the
  same size saying "Processing…". static/js/conversation-media.js re-renders
  the message when a media.ready event says the thumbnails exist, and
  static/js/media-view.js opens a.att-image links in a full-size viewer
  (data-view: the 1280 px thumbnail, or the original). Without scripts the
  link just opens the image.

  Video plays in <video> (its poster is the thumbnail once there is one),
  audio in <audio>; anything else, and a photo the worker refused, is a card
  with a download link. Every value is escaped (var:), names sit in <bdi>.
?><?cs #

  Sets Layout.aw and Layout.ah: width × height fitted (never enlarged) into a
  box × box square; 0 × 0 when the size is unknown.
?><?cs def:att_fit(a, box) ?><?cs
  set:Layout.aw = 0 ?><?cs set:Layout.ah = 0 ?><?cs
  if:#a.width > 0 && #a.height > 0 ?><?cs
    if:#a.width >= #a.height ?><?cs
      if:#a.width > #box ?><?cs set:Layout.aw = #box ?><?cs else ?><?cs set:Layout.aw = #a.width ?><?cs /if ?><?cs
      set:Layout.ah = (#a.height * #Layout.aw + #a.width / 2) / #a.width ?><?cs
    else ?><?cs
      if:#a.height > #box ?><?cs set:Layout.ah = #box ?><?cs else ?><?cs set:Layout.ah = #a.height ?><?cs /if ?><?cs
      set:Layout.aw = (#a.width * #Layout.ah + #a.height / 2) / #a.height ?><?cs
    /if ?><?cs
    if:#Layout.aw < 1 ?><?cs set:Layout.aw = 1 ?><?cs /if ?><?cs
    if:#Layout.ah < 1 ?><?cs set:Layout.ah = 1 ?><?cs /if ?><?cs
  /if ?><?cs /def ?><?cs #

  A size in bytes for people: "850 B", "1.4 KB", "230 KB", "12 MB" (decimal
  units, as the server's limits are stated).
?><?cs def:human_size(n) ?><?cs
  if:#n < 1000 ?><?cs var:#n ?> B<?cs
  elif:#n < 10000 ?><?cs var:#n / 1000 ?>.<?cs var:(#n % 1000) / 100 ?> KB<?cs
  elif:#n < 1000000 ?><?cs var:#n / 1000 ?> KB<?cs
  elif:#n < 10000000 ?><?cs var:#n / 1000000 ?>.<?cs var:(#n % 1000000) / 100000 ?> MB<?cs
  elif:#n < 1000000000 ?><?cs var:#n / 1000000 ?> MB<?cs
  else ?><?cs var:#n / 1000000000 ?>.<?cs var:(#n % 1000000000) / 100000000 ?> GB<?cs
  /if ?><?cs /def ?><?cs #

  A duration in milliseconds as m:ss.
?><?cs def:duration(ms) ?><?cs
  set:Layout.dur_s = #ms / 1000 ?><?cs var:#Layout.dur_s / 60 ?>:<?cs if:#Layout.dur_s % 60 < 10 ?>0<?cs /if ?><?cs var:#Layout.dur_s % 60 ?><?cs /def ?><?cs #

  The icon of a file card, by kind.
?><?cs def:att_icon(kind) ?><svg class="icon att-icon" aria-hidden="true" viewBox="0 0 24 24" width="28" height="28" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"><?cs
  if:kind == "image" ?><rect x="3.5" y="4.5" width="17" height="15" rx="2"/><circle cx="9" cy="10" r="1.8"/><path d="m4 18 5.5-5.5 4 4 2.5-2.5 4.5 4.5"/><?cs
  elif:kind == "video" ?><rect x="3" y="5.5" width="13" height="13" rx="2"/><path d="m16 10 5-3v10l-5-3"/><?cs
  elif:kind == "audio" ?><path d="M9 18V6l11-2v12"/><circle cx="6.5" cy="18" r="2.5"/><circle cx="17.5" cy="16" r="2.5"/><?cs
  else ?><path d="M14 3.5H7a2 2 0 0 0-2 2v13a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8.5Z"/><path d="M14 3.5v5h5"/><?cs
  /if ?></svg><?cs /def ?><?cs #

  A file card: icon, name, size and type, and a link that downloads it.
?><?cs def:att_card(a) ?>
                <li class="att att-file" data-media-id="<?cs var:a.id ?>" data-kind="<?cs var:a.kind ?>" data-state="<?cs var:a.state ?>">
                  <?cs call:att_icon(a.kind) ?>
                  <span class="att-file-text">
                    <span class="att-name"><bdi><?cs var:a.name ?></bdi></span>
                    <span class="att-meta"><?cs call:human_size(a.size) ?> · <?cs var:a.mime ?><?cs if:a.kind == "image" && a.state == "failed" ?> · no preview<?cs /if ?></span>
                  </span>
                  <a class="btn btn-secondary btn-sm att-download" href="/api/v1/media/<?cs var:a.id ?>?download=1" download>Download<span class="visually-hidden"> <bdi><?cs var:a.name ?></bdi></span></a>
                </li><?cs /def ?><?cs #

  One attachment of any kind.
?><?cs def:attachment(a) ?><?cs
  if:a.kind == "image" && (a.thumbs == "1" || a.state == "processing") ?><?cs
    call:att_fit(a, 320) ?><?cs
    if:#Layout.aw == 0 ?><?cs set:Layout.aw = 240 ?><?cs set:Layout.ah = 240 ?><?cs set:Layout.a_nosize = "1" ?><?cs else ?><?cs set:Layout.a_nosize = "0" ?><?cs /if ?><?cs
    if:a.thumbs == "1" || Layout.m_mine == "1" ?>
                <li class="att att-image<?cs if:Layout.a_nosize == "1" ?> att-nosize<?cs /if ?>" data-media-id="<?cs var:a.id ?>" data-kind="image" data-state="<?cs var:a.state ?>">
                  <a class="att-thumb" href="/api/v1/media/<?cs var:a.id ?>" data-view="/api/v1/media/<?cs var:a.id ?><?cs if:a.thumbs == "1" ?>/thumb/1280<?cs /if ?>" data-name="<?cs var:a.name ?>"><img src="/api/v1/media/<?cs var:a.id ?><?cs if:a.thumbs == "1" ?>/thumb/320<?cs /if ?>" width="<?cs var:Layout.aw ?>" height="<?cs var:Layout.ah ?>" alt="<?cs var:a.name ?>" loading="lazy" decoding="async"></a>
                </li><?cs
    else ?>
                <li class="att att-image att-pending" data-media-id="<?cs var:a.id ?>" data-kind="image" data-state="processing">
                  <span class="att-thumb" role="img" aria-label="<?cs var:a.name ?> (processing)"><svg class="att-box" aria-hidden="true" width="<?cs var:Layout.aw ?>" height="<?cs var:Layout.ah ?>" viewBox="0 0 <?cs var:Layout.aw ?> <?cs var:Layout.ah ?>"></svg><span class="att-pending-label" aria-hidden="true">Processing…</span></span>
                </li><?cs
    /if ?><?cs
  elif:a.kind == "video" && a.state != "failed" ?><?cs
    call:att_fit(a, 320) ?>
                <li class="att att-video" data-media-id="<?cs var:a.id ?>" data-kind="video" data-state="<?cs var:a.state ?>">
                  <video controls preload="metadata" src="/api/v1/media/<?cs var:a.id ?>"<?cs if:a.thumbs == "1" ?> poster="/api/v1/media/<?cs var:a.id ?>/thumb/320"<?cs /if ?><?cs if:#Layout.aw > 0 ?> width="<?cs var:Layout.aw ?>" height="<?cs var:Layout.ah ?>"<?cs /if ?> aria-label="<?cs var:a.name ?>"><a href="/api/v1/media/<?cs var:a.id ?>?download=1">Download <bdi><?cs var:a.name ?></bdi></a></video>
                  <span class="att-caption"><span class="att-name"><bdi><?cs var:a.name ?></bdi></span> <span class="att-meta"><?cs if:a.duration_ms ?><?cs call:duration(a.duration_ms) ?> · <?cs /if ?><?cs call:human_size(a.size) ?></span> <a class="att-dl" href="/api/v1/media/<?cs var:a.id ?>?download=1" download>Download</a></span>
                </li><?cs
  elif:a.kind == "audio" && a.state != "failed" ?>
                <li class="att att-audio" data-media-id="<?cs var:a.id ?>" data-kind="audio" data-state="<?cs var:a.state ?>">
                  <audio controls preload="metadata" src="/api/v1/media/<?cs var:a.id ?>" aria-label="<?cs var:a.name ?>"><a href="/api/v1/media/<?cs var:a.id ?>?download=1">Download <bdi><?cs var:a.name ?></bdi></a></audio>
                  <span class="att-caption"><span class="att-name"><bdi><?cs var:a.name ?></bdi></span> <span class="att-meta"><?cs if:a.duration_ms ?><?cs call:duration(a.duration_ms) ?> · <?cs /if ?><?cs call:human_size(a.size) ?></span> <a class="att-dl" href="/api/v1/media/<?cs var:a.id ?>?download=1" download>Download</a></span>
                </li><?cs
  else ?><?cs
    call:att_card(a) ?><?cs
  /if ?><?cs /def ?><?cs #

  The list of a message's files (call only when it has some).
?><?cs def:attachments(m) ?>
              <ul class="attachments" aria-label="Attachments"><?cs
  each:a = m.attachments ?><?cs call:attachment(a) ?><?cs /each ?>
              </ul><?cs /def ?>