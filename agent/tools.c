/*
 * tools.c - the tool table (agent/tools.json), argument checking, handlers
 * and the audit trail.
 */
#include "tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/budgets.h"
#include "agent/collect.h"
#include "agent/gaps.h"
#include "agent/propose.h"
#include "agent/push.h"
#include "agent/report.h"
#include "agent/signin.h"
#include "agent/store.h"
#include "connectors/harvest.h"
#include "util/json.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/schema.h"
#include "util/str.h"
#include "util/tz.h"

/* agent/tools.json, embedded at build time. */
extern const char gl_tools_json[];

typedef int (*tool_fn)(gl_toolbox *tb, const gl_tool *tool, json_object *args,
                       json_object **result);

struct gl_toolbox {
    gl_cli *cli;
    const char *actor;
    bool read_only;
    json_object *doc; /* the parsed table; the tools borrow from it */
    gl_tool *tools;
    size_t ntools;
    gl_store *store;   /* opened on the first call */
    gl_signin *signin; /* signed in on the first Harvest call */
};

/* ------------------------------------------------------------ handlers */

static int harvest_tool(gl_toolbox *tb, const gl_tool *tool, json_object *args,
                        json_object **result)
{
    const gl_harvest_op *op = gl_harvest_op_find(tool->name);
    int rc;

    if (!op)
        return gl_error_set(GL_ERROR, "%s: no Harvest operation of that name", tool->name);
    if (!tb->signin && (rc = gl_signin_harvest(tb->cli, &tb->signin)) < 0)
        return rc;
    return gl_harvest_call(tb->signin->harvest, op, args, result);
}

/* ---------------------------------------------------- gleaner's own tools */

/* The longest window a tool covers at once: a quarter. */
#define TOOL_MAX_DAYS 92

static int tool_window(gl_toolbox *tb, json_object *args, gl_window *w)
{
    return gl_cli_window_between(tb->cli, gl_json_str(args, "from"), gl_json_str(args, "to"),
                                 TOOL_MAX_DAYS, w);
}

static bool flag(json_object *args, const char *name, bool def)
{
    bool v = def;
    gl_json_bool(args, name, &v);
    return v;
}

static int propose_tool(gl_toolbox *tb, const gl_tool *tool, json_object *args,
                        json_object **result)
{
    gl_window w;
    gl_propose_report rep;
    json_object *doc = NULL, *problems = json_object_new_array(), *report;
    bool dry = flag(args, "dry_run", false);
    int rc;

    (void)tool;
    if ((rc = tool_window(tb, args, &w)) < 0)
        goto done;
    if (flag(args, "collect", true)) {
        gl_collect_report cr = {0};
        gl_collect_options co = {.from = w.start, .to = w.end};
        /* A source that fails is reported with the result, as the shell prints it. */
        if (gl_collect(tb->cli, tb->store, &co, &cr) < 0)
            json_object_array_add(problems, json_object_new_string(gl_error_last()));
        for (size_t i = 0; i < cr.n; i++)
            if (cr.sources[i].status < 0)
                json_object_array_add(problems, json_object_new_string(cr.sources[i].message));
        gl_collect_report_clear(&cr);
        gl_error_clear();
    }
    if ((rc = gl_propose_run(tb->cli, tb->store, &w, dry, &rep)) < 0 ||
        (rc = gl_propose_list_json(tb->cli, tb->store, &w, NULL, &doc)) < 0)
        goto done;
    report = json_object_new_object();
    json_object_object_add(report, "dry_run", json_object_new_boolean(dry));
    json_object_object_add(report, "added", json_object_new_int64((int64_t)rep.added));
    json_object_object_add(report, "updated", json_object_new_int64((int64_t)rep.updated));
    json_object_object_add(report, "removed", json_object_new_int64((int64_t)rep.removed));
    json_object_object_add(report, "unchanged", json_object_new_int64((int64_t)rep.unchanged));
    json_object_object_add(report, "kept_as_decided", json_object_new_int64((int64_t)rep.kept));
    json_object_object_add(report, "auto_accepted",
                           json_object_new_int64((int64_t)rep.auto_accepted));
    json_object_object_add(doc, "report", report);
    json_object_object_add(doc, "problems", json_object_get(problems));
    *result = doc;
    doc = NULL;

done:
    json_object_put(doc);
    json_object_put(problems);
    return rc;
}

