/*
 * milestones.c - billing milestones: evaluation, drafts, sending.
 */
#include "milestones.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent/catalog.h"
#include "agent/notify.h"
#include "agent/signin.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

/* Harvest's reports refuse ranges over a year. */
#define REPORT_DAYS 364

void gl_milestones_report_clear(gl_milestones_report *r)
{
    free(r->v);
    memset(r, 0, sizeof(*r));
}

/* The previous firing of milestone `name`: its period and the last day it covered. */
typedef struct last_fire {
    char period[16], to[11];
    bool found;
} last_fire;

static int read_last(void *payload, const gl_alert *a)
{
    last_fire *l = payload;
    json_object *d = NULL;

    if (l->found)
        return 0;
    l->found = true;
    snprintf(l->period, sizeof(l->period), "%s", a->period);
    if (a->details && gl_json_parse(&d, a->details, strlen(a->details), "an alert") == GL_OK) {
        const char *to = gl_json_str(d, "to");
        snprintf(l->to, sizeof(l->to), "%s", to ? to : "");
    }
    gl_error_clear();
    json_object_put(d);
    return 1; /* newest first: one is enough */
}

/* Each milestone's alerts, newest first: the first with this subject is the last firing. */
typedef struct subject_scan {
    const char *subject;
    last_fire *out;
} subject_scan;

static int scan_subject(void *payload, const gl_alert *a)
{
    subject_scan *s = payload;
    if (strcmp(a->subject, s->subject) != 0)
        return 0;
    return read_last(s->out, a);
}

/* Uninvoiced hours and amount of `project_id` spent from..to. */
static int uninvoiced(gl_harvest *h, int64_t project_id, const char *from, const char *to,
                      double *hours, double *amount)
{
    const char *query[] = {"from", from, "to", to, NULL};
    json_object *rows = NULL;
    int rc;

    *hours = *amount = 0;
    if ((rc = gl_harvest_list(h, "/reports/uninvoiced", query, "results", "uninvoiced report",
                              &rows)) < 0)
        return rc;
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        json_object *r = json_object_array_get_idx(rows, i);
        int64_t p = 0;
        double v;
        if (!gl_json_int64(r, "project_id", &p) || p != project_id)
            continue;
        if (gl_json_double(r, "uninvoiced_hours", &v))
            *hours += v;
        if (gl_json_double(r, "uninvoiced_amount", &v))
            *amount += v;
    }
    json_object_put(rows);
    return GL_OK;
}

/*
 * The project's row of the budget report (fetched once per check, into
 * *rows): percent spent (< 0 without a budget) and whether it is monthly.
 */
static int budget_of(gl_harvest *h, json_object **rows, int64_t project_id, double *percent,
                     bool *monthly)
{
    const char *query[] = {"is_active", "true", NULL};
    int rc;

    *percent = -1;
    *monthly = false;
    if (!*rows && (rc = gl_harvest_list(h, "/reports/project_budget", query, "results",
                                        "budget report", rows)) < 0)
        return rc;
    for (size_t i = 0; i < json_object_array_length(*rows); i++) {
        json_object *r = json_object_array_get_idx(*rows, i);
        int64_t p = 0;
        double budget = 0, spent = 0;
        if (!gl_json_int64(r, "project_id", &p) || p != project_id)
            continue;
        gl_json_bool(r, "budget_is_monthly", monthly);
        if (gl_json_double(r, "budget", &budget) && budget > 0 &&
            gl_json_double(r, "budget_spent", &spent))
            *percent = spent / budget * 100.0;
    }
    return GL_OK;
}

static void make_subject(gl_milestone_status *s, const gl_milestone_rule *rule)
{
    int y, m, d;
    if (rule->kind == GL_MILESTONE_MONTHLY && gl_date_parse(s->decision.from, &y, &m, &d) == 0)
        snprintf(s->subject, sizeof(s->subject), "%s: %s %d", s->project, gl_month_name(m), y);
    else if (s->decision.from[0])
        snprintf(s->subject, sizeof(s->subject), "%s: %s to %s", s->project, s->decision.from,
                 s->decision.to);
    else
        snprintf(s->subject, sizeof(s->subject), "%s: time to %s", s->project, s->decision.to);
}

