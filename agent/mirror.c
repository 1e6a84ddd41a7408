/*
 * mirror.c - syncing the Harvest mirror.
 */
#include "mirror.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

/* updated_since is re-read this far back: clocks differ and writes land late. */
#define UPDATED_MARGIN_S 300

static const char *const labels[GL_MIRROR__COUNT] = {
    "users", "clients", "projects", "tasks", "task_assignments", "user_assignments", "time_entries",
};

const char *gl_mirror_label(gl_mirror_kind kind)
{
    return labels[kind];
}

typedef struct fetched {
    json_object *rows[GL_MIRROR__COUNT]; /* arrays; NULL: not listed, keep what is stored */
    json_object *company;
    int64_t me;
} fetched;

static void fetched_free(fetched *f)
{
    for (int i = 0; i < GL_MIRROR__COUNT; i++)
        json_object_put(f->rows[i]);
    json_object_put(f->company);
}

static int add_unique(json_object *arr, json_object *obj)
{
    int64_t id, other;

    if (!gl_json_int64(obj, "id", &id))
        return GL_OK;
    for (size_t i = 0; i < json_object_array_length(arr); i++)
        if (gl_json_int64(json_object_array_get_idx(arr, i), "id", &other) && other == id)
            return GL_OK;
    return json_object_array_add(arr, json_object_get(obj)) == 0
               ? GL_OK
               : gl_error_set(GL_ENOMEM, "out of memory");
}

/*
 * What a member can see: their project assignments, each with its project,
 * client and task assignments.  Reshaped into the tables an administrator's
 * sync fills, so nothing downstream needs to know the difference.
 */
static int fetch_as_member(gl_harvest *h, fetched *f, json_object *me)
{
    json_object *assignments = NULL;
    int rc;

    if ((rc = gl_harvest_list(h, "/users/me/project_assignments", NULL, "project_assignments",
                              "project assignments", &assignments)) < 0)
        return rc;
    for (int k = GL_MIRROR_USERS; k <= GL_MIRROR_USER_ASSIGNMENTS; k++) {
        json_object_put(f->rows[k]);
        f->rows[k] = json_object_new_array();
    }
    add_unique(f->rows[GL_MIRROR_USERS], me);
    for (size_t i = 0; i < json_object_array_length(assignments); i++) {
        json_object *pa = json_object_array_get_idx(assignments, i);
        json_object *project = gl_json_object(pa, "project"),
                    *client = gl_json_object(pa, "client");
        json_object *tas = gl_json_array(pa, "task_assignments"), *p, *ua, *user;
        bool active = true;

        if (!project)
            continue;
        gl_json_bool(pa, "is_active", &active);
        p = json_object_new_object();
        json_object_object_foreach(project, key, value)
        {
            json_object_object_add(p, key, json_object_get(value));
        }
        if (client)
            json_object_object_add(p, "client", json_object_get(client));
        json_object_object_add(p, "is_active", json_object_new_boolean(active));
        add_unique(f->rows[GL_MIRROR_PROJECTS], p);
        if (client)
            add_unique(f->rows[GL_MIRROR_CLIENTS], client);

        ua = json_object_new_object();
        json_object_object_foreach(pa, akey, avalue)
        {
            if (strcmp(akey, "task_assignments") != 0 && strcmp(akey, "client") != 0)
                json_object_object_add(ua, akey, json_object_get(avalue));
        }
        user = json_object_new_object();
        json_object_object_add(user, "id", json_object_new_int64(f->me));
        json_object_object_add(ua, "user", user);
        add_unique(f->rows[GL_MIRROR_USER_ASSIGNMENTS], ua);
        json_object_put(ua);

        for (size_t t = 0; tas && t < json_object_array_length(tas); t++) {
            json_object *ta = json_object_array_get_idx(tas, t), *copy, *task;
            copy = json_object_new_object();
            json_object_object_foreach(ta, tkey, tvalue)
            {
                json_object_object_add(copy, tkey, json_object_get(tvalue));
            }
            json_object_object_add(copy, "project", json_object_get(project));
            add_unique(f->rows[GL_MIRROR_TASK_ASSIGNMENTS], copy);
            json_object_put(copy);
            if ((task = gl_json_object(ta, "task")))
                add_unique(f->rows[GL_MIRROR_TASKS], task);
        }
        json_object_put(p);
    }
    json_object_put(assignments);
    return GL_OK;
}

