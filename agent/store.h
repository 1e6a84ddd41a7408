/*
 * store.h - the local SQLite store: everything gleaner learns goes here
 * first, and every side effect is queued here (the outbox) in the same
 * transaction as the decision that caused it.
 *
 * One file, WAL mode, schema versioned with PRAGMA user_version and migrated
 * forward in code when opened.  A store written by a newer gleaner is
 * refused before anything is written to it.  All SQL in gleaner lives in
 * store.c.
 *
 * Tables (schema 2): activities; proposals and proposal_sources; the Harvest
 * mirror (harvest_users, _clients, _projects, _tasks, _task_assignments,
 * _user_assignments, _time_entries); sync_state; outbox; alerts; audit;
 * decisions (what the user accepted, edited, rejected) and models (the
 * classifier learned from them and from the mirror).
 */
#ifndef GL_STORE_H
#define GL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "agent/config.h"
#include "util/clock.h"
#include "util/error.h"

/* The schema version this gleaner writes. */
#define GL_STORE_VERSION 2

typedef struct gl_store gl_store;

/*
 * gl_store_path - where the store is: `override` (--db), else $GLEANER_DB,
 * else store.path from `cfg` (may be NULL), else
 * $XDG_DATA_HOME/gleaner/gleaner.db (~/.local/share/gleaner/gleaner.db).
 * Caller frees *out.
 */
int gl_store_path(char **out, const char *override, const gl_config *cfg);

/*
 * gl_store_open - open (creating it and its directory, mode 0700) and migrate
 * the store at `path`.  `clock` stamps rows (NULL: system clock; borrowed,
 * must outlive the store).  GL_EVERSION when the file was written by a newer
 * gleaner, GL_ESTORE when it is not a gleaner store or SQLite fails.  Close
 * with gl_store_close.
 */
int gl_store_open(gl_store **out, const char *path, const gl_clock *clock);

/*
 * gl_store_inspect - open an existing store read-only, without creating or
 * migrating anything (for checks such as doctor).  GL_ENOTFOUND when the
 * file does not exist; GL_EVERSION and GL_ESTORE as gl_store_open.  Only
 * the read functions below work on it; gl_store_schema_version tells
 * whether it still needs migrating.
 */
int gl_store_inspect(gl_store **out, const char *path, const gl_clock *clock);

void gl_store_close(gl_store *store);

/* The file's path; borrowed. */
const char *gl_store_file(const gl_store *store);

/* The schema version of the open store (after migration: GL_STORE_VERSION). */
int gl_store_schema_version(gl_store *store, int *out);

/* The journal mode ("wal"), into `out` of size `len`. */
int gl_store_journal_mode(gl_store *store, char *out, size_t len);

/* gl_store_check - SQLite's quick_check; GL_ESTORE with its first complaint. */
int gl_store_check(gl_store *store);

/*
 * Transactions.  gl_store_begin takes the write lock at once (BEGIN
 * IMMEDIATE) so a transaction never fails half-way for lack of it; it waits
 * up to 5 s for another process.  Inside a transaction, begin opens a
 * savepoint: commit keeps what was done since, for the outer transaction
 * to commit or roll back; rollback undoes only that.  So a dry run can
 * hold everything a command does in one transaction and roll it all back.
 */
int gl_store_begin(gl_store *store);
int gl_store_commit(gl_store *store);
void gl_store_rollback(gl_store *store);

/* Row counts of the main tables, for doctor and status lines. */
typedef struct gl_store_counts {
    int64_t activities, proposals, harvest_entries, outbox_pending, alerts, audit;
    int64_t activities_changed; /* when an activity was last added or changed (UTC s; 0: none) */
} gl_store_counts;
int gl_store_counts_get(gl_store *store, gl_store_counts *out);

/* ------------------------------------------------------------ sync state */

/*
 * Small named values per source: Git tips, sync tokens, updated_since marks,
 * feed ETags.  gl_store_state_get: GL_ENOTFOUND when unset; caller frees *out.
 */
