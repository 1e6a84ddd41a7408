/*
 * catalog.c - lookups over the Harvest mirror.  The tables are small (tens
 * to hundreds of rows), so they stay as the JSON the mirror holds and are
 * scanned.
 */
#include "catalog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/str.h"

typedef struct usage {
    int64_t project_id, task_id;
    double hours;
} usage;

struct gl_catalog {
    json_object *projects, *tasks, *task_assignments, *user_assignments, *me;
    int64_t me_id;
    usage *used; /* hours per project and task in the user's history */
    size_t nused, capused;
};

static int64_t id_of(json_object *o)
{
    int64_t id = 0;
    gl_json_int64(o, "id", &id);
    return id;
}

static int64_t nested_id(json_object *o, const char *member)
{
    return id_of(gl_json_object(o, member));
}

static bool active(json_object *o)
{
    bool a = true;
    gl_json_bool(o, "is_active", &a);
    return a;
}

static json_object *by_id(json_object *arr, int64_t id)
{
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
        if (id_of(json_object_array_get_idx(arr, i)) == id)
            return json_object_array_get_idx(arr, i);
    return NULL;
}

static int add_usage(void *payload, int64_t project_id, int64_t task_id, double hours)
{
    gl_catalog *c = payload;
    int rc = gl_grow(&c->used, &c->capused, c->nused + 1, sizeof(*c->used));

    if (rc < 0)
        return rc;
    c->used[c->nused++] = (usage){project_id, task_id, hours};
    return 0;
}

int gl_catalog_load(gl_catalog **out, gl_store *store)
{
    gl_catalog *c = calloc(1, sizeof(*c));
    int rc;

    *out = NULL;
    if (!c)
        return gl_error_set(GL_ENOMEM, "out of memory");
    if ((rc = gl_store_mirror_rows(store, GL_MIRROR_PROJECTS, &c->projects)) < 0 ||
        (rc = gl_store_mirror_rows(store, GL_MIRROR_TASKS, &c->tasks)) < 0 ||
        (rc = gl_store_mirror_rows(store, GL_MIRROR_TASK_ASSIGNMENTS, &c->task_assignments)) < 0 ||
        (rc = gl_store_mirror_rows(store, GL_MIRROR_USER_ASSIGNMENTS, &c->user_assignments)) < 0)
        goto fail;
    rc = gl_store_mirror_me(store, &c->me);
    if (rc == GL_ENOTFOUND) {
        gl_error_clear();
    } else if (rc < 0) {
        goto fail;
    } else {
        c->me_id = id_of(c->me);
        if ((rc = gl_store_mirror_usage(store, c->me_id, add_usage, c)) < 0)
            goto fail;
    }
    *out = c;
    return GL_OK;
fail:
    gl_catalog_free(c);
    return rc;
}

void gl_catalog_free(gl_catalog *c)
{
    if (!c)
        return;
    json_object_put(c->projects);
    json_object_put(c->tasks);
    json_object_put(c->task_assignments);
    json_object_put(c->user_assignments);
    json_object_put(c->me);
    free(c->used);
    free(c);
}

bool gl_catalog_known(const gl_catalog *c)
{
    return json_object_array_length(c->projects) > 0;
}

int64_t gl_catalog_me(const gl_catalog *c)
{
    return c->me_id;
}

bool gl_catalog_weekly_capacity(const gl_catalog *c, double *hours)
{
    int64_t seconds;

    if (!c->me || !gl_json_int64(c->me, "weekly_capacity", &seconds))
        return false;
    *hours = (double)seconds / 3600.0;
    return true;
}

const char *gl_catalog_project_name(const gl_catalog *c, int64_t id)
{
    return gl_json_str(by_id(c->projects, id), "name");
}

const char *gl_catalog_project_code(const gl_catalog *c, int64_t id)
{
    const char *code = gl_json_str(by_id(c->projects, id), "code");
    return code && code[0] ? code : NULL;
}

const char *gl_catalog_client_name(const gl_catalog *c, int64_t id)
{
    return gl_json_str(gl_json_object(by_id(c->projects, id), "client"), "name");
}