static int proposals_tool(gl_toolbox *tb, const gl_tool *tool, json_object *args,
                          json_object **result)
{
    gl_window w;
    int rc;

    (void)tool;
    if ((rc = tool_window(tb, args, &w)) < 0)
        return rc;
    return gl_propose_list_json(tb->cli, tb->store, &w, gl_json_str(args, "status"), result);
}

static int gaps_tool(gl_toolbox *tb, const gl_tool *tool, json_object *args, json_object **result)
{
    gl_window w;
    gl_gaps g = {0};
    char *tz = NULL;
    int rc;

    (void)tool;
    if ((rc = tool_window(tb, args, &w)) < 0 || (rc = gl_cli_timezone(tb->cli, &tz)) < 0 ||
        (rc = gl_gaps_compute(tb->cli, tb->store, &w, &g)) < 0) {
        free(tz);
        return rc;
    }
    *result = gl_gaps_json(&g, &w, tz);
    gl_gaps_clear(&g);
    free(tz);
    return GL_OK;
}

typedef int (*decide_fn)(gl_cli *cli, gl_store *store, int64_t id, gl_decision_result *out);

/* Decide on each id; the result lists every outcome (a refusal is not the tool's failure). */
static int decide_ids(gl_toolbox *tb, const int64_t *ids, size_t n, const char *verb, decide_fn fn,
                      json_object **result)
{
    json_object *doc = json_object_new_object(), *arr = json_object_new_array();
    size_t done = 0, skipped = 0, failed = 0;

    for (size_t i = 0; i < n; i++) {
        gl_decision_result r;
        json_object *o = json_object_new_object();
        int rc = fn(tb->cli, tb->store, ids[i], &r);
        if (rc < 0 && !r.why[0])
            snprintf(r.why, sizeof(r.why), "%s", gl_error_last());
        json_object_object_add(o, "id", json_object_new_int64(ids[i]));
        json_object_object_add(o, "ok", json_object_new_boolean(rc == GL_OK));
        json_object_object_add(o, "skipped", json_object_new_boolean(rc == GL_OK && r.skipped));
        if (r.why[0])
            json_object_object_add(o, "message", json_object_new_string(r.why));
        json_object_array_add(arr, o);
        if (rc < 0)
            failed++;
        else if (r.skipped)
            skipped++;
        else
            done++;
        if (rc == GL_ESTORE || rc == GL_ENOMEM) {
            json_object_put(doc);
            json_object_put(arr);
            return rc;
        }
        gl_error_clear();
    }
    json_object_object_add(doc, verb, json_object_new_int64((int64_t)done));
    json_object_object_add(doc, "skipped", json_object_new_int64((int64_t)skipped));
    json_object_object_add(doc, "failed", json_object_new_int64((int64_t)failed));
    json_object_object_add(doc, "results", arr);
    *result = doc;
    return GL_OK;
}