int gl_store_state_get(gl_store *store, const char *source, const char *key, char **out);
int gl_store_state_set(gl_store *store, const char *source, const char *key, const char *value);

/* ----------------------------------------------------------------- audit */

/*
 * gl_store_audit_add - record one tool call: who (cli, mcp, daemon), which
 * tool, its arguments as JSON with secrets already removed, whether it
 * succeeded and a message.
 */
int gl_store_audit_add(gl_store *store, const char *actor, const char *tool,
                       const char *arguments_json, bool ok, const char *message);

/* ---------------------------------------------------------------- outbox */

typedef struct gl_outbox_item {
    int64_t id;
    char *kind;         /* "harvest.time_entry", "slack.message", "email", ... */
    char *dedupe_key;   /* unique: the same decision never queues twice */
    char *payload;      /* JSON */
    int attempts;       /* sends started so far, this one included */
    bool uncertain;     /* a previous send started and never finished: check before resending */
    int64_t created_at; /* when it was queued (UTC seconds) */
} gl_outbox_item;

/*
 * gl_store_outbox_add - queue a side effect (call inside the transaction
 * that records the decision).  GL_EEXISTS when `dedupe_key` is already
 * queued; *id_out (optional) receives the row id.
 */
int gl_store_outbox_add(gl_store *store, const char *kind, const char *dedupe_key,
                        const char *payload_json, int64_t *id_out);

/*
 * gl_store_outbox_due - how many rows of `kind` (NULL: any) a claim would
 * give now (pending or being sent, and due): a sender with nothing to do
 * need not sign in anywhere.
 */
int gl_store_outbox_due(gl_store *store, const char *kind, int64_t *count);

/*
 * gl_store_outbox_claim - the oldest item of `kind` (NULL: any) that is due,
 * marked as being sent (attempts + 1).  GL_ENOTFOUND when nothing is due.
 * Free with gl_outbox_item_free.
 */
int gl_store_outbox_claim(gl_store *store, const char *kind, gl_outbox_item **out);

/* The send succeeded; `result_json` (optional) records what the remote returned. */
int gl_store_outbox_done(gl_store *store, int64_t id, const char *result_json);

/*
 * The send failed and may be retried at `retry_at` (UTC seconds).  When the
 * outcome is unknown (a timeout, a lost answer) pass `uncertain` so the next
 * claim says the remote must be checked before sending again.
 */
int gl_store_outbox_retry(gl_store *store, int64_t id, int64_t retry_at, const char *error,
                          bool uncertain);

/* The send failed for good (the remote refused it); kept for the user to see. */
int gl_store_outbox_fail(gl_store *store, int64_t id, const char *error);

void gl_outbox_item_free(gl_outbox_item *item);

/* --------------------------------------------------------- Harvest mirror */

typedef enum gl_mirror_kind {
    GL_MIRROR_USERS,
    GL_MIRROR_CLIENTS,
    GL_MIRROR_PROJECTS,
    GL_MIRROR_TASKS,
    GL_MIRROR_TASK_ASSIGNMENTS,
    GL_MIRROR_USER_ASSIGNMENTS,
    GL_MIRROR_TIME_ENTRIES,
    GL_MIRROR__COUNT
} gl_mirror_kind;

enum { GL_MIRROR_SAME, GL_MIRROR_ADDED, GL_MIRROR_CHANGED };

/*
 * gl_store_mirror_put - insert or update one Harvest object (borrowed) as
 * seen by sync number `sync`.  *change (optional) receives GL_MIRROR_ADDED,
 * _CHANGED (another updated_at) or _SAME.
 */
int gl_store_mirror_put(gl_store *store, gl_mirror_kind kind, json_object *obj, int64_t sync,
                        int *change);

/* Delete the rows of `kind` that sync `sync` did not see. */
int gl_store_mirror_prune(gl_store *store, gl_mirror_kind kind, int64_t sync, int64_t *deleted);

