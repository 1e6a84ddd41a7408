/*
 * cmd_agent.c - gleaner budget, invoice, nudge, report weekly and daemon:
 * the agent's jobs, one at a time from the shell, or all of them on a
 * schedule.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "agent/budgets.h"
#include "agent/cmd.h"
#include "agent/collect.h"
#include "agent/daemon.h"
#include "agent/milestones.h"
#include "agent/nudges.h"
#include "agent/outbox.h"
#include "agent/propose.h"
#include "agent/report.h"
#include "agent/signin.h"
#include "agent/store.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

/* Deliver what was just queued; a failure here is reported, and the outbox keeps it. */
static void deliver(gl_cli *cli, gl_store *store)
{
    gl_outbox_report r;

    if (gl_outbox_run(cli, store, &r) < 0) {
        fprintf(cli->err, "gleaner: %s (it stays queued; gleaner daemon sends it later)\n",
                gl_error_last());
        gl_error_clear();
        return;
    }
    if (r.failed || r.retrying)
        fprintf(cli->err,
                "gleaner: %zu message%s could not be sent now (%zu for good); the reasons are "
                "above\n",
                r.failed + r.retrying, r.failed + r.retrying == 1 ? "" : "s", r.failed);
    gl_info("outbox: %zu sent", r.sent);
}

/* ---------------------------------------------------------------- budget */

/* " alerted: 75% 90%": `before`, each level of `levels`, `after`; nothing when it is empty. */
static void print_levels(FILE *out, const char *before, json_object *levels, const char *after)
{
    if (!json_object_array_length(levels))
        return;
    fputs(before, out);
    for (size_t k = 0; k < json_object_array_length(levels); k++)
        fprintf(out, " %d%%", json_object_get_int(json_object_array_get_idx(levels, k)));
    fputs(after, out);
}

int gl_cmd_budget(gl_cli *cli, const gl_args *args)
{
    gl_store *store = NULL;
    json_object *doc = NULL, *projects;
    bool check = gl_args_flag(args, "check"), dry = gl_args_flag(args, "dry-run");
    int rc;

    if ((rc = gl_cli_open_store(cli, &store)) < 0 ||
        (rc = gl_budgets_run(cli, store, check || dry, dry, &doc)) < 0) {
        rc = gl_cli_fail(cli, rc);
        goto done;
    }
    if (check && !dry)
        deliver(cli, store);
    if (cli->json) {
        gl_cli_print_json(cli, doc);
        rc = GL_EXIT_OK;
        goto done;
    }
    projects = json_object_object_get(doc, "projects");
    fprintf(cli->out, "Budgets on %s\n\n", gl_json_str(doc, "date"));
    fprintf(cli->out, "%-34s %10s %10s %5s %10s  %s\n", "project", "budget", "spent", "used",
            "burn/week", "100% on");
    for (size_t i = 0; i < json_object_array_length(projects); i++) {
        json_object *p = json_object_array_get_idx(projects, i);
        json_object *alerted = json_object_object_get(p, "alerted"),
                    *due = json_object_object_get(p, "due"),
                    *unsent = json_object_object_get(p, "unsent");
        const char *by = gl_json_str(p, "budget_by");
        bool money = by && (strcmp(by, "project_cost") == 0 || strcmp(by, "task_fees") == 0);
        double budget = 0, spent = 0, used = 0, burn = 0;
        char name[35];
        gl_json_double(p, "budget", &budget);
        gl_json_double(p, "spent", &spent);
        gl_json_double(p, "utilization", &used);
        gl_json_double(p, "burn_per_week", &burn);
        snprintf(name, sizeof(name), "%s", gl_json_str(p, "name"));
        fprintf(cli->out, "%-34s %9.1f%s %9.1f%s %4.0f%% %9.1f%s  %s\n", name, budget,
                money ? " " : "h", spent, money ? " " : "h", used, burn, money ? " " : "h",
                gl_json_str(p, "full_on") ? gl_json_str(p, "full_on") : "-");
        if (json_object_array_length(alerted) || json_object_array_length(due)) {
            fprintf(cli->out, "%-34s", "");
            print_levels(cli->out, " alerted:", alerted, "");
            print_levels(cli->out, " (not sent:", unsent, "; no notify channel when raised)");
            print_levels(cli->out, dry ? " would alert:" : " due (gleaner budget --check):", due,
                         "");
            fputc('\n', cli->out);
        }
    }
    if (json_object_array_length(projects) == 0)
        fprintf(cli->out, "No active project has a budget.\n");
    rc = GL_EXIT_OK;

done:
    json_object_put(doc);
    gl_store_close(store);
    return rc;
}

