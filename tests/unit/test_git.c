/*
 * test_git.c - the Git connector against repositories the tests build with
 * the git CLI (no system or global config, fixed dates): identities and the
 * mailmap, time zones, branch attribution, remote-tracking refs, incremental
 * scans, rebases, shallow, bare, empty and broken repositories; and the
 * Jira key table.
 */
#include "support.h"

#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connectors/git.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/str.h"

#define T0   1772442000 /* 2026-03-02 09:00:00 UTC */
#define HOUR 3600

static char *root;    /* HOME and every repository of the run */
static char *history; /* built once: see build_history */

/* ------------------------------------------------------------ helpers */

static void sh(const char *fmt, ...) GL_PRINTF(1, 2);
static void sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    int st;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    st = system(cmd);
    if (st != 0)
        fail_msg("command failed (%d): %s", st, cmd);
}

/* Run `git ARGS` in `repo` as author `name <email>` at `when` (seconds, "+HHMM"). */
static void git_as(const char *repo, const char *name, const char *email, int64_t when,
                   const char *tz, const char *args)
{
    sh("cd '%s' && GIT_AUTHOR_NAME='%s' GIT_AUTHOR_EMAIL='%s' GIT_AUTHOR_DATE='%lld %s' "
       "GIT_COMMITTER_NAME='CI' GIT_COMMITTER_EMAIL='ci@example.com' "
       "GIT_COMMITTER_DATE='%lld %s' git %s >/dev/null",
       repo, name, email, (long long)when, tz, (long long)when, tz, args);
}

static void commit(const char *repo, const char *name, const char *email, int64_t when,
                   const char *tz, const char *msg)
{
    char args[1024];
    snprintf(args, sizeof(args), "commit -q --allow-empty -m '%s'", msg);
    git_as(repo, name, email, when, tz, args);
}

#define ME(repo, when, tz, msg)  commit(repo, "Ada Lovelace", "ada@example.com", when, tz, msg)
#define BOB(repo, when, tz, msg) commit(repo, "Bob Builder", "bob@example.com", when, tz, msg)

typedef struct seen {
    char id[41], branch[160], summary[256], email[128], name[128], keys[256];
    int64_t time;
    int tz;
    unsigned parents;
} seen;

typedef struct collected {
    seen c[64];
    size_t n;
} collected;

static int collect(void *payload, const gl_commit *c)
{
    collected *out = payload;
    seen *s;

    if (out->n >= sizeof(out->c) / sizeof(out->c[0]))
        fail_msg("more commits than the test expects");
    s = &out->c[out->n++];
    memset(s, 0, sizeof(*s));
    assert_int_equal(strlen(c->id), 40);
    snprintf(s->id, sizeof(s->id), "%s", c->id);
    snprintf(s->branch, sizeof(s->branch), "%s", c->branch ? c->branch : "");
    snprintf(s->summary, sizeof(s->summary), "%s", c->summary ? c->summary : "");
    snprintf(s->email, sizeof(s->email), "%s", c->author_email ? c->author_email : "");
    snprintf(s->name, sizeof(s->name), "%s", c->author_name ? c->author_name : "");
    for (size_t i = 0; i < c->n_jira_keys; i++) {
        size_t len = strlen(s->keys);
        snprintf(s->keys + len, sizeof(s->keys) - len, "%s%s", i ? "," : "", c->jira_keys[i]);
    }
    s->time = c->time;
    s->tz = c->tz_offset;
    s->parents = c->parents;
    return 0;
}

static int scan(const char *path, const char *tips, collected *out, gl_git_result *res)
{
    static const char *const ids[] = {"ada@example.com", "ADA@personal.example"};
    gl_git_options o = {.path = path, .identities = ids, .n_identities = 2, .tips = tips};

    memset(out, 0, sizeof(*out));
    return gl_git_scan(&o, collect, out, res);
}