static int queue_draft(gl_cli *cli, gl_store *store, const gl_config *cfg, gl_milestone_status *s)
{
    char key[64], okey[300], summary_key[200], send_key[200], rec_key[200];
    const char *summary, *const *recipients = NULL;
    bool send = false;
    size_t nrec = 0;
    json_object *p = json_object_new_object(), *imp = json_object_new_object(),
                *time = json_object_new_object(), *ids = json_object_new_array(),
                *details = json_object_new_object(), *rec = json_object_new_array();
    int64_t outbox_id = 0;
    int rc;

    snprintf(summary_key, sizeof(summary_key), "milestone.%s.summary", s->name);
    snprintf(send_key, sizeof(send_key), "milestone.%s.send", s->name);
    snprintf(rec_key, sizeof(rec_key), "milestone.%s.recipient", s->name);
    summary = gl_config_get(cfg, summary_key);
    gl_config_get_bool(cfg, send_key, &send);
    if (gl_config_is_set(cfg, rec_key))
        nrec = gl_config_get_all(cfg, rec_key, &recipients);
    for (size_t i = 0; i < nrec; i++)
        json_object_array_add(rec, json_object_new_string(recipients[i]));

    json_object_array_add(ids, json_object_new_int64(s->project_id));
    json_object_object_add(time, "summary_type",
                           json_object_new_string(summary ? summary : "project"));
    if (s->decision.from[0]) {
        json_object_object_add(time, "from", json_object_new_string(s->decision.from));
        json_object_object_add(time, "to", json_object_new_string(s->decision.to));
    }
    json_object_object_add(imp, "project_ids", ids);
    json_object_object_add(imp, "time", time);
    json_object_object_add(p, "client_id", json_object_new_int64(s->client_id));
    json_object_object_add(p, "subject", json_object_new_string(s->subject));
    json_object_object_add(p, "payment_term", json_object_new_string("net 30"));
    json_object_object_add(p, "line_items_import", imp);
    json_object_object_add(p, "gleaner_send", json_object_new_boolean(send));
    json_object_object_add(p, "gleaner_recipients", rec);
    json_object_object_add(p, "gleaner_milestone", json_object_new_string(s->name));

    snprintf(key, sizeof(key), "%s", s->decision.period);
    snprintf(okey, sizeof(okey), "milestone:%s:%s", s->name, s->decision.period);
    json_object_object_add(details, "from", json_object_new_string(s->decision.from));
    json_object_object_add(details, "to", json_object_new_string(s->decision.to));
    json_object_object_add(details, "project_id", json_object_new_int64(s->project_id));
    json_object_object_add(details, "subject", json_object_new_string(s->subject));
    json_object_object_add(details, "uninvoiced_hours", gl_json_number(s->uninvoiced_hours, 2));

    if ((rc = gl_store_begin(store)) < 0)
        goto done;
    if ((rc = gl_store_outbox_add(store, GL_OUTBOX_INVOICE, okey, gl_json_compact(p), &outbox_id)) <
            0 ||
        (rc = gl_store_alert_add(store, "milestone", s->name, key, 0, outbox_id,
                                 gl_json_compact(details))) < 0) {
        gl_store_rollback(store);
        goto done;
    }
    {
        gl_channels ch;
        if (gl_notify_channels(cli, &ch) == GL_OK && (ch.slack || ch.emails)) {
            char title[300], *text = NULL, nkey[320];
            gl_notice n = {0};
            snprintf(title, sizeof(title), "Invoice draft: %s", s->subject);
            text =
                gl_strdupf("Milestone \"%s\" reached (%s). gleaner is drafting an invoice for "
                           "%s from %.2f uninvoiced hours (%.2f).\n\nReview it in Harvest "
                           "under Invoices%s.",
                           s->name, s->decision.why, s->client, s->uninvoiced_hours,
                           s->uninvoiced_amount, send ? "; it will be sent" : " before sending it");
            n.title = title;
            n.text = text;
            snprintf(nkey, sizeof(nkey), "%s:notice", okey);
            rc = gl_notify_queue(cli, store, nkey, &n, NULL, 0, NULL, NULL);
            free(text);
            if (rc < 0) {
                gl_store_rollback(store);
                goto done;
            }
        }
    }
    rc = gl_store_commit(store);
    if (rc == GL_OK)
        s->queued = true;

done:
    json_object_put(p);
    json_object_put(details);
    return rc;
}

