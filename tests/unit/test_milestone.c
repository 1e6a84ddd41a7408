/*
 * test_milestone.c - milestone rules: what gl_milestone_parse accepts and
 * refuses, and when monthly, hours and budget milestones fire, for which
 * period and which span of tracked time.
 */
#include "support.h"

#include <string.h>

#include "rules/milestone.h"
#include "util/error.h"

static gl_milestone_rule parse(const char *when)
{
    gl_milestone_rule r;
    gl_assert_ok(gl_milestone_parse(when, &r));
    return r;
}

/* Decide, and insist on a reason whichever way it goes. */
static gl_milestone_decision decide(gl_milestone_rule rule, gl_milestone_facts f)
{
    gl_milestone_decision d;
    gl_assert_ok(gl_milestone_decide(&rule, &f, &d));
    if (d.why[0] == '\0')
        fail_msg("no reason given for %s on %s", d.fire ? "firing" : "not firing", f.today);
    return d;
}

/* Uninvoiced time, no budget, never fired before. */
static gl_milestone_facts facts(const char *today)
{
    gl_milestone_facts f = {.today = today, .uninvoiced_hours = 12.5, .budget_percent = -1};
    return f;
}

static void test_parse_accepted_forms(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        gl_milestone_kind kind;
        double threshold;
    } ok[] = {
        {"monthly", GL_MILESTONE_MONTHLY, 0},
        {"  monthly  ", GL_MILESTONE_MONTHLY, 0},
        {"sprint-closed", GL_MILESTONE_SPRINT, 0},
        {"hours >= 40", GL_MILESTONE_HOURS, 40},
        {"hours>=40", GL_MILESTONE_HOURS, 40},
        {"hours >=40", GL_MILESTONE_HOURS, 40},
        {"hours>= 40", GL_MILESTONE_HOURS, 40},
        {" hours  >=  7.5 ", GL_MILESTONE_HOURS, 7.5},
        {"budget >= 100", GL_MILESTONE_BUDGET, 100},
        {"budget>=90", GL_MILESTONE_BUDGET, 90},
        {"budget >= 80.5", GL_MILESTONE_BUDGET, 80.5},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        gl_milestone_rule r = parse(ok[i].text);
        if (r.kind != ok[i].kind || r.threshold != ok[i].threshold)
            fail_msg("'%s': kind %d threshold %g", ok[i].text, (int)r.kind, r.threshold);
    }
}

static void test_parse_rejected_forms(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   ",
        "weekly",
        "monthlyx",
        "monthly please",
        "sprint-closed now",
        "hours",
        "hours >=",
        "hours >=   ",
        "hours >= -3",
        "hours > 40",
        "hours = 40",
        "hours => 40",
        "hours 40",
        ">= 40",
        "hours >= forty",
        "hours >= 40h",
        "hours >= 40 hours",
        "hours >= 4 0",
        "hours >= 40 >= 50",
        "budget >=",
        "budget >= 100 percent",
        "days >= 3",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        gl_milestone_rule r;
        if (gl_milestone_parse(bad[i], &r) != GL_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
    }
}

static void test_parse_refuses_a_percent_of_hours(void **state)
{
    (void)state;
    gl_milestone_rule r;
    /* "%" is not part of an hours target: trailing garbage like any other. */
    assert_int_equal(gl_milestone_parse("hours >= 40%", &r), GL_EINVAL);
}

static void test_monthly_fires_for_the_month_that_ended(void **state)
{
    (void)state;
    gl_milestone_rule m = parse("monthly");
    gl_milestone_facts f = facts("2026-12-01");
    f.last_period = "2026-10";
    f.last_to = "2026-10-31";
    gl_milestone_decision d = decide(m, f);
    assert_true(d.fire);
    assert_string_equal(d.period, "2026-11");
    assert_string_equal(d.from, "2026-11-01");
    assert_string_equal(d.to, "2026-11-30");

    /* Never fired before: the same; a later first check in the month too. */
    f = facts("2026-12-09");
    d = decide(m, f);
    assert_true(d.fire);
    assert_string_equal(d.period, "2026-11");
    assert_string_equal(d.from, "2026-11-01");
    assert_string_equal(d.to, "2026-11-30");

    /* A 31-day month. */
    d = decide(m, facts("2026-11-01"));
    assert_true(d.fire);
    assert_string_equal(d.period, "2026-10");
    assert_string_equal(d.to, "2026-10-31");
}