/*
 * Delete `user_id`'s time entries dated `from`..`to` (YYYY-MM-DD, inclusive)
 * that sync `sync` did not see: Harvest leaves no trace of a deletion, so a
 * re-listed window is the only way to notice one.
 */
int gl_store_mirror_prune_entries(gl_store *store, int64_t user_id, const char *from,
                                  const char *to, int64_t sync, int64_t *deleted);

/* Mark `user_id` as the signed-in user (is_me) and nobody else. */
int gl_store_mirror_set_me(gl_store *store, int64_t user_id);

int gl_store_mirror_count(gl_store *store, gl_mirror_kind kind, int64_t *n);

/* The table's name ("harvest_projects"); static. */
const char *gl_store_mirror_name(gl_mirror_kind kind);

/* ------------------------------------------------------------ activities */

/*
 * One thing that happened, as a collector saw it: a meeting occurrence, a
 * commit, an out-of-office block.  Strings are borrowed (from the caller
 * when writing; from the store, valid during the callback, when reading).
 */
typedef struct gl_activity {
    int64_t id;         /* set when read */
    const char *source; /* "calendar:work", "git:acme-web" */
    const char *kind;   /* "meeting", "commit", "out-of-office" */
    const char *key;    /* unique within the source: UID/occurrence, commit id */
    int64_t start, end; /* UTC seconds; a commit has start == end */
    const char *title;
    bool counted;        /* counted as work */
    const char *why;     /* why not, when not counted: "declined", "cancelled", ... */
    const char *details; /* JSON object text: organizer, attendees, repo, branch, keys */
} gl_activity;

enum { GL_ACTIVITY_SAME, GL_ACTIVITY_ADDED, GL_ACTIVITY_CHANGED };

/* gl_store_activity_run - a new collect run number (marks what a run saw). */
int gl_store_activity_run(gl_store *store, int64_t *run);

/*
 * gl_store_activity_put - insert or update the activity (source, key) as
 * seen by `run`; *change (optional) receives GL_ACTIVITY_ADDED, _CHANGED or
 * _SAME.
 */
int gl_store_activity_put(gl_store *store, const gl_activity *a, int64_t run, int *change);

/*
 * gl_store_activity_set_verdict - change only whether (source, key) counts
 * (a cancellation that arrives without times).  GL_ENOTFOUND when unknown.
 */
int gl_store_activity_set_verdict(gl_store *store, const char *source, const char *key,
                                  bool counted, const char *why, int64_t run, int *change);

/*
 * gl_store_activity_sweep - remove the activities of `source` overlapping
 * [from, to) that run `run` did not see: they were deleted at the source.
 */
int gl_store_activity_sweep(gl_store *store, const char *source, int64_t from, int64_t to,
                            int64_t run, int64_t *removed);

/*
 * gl_store_activity_keep_authors - remove the commits of `source` whose
 * recorded author is none of `authors_json` (a JSON array of addresses;
 * case-insensitive): an address taken out of user.email takes its commits
 * with it, while commits no branch holds any more (a squash-merged branch,
 * deleted) stay.  *removed (optional) receives how many went.
 */
int gl_store_activity_keep_authors(gl_store *store, const char *source, const char *authors_json,
                                   int64_t *removed);

/* Receives each activity; a non-zero return stops the listing with it. */
typedef int (*gl_activity_fn)(void *payload, const gl_activity *a);

/*
 * gl_store_activities - the activities overlapping [from, to) (a commit:
 * inside it), of `source` or of all sources (NULL), by start time.
 */
int gl_store_activities(gl_store *store, int64_t from, int64_t to, const char *source,
                        gl_activity_fn fn, void *payload);

/* gl_store_activity_by_id - the activity with that id to `fn`; GL_ENOTFOUND when gone. */
int gl_store_activity_by_id(gl_store *store, int64_t id, gl_activity_fn fn, void *payload);

/* ------------------------------------------------------ Harvest mirror reads */

/*
 * gl_store_mirror_rows - every stored object of `kind` (Harvest's JSON, as
 * synced) as one array, by id.  Caller puts *out.
 */