/* The one commit with this summary; fails when absent or reported twice. */
static const seen *find(const collected *c, const char *summary)
{
    const seen *hit = NULL;
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->c[i].summary, summary) != 0)
            continue;
        if (hit)
            fail_msg("'%s' reported twice", summary);
        hit = &c->c[i];
    }
    if (!hit)
        fail_msg("'%s' not reported", summary);
    return hit;
}

static bool has(const collected *c, const char *summary)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->c[i].summary, summary) == 0)
            return true;
    return false;
}

static char *repo_path(const char *name)
{
    char *p = gl_strdupf("%s/%s", root, name);
    assert_non_null(p);
    return p;
}

/*
 * main: Initial (Ada, +0100, adds .mailmap), Bob sets up CI (-0500),
 * Old address work (ada@old.example, mapped to Ada, -0500), the same
 * address in other case (git's mailmap ignores case);
 * feature/ACME-142-fix-login: Fix login redirect (second identity, +0530,
 * a two-line subject), Bob reviews, Add tests (body names PROJ-7 and
 * ACME-142); main: Update docs; a --no-ff merge of the feature.
 */
static void build_history(const char *r)
{
    sh("git init -q -b main '%s'", r);
    gl_test_write(gl_test_path(r, ".mailmap"), "Ada Lovelace <ada@example.com> <ada@old.example>\n",
                  0644);
    sh("git -C '%s' add .mailmap", r);
    ME(r, T0, "+0100", "Initial commit");
    BOB(r, T0 + HOUR, "-0500", "Bob sets up CI");
    commit(r, "Ada Byron", "ada@old.example", T0 + 2 * HOUR, "-0500", "Old address work");
    commit(r, "Ada Byron", "Ada@OLD.example", T0 + 2 * HOUR + 60, "-0500",
           "Old address, other case");
    sh("git -C '%s' checkout -q -b feature/ACME-142-fix-login", r);
    gl_test_write(gl_test_path(r, "msg.txt"), "\n  Fix login\nredirect  \n\nBody text.\n", 0644);
    git_as(r, "Ada L", "Ada@Personal.Example", T0 + 3 * HOUR, "+0530",
           "commit -q --allow-empty --cleanup=verbatim -F msg.txt");
    BOB(r, T0 + 4 * HOUR, "+0000", "Bob reviews");
    ME(r, T0 + 5 * HOUR, "+0530", "Add tests\n\nRefs PROJ-7 and ACME-142 again");
    sh("git -C '%s' checkout -q main", r);
    ME(r, T0 + 6 * HOUR, "+0100", "Update docs on main");
    git_as(r, "Ada Lovelace", "ada@example.com", T0 + 7 * HOUR, "+0100",
           "merge -q --no-ff -m 'Merge the ACME-142 login fix' feature/ACME-142-fix-login");
    unlink(gl_test_path(r, "msg.txt"));
}

static void check_history(const collected *c, const gl_git_result *res)
{
    const seen *s;

    assert_int_equal(c->n, 7);
    assert_int_equal(res->commits_mine, 7);
    assert_int_equal(res->commits_read, 9);
    assert_false(has(c, "Bob sets up CI"));
    assert_false(has(c, "Bob reviews"));

    s = find(c, "Initial commit");
    assert_string_equal(s->branch, "main");
    assert_int_equal(s->time, T0);
    assert_int_equal(s->tz, 60);
    assert_int_equal(s->parents, 0);
    assert_string_equal(s->keys, "");

    s = find(c, "Old address work"); /* through the mailmap */
    assert_string_equal(s->email, "ada@example.com");
    assert_string_equal(s->name, "Ada Lovelace");
    assert_string_equal(s->branch, "main");
    assert_int_equal(s->tz, -300);
    assert_string_equal(find(c, "Old address, other case")->email, "ada@example.com");

    s = find(c, "Fix login redirect"); /* second identity, case-insensitive */
    assert_string_equal(s->branch, "feature/ACME-142-fix-login");
    assert_string_equal(s->keys, "ACME-142");
    assert_int_equal(s->time, T0 + 3 * HOUR);
    assert_int_equal(s->tz, 330);

    s = find(c, "Add tests");
    assert_string_equal(s->branch, "feature/ACME-142-fix-login");
    assert_string_equal(s->keys, "ACME-142,PROJ-7");
    assert_int_equal(s->parents, 1);

    s = find(c, "Update docs on main");
    assert_string_equal(s->branch, "main");

    s = find(c, "Merge the ACME-142 login fix");
    assert_string_equal(s->branch, "main");
    assert_int_equal(s->parents, 2);
    assert_string_equal(s->keys, "ACME-142");
}

