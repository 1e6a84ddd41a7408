/*
 * fuzz_values.c - every small parser of text from files and servers:
 * dates, UTC times, Retry-After, durations, hours, days, lists, excerpts.
 */
#include <stdlib.h>
#include <string.h>

#include "agent/config.h"
#include "connectors/http.h"
#include "fuzz.h"
#include "util/str.h"
#include "util/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), out[64];
    int a, b, y, m, d, list[16];
    unsigned mask;
    size_t n;
    int64_t t;
    double x;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    (void)gl_date_parse(s, &y, &m, &d);
    if (gl_time_parse_utc(&t, s) == GL_OK) {
        char buf[GL_TIME_UTC_LEN];
        gl_time_format_utc(buf, t);
    }
    (void)gl_http_parse_retry_after(s, 1763700000);
    (void)gl_config_parse_minutes(&a, s);
    (void)gl_config_parse_clock(&a, s);
    (void)gl_config_parse_hours(&a, &b, s);
    (void)gl_config_parse_weekdays(&mask, s);
    (void)gl_config_parse_weekly(&a, &b, s);
    (void)gl_config_parse_intlist(list, 16, &n, s);
    (void)gl_parse_int64(&t, s);
    (void)gl_parse_double(&x, s);
    gl_str_excerpt(out, sizeof(out), (const char *)data, size, 40);
    if (strlen(out) >= sizeof(out))
        abort();
    (void)gl_str_distance(s, "harvest.token-file");
    gl_str_sanitize(s);
    free(s);
    gl_error_clear();
    return 0;
}
