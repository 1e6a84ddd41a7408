/*
 * workday.c - days and work hours in the user's zone.
 */
#include "workday.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/tz.h"

int gl_workweek_load(gl_cli *cli, gl_workweek *out)
{
    const gl_config *cfg;
    char *tz = NULL;
    int gap = 120, lead = 30, lunch = 0, rc;

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
    gl_config_get_minutes(cfg, "git.lunch-break", &lunch);
    out->lunch_gap = (int64_t)lunch * 60;
    return GL_OK;
}

#define SESSIONS_SOURCE "propose"
#define SESSIONS_KEY    "sessions"

int gl_workweek_save_sessions(gl_store *store, const gl_workweek *w)
{
    char text[160], *old = NULL;
    int rc;

    snprintf(text, sizeof(text),
             "{\"max_gap\":%lld,\"switch_gap\":%lld,\"lead_in\":%lld,\"lead_out\":%lld}",
             (long long)w->max_gap, (long long)w->switch_gap, (long long)w->lead_in,
             (long long)w->lead_out);
    if (gl_store_state_get(store, SESSIONS_SOURCE, SESSIONS_KEY, &old) == GL_OK &&
        strcmp(old, text) == 0) {
        free(old);
        return GL_OK; /* a run that changes nothing writes nothing */
    }
    free(old);
    gl_error_clear();
    rc = gl_store_state_set(store, SESSIONS_SOURCE, SESSIONS_KEY, text);
    return rc;
}

void gl_workweek_use_sessions(gl_workweek *w, gl_cli *cli, gl_store *store)
{
    const gl_config *cfg;
    char *text = NULL;
    json_object *o = NULL;
    int64_t gap = 0, sw = -1, lead = -1, tail = -1;

    if (gl_cli_config(cli, &cfg) < 0 || gl_config_is_set(cfg, "git.max-gap") ||
        gl_config_is_set(cfg, "git.lead-in")) {
        gl_error_clear();
        return;
    }
    if (gl_store_state_get(store, SESSIONS_SOURCE, SESSIONS_KEY, &text) == GL_OK &&
        gl_json_parse(&o, text, strlen(text), "the kept session lengths") == GL_OK &&
        gl_json_int64(o, "max_gap", &gap) && gl_json_int64(o, "switch_gap", &sw) &&
        gl_json_int64(o, "lead_in", &lead) && gl_json_int64(o, "lead_out", &tail) && gap > 0 &&
        sw >= 0 && lead >= 0 && tail >= 0) {
        w->max_gap = gap;
        w->switch_gap = sw;
        w->lead_in = lead;
        w->lead_out = tail;
    }
    gl_error_clear();
    json_object_put(o);
    free(text);
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
    if (w->lunch_gap > 0 &&
        ((rc = gl_tz_from_local(&out->lunch_start, w->tz, y, m, d, 12, 0, 0)) < 0 ||
         (rc = gl_tz_from_local(&out->lunch_end, w->tz, y, m, d, 13, 30, 0)) < 0))
        return rc;
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