static int group_setup(void **state)
{
    (void)state;
    root = gl_test_tmpdir();
    /* The git CLI and libgit2 see no system or user config but ours. */
    setenv("HOME", root, 1);
    setenv("XDG_CONFIG_HOME", root, 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    unsetenv("GIT_DIR");
    unsetenv("GIT_WORK_TREE");
    unsetenv("GIT_INDEX_FILE");
    unsetenv("GIT_OBJECT_DIRECTORY");
    unsetenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
    gl_test_write(gl_test_path(root, ".gitconfig"),
                  "[user]\n\tname = CI\n\temail = ci@example.com\n[gc]\n\tauto = 0\n"
                  "[advice]\n\tdetachedHead = false\n[protocol \"file\"]\n\tallow = always\n",
                  0644);
    history = repo_path("history");
    build_history(history);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    gl_test_rmrf(root);
    free(root);
    free(history);
    return 0;
}

/* ------------------------------------------------------------ Jira keys */

static void jira_keys_table(void **state)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"ACME-142", "ACME-142"},
        {"feature/ACME-142-fix-login", "ACME-142"},
        {"acme-142 and Acme-142", ""}, /* upper case only */
        {"XABC-1", "XABC-1"},          /* taken whole, never ABC-1 */
        {"xABC-1 ABC-1x 2ABC-1", ""},  /* letters or digits around: no key */
        {"ABC-12 and ABC-12 again, DEF-3", "ABC-12,DEF-3"},
        {"bugfix/PROJ-7_ACME-8.fix", "PROJ-7,ACME-8"}, /* '_' '.' '/' separate */
        {"A-1 AB- -12", ""},                           /* two letters, then digits */
        {"ABC-DEF-12", "DEF-12"},
        {"R2D2-99 (OPS-1): [WEB-2]", "R2D2-99,OPS-1,WEB-2"},
        {"\xc3\xa9QA-5", "QA-5"}, /* a non-ASCII byte separates */
        {"", ""},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *keys[8], got[256] = "";
        size_t n = 0;
        gl_git_jira_keys(cases[i].text, keys, &n, 8);
        for (size_t k = 0; k < n; k++) {
            size_t len = strlen(got);
            snprintf(got + len, sizeof(got) - len, "%s%s", k ? "," : "", keys[k]);
            free(keys[k]);
        }
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("'%s': got '%s', want '%s'", cases[i].text, got, cases[i].want);
    }
}

static void jira_keys_append_and_cap(void **state)
{
    char *keys[3] = {gl_strdup("ACME-1"), NULL, NULL};
    size_t n = 1;
    (void)state;
    /* Keys already there are skipped; `max` caps the total. */
    gl_git_jira_keys("ACME-1 OPS-2 WEB-3 DEV-4", keys, &n, 3);
    assert_int_equal(n, 3);
    assert_string_equal(keys[0], "ACME-1");
    assert_string_equal(keys[1], "OPS-2");
    assert_string_equal(keys[2], "WEB-3");
    gl_git_jira_keys(NULL, keys, &n, 3);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
}

/* ------------------------------------------------------------ reading */