static void test_monthly_february_of_a_leap_year(void **state)
{
    (void)state;
    gl_milestone_rule m = parse("monthly");
    gl_milestone_decision d = decide(m, facts("2028-03-01"));
    assert_true(d.fire);
    assert_string_equal(d.period, "2028-02");
    assert_string_equal(d.from, "2028-02-01");
    assert_string_equal(d.to, "2028-02-29");
    d = decide(m, facts("2027-03-02"));
    assert_string_equal(d.period, "2027-02");
    assert_string_equal(d.to, "2027-02-28");
}

static void test_monthly_december_to_january(void **state)
{
    (void)state;
    gl_milestone_rule m = parse("monthly");
    gl_milestone_facts f = facts("2027-01-01");
    f.last_period = "2026-11";
    gl_milestone_decision d = decide(m, f);
    assert_true(d.fire);
    assert_string_equal(d.period, "2026-12");
    assert_string_equal(d.from, "2026-12-01");
    assert_string_equal(d.to, "2026-12-31");
}

static void test_monthly_fires_once_a_month(void **state)
{
    (void)state;
    gl_milestone_rule m = parse("monthly");
    gl_milestone_facts f = facts("2026-12-02");
    f.last_period = "2026-11";
    assert_false(decide(m, f).fire);
    f.today = "2026-12-31";
    assert_false(decide(m, f).fire);
    /* January's first check is for December, which has not fired. */
    f.today = "2027-01-01";
    assert_true(decide(m, f).fire);
}

static void test_hours_threshold(void **state)
{
    (void)state;
    gl_milestone_rule h = parse("hours >= 40");
    gl_milestone_facts f = facts("2026-11-20");
    f.uninvoiced_hours = 39.99;
    gl_milestone_decision d = decide(h, f);
    assert_false(d.fire);

    f.uninvoiced_hours = 40;
    d = decide(h, f);
    assert_true(d.fire);
    assert_string_equal(d.period, "2026-11-20");
    assert_string_equal(d.from, ""); /* never invoiced: everything unbilled */
    assert_string_equal(d.to, "2026-11-20");

    f.uninvoiced_hours = 52.5;
    f.last_period = "2026-10-02";
    f.last_to = "2026-10-02";
    d = decide(h, f);
    assert_true(d.fire);
    assert_string_equal(d.period, "2026-11-20");
    assert_string_equal(d.from, "2026-10-02");
    assert_string_equal(d.to, "2026-11-20");
}

/*
 * From the last day the previous invoice covered, that day included: time
 * tracked on it after the invoice was made is billed next (Harvest imports
 * only uninvoiced time, so nothing is billed twice).
 */
static void test_hours_from_the_last_invoiced_day(void **state)
{
    (void)state;
    gl_milestone_rule h = parse("hours>=10");
    gl_milestone_facts f = facts("2028-03-10");
    f.last_to = "2028-02-29";
    gl_milestone_decision d = decide(h, f);
    assert_true(d.fire);
    assert_string_equal(d.from, "2028-02-29");
    f.today = "2027-01-15";
    f.last_to = "2026-12-31";
    d = decide(h, f);
    assert_string_equal(d.from, "2026-12-31");
    assert_string_equal(d.to, "2027-01-15");
}

static void test_hours_fire_once_a_day(void **state)
{
    (void)state;
    gl_milestone_rule h = parse("hours >= 10");
    gl_milestone_facts f = facts("2026-11-20");
    f.last_period = "2026-11-20";
    f.last_to = "2026-11-20";
    assert_false(decide(h, f).fire);
    f.last_period = "2026-11-19";
    f.last_to = "2026-11-19";
    gl_milestone_decision d = decide(h, f);
    assert_true(d.fire);
    assert_string_equal(d.from, "2026-11-19");
}

