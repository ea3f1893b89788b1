<?cs #
  The password reset mail, HTML (escaped by default, like the pages). Reads
  Mail.{name,username,email,site,link,minutes}.
?><!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Reset your password</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1b1f24;">
<p>Hello <?cs var:Mail.name ?>,</p>
<p>someone (we hope you) asked to reset the password of the Parley account <strong>@<?cs var:Mail.username ?></strong> on <?cs var:Mail.site ?>.</p>
<p><a href="<?cs var:Mail.link ?>" style="display: inline-block; padding: 10px 16px; background: #2563eb; color: #ffffff; border-radius: 6px; text-decoration: none;">Choose a new password</a></p>
<p>The link works once, within <?cs var:Mail.minutes ?> minutes. If the button does not work, copy this address into your browser:<br><?cs var:Mail.link ?></p>
<p>Setting a new password signs the account out everywhere. If you did not ask for this, ignore this mail: your password stays as it is.</p>
<p style="color: #57606a;">Parley at <?cs var:Mail.site ?></p>
</body>
</html>
