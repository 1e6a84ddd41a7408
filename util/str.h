/*
 * str.h - small string helpers: strict number parsing (no atoi), allocated
 * formatting, and making remote text safe to print.
 */
#ifndef GL_STR_H
#define GL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* A copy of `s` (NULL gives NULL) or a printf result; caller frees; NULL on OOM. */
char *gl_strdup(const char *s);
char *gl_strndup(const char *s, size_t n);
char *gl_strdupf(const char *fmt, ...) GL_PRINTF(1, 2);

/*
 * Strict parsing of a whole string (surrounding blanks allowed): "12x",
 * "", overflow are GL_EINVAL without a message (callers say what it was).
 */
int gl_parse_int64(int64_t *out, const char *s);
int gl_parse_double(double *out, const char *s);

/* Whether `s` is NULL or only blanks. */
bool gl_str_blank(const char *s);

/* Remove leading and trailing blanks in place; returns `s`. */
char *gl_str_trim(char *s);

/*
 * gl_str_excerpt - a one-line, printable excerpt of remote text for error
 * messages: control characters become spaces, runs of blanks collapse, and
 * at most `max` bytes are kept ("..." marks a cut).  Writes into `out` of
 * size `outlen` (always terminated).
 */
void gl_str_excerpt(char *out, size_t outlen, const char *src, size_t srclen, size_t max);

/*
 * gl_str_sanitize - replace control characters (other than newline and tab)
 * in place so text from a server cannot move the cursor or change colours.
 */
void gl_str_sanitize(char *s);

/* Case-insensitive ASCII comparison helpers. */
bool gl_str_ieq(const char *a, const char *b);
bool gl_str_starts_with(const char *s, const char *prefix);

/* Edit distance, for "did you mean" suggestions (capped at 100). */
int gl_str_distance(const char *a, const char *b);

/* gl_utf8_len - the code points of UTF-8 `s` (a display width good enough for titles). */
size_t gl_utf8_len(const char *s);

#endif
