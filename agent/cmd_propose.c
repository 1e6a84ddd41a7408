/*
 * cmd_propose.c - gleaner propose, review, accept, reject, edit, push and
 * gaps: from what happened to Harvest entries, and what is still missing.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <json-c/json.h>

#include "agent/catalog.h"
#include "agent/cmd.h"
#include "agent/collect.h"
#include "agent/gaps.h"
#include "agent/mirror.h"
#include "agent/propose.h"
#include "agent/push.h"
#include "agent/signin.h"
#include "agent/store.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

/* Longest window one command proposes for: a quarter. */
#define MAX_PROPOSE_DAYS 92

static const char *weekday_of(const char *day)
{
    int y, m, d;
    if (gl_date_parse(day, &y, &m, &d) < 0)
        return "???";
    return gl_weekday_abbr(gl_weekday_of_days(gl_days_from_civil(y, m, d)));
}

static void describe(const gl_catalog *cat, const gl_proposal *p, char *out, size_t len)
{
    gl_catalog_describe(cat, p->project_id, p->task_id, out, len);
}

/* "93%", "rule", or the status when it is decided. */
static void badge(const gl_proposal *p, char *out, size_t len)
{
    if (strcmp(p->status, "proposed") != 0)
        snprintf(out, len, "%s", p->status);
    else if (p->edited)
        snprintf(out, len, "edited");
    else if (!p->project_id)
        snprintf(out, len, "?");
    else
        snprintf(out, len, "%.0f%%", floor(p->confidence * 100));
}

static void print_proposal(gl_cli *cli, const gl_catalog *cat, const gl_proposal *p, size_t width,
                           bool why)
{
    char what[200], b[16];
    char *clean;

    describe(cat, p, what, sizeof(what));
    badge(p, b, sizeof(b));
    {
        size_t room = width > 36 ? width - 36 : 20, shown = gl_utf8_len(what);
        fprintf(cli->out, "  #%-5" PRId64 "%6.2f h  ", p->id, p->hours);
        gl_cli_print_fit(cli->out, what, room, false);
        fprintf(cli->out, "%*s%s\n", (int)((shown < room ? room - shown : 0) + 2), "", b);
    }
    clean = gl_strdup(p->notes ? p->notes : "");
    if (clean) {
        gl_str_sanitize(clean);
        fprintf(cli->out, "         ");
        gl_cli_print_fit(cli->out, clean[0] ? clean : "(no notes)", width - 10, false);
        fputc('\n', cli->out);
        free(clean);
    }
    if (why && p->reason && p->reason[0]) {
        fprintf(cli->out, "         why: ");
        gl_cli_print_fit(cli->out, p->reason, width - 15, false);
        fputc('\n', cli->out);
    }
    if (p->push_error) {
        fprintf(cli->out, "         Harvest refused it: ");
        gl_cli_print_fit(cli->out, p->push_error, width - 28, false);
        fputc('\n', cli->out);
    }
}

void gl_print_proposals(gl_cli *cli, const gl_catalog *cat, const gl_proposal_list *l, bool why)
{
    size_t width = gl_cli_columns(cli->out);
    char day[GL_DAY_LEN] = "";
    double open_hours = 0;
    size_t open = 0, unassigned = 0;

    for (size_t i = 0; i < l->n; i++) {
        const gl_proposal *p = &l->v[i];
        if (strcmp(day, p->day) != 0) {
            double total = 0;
            for (size_t j = i; j < l->n && strcmp(l->v[j].day, p->day) == 0; j++)
                if (strcmp(l->v[j].status, "rejected") != 0)
                    total += l->v[j].hours;
            fprintf(cli->out, "%s%s %s%*s%6.2f h\n", day[0] ? "\n" : "", weekday_of(p->day), p->day,
                    (int)(width > 28 ? width - 28 : 2), "", total);
            snprintf(day, sizeof(day), "%s", p->day);
        }
        print_proposal(cli, cat, p, width, why);
        if (strcmp(p->status, "proposed") == 0) {
            open++;
            open_hours += p->hours;
            unassigned += p->project_id == 0;
        }
    }
    if (l->n == 0) {
        fprintf(cli->out, "Nothing to propose in this window.\n");
        return;
    }
    fprintf(cli->out, "\n%zu proposal%s, %.2f h, waiting for you.\n", open, open == 1 ? "" : "s",
            open_hours);
    if (unassigned)
        fprintf(cli->out, "%zu %s unassigned: give %s a project in gleaner review.\n", unassigned,
                unassigned == 1 ? "is" : "are", unassigned == 1 ? "it" : "them");
    if (open)
        fprintf(cli->out, "Next: gleaner review (or gleaner accept ID... / --all), then gleaner "
                          "push.\n");
}

