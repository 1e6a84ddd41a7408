/*
 * propose.h - proposals in the store: inferring them from the activities
 * (agent/infer.h) without ever duplicating one, and the user's decisions
 * about them (accept, edit, reject), which the classifier learns from.
 *
 * A re-run recognises its proposals by day and by the mapping inference
 * chose (origin), whatever the user changed since:
 *   - an open proposal (proposed, not edited) is updated to what the
 *     activities say now, or removed when nothing is left to propose;
 *   - an edited or rejected one stays as the user left it; what it holds
 *     is never proposed again, and only activities that came after (an
 *     afternoon's commits after a morning's edit) are proposed, on their own;
 *   - accepted and pushed ones count as tracked, like the hours already in
 *     Harvest for that day, project and task, which are subtracted: only
 *     what is left is proposed (a top-up after an evening's commits).
 *
 * Accepting queues the Harvest entry in the outbox in the same transaction
 * (agent/push.h sends it, exactly once).  Proposals whose confidence reaches
 * propose.auto-accept are accepted as they are proposed.
 */
#ifndef GL_PROPOSE_H
#define GL_PROPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "agent/catalog.h"
#include "agent/cli.h"
#include "agent/store.h"

/*
 * Days before a window whose calendars `gleaner propose` also reads, so that
 * the days the user tracked by hand can teach what their meetings were.
 */
#define GL_PROPOSE_LEARN_DAYS 56

/* Prefix of gleaner's keys, the external_reference.id of what it creates. */
#define GL_PROPOSAL_KEY_PREFIX "gleaner-"

typedef struct gl_propose_report {
    size_t added, updated, removed, unchanged;
    size_t kept;              /* left as the user decided */
    size_t auto_accepted;     /* at or above propose.auto-accept */
    size_t activities;        /* counted activities read */
    double model_examples;    /* what the classifier learned from */
    size_t calibrated_days;   /* history days the session lengths were fitted to (0: defaults) */
    int64_t max_gap, lead_in; /* the session lengths used, seconds */
    int64_t switch_gap;       /* a change of branch after this pause starts one (0: max_gap) */
    int64_t lead_out;         /* counted after a session's last commit, seconds */
    int64_t lunch_gap;        /* a pause around midday over this ends a session; 0: off */
    double entry_grain;       /* hours the user's own entries are rounded up to (0: not rounded) */
    bool usual_habits; /* the fit kept the usual session lengths: the days did not pay for others */
} gl_propose_report;

/*
 * gl_propose_run - infer the proposals of every day in `w` from the store's
 * activities and the Harvest mirror, and reconcile them with the stored
 * ones as described above.  With `dry_run` nothing is written (the report
 * says what would change).  GL_ECONFIG for a rule that does not resolve.
 */
int gl_propose_run(gl_cli *cli, gl_store *store, const gl_window *w, bool dry_run,
                   gl_propose_report *out);

/*
 * gl_proposal_json - one proposal as DESIGN.md section 8 shows it, with
 * the project, task and client names the catalog knows.  Caller puts.
 */
json_object *gl_proposal_json(const gl_proposal *p, const gl_catalog *cat);

/*
 * gl_propose_list_json - {"from","to","timezone","proposals":[...]} for the
 * proposals dated in `w` whose status is `status` (NULL: any).  Caller puts.
 */
int gl_propose_list_json(gl_cli *cli, gl_store *store, const gl_window *w, const char *status,
                         json_object **out);

/* What became of one decision: GL_OK, or why not (in `why`). */
typedef struct gl_decision_result {
    int64_t id;
    int status;    /* GL_OK or an error code */
    char why[256]; /* the message when it failed or was skipped */
    bool skipped;  /* nothing to do (already accepted, ...) */
} gl_decision_result;

/*
 * gl_propose_accept - accept proposal `id`: queue its Harvest entry and
 * learn from it.  Unassigned proposals, archived projects and zero hours
 * are refused (GL_EINVAL); an accepted or pushed one is skipped.
 */
int gl_propose_accept(gl_cli *cli, gl_store *store, int64_t id, gl_decision_result *out);

/*
 * gl_propose_reject - reject proposal `id` (taking back a queued entry that
 * has not been sent).  GL_ECONFLICT when it is being pushed or was pushed.
 */
int gl_propose_reject(gl_cli *cli, gl_store *store, int64_t id, gl_decision_result *out);

/* A change to a proposal; unset members are left alone. */
typedef struct gl_proposal_edit {
    bool set_hours;
    double hours;
    const char *project; /* id, code or name */
    const char *task;    /* id or name; when only the project changes: its usual task */
    const char *notes;
} gl_proposal_edit;

/*
 * gl_propose_edit - change proposal `id` as `e` says (it becomes edited,
 * and stays so on re-runs).  A change of project or task is learned from.
 * GL_EINVAL for bad values, GL_ECONFIG for a project or task that does not
 * resolve, GL_ECONFLICT for a pushed proposal.
 */
int gl_propose_edit(gl_cli *cli, gl_store *store, int64_t id, const gl_proposal_edit *e,
                    gl_decision_result *out);

#endif
