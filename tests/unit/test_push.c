/*
 * test_push.c - the body of a time entry for an account that tracks start
 * and end times: the span on the wall clock, inside one day, in the
 * account's clock format.
 */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "agent/push.h"
#include "util/json.h"
#include "util/tz.h"

static int64_t utc(const char *text)
{
    int64_t t = 0;
    gl_assert_ok(gl_time_parse_utc(&t, text));
    return t;
}

/* started_time and ended_time of the body for `hours` from `first` in Europe/Berlin. */
static void span(const char *first, double hours, const char *clock, char *started, char *ended)
{
    json_object *payload = json_object_new_object(), *company = json_object_new_object(), *body;

    json_object_object_add(payload, "hours", json_object_new_double(hours));
    json_object_object_add(payload, "gleaner_first_start", json_object_new_int64(utc(first)));
    json_object_object_add(company, "wants_timestamp_timers", json_object_new_boolean(1));
    json_object_object_add(company, "clock", json_object_new_string(clock));
    gl_assert_ok(gl_push_entry_body(payload, company, "Europe/Berlin", &body));
    assert_null(gl_json_object(body, "hours")); /* Harvest counts them from the two times */
    assert_null(gl_json_object(body, "gleaner_first_start"));
    snprintf(started, 16, "%s", gl_json_str(body, "started_time"));
    snprintf(ended, 16, "%s", gl_json_str(body, "ended_time"));
    json_object_put(body);
    json_object_put(payload);
    json_object_put(company);
}

static void spans_on_the_wall_clock(void **state)
{
    (void)state;
    char a[16], b[16];

    span("2026-11-18T08:00:00Z", 1.5, "24h", a, b); /* 09:00 in Berlin */
    assert_string_equal(a, "09:00");
    assert_string_equal(b, "10:30");
    span("2026-11-18T12:15:00Z", 2.25, "12h", a, b);
    assert_string_equal(a, "1:15pm");
    assert_string_equal(b, "3:30pm");
    /* Late in the evening: it starts earlier rather than lose what passes midnight. */
    span("2026-11-18T22:00:00Z", 1.5, "24h", a, b); /* 23:00 */
    assert_string_equal(a, "22:29");
    assert_string_equal(b, "23:59");
    /* Across the autumn DST change (03:00 CEST -> 02:00 CET): two hours on the wall clock. */
    span("2026-10-24T23:30:00Z", 2, "24h", a, b); /* 01:30 CEST */
    assert_string_equal(a, "01:30");
    assert_string_equal(b, "03:30");
}

static void durations_stay_durations(void **state)
{
    (void)state;
    json_object *payload = json_object_new_object(), *body = NULL;

    json_object_object_add(payload, "hours", json_object_new_double(1.25));
    json_object_object_add(payload, "gleaner_first_start", json_object_new_int64(0));
    gl_assert_ok(gl_push_entry_body(payload, NULL, "Europe/Berlin", &body));
    double hours = 0;
    assert_true(gl_json_double(body, "hours", &hours));
    assert_true(hours == 1.25);
    assert_null(gl_json_object(body, "started_time"));
    json_object_put(body);
    json_object_put(payload);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spans_on_the_wall_clock),
        cmocka_unit_test(durations_stay_durations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
