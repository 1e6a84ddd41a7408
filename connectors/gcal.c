/*
 * gcal.c - Google Calendar API v3: events.list pages and sync tokens, the
 * mapping of an Event to a gl_meeting, and Google's error bodies.
 */
#include "gcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "connectors/http.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/str.h"
#include "util/tz.h"

#define TRACE "gcal"

/* Google allows 600 requests a minute per user; stay well under it. */
#define API_RATE  5.0
#define API_BURST 10.0

/* Google's default page; pages may still come shorter (maxResults is a ceiling). */
#define PAGE_SIZE "250"
/* A runaway listing stops here: 10,000 pages of up to 250 events. */
#define MAX_PAGES 10000

/*
 * 403 rateLimitExceeded/userRateLimitExceeded carry no Retry-After; Google's
 * advice is exponential backoff: 1, 2, 4 ... 32 s, seven tries (under two
 * minutes in all).  The HTTP layer does it (`throttled`).
 */
#define RATE_RETRIES        7
#define RATE_BACKOFF_MS     1000
#define RATE_BACKOFF_MAX_MS 32000
/* A 429 without Retry-After (Google usually sends none) waits this long, up to 7 times. */
#define RETRY_AFTER_MS 2000

/*
 * Only the fields the mapping reads (Google's partial response syntax): a
 * page of events with descriptions and conference data is many times larger.
 */
#define FIELDS                                                                         \
    "nextPageToken,nextSyncToken,timeZone,items(id,iCalUID,status,summary,start,end,"  \
    "originalStartTime,recurringEventId,transparency,eventType,organizer(email,self)," \
    "attendees(email,self,resource,organizer,responseStatus))"

#define DETAIL_MAX 200
#define GONE       1 /* internal: the sync token was refused (410) */

struct gl_gcal {
    gl_http_service *api;
    char *token;
    char *timezone;
    const gl_clock *clock;
    void *refresh_payload; /* the HTTP layer calls the refresh; the client frees this */
    void (*refresh_payload_free)(void *payload);
    int requests; /* of the call in progress */
};

/* ------------------------------------------------------------ errors */

typedef struct google_error {
    long status;
    char message[DETAIL_MAX + 8]; /* error.message, sanitised; may be "" */
    char reason[64];              /* error.errors[0].reason; may be "" */
} google_error;

/* Google's error body {"error": {"code", "message", "errors": [{"reason", ...}]}}. */
static void read_error(const gl_http_response *resp, google_error *e)
{
    json_object *err = resp ? gl_json_object(resp->json, "error") : NULL;
    json_object *errors = gl_json_array(err, "errors");
    const char *msg = gl_json_str(err, "message");
    const char *reason = NULL;

    memset(e, 0, sizeof(*e));
    e->status = resp ? resp->status : 0;
    if (errors && json_object_array_length(errors) > 0)
        reason = gl_json_str(json_object_array_get_idx(errors, 0), "reason");
    if (msg && *msg)
        gl_str_excerpt(e->message, sizeof(e->message), msg, strlen(msg), DETAIL_MAX);
    else if (resp && !err && resp->body_len && resp->body[0] != '<')
        gl_http_error_detail(resp, e->message, sizeof(e->message)); /* not Google's shape */
    if (reason && *reason)
        gl_str_excerpt(e->reason, sizeof(e->reason), reason, strlen(reason), 48);
    gl_str_sanitize(e->message);
    gl_str_sanitize(e->reason);
}

/* The HTTP layer's detail for a Google error body: "Not Found (notFound)". */
static bool describe(const gl_http_response *resp, char *out, size_t len, void *payload)
{
    google_error e;

    (void)payload;
    if (!gl_json_object(resp->json, "error"))
        return false;
    read_error(resp, &e);
    if (!e.message[0] && !e.reason[0])
        return false;
    snprintf(out, len, "%s%s%s%s", e.message, e.reason[0] ? " (" : "", e.reason,
             e.reason[0] ? ")" : "");
    return true;
}

static bool is_rate_reason(const char *reason)
{
    return strcmp(reason, "rateLimitExceeded") == 0 || strcmp(reason, "userRateLimitExceeded") == 0;
}

static bool is_quota_reason(const char *reason)
{
    return strcmp(reason, "quotaExceeded") == 0 || strcmp(reason, "dailyLimitExceeded") == 0;
}