/* ---------------------------------------------------------------- propose */

/* Collect before proposing; a source that fails is a warning here, not the end. */
static void collect_first(gl_cli *cli, gl_store *store, const gl_window *w)
{
    gl_collect_report report = {0};
    /* The weeks before too: learning reads the meetings of days tracked by hand. */
    gl_collect_options opts = {.from = w->start - (int64_t)GL_PROPOSE_LEARN_DAYS * 86400,
                               .to = w->end};
    int rc = gl_collect(cli, store, &opts, &report);

    if (rc < 0 && rc != GL_ENOTFOUND)
        fprintf(cli->err, "gleaner: collect: %s\n", gl_error_last());
    for (size_t i = 0; i < report.n; i++)
        if (report.sources[i].status < 0)
            fprintf(cli->err, "gleaner: %s: %s (proposing from what was collected before)\n",
                    report.sources[i].name, report.sources[i].message);
    gl_error_clear();
    gl_collect_report_clear(&report);
}

static int list_and_print(gl_cli *cli, gl_store *store, const gl_window *w, const char *status,
                          bool why)
{
    gl_proposal_list l = {0};
    gl_catalog *cat = NULL;
    int rc;

    if (cli->json) {
        json_object *doc = NULL;
        if ((rc = gl_propose_list_json(cli, store, w, status, &doc)) < 0)
            return rc;
        gl_cli_print_json(cli, doc);
        json_object_put(doc);
        return GL_OK;
    }
    if ((rc = gl_catalog_load(&cat, store)) == GL_OK &&
        (rc = gl_store_proposals(store, w->from, w->to, status, &l)) == GL_OK)
        gl_print_proposals(cli, cat, &l, why);
    gl_proposal_list_clear(&l);
    gl_catalog_free(cat);
    return rc;
}

int gl_cmd_propose(gl_cli *cli, const gl_args *args)
{
    gl_window w;
    gl_store *store = NULL;
    gl_propose_report rep;
    bool dry = gl_args_flag(args, "dry-run"), list = gl_args_flag(args, "list");
    int rc;

    if ((rc = gl_cli_window(cli, "propose", args, MAX_PROPOSE_DAYS, &w)) < 0)
        return rc == GL_EINVAL ? GL_EXIT_USAGE : gl_cli_fail(cli, rc);
    if (list && (dry || gl_args_flag(args, "offline")))
        return gl_cli_usage_error(cli, "propose",
                                  "--list only shows: it takes no --dry-run or "
                                  "--offline");
    if ((rc = gl_cli_open_store(cli, &store)) < 0)
        return gl_cli_fail(cli, rc);
    if (!list) {
        if (!gl_args_flag(args, "offline")) {
            collect_first(cli, store, &w);
            gl_signin_sync_mirror(cli, store, "proposing");
        }
        if ((rc = gl_propose_run(cli, store, &w, dry, &rep)) < 0) {
            rc = gl_cli_fail(cli, rc);
            goto done;
        }
        if (rep.calibrated_days) {
            char sw[64] = "", lunch[64] = "", both[140] = "", grain[64] = "";
            if (rep.switch_gap)
                snprintf(sw, sizeof(sw), "%lld min when the branch changes",
                         (long long)(rep.switch_gap / 60));
            if (rep.lunch_gap)
                snprintf(lunch, sizeof(lunch), "%lld min around midday, git.lunch-break",
                         (long long)(rep.lunch_gap / 60));
            if (sw[0] || lunch[0])
                snprintf(both, sizeof(both), " (%s%s%s)", sw, sw[0] && lunch[0] ? ", " : "", lunch);
            if (rep.entry_grain > 0)
                snprintf(grain, sizeof(grain), ", each rounded up to %g h", rep.entry_grain);
            gl_info("propose: sessions end after a pause of %lld min%s, start %lld min before "
                    "their first commit and end %lld min after their last, %s %zu of your days "
                    "tracked by hand %s%s",
                    (long long)(rep.max_gap / 60), both, (long long)(rep.lead_in / 60),
                    (long long)(rep.lead_out / 60),
                    rep.usual_habits ? "the usual habits, which" : "as", rep.calibrated_days,
                    rep.usual_habits ? "do not argue against" : "show", grain);
        }
        gl_info("propose: %zu added, %zu updated, %zu removed, %zu unchanged, %zu kept as you "
                "left them, %zu auto-accepted; the classifier knows %.0f examples",
                rep.added, rep.updated, rep.removed, rep.unchanged, rep.kept, rep.auto_accepted,
                rep.model_examples);
        if (dry && !cli->json) {
            fprintf(cli->out,
                    "Would add %zu, update %zu and remove %zu proposals (--dry-run: nothing was "
                    "written).\n",
                    rep.added, rep.updated, rep.removed);
            rc = GL_EXIT_OK;
            goto done;
        }
        if (dry) {
            json_object *doc = json_object_new_object();
            json_object_object_add(doc, "dry_run", json_object_new_boolean(1));
            json_object_object_add(doc, "added", json_object_new_int64((int64_t)rep.added));
            json_object_object_add(doc, "updated", json_object_new_int64((int64_t)rep.updated));
            json_object_object_add(doc, "removed", json_object_new_int64((int64_t)rep.removed));
            json_object_object_add(doc, "unchanged", json_object_new_int64((int64_t)rep.unchanged));
            gl_cli_print_json(cli, doc);
            json_object_put(doc);
            rc = GL_EXIT_OK;
            goto done;
        }
    }
    if ((rc = list_and_print(cli, store, &w, NULL, false)) < 0) {
        rc = gl_cli_fail(cli, rc);
        goto done;
    }
    if (!list && !cli->json && rep.auto_accepted)
        fprintf(cli->out, "%zu accepted automatically (propose.auto-accept).\n", rep.auto_accepted);
    rc = GL_EXIT_OK;

done:
    gl_store_close(store);
    return rc;
}