static void test_budget_threshold(void **state)
{
    (void)state;
    gl_milestone_rule b = parse("budget >= 100");
    gl_milestone_facts f = facts("2026-11-20");
    f.budget_percent = 99.5;
    assert_false(decide(b, f).fire);

    f.budget_percent = 100;
    gl_milestone_decision d = decide(b, f);
    assert_true(d.fire);
    assert_string_equal(d.period, "total");
    assert_string_equal(d.from, "");
    assert_string_equal(d.to, "2026-11-20");

    f.budget_percent = 130;
    f.last_to = "2026-10-31";
    d = decide(b, f);
    assert_true(d.fire);
    assert_string_equal(d.from, "2026-10-31");
    assert_string_equal(d.to, "2026-11-20");
}

static void test_budget_periods_monthly_and_total(void **state)
{
    (void)state;
    gl_milestone_rule b = parse("budget >= 90");
    gl_milestone_facts f = facts("2026-11-20");
    f.budget_percent = 95;
    f.budget_monthly = true;
    f.last_period = "2026-10";
    gl_milestone_decision d = decide(b, f);
    assert_true(d.fire); /* October's firing does not cover November */
    assert_string_equal(d.period, "2026-11");
    f.last_period = "2026-11";
    assert_false(decide(b, f).fire);

    /* A total budget fires once, whatever the month. */
    f.budget_monthly = false;
    f.last_period = "total";
    assert_false(decide(b, f).fire);
    f.today = "2027-02-01";
    assert_false(decide(b, f).fire);
}

static void test_budget_without_a_budget(void **state)
{
    (void)state;
    gl_milestone_rule b = parse("budget >= 100");
    gl_milestone_facts f = facts("2026-11-20");
    f.budget_percent = -1;
    f.uninvoiced_hours = 300;
    assert_false(decide(b, f).fire);
    f.budget_monthly = true;
    assert_false(decide(b, f).fire);
}

static void test_nothing_uninvoiced_never_fires(void **state)
{
    (void)state;
    gl_milestone_facts f = facts("2026-12-01");
    f.uninvoiced_hours = 0;
    assert_false(decide(parse("monthly"), f).fire);
    f.budget_percent = 120;
    assert_false(decide(parse("budget >= 100"), f).fire);
    assert_false(decide(parse("hours >= 0.5"), f).fire);
}

static void test_sprint_closed_does_not_fire_without_sprints(void **state)
{
    (void)state;
    /* The facts carry no sprint, so nothing can say one closed. */
    gl_milestone_facts f = facts("2026-12-01");
    f.budget_percent = 120;
    assert_false(decide(parse("sprint-closed"), f).fire);
}

static void test_a_bad_date_is_an_error(void **state)
{
    (void)state;
    gl_milestone_rule m = parse("monthly");
    gl_milestone_facts f = facts("2026-02-30");
    gl_milestone_decision d;
    assert_int_equal(gl_milestone_decide(&m, &f, &d), GL_EINVAL);
    assert_false(d.fire);
    assert_true(gl_error_last()[0] != '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_accepted_forms),
        cmocka_unit_test(test_parse_rejected_forms),
        cmocka_unit_test(test_parse_refuses_a_percent_of_hours),
        cmocka_unit_test(test_monthly_fires_for_the_month_that_ended),
        cmocka_unit_test(test_monthly_february_of_a_leap_year),
        cmocka_unit_test(test_monthly_december_to_january),
        cmocka_unit_test(test_monthly_fires_once_a_month),
        cmocka_unit_test(test_hours_threshold),
        cmocka_unit_test(test_hours_from_the_last_invoiced_day),
        cmocka_unit_test(test_hours_fire_once_a_day),
        cmocka_unit_test(test_budget_threshold),
        cmocka_unit_test(test_budget_periods_monthly_and_total),
        cmocka_unit_test(test_budget_without_a_budget),
        cmocka_unit_test(test_nothing_uninvoiced_never_fires),
        cmocka_unit_test(test_sprint_closed_does_not_fire_without_sprints),
        cmocka_unit_test(test_a_bad_date_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
