/*
 * daemon.c - the scheduler loop and its jobs.
 */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/budgets.h"
#include "agent/collect.h"
#include "agent/gaps.h"
#include "agent/milestones.h"
#include "agent/mirror.h"
#include "agent/notify.h"
#include "agent/nudges.h"
#include "agent/outbox.h"
#include "agent/propose.h"
#include "agent/push.h"
#include "agent/report.h"
#include "agent/signin.h"
#include "agent/store.h"
#include "agent/workday.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

/*
 * A failed job runs again after 5 minutes, then 10, 20, 40, then hourly: an
 * outage is caught soon after it ends, and a mistake to mend (a revoked
 * token, a config error) does not write to the journal every 5 minutes for
 * days.  SIGHUP (a config mended) tries again at once.
 */
#define RETRY_AFTER_FAILURE_S 300
#define RETRY_AT_MOST_S       3600
#define MAX_SLEEP_S           60
#define COLLECT_DAYS          7

static int64_t retry_delay(int failures)
{
    return gl_backoff(RETRY_AFTER_FAILURE_S, RETRY_AT_MOST_S, failures + 1);
}

typedef enum schedule { EVERY, DAILY_AT, WEEKLY_AT } schedule;

typedef struct daemon_state daemon_state;

typedef struct job {
    const char *name;
    schedule kind;
    int64_t every; /* EVERY: seconds */
    int at;        /* DAILY_AT / WEEKLY_AT: minutes after local midnight */
    unsigned days; /* the weekdays it runs on (bit 0 = Sunday) */
    int (*run)(daemon_state *d, char *summary, size_t len, bool *notable);
    int64_t last;     /* UTC seconds of the last run, 0: never */
    int64_t retry_at; /* after a failure */
    int failures;     /* in a row, for the backoff */
} job;

struct daemon_state {
    gl_cli *cli;
    int64_t slot; /* the scheduled moment a DAILY_AT/WEEKLY_AT job is run for */
    const char *db;
    gl_store *store; /* open in a job's process only */
    gl_workweek week;
    job jobs[8];
    size_t njobs;
};

/* Signals reach the loop through a pipe, so poll() wakes at once. */
static int signal_pipe[2] = {-1, -1};
static volatile sig_atomic_t stop_requested, reload_requested;

static void on_signal(int sig)
{
    int saved = errno;
    char c = (char)sig;
    if (sig == SIGHUP)
        reload_requested = 1;
    else
        stop_requested = 1;
    if (signal_pipe[1] >= 0 && write(signal_pipe[1], &c, 1) < 0) {
        /* Full pipe: a wake-up is pending anyway. */
    }
    errno = saved;
}

static void say(daemon_state *d, const char *fmt, ...) GL_PRINTF(2, 3);
static void say(daemon_state *d, const char *fmt, ...)
{
    va_list ap;
    char line[1200];

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    gl_str_sanitize(line);
    fprintf(d->cli->err, "gleaner daemon: %s\n", line);
    fflush(d->cli->err);
}

/* ------------------------------------------------------------------ jobs */

static bool signed_in(daemon_state *d)
{
    gl_signin *s = NULL;
    int rc = gl_signin_harvest(d->cli, &s);
    gl_signin_free(s);
    gl_error_clear();
    return rc == GL_OK;
}

