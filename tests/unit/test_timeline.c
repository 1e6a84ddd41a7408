/*
 * test_timeline.c - a day in which no instant is counted twice: meetings
 * merged, sessions with their lead-in and its bounds, meetings cutting
 * sessions, evenings counted only with evidence.
 */
#include "support.h"

#include "agent/timeline.h"

#define H(h, m) ((int64_t)(h)*3600 + (int64_t)(m)*60)
#define M(a, b)                    \
    {                              \
        GL_TL_MEETING, (a), (b), 0 \
    }
#define C(t, g)                     \
    {                               \
        GL_TL_COMMIT, (t), (t), (g) \
    }

#define CB(t, g, b)                      \
    {                                    \
        GL_TL_COMMIT, (t), (t), (g), (b) \
    }

static const gl_tl_options workday = {.day_start = 0,
                                      .day_end = H(24, 0),
                                      .work_start = H(9, 0),
                                      .work_end = H(17, 30),
                                      .max_gap = H(2, 0),
                                      .lead_in = H(0, 30)};

static gl_timeline build(const gl_tl_event *ev, size_t n, const gl_tl_options *o)
{
    gl_timeline t;
    gl_assert_ok(gl_timeline_build(ev, n, o, &t));
    return t;
}

static void test_overlapping_meetings_count_once(void **state)
{
    (void)state;
    const gl_tl_event ev[] = {M(H(10, 0), H(11, 0)), M(H(10, 30), H(11, 30)),
                              M(H(14, 0), H(14, 15))};
    gl_timeline t = build(ev, 3, &workday);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.pieces[0].seconds, H(1, 0));
    assert_int_equal(t.pieces[1].seconds, H(0, 30)); /* the overlap went to the first */
    assert_int_equal(t.meeting_seconds, H(1, 45));
    assert_int_equal(t.session_seconds, 0);
    gl_timeline_clear(&t);
}

static void test_sessions_split_on_long_pauses(void **state)
{
    (void)state;
    const gl_tl_event ev[] = {C(H(10, 0), 0), C(H(11, 0), 0), C(H(11, 50), 0), C(H(15, 0), 0)};
    gl_timeline t = build(ev, 4, &workday);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.pieces[0].start, H(9, 30)); /* lead-in */
    assert_int_equal(t.pieces[0].end, H(11, 50));
    assert_int_equal(t.pieces[0].nevents, 3);
    /* The second session's lead-in is bounded by nothing but itself. */
    assert_int_equal(t.pieces[1].start, H(14, 30));
    assert_int_equal(t.pieces[1].seconds, H(0, 30));
    assert_int_equal(t.session_seconds, H(2, 20) + H(0, 30));
    gl_timeline_clear(&t);
}

static void test_a_switch_of_branch_after_a_pause_is_a_new_session(void **state)
{
    (void)state;
    gl_tl_options o = workday;
    o.switch_gap = H(0, 20);
    /* 10:00 and 10:50 on branch 1, 11:30 on branch 2 (40 min later), 11:45 on branch 2. */
    const gl_tl_event ev[] = {CB(H(10, 0), 0, 1), CB(H(10, 50), 0, 1), CB(H(11, 30), 0, 2),
                              CB(H(11, 45), 0, 2)};
    gl_timeline t = build(ev, 4, &o);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.pieces[0].start, H(9, 30));
    assert_int_equal(t.pieces[0].end, H(10, 50));
    /* The new sitting's lead-in (30 min) stops at the last commit before it. */
    assert_int_equal(t.pieces[1].start, H(11, 0));
    assert_int_equal(t.session_seconds, H(1, 20) + H(0, 45));
    gl_timeline_clear(&t);

    /* The same pause on one branch, or where the branch is not known, does not cut. */
    const gl_tl_event same[] = {CB(H(10, 0), 0, 1), CB(H(10, 50), 0, 1), CB(H(11, 30), 0, 1)};
    t = build(same, 3, &o);
    assert_int_equal(t.n, 1);
    gl_timeline_clear(&t);
    const gl_tl_event unknown[] = {CB(H(10, 0), 0, 1), CB(H(10, 50), 0, 0), CB(H(11, 30), 0, 2)};
    t = build(unknown, 3, &o);
    assert_int_equal(t.n, 1);
    gl_timeline_clear(&t);
    /* A short pause before the switch (15 min) is one sitting. */
    const gl_tl_event quick[] = {CB(H(10, 0), 0, 1), CB(H(10, 15), 0, 2)};
    t = build(quick, 2, &o);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.session_seconds, H(0, 45));
    gl_timeline_clear(&t);
    /* Unset (0) or not below max_gap: only max_gap cuts. */
    o.switch_gap = 0;
    t = build(ev, 4, &o);
    assert_int_equal(t.n, 1);
    gl_timeline_clear(&t);
}

