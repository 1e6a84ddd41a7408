/*
 * cmd_doctor.c - gleaner doctor: one line per check, with the fix.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <git2.h>

#include "agent/cmd.h"
#include "agent/signin.h"
#include "agent/store.h"
#include "connectors/http.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/str.h"
#include "util/tz.h"

typedef enum { CHECK_OK, CHECK_WARN, CHECK_FAIL } check_status;

typedef struct doctor {
    gl_cli *cli;
    json_object *checks; /* with --json */
    int fails, warns;
    bool config_error; /* a failure that is the config's: exit 2 */
} doctor;

static void report(doctor *d, check_status st, const char *check, const char *fix, const char *fmt,
                   ...) GL_PRINTF(5, 6);

static void report(doctor *d, check_status st, const char *check, const char *fix, const char *fmt,
                   ...)
{
    static const char *const labels[] = {"ok", "warn", "FAIL"};
    static const char *const json_labels[] = {"ok", "warn", "fail"};
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gl_str_sanitize(msg);
    d->fails += st == CHECK_FAIL;
    d->warns += st == CHECK_WARN;
    if (d->checks) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "check", json_object_new_string(check));
        json_object_object_add(o, "status", json_object_new_string(json_labels[st]));
        json_object_object_add(o, "message", json_object_new_string(msg));
        if (fix)
            json_object_object_add(o, "fix", json_object_new_string(fix));
        json_object_array_add(d->checks, o);
        return;
    }
    fprintf(d->cli->out, "%-5s %-9s %s%s%s\n", labels[st], check, msg, fix ? " -- " : "",
            fix ? fix : "");
}

static void check_timezone(doctor *d, const gl_config *cfg)
{
    const char *tz = gl_config_get(cfg, "user.timezone");
    char *system = NULL;
    gl_local_time lt;

    if (!tz) {
        if (gl_tz_system(&system) < 0) {
            report(d, CHECK_FAIL, "timezone", "set user.timezone", "%s", gl_error_last());
            return;
        }
        tz = system;
    }
    if (gl_tz_to_local(&lt, tz, gl_clock_now(d->cli->clock)) < 0) {
        report(d, CHECK_FAIL, "timezone", "set user.timezone to an IANA name", "%s",
               gl_error_last());
    } else {
        report(d, CHECK_OK, "timezone", NULL,
               "%s%s (local time %04d-%02d-%02d %02d:%02d, UTC%+d:%02d)", tz,
               system ? " (the system's; set user.timezone to fix it)" : "", lt.year, lt.month,
               lt.day, lt.hour, lt.minute, lt.utc_offset / 3600, abs(lt.utc_offset % 3600) / 60);
    }
    free(system);
}

static void check_identity(doctor *d, const gl_config *cfg)
{
    const char *const *emails;
    size_t n = gl_config_get_all(cfg, "user.email", &emails);

    if (n == 0)
        report(d, CHECK_WARN, "identity",
               "add 'email = you@example.com' under [user] (one line per address)",
               "user.email is not set, so none of your commits or meetings are recognised");
    else
        report(d, CHECK_OK, "identity", NULL, "%zu email address%s (%s%s)", n, n == 1 ? "" : "es",
               emails[0], n > 1 ? ", ..." : "");
}

static void check_secrets(doctor *d, const gl_config *cfg)
{
    const char *const *paths, *const *keys;
    size_t n = gl_config_secret_files(cfg, &paths, &keys);

    for (size_t i = 0; i < n; i++) {
        char *secret = NULL;
        int rc = gl_fs_read_secret(&secret, paths[i], keys[i]);
        gl_fs_free_secret(secret);
        if (rc == GL_OK) {
            report(d, CHECK_OK, "secret", NULL, "%s: %s (yours, mode 0600)", keys[i], paths[i]);
        } else if (rc == GL_ENOTFOUND) {
            char fix[600];
            snprintf(fix, sizeof(fix), "create it: (umask 077; cat > %s), paste, Ctrl-D", paths[i]);
            report(d, CHECK_FAIL, "secret", fix, "%s: %s does not exist", keys[i], paths[i]);
        } else {
            /* The message already says how to fix it (chmod 600 ...). */
            report(d, CHECK_FAIL, "secret", NULL, "%s", gl_error_last());
            if (rc == GL_EINSECURE || rc == GL_ECONFIG)
                d->config_error = true;
        }
    }
}