static int job_collect(daemon_state *d, char *summary, size_t len, bool *notable)
{
    char today[GL_DAY_LEN], from[GL_DAY_LEN];
    gl_window w;
    gl_collect_report cr = {0};
    gl_propose_report pr;
    size_t failed = 0;
    int rc;

    if ((rc = gl_cli_today(d->cli, today)) < 0)
        return rc;
    gl_date_shift(from, today, -(COLLECT_DAYS - 1));
    if ((rc = gl_cli_window_between(d->cli, from, today, 0, &w)) < 0)
        return rc;
    {
        gl_collect_options o = {.from = w.start, .to = w.end};
        rc = gl_collect(d->cli, d->store, &o, &cr);
    }
    if (rc < 0 && rc != GL_ECONFIG)
        goto done;
    for (size_t i = 0; i < cr.n; i++)
        if (cr.sources[i].status < 0) {
            failed++;
            say(d, "collect: %s: %s", cr.sources[i].name, cr.sources[i].message);
        }
    gl_error_clear();
    if ((rc = gl_propose_run(d->cli, d->store, &w, false, &pr)) < 0)
        goto done;
    *notable = failed || pr.added || pr.updated || pr.removed || pr.auto_accepted;
    snprintf(summary, len,
             "%zu source%s (%zu failed); proposals %zu added, %zu updated, %zu removed, %zu "
             "auto-accepted",
             cr.n, cr.n == 1 ? "" : "s", failed, pr.added, pr.updated, pr.removed,
             pr.auto_accepted);

done:
    gl_collect_report_clear(&cr);
    return rc;
}

static int job_sync(daemon_state *d, char *summary, size_t len, bool *notable)
{
    gl_signin *s = NULL;
    gl_mirror_options o = {0};
    gl_mirror_stats st;
    char today[GL_DAY_LEN];
    int rc;

    if ((rc = gl_signin_harvest(d->cli, &s)) == GL_ECONFIG) {
        gl_error_clear();
        snprintf(summary, len, "skipped: not signed in to Harvest");
        return GL_OK;
    }
    if (rc == GL_OK && (rc = gl_cli_today(d->cli, today)) == GL_OK) {
        o.today = today;
        o.now = gl_clock_now(d->cli->clock);
        if ((rc = gl_mirror_harvest(d->store, s->harvest, &o, &st)) == GL_OK) {
            for (int k = 0; k < GL_MIRROR__COUNT; k++)
                *notable = *notable || st.added[k] || st.changed[k] || st.deleted[k];
            snprintf(summary, len,
                     "%" PRId64 " time entries seen (%" PRId64 " new, %" PRId64 " changed, %" PRId64
                     " deleted)",
                     st.seen[GL_MIRROR_TIME_ENTRIES], st.added[GL_MIRROR_TIME_ENTRIES],
                     st.changed[GL_MIRROR_TIME_ENTRIES], st.deleted[GL_MIRROR_TIME_ENTRIES]);
        }
    }
    gl_signin_free(s);
    return rc;
}

static int job_push(daemon_state *d, char *summary, size_t len, bool *notable)
{
    gl_push_options o = {0};
    gl_push_report r = {0};
    int rc;

    if (!signed_in(d)) {
        snprintf(summary, len, "skipped: not signed in to Harvest");
        return GL_OK;
    }
    rc = gl_push_run(d->cli, d->store, &o, &r);
    *notable = r.created || r.already_present || r.failed;
    if (rc == GL_OK)
        snprintf(summary, len, "%zu created, %zu already there, %zu refused, %zu still queued",
                 r.created, r.already_present, r.failed, r.pending);
    gl_push_report_clear(&r);
    return rc;
}

static int job_outbox(daemon_state *d, char *summary, size_t len, bool *notable)
{
    gl_outbox_report r;
    int rc = gl_outbox_run(d->cli, d->store, &r);

    *notable = r.sent || r.failed;
    if (rc == GL_OK)
        snprintf(summary, len, "%zu sent, %zu failed, %zu to try again", r.sent, r.failed,
                 r.retrying);
    return rc;
}

static int job_budget(daemon_state *d, char *summary, size_t len, bool *notable)
{
    json_object *doc = NULL;
    int rc;

    if (!signed_in(d)) {
        snprintf(summary, len, "skipped: not signed in to Harvest");
        return GL_OK;
    }
    if ((rc = gl_budgets_run(d->cli, d->store, true, false, &doc)) == GL_OK) {
        json_object *projects = json_object_object_get(doc, "projects");
        size_t raised = 0;
        /* Only what this check raised: "alerted" also holds what was told before. */
        for (size_t i = 0; i < json_object_array_length(projects); i++)
            raised += json_object_array_length(
                json_object_object_get(json_object_array_get_idx(projects, i), "raised"));
        *notable = raised > 0;
        snprintf(summary, len, "%zu projects with a budget checked, %zu alert%s raised",
                 json_object_array_length(projects), raised, raised == 1 ? "" : "s");
    }
    json_object_put(doc);
    return rc;
}

