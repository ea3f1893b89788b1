<?cs #
  A digest of unread messages, HTML (escaped by default, like the pages). Reads
  Mail.{name,site,subject,conversation,direct,link,count,more,settings,unsubscribe,
  messages.N.{sender,time,text}}.
?><!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title><?cs var:Mail.subject ?></title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1b1f24;">
<p>Hello <?cs var:Mail.name ?>,</p>
<p><?cs if:Mail.direct == "1" ?><strong><?cs var:Mail.conversation ?></strong> wrote to you<?cs else ?>new in <strong><?cs var:Mail.conversation ?></strong><?cs /if ?>, still unread:</p>
<?cs each:m = Mail.messages ?><div style="margin: 0 0 12px; padding: 8px 12px; border-left: 3px solid #d0d7de;">
<p style="margin: 0; color: #57606a;"><strong style="color: #1b1f24;"><?cs var:m.sender ?></strong> <?cs var:m.time ?></p>
<p style="margin: 4px 0 0; white-space: pre-wrap;"><?cs var:m.text ?></p>
</div>
<?cs /each ?><?cs if:Mail.more > 0 ?><p>… and <?cs var:Mail.more ?> more.</p>
<?cs /if ?><p><a href="<?cs var:Mail.link ?>" style="display: inline-block; padding: 10px 16px; background: #2563eb; color: #ffffff; border-radius: 6px; text-decoration: none;">Read and reply</a></p>
<p style="color: #57606a;">Parley at <?cs var:Mail.site ?>. You get this because these messages stayed unread. Choose when (or whether) on <a href="<?cs var:Mail.settings ?>">your Notifications page</a>, or <a href="<?cs var:Mail.unsubscribe ?>">stop these mails</a>.</p>
</body>
</html>
