/*
 * harvest.h - Harvest API v2 on the shared HTTP layer.
 *
 * Every request carries "Authorization: Bearer", "Harvest-Account-Id" and a
 * User-Agent naming gleaner and a contact ("gleaner/0.1.0 (ada@example.com)"),
 * which Harvest requires.  Lists follow `links.next` to the end (cursor
 * endpoints return null page numbers mid-way, so page counters are never
 * trusted).  Two token buckets keep gleaner under Harvest's limits so that a
 * 429 is the exception: 100 requests per 15 s in general and 100 per
 * 15 minutes for /reports/.  A 401 asks the refresh callback for a new token
 * once and repeats the request.
 *
 * Errors become one line a person can act on:
 *   "Harvest refused the time entry: Spent date is invalid (422)"
 *   "Harvest has no time entry 12345 (404)"
 *
 * The operations Harvest offers are one table (gl_harvest_ops): name,
 * method, path template, the key of the list they return.  gl_harvest_call
 * runs any of them with JSON arguments; the typed helpers below serve the
 * code that syncs and pushes.
 *
 * Every json_object returned through an out-parameter is owned by the caller
 * (json_object_put).
 */
#ifndef GL_HARVEST_H
#define GL_HARVEST_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "util/clock.h"
#include "util/error.h"

typedef struct gl_harvest gl_harvest;

/*
 * Called when Harvest answers 401: return GL_OK with a new access token in
 * *token_out (malloc'd; the client wipes and frees it), or an error to give
 * up.  Called at most once per request.
 */
typedef int (*gl_harvest_refresh_cb)(void *payload, char **token_out);

typedef struct gl_harvest_options {
    const char *base_url;  /* "https://api.harvestapp.com/v2"; required */
    const char *id_url;    /* "https://id.getharvest.com"; for the account list */
    const char *token;     /* access token (personal or OAuth); required; copied */
    int64_t account_id;    /* Harvest-Account-Id; 0 allows only gl_harvest_accounts */
    const char *contact;   /* email or URL for the User-Agent; required */
    const gl_clock *clock; /* NULL: the system clock; borrowed */
    long timeout_ms;       /* per request; 0: the HTTP layer's default (60 s) */
    gl_harvest_refresh_cb refresh;
    void *refresh_payload;
} gl_harvest_options;

int gl_harvest_new(gl_harvest **out, const gl_harvest_options *opts);
void gl_harvest_free(gl_harvest *h);

/* Replace the access token (after a refresh done elsewhere). */
int gl_harvest_set_token(gl_harvest *h, const char *token);

/* Requests sent so far (retries included) and ms spent waiting; for -v. */
void gl_harvest_stats(const gl_harvest *h, int *requests, int64_t *waited_ms);

/* ------------------------------------------------------------ operations */

enum {
    GL_HV_REPORT = 1 << 0, /* under /reports/: stricter limit, from/to within a year */
    GL_HV_ID_HOST = 1 << 1 /* on Harvest ID, not the API (the account list) */
};

typedef struct gl_harvest_op {
    const char *name;     /* "list_time_entries" */
    const char *method;   /* GET, POST, PATCH, DELETE */
    const char *path;     /* "/time_entries/{id}": {x} taken from the arguments */
    const char *list_key; /* "time_entries" for paginated lists, else NULL */
    const char *noun;     /* "time entry", for messages */
    unsigned flags;
} gl_harvest_op;

/* The table; borrowed, static.  *n receives the number of rows. */
const gl_harvest_op *gl_harvest_ops(size_t *n);
const gl_harvest_op *gl_harvest_op_find(const char *name);

/*
 * gl_harvest_call - run `op` with `args` (an object or NULL; borrowed):
 * members named in the path fill it, the rest go to the query string for
 * GET and DELETE and to the JSON body otherwise.  Lists are followed to the
 * end and returned as {"<list_key>": [...], "total_entries": N}; a DELETE
 * returns {"deleted": true}.  Report ranges over 365 days are refused here
 * (GL_EINVAL) rather than sent.
 */
int gl_harvest_call(gl_harvest *h, const gl_harvest_op *op, json_object *args,
                    json_object **result);

/* ---------------------------------------------------------- the plumbing */

/*
 * gl_harvest_request - one request: `method` on `path` (under the base URL)
 * with `query` pairs (NULL-terminated; may be NULL) and a JSON `body`
 * (borrowed; may be NULL).  `noun` names the object in error messages.
 * *out receives the parsed answer (NULL for an empty body).
 */
int gl_harvest_request(gl_harvest *h, const char *method, const char *path,
                       const char *const *query, json_object *body, const char *noun,
                       json_object **out);

/*
 * gl_harvest_list - GET `path` and every page after it (following
 * links.next); *items receives one array with the `key` members of every
 * page.
 */
int gl_harvest_list(gl_harvest *h, const char *path, const char *const *query, const char *key,
                    const char *noun, json_object **items);

/* ---------------------------------------------------------- typed helpers */

/* GET /users/me. */
int gl_harvest_me(gl_harvest *h, json_object **user);

/* GET /company. */
int gl_harvest_company(gl_harvest *h, json_object **company);

/*
 * gl_harvest_accounts - the Harvest accounts this token reaches, from
 * Harvest ID (Forecast accounts dropped): [{"id","name"}...].  *user
 * (optional) receives the signed-in person.
 */
int gl_harvest_accounts(gl_harvest *h, json_object **accounts, json_object **user);

/*
 * gl_harvest_find_by_reference - the time entry of `user_id` whose
 * external_reference.id is `reference`, or GL_ENOTFOUND.  Used before
 * re-sending a creation whose outcome is unknown.
 */
int gl_harvest_find_by_reference(gl_harvest *h, const char *reference, int64_t user_id,
                                 json_object **entry);

/* POST /time_entries with `body` (borrowed); *entry receives the new entry. */
int gl_harvest_create_time_entry(gl_harvest *h, json_object *body, json_object **entry);

#endif
