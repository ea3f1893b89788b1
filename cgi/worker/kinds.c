/* kinds.c — see kinds.h. */
#include "kinds.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "../app/module.h"
#include "../core/err.h"
#include "cleanup.h"
#include "digest_send.h"
#include "export_build.h"
#include "retention.h"
#include "jobs.h"
#include "mail.h"
#include "media_gc.h"
#include "media_proc.h"
#include "push_send.h"
#include "hook_send.h"
#include "preview_job.h"
#include "search_flush.h"

const job_kind kinds[] = {
    {"cleanup", cleanup_run, "deletes expired data: done jobs after 7 days, failed ones after 30", NULL},
    {"media.process", media_proc_run, "makes an upload's thumbnails and clean copy, reads its size and duration",
     media_proc_gave_up},
    {"mail.send", mail_send_run, "sends a mail (an address's verification link, a password reset link)", NULL},
    {"media.cleanup", media_gc_run, "deletes media nothing refers to after a day, abandoned uploads, unused blobs", NULL},
    {"export.build", export_build_run, "builds a person's data export: one ZIP file of their profile, conversations and uploads", NULL},
    {"export.cleanup", export_cleanup_run, "deletes data exports past their 7 days, files and rows", NULL},
    {"retention", retention_run, "turns messages older than the retention limits into tombstones", NULL},
    {"push.message", push_send_run, "sends a message's Web Push notifications to the members who have not seen it", NULL},
    {"hook.send", hook_send_run, "POSTs a new message to an outgoing webhook (signed) and posts its {\"text\"} reply back", NULL},
    {"push.read", push_read_run, "tells a person's other devices a conversation was read: they close its notification", NULL},
    {"digest.message", digest_message_run, "notes a message for the e-mail digests of the members it should reach", NULL},
    {"digest.send", digest_send_run, "mails a person one digest of a conversation's messages they left unread", NULL},
    {"preview.fetch", preview_fetch_run, "fetches a link's page for its preview (title, description) through the outbound guard", NULL},
    {NULL, NULL, NULL, NULL},
};

/* Kinds whose jobs a worker thread claims many at once and runs in one call (runner.c):
 * Web Push, where a notification is mostly a wait on the network. */
static const struct { const char *name; kind_batch_fn batch; } kinds_batched[] = {
    {"push.message", push_batch_run},
    {"push.read", push_batch_run},
    {NULL, NULL},
};

kind_batch_fn kinds_batch(const char *name, char *names, size_t cap)
{
    kind_batch_fn fn = NULL;
    for (int i = 0; kinds_batched[i].name; i++)
        if (!strcmp(kinds_batched[i].name, name)) fn = kinds_batched[i].batch;
    if (!fn || cap < 3) return NULL;
    size_t len = 0;
    names[len++] = '{';
    for (int i = 0; kinds_batched[i].name; i++) {
        size_t k = strlen(kinds_batched[i].name);
        if (kinds_batched[i].batch != fn || len + k + 3 > cap) continue;
        if (len > 1) names[len++] = ',';
        memcpy(names + len, kinds_batched[i].name, k);
        len += k;
    }
    names[len++] = '}';
    names[len] = '\0';
    return fn;
}

/* The worker's own statement sets. kinds_stmts() adds every module's (modules_stmts): a job
 * that calls into the application (a bot's reply is a send, a push reads the message) runs
 * whatever that code runs, and a list kept by hand here fell behind it. */
static const db_stmt *const kinds_own[] = {cleanup_stmts, media_proc_stmts, media_gc_stmts, export_build_stmts,
                                           retention_stmts, mail_stmts, push_send_stmts, hook_send_stmts,
                                           digest_send_stmts, preview_job_stmts, search_flush_stmts, NULL};
static const db_stmt **kinds_all;            /* built once; lives as long as the process */
static pthread_once_t kinds_once = PTHREAD_ONCE_INIT;

static void kinds_build(void)
{
    const db_stmt *const *mods = modules_stmts();
    size_t n = 0, k = 0;
    while (kinds_own[n]) n++;
    while (mods[k]) k++;
    kinds_all = calloc(n + k + 1, sizeof *kinds_all);
    if (!kinds_all) err_abort(__FILE__, __LINE__, "out of memory building the worker's statements");
    memcpy(kinds_all, kinds_own, n * sizeof *kinds_all);
    memcpy(kinds_all + n, mods, k * sizeof *kinds_all);
}

const db_stmt *const *kinds_stmts(void)
{
    pthread_once(&kinds_once, kinds_build);
    return kinds_all;
}

const job_kind *kinds_find(const char *name)
{
    for (const job_kind *k = kinds; k->name; k++)
        if (!strcmp(k->name, name)) return k;
    return NULL;
}