/* ------------------------------------------------ accept, reject, edit */

static int parse_id(gl_cli *cli, const char *cmd, const char *text, int64_t *id)
{
    const char *t = text[0] == '#' ? text + 1 : text;
    if (gl_parse_int64(id, t) < 0 || *id <= 0) {
        gl_cli_usage_error(cli, cmd, "'%s' is not a proposal id (see gleaner propose)", text);
        return GL_EINVAL;
    }
    return GL_OK;
}

static json_object *result_json(const gl_decision_result *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(r->id));
    json_object_object_add(o, "ok", json_object_new_boolean(r->status == GL_OK));
    json_object_object_add(o, "skipped", json_object_new_boolean(r->skipped));
    if (r->why[0])
        json_object_object_add(o, "message", json_object_new_string(r->why));
    return o;
}

typedef int (*decide_one)(gl_cli *cli, gl_store *store, int64_t id, gl_decision_result *out);

/* Decide on each id; report each; the status is the worst outcome. */
static int decide_all(gl_cli *cli, gl_store *store, const char *verb, const int64_t *ids, size_t n,
                      decide_one fn)
{
    json_object *arr = json_object_new_array();
    size_t done = 0, failed = 0, skipped = 0;
    int worst = GL_EXIT_OK;

    for (size_t i = 0; i < n; i++) {
        gl_decision_result r;
        int rc = fn(cli, store, ids[i], &r);
        if (rc < 0 && !r.why[0])
            snprintf(r.why, sizeof(r.why), "%s", gl_error_last());
        json_object_array_add(arr, result_json(&r));
        if (rc < 0) {
            failed++;
            if (!cli->json)
                fprintf(cli->err, "gleaner: %s\n", r.why);
            if (gl_cli_exit_code(rc) > worst)
                worst = gl_cli_exit_code(rc);
            /* A broken store stops everything; a refused proposal only itself. */
            if (rc == GL_ESTORE || rc == GL_ENOMEM)
                break;
        } else if (r.skipped) {
            skipped++;
            if (!cli->json)
                fprintf(cli->out, "#%" PRId64 ": %s\n", r.id, r.why);
        } else {
            done++;
        }
        gl_error_clear();
    }
    if (cli->json) {
        json_object *doc = json_object_new_object();
        json_object_object_add(doc, verb, json_object_new_int64((int64_t)done));
        json_object_object_add(doc, "skipped", json_object_new_int64((int64_t)skipped));
        json_object_object_add(doc, "failed", json_object_new_int64((int64_t)failed));
        json_object_object_add(doc, "results", arr);
        gl_cli_print_json(cli, doc);
        json_object_put(doc);
    } else {
        json_object_put(arr);
        fprintf(cli->out, "%zu %s", done, verb);
        if (skipped)
            fprintf(cli->out, ", %zu skipped", skipped);
        if (failed)
            fprintf(cli->out, ", %zu refused (see above)", failed);
        fprintf(cli->out, ".%s\n",
                done && strcmp(verb, "accepted") == 0 ? " Send them with gleaner push." : "");
    }
    return worst;
}

