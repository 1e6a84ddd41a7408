/*
 * cmd_harvest.c - the commands that face Harvest: `harvest TOOL`, `mcp` and
 * `sync harvest`.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/cmd.h"
#include "agent/mcp.h"
#include "agent/mirror.h"
#include "agent/signin.h"
#include "agent/store.h"
#include "agent/tools.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

/* Arguments read from stdin ('-') are capped like any other input. */
#define MAX_ARGS_BYTES (4 * 1024 * 1024)

static int print_json(gl_cli *cli, json_object *doc)
{
    fprintf(cli->out, "%s\n",
            json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE));
    return GL_EXIT_OK;
}

/* The first sentence of a description, for one-line listings. */
static void first_sentence(char *out, size_t len, const char *text)
{
    const char *end = strstr(text, ". ");
    size_t n = end ? (size_t)(end - text) : strlen(text);
    if (n && text[n - 1] == '.')
        n--;
    snprintf(out, len, "%.*s", (int)n, text);
}

static int list_tools(gl_cli *cli, gl_toolbox *tb)
{
    if (cli->json) {
        json_object *doc = json_object_new_object(), *arr = json_object_new_array();
        for (size_t i = 0; i < gl_toolbox_count(tb); i++)
            json_object_array_add(arr, gl_tool_describe(gl_toolbox_at(tb, i)));
        json_object_object_add(doc, "tools", arr);
        print_json(cli, doc);
        json_object_put(doc);
        return GL_EXIT_OK;
    }
    for (size_t i = 0; i < gl_toolbox_count(tb); i++) {
        const gl_tool *t = gl_toolbox_at(tb, i);
        char line[100];
        first_sentence(line, sizeof(line), t->description);
        fprintf(cli->out, "%-30s %s%s\n", t->name, t->write ? "[writes] " : "", line);
    }
    fprintf(cli->out, "\nArguments of one tool: gleaner harvest --schema TOOL\n");
    return GL_EXIT_OK;
}

static int read_arguments(const char *text, json_object **out)
{
    char *stdin_text = NULL;
    int rc;

    *out = NULL;
    if (strcmp(text, "-") == 0) {
        gl_buf b = GL_BUF_INIT(MAX_ARGS_BYTES);
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
            if ((rc = gl_buf_append(&b, chunk, n)) < 0) {
                gl_buf_dispose(&b);
                return gl_error_set(GL_EINVAL, "the arguments on stdin are over %d bytes",
                                    MAX_ARGS_BYTES);
            }
        stdin_text = gl_buf_detach(&b);
        text = stdin_text ? stdin_text : "";
    }
    rc = gl_json_parse(out, text, strlen(text), "the JSON arguments");
    free(stdin_text);
    if (rc < 0)
        return gl_error_set(GL_EINVAL, "%s (give one JSON object, e.g. '{\"id\":123}')",
                            gl_error_last());
    if (!json_object_is_type(*out, json_type_object)) {
        json_object_put(*out);
        *out = NULL;
        return gl_error_set(GL_EINVAL, "the arguments must be one JSON object, e.g. "
                                       "'{\"id\":123}'");
    }
    return GL_OK;
}

int gl_cmd_harvest(gl_cli *cli, const gl_args *args)
{
    gl_toolbox *tb = NULL;
    const gl_tool *tool;
    const char *schema_of = gl_args_value(args, "schema");
    json_object *tool_args = NULL, *result = NULL;
    int rc;

    if ((rc = gl_toolbox_new(&tb, cli, "cli", gl_args_flag(args, "read-only"))) < 0)
        return gl_cli_fail(cli, rc);
    if (gl_args_flag(args, "list")) {
        rc = list_tools(cli, tb);
        goto done;
    }
    if (schema_of) {
        if ((rc = gl_toolbox_find(tb, schema_of, &tool)) < 0) {
            rc = gl_cli_fail(cli, GL_EINVAL);
            goto done;
        }
        result = gl_tool_describe(tool);
        rc = print_json(cli, result);
        goto done;
    }
    if (args->npositional == 0) {
        rc = gl_cli_usage_error(cli, "harvest", "name a tool (gleaner harvest --list shows them)");
        goto done;
    }
    if ((rc = gl_toolbox_find(tb, args->positional[0], &tool)) < 0) {
        rc = gl_cli_fail(cli, GL_EINVAL);
        goto done;
    }
    if (args->npositional > 1 && (rc = read_arguments(args->positional[1], &tool_args)) < 0) {
        gl_error_prefix("%s", tool->name);
        rc = gl_cli_fail(cli, rc);
        goto done;
    }
    if ((rc = gl_toolbox_call(tb, tool, tool_args, &result)) < 0) {
        rc = gl_cli_fail(cli, rc);
        goto done;
    }
    rc = print_json(cli, result);

done:
    json_object_put(tool_args);
    json_object_put(result);
    gl_toolbox_free(tb);
    return rc;
}

int gl_cmd_mcp(gl_cli *cli, const gl_args *args)
{
    gl_toolbox *tb = NULL;
    int rc;

    if ((rc = gl_toolbox_new(&tb, cli, "mcp", gl_args_flag(args, "read-only"))) < 0)
        return gl_cli_fail(cli, rc);
    if (isatty(STDIN_FILENO))
        gl_warn("gleaner mcp speaks MCP on stdin and stdout; start it from an MCP client "
                "(see gleaner mcp --help)");
    rc = gl_mcp_serve(tb, stdin, cli->out);
    gl_toolbox_free(tb);
    return rc < 0 ? gl_cli_fail(cli, rc) : GL_EXIT_OK;
}

