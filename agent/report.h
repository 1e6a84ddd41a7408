/*
 * report.h - the weekly timesheet compliance report.
 *
 * For everyone the token can see (an administrator's or manager's: every
 * active user and their entries) or else the signed-in user alone, for one
 * ISO week (Monday to Sunday):
 *
 *   capacity    the user's Harvest weekly capacity, in hours;
 *   tracked     the hours of their entries that week;
 *   billable    the hours of those entries that are billable;
 *   compliance  tracked / capacity (1 when there is no capacity);
 *   missing     the workdays of the week, up to today, with nothing tracked.
 *
 * People below report.threshold percent come first.  Formats: text, HTML
 * (a table with bars drawn by table cells, which mail clients render),
 * CSV and JSON (DESIGN.md section 8).  Sending queues it once per week to
 * report.to by email (HTML and text) and to the Slack channel, and, with
 * report.remind, a friendly note to each person who is behind.
 */
#ifndef GL_REPORT_H
#define GL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "agent/cli.h"
#include "agent/store.h"

typedef struct gl_report_person {
    int64_t user_id;
    char name[160], email[256];
    double capacity, tracked, billable, compliance;
    char missing[7][11];
    size_t nmissing;
    bool behind;
} gl_report_person;

typedef struct gl_weekly {
    char week[10];            /* "2026-W47" */
    char from[11], to[11];    /* Monday, Sunday */
    bool everyone;            /* the whole team (else the signed-in user only) */
    double threshold;         /* percent */
    gl_report_person *people; /* owned; behind first */
    size_t n;
} gl_weekly;

/*
 * gl_report_weekly - the report for ISO week `week` ("2026-W47"; NULL: the
 * week of today).  GL_EINVAL for a week that does not parse.  Clear `out`
 * with gl_weekly_clear.
 */
int gl_report_weekly(gl_cli *cli, gl_store *store, const char *week, gl_weekly *out);
void gl_weekly_clear(gl_weekly *r);

/* The report in a format: text, html, csv (caller frees), or JSON (caller puts). */
char *gl_weekly_text(const gl_weekly *r);
char *gl_weekly_html(const gl_weekly *r);
char *gl_weekly_csv(const gl_weekly *r);
json_object *gl_weekly_json(const gl_weekly *r);

/*
 * gl_weekly_send - queue the report (once per week: GL_EEXISTS when it was
 * queued before) and, with `remind`, a note to each person behind.
 * *queued receives the number of messages queued.
 */
int gl_weekly_send(gl_cli *cli, gl_store *store, const gl_weekly *r, bool remind, size_t *queued);

/* gl_iso_week - "2026-W47" of a date, and the Monday of a week.  GL_EINVAL when bad. */
int gl_iso_week(const char *day, char out[10]);
int gl_iso_week_monday(const char *week, char out[11]);

#endif
