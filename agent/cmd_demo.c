/*
 * cmd_demo.c - gleaner demo: a week of a consultant's work, proposed
 * offline from sample data built into the binary (contrib/demo/): a
 * calendar, two Git repositories written on the spot with libgit2, and a
 * Harvest history loaded into a scratch store as if synced.  No account,
 * no network, nothing outside a temporary directory.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "agent/catalog.h"
#include "agent/cmd.h"
#include "agent/collect.h"
#include "agent/gaps.h"
#include "agent/propose.h"
#include "agent/store.h"
#include "connectors/git.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/str.h"
#include "util/tz.h"

/* contrib/demo/, embedded at build time. */
extern const char gl_demo_config[], gl_demo_calendar[], gl_demo_git[], gl_demo_harvest[];

/* The demo week, and the moment the demo pretends it is (Friday, 18:00 in Berlin). */
#define DEMO_FROM "2026-11-16"
#define DEMO_TO   "2026-11-22"
#define DEMO_NOW  "2026-11-20T17:00:00Z"

static int write_file(const char *dir, const char *name, const char *text, char **path_out)
{
    char *path = gl_strdupf("%s/%s", dir, name);
    int rc;

    if (!path)
        return gl_error_set(GL_ENOMEM, "out of memory");
    rc = gl_fs_write_new(path, text, strlen(text), 0600);
    if (rc == GL_OK && path_out)
        *path_out = path;
    else
        free(path);
    return rc;
}

/* The config, with @DIR@ replaced by where the demo's files are. */
static char *demo_config(const char *dir)
{
    gl_buf b = GL_BUF_INIT(0);
    const char *p = gl_demo_config, *hit;

    while ((hit = strstr(p, "@DIR@"))) {
        gl_buf_append(&b, p, (size_t)(hit - p));
        gl_buf_puts(&b, dir);
        p = hit + 5;
    }
    gl_buf_puts(&b, p);
    return gl_buf_detach(&b);
}

/* "+01:00" at the end of an ISO time as minutes east of UTC. */
static int offset_minutes(const char *iso)
{
    size_t n = strlen(iso);
    const char *o = n >= 6 ? iso + n - 6 : "";
    int sign;

    if ((o[0] != '+' && o[0] != '-') || o[3] != ':')
        return 0;
    sign = o[0] == '-' ? -1 : 1;
    return sign * ((o[1] - '0') * 600 + (o[2] - '0') * 60 + (o[4] - '0') * 10 + (o[5] - '0'));
}

/* "Ada Lovelace <ada@lovelace.dev>" into name and email (in `buf`). */
static void split_author(const char *author, char *buf, size_t len, const char **name,
                         const char **email)
{
    char *lt, *gt;

    snprintf(buf, len, "%s", author);
    *name = buf;
    *email = "";
    if ((lt = strchr(buf, '<')) && (gt = strchr(lt, '>'))) {
        *gt = '\0';
        *email = lt + 1;
        while (lt > buf && lt[-1] == ' ')
            lt--;
        *lt = '\0';
    }
}

static int build_repos(const char *dir)
{
    static const char *const repos[] = {"globex-web", "initech-etl"};
    json_object *doc = NULL, *commits;
    int rc;

    if ((rc = gl_json_parse(&doc, gl_demo_git, strlen(gl_demo_git), "the demo's Git history")) < 0)
        return rc;
    commits = gl_json_array(doc, "commits");
    for (size_t r = 0; r < 2 && rc == GL_OK; r++) {
        size_t n = json_object_array_length(commits), k = 0;
        gl_git_commit_spec *specs = calloc(n ? n : 1, sizeof(*specs));
        char(*authors)[160] = calloc(n ? n : 1, sizeof(*authors));
        char *path = gl_strdupf("%s/%s", dir, repos[r]);

        if (!specs || !authors || !path) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
        } else {
            for (size_t i = 0; i < n && rc == GL_OK; i++) {
                json_object *c = json_object_array_get_idx(commits, i);
                const char *repo = gl_json_str(c, "repo"), *date = gl_json_str(c, "date");
                gl_git_commit_spec *s = &specs[k];
                if (!repo || strcmp(repo, repos[r]) != 0)
                    continue;
                if (!date || (rc = gl_time_parse_utc(&s->time, date)) < 0)
                    break;
                s->tz_offset = offset_minutes(date);
                s->branch = gl_json_str(c, "branch");
                s->from = gl_json_str(c, "from");
                s->merge = gl_json_str(c, "merge");
                s->message = gl_json_str(c, "message");
                split_author(gl_json_str(c, "author"), authors[k], sizeof(authors[k]), &s->name,
                             &s->email);
                k++;
            }
            if (rc == GL_OK)
                rc = gl_git_write_history(path, specs, k);
        }
        free(specs);
        free(authors);
        free(path);
    }
    json_object_put(doc);
    return rc;
}

