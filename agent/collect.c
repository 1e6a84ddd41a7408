/*
 * collect.c - calendars and Git repositories into the store's activities.
 */
#include "collect.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "agent/signin.h"
#include "connectors/gcal.h"
#include "connectors/git.h"
#include "connectors/ical.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

const char *gl_collect_meeting_why(const gl_meeting *m, bool include_all_day)
{
    if (m->cancelled)
        return "cancelled";
    if (m->partstat == GL_PARTSTAT_DECLINED)
        return "declined";
    if (m->type == GL_MEETING_OUT_OF_OFFICE)
        return "out of office";
    if (m->type == GL_MEETING_FOCUS_TIME)
        return "focus time";
    if (m->transparent)
        return "free";
    if (m->all_day && !include_all_day)
        return "all-day";
    return NULL;
}

/*
 * One activity a reader reported, held until the whole source is read: a
 * Google sync waits on the network and a first Git scan reads for seconds,
 * and the store's write lock is not held meanwhile (a daemon and a command
 * share it).  The strings are copies; kind and why are literals.
 */
typedef struct seen_item {
    bool verdict_only; /* a cancellation without times: only whether it counts */
    const char *kind, *why;
    char *key, *title, *details;
    int64_t start, end;
    bool counted;
} seen_item;

/* What one run of one source needs while its reader calls back. */
typedef struct source_run {
    gl_store *store;
    gl_collect_source *report;
    const char *source;
    int64_t run;
    bool include_all_day;
    int64_t from, to; /* the window; occurrences outside it are not stored */
    bool progress;
    FILE *err;
    seen_item *seen; /* what the reader reported, in order */
    size_t nseen, capseen;
} source_run;

