/*
 * nudges.h - the end-of-day reminder (DESIGN.md section 7): at nudge.at on
 * a workday, when the day's gap (agent/gaps.h) is over nudge.min-gap, one
 * message per day and channel listing what gleaner proposes to fill it and
 * the command that accepts it; rules/nudge.h decides whether it is due.
 * The day's alert and its messages are one transaction: it is sent once per
 * day however often the check runs.
 */
#ifndef GL_NUDGES_H
#define GL_NUDGES_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "agent/cli.h"
#include "agent/store.h"

typedef struct gl_nudges_result {
    char day[11];
    bool workday, due, sent, already;
    double gap, proposed;
    size_t proposals;
    char why[200]; /* why it is not sent, when it is not */
    char *title;   /* the message (owned), when there is one */
    char *text;
} gl_nudges_result;

/*
 * gl_nudges_run - decide today's nudge on the mirror and the proposals as
 * they are (the caller syncs Harvest, collects and proposes first: time
 * tracked meanwhile is no gap) and, unless `dry_run`, queue it.
 * Clear `out` with gl_nudges_result_clear.
 */
int gl_nudges_run(gl_cli *cli, gl_store *store, bool dry_run, gl_nudges_result *out);
void gl_nudges_result_clear(gl_nudges_result *r);
json_object *gl_nudges_json(const gl_nudges_result *r, bool dry_run);

#endif
