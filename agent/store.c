/*
 * store.c - SQLite: opening, migrations, transactions and every query.
 */
#include "store.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

/* 'glnr': marks the file as gleaner's so another program's database is refused. */
#define GL_STORE_APPLICATION_ID 0x676c6e72

struct gl_store {
    sqlite3 *db;
    char *path;
    const gl_clock *clock;
    /* Kept prepared: a first Git scan writes tens of thousands of activities. */
    sqlite3_stmt *activity_get, *activity_insert, *activity_update;
    int depth; /* transactions open: the first is BEGIN, the others savepoints */
};

/*
 * Migrations: migrations[i] brings the schema from version i to i + 1.
 * Never edit a released migration; add the next one.
 */
static const char *const migrations[] = {
    /* 0 -> 1: the tables of DESIGN.md section 1. */
    "CREATE TABLE activities ("
    "  id INTEGER PRIMARY KEY,"
    "  source TEXT NOT NULL," /* calendar:work, git:acme-web, jira */
    "  kind TEXT NOT NULL CHECK (kind IN ('meeting','commit','worklog','out-of-office')),"
    "  key TEXT NOT NULL,"      /* UID + occurrence start, commit id, worklog id */
    "  start INTEGER NOT NULL," /* UTC seconds */
    "  end INTEGER NOT NULL,"
    "  title TEXT NOT NULL DEFAULT '',"
    "  counted INTEGER NOT NULL DEFAULT 1,"
    "  why TEXT," /* why it is not counted: declined, cancelled, free, ... */
    "  details TEXT NOT NULL DEFAULT '{}'," /* JSON: organizer, attendees, repo, branch, keys */
    "  collected_at INTEGER NOT NULL,"
    "  UNIQUE (source, key));"
    "CREATE INDEX activities_start ON activities(start);"

    "CREATE TABLE proposals ("
    "  id INTEGER PRIMARY KEY,"
    "  key TEXT NOT NULL UNIQUE," /* gleaner's key, sent as Harvest's external_reference */
    "  day TEXT NOT NULL,"        /* YYYY-MM-DD in the user's zone */
    "  project_id INTEGER,"       /* NULL: unassigned */
    "  task_id INTEGER,"
    "  hours REAL NOT NULL,"
    "  notes TEXT NOT NULL DEFAULT '',"
    "  confidence REAL NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL DEFAULT 'proposed'"
    "    CHECK (status IN ('proposed','accepted','rejected','pushed')),"
    "  reason TEXT NOT NULL DEFAULT ''," /* the rule or signal that chose the project */
    "  edited INTEGER NOT NULL DEFAULT 0,"
    "  harvest_entry_id INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX proposals_day ON proposals(day);"
    "CREATE TABLE proposal_sources ("
    "  proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,"
    "  activity_id INTEGER REFERENCES activities(id) ON DELETE SET NULL,"
    "  kind TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  start INTEGER NOT NULL,"
    "  end INTEGER NOT NULL,"
    "  PRIMARY KEY (proposal_id, kind, key, start));"

    /*
     * The Harvest mirror: queried fields as columns, the whole object as
     * JSON; seen_sync is the number of the last sync that saw the row, so a
     * sync can delete what it no longer sees.
     */
    "CREATE TABLE harvest_users ("
    "  id INTEGER PRIMARY KEY, email TEXT, first_name TEXT, last_name TEXT,"
    "  is_active INTEGER, weekly_capacity INTEGER, is_me INTEGER NOT NULL DEFAULT 0,"
    "  updated_at TEXT, data TEXT NOT NULL, seen_sync INTEGER NOT NULL);"
    "CREATE TABLE harvest_clients ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, is_active INTEGER,"
    "  updated_at TEXT, data TEXT NOT NULL, seen_sync INTEGER NOT NULL);"
    "CREATE TABLE harvest_projects ("
    "  id INTEGER PRIMARY KEY, client_id INTEGER, name TEXT NOT NULL, code TEXT,"
    "  is_active INTEGER, is_billable INTEGER, budget REAL, budget_by TEXT,"
    "  budget_is_monthly INTEGER, updated_at TEXT, data TEXT NOT NULL, seen_sync INTEGER NOT NULL);"
    "CREATE TABLE harvest_tasks ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, is_active INTEGER,"
    "  billable_by_default INTEGER, updated_at TEXT, data TEXT NOT NULL,"
    "  seen_sync INTEGER NOT NULL);"
    "CREATE TABLE harvest_task_assignments ("
    "  id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, task_id INTEGER NOT NULL,"
    "  is_active INTEGER, billable INTEGER, updated_at TEXT, data TEXT NOT NULL,"
    "  seen_sync INTEGER NOT NULL);"
    "CREATE INDEX harvest_task_assignments_project ON harvest_task_assignments(project_id);"
    "CREATE TABLE harvest_user_assignments ("
    "  id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, user_id INTEGER NOT NULL,"
    "  is_active INTEGER, updated_at TEXT, data TEXT NOT NULL, seen_sync INTEGER NOT NULL);"
    "CREATE TABLE harvest_time_entries ("
    "  id INTEGER PRIMARY KEY, spent_date TEXT NOT NULL, user_id INTEGER,"
    "  project_id INTEGER, task_id INTEGER, hours REAL NOT NULL, notes TEXT,"
    "  is_locked INTEGER, is_billed INTEGER, billable INTEGER, is_running INTEGER,"
    "  external_ref_id TEXT, updated_at TEXT, data TEXT NOT NULL, seen_sync INTEGER NOT NULL);"
    "CREATE INDEX harvest_time_entries_day ON harvest_time_entries(spent_date, user_id);"
    "CREATE INDEX harvest_time_entries_project ON harvest_time_entries(project_id, spent_date);"
    "CREATE INDEX harvest_time_entries_ref ON harvest_time_entries(external_ref_id);"

    "CREATE TABLE sync_state ("
    "  source TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL, PRIMARY KEY (source, key));"

    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  dedupe_key TEXT NOT NULL UNIQUE,"
    "  payload TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'pending'"
    "    CHECK (status IN ('pending','sending','done','failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL,"
    "  last_error TEXT,"
    "  result TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX outbox_due ON outbox(status, next_attempt_at);"

    "CREATE TABLE alerts ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"               /* budget, milestone, nudge, report */
    "  subject TEXT NOT NULL,"            /* project id, milestone name, channel */
    "  period TEXT NOT NULL,"             /* 2026-11, 2026-W47, 2026-11-21, total */
    "  level INTEGER NOT NULL DEFAULT 0," /* threshold percent */
    "  fired_at INTEGER NOT NULL,"
    "  outbox_id INTEGER REFERENCES outbox(id),"
    "  details TEXT NOT NULL DEFAULT '{}',"
    "  UNIQUE (kind, subject, period, level));"

    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  tool TEXT NOT NULL,"
    "  arguments TEXT NOT NULL DEFAULT '{}',"
    "  outcome TEXT NOT NULL CHECK (outcome IN ('ok','error')),"
    "  message TEXT);"
    "CREATE INDEX audit_at ON audit(at);",

    /*
     * 1 -> 2: what inference needs to re-run without duplicating (the
     * mapping it chose, before any edit), sources that say what they
     * counted for, the decisions a classifier learns from, and its model.
     */
    "ALTER TABLE activities ADD COLUMN seen INTEGER NOT NULL DEFAULT 0;" /* the collect run that
                                                                            last saw it */
    "ALTER TABLE proposals ADD COLUMN origin_project_id INTEGER;"
    "ALTER TABLE proposals ADD COLUMN origin_task_id INTEGER;"
    "ALTER TABLE proposals ADD COLUMN push_error TEXT;"
    "CREATE INDEX proposals_origin ON proposals(day, origin_project_id, origin_task_id);"
    "CREATE INDEX proposals_status ON proposals(status);"
    "ALTER TABLE proposal_sources ADD COLUMN source TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE proposal_sources ADD COLUMN title TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE proposal_sources ADD COLUMN seconds INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE decisions ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  proposal_id INTEGER REFERENCES proposals(id) ON DELETE SET NULL,"
    "  action TEXT NOT NULL CHECK (action IN ('accept','edit','reject')),"
    "  label TEXT NOT NULL,"    /* project_id:task_id */
    "  features TEXT NOT NULL," /* JSON array of classifier features */
    "  weight REAL NOT NULL);"  /* negative: unlearn */
    "CREATE TABLE models ("
    "  name TEXT PRIMARY KEY,"
    "  model TEXT NOT NULL,"
    "  examples REAL NOT NULL,"
    "  trained_at INTEGER NOT NULL);",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == GL_STORE_VERSION,
               "one migration per schema version");

