/*
 * cmd_init.c - gleaner init: a starter config and an empty store.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "agent/cmd.h"
#include "agent/store.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/str.h"
#include "util/tz.h"

#define MAX_EMAILS GL_MAX_VALUES

/* user.email from the user's Git configuration, if any; caller frees. */
static char *git_user_email(void)
{
    git_config *cfg = NULL;
    git_buf buf = {0};
    char *email = NULL;

    git_libgit2_init();
    if (git_config_open_default(&cfg) == 0 &&
        git_config_get_string_buf(&buf, cfg, "user.email") == 0 && buf.ptr && strchr(buf.ptr, '@'))
        email = gl_strdup(buf.ptr);
    git_buf_dispose(&buf);
    git_config_free(cfg);
    git_libgit2_shutdown();
    return email;
}

/* Replace every `from` in `line` (len bytes) by `to`, appending to `out`. */
static int put_replaced(gl_buf *out, const char *line, size_t len, const char *from, const char *to)
{
    const char *end = line + len, *hit;
    int rc;

    while ((hit = memmem(line, (size_t)(end - line), from, strlen(from))) != NULL) {
        if ((rc = gl_buf_append(out, line, (size_t)(hit - line))) < 0 ||
            (rc = gl_buf_puts(out, to)) < 0)
            return rc;
        line = hit + strlen(from);
    }
    return gl_buf_append(out, line, (size_t)(end - line));
}

/*
 * The template with @TIMEZONE@ filled in and the @EMAIL@ line repeated once
 * per address (or left commented out with an example when there is none).
 */
static int render(gl_buf *out, const char *const *emails, int nemails, const char *tz)
{
    const char *p = gl_config_template;
    int rc = GL_OK;

    while (*p && rc == GL_OK) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p + 1) : strlen(p);
        const char *email = memmem(p, len, "@EMAIL@", 7);
        if (email && nemails == 0) {
            if ((rc = gl_buf_puts(out, "#")) == GL_OK)
                rc = put_replaced(out, p, len, "@EMAIL@", "you@example.com");
        } else if (email) {
            for (int i = 0; i < nemails && rc == GL_OK; i++)
                rc = put_replaced(out, p, len, "@EMAIL@", emails[i]);
        } else {
            rc = put_replaced(out, p, len, "@TIMEZONE@", tz);
        }
        p += len;
    }
    return rc;
}

int gl_cmd_init(gl_cli *cli, const gl_args *args)
{
    const char *const *emails = NULL;
    const char *tz_arg = gl_args_value(args, "timezone");
    char *path = NULL, *dir = NULL, *tz = NULL, *git_email = NULL, *db = NULL;
    gl_buf text = GL_BUF_INIT(0);
    gl_config *check = NULL;
    gl_store *store = NULL;
    bool named;
    int nemails, rc, exit_code = GL_EXIT_OK;

    nemails = gl_args_values(args, "email", &emails);
    for (int i = 0; i < nemails; i++) {
        /* Judged as the config file would judge it; ; # " would start a comment or quote. */
        if (gl_config_check_value("user.email", emails[i]) < 0 || strpbrk(emails[i], ";#\"\\")) {
            exit_code = gl_cli_usage_error(cli, "init", "'%s' is not an email address", emails[i]);
            goto done;
        }
    }
    if (nemails == 0 && (git_email = git_user_email())) {
        emails = (const char *const *)&git_email;
        nemails = 1;
    }
    if (tz_arg) {
        if (gl_config_check_value("user.timezone", tz_arg) < 0) {
            exit_code = gl_cli_usage_error(cli, "init",
                                           "'%s' is not a known time zone (use an IANA name "
                                           "such as Europe/Berlin)",
                                           tz_arg);
            goto done;
        }
        tz = gl_strdup(tz_arg);
    } else if ((rc = gl_tz_system(&tz)) < 0) {
        exit_code = gl_cli_fail(cli, rc);
        goto done;
    }
    if ((rc = gl_config_path(&path, &named, cli->config_override)) < 0 ||
        (rc = render(&text, emails, nemails, tz)) < 0) {
        exit_code = gl_cli_fail(cli, rc);
        goto done;
    }
    if (gl_fs_exists(path)) {
        gl_error_set(GL_EEXISTS,
                     "%s already exists; init never overwrites a config (edit it, or move it "
                     "away and run init again)",
                     path);
        exit_code = gl_cli_fail(cli, GL_EEXISTS);
        goto done;
    }
    /*
     * The store first, the config last: if anything fails in between, the
     * config does not exist yet, so running init again finishes the job.
     */
    if ((rc = gl_cli_db_path(cli, &db)) < 0 || (rc = gl_store_open(&store, db, cli->clock)) < 0) {
        exit_code = gl_cli_fail(cli, rc);
        goto done;
    }
    if (!(dir = gl_fs_dirname(path)) || (rc = gl_fs_mkdirs(dir, 0700)) < 0 ||
        (rc = gl_fs_write_new(path, text.ptr, text.len, 0600)) < 0) {
        exit_code = gl_cli_fail(cli, dir ? gl_error_last_code() : GL_ENOMEM);
        goto done;
    }
    /* What we wrote must load: a broken starter config would be our bug, not the user's. */
    if ((rc = gl_config_load(&check, path, GL_CONFIG_MUST_EXIST)) < 0) {
        gl_error_prefix("the starter config gleaner wrote does not load (please report this)");
        unlink(path);
        exit_code = gl_cli_fail(cli, GL_ERROR);
        goto done;
    }
    if (cli->json) {
        json_object *o = json_object_new_object(), *list = json_object_new_array();
        for (int i = 0; i < nemails; i++)
            json_object_array_add(list, json_object_new_string(emails[i]));
        json_object_object_add(o, "config", json_object_new_string(path));
        json_object_object_add(o, "store", json_object_new_string(db));
        json_object_object_add(o, "email", list);
        json_object_object_add(o, "timezone", json_object_new_string(tz));
        fprintf(cli->out, "%s\n", gl_json_compact(o));
        json_object_put(o);
    } else {
        fprintf(cli->out, "wrote %s\n", path);
        fprintf(cli->out, "created the store %s\n", db);
        if (nemails == 0)
            fprintf(cli->out, "note: no email found in your Git config; add yours under [user]\n");
        fprintf(cli->out, "next: edit the config (Harvest account, calendars, repositories), "
                          "then run: gleaner doctor\n");
    }
done:
    gl_store_close(store);
    gl_config_free(check);
    gl_buf_dispose(&text);
    free(path);
    free(dir);
    free(tz);
    free(git_email);
    free(db);
    return exit_code;
}
