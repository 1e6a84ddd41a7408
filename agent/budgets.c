/*
 * budgets.c - budget status and alerts.
 */
#include "budgets.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/notify.h"
#include "agent/signin.h"
#include "rules/budget.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

#define MAX_THRESHOLDS 8

/*
 * An alert raised while no channel was configured: shown as not sent, and
 * sent once one is (while its period lasts).
 */
typedef struct unsent_alert {
    int64_t id, project_id;
    char period[16];
    int level;
} unsent_alert;

typedef struct fired_list {
    gl_budget_fired *v;
    char (*periods)[16];
    size_t n, cap, periods_cap;
    bool resend; /* a channel is configured: alerts raised unsent are due again */
    unsent_alert *unsent;
    size_t nunsent, unsent_cap;
} fired_list;

static int collect_fired(void *payload, const gl_alert *a)
{
    fired_list *f = payload;
    int64_t id;

    if (gl_parse_int64(&id, a->subject) < 0)
        return 0;
    if (a->outbox_id == 0) {
        json_object *details = NULL;
        bool unsent = false;
        if (gl_json_parse(&details, a->details, strlen(a->details), "an alert") == GL_OK)
            gl_json_bool(details, "unsent", &unsent);
        json_object_put(details);
        gl_error_clear();
        if (unsent) {
            int rc = gl_grow(&f->unsent, &f->unsent_cap, f->nunsent + 1, sizeof(*f->unsent));
            if (rc < 0)
                return rc;
            unsent_alert *u = &f->unsent[f->nunsent++];
            *u = (unsent_alert){.id = a->id, .project_id = id, .level = a->level};
            snprintf(u->period, sizeof(u->period), "%s", a->period);
            if (f->resend)
                return 0; /* due again */
        }
    }
    int rc = gl_grow(&f->v, &f->cap, f->n + 1, sizeof(*f->v));
    if (rc == GL_OK)
        rc = gl_grow(&f->periods, &f->periods_cap, f->n + 1, sizeof(*f->periods));
    if (rc < 0)
        return rc;
    snprintf(f->periods[f->n], sizeof(f->periods[0]), "%s", a->period);
    f->v[f->n] = (gl_budget_fired){.project_id = id, .period = NULL, .level = a->level};
    f->n++;
    return 0;
}

/* Hours and billable amount per project from..to (the time report by project). */
static int spent_between(gl_harvest *h, const char *from, const char *to, json_object **rows)
{
    const char *query[] = {"from", from, "to", to, NULL};
    return gl_harvest_list(h, "/reports/time/projects", query, "results", "time report", rows);
}

static double spent_of(json_object *rows, int64_t project, bool money)
{
    double total = 0, v;

    for (size_t i = 0; rows && i < json_object_array_length(rows); i++) {
        json_object *r = json_object_array_get_idx(rows, i);
        int64_t p = 0;
        if (gl_json_int64(r, "project_id", &p) && p == project &&
            gl_json_double(r, money ? "billable_amount" : "total_hours", &v))
            total += v;
    }
    return total;
}

/* The currency the time report gives the project's amounts in (NULL: no row names one). */
static const char *currency_of(json_object *rows, int64_t project)
{
    for (size_t i = 0; rows && i < json_object_array_length(rows); i++) {
        json_object *r = json_object_array_get_idx(rows, i);
        int64_t p = 0;
        if (gl_json_int64(r, "project_id", &p) && p == project && gl_json_str(r, "currency"))
            return gl_json_str(r, "currency");
    }
    return NULL;
}

static void period_text(char *out, size_t len, const char *period)
{
    int y, m, d;
    char first[16];

    snprintf(first, sizeof(first), "%s-01", period);
    if (strcmp(period, "total") == 0)
        snprintf(out, len, "the whole budget");
    else if (gl_date_parse(first, &y, &m, &d) == GL_OK)
        snprintf(out, len, "%s %d", gl_month_name(m), y);
    else
        snprintf(out, len, "%s", period);
}

static void amount_text(char *out, size_t len, double v, bool money, const char *currency)
{
    if (money)
        snprintf(out, len, "%.2f%s%s", v, currency ? " " : "", currency ? currency : "");
    else
        snprintf(out, len, "%.1f h", v);
}