static void reads_mine_with_mailmap_zones_and_branches(void **state)
{
    collected c;
    gl_git_result res = {0};
    json_object *tips = NULL;
    (void)state;

    gl_assert_ok(scan(history, NULL, &c, &res));
    check_history(&c, &res);
    assert_string_equal(res.warning, "");
    assert_non_null(res.tips);
    gl_assert_ok(gl_json_parse(&tips, res.tips, strlen(res.tips), "tips"));
    assert_non_null(gl_json_str(tips, "refs/heads/main"));
    assert_non_null(gl_json_str(tips, "refs/heads/feature/ACME-142-fix-login"));
    assert_int_equal(json_object_object_length(tips), 2);
    json_object_put(tips);
    gl_git_result_clear(&res);
    assert_null(res.tips);
}

static void bare_repository_is_read_with_its_mailmap(void **state)
{
    char *bare = repo_path("bare.git");
    collected c;
    gl_git_result res = {0};
    (void)state;

    /* A bare repository's mailmap is HEAD:.mailmap. */
    sh("git clone -q --bare '%s' '%s'", history, bare);
    gl_assert_ok(scan(bare, NULL, &c, &res));
    check_history(&c, &res);
    assert_string_equal(res.warning, "");
    gl_git_result_clear(&res);
    free(bare);
}

static void remote_tracking_branches_and_the_default(void **state)
{
    char *origin = repo_path("origin.git"), *work = repo_path("work"), *other = repo_path("other");
    collected c;
    gl_git_result res = {0};
    const seen *s;
    (void)state;

    sh("git clone -q --bare '%s' '%s'", history, origin);
    sh("git clone -q '%s' '%s'", origin, work);
    sh("git clone -q '%s' '%s'", origin, other);
    /* Someone (Ada on her laptop) pushes a topic and a commit on main. */
    sh("git -C '%s' checkout -q -b topic/OPS-9-remote", other);
    ME(other, T0 + 8 * HOUR, "+0200", "Remote topic work");
    sh("git -C '%s' push -q origin topic/OPS-9-remote", other);
    sh("git -C '%s' checkout -q main", other);
    ME(other, T0 + 9 * HOUR, "+0200", "Pushed to main elsewhere");
    sh("git -C '%s' push -q origin main", other);
    sh("git -C '%s' fetch -q", work);
    /* In the working copy, HEAD is on a feature branch: it is not the default. */
    sh("git -C '%s' checkout -q -b feature/WEB-5", work);
    ME(work, T0 + 10 * HOUR, "+0200", "Local feature work");

    gl_assert_ok(scan(work, NULL, &c, &res));
    assert_int_equal(c.n, 10);
    s = find(&c, "Remote topic work");
    assert_string_equal(s->branch, "origin/topic/OPS-9-remote");
    assert_string_equal(s->keys, "OPS-9");
    assert_string_equal(find(&c, "Pushed to main elsewhere")->branch, "origin/main");
    assert_string_equal(find(&c, "Local feature work")->branch, "feature/WEB-5");
    /* Held by main, origin/main, the feature branches: main's own. */
    assert_string_equal(find(&c, "Initial commit")->branch, "main");
    assert_string_equal(find(&c, "Update docs on main")->branch, "main");
    /* The merged feature exists only as origin/feature/...: its commits stay its own. */
    s = find(&c, "Add tests");
    assert_string_equal(s->branch, "origin/feature/ACME-142-fix-login");
    assert_string_equal(s->keys, "ACME-142,PROJ-7");
    gl_git_result_clear(&res);
    free(origin);
    free(work);
    free(other);
}