int gl_milestones_check(gl_cli *cli, gl_store *store, bool dry_run, gl_milestones_report *out)
{
    const gl_config *cfg;
    const char *const *names;
    gl_catalog *cat = NULL;
    gl_signin *si = NULL;
    json_object *budgets = NULL; /* the budget report, for every milestone */
    char today[GL_DAY_LEN];
    size_t n;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = gl_cli_config(cli, &cfg)) < 0 || (rc = gl_cli_today(cli, today)) < 0)
        return rc;
    n = gl_config_sections(cfg, "milestone", &names);
    if (n == 0)
        return GL_OK;
    if (!(out->v = calloc(n, sizeof(*out->v))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    if ((rc = gl_catalog_load(&cat, store)) < 0 || (rc = gl_signin_harvest(cli, &si)) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        gl_milestone_status *s = &out->v[out->n];
        gl_milestone_rule rule;
        gl_milestone_facts facts = {.today = today};
        last_fire last;
        subject_scan scan = {.subject = names[i], .out = &last};
        char key[200], what[200], from[11];
        const char *project, *client;
        bool monthly = false;

        snprintf(s->name, sizeof(s->name), "%s", names[i]);
        snprintf(key, sizeof(key), "milestone.%s.when", names[i]);
        if (gl_milestone_parse(gl_config_get(cfg, key), &rule) < 0) {
            rc = gl_error_set(GL_ECONFIG,
                              "milestone.%s.when = '%s': say monthly, hours >= N, budget >= N or "
                              "sprint-closed",
                              names[i], gl_config_get(cfg, key) ? gl_config_get(cfg, key) : "");
            goto done;
        }
        snprintf(key, sizeof(key), "milestone.%s.project", names[i]);
        snprintf(what, sizeof(what), "milestone.%s.project", names[i]);
        if ((rc = gl_catalog_find_project(cat, gl_config_get(cfg, key), what, &s->project_id)) < 0)
            goto done;
        project = gl_catalog_project_name(cat, s->project_id);
        client = gl_catalog_client_name(cat, s->project_id);
        snprintf(s->project, sizeof(s->project), "%s", project ? project : gl_config_get(cfg, key));
        snprintf(s->client, sizeof(s->client), "%s", client ? client : "the client");
        {
            json_object *rows = NULL;
            if ((rc = gl_store_mirror_rows(store, GL_MIRROR_PROJECTS, &rows)) < 0)
                goto done;
            for (size_t k = 0; k < json_object_array_length(rows); k++) {
                json_object *pr = json_object_array_get_idx(rows, k);
                int64_t pid = 0;
                if (gl_json_int64(pr, "id", &pid) && pid == s->project_id)
                    gl_json_int64(gl_json_object(pr, "client"), "id", &s->client_id);
            }
            json_object_put(rows);
        }
        if (!s->client_id) {
            rc = gl_error_set(GL_ECONFIG,
                              "milestone.%s: the mirror does not know project %" PRId64
                              "'s client; run gleaner sync harvest",
                              names[i], s->project_id);
            goto done;
        }
        if ((rc = gl_store_alerts(store, "milestone", 0, scan_subject, &scan)) < 0)
            goto done;
        facts.last_period = last.found ? last.period : NULL;
        facts.last_to = last.found && last.to[0] ? last.to : NULL;
        if ((rc = budget_of(si->harvest, &budgets, s->project_id, &s->budget_percent, &monthly)) <
            0)
            goto done;
        facts.budget_percent = s->budget_percent;
        facts.budget_monthly = monthly;
        /* First the span the rule would bill, then what is uninvoiced in it. */
        facts.uninvoiced_hours = 1;
        if ((rc = gl_milestone_decide(&rule, &facts, &s->decision)) < 0)
            goto done;
        gl_date_shift(from, s->decision.to, -REPORT_DAYS);
        if (s->decision.from[0] && strcmp(s->decision.from, from) > 0)
            snprintf(from, sizeof(from), "%s", s->decision.from);
        if ((rc = uninvoiced(si->harvest, s->project_id, from, s->decision.to, &s->uninvoiced_hours,
                             &s->uninvoiced_amount)) < 0)
            goto done;
        facts.uninvoiced_hours = s->uninvoiced_hours;
        if ((rc = gl_milestone_decide(&rule, &facts, &s->decision)) < 0)
            goto done;
        make_subject(s, &rule);
        out->n++;
        if (s->decision.fire && !dry_run) {
            rc = queue_draft(cli, store, cfg, s);
            if (rc == GL_EEXISTS) { /* raised meanwhile by another run */
                gl_error_clear();
                rc = GL_OK;
            }
            if (rc < 0)
                goto done;
        }
    }

done:
    json_object_put(budgets);
    gl_signin_free(si);
    gl_catalog_free(cat);
    if (rc < 0)
        gl_milestones_report_clear(out);
    return rc;
}

json_object *gl_milestones_json(const gl_milestones_report *r, bool dry_run)
{
    json_object *doc = json_object_new_object(), *arr = json_object_new_array();

    json_object_object_add(doc, "dry_run", json_object_new_boolean(dry_run));
    for (size_t i = 0; i < r->n; i++) {
        const gl_milestone_status *s = &r->v[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "milestone", json_object_new_string(s->name));
        json_object_object_add(o, "project_id", json_object_new_int64(s->project_id));
        json_object_object_add(o, "project", json_object_new_string(s->project));
        json_object_object_add(o, "client_id", json_object_new_int64(s->client_id));
        json_object_object_add(o, "fires", json_object_new_boolean(s->decision.fire));
        json_object_object_add(o, "queued", json_object_new_boolean(s->queued));
        json_object_object_add(o, "period", json_object_new_string(s->decision.period));
        json_object_object_add(
            o, "from", s->decision.from[0] ? json_object_new_string(s->decision.from) : NULL);
        json_object_object_add(o, "to", json_object_new_string(s->decision.to));
        json_object_object_add(o, "why", json_object_new_string(s->decision.why));
        json_object_object_add(o, "subject", json_object_new_string(s->subject));
        json_object_object_add(o, "uninvoiced_hours", gl_json_number(s->uninvoiced_hours, 2));
        json_object_object_add(o, "uninvoiced_amount", gl_json_number(s->uninvoiced_amount, 2));
        json_object_object_add(o, "budget_percent",
                               s->budget_percent < 0 ? NULL : gl_json_number(s->budget_percent, 1));
        json_object_array_add(arr, o);
    }
    json_object_object_add(doc, "milestones", arr);
    return doc;
}

/* ---------------------------------------------------------------- sending */

/* Harvest refused the invoice itself (credentials and permissions wait: agent/outbox.c). */
static bool refused(int rc)
{
    return rc == GL_EREJECTED || rc == GL_ENOTFOUND || rc == GL_ECONFLICT || rc == GL_EINVAL;
}

/* The client's invoice with this subject made (or changed) since the row was queued, if any. */
static int find_draft(gl_harvest *h, json_object *p, int64_t since, json_object **found)
{
    char client[32], stamp[GL_TIME_UTC_LEN];
    json_object *rows = NULL;
    int64_t cid = 0;
    const char *subject = gl_json_str(p, "subject");
    int rc;

    *found = NULL;
    gl_json_int64(p, "client_id", &cid);
    snprintf(client, sizeof(client), "%" PRId64, cid);
    gl_time_format_utc(stamp, since - 300);
    {
        /* In any state: the user may have opened or sent the draft since it was made. */
        const char *query[] = {"client_id", client, "updated_since", stamp, NULL};
        if ((rc = gl_harvest_list(h, "/invoices", query, "invoices", "invoices", &rows)) < 0)
            return rc;
    }
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        json_object *inv = json_object_array_get_idx(rows, i);
        const char *s = gl_json_str(inv, "subject");
        if (s && subject && strcmp(s, subject) == 0) {
            *found = json_object_get(inv);
            break;
        }
    }
    json_object_put(rows);
    return *found ? GL_OK : gl_error_set(GL_ENOTFOUND, "no invoice \"%s\" yet", subject);
}

