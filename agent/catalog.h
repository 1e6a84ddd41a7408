/*
 * catalog.h - what the Harvest mirror says about projects and tasks, ready
 * to look things up in: names for ids, ids for what a person types (an id,
 * a project code or a name), which project/task pairs are still open to the
 * user, the user's weekly capacity.
 *
 * Loaded once from the store; no Harvest call.  An empty mirror (never
 * synced) is a valid catalog that knows nothing: numeric ids are taken as
 * given, and names cannot be resolved.
 */
#ifndef GL_CATALOG_H
#define GL_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "agent/store.h"

typedef struct gl_catalog gl_catalog;

/* gl_catalog_load - read the mirror in `store`.  Free with gl_catalog_free. */
int gl_catalog_load(gl_catalog **out, gl_store *store);
void gl_catalog_free(gl_catalog *c);

/* Whether the mirror holds any project (a sync has run). */
bool gl_catalog_known(const gl_catalog *c);

/* The signed-in user's Harvest id, or 0 before any sync. */
int64_t gl_catalog_me(const gl_catalog *c);

/*
 * The signed-in user's weekly capacity in hours (Harvest keeps seconds);
 * false when unknown (no sync yet).
 */
bool gl_catalog_weekly_capacity(const gl_catalog *c, double *hours);

/* Names and codes for ids; NULL when unknown.  Borrowed. */
const char *gl_catalog_project_name(const gl_catalog *c, int64_t project_id);
const char *gl_catalog_project_code(const gl_catalog *c, int64_t project_id);
const char *gl_catalog_client_name(const gl_catalog *c, int64_t project_id);
const char *gl_catalog_task_name(const gl_catalog *c, int64_t task_id);

/*
 * gl_catalog_find_project - the project `text` names: its id, its code
 * (case-insensitive), or its name (case-insensitive; active projects
 * first).  GL_ECONFIG naming `what` ("rule.standups.project") when nothing
 * or several match, listing the candidates.  A number is taken as an id
 * even when the mirror does not know it.
 */
int gl_catalog_find_project(const gl_catalog *c, const char *text, const char *what,
                            int64_t *project_id);

/*
 * gl_catalog_find_task - the task `text` names (an id or a name) among
 * those assigned to `project_id` (all tasks when the mirror has no
 * assignments for it).  GL_ECONFIG as above.
 */
int gl_catalog_find_task(const gl_catalog *c, int64_t project_id, const char *text,
                         const char *what, int64_t *task_id);

/*
 * gl_catalog_usual_task - the task the user tracks most on `project_id`,
 * else its only active task, else 0.
 */
int64_t gl_catalog_usual_task(const gl_catalog *c, int64_t project_id);

/*
 * gl_catalog_open - whether time can still go to `project_id`/`task_id`:
 * the project is active, the task is assigned to it and active, and the
 * user is assigned (as far as the mirror knows; with an empty mirror, yes).
 */
bool gl_catalog_open(const gl_catalog *c, int64_t project_id, int64_t task_id);

/* gl_catalog_open_tasks - the tasks open on `project_id` (gl_catalog_open) into ids[] (at most
 * max). */
size_t gl_catalog_open_tasks(const gl_catalog *c, int64_t project_id, int64_t *ids, size_t max);

/* "ACME Website / Development", or ids when unknown, into `out`. */
void gl_catalog_describe(const gl_catalog *c, int64_t project_id, int64_t task_id, char *out,
                         size_t len);

#endif