static int job_invoice(daemon_state *d, char *summary, size_t len, bool *notable)
{
    const gl_config *cfg;
    const char *const *names;
    gl_milestones_report r = {0};
    size_t queued = 0;
    int rc;

    if ((rc = gl_cli_config(d->cli, &cfg)) < 0)
        return rc;
    if (gl_config_sections(cfg, "milestone", &names) == 0) {
        snprintf(summary, len, "skipped: no [milestone] configured");
        return GL_OK;
    }
    if ((rc = gl_milestones_check(d->cli, d->store, false, &r)) == GL_OK) {
        for (size_t i = 0; i < r.n; i++)
            queued += r.v[i].queued;
        *notable = queued > 0;
        snprintf(summary, len, "%zu milestones checked, %zu drafts queued", r.n, queued);
    }
    gl_milestones_report_clear(&r);
    return rc;
}

static int job_nudge(daemon_state *d, char *summary, size_t len, bool *notable)
{
    gl_nudges_result r;
    gl_channels ch;
    int rc;

    if ((rc = gl_notify_channels(d->cli, &ch)) < 0)
        return rc;
    if (!ch.slack && !ch.emails) {
        snprintf(summary, len, "skipped: no notify channel configured");
        return GL_OK;
    }
    /* At nudge.at, once a day: what was tracked since the last sync is no gap. */
    gl_signin_sync_mirror(d->cli, d->store, "nudging");
    if ((rc = gl_nudges_run(d->cli, d->store, false, &r)) == GL_OK) {
        *notable = r.sent;
        snprintf(summary, len, "%s", r.sent ? "sent" : r.why);
    }
    gl_nudges_result_clear(&r);
    return rc;
}

static int job_report(daemon_state *d, char *summary, size_t len, bool *notable)
{
    const gl_config *cfg;
    gl_channels ch;
    gl_weekly w = {0};
    bool remind = false;
    size_t queued = 0;
    int rc;

    if ((rc = gl_cli_config(d->cli, &cfg)) < 0 || (rc = gl_notify_channels(d->cli, &ch)) < 0)
        return rc;
    if (!gl_config_is_set(cfg, "report.to") && !ch.slack) {
        snprintf(summary, len, "skipped: no report.to and no Slack configured");
        return GL_OK;
    }
    gl_config_get_bool(cfg, "report.remind", &remind);
    /* The week of the moment it was due for: a report caught up on Monday is last week's. */
    {
        gl_local_time lt;
        char day[GL_DAY_LEN], week[10];
        if ((rc = gl_tz_to_local(&lt, d->week.tz,
                                 d->slot ? d->slot : gl_clock_now(d->cli->clock))) < 0)
            return rc;
        snprintf(day, sizeof(day), "%04d-%02d-%02d", lt.year, lt.month, lt.day);
        if ((rc = gl_iso_week(day, week)) < 0)
            return rc;
        rc = gl_report_weekly(d->cli, d->store, week, &w);
    }
    if (rc == GL_OK) {
        rc = gl_weekly_send(d->cli, d->store, &w, remind, &queued);
        if (rc == GL_EEXISTS) {
            gl_error_clear();
            rc = GL_OK;
            snprintf(summary, len, "week %s was sent already", w.week);
        } else if (rc == GL_OK) {
            *notable = true;
            snprintf(summary, len, "week %s: %zu people, %zu messages queued", w.week, w.n, queued);
        }
    }
    gl_weekly_clear(&w);
    return rc;
}

/* -------------------------------------------------------------- schedule */