/* ----------------------------------------------- the Harvest history */

static json_object *ref(int64_t id, const char *name)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(id));
    json_object_object_add(o, "name", json_object_new_string(name ? name : ""));
    return o;
}

static const char *name_of(json_object *arr, int64_t id)
{
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        int64_t oid = 0;
        if (gl_json_int64(o, "id", &oid) && oid == id)
            return gl_json_str(o, "name");
    }
    return NULL;
}

static int put(gl_store *store, gl_mirror_kind kind, json_object *obj)
{
    int rc;
    if (!json_object_object_get_ex(obj, "updated_at", NULL))
        json_object_object_add(obj, "updated_at", json_object_new_string("2026-11-14T08:00:00Z"));
    if (!json_object_object_get_ex(obj, "is_active", NULL))
        json_object_object_add(obj, "is_active", json_object_new_boolean(1));
    rc = gl_store_mirror_put(store, kind, obj, 1, NULL);
    json_object_put(obj);
    return rc;
}

/* Harvest's shapes from the compact demo file, into the mirror, as a sync would leave it. */
static int load_mirror(gl_store *store)
{
    json_object *doc = NULL, *clients, *tasks, *projects, *entries, *me;
    int64_t me_id = 0, next_id = 7000001;
    char me_name[128];
    int rc;

    if ((rc = gl_json_parse(&doc, gl_demo_harvest, strlen(gl_demo_harvest),
                            "the demo's Harvest history")) < 0)
        return rc;
    clients = gl_json_array(doc, "clients");
    tasks = gl_json_array(doc, "tasks");
    projects = gl_json_array(doc, "projects");
    entries = gl_json_array(doc, "time_entries");
    me = gl_json_object(doc, "me");
    gl_json_int64(me, "id", &me_id);
    snprintf(me_name, sizeof(me_name), "%s %s", gl_json_str(me, "first_name"),
             gl_json_str(me, "last_name"));
    if ((rc = gl_store_begin(store)) < 0)
        goto done;
    rc = put(store, GL_MIRROR_USERS, json_object_get(me));
    for (size_t i = 0; rc == GL_OK && i < json_object_array_length(gl_json_array(doc, "users"));
         i++)
        rc = put(store, GL_MIRROR_USERS,
                 json_object_get(json_object_array_get_idx(gl_json_array(doc, "users"), i)));
    for (size_t i = 0; rc == GL_OK && i < json_object_array_length(clients); i++)
        rc = put(store, GL_MIRROR_CLIENTS, json_object_get(json_object_array_get_idx(clients, i)));
    for (size_t i = 0; rc == GL_OK && i < json_object_array_length(tasks); i++)
        rc = put(store, GL_MIRROR_TASKS, json_object_get(json_object_array_get_idx(tasks, i)));
    for (size_t i = 0; rc == GL_OK && i < json_object_array_length(projects); i++) {
        json_object *src = json_object_array_get_idx(projects, i), *p = json_object_new_object();
        json_object *ptasks = gl_json_array(src, "tasks"), *ua;
        int64_t pid = 0, cid = 0;
        gl_json_int64(src, "id", &pid);
        gl_json_int64(src, "client", &cid);
        json_object_object_foreach(src, key, val)
        {
            if (strcmp(key, "client") != 0 && strcmp(key, "tasks") != 0)
                json_object_object_add(p, key, json_object_get(val));
        }
        json_object_object_add(p, "client", ref(cid, name_of(clients, cid)));
        if ((rc = put(store, GL_MIRROR_PROJECTS, p)) < 0)
            break;
        for (size_t t = 0; rc == GL_OK && t < json_object_array_length(ptasks); t++) {
            int64_t tid = json_object_get_int64(json_object_array_get_idx(ptasks, t));
            json_object *ta = json_object_new_object();
            json_object_object_add(ta, "id", json_object_new_int64(next_id++));
            json_object_object_add(ta, "project", ref(pid, gl_json_str(src, "name")));
            json_object_object_add(ta, "task", ref(tid, name_of(tasks, tid)));
            json_object_object_add(ta, "billable", json_object_new_boolean(tid != 3005));
            rc = put(store, GL_MIRROR_TASK_ASSIGNMENTS, ta);
        }
        ua = json_object_new_object();
        json_object_object_add(ua, "id", json_object_new_int64(next_id++));
        json_object_object_add(ua, "project", ref(pid, gl_json_str(src, "name")));
        json_object_object_add(ua, "user", ref(me_id, me_name));
        if (rc == GL_OK)
            rc = put(store, GL_MIRROR_USER_ASSIGNMENTS, ua);
        else
            json_object_put(ua);
    }
    for (size_t i = 0; rc == GL_OK && i < json_object_array_length(entries); i++) {
        json_object *src = json_object_array_get_idx(entries, i), *e = json_object_new_object();
        int64_t id = 0, pid = 0, tid = 0, cid = 0;
        double hours = 0;
        gl_json_int64(src, "id", &id);
        gl_json_int64(src, "project", &pid);
        gl_json_int64(src, "task", &tid);
        gl_json_double(src, "hours", &hours);
        for (size_t k = 0; k < json_object_array_length(projects); k++) {
            int64_t p = 0;
            json_object *po = json_object_array_get_idx(projects, k);
            if (gl_json_int64(po, "id", &p) && p == pid)
                gl_json_int64(po, "client", &cid);
        }
        json_object_object_add(e, "id", json_object_new_int64(id));
        json_object_object_add(e, "spent_date", json_object_new_string(gl_json_str(src, "date")));
        json_object_object_add(e, "user", ref(me_id, me_name));
        json_object_object_add(e, "client", ref(cid, name_of(clients, cid)));
        json_object_object_add(e, "project", ref(pid, name_of(projects, pid)));
        json_object_object_add(e, "task", ref(tid, name_of(tasks, tid)));
        json_object_object_add(e, "hours", gl_json_number(hours, 2));
        json_object_object_add(e, "notes", json_object_new_string(gl_json_str(src, "notes")));
        json_object_object_add(e, "is_locked", json_object_new_boolean(0));
        json_object_object_add(e, "is_billed", json_object_new_boolean(0));
        json_object_object_add(e, "billable", json_object_new_boolean(pid != 2003));
        json_object_object_add(e, "is_running", json_object_new_boolean(0));
        json_object_object_add(e, "external_reference", NULL);
        rc = put(store, GL_MIRROR_TIME_ENTRIES, e);
    }
    if (rc == GL_OK && (rc = gl_store_mirror_set_me(store, me_id)) == GL_OK &&
        (rc = gl_store_state_set(store, "harvest", "mirror.sync", "1")) == GL_OK &&
        (rc = gl_store_state_set(store, "harvest", "time_entries.history", "read")) == GL_OK)
        rc = gl_store_state_set(store, "harvest", "company",
                                gl_json_compact(gl_json_object(doc, "company")));
    if (rc < 0)
        gl_store_rollback(store);
    else
        rc = gl_store_commit(store);

done:
    json_object_put(doc);
    return rc;
}

