/*
 * str.c - string helpers.
 */
#include "str.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *gl_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

char *gl_strndup(const char *s, size_t n)
{
    return s ? strndup(s, n) : NULL;
}

char *gl_strdupf(const char *fmt, ...)
{
    va_list ap;
    char *out = NULL;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&out, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : out;
}

int gl_parse_int64(int64_t *out, const char *s)
{
    char *end = NULL;
    long long v;

    if (!s)
        return GL_EINVAL;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return GL_EINVAL;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s)
        return GL_EINVAL;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return GL_EINVAL;
    *out = (int64_t)v;
    return GL_OK;
}

int gl_parse_double(double *out, const char *s)
{
    char *end = NULL;
    double v;

    if (!s)
        return GL_EINVAL;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return GL_EINVAL;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || !isfinite(v))
        return GL_EINVAL;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return GL_EINVAL;
    *out = v;
    return GL_OK;
}

bool gl_str_blank(const char *s)
{
    if (!s)
        return true;
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

char *gl_str_trim(char *s)
{
    size_t n, start = 0;

    if (!s)
        return s;
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    while (isspace((unsigned char)s[start]))
        start++;
    if (start)
        memmove(s, s + start, n - start + 1);
    return s;
}

void gl_str_excerpt(char *out, size_t outlen, const char *src, size_t srclen, size_t max)
{
    size_t w = 0, i;
    bool blank = true; /* drop leading blanks */

    if (!outlen)
        return;
    if (max + 4 > outlen)
        max = outlen > 4 ? outlen - 4 : 0;
    for (i = 0; src && i < srclen && src[i]; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c < 0x20 || c == 0x7f || isspace(c)) {
            if (blank)
                continue;
            c = ' ';
            blank = true;
        } else {
            blank = false;
        }
        if (w >= max) {
            while (w > 0 && out[w - 1] == ' ')
                w--;
            memcpy(out + w, "...", 3);
            w += 3;
            break;
        }
        out[w++] = (char)c;
    }
    while (w > 0 && out[w - 1] == ' ')
        w--;
    out[w] = '\0';
}

void gl_str_sanitize(char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            *s = '?';
    }
}

bool gl_str_ieq(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

bool gl_str_starts_with(const char *s, const char *prefix)
{
    return s && prefix && strncmp(s, prefix, strlen(prefix)) == 0;
}

int gl_str_distance(const char *a, const char *b)
{
    int row[101];
    size_t la = strlen(a), lb = strlen(b), i, j;

    if (la > 100 || lb > 100)
        return 100;
    for (j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

size_t gl_utf8_len(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}