static int db_error(gl_store *store, const char *what)
{
    return gl_error_set(GL_ESTORE, "store %s: %s: %s", store->path, what,
                        sqlite3_errmsg(store->db));
}

static int exec(gl_store *store, const char *sql, const char *what)
{
    char *err = NULL;
    if (sqlite3_exec(store->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        int rc = gl_error_set(GL_ESTORE, "store %s: %s: %s", store->path, what,
                              err ? err : sqlite3_errmsg(store->db));
        sqlite3_free(err);
        return rc;
    }
    return GL_OK;
}

/* Run `sql`, which returns one integer (a PRAGMA, a count). */
static int query_int(gl_store *store, const char *sql, int64_t *out, const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc = GL_OK;

    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(store, what);
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        rc = db_error(store, what);
    sqlite3_finalize(st);
    return rc;
}

static int pragma_int(gl_store *store, const char *sql, int *out)
{
    int64_t v = 0;
    int rc = query_int(store, sql, &v, "cannot read its header");
    *out = (int)v;
    return rc;
}

/* Refuse what we must not touch: another program's database, a newer schema. */
static int check_header(gl_store *store, int *version)
{
    int app = 0, rc;

    if ((rc = pragma_int(store, "PRAGMA user_version", version)) < 0) {
        if (sqlite3_errcode(store->db) == SQLITE_NOTADB)
            return gl_error_set(GL_ESTORE,
                                "%s is not a gleaner store (not an SQLite database); "
                                "move it away or point --db elsewhere",
                                store->path);
        return rc;
    }
    if ((rc = pragma_int(store, "PRAGMA application_id", &app)) < 0)
        return rc;
    if (app != 0 && app != GL_STORE_APPLICATION_ID)
        return gl_error_set(GL_ESTORE,
                            "%s is an SQLite database of another program, not a gleaner store",
                            store->path);
    if (*version > GL_STORE_VERSION)
        return gl_error_set(GL_EVERSION,
                            "store %s was written by a newer gleaner (schema %d; this gleaner "
                            "knows up to %d); upgrade gleaner, or use another --db",
                            store->path, *version, GL_STORE_VERSION);
    if (*version > 0 && app == 0)
        return gl_error_set(GL_ESTORE, "%s is not a gleaner store", store->path);
    return GL_OK;
}

static int migrate(gl_store *store)
{
    int version = 0, rc;
    char sql[96];

    if ((rc = check_header(store, &version)) < 0)
        return rc;
    if (version == GL_STORE_VERSION)
        return GL_OK;
    if ((rc = gl_store_begin(store)) < 0)
        return rc;
    /* Re-read under the write lock: another process may have migrated meanwhile. */
    if ((rc = check_header(store, &version)) < 0)
        goto fail;
    for (; version < GL_STORE_VERSION; version++) {
        gl_debug("store %s: migrating schema %d -> %d", store->path, version, version + 1);
        if ((rc = exec(store, migrations[version], "migration failed")) < 0)
            goto fail;
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
        if ((rc = exec(store, sql, "migration failed")) < 0)
            goto fail;
    }
    snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", GL_STORE_APPLICATION_ID);
    if ((rc = exec(store, sql, "migration failed")) < 0)
        goto fail;
    return gl_store_commit(store);
fail:
    gl_store_rollback(store);
    return rc;
}

int gl_store_path(char **out, const char *override, const gl_config *cfg)
{
    const char *env = getenv("GLEANER_DB");
    const char *configured = cfg ? gl_config_get(cfg, "store.path") : NULL;

    *out = NULL;
    if (override && *override)
        return gl_fs_expand_home(out, override);
    if (env && *env)
        return gl_fs_expand_home(out, env);
    if (configured)
        return gl_fs_expand_home(out, configured);
    return gl_fs_xdg_path(out, "XDG_DATA_HOME", ".local/share", "gleaner/gleaner.db");
}

static int store_new(gl_store **out, const char *path, const gl_clock *clock)
{
    gl_store *store = calloc(1, sizeof(*store));

    *out = NULL;
    if (!store || !(store->path = gl_strdup(path))) {
        free(store);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    store->clock = clock ? clock : gl_clock_system();
    *out = store;
    return GL_OK;
}

static int sqlite_open(gl_store *store, int flags)
{
    if (sqlite3_open_v2(store->path, &store->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        return store->db ? db_error(store, "cannot open")
                         : gl_error_set(GL_ENOMEM, "out of memory opening the store");
    sqlite3_extended_result_codes(store->db, 1);
    sqlite3_busy_timeout(store->db, 5000);
    return GL_OK;
}

int gl_store_open(gl_store **out, const char *path, const gl_clock *clock)
{
    gl_store *store = NULL;
    char *dir = NULL;
    char mode[16];
    int rc;

    *out = NULL;
    if ((rc = store_new(&store, path, clock)) < 0)
        return rc;
    if (!(dir = gl_fs_dirname(path))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = gl_fs_mkdirs(dir, 0700)) < 0)
        goto done;
    /* SQLite would create it 0644; the store holds other people's names and notes. */
    if (!gl_fs_exists(path)) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
    }
    if ((rc = sqlite_open(store, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) < 0)
        goto done;
    /* The header checks come first so a refused file is never written to. */
    if ((rc = migrate(store)) < 0)
        goto done;
    if ((rc = exec(store, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL",
                   "cannot configure")) < 0)
        goto done;
    if ((rc = gl_store_journal_mode(store, mode, sizeof(mode))) < 0)
        goto done;
    if (strcmp(mode, "wal") != 0 &&
        (rc = exec(store, "PRAGMA journal_mode = WAL", "cannot switch to WAL mode")) < 0)
        goto done;
    *out = store;
    store = NULL;
    rc = GL_OK;
done:
    free(dir);
    gl_store_close(store);
    return rc;
}

int gl_store_inspect(gl_store **out, const char *path, const gl_clock *clock)
{
    gl_store *store = NULL;
    int version = 0, rc;

    *out = NULL;
    if (!gl_fs_exists(path))
        return gl_error_set(GL_ENOTFOUND, "store %s does not exist yet", path);
    if ((rc = store_new(&store, path, clock)) < 0)
        return rc;
    if ((rc = sqlite_open(store, SQLITE_OPEN_READONLY)) < 0 ||
        (rc = check_header(store, &version)) < 0) {
        gl_store_close(store);
        return rc;
    }
    *out = store;
    return GL_OK;
}

void gl_store_close(gl_store *store)
{
    if (!store)
        return;
    sqlite3_finalize(store->activity_get);
    sqlite3_finalize(store->activity_insert);
    sqlite3_finalize(store->activity_update);
    if (store->db)
        sqlite3_close_v2(store->db);
    free(store->path);
    free(store);
}

const char *gl_store_file(const gl_store *store)
{
    return store->path;
}

int gl_store_schema_version(gl_store *store, int *out)
{
    return pragma_int(store, "PRAGMA user_version", out);
}

int gl_store_journal_mode(gl_store *store, char *out, size_t len)
{
    sqlite3_stmt *st = NULL;
    int rc = GL_OK;

    if (sqlite3_prepare_v2(store->db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
        return db_error(store, "cannot read the journal mode");
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
    else
        rc = db_error(store, "cannot read the journal mode");
    sqlite3_finalize(st);
    return rc;
}

int gl_store_check(gl_store *store)
{
    sqlite3_stmt *st = NULL;
    int rc = GL_OK;

    if (sqlite3_prepare_v2(store->db, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK)
        return db_error(store, "cannot check");
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *verdict = (const char *)sqlite3_column_text(st, 0);
        if (!verdict || strcmp(verdict, "ok") != 0)
            rc = gl_error_set(GL_ESTORE, "store %s is damaged: %s", store->path,
                              verdict ? verdict : "?");
    } else {
        rc = db_error(store, "cannot check");
    }
    sqlite3_finalize(st);
    return rc;
}

int gl_store_begin(gl_store *store)
{
    char sql[48];
    int rc;

    if (store->depth > 0 && !sqlite3_get_autocommit(store->db))
        snprintf(sql, sizeof(sql), "SAVEPOINT gl_%d", store->depth);
    else {
        store->depth = 0; /* whatever was open before ended without us */
        snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE");
    }
    if ((rc = exec(store, sql, "cannot start a transaction")) == GL_OK)
        store->depth++;
    return rc;
}

int gl_store_commit(gl_store *store)
{
    char sql[48];
    int rc;

    if (store->depth > 1) {
        snprintf(sql, sizeof(sql), "RELEASE gl_%d", store->depth - 1);
        if ((rc = exec(store, sql, "cannot commit")) == GL_OK)
            store->depth--;
        return rc;
    }
    /* A failed COMMIT leaves the transaction open, for the caller's rollback. */
    if ((rc = exec(store, "COMMIT", "cannot commit")) == GL_OK)
        store->depth = 0;
    return rc;
}

void gl_store_rollback(gl_store *store)
{
    char sql[64];

    if (store->depth > 1) {
        store->depth--;
        snprintf(sql, sizeof(sql), "ROLLBACK TO gl_%d; RELEASE gl_%d", store->depth, store->depth);
        sqlite3_exec(store->db, sql, NULL, NULL, NULL);
        return;
    }
    store->depth = 0;
    if (!sqlite3_get_autocommit(store->db))
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

/* -------------------------------------------------------------- helpers */

static int prepare(gl_store *store, sqlite3_stmt **st, const char *sql)
{
    if (sqlite3_prepare_v2(store->db, sql, -1, st, NULL) != SQLITE_OK)
        return db_error(store, "bad query");
    return GL_OK;
}

/* Step a statement that returns no rows, then finalize it. */
static int step_done(gl_store *store, sqlite3_stmt *st, const char *what)
{
    int src = sqlite3_step(st), rc = GL_OK;

    if (src != SQLITE_DONE) {
        if ((src & 0xff) == SQLITE_CONSTRAINT)
            rc = gl_error_set(GL_EEXISTS, "store %s: %s: %s", store->path, what,
                              sqlite3_errmsg(store->db));
        else
            rc = db_error(store, what);
    }
    sqlite3_finalize(st);
    return rc;
}

static int64_t now(gl_store *store)
{
    return gl_clock_now(store->clock);
}

static int count(gl_store *store, const char *sql, int64_t *out)
{
    return query_int(store, sql, out, "cannot count");
}

int gl_store_counts_get(gl_store *store, gl_store_counts *out)
{
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = count(store, "SELECT count(*) FROM activities", &out->activities)) < 0 ||
        (rc = count(store, "SELECT count(*) FROM proposals", &out->proposals)) < 0 ||
        (rc = count(store, "SELECT count(*) FROM harvest_time_entries", &out->harvest_entries)) <
            0 ||
        (rc = count(store, "SELECT count(*) FROM outbox WHERE status IN ('pending','sending')",
                    &out->outbox_pending)) < 0 ||
        (rc = count(store, "SELECT count(*) FROM alerts", &out->alerts)) < 0 ||
        (rc = count(store, "SELECT count(*) FROM audit", &out->audit)) < 0 ||
        (rc = count(store, "SELECT coalesce(max(collected_at), 0) FROM activities",
                    &out->activities_changed)) < 0)
        return rc;
    return GL_OK;
}

/* ----------------------------------------------------------- sync state */

int gl_store_state_get(gl_store *store, const char *source, const char *key, char **out)
{
    sqlite3_stmt *st = NULL;
    int rc, src;

    *out = NULL;
    if ((rc = prepare(store, &st, "SELECT value FROM sync_state WHERE source = ? AND key = ?")) < 0)
        return rc;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        if (!(*out = gl_strdup((const char *)sqlite3_column_text(st, 0))))
            rc = gl_error_set(GL_ENOMEM, "out of memory");
    } else if (src == SQLITE_DONE) {
        rc = gl_error_set(GL_ENOTFOUND, "no %s state '%s' yet", source, key);
    } else {
        rc = db_error(store, "cannot read sync state");
    }
    sqlite3_finalize(st);
    return rc;
}

int gl_store_state_set(gl_store *store, const char *source, const char *key, const char *value)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "INSERT INTO sync_state (source, key, value, updated_at) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, "
                      "updated_at = excluded.updated_at")) < 0)
        return rc;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now(store));
    return step_done(store, st, "cannot save sync state");
}

