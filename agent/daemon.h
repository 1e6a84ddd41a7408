/*
 * daemon.h - the background agent (DESIGN.md section 9): one process per
 * user and store that sleeps until the next job is due.
 *
 *   collect   every daemon.collect-every (15 min): calendars and Git for the
 *             last week, then proposals (auto-accepting per propose.auto-accept)
 *   sync      every daemon.sync-every (30 min): the Harvest mirror
 *   push      after each collect: accepted proposals into Harvest
 *   budget    hourly: budget alerts
 *   invoice   daily: billing milestones
 *   nudge     at nudge.at on workdays: today's gap
 *   report    at report.at (fri 16:00): the weekly report, when report.to
 *             or Slack is configured
 *   outbox    every five minutes and after every job that queues: messages,
 *             invoices
 *
 * Each job's last run is kept in the store.  A job whose time passed while
 * the machine slept runs once on waking, however many times it was missed.
 * A job that fails is tried again five minutes later.  SIGTERM and SIGINT
 * let the current job finish, then the daemon exits 0; SIGHUP reloads the
 * config (a config that does not load keeps the previous one, with an
 * error).  A lock beside the store refuses a second daemon.  One line per
 * job that did something goes to stderr, for journald.  Each job runs in a
 * child process, so the idle agent holds nothing but its schedule; between
 * jobs it sleeps in poll(), waking at least every minute to notice a change
 * of the wall clock.
 */
#ifndef GL_DAEMON_H
#define GL_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "agent/cli.h"

typedef struct gl_daemon_options {
    bool once;     /* run what is due now, then exit (for cron) */
    int64_t until; /* UTC seconds: exit at this time (0: never); with a test clock, a simulation */
} gl_daemon_options;

/* gl_daemon_run - run until told to stop.  Returns GL_OK on a clean stop. */
int gl_daemon_run(gl_cli *cli, const gl_daemon_options *opts);

#endif
