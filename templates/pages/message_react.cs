<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "message-react" ?><?cs set:Layout.section = "conversations" ?><?cs set:Layout.title = "More reactions" ?><?cs #
  GET /conversations/<id>/messages/<seq>/react (react_page.c): every emoji for a reaction,
  without JavaScript. Reads Data.conversation.{id,title}, Data.message.{seq,body,
  sender.{username,display_name},created_at}, Data.excerpt (its text, cut), Data.q (the search, or ""), Data.group (the
  group shown, -1 while searching), Data.groups.N.{index,name,count,current},
  Data.emoji.N.{emoji,name,group}, Data.found, Session.csrf.

  One form holds every emoji as a submit button named "emoji": the one pressed is posted
  to …/reactions with the page's CSRF field, and the answer lands back at the message.
?><?cs def:page_body() ?>
    <div class="container narrow">
      <p class="back-link"><a href="/conversations/<?cs var:Data.conversation.id ?>?around=<?cs var:Data.message.seq ?>#m<?cs var:Data.message.seq ?>"><svg class="icon" aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" d="M12.5 4.5 7 10l5.5 5.5"/></svg><bdi><?cs var:Data.conversation.title ?></bdi></a></p>
      <section class="card" aria-labelledby="page-title">
        <h1 id="page-title">React to a message</h1>
        <blockquote class="react-quote"><p class="muted"><?cs call:user_name(Data.message.sender) ?>, <?cs call:time(Data.message.created_at) ?></p><p dir="auto"><?cs var:Data.excerpt ?></p></blockquote>
        <form class="form react-search" method="get" action="/conversations/<?cs var:Data.conversation.id ?>/messages/<?cs var:Data.message.seq ?>/react" role="search">
          <div class="field">
            <label for="react-q">Find an emoji by name</label>
            <div class="react-search-row">
              <input id="react-q" name="q" type="search" maxlength="64" autocomplete="off" spellcheck="false" value="<?cs var:Data.q ?>" placeholder="smile, heart, thumbs up">
              <button type="submit" class="btn btn-secondary">Search</button>
            </div>
          </div>
        </form>
        <nav class="react-groups" aria-label="Emoji groups"><?cs
        each:g = Data.groups ?>
          <a href="/conversations/<?cs var:Data.conversation.id ?>/messages/<?cs var:Data.message.seq ?>/react?group=<?cs var:g.index ?>"<?cs if:g.current ?> aria-current="page"<?cs /if ?>><?cs var:g.name ?></a><?cs
        /each ?>
        </nav><?cs
        if:Data.q ?>
        <h2 class="react-heading"><?cs if:Data.found == 0 ?>No emoji named “<?cs var:Data.q ?>”<?cs else ?><?cs var:Data.found ?> emoji for “<?cs var:Data.q ?>”<?cs /if ?></h2><?cs
        else ?><?cs
          each:g = Data.groups ?><?cs if:g.current ?>
        <h2 class="react-heading"><?cs var:g.name ?></h2><?cs /if ?><?cs /each ?><?cs
        /if ?><?cs
        if:Data.found > 0 ?>
        <form method="post" action="/conversations/<?cs var:Data.conversation.id ?>/messages/<?cs var:Data.message.seq ?>/reactions">
          <?cs call:csrf_field() ?>
          <ul class="react-all"><?cs
          each:x = Data.emoji ?>
            <li><button type="submit" name="emoji" value="<?cs var:x.emoji ?>" class="react-btn" title="<?cs var:x.name ?>"><span aria-hidden="true"><?cs var:x.emoji ?></span><span class="visually-hidden">React with <?cs var:x.name ?></span></button></li><?cs
          /each ?>
          </ul>
        </form><?cs
        /if ?>
      </section>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