/* --------------------------------------------------------------- invoice */

int gl_cmd_invoice(gl_cli *cli, const gl_args *args)
{
    gl_store *store = NULL;
    gl_milestones_report r = {0};
    bool check = gl_args_flag(args, "check"), dry = gl_args_flag(args, "dry-run");
    int rc;

    if ((rc = gl_cli_open_store(cli, &store)) < 0 ||
        (rc = gl_milestones_check(cli, store, !check || dry, &r)) < 0) {
        rc = gl_cli_fail(cli, rc);
        goto done;
    }
    if (check && !dry)
        deliver(cli, store);
    if (cli->json) {
        json_object *doc = gl_milestones_json(&r, !check || dry);
        gl_cli_print_json(cli, doc);
        json_object_put(doc);
        rc = GL_EXIT_OK;
        goto done;
    }
    if (r.n == 0)
        fprintf(cli->out, "No [milestone \"NAME\"] is configured (see gleaner invoice --help).\n");
    for (size_t i = 0; i < r.n; i++) {
        const gl_milestone_status *s = &r.v[i];
        fprintf(cli->out, "%-20s %-30s %s\n", s->name, s->project,
                s->queued          ? "draft queued"
                : s->decision.fire ? (check && !dry ? "draft queued" : "would draft")
                                   : "not now");
        fprintf(cli->out, "%-20s %s; %.2f h uninvoiced", "", s->decision.why, s->uninvoiced_hours);
        if (s->decision.fire)
            fprintf(cli->out, "; \"%s\"", s->subject);
        fputc('\n', cli->out);
    }
    if (!check)
        fprintf(cli->out, "(Nothing was drafted: gleaner invoice --check drafts what is due.)\n");
    rc = GL_EXIT_OK;

done:
    gl_milestones_report_clear(&r);
    gl_store_close(store);
    return rc;
}

/* ----------------------------------------------------------------- nudge */

int gl_cmd_nudge(gl_cli *cli, const gl_args *args)
{
    gl_store *store = NULL;
    gl_nudges_result r = {0};
    bool dry = gl_args_flag(args, "dry-run");
    char today[GL_DAY_LEN];
    gl_window w;
    int rc;

    if ((rc = gl_cli_open_store(cli, &store)) < 0 || (rc = gl_cli_today(cli, today)) < 0 ||
        (rc = gl_cli_window_of_days(cli, today, today, &w)) < 0)
        goto fail;
    /* Today's proposals as they are now: Harvest's side, collect, then propose. */
    gl_signin_sync_mirror(cli, store, "proposing");
    {
        gl_collect_report cr = {0};
        gl_collect_options o = {.from = w.start, .to = w.end};
        gl_propose_report pr;
        if (gl_collect(cli, store, &o, &cr) < 0)
            gl_error_clear();
        gl_collect_report_clear(&cr);
        /*
         * A dry run shows the nudge as it would go, so it proposes for real,
         * but in a transaction rolled back at the end: no proposal stays
         * and none is auto-accepted (which the next push would send).
         */
        if (dry && (rc = gl_store_begin(store)) < 0)
            goto fail;
        if ((rc = gl_propose_run(cli, store, &w, false, &pr)) < 0)
            goto fail;
    }
    rc = gl_nudges_run(cli, store, dry, &r);
    if (dry)
        gl_store_rollback(store);
    if (rc < 0)
        goto fail;
    if (r.sent)
        deliver(cli, store);
    if (cli->json) {
        json_object *doc = gl_nudges_json(&r, dry);
        gl_cli_print_json(cli, doc);
        json_object_put(doc);
    } else {
        if (r.title)
            fprintf(cli->out, "%s\n\n%s\n\n", r.title, r.text);
        if (r.sent)
            fprintf(cli->out, "Sent.\n");
        else if (dry && r.due)
            fprintf(cli->out, "Due now (--dry-run: nothing was sent).\n");
        else
            fprintf(cli->out, "Not sent: %s.\n", r.why);
    }
    gl_nudges_result_clear(&r);
    gl_store_close(store);
    return GL_EXIT_OK;
fail:
    rc = gl_cli_fail(cli, rc);
    gl_nudges_result_clear(&r);
    gl_store_close(store);
    return rc;
}

