/*
 * test_nudge.c - when the end-of-day reminder is due, and why not when it
 * is not: a table of days.
 */
#include "support.h"

#include <string.h>

#include "rules/nudge.h"

/* A day at 17:30 nudge.at and 0.5 h nudge.min-gap: workday?, the time now, the gap, sent? */
#define DAY(work, hh, mm, gap_h, was_sent)                                               \
    {                                                                                    \
        .workday = (work), .minute = (hh)*60 + (mm), .at = 17 * 60 + 30, .gap = (gap_h), \
        .min_gap = 0.5, .sent = (was_sent)                                               \
    }

static void test_when_a_nudge_is_due(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        gl_nudge_facts f;
        bool due, worth;
        const char *why;
    } cases[] = {
        {"a workday at 17:30 with 3 h missing", DAY(true, 17, 30, 3, false), true, true, ""},
        {"a minute before nudge.at", DAY(true, 17, 29, 3, false), false, true,
         "not before 17:30 (nudge.at)"},
        {"late in the evening still counts", DAY(true, 23, 59, 1, false), true, true, ""},
        {"a Saturday", DAY(false, 18, 0, 8, false), false, false, "today is not a workday"},
        {"a gap of exactly nudge.min-gap", DAY(true, 18, 0, 0.5, false), false, false,
         "the gap, 0.50 h, is not over 0.50 h (nudge.min-gap)"},
        {"nothing missing", DAY(true, 18, 0, 0, false), false, false,
         "the gap, 0.00 h, is not over 0.50 h (nudge.min-gap)"},
        {"sent already today", DAY(true, 18, 0, 3, true), false, true,
         "today's nudge was sent already"},
        {"before nudge.at is said before sent already", DAY(true, 9, 0, 3, true), false, true,
         "not before 17:30 (nudge.at)"},
        {"nudge.at at midnight",
         {.workday = true, .minute = 0, .at = 0, .gap = 2, .min_gap = 0},
         true,
         true,
         ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gl_nudge_decision d;
        gl_nudge_decide(&cases[i].f, &d);
        if (d.due != cases[i].due || d.worth_telling != cases[i].worth ||
            strcmp(d.why, cases[i].why) != 0)
            fail_msg("%s: due %d worth %d why '%s'; expected %d %d '%s'", cases[i].what, d.due,
                     d.worth_telling, d.why, cases[i].due, cases[i].worth, cases[i].why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_when_a_nudge_is_due),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