/* ------------------------------------------------------------- the run */

static int print_demo(gl_cli *d, gl_store *store, const gl_window *w, const char *dir, bool kept)
{
    gl_proposal_list l = {0};
    gl_catalog *cat = NULL;
    gl_gaps g = {0};
    int rc;

    if ((rc = gl_gaps_compute(d, store, w, &g)) < 0)
        return rc;
    if (d->json) {
        json_object *doc = json_object_new_object(), *props = NULL;
        if ((rc = gl_propose_list_json(d, store, w, NULL, &props)) == GL_OK) {
            json_object_object_add(doc, "proposals",
                                   json_object_get(gl_json_array(props, "proposals")));
            json_object_object_add(doc, "from", json_object_new_string(w->from));
            json_object_object_add(doc, "to", json_object_new_string(w->to));
            json_object_object_add(doc, "timezone", json_object_new_string("Europe/Berlin"));
            json_object_object_add(doc, "gaps", gl_gaps_json(&g, w, "Europe/Berlin"));
            if (kept)
                json_object_object_add(doc, "dir", json_object_new_string(dir));
            fprintf(d->out, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY));
        }
        json_object_put(props);
        json_object_put(doc);
        gl_gaps_clear(&g);
        return rc;
    }
    if ((rc = gl_catalog_load(&cat, store)) == GL_OK &&
        (rc = gl_store_proposals(store, w->from, w->to, NULL, &l)) == GL_OK) {
        fprintf(d->out,
                "gleaner demo: a week of Ada Lovelace, a consultant in Berlin with two clients.\n"
                "Sample data, no account, no network: her calendar, two Git repositories and\n"
                "four weeks of her Harvest history, as of Friday %s 18:00.\n\n",
                "2026-11-20");
        gl_print_proposals(d, cat, &l, true);
        fprintf(d->out, "\nWhat is still missing:\n\n");
        gl_print_gaps(d, &g, w, "Europe/Berlin");
        fprintf(d->out,
                "\nNot counted, on purpose: a declined pitch, a cancelled retro, a free lunch,\n"
                "an all-day event, and a colleague's commits. Friday's morning was tracked by\n"
                "hand already, so only the rest of it is proposed.\n");
        if (kept)
            fprintf(d->out,
                    "\nThe demo's files are in %s; look around with\n"
                    "  gleaner --config %s/config --db %s/gleaner.db day 2026-11-17\n",
                    dir, dir, dir);
        else
            fprintf(d->out, "\nYour own week: gleaner init, then gleaner doctor.\n");
    }
    gl_proposal_list_clear(&l);
    gl_catalog_free(cat);
    gl_gaps_clear(&g);
    return rc;
}

