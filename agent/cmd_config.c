/*
 * cmd_config.c - gleaner config: the effective configuration, or one value.
 */
#include <stdlib.h>
#include <string.h>

#include "agent/cmd.h"
#include "util/json.h"

/* One key's values: "name = value" lines, or a member of the JSON `values`. */
static void add_value(gl_cli *cli, json_object *values, const char *name, const char *const *v,
                      size_t n, bool is_default)
{
    const gl_config_key *k = gl_config_find_key(name);

    if (values) {
        json_object *val;
        if (k && (k->flags & GL_CFG_MULTI)) {
            val = json_object_new_array();
            for (size_t i = 0; i < n; i++)
                json_object_array_add(val, json_object_new_string(v[i]));
        } else {
            val = json_object_new_string(v[n - 1]);
        }
        json_object_object_add(values, name, val);
        return;
    }
    for (size_t i = 0; i < n; i++)
        fprintf(cli->out, "%s = %s%s\n", name, v[i], is_default ? "    ; default" : "");
}

/* Every key the file sets (with_defaults: every key that has a value), in table order. */
static void list_all(gl_cli *cli, const gl_config *cfg, bool with_defaults, json_object *values)
{
    size_t nkeys;
    const gl_config_key *keys = gl_config_keys(&nkeys);

    for (size_t i = 0; i < nkeys; i++) {
        const gl_config_key *k = &keys[i];
        const char *const *names = NULL;
        size_t nnames = 1;
        if (k->named)
            nnames = gl_config_sections(cfg, k->section, &names);
        for (size_t j = 0; j < nnames; j++) {
            char name[320];
            const char *const *v;
            size_t n;
            bool set;
            if (k->named)
                snprintf(name, sizeof(name), "%s.%s.%s", k->section, names[j], k->key);
            else
                snprintf(name, sizeof(name), "%s.%s", k->section, k->key);
            set = gl_config_is_set(cfg, name);
            if (!set && !with_defaults)
                continue;
            if ((n = gl_config_get_all(cfg, name, &v)) > 0)
                add_value(cli, values, name, v, n, !set);
        }
    }
}

int gl_cmd_config(gl_cli *cli, const gl_args *args)
{
    const gl_config *cfg = NULL;
    json_object *doc = NULL, *values = NULL;
    int rc;

    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return gl_cli_fail(cli, rc);
    if (cli->json) {
        doc = json_object_new_object();
        values = json_object_new_object();
        json_object_object_add(doc, "file", json_object_new_string(gl_config_file(cfg)));
        json_object_object_add(doc, "exists", json_object_new_boolean(gl_config_file_exists(cfg)));
    }
    if (args->npositional == 1) {
        const char *name = args->positional[0];
        const char *const *v;
        size_t n;
        if (!gl_config_find_key(name)) {
            json_object_put(doc);
            json_object_put(values);
            return gl_cli_usage_error(cli, "config", "'%s' is not a configuration key", name);
        }
        if ((n = gl_config_get_all(cfg, name, &v)) == 0) {
            json_object_put(doc);
            json_object_put(values);
            gl_error_set(GL_ENOTFOUND, "%s is not set and has no default", name);
            return gl_cli_fail(cli, GL_ENOTFOUND);
        }
        if (values)
            add_value(cli, values, name, v, n, !gl_config_is_set(cfg, name));
        else
            for (size_t i = 0; i < n; i++)
                fprintf(cli->out, "%s\n", v[i]);
    } else {
        list_all(cli, cfg, gl_args_flag(args, "defaults"), values);
    }
    if (doc) {
        json_object_object_add(doc, "values", values);
        fprintf(cli->out, "%s\n", gl_json_compact(doc));
        json_object_put(doc);
    }
    return GL_EXIT_OK;
}