static void stacked_and_long_lived_branches(void **state)
{
    char *r = repo_path("stacked");
    collected c;
    gl_git_result res = {0};
    (void)state;

    sh("git init -q -b main '%s'", r);
    ME(r, T0, "+0000", "On main");
    sh("git -C '%s' checkout -q -b develop", r);
    ME(r, T0 + HOUR, "+0000", "On develop 1");
    sh("git -C '%s' checkout -q -b feature/A-1", r);
    ME(r, T0 + 2 * HOUR, "+0000", "On A");
    sh("git -C '%s' checkout -q -b feature/B-2", r); /* stacked on A */
    ME(r, T0 + 3 * HOUR, "+0000", "On B");
    sh("git -C '%s' checkout -q develop", r);
    ME(r, T0 + 4 * HOUR, "+0000", "On develop 2");
    sh("git -C '%s' branch stale develop~1", r); /* an old pointer into develop */

    gl_assert_ok(scan(r, NULL, &c, &res));
    assert_int_equal(c.n, 5);
    assert_string_equal(find(&c, "On main")->branch, "main");
    assert_string_equal(find(&c, "On develop 1")->branch, "develop");
    assert_string_equal(find(&c, "On develop 2")->branch, "develop");
    assert_string_equal(find(&c, "On A")->branch, "feature/A-1");
    assert_string_equal(find(&c, "On A")->keys, ""); /* "A-1" is too short for a key */
    assert_string_equal(find(&c, "On B")->branch, "feature/B-2");
    assert_string_equal(find(&c, "On B")->keys, "");
    gl_git_result_clear(&res);
    free(r);
}

static void detached_head_and_odd_refs(void **state)
{
    char *r = repo_path("detached");
    collected c;
    gl_git_result res = {0};
    (void)state;

    sh("git clone -q '%s' '%s'", history, r);
    sh("git -C '%s' checkout -q --detach", r);
    ME(r, T0 + 8 * HOUR, "+0000", "Work on a detached HEAD");
    /* A branch set to a tree by hand is skipped; a garbage loose ref is
     * ignored by libgit2 as by git ("ignoring broken ref"). */
    sh("git -C '%s' rev-parse 'HEAD^{tree}' > '%s/.git/refs/heads/a-tree'", r, r);
    gl_test_write(gl_test_path(r, ".git/refs/heads/junk"), "garbage\n", 0644);

    gl_assert_ok(scan(r, NULL, &c, &res));
    assert_int_equal(c.n, 8);
    assert_string_equal(find(&c, "Work on a detached HEAD")->branch, "HEAD");
    assert_non_null(strstr(res.warning, "a-tree points at a tree"));
    assert_non_null(strstr(res.tips, "\"HEAD\""));
    gl_git_result_clear(&res);
    free(r);
}

/* ------------------------------------------------------------ incremental */

static void incremental_reads_only_new_commits(void **state)
{
    char *r = repo_path("incr");
    char *tips1 = NULL, *tips2 = NULL;
    collected c;
    gl_git_result res = {0};
    (void)state;

    sh("git clone -q '%s' '%s'", history, r);
    gl_assert_ok(scan(r, NULL, &c, &res));
    assert_int_equal(c.n, 7);
    tips1 = res.tips;
    res.tips = NULL;
    gl_git_result_clear(&res);

    ME(r, T0 + 8 * HOUR, "+0100", "One more on main");
    gl_assert_ok(scan(r, tips1, &c, &res));
    assert_int_equal(c.n, 1);
    assert_string_equal(find(&c, "One more on main")->branch, "main");
    assert_true(res.commits_read <= 4);
    tips2 = res.tips;
    res.tips = NULL;
    gl_git_result_clear(&res);

    /* Nothing moved: nothing is read. */
    gl_assert_ok(scan(r, tips2, &c, &res));
    assert_int_equal(c.n, 0);
    assert_int_equal(res.commits_read, 0);
    assert_string_equal(res.tips, tips2);
    gl_git_result_clear(&res);

    /* A new branch from an old commit: only its own commit. */
    sh("git -C '%s' checkout -q -b fix/OPS-3 main~2", r);
    ME(r, T0 + 9 * HOUR, "+0100", "Hotfix");
    gl_assert_ok(scan(r, tips2, &c, &res));
    assert_int_equal(c.n, 1);
    assert_string_equal(find(&c, "Hotfix")->keys, "OPS-3");
    assert_true(res.commits_read <= 5);
    gl_git_result_clear(&res);

    /* Unreadable tips: everything again, with a warning. */
    gl_assert_ok(scan(r, "{not json", &c, &res));
    assert_int_equal(c.n, 9);
    assert_non_null(strstr(res.warning, "tips"));
    gl_git_result_clear(&res);

    free(tips1);
    free(tips2);
    free(r);
}

