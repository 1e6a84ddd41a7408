/*
 * slack.h - messages to Slack: an incoming webhook (the simplest: its URL,
 * a secret, fixes the channel) or the Web API with a bot token
 * (chat.postMessage to any channel or person, users.lookupByEmail to find
 * one, conversations.history to look a message up).
 *
 * Messages are Block Kit: blocks plus the top-level text Slack shows in
 * notifications.  429 waits for Retry-After (the HTTP layer); Slack's own
 * errors become one line with its code: "Slack refused the message:
 * channel_not_found".  A webhook URL is never named in a message or a trace.
 *
 * Slack has no idempotency key.  Messages sent through the Web API carry
 * gleaner's key as metadata, so that a send whose outcome is unknown can be
 * looked up (gl_slack_find) before it is repeated.
 *
 * Bot token scopes: chat:write to post; users:read.email for
 * gl_slack_lookup_email; for gl_slack_find, channels:history and
 * groups:history (im:history and im:write for a person's direct messages),
 * plus channels:read and groups:read when the channel is given by name
 * (conversations.history takes ids only, so the name is looked up with
 * conversations.list first).
 */
#ifndef GL_SLACK_H
#define GL_SLACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "util/clock.h"

typedef struct gl_slack gl_slack;

typedef struct gl_slack_options {
    const char *webhook_url; /* an incoming webhook; or */
    const char *token;       /* a bot token for the Web API (xoxb-...); copied */
    const char *api_url;     /* default https://slack.com/api */
    const gl_clock *clock;   /* NULL: the system clock; borrowed */
} gl_slack_options;

/* gl_slack_new - a client for a webhook or a token (exactly one).  Free with gl_slack_free. */
int gl_slack_new(gl_slack **out, const gl_slack_options *opts);
void gl_slack_free(gl_slack *s);

/* Whether this client posts through a webhook (one fixed channel, no lookups). */
bool gl_slack_is_webhook(const gl_slack *s);

/*
 * gl_slack_post - post `text` and `blocks` (a JSON array, borrowed; may be
 * NULL) to `channel` (Web API: a channel id or #name, a user id for a
 * direct message; ignored for a webhook).  `key` (may be NULL) goes into
 * the message's metadata.  *ts (optional, `ts_len` bytes) receives the
 * message's timestamp id (Web API only; "" for a webhook).
 * Errors: GL_EREJECTED with Slack's code, GL_EAUTH (not_authed,
 * invalid_auth), GL_ENOTFOUND (channel_not_found), GL_ERATELIMIT, and the
 * transport codes of http.h (outcome unknown).
 */
int gl_slack_post(gl_slack *s, const char *channel, const char *text, json_object *blocks,
                  const char *key, char *ts, size_t ts_len);

/*
 * gl_slack_find - whether a message carrying `key` was posted to `channel`
 * since `since` (UTC seconds): GL_OK with its ts, GL_ENOTFOUND, or GL_EUNAVAILABLE when it cannot
 * be known (a webhook, a token without history scope).  More messages in that span than it reads
 * (2,000) is GL_ETOOBIG: not known either way.
 *
 * `channel` is what gl_slack_post took: an id (C..., G..., D...), a member
 * id (its direct conversation is opened), or a name, "#timesheets" or
 * "timesheets", matched without case against conversations.list (public
 * and private channels the bot can see, archived ones excluded; every
 * page).  A name is looked up once per client.  A name Slack does not have
 * is GL_ENOTFOUND too, with a message that names the channel; a token
 * without channels:read / groups:read gives GL_EUNAVAILABLE.
 */
int gl_slack_find(gl_slack *s, const char *channel, const char *key, int64_t since, char *ts,
                  size_t ts_len);

/* gl_slack_lookup_email - the member id of `email` (users.lookupByEmail); GL_ENOTFOUND. */
int gl_slack_lookup_email(gl_slack *s, const char *email, char *user_id, size_t len);

/* The metadata event type gleaner's messages carry. */
#define GL_SLACK_EVENT_TYPE "gleaner_notice"

#endif
