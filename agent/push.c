/*
 * push.c - the outbox sender for Harvest time entries.
 */
#include "push.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/propose.h"
#include "agent/signin.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

#define OUTBOX_KIND      "harvest.time_entry"
#define DEFAULT_ATTEMPTS 5
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS   30000

void gl_push_report_clear(gl_push_report *r)
{
    free(r->items);
    memset(r, 0, sizeof(*r));
}

static gl_push_item *add_item(gl_push_report *r, const char *key, json_object *payload)
{
    gl_push_item *v = realloc(r->items, (r->n + 1) * sizeof(*v)), *it;

    if (!v)
        return NULL;
    r->items = v;
    it = &v[r->n++];
    memset(it, 0, sizeof(*it));
    snprintf(it->key, sizeof(it->key), "%s", key);
    if (payload) {
        const char *day = gl_json_str(payload, "spent_date");
        snprintf(it->day, sizeof(it->day), "%s", day ? day : "");
        gl_json_double(payload, "hours", &it->hours);
        gl_json_int64(payload, "project_id", &it->project_id);
        gl_json_int64(payload, "task_id", &it->task_id);
    }
    return it;
}

static void set_outcome(gl_push_item *it, const char *outcome, const char *message)
{
    snprintf(it->outcome, sizeof(it->outcome), "%s", outcome);
    snprintf(it->message, sizeof(it->message), "%s", message ? message : "");
}

json_object *gl_push_report_json(const gl_push_report *r, bool dry_run)
{
    json_object *doc = json_object_new_object(), *arr = json_object_new_array();

    json_object_object_add(doc, "dry_run", json_object_new_boolean(dry_run));
    json_object_object_add(doc, "created", json_object_new_int64((int64_t)r->created));
    json_object_object_add(doc, "already_present",
                           json_object_new_int64((int64_t)r->already_present));
    json_object_object_add(doc, "failed", json_object_new_int64((int64_t)r->failed));
    json_object_object_add(doc, "pending", json_object_new_int64((int64_t)r->pending));
    if (dry_run)
        json_object_object_add(doc, "would_create",
                               json_object_new_int64((int64_t)r->would_create));
    for (size_t i = 0; i < r->n; i++) {
        const gl_push_item *it = &r->items[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "key", json_object_new_string(it->key));
        if (it->proposal_id)
            json_object_object_add(o, "proposal_id", json_object_new_int64(it->proposal_id));
        json_object_object_add(o, "date", json_object_new_string(it->day));
        json_object_object_add(o, "project_id", json_object_new_int64(it->project_id));
        json_object_object_add(o, "task_id", json_object_new_int64(it->task_id));
        json_object_object_add(o, "hours", gl_json_number(it->hours, 2));
        json_object_object_add(o, "outcome", json_object_new_string(it->outcome));
        if (it->entry_id)
            json_object_object_add(o, "harvest_entry_id", json_object_new_int64(it->entry_id));
        if (it->message[0])
            json_object_object_add(o, "message", json_object_new_string(it->message));
        json_object_array_add(arr, o);
    }
    json_object_object_add(doc, "entries", arr);
    return doc;
}

/* ------------------------------------------------------------ the body */

static void clock_text(char *out, size_t len, int hour, int minute, bool twelve)
{
    if (!twelve) {
        snprintf(out, len, "%02d:%02d", hour, minute);
        return;
    }
    snprintf(out, len, "%d:%02d%s", hour % 12 == 0 ? 12 : hour % 12, minute,
             hour < 12 ? "am" : "pm");
}