static void rebased_and_removed_branches(void **state)
{
    char *r = repo_path("rebase");
    char *tips = NULL;
    collected c, before;
    gl_git_result res = {0};
    (void)state;

    sh("git init -q -b main '%s'", r);
    ME(r, T0, "+0000", "Base");
    sh("git -C '%s' branch tmp", r);
    sh("git -C '%s' checkout -q -b feature/ACME-3", r);
    ME(r, T0 + HOUR, "+0000", "Feature one");
    ME(r, T0 + 2 * HOUR, "+0000", "Feature two");
    sh("git -C '%s' checkout -q main", r);
    BOB(r, T0 + 3 * HOUR, "+0000", "Bob on main");
    gl_assert_ok(scan(r, NULL, &before, &res));
    assert_int_equal(before.n, 3);
    tips = res.tips;
    res.tips = NULL;
    gl_git_result_clear(&res);

    /* Rebase the feature onto main (new ids), delete tmp, drop the old objects. */
    git_as(r, "Ada Lovelace", "ada@example.com", T0 + 4 * HOUR, "+0000",
           "rebase -q main feature/ACME-3");
    sh("git -C '%s' branch -q -D tmp", r);
    sh("git -C '%s' reflog expire --expire=now --all && git -C '%s' gc -q --prune=now", r, r);

    gl_assert_ok(scan(r, tips, &c, &res));
    assert_int_equal(c.n, 2);
    assert_string_equal(find(&c, "Feature one")->branch, "feature/ACME-3");
    assert_string_equal(find(&c, "Feature two")->keys, "ACME-3");
    assert_string_not_equal(find(&c, "Feature two")->id, find(&before, "Feature two")->id);
    assert_null(strstr(res.tips, "tmp"));
    gl_git_result_clear(&res);
    free(tips);
    free(r);
}

static void progress(void *payload, size_t n)
{
    size_t *last = payload;
    assert_true(n > *last);
    *last = n;
}

static void long_history_reports_progress(void **state)
{
    char *r = repo_path("long"), *stream = repo_path("long.fi");
    FILE *f;
    size_t last = 0;
    static const char *const ids[] = {"ada@example.com"};
    gl_git_options o = {.identities = ids, .n_identities = 1, .progress = progress};
    gl_git_result res = {0};
    (void)state;

    /* 5,000 commits through fast-import, every other one Ada's. */
    f = fopen(stream, "w");
    assert_non_null(f);
    for (int i = 0; i < 5000; i++)
        fprintf(f,
                "commit refs/heads/main\nauthor %s %d +0000\ncommitter CI <ci@example.com> %d "
                "+0000\ndata <<EOF\nChange %d\nEOF\n\n",
                i % 2 ? "Ada <ada@example.com>" : "Bob <bob@example.com>", T0 + i, T0 + i, i);
    fclose(f);
    sh("git init -q -b main '%s' && git -C '%s' fast-import --quiet < '%s'", r, r, stream);

    o.path = r;
    o.progress_payload = &last;
    gl_assert_ok(gl_git_scan(&o, NULL, NULL, &res));
    assert_int_equal(res.commits_read, 5000);
    assert_int_equal(res.commits_mine, 2500);
    assert_int_equal(last, 4096);
    gl_git_result_clear(&res);
    free(r);
    free(stream);
}