/* "<message> (<reason>)", or whichever of the two there is, or "no reason given". */
static const char *said(const google_error *e, char *buf, size_t len)
{
    if (e->message[0] && e->reason[0])
        snprintf(buf, len, "%s (%s)", e->message, e->reason);
    else
        snprintf(buf, len, "%s",
                 e->message[0]  ? e->message
                 : e->reason[0] ? e->reason
                                : "no reason given");
    return buf;
}

/*
 * An HTTP error as one sentence about `what` ("the events of calendar
 * 'primary'") and what to do.  Transport errors keep the HTTP layer's message.
 */
static int gcal_error(int rc, const gl_http_response *resp, const char *calendar_id,
                      const char *what)
{
    google_error e;
    char words[DETAIL_MAX + 80], id[160];

    if (!resp || resp->status < 400)
        return rc;
    read_error(resp, &e);
    said(&e, words, sizeof(words));
    gl_str_excerpt(id, sizeof(id), calendar_id, strlen(calendar_id), 120);
    switch (e.status) {
    case 401:
        return gl_error_set(GL_EAUTH,
                            "Google did not accept gleaner's access token (401: %s); sign in "
                            "again: gleaner auth google",
                            words);
    case 403:
        if (is_rate_reason(e.reason))
            return gl_error_set(GL_ERATELIMIT,
                                "Google Calendar is still rate limiting gleaner after %d waits "
                                "(403: %s); try again in a few minutes",
                                RATE_RETRIES, words);
        if (is_quota_reason(e.reason))
            return gl_error_set(GL_ERATELIMIT,
                                "Google Calendar refused %s: %s; the project's quota is spent, "
                                "try again later",
                                what, words);
        if (strcmp(e.reason, "insufficientPermissions") == 0)
            return gl_error_set(GL_EFORBIDDEN,
                                "Google Calendar refused %s: %s; the sign-in does not allow "
                                "reading calendars: run gleaner auth google again and allow "
                                "calendar access",
                                what, words);
        return gl_error_set(GL_EFORBIDDEN,
                            "Google Calendar refused %s: %s; check that the signed-in account "
                            "may read calendar '%s'",
                            what, words, id);
    case 404:
        return gl_error_set(GL_ENOTFOUND,
                            "Google Calendar has no calendar '%s' that the signed-in account can "
                            "read (404: %s); check the calendar's google = id in the config: "
                            "primary, or the Calendar ID under the calendar's Settings and "
                            "sharing > Integrate calendar",
                            id, words);
    case 429:
        return gl_error_set(GL_ERATELIMIT,
                            "Google Calendar is still rate limiting gleaner (429: %s); try again "
                            "in a few minutes",
                            words);
    default:
        break;
    }
    if (e.status >= 500)
        return gl_error_set(GL_EREMOTE,
                            "Google Calendar failed on %s (HTTP %ld: %s); try again later", what,
                            e.status, words);
    return gl_error_set(rc, "Google Calendar refused %s: %s (HTTP %ld)", what, words, e.status);
}

/* ------------------------------------------------------------ lifecycle */

static int set_token(gl_gcal *g, const char *token)
{
    char *copy = gl_strdup(token);

    if (!copy)
        return gl_error_set(GL_ENOMEM, "out of memory");
    gl_fs_free_secret(g->token);
    g->token = copy;
    return gl_http_set_bearer(g->api, copy);
}

/* The HTTP layer's throttled: a 403 whose reason is a rate limit (not a spent quota). */
static bool throttled(const gl_http_response *resp, void *payload)
{
    google_error e;

    (void)payload;
    if (resp->status != 403)
        return false;
    read_error(resp, &e);
    return is_rate_reason(e.reason);
}