const char *gl_catalog_task_name(const gl_catalog *c, int64_t id)
{
    const char *name = gl_json_str(by_id(c->tasks, id), "name");

    /* A member's mirror has tasks only inside the task assignments. */
    for (size_t i = 0; !name && i < json_object_array_length(c->task_assignments); i++) {
        json_object *ta = json_object_array_get_idx(c->task_assignments, i);
        if (nested_id(ta, "task") == id)
            name = gl_json_str(gl_json_object(ta, "task"), "name");
    }
    return name;
}

/* A positive integer, as a person would type an id. */
static bool numeric_id(const char *text, int64_t *id)
{
    return text[0] >= '0' && text[0] <= '9' && gl_parse_int64(id, text) == GL_OK && *id > 0;
}

static int ambiguous(const char *what, const char *text, const char *kind, const gl_buf *names,
                     size_t n)
{
    if (n == 0)
        return gl_error_set(GL_ECONFIG, "%s = '%s' matches no %s in the Harvest mirror%s", what,
                            text, kind,
                            " (check the spelling, or run gleaner sync harvest to refresh it)");
    return gl_error_set(GL_ECONFIG, "%s = '%s' matches %zu %ss: %s; use the id%s", what, text, n,
                        kind, names->ptr ? names->ptr : "",
                        strcmp(kind, "project") == 0 ? " or the code" : "");
}

int gl_catalog_find_project(const gl_catalog *c, const char *text, const char *what,
                            int64_t *project_id)
{
    gl_buf names = GL_BUF_INIT(256);
    int64_t found = 0;
    size_t n = 0;
    int rc;

    *project_id = 0;
    if (!text || !text[0])
        return gl_error_set(GL_ECONFIG, "%s is empty; name a Harvest project", what);
    if (numeric_id(text, project_id))
        return GL_OK;
    if (!gl_catalog_known(c))
        return gl_error_set(GL_ECONFIG,
                            "%s = '%s' names a project, but the Harvest mirror is empty: run "
                            "gleaner sync harvest, or give the project's id",
                            what, text);
    /* A code is exact and unique; then names, active ones before archived. */
    for (int pass = 0; pass < 3 && n == 0; pass++) {
        for (size_t i = 0; i < json_object_array_length(c->projects); i++) {
            json_object *p = json_object_array_get_idx(c->projects, i);
            const char *field = gl_json_str(p, pass == 0 ? "code" : "name");
            if (!field || strcasecmp(field, text) != 0 || (pass == 1 && !active(p)) ||
                (pass == 2 && active(p)))
                continue;
            found = id_of(p);
            gl_buf_printf(&names, "%s%s (%" PRId64 ")", n ? ", " : "", gl_json_str(p, "name"),
                          found);
            n++;
        }
    }
    if (n == 1) {
        *project_id = found;
        rc = GL_OK;
    } else {
        rc = ambiguous(what, text, "project", &names, n);
    }
    gl_buf_dispose(&names);
    return rc;
}

/* The tasks assigned to `project_id` in the mirror: ids into ids[] (up to max). */
static size_t assigned_tasks(const gl_catalog *c, int64_t project_id, int64_t *ids, bool *open,
                             size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < json_object_array_length(c->task_assignments) && n < max; i++) {
        json_object *ta = json_object_array_get_idx(c->task_assignments, i);
        if (nested_id(ta, "project") != project_id)
            continue;
        ids[n] = nested_id(ta, "task");
        open[n] = active(ta);
        n++;
    }
    return n;
}