/* ---------------------------------------------------------------- audit */

int gl_store_audit_add(gl_store *store, const char *actor, const char *tool,
                       const char *arguments_json, bool ok, const char *message)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "INSERT INTO audit (at, actor, tool, arguments, outcome, message) "
                      "VALUES (?, ?, ?, ?, ?, ?)")) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, now(store));
    sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, tool, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, arguments_json ? arguments_json : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, ok ? "ok" : "error", -1, SQLITE_STATIC);
    if (message)
        sqlite3_bind_text(st, 6, message, -1, SQLITE_STATIC);
    return step_done(store, st, "cannot write the audit log");
}

/* --------------------------------------------------------------- outbox */

int gl_store_outbox_add(gl_store *store, const char *kind, const char *dedupe_key,
                        const char *payload_json, int64_t *id_out)
{
    sqlite3_stmt *st = NULL;
    int64_t t = now(store);
    int rc;

    if ((rc = prepare(store, &st,
                      "INSERT INTO outbox (kind, dedupe_key, payload, next_attempt_at, "
                      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) < 0)
        return rc;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, dedupe_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, payload_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, t);
    sqlite3_bind_int64(st, 5, t);
    sqlite3_bind_int64(st, 6, t);
    if ((rc = step_done(store, st, "cannot queue")) < 0) {
        if (rc == GL_EEXISTS)
            gl_error_set(GL_EEXISTS, "%s is already queued", dedupe_key);
        return rc;
    }
    if (id_out)
        *id_out = sqlite3_last_insert_rowid(store->db);
    return GL_OK;
}

/* What a claim takes and gl_store_outbox_due counts: ?1 now, ?2 the kind or NULL. */
#define OUTBOX_DUE \
    "status IN ('pending','sending') AND next_attempt_at <= ?1 AND (?2 IS NULL OR kind = ?2)"

int gl_store_outbox_due(gl_store *store, const char *kind, int64_t *count)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *count = 0;
    if ((rc = prepare(store, &st, "SELECT count(*) FROM outbox WHERE " OUTBOX_DUE)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, now(store));
    if (kind)
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *count = sqlite3_column_int64(st, 0);
    else
        rc = db_error(store, "cannot read the outbox");
    sqlite3_finalize(st);
    return rc;
}

int gl_store_outbox_claim(gl_store *store, const char *kind, gl_outbox_item **out)
{
    sqlite3_stmt *st = NULL;
    gl_outbox_item *item = NULL;
    int rc, src;

    *out = NULL;
    if ((rc = gl_store_begin(store)) < 0)
        return rc;
    if ((rc = prepare(store, &st,
                      "SELECT id, kind, dedupe_key, payload, attempts, status, created_at "
                      "FROM outbox WHERE " OUTBOX_DUE " ORDER BY next_attempt_at, id LIMIT 1")) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, now(store));
    if (kind)
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_DONE) {
        sqlite3_finalize(st);
        gl_store_rollback(store);
        return gl_error_set(GL_ENOTFOUND, "nothing due in the outbox");
    }
    if (src != SQLITE_ROW) {
        rc = db_error(store, "cannot read the outbox");
        goto fail;
    }
    if (!(item = calloc(1, sizeof(*item)))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto fail;
    }
    item->id = sqlite3_column_int64(st, 0);
    item->kind = gl_strdup((const char *)sqlite3_column_text(st, 1));
    item->dedupe_key = gl_strdup((const char *)sqlite3_column_text(st, 2));
    item->payload = gl_strdup((const char *)sqlite3_column_text(st, 3));
    item->attempts = sqlite3_column_int(st, 4) + 1;
    /* 'sending' left behind means a send began and its outcome was never recorded. */
    item->uncertain = strcmp((const char *)sqlite3_column_text(st, 5), "sending") == 0;
    item->created_at = sqlite3_column_int64(st, 6);
    sqlite3_finalize(st);
    st = NULL;
    if (!item->kind || !item->dedupe_key || !item->payload) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = prepare(store, &st,
                      "UPDATE outbox SET status = 'sending', attempts = attempts + 1, "
                      "updated_at = ? WHERE id = ?")) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, now(store));
    sqlite3_bind_int64(st, 2, item->id);
    rc = step_done(store, st, "cannot claim an outbox item");
    st = NULL;
    if (rc < 0 || (rc = gl_store_commit(store)) < 0)
        goto fail;
    *out = item;
    return GL_OK;
fail:
    sqlite3_finalize(st);
    gl_store_rollback(store);
    gl_outbox_item_free(item);
    return rc;
}