/*
 * The latest scheduled moment at or before `now` for a DAILY_AT/WEEKLY_AT
 * job, in the user's zone (0 when none in the last eight days).
 */
static int64_t last_slot(const daemon_state *d, const job *j, int64_t now)
{
    gl_local_time lt;
    int y, m, dd;

    if (gl_tz_to_local(&lt, d->week.tz, now) < 0)
        return 0;
    y = lt.year;
    m = lt.month;
    dd = lt.day;
    for (int back = 0; back < 8; back++) {
        int64_t at, day = gl_days_from_civil(y, m, dd);
        int wd = (int)(((day + 4) % 7 + 7) % 7);
        if (((j->days >> wd) & 1) &&
            gl_tz_from_local(&at, d->week.tz, y, m, dd, j->at / 60, j->at % 60, 0) == GL_OK &&
            at <= now)
            return at;
        gl_date_add_days(&y, &m, &dd, -1);
    }
    return 0;
}

/* The next scheduled moment after `now`. */
static int64_t next_slot(const daemon_state *d, const job *j, int64_t now)
{
    gl_local_time lt;
    int y, m, dd;

    if (gl_tz_to_local(&lt, d->week.tz, now) < 0)
        return now + 3600;
    y = lt.year;
    m = lt.month;
    dd = lt.day;
    for (int ahead = 0; ahead < 9; ahead++) {
        int64_t at, day = gl_days_from_civil(y, m, dd);
        int wd = (int)(((day + 4) % 7 + 7) % 7);
        if (((j->days >> wd) & 1) &&
            gl_tz_from_local(&at, d->week.tz, y, m, dd, j->at / 60, j->at % 60, 0) == GL_OK &&
            at > now)
            return at;
        gl_date_add_days(&y, &m, &dd, 1);
    }
    return now + 24 * 3600;
}

static bool due(const daemon_state *d, const job *j, int64_t now)
{
    if (j->retry_at)
        return now >= j->retry_at;
    if (j->kind == EVERY)
        return !j->last || now >= j->last + j->every;
    int64_t slot = last_slot(d, j, now);
    /* A slot missed while asleep runs once, on waking. */
    return slot && j->last < slot;
}

static int64_t next_due(const daemon_state *d, const job *j, int64_t now)
{
    if (j->retry_at)
        return j->retry_at;
    if (j->kind == EVERY)
        return j->last ? j->last + j->every : now;
    return due(d, j, now) ? now : next_slot(d, j, now);
}