static int hold(source_run *sr, const gl_activity *a, bool verdict_only)
{
    seen_item *it;
    int rc;

    if ((rc = gl_grow(&sr->seen, &sr->capseen, sr->nseen + 1, sizeof(*sr->seen))) < 0)
        return rc;
    it = &sr->seen[sr->nseen];
    *it = (seen_item){.verdict_only = verdict_only,
                      .kind = a->kind,
                      .why = a->why,
                      .key = gl_strdup(a->key),
                      .title = a->title ? gl_strdup(a->title) : NULL,
                      .details = a->details ? gl_strdup(a->details) : NULL,
                      .start = a->start,
                      .end = a->end,
                      .counted = a->counted};
    if (!it->key || (a->title && !it->title) || (a->details && !it->details)) {
        free(it->key);
        free(it->title);
        free(it->details);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    sr->nseen++;
    return GL_OK;
}

static void seen_clear(source_run *sr)
{
    for (size_t i = 0; i < sr->nseen; i++) {
        free(sr->seen[i].key);
        free(sr->seen[i].title);
        free(sr->seen[i].details);
    }
    free(sr->seen);
    sr->seen = NULL;
    sr->nseen = sr->capseen = 0;
}

static void count_change(source_run *sr, int change)
{
    if (change == GL_ACTIVITY_ADDED)
        sr->report->added++;
    else if (change == GL_ACTIVITY_CHANGED)
        sr->report->changed++;
}

/* Write what the reader reported; inside the caller's transaction. */
static int write_seen(source_run *sr)
{
    for (size_t i = 0; i < sr->nseen; i++) {
        const seen_item *it = &sr->seen[i];
        int change = GL_ACTIVITY_SAME, rc;
        if (it->verdict_only) {
            rc = gl_store_activity_set_verdict(sr->store, sr->source, it->key, it->counted, it->why,
                                               sr->run, &change);
            if (rc == GL_ENOTFOUND) { /* never seen with its times: nothing to mark */
                gl_error_clear();
                continue;
            }
        } else {
            gl_activity a = {.source = sr->source,
                             .kind = it->kind,
                             .key = it->key,
                             .start = it->start,
                             .end = it->end,
                             .title = it->title,
                             .counted = it->counted,
                             .why = it->why,
                             .details = it->details};
            rc = gl_store_activity_put(sr->store, &a, sr->run, &change);
        }
        if (rc < 0)
            return rc;
        count_change(sr, change);
    }
    return GL_OK;
}

static json_object *meeting_details(const gl_meeting *m)
{
    json_object *d = json_object_new_object(), *domains = json_object_new_array();
    const char *ps = gl_partstat_name(m->partstat);

    if (m->uid)
        json_object_object_add(d, "uid", json_object_new_string(m->uid));
    if (m->organizer)
        json_object_object_add(d, "organizer", json_object_new_string(m->organizer));
    if (m->user_is_organizer)
        json_object_object_add(d, "organizer_is_me", json_object_new_boolean(1));
    if (ps)
        json_object_object_add(d, "partstat", json_object_new_string(ps));
    json_object_object_add(d, "attendees", json_object_new_int64((int64_t)m->n_attendees));
    for (size_t i = 0; i < m->n_attendee_domains; i++)
        json_object_array_add(domains, json_object_new_string(m->attendee_domains[i]));
    json_object_object_add(d, "attendee_domains", domains);
    if (m->n_attendee_emails && m->n_attendee_emails <= GL_COLLECT_PEOPLE_MAX) {
        /* Who was there tells one project of a client from another; a crowd tells nothing. */
        json_object *people = json_object_new_array();
        for (size_t i = 0; i < m->n_attendee_emails; i++)
            json_object_array_add(people, json_object_new_string(m->attendee_emails[i]));
        json_object_object_add(d, "attendee_emails", people);
    }
    if (m->all_day)
        json_object_object_add(d, "all_day", json_object_new_boolean(1));
    if (m->recurring)
        json_object_object_add(d, "recurring", json_object_new_boolean(1));
    if (m->tentative)
        json_object_object_add(d, "tentative", json_object_new_boolean(1));
    return d;
}

static int store_meeting(void *payload, const gl_meeting *m)
{
    source_run *sr = payload;
    const char *why = gl_collect_meeting_why(m, sr->include_all_day);
    int rc;

    sr->report->read++;
    if (why)
        sr->report->not_counted++;
    /*
     * Google sends a deleted event as its id and status, perhaps with its
     * original start: mark what is known; store it only when it has times.
     */
    if (m->cancelled && (m->end <= m->start || !m->uid || !*m->uid))
        return hold(sr, &(gl_activity){.key = m->key, .counted = false, .why = why}, true);
    json_object *details = meeting_details(m);
    gl_activity a = {
        .source = sr->source,
        .kind = m->type == GL_MEETING_OUT_OF_OFFICE ? "out-of-office" : "meeting",
        .key = m->key,
        .start = m->start,
        .end = m->end < m->start ? m->start : m->end,
        .title = m->title ? m->title : "",
        .counted = why == NULL,
        .why = why,
        .details = gl_json_compact(details),
    };
    rc = hold(sr, &a, false);
    json_object_put(details);
    return rc;
}

static void add_source(gl_collect_report *r, gl_collect_source *s)
{
    r->sources[r->n++] = *s;
    if (s->status < 0)
        r->failed++;
}

static void source_failed(gl_collect_source *s, int rc)
{
    s->status = rc;
    snprintf(s->message, sizeof(s->message), "%s", gl_error_last());
}

static void source_warn(gl_collect_source *s, const char *fmt, ...) GL_PRINTF(2, 3);
static void source_warn(gl_collect_source *s, const char *fmt, ...)
{
    va_list ap;
    size_t used = strlen(s->message);

    if (used && used + 2 < sizeof(s->message)) {
        memcpy(s->message + used, "; ", 3);
        used += 2;
    }
    va_start(ap, fmt);
    vsnprintf(s->message + used, sizeof(s->message) - used, fmt, ap);
    va_end(ap);
    s->warning = true;
}

/* --------------------------------------------------------------- calendars */

typedef struct calendar_ctx {
    const char *timezone;
    const char *const *identities;
    size_t n_identities;
} calendar_ctx;

static bool is_feed(const char *ics)
{
    return strncmp(ics, "https://", 8) == 0 || strncmp(ics, "http://", 7) == 0;
}

static void format_local(char *out, size_t len, const char *tz, int64_t utc)
{
    gl_local_time lt;

    if (gl_tz_to_local(&lt, tz, utc) < 0) {
        snprintf(out, len, "an earlier run");
        return;
    }
    snprintf(out, len, "%04d-%02d-%02d %02d:%02d", lt.year, lt.month, lt.day, lt.hour, lt.minute);
}

/*
 * The feed's text: fetched now, or the last good copy when the feed did not
 * change (304) or failed.  The new copy and its validators are saved by the
 * caller's transaction only once the text has been read.
 */
static int feed_text(source_run *sr, const char *url, const char *tz, gl_ical_feed *feed,
                     char **cached, bool *fresh)
{
    char *etag = NULL, *modified = NULL, *fetched = NULL;
    int rc;

    *fresh = false;
    if (gl_store_state_get(sr->store, sr->source, "body", cached) != GL_OK)
        *cached = NULL;
    if (*cached) {
        gl_store_state_get(sr->store, sr->source, "etag", &etag);
        gl_store_state_get(sr->store, sr->source, "last-modified", &modified);
    }
    rc = gl_ical_fetch(url, etag, modified, NULL, feed);
    free(etag);
    free(modified);
    if (rc == GL_OK && !feed->not_modified) {
        *fresh = true;
        return GL_OK;
    }
    if (rc == GL_OK)
        return *cached ? GL_OK
                       : gl_error_set(GL_EBADDATA,
                                      "%s: the feed said nothing changed, "
                                      "but gleaner has no copy of it",
                                      sr->source);
    if (!*cached)
        return rc;
    /* Keep the last good copy, and say so. */
    char when[32] = "an earlier run";
    int64_t at;
    if (gl_store_state_get(sr->store, sr->source, "fetched", &fetched) == GL_OK &&
        gl_parse_int64(&at, fetched) == GL_OK)
        format_local(when, sizeof(when), tz, at);
    free(fetched);
    source_warn(sr->report, "the feed failed (%s); using the copy fetched %s", gl_error_last(),
                when);
    return GL_OK;
}

static int save_feed(source_run *sr, const gl_ical_feed *feed, const char *cached, int64_t now)
{
    char at[32];
    int rc;

    snprintf(at, sizeof(at), "%lld", (long long)now);
    /* A feed without ETag answers in full each time: the copy is rewritten only when it changed. */
    if (!(cached && strlen(cached) == feed->body_len &&
          memcmp(cached, feed->body, feed->body_len) == 0) &&
        (rc = gl_store_state_set(sr->store, sr->source, "body", feed->body)) < 0)
        return rc;
    if ((rc = gl_store_state_set(sr->store, sr->source, "etag", feed->etag ? feed->etag : "")) <
            0 ||
        (rc = gl_store_state_set(sr->store, sr->source, "last-modified",
                                 feed->last_modified ? feed->last_modified : "")) < 0 ||
        (rc = gl_store_state_set(sr->store, sr->source, "fetched", at)) < 0)
        return rc;
    return GL_OK;
}

static int collect_ics(source_run *sr, gl_cli *cli, const calendar_ctx *cc, const char *ics)
{
    gl_ical_options io = {
        .timezone = cc->timezone,
        .identities = cc->identities,
        .n_identities = cc->n_identities,
        .from = sr->from,
        .to = sr->to,
    };
    gl_ical_stats stats = {0};
    gl_ical_feed feed = {0};
    char *cached = NULL;
    bool fresh = false;
    int64_t removed = 0;
    int rc;

    if (is_feed(ics) && (rc = feed_text(sr, ics, cc->timezone, &feed, &cached, &fresh)) < 0)
        goto done;
    if (!is_feed(ics))
        rc = gl_ical_read_file(ics, &io, store_meeting, sr, &stats);
    else if (fresh)
        rc = gl_ical_parse(feed.body, feed.body_len, sr->source, &io, store_meeting, sr, &stats);
    else
        rc = gl_ical_parse(cached, strlen(cached), sr->source, &io, store_meeting, sr, &stats);
    if (rc < 0 || (rc = gl_store_begin(sr->store)) < 0)
        goto done;
    rc = write_seen(sr);
    /* Parts that could not be read may hold what is still there: remove nothing then. */
    if (rc == GL_OK && !stats.skipped)
        rc = gl_store_activity_sweep(sr->store, sr->source, sr->from, sr->to, sr->run, &removed);
    if (rc == GL_OK && fresh)
        rc = save_feed(sr, &feed, cached, gl_clock_now(cli->clock));
    if (rc == GL_OK)
        rc = gl_store_commit(sr->store);
    if (rc < 0) {
        gl_store_rollback(sr->store);
        goto done;
    }
    sr->report->removed = (size_t)removed;
    if (stats.skipped)
        source_warn(sr->report,
                    "%zu part%s could not be read (%s); nothing was removed from the store",
                    stats.skipped, stats.skipped == 1 ? "" : "s", stats.problem);

done:
    seen_clear(sr);
    free(cached);
    gl_ical_feed_clear(&feed);
    return rc;
}

/* "FROM TO" in UTC seconds, as saved with a sync token. */
static bool parse_window(const char *text, int64_t *from, int64_t *to)
{
    const char *space = strchr(text, ' ');
    char first[32];

    if (!space || (size_t)(space - text) >= sizeof(first))
        return false;
    memcpy(first, text, (size_t)(space - text));
    first[space - text] = '\0';
    return gl_parse_int64(from, first) == GL_OK && gl_parse_int64(to, space + 1) == GL_OK;
}

static int collect_google(source_run *sr, gl_cli *cli, const char *calendar_id)
{
    gl_gcal *g = NULL;
    /*
     * No reset after a 410: the full listing that follows is swept like any
     * other, which removes what went inside the window and keeps the past.
     */
    gl_gcal_sink sink = {.meeting = store_meeting, .payload = sr};
    gl_gcal_result res = {0};
    char *token = NULL, *saved = NULL, window[64];
    int64_t from = sr->from, to = sr->to, wf, wt;
    int rc;

    if ((rc = gl_signin_gcal(cli, &g)) < 0)
        return rc;
    /* A sync token only reports changes inside the window it was made for. */
    if (gl_store_state_get(sr->store, sr->source, "window", &saved) == GL_OK &&
        parse_window(saved, &wf, &wt) && wf <= sr->from && wt >= sr->to &&
        gl_store_state_get(sr->store, sr->source, "sync-token", &token) == GL_OK) {
        if (*token) {
            from = wf;
            to = wt;
        } else {
            free(token);
            token = NULL;
        }
    }
    snprintf(window, sizeof(window), "%lld %lld", (long long)from, (long long)to);
    sr->from = from;
    sr->to = to;
    if ((rc = gl_gcal_sync(g, calendar_id, from, to, token, &sink, &res)) < 0 ||
        (rc = gl_store_begin(sr->store)) < 0)
        goto done;
    rc = write_seen(sr);
    /* What could not be read may still be there: nothing is removed then. */
    if (rc == GL_OK && res.full && !res.skipped) {
        int64_t removed = 0;
        rc = gl_store_activity_sweep(sr->store, sr->source, from, to, sr->run, &removed);
        sr->report->removed += (size_t)removed;
    }
    if (rc == GL_OK)
        rc = gl_store_state_set(sr->store, sr->source, "sync-token",
                                res.sync_token ? res.sync_token : "");
    if (rc == GL_OK)
        rc = gl_store_state_set(sr->store, sr->source, "window", window);
    if (rc == GL_OK)
        rc = gl_store_commit(sr->store);
    if (rc < 0)
        gl_store_rollback(sr->store);
    else if (res.skipped)
        source_warn(sr->report,
                    "%zu event%s could not be read (%s); nothing was removed from the store",
                    res.skipped, res.skipped == 1 ? "" : "s", res.problem);

done:
    seen_clear(sr);
    gl_gcal_result_clear(&res);
    gl_gcal_free(g);
    free(token);
    free(saved);
    return rc;
}

/* -------------------------------------------------------------------- Git */

static void git_progress(void *payload, size_t commits)
{
    source_run *sr = payload;

    if (sr->progress)
        fprintf(sr->err, "\r%s: %zu commits read", sr->source, commits);
}

static int store_commit(void *payload, const gl_commit *c)
{
    source_run *sr = payload;
    json_object *d = json_object_new_object(), *keys = json_object_new_array();
    int rc;

    json_object_object_add(d, "repo", json_object_new_string(sr->source + 4));
    if (c->branch)
        json_object_object_add(d, "branch", json_object_new_string(c->branch));
    for (size_t i = 0; i < c->n_jira_keys; i++)
        json_object_array_add(keys, json_object_new_string(c->jira_keys[i]));
    json_object_object_add(d, "jira_keys", keys);
    json_object_object_add(d, "tz_offset", json_object_new_int(c->tz_offset));
    if (c->author_email)
        json_object_object_add(d, "author", json_object_new_string(c->author_email));
    if (c->parents > 1)
        json_object_object_add(d, "merge", json_object_new_boolean(1));

    gl_activity a = {
        .source = sr->source,
        .kind = "commit",
        .key = c->id,
        .start = c->time,
        .end = c->time,
        .title = c->summary ? c->summary : "",
        .counted = true,
        .details = gl_json_compact(d),
    };
    sr->report->read++;
    rc = hold(sr, &a, false);
    json_object_put(d);
    return rc;
}

/* What the remembered tips were made with: a change means reading everything again. */
static char *git_basis(const char *path, const char *const *identities, size_t n)
{
    json_object *o = json_object_new_object(), *ids = json_object_new_array();
    char *text;

    json_object_object_add(o, "path", json_object_new_string(path));
    for (size_t i = 0; i < n; i++)
        json_object_array_add(ids, json_object_new_string(identities[i]));
    json_object_object_add(o, "identities", ids);
    text = gl_strdup(gl_json_compact(o));
    json_object_put(o);
    return text;
}

static int collect_git(source_run *sr, const char *path, const calendar_ctx *cc)
{
    gl_git_options go = {
        .path = path,
        .identities = cc->identities,
        .n_identities = cc->n_identities,
        .progress = git_progress,
        .progress_payload = sr,
    };
    gl_git_result res = {0};
    char *tips = NULL, *basis = NULL, *old_basis = NULL;
    int rc;

    if (!(basis = git_basis(path, cc->identities, cc->n_identities)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    if (gl_store_state_get(sr->store, sr->source, "basis", &old_basis) == GL_OK &&
        strcmp(old_basis, basis) == 0 &&
        gl_store_state_get(sr->store, sr->source, "tips", &tips) == GL_OK)
        go.tips = tips;
    rc = gl_git_scan(&go, store_commit, sr, &res);
    if (sr->progress && res.commits_read >= 1)
        fprintf(sr->err, "\r\033[K");
    if (rc < 0 || (rc = gl_store_begin(sr->store)) < 0)
        goto done;
    rc = write_seen(sr);
    /*
     * Identities changed (the history is read again): the commits of an
     * address taken out of user.email go.  Commits no branch reaches any
     * more stay: a squash-merged branch, deleted, was still work.
     */
    if (rc == GL_OK && !go.tips) {
        int64_t removed = 0;
        json_object *ids = json_object_new_array();
        for (size_t i = 0; i < cc->n_identities; i++)
            json_object_array_add(ids, json_object_new_string(cc->identities[i]));
        rc = gl_store_activity_keep_authors(sr->store, sr->source, gl_json_compact(ids), &removed);
        json_object_put(ids);
        sr->report->removed = (size_t)removed;
    }
    if (rc == GL_OK && res.tips)
        rc = gl_store_state_set(sr->store, sr->source, "tips", res.tips);
    if (rc == GL_OK)
        rc = gl_store_state_set(sr->store, sr->source, "basis", basis);
    if (rc == GL_OK)
        rc = gl_store_commit(sr->store);
    if (rc < 0) {
        gl_store_rollback(sr->store);
        goto done;
    }
    if (res.warning[0])
        source_warn(sr->report, "%s", res.warning);
    gl_debug("%s: %zu commits read, %zu of them yours", sr->source, res.commits_read,
             res.commits_mine);

done:
    seen_clear(sr);
    gl_git_result_clear(&res);
    free(tips);
    free(basis);
    free(old_basis);
    return rc;
}

/* ---------------------------------------------------------------- driver */

static bool wanted(const gl_collect_options *opts, const char *source)
{
    return !opts->only || strcmp(opts->only, source) == 0;
}

int gl_collect(gl_cli *cli, gl_store *store, const gl_collect_options *opts, gl_collect_report *out)
{
    const gl_config *cfg;
    const char *const *calendars = NULL, *const *repos = NULL, *const *identities = NULL;
    size_t ncal, nrepo, nid, n = 0;
    char *tz = NULL, key[256];
    calendar_ctx cc;
    int64_t run;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = gl_cli_config(cli, &cfg)) < 0 || (rc = gl_cli_timezone(cli, &tz)) < 0)
        return rc;
    ncal = gl_config_sections(cfg, "calendar", &calendars);
    nrepo = gl_config_sections(cfg, "repo", &repos);
    nid = gl_config_get_all(cfg, "user.email", &identities);
    cc = (calendar_ctx){.timezone = tz, .identities = identities, .n_identities = nid};

    if (ncal + nrepo == 0) {
        free(tz);
        return gl_error_set(GL_ECONFIG,
                            "nothing to collect: add a [calendar \"NAME\"] or [repo \"NAME\"] "
                            "section to %s (see gleaner init)",
                            gl_config_file(cfg));
    }
    if (nrepo && nid == 0) {
        free(tz);
        return gl_error_set(GL_ECONFIG,
                            "gleaner cannot tell your commits from others': set user.email "
                            "(gleaner config, or add email = you@example.com under [user])");
    }
    if (!(out->sources = calloc(ncal + nrepo, sizeof(*out->sources)))) {
        free(tz);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    if ((rc = gl_store_activity_run(store, &run)) < 0) {
        free(tz);
        return rc;
    }

    for (size_t i = 0; i < ncal; i++) {
        gl_collect_source s = {0};
        source_run sr = {.store = store,
                         .report = &s,
                         .source = s.name,
                         .run = run,
                         .from = opts->from,
                         .to = opts->to,
                         .err = cli->err};
        const char *ics, *google;
        int64_t t0 = gl_clock_monotonic_ms(cli->clock);

        snprintf(s.name, sizeof(s.name), "calendar:%s", calendars[i]);
        if (!wanted(opts, s.name))
            continue;
        snprintf(key, sizeof(key), "calendar.%s.include-all-day", calendars[i]);
        gl_config_get_bool(cfg, key, &sr.include_all_day);
        snprintf(key, sizeof(key), "calendar.%s.ics", calendars[i]);
        ics = gl_config_get(cfg, key);
        snprintf(key, sizeof(key), "calendar.%s.google", calendars[i]);
        google = gl_config_get(cfg, key);
        if (ics)
            rc = collect_ics(&sr, cli, &cc, ics);
        else if (google)
            rc = collect_google(&sr, cli, google);
        else
            rc = gl_error_set(GL_ECONFIG, "%s has neither ics nor google set", s.name);
        if (rc < 0)
            source_failed(&s, rc);
        s.elapsed_ms = gl_clock_monotonic_ms(cli->clock) - t0;
        add_source(out, &s);
        n++;
    }
    for (size_t i = 0; i < nrepo; i++) {
        gl_collect_source s = {0};
        source_run sr = {.store = store,
                         .report = &s,
                         .source = s.name,
                         .run = run,
                         .from = opts->from,
                         .to = opts->to,
                         .progress = opts->progress,
                         .err = cli->err};
        const char *path;
        int64_t t0 = gl_clock_monotonic_ms(cli->clock);

        snprintf(s.name, sizeof(s.name), "git:%s", repos[i]);
        if (!wanted(opts, s.name))
            continue;
        snprintf(key, sizeof(key), "repo.%s.path", repos[i]);
        if (!(path = gl_config_get(cfg, key)))
            rc = gl_error_set(GL_ECONFIG, "%s has no path", s.name);
        else
            rc = collect_git(&sr, path, &cc);
        if (rc < 0)
            source_failed(&s, rc);
        s.elapsed_ms = gl_clock_monotonic_ms(cli->clock) - t0;
        add_source(out, &s);
        n++;
    }
    free(tz);
    if (n == 0 && opts->only)
        return gl_error_set(GL_EINVAL,
                            "no source named %s (sources are calendar:NAME and "
                            "git:NAME, after your config's sections)",
                            opts->only);
    return GL_OK;
}

void gl_collect_report_clear(gl_collect_report *r)
{
    free(r->sources);
    memset(r, 0, sizeof(*r));
}
