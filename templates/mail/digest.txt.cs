<?cs #
  A digest of unread messages, plain text (rendered without escaping: it is not HTML). Reads
  Mail.{name,site,subject,conversation,direct,link,count,more,settings,unsubscribe,
  messages.N.{sender,time,text}}.
?>Hello <?cs var:Mail.name ?>,

<?cs if:Mail.direct == "1" ?><?cs var:Mail.conversation ?> wrote to you<?cs else ?>new in <?cs var:Mail.conversation ?><?cs /if ?>, still unread:
<?cs each:m = Mail.messages ?>
<?cs var:m.sender ?> (<?cs var:m.time ?>):
<?cs var:m.text ?>
<?cs /each ?><?cs if:Mail.more > 0 ?>
... and <?cs var:Mail.more ?> more.
<?cs /if ?>
Read and reply: <?cs var:Mail.link ?>

-- 
Parley at <?cs var:Mail.site ?>. You get this because these messages stayed unread.
Choose when (or whether) on <?cs var:Mail.settings ?>
Stop these mails: <?cs var:Mail.unsubscribe ?>
