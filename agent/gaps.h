/*
 * gaps.h - what is still missing, day by day (DESIGN.md section 6):
 *
 *   expected = weekly hours (user.weekly-hours, else the Harvest weekly
 *              capacity, else 40) spread over the workdays, less the share
 *              of the work hours spent out of office (Google out-of-office
 *              events, every event of a calendar with holidays = true, and
 *              all-day events whose title matches gaps.out-of-office);
 *   tracked  = the day's entries in Harvest (the mirror);
 *   accepted = accepted proposals not yet in Harvest;
 *   gap      = expected - tracked - accepted, never below 0.
 *
 * Each day also lists the stretches of its work hours that nothing covers:
 * no meeting, no Git session, no time off, no entry with a start and end.
 */
#ifndef GL_GAPS_H
#define GL_GAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "agent/cli.h"
#include "agent/store.h"

/* Uncovered stretches shorter than this are not worth a mention. */
#define GL_GAPS_MIN_STRETCH 900

typedef struct gl_gap_span {
    int64_t start, end; /* UTC seconds */
} gl_gap_span;

typedef struct gl_gap_day {
    char day[11];
    bool workday;
    double expected, off, tracked, accepted, proposed, gap; /* hours */
    gl_gap_span *uncovered;                                 /* owned */
    size_t nuncovered;
} gl_gap_day;

typedef struct gl_gaps {
    gl_gap_day *days; /* owned */
    size_t n;
    double weekly_hours;
    const char *capacity_from; /* "config", "harvest" or "default"; static */
    double expected, tracked, accepted, proposed, gap; /* sums */
} gl_gaps;

/* gl_gaps_compute - every day of `w`.  Clear `out` with gl_gaps_clear. */
int gl_gaps_compute(gl_cli *cli, gl_store *store, const gl_window *w, gl_gaps *out);
void gl_gaps_clear(gl_gaps *g);

/*
 * gl_gaps_json - {"from","to","timezone","weekly_hours","days":[{"date",
 * "expected_hours","tracked_hours","accepted_hours","proposed_hours",
 * "gap_hours","uncovered":[{"start","end"}]}]} (DESIGN.md section 8).
 * Caller puts.
 */
json_object *gl_gaps_json(const gl_gaps *g, const gl_window *w, const char *tz);

/*
 * What counts as time off, from the config: Google out-of-office events,
 * every event of a calendar with holidays = true, and all-day events whose
 * title matches gaps.out-of-office (unless declined or cancelled).  Shared
 * by gaps (expected hours) and proposals (meetings on a day off are not
 * work).  Free with gl_time_off_free.
 */
typedef struct gl_time_off gl_time_off;
int gl_time_off_new(gl_time_off **out, gl_cli *cli);
void gl_time_off_free(gl_time_off *t);
bool gl_time_off_is(const gl_time_off *t, const gl_activity *a);

/*
 * gl_gaps_subtract - `span` less every interval in `cover` (any order,
 * may overlap), as the pieces left of at least `min_len` seconds, appended
 * to out[*n] (at most `max`).  Pure.
 */
void gl_gaps_subtract(gl_gap_span span, const gl_gap_span *cover, size_t ncover, int64_t min_len,
                      gl_gap_span *out, size_t *n, size_t max);

#endif
