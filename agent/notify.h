/*
 * notify.h - telling people things: budget alerts, nudges, reports,
 * reminders.  A notice is queued in the outbox (in the caller's
 * transaction, beside the decision it announces) once per channel:
 *
 *   Slack   notify.slack-webhook-file (an incoming webhook), or
 *           notify.slack-token-file + notify.slack-channel (the Web API);
 *   email   notify.email (or the given recipients) through [smtp].
 *
 * The sender (gl_notify_send) delivers a claimed row.  A send whose outcome
 * is unknown is looked up first where Slack allows it (the Web API, by the
 * key in the message's metadata); a webhook or an email is sent again (the
 * email with the same Message-ID, which lets mail systems drop a copy): the
 * window for that is the moment between the server's "done" and the store's
 * commit.
 */
#ifndef GL_NOTIFY_H
#define GL_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "agent/cli.h"
#include "agent/store.h"

#define GL_OUTBOX_SLACK "slack.message"
#define GL_OUTBOX_EMAIL "email"

typedef struct gl_notice {
    const char *title;     /* the header / subject: "ACME Website: 90% of the budget" */
    const char *text;      /* the plain-text body (Slack's fallback, the email's text part) */
    json_object *blocks;   /* Slack Block Kit (borrowed; NULL: built from title and text) */
    const char *html;      /* the email's HTML part (NULL: text only) */
    const char *mail_text; /* the email's text part when it differs from `text` (NULL: text) */
} gl_notice;

/* Which channels the config has: Slack, and email recipients. */
typedef struct gl_channels {
    bool slack;
    size_t emails; /* notify.email addresses */
} gl_channels;

int gl_notify_channels(gl_cli *cli, gl_channels *out);

/*
 * gl_notify_queue - queue `n` for every configured channel, under
 * "<dedupe>#slack" and "<dedupe>#email".  `to` (may be NULL) replaces
 * notify.email as the recipients.  *first_id (optional) receives the first
 * row's id and *queued how many were queued.  GL_EEXISTS when `dedupe` was
 * queued before; GL_ECONFIG when no channel is configured.
 */
int gl_notify_queue(gl_cli *cli, gl_store *store, const char *dedupe, const gl_notice *n,
                    const char *const *to, size_t nto, int64_t *first_id, size_t *queued);

/*
 * gl_notify_queue_person - queue `n` for one person: a Slack direct message
 * when gleaner has a token and knows (or can look up) their Slack id, else
 * an email to `email`.
 */
int gl_notify_queue_person(gl_cli *cli, gl_store *store, const char *dedupe, const char *email,
                           const gl_notice *n, int64_t *id);

/*
 * gl_notify_send - deliver one claimed row of kind slack.message or email.
 * GL_OK when delivered (or found delivered); a negative code otherwise,
 * with *permanent telling whether trying again can help.
 */
int gl_notify_send(gl_cli *cli, const gl_outbox_item *item, bool *permanent);

/* Slack blocks for a notice: a header, the text as sections, a context line. Caller puts. */
json_object *gl_notify_blocks(const char *title, const char *text, const char *footer);

/* Text escaped for HTML; caller frees. */
char *gl_html_escape(const char *text);

#endif
