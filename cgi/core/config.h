/* config.h — settings from PARLEY_* environment variables, or a KEY=VALUE file named by
 * PARLEY_CONFIG (the environment wins). Loaded once at start; read-only afterwards, so
 * worker threads share it without locks. */
#ifndef PARLEY_CONFIG_H
#define PARLEY_CONFIG_H
#include <stddef.h>

typedef struct rate_rule { long limit, window; } rate_rule;   /* limit per window seconds */

/* Who sends a download's bytes: the app itself, or the web server after the app said which
 * file (lighttpd and Apache's mod_xsendfile: X-Sendfile; nginx: X-Accel-Redirect). */
enum { CONFIG_SENDFILE_OFF, CONFIG_SENDFILE_X_SENDFILE, CONFIG_SENDFILE_X_ACCEL };
/* One line per request in the log: none, "key=value" text, or a JSON object. */
enum { CONFIG_ACCESS_LOG_OFF, CONFIG_ACCESS_LOG_TEXT, CONFIG_ACCESS_LOG_JSON };

typedef struct config {
    char *db;               /* libpq conninfo */
    char *redis;            /* "unix:/path" or "host:port"; "" or "none": no Redis (small site) */
    char *listen;           /* FastCGI socket: path or ":port"; empty = inherited fd 0 */
    char *templates;        /* template directory */
    char *sql_dir;          /* migrations directory */
    char *trusted_proxy;    /* REMOTE_ADDR whose X-Forwarded-For is believed; empty = none */
    char *cookie_secure;    /* "auto" (when HTTPS), "on", "off" */
    char *public_url;       /* the public base URL without a trailing "/", or "" when unknown */
    int public_https;       /* public_url is https://: browsers reach us over TLS (a proxy's) */
    int threads;
    char *events_listen;    /* the events hub's FastCGI socket: path or ":port"; empty = fd 0 */
    int events_threads;     /* the hub's accept threads */
    long presence_away;     /* seconds without activity after which an online person is away */
    long presence_ttl;      /* seconds after which a crashed hub's people count as offline */
    long events_recheck;    /* seconds between the hub's re-checks of its streams' credentials */
    int worker_threads;     /* parley-worker's threads, one PostgreSQL connection each */
    long job_lease;         /* seconds after which a running job's worker counts as dead */
    long job_poll;          /* seconds between the worker's polls when no NOTIFY came */
    long job_backoff;       /* seconds before a failed job's first retry; doubles each time */
    size_t max_body;
    long session_ttl;       /* seconds, sliding */
    long backend_timeout_ms;/* a PostgreSQL or Redis call longer than this is a 503 */
    rate_rule rl_login_user, rl_login_ip, rl_register_ip;
    rate_rule rl_search;    /* searches per user */
    long max_members;       /* members per group or channel */
    long max_message;       /* message body, bytes */
    char *media_dir;        /* where uploads live (content-addressed); shared by all app nodes */
    long long max_upload;   /* bytes per file */
    long long media_quota;  /* bytes of uploads per person */
    long long max_pixels;   /* an image with more is stored but never decoded (bombs) */
    int sendfile;           /* how downloads leave: CONFIG_SENDFILE_* */
    long audit_days;        /* the audit log keeps security events this many days */
    char *metrics_allow;    /* client addresses GET /metrics answers, comma-separated */
    int access_log;         /* CONFIG_ACCESS_LOG_* */
    char *smtp_url;         /* smtp:// or smtps:// relay (user and password may be in it); "" = no mail */
    int smtp_tls_none;      /* PARLEY_SMTP_TLS=none: plain SMTP on smtp:// (a relay on this machine) */
    char *mail_from;        /* PARLEY_MAIL_FROM: "Name <addr>" or "addr"; checked when mail is on */
    rate_rule rl_mail_addr; /* mails one address may be sent (verification, reset) */
    rate_rule rl_mail_ip;   /* password-reset requests per client address */
    unsigned long long pwhash_ops;
    size_t pwhash_mem;
    char *outbound_allow;   /* PARLEY_OUTBOUND_ALLOW: hosts outbound requests may reach whatever their address */
    char *vapid_public;     /* PARLEY_VAPID_PUBLIC/PRIVATE: Web Push's key pair (base64url); "" = no push */
    char *vapid_private;
    char *vapid_subject;    /* PARLEY_VAPID_SUBJECT: mailto: or https: contact for push services */
    long push_delay;        /* seconds a message waits before its push (read by then: none sent) */
    long digest_minute;     /* seconds in one minute of a person's digest delay: 60 (tests: 1) */
    long push_connections;  /* Web Push requests in flight per push service origin, per worker thread */
    long push_batch;        /* push jobs a worker thread claims and sends at once */
} config;

/* Fills cfg; on a bad value writes a message to err and returns -1. */
int config_load(config *cfg, char *err, size_t errlen);
void config_free(config *cfg);
/* Prints the effective settings (secrets in the conninfo elided) to stdout. */
void config_print(const config *cfg);

#endif
