/*
 * timeline.h - one local day as time in which no instant is counted twice
 * (DESIGN.md section 6).  Pure: events in, pieces of counted time out; no
 * store, clock or configuration.
 *
 *   1. Counted meetings claim their time first; where two overlap, the one
 *      that started earlier keeps the overlap.
 *   2. Commits form sessions per repository: a pause longer than max_gap
 *      starts a new session (a pause is the time between two commits that
 *      no meeting took: an hour's meeting between them is not a pause), as
 *      does a pause over switch_gap after which the branch changed, and a
 *      pause over lunch_gap around midday.  A
 *      session runs from lead_in before its first commit to lead_out after
 *      its last (never into the next event); the lead-in never reaches back before the
 *      end of the previous activity (any meeting or commit of the day; a commit
 *      made in the same second is not a previous one), nor
 *      before the start of work hours when the first commit is inside them.
 *   3. Sessions take only the time meetings left.  Each commit owns the time
 *      since the previous commit of its session (or the session's start),
 *      but never from before a commit to another repository in between: the
 *      person was there then, so two repositories worked on in turn share
 *      the time as it was spent.
 *
 * Nothing is invented: a day without events has no pieces, and a session
 * on an evening or a weekend counts because its commits are evidence.
 */
#ifndef GL_TIMELINE_H
#define GL_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

typedef enum gl_tl_kind { GL_TL_MEETING, GL_TL_COMMIT } gl_tl_kind;

typedef struct gl_tl_event {
    gl_tl_kind kind;
    int64_t start, end; /* UTC seconds; a commit has start == end */
    int group;          /* commits: which repository (sessions never mix groups) */
    int branch;         /* commits: which branch of the group; 0: not known */
} gl_tl_event;

typedef struct gl_tl_options {
    int64_t day_start, day_end;   /* the local day, [start, end) */
    int64_t work_start, work_end; /* work hours that day; equal when it is not a workday */
    int64_t max_gap;              /* seconds */
    /*
     * A commit on another branch than the one before it (both known) after
     * a pause longer than this starts a new session too: a switch of task
     * after a break is a new sitting.  0: as max_gap.
     */
    int64_t switch_gap;
    int64_t lead_in;  /* seconds */
    int64_t lead_out; /* seconds after the last commit, never past the next event; 0: none */
    /*
     * Lunch: a pause longer than lunch_gap that reaches into [lunch_start,
     * lunch_end) (around midday, local) ends a session too, for a person
     * who does not bill the time they were away.  lunch_gap 0: off.
     */
    int64_t lunch_start, lunch_end, lunch_gap;
} gl_tl_options;

/* A meeting, or a session of commits, and the time it counts for. */
typedef struct gl_tl_piece {
    gl_tl_kind kind;    /* GL_TL_MEETING or GL_TL_COMMIT (a session) */
    int group;          /* sessions: the repository */
    int64_t start, end; /* the span before overlaps were removed (clipped to the day) */
    int64_t seconds;    /* what it counts for once overlaps are removed */
    size_t *events;     /* indexes into the input: the meeting, or the session's commits */
    size_t nevents;
} gl_tl_piece;

typedef struct gl_timeline {
    gl_tl_piece *pieces; /* by start time; owned */
    size_t n;
    int64_t meeting_seconds, session_seconds;
    /*
     * Per input event, what it counts for: a meeting, its piece's seconds; a
     * commit, the fresh seconds between the previous commit of its session
     * (or the session's start) and itself, so a session's commits add up to
     * the session.  0 for events outside the day.  Owned; NULL when n == 0.
     */
    int64_t *event_seconds;
} gl_timeline;

/*
 * gl_timeline_build - the day's pieces from `events` (any order; events
 * outside the day are ignored, meetings are clipped to it).  Only pass
 * events that count.  Clear `out` with gl_timeline_clear.
 */
int gl_timeline_build(const gl_tl_event *events, size_t n, const gl_tl_options *opts,
                      gl_timeline *out);
void gl_timeline_clear(gl_timeline *t);

#endif
