<?cs #
  The password reset mail, plain text (rendered without escaping: it is not HTML). Reads
  Mail.{name,username,email,site,link,minutes}.
?>Hello <?cs var:Mail.name ?>,

someone (we hope you) asked to reset the password of the Parley account @<?cs var:Mail.username ?> on <?cs var:Mail.site ?>.

To choose a new password, open this link within <?cs var:Mail.minutes ?> minutes:

<?cs var:Mail.link ?>

It works once. Setting a new password signs the account out everywhere.
If you did not ask for this, ignore this mail: your password stays as it is.

-- 
Parley at <?cs var:Mail.site ?>
