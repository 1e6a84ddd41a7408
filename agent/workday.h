/*
 * workday.h - the user's working week from the config (user.timezone,
 * user.workdays, user.workhours, git.max-gap, git.lead-in) and what it
 * makes of one local day: its bounds and its work hours in UTC seconds,
 * right across DST changes.
 */
#ifndef GL_WORKDAY_H
#define GL_WORKDAY_H

#include <stdbool.h>
#include <stdint.h>

#include "agent/cli.h"

typedef struct gl_workweek {
    char tz[64];
    unsigned workdays;        /* bit 0 = Sunday */
    int work_start, work_end; /* minutes after midnight */
    int64_t max_gap, lead_in; /* seconds */
    int64_t lead_out;         /* after a session's last commit, seconds; 0: none */
    int64_t switch_gap; /* a change of branch after this long a pause: a new session; 0: off */
    int64_t lunch_gap;  /* git.lunch-break: a pause at midday over this long: a new session */
} gl_workweek;

typedef struct gl_workday {
    char day[GL_DAY_LEN];
    int weekday; /* 0 = Sunday */
    bool workday;
    int64_t start, end;             /* the local day, [start, end) */
    int64_t work_start, work_end;   /* work hours; equal on days off */
    int64_t lunch_start, lunch_end; /* 12:00 and 13:30 local (only with a lunch_gap) */
} gl_workday;

/* gl_workweek_load - the settings of `cli`'s config. */
int gl_workweek_load(gl_cli *cli, gl_workweek *out);

/*
 * The session lengths gleaner propose last used (fitted to the days you
 * tracked by hand, or the defaults), kept in the store so that gleaner gaps
 * sees the same sessions as the proposals.  gl_workweek_save_sessions
 * writes them (only when they changed); gl_workweek_use_sessions puts them
 * into `w` unless the config sets git.max-gap or git.lead-in (then the
 * config's stand), and leaves `w` as it is when none are kept.
 */
int gl_workweek_save_sessions(gl_store *store, const gl_workweek *w);
void gl_workweek_use_sessions(gl_workweek *w, gl_cli *cli, gl_store *store);

/* gl_workweek_day - `day` (YYYY-MM-DD) as the week `w` sees it. */
int gl_workweek_day(const gl_workweek *w, const char *day, gl_workday *out);

/* gl_workweek_next_day - the day after `day`, into `out` (may be `day`). */
void gl_workweek_next_day(const char *day, char out[GL_DAY_LEN]);

#endif
