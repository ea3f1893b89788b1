<?cs #
  The data export is ready, plain text (rendered without escaping: it is not HTML). Reads
  Mail.{name,username,site,link}. The link needs a sign-in: it is no key by itself.
?>Hello <?cs var:Mail.name ?>,

the export of your data on <?cs var:Mail.site ?> (account @<?cs var:Mail.username ?>) is ready. Sign in and download it within 7 days:

<?cs var:Mail.link ?>

If you did not ask for it, change your password: someone signed in as you asked for it.

-- 
Parley at <?cs var:Mail.site ?>