static int fetch_tables(gl_harvest *h, fetched *f, json_object *me, bool *member)
{
    static const struct {
        gl_mirror_kind kind;
        const char *path, *key;
    } lists[] = {
        {GL_MIRROR_CLIENTS, "/clients", "clients"},
        {GL_MIRROR_PROJECTS, "/projects", "projects"},
        {GL_MIRROR_TASKS, "/tasks", "tasks"},
        {GL_MIRROR_TASK_ASSIGNMENTS, "/task_assignments", "task_assignments"},
        {GL_MIRROR_USER_ASSIGNMENTS, "/user_assignments", "user_assignments"},
        {GL_MIRROR_USERS, "/users", "users"},
    };
    int rc;

    *member = false;
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        rc = gl_harvest_list(h, lists[i].path, NULL, lists[i].key, lists[i].key,
                             &f->rows[lists[i].kind]);
        if (rc == GL_EFORBIDDEN && lists[i].kind == GL_MIRROR_USERS) {
            /* A manager without teammates: the team is just the user. */
            gl_error_clear();
            f->rows[GL_MIRROR_USERS] = json_object_new_array();
            add_unique(f->rows[GL_MIRROR_USERS], me);
            continue;
        }
        if (rc == GL_EFORBIDDEN) {
            gl_info("harvest: this user may not list %s; mirroring their own project "
                    "assignments instead",
                    lists[i].key);
            gl_error_clear();
            *member = true;
            return fetch_as_member(h, f, me);
        }
        if (rc < 0)
            return rc;
    }
    return add_unique(f->rows[GL_MIRROR_USERS], me);
}

/* The newest updated_at in `rows`, into `mark` if newer (ISO 8601 Z sorts as text). */
static void newest_update(json_object *rows, char *mark, size_t len)
{
    for (size_t i = 0; rows && i < json_object_array_length(rows); i++) {
        const char *u = gl_json_str(json_object_array_get_idx(rows, i), "updated_at");
        if (u && strlen(u) < len && strcmp(u, mark) > 0)
            snprintf(mark, len, "%s", u);
    }
}

static int fetch_entries(gl_store *store, gl_harvest *h, fetched *f, gl_mirror_stats *stats,
                         char *mark, size_t mark_len)
{
    char uid[32], since[32] = "";
    char *stored = NULL;
    json_object *window = NULL, *changed = NULL;
    int rc;

    snprintf(uid, sizeof(uid), "%" PRId64, f->me);
    if (gl_store_state_get(store, "harvest", "time_entries.updated_since", &stored) == GL_OK) {
        int64_t t;
        if (gl_time_parse_utc(&t, stored) == GL_OK)
            gl_time_format_utc(since, t - UPDATED_MARGIN_S);
        snprintf(mark, mark_len, "%s", stored);
        free(stored);
    } else {
        gl_error_clear();
    }
    {
        const char *query[] = {"user_id", uid, "from", stats->from, "to", stats->to, NULL};
        if ((rc = gl_harvest_list(h, "/time_entries", query, "time_entries", "time entries",
                                  &window)) < 0)
            return rc;
    }
    if (since[0]) {
        const char *query[] = {"user_id", uid, "updated_since", since, NULL};
        if ((rc = gl_harvest_list(h, "/time_entries", query, "time_entries", "time entries",
                                  &changed)) < 0) {
            json_object_put(window);
            return rc;
        }
        for (size_t i = 0; i < json_object_array_length(changed); i++)
            add_unique(window, json_object_array_get_idx(changed, i));
        json_object_put(changed);
    }
    newest_update(window, mark, mark_len);
    f->rows[GL_MIRROR_TIME_ENTRIES] = window;
    return GL_OK;
}

