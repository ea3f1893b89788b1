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
    [ERR_TOTP_REQUIRED]       = {401, "totp_required", "Two-factor sign-in is on: send the code from your authenticator app as \"totp\"."},
    [ERR_PASSWORD_CHANGE_REQUIRED] = {403, "password_change_required", "An administrator asked you to choose a new password before anything else (POST /api/v1/me/password)."},
    [ERR_TWO_FACTOR_SETUP_REQUIRED] = {403, "two_factor_setup_required", "This server requires two-factor sign-in: set it up first (POST /api/v1/me/2fa/totp)."},
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
    [ERR_CONFLICT]            = {409, "conflict", "That conflicts with the current state. Reload and try again."},
    [ERR_PRECONDITION_FAILED] = {412, "precondition_failed", "A required request header is missing or has an unsupported value."},
    [ERR_RANGE]               = {416, "range_not_satisfiable", "The requested byte range is outside the file."},
    [ERR_GONE]                = {410, "gone", "This is no longer available."},
    [ERR_INTERNAL]            = {500, "internal", "Something went wrong on our side."},
    [ERR_UNAVAILABLE]         = {503, "unavailable", "The service is temporarily unavailable. Try again shortly."},
    [ERR_MAIL_NOT_CONFIGURED] = {503, "mail_not_configured", "This server does not send e-mail."},
    [ERR_LENGTH_REQUIRED]     = {411, "length_required", "A POST needs a Content-Length header, even for an empty body."},
    [ERR_EXPECTATION_FAILED]  = {417, "expectation_failed", "The Expect header cannot be met."},
    [ERR_NOT_IMPLEMENTED]     = {501, "not_implemented", "The request method is not supported."},
    [ERR_BAD_GATEWAY]         = {502, "bad_gateway", "The service is temporarily unavailable. Try again shortly."},
    [ERR_GATEWAY_TIMEOUT]     = {504, "gateway_timeout", "The service took too long to answer. Try again shortly."},
    [ERR_HTTP_VERSION]        = {505, "http_version_not_supported", "This HTTP version is not supported."},
};

const err_info *err_lookup(err_t e)
{
    if ((int)e < 0 || e >= ERR__COUNT || !err_table[e].code) return &err_table[ERR_INTERNAL];
    return &err_table[e];
}

err_t err_from_status(int status)
{
    switch (status) {
    case 400: return ERR_BAD_REQUEST;
    case 403: return ERR_FORBIDDEN;
    case 404: return ERR_NOT_FOUND;
    case 405: return ERR_METHOD_NOT_ALLOWED;
    case 411: return ERR_LENGTH_REQUIRED;
    case 409: return ERR_CONFLICT;
    case 412: return ERR_PRECONDITION_FAILED;
    case 413: return ERR_BODY_TOO_LARGE;
    case 414: return ERR_URI_TOO_LONG;
    case 415: return ERR_UNSUPPORTED_MEDIA;
    case 416: return ERR_RANGE;
    case 417: return ERR_EXPECTATION_FAILED;
    case 429: return ERR_RATE_LIMITED;
    case 431: return ERR_HEADERS_TOO_LARGE;
    case 501: return ERR_NOT_IMPLEMENTED;
    case 502: return ERR_BAD_GATEWAY;
    case 503: return ERR_UNAVAILABLE;
    case 504: return ERR_GATEWAY_TIMEOUT;
    case 505: return ERR_HTTP_VERSION;
    default:  return status >= 400 && status < 500 ? ERR_BAD_REQUEST : ERR_INTERNAL;
    }
}

void err_abort(const char *file, int line, const char *what)
{
    fprintf(stderr, "parley: invariant broken at %s:%d: %s\n", file, line, what);
    abort();
}
