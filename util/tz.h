/*
 * tz.h - IANA time zones through libical's zone database: checking a name,
 * the system's zone, and converting between UTC seconds and local civil
 * time, so that days and work hours are right across DST changes.
 *
 * Zones are named by IANA name ("Europe/Berlin"); "UTC" is accepted.
 * libical's zone objects are cached for the life of the process.
 */
#ifndef GL_TZ_H
#define GL_TZ_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* Local civil time. */
typedef struct gl_local_time {
    int year, month, day; /* month 1-12, day 1-31 */
    int hour, minute, second;
    int weekday;    /* 0 = Sunday ... 6 = Saturday */
    int utc_offset; /* seconds east of UTC at that instant */
} gl_local_time;

/* gl_tz_valid - whether `name` is a zone libical knows. */
bool gl_tz_valid(const char *name);

/*
 * gl_tz_system - the system's zone name: $TZ when it names a zone, else the
 * target of /etc/localtime, else "UTC".  Caller frees *out.
 */
int gl_tz_system(char **out);

/* gl_tz_to_local - the local time in zone `tz` at UTC second `utc`. */
int gl_tz_to_local(gl_local_time *out, const char *tz, int64_t utc);

/*
 * gl_tz_from_local - the UTC second of local time y-m-d h:m:s in `tz`.
 * A time skipped by a DST change is read with the offset before the change
 * (02:30 on Berlin's spring-forward day is 03:30 CEST); a repeated one gives
 * its first occurrence (02:30 CEST, not 02:30 CET).
 */
int gl_tz_from_local(int64_t *out, const char *tz, int year, int month, int day, int hour,
                     int minute, int second);

/*
 * gl_tz_day_bounds - [start, end) in UTC seconds of the local day y-m-d in
 * `tz`; 23 or 25 hours long on DST change days.
 */
int gl_tz_day_bounds(int64_t *start, int64_t *end, const char *tz, int year, int month, int day);

/* gl_date_parse - strict "YYYY-MM-DD" (a real date) into y/m/d. */
int gl_date_parse(const char *s, int *year, int *month, int *day);

/* gl_date_add_days - y/m/d moved by `days` (may be negative), in place. */
void gl_date_add_days(int *year, int *month, int *day, int days);

/*
 * gl_date_shift - "YYYY-MM-DD" moved by `days` into `out` (11 bytes; may be
 * `day` itself).  Text that is not a date is copied unchanged.
 */
void gl_date_shift(char out[11], const char *day, int days);

/* gl_weekday_of_days - 0 = Sunday ... 6 = Saturday, of days since 1970-01-01. */
int gl_weekday_of_days(int64_t days);

/* gl_weekday_abbr - "Sun" ... "Sat" for 0 ... 6 (static). */
const char *gl_weekday_abbr(int weekday);

/* gl_month_name - "January" ... "December" for 1 ... 12 (static; "???" otherwise). */
const char *gl_month_name(int month);

/*
 * gl_time_format_utc - UTC ISO 8601 with seconds: "2026-11-21T09:30:00Z".
 * `out` must hold GL_TIME_UTC_LEN bytes.
 */
#define GL_TIME_UTC_LEN 21
void gl_time_format_utc(char *out, int64_t utc);

/*
 * gl_time_parse_utc - "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z" or an
 * offset ("+01:00", "-0500") into UTC seconds.  GL_EINVAL (with a message)
 * otherwise.
 */
int gl_time_parse_utc(int64_t *out, const char *s);

/*
 * gl_time_parse_civil - "YYYY-MM-DDTHH:MM[:SS[.fff]]" with no zone or
 * offset: a local civil time, into its parts.  GL_EINVAL otherwise.
 */
int gl_time_parse_civil(const char *s, int *year, int *month, int *day, int *hour, int *minute,
                        int *second);

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
int64_t gl_days_from_civil(int year, int month, int day);
void gl_civil_from_days(int64_t days, int *year, int *month, int *day);

#endif
