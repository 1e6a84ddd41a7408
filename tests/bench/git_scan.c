/*
 * git_scan.c - run gl_git_scan once over a repository and print one JSON
 * line: commits read, the user's commits, milliseconds, the warning.
 *
 *   gl_bench_git_scan REPO --email ADDR [--email ADDR...] [--tips-in FILE]
 *                     [--tips-out FILE] [--list]
 *
 * --tips-in makes the scan incremental from a previous run's --tips-out;
 * --list also prints each of the user's commits (id, branch, time, tz,
 * parents, Jira keys) to check the result against `git log`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/git.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/fs.h"

#define MAX_IDS 16

static int list_commit(void *payload, const gl_commit *c)
{
    const int *list = payload;

    if (!*list)
        return 0;
    printf("%s %s %" PRId64 " %+d %u", c->id, c->branch ? c->branch : "-", c->time, c->tz_offset,
           c->parents);
    for (size_t i = 0; i < c->n_jira_keys; i++)
        printf("%s%s", i ? "," : " ", c->jira_keys[i]);
    printf("\n");
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: gl_bench_git_scan REPO --email ADDR [--email ADDR...] "
                    "[--tips-in FILE] [--tips-out FILE] [--list]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *ids[MAX_IDS], *repo = NULL, *tips_in = NULL, *tips_out = NULL;
    size_t n_ids = 0;
    char *tips = NULL;
    int list = 0, rc;
    int64_t t0, t1;
    gl_git_result res = {0};

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--email") == 0 && i + 1 < argc && n_ids < MAX_IDS)
            ids[n_ids++] = argv[++i];
        else if (strcmp(argv[i], "--tips-in") == 0 && i + 1 < argc)
            tips_in = argv[++i];
        else if (strcmp(argv[i], "--tips-out") == 0 && i + 1 < argc)
            tips_out = argv[++i];
        else if (strcmp(argv[i], "--list") == 0)
            list = 1;
        else if (argv[i][0] != '-' && !repo)
            repo = argv[i];
        else
            usage();
    }
    if (!repo)
        usage();
    if (tips_in && gl_fs_read_file(&tips, NULL, tips_in, 64 * 1024 * 1024) < 0) {
        fprintf(stderr, "gl_bench_git_scan: %s\n", gl_error_last());
        return 1;
    }

    gl_git_options opts = {
        .path = repo,
        .identities = ids,
        .n_identities = n_ids,
        .tips = tips,
    };
    t0 = gl_clock_monotonic_ms(NULL);
    rc = gl_git_scan(&opts, list_commit, &list, &res);
    t1 = gl_clock_monotonic_ms(NULL);
    if (rc < 0) {
        fprintf(stderr, "gl_bench_git_scan: %s\n", gl_error_last());
        gl_git_result_clear(&res);
        free(tips);
        return 1;
    }
    if (tips_out && gl_fs_write_replace(tips_out, res.tips, strlen(res.tips), 0644) < 0) {
        fprintf(stderr, "gl_bench_git_scan: %s\n", gl_error_last());
        rc = 1;
    }
    printf("{\"commits_read\":%zu,\"commits_mine\":%zu,\"ms\":%" PRId64 ",\"warning\":\"%s\"}\n",
           res.commits_read, res.commits_mine, t1 - t0, res.warning);
    gl_git_result_clear(&res);
    free(tips);
    return rc < 0 ? 1 : 0;
}
