/*
 * gaps.c - expected against tracked, per day.
 */
#include "gaps.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/catalog.h"
#include "agent/timeline.h"
#include "agent/workday.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/str.h"
#include "util/tz.h"

#define MAX_SPANS 256

static int by_start(const void *pa, const void *pb)
{
    const gl_gap_span *a = pa, *b = pb;
    return a->start < b->start ? -1 : a->start > b->start;
}

void gl_gaps_subtract(gl_gap_span span, const gl_gap_span *cover, size_t ncover, int64_t min_len,
                      gl_gap_span *out, size_t *n, size_t max)
{
    gl_gap_span stack[MAX_SPANS], *sorted = stack;
    size_t m = 0;
    int64_t at = span.start;

    /* Every interval counts: beyond what the stack holds, a copy on the heap. */
    if (ncover > MAX_SPANS && !(sorted = malloc(ncover * sizeof(*sorted)))) {
        sorted = stack;
        ncover = MAX_SPANS;
    }
    /* Empty intervals cover nothing (and must not split what is left). */
    for (size_t i = 0; i < ncover; i++)
        if (cover[i].end > cover[i].start)
            sorted[m++] = cover[i];
    if (m > 1)
        qsort(sorted, m, sizeof(*sorted), by_start);
    for (size_t i = 0; i < m && at < span.end; i++) {
        if (sorted[i].end <= at || sorted[i].start >= span.end)
            continue;
        if (sorted[i].start > at && sorted[i].start - at >= min_len && *n < max)
            out[(*n)++] = (gl_gap_span){at, sorted[i].start};
        if (sorted[i].end > at)
            at = sorted[i].end;
    }
    if (span.end > at && span.end - at >= min_len && *n < max)
        out[(*n)++] = (gl_gap_span){at, span.end};
    if (sorted != stack)
        free(sorted);
}

struct gl_time_off {
    regex_t away;
    bool have_away;
    char holiday_sources[64][180]; /* "calendar:NAME" of calendars with holidays = true */
    size_t nholiday;
};

