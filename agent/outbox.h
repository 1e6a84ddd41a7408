/*
 * outbox.h - the sender of everything queued that is not a time entry
 * (those are agent/push.h's): Slack messages and emails (agent/notify.h),
 * draft invoices and invoice messages (agent/milestones.h).
 *
 * Each row was written in the transaction of the decision that caused it.
 * A row is marked as being sent, and that is committed, before it goes
 * out; it is marked done after.  A row found "being sent" (a crash, a lost
 * answer) is checked against the remote where that is possible before it
 * is sent again.  Failures that can pass are retried with backoff (1 min,
 * doubling, at most an hour), and so is what the user has to mend (the
 * config, a credential, a missing scope), with a warning each time: a
 * message is not lost to a typo.  Refusals of the message itself are kept
 * as failed, with the reason.
 * One sender runs at a time per store.
 */
#ifndef GL_OUTBOX_H
#define GL_OUTBOX_H

#include <stddef.h>

#include "agent/cli.h"
#include "agent/store.h"

typedef struct gl_outbox_report {
    size_t sent, failed, retrying;
} gl_outbox_report;

/* gl_outbox_run - send what is due.  GL_ELOCKED when another sender runs. */
int gl_outbox_run(gl_cli *cli, gl_store *store, gl_outbox_report *out);

#endif