int gl_store_mirror_rows(gl_store *store, gl_mirror_kind kind, json_object **out);

/*
 * gl_store_mirror_entries - the time entries of `user_id` (0: anyone's)
 * spent `from`..`to` (YYYY-MM-DD, inclusive; NULL: unbounded), by date.
 * Caller puts *out.
 */
int gl_store_mirror_entries(gl_store *store, int64_t user_id, const char *from, const char *to,
                            json_object **out);

/*
 * gl_store_mirror_usage - the hours of `user_id` per project and task in the
 * mirror, summed by SQLite (no entry is parsed): fn(payload, project, task,
 * hours) for each pair; a non-zero return stops it with that code.
 */
typedef int (*gl_usage_fn)(void *payload, int64_t project_id, int64_t task_id, double hours);
int gl_store_mirror_usage(gl_store *store, int64_t user_id, gl_usage_fn fn, void *payload);

/* gl_store_mirror_me - the signed-in user as last synced; GL_ENOTFOUND before any sync. */
int gl_store_mirror_me(gl_store *store, json_object **out);

/* ------------------------------------------------------------ proposals */

/* One activity a proposal came from. */
typedef struct gl_proposal_source {
    int64_t activity_id; /* 0 once the activity is gone */
    char *source;        /* "calendar:work", "git:acme-web" */
    char *kind;          /* "meeting", "commit" */
    char *key;           /* the activity's key within its source */
    char *title;
    int64_t start, end; /* UTC seconds */
    int64_t seconds;    /* what it counted for in this proposal */
} gl_proposal_source;

/*
 * A proposed time entry: one per day, project and task.  origin_* is the
 * mapping inference chose (0: unassigned), kept when the user edits the
 * project or task so that a re-run recognises the proposal.
 */
typedef struct gl_proposal {
    int64_t id;
    char key[48];                /* gleaner's key, sent as Harvest's external_reference.id */
    char day[11];                /* YYYY-MM-DD in the user's zone */
    int64_t project_id, task_id; /* 0: unassigned */
    int64_t origin_project_id, origin_task_id;
    double hours;
    char *notes;
    double confidence;
    char status[12]; /* proposed, accepted, rejected, pushed */
    char *reason;    /* which rule or signal chose the project */
    bool edited;
    int64_t harvest_entry_id; /* once pushed */
    char *push_error;         /* why the last push failed, or NULL */
    int64_t created_at, updated_at;
    gl_proposal_source *sources; /* owned */
    size_t nsources;
} gl_proposal;

/* Free what `p` owns and zero it (the struct itself is the caller's). */
void gl_proposal_clear(gl_proposal *p);

/* Append a copy of `src` (strings copied) to p->sources. */
int gl_proposal_add_source(gl_proposal *p, const gl_proposal_source *src);

typedef struct gl_proposal_list {
    gl_proposal *v; /* owned */
    size_t n;
} gl_proposal_list;

void gl_proposal_list_clear(gl_proposal_list *l);

/*
 * gl_store_proposals - the proposals dated `from`..`to` (inclusive; NULL:
 * unbounded) whose status is `status` (NULL: any), by day then id, with
 * their sources.  Clear `out` with gl_proposal_list_clear.
 */
int gl_store_proposals(gl_store *store, const char *from, const char *to, const char *status,
                       gl_proposal_list *out);

/* gl_store_proposal_get - one proposal by id; GL_ENOTFOUND.  Clear with gl_proposal_clear. */
int gl_store_proposal_get(gl_store *store, int64_t id, gl_proposal *out);

/* gl_store_proposal_find - one proposal by its key; GL_ENOTFOUND. */
int gl_store_proposal_find(gl_store *store, const char *key, gl_proposal *out);

/* gl_store_proposal_insert - store `p` and its sources; sets p->id and the stamps. */
int gl_store_proposal_insert(gl_store *store, gl_proposal *p);

/*
 * gl_store_proposal_update - write every field of `p` but its key and
 * creation time; its sources are replaced too when `sources` is true.
 */