int gl_cmd_demo(gl_cli *cli, const gl_args *args)
{
    const char *keep = gl_args_value(args, "keep");
    char *dir = NULL, *config_text = NULL, *config_path = NULL, *db_path = NULL;
    gl_clock_fake *clock = NULL;
    gl_store *store = NULL;
    gl_collect_report report = {0};
    gl_propose_report rep;
    gl_window w;
    gl_cli d;
    int64_t now;
    int rc, exit_code;

    if (keep) {
        if (gl_fs_exists(keep))
            return gl_cli_usage_error(cli, "demo",
                                      "--keep %s: that exists already; name a new "
                                      "directory",
                                      keep);
        if ((rc = gl_fs_mkdirs(keep, 0700)) < 0)
            return gl_cli_fail(cli, rc);
        if (!(dir = realpath(keep, NULL)))
            return gl_cli_fail(cli, gl_error_set(GL_EIO, "cannot resolve %s", keep));
    } else if ((rc = gl_fs_make_temp_dir(&dir, "gleaner-demo")) < 0) {
        return gl_cli_fail(cli, rc);
    }
    d = *cli;
    d.cfg = NULL;
    if ((rc = gl_time_parse_utc(&now, DEMO_NOW)) < 0 ||
        (rc = gl_clock_fake_new(&clock, now * 1000)) < 0)
        goto done;
    d.clock = gl_clock_fake_clock(clock);
    if (!(config_text = demo_config(dir))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = write_file(dir, "config", config_text, &config_path)) < 0 ||
        (rc = write_file(dir, "calendar.ics", gl_demo_calendar, NULL)) < 0 ||
        (rc = build_repos(dir)) < 0)
        goto done;
    if (!(db_path = gl_strdupf("%s/gleaner.db", dir))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    d.config_override = config_path;
    d.db_override = db_path;
    if ((rc = gl_store_open(&store, db_path, d.clock)) < 0 || (rc = load_mirror(store)) < 0 ||
        (rc = gl_cli_window_of_days(&d, DEMO_FROM, DEMO_TO, &w)) < 0)
        goto done;
    {
        gl_collect_options opts = {.from = w.start, .to = w.end};
        if ((rc = gl_collect(&d, store, &opts, &report)) < 0)
            goto done;
        for (size_t i = 0; i < report.n; i++)
            if (report.sources[i].status < 0) {
                rc = gl_error_set(report.sources[i].status, "%s: %s", report.sources[i].name,
                                  report.sources[i].message);
                goto done;
            }
    }
    if ((rc = gl_propose_run(&d, store, &w, false, &rep)) < 0 ||
        (rc = print_demo(&d, store, &w, dir, keep != NULL)) < 0)
        goto done;

done:
    exit_code = rc < 0 ? gl_cli_fail(cli, rc) : GL_EXIT_OK;
    gl_collect_report_clear(&report);
    gl_store_close(store);
    gl_config_free(d.cfg);
    gl_clock_fake_free(clock);
    if (dir && !keep && gl_fs_remove_tree(dir) < 0)
        fprintf(cli->err, "gleaner: %s\n", gl_error_last());
    free(dir);
    free(config_text);
    free(config_path);
    free(db_path);
    return exit_code;
}
