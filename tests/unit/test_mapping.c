/*
 * test_mapping.c - mapping rules: the first match wins, every set condition
 * must hold, regexes are case-insensitive, a bad regex names its rule.
 */
#include "support.h"

#include <string.h>

#include "rules/mapping.h"

static const char *const acme_domains[] = {"acme.com", "@acme.co.uk"};

static const gl_rule_spec specs[] = {
    {.name = "standups",
     .source = GL_RULE_CALENDAR,
     .match = "standup|retro|planning",
     .project_id = 1,
     .task_id = 10},
    {.name = "acme meetings",
     .source = GL_RULE_CALENDAR,
     .attendee_domains = acme_domains,
     .n_attendee_domains = 2,
     .project_id = 2,
     .task_id = 10},
    {.name = "vendor", .organizer = "@vendor[.]io$", .project_id = 3, .task_id = 11},
    {.name = "acme web", .source = GL_RULE_GIT, .repo = "acme-web", .project_id = 2, .task_id = 20},
    {.name = "data tickets", .jira_key = "^DATA-[0-9]+$", .project_id = 4, .task_id = 20},
    {.name = "hotfix branches",
     .source = GL_RULE_GIT,
     .branch = "^hotfix/",
     .match = "api",
     .project_id = 5,
     .task_id = 21},
};

static void test_first_match_wins(void **state)
{
    (void)state;
    gl_rules *r = NULL;
    gl_assert_ok(gl_rules_new(&r, specs, sizeof(specs) / sizeof(specs[0])));
    const char *const acme[] = {"ACME.com"};
    const char *const other[] = {"example.org"};
    const char *const data_keys[] = {"ACME-1", "DATA-77"};
    const struct {
        gl_evidence e;
        int want;
    } cases[] = {
        {{.source = GL_RULE_CALENDAR, .title = "Daily Standup"}, 0},
        /* A standup with ACME people is still a standup: rule order. */
        {{.source = GL_RULE_CALENDAR,
          .title = "Sprint planning",
          .attendee_domains = acme,
          .n_attendee_domains = 1},
         0},
        {{.source = GL_RULE_CALENDAR,
          .title = "Roadmap",
          .attendee_domains = acme,
          .n_attendee_domains = 1},
         1},
        {{.source = GL_RULE_CALENDAR,
          .title = "Roadmap",
          .attendee_domains = other,
          .n_attendee_domains = 1},
         -1},
        {{.source = GL_RULE_CALENDAR, .title = "Pitch", .organizer = "sales@vendor.io"}, 2},
        {{.source = GL_RULE_CALENDAR, .title = "Pitch", .organizer = "sales@vendorxio.com"}, -1},
        /* A standup in a commit message is not a calendar standup. */
        {{.source = GL_RULE_GIT, .title = "standup notes", .repo = "acme-web"}, 3},
        {{.source = GL_RULE_GIT, .title = "x", .repo = "acme-web-old"}, -1},
        {{.source = GL_RULE_GIT,
          .title = "x",
          .repo = "data",
          .jira_keys = data_keys,
          .n_jira_keys = 2},
         4},
        {{.source = GL_RULE_GIT, .title = "fix", .repo = "api", .branch = "hotfix/login"}, 5},
        /* Both conditions must hold. */
        {{.source = GL_RULE_GIT, .title = "fix", .repo = "web", .branch = "hotfix/login"}, -1},
        {{.source = GL_RULE_GIT, .title = "fix", .repo = "api", .branch = "main"}, -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = gl_rules_match(r, &cases[i].e);
        if (got != cases[i].want)
            fail_msg("case %zu: expected rule %d, got %d", i, cases[i].want, got);
    }
    assert_string_equal(gl_rules_get(r, 1)->attendee_domains[1], "acme.co.uk");
    assert_int_equal(gl_rules_count(r), 6);
    assert_null(gl_rules_get(r, 6));
    gl_rules_free(r);
}

static void test_bad_regex_names_the_rule(void **state)
{
    (void)state;
    gl_rules *r = NULL;
    const gl_rule_spec bad[] = {{.name = "ok", .match = "a"}, {.name = "broken", .branch = "(x"}};
    assert_int_equal(gl_rules_new(&r, bad, 2), GL_ECONFIG);
    assert_null(r);
    assert_non_null(strstr(gl_error_last(), "rule.broken.branch = '(x' is not a regex"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_match_wins),
        cmocka_unit_test(test_bad_regex_names_the_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
