/*
 * timeline.c - a day in which no instant is counted twice.
 */
#include "timeline.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* Disjoint claimed intervals, kept sorted. */
typedef struct claimed {
    int64_t (*v)[2];
    size_t n, cap;
} claimed;

/* Seconds of [a, b) not yet claimed; then claim [a, b). */
static int claim(claimed *c, int64_t a, int64_t b, int64_t *fresh)
{
    int64_t covered = 0;
    size_t i, j;

    *fresh = 0;
    if (b <= a)
        return GL_OK;
    for (i = 0; i < c->n; i++) {
        int64_t lo = c->v[i][0] > a ? c->v[i][0] : a, hi = c->v[i][1] < b ? c->v[i][1] : b;
        if (hi > lo)
            covered += hi - lo;
    }
    *fresh = (b - a) - covered;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        int64_t(*v)[2] = realloc(c->v, cap * sizeof(*v));
        if (!v)
            return gl_error_set(GL_ENOMEM, "out of memory");
        c->v = v;
        c->cap = cap;
    }
    /* Merge [a, b) with every interval it touches. */
    for (i = 0; i < c->n && c->v[i][1] < a; i++)
        ;
    for (j = i; j < c->n && c->v[j][0] <= b; j++) {
        if (c->v[j][0] < a)
            a = c->v[j][0];
        if (c->v[j][1] > b)
            b = c->v[j][1];
    }
    memmove(&c->v[i + 1], &c->v[j], (c->n - j) * sizeof(*c->v));
    c->n = c->n - (j - i) + 1;
    c->v[i][0] = a;
    c->v[i][1] = b;
    return GL_OK;
}

/* Seconds of [a, b) already claimed (by meetings, when sessions are built). */
static int64_t covered_by(const claimed *c, int64_t a, int64_t b)
{
    int64_t covered = 0;

    for (size_t i = 0; i < c->n; i++) {
        int64_t lo = c->v[i][0] > a ? c->v[i][0] : a, hi = c->v[i][1] < b ? c->v[i][1] : b;
        if (hi > lo)
            covered += hi - lo;
    }
    return covered;
}

