/*
 * workday.c - days and work hours in the user's zone.
 */
#include "workday.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/tz.h"

int gl_workweek_load(gl_cli *cli, gl_workweek *out)
{
    const gl_config *cfg;
    char *tz = NULL;
    int gap = 120, lead = 30, rc;

    memset(out, 0, sizeof(*out));
    if ((rc = gl_cli_config(cli, &cfg)) < 0 || (rc = gl_cli_timezone(cli, &tz)) < 0)
        return rc;
    snprintf(out->tz, sizeof(out->tz), "%s", tz);
    free(tz);
    out->workdays = 0x3e;
    out->work_start = 9 * 60;
    out->work_end = 17 * 60 + 30;
    /* The loader checked every value; a parse cannot fail here. */
    gl_config_parse_weekdays(&out->workdays, gl_config_get(cfg, "user.workdays"));
    gl_config_parse_hours(&out->work_start, &out->work_end, gl_config_get(cfg, "user.workhours"));
    gl_config_get_minutes(cfg, "git.max-gap", &gap);
    gl_config_get_minutes(cfg, "git.lead-in", &lead);
    out->max_gap = (int64_t)gap * 60;
    out->lead_in = (int64_t)lead * 60;
    return GL_OK;
}

int gl_workweek_day(const gl_workweek *w, const char *day, gl_workday *out)
{
    int y, m, d, rc;
    gl_local_time lt;

    memset(out, 0, sizeof(*out));
    if (gl_date_parse(day, &y, &m, &d) < 0)
        return gl_error_set(GL_EINVAL, "'%s' is not a date (YYYY-MM-DD)", day);
    snprintf(out->day, sizeof(out->day), "%s", day);
    if ((rc = gl_tz_day_bounds(&out->start, &out->end, w->tz, y, m, d)) < 0 ||
        (rc = gl_tz_to_local(&lt, w->tz, out->start + (out->end - out->start) / 2)) < 0)
        return rc;
    out->weekday = lt.weekday;
    out->workday = (w->workdays >> lt.weekday) & 1;
    out->work_start = out->work_end = out->start;
    if (!out->workday)
        return GL_OK;
    if ((rc = gl_tz_from_local(&out->work_start, w->tz, y, m, d, w->work_start / 60,
                               w->work_start % 60, 0)) < 0)
        return rc;
    if (w->work_end >= 24 * 60)
        out->work_end = out->end;
    else if ((rc = gl_tz_from_local(&out->work_end, w->tz, y, m, d, w->work_end / 60,
                                    w->work_end % 60, 0)) < 0)
        return rc;
    if (out->work_end < out->work_start)
        out->work_end = out->work_start;
    return GL_OK;
}

void gl_workweek_next_day(const char *day, char out[GL_DAY_LEN])
{
    gl_date_shift(out, day, 1);
}
