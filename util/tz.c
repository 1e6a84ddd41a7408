/*
 * tz.c - time-zone math on libical.
 */
#include "tz.h"

#include <ctype.h>
#include <limits.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include <libical/ical.h>

#include "str.h"

static icaltimezone *zone_for(const char *name)
{
    if (!name || !*name)
        return NULL;
    if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 || strcmp(name, "GMT") == 0 ||
        strcmp(name, "Z") == 0)
        return icaltimezone_get_utc_timezone();
    return icaltimezone_get_builtin_timezone(name);
}

static int zone_or_error(icaltimezone **out, const char *name)
{
    *out = zone_for(name);
    if (!*out)
        return gl_error_set(GL_ECONFIG,
                            "unknown time zone '%s' (use an IANA name such as Europe/Berlin; "
                            "see /usr/share/zoneinfo)",
                            name ? name : "");
    return GL_OK;
}

bool gl_tz_valid(const char *name)
{
    /* libical maps names to files; refuse anything that is not a plain zone name. */
    if (!name || !*name || name[0] == '/' || strstr(name, ".."))
        return false;
    return zone_for(name) != NULL;
}

int gl_tz_system(char **out)
{
    const char *env = getenv("TZ");
    char link[PATH_MAX];
    ssize_t n;
    const char *marker = "zoneinfo/";

    *out = NULL;
    if (env && *env == ':')
        env++;
    if (env && gl_tz_valid(env)) {
        *out = gl_strdup(env);
        return *out ? GL_OK : gl_error_set(GL_ENOMEM, "out of memory");
    }
    n = readlink("/etc/localtime", link, sizeof(link) - 1);
    if (n > 0) {
        const char *zone;
        link[n] = '\0';
        zone = strstr(link, marker);
        if (zone && gl_tz_valid(zone + strlen(marker))) {
            *out = gl_strdup(zone + strlen(marker));
            return *out ? GL_OK : gl_error_set(GL_ENOMEM, "out of memory");
        }
    }
    *out = gl_strdup("UTC");
    return *out ? GL_OK : gl_error_set(GL_ENOMEM, "out of memory");
}

int gl_tz_to_local(gl_local_time *out, const char *tz, int64_t utc)
{
    icaltimezone *zone;
    struct icaltimetype t;
    int rc, is_daylight = 0;

    if ((rc = zone_or_error(&zone, tz)) < 0)
        return rc;
    t = icaltime_from_timet_with_zone((time_t)utc, 0, icaltimezone_get_utc_timezone());
    out->utc_offset = icaltimezone_get_utc_offset_of_utc_time(zone, &t, &is_daylight);
    icaltimezone_convert_time(&t, icaltimezone_get_utc_timezone(), zone);
    out->year = t.year;
    out->month = t.month;
    out->day = t.day;
    out->hour = t.hour;
    out->minute = t.minute;
    out->second = t.second;
    out->weekday = icaltime_day_of_week(t) - 1;
    return GL_OK;
}

static bool valid_date(int year, int month, int day)
{
    return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
           day <= icaltime_days_in_month(month, year);
}

/* The zone's UTC offset (seconds east) at UTC instant `utc`. */
static int offset_at(icaltimezone *zone, int64_t utc)
{
    struct icaltimetype t =
        icaltime_from_timet_with_zone((time_t)utc, 0, icaltimezone_get_utc_timezone());
    int is_daylight = 0;
    return icaltimezone_get_utc_offset_of_utc_time(zone, &t, &is_daylight);
}

int gl_tz_from_local(int64_t *out, const char *tz, int year, int month, int day, int hour,
                     int minute, int second)
{
    icaltimezone *zone;
    int64_t wall, early, late;
    int before, after, rc;
    bool early_ok, late_ok;

    if ((rc = zone_or_error(&zone, tz)) < 0)
        return rc;
    if (!valid_date(year, month, day) || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
        second < 0 || second > 60)
        return gl_error_set(GL_EINVAL, "invalid local time %04d-%02d-%02d %02d:%02d:%02d", year,
                            month, day, hour, minute, second);
    /* The wall time read as if it were UTC; the real instant is within a day of it. */
    wall = gl_days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    before = offset_at(zone, wall - 86400);
    after = offset_at(zone, wall + 86400);
    early = wall - (before > after ? before : after);
    late = wall - (before > after ? after : before);
    early_ok = offset_at(zone, early) == wall - early;
    late_ok = offset_at(zone, late) == wall - late;
    if (early_ok)
        *out = early; /* a repeated hour (autumn): its first occurrence */
    else if (late_ok)
        *out = late;
    else
        *out = wall - before; /* a skipped hour (spring): the same clock reading after the change */
    return GL_OK;
}