int gl_store_proposal_update(gl_store *store, gl_proposal *p, bool sources);

int gl_store_proposal_delete(gl_store *store, int64_t id);

/* ------------------------------------------------- decisions and models */

/*
 * gl_store_decision_add - record what the user decided about a proposal:
 * `action` accept, edit or reject; the label ("project_id:task_id") and
 * features (a JSON array) the classifier learns from, with `weight`
 * (negative: unlearn).
 */
int gl_store_decision_add(gl_store *store, int64_t proposal_id, const char *action,
                          const char *label, const char *features_json, double weight);

/* Receives each decision, oldest first; non-zero stops the listing. */
typedef int (*gl_decision_fn)(void *payload, const char *label, const char *features_json,
                              double weight);
int gl_store_decisions(gl_store *store, gl_decision_fn fn, void *payload);

/* A trained model as JSON text: save it, or read it back (GL_ENOTFOUND; caller frees). */
int gl_store_model_put(gl_store *store, const char *name, const char *model_json, double examples);
int gl_store_model_get(gl_store *store, const char *name, char **model_json);

/* ------------------------------------------------------- outbox, by key */

/*
 * gl_store_outbox_find - the outbox row queued under `dedupe_key`: its id
 * and status ("pending", "sending", "done", "failed"); GL_ENOTFOUND.
 */
int gl_store_outbox_find(gl_store *store, const char *dedupe_key, int64_t *id, char status[12]);

/*
 * gl_store_outbox_list - every row of `kind` (NULL: any) not yet done,
 * oldest first, with its status and last error (may be NULL); non-zero
 * from `fn` stops the listing.
 */
typedef int (*gl_outbox_fn)(void *payload, const gl_outbox_item *item, const char *status,
                            const char *last_error);
int gl_store_outbox_list(gl_store *store, const char *kind, gl_outbox_fn fn, void *payload);

/* Put a failed row back in the queue with a new payload. */
int gl_store_outbox_requeue(gl_store *store, int64_t id, const char *payload_json);

/*
 * Drop a row that is pending or failed (a decision taken back before it
 * was sent).  GL_ECONFLICT when a send has started or finished.
 */
int gl_store_outbox_cancel(gl_store *store, int64_t id);

/* ---------------------------------------------------------------- alerts */

/*
 * An alert, nudge, milestone or report that was raised: at most one per
 * (kind, subject, period, level), which is how each fires once.
 */
typedef struct gl_alert {
    int64_t id;
    const char *kind;    /* "budget", "milestone", "nudge", "report" */
    const char *subject; /* the project id, milestone name, channel or recipient */
    const char *period;  /* "2026-11", "total", "2026-11-21", "2026-W47" */
    int level;           /* a budget threshold; 0 otherwise */
    int64_t fired_at;
    int64_t outbox_id;   /* the first side effect it queued, 0 when none */
    const char *details; /* JSON */
} gl_alert;

/*
 * gl_store_alert_add - record an alert (call in the transaction that queues
 * its messages).  GL_EEXISTS when it was raised before.
 */
int gl_store_alert_add(gl_store *store, const char *kind, const char *subject, const char *period,
                       int level, int64_t outbox_id, const char *details_json);

/*
 * gl_store_alert_update - set what alert `id` queued and its details (an
 * alert raised while no channel was configured, sent once one is).
 * GL_ENOTFOUND when there is no such alert.
 */
int gl_store_alert_update(gl_store *store, int64_t id, int64_t outbox_id, const char *details_json);

/* Whether (kind, subject, period, level) was raised. */
int gl_store_alert_exists(gl_store *store, const char *kind, const char *subject,
                          const char *period, int level, bool *out);

/* Receives each alert (strings valid during the call); non-zero stops the listing. */
typedef int (*gl_alert_fn)(void *payload, const gl_alert *a);

/* gl_store_alerts - alerts of `kind` (NULL: any) fired at or after `since`, newest first. */
int gl_store_alerts(gl_store *store, const char *kind, int64_t since, gl_alert_fn fn,
                    void *payload);

#endif