static int outbox_finish(gl_store *store, int64_t id, const char *status, int64_t next_at,
                         const char *error, const char *result)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ?, "
                      "result = coalesce(?, result), updated_at = ? WHERE id = ?")) < 0)
        return rc;
    sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, next_at);
    if (error)
        sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
    if (result)
        sqlite3_bind_text(st, 4, result, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now(store));
    sqlite3_bind_int64(st, 6, id);
    if ((rc = step_done(store, st, "cannot update the outbox")) < 0)
        return rc;
    if (sqlite3_changes(store->db) != 1)
        return gl_error_set(GL_ENOTFOUND, "outbox item %lld does not exist", (long long)id);
    return GL_OK;
}

int gl_store_outbox_done(gl_store *store, int64_t id, const char *result_json)
{
    return outbox_finish(store, id, "done", now(store), NULL, result_json);
}

int gl_store_outbox_retry(gl_store *store, int64_t id, int64_t retry_at, const char *error,
                          bool uncertain)
{
    return outbox_finish(store, id, uncertain ? "sending" : "pending", retry_at, error, NULL);
}

int gl_store_outbox_fail(gl_store *store, int64_t id, const char *error)
{
    return outbox_finish(store, id, "failed", now(store), error, NULL);
}

void gl_outbox_item_free(gl_outbox_item *item)
{
    if (!item)
        return;
    free(item->kind);
    free(item->dedupe_key);
    free(item->payload);
    free(item);
}

/* --------------------------------------------------------------- mirror */

typedef enum col_type { COL_INT, COL_REAL, COL_TEXT, COL_BOOL } col_type;

typedef struct mirror_col {
    const char *name;
    const char *path; /* "project.id": a member, or a member of a member */
    col_type type;
} mirror_col;

typedef struct mirror_table {
    const char *name;
    mirror_col cols[14];
} mirror_table;

/* Columns after id; every table also has updated_at, data and seen_sync. */
static const mirror_table mirror_tables[GL_MIRROR__COUNT] = {
    [GL_MIRROR_USERS] = {"harvest_users",
                         {{"email", "email", COL_TEXT},
                          {"first_name", "first_name", COL_TEXT},
                          {"last_name", "last_name", COL_TEXT},
                          {"is_active", "is_active", COL_BOOL},
                          {"weekly_capacity", "weekly_capacity", COL_INT}}},
    [GL_MIRROR_CLIENTS] = {"harvest_clients",
                           {{"name", "name", COL_TEXT}, {"is_active", "is_active", COL_BOOL}}},
    [GL_MIRROR_PROJECTS] = {"harvest_projects",
                            {{"client_id", "client.id", COL_INT},
                             {"name", "name", COL_TEXT},
                             {"code", "code", COL_TEXT},
                             {"is_active", "is_active", COL_BOOL},
                             {"is_billable", "is_billable", COL_BOOL},
                             {"budget", "budget", COL_REAL},
                             {"budget_by", "budget_by", COL_TEXT},
                             {"budget_is_monthly", "budget_is_monthly", COL_BOOL}}},
    [GL_MIRROR_TASKS] = {"harvest_tasks",
                         {{"name", "name", COL_TEXT},
                          {"is_active", "is_active", COL_BOOL},
                          {"billable_by_default", "billable_by_default", COL_BOOL}}},
    [GL_MIRROR_TASK_ASSIGNMENTS] = {"harvest_task_assignments",
                                    {{"project_id", "project.id", COL_INT},
                                     {"task_id", "task.id", COL_INT},
                                     {"is_active", "is_active", COL_BOOL},
                                     {"billable", "billable", COL_BOOL}}},
    [GL_MIRROR_USER_ASSIGNMENTS] = {"harvest_user_assignments",
                                    {{"project_id", "project.id", COL_INT},
                                     {"user_id", "user.id", COL_INT},
                                     {"is_active", "is_active", COL_BOOL}}},
    [GL_MIRROR_TIME_ENTRIES] = {"harvest_time_entries",
                                {{"spent_date", "spent_date", COL_TEXT},
                                 {"user_id", "user.id", COL_INT},
                                 {"project_id", "project.id", COL_INT},
                                 {"task_id", "task.id", COL_INT},
                                 {"hours", "hours", COL_REAL},
                                 {"notes", "notes", COL_TEXT},
                                 {"is_locked", "is_locked", COL_BOOL},
                                 {"is_billed", "is_billed", COL_BOOL},
                                 {"billable", "billable", COL_BOOL},
                                 {"is_running", "is_running", COL_BOOL},
                                 {"external_ref_id", "external_reference.id", COL_TEXT}}},
};

static json_object *member_at(json_object *obj, const char *path)
{
    const char *dot = strchr(path, '.');
    char first[64];

    if (!dot)
        return gl_json_get(obj, path);
    snprintf(first, sizeof(first), "%.*s", (int)(dot - path), path);
    obj = gl_json_get(obj, first);
    return obj && json_object_is_type(obj, json_type_object) ? gl_json_get(obj, dot + 1) : NULL;
}

static void bind_member(sqlite3_stmt *st, int index, json_object *v, col_type type)
{
    if (!v) {
        sqlite3_bind_null(st, index);
        return;
    }
    switch (type) {
    case COL_INT:
        sqlite3_bind_int64(st, index, json_object_get_int64(v));
        break;
    case COL_REAL:
        sqlite3_bind_double(st, index, json_object_get_double(v));
        break;
    case COL_BOOL:
        sqlite3_bind_int(st, index, json_object_get_boolean(v) ? 1 : 0);
        break;
    case COL_TEXT:
        sqlite3_bind_text(st, index, json_object_get_string(v), -1, SQLITE_TRANSIENT);
        break;
    }
}

/* Whether the stored row is absent (1), older (2) or the same (0). */
static int mirror_change(gl_store *store, const mirror_table *t, int64_t id, const char *updated_at,
                         int *change)
{
    char sql[128];
    sqlite3_stmt *st = NULL;
    int rc, src;

    snprintf(sql, sizeof(sql), "SELECT updated_at FROM %s WHERE id = ?", t->name);
    if ((rc = prepare(store, &st, sql)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    src = sqlite3_step(st);
    if (src == SQLITE_DONE) {
        *change = GL_MIRROR_ADDED;
    } else if (src == SQLITE_ROW) {
        const char *old = (const char *)sqlite3_column_text(st, 0);
        *change = (old && updated_at && strcmp(old, updated_at) == 0) ? GL_MIRROR_SAME
                                                                      : GL_MIRROR_CHANGED;
    } else {
        rc = db_error(store, "cannot read the Harvest mirror");
    }
    sqlite3_finalize(st);
    return rc;
}

int gl_store_mirror_put(gl_store *store, gl_mirror_kind kind, json_object *obj, int64_t sync,
                        int *change_out)
{
    const mirror_table *t = &mirror_tables[kind];
    gl_buf sql = GL_BUF_INIT(0);
    sqlite3_stmt *st = NULL;
    const char *updated_at = gl_json_str(obj, "updated_at");
    int64_t id;
    int ncols = 0, rc, change = GL_MIRROR_SAME;

    if (!gl_json_int64(obj, "id", &id))
        return gl_error_set(GL_EBADDATA, "a Harvest object for %s has no id", t->name);
    if ((rc = mirror_change(store, t, id, updated_at, &change)) < 0)
        return rc;
    while (ncols < 14 && t->cols[ncols].name)
        ncols++;
    gl_buf_printf(&sql, "INSERT INTO %s (id", t->name);
    for (int i = 0; i < ncols; i++)
        gl_buf_printf(&sql, ", %s", t->cols[i].name);
    gl_buf_puts(&sql, ", updated_at, data, seen_sync) VALUES (?");
    for (int i = 0; i < ncols + 3; i++)
        gl_buf_puts(&sql, ", ?");
    gl_buf_puts(&sql, ") ON CONFLICT (id) DO UPDATE SET ");
    for (int i = 0; i < ncols; i++)
        gl_buf_printf(&sql, "%s = excluded.%s, ", t->cols[i].name, t->cols[i].name);
    gl_buf_puts(&sql, "updated_at = excluded.updated_at, data = excluded.data, "
                      "seen_sync = excluded.seen_sync");
    if (!sql.ptr) {
        gl_buf_dispose(&sql);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    rc = prepare(store, &st, sql.ptr);
    gl_buf_dispose(&sql);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    for (int i = 0; i < ncols; i++)
        bind_member(st, i + 2, member_at(obj, t->cols[i].path), t->cols[i].type);
    if (updated_at)
        sqlite3_bind_text(st, ncols + 2, updated_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, ncols + 3, gl_json_compact(obj), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, ncols + 4, sync);
    if ((rc = step_done(store, st, "cannot write the Harvest mirror")) < 0)
        return rc;
    if (change_out)
        *change_out = change;
    return GL_OK;
}

static int delete_unseen(gl_store *store, const char *sql, const char *const *text_args,
                         int64_t sync, int64_t *deleted)
{
    sqlite3_stmt *st = NULL;
    int rc, i = 0;

    if ((rc = prepare(store, &st, sql)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, sync);
    for (; text_args && text_args[i]; i++)
        sqlite3_bind_text(st, i + 2, text_args[i], -1, SQLITE_STATIC);
    if ((rc = step_done(store, st, "cannot prune the Harvest mirror")) < 0)
        return rc;
    if (deleted)
        *deleted = sqlite3_changes(store->db);
    return GL_OK;
}

int gl_store_mirror_prune(gl_store *store, gl_mirror_kind kind, int64_t sync, int64_t *deleted)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE seen_sync < ?", mirror_tables[kind].name);
    return delete_unseen(store, sql, NULL, sync, deleted);
}

int gl_store_mirror_prune_entries(gl_store *store, int64_t user_id, const char *from,
                                  const char *to, int64_t sync, int64_t *deleted)
{
    char uid[32];
    const char *const args[] = {from, to, uid, NULL};

    snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
    return delete_unseen(
        store,
        "DELETE FROM harvest_time_entries WHERE seen_sync < ?"
        " AND spent_date >= ? AND spent_date <= ? AND user_id = CAST(? AS INTEGER)",
        args, sync, deleted);
}

int gl_store_mirror_set_me(gl_store *store, int64_t user_id)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st, "UPDATE harvest_users SET is_me = (id = ?)")) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, user_id);
    return step_done(store, st, "cannot mark the signed-in user");
}