static int load_schedule(daemon_state *d)
{
    const gl_config *cfg;
    int collect = 15, sync = 30, nudge_at = 17 * 60 + 30, report_day = 5, report_at = 16 * 60;
    int rc;

    if ((rc = gl_cli_config(d->cli, &cfg)) < 0 || (rc = gl_workweek_load(d->cli, &d->week)) < 0)
        return rc;
    gl_config_get_minutes(cfg, "daemon.collect-every", &collect);
    gl_config_get_minutes(cfg, "daemon.sync-every", &sync);
    gl_config_parse_clock(&nudge_at, gl_config_get(cfg, "nudge.at"));
    gl_config_parse_weekly(&report_day, &report_at, gl_config_get(cfg, "report.at"));
    job jobs[] = {
        {"sync", EVERY, (int64_t)sync * 60, 0, 0, job_sync, 0, 0},
        {"collect", EVERY, (int64_t)collect * 60, 0, 0, job_collect, 0, 0},
        {"push", EVERY, (int64_t)collect * 60, 0, 0, job_push, 0, 0},
        {"budget", EVERY, 3600, 0, 0, job_budget, 0, 0},
        {"invoice", EVERY, 24 * 3600, 0, 0, job_invoice, 0, 0},
        {"nudge", DAILY_AT, 0, nudge_at, d->week.workdays, job_nudge, 0, 0},
        {"report", WEEKLY_AT, 0, report_at, 1u << report_day, job_report, 0, 0},
        {"outbox", EVERY, 300, 0, 0, job_outbox, 0, 0},
    };
    /* Keep what was known of the last runs across a reload. */
    for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
        for (size_t k = 0; k < d->njobs; k++)
            if (strcmp(d->jobs[k].name, jobs[i].name) == 0) {
                jobs[i].last = d->jobs[k].last;
                /* A reload is often a mend: what was failing tries again now. */
                jobs[i].retry_at = d->jobs[k].retry_at ? gl_clock_now(d->cli->clock) : 0;
            }
        d->jobs[i] = jobs[i];
    }
    d->njobs = sizeof(jobs) / sizeof(jobs[0]);
    if ((rc = gl_store_open(&d->store, d->db, d->cli->clock)) < 0)
        return rc;
    for (size_t i = 0; i < d->njobs; i++) {
        char *v = NULL;
        if (!d->jobs[i].last &&
            gl_store_state_get(d->store, "daemon", d->jobs[i].name, &v) == GL_OK)
            gl_parse_int64(&d->jobs[i].last, v);
        free(v);
        gl_error_clear();
    }
    /*
     * A job run at a time of day starts from now the first time: the daemon
     * catches up what it missed while asleep, not what happened before it
     * ever ran.
     */
    for (size_t i = 0; i < d->njobs; i++) {
        char stamp[32];
        if (d->jobs[i].kind == EVERY || d->jobs[i].last)
            continue;
        d->jobs[i].last = gl_clock_now(d->cli->clock);
        snprintf(stamp, sizeof(stamp), "%" PRId64, d->jobs[i].last);
        gl_store_state_set(d->store, "daemon", d->jobs[i].name, stamp);
    }
    /* The agent itself keeps no store open: each job opens its own. */
    gl_store_close(d->store);
    d->store = NULL;
    return GL_OK;
}

/* The job itself, in the child: its one line, and its last run remembered in the store. */
static int job_in_child(daemon_state *d, job *j, int64_t now)
{
    char summary[512] = "", stamp[32];
    int rc;

    if ((rc = gl_store_open(&d->store, d->db, d->cli->clock)) < 0) {
        say(d, "%s: %s", j->name, gl_error_last());
        return rc;
    }
    bool notable = false;
    rc = j->run(d, summary, sizeof(summary), &notable);
    if (rc < 0) {
        say(d, "%s failed: %s (trying again in %d minutes)", j->name, gl_error_last(),
            (int)(retry_delay(j->failures) / 60));
    } else {
        /* Quiet when nothing happened: journald gets what someone may want to know. */
        if (summary[0] && (notable || d->cli->verbose))
            say(d, "%s: %s", j->name, summary);
        /*
         * Remembered across restarts where running again early would matter (a
         * slot, an hourly or daily check); a job every few minutes just runs at
         * start, and an idle agent writes nothing to disk.
         */
        snprintf(stamp, sizeof(stamp), "%" PRId64, now);
        if ((j->kind != EVERY || j->every >= 3600) &&
            gl_store_state_set(d->store, "daemon", j->name, stamp) < 0)
            say(d, "cannot remember the last %s: %s", j->name, gl_error_last());
    }
    gl_store_close(d->store);
    d->store = NULL;
    return rc;
}

/*
 * Each job runs in a child process: whatever it loads (libraries, caches,
 * a year of history) goes when it exits, so the idle agent holds only its
 * schedule; and a job that crashes takes nothing else with it.
 */
