/*
 * milestone.c - the milestone rules.
 */
#include "milestone.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "util/str.h"
#include "util/tz.h"

int gl_milestone_parse(const char *when, gl_milestone_rule *out)
{
    char word[16];
    size_t n = 0;
    const char *p = when;
    double v;

    memset(out, 0, sizeof(*out));
    if (!when)
        return GL_EINVAL;
    while (isspace((unsigned char)*p))
        p++;
    while (isalpha((unsigned char)p[n]) || p[n] == '-')
        n++;
    if (n == 0 || n >= sizeof(word))
        return GL_EINVAL;
    snprintf(word, sizeof(word), "%.*s", (int)n, p);
    p += n;
    while (isspace((unsigned char)*p))
        p++;
    if (strcasecmp(word, "monthly") == 0 || strcasecmp(word, "sprint-closed") == 0) {
        if (*p)
            return GL_EINVAL;
        out->kind = word[0] == 'm' || word[0] == 'M' ? GL_MILESTONE_MONTHLY : GL_MILESTONE_SPRINT;
        return GL_OK;
    }
    if (strcasecmp(word, "hours") == 0)
        out->kind = GL_MILESTONE_HOURS;
    else if (strcasecmp(word, "budget") == 0)
        out->kind = GL_MILESTONE_BUDGET;
    else
        return GL_EINVAL;
    if (p[0] != '>' || p[1] != '=')
        return GL_EINVAL;
    p += 2;
    while (isspace((unsigned char)*p))
        p++;
    {
        char num[32];
        size_t k = strlen(p);
        while (k && isspace((unsigned char)p[k - 1]))
            k--;
        /* "budget >= 90%" reads naturally; a percent of hours means nothing. */
        if (k && p[k - 1] == '%' && out->kind == GL_MILESTONE_BUDGET)
            k--;
        if (k == 0 || k >= sizeof(num))
            return GL_EINVAL;
        snprintf(num, sizeof(num), "%.*s", (int)k, p);
        if (gl_parse_double(&v, num) < 0 || !(v > 0))
            return GL_EINVAL;
    }
    out->threshold = v;
    return GL_OK;
}

/*
 * From the last day the previous invoice covered, itself included: what was
 * tracked that day after it was made is billed now, and what it billed is not
 * billed twice (Harvest imports only uninvoiced time).
 */
static void since_last(const gl_milestone_facts *f, gl_milestone_decision *out)
{
    int y, m, d;

    out->from[0] = '\0';
    if (f->last_to && gl_date_parse(f->last_to, &y, &m, &d) == GL_OK)
        snprintf(out->from, sizeof(out->from), "%04d-%02d-%02d", y, m, d);
    snprintf(out->to, sizeof(out->to), "%s", f->today);
}

int gl_milestone_decide(const gl_milestone_rule *rule, const gl_milestone_facts *f,
                        gl_milestone_decision *out)
{
    int y, m, d;

    memset(out, 0, sizeof(*out));
    if (gl_date_parse(f->today, &y, &m, &d) < 0)
        return gl_error_set(GL_EINVAL, "'%s' is not a date", f->today);
    switch (rule->kind) {
    case GL_MILESTONE_MONTHLY: {
        int py = m == 1 ? y - 1 : y, pm = m == 1 ? 12 : m - 1, ly = py, lm = pm, ld = 1;
        snprintf(out->period, sizeof(out->period), "%04d-%02d", py, pm);
        snprintf(out->from, sizeof(out->from), "%04d-%02d-01", py, pm);
        /* The last day of the month that ended: the day before this month's first. */
        ly = y;
        lm = m;
        ld = 1;
        gl_date_add_days(&ly, &lm, &ld, -1);
        snprintf(out->to, sizeof(out->to), "%04d-%02d-%02d", ly, lm, ld);
        snprintf(out->why, sizeof(out->why), "the month %s ended", out->period);
        break;
    }
    case GL_MILESTONE_HOURS:
        snprintf(out->period, sizeof(out->period), "%s", f->today);
        since_last(f, out);
        if (f->uninvoiced_hours + 1e-9 < rule->threshold) {
            snprintf(out->why, sizeof(out->why), "%.2f uninvoiced hours, below %.2f",
                     f->uninvoiced_hours, rule->threshold);
            return GL_OK;
        }
        snprintf(out->why, sizeof(out->why), "%.2f uninvoiced hours reached %.2f",
                 f->uninvoiced_hours, rule->threshold);
        break;
    case GL_MILESTONE_BUDGET:
        if (f->budget_monthly)
            snprintf(out->period, sizeof(out->period), "%04d-%02d", y, m);
        else
            snprintf(out->period, sizeof(out->period), "total");
        since_last(f, out);
        if (f->budget_percent < 0) {
            snprintf(out->why, sizeof(out->why), "the project has no budget");
            return GL_OK;
        }
        if (f->budget_percent + 1e-9 < rule->threshold) {
            snprintf(out->why, sizeof(out->why), "%.0f%% of the budget spent, below %.0f%%",
                     f->budget_percent, rule->threshold);
            return GL_OK;
        }
        snprintf(out->why, sizeof(out->why), "%.0f%% of the budget spent, at least %.0f%%",
                 f->budget_percent, rule->threshold);
        break;
    case GL_MILESTONE_SPRINT:
        snprintf(out->why, sizeof(out->why),
                 "sprint-closed milestones need Jira, which this version does not read");
        return GL_OK;
    }
    if (f->last_period && strcmp(f->last_period, out->period) == 0) {
        snprintf(out->why, sizeof(out->why), "already invoiced for %s", out->period);
        return GL_OK;
    }
    if (!(f->uninvoiced_hours > 0)) {
        snprintf(out->why, sizeof(out->why), "nothing uninvoiced to bill");
        return GL_OK;
    }
    out->fire = true;
    return GL_OK;
}