int gl_push_entry_body(json_object *payload, json_object *company, const char *tz,
                       json_object **out)
{
    json_object *body = NULL;
    bool stamps = false;
    int64_t first = 0;
    double hours = 0;
    int rc;

    *out = NULL;
    if ((rc = gl_json_parse(&body, gl_json_compact(payload), strlen(gl_json_compact(payload)),
                            "an outbox entry")) < 0)
        return rc;
    json_object_object_del(body, "gleaner_first_start");
    if (company)
        gl_json_bool(company, "wants_timestamp_timers", &stamps);
    if (stamps && gl_json_int64(payload, "gleaner_first_start", &first) &&
        gl_json_double(payload, "hours", &hours)) {
        /* Harvest wants a span: from the first source's start, as long as the hours. */
        const char *clock = gl_json_str(company, "clock");
        bool twelve = !clock || strcmp(clock, "24h") != 0;
        gl_local_time a;
        int from, to, minutes = (int)llround(hours * 60);
        char started[16], ended[16];

        if ((rc = gl_tz_to_local(&a, tz, first)) < 0) {
            json_object_put(body);
            return rc;
        }
        /*
         * On the wall clock, as Harvest counts the hours from the two times
         * (so a DST change inside the span changes nothing); an entry belongs
         * to one day, so a span that would pass midnight starts earlier instead
         * of losing hours.
         */
        from = a.hour * 60 + a.minute;
        if (minutes > 23 * 60 + 59)
            minutes = 23 * 60 + 59;
        if (from + minutes > 23 * 60 + 59)
            from = 23 * 60 + 59 - minutes;
        to = from + minutes;
        clock_text(started, sizeof(started), from / 60, from % 60, twelve);
        clock_text(ended, sizeof(ended), to / 60, to % 60, twelve);
        json_object_object_del(body, "hours");
        json_object_object_add(body, "started_time", json_object_new_string(started));
        json_object_object_add(body, "ended_time", json_object_new_string(ended));
    }
    *out = body;
    return GL_OK;
}

/* ------------------------------------------------------------- sending */

typedef struct sender {
    gl_cli *cli;
    gl_store *store;
    gl_harvest *h;
    int64_t user_id;
    json_object *company;
    char *tz;
    int max_attempts;
    gl_push_report *rep;
} sender;

/* Record a made entry: outbox, proposal and mirror in one transaction. */
static int finish(sender *s, const gl_outbox_item *item, json_object *entry, gl_push_item *it)
{
    gl_proposal p = {0};
    char *sync_text = NULL, result[64];
    int64_t entry_id = 0, sync = 0;
    int rc;

    gl_json_int64(entry, "id", &entry_id);
    it->entry_id = entry_id;
    snprintf(result, sizeof(result), "{\"harvest_entry_id\":%" PRId64 "}", entry_id);
    if (gl_store_state_get(s->store, "harvest", "mirror.sync", &sync_text) == GL_OK) {
        gl_parse_int64(&sync, sync_text);
        free(sync_text);
    } else {
        gl_error_clear();
    }
    if ((rc = gl_store_begin(s->store)) < 0)
        return rc;
    if ((rc = gl_store_outbox_done(s->store, item->id, result)) < 0)
        goto fail;
    rc = gl_store_proposal_find(s->store, item->dedupe_key, &p);
    if (rc == GL_OK) {
        it->proposal_id = p.id;
        snprintf(p.status, sizeof(p.status), "pushed");
        p.harvest_entry_id = entry_id;
        free(p.push_error);
        p.push_error = NULL;
        rc = gl_store_proposal_update(s->store, &p, false);
    } else if (rc == GL_ENOTFOUND) {
        gl_error_clear();
        rc = GL_OK;
    }
    if (rc < 0 ||
        (rc = gl_store_mirror_put(s->store, GL_MIRROR_TIME_ENTRIES, entry, sync, NULL)) < 0)
        goto fail;
    gl_proposal_clear(&p);
    return gl_store_commit(s->store);
fail:
    gl_proposal_clear(&p);
    gl_store_rollback(s->store);
    return rc;
}

/* Harvest refused the entry for good: the proposal goes back to the user. */
static int refuse(sender *s, const gl_outbox_item *item, const char *message, gl_push_item *it)
{
    gl_proposal p = {0};
    int rc;

    if ((rc = gl_store_begin(s->store)) < 0)
        return rc;
    if ((rc = gl_store_outbox_fail(s->store, item->id, message)) < 0)
        goto fail;
    rc = gl_store_proposal_find(s->store, item->dedupe_key, &p);
    if (rc == GL_OK) {
        it->proposal_id = p.id;
        snprintf(p.status, sizeof(p.status), "proposed");
        free(p.push_error);
        p.push_error = gl_strdup(message);
        rc = gl_store_proposal_update(s->store, &p, false);
    } else if (rc == GL_ENOTFOUND) {
        gl_error_clear();
        rc = GL_OK;
    }
    if (rc < 0)
        goto fail;
    gl_proposal_clear(&p);
    return gl_store_commit(s->store);
fail:
    gl_proposal_clear(&p);
    gl_store_rollback(s->store);
    return rc;
}

