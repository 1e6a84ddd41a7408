/*
 * budget.c - thresholds, periods, burn rates.
 */
#include "budget.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/tz.h"

static int by_level(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static bool was_fired(const gl_budget_fired *f, size_t n, int64_t project, const char *period,
                      int level)
{
    for (size_t i = 0; i < n; i++)
        if (f[i].project_id == project && f[i].level == level && strcmp(f[i].period, period) == 0)
            return true;
    return false;
}

/* The day `days` after `today` (YYYY-MM-DD), and whether it is past the month's end. */
static void day_after(const char *today, int64_t days, char out[11], bool *next_month)
{
    int y, m, d, y2, m2, d2;

    gl_date_parse(today, &y, &m, &d);
    y2 = y;
    m2 = m;
    d2 = d;
    gl_date_add_days(&y2, &m2, &d2, (int)days);
    snprintf(out, 11, "%04d-%02d-%02d", y2, m2, d2);
    *next_month = y2 != y || m2 != m;
}

int gl_budget_check(const gl_budget_project *p, size_t n, const int *thresholds, size_t nthresholds,
                    const char *today, const gl_budget_fired *fired, size_t nfired,
                    gl_budget_result *out)
{
    int levels[8];
    size_t nlevels = nthresholds < 8 ? nthresholds : 8;
    int y, m, d;

    memset(out, 0, sizeof(*out));
    if (gl_date_parse(today, &y, &m, &d) < 0)
        return gl_error_set(GL_EINVAL, "'%s' is not a date", today);
    if (nlevels)
        memcpy(levels, thresholds, nlevels * sizeof(*levels));
    qsort(levels, nlevels, sizeof(*levels), by_level);
    if (n && (!(out->status = calloc(n, sizeof(*out->status))) ||
              !(out->alerts = calloc(n * (nlevels ? nlevels : 1), sizeof(*out->alerts))))) {
        gl_budget_result_clear(out);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        gl_budget_status *s;
        size_t first_new = out->nalerts;

        if (!(p[i].budget > 0))
            continue;
        s = &out->status[out->nstatus++];
        s->project_id = p[i].project_id;
        if (p[i].monthly)
            snprintf(s->period, sizeof(s->period), "%04d-%02d", y, m);
        else
            snprintf(s->period, sizeof(s->period), "total");
        s->utilization = p[i].spent / p[i].budget * 100.0;
        s->burn_per_week = p[i].recent_weeks ? p[i].recent / (double)p[i].recent_weeks : 0;
        if (p[i].spent >= p[i].budget) {
            snprintf(s->full_on, sizeof(s->full_on), "%s", today);
        } else if (s->burn_per_week > 0) {
            /* A hair over a whole day is that day (30.000000000000004 is 30). */
            double days = ceil((p[i].budget - p[i].spent) / (s->burn_per_week / 7.0) - 1e-9);
            bool next = false;
            /* Beyond the horizon a projection says nothing (and would not be a date). */
            if (days <= GL_BUDGET_HORIZON_DAYS) {
                day_after(today, (int64_t)days, s->full_on, &next);
                s->full_after_reset = p[i].monthly && next;
            }
        }
        for (size_t l = 0; l < nlevels; l++) {
            /* A hair under is not there: 74.99% has not reached 75%. */
            if (s->utilization + 1e-9 < (double)levels[l])
                continue;
            if (s->ncrossed < 8)
                s->crossed[s->ncrossed++] = levels[l];
            if (was_fired(fired, nfired, p[i].project_id, s->period, levels[l])) {
                if (s->nalerted < 8)
                    s->alerted[s->nalerted++] = levels[l];
                continue;
            }
            gl_budget_alert *a = &out->alerts[out->nalerts++];
            a->project_id = p[i].project_id;
            a->project = i;
            snprintf(a->period, sizeof(a->period), "%s", s->period);
            a->level = levels[l];
            a->announce = false;
        }
        /* Of the thresholds crossed together, only the highest is announced. */
        if (out->nalerts > first_new)
            out->alerts[out->nalerts - 1].announce = true;
    }
    return GL_OK;
}

void gl_budget_result_clear(gl_budget_result *r)
{
    free(r->status);
    free(r->alerts);
    memset(r, 0, sizeof(*r));
}