static int by_time(const void *pa, const void *pb, void *events)
{
    const gl_tl_event *a = &((const gl_tl_event *)events)[*(const size_t *)pa];
    const gl_tl_event *b = &((const gl_tl_event *)events)[*(const size_t *)pb];

    if (a->group != b->group && a->kind == GL_TL_COMMIT && b->kind == GL_TL_COMMIT)
        return a->group < b->group ? -1 : 1;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

static int by_piece_start(const void *pa, const void *pb)
{
    const gl_tl_piece *a = pa, *b = pb;

    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind == GL_TL_MEETING ? -1 : 1;
    return a->end < b->end ? -1 : a->end > b->end;
}

static int add_piece(gl_timeline *t, size_t *cap, const gl_tl_piece *p)
{
    if (t->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        gl_tl_piece *v = realloc(t->pieces, ncap * sizeof(*v));
        if (!v)
            return gl_error_set(GL_ENOMEM, "out of memory");
        t->pieces = v;
        *cap = ncap;
    }
    t->pieces[t->n++] = *p;
    return GL_OK;
}

/*
 * The end of the latest event that ended at or before `t` (any kind, any
 * group) - but not a commit at that very instant: two commits made in the
 * same second (a submodule and its parent, a script) are not one after the
 * other, and neither takes the time that led up to both.
 */
static int64_t previous_end(const gl_tl_event *ev, const size_t *idx, size_t n, size_t self,
                            int64_t floor)
{
    int64_t best = floor, t = ev[self].start;

    for (size_t i = 0; i < n; i++) {
        const gl_tl_event *e = &ev[idx[i]];
        if (idx[i] == self || (e->kind == GL_TL_COMMIT && e->start == t))
            continue;
        if (e->end <= t && e->end > best)
            best = e->end;
    }
    return best;
}

/* The start of the earliest event that starts after `t` (any kind, any group), or `ceiling`. */
static int64_t next_start(const gl_tl_event *ev, const size_t *idx, size_t n, int64_t t,
                          int64_t ceiling)
{
    int64_t best = ceiling;

    for (size_t i = 0; i < n; i++) {
        int64_t s = ev[idx[i]].start;
        if (s > t && s < best)
            best = s;
    }
    return best;
}

/* The latest commit of another repository before `self`'s time (INT64_MIN: none). */
static int64_t other_commit_before(const gl_tl_event *ev, const size_t *commits, size_t n,
                                   size_t self)
{
    int64_t best = INT64_MIN, t = ev[self].start;

    for (size_t i = 0; i < n; i++) {
        const gl_tl_event *e = &ev[commits[i]];
        if (e->group != ev[self].group && e->start < t && e->start > best)
            best = e->start;
    }
    return best;
}

int gl_timeline_build(const gl_tl_event *events, size_t n, const gl_tl_options *o, gl_timeline *out)
{
    size_t *meetings = NULL, *commits = NULL, *all = NULL, nm = 0, nc = 0, na = 0, cap = 0;
    claimed c = {0};
    int rc = GL_OK;
    bool workday = o->work_end > o->work_start;

    memset(out, 0, sizeof(*out));
    if (n && (!(out->event_seconds = calloc(n, sizeof(*out->event_seconds))) ||
              !(meetings = malloc(n * sizeof(*meetings))) ||
              !(commits = malloc(n * sizeof(*commits))) || !(all = malloc(n * sizeof(*all))))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const gl_tl_event *e = &events[i];
        if (e->kind == GL_TL_MEETING && e->end > o->day_start && e->start < o->day_end &&
            e->end > e->start) {
            meetings[nm++] = i;
            all[na++] = i;
        } else if (e->kind == GL_TL_COMMIT && e->start >= o->day_start && e->start < o->day_end) {
            commits[nc++] = i;
            all[na++] = i;
        }
    }
    if (nm)
        qsort_r(meetings, nm, sizeof(*meetings), by_time, (void *)events);
    if (nc)
        qsort_r(commits, nc, sizeof(*commits), by_time, (void *)events); /* group, then time */

    for (size_t i = 0; i < nm && rc == GL_OK; i++) {
        const gl_tl_event *e = &events[meetings[i]];
        gl_tl_piece p = {.kind = GL_TL_MEETING,
                         .start = e->start > o->day_start ? e->start : o->day_start,
                         .end = e->end < o->day_end ? e->end : o->day_end,
                         .nevents = 1};
        if ((rc = claim(&c, p.start, p.end, &p.seconds)) < 0)
            break;
        if (!(p.events = malloc(sizeof(*p.events)))) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
            break;
        }
        p.events[0] = meetings[i];
        out->event_seconds[meetings[i]] = p.seconds;
        if ((rc = add_piece(out, &cap, &p)) < 0)
            free(p.events);
        out->meeting_seconds += p.seconds;
    }

    /* Sessions, cut into runs of one group's commits with no pause over max_gap. */
    size_t first_session = out->n;
    int64_t switch_gap =
        o->switch_gap > 0 && o->switch_gap < o->max_gap ? o->switch_gap : o->max_gap;
    for (size_t i = 0; i < nc && rc == GL_OK;) {
        size_t j = i + 1;
        while (j < nc && events[commits[j]].group == events[commits[i]].group) {
            const gl_tl_event *prev = &events[commits[j - 1]], *next = &events[commits[j]];
            /* A pause is the time between commits that no meeting took. */
            int64_t pause = next->start - prev->start - covered_by(&c, prev->start, next->start);
            bool switched = prev->branch && next->branch && prev->branch != next->branch;
            bool lunch = o->lunch_gap > 0 && pause > o->lunch_gap && prev->start < o->lunch_end &&
                         next->start > o->lunch_start;
            if (pause > (switched ? switch_gap : o->max_gap) || lunch)
                break;
            j++;
        }
        int64_t first = events[commits[i]].start, last = events[commits[j - 1]].start;
        int64_t start = first - o->lead_in;
        int64_t floor = previous_end(events, all, na, commits[i], o->day_start);
        if (workday && first >= o->work_start && o->work_start > floor)
            floor = o->work_start;
        if (start < floor)
            start = floor;
        if (start > first)
            start = first;
        /* The minutes after the last commit (pushing, a pull request), until whatever is next. */
        int64_t end = last + (o->lead_out > 0 ? o->lead_out : 0);
        int64_t ceiling = next_start(events, all, na, last, o->day_end);
        if (end > ceiling)
            end = ceiling;
        gl_tl_piece p = {.kind = GL_TL_COMMIT,
                         .group = events[commits[i]].group,
                         .start = start,
                         .end = end,
                         .nevents = j - i};
        if (!(p.events = malloc((j - i) * sizeof(*p.events)))) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
            break;
        }
        memcpy(p.events, &commits[i], (j - i) * sizeof(*p.events));
        if ((rc = add_piece(out, &cap, &p)) < 0)
            free(p.events);
        i = j;
    }
    /* Sessions take what meetings left, the earlier-starting first. */
    if (rc == GL_OK && out->n > first_session) {
        qsort(out->pieces + first_session, out->n - first_session, sizeof(*out->pieces),
              by_piece_start);
        for (size_t i = first_session; i < out->n && rc == GL_OK; i++) {
            gl_tl_piece *p = &out->pieces[i];
            int64_t from = p->start;
            /* Commit by commit, so each commit owns the time that led up to it. */
            p->seconds = 0;
            for (size_t k = 0; k < p->nevents && rc == GL_OK; k++) {
                int64_t at = events[p->events[k]].start, fresh = 0;
                /*
                 * Never before the last thing that happened, in any repository:
                 * a commit to another one in between means the person was there.
                 */
                int64_t before = other_commit_before(events, commits, nc, p->events[k]);
                if (before > from && before <= at)
                    from = before;
                rc = claim(&c, from, at, &fresh);
                if (rc == GL_OK && k + 1 == p->nevents && p->end > at) {
                    int64_t after = 0;
                    rc = claim(&c, at, p->end, &after);
                    fresh += after;
                }
                out->event_seconds[p->events[k]] = fresh;
                p->seconds += fresh;
                if (at > from)
                    from = at;
            }
            out->session_seconds += p->seconds;
        }
    }
    if (rc == GL_OK && out->n)
        qsort(out->pieces, out->n, sizeof(*out->pieces), by_piece_start);

done:
    free(meetings);
    free(commits);
    free(all);
    free(c.v);
    if (rc < 0)
        gl_timeline_clear(out);
    return rc;
}

void gl_timeline_clear(gl_timeline *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->pieces[i].events);
    free(t->pieces);
    free(t->event_seconds);
    memset(t, 0, sizeof(*t));
}