/* ---------------------------------------------------------------- report */

int gl_cmd_report(gl_cli *cli, const gl_args *args)
{
    const char *what = args->positional[0], *format = gl_args_value(args, "format");
    const char *week = gl_args_value(args, "week");
    gl_store *store = NULL;
    gl_weekly r = {0};
    bool send = gl_args_flag(args, "send");
    char check[11];
    int rc;

    if (strcmp(what, "weekly") != 0)
        return gl_cli_usage_error(cli, "report", "the report is 'weekly', not '%s'", what);
    if (!format)
        format = cli->json ? "json" : "text";
    if (strcmp(format, "text") != 0 && strcmp(format, "html") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "json") != 0)
        return gl_cli_usage_error(cli, "report", "--format is text, html, csv or json, not '%s'",
                                  format);
    if (week && gl_iso_week_monday(week, check) < 0)
        return gl_cli_usage_error(cli, "report", "%s", gl_error_last());
    if ((rc = gl_cli_open_store(cli, &store)) < 0 ||
        (rc = gl_report_weekly(cli, store, week, &r)) < 0) {
        rc = gl_cli_fail(cli, rc);
        goto done;
    }
    if (strcmp(format, "json") == 0) {
        json_object *doc = gl_weekly_json(&r);
        gl_cli_print_json(cli, doc);
        json_object_put(doc);
    } else {
        char *text = strcmp(format, "html") == 0  ? gl_weekly_html(&r)
                     : strcmp(format, "csv") == 0 ? gl_weekly_csv(&r)
                                                  : gl_weekly_text(&r);
        if (text)
            fputs(text, cli->out);
        free(text);
    }
    if (send) {
        const gl_config *cfg;
        bool remind = false;
        size_t queued = 0;
        if ((rc = gl_cli_config(cli, &cfg)) == GL_OK) {
            gl_config_get_bool(cfg, "report.remind", &remind);
            rc = gl_weekly_send(cli, store, &r, remind, &queued);
        }
        if (rc == GL_EEXISTS) {
            /* Sending is idempotent: a second --send (a cron job run twice) is not an error. */
            fprintf(cli->err, "gleaner: %s; nothing was sent again\n", gl_error_last());
            gl_error_clear();
        } else if (rc < 0) {
            rc = gl_cli_fail(cli, rc);
            goto done;
        } else {
            fprintf(cli->err, "gleaner: the report for %s: %zu message%s queued\n", r.week, queued,
                    queued == 1 ? "" : "s");
            deliver(cli, store);
        }
    }
    rc = GL_EXIT_OK;

done:
    gl_weekly_clear(&r);
    gl_store_close(store);
    return rc;
}

/* ---------------------------------------------------------------- daemon */

int gl_cmd_daemon(gl_cli *cli, const gl_args *args)
{
    gl_daemon_options o = {.once = gl_args_flag(args, "once")};
    const char *until = gl_args_value(args, "until");
    int rc;

    if (until && gl_time_parse_utc(&o.until, until) < 0)
        return gl_cli_usage_error(cli, "daemon",
                                  "--until takes a UTC time like "
                                  "2026-11-23T00:00:00Z, not '%s'",
                                  until);
    if (gl_log_get_level() < GL_LOG_INFO && cli->verbose == 0)
        gl_log_set_level(GL_LOG_WARN);
    if ((rc = gl_daemon_run(cli, &o)) < 0)
        return gl_cli_fail(cli, rc);
    return GL_EXIT_OK;
}
