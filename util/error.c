/*
 * error.c - error codes, their messages and the per-thread last error.
 */
#include "error.h"

#include <stdio.h>
#include <string.h>

#include "redact.h"

#define GL_ERROR_MSG_MAX 1024

static _Thread_local int last_code = GL_OK;
static _Thread_local char last_msg[GL_ERROR_MSG_MAX];

/* Indexed by -code; the unit test walks every code up to GL_E__LAST. */
static const char *const messages[] = {
    [-GL_OK] = "success",
    [-GL_ERROR] = "failed",
    [-GL_ENOMEM] = "out of memory",
    [-GL_EINVAL] = "invalid argument",
    [-GL_ECONFIG] = "configuration error",
    [-GL_EINSECURE] = "insecure secret or connection refused",
    [-GL_EIO] = "input/output error",
    [-GL_ENOTFOUND] = "not found",
    [-GL_EEXISTS] = "already exists",
    [-GL_EAUTH] = "authentication failed or expired",
    [-GL_EFORBIDDEN] = "permission denied by the remote service",
    [-GL_ERATELIMIT] = "rate limited by the remote service",
    [-GL_EREMOTE] = "the remote service failed",
    [-GL_EREJECTED] = "the remote service rejected the request",
    [-GL_ECONFLICT] = "conflict with the remote state",
    [-GL_ENETWORK] = "network error",
    [-GL_ETIMEOUT] = "timed out",
    [-GL_EBADDATA] = "malformed data",
    [-GL_ETOOBIG] = "too large",
    [-GL_ESTORE] = "local store error",
    [-GL_EVERSION] = "written by a newer version of gleaner",
    [-GL_ELOCKED] = "locked by another process",
    [-GL_EUNAVAILABLE] = "not available in this version",
};

_Static_assert(sizeof(messages) / sizeof(messages[0]) == (size_t)-GL_E__LAST,
               "every error code needs a message");

const char *gl_strerror(int code)
{
    if (code > 0 || code <= GL_E__LAST || !messages[-code])
        return "unknown error";
    return messages[-code];
}

int gl_error_setv(int code, const char *fmt, va_list ap)
{
    /* Formatted aside first: an argument may be gl_error_last() itself. */
    char msg[GL_ERROR_MSG_MAX];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    memcpy(last_msg, msg, sizeof(last_msg));
    last_code = code;
    gl_redact_inplace(last_msg);
    return code;
}

int gl_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gl_error_setv(code, fmt, ap);
    va_end(ap);
    return code;
}

int gl_error_prefix(const char *fmt, ...)
{
    char prefix[GL_ERROR_MSG_MAX];
    char joined[GL_ERROR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    snprintf(joined, sizeof(joined), "%s: %s", prefix, gl_error_last());
    memcpy(last_msg, joined, sizeof(last_msg));
    gl_redact_inplace(last_msg);
    return last_code;
}

const char *gl_error_last(void)
{
    if (last_msg[0])
        return last_msg;
    if (last_code != GL_OK)
        return gl_strerror(last_code);
    return "";
}

int gl_error_last_code(void)
{
    return last_code;
}

void gl_error_clear(void)
{
    last_code = GL_OK;
    last_msg[0] = '\0';
}
