/*
 * test_store.c - migrations, refusal of newer and foreign files, the outbox,
 * sync state and the audit table.
 */
#include "support.h"

#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "agent/store.h"
#include "util/fs.h"

typedef struct fixture {
    char *dir;
    gl_clock_fake *clock;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    f->dir = gl_test_tmpdir();
    gl_clock_fake_new(&f->clock, 1763700000000LL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gl_test_rmrf(f->dir);
    free(f->dir);
    gl_clock_fake_free(f->clock);
    free(f);
    return 0;
}

static int raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int v = -1;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void migrates_from_nothing_and_reopens(void **state)
{
    fixture *f = *state;
    const char *path = gl_test_path(f->dir, "deep/er/gleaner.db");
    gl_store *store = NULL;
    gl_store_counts counts;
    char mode[16];
    int version = 0;
    struct stat st;
    static const char *const tables[] = {
        "activities",
        "proposals",
        "proposal_sources",
        "harvest_users",
        "harvest_clients",
        "harvest_projects",
        "harvest_tasks",
        "harvest_task_assignments",
        "harvest_user_assignments",
        "harvest_time_entries",
        "sync_state",
        "outbox",
        "alerts",
        "audit",
    };

    gl_assert_ok(gl_store_open(&store, path, gl_clock_fake_clock(f->clock)));
    gl_assert_ok(gl_store_schema_version(store, &version));
    assert_int_equal(version, GL_STORE_VERSION);
    gl_assert_ok(gl_store_journal_mode(store, mode, sizeof(mode)));
    assert_string_equal(mode, "wal");
    gl_assert_ok(gl_store_check(store));
    gl_assert_ok(gl_store_counts_get(store, &counts));
    assert_int_equal(counts.activities, 0);
    gl_assert_ok(gl_store_state_set(store, "git:acme-web", "tip:refs/heads/main", "abc123"));
    gl_store_close(store);

    /* Private: the store holds other people's names and notes. */
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0077, 0);
    assert_int_equal(stat(gl_test_path(f->dir, "deep/er"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_schema WHERE name = '%s'",
                 tables[i]);
        if (raw_int(path, sql) != 1)
            fail_msg("table %s is missing", tables[i]);
    }

    /* Reopening keeps the data and migrates nothing. */
    gl_assert_ok(gl_store_open(&store, path, gl_clock_fake_clock(f->clock)));
    {
        char *value = NULL;
        gl_assert_ok(gl_store_state_get(store, "git:acme-web", "tip:refs/heads/main", &value));
        assert_string_equal(value, "abc123");
        free(value);
        assert_int_equal(gl_store_state_get(store, "git:acme-web", "tip:refs/heads/x", &value),
                         GL_ENOTFOUND);
    }
    gl_store_close(store);
    assert_int_equal(gl_store_inspect(&store, gl_test_path(f->dir, "none.db"), NULL), GL_ENOTFOUND);
    assert_false(gl_fs_exists(gl_test_path(f->dir, "none.db")));
}

/* A store the last released gleaner wrote (schema 1) opens, migrates and collects. */
static void migrates_a_released_store(void **state)
{
    fixture *f = *state;
    const char *path = gl_test_path(f->dir, "v1.db");
    char *sql = NULL;
    gl_store *store = NULL;
    int version = 0, change = -1;
    int64_t run = 0, removed = -1;
    gl_activity a = {.source = "calendar:work",
                     .kind = "meeting",
                     .key = "standup@example.com/20261116T083000Z",
                     .start = 1795334400,
                     .end = 1795335300,
                     .title = "Daily standup",
                     .counted = true,
                     .details = "{}"};

    size_t len = 0;
    gl_assert_ok(
        gl_fs_read_file(&sql, &len, GL_TEST_SOURCE_DIR "/tests/unit/store-v1.sql", 1 << 20));
    raw_exec(path, sql);
    free(sql);
    assert_int_equal(raw_int(path, "PRAGMA user_version"), 1);
    gl_assert_ok(gl_store_open(&store, path, gl_clock_fake_clock(f->clock)));
    gl_assert_ok(gl_store_schema_version(store, &version));
    assert_int_equal(version, GL_STORE_VERSION);
    gl_assert_ok(gl_store_check(store));
    /* What the version-1 store held is there, and collecting into it works. */
    gl_assert_ok(gl_store_activity_run(store, &run));
    gl_assert_ok(gl_store_activity_put(store, &a, run, &change));
    assert_int_equal(change, GL_ACTIVITY_SAME);
    gl_assert_ok(gl_store_activity_sweep(store, "calendar:work", 0, INT64_MAX, run, &removed));
    assert_int_equal(removed, 0);
    gl_store_close(store);
}

static void migrates_an_empty_file(void **state)
{
    fixture *f = *state;
    const char *path = gl_test_path(f->dir, "empty.db");
    gl_store *store = NULL;
    int version = -1;

    gl_test_write(path, "", 0600);
    /* Inspecting does not write: an empty file stays empty, schema 0. */
    gl_assert_ok(gl_store_inspect(&store, path, NULL));
    gl_assert_ok(gl_store_schema_version(store, &version));
    assert_int_equal(version, 0);
    gl_store_close(store);
    assert_int_equal(raw_int(path, "PRAGMA user_version"), 0);
    gl_assert_ok(gl_store_open(&store, path, NULL));
    gl_assert_ok(gl_store_schema_version(store, &version));
    assert_int_equal(version, GL_STORE_VERSION);
    gl_assert_ok(gl_store_audit_add(store, "cli", "init", NULL, true, NULL));
    gl_store_close(store);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM audit"), 1);
}

static void newer_store_is_refused_untouched(void **state)
{
    fixture *f = *state;
    const char *path = gl_test_path(f->dir, "gleaner.db");
    gl_store *store = NULL;
    char *before = NULL, *after = NULL;
    size_t blen = 0, alen = 0;

    gl_assert_ok(gl_store_open(&store, path, NULL));
    gl_store_close(store);
    raw_exec(path, "PRAGMA user_version = 99; PRAGMA journal_mode = DELETE;");
    gl_assert_ok(gl_fs_read_file(&before, &blen, path, 1 << 24));
    assert_int_equal(gl_store_open(&store, path, NULL), GL_EVERSION);
    assert_null(store);
    assert_non_null(strstr(gl_error_last(), "newer gleaner"));
    assert_non_null(strstr(gl_error_last(), "99"));
    gl_assert_ok(gl_fs_read_file(&after, &alen, path, 1 << 24));
    /* Not damaged: byte for byte the same, still version 99, not switched to WAL. */
    assert_int_equal(alen, blen);
    assert_memory_equal(before, after, blen);
    assert_int_equal(raw_int(path, "PRAGMA user_version"), 99);
    assert_int_equal(gl_store_inspect(&store, path, NULL), GL_EVERSION);
    free(before);
    free(after);
}

static void foreign_files_are_refused(void **state)
{
    fixture *f = *state;
    const char *junk = gl_test_path(f->dir, "junk.db");
    const char *other = gl_test_path(f->dir, "other.db");
    gl_store *store = NULL;

    gl_test_write(junk, "this is not a database, just text that is long enough to matter\n", 0600);
    assert_int_equal(gl_store_open(&store, junk, NULL), GL_ESTORE);
    assert_non_null(strstr(gl_error_last(), "not a gleaner store"));
    raw_exec(other, "CREATE TABLE t (x); PRAGMA application_id = 42; PRAGMA user_version = 1;");
    assert_int_equal(gl_store_open(&store, other, NULL), GL_ESTORE);
    assert_non_null(strstr(gl_error_last(), "another program"));
    assert_int_equal(raw_int(other, "PRAGMA application_id"), 42);
}

static void transactions_roll_back(void **state)
{
    fixture *f = *state;
    const char *path = gl_test_path(f->dir, "gleaner.db");
    gl_store *store = NULL;
    char *value = NULL;

    gl_assert_ok(gl_store_open(&store, path, NULL));
    gl_assert_ok(gl_store_begin(store));
    gl_assert_ok(gl_store_state_set(store, "harvest", "updated_since", "2026-11-01T00:00:00Z"));
    gl_assert_ok(gl_store_outbox_add(store, "slack.message", "nudge:2026-11-20", "{}", NULL));
    gl_store_rollback(store);
    assert_int_equal(gl_store_state_get(store, "harvest", "updated_since", &value), GL_ENOTFOUND);
    gl_store_close(store);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM outbox"), 0);
}

/* A transaction inside one is a savepoint: its own rollback or commit, then the outer's. */
static void transactions_nest(void **state)
{
    fixture *f = *state;
    const char *path = gl_test_path(f->dir, "gleaner.db");
    gl_store *store = NULL;
    char *value = NULL;

    gl_assert_ok(gl_store_open(&store, path, NULL));
    gl_assert_ok(gl_store_begin(store));
    gl_assert_ok(gl_store_state_set(store, "t", "outer", "1"));
    gl_assert_ok(gl_store_begin(store));
    gl_assert_ok(gl_store_state_set(store, "t", "undone", "1"));
    gl_store_rollback(store);
    gl_assert_ok(gl_store_begin(store));
    gl_assert_ok(gl_store_state_set(store, "t", "kept", "1"));
    gl_assert_ok(gl_store_commit(store));
    assert_int_equal(gl_store_state_get(store, "t", "undone", &value), GL_ENOTFOUND);
    gl_assert_ok(gl_store_state_get(store, "t", "kept", &value));
    free(value);
    gl_assert_ok(gl_store_commit(store));
    gl_store_close(store);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM sync_state WHERE source = 't'"), 2);

    /* The outer rollback takes what the inner commit kept. */
    gl_assert_ok(gl_store_open(&store, path, NULL));
    gl_assert_ok(gl_store_begin(store));
    gl_assert_ok(gl_store_begin(store));
    gl_assert_ok(gl_store_state_set(store, "t", "dry", "1"));
    gl_assert_ok(gl_store_commit(store));
    gl_store_rollback(store);
    assert_int_equal(gl_store_state_get(store, "t", "dry", &value), GL_ENOTFOUND);
    /* And a transaction after it is a fresh one, not a savepoint of nothing. */
    gl_assert_ok(gl_store_begin(store));
    gl_assert_ok(gl_store_state_set(store, "t", "after", "1"));
    gl_assert_ok(gl_store_commit(store));
    gl_store_close(store);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM sync_state WHERE source = 't'"), 3);
}

static void outbox_never_queues_twice_and_remembers_uncertainty(void **state)
{
    fixture *f = *state;
    gl_store *store = NULL;
    gl_outbox_item *item = NULL;
    int64_t id = 0;
    const gl_clock *clock = gl_clock_fake_clock(f->clock);
    const char *path = gl_test_path(f->dir, "gleaner.db");

    gl_assert_ok(gl_store_open(&store, path, clock));
    gl_assert_ok(
        gl_store_outbox_add(store, "harvest.time_entry", "gleaner:p1", "{\"hours\":1}", &id));
    assert_int_equal(gl_store_outbox_add(store, "harvest.time_entry", "gleaner:p1", "{}", NULL),
                     GL_EEXISTS);
    gl_assert_ok(gl_store_outbox_add(store, "email", "report:2026-W47", "{}", NULL));

    gl_assert_ok(gl_store_outbox_claim(store, "harvest.time_entry", &item));
    assert_int_equal(item->id, id);
    assert_string_equal(item->payload, "{\"hours\":1}");
    assert_int_equal(item->attempts, 1);
    assert_false(item->uncertain);
    gl_outbox_item_free(item);

    /* A crash now leaves it 'sending': the next claim must say the outcome is unknown. */
    gl_store_close(store);
    gl_assert_ok(gl_store_open(&store, path, clock));
    gl_assert_ok(gl_store_outbox_claim(store, "harvest.time_entry", &item));
    assert_true(item->uncertain);
    assert_int_equal(item->attempts, 2);
    /* A timeout: retry later, still uncertain. */
    gl_assert_ok(
        gl_store_outbox_retry(store, item->id, gl_clock_now(clock) + 60, "timed out", true));
    gl_outbox_item_free(item);
    assert_int_equal(gl_store_outbox_claim(store, "harvest.time_entry", &item), GL_ENOTFOUND);
    gl_clock_fake_advance(f->clock, 61000);
    gl_assert_ok(gl_store_outbox_claim(store, "harvest.time_entry", &item));
    assert_true(item->uncertain);
    gl_assert_ok(gl_store_outbox_done(store, item->id, "{\"id\":636709355}"));
    gl_outbox_item_free(item);
    assert_int_equal(gl_store_outbox_claim(store, "harvest.time_entry", &item), GL_ENOTFOUND);

    gl_assert_ok(gl_store_outbox_claim(store, NULL, &item));
    assert_string_equal(item->kind, "email");
    gl_assert_ok(gl_store_outbox_fail(store, item->id, "550 mailbox unavailable"));
    gl_outbox_item_free(item);
    assert_int_equal(gl_store_outbox_claim(store, NULL, &item), GL_ENOTFOUND);
    assert_int_equal(gl_store_outbox_done(store, 9999, NULL), GL_ENOTFOUND);
    gl_store_close(store);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM outbox WHERE status = 'done'"), 1);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM outbox WHERE status = 'failed'"), 1);
}

