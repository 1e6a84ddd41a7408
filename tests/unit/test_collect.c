/*
 * test_collect.c - whether a meeting occurrence counts as work, and why
 * not: a table of cases, no set-up.
 */
#include "support.h"

#include <string.h>

#include "agent/collect.h"

static void test_meeting_verdicts(void **state)
{
    (void)state;
    static const struct {
        gl_meeting m;
        bool include_all_day;
        const char *why;
    } cases[] = {
        {{.partstat = GL_PARTSTAT_ACCEPTED}, false, NULL},
        {{.partstat = GL_PARTSTAT_NONE}, false, NULL},
        {{.partstat = GL_PARTSTAT_TENTATIVE}, false, NULL},
        {{.partstat = GL_PARTSTAT_NEEDS_ACTION}, false, NULL},
        {{.user_is_organizer = true}, false, NULL},
        {{.partstat = GL_PARTSTAT_DECLINED}, false, "declined"},
        {{.cancelled = true}, false, "cancelled"},
        /* Cancelled wins over declined: the meeting did not take place at all. */
        {{.cancelled = true, .partstat = GL_PARTSTAT_DECLINED}, false, "cancelled"},
        {{.transparent = true}, false, "free"},
        {{.all_day = true}, false, "all-day"},
        {{.all_day = true}, true, NULL},
        {{.all_day = true, .transparent = true}, true, "free"},
        {{.type = GL_MEETING_OUT_OF_OFFICE}, false, "out of office"},
        {{.type = GL_MEETING_OUT_OF_OFFICE, .all_day = true}, true, "out of office"},
        {{.type = GL_MEETING_FOCUS_TIME}, false, "focus time"},
        {{.type = GL_MEETING_FOCUS_TIME, .partstat = GL_PARTSTAT_DECLINED}, false, "declined"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *why = gl_collect_meeting_why(&cases[i].m, cases[i].include_all_day);
        if (!cases[i].why ? why != NULL : (!why || strcmp(why, cases[i].why) != 0))
            fail_msg("case %zu: expected %s, got %s", i, cases[i].why ? cases[i].why : "counted",
                     why ? why : "counted");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meeting_verdicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
