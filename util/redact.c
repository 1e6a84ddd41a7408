/*
 * redact.c - secret redaction for log lines and error messages.
 *
 * A hand-written scanner rather than regexes: it runs on every log line
 * when tracing is on, and the shapes are simple.
 */
#include "redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Keys whose value is a secret.  Matched case-insensitively as a word part. */
static const char *const secret_keys[] = {
    "token",   "secret",        "password", "passwd", "api_key",   "apikey",
    "api-key", "authorization", "cookie",   "bearer", "signature", "code",
};

/* A key ending in one of these names where a secret is, not the secret. */
static const char *const harmless_suffixes[] = {
    "file", "env", "path", "type", "url", "uri", "endpoint", "command", "_hint", "s_in",
};

static bool is_token_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '+' || c == '=' || c == '.' ||
           c == '/';
}

static bool is_value_end(char c)
{
    return c == '\0' || isspace((unsigned char)c) || c == '"' || c == '\'' || c == '&' ||
           c == ',' || c == ';' || c == '}' || c == ')' || c == ']' || c == '<' || c == '>';
}

static bool ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);
    return n >= m && strncasecmp(s + n - m, suffix, m) == 0;
}

/* A segment looks random when it is long and mixes upper, lower and digits. */
static bool looks_random(const char *s, size_t n)
{
    bool upper = false, lower = false, digit = false;
    if (n < 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        upper |= isupper(c) != 0;
        lower |= islower(c) != 0;
        digit |= isdigit(c) != 0;
    }
    return upper && lower && digit;
}

/* Known token shapes, judged on a maximal run of token characters. */
static bool run_is_secret(const char *s, size_t n)
{
    size_t i = 0, dots = 0, seg = 0;

    if (n >= 6 && s[0] == 'x' && s[1] == 'o' && s[2] == 'x' && isalpha((unsigned char)s[3]) &&
        s[4] == '-')
        return true; /* Slack xoxb-, xoxp-, ... */
    if (n >= 10 && strncmp(s, "ya29.", 5) == 0)
        return true; /* Google access token */
    if (n >= 10 && strncmp(s, "1//", 3) == 0)
        return true; /* Google refresh token */
    while (i < n && isdigit((unsigned char)s[i]))
        i++;
    if (i > 0 && i + 4 < n &&
        (strncmp(s + i, ".pt.", 4) == 0 || strncmp(s + i, ".at.", 4) == 0 ||
         strncmp(s + i, ".rt.", 4) == 0))
        return true; /* Harvest personal, access and refresh tokens */
    for (i = 0; i < n; i++)
        dots += s[i] == '.';
    if (n >= 20 && strncmp(s, "eyJ", 3) == 0 && dots == 2)
        return true; /* JWT */
    /* Any slash-, dot- or dash-free segment that looks random. */
    for (i = 0; i <= n; i++) {
        if (i == n || s[i] == '.' || s[i] == '/') {
            if (looks_random(s + seg, i - seg))
                return true;
            seg = i + 1;
        }
    }
    return false;
}

/*
 * If a secret key starts at s[i], return the offset where its value starts
 * (after the separator), or 0.
 */
static size_t secret_value_start(const char *s, size_t i)
{
    size_t k, j, name_end;
    bool spaced_only = false;

    for (k = 0; k < sizeof(secret_keys) / sizeof(secret_keys[0]); k++) {
        size_t m = strlen(secret_keys[k]);
        if (strncasecmp(s + i, secret_keys[k], m) == 0)
            break;
    }
    if (k == sizeof(secret_keys) / sizeof(secret_keys[0]))
        return 0;
    /* The key must start a word ("statuscode" is not "code") and not be part of a
     * file name ("harvest.token: mode 0644" names a file). */
    if (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '.' || s[i - 1] == '/'))
        return 0;
    j = i;
    while (isalnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '-')
        j++;
    name_end = j;
    for (size_t h = 0; h < sizeof(harmless_suffixes) / sizeof(harmless_suffixes[0]); h++)
        if (ends_with_ci(s + i, name_end - i, harmless_suffixes[h]))
            return 0;
    if (s[j] == '"' || s[j] == '\'')
        j++;
    while (s[j] == ' ' || s[j] == '\t')
        j++;
    if (s[j] == '=' || (s[j] == ':' && !ends_with_ci(s + i, name_end - i, "code"))) {
        /* "code" only as a query parameter (OAuth redirects): "error code: x" is not secret. */
        j++;
    } else {
        /* "Bearer xyz" takes a space, not a separator. */
        if (!ends_with_ci(s + i, name_end - i, "bearer") || j == name_end)
            return 0;
        spaced_only = true;
    }
    while (s[j] == ' ' || s[j] == '\t')
        j++;
    if (!spaced_only) {
        /* "Authorization: Bearer xyz": redact the credential after the scheme. */
        if (strncasecmp(s + j, "bearer ", 7) == 0 || strncasecmp(s + j, "basic ", 6) == 0 ||
            strncasecmp(s + j, "token ", 6) == 0) {
            while (!isspace((unsigned char)s[j]))
                j++;
            while (s[j] == ' ')
                j++;
        }
        if (s[j] == '"' || s[j] == '\'')
            j++;
    }
    if (is_value_end(s[j]) || strncmp(s + j, GL_REDACTED, strlen(GL_REDACTED)) == 0)
        return 0;
    /* A bare number is a count or a status, not a secret ("code: 422"). */
    for (k = j; !is_value_end(s[k]) && isdigit((unsigned char)s[k]); k++)
        ;
    if (is_value_end(s[k]))
        return 0;
    return j;
}

/*
 * Write the marker for `consumed` redacted bytes at s + *w.  Never more bytes
 * than were consumed, so the in-place rewrite can only shrink the text.
 */
static void put_marker(char *s, size_t *w, size_t consumed)
{
    size_t n = strlen(GL_REDACTED) <= consumed ? strlen(GL_REDACTED) : consumed;
    memcpy(s + *w, GL_REDACTED, n);
    *w += n;
}

bool gl_redact_inplace(char *s)
{
    static const char slack_hook[] = "hooks.slack.com/services/";
    size_t r = 0, w = 0, n;
    bool changed = false;

    if (!s)
        return false;
    n = strlen(s);
    while (r < n) {
        size_t v = secret_value_start(s, r);
        if (v) {
            size_t end = v;
            while (!is_value_end(s[end]))
                end++;
            memmove(s + w, s + r, v - r);
            w += v - r;
            put_marker(s, &w, end - v);
            r = end;
            changed = true;
            continue;
        }
        if (strncasecmp(s + r, slack_hook, sizeof(slack_hook) - 1) == 0) {
            size_t end = r + sizeof(slack_hook) - 1;
            memmove(s + w, s + r, end - r);
            w += end - r;
            r = end;
            if (!is_value_end(s[r])) {
                size_t start = r;
                while (!is_value_end(s[r]))
                    r++;
                put_marker(s, &w, r - start);
                changed = true;
            }
            continue;
        }
        if (is_token_char(s[r]) && (r == 0 || !is_token_char(s[r - 1]))) {
            size_t end = r;
            while (end < n && is_token_char(s[end]))
                end++;
            if (run_is_secret(s + r, end - r)) {
                put_marker(s, &w, end - r);
                r = end;
                changed = true;
                continue;
            }
            /* Not a token as a whole: go on char by char so "access_token=" is still seen. */
        }
        s[w++] = s[r++];
    }
    s[w] = '\0';
    return changed;
}