int gl_store_mirror_count(gl_store *store, gl_mirror_kind kind, int64_t *n)
{
    char sql[96];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", mirror_tables[kind].name);
    return count(store, sql, n);
}

const char *gl_store_mirror_name(gl_mirror_kind kind)
{
    return mirror_tables[kind].name;
}

/* ------------------------------------------------------------ activities */

static int prepare_kept(gl_store *store, sqlite3_stmt **st, const char *sql)
{
    if (*st) {
        sqlite3_reset(*st);
        sqlite3_clear_bindings(*st);
        return GL_OK;
    }
    if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return db_error(store, "bad query");
    return GL_OK;
}

static bool same_text(const unsigned char *stored, const char *given)
{
    if (!stored || !given)
        return !stored && !given;
    return strcmp((const char *)stored, given) == 0;
}

int gl_store_activity_put(gl_store *store, const gl_activity *a, int64_t run, int *change_out)
{
    sqlite3_stmt *st;
    int rc, src, change = GL_ACTIVITY_ADDED;
    int64_t id = 0;
    const char *details = a->details ? a->details : "{}";
    const char *title = a->title ? a->title : "";
    const char *why = a->counted ? NULL : (a->why ? a->why : "not counted");

    if ((rc = prepare_kept(store, &store->activity_get,
                           "SELECT id, start, end, title, counted, why, details, kind "
                           "FROM activities WHERE source = ? AND key = ?")) < 0)
        return rc;
    st = store->activity_get;
    sqlite3_bind_text(st, 1, a->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->key, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        bool same = sqlite3_column_int64(st, 1) == a->start &&
                    sqlite3_column_int64(st, 2) == a->end &&
                    same_text(sqlite3_column_text(st, 3), title) &&
                    (sqlite3_column_int(st, 4) != 0) == a->counted &&
                    same_text(sqlite3_column_text(st, 5), why) &&
                    same_text(sqlite3_column_text(st, 6), details) &&
                    same_text(sqlite3_column_text(st, 7), a->kind);
        change = same ? GL_ACTIVITY_SAME : GL_ACTIVITY_CHANGED;
    } else if (src != SQLITE_DONE) {
        rc = db_error(store, "cannot read activities");
    }
    sqlite3_reset(st);
    if (rc < 0)
        return rc;

    if (change == GL_ACTIVITY_ADDED) {
        if ((rc = prepare_kept(store, &store->activity_insert,
                               "INSERT INTO activities (source, kind, key, start, end, title, "
                               "counted, why, details, collected_at, seen) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) < 0)
            return rc;
        st = store->activity_insert;
        sqlite3_bind_text(st, 1, a->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, a->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, a->key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, a->start);
        sqlite3_bind_int64(st, 5, a->end);
        sqlite3_bind_text(st, 6, title, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 7, a->counted);
        if (why)
            sqlite3_bind_text(st, 8, why, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, details, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 10, now(store));
        sqlite3_bind_int64(st, 11, run);
    } else {
        /* Unchanged rows are only marked seen, so a sweep keeps them. */
        if ((rc = prepare_kept(store, &store->activity_update,
                               "UPDATE activities SET kind = ?, start = ?, end = ?, title = ?, "
                               "counted = ?, why = ?, details = ?, "
                               "collected_at = CASE WHEN ? THEN ? ELSE collected_at END, seen = ? "
                               "WHERE id = ?")) < 0)
            return rc;
        st = store->activity_update;
        sqlite3_bind_text(st, 1, a->kind, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, a->start);
        sqlite3_bind_int64(st, 3, a->end);
        sqlite3_bind_text(st, 4, title, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, a->counted);
        if (why)
            sqlite3_bind_text(st, 6, why, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, details, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 8, change == GL_ACTIVITY_CHANGED);
        sqlite3_bind_int64(st, 9, now(store));
        sqlite3_bind_int64(st, 10, run);
        sqlite3_bind_int64(st, 11, id);
    }
    src = sqlite3_step(st);
    sqlite3_reset(st);
    if (src != SQLITE_DONE)
        return db_error(store, "cannot write activities");
    if (change_out)
        *change_out = change;
    return GL_OK;
}

int gl_store_activity_set_verdict(gl_store *store, const char *source, const char *key,
                                  bool counted, const char *why, int64_t run, int *change_out)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "UPDATE activities SET counted = ?, why = ?, seen = ?, "
                      "collected_at = CASE WHEN counted IS ? AND why IS ? THEN collected_at "
                      "ELSE ? END WHERE source = ? AND key = ?")) < 0)
        return rc;
    why = counted ? NULL : (why ? why : "not counted");
    sqlite3_bind_int(st, 1, counted);
    sqlite3_bind_int(st, 4, counted);
    if (why) {
        sqlite3_bind_text(st, 2, why, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, why, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int64(st, 3, run);
    sqlite3_bind_int64(st, 6, now(store));
    sqlite3_bind_text(st, 7, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, key, -1, SQLITE_STATIC);
    if ((rc = step_done(store, st, "cannot write activities")) < 0)
        return rc;
    if (sqlite3_changes(store->db) == 0)
        return gl_error_set(GL_ENOTFOUND, "no activity %s in %s", key, source);
    if (change_out)
        *change_out = GL_ACTIVITY_CHANGED;
    return GL_OK;
}

int gl_store_activity_sweep(gl_store *store, const char *source, int64_t from, int64_t to,
                            int64_t run, int64_t *removed)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "DELETE FROM activities WHERE source = ? AND seen <> ? AND start < ? "
                      "AND (end > ? OR (start = end AND start >= ?))")) < 0)
        return rc;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, run);
    sqlite3_bind_int64(st, 3, to);
    sqlite3_bind_int64(st, 4, from);
    sqlite3_bind_int64(st, 5, from);
    if ((rc = step_done(store, st, "cannot remove activities")) < 0)
        return rc;
    if (removed)
        *removed = sqlite3_changes(store->db);
    return GL_OK;
}

int gl_store_activity_keep_authors(gl_store *store, const char *source, const char *authors_json,
                                   int64_t *removed)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "DELETE FROM activities WHERE source = ?1 AND kind = 'commit' AND "
                      "json_extract(details, '$.author') IS NOT NULL AND "
                      "lower(json_extract(details, '$.author')) NOT IN "
                      "(SELECT lower(value) FROM json_each(?2))")) < 0)
        return rc;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, authors_json, -1, SQLITE_STATIC);
    if ((rc = step_done(store, st, "cannot remove activities")) < 0)
        return rc;
    if (removed)
        *removed = sqlite3_changes(store->db);
    return GL_OK;
}

int gl_store_activity_run(gl_store *store, int64_t *run)
{
    char *value = NULL, text[32];
    int64_t last = 0;
    int rc = gl_store_state_get(store, "collect", "run", &value);

    if (rc == GL_OK) {
        if (gl_parse_int64(&last, value) < 0)
            last = 0;
        free(value);
    } else if (rc != GL_ENOTFOUND) {
        return rc;
    }
    snprintf(text, sizeof(text), "%lld", (long long)(last + 1));
    if ((rc = gl_store_state_set(store, "collect", "run", text)) < 0)
        return rc;
    *run = last + 1;
    return GL_OK;
}