int gl_catalog_find_task(const gl_catalog *c, int64_t project_id, const char *text,
                         const char *what, int64_t *task_id)
{
    int64_t ids[256], found = 0;
    bool open[256];
    size_t nassigned, n = 0;
    gl_buf names = GL_BUF_INIT(256);
    int rc;

    *task_id = 0;
    if (!text || !text[0])
        return gl_error_set(GL_ECONFIG, "%s is empty; name a Harvest task", what);
    if (numeric_id(text, task_id))
        return GL_OK;
    if (!gl_catalog_known(c))
        return gl_error_set(GL_ECONFIG,
                            "%s = '%s' names a task, but the Harvest mirror is empty: run "
                            "gleaner sync harvest, or give the task's id",
                            what, text);
    nassigned = assigned_tasks(c, project_id, ids, open, 256);
    for (size_t i = 0; i < nassigned; i++) {
        const char *name = gl_catalog_task_name(c, ids[i]);
        if (name && strcasecmp(name, text) == 0) {
            found = ids[i];
            gl_buf_printf(&names, "%s%s (%" PRId64 ")", n ? ", " : "", name, found);
            n++;
        }
    }
    if (nassigned == 0) {
        for (size_t i = 0; i < json_object_array_length(c->tasks); i++) {
            json_object *t = json_object_array_get_idx(c->tasks, i);
            const char *name = gl_json_str(t, "name");
            if (name && strcasecmp(name, text) == 0) {
                found = id_of(t);
                gl_buf_printf(&names, "%s%s (%" PRId64 ")", n ? ", " : "", name, found);
                n++;
            }
        }
    }
    if (n == 1) {
        *task_id = found;
        rc = GL_OK;
    } else if (n == 0 && nassigned) {
        char project[160];
        gl_catalog_describe(c, project_id, 0, project, sizeof(project));
        gl_buf_clear(&names);
        for (size_t i = 0; i < nassigned; i++) {
            const char *name = gl_catalog_task_name(c, ids[i]);
            gl_buf_printf(&names, "%s%s", i ? ", " : "", name ? name : "?");
        }
        rc = gl_error_set(GL_ECONFIG, "%s = '%s' is not a task of %s (its tasks: %s)", what, text,
                          project, names.ptr ? names.ptr : "");
    } else {
        rc = ambiguous(what, text, "task", &names, n);
    }
    gl_buf_dispose(&names);
    return rc;
}

int64_t gl_catalog_usual_task(const gl_catalog *c, int64_t project_id)
{
    int64_t ids[256], best = 0, only = 0;
    bool open[256];
    double most = 0;
    size_t n, nopen = 0;

    for (size_t i = 0; i < c->nused; i++) {
        if (c->used[i].project_id == project_id && c->used[i].hours > most &&
            gl_catalog_open(c, project_id, c->used[i].task_id)) {
            most = c->used[i].hours;
            best = c->used[i].task_id;
        }
    }
    if (best)
        return best;
    n = assigned_tasks(c, project_id, ids, open, 256);
    for (size_t i = 0; i < n; i++) {
        if (open[i]) {
            only = ids[i];
            nopen++;
        }
    }
    return nopen == 1 ? only : 0;
}

bool gl_catalog_open(const gl_catalog *c, int64_t project_id, int64_t task_id)
{
    json_object *p = by_id(c->projects, project_id);
    int64_t ids[256];
    bool open[256], user_known = false, user_ok = false;
    size_t n;

    if (!gl_catalog_known(c))
        return true;
    if (!p || !active(p))
        return false;
    n = assigned_tasks(c, project_id, ids, open, 256);
    if (n) {
        bool ok = false;
        for (size_t i = 0; i < n && !ok; i++)
            ok = ids[i] == task_id && open[i];
        if (!ok)
            return false;
    }
    for (size_t i = 0; c->me_id && i < json_object_array_length(c->user_assignments); i++) {
        json_object *ua = json_object_array_get_idx(c->user_assignments, i);
        if (nested_id(ua, "user") != c->me_id)
            continue;
        user_known = true;
        if (nested_id(ua, "project") == project_id && active(ua))
            user_ok = true;
    }
    return !user_known || user_ok;
}

size_t gl_catalog_open_tasks(const gl_catalog *c, int64_t project_id, int64_t *ids, size_t max)
{
    int64_t all[256];
    bool open[256];
    size_t n = assigned_tasks(c, project_id, all, open, 256), got = 0;

    for (size_t i = 0; i < n && got < max; i++)
        if (open[i] && gl_catalog_open(c, project_id, all[i]))
            ids[got++] = all[i];
    return got;
}

void gl_catalog_describe(const gl_catalog *c, int64_t project_id, int64_t task_id, char *out,
                         size_t len)
{
    const char *p = gl_catalog_project_name(c, project_id);
    const char *t = task_id ? gl_catalog_task_name(c, task_id) : NULL;
    char pbuf[32], tbuf[32];

    if (!project_id) {
        snprintf(out, len, "unassigned");
        return;
    }
    if (!p) {
        snprintf(pbuf, sizeof(pbuf), "project %" PRId64, project_id);
        p = pbuf;
    }
    if (!task_id) {
        snprintf(out, len, "%s", p);
        return;
    }
    if (!t) {
        snprintf(tbuf, sizeof(tbuf), "task %" PRId64, task_id);
        t = tbuf;
    }
    snprintf(out, len, "%s / %s", p, t);
}
