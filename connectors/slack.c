/*
 * slack.c - Slack on the shared HTTP layer.
 */
#include "slack.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/http.h"
#include "util/error.h"
#include "util/json.h"
#include "util/str.h"

/* Slack's Web API allows about one message a second per channel; webhooks the same. */
#define POST_RATE  1.0
#define POST_BURST 3.0
/* conversations.history pages read at most when looking a message up. */
#define MAX_HISTORY_PAGES 10
/*
 * conversations.list pages read at most when resolving a name: 100 of 200
 * (Slack's advice for `limit`) are 20000 channels.  Pages may come back
 * short or empty with a cursor to go on (archived channels are dropped from
 * a page after it is cut), so the cap counts pages, not channels.
 */
#define MAX_LIST_PAGES 100

struct gl_slack {
    gl_http_service *http;
    bool webhook;
    char *resolved_name; /* the last channel name resolved (without '#') ... */
    char *resolved_id;   /* ... and its id */
};

int gl_slack_new(gl_slack **out, const gl_slack_options *o)
{
    gl_http_options h = GL_HTTP_OPTIONS_INIT;
    gl_slack *s;
    int rc;

    *out = NULL;
    if (!o->webhook_url == !o->token)
        return gl_error_set(GL_EINVAL, "slack: give a webhook URL or a token, not both");
    if (!(s = calloc(1, sizeof(*s))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    s->webhook = o->webhook_url != NULL;
    h.service = "slack";
    h.base_url = s->webhook ? o->webhook_url : (o->api_url ? o->api_url : "https://slack.com/api");
    h.secret_url = s->webhook;
    h.clock = o->clock;
    h.rate_per_second = POST_RATE;
    h.rate_burst = POST_BURST;
    h.timeout_ms = 30000;
    if ((rc = gl_http_service_new(&s->http, &h)) < 0 ||
        (!s->webhook && (rc = gl_http_set_bearer(s->http, o->token)) < 0)) {
        gl_slack_free(s);
        return rc;
    }
    *out = s;
    return GL_OK;
}

void gl_slack_free(gl_slack *s)
{
    if (!s)
        return;
    gl_http_service_free(s->http);
    free(s->resolved_name);
    free(s->resolved_id);
    free(s);
}

bool gl_slack_is_webhook(const gl_slack *s)
{
    return s->webhook;
}

/* Slack's {"ok":false,"error":...} as one of our codes, with its message. */
static int api_error(const char *method, json_object *answer)
{
    const char *code = gl_json_str(answer, "error");
    const char *needed = gl_json_str(answer, "needed");

    if (!code)
        return gl_error_set(GL_EBADDATA, "slack: %s answered neither ok nor an error", method);
    if (strcmp(code, "not_authed") == 0 || strcmp(code, "invalid_auth") == 0 ||
        strcmp(code, "account_inactive") == 0 || strcmp(code, "token_revoked") == 0)
        return gl_error_set(GL_EAUTH, "Slack refused the token: %s (check notify.slack-token-file)",
                            code);
    if (strcmp(code, "channel_not_found") == 0 || strcmp(code, "users_not_found") == 0 ||
        strcmp(code, "user_not_found") == 0)
        return gl_error_set(GL_ENOTFOUND, "Slack: %s: %s", method, code);
    if (strcmp(code, "missing_scope") == 0)
        return gl_error_set(GL_EFORBIDDEN, "Slack: %s needs the %s scope for this token", method,
                            needed ? needed : "a missing");
    if (strcmp(code, "ratelimited") == 0 || strcmp(code, "rate_limited") == 0)
        return gl_error_set(GL_ERATELIMIT, "Slack: %s: rate limited", method);
    return gl_error_set(GL_EREJECTED, "Slack refused %s: %s", method, code);
}

/* A webhook answers "ok" in plain text, or a plain-text error code. */
static int webhook_error(int rc, gl_http_response *resp)
{
    char body[96] = "";

    if (!resp)
        return rc;
    gl_str_excerpt(body, sizeof(body), resp->body, resp->body_len, 80);
    gl_str_sanitize(body);
    if (resp->status == 404 || resp->status == 410)
        return gl_error_set(GL_ENOTFOUND,
                            "Slack: the webhook's channel is gone (%s, HTTP %ld); make a new "
                            "webhook",
                            body, resp->status);
    if (resp->status == 403 && strstr(body, "invalid_token"))
        return gl_error_set(GL_EAUTH, "Slack refused the webhook (%s); make a new one", body);
    if (rc == GL_EREJECTED || rc == GL_EFORBIDDEN || rc == GL_EAUTH)
        return gl_error_set(GL_EREJECTED, "Slack refused the message: %s (HTTP %ld)", body,
                            resp->status);
    return rc;
}

static int call(gl_slack *s, const char *method, json_object *body, const char *const *query,
                json_object **answer)
{
    gl_http_response *resp = NULL;
    char path[64];
    gl_http_request req = {.method = body ? "POST" : "GET", .json = body, .query = query};
    int rc;

    *answer = NULL;
    snprintf(path, sizeof(path), "/%s", method);
    req.path = path;
    rc = gl_http_send(&resp, s->http, &req);
    if (rc == GL_OK) {
        bool ok = false;
        if (!resp->json || !gl_json_bool(resp->json, "ok", &ok))
            rc = gl_error_set(GL_EBADDATA, "slack: %s answered something that is not Slack's JSON",
                              method);
        else if (!ok)
            rc = api_error(method, resp->json);
        else
            *answer = json_object_get(resp->json);
    }
    gl_http_response_free(resp);
    return rc;
}

int gl_slack_post(gl_slack *s, const char *channel, const char *text, json_object *blocks,
                  const char *key, char *ts, size_t ts_len)
{
    json_object *body = json_object_new_object(), *answer = NULL;
    int rc;

    if (ts && ts_len)
        ts[0] = '\0';
    json_object_object_add(body, "text", json_object_new_string(text ? text : ""));
    if (blocks)
        json_object_object_add(body, "blocks", json_object_get(blocks));
    json_object_object_add(body, "unfurl_links", json_object_new_boolean(0));
    if (s->webhook) {
        gl_http_response *resp = NULL;
        gl_http_request req = {.method = "POST", .path = "", .json = body, .raw = true};
        rc = gl_http_send(&resp, s->http, &req);
        if (rc < 0)
            rc = webhook_error(rc, resp);
        else if (!resp || resp->body_len < 2 || strncmp(resp->body, "ok", 2) != 0)
            rc = gl_error_set(GL_EBADDATA, "Slack's webhook answered something other than ok");
        gl_http_response_free(resp);
        json_object_put(body);
        return rc;
    }
    if (!channel || !channel[0]) {
        json_object_put(body);
        return gl_error_set(GL_EINVAL, "slack: a message through the Web API needs a channel");
    }
    json_object_object_add(body, "channel", json_object_new_string(channel));
    if (key) {
        json_object *meta = json_object_new_object(), *payload = json_object_new_object();
        json_object_object_add(payload, "key", json_object_new_string(key));
        json_object_object_add(meta, "event_type", json_object_new_string(GL_SLACK_EVENT_TYPE));
        json_object_object_add(meta, "event_payload", payload);
        json_object_object_add(body, "metadata", meta);
    }
    rc = call(s, "chat.postMessage", body, NULL, &answer);
    if (rc == GL_ENOTFOUND)
        rc = gl_error_set(rc, "%s (channel %s)", gl_error_last(), channel);
    if (rc == GL_OK && ts && ts_len) {
        const char *t = gl_json_str(answer, "ts");
        snprintf(ts, ts_len, "%s", t ? t : "");
    }
    json_object_put(answer);
    json_object_put(body);
    return rc;
}

/* A member id (U..., W...): messages to it went to the bot's direct conversation. */
static bool is_member_id(const char *channel)
{
    if (channel[0] != 'U' && channel[0] != 'W')
        return false;
    for (const char *p = channel + 1; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return channel[1] != '\0';
}

/* A conversation id (C..., G..., D...; the spec's defs_channel), as conversations.history wants. */
static bool is_conversation_id(const char *channel)
{
    size_t n = 0;

    if (channel[0] != 'C' && channel[0] != 'G' && channel[0] != 'D')
        return false;
    for (const char *p = channel + 1; *p; p++, n++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return n >= 8;
}

/*
 * *out: the id of the channel named `channel` ("#timesheets" or
 * "timesheets"), from conversations.list: every page, public and private
 * channels the bot can see, archived ones excluded.  Slack's names are lower
 * case, a name in a config file may not be.  The answer is kept for the
 * client's life; *out is borrowed from it.
 */
static int resolve_channel(const char **out, gl_slack *s, const char *channel)
{
    const char *name = channel[0] == '#' ? channel + 1 : channel;
    char *cursor = NULL, *found = NULL;
    int rc = GL_OK;

    *out = NULL;
    if (!name[0])
        return gl_error_set(GL_EINVAL, "slack: \"%s\" names no channel", channel);
    if (s->resolved_name && gl_str_ieq(s->resolved_name, name)) {
        *out = s->resolved_id;
        return GL_OK;
    }
    for (int page = 0; page < MAX_LIST_PAGES; page++) {
        const char *query[] = {"types",
                               "public_channel,private_channel",
                               "exclude_archived",
                               "true",
                               "limit",
                               "200",
                               cursor ? "cursor" : NULL,
                               cursor,
                               NULL};
        json_object *answer = NULL, *list;
        const char *next;
        if ((rc = call(s, "conversations.list", NULL, query, &answer)) < 0) {
            if (rc == GL_EFORBIDDEN)
                rc = gl_error_set(GL_EUNAVAILABLE, "cannot find the id of #%s: %s", name,
                                  gl_error_last());
            goto done;
        }
        list = gl_json_array(answer, "channels");
        for (size_t i = 0; list && i < json_object_array_length(list); i++) {
            json_object *c = json_object_array_get_idx(list, i);
            const char *n = gl_json_str(c, "name"), *id = gl_json_str(c, "id");
            if (n && id && gl_str_ieq(n, name)) {
                if (!(found = gl_strdup(id)))
                    rc = gl_error_set(GL_ENOMEM, "out of memory");
                break;
            }
        }
        next = gl_json_str(gl_json_object(answer, "response_metadata"), "next_cursor");
        free(cursor);
        cursor = NULL;
        /* A page may be empty and still have a cursor: only an empty cursor ends the list. */
        if (rc == GL_OK && !found && next && next[0] && !(cursor = gl_strdup(next)))
            rc = gl_error_set(GL_ENOMEM, "out of memory");
        json_object_put(answer);
        if (rc < 0 || found || !cursor)
            break;
    }
    if (rc < 0)
        goto done;
    if (!found) {
        rc = cursor ? gl_error_set(GL_ETOOBIG,
                                   "Slack: #%s is not in the first %d pages of conversations.list; "
                                   "give the channel's id (C...) instead of its name",
                                   name, MAX_LIST_PAGES)
                    : gl_error_set(GL_ENOTFOUND,
                                   "Slack has no channel named #%s that the bot can see (public, "
                                   "or private with the bot in it, and not archived)",
                                   name);
        goto done;
    }
    free(s->resolved_name);
    free(s->resolved_id);
    s->resolved_id = found;
    found = NULL;
    if (!(s->resolved_name = gl_strdup(name))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    *out = s->resolved_id;
done:
    free(found);
    free(cursor);
    return rc;
}

int gl_slack_find(gl_slack *s, const char *channel, const char *key, int64_t since, char *ts,
                  size_t ts_len)
{
    char oldest[32], cursor[256] = "", dm[64];
    const char *asked = channel;
    bool complete = false;
    int rc = GL_OK;

    if (s->webhook)
        return gl_error_set(GL_EUNAVAILABLE, "a webhook cannot look messages up");
    if (!channel || !channel[0])
        return gl_error_set(GL_EINVAL, "slack: looking a message up needs a channel");
    if (is_member_id(channel)) {
        /* History takes the conversation's id (D...), which conversations.open gives. */
        json_object *body = json_object_new_object(), *answer = NULL;
        const char *id;
        bool found = false;
        json_object_object_add(body, "users", json_object_new_string(channel));
        rc = call(s, "conversations.open", body, NULL, &answer);
        json_object_put(body);
        id = rc == GL_OK ? gl_json_str(gl_json_object(answer, "channel"), "id") : NULL;
        if (id && strlen(id) < sizeof(dm)) {
            snprintf(dm, sizeof(dm), "%s", id);
            found = true;
        }
        json_object_put(answer);
        if (rc < 0)
            return gl_error_set(GL_EUNAVAILABLE, "cannot open the direct conversation with %s: %s",
                                channel, gl_error_last());
        if (!found)
            return gl_error_set(GL_EUNAVAILABLE, "Slack's conversations.open gave no channel id");
        channel = dm;
    } else if (!is_conversation_id(channel)) {
        /* A name: conversations.history takes ids only (a name is channel_not_found). */
        if ((rc = resolve_channel(&channel, s, channel)) < 0)
            return rc;
    }
    snprintf(oldest, sizeof(oldest), "%" PRId64, since);
    for (int page = 0; page < MAX_HISTORY_PAGES; page++) {
        const char *query[] = {"channel",
                               channel,
                               "oldest",
                               oldest,
                               "include_all_metadata",
                               "true",
                               "limit",
                               "200",
                               cursor[0] ? "cursor" : NULL,
                               cursor,
                               NULL};
        json_object *answer = NULL, *msgs;
        const char *next;
        if ((rc = call(s, "conversations.history", NULL, query, &answer)) < 0) {
            if (rc == GL_EFORBIDDEN)
                rc = gl_error_set(GL_EUNAVAILABLE, "%s", gl_error_last());
            return rc;
        }
        msgs = gl_json_array(answer, "messages");
        for (size_t i = 0; msgs && i < json_object_array_length(msgs); i++) {
            json_object *m = json_object_array_get_idx(msgs, i);
            json_object *meta = gl_json_object(m, "metadata");
            const char *type = gl_json_str(meta, "event_type");
            const char *k = gl_json_str(gl_json_object(meta, "event_payload"), "key");
            if (type && k && strcmp(type, GL_SLACK_EVENT_TYPE) == 0 && strcmp(k, key) == 0) {
                const char *t = gl_json_str(m, "ts");
                if (ts && ts_len)
                    snprintf(ts, ts_len, "%s", t ? t : "");
                json_object_put(answer);
                return GL_OK;
            }
        }
        next = gl_json_str(gl_json_object(answer, "response_metadata"), "next_cursor");
        if (!next || !next[0] || strlen(next) >= sizeof(cursor)) {
            complete = !next || !next[0];
            json_object_put(answer);
            break;
        }
        snprintf(cursor, sizeof(cursor), "%s", next);
        json_object_put(answer);
    }
    /* Not all read: it may be there still, so this is not an answer. */
    if (!complete)
        return gl_error_set(GL_ETOOBIG,
                            "Slack: more messages in %s since %s was queued than gleaner reads",
                            asked, key);
    return gl_error_set(GL_ENOTFOUND, "no message with %s in %s", key, asked);
}

int gl_slack_lookup_email(gl_slack *s, const char *email, char *user_id, size_t len)
{
    const char *query[] = {"email", email, NULL};
    json_object *answer = NULL;
    const char *id;
    int rc;

    if (s->webhook)
        return gl_error_set(GL_EUNAVAILABLE,
                            "a webhook cannot find people: give notify.slack-token-file");
    if ((rc = call(s, "users.lookupByEmail", NULL, query, &answer)) < 0) {
        if (rc == GL_ENOTFOUND)
            rc = gl_error_set(GL_ENOTFOUND, "Slack has no member with the email %s", email);
        return rc;
    }
    id = gl_json_str(gl_json_object(answer, "user"), "id");
    if (!id)
        rc = gl_error_set(GL_EBADDATA, "Slack's users.lookupByEmail answered without an id");
    else
        snprintf(user_id, len, "%s", id);
    json_object_put(answer);
    return rc;
}