/* ------------------------------------------------------------ sync */

static void print_sync(gl_cli *cli, const gl_mirror_stats *st, bool dry_run, int requests)
{
    if (cli->json) {
        json_object *doc = json_object_new_object(), *tables = json_object_new_object();
        json_object *window = json_object_new_object();
        for (int k = 0; k < GL_MIRROR__COUNT; k++) {
            json_object *t = json_object_new_object();
            json_object_object_add(t, "seen", json_object_new_int64(st->seen[k]));
            json_object_object_add(t, "added", json_object_new_int64(st->added[k]));
            json_object_object_add(t, "changed", json_object_new_int64(st->changed[k]));
            json_object_object_add(t, "deleted", json_object_new_int64(st->deleted[k]));
            json_object_object_add(tables, gl_mirror_label((gl_mirror_kind)k), t);
        }
        json_object_object_add(window, "from", json_object_new_string(st->from));
        json_object_object_add(window, "to", json_object_new_string(st->to));
        json_object_object_add(doc, "dry_run", json_object_new_boolean(dry_run));
        json_object_object_add(doc, "first", json_object_new_boolean(st->first));
        json_object_object_add(doc, "member_view", json_object_new_boolean(st->member));
        json_object_object_add(doc, "user_id", json_object_new_int64(st->user_id));
        json_object_object_add(doc, "window", window);
        json_object_object_add(doc, "tables", tables);
        json_object_object_add(doc, "requests", json_object_new_int(requests));
        print_json(cli, doc);
        json_object_put(doc);
        return;
    }
    fprintf(cli->out, "%s the Harvest mirror%s:\n", dry_run ? "Would update" : "Updated",
            st->member ? " (from your own project assignments)" : "");
    for (int k = 0; k < GL_MIRROR__COUNT; k++) {
        const char *label = gl_mirror_label((gl_mirror_kind)k);
        char name[40];
        snprintf(name, sizeof(name), "%s", label);
        for (char *p = name; *p; p++)
            if (*p == '_')
                *p = ' ';
        fprintf(cli->out,
                "  %-17s %5" PRId64 " (%" PRId64 " new, %" PRId64 " changed, %" PRId64
                " deleted)%s%s%s%s\n",
                name, st->seen[k], st->added[k], st->changed[k], st->deleted[k],
                k == GL_MIRROR_TIME_ENTRIES ? "; yours, " : "",
                k == GL_MIRROR_TIME_ENTRIES ? st->from : "",
                k == GL_MIRROR_TIME_ENTRIES ? ".." : "", k == GL_MIRROR_TIME_ENTRIES ? st->to : "");
    }
    fprintf(cli->out, "%d requests to Harvest.%s\n", requests,
            dry_run ? " Nothing was written (--dry-run)." : "");
}

static int sync_harvest(gl_cli *cli, const gl_args *args)
{
    gl_signin *s = NULL;
    gl_store *store = NULL;
    gl_mirror_options opts = {0};
    gl_mirror_stats stats;
    char today[GL_DAY_LEN], from[GL_DAY_LEN], to[GL_DAY_LEN], *path = NULL;
    bool has_from, has_to;
    int rc, requests = 0;
    int64_t waited = 0;

    if ((rc = gl_cli_today(cli, today)) < 0)
        return gl_cli_fail(cli, rc);
    if (gl_cli_day_option(cli, "sync", args, "from", today, from, &has_from) < 0 ||
        gl_cli_day_option(cli, "sync", args, "to", today, to, &has_to) < 0)
        return GL_EXIT_USAGE;
    if (has_from && has_to && strcmp(from, to) > 0)
        return gl_cli_usage_error(cli, "sync", "--from %s is after --to %s", from, to);
    opts.today = today;
    opts.from = has_from ? from : NULL;
    opts.to = has_to ? to : NULL;
    opts.dry_run = gl_args_flag(args, "dry-run");
    opts.now = gl_clock_now(cli->clock);

    if ((rc = gl_signin_harvest(cli, &s)) < 0 || (rc = gl_cli_db_path(cli, &path)) < 0 ||
        (rc = gl_store_open(&store, path, cli->clock)) < 0 ||
        (rc = gl_mirror_harvest(store, s->harvest, &opts, &stats)) < 0) {
        rc = gl_cli_fail(cli, rc);
        goto done;
    }
    gl_harvest_stats(s->harvest, &requests, &waited);
    if (waited > 1000)
        gl_info("harvest: %.1f s spent waiting for Harvest's rate limits", (double)waited / 1000);
    print_sync(cli, &stats, opts.dry_run, requests);
    rc = GL_EXIT_OK;

done:
    gl_store_close(store);
    gl_signin_free(s);
    free(path);
    return rc;
}

int gl_cmd_sync(gl_cli *cli, const gl_args *args)
{
    const char *what = args->npositional ? args->positional[0] : NULL;

    if (!what)
        return gl_cli_usage_error(cli, "sync",
                                  "say what to sync: harvest, jira, xero or "
                                  "quickbooks");
    if (strcmp(what, "harvest") == 0)
        return sync_harvest(cli, args);
    if (strcmp(what, "jira") == 0 || strcmp(what, "xero") == 0 || strcmp(what, "quickbooks") == 0) {
        gl_error_set(GL_EUNAVAILABLE, "gleaner sync %s is not available in this version", what);
        return gl_cli_fail(cli, GL_EUNAVAILABLE);
    }
    return gl_cli_usage_error(cli, "sync", "unknown system '%s' (harvest, jira, xero, quickbooks)",
                              what);
}
