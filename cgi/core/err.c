/* err.c — error table: status, code and message for every err_t. */
#include "err.h"
#include <stdio.h>
#include <stdlib.h>

static const err_info err_table[ERR__COUNT] = {
    [ERR_OK]                  = {200, "ok", "OK"},
    [ERR_BAD_REQUEST]         = {400, "bad_request", "The request is malformed."},
    [ERR_INVALID_JSON]        = {400, "invalid_json", "The request body must be a JSON object."},
    [ERR_MISSING_FIELD]       = {400, "missing_field", "A required field is missing."},
    [ERR_INVALID_FIELD]       = {400, "invalid_field", "A field has an invalid value."},
    [ERR_INVALID_UTF8]        = {400, "invalid_utf8", "Text must be valid UTF-8 without NUL bytes."},
    [ERR_UNAUTHORIZED]        = {401, "unauthorized", "Log in first: no valid session or token."},
    [ERR_INVALID_CREDENTIALS] = {401, "invalid_credentials", "Wrong username or password."},
    [ERR_CSRF]                = {403, "csrf_failed", "The form has expired or its security token is missing. Reload the page and try again."},
    [ERR_WRONG_PASSWORD]      = {403, "wrong_password", "The current password is wrong."},
    [ERR_FORBIDDEN]           = {403, "forbidden", "You are not allowed to do that."},
    [ERR_NOT_ALLOWED]         = {403, "not_allowed", "You cannot do that with this person."},
    [ERR_TOO_MANY_MEMBERS]    = {400, "too_many_members", "That is more members than a conversation may have."},
    [ERR_ALREADY_MEMBER]      = {409, "already_member", "That person is already a member."},
    [ERR_NOT_FOUND]           = {404, "not_found", "There is nothing here."},
    [ERR_METHOD_NOT_ALLOWED]  = {405, "method_not_allowed", "This method is not allowed here."},
    [ERR_USERNAME_TAKEN]      = {409, "username_taken", "That username is taken."},
    [ERR_BODY_TOO_LARGE]      = {413, "body_too_large", "The request body is too large."},
    [ERR_URI_TOO_LONG]        = {414, "uri_too_long", "The address is too long."},
    [ERR_UNSUPPORTED_MEDIA]   = {415, "unsupported_media_type", "Send JSON or a form (application/json or application/x-www-form-urlencoded)."},
    [ERR_RATE_LIMITED]        = {429, "rate_limited", "Too many attempts. Wait a little and try again."},
    [ERR_HEADERS_TOO_LARGE]   = {431, "headers_too_large", "The request headers are too large."},
    [ERR_INTERNAL]            = {500, "internal", "Something went wrong on our side."},
    [ERR_UNAVAILABLE]         = {503, "unavailable", "The service is temporarily unavailable. Try again shortly."},
};

const err_info *err_lookup(err_t e)
{
    if ((int)e < 0 || e >= ERR__COUNT || !err_table[e].code) return &err_table[ERR_INTERNAL];
    return &err_table[e];
}

void err_abort(const char *file, int line, const char *what)
{
    fprintf(stderr, "parley: invariant broken at %s:%d: %s\n", file, line, what);
    abort();
}
