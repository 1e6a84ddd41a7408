/*
 * push.h - accepted proposals into Harvest, exactly once.
 *
 * Accepting a proposal queued its entry in the outbox under the proposal's
 * key, which the entry carries as external_reference.id.  Sending one:
 *
 *   1. the outbox row is marked as being sent, and that is committed,
 *      before the request goes out;
 *   2. when an earlier send of the row began and its outcome is unknown (a
 *      timeout, an answer lost with its connection, a 5xx, a crash at any
 *      point), Harvest is asked for the key first (GET /time_entries
 *      ?external_reference_id=); an entry found is the one that was made;
 *   3. only when none is found is it created (POST, on a fresh connection:
 *      libcurl would otherwise resend it by itself on a reused one);
 *   4. the outbox row, the proposal (pushed, with the entry's id) and the
 *      mirror are updated in one transaction.
 *
 * A refusal (422, a locked day, an archived project) fails the row and puts
 * the proposal back to "proposed" with Harvest's message.  One push runs at
 * a time per store (a lock beside it).
 */
#ifndef GL_PUSH_H
#define GL_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "agent/cli.h"
#include "agent/store.h"

typedef struct gl_push_options {
    bool dry_run;     /* say what would be sent; no request at all */
    int max_attempts; /* per entry in this run (0: 5); later runs try again */
} gl_push_options;

typedef struct gl_push_item {
    char key[48];
    int64_t proposal_id;
    char day[11];
    double hours;
    int64_t project_id, task_id;
    char outcome[20]; /* created, already_present, failed, pending, would_create */
    int64_t entry_id; /* the Harvest entry, when there is one */
    char message[320];
} gl_push_item;

typedef struct gl_push_report {
    size_t created, already_present, failed, pending, would_create;
    gl_push_item *items; /* owned */
    size_t n;
} gl_push_report;

/*
 * gl_push_run - send every queued entry (or, with dry_run, list them).
 * Returns an error only when the run could not go on (not signed in, the
 * token refused, another push running: GL_ELOCKED); entries Harvest refused
 * are counted in out->failed.  Clear `out` with gl_push_report_clear.
 */
int gl_push_run(gl_cli *cli, gl_store *store, const gl_push_options *opts, gl_push_report *out);
void gl_push_report_clear(gl_push_report *r);

/* {"created","already_present","failed","pending","entries":[...]} (DESIGN.md 8); caller puts. */
json_object *gl_push_report_json(const gl_push_report *r, bool dry_run);

/*
 * gl_push_entry_body - the POST body for a queued payload: as queued for a
 * duration account; for one that tracks start and end times
 * (`company`.wants_timestamp_timers), started_time and ended_time in the
 * account's clock format from the first source's start in `tz`.  Caller
 * puts.
 */
int gl_push_entry_body(json_object *payload, json_object *company, const char *tz,
                       json_object **out);

#endif
