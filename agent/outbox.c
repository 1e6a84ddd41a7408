/*
 * outbox.c - draining the outbox of notices and invoices.
 */
#include "outbox.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/milestones.h"
#include "agent/notify.h"
#include "agent/signin.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#define RETRY_FIRST_S 60
#define RETRY_MAX_S   3600

static int64_t retry_delay(int attempts)
{
    return gl_backoff(RETRY_FIRST_S, RETRY_MAX_S, attempts);
}

/* A failure the user has to mend (config, credentials, a scope): it waits, and says so. */
static bool needs_mending(int rc)
{
    return rc == GL_ECONFIG || rc == GL_EAUTH || rc == GL_EFORBIDDEN || rc == GL_EINSECURE;
}

/* Whether the remote may have acted on a send that failed this way. */
static bool maybe_done(int rc)
{
    /* An answer that is not JSON came with a success status: it may well have been done. */
    return rc == GL_ETIMEOUT || rc == GL_ENETWORK || rc == GL_EREMOTE || rc == GL_ERROR ||
           rc == GL_EBADDATA;
}

int gl_outbox_run(gl_cli *cli, gl_store *store, gl_outbox_report *out)
{
    static const char *const kinds[] = {GL_OUTBOX_SLACK, GL_OUTBOX_EMAIL, GL_OUTBOX_INVOICE,
                                        GL_OUTBOX_INVOICE_MESSAGE};
    gl_signin *si = NULL;
    char *lock_path = NULL;
    int lock = -1, rc = GL_OK;

    memset(out, 0, sizeof(*out));
    if (!(lock_path = gl_strdupf("%s.outbox.lock", gl_store_file(store))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    if ((rc = gl_fs_lock(lock_path, "another gleaner sending notices", &lock)) < 0)
        goto done;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && rc == GL_OK; k++) {
        for (;;) {
            gl_outbox_item *item = NULL;
            bool permanent = false, harvest;
            int src;

            rc = gl_store_outbox_claim(store, kinds[k], &item);
            if (rc == GL_ENOTFOUND) {
                gl_error_clear();
                rc = GL_OK;
                break;
            }
            if (rc < 0)
                break;
            harvest = strncmp(item->kind, "harvest.", 8) == 0;
            if (harvest && !si && (src = gl_signin_harvest(cli, &si)) < 0) {
                permanent = false; /* not signed in (any more): it waits for a sign-in */
            } else if (harvest) {
                src = gl_milestones_send(cli, store, si->harvest, item, &permanent);
            } else {
                src = gl_notify_send(cli, item, &permanent);
            }
            if (src == GL_OK) {
                rc = gl_store_outbox_done(store, item->id, NULL);
                out->sent++;
            } else if (permanent) {
                gl_warn("could not send %s: %s", item->dedupe_key, gl_error_last());
                rc = gl_store_outbox_fail(store, item->id, gl_error_last());
                out->failed++;
            } else {
                char why[512];
                snprintf(why, sizeof(why), "%s", gl_error_last());
                if (needs_mending(src))
                    gl_warn("%s waits: %s (it is sent once that is mended)", item->dedupe_key, why);
                else
                    gl_info("%s not sent yet (%s); trying again later", item->dedupe_key, why);
                rc = gl_store_outbox_retry(store, item->id,
                                           gl_clock_now(cli->clock) + retry_delay(item->attempts),
                                           why, item->uncertain || maybe_done(src));
                out->retrying++;
            }
            gl_outbox_item_free(item);
            if (rc < 0)
                break;
        }
    }

done:
    gl_signin_free(si);
    gl_fs_unlock(lock);
    free(lock_path);
    return rc;
}