static int ids_from_args(gl_cli *cli, const char *cmd, const gl_args *args, int64_t **ids,
                         size_t *n)
{
    *n = 0;
    if (!(*ids = calloc((size_t)args->npositional + 1, sizeof(**ids))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    for (int i = 0; i < args->npositional; i++)
        if (parse_id(cli, cmd, args->positional[i], &(*ids)[(*n)++]) < 0)
            return GL_EINVAL;
    return GL_OK;
}

int gl_cmd_accept(gl_cli *cli, const gl_args *args)
{
    gl_store *store = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    bool all = gl_args_flag(args, "all");
    const char *minc = gl_args_value(args, "min-confidence");
    double min_confidence = 0;
    int rc;

    if (all == (args->npositional > 0))
        return gl_cli_usage_error(cli, "accept", "give proposal ids, or --all (not both)");
    if (minc &&
        (gl_parse_double(&min_confidence, minc) < 0 || min_confidence < 0 || min_confidence > 1))
        return gl_cli_usage_error(cli, "accept", "--min-confidence is between 0 and 1, not '%s'",
                                  minc);
    if (minc && !all)
        return gl_cli_usage_error(cli, "accept", "--min-confidence goes with --all");
    if ((gl_args_value(args, "from") || gl_args_value(args, "to")) && !all)
        return gl_cli_usage_error(cli, "accept", "--from and --to go with --all");
    if (!all) {
        if ((rc = ids_from_args(cli, "accept", args, &ids, &n)) < 0) {
            free(ids);
            return rc == GL_EINVAL ? GL_EXIT_USAGE : gl_cli_fail(cli, rc);
        }
    }
    if ((rc = gl_cli_open_store(cli, &store)) < 0) {
        free(ids);
        return gl_cli_fail(cli, rc);
    }
    if (all) {
        gl_proposal_list l = {0};
        gl_window w;
        const char *from = NULL, *to = NULL;
        if (gl_args_value(args, "from") || gl_args_value(args, "to")) {
            if ((rc = gl_cli_window(cli, "accept", args, 3660, &w)) < 0) {
                rc = rc == GL_EINVAL ? GL_EXIT_USAGE : gl_cli_fail(cli, rc);
                goto done;
            }
            from = w.from;
            to = w.to;
        }
        if ((rc = gl_store_proposals(store, from, to, "proposed", &l)) < 0) {
            rc = gl_cli_fail(cli, rc);
            goto done;
        }
        /* Every open one that is assigned and sure enough; the unassigned wait for review. */
        if (!(ids = calloc(l.n + 1, sizeof(*ids)))) {
            gl_proposal_list_clear(&l);
            rc = gl_cli_fail(cli, gl_error_set(GL_ENOMEM, "out of memory"));
            goto done;
        }
        size_t left_out = 0;
        for (size_t i = 0; i < l.n; i++) {
            if (l.v[i].project_id && l.v[i].task_id && l.v[i].confidence + 1e-9 >= min_confidence)
                ids[n++] = l.v[i].id;
            else
                left_out++;
        }
        gl_proposal_list_clear(&l);
        if (left_out && !cli->json)
            fprintf(cli->out, "%zu left for review (unassigned%s).\n", left_out,
                    minc ? " or below --min-confidence" : "");
    }
    rc = decide_all(cli, store, "accepted", ids, n, gl_propose_accept);

done:
    free(ids);
    gl_store_close(store);
    return rc;
}

int gl_cmd_reject(gl_cli *cli, const gl_args *args)
{
    gl_store *store = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    int rc;

    if ((rc = ids_from_args(cli, "reject", args, &ids, &n)) < 0) {
        free(ids);
        return rc == GL_EINVAL ? GL_EXIT_USAGE : gl_cli_fail(cli, rc);
    }
    if ((rc = gl_cli_open_store(cli, &store)) < 0) {
        free(ids);
        return gl_cli_fail(cli, rc);
    }
    rc = decide_all(cli, store, "rejected", ids, n, gl_propose_reject);
    free(ids);
    gl_store_close(store);
    return rc;
}

static int read_edit(gl_cli *cli, const char *cmd, const gl_args *args, gl_proposal_edit *e)
{
    const char *hours = gl_args_value(args, "hours");

    memset(e, 0, sizeof(*e));
    if (hours) {
        if (gl_parse_double(&e->hours, hours) < 0 || !(e->hours > 0 && e->hours <= 24)) {
            gl_cli_usage_error(cli, cmd,
                               "--hours is a number of hours above 0 and at most 24, "
                               "not '%s'",
                               hours);
            return GL_EINVAL;
        }
        e->set_hours = true;
    }
    e->project = gl_args_value(args, "project");
    e->task = gl_args_value(args, "task");
    e->notes = gl_args_value(args, "notes");
    if (!e->set_hours && !e->project && !e->task && !e->notes) {
        gl_cli_usage_error(cli, cmd, "say what to change: --hours, --project, --task or --notes");
        return GL_EINVAL;
    }
    return GL_OK;
}

int gl_cmd_edit(gl_cli *cli, const gl_args *args)
{
    gl_store *store = NULL;
    gl_proposal_edit e;
    gl_decision_result r;
    int64_t id;
    int rc;

    if (parse_id(cli, "edit", args->positional[0], &id) < 0 || read_edit(cli, "edit", args, &e) < 0)
        return GL_EXIT_USAGE;
    if ((rc = gl_cli_open_store(cli, &store)) < 0)
        return gl_cli_fail(cli, rc);
    if ((rc = gl_propose_edit(cli, store, id, &e, &r)) < 0) {
        rc = gl_cli_fail(cli, rc);
    } else {
        gl_proposal p;
        gl_catalog *cat = NULL;
        if (gl_store_proposal_get(store, id, &p) == GL_OK &&
            gl_catalog_load(&cat, store) == GL_OK) {
            if (cli->json) {
                json_object *doc = gl_proposal_json(&p, cat);
                gl_cli_print_json(cli, doc);
                json_object_put(doc);
            } else {
                print_proposal(cli, cat, &p, gl_cli_columns(cli->out), false);
                fprintf(cli->out, "Accept it with gleaner accept %" PRId64 ".\n", id);
            }
            gl_proposal_clear(&p);
        }
        gl_catalog_free(cat);
        rc = GL_EXIT_OK;
    }
    gl_store_close(store);
    return rc;
}

/* ----------------------------------------------------------------- review */

/* One line from stdin without its newline; false at EOF. */
static bool ask(gl_cli *cli, const char *prompt, char *line, size_t len)
{
    fputs(prompt, cli->out);
    fflush(cli->out);
    if (!fgets(line, (int)len, stdin)) {
        fputc('\n', cli->out);
        return false;
    }
    line[strcspn(line, "\r\n")] = '\0';
    gl_str_trim(line);
    return true;
}

static void print_sources(gl_cli *cli, const gl_proposal *p, const char *tz)
{
    size_t shown = 0;

    for (size_t i = 0; i < p->nsources && shown < 6; i++, shown++) {
        const gl_proposal_source *s = &p->sources[i];
        gl_local_time a, b;
        char title[200];
        if (gl_tz_to_local(&a, tz, s->start) < 0 || gl_tz_to_local(&b, tz, s->end) < 0)
            continue;
        snprintf(title, sizeof(title), "%s", s->title);
        gl_str_sanitize(title);
        if (strcmp(s->kind, "commit") == 0)
            fprintf(cli->out, "         %02d:%02d        commit   %s: ", a.hour, a.minute,
                    s->source + 4);
        else
            fprintf(cli->out, "         %02d:%02d-%02d:%02d  meeting  ", a.hour, a.minute, b.hour,
                    b.minute);
        gl_cli_print_fit(cli->out, title, 44, false);
        fprintf(cli->out, "  %" PRId64 "m\n", s->seconds / 60);
    }
    if (p->nsources > shown)
        fprintf(cli->out, "         ... and %zu more\n", p->nsources - shown);
}

static int review_edit(gl_cli *cli, gl_store *store, const gl_catalog *cat, const gl_proposal *p)
{
    char hours[64], project[200], task[200], notes[1100], what[200];
    gl_proposal_edit e = {0};
    gl_decision_result r;
    int rc;

    gl_catalog_describe(cat, p->project_id, 0, what, sizeof(what));
    fprintf(cli->out, "  (Enter keeps the value in brackets.)\n");
    snprintf(hours, sizeof(hours), "  hours [%.2f]: ", p->hours);
    if (!ask(cli, hours, hours, sizeof(hours)))
        return GL_OK;
    snprintf(project, sizeof(project), "  project (id, code or name) [%s]: ", what);
    if (!ask(cli, project, project, sizeof(project)))
        return GL_OK;
    {
        const char *t = p->task_id ? gl_catalog_task_name(cat, p->task_id) : NULL;
        snprintf(task, sizeof(task), "  task [%s]: ", t ? t : project[0] ? "its usual one" : "-");
    }
    if (!ask(cli, task, task, sizeof(task)))
        return GL_OK;
    fprintf(cli->out, "  notes [%s]\n", p->notes ? p->notes : "");
    if (!ask(cli, "  new notes: ", notes, sizeof(notes)))
        return GL_OK;
    if (hours[0]) {
        if (gl_parse_double(&e.hours, hours) < 0) {
            fprintf(cli->out, "  '%s' is not a number of hours; nothing changed.\n", hours);
            return GL_OK;
        }
        e.set_hours = true;
    }
    e.project = project[0] ? project : NULL;
    e.task = task[0] ? task : NULL;
    e.notes = notes[0] ? notes : NULL;
    if (!e.set_hours && !e.project && !e.task && !e.notes) {
        fprintf(cli->out, "  Nothing changed.\n");
        return GL_OK;
    }
    rc = gl_propose_edit(cli, store, p->id, &e, &r);
    if (rc < 0) {
        if (rc == GL_ESTORE || rc == GL_ENOMEM)
            return rc;
        fprintf(cli->out, "  Not changed: %s\n", r.why[0] ? r.why : gl_error_last());
        gl_error_clear();
    }
    return GL_OK;
}

int gl_cmd_review(gl_cli *cli, const gl_args *args)
{
    gl_store *store = NULL;
    gl_proposal_list l = {0};
    gl_catalog *cat = NULL;
    gl_window w;
    const char *from = NULL, *to = NULL;
    char *tz = NULL;
    size_t accepted = 0, rejected = 0, skipped = 0, width;
    int rc;

    if (cli->json)
        return gl_cli_usage_error(cli, "review",
                                  "review asks questions; for JSON use gleaner "
                                  "propose --list --json and gleaner accept");
    if (gl_args_value(args, "from") || gl_args_value(args, "to")) {
        if ((rc = gl_cli_window(cli, "review", args, 3660, &w)) < 0)
            return rc == GL_EINVAL ? GL_EXIT_USAGE : gl_cli_fail(cli, rc);
        from = w.from;
        to = w.to;
    }
    if ((rc = gl_cli_timezone(cli, &tz)) < 0 || (rc = gl_cli_open_store(cli, &store)) < 0 ||
        (rc = gl_store_proposals(store, from, to, "proposed", &l)) < 0) {
        rc = gl_cli_fail(cli, rc);
        goto done;
    }
    if (l.n == 0) {
        fprintf(cli->out, "Nothing to review: no open proposals%s. Run gleaner propose first.\n",
                from ? " in this window" : "");
        rc = GL_EXIT_OK;
        goto done;
    }
    width = gl_cli_columns(cli->out);
    fprintf(cli->out,
            "%zu proposal%s to review. For each: [a]ccept, [e]dit, [r]eject, [s]kip, "
            "[q]uit.\n",
            l.n, l.n == 1 ? "" : "s");
    for (size_t i = 0; i < l.n; i++) {
        gl_proposal p;
        bool again = true;
        if ((rc = gl_catalog_load(&cat, store)) < 0)
            break;
        if ((rc = gl_store_proposal_get(store, l.v[i].id, &p)) < 0)
            break;
        while (again) {
            char line[32];
            gl_decision_result r;
            again = false;
            fprintf(cli->out, "\n%s %s  (%zu of %zu)\n", weekday_of(p.day), p.day, i + 1, l.n);
            print_proposal(cli, cat, &p, width, true);
            print_sources(cli, &p, tz);
            if (!ask(cli, "[a/e/r/s/q]? ", line, sizeof(line)) || line[0] == 'q') {
                gl_proposal_clear(&p);
                goto summary;
            }
            switch (line[0]) {
            case 'a':
                rc = gl_propose_accept(cli, store, p.id, &r);
                if (rc == GL_OK)
                    accepted++;
                else
                    fprintf(cli->out, "  Not accepted: %s\n", r.why);
                break;
            case 'r':
                rc = gl_propose_reject(cli, store, p.id, &r);
                if (rc == GL_OK)
                    rejected++;
                else
                    fprintf(cli->out, "  Not rejected: %s\n", r.why);
                break;
            case 'e':
                rc = review_edit(cli, store, cat, &p);
                gl_proposal_clear(&p);
                gl_catalog_free(cat);
                cat = NULL;
                if (rc == GL_OK && (rc = gl_catalog_load(&cat, store)) == GL_OK)
                    rc = gl_store_proposal_get(store, l.v[i].id, &p);
                again = rc == GL_OK;
                break;
            case 's':
            case '\0':
                skipped++;
                break;
            default:
                fprintf(cli->out, "  a accepts, e edits, r rejects, s skips, q quits.\n");
                again = true;
            }
            if (rc == GL_ESTORE || rc == GL_ENOMEM) {
                gl_proposal_clear(&p);
                goto fail;
            }
            if (rc < 0) {
                gl_error_clear();
                rc = GL_OK;
            }
        }
        gl_proposal_clear(&p);
        gl_catalog_free(cat);
        cat = NULL;
    }
summary:
    fprintf(cli->out, "\n%zu accepted, %zu rejected, %zu skipped.%s\n", accepted, rejected, skipped,
            accepted ? " Send the accepted ones with gleaner push." : "");
    rc = GL_EXIT_OK;
    goto done;
fail:
    rc = gl_cli_fail(cli, rc);
done:
    gl_catalog_free(cat);
    gl_proposal_list_clear(&l);
    gl_store_close(store);
    free(tz);
    return rc;
}

/* ------------------------------------------------------------------- push */

int gl_cmd_push(gl_cli *cli, const gl_args *args)
{
    gl_store *store = NULL;
    gl_push_report rep = {0};
    gl_push_options opts = {.dry_run = gl_args_flag(args, "dry-run")};
    int rc, run_rc;

    if ((rc = gl_cli_open_store(cli, &store)) < 0)
        return gl_cli_fail(cli, rc);
    run_rc = gl_push_run(cli, store, &opts, &rep);
    if (cli->json) {
        json_object *doc = gl_push_report_json(&rep, opts.dry_run);
        gl_cli_print_json(cli, doc);
        json_object_put(doc);
    } else if (opts.dry_run) {
        for (size_t i = 0; i < rep.n; i++) {
            const gl_push_item *it = &rep.items[i];
            fprintf(cli->out,
                    "would create  %s  %5.2f h  project %" PRId64 " task %" PRId64 "  (%s)%s%s\n",
                    it->day, it->hours, it->project_id, it->task_id, it->key,
                    it->message[0] ? ": " : "", it->message);
        }
        fprintf(cli->out, "%zu entr%s would be sent to Harvest (--dry-run: nothing was sent).\n",
                rep.would_create, rep.would_create == 1 ? "y" : "ies");
    } else {
        for (size_t i = 0; i < rep.n; i++) {
            const gl_push_item *it = &rep.items[i];
            if (strcmp(it->outcome, "failed") == 0)
                fprintf(cli->err,
                        "gleaner: %s %.2f h: %s (the proposal is back in gleaner "
                        "review)\n",
                        it->day, it->hours, it->message);
            else if (strcmp(it->outcome, "pending") == 0)
                fprintf(cli->err,
                        "gleaner: %s %.2f h: not sent yet: %s (gleaner push tries "
                        "again)\n",
                        it->day, it->hours, it->message);
        }
        fprintf(cli->out,
                "%zu created in Harvest, %zu already there, %zu refused, %zu still "
                "queued.\n",
                rep.created, rep.already_present, rep.failed, rep.pending);
    }
    if (run_rc < 0)
        rc = gl_cli_fail(cli, run_rc);
    else
        rc = rep.failed || rep.pending ? GL_EXIT_FAILURE : GL_EXIT_OK;
    gl_push_report_clear(&rep);
    gl_store_close(store);
    return rc;
}

/* ------------------------------------------------------------------- gaps */

static void span_text(char *out, size_t len, const char *tz, int64_t a, int64_t b)
{
    gl_local_time la, lb;
    if (gl_tz_to_local(&la, tz, a) < 0 || gl_tz_to_local(&lb, tz, b) < 0) {
        snprintf(out, len, "?");
        return;
    }
    snprintf(out, len, "%02d:%02d-%02d:%02d", la.hour, la.minute, lb.hour, lb.minute);
}

void gl_print_gaps(gl_cli *cli, const gl_gaps *g, const gl_window *w, const char *tz)
{
    fprintf(cli->out, "%s to %s, %s; %.1f h a week (%s)\n\n", w->from, w->to, tz, g->weekly_hours,
            strcmp(g->capacity_from, "harvest") == 0  ? "your Harvest capacity"
            : strcmp(g->capacity_from, "config") == 0 ? "user.weekly-hours"
                                                      : "no capacity known: run gleaner sync "
                                                        "harvest, or set user.weekly-hours");
    fprintf(cli->out, "                 expected  tracked  accepted  proposed      gap\n");
    for (size_t i = 0; i < g->n; i++) {
        const gl_gap_day *d = &g->days[i];
        if (!d->workday && d->tracked == 0 && d->proposed == 0 && d->accepted == 0)
            continue;
        fprintf(cli->out, "%s %s  %8.2f %8.2f %9.2f %9.2f %8.2f", weekday_of(d->day), d->day,
                d->expected, d->tracked, d->accepted, d->proposed, d->gap);
        if (d->off > 0)
            fprintf(cli->out, "  (%.2f h off)", d->off);
        fputc('\n', cli->out);
        if (d->nuncovered && d->gap > 0) {
            char span[32];
            fprintf(cli->out, "                 nothing seen ");
            for (size_t k = 0; k < d->nuncovered && k < 4; k++) {
                span_text(span, sizeof(span), tz, d->uncovered[k].start, d->uncovered[k].end);
                fprintf(cli->out, "%s%s", k ? ", " : "", span);
            }
            if (d->nuncovered > 4)
                fprintf(cli->out, ", ...");
            fputc('\n', cli->out);
        }
    }
    fprintf(cli->out, "\nTotal            %8.2f %8.2f %9.2f %9.2f %8.2f\n", g->expected, g->tracked,
            g->accepted, g->proposed, g->gap);
    if (g->gap > 0 && g->proposed > 0)
        fprintf(cli->out, "gleaner proposes %.2f h toward the gap: gleaner review.\n",
                g->proposed < g->gap ? g->proposed : g->gap);
}

int gl_cmd_gaps(gl_cli *cli, const gl_args *args)
{
    gl_window w;
    gl_store *store = NULL;
    gl_gaps g = {0};
    char *tz = NULL;
    int rc;

    if ((rc = gl_cli_window(cli, "gaps", args, 3660, &w)) < 0)
        return rc == GL_EINVAL ? GL_EXIT_USAGE : gl_cli_fail(cli, rc);
    if ((rc = gl_cli_timezone(cli, &tz)) < 0 || (rc = gl_cli_open_store(cli, &store)) < 0 ||
        (rc = gl_gaps_compute(cli, store, &w, &g)) < 0) {
        rc = gl_cli_fail(cli, rc);
        goto done;
    }
    if (cli->json) {
        json_object *doc = gl_gaps_json(&g, &w, tz);
        gl_cli_print_json(cli, doc);
        json_object_put(doc);
        rc = GL_EXIT_OK;
        goto done;
    }
    gl_print_gaps(cli, &g, &w, tz);
    rc = GL_EXIT_OK;

done:
    gl_gaps_clear(&g);
    gl_store_close(store);
    free(tz);
    return rc;
}