/* ------------------------------------------------------------ odd repositories */

static void shallow_clone_is_read_with_a_warning(void **state)
{
    char *r = repo_path("shallow");
    collected c;
    gl_git_result res = {0};
    (void)state;

    sh("git clone -q --depth 2 'file://%s' '%s'", history, r);
    gl_assert_ok(scan(r, NULL, &c, &res));
    /* The merge and its two parents; what lies behind the cut is not there. */
    assert_int_equal(res.commits_read, 3);
    assert_int_equal(c.n, 3);
    assert_int_equal(find(&c, "Merge the ACME-142 login fix")->parents, 2);
    assert_int_equal(find(&c, "Add tests")->parents, 1); /* as written, though cut */
    assert_false(has(&c, "Fix login redirect"));
    assert_non_null(strstr(res.warning, "shallow clone"));
    assert_non_null(strstr(res.warning, "--unshallow"));
    gl_git_result_clear(&res);
    free(r);
}

static void empty_repository_has_no_commits(void **state)
{
    char *r = repo_path("empty");
    collected c;
    gl_git_result res = {0};
    (void)state;

    sh("git init -q -b main '%s'", r);
    gl_assert_ok(scan(r, NULL, &c, &res));
    assert_int_equal(c.n, 0);
    assert_int_equal(res.commits_read, 0);
    assert_string_equal(res.tips, "{}");
    assert_string_equal(res.warning, "");
    gl_git_result_clear(&res);

    /* Its first commits, given the empty repository's tips: all of them. */
    ME(r, T0, "+0000", "First");
    ME(r, T0 + HOUR, "+0000", "Second");
    gl_assert_ok(scan(r, "{}", &c, &res));
    assert_int_equal(c.n, 2);
    assert_int_equal(res.commits_read, 2);
    gl_git_result_clear(&res);
    free(r);
}

static void expect_error(const char *path, int code, const char *part1, const char *part2)
{
    collected c;
    gl_git_result res = {0};
    int rc = scan(path, NULL, &c, &res);

    if (getenv("GL_TEST_VERBOSE"))
        printf("%d %s\n", rc, gl_error_last());
    if (rc != code)
        fail_msg("%s: got %d (%s), want %d", path, rc, gl_error_last(), code);
    if (!strstr(gl_error_last(), path) || !strstr(gl_error_last(), part1) ||
        (part2 && !strstr(gl_error_last(), part2)))
        fail_msg("%s: message '%s' lacks '%s'/'%s'", path, gl_error_last(), part1,
                 part2 ? part2 : "");
    assert_null(res.tips);
    gl_git_result_clear(&res);
}

static void missing_and_non_repositories(void **state)
{
    char *missing = repo_path("no-such-dir"), *plain = repo_path("plain"),
         *file = repo_path("a-file");
    gl_git_options o = {0};
    gl_git_result res = {0};
    (void)state;

    expect_error(missing, GL_ENOTFOUND, "No such file", "path");
    assert_int_equal(mkdir(plain, 0755), 0);
    expect_error(plain, GL_ENOTFOUND, "not a Git repository", NULL);
    gl_test_write(file, "x", 0644);
    expect_error(file, GL_ENOTFOUND, "not a directory", NULL);
    assert_int_equal(gl_git_scan(&o, NULL, NULL, &res), GL_EINVAL);
    gl_git_result_clear(&res);
    free(missing);
    free(plain);
    free(file);
}

