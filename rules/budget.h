/*
 * budget.h - budget alerts (DESIGN.md section 7).  Pure: the projects'
 * budgets, what they spent, their recent burn, the thresholds, what was
 * already alerted and today's date in; the alerts to raise out.
 *
 * A project's period is its budget's: the month ("2026-11") for a monthly
 * budget, which starts afresh each month, else "total".  Each threshold
 * fires once per project, period and threshold.  When several are crossed
 * at once (75 and 90 on the same day), each is recorded but only the
 * highest is announced, so nobody reads two messages about one moment.
 */
#ifndef GL_BUDGET_H
#define GL_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How far ahead the day a budget fills is projected: ten years. */
#define GL_BUDGET_HORIZON_DAYS 3653

typedef struct gl_budget_project {
    int64_t project_id;
    const char *name;
    bool money;   /* the budget is an amount (project_cost, task_fees), else hours */
    bool monthly; /* budget_is_monthly */
    double budget, spent;
    double recent;       /* spent in the last full weeks (the burn rate) */
    size_t recent_weeks; /* how many weeks `recent` covers; 0: no burn rate */
} gl_budget_project;

/* An alert already raised (from the store's alerts). */
typedef struct gl_budget_fired {
    int64_t project_id;
    const char *period;
    int level;
} gl_budget_fired;

typedef struct gl_budget_status {
    int64_t project_id;
    char period[16];       /* "2026-11" or "total" */
    double utilization;    /* percent of the budget spent */
    double burn_per_week;  /* recent / recent_weeks; 0 when there is none */
    char full_on[11];      /* YYYY-MM-DD when 100% is reached at that rate; "" when it is not, or
                              only after GL_BUDGET_HORIZON_DAYS */
    bool full_after_reset; /* a monthly budget that would fill only after the month ends */
    int crossed[8];        /* thresholds at or below utilization */
    size_t ncrossed;
    int alerted[8]; /* of those, the ones already alerted before this check */
    size_t nalerted;
} gl_budget_status;

typedef struct gl_budget_alert {
    int64_t project_id;
    size_t project; /* index into the projects given */
    char period[16];
    int level;     /* the threshold */
    bool announce; /* false for a lower threshold crossed together with a higher one */
} gl_budget_alert;

typedef struct gl_budget_result {
    gl_budget_status *status; /* one per project with a budget; owned */
    size_t nstatus;
    gl_budget_alert *alerts; /* owned */
    size_t nalerts;
} gl_budget_result;

/*
 * gl_budget_check - the status of each project with a budget (> 0) and the
 * alerts due: thresholds (ascending or not; at most 8) reached in the
 * current period and not in `fired`.  `today` is YYYY-MM-DD.  Clear `out`
 * with gl_budget_result_clear.
 */
int gl_budget_check(const gl_budget_project *projects, size_t n, const int *thresholds,
                    size_t nthresholds, const char *today, const gl_budget_fired *fired,
                    size_t nfired, gl_budget_result *out);
void gl_budget_result_clear(gl_budget_result *r);

#endif