static void test_a_pause_at_lunch_is_a_new_session(void **state)
{
    (void)state;
    /* 11:50 -> 13:05 is 75 min: inside max_gap, but over git.lunch-break and at midday. */
    const gl_tl_event ev[] = {C(H(11, 0), 0), C(H(11, 50), 0), C(H(13, 5), 0), C(H(13, 40), 0),
                              /* the same 75 min in the afternoon is only a pause */
                              C(H(15, 0), 0), C(H(16, 15), 0)};
    gl_tl_options o = workday;
    gl_timeline t = build(ev, 6, &o);
    assert_int_equal(t.n, 1); /* off (the default): one sitting */
    gl_timeline_clear(&t);

    o.lunch_start = H(12, 0);
    o.lunch_end = H(13, 30);
    o.lunch_gap = H(0, 40);
    t = build(ev, 6, &o);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.pieces[0].end, H(11, 50));
    assert_int_equal(t.pieces[1].start, H(13, 5) - H(0, 30)); /* a lead-in, not the lunch */
    assert_int_equal(t.pieces[1].nevents, 4);
    assert_int_equal(t.session_seconds, H(1, 20) + H(0, 30) + H(3, 10));
    gl_timeline_clear(&t);

    /* A shorter pause at midday is still work. */
    const gl_tl_event short_pause[] = {C(H(11, 50), 0), C(H(12, 25), 0)};
    t = build(short_pause, 2, &o);
    assert_int_equal(t.n, 1);
    gl_timeline_clear(&t);
}

static void test_lead_out_until_what_comes_next(void **state)
{
    (void)state;
    gl_tl_options o = workday;
    o.lead_out = H(0, 10);
    /* 10:00 and 10:30, then a meeting at 10:35: the session ends at 10:35, not 10:40. */
    const gl_tl_event ev[] = {C(H(10, 0), 0), C(H(10, 30), 0), M(H(10, 35), H(11, 0)),
                              C(H(15, 0), 0)};
    gl_timeline t = build(ev, 4, &o);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.pieces[0].end, H(10, 35));
    assert_int_equal(t.event_seconds[1], H(0, 35)); /* 10:00-10:30, then the 5 minutes after */
    /* Nothing after 15:00: the full ten minutes, owned by the last commit. */
    assert_int_equal(t.pieces[2].end, H(15, 10));
    assert_int_equal(t.event_seconds[3], H(0, 40));
    assert_int_equal(t.session_seconds, H(1, 5) + H(0, 40));
    gl_timeline_clear(&t);
}

static void test_lead_in_bounds(void **state)
{
    (void)state;
    /* Not before the start of work hours ... */
    const gl_tl_event a[] = {C(H(9, 10), 0)};
    gl_timeline t = build(a, 1, &workday);
    assert_int_equal(t.pieces[0].start, H(9, 0));
    gl_timeline_clear(&t);
    /* ... nor before the end of the previous activity (a meeting, or another repo's commit) ... */
    const gl_tl_event b[] = {M(H(10, 0), H(10, 50)), C(H(11, 0), 0), C(H(13, 0), 1),
                             C(H(13, 10), 0)};
    t = build(b, 4, &workday);
    assert_int_equal(t.n, 4);
    assert_int_equal(t.pieces[1].start, H(10, 50));
    assert_int_equal(t.pieces[1].seconds, H(0, 10));
    /* repo 1's 13:00 commit: lead-in from 12:30 (repo 0's 11:00 is older) */
    assert_int_equal(t.pieces[2].start, H(12, 30));
    /* repo 0's 13:10 commit, 2h10 after its last one: new session, bounded by 13:00 */
    assert_int_equal(t.pieces[3].start, H(13, 0));
    assert_int_equal(t.pieces[3].seconds, H(0, 10));
    gl_timeline_clear(&t);
    /* ... but an early commit before work hours is evidence of its own. */
    const gl_tl_event c[] = {C(H(7, 30), 0)};
    t = build(c, 1, &workday);
    assert_int_equal(t.pieces[0].start, H(7, 0));
    gl_timeline_clear(&t);
}