static void check_store(doctor *d)
{
    char *path = NULL;
    gl_store *store = NULL;
    gl_store_counts counts;
    char mode[16] = "";
    int version = 0, rc;

    if ((rc = gl_cli_db_path(d->cli, &path)) < 0) {
        report(d, CHECK_FAIL, "store", NULL, "%s", gl_error_last());
        return;
    }
    rc = gl_store_inspect(&store, path, d->cli->clock);
    if (rc == GL_ENOTFOUND) {
        report(d, CHECK_WARN, "store", "gleaner init creates it", "%s does not exist yet", path);
    } else if (rc < 0) {
        report(d, CHECK_FAIL, "store",
               rc == GL_EVERSION ? "upgrade gleaner"
                                 : "move the file away; gleaner makes a new one",
               "%s", gl_error_last());
    } else if ((rc = gl_store_check(store)) < 0 ||
               (rc = gl_store_schema_version(store, &version)) < 0 ||
               (rc = gl_store_journal_mode(store, mode, sizeof(mode))) < 0) {
        report(d, CHECK_FAIL, "store", "restore a backup, or move it away", "%s", gl_error_last());
    } else if (version < GL_STORE_VERSION) {
        /* Doctor only looks: the next command that uses the store migrates it. */
        report(d, CHECK_OK, "store", NULL, "%s (schema %d; upgraded to %d on next use)", path,
               version, GL_STORE_VERSION);
    } else if ((rc = gl_store_counts_get(store, &counts)) < 0) {
        report(d, CHECK_FAIL, "store", "restore a backup, or move it away", "%s", gl_error_last());
    } else {
        report(d, CHECK_OK, "store", NULL,
               "%s (schema %d, %s, %lld activities, %lld proposals, %lld queued)", path, version,
               mode, (long long)counts.activities, (long long)counts.proposals,
               (long long)counts.outbox_pending);
    }
    gl_store_close(store);
    free(path);
}

static void check_repos(doctor *d, const gl_config *cfg)
{
    const char *const *names;
    size_t n = gl_config_sections(cfg, "repo", &names);

    if (n == 0) {
        report(d, CHECK_WARN, "repo", "add [repo \"name\"] with path = DIRECTORY",
               "no Git repositories configured; commits are not collected");
        return;
    }
    git_libgit2_init();
    for (size_t i = 0; i < n; i++) {
        char key[300];
        const char *path;
        git_repository *repo = NULL;
        int grc;

        snprintf(key, sizeof(key), "repo.%s.path", names[i]);
        path = gl_config_get(cfg, key);
        if (!gl_fs_exists(path)) {
            report(d, CHECK_FAIL, "repo", "fix the path or remove the section",
                   "%s: %s does not exist", names[i], path);
            continue;
        }
        grc = git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
        if (grc < 0) {
            const git_error *e = git_error_last();
            report(d, CHECK_FAIL, "repo", "point path at a Git working copy or repository",
                   "%s: %s is not a readable Git repository (%s)", names[i], path,
                   e && e->message ? e->message : "unknown error");
            continue;
        }
        if (git_repository_is_shallow(repo))
            report(d, CHECK_WARN, "repo", "git fetch --unshallow to see the whole history",
                   "%s: %s is a shallow clone; older commits are missing", names[i], path);
        else if (git_repository_is_empty(repo) == 1)
            report(d, CHECK_WARN, "repo", NULL, "%s: %s has no commits yet", names[i], path);
        else
            report(d, CHECK_OK, "repo", NULL, "%s: %s%s", names[i], path,
                   git_repository_is_bare(repo) ? " (bare)" : "");
        git_repository_free(repo);
    }
    git_libgit2_shutdown();
}

static void check_calendars(doctor *d, const gl_config *cfg)
{
    const char *const *names;
    size_t n = gl_config_sections(cfg, "calendar", &names);

    if (n == 0) {
        report(d, CHECK_WARN, "calendar", "add [calendar \"name\"] with ics = FILE-OR-URL",
               "no calendars configured; meetings are not collected");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char key[300], head[64];
        const char *ics, *google, *p;
        size_t len = 0;

        snprintf(key, sizeof(key), "calendar.%s.ics", names[i]);
        ics = gl_config_get(cfg, key);
        snprintf(key, sizeof(key), "calendar.%s.google", names[i]);
        google = gl_config_get(cfg, key);
        if (google) {
            if (!gl_config_get(cfg, "google.token-file"))
                report(d, CHECK_WARN, "calendar", "sign in with gleaner auth google",
                       "%s: Google calendar '%s', not signed in to Google", names[i], google);
            else
                report(d, CHECK_OK, "calendar", NULL, "%s: Google calendar '%s'", names[i], google);
            continue;
        }
        if (strstr(ics, "://")) {
            report(d, CHECK_OK, "calendar", NULL, "%s: feed %s (not fetched by doctor)", names[i],
                   ics);
            continue;
        }
        /* Only the head is read: is it an iCalendar file at all? */
        if (gl_fs_is_dir(ics)) {
            report(d, CHECK_FAIL, "calendar", "name an .ics file", "%s: %s is a directory",
                   names[i], ics);
            continue;
        }
        if (gl_fs_read_head(head, sizeof(head), &len, ics) < 0) {
            report(d, CHECK_FAIL, "calendar", "fix the path or remove the section", "%s: %s",
                   names[i], gl_error_last());
            continue;
        }
        p = head;
        if (len >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
            (unsigned char)p[2] == 0xBF)
            p += 3; /* UTF-8 byte order mark */
        while (isspace((unsigned char)*p))
            p++;
        if (strncasecmp(p, "BEGIN:VCALENDAR", 15) != 0)
            report(d, CHECK_FAIL, "calendar", "export the calendar as .ics",
                   "%s: %s does not look like an iCalendar file", names[i], ics);
        else
            report(d, CHECK_OK, "calendar", NULL, "%s: %s", names[i], ics);
    }
}