int gl_tz_day_bounds(int64_t *start, int64_t *end, const char *tz, int year, int month, int day)
{
    int rc, y2 = year, m2 = month, d2 = day;

    if (!valid_date(year, month, day))
        return gl_error_set(GL_EINVAL, "invalid date %04d-%02d-%02d", year, month, day);
    if ((rc = gl_tz_from_local(start, tz, year, month, day, 0, 0, 0)) < 0)
        return rc;
    gl_date_add_days(&y2, &m2, &d2, 1);
    return gl_tz_from_local(end, tz, y2, m2, d2, 0, 0, 0);
}

/* The first 10 characters of `s` as a date; no message. */
static int date_parse_prefix(const char *s, int *year, int *month, int *day)
{
    int y, m, d, i;

    if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return GL_EINVAL;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return GL_EINVAL;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (!valid_date(y, m, d))
        return GL_EINVAL;
    *year = y;
    *month = m;
    *day = d;
    return GL_OK;
}

int gl_date_parse(const char *s, int *year, int *month, int *day)
{
    if (!s || strlen(s) != 10 || date_parse_prefix(s, year, month, day) < 0)
        return gl_error_set(GL_EINVAL, "'%s' is not a date (expected YYYY-MM-DD)", s ? s : "");
    return GL_OK;
}

void gl_date_add_days(int *year, int *month, int *day, int days)
{
    struct icaltimetype t = icaltime_null_date();
    t.year = *year;
    t.month = *month;
    t.day = *day;
    icaltime_adjust(&t, days, 0, 0, 0);
    *year = t.year;
    *month = t.month;
    *day = t.day;
}

/* Howard Hinnant's civil-date algorithms: exact for every Gregorian date. */
void gl_date_shift(char out[11], const char *day, int days)
{
    int y, m, d;

    if (gl_date_parse(day, &y, &m, &d) < 0) {
        if (out != day)
            snprintf(out, 11, "%s", day);
        return;
    }
    gl_date_add_days(&y, &m, &d, days);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

int gl_weekday_of_days(int64_t days)
{
    /* 1970-01-01 was a Thursday. */
    return (int)(((days + 4) % 7 + 7) % 7);
}

const char *gl_weekday_abbr(int weekday)
{
    static const char *const names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    return weekday >= 0 && weekday < 7 ? names[weekday] : "???";
}

const char *gl_month_name(int month)
{
    static const char *const names[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};
    return month >= 1 && month <= 12 ? names[month - 1] : "???";
}

int64_t gl_days_from_civil(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void gl_civil_from_days(int64_t days, int *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp + (mp < 10 ? 3 : -9);
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

void gl_time_format_utc(char *out, int64_t utc)
{
    int64_t days = utc >= 0 ? utc / 86400 : -((-utc + 86399) / 86400);
    int64_t secs = utc - days * 86400;
    int y, m, d;

    gl_civil_from_days(days, &y, &m, &d);
    snprintf(out, GL_TIME_UTC_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ", y % 10000, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return GL_EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return GL_OK;
}

/* "YYYY-MM-DDTHH:MM[:SS[.fff]]" at the start of `s`; *rest: what follows. */
static int civil_prefix(const char *s, int *y, int *mo, int *d, int *h, int *mi, int *sec,
                        const char **rest)
{
    const char *p;

    *sec = 0;
    if (!s || strlen(s) < 16 || date_parse_prefix(s, y, mo, d) < 0 ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || digits(s + 11, 2, h) < 0 ||
        s[13] != ':' || digits(s + 14, 2, mi) < 0)
        return GL_EINVAL;
    p = s + 16;
    if (*p == ':') {
        if (digits(p + 1, 2, sec) < 0)
            return GL_EINVAL;
        p += 3;
        if (*p == '.')
            for (p++; isdigit((unsigned char)*p); p++)
                ;
    }
    if (*h > 23 || *mi > 59 || *sec > 60)
        return GL_EINVAL;
    *rest = p;
    return GL_OK;
}

int gl_time_parse_civil(const char *s, int *year, int *month, int *day, int *hour, int *minute,
                        int *second)
{
    const char *rest;

    if (civil_prefix(s, year, month, day, hour, minute, second, &rest) < 0 || *rest)
        return gl_error_set(GL_EINVAL, "'%s' is not a local time (expected 2026-11-21T09:30:00)",
                            s ? s : "");
    return GL_OK;
}

int gl_time_parse_utc(int64_t *out, const char *s)
{
    int y, mo, d, h, mi, sec = 0, oh = 0, om = 0, sign = 0;
    const char *p;

    if (civil_prefix(s, &y, &mo, &d, &h, &mi, &sec, &p) < 0)
        goto bad;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        if (digits(p + 1, 2, &oh) < 0)
            goto bad;
        p += 3;
        if (*p == ':')
            p++;
        if (digits(p, 2, &om) < 0)
            goto bad;
        p += 2;
    } else {
        goto bad;
    }
    if (*p || oh > 23 || om > 59)
        goto bad;
    *out = gl_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
           (int64_t)sign * (oh * 3600 + om * 60);
    return GL_OK;
bad:
    return gl_error_set(GL_EINVAL, "'%s' is not a UTC time (expected 2026-11-21T09:30:00Z)",
                        s ? s : "");
}
