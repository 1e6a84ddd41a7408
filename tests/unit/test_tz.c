/*
 * test_tz.c - days and local times across DST changes, date and time parsing.
 */
#include "support.h"

#include <string.h>

#include "util/tz.h"

static int64_t utc(const char *s)
{
    int64_t t = 0;
    gl_assert_ok(gl_time_parse_utc(&t, s));
    return t;
}

static void zone_names_are_checked(void **state)
{
    (void)state;
    assert_true(gl_tz_valid("Europe/Berlin"));
    assert_true(gl_tz_valid("America/Argentina/Buenos_Aires"));
    assert_true(gl_tz_valid("UTC"));
    assert_false(gl_tz_valid("Mars/Olympus"));
    assert_false(gl_tz_valid(""));
    assert_false(gl_tz_valid("../../etc/passwd"));
    assert_false(gl_tz_valid("/etc/localtime"));
}

static void day_lengths_follow_dst(void **state)
{
    int64_t start, end;
    (void)state;
    /* Berlin: 2026-03-29 springs forward (23 h), 2026-10-25 falls back (25 h). */
    gl_assert_ok(gl_tz_day_bounds(&start, &end, "Europe/Berlin", 2026, 3, 29));
    assert_int_equal(start, utc("2026-03-28T23:00:00Z"));
    assert_int_equal(end - start, 23 * 3600);
    gl_assert_ok(gl_tz_day_bounds(&start, &end, "Europe/Berlin", 2026, 10, 25));
    assert_int_equal(start, utc("2026-10-24T22:00:00Z"));
    assert_int_equal(end - start, 25 * 3600);
    gl_assert_ok(gl_tz_day_bounds(&start, &end, "Europe/Berlin", 2026, 11, 20));
    assert_int_equal(end - start, 24 * 3600);
    /* New York changes on other dates: 2026-03-08 and 2026-11-01. */
    gl_assert_ok(gl_tz_day_bounds(&start, &end, "America/New_York", 2026, 3, 8));
    assert_int_equal(start, utc("2026-03-08T05:00:00Z"));
    assert_int_equal(end - start, 23 * 3600);
    gl_assert_ok(gl_tz_day_bounds(&start, &end, "America/New_York", 2026, 11, 1));
    assert_int_equal(end - start, 25 * 3600);
    /* Across a month and a year end. */
    gl_assert_ok(gl_tz_day_bounds(&start, &end, "Asia/Kolkata", 2026, 12, 31));
    assert_int_equal(start, utc("2026-12-30T18:30:00Z"));
    assert_int_equal(end, utc("2026-12-31T18:30:00Z"));
    assert_int_equal(gl_tz_day_bounds(&start, &end, "Europe/Berlin", 2026, 2, 30), GL_EINVAL);
    assert_int_equal(gl_tz_day_bounds(&start, &end, "Nowhere/Else", 2026, 2, 3), GL_ECONFIG);
}

static void local_times_round_trip(void **state)
{
    gl_local_time lt;
    int64_t t;
    (void)state;
    gl_assert_ok(gl_tz_to_local(&lt, "Europe/Berlin", utc("2026-07-01T07:30:00Z")));
    assert_int_equal(lt.hour, 9);
    assert_int_equal(lt.minute, 30);
    assert_int_equal(lt.utc_offset, 7200);
    assert_int_equal(lt.weekday, 3); /* Wednesday */
    gl_assert_ok(gl_tz_to_local(&lt, "Europe/Berlin", utc("2026-12-01T07:30:00Z")));
    assert_int_equal(lt.hour, 8);
    assert_int_equal(lt.utc_offset, 3600);
    /* 09:00 in Berlin on both sides of the autumn change. */
    gl_assert_ok(gl_tz_from_local(&t, "Europe/Berlin", 2026, 10, 23, 9, 0, 0));
    assert_int_equal(t, utc("2026-10-23T07:00:00Z"));
    gl_assert_ok(gl_tz_from_local(&t, "Europe/Berlin", 2026, 10, 26, 9, 0, 0));
    assert_int_equal(t, utc("2026-10-26T08:00:00Z"));
    /* A skipped hour reads with the old offset; a repeated one is its first occurrence. */
    gl_assert_ok(gl_tz_from_local(&t, "Europe/Berlin", 2026, 3, 29, 2, 30, 0));
    assert_int_equal(t, utc("2026-03-29T01:30:00Z"));
    gl_assert_ok(gl_tz_from_local(&t, "Europe/Berlin", 2026, 10, 25, 2, 30, 0));
    assert_int_equal(t, utc("2026-10-25T00:30:00Z"));
    gl_assert_ok(gl_tz_from_local(&t, "Europe/Berlin", 2026, 10, 25, 3, 30, 0));
    assert_int_equal(t, utc("2026-10-25T02:30:00Z"));
    gl_assert_ok(gl_tz_from_local(&t, "America/New_York", 2026, 3, 8, 2, 30, 0));
    assert_int_equal(t, utc("2026-03-08T07:30:00Z"));
    /* Late evening in New York is already the next day in UTC. */
    gl_assert_ok(gl_tz_to_local(&lt, "America/New_York", utc("2026-11-21T03:00:00Z")));
    assert_int_equal(lt.day, 20);
    assert_int_equal(lt.hour, 22);
}