/* The draft exists: queue its sending when asked for (in one transaction with nothing else). */
static int after_draft(gl_store *store, const gl_outbox_item *item, json_object *p,
                       json_object *invoice)
{
    bool send = false;
    int64_t id = 0;
    json_object *m;
    char key[320];
    int rc;

    gl_json_bool(p, "gleaner_send", &send);
    gl_json_int64(invoice, "id", &id);
    gl_info("harvest: invoice draft %" PRId64 " \"%s\" is there", id,
            gl_json_str(invoice, "subject") ? gl_json_str(invoice, "subject") : "");
    if (!send)
        return GL_OK;
    m = json_object_new_object();
    json_object_object_add(m, "invoice_id", json_object_new_int64(id));
    json_object_object_add(m, "subject", json_object_new_string(gl_json_str(p, "subject")));
    json_object_object_add(m, "recipients",
                           json_object_get(gl_json_array(p, "gleaner_recipients")));
    snprintf(key, sizeof(key), "%s:send", item->dedupe_key);
    rc = gl_store_outbox_add(store, GL_OUTBOX_INVOICE_MESSAGE, key, gl_json_compact(m), NULL);
    json_object_put(m);
    return rc == GL_EEXISTS ? GL_OK : rc;
}

static int send_draft(gl_store *store, gl_harvest *h, const gl_outbox_item *item, json_object *p,
                      bool *permanent)
{
    json_object *body = NULL, *made = NULL;
    int rc;

    if (item->uncertain) {
        rc = find_draft(h, p, item->created_at, &made);
        if (rc == GL_OK) {
            rc = after_draft(store, item, p, made);
            json_object_put(made);
            return rc;
        }
        if (rc != GL_ENOTFOUND)
            return rc;
        gl_error_clear();
    }
    if ((rc = gl_json_parse(&body, item->payload, strlen(item->payload), "a queued invoice")) < 0)
        return rc;
    json_object_object_del(body, "gleaner_send");
    json_object_object_del(body, "gleaner_recipients");
    json_object_object_del(body, "gleaner_milestone");
    rc = gl_harvest_request(h, "POST", "/invoices", NULL, body, "invoice", &made);
    json_object_put(body);
    if (rc == GL_OK)
        rc = after_draft(store, item, p, made);
    else
        *permanent = refused(rc);
    json_object_put(made);
    return rc;
}

