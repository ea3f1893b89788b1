<?cs #
  The verification mail, plain text (rendered without escaping: it is not HTML). Reads
  Mail.{name,username,email,site,link,minutes}.
?>Hello <?cs var:Mail.name ?>,

someone (we hope you) gave <?cs var:Mail.email ?> as the e-mail address of the Parley account @<?cs var:Mail.username ?> on <?cs var:Mail.site ?>.

To confirm it, open this link within 24 hours:

<?cs var:Mail.link ?>

If that was not you, ignore this mail: the address will not be used.

-- 
Parley at <?cs var:Mail.site ?>