static void audit_rows_are_written(void **state)
{
    fixture *f = *state;
    gl_store *store = NULL;
    gl_store_counts counts;
    const char *path = gl_test_path(f->dir, "gleaner.db");

    gl_assert_ok(gl_store_open(&store, path, gl_clock_fake_clock(f->clock)));
    gl_assert_ok(gl_store_audit_add(store, "mcp", "list_projects", "{}", true, NULL));
    gl_assert_ok(gl_store_audit_add(store, "cli", "delete_time_entry", "{\"id\":1}", false,
                                    "Harvest refused: entry is locked"));
    gl_assert_ok(gl_store_counts_get(store, &counts));
    assert_int_equal(counts.audit, 2);
    gl_store_close(store);
    assert_int_equal(raw_int(path, "SELECT at FROM audit WHERE outcome = 'error'"), 1763700000);
}

static void store_path_precedence(void **state)
{
    char *path = NULL;
    (void)state;
    unsetenv("GLEANER_DB");
    unsetenv("XDG_DATA_HOME");
    setenv("HOME", "/home/ada", 1);
    gl_assert_ok(gl_store_path(&path, NULL, NULL));
    assert_string_equal(path, "/home/ada/.local/share/gleaner/gleaner.db");
    free(path);
    setenv("XDG_DATA_HOME", "/data", 1);
    gl_assert_ok(gl_store_path(&path, NULL, NULL));
    assert_string_equal(path, "/data/gleaner/gleaner.db");
    free(path);
    setenv("GLEANER_DB", "~/g.db", 1);
    gl_assert_ok(gl_store_path(&path, NULL, NULL));
    assert_string_equal(path, "/home/ada/g.db");
    free(path);
    gl_assert_ok(gl_store_path(&path, "/flag.db", NULL));
    assert_string_equal(path, "/flag.db");
    free(path);
    unsetenv("GLEANER_DB");
    unsetenv("XDG_DATA_HOME");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(migrates_from_nothing_and_reopens, setup, teardown),
        cmocka_unit_test_setup_teardown(migrates_an_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(migrates_a_released_store, setup, teardown),
        cmocka_unit_test_setup_teardown(newer_store_is_refused_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(foreign_files_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(transactions_roll_back, setup, teardown),
        cmocka_unit_test_setup_teardown(transactions_nest, setup, teardown),
        cmocka_unit_test_setup_teardown(outbox_never_queues_twice_and_remembers_uncertainty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(audit_rows_are_written, setup, teardown),
        cmocka_unit_test(store_path_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