static void dates_and_utc_times_parse_strictly(void **state)
{
    int y, m, d;
    int64_t t;
    char buf[GL_TIME_UTC_LEN];
    (void)state;
    gl_assert_ok(gl_date_parse("2028-02-29", &y, &m, &d));
    assert_int_equal(gl_date_parse("2026-02-29", &y, &m, &d), GL_EINVAL);
    assert_int_equal(gl_date_parse("2026-1-05", &y, &m, &d), GL_EINVAL);
    assert_int_equal(gl_date_parse("yesterday-ish", &y, &m, &d), GL_EINVAL);
    y = 2026, m = 12, d = 31;
    gl_date_add_days(&y, &m, &d, 1);
    assert_int_equal(y * 10000 + m * 100 + d, 20270101);
    gl_date_add_days(&y, &m, &d, -60);
    assert_int_equal(y * 10000 + m * 100 + d, 20261102);

    assert_int_equal(utc("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(utc("2026-11-21T10:15:30+01:00"), utc("2026-11-21T09:15:30Z"));
    assert_int_equal(utc("2026-11-21T10:15:30.123-0500"), utc("2026-11-21T15:15:30Z"));
    assert_int_equal(utc("2026-11-21T10:15Z"), utc("2026-11-21T10:15:00Z"));
    assert_int_equal(gl_time_parse_utc(&t, "2026-11-21T10:15:30"), GL_EINVAL);
    assert_int_equal(gl_time_parse_utc(&t, "2026-11-21 25:00:00Z"), GL_EINVAL);
    /* A civil time, with no zone: its parts; with a zone or junk, no. */
    {
        int h, mi, sec;
        gl_assert_ok(gl_time_parse_civil("2026-11-21T10:15:30.5", &y, &m, &d, &h, &mi, &sec));
        assert_int_equal(y * 10000 + m * 100 + d, 20261121);
        assert_int_equal(h * 3600 + mi * 60 + sec, 10 * 3600 + 15 * 60 + 30);
        gl_assert_ok(gl_time_parse_civil("2026-11-21T10:15", &y, &m, &d, &h, &mi, &sec));
        assert_int_equal(sec, 0);
        assert_int_equal(gl_time_parse_civil("2026-11-21T10:15:30Z", &y, &m, &d, &h, &mi, &sec),
                         GL_EINVAL);
        assert_int_equal(gl_time_parse_civil("2026-02-30T10:15", &y, &m, &d, &h, &mi, &sec),
                         GL_EINVAL);
        assert_int_equal(gl_time_parse_civil("2026-11-21T24:00", &y, &m, &d, &h, &mi, &sec),
                         GL_EINVAL);
    }
    gl_time_format_utc(buf, utc("2026-03-29T01:00:00Z"));
    assert_string_equal(buf, "2026-03-29T01:00:00Z");
    gl_time_format_utc(buf, -1);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
}

static void days_shift_and_weekdays(void **state)
{
    (void)state;
    char out[11] = "2026-12-31";

    gl_date_shift(out, out, 1); /* in place, across the year */
    assert_string_equal(out, "2027-01-01");
    gl_date_shift(out, "2028-03-01", -1);
    assert_string_equal(out, "2028-02-29");
    gl_date_shift(out, "not a day", 3); /* copied as it is */
    assert_string_equal(out, "not a day");
    assert_int_equal(gl_weekday_of_days(0), 4); /* 1970-01-01, a Thursday */
    assert_int_equal(gl_weekday_of_days(-1), 3);
    assert_int_equal(gl_weekday_of_days(gl_days_from_civil(2026, 12, 3)), 4);
    assert_int_equal(gl_weekday_of_days(gl_days_from_civil(2026, 11, 22)), 0);
    assert_string_equal(gl_weekday_abbr(0), "Sun");
    assert_string_equal(gl_weekday_abbr(6), "Sat");
    assert_string_equal(gl_weekday_abbr(7), "???");
    assert_string_equal(gl_month_name(1), "January");
    assert_string_equal(gl_month_name(12), "December");
    assert_string_equal(gl_month_name(0), "???");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zone_names_are_checked),
        cmocka_unit_test(day_lengths_follow_dst),
        cmocka_unit_test(local_times_round_trip),
        cmocka_unit_test(dates_and_utc_times_parse_strictly),
        cmocka_unit_test(days_shift_and_weekdays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