/* The alert's message: what, how far, how fast, when full, what to do. */
static void compose(const gl_budget_project *p, const gl_budget_status *s, int level,
                    const char *client, const char *currency, gl_buf *title, gl_buf *text)
{
    char spent[64], budget[64], burn[64], when[64];

    amount_text(spent, sizeof(spent), p->spent, p->money, currency);
    amount_text(budget, sizeof(budget), p->budget, p->money, currency);
    amount_text(burn, sizeof(burn), s->burn_per_week, p->money, currency);
    period_text(when, sizeof(when), s->period);
    gl_buf_printf(title, "%s: %d%% of its budget", p->name, level);
    gl_buf_printf(text, "*%s*%s%s has used *%.0f%%* of its budget: %s of %s (%s).\n\n", p->name,
                  client ? " for " : "", client ? client : "", s->utilization, spent, budget, when);
    if (s->burn_per_week > 0) {
        gl_buf_printf(text, "Burn rate: %s a week over the last %zu weeks. ", burn,
                      p->recent_weeks);
        if (p->spent >= p->budget)
            gl_buf_puts(text, "The budget is spent.");
        else if (s->full_after_reset)
            gl_buf_printf(text, "At that rate it would be full on %s, after the budget resets.",
                          s->full_on);
        else
            gl_buf_printf(text, "At that rate it is full on *%s*.", s->full_on);
    } else {
        gl_buf_puts(text, "Nothing was tracked to it in the last weeks.");
    }
    gl_buf_puts(text, "\n\n");
    if (level >= 100)
        gl_buf_puts(text, "Next: agree more budget with the client, or stop tracking billable "
                          "time to it.");
    else
        gl_buf_puts(text, "Next: tell the client and plan what the rest of the budget covers.");
}

