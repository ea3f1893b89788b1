/* e2e_cli.c — the native half of the mixed conversation test (tests/e2e/mixed.test.mjs):
 * cgi/e2e/ built natively (with the sanitizers), driven line by line over stdin. Each line is
 * a command and its arguments in hex ("-" for none); each answer is "ok" and the results in
 * hex, or "err" and the module's message. State lives in the caller, as bytes, between lines.
 *   identity_new | signed_prekey_new ID_STATE KID | onetime_prekey_new KID | public ID_STATE
 *   bundle ID_STATE SPK OPK|- | initiate ID_STATE BUNDLE | respond ID_STATE SPK OPK|- MSG
 *   encrypt SESSION PLAIN | decrypt SESSION MSG | safety IK_A ID_A IK_B ID_B
 *   group_new KID | group_distribution G | group_accept DIST | group_encrypt G PLAIN
 *   group_decrypt G MSG | qr TEXT (the modules, one byte each, row by row)
 *   file_seal PLAIN (key, header, blob) | file_open KEY HEADER BLOB
 *   link_key MY_SK PEER_PK NEW_PK OLD_PK SECRET ID | link_seal KEY PLAIN | link_open KEY SEALED
 * KID is a decimal number. The program owns all its memory and frees it per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../cgi/e2e/e2e.h"
#include "../../cgi/e2e/file.h"
#include "../../cgi/e2e/group.h"
#include "../../cgi/e2e/keys.h"
#include "../../cgi/e2e/link.h"
#include "../../cgi/e2e/qr.h"
#include "../../cgi/e2e/ratchet.h"
#include "../../cgi/e2e/safety.h"

enum { MAXARG = 6 };
typedef struct arg { unsigned char *b; size_t n; int none; } arg;

static void out_hex(const unsigned char *b, size_t n)
{
    putchar(' ');
    for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

static int unhex(const char *s, arg *a)
{
    size_t len = strlen(s);
    a->none = strcmp(s, "-") == 0;
    a->b = malloc(len / 2 + 1);
    a->n = 0;
    if (a->none) return 0;
    if (len % 2) return -1;
    for (size_t i = 0; i < len; i += 2) {
        unsigned v;
        if (sscanf(s + i, "%2x", &v) != 1) return -1;
        a->b[a->n++] = (unsigned char)v;
    }
    return 0;
}

/* Runs one command; prints its answer. Big structures live on the heap. */
static void run(const char *cmd, arg *a, int argc)
{
    static unsigned char buf[E2E_SESSION_MAX + 4096], plain[65536];
    e2e_identity id;
    e2e_prekey spk, opk;
    e2e_session *s = calloc(1, sizeof *s);
    e2e_group_key *g = calloc(1, sizeof *g);
    long rc = E2E_EFORMAT, n;
#define NEED(k) if (argc != (k)) { rc = E2E_EFORMAT; goto done; }
#define TRY(x) if ((rc = (x)) < 0) goto done;
    if (strcmp(cmd, "identity_new") == 0) {
        NEED(0);
        TRY(e2e_identity_new(&id, NULL));
        TRY(n = e2e_identity_save(&id, buf, sizeof buf));
        printf("ok"); out_hex(buf, (size_t)n); out_hex(id.sign_pk, 32);
    } else if (strcmp(cmd, "public") == 0) {
        NEED(1);
        TRY(e2e_identity_load(&id, a[0].b, a[0].n));
        printf("ok"); out_hex(id.sign_pk, 32);
    } else if (strcmp(cmd, "signed_prekey_new") == 0) {
        NEED(2);
        TRY(e2e_identity_load(&id, a[0].b, a[0].n));
        TRY(e2e_signed_prekey_new(&spk, &id, (uint32_t)strtoul((char *)a[1].b, NULL, 10)));
        TRY(n = e2e_prekey_save(&spk, buf, sizeof buf));
        printf("ok"); out_hex(buf, (size_t)n);
    } else if (strcmp(cmd, "onetime_prekey_new") == 0) {
        NEED(1);
        TRY(e2e_onetime_prekey_new(&opk, (uint32_t)strtoul((char *)a[0].b, NULL, 10)));
        TRY(n = e2e_prekey_save(&opk, buf, sizeof buf));
        printf("ok"); out_hex(buf, (size_t)n);
    } else if (strcmp(cmd, "bundle") == 0) {
        NEED(3);
        TRY(e2e_identity_load(&id, a[0].b, a[0].n));
        TRY(e2e_prekey_load(&spk, a[1].b, a[1].n));
        if (!a[2].none) TRY(e2e_prekey_load(&opk, a[2].b, a[2].n));
        TRY(n = e2e_bundle_encode(&id, &spk, a[2].none ? NULL : &opk, buf, sizeof buf));
        printf("ok"); out_hex(buf, (size_t)n);
    } else if (strcmp(cmd, "initiate") == 0) {
        NEED(2);
        e2e_bundle b;
        TRY(e2e_identity_load(&id, a[0].b, a[0].n));
        TRY(e2e_bundle_decode(&b, a[1].b, a[1].n));
        TRY(e2e_session_initiate(s, &id, &b));
        TRY(n = e2e_session_save(s, buf, sizeof buf));
        printf("ok"); out_hex(buf, (size_t)n);
    } else if (strcmp(cmd, "respond") == 0) {
        NEED(4);
        TRY(e2e_identity_load(&id, a[0].b, a[0].n));
        TRY(e2e_prekey_load(&spk, a[1].b, a[1].n));
        if (!a[2].none) TRY(e2e_prekey_load(&opk, a[2].b, a[2].n));
        long m;
        TRY(m = e2e_session_respond(s, &id, &spk, a[2].none ? NULL : &opk, a[3].b, a[3].n, plain, sizeof plain));
        TRY(n = e2e_session_save(s, buf, sizeof buf));
        printf("ok"); out_hex(buf, (size_t)n); out_hex(plain, (size_t)m);
    } else if (strcmp(cmd, "encrypt") == 0 || strcmp(cmd, "decrypt") == 0) {
        NEED(2);
        TRY(e2e_session_load(s, a[0].b, a[0].n));
        long m = cmd[0] == 'e' ? e2e_session_encrypt(s, a[1].b, a[1].n, plain, sizeof plain)
                               : e2e_session_decrypt(s, a[1].b, a[1].n, plain, sizeof plain);
        TRY(m);
        TRY(n = e2e_session_save(s, buf, sizeof buf));
        printf("ok"); out_hex(buf, (size_t)n); out_hex(plain, (size_t)m);
    } else if (strcmp(cmd, "safety") == 0) {
        NEED(4);
        char digits[61];
        if (a[0].n != 32 || a[2].n != 32) goto done;
        e2e_safety_number(a[0].b, a[1].b, a[1].n, a[2].b, a[3].b, a[3].n, digits);
        printf("ok"); out_hex((unsigned char *)digits, 60);
        rc = 0;
    } else if (strcmp(cmd, "file_seal") == 0 || strcmp(cmd, "file_open") == 0) {
        NEED(cmd[5] == 's' ? 1 : 3);
        unsigned char key[E2E_FILE_KEY_LEN], header[E2E_FILE_HEADER_LEN];
        size_t cap = cmd[5] == 's' ? e2e_file_sealed_len(a[0].n) : a[2].n;
        unsigned char *o = malloc(cap ? cap : 1);
        if (!o) goto done;
        if (cmd[5] == 's') {
            rc = n = e2e_file_seal(key, header, a[0].b, a[0].n, o, cap);
            if (n >= 0) { printf("ok"); out_hex(key, sizeof key); out_hex(header, sizeof header); out_hex(o, (size_t)n); }
        } else if (a[0].n == E2E_FILE_KEY_LEN && a[1].n == E2E_FILE_HEADER_LEN) {
            rc = n = e2e_file_open(a[0].b, a[1].b, a[2].b, a[2].n, o, cap);
            if (n >= 0) { printf("ok"); out_hex(o, (size_t)n); }
        }
        free(o);
        if (rc < 0) goto done;
    } else if (strcmp(cmd, "link_key") == 0) {
        NEED(6);
        unsigned char key[32];
        char lid[E2E_LINK_ID_DIGITS + 1] = {0};
        if (a[0].n != 32 || a[1].n != 32 || a[2].n != 32 || a[3].n != 32 || a[4].n != 16 || a[5].n != E2E_LINK_ID_DIGITS) goto done;
        memcpy(lid, a[5].b, E2E_LINK_ID_DIGITS);
        TRY(e2e_link_key(key, a[0].b, a[1].b, a[2].b, a[3].b, a[4].b, lid));
        printf("ok"); out_hex(key, 32);
    } else if (strcmp(cmd, "link_seal") == 0 || strcmp(cmd, "link_open") == 0) {
        NEED(2);
        if (a[0].n != 32) goto done;
        size_t cap = cmd[5] == 's' ? e2e_link_sealed_len(a[1].n) : a[1].n;
        unsigned char *o = malloc(cap ? cap : 1);
        if (!o) goto done;
        rc = n = cmd[5] == 's' ? e2e_link_seal(a[0].b, a[1].b, a[1].n, o, cap) : e2e_link_open(a[0].b, a[1].b, a[1].n, o, cap);
        if (n >= 0) { printf("ok"); out_hex(o, (size_t)n); }
        free(o);
        if (rc < 0) goto done;
    } else if (strcmp(cmd, "qr") == 0) {
        NEED(1);
        TRY(n = e2e_qr_encode(a[0].b, a[0].n, buf, sizeof buf));
        printf("ok"); out_hex(buf, (size_t)(n * n));
    } else if (strcmp(cmd, "group_new") == 0) {
        NEED(1);
        TRY(e2e_group_new(g, (uint32_t)strtoul((char *)a[0].b, NULL, 10)));
        TRY(n = e2e_group_save(g, buf, sizeof buf));
        printf("ok"); out_hex(buf, (size_t)n);
    } else if (strcmp(cmd, "group_distribution") == 0) {
        NEED(1);
        TRY(e2e_group_load(g, a[0].b, a[0].n));
        TRY(n = e2e_group_distribution(g, buf, sizeof buf));
        printf("ok"); out_hex(buf, (size_t)n);
    } else if (strcmp(cmd, "group_accept") == 0) {
        NEED(1);
        TRY(e2e_group_accept(g, a[0].b, a[0].n));
        TRY(n = e2e_group_save(g, buf, sizeof buf));
        printf("ok"); out_hex(buf, (size_t)n);
    } else if (strcmp(cmd, "group_encrypt") == 0 || strcmp(cmd, "group_decrypt") == 0) {
        NEED(2);
        TRY(e2e_group_load(g, a[0].b, a[0].n));
        long m = cmd[6] == 'e' ? e2e_group_encrypt(g, a[1].b, a[1].n, plain, sizeof plain)
                               : e2e_group_decrypt(g, a[1].b, a[1].n, plain, sizeof plain);
        TRY(m);
        TRY(n = e2e_group_save(g, buf, sizeof buf));
        printf("ok"); out_hex(buf, (size_t)n); out_hex(plain, (size_t)m);
    } else {
        printf("err unknown command");
        rc = 0;
        goto done_quiet;
    }
done:
    if (rc < 0) printf("err %s", e2e_strerror((int)rc));
done_quiet:
    putchar('\n');
    fflush(stdout);
    free(s);
    free(g);
}

int main(void)
{
    if (e2e_init() != 0) return 1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) > 0) {
        if (line[len - 1] == '\n') line[--len] = '\0';
        char *save = NULL, *cmd = strtok_r(line, " ", &save), *tok;
        if (!cmd) continue;
        arg a[MAXARG];
        int argc = 0, bad = 0;
        while ((tok = strtok_r(NULL, " ", &save)) && argc < MAXARG) {
            /* Decimal ids pass through as text. */
            if ((strcmp(cmd, "signed_prekey_new") == 0 && argc == 1) ||
                ((strcmp(cmd, "onetime_prekey_new") == 0 || strcmp(cmd, "group_new") == 0) && argc == 0)) {
                a[argc].b = (unsigned char *)strdup(tok);
                a[argc].n = strlen(tok);
                a[argc].none = 0;
            } else if (unhex(tok, &a[argc]) != 0) {
                bad = 1;
            }
            argc++;
        }
        if (bad) printf("err malformed hex\n");
        else run(cmd, a, argc);
        fflush(stdout);
        for (int i = 0; i < argc; i++) free(a[i].b);
    }
    free(line);
    return 0;
}
