/*
 * buf.h - a growable byte buffer with a hard size cap.
 *
 * Every buffer that holds data from outside (a response body, a calendar
 * file) has a cap; going over it is GL_ETOOBIG with a message, never a
 * crash or an unbounded allocation.  The content is always NUL-terminated.
 */
#ifndef GL_BUF_H
#define GL_BUF_H

#include <stddef.h>

#include "error.h"

typedef struct gl_buf {
    char *ptr;  /* NULL until the first append; owned by the buffer */
    size_t len; /* bytes used, excluding the terminating NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* cap on len; 0 means GL_BUF_DEFAULT_MAX */
} gl_buf;

#define GL_BUF_DEFAULT_MAX ((size_t)64 * 1024 * 1024)
#define GL_BUF_INIT(max)  \
    {                     \
        NULL, 0, 0, (max) \
    }

/* Append; GL_ETOOBIG past the cap (the buffer keeps what it had), GL_ENOMEM. */
int gl_buf_append(gl_buf *buf, const void *data, size_t len);
int gl_buf_puts(gl_buf *buf, const char *s);
int gl_buf_printf(gl_buf *buf, const char *fmt, ...) GL_PRINTF(2, 3);

/* The content as a string ("" when empty); borrowed. */
const char *gl_buf_cstr(const gl_buf *buf);

/* Take the content (caller frees with free()); the buffer is left empty. */
char *gl_buf_detach(gl_buf *buf);

/* Empty the buffer but keep its memory. */
void gl_buf_clear(gl_buf *buf);

/* Free the memory; the buffer can be reused. */
void gl_buf_dispose(gl_buf *buf);

/*
 * gl_grow - let the array `*array_ptr` (a `T **`, elements of `size`
 * bytes, `*cap` of them allocated) hold `need`: capacity doubles from 16.
 * GL_ENOMEM (message set) when memory runs out; the array is left as it was.
 */
int gl_grow(void *array_ptr, size_t *cap, size_t need, size_t size);

#endif