static void damaged_repositories_are_errors(void **state)
{
    char *loose = repo_path("bad-loose"), *ref = repo_path("bad-ref"),
         *packed = repo_path("bad-packed-refs"), *pack = repo_path("bad-pack"),
         *weird = repo_path("bad-commit"), *orphan = repo_path("bad-parent");
    char obj[4096], *cmd;
    FILE *p;
    (void)state;

    /* Garbage in the object file of a commit in the middle of the history. */
    sh("git clone -q --no-local '%s' '%s' && cd '%s' && mv .git/objects/pack/*.pack ../loose.pack "
       "&& rm -f .git/objects/pack/* && git unpack-objects -q < ../loose.pack",
       history, loose, loose);
    cmd = gl_strdupf("git -C '%s' rev-parse main~1", loose);
    assert_non_null(p = popen(cmd, "r"));
    assert_non_null(fgets(obj, sizeof(obj), p));
    pclose(p);
    free(cmd);
    obj[40] = '\0';
    {
        char *file = gl_strdupf("%s/.git/objects/%.2s/%s", loose, obj, obj + 2);
        chmod(file, 0644);
        gl_test_write(file, "this is not a zlib stream", 0644);
        free(file);
    }
    expect_error(loose, GL_EBADDATA, "fsck", obj);

    /* A branch naming a commit that is not there. */
    sh("git clone -q '%s' '%s'", history, ref);
    gl_test_write(gl_test_path(ref, ".git/refs/heads/lost"),
                  "0123456789abcdef0123456789abcdef01234567\n", 0644);
    expect_error(ref, GL_EBADDATA, "refs/heads/lost", "missing");

    /* A packed-refs file that is garbage. */
    sh("git clone -q '%s' '%s'", history, packed);
    gl_test_write(gl_test_path(packed, ".git/packed-refs"), "garbage\n", 0644);
    expect_error(packed, GL_EBADDATA, "fsck", NULL);

    /* A pack cut in half. */
    sh("git clone -q --no-local '%s' '%s' && cd '%s' && git repack -adq && "
       "f=$(ls .git/objects/pack/*.pack) && chmod u+w \"$f\" && "
       "truncate -s $(( $(stat -c %%s \"$f\") / 2 )) \"$f\"",
       history, pack, pack);
    expect_error(pack, GL_EBADDATA, "fsck", NULL);

    /* A "commit" object with no headers, written with --literally. */
    sh("git init -q -b main '%s' && cd '%s' && "
       "oid=$(printf 'no headers at all\\n' | git hash-object -t commit --literally -w --stdin) "
       "&& echo \"$oid\" > .git/refs/heads/main",
       weird, weird);
    expect_error(weird, GL_EBADDATA, "without a tree line", "fsck");

    /* A commit whose parent is not there. */
    sh("git init -q -b main '%s' && cd '%s' && "
       "oid=$(printf 'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\\nparent "
       "89abcdef0123456789abcdef0123456789abcdef\\nauthor A <ada@example.com> 1 +0000\\n"
       "committer A <ada@example.com> 1 +0000\\n\\nOrphan\\n' | "
       "git hash-object -t commit --literally -w --stdin) && "
       "git update-ref refs/heads/main \"$oid\"",
       orphan, orphan);
    expect_error(orphan, GL_EBADDATA, "missing commit 89abcdef0123", "fsck");

    free(loose);
    free(ref);
    free(packed);
    free(pack);
    free(weird);
    free(orphan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jira_keys_table),
        cmocka_unit_test(jira_keys_append_and_cap),
        cmocka_unit_test(reads_mine_with_mailmap_zones_and_branches),
        cmocka_unit_test(bare_repository_is_read_with_its_mailmap),
        cmocka_unit_test(remote_tracking_branches_and_the_default),
        cmocka_unit_test(stacked_and_long_lived_branches),
        cmocka_unit_test(detached_head_and_odd_refs),
        cmocka_unit_test(incremental_reads_only_new_commits),
        cmocka_unit_test(rebased_and_removed_branches),
        cmocka_unit_test(long_history_reports_progress),
        cmocka_unit_test(shallow_clone_is_read_with_a_warning),
        cmocka_unit_test(empty_repository_has_no_commits),
        cmocka_unit_test(missing_and_non_repositories),
        cmocka_unit_test(damaged_repositories_are_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