int gl_time_off_new(gl_time_off **out, gl_cli *cli)
{
    const gl_config *cfg;
    const char *const *calendars, *pattern;
    gl_time_off *t;
    size_t ncal;
    int rc;

    *out = NULL;
    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    if (!(t = calloc(1, sizeof(*t))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    pattern = gl_config_get(cfg, "gaps.out-of-office");
    /* The loader compiled it already; this cannot fail on a loaded config. */
    if (pattern && regcomp(&t->away, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0)
        t->have_away = true;
    ncal = gl_config_sections(cfg, "calendar", &calendars);
    for (size_t i = 0; i < ncal && t->nholiday < 64; i++) {
        char key[200];
        bool on = false;
        snprintf(key, sizeof(key), "calendar.%s.holidays", calendars[i]);
        if (gl_config_get_bool(cfg, key, &on) == GL_OK && on)
            snprintf(t->holiday_sources[t->nholiday++], sizeof(t->holiday_sources[0]),
                     "calendar:%s", calendars[i]);
    }
    gl_error_clear();
    *out = t;
    return GL_OK;
}

void gl_time_off_free(gl_time_off *t)
{
    if (!t)
        return;
    if (t->have_away)
        regfree(&t->away);
    free(t);
}

static bool all_day(const gl_activity *a)
{
    json_object *d = NULL;
    bool yes = false;

    if (a->details && gl_json_parse(&d, a->details, strlen(a->details), "details") == GL_OK)
        gl_json_bool(d, "all_day", &yes);
    gl_error_clear();
    json_object_put(d);
    return yes;
}

static bool dismissed(const gl_activity *a)
{
    /* Declined or cancelled time off is not time off. */
    return a->why && (strcmp(a->why, "declined") == 0 || strcmp(a->why, "cancelled") == 0);
}

bool gl_time_off_is(const gl_time_off *t, const gl_activity *a)
{
    bool holiday = false;

    if (dismissed(a) || strcmp(a->kind, "commit") == 0)
        return false;
    for (size_t i = 0; i < t->nholiday && !holiday; i++)
        holiday = strcmp(a->source, t->holiday_sources[i]) == 0;
    return holiday || strcmp(a->kind, "out-of-office") == 0 ||
           (strcmp(a->kind, "meeting") == 0 && all_day(a) && t->have_away &&
            regexec(&t->away, a->title ? a->title : "", 0, NULL, 0) == 0);
}

/* A growing list of spans: a day has as many as it has (a script's 500 commits, say). */
typedef struct span_list {
    gl_gap_span *v;
    size_t n, cap;
} span_list;

static int span_add(span_list *l, gl_gap_span s)
{
    int rc = gl_grow(&l->v, &l->cap, l->n + 1, sizeof(*l->v));

    if (rc == GL_OK)
        l->v[l->n++] = s;
    return rc;
}

/* What a day's activities say: counted events for the timeline, and time off. */
typedef struct day_facts {
    gl_tl_event *events;
    size_t nevents, capevents;
    span_list off;
    const gl_time_off *time_off;
    char **repos; /* the sources of the day's commits: a session never mixes two */
    size_t nrepos, caprepos;
} day_facts;

static void day_facts_reset(day_facts *f)
{
    for (size_t i = 0; i < f->nrepos; i++)
        free(f->repos[i]);
    f->nrepos = f->nevents = f->off.n = 0;
}

static void day_facts_free(day_facts *f)
{
    if (!f)
        return;
    day_facts_reset(f);
    free(f->repos);
    free(f->events);
    free(f->off.v);
    free(f);
}

static int repo_group(day_facts *f, const char *source, int *group)
{
    size_t g = 0;

    while (g < f->nrepos && strcmp(f->repos[g], source) != 0)
        g++;
    if (g == f->nrepos) {
        int rc = gl_grow(&f->repos, &f->caprepos, f->nrepos + 1, sizeof(*f->repos));
        if (rc < 0)
            return rc;
        if (!(f->repos[f->nrepos] = gl_strdup(source)))
            return gl_error_set(GL_ENOMEM, "out of memory");
        f->nrepos++;
    }
    *group = (int)g;
    return GL_OK;
}

static int read_fact(void *payload, const gl_activity *a)
{
    day_facts *f = payload;
    gl_tl_event e = {0};
    int rc;

    if (gl_time_off_is(f->time_off, a))
        return span_add(&f->off, (gl_gap_span){a->start, a->end});
    if (!a->counted)
        return 0;
    if (strcmp(a->kind, "meeting") == 0) {
        e = (gl_tl_event){GL_TL_MEETING, a->start, a->end, 0, 0};
    } else if (strcmp(a->kind, "commit") == 0) {
        int g = 0;
        if ((rc = repo_group(f, a->source, &g)) < 0)
            return rc;
        e = (gl_tl_event){GL_TL_COMMIT, a->start, a->start, g, 0};
    } else {
        return 0;
    }
    if ((rc = gl_grow(&f->events, &f->capevents, f->nevents + 1, sizeof(*f->events))) < 0)
        return rc;
    f->events[f->nevents++] = e;
    return 0;
}

/* Seconds of [a, b) that the spans cover (they may overlap). */
static int covered_seconds(int64_t a, int64_t b, const gl_gap_span *spans, size_t n,
                           int64_t *covered)
{
    gl_gap_span *left;
    size_t nleft = 0;
    int64_t total = b - a;

    *covered = 0;
    if (b <= a)
        return GL_OK;
    /* n spans leave at most n + 1 pieces uncovered. */
    if (!(left = malloc((n + 1) * sizeof(*left))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    gl_gaps_subtract((gl_gap_span){a, b}, spans, n, 1, left, &nleft, n + 1);
    for (size_t i = 0; i < nleft; i++)
        total -= left[i].end - left[i].start;
    free(left);
    *covered = total;
    return GL_OK;
}

/* An entry's span when it has start and end times ("9:00am", "13:30"). */
static bool entry_span(json_object *e, const char *tz, const char *day, gl_gap_span *out)
{
    const char *st = gl_json_str(e, "started_time"), *en = gl_json_str(e, "ended_time");
    int times[2];
    const char *texts[2] = {st, en};
    int y, m, d;

    if (!st || !en || gl_date_parse(day, &y, &m, &d) < 0)
        return false;
    for (int i = 0; i < 2; i++) {
        const char *p = texts[i];
        int h = 0, min = 0, digits = 0;
        /* "9:00am", "12:30pm" (12-hour accounts) or "13:30" (24-hour ones). */
        for (; *p >= '0' && *p <= '9' && digits < 2; p++, digits++)
            h = h * 10 + (*p - '0');
        if (!digits || *p++ != ':' || !(p[0] >= '0' && p[0] <= '5') ||
            !(p[1] >= '0' && p[1] <= '9'))
            return false;
        min = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
        if ((*p == 'p' || *p == 'P') && h < 12)
            h += 12;
        if ((*p == 'a' || *p == 'A') && h == 12)
            h = 0;
        if (h > 23)
            return false;
        times[i] = h * 60 + min;
    }
    return gl_tz_from_local(&out->start, tz, y, m, d, times[0] / 60, times[0] % 60, 0) == GL_OK &&
           gl_tz_from_local(&out->end, tz, y, m, d, times[1] / 60, times[1] % 60, 0) == GL_OK &&
           out->end > out->start;
}

static int gap_day(gl_store *store, const gl_workweek *wk, const gl_catalog *cat, day_facts *f,
                   const char *day, double per_day, gl_gap_day *out)
{
    gl_workday wd;
    gl_timeline tl = {0};
    gl_proposal_list props = {0};
    json_object *entries = NULL;
    span_list cover = {0};
    gl_gap_span *left = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    day_facts_reset(f);
    if ((rc = gl_workweek_day(wk, day, &wd)) < 0)
        return rc;
    snprintf(out->day, sizeof(out->day), "%s", wd.day);
    out->workday = wd.workday;
    if ((rc = gl_store_activities(store, wd.start, wd.end, NULL, read_fact, f)) < 0 ||
        (rc = gl_store_mirror_entries(store, gl_catalog_me(cat), wd.day, wd.day, &entries)) < 0 ||
        (rc = gl_store_proposals(store, wd.day, wd.day, NULL, &props)) < 0)
        goto done;

    if (wd.workday) {
        int64_t work = wd.work_end - wd.work_start, off = 0;
        if ((rc = covered_seconds(wd.work_start, wd.work_end, f->off.v, f->off.n, &off)) < 0)
            goto done;
        out->off = work > 0 ? per_day * (double)off / (double)work : 0;
        out->expected = per_day - out->off;
        if (out->expected < 0)
            out->expected = 0;
    }
    for (size_t i = 0; i < json_object_array_length(entries); i++) {
        json_object *e = json_object_array_get_idx(entries, i);
        double h = 0;
        gl_gap_span s;
        if (gl_json_double(e, "hours", &h))
            out->tracked += h;
        if (entry_span(e, wk->tz, wd.day, &s) && (rc = span_add(&cover, s)) < 0)
            goto done;
    }
    for (size_t i = 0; i < props.n; i++) {
        const gl_proposal *p = &props.v[i];
        if (strcmp(p->status, "accepted") == 0)
            out->accepted += p->hours;
        else if (strcmp(p->status, "proposed") == 0)
            out->proposed += p->hours;
    }
    out->gap = out->expected - out->tracked - out->accepted;
    if (out->gap < 0.005)
        out->gap = 0;

    /* Uncovered stretches of the work hours. */
    if (wd.workday) {
        gl_tl_options to = {.day_start = wd.start,
                            .day_end = wd.end,
                            .work_start = wd.work_start,
                            .work_end = wd.work_end,
                            .max_gap = wk->max_gap,
                            .switch_gap = wk->switch_gap,
                            .lead_in = wk->lead_in,
                            .lead_out = wk->lead_out,
                            .lunch_start = wd.lunch_start,
                            .lunch_end = wd.lunch_end,
                            .lunch_gap = wk->lunch_gap};
        size_t nleft = 0;
        if ((rc = gl_timeline_build(f->events, f->nevents, &to, &tl)) < 0)
            goto done;
        for (size_t i = 0; i < tl.n && rc == GL_OK; i++)
            rc = span_add(&cover, (gl_gap_span){tl.pieces[i].start, tl.pieces[i].end});
        for (size_t i = 0; i < f->off.n && rc == GL_OK; i++)
            rc = span_add(&cover, f->off.v[i]);
        if (rc < 0)
            goto done;
        if (!(left = malloc((cover.n + 1) * sizeof(*left)))) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
            goto done;
        }
        gl_gaps_subtract((gl_gap_span){wd.work_start, wd.work_end}, cover.v, cover.n,
                         GL_GAPS_MIN_STRETCH, left, &nleft, cover.n + 1);
        if (nleft) { /* a day off has nothing uncovered */
            out->uncovered = left;
            left = NULL;
        }
        out->nuncovered = nleft;
    }

done:
    free(left);
    free(cover.v);
    gl_timeline_clear(&tl);
    gl_proposal_list_clear(&props);
    json_object_put(entries);
    return rc;
}

int gl_gaps_compute(gl_cli *cli, gl_store *store, const gl_window *w, gl_gaps *out)
{
    const gl_config *cfg;
    gl_workweek wk;
    gl_catalog *cat = NULL;
    day_facts *f = NULL;
    gl_time_off *off = NULL;
    size_t nworkdays = 0;
    char day[GL_DAY_LEN];
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = gl_cli_config(cli, &cfg)) < 0 || (rc = gl_workweek_load(cli, &wk)) < 0 ||
        (rc = gl_catalog_load(&cat, store)) < 0)
        goto done;
    gl_workweek_use_sessions(&wk, cli, store); /* the sessions the proposals were made of */
    if (!(f = calloc(1, sizeof(*f))) ||
        !(out->days = calloc((size_t)w->days, sizeof(*out->days)))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    if (gl_config_get_number(cfg, "user.weekly-hours", &out->weekly_hours) == GL_OK &&
        gl_config_is_set(cfg, "user.weekly-hours")) {
        out->capacity_from = "config";
    } else if (gl_catalog_weekly_capacity(cat, &out->weekly_hours)) {
        out->capacity_from = "harvest";
    } else {
        out->weekly_hours = 40;
        out->capacity_from = "default";
    }
    gl_error_clear();
    for (int d = 0; d < 7; d++)
        nworkdays += (wk.workdays >> d) & 1;
    if ((rc = gl_time_off_new(&off, cli)) < 0)
        goto done;
    f->time_off = off;

    snprintf(day, sizeof(day), "%s", w->from);
    for (int i = 0; i < w->days; i++) {
        gl_gap_day *gd = &out->days[i];
        if ((rc = gap_day(store, &wk, cat, f, day,
                          nworkdays ? out->weekly_hours / (double)nworkdays : 0, gd)) < 0)
            goto done;
        out->n++;
        out->expected += gd->expected;
        out->tracked += gd->tracked;
        out->accepted += gd->accepted;
        out->proposed += gd->proposed;
        out->gap += gd->gap;
        gl_workweek_next_day(day, day);
    }

done:
    gl_time_off_free(off);
    day_facts_free(f);
    gl_catalog_free(cat);
    if (rc < 0)
        gl_gaps_clear(out);
    return rc;
}

void gl_gaps_clear(gl_gaps *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->days[i].uncovered);
    free(g->days);
    memset(g, 0, sizeof(*g));
}

static json_object *hours_json(double h)
{
    return gl_json_number(h, 2);
}

json_object *gl_gaps_json(const gl_gaps *g, const gl_window *w, const char *tz)
{
    json_object *doc = json_object_new_object(), *days = json_object_new_array();
    char t[GL_TIME_UTC_LEN];

    json_object_object_add(doc, "from", json_object_new_string(w->from));
    json_object_object_add(doc, "to", json_object_new_string(w->to));
    json_object_object_add(doc, "timezone", json_object_new_string(tz));
    json_object_object_add(doc, "weekly_hours", hours_json(g->weekly_hours));
    json_object_object_add(doc, "weekly_hours_from", json_object_new_string(g->capacity_from));
    for (size_t i = 0; i < g->n; i++) {
        const gl_gap_day *d = &g->days[i];
        json_object *o = json_object_new_object(), *un = json_object_new_array();
        json_object_object_add(o, "date", json_object_new_string(d->day));
        json_object_object_add(o, "workday", json_object_new_boolean(d->workday));
        json_object_object_add(o, "expected_hours", hours_json(d->expected));
        json_object_object_add(o, "out_of_office_hours", hours_json(d->off));
        json_object_object_add(o, "tracked_hours", hours_json(d->tracked));
        json_object_object_add(o, "accepted_hours", hours_json(d->accepted));
        json_object_object_add(o, "proposed_hours", hours_json(d->proposed));
        json_object_object_add(o, "gap_hours", hours_json(d->gap));
        for (size_t k = 0; k < d->nuncovered; k++) {
            json_object *s = json_object_new_object();
            gl_time_format_utc(t, d->uncovered[k].start);
            json_object_object_add(s, "start", json_object_new_string(t));
            gl_time_format_utc(t, d->uncovered[k].end);
            json_object_object_add(s, "end", json_object_new_string(t));
            json_object_array_add(un, s);
        }
        json_object_object_add(o, "uncovered", un);
        json_object_array_add(days, o);
    }
    json_object_object_add(doc, "days", days);
    json_object_object_add(doc, "expected_hours", hours_json(g->expected));
    json_object_object_add(doc, "tracked_hours", hours_json(g->tracked));
    json_object_object_add(doc, "accepted_hours", hours_json(g->accepted));
    json_object_object_add(doc, "proposed_hours", hours_json(g->proposed));
    json_object_object_add(doc, "gap_hours", hours_json(g->gap));
    return doc;
}
