/* err.h — the one error convention: functions return err_t (ERR_OK = 0); the table in err.c
 * is the only place an error becomes an HTTP status, a code and a default message. */
#ifndef PARLEY_ERR_H
#define PARLEY_ERR_H

typedef enum err_t {
    ERR_OK = 0,
    ERR_BAD_REQUEST,
    ERR_INVALID_JSON,
    ERR_MISSING_FIELD,
    ERR_INVALID_FIELD,
    ERR_INVALID_UTF8,
    ERR_UNAUTHORIZED,
    ERR_INVALID_CREDENTIALS,
    ERR_TOTP_REQUIRED,
    ERR_PASSWORD_CHANGE_REQUIRED,
    ERR_TWO_FACTOR_SETUP_REQUIRED,
    ERR_CSRF,
    ERR_WRONG_PASSWORD,
    ERR_FORBIDDEN,
    ERR_NOT_ALLOWED,
    ERR_TOO_MANY_MEMBERS,
    ERR_ALREADY_MEMBER,
    ERR_NOT_FOUND,
    ERR_METHOD_NOT_ALLOWED,
    ERR_USERNAME_TAKEN,
    ERR_BODY_TOO_LARGE,
    ERR_URI_TOO_LONG,
    ERR_UNSUPPORTED_MEDIA,
    ERR_RATE_LIMITED,
    ERR_HEADERS_TOO_LARGE,
    ERR_CONFLICT,
    ERR_PRECONDITION_FAILED,
    ERR_RANGE,
    ERR_GONE,
    ERR_INTERNAL,
    ERR_UNAVAILABLE,
    ERR_MAIL_NOT_CONFIGURED,
    /* Statuses only the web server decides; Parley answers them as its error handler. */
    ERR_LENGTH_REQUIRED,
    ERR_EXPECTATION_FAILED,
    ERR_NOT_IMPLEMENTED,
    ERR_BAD_GATEWAY,
    ERR_GATEWAY_TIMEOUT,
    ERR_HTTP_VERSION,
    ERR__COUNT
} err_t;

typedef struct err_info {
    int status;            /* HTTP status */
    const char *code;      /* snake_case code for {"error":{"code":…}} */
    const char *message;   /* default text a person understands */
} err_info;

const err_info *err_lookup(err_t e);   /* never NULL; unknown values map to ERR_INTERNAL */
/* The general error for an HTTP status a web server answers itself (411 is
 * ERR_LENGTH_REQUIRED); another 4xx is ERR_BAD_REQUEST, anything else ERR_INTERNAL. */
err_t err_from_status(int status);

/* Abort on a broken invariant; unlike assert() it survives NDEBUG. */
#define CHECK(cond) do { if (!(cond)) err_abort(__FILE__, __LINE__, #cond); } while (0)
void err_abort(const char *file, int line, const char *what) __attribute__((noreturn));

#endif