int gl_gcal_new(gl_gcal **out, const gl_gcal_options *opts)
{
    gl_http_options http = GL_HTTP_OPTIONS_INIT;
    const char *tz = opts && opts->timezone && *opts->timezone ? opts->timezone : "UTC";
    gl_gcal *g;
    int rc;

    *out = NULL;
    if (!opts || !opts->base_url || !*opts->base_url || !opts->token || !*opts->token)
        return gl_error_set(GL_EINVAL, "gcal: a base URL and an access token are required");
    if (!gl_tz_valid(tz))
        return gl_error_set(GL_ECONFIG, "gcal: '%s' is not a time zone gleaner knows", tz);
    if (!(g = calloc(1, sizeof(*g))) || !(g->timezone = gl_strdup(tz))) {
        free(g);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    g->clock = opts->clock;
    http.service = TRACE;
    http.base_url = opts->base_url;
    http.clock = opts->clock;
    http.rate_per_second = API_RATE;
    http.rate_burst = API_BURST;
    http.default_retry_after_ms = RETRY_AFTER_MS;
    http.max_rate_waits = RATE_RETRIES;
    http.backoff_initial_ms = RATE_BACKOFF_MS;
    http.backoff_max_ms = RATE_BACKOFF_MAX_MS;
    http.describe_error = describe;
    http.throttled = throttled;
    http.refresh = opts->refresh; /* the HTTP layer renews the token after a 401 */
    http.refresh_payload = opts->refresh_payload;
    if ((rc = gl_http_service_new(&g->api, &http)) < 0 || (rc = set_token(g, opts->token)) < 0) {
        gl_gcal_free(g);
        return rc;
    }
    /* Only now: a failed _new leaves the payload with the caller, as the header says. */
    g->refresh_payload = opts->refresh_payload;
    g->refresh_payload_free = opts->refresh_payload_free;
    *out = g;
    return GL_OK;
}

void gl_gcal_free(gl_gcal *g)
{
    if (!g)
        return;
    gl_http_service_free(g->api);
    gl_fs_free_secret(g->token);
    free(g->timezone);
    if (g->refresh_payload_free)
        g->refresh_payload_free(g->refresh_payload);
    free(g);
}

void gl_gcal_result_clear(gl_gcal_result *r)
{
    if (!r)
        return;
    free(r->sync_token);
    memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------- requests */

/* GET `path`; *resp as gl_http_send's (a 401 refreshes, a rate limit waits, there). */
static int send_get(gl_gcal *g, const char *path, const char *const *query, gl_http_response **resp)
{
    gl_http_request req = {0};
    int rc;

    req.method = "GET";
    req.path = path;
    req.query = query;
    gl_http_response_free(*resp);
    *resp = NULL;
    rc = gl_http_send(resp, g->api, &req);
    g->requests += *resp ? (*resp)->attempts : 1;
    return rc;
}

/* "/calendars/<escaped id><suffix>" (calendar ids hold '@', '#', '.'); caller frees. */
static int calendar_path(char **out, const char *calendar_id, const char *suffix)
{
    char *esc = curl_easy_escape(NULL, calendar_id, 0);

    *out = NULL;
    if (!esc)
        return gl_error_set(GL_ENOMEM, "out of memory");
    *out = gl_strdupf("/calendars/%s%s", esc, suffix);
    curl_free(esc);
    return *out ? GL_OK : gl_error_set(GL_ENOMEM, "out of memory");
}

int gl_gcal_calendar(gl_gcal *g, const char *calendar_id, json_object **out)
{
    gl_http_response *resp = NULL;
    char *path = NULL, what[200];
    int rc;

    *out = NULL;
    if (!calendar_id || !*calendar_id)
        return gl_error_set(GL_EINVAL, "gcal: no calendar id given");
    if ((rc = calendar_path(&path, calendar_id, "")) < 0)
        return rc;
    g->requests = 0;
    snprintf(what, sizeof(what), "calendar '%.120s'", calendar_id);
    rc = send_get(g, path, NULL, &resp);
    if (rc < 0)
        rc = gcal_error(rc, resp, calendar_id, what);
    else if (!resp || !json_object_is_type(resp->json, json_type_object))
        rc = gl_error_set(GL_EBADDATA, "Google Calendar answered with something that is not a "
                                       "calendar");
    else
        *out = json_object_get(resp->json);
    gl_http_response_free(resp);
    free(path);
    return rc;
}

/* ---------------------------------------------------------------- times */

/*
 * An EventDateTime into UTC seconds: dateTime with its offset (Google always
 * sends one; without, the local time in its timeZone, else the calendar's),
 * or an all-day date as the start of that day in the user's zone.
 */
static bool read_when(gl_gcal *g, json_object *when, const char *cal_tz, int64_t *out,
                      bool *all_day)
{
    const char *dt = gl_json_str(when, "dateTime"), *day = gl_json_str(when, "date");
    const char *tz = gl_json_str(when, "timeZone");
    int y, mo, d, h, mi, s;
    int64_t end;

    *all_day = false;
    if (dt) {
        if (gl_time_parse_utc(out, dt) == GL_OK)
            return true;
        gl_error_clear();
        if (gl_time_parse_civil(dt, &y, &mo, &d, &h, &mi, &s) < 0) {
            gl_error_clear();
            return false;
        }
        if (!tz || !gl_tz_valid(tz))
            tz = cal_tz && gl_tz_valid(cal_tz) ? cal_tz : g->timezone;
        if (gl_tz_from_local(out, tz, y, mo, d, h, mi, s) == GL_OK)
            return true;
        gl_error_clear();
        return false;
    }
    if (day && gl_date_parse(day, &y, &mo, &d) == GL_OK) {
        *all_day = true;
        /* The day's own start: midnight itself may not exist on a DST change day. */
        if (gl_tz_day_bounds(out, &end, g->timezone, y, mo, d) == GL_OK)
            return true;
    }
    gl_error_clear();
    return false;
}

/* ------------------------------------------------------------- mapping */

/* A lower-case copy (ASCII: e-mail domains and addresses as Google sends them). */
static char *lower_dup(const char *s)
{
    char *copy = gl_strdup(s);

    for (char *p = copy; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return copy;
}

static gl_partstat partstat_of(const char *status)
{
    if (!status)
        return GL_PARTSTAT_NONE;
    if (strcmp(status, "accepted") == 0)
        return GL_PARTSTAT_ACCEPTED;
    if (strcmp(status, "tentative") == 0)
        return GL_PARTSTAT_TENTATIVE;
    if (strcmp(status, "declined") == 0)
        return GL_PARTSTAT_DECLINED;
    if (strcmp(status, "needsAction") == 0)
        return GL_PARTSTAT_NEEDS_ACTION;
    return GL_PARTSTAT_NONE;
}

static bool str_is(const char *s, const char *want)
{
    return s && strcmp(s, want) == 0;
}

/* What one item owns while the sink looks at it. */
typedef struct mapped {
    gl_meeting m;
    char *organizer;
    char **domains;
    size_t n_domains;
    char **emails;
    size_t n_emails;
} mapped;

static void mapped_clear(mapped *mp)
{
    free(mp->organizer);
    for (size_t i = 0; i < mp->n_domains; i++)
        free(mp->domains[i]);
    free(mp->domains);
    for (size_t i = 0; i < mp->n_emails; i++)
        free(mp->emails[i]);
    free(mp->emails);
    memset(mp, 0, sizeof(*mp));
}

/* A lower-case copy of `s` added to the set list[*n] unless it is there already. */
static int add_distinct(char ***list, size_t *n, const char *s)
{
    char *copy = lower_dup(s), **grown;

    if (!copy)
        return gl_error_set(GL_ENOMEM, "out of memory");
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*list)[i], copy) == 0) {
            free(copy);
            return GL_OK;
        }
    }
    if (!(grown = realloc(*list, (*n + 1) * sizeof(*grown)))) {
        free(copy);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    *list = grown;
    (*list)[(*n)++] = copy;
    return GL_OK;
}

