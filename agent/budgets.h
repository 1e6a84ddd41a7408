/*
 * budgets.h - project budgets from Harvest and their alerts.
 *
 * Facts: Harvest's project budget report (hours or money, monthly or
 * total); for a monthly budget the month's spending from the time report,
 * so that it starts afresh each month whatever the report counts; the burn
 * rate from the time reports of the last four full weeks.  Decisions:
 * rules/budget.h.  An alert is recorded, and its messages queued, in one
 * transaction: it fires once per project, period and threshold however
 * often the check runs, and a crash never loses or repeats one.
 */
#ifndef GL_BUDGETS_H
#define GL_BUDGETS_H

#include <stdbool.h>

#include <json-c/json.h>

#include "agent/cli.h"
#include "agent/store.h"

/* Weeks of history the burn rate is averaged over. */
#define GL_BUDGET_BURN_WEEKS 4

/*
 * gl_budgets_run - the budget status of every active project with a budget
 * as DESIGN.md section 8's JSON ({"projects":[{"project_id","name",
 * "budget","budget_by","spent","utilization","crossed","alerted",...}]}),
 * into *doc.  With `check`, due alerts are raised (recorded and queued);
 * with `dry_run` too, they are only listed ("due").  Caller puts *doc.
 */
int gl_budgets_run(gl_cli *cli, gl_store *store, bool check, bool dry_run, json_object **doc);

#endif