static int write_all(gl_store *store, const fetched *f, gl_mirror_stats *stats, const char *mark,
                     bool history_read)
{
    char *text = NULL, number[32];
    int64_t sync = 0;
    int rc;

    if (gl_store_state_get(store, "harvest", "mirror.sync", &text) == GL_OK) {
        gl_parse_int64(&sync, text);
        free(text);
    } else {
        gl_error_clear();
    }
    sync++;
    for (int k = 0; k < GL_MIRROR__COUNT; k++) {
        json_object *rows = f->rows[k];
        if (!rows)
            continue;
        for (size_t i = 0; i < json_object_array_length(rows); i++) {
            int change = GL_MIRROR_SAME;
            if ((rc = gl_store_mirror_put(store, (gl_mirror_kind)k,
                                          json_object_array_get_idx(rows, i), sync, &change)) < 0)
                return rc;
            stats->seen[k]++;
            if (change == GL_MIRROR_ADDED)
                stats->added[k]++;
            else if (change == GL_MIRROR_CHANGED)
                stats->changed[k]++;
        }
        if (k == GL_MIRROR_TIME_ENTRIES)
            rc = gl_store_mirror_prune_entries(store, f->me, stats->from, stats->to, sync,
                                               &stats->deleted[k]);
        else
            rc = gl_store_mirror_prune(store, (gl_mirror_kind)k, sync, &stats->deleted[k]);
        if (rc < 0)
            return rc;
    }
    snprintf(number, sizeof(number), "%" PRId64, sync);
    if ((rc = gl_store_mirror_set_me(store, f->me)) < 0 ||
        (rc = gl_store_state_set(store, "harvest", "mirror.sync", number)) < 0 ||
        (rc = gl_store_state_set(store, "harvest", "company", gl_json_compact(f->company))) < 0)
        return rc;
    if (mark[0] &&
        (rc = gl_store_state_set(store, "harvest", "time_entries.updated_since", mark)) < 0)
        return rc;
    if (history_read &&
        (rc = gl_store_state_set(store, "harvest", "time_entries.history", "read")) < 0)
        return rc;
    return GL_OK;
}

int gl_mirror_harvest(gl_store *store, gl_harvest *h, const gl_mirror_options *opts,
                      gl_mirror_stats *stats)
{
    fetched f;
    json_object *me = NULL;
    char *last = NULL, mark[32] = "";
    int rc;

    memset(&f, 0, sizeof(f));
    memset(stats, 0, sizeof(*stats));
    /* A first sync limited by --from has not read the history; the next one will. */
    if (gl_store_state_get(store, "harvest", "time_entries.history", &last) == GL_OK) {
        free(last);
    } else {
        gl_error_clear();
        stats->first = true;
    }
    if (opts->from)
        snprintf(stats->from, sizeof(stats->from), "%s", opts->from);
    else
        gl_date_shift(stats->from, opts->today,
                      stats->first ? -GL_MIRROR_HISTORY_DAYS : -GL_MIRROR_WINDOW_DAYS);
    if (opts->to)
        snprintf(stats->to, sizeof(stats->to), "%s", opts->to);
    else
        gl_date_shift(stats->to, opts->today, 7);

    if ((rc = gl_harvest_me(h, &me)) < 0 || (rc = gl_harvest_company(h, &f.company)) < 0)
        goto done;
    if (!gl_json_int64(me, "id", &f.me)) {
        rc = gl_error_set(GL_EBADDATA, "Harvest's /users/me has no id");
        goto done;
    }
    stats->user_id = f.me;
    if ((rc = fetch_tables(h, &f, me, &stats->member)) < 0 ||
        (rc = fetch_entries(store, h, &f, stats, mark, sizeof(mark))) < 0)
        goto done;
    /*
     * No entry to date the mark by (a new account): start from now, less the
     * margin, so an entry back-dated later still arrives through updated_since.
     */
    if (!mark[0] && opts->now > 0)
        gl_time_format_utc(mark, opts->now - UPDATED_MARGIN_S);

    if ((rc = gl_store_begin(store)) < 0)
        goto done;
    if ((rc = write_all(store, &f, stats, mark, stats->first && !opts->from)) < 0 ||
        opts->dry_run) {
        gl_store_rollback(store);
        goto done;
    }
    rc = gl_store_commit(store);

done:
    json_object_put(me);
    fetched_free(&f);
    return rc;
}