static int add_attendee(mapped *mp, const char *email)
{
    const char *at = email ? strrchr(email, '@') : NULL;
    int rc;

    if (!at || !at[1])
        return GL_OK;
    if ((rc = add_distinct(&mp->emails, &mp->n_emails, email)) < 0)
        return rc;
    return add_distinct(&mp->domains, &mp->n_domains, at + 1);
}

static int map_people(mapped *mp, json_object *item)
{
    json_object *org = gl_json_object(item, "organizer");
    json_object *attendees = gl_json_array(item, "attendees");
    bool flag = false;
    int rc;

    if (org && gl_json_str(org, "email") && *gl_json_str(org, "email") &&
        !(mp->organizer = lower_dup(gl_json_str(org, "email"))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    mp->m.organizer = mp->organizer;
    mp->m.user_is_organizer = org && gl_json_bool(org, "self", &flag) && flag;
    for (size_t i = 0; attendees && i < json_object_array_length(attendees); i++) {
        json_object *a = json_object_array_get_idx(attendees, i);
        bool self = false, resource = false, organizer = false;

        gl_json_bool(a, "self", &self);
        gl_json_bool(a, "resource", &resource);
        if (self) {
            mp->m.partstat = partstat_of(gl_json_str(a, "responseStatus"));
            if (gl_json_bool(a, "organizer", &organizer) && organizer)
                mp->m.user_is_organizer = true;
            continue;
        }
        if (resource) /* a room or a projector is not a person met */
            continue;
        mp->m.n_attendees++;
        if ((rc = add_attendee(mp, gl_json_str(a, "email"))) < 0)
            return rc;
    }
    mp->m.attendee_domains = (const char *const *)mp->domains;
    mp->m.n_attendee_domains = mp->n_domains;
    mp->m.attendee_emails = (const char *const *)mp->emails;
    mp->m.n_attendee_emails = mp->n_emails;
    return GL_OK;
}

static void skip(gl_gcal_result *out, const char *id, const char *why)
{
    char safe[80];

    gl_str_excerpt(safe, sizeof(safe), id ? id : "", id ? strlen(id) : 0, 60);
    gl_str_sanitize(safe);
    gl_debug("gcal: skipping event '%s': %s", safe, why);
    if (!out->skipped++)
        snprintf(out->problem, sizeof(out->problem), "event '%s': %s", safe, why);
}

/* One item of a page to the sink (or skipped, with a reason). */
static int emit(gl_gcal *g, json_object *item, const char *cal_tz, const gl_gcal_sink *sink,
                gl_gcal_result *out)
{
    const char *id = gl_json_str(item, "id"), *status = gl_json_str(item, "status");
    const char *type = gl_json_str(item, "eventType");
    mapped mp;
    bool end_all_day = false;
    int rc;

    memset(&mp, 0, sizeof(mp));
    if (!json_object_is_type(item, json_type_object) || !id || !*id) {
        skip(out, id, "no id");
        return GL_OK;
    }
    if (str_is(type, "workingLocation") || str_is(type, "birthday")) {
        gl_trace(TRACE, "%s: a %s event, not the user's time: skipped", id, type);
        return GL_OK;
    }
    mp.m.key = id;
    mp.m.uid = gl_json_str(item, "iCalUID") ? gl_json_str(item, "iCalUID") : "";
    mp.m.title = gl_json_str(item, "summary") ? gl_json_str(item, "summary") : "";
    mp.m.recurring = gl_json_str(item, "recurringEventId") != NULL;
    mp.m.cancelled = str_is(status, "cancelled");
    mp.m.tentative = str_is(status, "tentative");
    mp.m.transparent = str_is(gl_json_str(item, "transparency"), "transparent");
    mp.m.type = str_is(type, "outOfOffice") ? GL_MEETING_OUT_OF_OFFICE
                : str_is(type, "focusTime") ? GL_MEETING_FOCUS_TIME
                                            : GL_MEETING_DEFAULT;
    if (read_when(g, gl_json_object(item, "start"), cal_tz, &mp.m.start, &mp.m.all_day)) {
        if (!read_when(g, gl_json_object(item, "end"), cal_tz, &mp.m.end, &end_all_day) ||
            end_all_day != mp.m.all_day)
            mp.m.end = mp.m.start; /* Google always sends one; a missing end spans nothing */
        if (mp.m.end < mp.m.start) {
            skip(out, id, "it ends before it starts");
            return GL_OK;
        }
    } else if (mp.m.cancelled) {
        /* A deleted event: the original start when Google still says it, else nothing. */
        if (read_when(g, gl_json_object(item, "originalStartTime"), cal_tz, &mp.m.start,
                      &mp.m.all_day))
            mp.m.end = mp.m.start;
    } else {
        skip(out, id, "no start time Google's way (date or dateTime)");
        return GL_OK;
    }
    if ((rc = map_people(&mp, item)) == GL_OK) {
        rc = sink->meeting(sink->payload, &mp.m);
        if (rc == GL_OK)
            out->occurrences++;
    }
    mapped_clear(&mp);
    return rc;
}

/* ------------------------------------------------------------- listing */

/*
 * One listing: every page of a full window (sync_token NULL) or of the
 * changes since sync_token.  GONE (not an error) when Google refuses the
 * token with 410.
 */
static int list(gl_gcal *g, const char *calendar_id, const char *path, int64_t from, int64_t to,
                const char *sync_token, const gl_gcal_sink *sink, gl_gcal_result *out)
{
    char tmin[GL_TIME_UTC_LEN], tmax[GL_TIME_UTC_LEN], what[200];
    char *page = NULL;
    gl_http_response *resp = NULL;
    int rc = GL_OK;

    gl_time_format_utc(tmin, from);
    gl_time_format_utc(tmax, to);
    snprintf(what, sizeof(what), "the events of calendar '%.120s'", calendar_id);
    for (int n = 0;; n++) {
        /*
         * A sync token goes without timeMin/timeMax (Google refuses them
         * together) but with every other parameter of the first listing.
         * NULL values are left out by the HTTP layer.
         */
        const char *const query[] = {"singleEvents",
                                     "true",
                                     "showDeleted",
                                     "true",
                                     "maxResults",
                                     PAGE_SIZE,
                                     "fields",
                                     FIELDS,
                                     "timeMin",
                                     sync_token ? NULL : tmin,
                                     "timeMax",
                                     sync_token ? NULL : tmax,
                                     "syncToken",
                                     sync_token,
                                     "pageToken",
                                     page,
                                     NULL};
        json_object *items;
        const char *next, *sync;

        if (n == MAX_PAGES) {
            rc = gl_error_set(GL_EBADDATA, "Google Calendar kept sending pages of %s after %d",
                              what, MAX_PAGES);
            break;
        }
        rc = send_get(g, path, query, &resp);
        if (rc < 0 && sync_token && resp && resp->status == 410) {
            gl_error_clear();
            rc = GONE;
            break;
        }
        if (rc < 0) {
            rc = gcal_error(rc, resp, calendar_id, what);
            break;
        }
        if (!resp || !json_object_is_type(resp->json, json_type_object)) {
            rc = gl_error_set(GL_EBADDATA,
                              "Google Calendar answered with something that is not "
                              "a page of events (%s)",
                              what);
            break;
        }
        items = gl_json_array(resp->json, "items");
        for (size_t i = 0; items && i < json_object_array_length(items) && rc == GL_OK; i++)
            rc = emit(g, json_object_array_get_idx(items, i), gl_json_str(resp->json, "timeZone"),
                      sink, out);
        if (rc < 0)
            break;
        next = gl_json_str(resp->json, "nextPageToken");
        sync = gl_json_str(resp->json, "nextSyncToken");
        if (!next || !*next) {
            /* The last page; it carries the sync token (Google may give none: then NULL). */
            free(out->sync_token);
            out->sync_token = NULL;
            if (sync && *sync && !(out->sync_token = gl_strdup(sync)))
                rc = gl_error_set(GL_ENOMEM, "out of memory");
            break;
        }
        if (page && strcmp(page, next) == 0) {
            rc = gl_error_set(GL_EBADDATA, "Google Calendar sent the same page of %s twice", what);
            break;
        }
        free(page);
        if (!(page = gl_strdup(next))) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
            break;
        }
    }
    gl_http_response_free(resp);
    free(page);
    return rc;
}

int gl_gcal_sync(gl_gcal *g, const char *calendar_id, int64_t from, int64_t to,
                 const char *sync_token, const gl_gcal_sink *sink, gl_gcal_result *out)
{
    char *path = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!g || !calendar_id || !*calendar_id || !sink || !sink->meeting)
        return gl_error_set(GL_EINVAL, "gcal: a calendar id and a sink are required");
    if (from >= to)
        return gl_error_set(GL_EINVAL, "gcal: the window must end after it starts");
    if ((rc = calendar_path(&path, calendar_id, "/events")) < 0)
        return rc;
    g->requests = 0;
    if (sync_token && *sync_token) {
        rc = list(g, calendar_id, path, from, to, sync_token, sink, out);
        if (rc == GONE) {
            gl_info("gcal: Google no longer accepts the sync token of calendar '%s' (410); "
                    "listing the window again",
                    calendar_id);
            if (sink->reset && (rc = sink->reset(sink->payload)) < 0)
                goto done;
            out->occurrences = 0;
            out->full = true;
            rc = list(g, calendar_id, path, from, to, NULL, sink, out);
        }
    } else {
        out->full = true;
        rc = list(g, calendar_id, path, from, to, NULL, sink, out);
    }
done:
    out->requests = g->requests;
    gl_trace(TRACE, "calendar %s: %s, %zu occurrences, %zu skipped, %d requests, sync token %s",
             calendar_id, out->full ? "full" : "incremental", out->occurrences, out->skipped,
             out->requests, out->sync_token ? "received" : "none");
    free(path);
    return rc;
}