int gl_budgets_run(gl_cli *cli, gl_store *store, bool check, bool dry_run, json_object **doc)
{
    const gl_config *cfg;
    gl_signin *si = NULL;
    json_object *report = NULL, *month = NULL, *recent = NULL, *arr;
    gl_budget_project *projects = NULL;
    fired_list fired = {0};
    gl_budget_result res = {0};
    int thresholds[MAX_THRESHOLDS];
    size_t nthr = 0, n = 0;
    char today[GL_DAY_LEN], first[GL_DAY_LEN], monday[GL_DAY_LEN];
    int rc, y, m, d;

    *doc = NULL;
    if ((rc = gl_cli_config(cli, &cfg)) < 0 || (rc = gl_cli_today(cli, today)) < 0)
        return rc;
    if (gl_config_parse_intlist(thresholds, MAX_THRESHOLDS, &nthr,
                                gl_config_get(cfg, "budget.thresholds")) < 0 ||
        nthr == 0) {
        thresholds[0] = 75;
        thresholds[1] = 90;
        thresholds[2] = 100;
        nthr = 3;
    }
    if ((rc = gl_signin_harvest(cli, &si)) < 0)
        goto done;
    {
        const char *query[] = {"is_active", "true", NULL};
        if ((rc = gl_harvest_list(si->harvest, "/reports/project_budget", query, "results",
                                  "budget report", &report)) < 0)
            goto done;
    }
    /* This month so far, and the last full weeks (Monday to Sunday). */
    gl_date_parse(today, &y, &m, &d);
    snprintf(first, sizeof(first), "%04d-%02d-01", y, m);
    if ((rc = spent_between(si->harvest, first, today, &month)) < 0)
        goto done;
    {
        int wd = (gl_weekday_of_days(gl_days_from_civil(y, m, d)) + 6) % 7; /* 0 = Monday */
        gl_date_shift(monday, today, -wd);
    }
    {
        /* The last full weeks in one report (Harvest allows few report requests a minute). */
        char from[GL_DAY_LEN], to[GL_DAY_LEN];
        gl_date_shift(from, monday, -7 * GL_BUDGET_BURN_WEEKS);
        gl_date_shift(to, monday, -1);
        if ((rc = spent_between(si->harvest, from, to, &recent)) < 0)
            goto done;
    }
    n = json_object_array_length(report);
    if (n && !(projects = calloc(n, sizeof(*projects)))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(report, i);
        const char *by = gl_json_str(r, "budget_by");
        gl_budget_project *p = &projects[i];
        bool monthly = false;
        gl_json_int64(r, "project_id", &p->project_id);
        p->name = gl_json_str(r, "project_name");
        if (!p->name)
            p->name = "a project";
        gl_json_bool(r, "budget_is_monthly", &monthly);
        p->monthly = monthly;
        p->money = by && (strcmp(by, "project_cost") == 0 || strcmp(by, "task_fees") == 0);
        if (!by || strcmp(by, "none") == 0 || !gl_json_double(r, "budget", &p->budget))
            p->budget = 0;
        if (p->monthly)
            p->spent = spent_of(month, p->project_id, p->money);
        else
            gl_json_double(r, "budget_spent", &p->spent);
        p->recent = spent_of(recent, p->project_id, p->money);
        p->recent_weeks = GL_BUDGET_BURN_WEEKS;
    }
    {
        gl_channels ch;
        fired.resend = gl_notify_channels(cli, &ch) == GL_OK && (ch.slack || ch.emails);
        gl_error_clear();
    }
    if ((rc = gl_store_alerts(store, "budget", 0, collect_fired, &fired)) < 0)
        goto done;
    for (size_t i = 0; i < fired.n; i++)
        fired.v[i].period = fired.periods[i];
    if ((rc = gl_budget_check(projects, n, thresholds, nthr, today, fired.v, fired.n, &res)) < 0)
        goto done;

    /*
     * Raise the due alerts: each recorded with its messages in one transaction.
     * raised[a]: 0 not by this check, RAISED_SENT, or RAISED_UNSENT (no channel).
     */
    enum { RAISED_SENT = 1, RAISED_UNSENT = 2 };
    unsigned char *raised = res.nalerts ? calloc(res.nalerts, 1) : NULL;
    size_t unsent = 0;
    for (size_t a = 0; check && !dry_run && a < res.nalerts; a++) {
        const gl_budget_alert *al = &res.alerts[a];
        const gl_budget_project *p = &projects[al->project];
        const gl_budget_status *s = NULL;
        json_object *row = json_object_array_get_idx(report, al->project), *details;
        gl_buf title = GL_BUF_INIT(0), text = GL_BUF_INIT(0);
        char subject[32], key[128];
        int64_t outbox_id = 0;
        size_t queued = 0;
        bool nowhere = false;

        for (size_t k = 0; k < res.nstatus; k++)
            if (res.status[k].project_id == al->project_id)
                s = &res.status[k];
        snprintf(subject, sizeof(subject), "%" PRId64, al->project_id);
        snprintf(key, sizeof(key), "budget:%" PRId64 ":%s:%d", al->project_id, al->period,
                 al->level);
        details = json_object_new_object();
        json_object_object_add(details, "utilization", gl_json_number(s ? s->utilization : 0, 1));
        json_object_object_add(details, "announced", json_object_new_boolean(al->announce));
        if ((rc = gl_store_begin(store)) < 0) {
            json_object_put(details);
            break;
        }
        if (al->announce && s) {
            gl_notice nt = {0};
            const char *currency = currency_of(month, p->project_id);
            if (!currency)
                currency = currency_of(recent, p->project_id);
            compose(p, s, al->level, gl_json_str(row, "client_name"), currency, &title, &text);
            nt.title = gl_buf_cstr(&title);
            nt.text = gl_buf_cstr(&text);
            rc = gl_notify_queue(cli, store, key, &nt, NULL, 0, &outbox_id, &queued);
            if (rc == GL_ECONFIG) {
                /* Recorded all the same, so `gleaner budget` and list_alerts show it. */
                unsent++;
                nowhere = true;
                json_object_object_add(details, "unsent", json_object_new_boolean(1));
                gl_error_clear();
                rc = GL_OK;
            }
        }
        const unsent_alert *before = NULL;
        for (size_t u = 0; u < fired.nunsent && !before; u++)
            if (fired.unsent[u].project_id == al->project_id &&
                fired.unsent[u].level == al->level &&
                strcmp(fired.unsent[u].period, al->period) == 0)
                before = &fired.unsent[u];
        if (rc == GL_OK && before) /* raised while nothing could carry it: sent only now */
            rc = gl_store_alert_update(store, before->id, outbox_id, gl_json_compact(details));
        else if (rc == GL_OK)
            rc = gl_store_alert_add(store, "budget", subject, al->period, al->level, outbox_id,
                                    gl_json_compact(details));
        if (rc < 0)
            gl_store_rollback(store);
        else
            rc = gl_store_commit(store);
        gl_buf_dispose(&title);
        gl_buf_dispose(&text);
        json_object_put(details);
        if (rc == GL_EEXISTS) { /* another check raised it meanwhile */
            gl_error_clear();
            rc = GL_OK;
        } else if (rc == GL_OK && raised) {
            raised[a] = nowhere ? RAISED_UNSENT : RAISED_SENT;
        }
        if (rc < 0)
            break;
    }
    if (unsent)
        gl_warn("%zu budget alert%s recorded but not sent: no notify channel is configured", unsent,
                unsent == 1 ? "" : "s");
    if (rc < 0) {
        free(raised);
        goto done;
    }

    *doc = json_object_new_object();
    arr = json_object_new_array();
    json_object_object_add(*doc, "date", json_object_new_string(today));
    for (size_t k = 0; k < res.nstatus; k++) {
        const gl_budget_status *s = &res.status[k];
        json_object *o = json_object_new_object(), *crossed = json_object_new_array(),
                    *alerted = json_object_new_array(), *due = json_object_new_array(),
                    *raised_now = json_object_new_array(), *not_sent = json_object_new_array(),
                    *row = NULL;
        const gl_budget_project *p = NULL;
        for (size_t i = 0; i < n; i++)
            if (projects[i].project_id == s->project_id) {
                p = &projects[i];
                row = json_object_array_get_idx(report, i);
            }
        for (size_t c = 0; c < s->ncrossed; c++)
            json_object_array_add(crossed, json_object_new_int(s->crossed[c]));
        for (size_t c = 0; c < s->nalerted; c++)
            json_object_array_add(alerted, json_object_new_int(s->alerted[c]));
        for (size_t a = 0; a < res.nalerts; a++) {
            if (res.alerts[a].project_id != s->project_id)
                continue;
            if (raised && raised[a]) {
                json_object_array_add(alerted, json_object_new_int(res.alerts[a].level));
                json_object_array_add(raised_now, json_object_new_int(res.alerts[a].level));
                if (raised[a] == RAISED_UNSENT)
                    json_object_array_add(not_sent, json_object_new_int(res.alerts[a].level));
            } else
                json_object_array_add(due, json_object_new_int(res.alerts[a].level));
        }
        json_object_object_add(o, "project_id", json_object_new_int64(s->project_id));
        json_object_object_add(o, "name", json_object_new_string(p ? p->name : ""));
        json_object_object_add(o, "client", json_object_get(gl_json_get(row, "client_name")));
        json_object_object_add(o, "budget", gl_json_number(p ? p->budget : 0, 2));
        json_object_object_add(o, "budget_by", json_object_get(gl_json_get(row, "budget_by")));
        json_object_object_add(o, "monthly", json_object_new_boolean(p && p->monthly));
        json_object_object_add(o, "period", json_object_new_string(s->period));
        json_object_object_add(o, "spent", gl_json_number(p ? p->spent : 0, 2));
        json_object_object_add(o, "utilization", gl_json_number(s->utilization, 1));
        json_object_object_add(o, "burn_per_week", gl_json_number(s->burn_per_week, 2));
        json_object_object_add(o, "full_on",
                               s->full_on[0] ? json_object_new_string(s->full_on) : NULL);
        json_object_object_add(o, "crossed", crossed);
        json_object_object_add(o, "alerted", alerted);
        json_object_object_add(o, "due", due);
        json_object_object_add(o, "raised", raised_now); /* by this check */
        /* Recorded while no channel was configured, and not sent since. */
        for (size_t u = 0; u < fired.nunsent; u++) {
            const unsent_alert *ua = &fired.unsent[u];
            bool now = false;
            if (ua->project_id != s->project_id || strcmp(ua->period, s->period) != 0)
                continue;
            for (size_t a = 0; a < res.nalerts && !now; a++)
                now = raised && raised[a] && res.alerts[a].project_id == ua->project_id &&
                      res.alerts[a].level == ua->level;
            if (!now)
                json_object_array_add(not_sent, json_object_new_int(ua->level));
        }
        json_object_object_add(o, "unsent", not_sent);
        json_object_array_add(arr, o);
    }
    json_object_object_add(*doc, "projects", arr);
    free(raised);

done:
    gl_budget_result_clear(&res);
    free(fired.v);
    free(fired.periods);
    free(fired.unsent);
    free(projects);
    json_object_put(report);
    json_object_put(month);
    json_object_put(recent);
    gl_signin_free(si);
    return rc;
}