static int activity_rows(gl_store *store, sqlite3_stmt *st, gl_activity_fn fn, void *payload,
                         size_t *seen)
{
    int rc = 0, src;

    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        gl_activity a = {
            .id = sqlite3_column_int64(st, 0),
            .source = (const char *)sqlite3_column_text(st, 1),
            .kind = (const char *)sqlite3_column_text(st, 2),
            .key = (const char *)sqlite3_column_text(st, 3),
            .start = sqlite3_column_int64(st, 4),
            .end = sqlite3_column_int64(st, 5),
            .title = (const char *)sqlite3_column_text(st, 6),
            .counted = sqlite3_column_int(st, 7) != 0,
            .why = (const char *)sqlite3_column_text(st, 8),
            .details = (const char *)sqlite3_column_text(st, 9),
        };
        if (seen)
            (*seen)++;
        if ((rc = fn(payload, &a)) != 0)
            break;
    }
    if (rc == 0 && src != SQLITE_DONE)
        rc = db_error(store, "cannot read activities");
    sqlite3_finalize(st);
    return rc;
}

int gl_store_activities(gl_store *store, int64_t from, int64_t to, const char *source,
                        gl_activity_fn fn, void *payload)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(
             store, &st,
             "SELECT id, source, kind, key, start, end, title, counted, why, details "
             "FROM activities WHERE start < ? AND (end > ? OR (start = end AND start >= ?)) "
             "AND (?5 IS NULL OR source = ?5) ORDER BY start, end, source, key")) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, to);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, from);
    if (source)
        sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
    return activity_rows(store, st, fn, payload, NULL);
}

int gl_store_activity_by_id(gl_store *store, int64_t id, gl_activity_fn fn, void *payload)
{
    sqlite3_stmt *st = NULL;
    size_t seen = 0;
    int rc;

    if ((rc = prepare(store, &st,
                      "SELECT id, source, kind, key, start, end, title, counted, why, details "
                      "FROM activities WHERE id = ?")) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if ((rc = activity_rows(store, st, fn, payload, &seen)) != 0)
        return rc;
    return seen ? GL_OK : gl_error_set(GL_ENOTFOUND, "activity %lld is gone", (long long)id);
}

/* ------------------------------------------------------ Harvest mirror reads */

/* Rows of `sql` (its first column is a JSON object's text) as one array. */
static int json_rows(gl_store *store, sqlite3_stmt *st, json_object **out, const char *what)
{
    json_object *arr = json_object_new_array();
    int src, rc = GL_OK;

    *out = NULL;
    if (!arr) {
        sqlite3_finalize(st);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        json_object *obj = NULL;
        if (!text || gl_json_parse(&obj, text, strlen(text), what) < 0) {
            rc = gl_error_set(GL_ESTORE, "store %s: %s holds a row that is not JSON", store->path,
                              what);
            break;
        }
        json_object_array_add(arr, obj);
    }
    if (rc == GL_OK && src != SQLITE_DONE)
        rc = db_error(store, what);
    sqlite3_finalize(st);
    if (rc < 0) {
        json_object_put(arr);
        return rc;
    }
    *out = arr;
    return GL_OK;
}

int gl_store_mirror_rows(gl_store *store, gl_mirror_kind kind, json_object **out)
{
    char sql[96];
    sqlite3_stmt *st = NULL;
    int rc;

    snprintf(sql, sizeof(sql), "SELECT data FROM %s ORDER BY id", mirror_tables[kind].name);
    if ((rc = prepare(store, &st, sql)) < 0)
        return rc;
    return json_rows(store, st, out, mirror_tables[kind].name);
}

int gl_store_mirror_entries(gl_store *store, int64_t user_id, const char *from, const char *to,
                            json_object **out)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "SELECT data FROM harvest_time_entries WHERE (?1 = 0 OR user_id = ?1) "
                      "AND (?2 IS NULL OR spent_date >= ?2) AND (?3 IS NULL OR spent_date <= ?3) "
                      "ORDER BY spent_date, id")) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, user_id);
    if (from)
        sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    if (to)
        sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    return json_rows(store, st, out, "harvest_time_entries");
}

int gl_store_mirror_usage(gl_store *store, int64_t user_id, gl_usage_fn fn, void *payload)
{
    sqlite3_stmt *st = NULL;
    int rc, src;

    if ((rc = prepare(store, &st,
                      "SELECT project_id, task_id, sum(hours) FROM harvest_time_entries "
                      "WHERE user_id = ? AND project_id IS NOT NULL AND task_id IS NOT NULL "
                      "GROUP BY project_id, task_id")) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, user_id);
    while ((src = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(payload, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                     sqlite3_column_double(st, 2))) != 0)
            break;
    if (rc == 0 && src != SQLITE_DONE)
        rc = db_error(store, "cannot read the mirror's time entries");
    sqlite3_finalize(st);
    return rc;
}

int gl_store_mirror_me(gl_store *store, json_object **out)
{
    sqlite3_stmt *st = NULL;
    json_object *rows = NULL;
    int rc;

    *out = NULL;
    if ((rc = prepare(store, &st, "SELECT data FROM harvest_users WHERE is_me = 1 LIMIT 1")) < 0 ||
        (rc = json_rows(store, st, &rows, "harvest_users")) < 0)
        return rc;
    if (json_object_array_length(rows) == 0) {
        json_object_put(rows);
        return gl_error_set(GL_ENOTFOUND,
                            "the Harvest mirror is empty; run gleaner sync harvest first");
    }
    *out = json_object_get(json_object_array_get_idx(rows, 0));
    json_object_put(rows);
    return GL_OK;
}

/* ------------------------------------------------------------ proposals */

static void source_clear(gl_proposal_source *s)
{
    free(s->source);
    free(s->kind);
    free(s->key);
    free(s->title);
}

void gl_proposal_clear(gl_proposal *p)
{
    if (!p)
        return;
    free(p->notes);
    free(p->reason);
    free(p->push_error);
    for (size_t i = 0; i < p->nsources; i++)
        source_clear(&p->sources[i]);
    free(p->sources);
    memset(p, 0, sizeof(*p));
}

