/*
 * notify.c - notices into the outbox, and out of it to Slack and email.
 */
#include "notify.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connectors/slack.h"
#include "connectors/smtp.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/str.h"

/* Tries of a lookup that cannot read back far enough before the row fails (about a day). */
#define LOOKUP_TRIES 30

/* Block Kit limits: a section's text and a header's. */
#define SECTION_MAX 2900
#define HEADER_MAX  150

char *gl_html_escape(const char *text)
{
    gl_buf b = GL_BUF_INIT(0);

    for (const char *p = text ? text : ""; *p; p++) {
        switch (*p) {
        case '&':
            gl_buf_puts(&b, "&amp;");
            break;
        case '<':
            gl_buf_puts(&b, "&lt;");
            break;
        case '>':
            gl_buf_puts(&b, "&gt;");
            break;
        case '"':
            gl_buf_puts(&b, "&quot;");
            break;
        default:
            gl_buf_append(&b, p, 1);
        }
    }
    return b.ptr ? gl_buf_detach(&b) : gl_strdup("");
}

/* Slack's mrkdwn needs &, < and > escaped; nothing else. */
static char *mrkdwn_escape(const char *text, size_t max)
{
    gl_buf b = GL_BUF_INIT(max + 16);

    for (const char *p = text ? text : ""; *p && b.len < max; p++) {
        if (*p == '&')
            gl_buf_puts(&b, "&amp;");
        else if (*p == '<')
            gl_buf_puts(&b, "&lt;");
        else if (*p == '>')
            gl_buf_puts(&b, "&gt;");
        else
            gl_buf_append(&b, p, 1);
    }
    return b.ptr ? gl_buf_detach(&b) : gl_strdup("");
}

static json_object *text_object(const char *type, const char *text)
{
    json_object *t = json_object_new_object();
    json_object_object_add(t, "type", json_object_new_string(type));
    json_object_object_add(t, "text", json_object_new_string(text));
    return t;
}

json_object *gl_notify_blocks(const char *title, const char *text, const char *footer)
{
    json_object *blocks = json_object_new_array(), *b;
    char header[HEADER_MAX + 1];
    const char *p = text ? text : "";

    snprintf(header, sizeof(header), "%s", title ? title : "gleaner");
    b = json_object_new_object();
    json_object_object_add(b, "type", json_object_new_string("header"));
    json_object_object_add(b, "text", text_object("plain_text", header));
    json_object_array_add(blocks, b);
    /* The text in paragraphs, each a section under Slack's limit. */
    while (*p && json_object_array_length(blocks) < 45) {
        const char *end = strstr(p, "\n\n");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *chunk, *esc;
        if (len > SECTION_MAX)
            len = SECTION_MAX;
        if (len && (chunk = gl_strndup(p, len))) {
            esc = mrkdwn_escape(chunk, SECTION_MAX);
            b = json_object_new_object();
            json_object_object_add(b, "type", json_object_new_string("section"));
            json_object_object_add(b, "text", text_object("mrkdwn", esc ? esc : ""));
            json_object_array_add(blocks, b);
            free(esc);
            free(chunk);
        }
        p += len;
        while (*p == '\n')
            p++;
    }
    if (footer) {
        json_object *els = json_object_new_array();
        json_object_array_add(els, text_object("mrkdwn", footer));
        b = json_object_new_object();
        json_object_object_add(b, "type", json_object_new_string("context"));
        json_object_object_add(b, "elements", els);
        json_object_array_add(blocks, b);
    }
    return blocks;
}

/* ---------------------------------------------------------------- queueing */

int gl_notify_channels(gl_cli *cli, gl_channels *out)
{
    const gl_config *cfg;
    const char *const *emails;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    out->slack = gl_config_is_set(cfg, "notify.slack-webhook-file") ||
                 (gl_config_is_set(cfg, "notify.slack-token-file") &&
                  gl_config_is_set(cfg, "notify.slack-channel"));
    out->emails =
        gl_config_is_set(cfg, "notify.email") ? gl_config_get_all(cfg, "notify.email", &emails) : 0;
    return GL_OK;
}

static int queue_row(gl_store *store, const char *kind, const char *dedupe, json_object *payload,
                     int64_t *first_id, size_t *queued)
{
    int64_t id = 0;
    int rc = gl_store_outbox_add(store, kind, dedupe, gl_json_compact(payload), &id);

    if (rc == GL_OK) {
        if (first_id && !*first_id)
            *first_id = id;
        if (queued)
            (*queued)++;
    }
    return rc;
}

