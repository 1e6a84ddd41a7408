/*
 * mirror.h - the local copy of Harvest that later capabilities read instead
 * of calling Harvest again: the signed-in user, users, clients, projects,
 * tasks, task and user assignments, and the user's time entries.
 *
 * Small tables are listed whole on every sync (one page each, so
 * updated_since would save no request) and rows Harvest no longer lists are
 * deleted.  Time entries come incrementally through updated_since, plus a
 * re-listed window of days: Harvest leaves no trace of a deleted entry, so
 * the window is where deletions are noticed.  The first sync reads a year of
 * history.  Everything is fetched first and written in one transaction, so
 * a failure half-way changes nothing.
 *
 * Members cannot list projects or tasks (403); their mirror is built from
 * /users/me/project_assignments instead.
 */
#ifndef GL_MIRROR_H
#define GL_MIRROR_H

#include <stdbool.h>
#include <stdint.h>

#include "agent/store.h"
#include "connectors/harvest.h"

/* Days of history the first sync reads. */
#define GL_MIRROR_HISTORY_DAYS 365
/* Days before today re-listed on later syncs to notice deletions. */
#define GL_MIRROR_WINDOW_DAYS 28

typedef struct gl_mirror_options {
    const char *today; /* YYYY-MM-DD in the user's zone; required */
    const char *from;  /* window to re-list; NULL: the defaults above */
    const char *to;    /* NULL: today + 7 days (entries logged ahead) */
    bool dry_run;      /* fetch and count, write nothing */
    int64_t now;       /* UTC seconds: the updated_since mark when no entry gives one */
} gl_mirror_options;

typedef struct gl_mirror_stats {
    int64_t seen[GL_MIRROR__COUNT], added[GL_MIRROR__COUNT], changed[GL_MIRROR__COUNT],
        deleted[GL_MIRROR__COUNT];
    char from[11], to[11]; /* the time-entry window re-listed */
    bool first;            /* the year of history has not been read yet */
    bool member;           /* built from the user's own project assignments */
    int64_t user_id;
} gl_mirror_stats;

/* gl_mirror_harvest - sync the mirror in `store` from `h`. */
int gl_mirror_harvest(gl_store *store, gl_harvest *h, const gl_mirror_options *opts,
                      gl_mirror_stats *stats);

/* "time_entries", "projects", ...: the name of a table in messages and JSON; static. */
const char *gl_mirror_label(gl_mirror_kind kind);

#endif