static int ids_of(json_object *args, int64_t **ids, size_t *n)
{
    json_object *arr = gl_json_array(args, "ids");

    *n = arr ? json_object_array_length(arr) : 0;
    if (!(*ids = calloc(*n + 1, sizeof(**ids))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    for (size_t i = 0; i < *n; i++)
        (*ids)[i] = json_object_get_int64(json_object_array_get_idx(arr, i));
    return GL_OK;
}

static int accept_tool(gl_toolbox *tb, const gl_tool *tool, json_object *args, json_object **result)
{
    int64_t *ids = NULL;
    size_t n = 0;
    double min_confidence = 0;
    bool all = flag(args, "all", false);
    int rc;

    (void)tool;
    if (all == (gl_json_array(args, "ids") != NULL))
        return gl_error_set(GL_EINVAL, "give ids, or all: true (not both)");
    gl_json_double(args, "min_confidence", &min_confidence);
    if (!all) {
        if ((rc = ids_of(args, &ids, &n)) < 0)
            return rc;
    } else {
        gl_proposal_list l = {0};
        gl_window w;
        bool windowed = gl_json_str(args, "from") || gl_json_str(args, "to");
        if ((windowed && (rc = tool_window(tb, args, &w)) < 0) ||
            (rc = gl_store_proposals(tb->store, windowed ? w.from : NULL, windowed ? w.to : NULL,
                                     "proposed", &l)) < 0)
            return rc;
        if (!(ids = calloc(l.n + 1, sizeof(*ids)))) {
            gl_proposal_list_clear(&l);
            return gl_error_set(GL_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < l.n; i++)
            if (l.v[i].project_id && l.v[i].task_id && l.v[i].confidence + 1e-9 >= min_confidence)
                ids[n++] = l.v[i].id;
        gl_proposal_list_clear(&l);
    }
    rc = decide_ids(tb, ids, n, "accepted", gl_propose_accept, result);
    free(ids);
    return rc;
}

static int reject_tool(gl_toolbox *tb, const gl_tool *tool, json_object *args, json_object **result)
{
    int64_t *ids = NULL;
    size_t n = 0;
    int rc;

    (void)tool;
    if ((rc = ids_of(args, &ids, &n)) == GL_OK)
        rc = decide_ids(tb, ids, n, "rejected", gl_propose_reject, result);
    free(ids);
    return rc;
}

static int edit_tool(gl_toolbox *tb, const gl_tool *tool, json_object *args, json_object **result)
{
    gl_proposal_edit e = {0};
    gl_decision_result r;
    gl_proposal p;
    gl_catalog *cat = NULL;
    int64_t id = 0;
    int rc;

    (void)tool;
    gl_json_int64(args, "id", &id);
    e.set_hours = gl_json_double(args, "hours", &e.hours);
    e.project = gl_json_str(args, "project");
    e.task = gl_json_str(args, "task");
    e.notes = gl_json_str(args, "notes");
    if ((rc = gl_propose_edit(tb->cli, tb->store, id, &e, &r)) < 0)
        return rc;
    if ((rc = gl_store_proposal_get(tb->store, id, &p)) < 0)
        return rc;
    if ((rc = gl_catalog_load(&cat, tb->store)) == GL_OK)
        *result = gl_proposal_json(&p, cat);
    gl_catalog_free(cat);
    gl_proposal_clear(&p);
    return rc;
}

static int push_tool(gl_toolbox *tb, const gl_tool *tool, json_object *args, json_object **result)
{
    gl_push_options opts = {.dry_run = flag(args, "dry_run", false)};
    gl_push_report rep = {0};
    int rc;

    (void)tool;
    if ((rc = gl_push_run(tb->cli, tb->store, &opts, &rep)) == GL_OK)
        *result = gl_push_report_json(&rep, opts.dry_run);
    gl_push_report_clear(&rep);
    return rc;
}

static int budget_tool(gl_toolbox *tb, const gl_tool *tool, json_object *args, json_object **result)
{
    (void)tool;
    (void)args;
    /* Status only: raising and sending alerts is the daemon's and gleaner budget --check's. */
    return gl_budgets_run(tb->cli, tb->store, false, false, result);
}

static int add_alert(void *payload, const gl_alert *a)
{
    json_object *arr = payload, *o = json_object_new_object(), *details = NULL;
    char t[GL_TIME_UTC_LEN];

    json_object_object_add(o, "id", json_object_new_int64(a->id));
    json_object_object_add(o, "kind", json_object_new_string(a->kind));
    json_object_object_add(o, "subject", json_object_new_string(a->subject));
    json_object_object_add(o, "period", json_object_new_string(a->period));
    if (a->level)
        json_object_object_add(o, "level", json_object_new_int(a->level));
    gl_time_format_utc(t, a->fired_at);
    json_object_object_add(o, "fired_at", json_object_new_string(t));
    if (a->details && gl_json_parse(&details, a->details, strlen(a->details), "an alert") == GL_OK)
        json_object_object_add(o, "details", details);
    gl_error_clear();
    json_object_array_add(arr, o);
    return json_object_array_length(arr) >= 500; /* enough for anyone to read */
}

static int alerts_tool(gl_toolbox *tb, const gl_tool *tool, json_object *args, json_object **result)
{
    json_object *arr = json_object_new_array();
    int64_t days = 30;
    int rc;

    (void)tool;
    gl_json_int64(args, "days", &days);
    rc = gl_store_alerts(tb->store, gl_json_str(args, "kind"),
                         gl_clock_now(tb->cli->clock) - days * 86400, add_alert, arr);
    if (rc < 0) {
        json_object_put(arr);
        return rc;
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "alerts", arr);
    return GL_OK;
}

static int report_tool(gl_toolbox *tb, const gl_tool *tool, json_object *args, json_object **result)
{
    gl_weekly w = {0};
    int rc;

    (void)tool;
    if ((rc = gl_report_weekly(tb->cli, tb->store, gl_json_str(args, "week"), &w)) == GL_OK)
        *result = gl_weekly_json(&w);
    gl_weekly_clear(&w);
    return rc;
}

static const struct {
    const char *name;
    tool_fn fn;
} handlers[] = {
    {"budget", budget_tool},   {"alerts", alerts_tool},   {"report", report_tool},
    {"harvest", harvest_tool}, {"propose", propose_tool}, {"proposals", proposals_tool},
    {"gaps", gaps_tool},       {"accept", accept_tool},   {"reject", reject_tool},
    {"edit", edit_tool},       {"push", push_tool},
};

static tool_fn handler_of(const char *name)
{
    for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
        if (strcmp(handlers[i].name, name) == 0)
            return handlers[i].fn;
    return NULL;
}

/* ------------------------------------------------------------- the table */

static int load_row(gl_tool *t, json_object *row, size_t index)
{
    bool flag = false;

    t->name = gl_json_str(row, "name");
    t->title = gl_json_str(row, "title");
    t->description = gl_json_str(row, "description");
    t->handler = gl_json_str(row, "handler");
    t->schema = gl_json_object(row, "inputSchema");
    if (!t->name || !t->description || !t->handler || !t->schema)
        return gl_error_set(GL_ERROR,
                            "tools.json: row %zu lacks name, description, handler or "
                            "inputSchema",
                            index);
    if (!handler_of(t->handler))
        return gl_error_set(GL_ERROR, "tools.json: %s: unknown handler '%s'", t->name, t->handler);
    t->write = gl_json_bool(row, "write", &flag) && flag;
    flag = false;
    t->destructive = gl_json_bool(row, "destructive", &flag) && flag;
    if (gl_schema_check(t->schema) < 0)
        return gl_error_prefix("tools.json: %s", t->name);
    return GL_OK;
}

int gl_toolbox_new(gl_toolbox **out, gl_cli *cli, const char *actor, bool read_only)
{
    gl_toolbox *tb;
    json_object *rows;
    int rc;

    *out = NULL;
    if (!(tb = calloc(1, sizeof(*tb))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    tb->cli = cli;
    tb->actor = actor;
    tb->read_only = read_only;
    if ((rc = gl_json_parse(&tb->doc, gl_tools_json, strlen(gl_tools_json), "tools.json")) < 0)
        goto fail;
    if (!(rows = gl_json_array(tb->doc, "tools"))) {
        rc = gl_error_set(GL_ERROR, "tools.json has no \"tools\" array");
        goto fail;
    }
    if (!(tb->tools = calloc(json_object_array_length(rows) + 1, sizeof(gl_tool)))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        gl_tool t;
        if ((rc = load_row(&t, json_object_array_get_idx(rows, i), i)) < 0)
            goto fail;
        if (read_only && t.write)
            continue;
        tb->tools[tb->ntools++] = t;
    }
    *out = tb;
    return GL_OK;

fail:
    gl_toolbox_free(tb);
    return rc;
}

void gl_toolbox_free(gl_toolbox *tb)
{
    if (!tb)
        return;
    gl_signin_free(tb->signin);
    gl_store_close(tb->store);
    free(tb->tools);
    json_object_put(tb->doc);
    free(tb);
}

size_t gl_toolbox_count(const gl_toolbox *tb)
{
    return tb->ntools;
}

const gl_tool *gl_toolbox_at(const gl_toolbox *tb, size_t i)
{
    return i < tb->ntools ? &tb->tools[i] : NULL;
}

int gl_toolbox_find(const gl_toolbox *tb, const char *name, const gl_tool **out)
{
    const char *closest = NULL;
    int best = 4; /* suggest only names a few edits away */
    json_object *rows = gl_json_array(tb->doc, "tools");

    *out = NULL;
    for (size_t i = 0; i < tb->ntools; i++) {
        int d;
        if (strcmp(tb->tools[i].name, name) == 0) {
            *out = &tb->tools[i];
            return GL_OK;
        }
        if ((d = gl_str_distance(tb->tools[i].name, name)) < best) {
            best = d;
            closest = tb->tools[i].name;
        }
    }
    for (size_t i = 0; tb->read_only && rows && i < json_object_array_length(rows); i++) {
        const char *hidden = gl_json_str(json_object_array_get_idx(rows, i), "name");
        if (hidden && strcmp(hidden, name) == 0)
            return gl_error_set(GL_ENOTFOUND,
                                "%s changes things, and this server runs with "
                                "--read-only",
                                name);
    }
    if (closest)
        return gl_error_set(GL_ENOTFOUND, "no tool named '%s'; did you mean %s?", name, closest);
    return gl_error_set(GL_ENOTFOUND, "no tool named '%s' (gleaner harvest --list shows them)",
                        name);
}

json_object *gl_tool_describe(const gl_tool *tool)
{
    json_object *d = json_object_new_object(), *ann = json_object_new_object();

    json_object_object_add(d, "name", json_object_new_string(tool->name));
    if (tool->title)
        json_object_object_add(d, "title", json_object_new_string(tool->title));
    json_object_object_add(d, "description", json_object_new_string(tool->description));
    json_object_object_add(d, "inputSchema", json_object_get(tool->schema));
    if (tool->title)
        json_object_object_add(ann, "title", json_object_new_string(tool->title));
    json_object_object_add(ann, "readOnlyHint", json_object_new_boolean(!tool->write));
    if (tool->write)
        json_object_object_add(ann, "destructiveHint", json_object_new_boolean(tool->destructive));
    json_object_object_add(ann, "openWorldHint", json_object_new_boolean(1));
    json_object_object_add(d, "annotations", ann);
    return d;
}

/* ------------------------------------------------------------ the audit */

static bool secret_name(const char *name)
{
    static const char *const words[] = {"token", "secret", "password", "authorization"};
    char lower[128];
    size_t i;

    for (i = 0; name[i] && i + 1 < sizeof(lower); i++)
        lower[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] - 'A' + 'a' : name[i]);
    lower[i] = '\0';
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strstr(lower, words[i]))
            return true;
    return false;
}

/* A copy of `args` without members that look like secrets, redacted, as text; caller frees. */
static char *audit_arguments(json_object *args)
{
    json_object *copy = json_object_new_object();
    char *text;

    if (args && json_object_is_type(args, json_type_object)) {
        json_object_object_foreach(args, name, value)
        {
            json_object_object_add(copy, name,
                                   secret_name(name) ? json_object_new_string("[redacted]")
                                                     : json_object_get(value));
        }
    }
    text = gl_strdup(gl_json_compact(copy));
    json_object_put(copy);
    if (text)
        gl_redact_inplace(text);
    return text;
}

static int open_store(gl_toolbox *tb)
{
    char *path = NULL;
    int rc;

    if (tb->store)
        return GL_OK;
    if ((rc = gl_cli_db_path(tb->cli, &path)) < 0)
        return rc;
    rc = gl_store_open(&tb->store, path, tb->cli->clock);
    free(path);
    return rc;
}

/* What the audit row says about a success: the id of what was made or read, or a count. */
static void outcome_summary(char *out, size_t len, json_object *result)
{
    int64_t n;

    out[0] = '\0';
    if (!result)
        return;
    if (gl_json_int64(result, "total_entries", &n))
        snprintf(out, len, "%lld items", (long long)n);
    else if (gl_json_int64(result, "id", &n))
        snprintf(out, len, "id %lld", (long long)n);
}

int gl_toolbox_call(gl_toolbox *tb, const gl_tool *tool, json_object *args, json_object **result)
{
    char *audit_args = NULL, summary[64], message[1024];
    tool_fn fn = handler_of(tool->handler);
    int rc, arc;

    *result = NULL;
    /* No call goes unaudited: without the store there is no call. */
    if ((rc = open_store(tb)) < 0)
        return rc;
    if (!(audit_args = audit_arguments(args)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    if ((rc = gl_schema_validate(tool->schema, args)) < 0)
        gl_error_prefix("%s", tool->name);
    else
        rc = fn(tb, tool, args, result);

    outcome_summary(summary, sizeof(summary), *result);
    snprintf(message, sizeof(message), "%s", rc == GL_OK ? summary : gl_error_last());
    arc = gl_store_audit_add(tb->store, tb->actor, tool->name, audit_args, rc == GL_OK, message);
    if (arc < 0)
        /* The call happened; say so rather than hide its result. */
        gl_warn("the call to %s could not be audited: %s", tool->name, gl_error_last());
    if (rc < 0)
        gl_error_set(rc, "%s", message);
    free(audit_args);
    if (rc < 0) {
        json_object_put(*result);
        *result = NULL;
    }
    return rc;
}