int gl_proposal_add_source(gl_proposal *p, const gl_proposal_source *src)
{
    gl_proposal_source *v = realloc(p->sources, (p->nsources + 1) * sizeof(*v)), *s;

    if (!v)
        return gl_error_set(GL_ENOMEM, "out of memory");
    p->sources = v;
    s = &v[p->nsources];
    *s = *src;
    s->source = gl_strdup(src->source ? src->source : "");
    s->kind = gl_strdup(src->kind ? src->kind : "");
    s->key = gl_strdup(src->key ? src->key : "");
    s->title = gl_strdup(src->title ? src->title : "");
    if (!s->source || !s->kind || !s->key || !s->title) {
        source_clear(s);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    p->nsources++;
    return GL_OK;
}

void gl_proposal_list_clear(gl_proposal_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        gl_proposal_clear(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

#define PROPOSAL_COLUMNS                                                                   \
    "id, key, day, project_id, task_id, origin_project_id, origin_task_id, hours, notes, " \
    "confidence, status, reason, edited, harvest_entry_id, push_error, created_at, updated_at"

static char *column_dup(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return t ? gl_strdup(t) : NULL;
}

static int proposal_from_row(sqlite3_stmt *st, gl_proposal *p)
{
    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(st, 0);
    snprintf(p->key, sizeof(p->key), "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(p->day, sizeof(p->day), "%s", (const char *)sqlite3_column_text(st, 2));
    p->project_id = sqlite3_column_int64(st, 3);
    p->task_id = sqlite3_column_int64(st, 4);
    p->origin_project_id = sqlite3_column_int64(st, 5);
    p->origin_task_id = sqlite3_column_int64(st, 6);
    p->hours = sqlite3_column_double(st, 7);
    p->notes = column_dup(st, 8);
    p->confidence = sqlite3_column_double(st, 9);
    snprintf(p->status, sizeof(p->status), "%s", (const char *)sqlite3_column_text(st, 10));
    p->reason = column_dup(st, 11);
    p->edited = sqlite3_column_int(st, 12) != 0;
    p->harvest_entry_id = sqlite3_column_int64(st, 13);
    p->push_error = column_dup(st, 14);
    p->created_at = sqlite3_column_int64(st, 15);
    p->updated_at = sqlite3_column_int64(st, 16);
    if (!p->notes || !p->reason)
        return gl_error_set(GL_ENOMEM, "out of memory");
    return GL_OK;
}

static int load_sources(gl_store *store, gl_proposal *p)
{
    sqlite3_stmt *st = NULL;
    int rc, src;

    if ((rc = prepare(store, &st,
                      "SELECT activity_id, source, kind, key, title, start, end, seconds "
                      "FROM proposal_sources WHERE proposal_id = ? ORDER BY start, key")) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, p->id);
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        gl_proposal_source s = {
            .activity_id = sqlite3_column_int64(st, 0),
            .source = (char *)sqlite3_column_text(st, 1),
            .kind = (char *)sqlite3_column_text(st, 2),
            .key = (char *)sqlite3_column_text(st, 3),
            .title = (char *)sqlite3_column_text(st, 4),
            .start = sqlite3_column_int64(st, 5),
            .end = sqlite3_column_int64(st, 6),
            .seconds = sqlite3_column_int64(st, 7),
        };
        if ((rc = gl_proposal_add_source(p, &s)) < 0)
            break;
    }
    if (rc == GL_OK && src != SQLITE_DONE)
        rc = db_error(store, "cannot read proposal sources");
    sqlite3_finalize(st);
    return rc;
}

static int proposals_query(gl_store *store, sqlite3_stmt *st, gl_proposal_list *out)
{
    int rc = GL_OK, src;
    size_t cap = 0;

    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            gl_proposal *v = realloc(out->v, ncap * sizeof(*v));
            if (!v) {
                rc = gl_error_set(GL_ENOMEM, "out of memory");
                break;
            }
            out->v = v;
            cap = ncap;
        }
        rc = proposal_from_row(st, &out->v[out->n]);
        out->n++;
        if (rc < 0)
            break;
    }
    if (rc == GL_OK && src != SQLITE_DONE)
        rc = db_error(store, "cannot read proposals");
    sqlite3_finalize(st);
    for (size_t i = 0; i < out->n && rc == GL_OK; i++)
        rc = load_sources(store, &out->v[i]);
    if (rc < 0)
        gl_proposal_list_clear(out);
    return rc;
}

int gl_store_proposals(gl_store *store, const char *from, const char *to, const char *status,
                       gl_proposal_list *out)
{
    sqlite3_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = prepare(store, &st,
                      "SELECT " PROPOSAL_COLUMNS " FROM proposals "
                      "WHERE (?1 IS NULL OR day >= ?1) AND (?2 IS NULL OR day <= ?2) "
                      "AND (?3 IS NULL OR status = ?3) ORDER BY day, id")) < 0)
        return rc;
    if (from)
        sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
    if (to)
        sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    if (status)
        sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
    return proposals_query(store, st, out);
}

static int proposal_one(gl_store *store, sqlite3_stmt *st, gl_proposal *out, const char *what)
{
    gl_proposal_list l = {0};
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = proposals_query(store, st, &l)) < 0)
        return rc;
    if (l.n == 0) {
        gl_proposal_list_clear(&l);
        return gl_error_set(GL_ENOTFOUND, "there is no proposal %s", what);
    }
    *out = l.v[0];
    for (size_t i = 1; i < l.n; i++)
        gl_proposal_clear(&l.v[i]);
    free(l.v);
    return GL_OK;
}

int gl_store_proposal_get(gl_store *store, int64_t id, gl_proposal *out)
{
    sqlite3_stmt *st = NULL;
    char what[32];
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = prepare(store, &st, "SELECT " PROPOSAL_COLUMNS " FROM proposals WHERE id = ?")) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    snprintf(what, sizeof(what), "%lld", (long long)id);
    return proposal_one(store, st, out, what);
}

int gl_store_proposal_find(gl_store *store, const char *key, gl_proposal *out)
{
    sqlite3_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = prepare(store, &st, "SELECT " PROPOSAL_COLUMNS " FROM proposals WHERE key = ?")) < 0)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    return proposal_one(store, st, out, key);
}

static void bind_id_or_null(sqlite3_stmt *st, int index, int64_t id)
{
    if (id)
        sqlite3_bind_int64(st, index, id);
    else
        sqlite3_bind_null(st, index);
}

static int write_sources(gl_store *store, const gl_proposal *p)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st, "DELETE FROM proposal_sources WHERE proposal_id = ?")) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, p->id);
    if ((rc = step_done(store, st, "cannot write proposal sources")) < 0)
        return rc;
    for (size_t i = 0; i < p->nsources; i++) {
        const gl_proposal_source *s = &p->sources[i];
        /* OR IGNORE: one activity may reach a proposal through two paths. */
        if ((rc = prepare(store, &st,
                          "INSERT OR IGNORE INTO proposal_sources (proposal_id, activity_id, "
                          "source, kind, key, title, start, end, seconds) "
                          "VALUES (?, (SELECT id FROM activities WHERE id = ?), ?, ?, ?, ?, ?, ?, "
                          "?)")) < 0)
            return rc;
        sqlite3_bind_int64(st, 1, p->id);
        sqlite3_bind_int64(st, 2, s->activity_id);
        sqlite3_bind_text(st, 3, s->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, s->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, s->key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, s->title, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, s->start);
        sqlite3_bind_int64(st, 8, s->end);
        sqlite3_bind_int64(st, 9, s->seconds);
        if ((rc = step_done(store, st, "cannot write proposal sources")) < 0)
            return rc;
    }
    return GL_OK;
}

static void bind_proposal(sqlite3_stmt *st, const gl_proposal *p)
{
    sqlite3_bind_text(st, 1, p->day, -1, SQLITE_STATIC);
    bind_id_or_null(st, 2, p->project_id);
    bind_id_or_null(st, 3, p->task_id);
    bind_id_or_null(st, 4, p->origin_project_id);
    bind_id_or_null(st, 5, p->origin_task_id);
    sqlite3_bind_double(st, 6, p->hours);
    sqlite3_bind_text(st, 7, p->notes ? p->notes : "", -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 8, p->confidence);
    sqlite3_bind_text(st, 9, p->status[0] ? p->status : "proposed", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, p->reason ? p->reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 11, p->edited);
    bind_id_or_null(st, 12, p->harvest_entry_id);
    if (p->push_error)
        sqlite3_bind_text(st, 13, p->push_error, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 13);
}

int gl_store_proposal_insert(gl_store *store, gl_proposal *p)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "INSERT INTO proposals (day, project_id, task_id, origin_project_id, "
                      "origin_task_id, hours, notes, confidence, status, reason, edited, "
                      "harvest_entry_id, push_error, key, created_at, updated_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) < 0)
        return rc;
    p->created_at = p->updated_at = now(store);
    bind_proposal(st, p);
    sqlite3_bind_text(st, 14, p->key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 15, p->created_at);
    sqlite3_bind_int64(st, 16, p->updated_at);
    if ((rc = step_done(store, st, "cannot write a proposal")) < 0)
        return rc;
    p->id = sqlite3_last_insert_rowid(store->db);
    return write_sources(store, p);
}

int gl_store_proposal_update(gl_store *store, gl_proposal *p, bool sources)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "UPDATE proposals SET day = ?, project_id = ?, task_id = ?, "
                      "origin_project_id = ?, origin_task_id = ?, hours = ?, notes = ?, "
                      "confidence = ?, status = ?, reason = ?, edited = ?, harvest_entry_id = ?, "
                      "push_error = ?, updated_at = ? WHERE id = ?")) < 0)
        return rc;
    p->updated_at = now(store);
    bind_proposal(st, p);
    sqlite3_bind_int64(st, 14, p->updated_at);
    sqlite3_bind_int64(st, 15, p->id);
    if ((rc = step_done(store, st, "cannot write a proposal")) < 0)
        return rc;
    if (sqlite3_changes(store->db) != 1)
        return gl_error_set(GL_ENOTFOUND, "there is no proposal %lld", (long long)p->id);
    return sources ? write_sources(store, p) : GL_OK;
}

int gl_store_proposal_delete(gl_store *store, int64_t id)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st, "DELETE FROM proposals WHERE id = ?")) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    return step_done(store, st, "cannot remove a proposal");
}

/* ------------------------------------------------- decisions and models */

int gl_store_decision_add(gl_store *store, int64_t proposal_id, const char *action,
                          const char *label, const char *features_json, double weight)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "INSERT INTO decisions (at, proposal_id, action, label, features, weight) "
                      "VALUES (?, (SELECT id FROM proposals WHERE id = ?), ?, ?, ?, ?)")) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, now(store));
    sqlite3_bind_int64(st, 2, proposal_id);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, label, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, features_json ? features_json : "[]", -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 6, weight);
    return step_done(store, st, "cannot record a decision");
}