static void check_harvest(doctor *d, gl_cli *cli, const gl_config *cfg)
{
    const char *env = gl_config_get(cfg, "harvest.token-env");
    bool has_token = gl_config_get(cfg, "harvest.token-file") || env;
    const char *account = gl_config_get(cfg, "harvest.account-id");
    char *oauth = NULL;

    /* Signed in through Harvest ID: the tokens live beside the config. */
    if (!has_token && gl_signin_oauth_path(cli, &oauth) == GL_OK && gl_fs_exists(oauth)) {
        if (gl_fs_check_secret(oauth, "the Harvest sign-in") < 0) {
            report(d, CHECK_FAIL, "harvest", "fix its mode as said, or sign in again", "%s",
                   gl_error_last());
            free(oauth);
            return;
        }
        has_token = true;
    }
    free(oauth);
    gl_error_clear();

    if (env && !getenv(env)) {
        report(d, CHECK_FAIL, "harvest", "export it, or use harvest.token-file",
               "harvest.token-env names %s, which is not set", env);
        return;
    }
    if (!has_token && !account) {
        report(d, CHECK_WARN, "harvest",
               "sign in: gleaner auth harvest --token-file FILE (or --oauth)",
               "not signed in; proposals cannot be pushed");
        return;
    }
    if (!account) {
        report(d, CHECK_FAIL, "harvest", "choose the account: gleaner auth harvest",
               "a token is configured but no account id");
        return;
    }
    if (!has_token) {
        report(d, CHECK_FAIL, "harvest",
               "sign in: gleaner auth harvest --token-file FILE (or --oauth)",
               "account %s has no token", account);
        return;
    }
    report(d, CHECK_OK, "harvest", NULL, "account %s at %s (not contacted by doctor)", account,
           gl_config_get(cfg, "harvest.base-url"));
}

int gl_cmd_doctor(gl_cli *cli, const gl_args *args)
{
    doctor d = {cli, NULL, 0, 0, false};
    gl_config *cfg = NULL;
    char *path = NULL;
    bool named;
    int rc, exit_code;

    (void)args;
    if (cli->json)
        d.checks = json_object_new_array();
    if ((rc = gl_config_path(&path, &named, cli->config_override)) < 0) {
        report(&d, CHECK_FAIL, "config", NULL, "%s", gl_error_last());
        d.config_error = true;
        goto out;
    }
    rc = gl_config_load(&cfg, path, (named ? GL_CONFIG_MUST_EXIST : 0) | GL_CONFIG_SKIP_SECRETS);
    if (rc < 0) {
        report(&d, CHECK_FAIL, "config", NULL, "%s", gl_error_last());
        d.config_error = true;
        goto out;
    }
    if (gl_config_file_exists(cfg))
        report(&d, CHECK_OK, "config", NULL, "%s", path);
    else
        report(&d, CHECK_WARN, "config", "run: gleaner init",
               "no config file at %s; using defaults", path);
    check_timezone(&d, cfg);
    check_identity(&d, cfg);
    check_secrets(&d, cfg);
    /* The store path may come from the config: let the CLI reuse this one. */
    if (!cli->cfg) {
        cli->cfg = cfg;
        cfg = NULL;
    }
    check_store(&d);
    check_repos(&d, cli->cfg);
    check_calendars(&d, cli->cfg);
    check_harvest(&d, cli, cli->cfg);
out:
    exit_code = d.config_error ? GL_EXIT_USAGE : d.fails ? GL_EXIT_FAILURE : GL_EXIT_OK;
    if (d.checks) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "ok", json_object_new_boolean(d.fails == 0));
        json_object_object_add(o, "failures", json_object_new_int(d.fails));
        json_object_object_add(o, "warnings", json_object_new_int(d.warns));
        json_object_object_add(o, "checks", d.checks);
        fprintf(cli->out, "%s\n", gl_json_compact(o));
        json_object_put(o);
    } else if (d.fails || d.warns) {
        fprintf(cli->out, "%d failed, %d warning%s\n", d.fails, d.warns, d.warns == 1 ? "" : "s");
    } else {
        fprintf(cli->out, "all checks passed\n");
    }
    gl_config_free(cfg);
    free(path);
    return exit_code;
}
