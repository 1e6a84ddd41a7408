/*
 * nudges.c - today's gap, and the message that proposes to fill it.
 */
#include "nudges.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/catalog.h"
#include "agent/gaps.h"
#include "agent/notify.h"
#include "rules/nudge.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

void gl_nudges_result_clear(gl_nudges_result *r)
{
    free(r->title);
    free(r->text);
    memset(r, 0, sizeof(*r));
}

static int compose(gl_store *store, const char *day, gl_nudges_result *r)
{
    gl_proposal_list l = {0};
    gl_catalog *cat = NULL;
    gl_buf text = GL_BUF_INIT(0), ids = GL_BUF_INIT(0);
    int rc;

    if ((rc = gl_catalog_load(&cat, store)) < 0 ||
        (rc = gl_store_proposals(store, day, day, "proposed", &l)) < 0)
        goto done;
    gl_buf_printf(&text, "%.2f h of your expected time today is not tracked yet.", r->gap);
    for (size_t i = 0; i < l.n; i++) {
        const gl_proposal *p = &l.v[i];
        char what[200];
        gl_catalog_describe(cat, p->project_id, p->task_id, what, sizeof(what));
        gl_buf_printf(&text, "%s\n#%" PRId64 "  %.2f h  %s: %s",
                      i ? "" : "\n\ngleaner proposes:", p->id, p->hours, what,
                      p->notes && p->notes[0] ? p->notes : "(no notes)");
        if (p->project_id)
            gl_buf_printf(&ids, " %" PRId64, p->id);
        r->proposed += p->hours;
        r->proposals++;
    }
    if (ids.len)
        gl_buf_printf(&text,
                      "\n\nAccept them with: gleaner accept%s (then gleaner push), or go "
                      "through them with gleaner review.",
                      gl_buf_cstr(&ids));
    else if (l.n)
        gl_buf_puts(&text, "\n\nGive them a project with gleaner review.");
    else
        gl_buf_puts(&text, "\n\ngleaner has nothing to propose for it: track what you did in "
                           "Harvest, or check gleaner day.");
    r->title = gl_strdupf("%.2f h of today still untracked", r->gap);
    r->text = gl_buf_detach(&text);
    if (!r->title || !r->text)
        rc = gl_error_set(GL_ENOMEM, "out of memory");

done:
    gl_buf_dispose(&text);
    gl_buf_dispose(&ids);
    gl_proposal_list_clear(&l);
    gl_catalog_free(cat);
    return rc;
}

int gl_nudges_run(gl_cli *cli, gl_store *store, bool dry_run, gl_nudges_result *out)
{
    const gl_config *cfg;
    gl_window w;
    gl_gaps g = {0};
    gl_local_time lt;
    char *tz = NULL;
    int at = 17 * 60 + 30, rc;
    double min_gap = 0.5;

    memset(out, 0, sizeof(*out));
    if ((rc = gl_cli_config(cli, &cfg)) < 0 || (rc = gl_cli_today(cli, out->day)) < 0 ||
        (rc = gl_cli_timezone(cli, &tz)) < 0 ||
        (rc = gl_tz_to_local(&lt, tz, gl_clock_now(cli->clock))) < 0)
        goto done;
    gl_config_parse_clock(&at, gl_config_get(cfg, "nudge.at"));
    gl_config_get_number(cfg, "nudge.min-gap", &min_gap);
    if ((rc = gl_store_alert_exists(store, "nudge", "day", out->day, 0, &out->already)) < 0)
        goto done;
    if ((rc = gl_cli_window_of_days(cli, out->day, out->day, &w)) < 0 ||
        (rc = gl_gaps_compute(cli, store, &w, &g)) < 0)
        goto done;
    out->workday = g.n && g.days[0].workday;
    out->gap = g.n ? g.days[0].gap : 0;
    {
        gl_nudge_facts f = {.workday = out->workday,
                            .minute = lt.hour * 60 + lt.minute,
                            .at = at,
                            .gap = out->gap,
                            .min_gap = min_gap,
                            .sent = out->already};
        gl_nudge_decision d;
        gl_nudge_decide(&f, &d);
        out->due = d.due;
        snprintf(out->why, sizeof(out->why), "%s", d.why);
        if (d.worth_telling && (rc = compose(store, out->day, out)) < 0)
            goto done;
    }
    if (!out->due || dry_run)
        goto done;
    {
        gl_notice n = {.title = out->title, .text = out->text};
        char key[64];
        int64_t first = 0;
        snprintf(key, sizeof(key), "nudge:%s", out->day);
        if ((rc = gl_store_begin(store)) < 0)
            goto done;
        if ((rc = gl_notify_queue(cli, store, key, &n, NULL, 0, &first, NULL)) < 0 ||
            (rc = gl_store_alert_add(store, "nudge", "day", out->day, 0, first, "{}")) < 0) {
            gl_store_rollback(store);
            if (rc == GL_EEXISTS) { /* sent by another run meanwhile */
                gl_error_clear();
                rc = GL_OK;
                out->already = true;
            }
            goto done;
        }
        if ((rc = gl_store_commit(store)) == GL_OK)
            out->sent = true;
    }

done:
    gl_gaps_clear(&g);
    free(tz);
    return rc;
}

json_object *gl_nudges_json(const gl_nudges_result *r, bool dry_run)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "date", json_object_new_string(r->day));
    json_object_object_add(o, "dry_run", json_object_new_boolean(dry_run));
    json_object_object_add(o, "workday", json_object_new_boolean(r->workday));
    json_object_object_add(o, "gap_hours", gl_json_number(r->gap, 2));
    json_object_object_add(o, "proposed_hours", gl_json_number(r->proposed, 2));
    json_object_object_add(o, "proposals", json_object_new_int64((int64_t)r->proposals));
    json_object_object_add(o, "due", json_object_new_boolean(r->due));
    json_object_object_add(o, "sent", json_object_new_boolean(r->sent));
    json_object_object_add(o, "already_sent", json_object_new_boolean(r->already));
    json_object_object_add(o, "why", r->why[0] ? json_object_new_string(r->why) : NULL);
    json_object_object_add(o, "title", r->title ? json_object_new_string(r->title) : NULL);
    json_object_object_add(o, "text", r->text ? json_object_new_string(r->text) : NULL);
    return o;
}