int gl_store_decisions(gl_store *store, gl_decision_fn fn, void *payload)
{
    sqlite3_stmt *st = NULL;
    int rc, src;

    if ((rc = prepare(store, &st, "SELECT label, features, weight FROM decisions ORDER BY id")) < 0)
        return rc;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = fn(payload, (const char *)sqlite3_column_text(st, 0),
                     (const char *)sqlite3_column_text(st, 1), sqlite3_column_double(st, 2))) != 0)
            break;
    }
    if (rc == 0 && src != SQLITE_DONE)
        rc = db_error(store, "cannot read decisions");
    sqlite3_finalize(st);
    return rc;
}

int gl_store_model_put(gl_store *store, const char *name, const char *model_json, double examples)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "INSERT INTO models (name, model, examples, trained_at) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT (name) DO UPDATE SET model = excluded.model, "
                      "examples = excluded.examples, trained_at = excluded.trained_at")) < 0)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, model_json, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, examples);
    sqlite3_bind_int64(st, 4, now(store));
    return step_done(store, st, "cannot save a model");
}

int gl_store_model_get(gl_store *store, const char *name, char **model_json)
{
    sqlite3_stmt *st = NULL;
    int rc, src;

    *model_json = NULL;
    if ((rc = prepare(store, &st, "SELECT model FROM models WHERE name = ?")) < 0)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        if (!(*model_json = column_dup(st, 0)))
            rc = gl_error_set(GL_ENOMEM, "out of memory");
    } else if (src == SQLITE_DONE) {
        rc = gl_error_set(GL_ENOTFOUND, "no model '%s' yet", name);
    } else {
        rc = db_error(store, "cannot read a model");
    }
    sqlite3_finalize(st);
    return rc;
}

/* ------------------------------------------------------- outbox, by key */

int gl_store_outbox_find(gl_store *store, const char *dedupe_key, int64_t *id, char status[12])
{
    sqlite3_stmt *st = NULL;
    int rc, src;

    if ((rc = prepare(store, &st, "SELECT id, status FROM outbox WHERE dedupe_key = ?")) < 0)
        return rc;
    sqlite3_bind_text(st, 1, dedupe_key, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        snprintf(status, 12, "%s", (const char *)sqlite3_column_text(st, 1));
    } else if (src == SQLITE_DONE) {
        rc = gl_error_set(GL_ENOTFOUND, "%s is not queued", dedupe_key);
    } else {
        rc = db_error(store, "cannot read the outbox");
    }
    sqlite3_finalize(st);
    return rc;
}

int gl_store_outbox_requeue(gl_store *store, int64_t id, const char *payload_json)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "UPDATE outbox SET status = 'pending', payload = ?, attempts = 0, "
                      "next_attempt_at = ?, last_error = NULL, updated_at = ? "
                      "WHERE id = ? AND status = 'failed'")) < 0)
        return rc;
    sqlite3_bind_text(st, 1, payload_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now(store));
    sqlite3_bind_int64(st, 3, now(store));
    sqlite3_bind_int64(st, 4, id);
    if ((rc = step_done(store, st, "cannot update the outbox")) < 0)
        return rc;
    if (sqlite3_changes(store->db) != 1)
        return gl_error_set(GL_ECONFLICT, "outbox item %lld is not a failed one", (long long)id);
    return GL_OK;
}

int gl_store_outbox_cancel(gl_store *store, int64_t id)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "DELETE FROM outbox WHERE id = ? AND status IN ('pending', "
                      "'failed')")) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if ((rc = step_done(store, st, "cannot update the outbox")) < 0)
        return rc;
    if (sqlite3_changes(store->db) != 1)
        return gl_error_set(GL_ECONFLICT,
                            "outbox item %lld is being sent or was sent; it cannot be taken back",
                            (long long)id);
    return GL_OK;
}

int gl_store_outbox_list(gl_store *store, const char *kind, gl_outbox_fn fn, void *payload)
{
    sqlite3_stmt *st = NULL;
    int rc, src;

    if ((rc = prepare(store, &st,
                      "SELECT id, kind, dedupe_key, payload, attempts, status, last_error "
                      "FROM outbox WHERE status <> 'done' AND (?1 IS NULL OR kind = ?1) "
                      "ORDER BY id")) < 0)
        return rc;
    if (kind)
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *status = (const char *)sqlite3_column_text(st, 5);
        gl_outbox_item item = {
            .id = sqlite3_column_int64(st, 0),
            .kind = (char *)sqlite3_column_text(st, 1),
            .dedupe_key = (char *)sqlite3_column_text(st, 2),
            .payload = (char *)sqlite3_column_text(st, 3),
            .attempts = sqlite3_column_int(st, 4),
            .uncertain = strcmp(status, "sending") == 0,
        };
        if ((rc = fn(payload, &item, status, (const char *)sqlite3_column_text(st, 6))) != 0)
            break;
    }
    if (rc == 0 && src != SQLITE_DONE)
        rc = db_error(store, "cannot read the outbox");
    sqlite3_finalize(st);
    return rc;
}

/* ---------------------------------------------------------------- alerts */

int gl_store_alert_add(gl_store *store, const char *kind, const char *subject, const char *period,
                       int level, int64_t outbox_id, const char *details_json)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "INSERT INTO alerts (kind, subject, period, level, fired_at, outbox_id, "
                      "details) VALUES (?, ?, ?, ?, ?, (SELECT id FROM outbox WHERE id = ?), ?)")) <
        0)
        return rc;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, period, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, level);
    sqlite3_bind_int64(st, 5, now(store));
    sqlite3_bind_int64(st, 6, outbox_id);
    sqlite3_bind_text(st, 7, details_json ? details_json : "{}", -1, SQLITE_STATIC);
    if ((rc = step_done(store, st, "cannot record an alert")) == GL_EEXISTS)
        gl_error_set(GL_EEXISTS, "%s alert for %s, %s, %d was raised before", kind, subject, period,
                     level);
    return rc;
}

int gl_store_alert_update(gl_store *store, int64_t id, int64_t outbox_id, const char *details_json)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = prepare(store, &st,
                      "UPDATE alerts SET outbox_id = (SELECT id FROM outbox WHERE id = ?), "
                      "details = ? WHERE id = ?")) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, outbox_id);
    sqlite3_bind_text(st, 2, details_json ? details_json : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, id);
    if ((rc = step_done(store, st, "cannot update an alert")) < 0)
        return rc;
    if (sqlite3_changes(store->db) != 1)
        return gl_error_set(GL_ENOTFOUND, "no alert %lld", (long long)id);
    return GL_OK;
}

int gl_store_alert_exists(gl_store *store, const char *kind, const char *subject,
                          const char *period, int level, bool *out)
{
    sqlite3_stmt *st = NULL;
    int rc, src;

    *out = false;
    if ((rc = prepare(store, &st,
                      "SELECT 1 FROM alerts WHERE kind = ? AND subject = ? AND period = ? AND "
                      "level = ?")) < 0)
        return rc;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, period, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, level);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *out = true;
    else if (src != SQLITE_DONE)
        rc = db_error(store, "cannot read alerts");
    sqlite3_finalize(st);
    return rc;
}

int gl_store_alerts(gl_store *store, const char *kind, int64_t since, gl_alert_fn fn, void *payload)
{
    sqlite3_stmt *st = NULL;
    int rc, src;

    if ((rc = prepare(store, &st,
                      "SELECT id, kind, subject, period, level, fired_at, coalesce(outbox_id, 0), "
                      "details FROM alerts WHERE (?1 IS NULL OR kind = ?1) AND fired_at >= ?2 "
                      "ORDER BY fired_at DESC, id DESC")) < 0)
        return rc;
    if (kind)
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, since);
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        gl_alert a = {
            .id = sqlite3_column_int64(st, 0),
            .kind = (const char *)sqlite3_column_text(st, 1),
            .subject = (const char *)sqlite3_column_text(st, 2),
            .period = (const char *)sqlite3_column_text(st, 3),
            .level = sqlite3_column_int(st, 4),
            .fired_at = sqlite3_column_int64(st, 5),
            .outbox_id = sqlite3_column_int64(st, 6),
            .details = (const char *)sqlite3_column_text(st, 7),
        };
        if ((rc = fn(payload, &a)) != 0)
            break;
    }
    if (rc == 0 && src != SQLITE_DONE)
        rc = db_error(store, "cannot read alerts");
    sqlite3_finalize(st);
    return rc;
}
