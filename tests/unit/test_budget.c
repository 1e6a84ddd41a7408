/*
 * test_budget.c - budget alerts: thresholds at and just below their
 * boundary, several crossed at once, once per project, period and
 * threshold, monthly periods, burn rates and the day 100% is reached.
 */
#include "support.h"

#include <math.h>
#include <string.h>

#include "rules/budget.h"
#include "util/error.h"
#include "util/tz.h"

/* cmocka's assert_float_equal works in float; these are doubles. */
#define assert_near(a, b)                                   \
    do {                                                    \
        double a_ = (a), b_ = (b);                          \
        if (fabs(a_ - b_) > 1e-9)                           \
            fail_msg("%s is %.17g, not %.17g", #a, a_, b_); \
    } while (0)

static const int levels[] = {75, 90, 100};

/* A project with `budget` hours, `spent` of it and no burn rate. */
static gl_budget_project project(int64_t id, double budget, double spent)
{
    gl_budget_project p = {.project_id = id, .name = "Acme", .budget = budget, .spent = spent};
    return p;
}

static gl_budget_result check_fired(const gl_budget_project *p, size_t n, const char *today,
                                    const gl_budget_fired *fired, size_t nfired)
{
    gl_budget_result r;
    gl_assert_ok(gl_budget_check(p, n, levels, 3, today, fired, nfired, &r));
    return r;
}

static gl_budget_result check(const gl_budget_project *p, size_t n, const char *today)
{
    return check_fired(p, n, today, NULL, 0);
}

static void assert_alert(const gl_budget_alert *a, int64_t id, size_t project, const char *period,
                         int level, bool announce)
{
    assert_int_equal(a->project_id, id);
    assert_int_equal(a->project, project);
    assert_string_equal(a->period, period);
    assert_int_equal(a->level, level);
    assert_int_equal(a->announce, announce);
}

static void test_each_threshold_at_its_boundary_and_just_below(void **state)
{
    (void)state;
    gl_budget_project p = project(7, 100, 75);
    gl_budget_result r = check(&p, 1, "2026-11-10");
    assert_int_equal(r.nstatus, 1);
    assert_string_equal(r.status[0].period, "total");
    assert_near(r.status[0].utilization, 75.0);
    assert_int_equal(r.status[0].ncrossed, 1);
    assert_int_equal(r.status[0].crossed[0], 75);
    assert_int_equal(r.nalerts, 1);
    assert_alert(&r.alerts[0], 7, 0, "total", 75, true);
    gl_budget_result_clear(&r);

    p.spent = 74.99;
    r = check(&p, 1, "2026-11-10");
    assert_int_equal(r.nstatus, 1); /* still a status, just nothing crossed */
    assert_int_equal(r.status[0].ncrossed, 0);
    assert_int_equal(r.nalerts, 0);
    gl_budget_result_clear(&r);

    /* 90 and 100 on their own: the thresholds below them were alerted already. */
    const gl_budget_fired f[] = {{7, "total", 75}, {7, "total", 90}};
    p.spent = 90;
    r = check_fired(&p, 1, "2026-11-10", f, 1);
    assert_int_equal(r.status[0].ncrossed, 2);
    assert_int_equal(r.nalerts, 1);
    assert_alert(&r.alerts[0], 7, 0, "total", 90, true);
    gl_budget_result_clear(&r);
    p.spent = 89.99;
    r = check_fired(&p, 1, "2026-11-10", f, 1);
    assert_int_equal(r.status[0].ncrossed, 1);
    assert_int_equal(r.nalerts, 0);
    gl_budget_result_clear(&r);
    p.spent = 100;
    r = check_fired(&p, 1, "2026-11-10", f, 2);
    assert_int_equal(r.status[0].ncrossed, 3);
    assert_int_equal(r.nalerts, 1);
    assert_alert(&r.alerts[0], 7, 0, "total", 100, true);
    gl_budget_result_clear(&r);
    p.spent = 99.99;
    r = check_fired(&p, 1, "2026-11-10", f, 2);
    assert_int_equal(r.status[0].ncrossed, 2);
    assert_int_equal(r.nalerts, 0);
    gl_budget_result_clear(&r);
}

static void test_a_boundary_reached_in_decimals_counts(void **state)
{
    (void)state;
    /* 8.1 of 9 h is 90% exactly, though 8.1 / 9 * 100 is 89.99999999999999 in doubles. */
    gl_budget_project p = project(7, 9, 8.1);
    const gl_budget_fired f[] = {{7, "total", 75}};
    gl_budget_result r = check_fired(&p, 1, "2026-11-10", f, 1);
    assert_int_equal(r.status[0].ncrossed, 2);
    assert_int_equal(r.nalerts, 1);
    assert_int_equal(r.alerts[0].level, 90);
    gl_budget_result_clear(&r);
    /* Likewise 0.825 of 1.1 h is 75%. */
    p = project(7, 1.1, 0.825);
    r = check(&p, 1, "2026-11-10");
    assert_int_equal(r.nalerts, 1);
    assert_int_equal(r.alerts[0].level, 75);
    gl_budget_result_clear(&r);
}

static void test_a_jump_past_several_thresholds(void **state)
{
    (void)state;
    gl_budget_project p = project(7, 100, 95);
    gl_budget_result r = check(&p, 1, "2026-11-10");
    assert_int_equal(r.status[0].ncrossed, 2);
    assert_int_equal(r.status[0].crossed[0], 75);
    assert_int_equal(r.status[0].crossed[1], 90);
    assert_int_equal(r.status[0].nalerted, 0);
    /* Both recorded, only the higher announced. */
    assert_int_equal(r.nalerts, 2);
    assert_alert(&r.alerts[0], 7, 0, "total", 75, false);
    assert_alert(&r.alerts[1], 7, 0, "total", 90, true);
    gl_budget_result_clear(&r);

    p.spent = 120;
    r = check(&p, 1, "2026-11-10");
    assert_near(r.status[0].utilization, 120.0);
    assert_int_equal(r.status[0].ncrossed, 3);
    assert_int_equal(r.nalerts, 3);
    assert_alert(&r.alerts[0], 7, 0, "total", 75, false);
    assert_alert(&r.alerts[1], 7, 0, "total", 90, false);
    assert_alert(&r.alerts[2], 7, 0, "total", 100, true);
    gl_budget_result_clear(&r);

    /* From 80% (75 alerted) straight to 100%: 90 and 100 are due, 100 announced. */
    const gl_budget_fired f[] = {{7, "total", 75}};
    p.spent = 100;
    r = check_fired(&p, 1, "2026-11-10", f, 1);
    assert_int_equal(r.status[0].ncrossed, 3);
    assert_int_equal(r.status[0].nalerted, 1);
    assert_int_equal(r.status[0].alerted[0], 75);
    assert_int_equal(r.nalerts, 2);
    assert_alert(&r.alerts[0], 7, 0, "total", 90, false);
    assert_alert(&r.alerts[1], 7, 0, "total", 100, true);
    gl_budget_result_clear(&r);
}

static void test_fired_alerts_are_not_due_again(void **state)
{
    (void)state;
    gl_budget_project p = project(7, 100, 92);
    const gl_budget_fired both[] = {{7, "total", 90}, {7, "total", 75}};
    gl_budget_result r = check_fired(&p, 1, "2026-11-10", both, 2);
    assert_int_equal(r.nalerts, 0);
    assert_int_equal(r.status[0].ncrossed, 2);
    assert_int_equal(r.status[0].nalerted, 2);
    assert_int_equal(r.status[0].alerted[0], 75);
    assert_int_equal(r.status[0].alerted[1], 90);
    gl_budget_result_clear(&r);

    /* Only the same project, period and threshold count as fired. */
    const gl_budget_fired others[] = {
        {7, "total", 75}, {8, "total", 90}, {7, "2026-11", 90}, {7, "total", 100}};
    r = check_fired(&p, 1, "2026-11-10", others, 4);
    assert_int_equal(r.status[0].nalerted, 1);
    assert_int_equal(r.status[0].alerted[0], 75);
    assert_int_equal(r.nalerts, 1);
    assert_alert(&r.alerts[0], 7, 0, "total", 90, true);
    gl_budget_result_clear(&r);
}

static void test_a_monthly_budget_starts_afresh_each_month(void **state)
{
    (void)state;
    gl_budget_project p = project(7, 100, 80);
    p.monthly = true;
    const gl_budget_fired nov[] = {{7, "2026-11", 75}};
    gl_budget_result r = check_fired(&p, 1, "2026-11-28", nov, 1);
    assert_string_equal(r.status[0].period, "2026-11");
    assert_int_equal(r.nalerts, 0);
    assert_int_equal(r.status[0].nalerted, 1);
    gl_budget_result_clear(&r);

    /* December's 80% is a new period: 75 is due again. */
    r = check_fired(&p, 1, "2026-12-03", nov, 1);
    assert_string_equal(r.status[0].period, "2026-12");
    assert_int_equal(r.status[0].nalerted, 0);
    assert_int_equal(r.nalerts, 1);
    assert_alert(&r.alerts[0], 7, 0, "2026-12", 75, true);
    gl_budget_result_clear(&r);

    const gl_budget_fired dec[] = {{7, "2026-12", 75}};
    r = check_fired(&p, 1, "2027-01-02", dec, 1);
    assert_string_equal(r.status[0].period, "2027-01");
    assert_int_equal(r.nalerts, 1);
    assert_string_equal(r.alerts[0].period, "2027-01");
    gl_budget_result_clear(&r);

    /* A total budget's period never changes, so the month makes no difference. */
    p.monthly = false;
    const gl_budget_fired total[] = {{7, "total", 75}};
    r = check_fired(&p, 1, "2026-12-03", total, 1);
    assert_string_equal(r.status[0].period, "total");
    assert_int_equal(r.nalerts, 0);
    gl_budget_result_clear(&r);
    r = check_fired(&p, 1, "2027-01-02", total, 1);
    assert_int_equal(r.nalerts, 0);
    gl_budget_result_clear(&r);
}

static void test_hours_and_money_budgets_alike(void **state)
{
    (void)state;
    /* 30 of 40 hours and 4500.00 of 5000.00 (90%, 75 alerted). */
    gl_budget_project p[] = {project(1, 40, 30), project(2, 5000.0, 4500.0)};
    p[1].money = true;
    p[1].recent = 1000.0;
    p[1].recent_weeks = 4;
    const gl_budget_fired f[] = {{2, "total", 75}};
    gl_budget_result r = check_fired(p, 2, "2026-11-10", f, 1);
    assert_int_equal(r.nstatus, 2);
    assert_near(r.status[0].utilization, 75.0);
    assert_near(r.status[1].utilization, 90.0);
    /* 250.00 a week, 500.00 left: 14 days. */
    assert_near(r.status[1].burn_per_week, 250.0);
    assert_string_equal(r.status[1].full_on, "2026-11-24");
    assert_int_equal(r.nalerts, 2);
    assert_alert(&r.alerts[0], 1, 0, "total", 75, true);
    assert_alert(&r.alerts[1], 2, 1, "total", 90, true);
    gl_budget_result_clear(&r);

    /* The same numbers as hours give the same answer. */
    p[1].money = false;
    r = check_fired(p, 2, "2026-11-10", f, 1);
    assert_near(r.status[1].utilization, 90.0);
    assert_string_equal(r.status[1].full_on, "2026-11-24");
    assert_int_equal(r.nalerts, 2);
    assert_alert(&r.alerts[1], 2, 1, "total", 90, true);
    gl_budget_result_clear(&r);
}

static void test_a_project_without_a_budget_has_no_status(void **state)
{
    (void)state;
    gl_budget_project p[] = {project(1, 0, 50), project(2, -10, 5), project(3, 20, 19)};
    gl_budget_result r = check(p, 2, "2026-11-10");
    assert_int_equal(r.nstatus, 0);
    assert_int_equal(r.nalerts, 0);
    gl_budget_result_clear(&r);

    /* With one that has: its status is the only one, its alerts point at it (index 2). */
    r = check(p, 3, "2026-11-10");
    assert_int_equal(r.nstatus, 1);
    assert_int_equal(r.status[0].project_id, 3);
    assert_int_equal(r.nalerts, 2);
    assert_alert(&r.alerts[0], 3, 2, "total", 75, false);
    assert_alert(&r.alerts[1], 3, 2, "total", 90, true);
    gl_budget_result_clear(&r);
}

static void test_burn_rate(void **state)
{
    (void)state;
    gl_budget_project p[] = {project(1, 100, 10), project(2, 100, 10), project(3, 100, 10)};
    p[0].recent = 30;
    p[0].recent_weeks = 4;
    p[1].recent = 30; /* 0 weeks: no rate, however much was spent */
    p[2].recent_weeks = 4;
    gl_budget_result r = check(p, 3, "2026-11-10");
    assert_int_equal(r.nstatus, 3);
    assert_near(r.status[0].burn_per_week, 7.5);
    assert_near(r.status[1].burn_per_week, 0.0);
    assert_string_equal(r.status[1].full_on, "");
    assert_near(r.status[2].burn_per_week, 0.0);
    assert_string_equal(r.status[2].full_on, "");
    assert_false(r.status[2].full_after_reset);
    gl_budget_result_clear(&r);
}

static void test_the_day_the_budget_is_full(void **state)
{
    (void)state;
    gl_budget_project p[] = {project(1, 100, 50),  project(2, 100, 90), project(3, 100, 100),
                             project(4, 100, 130), project(5, 100, 76), project(6, 100, 100)};
    /* 14 h a week is 2 h a day: 50 h left take 25 days from 2026-11-10. */
    p[0].recent = 28;
    p[0].recent_weeks = 2;
    /* 4 h a week, 10 h left: 17.5 days, so the 18th day fills it. */
    p[1].recent = 16;
    p[1].recent_weeks = 4;
    /* Full already: today, with or without a burn rate. */
    p[2].recent = 28;
    p[2].recent_weeks = 2;
    /* 24 h left at 2 h a day reaches into the next year. */
    p[4].recent = 28;
    p[4].recent_weeks = 2;
    gl_budget_result r = check(p, 6, "2026-11-10");
    assert_string_equal(r.status[0].full_on, "2026-12-05");
    assert_false(r.status[0].full_after_reset); /* a total budget does not reset */
    assert_string_equal(r.status[1].full_on, "2026-11-28");
    assert_string_equal(r.status[2].full_on, "2026-11-10");
    assert_string_equal(r.status[3].full_on, "2026-11-10");
    assert_string_equal(r.status[5].full_on, "2026-11-10"); /* exactly full, no burn */
    gl_budget_result_clear(&r);
    r = check(&p[4], 1, "2026-12-20");
    assert_string_equal(r.status[0].full_on, "2027-01-01");
    gl_budget_result_clear(&r);
}

static void test_the_day_the_budget_is_full_in_decimals(void **state)
{
    (void)state;
    /* 2.8 h over 4 weeks is 0.1 h a day; the 3 h left take exactly 30 days. */
    gl_budget_project p = project(1, 40, 37);
    p.recent = 2.8;
    p.recent_weeks = 4;
    gl_budget_result r = check(&p, 1, "2026-11-02");
    gl_budget_status s = r.status[0];
    /* Cleared before asserting, so a failure here does not also report a leak. */
    gl_budget_result_clear(&r);
    assert_near(s.burn_per_week, 0.7);
    assert_string_equal(s.full_on, "2026-12-02");
}

static void test_the_day_the_budget_is_full_is_a_date_or_nothing(void **state)
{
    (void)state;
    /* Two cents in four weeks against 60000.00: full in about 230,000 years. */
    gl_budget_project p = project(1, 60000.0, 0);
    p.money = true;
    p.recent = 0.02;
    p.recent_weeks = 4;
    gl_budget_result r = check(&p, 1, "2026-11-10");
    gl_budget_status s = r.status[0];
    gl_budget_result_clear(&r);
    int y, m, d;
    if (s.full_on[0] && gl_date_parse(s.full_on, &y, &m, &d) != GL_OK)
        fail_msg("full_on '%s' is neither a YYYY-MM-DD date nor empty", s.full_on);
}

static void test_a_monthly_budget_full_only_after_it_resets(void **state)
{
    (void)state;
    gl_budget_project p[] = {project(1, 100, 50), project(2, 100, 90), project(3, 100, 98),
                             project(4, 100, 100)};
    for (size_t i = 0; i < 4; i++) {
        p[i].monthly = true;
        p[i].recent = 28; /* 2 h a day */
        p[i].recent_weeks = 2;
    }
    gl_budget_result r = check(p, 4, "2026-11-10");
    /* 25 days: December, when November's budget no longer applies. */
    assert_string_equal(r.status[0].full_on, "2026-12-05");
    assert_true(r.status[0].full_after_reset);
    /* 5 days: within November. */
    assert_string_equal(r.status[1].full_on, "2026-11-15");
    assert_false(r.status[1].full_after_reset);
    assert_string_equal(r.status[3].full_on, "2026-11-10");
    assert_false(r.status[3].full_after_reset);
    gl_budget_result_clear(&r);
    /* On the month's last day, 2 h left fill on the 1st: after the reset. */
    r = check(&p[2], 1, "2026-11-30");
    assert_string_equal(r.status[0].full_on, "2026-12-01");
    assert_true(r.status[0].full_after_reset);
    gl_budget_result_clear(&r);
    r = check(&p[2], 1, "2026-11-29");
    assert_string_equal(r.status[0].full_on, "2026-11-30");
    assert_false(r.status[0].full_after_reset);
    gl_budget_result_clear(&r);
    /* A year on is the same month of another year: still after the reset. */
    gl_budget_project slow = project(5, 365, 0);
    slow.monthly = true;
    slow.recent = 7; /* 1 h a day */
    slow.recent_weeks = 1;
    r = check(&slow, 1, "2026-11-10");
    assert_string_equal(r.status[0].full_on, "2027-11-10");
    assert_true(r.status[0].full_after_reset);
    gl_budget_result_clear(&r);
}

static void test_result_order_and_counts(void **state)
{
    (void)state;
    gl_budget_project p[] = {project(1, 100, 95), project(2, 0, 10), project(3, 10, 2),
                             project(4, 50, 50)};
    const int unsorted[] = {100, 75, 90};
    gl_budget_result r;
    gl_assert_ok(gl_budget_check(p, 4, unsorted, 3, "2026-11-10", NULL, 0, &r));
    /* Statuses in the projects' order, skipping the one without a budget. */
    assert_int_equal(r.nstatus, 3);
    assert_int_equal(r.status[0].project_id, 1);
    assert_int_equal(r.status[1].project_id, 3);
    assert_int_equal(r.status[2].project_id, 4);
    assert_near(r.status[1].utilization, 20.0);
    assert_int_equal(r.status[1].ncrossed, 0);
    /* Crossed thresholds ascend even when configured out of order. */
    assert_int_equal(r.status[2].ncrossed, 3);
    assert_int_equal(r.status[2].crossed[0], 75);
    assert_int_equal(r.status[2].crossed[1], 90);
    assert_int_equal(r.status[2].crossed[2], 100);
    /* Alerts by project, then by threshold; each project's highest is announced. */
    assert_int_equal(r.nalerts, 5);
    assert_alert(&r.alerts[0], 1, 0, "total", 75, false);
    assert_alert(&r.alerts[1], 1, 0, "total", 90, true);
    assert_alert(&r.alerts[2], 4, 3, "total", 75, false);
    assert_alert(&r.alerts[3], 4, 3, "total", 90, false);
    assert_alert(&r.alerts[4], 4, 3, "total", 100, true);
    gl_budget_result_clear(&r);

    /* Other thresholds: only those count. */
    const int half[] = {50};
    gl_assert_ok(gl_budget_check(p, 4, half, 1, "2026-11-10", NULL, 0, &r));
    assert_int_equal(r.nalerts, 2);
    assert_alert(&r.alerts[0], 1, 0, "total", 50, true);
    assert_alert(&r.alerts[1], 4, 3, "total", 50, true);
    gl_budget_result_clear(&r);
}

static void test_a_bad_date_is_an_error(void **state)
{
    (void)state;
    gl_budget_project p = project(1, 100, 95);
    gl_budget_result r;
    assert_true(gl_budget_check(&p, 1, levels, 3, "2026-13-01", NULL, 0, &r) < 0);
    assert_true(gl_error_last()[0] != '\0');
    assert_int_equal(r.nstatus, 0);
    assert_int_equal(r.nalerts, 0);
    gl_budget_result_clear(&r);
    assert_true(gl_budget_check(&p, 1, levels, 3, "", NULL, 0, &r) < 0);
    gl_budget_result_clear(&r);
}

static void test_clear_frees_and_empties(void **state)
{
    (void)state;
    gl_budget_project p = project(1, 100, 95);
    gl_budget_result r = check(&p, 1, "2026-11-10");
    assert_non_null(r.status);
    assert_non_null(r.alerts);
    gl_budget_result_clear(&r);
    assert_null(r.status);
    assert_null(r.alerts);
    assert_int_equal(r.nstatus, 0);
    assert_int_equal(r.nalerts, 0);
    gl_budget_result_clear(&r); /* twice is harmless */

    /* No projects: an empty result that clears just the same. */
    r = check(NULL, 0, "2026-11-10");
    assert_int_equal(r.nstatus, 0);
    assert_int_equal(r.nalerts, 0);
    gl_budget_result_clear(&r);
}

/* Last, because UBSan (halt_on_error) stops the run here while budget.c memcpy's from NULL. */
static void test_no_thresholds_means_no_alerts(void **state)
{
    (void)state;
    gl_budget_project p[] = {project(1, 100, 95), project(2, 50, 50)};
    gl_budget_result r;
    gl_assert_ok(gl_budget_check(p, 2, NULL, 0, "2026-11-10", NULL, 0, &r));
    assert_int_equal(r.nstatus, 2);
    assert_int_equal(r.status[1].ncrossed, 0);
    assert_int_equal(r.nalerts, 0);
    gl_budget_result_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_threshold_at_its_boundary_and_just_below),
        cmocka_unit_test(test_a_boundary_reached_in_decimals_counts),
        cmocka_unit_test(test_a_jump_past_several_thresholds),
        cmocka_unit_test(test_fired_alerts_are_not_due_again),
        cmocka_unit_test(test_a_monthly_budget_starts_afresh_each_month),
        cmocka_unit_test(test_hours_and_money_budgets_alike),
        cmocka_unit_test(test_a_project_without_a_budget_has_no_status),
        cmocka_unit_test(test_burn_rate),
        cmocka_unit_test(test_the_day_the_budget_is_full),
        cmocka_unit_test(test_the_day_the_budget_is_full_in_decimals),
        cmocka_unit_test(test_the_day_the_budget_is_full_is_a_date_or_nothing),
        cmocka_unit_test(test_a_monthly_budget_full_only_after_it_resets),
        cmocka_unit_test(test_result_order_and_counts),
        cmocka_unit_test(test_a_bad_date_is_an_error),
        cmocka_unit_test(test_clear_frees_and_empties),
        cmocka_unit_test(test_no_thresholds_means_no_alerts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
