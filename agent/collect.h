/*
 * collect.h - reads every configured source of evidence (calendars, Git
 * repositories) into the store's activities.
 *
 * Each source is collected in its own transaction: a source that fails
 * (a missing repository, a feed answering HTML) is reported and changes
 * nothing, and the others are still read.  Calendars are read for a window
 * and what disappeared from it is removed; Git is read incrementally from
 * the tips the previous run remembered, whatever the window.
 */
#ifndef GL_COLLECT_H
#define GL_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/cli.h"
#include "agent/store.h"
#include "connectors/calendar.h"

/*
 * A meeting's details keep its attendees' addresses ("attendee_emails")
 * when there are at most this many; a crowd (an all-hands) keeps only its
 * domains.
 */
#define GL_COLLECT_PEOPLE_MAX 25

typedef struct gl_collect_options {
    int64_t from, to; /* the calendar window, UTC seconds */
    bool progress;    /* show Git progress on stderr (the caller checked it is a TTY) */
    const char *only; /* collect only this source ("calendar:work", "git:acme-web"); NULL: all */
} gl_collect_options;

typedef struct gl_collect_source {
    char name[160]; /* "calendar:work", "git:acme-web" */
    size_t read;    /* occurrences or commits the source gave */
    size_t added, changed, removed;
    size_t not_counted; /* of those read */
    int status;         /* GL_OK or the error */
    bool warning;       /* collected, but with something to say */
    char message[512];  /* the warning or the error; "" when none */
    int64_t elapsed_ms;
} gl_collect_source;

typedef struct gl_collect_report {
    gl_collect_source *sources; /* owned */
    size_t n;
    size_t failed; /* sources whose status is an error */
} gl_collect_report;

/*
 * gl_collect - collect every configured source (or opts->only) into
 * `store`.  Returns GL_OK when the sources could be tried (even if some
 * failed: see out->failed), or an error when nothing could be (no source
 * configured, a bad config).  Clear `out` with gl_collect_report_clear.
 */
int gl_collect(gl_cli *cli, gl_store *store, const gl_collect_options *opts,
               gl_collect_report *out);
void gl_collect_report_clear(gl_collect_report *r);

/*
 * gl_collect_meeting_why - why a meeting occurrence does not count as work
 * ("cancelled", "declined", "out of office", "focus time", "free",
 * "all-day"), or NULL when it counts.  Pure.
 */
const char *gl_collect_meeting_why(const gl_meeting *m, bool include_all_day);

#endif
