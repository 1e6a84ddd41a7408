/*
 * milestone.h - when a billing milestone fires (DESIGN.md section 7).
 * Pure: the milestone's rule, today, what is uninvoiced, how much of the
 * budget is spent and when it last fired, in; whether it fires now, for
 * which period and which span of tracked time, out.
 *
 *   monthly        on the first check in a new month: the month that ended
 *                  (period "2026-11", time 2026-11-01..2026-11-30);
 *   hours >= N     when the uninvoiced billable hours reach N (period: the
 *                  day; time: from the last day the previous invoice
 *                  covered, to today: Harvest imports only what is not
 *                  invoiced yet, so time tracked on that day after it was
 *                  made is billed, and nothing twice);
 *   budget >= N    when N percent of the budget is spent (period: the
 *                  budget's, "2026-11" for a monthly budget, else "total";
 *                  time: as for hours).
 *
 * Nothing fires without uninvoiced time: an empty invoice helps nobody.
 * A period fires once; the caller records it with the draft.
 */
#ifndef GL_MILESTONE_H
#define GL_MILESTONE_H

#include <stdbool.h>

typedef enum gl_milestone_kind {
    GL_MILESTONE_MONTHLY,
    GL_MILESTONE_HOURS,
    GL_MILESTONE_BUDGET,
    GL_MILESTONE_SPRINT
} gl_milestone_kind;

typedef struct gl_milestone_rule {
    gl_milestone_kind kind;
    double threshold; /* hours or percent */
} gl_milestone_rule;

/*
 * gl_milestone_parse - "monthly", "hours >= 40", "budget >= 100" (or
 * "budget >= 100%") or "sprint-closed"; keywords in any case, spaces
 * optional around >=, N over 0.  GL_EINVAL otherwise.
 */
int gl_milestone_parse(const char *when, gl_milestone_rule *out);

typedef struct gl_milestone_facts {
    const char *today;       /* YYYY-MM-DD */
    double uninvoiced_hours; /* billable, not yet invoiced */
    double budget_percent;   /* of the project's budget; < 0 when it has none */
    bool budget_monthly;
    const char *last_period; /* the period it last fired for, or NULL */
    const char *last_to;     /* the last day the previous invoice covered, or NULL */
} gl_milestone_facts;

typedef struct gl_milestone_decision {
    bool fire;
    char period[16];
    char from[11], to[11]; /* the tracked time to invoice; from "" means all unbilled to `to` */
    char why[160];         /* why it fires, or why not */
} gl_milestone_decision;

int gl_milestone_decide(const gl_milestone_rule *rule, const gl_milestone_facts *facts,
                        gl_milestone_decision *out);

#endif