static int send_message(gl_harvest *h, const gl_outbox_item *item, json_object *p, bool *permanent)
{
    json_object *body = json_object_new_object(), *rec = json_object_new_array(), *inv = NULL,
                *made = NULL, *list = gl_json_array(p, "recipients");
    char path[64];
    int64_t id = 0;
    int rc;

    gl_json_int64(p, "invoice_id", &id);
    snprintf(path, sizeof(path), "/invoices/%" PRId64, id);
    /* Sent already (a lost answer, or Harvest's 422 that changed the state anyway)? */
    if (item->uncertain || item->attempts > 1) {
        rc = gl_harvest_request(h, "GET", path, NULL, NULL, "invoice", &inv);
        if (rc == GL_OK && gl_json_str(inv, "sent_at")) {
            json_object_put(inv);
            json_object_put(body);
            json_object_put(rec);
            return GL_OK;
        }
        json_object_put(inv);
        if (rc < 0) {
            /* Not known whether it went: sending again could mail the client twice. */
            json_object_put(body);
            json_object_put(rec);
            return rc;
        }
    }
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *r = json_object_new_object();
        json_object_object_add(r, "email", json_object_get(json_object_array_get_idx(list, i)));
        json_object_array_add(rec, r);
    }
    if (json_object_array_length(rec) == 0) {
        json_object_put(body);
        json_object_put(rec);
        *permanent = true;
        return gl_error_set(GL_ECONFIG, "the invoice should be sent but its milestone has no "
                                        "recipient");
    }
    json_object_object_add(body, "subject", json_object_new_string(gl_json_str(p, "subject")));
    json_object_object_add(body, "body",
                           json_object_new_string("Please find the invoice attached."));
    json_object_object_add(body, "recipients", rec);
    json_object_object_add(body, "attach_pdf", json_object_new_boolean(1));
    snprintf(path, sizeof(path), "/invoices/%" PRId64 "/messages", id);
    rc = gl_harvest_request(h, "POST", path, NULL, body, "invoice message", &made);
    if (rc == GL_EREJECTED) {
        /* Harvest has answered 422 to a send it carried out: the invoice says which. */
        char why[512];
        snprintf(why, sizeof(why), "%s", gl_error_last());
        snprintf(path, sizeof(path), "/invoices/%" PRId64, id);
        if (gl_harvest_request(h, "GET", path, NULL, NULL, "invoice", &inv) == GL_OK &&
            gl_json_str(inv, "sent_at")) {
            rc = GL_OK;
        } else {
            *permanent = true;
            gl_error_set(GL_EREJECTED, "%s", why);
        }
        json_object_put(inv);
    } else if (rc < 0) {
        *permanent = refused(rc);
    }
    json_object_put(made);
    json_object_put(body);
    return rc;
}

int gl_milestones_send(gl_cli *cli, gl_store *store, gl_harvest *h, const gl_outbox_item *item,
                       bool *permanent)
{
    json_object *p = NULL;
    int rc;

    (void)cli;
    *permanent = false;
    if ((rc = gl_json_parse(&p, item->payload, strlen(item->payload), "a queued invoice")) < 0) {
        *permanent = true;
        return rc;
    }
    if (strcmp(item->kind, GL_OUTBOX_INVOICE) == 0)
        rc = send_draft(store, h, item, p, permanent);
    else
        rc = send_message(h, item, p, permanent);
    json_object_put(p);
    return rc;
}