/* Commits made in the same second (a submodule and its parent) keep the lead-in before both. */
static void test_commits_at_one_instant_keep_their_lead_in(void **state)
{
    (void)state;
    const gl_tl_event same_repo[] = {CB(H(10, 30), 0, 1), CB(H(10, 30), 0, 2), CB(H(11, 20), 0, 1)};
    gl_timeline t = build(same_repo, 3, &workday);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.pieces[0].start, H(10, 0));
    assert_int_equal(t.session_seconds, H(1, 20)); /* 10:00 to 11:20 */
    gl_timeline_clear(&t);
    const gl_tl_event two_repos[] = {C(H(10, 30), 0), C(H(10, 30), 1)};
    t = build(two_repos, 2, &workday);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.session_seconds, H(0, 30)); /* 10:00 to 10:30, once */
    gl_timeline_clear(&t);
    /* A meeting that ends as the commit is made still took the time before it. */
    const gl_tl_event after_meeting[] = {M(H(10, 0), H(10, 30)), C(H(10, 30), 0)};
    t = build(after_meeting, 2, &workday);
    assert_int_equal(t.session_seconds, 0);
    gl_timeline_clear(&t);
}

static void test_meetings_cut_sessions(void **state)
{
    (void)state;
    const gl_tl_event ev[] = {C(H(9, 45), 0), M(H(10, 0), H(11, 0)), C(H(11, 30), 0)};
    gl_timeline t = build(ev, 3, &workday);
    assert_int_equal(t.n, 2);
    /* One session 09:15-11:30 (pause 1h45 < 2h), minus the hour of meeting. */
    assert_int_equal(t.pieces[0].kind, GL_TL_COMMIT);
    assert_int_equal(t.pieces[0].start, H(9, 15));
    assert_int_equal(t.pieces[0].seconds, H(2, 15) - H(1, 0));
    assert_int_equal(t.meeting_seconds + t.session_seconds, H(2, 15));
    gl_timeline_clear(&t);
}

static void test_parallel_repositories_do_not_double_count(void **state)
{
    (void)state;
    const gl_tl_event ev[] = {C(H(10, 0), 0), C(H(11, 0), 0), C(H(10, 20), 1), C(H(10, 40), 1)};
    gl_timeline t = build(ev, 4, &workday);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.meeting_seconds + t.session_seconds, H(1, 30)); /* 09:30 to 11:00 */
    gl_timeline_clear(&t);
}

static void test_evenings_and_weekends_need_evidence(void **state)
{
    (void)state;
    gl_tl_options weekend = workday;
    weekend.work_start = weekend.work_end = 0;
    gl_timeline t = build(NULL, 0, &weekend);
    assert_int_equal(t.n, 0);
    const gl_tl_event ev[] = {C(H(20, 0), 0), C(H(20, 45), 0)};
    t = build(ev, 2, &weekend);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.session_seconds, H(1, 15));
    gl_timeline_clear(&t);
}

static void test_events_outside_the_day(void **state)
{
    (void)state;
    const gl_tl_event ev[] = {M(-H(1, 0), H(0, 30)), C(H(25, 0), 0), M(H(23, 30), H(24, 30))};
    gl_timeline t = build(ev, 3, &workday);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.meeting_seconds, H(1, 0)); /* both clipped to the day */
    gl_timeline_clear(&t);
}

static void test_each_commit_owns_the_time_before_it(void **state)
{
    (void)state;
    /* A session 09:10-11:20 (lead-in 30 min) with a meeting 10:00-10:30 inside it. */
    const gl_tl_event ev[] = {C(H(9, 40), 0), M(H(10, 0), H(10, 30)), C(H(10, 50), 0),
                              C(H(11, 20), 0)};
    gl_timeline t = build(ev, 4, &workday);
    assert_int_equal(t.event_seconds[0], H(0, 30)); /* 09:10-09:40 */
    assert_int_equal(t.event_seconds[1], H(0, 30)); /* the meeting */
    assert_int_equal(t.event_seconds[2], H(0, 40)); /* 09:40-10:50 less the meeting */
    assert_int_equal(t.event_seconds[3], H(0, 30));
    assert_int_equal(t.event_seconds[0] + t.event_seconds[2] + t.event_seconds[3],
                     t.session_seconds);
    gl_timeline_clear(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlapping_meetings_count_once),
        cmocka_unit_test(test_sessions_split_on_long_pauses),
        cmocka_unit_test(test_a_switch_of_branch_after_a_pause_is_a_new_session),
        cmocka_unit_test(test_a_pause_at_lunch_is_a_new_session),
        cmocka_unit_test(test_lead_out_until_what_comes_next),
        cmocka_unit_test(test_lead_in_bounds),
        cmocka_unit_test(test_commits_at_one_instant_keep_their_lead_in),
        cmocka_unit_test(test_meetings_cut_sessions),
        cmocka_unit_test(test_parallel_repositories_do_not_double_count),
        cmocka_unit_test(test_evenings_and_weekends_need_evidence),
        cmocka_unit_test(test_events_outside_the_day),
        cmocka_unit_test(test_each_commit_owns_the_time_before_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