/* The request may have reached Harvest: it must be looked up before any resend. */
static bool outcome_unknown(int rc)
{
    return rc == GL_ETIMEOUT || rc == GL_ENETWORK || rc == GL_EREMOTE || rc == GL_EBADDATA ||
           rc == GL_ERROR;
}

/* The run cannot go on: the token is refused. */
static bool fatal(int rc)
{
    return rc == GL_EAUTH || rc == GL_ENOMEM || rc == GL_ESTORE;
}

static int64_t backoff(int attempt)
{
    return gl_backoff(BACKOFF_FIRST_MS, BACKOFF_MAX_MS, attempt);
}

static int send_one(sender *s, gl_outbox_item *item)
{
    json_object *payload = NULL, *body = NULL, *entry = NULL;
    gl_push_item *it;
    bool uncertain = item->uncertain;
    char message[320] = "";
    int rc = GL_OK;

    if (gl_json_parse(&payload, item->payload, strlen(item->payload), "an outbox entry") < 0 ||
        !json_object_is_type(payload, json_type_object)) {
        json_object_put(payload);
        it = add_item(s->rep, item->dedupe_key, NULL);
        s->rep->failed++;
        if (it)
            set_outcome(it, "failed", "the queued entry is not readable JSON");
        return refuse(s, item, "the queued entry is not readable JSON",
                      it ? it : &(gl_push_item){0});
    }
    if (!(it = add_item(s->rep, item->dedupe_key, payload))) {
        json_object_put(payload);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    if (!gl_json_get(payload, "user_id") && s->user_id)
        json_object_object_add(payload, "user_id", json_object_new_int64(s->user_id));
    if ((rc = gl_push_entry_body(payload, s->company, s->tz, &body)) < 0)
        goto done;

    for (int attempt = 1; attempt <= s->max_attempts; attempt++) {
        if (attempt > 1) {
            int64_t wait = backoff(attempt - 1);
            gl_info("harvest: %s; trying %s again in %.0f s", message, item->dedupe_key,
                    (double)wait / 1000);
            gl_clock_sleep_ms(s->cli->clock, wait);
        }
        if (uncertain) {
            rc = gl_harvest_find_by_reference(s->h, item->dedupe_key, s->user_id, &entry);
            if (rc == GL_OK) {
                gl_info("harvest: %s was already created (entry found by its reference)",
                        item->dedupe_key);
                if ((rc = finish(s, item, entry, it)) == GL_OK) {
                    set_outcome(it, "already_present", NULL);
                    s->rep->already_present++;
                }
                goto done;
            }
            if (rc != GL_ENOTFOUND) {
                snprintf(message, sizeof(message), "%s", gl_error_last());
                if (fatal(rc))
                    break;
                continue; /* the lookup failed: still unknown */
            }
            gl_error_clear();
        }
        rc = gl_harvest_create_time_entry(s->h, body, &entry);
        if (rc == GL_OK) {
            if ((rc = finish(s, item, entry, it)) == GL_OK) {
                set_outcome(it, "created", NULL);
                s->rep->created++;
            }
            goto done;
        }
        snprintf(message, sizeof(message), "%s", gl_error_last());
        if (outcome_unknown(rc)) {
            uncertain = true;
            continue;
        }
        if (rc == GL_ERATELIMIT)
            continue;
        if (fatal(rc))
            break;
        /* Refused: 422, 403 (a locked day), 404 (a project gone), 409. */
        s->rep->failed++;
        set_outcome(it, "failed", message);
        rc = refuse(s, item, message, it);
        goto done;
    }
    /* Not settled in this run: due again later, still "unknown" if it was. */
    {
        int keep = rc;
        set_outcome(it, "pending", message);
        s->rep->pending++;
        if ((rc = gl_store_outbox_retry(
                 s->store, item->id, gl_clock_now(s->cli->clock) + backoff(item->attempts) / 1000,
                 message, uncertain)) == GL_OK &&
            fatal(keep))
            rc = gl_error_set(keep, "%s", message);
    }

done:
    json_object_put(entry);
    json_object_put(body);
    json_object_put(payload);
    return rc;
}

static int list_pending(void *payload, const gl_outbox_item *item, const char *status,
                        const char *last_error)
{
    gl_push_report *r = payload;
    json_object *p = NULL;
    gl_push_item *it;

    if (strcmp(status, "failed") == 0)
        return 0;
    if (gl_json_parse(&p, item->payload, strlen(item->payload), "an outbox entry") < 0)
        gl_error_clear();
    if (!(it = add_item(r, item->dedupe_key, p))) {
        json_object_put(p);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    set_outcome(it, "would_create",
                item->uncertain ? "an earlier send may have reached Harvest: it will be looked up "
                                  "first"
                                : last_error);
    r->would_create++;
    json_object_put(p);
    return 0;
}

static int load_company(sender *s)
{
    char *text = NULL;
    int rc = gl_store_state_get(s->store, "harvest", "company", &text);

    if (rc == GL_OK) {
        rc = gl_json_parse(&s->company, text, strlen(text), "the mirrored company");
        free(text);
        if (rc == GL_OK && json_object_is_type(s->company, json_type_object))
            return GL_OK;
        json_object_put(s->company);
        s->company = NULL;
    }
    gl_error_clear();
    return gl_harvest_company(s->h, &s->company);
}

int gl_push_run(gl_cli *cli, gl_store *store, const gl_push_options *opts, gl_push_report *out)
{
    gl_signin *si = NULL;
    json_object *me = NULL;
    char *lock_path = NULL;
    int lock = -1, rc;
    sender s = {.cli = cli, .store = store, .rep = out};

    memset(out, 0, sizeof(*out));
    if (opts->dry_run)
        return gl_store_outbox_list(store, OUTBOX_KIND, list_pending, out);
    s.max_attempts = opts->max_attempts > 0 ? opts->max_attempts : DEFAULT_ATTEMPTS;
    if (!(lock_path = gl_strdupf("%s.push.lock", gl_store_file(store))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    if ((rc = gl_fs_lock(lock_path, "another gleaner push", &lock)) < 0)
        goto done;
    /* Nothing due: no sign-in, no request (the daemon pushes every few minutes). */
    {
        int64_t due = 0;
        if ((rc = gl_store_outbox_due(store, OUTBOX_KIND, &due)) < 0 || due == 0)
            goto done;
    }
    if ((rc = gl_signin_harvest(cli, &si)) < 0)
        goto done;
    s.h = si->harvest;
    if ((rc = gl_cli_timezone(cli, &s.tz)) < 0)
        goto done;
    if (gl_store_mirror_me(store, &me) < 0) {
        gl_error_clear();
        if ((rc = gl_harvest_me(s.h, &me)) < 0)
            goto done;
    }
    gl_json_int64(me, "id", &s.user_id);
    if ((rc = load_company(&s)) < 0)
        goto done;
    for (;;) {
        gl_outbox_item *item = NULL;
        rc = gl_store_outbox_claim(store, OUTBOX_KIND, &item);
        if (rc == GL_ENOTFOUND) {
            gl_error_clear();
            rc = GL_OK;
            break;
        }
        if (rc < 0)
            break;
        rc = send_one(&s, item);
        gl_outbox_item_free(item);
        if (rc < 0)
            break;
    }

done:
    /*
     * What is still queued (due later, or left behind by a run that could
     * not go on) is counted, keeping the error that stopped the run.
     */
    {
        gl_push_report later = {0};
        char why[1024] = ""; /* as long as an error message can be */
        if (rc < 0)
            snprintf(why, sizeof(why), "%s", gl_error_last());
        if (gl_store_outbox_list(store, OUTBOX_KIND, list_pending, &later) == GL_OK) {
            for (size_t i = 0; i < later.n; i++) {
                bool seen = false;
                for (size_t j = 0; j < out->n && !seen; j++)
                    seen = strcmp(out->items[j].key, later.items[i].key) == 0;
                if (!seen)
                    out->pending++;
            }
        }
        gl_push_report_clear(&later);
        if (rc < 0)
            gl_error_set(rc, "%s", why);
        else
            gl_error_clear();
    }
    json_object_put(me);
    json_object_put(s.company);
    free(s.tz);
    gl_signin_free(si);
    gl_fs_unlock(lock);
    free(lock_path);
    return rc;
}