static json_object *slack_payload(const gl_notice *n, const char *channel)
{
    json_object *p = json_object_new_object();
    json_object_object_add(p, "channel", channel ? json_object_new_string(channel) : NULL);
    json_object_object_add(p, "text", json_object_new_string(n->title ? n->title : ""));
    json_object_object_add(p, "blocks",
                           n->blocks ? json_object_get(n->blocks)
                                     : gl_notify_blocks(n->title, n->text, NULL));
    return p;
}

static json_object *email_payload(gl_cli *cli, const gl_notice *n, const char *const *to,
                                  size_t nto, const char *dedupe)
{
    json_object *p = json_object_new_object(), *arr = json_object_new_array();
    char *host = NULL, *mid;
    const gl_config *cfg = NULL;
    const char *from = NULL;

    for (size_t i = 0; i < nto; i++)
        json_object_array_add(arr, json_object_new_string(to[i]));
    json_object_object_add(p, "to", arr);
    json_object_object_add(p, "subject", json_object_new_string(n->title ? n->title : "gleaner"));
    json_object_object_add(p, "text",
                           json_object_new_string(n->mail_text ? n->mail_text
                                                  : n->text    ? n->text
                                                               : ""));
    if (n->html)
        json_object_object_add(p, "html", json_object_new_string(n->html));
    /* A Message-ID fixed when queued: a resend is the same message. */
    if (gl_cli_config(cli, &cfg) == GL_OK)
        from = gl_config_get(cfg, "smtp.from");
    host = from && strchr(from, '@') ? gl_strdup(strchr(from, '@') + 1) : gl_strdup("gleaner");
    {
        char safe[200];
        size_t k = 0;
        for (const char *q = dedupe; *q && k + 1 < sizeof(safe); q++)
            safe[k++] = (char)((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                                       (*q >= '0' && *q <= '9') || *q == '-' || *q == '.'
                                   ? *q
                                   : '.');
        safe[k] = '\0';
        mid = gl_strdupf("<%s@%s>", safe, host ? host : "gleaner");
    }
    json_object_object_add(p, "message_id", json_object_new_string(mid ? mid : ""));
    free(mid);
    free(host);
    return p;
}

int gl_notify_queue(gl_cli *cli, gl_store *store, const char *dedupe, const gl_notice *n,
                    const char *const *to, size_t nto, int64_t *first_id, size_t *queued)
{
    const gl_config *cfg;
    gl_channels ch;
    char key[300];
    int rc;

    if (first_id)
        *first_id = 0;
    if (queued)
        *queued = 0;
    if ((rc = gl_cli_config(cli, &cfg)) < 0 || (rc = gl_notify_channels(cli, &ch)) < 0)
        return rc;
    if (!to)
        nto =
            gl_config_is_set(cfg, "notify.email") ? gl_config_get_all(cfg, "notify.email", &to) : 0;
    if (!ch.slack && nto == 0)
        return gl_error_set(GL_ECONFIG,
                            "nowhere to send it: set notify.slack-webhook-file, or "
                            "notify.slack-token-file with notify.slack-channel, or notify.email "
                            "(with [smtp])");
    if (ch.slack) {
        json_object *p = slack_payload(n, gl_config_is_set(cfg, "notify.slack-webhook-file")
                                              ? NULL
                                              : gl_config_get(cfg, "notify.slack-channel"));
        snprintf(key, sizeof(key), "%s#slack", dedupe);
        rc = queue_row(store, GL_OUTBOX_SLACK, key, p, first_id, queued);
        json_object_put(p);
        if (rc < 0)
            return rc;
    }
    /*
     * To several people, one row each (all named in To): an address the
     * server refuses, or a mailbox that is full for now, keeps the message
     * from nobody else, and each copy goes once.
     */
    for (size_t i = 0; i < nto && rc == GL_OK; i++) {
        json_object *p = email_payload(cli, n, to, nto, dedupe);
        if (nto > 1) {
            json_object *rcpt = json_object_new_array();
            json_object_array_add(rcpt, json_object_new_string(to[i]));
            json_object_object_add(p, "rcpt", rcpt);
            snprintf(key, sizeof(key), "%s#email:%s", dedupe, to[i]);
        } else {
            snprintf(key, sizeof(key), "%s#email", dedupe);
        }
        rc = queue_row(store, GL_OUTBOX_EMAIL, key, p, first_id, queued);
        json_object_put(p);
    }
    return rc;
}

/* The [person] section whose email is `email` (case-insensitive), or NULL. */
static const char *person_of(const gl_config *cfg, const char *email)
{
    const char *const *names;
    size_t n = gl_config_sections(cfg, "person", &names);

    for (size_t i = 0; i < n; i++) {
        char key[200];
        const char *e;
        snprintf(key, sizeof(key), "person.%s.email", names[i]);
        if ((e = gl_config_get(cfg, key)) && strcasecmp(e, email) == 0)
            return names[i];
    }
    return NULL;
}

int gl_notify_queue_person(gl_cli *cli, gl_store *store, const char *dedupe, const char *email,
                           const gl_notice *n, int64_t *id)
{
    const gl_config *cfg;
    const char *person, *slack_id = NULL;
    char key[300];
    json_object *p;
    int rc;

    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    if ((person = person_of(cfg, email))) {
        char k[200];
        snprintf(k, sizeof(k), "person.%s.slack-id", person);
        slack_id = gl_config_get(cfg, k);
    }
    if (gl_config_is_set(cfg, "notify.slack-token-file")) {
        /* A direct message: to the known id, or to whoever Slack says has that email. */
        p = slack_payload(n, slack_id);
        if (!slack_id)
            json_object_object_add(p, "person_email", json_object_new_string(email));
        snprintf(key, sizeof(key), "%s#slack", dedupe);
        rc = queue_row(store, GL_OUTBOX_SLACK, key, p, id, NULL);
    } else if (gl_config_is_set(cfg, "smtp.url")) {
        const char *to[] = {email};
        p = email_payload(cli, n, to, 1, dedupe);
        snprintf(key, sizeof(key), "%s#email", dedupe);
        rc = queue_row(store, GL_OUTBOX_EMAIL, key, p, id, NULL);
    } else {
        return gl_error_set(GL_ECONFIG,
                            "cannot reach %s: reminders need notify.slack-token-file (Slack direct "
                            "messages) or [smtp] (email)",
                            email);
    }
    json_object_put(p);
    return rc;
}

/* ---------------------------------------------------------------- sending */

/*
 * Refusals of the message itself.  What the user can mend (the config, a
 * token revoked or missing a scope, a secret file's mode) is not one: the
 * message waits for the mend (agent/outbox.h).
 */
static bool permanent_error(int rc)
{
    return rc == GL_EREJECTED || rc == GL_ENOTFOUND || rc == GL_EINVAL || rc == GL_ETOOBIG;
}

/*
 * The client for a queued message: a message queued for a channel or a
 * person goes by the Web API, one queued without (notify.slack-webhook-file
 * was set) by the webhook, whatever else is configured as well.
 */
static int slack_client(gl_cli *cli, bool api, gl_slack **out)
{
    const gl_config *cfg;
    gl_slack_options o = {.clock = cli->clock};
    char *secret = NULL;
    int rc;

    *out = NULL;
    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    o.api_url = gl_config_get(cfg, "notify.slack-api-url");
    if (api && gl_config_is_set(cfg, "notify.slack-token-file")) {
        if ((rc = gl_fs_read_secret(&secret, gl_config_get(cfg, "notify.slack-token-file"),
                                    "notify.slack-token-file")) < 0)
            return rc;
        o.token = secret;
    } else if (!api && gl_config_is_set(cfg, "notify.slack-webhook-file")) {
        if ((rc = gl_fs_read_secret(&secret, gl_config_get(cfg, "notify.slack-webhook-file"),
                                    "notify.slack-webhook-file")) < 0)
            return rc;
        o.webhook_url = secret;
    } else {
        return gl_error_set(GL_ECONFIG, "a Slack message is queued for %s but %s is not set",
                            api ? "the Web API" : "the webhook",
                            api ? "notify.slack-token-file" : "notify.slack-webhook-file");
    }
    rc = gl_slack_new(out, &o);
    gl_fs_free_secret(secret);
    return rc;
}

static int send_slack(gl_cli *cli, const gl_outbox_item *item, json_object *p)
{
    gl_slack *s = NULL;
    const char *channel = gl_json_str(p, "channel"), *email = gl_json_str(p, "person_email");
    char user[64], ts[64];
    int rc;

    if ((rc = slack_client(cli, channel || email, &s)) < 0)
        return rc;
    if (!channel && email && !gl_slack_is_webhook(s)) {
        if ((rc = gl_slack_lookup_email(s, email, user, sizeof(user))) < 0)
            goto done;
        channel = user;
    }
    if (item->uncertain && !gl_slack_is_webhook(s) && channel) {
        /* It may have gone out already, at any try since it was queued: look for its key. */
        rc = gl_slack_find(s, channel, item->dedupe_key, item->created_at - 60, ts, sizeof(ts));
        if (rc == GL_OK) {
            gl_info("slack: %s was posted already (ts %s)", item->dedupe_key, ts);
            goto done;
        }
        /*
         * Post again only when it is known not to be there, or cannot be looked
         * for (the token lacks a history scope: the risk of a copy is the
         * lesser one).  A lookup that failed for a while (the network, a 5xx,
         * a rate limit) or that could not read back far enough is tried again
         * later; after a day of that the row fails rather than risk a copy.
         */
        if (rc == GL_ETOOBIG && item->attempts < LOOKUP_TRIES)
            rc = gl_error_set(GL_ERROR, "%s", gl_error_last());
        if (rc != GL_ENOTFOUND && rc != GL_EUNAVAILABLE)
            goto done;
        gl_info("slack: %s: %s; posting", item->dedupe_key, gl_error_last());
        gl_error_clear();
    }
    rc = gl_slack_post(s, channel, gl_json_str(p, "text"), gl_json_array(p, "blocks"),
                       item->dedupe_key, ts, sizeof(ts));
done:
    gl_slack_free(s);
    return rc;
}

static int send_email(gl_cli *cli, const gl_outbox_item *item, json_object *p)
{
    const gl_config *cfg;
    gl_smtp_options o = {0};
    gl_mail m = {0};
    json_object *arr = gl_json_array(p, "to"), *rcpt = gl_json_array(p, "rcpt");
    const char **to = NULL, **envelope = NULL;
    char *password = NULL;
    int rc;

    (void)item;
    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    if (!gl_config_is_set(cfg, "smtp.url") || !gl_config_is_set(cfg, "smtp.from"))
        return gl_error_set(GL_ECONFIG, "an email is queued but [smtp] url and from are not set");
    o.url = gl_config_get(cfg, "smtp.url");
    o.from = gl_config_get(cfg, "smtp.from");
    o.user = gl_config_is_set(cfg, "smtp.user") ? gl_config_get(cfg, "smtp.user") : NULL;
    if (o.user && gl_config_is_set(cfg, "smtp.password-file") &&
        (rc = gl_fs_read_secret(&password, gl_config_get(cfg, "smtp.password-file"),
                                "smtp.password-file")) < 0)
        return rc;
    o.password = password;
    m.nto = arr ? json_object_array_length(arr) : 0;
    if (m.nto && !(to = calloc(m.nto, sizeof(*to)))) {
        gl_fs_free_secret(password);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < m.nto; i++)
        to[i] = json_object_get_string(json_object_array_get_idx(arr, i));
    m.to = to;
    if (rcpt && (m.nrcpt = json_object_array_length(rcpt)) > 0) {
        if (!(envelope = calloc(m.nrcpt, sizeof(*envelope)))) {
            free(to);
            gl_fs_free_secret(password);
            return gl_error_set(GL_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < m.nrcpt; i++)
            envelope[i] = json_object_get_string(json_object_array_get_idx(rcpt, i));
        m.rcpt = envelope;
    }
    m.subject = gl_json_str(p, "subject");
    m.text = gl_json_str(p, "text");
    m.html = gl_json_str(p, "html");
    m.message_id = gl_json_str(p, "message_id");
    m.date = gl_clock_now(cli->clock);
    if (!m.text)
        m.text = "";
    rc = gl_smtp_send(&o, &m);
    free(to);
    free(envelope);
    gl_fs_free_secret(password);
    return rc;
}

int gl_notify_send(gl_cli *cli, const gl_outbox_item *item, bool *permanent)
{
    json_object *p = NULL;
    int rc;

    *permanent = false;
    if ((rc = gl_json_parse(&p, item->payload, strlen(item->payload), "a queued notice")) < 0) {
        *permanent = true;
        return rc;
    }
    if (strcmp(item->kind, GL_OUTBOX_SLACK) == 0)
        rc = send_slack(cli, item, p);
    else if (strcmp(item->kind, GL_OUTBOX_EMAIL) == 0)
        rc = send_email(cli, item, p);
    else
        rc = gl_error_set(GL_EINVAL, "not a notice: %s", item->kind);
    json_object_put(p);
    if (rc < 0)
        *permanent = permanent_error(rc);
    return rc;
}
