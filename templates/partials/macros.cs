<?cs #
  Shared macros. Every page includes this file first, because ClearSilver
  resolves `call:` when it parses, so a macro must be defined before any
  `def:` that calls it. The comments between the definitions swallow the
  newlines that would otherwise be printed before <!DOCTYPE html>.
?><?cs def:csrf_field() ?><input type="hidden" name="csrf_token" value="<?cs var:Session.csrf ?>"><?cs /def ?><?cs #

  Attributes for an input: marks it invalid and points at its error when
  Error.field names it; `hint` is "1" when the field has a <p id="NAME-hint">.
?><?cs def:field_attrs(name, hint) ?><?cs
  if:Error.field == name ?> aria-invalid="true" aria-describedby="<?cs
    if:hint == "1" ?><?cs var:name ?>-hint <?cs /if ?><?cs var:name ?>-error"<?cs
  elif:hint == "1" ?> aria-describedby="<?cs var:name ?>-hint"<?cs
  /if ?><?cs /def ?><?cs #

  The message under an input, when the error is about that input.
?><?cs def:field_error(name) ?><?cs
  if:Error.message && Error.field == name ?><p class="field-error" id="<?cs var:name ?>-error"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><path fill="currentColor" d="M10 1.8a8.2 8.2 0 1 0 0 16.4 8.2 8.2 0 0 0 0-16.4Zm-.9 4.4h1.8v5.2H9.1Zm.9 8.3a1.1 1.1 0 1 1 0-2.2 1.1 1.1 0 0 1 0 2.2Z"/></svg><span><?cs var:Error.message ?></span></p><?cs
  /if ?><?cs /def ?><?cs #

  "has-error" class for the field wrapper.
?><?cs def:field_class(name) ?>field<?cs if:Error.message && Error.field == name ?> has-error<?cs /if ?><?cs /def ?><?cs #

  An error that belongs to no input of this form (up to four field names;
  pass "-" for an unused one):
  shown at the top of the form.
?><?cs def:form_error(f1, f2, f3, f4) ?><?cs
  if:Error.message && Error.field != f1 && Error.field != f2 && Error.field != f3 && Error.field != f4 ?><div class="alert alert-error" role="alert" id="form-error"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="20" height="20"><path fill="currentColor" d="M10 1.8a8.2 8.2 0 1 0 0 16.4 8.2 8.2 0 0 0 0-16.4Zm-.9 4.4h1.8v5.2H9.1Zm.9 8.3a1.1 1.1 0 1 1 0-2.2 1.1 1.1 0 0 1 0 2.2Z"/></svg><p><?cs var:Error.message ?></p></div><?cs
  /if ?><?cs /def ?><?cs #

  A success notice.
?><?cs def:notice(text) ?><div class="alert alert-success" role="status"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="20" height="20"><path fill="currentColor" d="M10 1.8a8.2 8.2 0 1 0 0 16.4 8.2 8.2 0 0 0 0-16.4Zm-1.2 11.7L5.2 9.9l1.3-1.3 2.3 2.3 4.7-4.7 1.3 1.3Z"/></svg><p><?cs var:text ?></p></div><?cs /def ?><?cs #

  An ISO time, shown as it is.
?><?cs def:time(iso) ?><time datetime="<?cs var:iso ?>"><?cs var:iso ?></time><?cs /def ?><?cs #

  Tabs of the account pages; `current` is "profile", "sessions" or "tokens".
?><?cs def:account_nav(current) ?><nav class="tabs" aria-label="Account">
      <a href="/me"<?cs if:current == "profile" ?> aria-current="page"<?cs /if ?>>Profile</a>
      <a href="/me/sessions"<?cs if:current == "sessions" ?> aria-current="page"<?cs /if ?>>Sessions</a>
      <a href="/me/tokens"<?cs if:current == "tokens" ?> aria-current="page"<?cs /if ?>>API tokens</a>
    </nav><?cs /def ?>
<?cs #

  The value of an input: what was submitted (Form.NAME) when the form is
  shown again after an error, else the stored value (Data.user.NAME).
?><?cs def:user_value(name) ?><?cs if:?Form[name] ?><?cs var:Form[name] ?><?cs else ?><?cs var:Data.user[name] ?><?cs /if ?><?cs /def ?><?cs #

  The first letter of a username, for the round avatar.
?><?cs def:initial(username) ?><?cs var:string.slice(username, 0, 1) ?><?cs /def ?>
<?cs #

  A user's display name, else the username. Pass the user node
  (Session.user, Data.user). Never use `alt:` for output: it bypasses the
  HTML escaping of Config.VarEscapeMode.
?><?cs def:user_name(u) ?><?cs if:u.display_name ?><?cs var:u.display_name ?><?cs else ?><?cs var:u.username ?><?cs /if ?><?cs /def ?>
