/*
 * error.h - gleaner's one error enum and the last-error message.
 *
 * Every function that can fail returns GL_OK (0) or one of the negative codes
 * below.  Where the failure happens, the code also records a one-line message
 * with gl_error_set(); callers pass the code up unchanged and the CLI prints
 * gl_error_last().  The codes are the distinctions a caller acts on (retry
 * later, ask for a new token, fix the config); everything else is GL_ERROR.
 */
#ifndef GL_ERROR_H
#define GL_ERROR_H

#include <stdarg.h>

#if defined(__GNUC__)
#define GL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define GL_PRINTF(fmt, args)
#endif

typedef enum gl_error_code {
    GL_OK = 0,
    GL_ERROR = -1,         /* any failure without a more specific code */
    GL_ENOMEM = -2,        /* out of memory */
    GL_EINVAL = -3,        /* bad argument or usage */
    GL_ECONFIG = -4,       /* configuration file or value is wrong */
    GL_EINSECURE = -5,     /* a secret is exposed (file mode, owner) or a URL is not TLS */
    GL_EIO = -6,           /* local file or OS failure */
    GL_ENOTFOUND = -7,     /* the thing asked for does not exist (locally or remotely) */
    GL_EEXISTS = -8,       /* refusing to overwrite something that exists */
    GL_EAUTH = -9,         /* credentials missing, expired or revoked (HTTP 401) */
    GL_EFORBIDDEN = -10,   /* authenticated but not allowed (HTTP 403) */
    GL_ERATELIMIT = -11,   /* rate limited and the wait would exceed the budget (HTTP 429) */
    GL_EREMOTE = -12,      /* the remote service failed (HTTP 5xx) */
    GL_EREJECTED = -13,    /* the remote service refused the request (HTTP 400/422) */
    GL_ECONFLICT = -14,    /* the remote state conflicts (HTTP 409, locked entry) */
    GL_ENETWORK = -15,     /* connection failed or broke; the outcome may be unknown */
    GL_ETIMEOUT = -16,     /* no answer in time; the outcome may be unknown */
    GL_EBADDATA = -17,     /* malformed input: JSON, dates, calendar data */
    GL_ETOOBIG = -18,      /* input larger than its cap */
    GL_ESTORE = -19,       /* the SQLite store failed */
    GL_EVERSION = -20,     /* the store was written by a newer gleaner */
    GL_ELOCKED = -21,      /* another process holds the lock */
    GL_EUNAVAILABLE = -22, /* not available in this version of gleaner */
    GL_E__LAST = -23       /* sentinel: one past the last code; never returned */
} gl_error_code;

/*
 * gl_strerror - the fixed, human-readable description of a code.
 * Returns a static string; unknown codes give "unknown error".
 */
const char *gl_strerror(int code);

/*
 * gl_error_set - record a one-line message for the current thread and return
 * `code`, so that failures read `return gl_error_set(GL_EIO, "...", ...)`.
 * Anything that looks like a secret is redacted from the message.
 */
int gl_error_set(int code, const char *fmt, ...) GL_PRINTF(2, 3);
int gl_error_setv(int code, const char *fmt, va_list ap) GL_PRINTF(2, 0);

/*
 * gl_error_prefix - put "prefix: " in front of the current message (for
 * context a lower layer could not know, e.g. the config file name).  Returns
 * the current code.
 */
int gl_error_prefix(const char *fmt, ...) GL_PRINTF(1, 2);

/*
 * gl_error_last - the current thread's last message, or the strerror of the
 * last code when no message was set, or "" when no error is recorded.
 * Borrowed: valid until the next gl_error_* call on this thread.
 */
const char *gl_error_last(void);

/* gl_error_last_code - the code of the last gl_error_set, or GL_OK. */
int gl_error_last_code(void);

/* gl_error_clear - forget the last error (call after handling one). */
void gl_error_clear(void);

#endif