static void run_job(daemon_state *d, job *j, int64_t now)
{
    pid_t pid;
    int status = 0, clock_pipe[2] = {-1, -1};
    /*
     * A test clock (GLEANER_TEST_NOW) moves only when someone waits on it: the
     * child's waits (rate limits, Retry-After) move the child's copy.  The child
     * hands its time back so that the agent's clock does not fall behind what the
     * job did (what it queued would not be due yet for the outbox run after it).
     */
    bool test_clock = d->cli->clock != gl_clock_system();

    fflush(d->cli->err);
    fflush(d->cli->out);
    if (test_clock && pipe(clock_pipe) < 0)
        clock_pipe[0] = clock_pipe[1] = -1;
    if ((pid = fork()) < 0) {
        say(d, "%s: cannot start it: %s", j->name, strerror(errno));
        j->retry_at = gl_clock_now(d->cli->clock) + retry_delay(j->failures++);
        if (clock_pipe[0] >= 0) {
            close(clock_pipe[0]);
            close(clock_pipe[1]);
        }
        return;
    }
    if (pid == 0) {
        int rc;
        int64_t end;
        /* The job finishes even when the agent is told to stop; the parent waits for it. */
        signal(SIGTERM, SIG_IGN);
        signal(SIGINT, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        close(signal_pipe[0]);
        close(signal_pipe[1]);
        if (clock_pipe[0] >= 0)
            close(clock_pipe[0]);
        rc = job_in_child(d, j, now);
        end = gl_clock_now_ms(d->cli->clock);
        if (clock_pipe[1] >= 0 && write(clock_pipe[1], &end, sizeof(end)) < 0) {
            /* The parent keeps its own time. */
        }
        _exit(rc < 0 ? 1 : 0);
    }
    if (clock_pipe[1] >= 0)
        close(clock_pipe[1]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (clock_pipe[0] >= 0) {
        int64_t end = 0, ahead;
        if (read(clock_pipe[0], &end, sizeof(end)) == (ssize_t)sizeof(end) &&
            (ahead = end - gl_clock_now_ms(d->cli->clock)) > 0)
            gl_clock_sleep_ms(d->cli->clock, ahead);
        close(clock_pipe[0]);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        j->last = now;
        j->retry_at = 0;
        j->failures = 0;
    } else {
        if (WIFSIGNALED(status))
            say(d, "%s died (signal %d); trying again in %d minutes", j->name, WTERMSIG(status),
                (int)(retry_delay(j->failures) / 60));
        j->retry_at = gl_clock_now(d->cli->clock) + retry_delay(j->failures++);
    }
}

static void reload(daemon_state *d)
{
    gl_config *fresh = NULL;
    char *path = NULL;
    bool named = false;
    int rc;

    if ((rc = gl_config_path(&path, &named, d->cli->config_override)) == GL_OK)
        rc = gl_config_load(&fresh, path, named ? GL_CONFIG_MUST_EXIST : 0);
    if (rc < 0) {
        say(d, "the config does not load (%s); keeping the previous one", gl_error_last());
        gl_error_clear();
    } else {
        gl_config_free(d->cli->cfg);
        d->cli->cfg = fresh;
        if (load_schedule(d) < 0) {
            say(d, "the new config's schedule is wrong (%s)", gl_error_last());
            gl_error_clear();
        } else {
            say(d, "reloaded %s", path);
        }
    }
    free(path);
}

/*
 * Give back the pages of the program and its libraries that starting up and
 * the last job touched: an agent that sleeps most of the day should not hold
 * them.  Read-only file mappings that were never written to (no anonymous,
 * copied-on-write page in them: code and constants, not relocated data) are
 * dropped from this process; they are clean copies of files, faulted back in
 * from the page cache when next needed.  Linux only; elsewhere nothing happens.
 */
static void release_pages(void)
{
#ifdef MADV_DONTNEED
    FILE *f = fopen("/proc/self/smaps", "re");
    char line[512];
    unsigned long lo = 0, hi = 0;
    bool candidate = false;

    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        unsigned long a, b, anon;
        char *end = NULL;
        a = strtoul(line, &end, 16);
        if (end && *end == '-' && end > line) {
            char perms[5] = "";
            b = strtoul(end + 1, &end, 16);
            if (!end || *end != ' ')
                continue;
            memcpy(perms, end + 1, 4);
            lo = a;
            hi = b;
            /* A file, not writable: the code and constants of a binary or library. */
            candidate = strchr(line, '/') && perms[1] == '-' && hi > lo;
            continue;
        }
        /* "Anonymous:" follows the mapping's line: copied pages there must stay. */
        if (candidate && strncmp(line, "Anonymous:", 10) == 0) {
            anon = strtoul(line + 10, NULL, 10);
            if (anon == 0)
                madvise((void *)lo, hi - lo, MADV_DONTNEED);
            candidate = false;
        }
    }
    fclose(f);
#endif
}

static int install_signals(void)
{
    struct sigaction sa;

    if (pipe(signal_pipe) < 0)
        return gl_error_set(GL_EIO, "cannot make a pipe: %s", strerror(errno));
    for (int i = 0; i < 2; i++) {
        fcntl(signal_pipe[i], F_SETFL, O_NONBLOCK);
        fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return GL_OK;
}

static void drain_pipe(void)
{
    char buf[64];
    while (read(signal_pipe[0], buf, sizeof(buf)) > 0)
        ;
}

int gl_daemon_run(gl_cli *cli, const gl_daemon_options *opts)
{
    daemon_state d = {.cli = cli};
    char *db = NULL, *lock_path = NULL;
    int lock = -1, rc;

    stop_requested = reload_requested = 0;
    if ((rc = gl_cli_db_path(cli, &db)) < 0)
        return rc;
    if (!(lock_path = gl_strdupf("%s.daemon.lock", db))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    d.db = db;
    {
        /* The lock lives beside the store, whose directory may not exist yet. */
        char *dir = gl_fs_dirname(db);
        rc = dir ? gl_fs_mkdirs(dir, 0700) : gl_error_set(GL_ENOMEM, "out of memory");
        free(dir);
        if (rc < 0)
            goto done;
    }
    if ((rc = gl_fs_lock(lock_path, "another gleaner daemon", &lock)) < 0 ||
        (rc = load_schedule(&d)) < 0 || (rc = install_signals()) < 0)
        goto done;
    say(&d, "started (store %s, pid %d)", db, (int)getpid());
    bool touched = true; /* starting up touched pages worth giving back */
    while (!stop_requested) {
        int64_t now = gl_clock_now(cli->clock), wake = INT64_MAX;

        if (reload_requested) {
            reload_requested = 0;
            reload(&d);
        }
        if (opts->until && now >= opts->until)
            break;
        for (size_t i = 0; i < d.njobs && !stop_requested; i++) {
            if (!due(&d, &d.jobs[i], now))
                continue;
            d.slot = d.jobs[i].kind == EVERY ? 0 : last_slot(&d, &d.jobs[i], now);
            run_job(&d, &d.jobs[i], now);
            touched = true;
            /* What a job queued goes out now, not a minute later. */
            if (strcmp(d.jobs[i].name, "outbox") != 0 && strcmp(d.jobs[i].name, "collect") != 0 &&
                strcmp(d.jobs[i].name, "sync") != 0)
                run_job(&d, &d.jobs[d.njobs - 1], now);
        }
        if (opts->once || stop_requested)
            break;
        now = gl_clock_now(cli->clock);
        for (size_t i = 0; i < d.njobs; i++) {
            int64_t t = next_due(&d, &d.jobs[i], now);
            if (t < wake)
                wake = t;
        }
        if (opts->until && wake > opts->until)
            wake = opts->until;
        if (wake <= now)
            continue;
        if (touched) {
            release_pages();
            touched = false;
        }
        {
            int64_t wait_s = wake - now > MAX_SLEEP_S ? MAX_SLEEP_S : wake - now;
            if (gl_clock_wait_ms(cli->clock, wait_s * 1000, signal_pipe[0]) > 0)
                drain_pipe();
        }
    }
    say(&d, "%s", stop_requested ? "stopping (signal)" : "done");

done:
    if (signal_pipe[0] >= 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        close(signal_pipe[0]);
        close(signal_pipe[1]);
        signal_pipe[0] = signal_pipe[1] = -1;
    }
    gl_fs_unlock(lock);
    free(lock_path);
    free(db);
    return rc;
}
