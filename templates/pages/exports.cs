<?cs include:"partials/macros.cs" ?><?cs set:Layout.name = "exports" ?><?cs set:Layout.title = "Your data" ?><?cs set:Layout.tab = "profile" ?><?cs #
  GET /me/exports, and the re-render after a failed POST /me/export or download.
  Reads Data.exports.N.{id,status,size,created_at,finished_at,expires_at,expired,
  download_url,error}, Data.keep_days, Page.done, Error.*, Session.*.
  Downloads use the page address /me/exports/<id>/download (the session cookie).
?><?cs def:page_body() ?>
    <div class="container account">
<?cs include:"partials/account_header.cs" ?><?cs
      if:Page.done == "requested" ?><?cs call:notice("Your export is being prepared. It appears below when it is ready; reload this page to see.") ?><?cs
      /if ?><?cs call:form_error("-", "-", "-", "-") ?>
      <div class="stack">
        <section class="card" aria-labelledby="export-title">
          <h2 id="export-title">Export your data</h2>
          <p class="muted">One ZIP file with your profile and settings, your contacts, every conversation you are in (as data and as readable pages) and the files you uploaded. You can download it for <?cs if:Data.keep_days ?><?cs var:Data.keep_days ?><?cs else ?>7<?cs /if ?> days.</p>
          <form method="post" action="/me/export">
            <?cs call:csrf_field() ?>
            <button type="submit" class="btn btn-primary">Export my data</button>
          </form>
        </section>

        <section class="card" aria-labelledby="exports-title">
          <h2 id="exports-title">Your exports</h2><?cs
          if:subcount(Data.exports) > 0 ?>
          <?cs call:data_table_head("Asked for", "State", "Size", "-", "Download") ?><?cs
              each:x = Data.exports ?>
                <tr>
                  <th scope="row" data-label="Asked for"><?cs call:time_day(x.created_at) ?></th>
                  <td data-label="State"><?cs
                    if:x.status == "pending" ?>Being prepared<?cs
                    elif:x.status == "failed" ?>Failed<?cs if:x.error ?>: <?cs var:x.error ?><?cs /if ?><?cs
                    elif:x.expired ?>Expired<?cs
                    else ?>Ready until <?cs call:time_day(x.expires_at) ?><?cs /if ?></td>
                  <td data-label="Size"><?cs if:x.size ?><?cs var:x.size ?> bytes<?cs else ?><span class="muted">–</span><?cs /if ?></td>
                  <td class="cell-action"><?cs
                    if:x.download_url ?><a class="btn btn-secondary btn-sm" href="/me/exports/<?cs var:x.id ?>/download">Download</a><?cs /if ?></td>
                </tr><?cs
              /each ?><?cs call:data_table_end() ?><?cs
          else ?>
          <p class="muted">You have not exported your data yet.</p><?cs
          /if ?>
        </section>
      </div>
    </div>
<?cs /def ?><?cs include:"layout.cs" ?>
