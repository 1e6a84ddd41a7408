/*
 * buf.c - capped growable buffer.
 */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t buf_max(const gl_buf *buf)
{
    return buf->max ? buf->max : GL_BUF_DEFAULT_MAX;
}

static int buf_grow(gl_buf *buf, size_t need)
{
    size_t cap = buf->cap ? buf->cap : 256;
    char *p;

    if (need + 1 <= buf->cap)
        return GL_OK;
    while (cap < need + 1)
        cap = cap > SIZE_MAX / 2 ? need + 1 : cap * 2;
    p = realloc(buf->ptr, cap);
    if (!p)
        return gl_error_set(GL_ENOMEM, "out of memory (growing a buffer to %zu bytes)", cap);
    buf->ptr = p;
    buf->cap = cap;
    return GL_OK;
}

int gl_buf_append(gl_buf *buf, const void *data, size_t len)
{
    int rc;

    if (len > buf_max(buf) - buf->len)
        return gl_error_set(GL_ETOOBIG, "larger than the %zu-byte limit", buf_max(buf));
    if ((rc = buf_grow(buf, buf->len + len)) < 0)
        return rc;
    if (len)
        memcpy(buf->ptr + buf->len, data, len);
    buf->len += len;
    buf->ptr[buf->len] = '\0';
    return GL_OK;
}

int gl_buf_puts(gl_buf *buf, const char *s)
{
    return gl_buf_append(buf, s, strlen(s));
}

int gl_buf_printf(gl_buf *buf, const char *fmt, ...)
{
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return gl_error_set(GL_EINVAL, "bad format string");
    if ((size_t)n > buf_max(buf) - buf->len)
        return gl_error_set(GL_ETOOBIG, "larger than the %zu-byte limit", buf_max(buf));
    if ((rc = buf_grow(buf, buf->len + (size_t)n)) < 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf(buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return GL_OK;
}

const char *gl_buf_cstr(const gl_buf *buf)
{
    return buf->ptr ? buf->ptr : "";
}

char *gl_buf_detach(gl_buf *buf)
{
    char *p = buf->ptr;
    if (!p)
        p = calloc(1, 1);
    buf->ptr = NULL;
    buf->len = buf->cap = 0;
    return p;
}

void gl_buf_clear(gl_buf *buf)
{
    buf->len = 0;
    if (buf->ptr)
        buf->ptr[0] = '\0';
}

void gl_buf_dispose(gl_buf *buf)
{
    free(buf->ptr);
    buf->ptr = NULL;
    buf->len = buf->cap = 0;
}

int gl_grow(void *array_ptr, size_t *cap, size_t need, size_t size)
{
    void *old, *v;
    size_t n = *cap ? *cap : 16;

    if (need <= *cap)
        return GL_OK;
    while (n < need && n <= SIZE_MAX / 2)
        n *= 2;
    memcpy(&old, array_ptr, sizeof(old)); /* the caller's T *, whatever T is */
    if (n < need || n > SIZE_MAX / size || !(v = realloc(old, n * size)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    memcpy(array_ptr, &v, sizeof(v));
    *cap = n;
    return GL_OK;
}
