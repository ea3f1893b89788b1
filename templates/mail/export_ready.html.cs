<?cs #
  The data export is ready, HTML (escaped by default, like the pages). Reads
  Mail.{name,username,site,link}.
?><!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Your data is ready</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1b1f24;">
<p>Hello <?cs var:Mail.name ?>,</p>
<p>the export of your data on <?cs var:Mail.site ?> (account <strong>@<?cs var:Mail.username ?></strong>) is ready: one ZIP file with your profile, your contacts, your conversations and your files.</p>
<p><a href="<?cs var:Mail.link ?>" style="display: inline-block; padding: 10px 16px; background: #2563eb; color: #ffffff; border-radius: 6px; text-decoration: none;">Download it</a></p>
<p>Sign in to download it, within 7 days. If the button does not work, copy this address into your browser:<br><?cs var:Mail.link ?></p>
<p>If you did not ask for it, change your password: someone signed in as you asked for it.</p>
<p style="color: #57606a;">Parley at <?cs var:Mail.site ?></p>
</body>
</html>
