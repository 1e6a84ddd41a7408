/*
 * milestones.h - [milestone "NAME"] sections: when one fires (rules/
 * milestone.h decides), a draft Harvest invoice for the project's client
 * from the tracked time of the period (line_items_import), once per
 * milestone and period: the alert that records it and the outbox row that
 * creates the draft are one transaction, so a crash or a re-run never makes
 * a second draft.
 *
 * Creating the draft: before a creation whose outcome is unknown is tried
 * again, the client's drafts changed since it was queued are searched for
 * its subject and period (Harvest has no idempotency key; a second import
 * would find the time billed already).  With send = true, a second row
 * then asks Harvest to email it to the milestone's recipients; a send whose
 * outcome is unknown is checked against the invoice's state first.
 */
#ifndef GL_MILESTONES_H
#define GL_MILESTONES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "agent/cli.h"
#include "agent/store.h"
#include "connectors/harvest.h"
#include "rules/milestone.h"

#define GL_OUTBOX_INVOICE         "harvest.invoice"
#define GL_OUTBOX_INVOICE_MESSAGE "harvest.invoice_message"

typedef struct gl_milestone_status {
    char name[128];
    int64_t project_id, client_id;
    char project[200], client[200];
    gl_milestone_decision decision;
    double uninvoiced_hours, uninvoiced_amount, budget_percent;
    char subject[300];
    bool queued; /* a draft was queued by this check */
} gl_milestone_status;

typedef struct gl_milestones_report {
    gl_milestone_status *v; /* owned */
    size_t n;
} gl_milestones_report;

/*
 * gl_milestones_check - evaluate every milestone now (reading Harvest's
 * uninvoiced and budget reports) and, unless `dry_run`, queue the draft of
 * each that fires, with a notice when a channel is configured.
 * GL_ECONFIG for a milestone that does not resolve.  Clear `out`.
 */
int gl_milestones_check(gl_cli *cli, gl_store *store, bool dry_run, gl_milestones_report *out);
void gl_milestones_report_clear(gl_milestones_report *r);
json_object *gl_milestones_json(const gl_milestones_report *r, bool dry_run);

/* gl_milestones_send - carry out one claimed invoice or invoice-message row. */
int gl_milestones_send(gl_cli *cli, gl_store *store, gl_harvest *h, const gl_outbox_item *item,
                       bool *permanent);

#endif
