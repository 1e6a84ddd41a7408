/*
 * test_gcal.c - the Google Calendar connector against the stateful fake
 * (tests/fakes/fake_gcal.py): a first sync over several pages, the mapping
 * of every field and event type, incremental sync with a change and a
 * cancellation, 410 -> reset and a full listing, 401 -> one refresh, rate
 * limit storms, all-day dates across a DST change, a missing calendar, and
 * gl_signin_gcal with the token file it reads and refreshes.
 */
#include "support.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/cli.h"
#include "agent/signin.h"
#include "connectors/gcal.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/str.h"
#include "util/tz.h"

#define TOKEN   "ya29.test-access-token-one-0123456789"
#define TOKEN_2 "ya29.test-access-token-two-0123456789"
#define ME      "ada@example.com"
#define TEAM    "acme-team@group.calendar.google.com"

/* ------------------------------------------------------------ the fake */

static void fake_start(gl_test_fake *fake, const char *page_size)
{
    const char *const args[] = {"--page-size", page_size, NULL};
    gl_test_fake_start_script(fake, "fake_gcal.py", args);
}

/* POST /_gcal/<verb> with a JSON body; the answer (caller releases). */
static json_object *control(gl_test_fake *fake, const char *verb, const char *json_text)
{
    gl_http_request req = {0};
    gl_http_response *resp = NULL;
    json_object *answer;
    char path[64];

    snprintf(path, sizeof(path), "/_gcal/%s", verb);
    req.method = "POST";
    req.path = path;
    req.body = json_text;
    req.body_len = strlen(json_text);
    req.content_type = "application/json";
    gl_assert_ok(gl_http_send(&resp, fake->control, &req));
    answer = json_object_get(resp->json);
    gl_http_response_free(resp);
    return answer;
}

static void control0(gl_test_fake *fake, const char *verb, const char *json_text)
{
    json_object_put(control(fake, verb, json_text));
}

/* The recorded requests to the Calendar API (not the control ones), oldest first. */
static json_object *api_requests(gl_test_fake *fake)
{
    json_object *all = gl_test_fake_requests(fake), *api = json_object_new_array();

    for (size_t i = 0; i < json_object_array_length(all); i++) {
        json_object *r = json_object_array_get_idx(all, i);
        if (gl_str_starts_with(gl_json_str(r, "path"), "/calendar/v3/"))
            json_object_array_add(api, json_object_get(r));
    }
    json_object_put(all);
    return api;
}

static const char *qarg(json_object *req, const char *name)
{
    json_object *values = gl_json_array(gl_json_object(req, "query"), name);
    return values && json_object_array_length(values)
               ? json_object_get_string(json_object_array_get_idx(values, 0))
               : NULL;
}

static int64_t utc(const char *text)
{
    int64_t t = 0;
    gl_assert_ok(gl_time_parse_utc(&t, text));
    return t;
}

/* ---------------------------------------------------- what the sink saw */

typedef struct seen {
    char key[128], uid[128], title[128], organizer[128], domains[256], people[256];
    int64_t start, end;
    bool all_day, recurring, user_is_organizer, cancelled, tentative, transparent;
    gl_partstat partstat;
    gl_meeting_type type;
    size_t n_attendees;
} seen;

typedef struct collector {
    seen items[128];
    size_t n;
    int resets;
    size_t n_at_reset; /* items seen when reset was called */
    int fail_at;       /* return an error for this item (1-based); 0: never */
} collector;

static int on_meeting(void *payload, const gl_meeting *m)
{
    collector *c = payload;
    seen *s;

    if (c->fail_at && (int)c->n + 1 == c->fail_at)
        return gl_error_set(GL_ESTORE, "the store is full");
    assert_true(c->n < sizeof(c->items) / sizeof(c->items[0]));
    s = &c->items[c->n++];
    memset(s, 0, sizeof(*s));
    assert_non_null(m->key);
    assert_non_null(m->uid);
    assert_non_null(m->title);
    snprintf(s->key, sizeof(s->key), "%s", m->key);
    snprintf(s->uid, sizeof(s->uid), "%s", m->uid);
    snprintf(s->title, sizeof(s->title), "%s", m->title);
    snprintf(s->organizer, sizeof(s->organizer), "%s", m->organizer ? m->organizer : "");
    for (size_t i = 0; i < m->n_attendee_domains; i++) {
        size_t used = strlen(s->domains);
        snprintf(s->domains + used, sizeof(s->domains) - used, "%s%s", i ? "," : "",
                 m->attendee_domains[i]);
    }
    for (size_t i = 0; i < m->n_attendee_emails; i++) {
        size_t used = strlen(s->people);
        snprintf(s->people + used, sizeof(s->people) - used, "%s%s", i ? "," : "",
                 m->attendee_emails[i]);
    }
    s->start = m->start;
    s->end = m->end;
    s->all_day = m->all_day;
    s->recurring = m->recurring;
    s->user_is_organizer = m->user_is_organizer;
    s->cancelled = m->cancelled;
    s->tentative = m->tentative;
    s->transparent = m->transparent;
    s->partstat = m->partstat;
    s->type = m->type;
    s->n_attendees = m->n_attendees;
    return GL_OK;
}

static int on_reset(void *payload)
{
    collector *c = payload;
    c->resets++;
    c->n_at_reset = c->n;
    c->n = 0;
    return GL_OK;
}

static const seen *find(const collector *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->items[i].key, key) == 0)
            return &c->items[i];
    return NULL;
}

static const seen *must_find(const collector *c, const char *key)
{
    const seen *s = find(c, key);
    if (!s)
        fail_msg("the sink never saw %s", key);
    return s;
}

/* ------------------------------------------------------------- fixture */

typedef struct fixture {
    gl_test_fake fake;
    gl_clock_fake *clock;
    gl_gcal *g;
    collector c;
    gl_gcal_sink sink;
    int refreshes;
    const char *refresh_gives; /* NULL: the refresh fails */
    char api[96];
} fixture;

static int refresh(void *payload, char **token_out)
{
    fixture *f = payload;
    f->refreshes++;
    if (!f->refresh_gives)
        return gl_error_set(GL_EAUTH, "Google refused the token request: invalid_grant");
    *token_out = strdup(f->refresh_gives);
    return GL_OK;
}

static void new_client(fixture *f, const char *token, const char *zone)
{
    gl_gcal_options opts = {0};

    gl_gcal_free(f->g);
    f->g = NULL;
    opts.base_url = f->api;
    opts.token = token;
    opts.timezone = zone;
    opts.clock = gl_clock_fake_clock(f->clock);
    opts.refresh = refresh;
    opts.refresh_payload = f;
    gl_assert_ok(gl_gcal_new(&f->g, &opts));
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    fake_start(&f->fake, "3"); /* pages of three: a week takes five */
    gl_assert_ok(gl_clock_fake_new(&f->clock, utc("2026-11-21T09:00:00Z") * 1000));
    snprintf(f->api, sizeof(f->api), "%s/calendar/v3", f->fake.url);
    new_client(f, TOKEN, "Europe/Berlin");
    f->sink.meeting = on_meeting;
    f->sink.reset = on_reset;
    f->sink.payload = &f->c;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gl_gcal_free(f->g);
    gl_test_fake_stop(&f->fake);
    gl_clock_fake_free(f->clock);
    free(f);
    return 0;
}

/* The week of Monday 16 November 2026 in Berlin. */
#define WEEK_FROM utc("2026-11-15T23:00:00Z")
#define WEEK_TO   utc("2026-11-22T23:00:00Z")

static void sync_week(fixture *f, gl_gcal_result *r)
{
    memset(&f->c, 0, sizeof(f->c));
    gl_assert_ok(gl_gcal_sync(f->g, "primary", WEEK_FROM, WEEK_TO, NULL, &f->sink, r));
}

/* --------------------------------------------------------------- tests */

static void test_first_sync_lists_the_window_over_pages(void **state)
{
    fixture *f = *state;
    gl_gcal_result r;
    json_object *reqs;

    sync_week(f, &r);
    /* 15 items in the week; the working-location and birthday events are skipped. */
    assert_int_equal(f->c.n, 13);
    assert_int_equal(r.occurrences, 13);
    assert_true(r.full);
    assert_non_null(r.sync_token);
    assert_int_equal(r.requests, 5);
    assert_int_equal(r.skipped, 0);
    assert_null(find(&f->c, "wl0home"));
    assert_null(find(&f->c, "bday1_20261119"));

    reqs = api_requests(&f->fake);
    assert_int_equal(json_object_array_length(reqs), 5);
    for (size_t i = 0; i < 5; i++) {
        json_object *q = json_object_array_get_idx(reqs, i);
        assert_string_equal(gl_json_str(q, "path"), "/calendar/v3/calendars/primary/events");
        assert_string_equal(qarg(q, "singleEvents"), "true");
        assert_string_equal(qarg(q, "showDeleted"), "true");
        assert_string_equal(qarg(q, "maxResults"), "250");
        assert_string_equal(qarg(q, "timeMin"), "2026-11-15T23:00:00Z");
        assert_string_equal(qarg(q, "timeMax"), "2026-11-22T23:00:00Z");
        assert_null(qarg(q, "syncToken"));
        assert_true((i == 0) == (qarg(q, "pageToken") == NULL));
        assert_string_equal(gl_json_str(gl_json_object(q, "headers"), "Authorization"),
                            "Bearer " TOKEN);
    }
    json_object_put(reqs);
    gl_gcal_result_clear(&r);
}

static void test_every_field_and_event_type_is_mapped(void **state)
{
    fixture *f = *state;
    gl_gcal_result r;
    const seen *s;

    sync_week(f, &r);

    /* A moved instance of a weekly series: the key keeps the original slot. */
    s = must_find(&f->c, "stand0up_20261116T083000Z");
    assert_string_equal(s->uid, "stand0up@google.com");
    assert_string_equal(s->title, "Daily standup (weekly sync)");
    assert_int_equal(s->start, utc("2026-11-16T09:00:00Z"));
    assert_int_equal(s->end, utc("2026-11-16T09:15:00Z"));
    assert_true(s->recurring);
    assert_false(s->all_day);
    assert_int_equal(s->partstat, GL_PARTSTAT_ACCEPTED);
    assert_string_equal(s->organizer, "bob@acme.example");
    assert_false(s->user_is_organizer);
    assert_int_equal(s->n_attendees, 2); /* bob and carol; the room is no person */
    assert_string_equal(s->domains, "acme.example,globex.example");
    assert_string_equal(s->people, "bob@acme.example,carol@globex.example"); /* lower-cased */
    assert_int_equal(s->type, GL_MEETING_DEFAULT);
    assert_false(s->cancelled);

    s = must_find(&f->c, "kick0ff1");
    assert_true(s->user_is_organizer);
    assert_string_equal(s->organizer, ME);
    assert_int_equal(s->partstat, GL_PARTSTAT_ACCEPTED);
    assert_int_equal(s->n_attendees, 3);
    assert_string_equal(s->domains, "globex.example,initech.example,acme.example");
    assert_string_equal(s->people, "hank@globex.example,peter@initech.example,bob@acme.example");
    assert_false(s->recurring);
    assert_int_equal(s->start, utc("2026-11-17T13:00:00Z"));

    assert_int_equal(must_find(&f->c, "decl1ned")->partstat, GL_PARTSTAT_DECLINED);
    assert_string_equal(must_find(&f->c, "decl1ned")->organizer, "sales@vendor.example");
    s = must_find(&f->c, "tentat1ve");
    assert_true(s->tentative);
    assert_int_equal(s->partstat, GL_PARTSTAT_TENTATIVE);
    assert_int_equal(must_find(&f->c, "needs0act")->partstat, GL_PARTSTAT_NEEDS_ACTION);

    s = must_find(&f->c, "focus1");
    assert_int_equal(s->type, GL_MEETING_FOCUS_TIME);
    assert_int_equal(s->partstat, GL_PARTSTAT_NONE);
    assert_int_equal(s->n_attendees, 0);
    assert_string_equal(s->domains, "");
    assert_string_equal(s->people, "");
    assert_int_equal(must_find(&f->c, "oof0fri")->type, GL_MEETING_OUT_OF_OFFICE);

    /* fromGmail counts as an ordinary event; its end is in another zone. */
    s = must_find(&f->c, "gma1l1");
    assert_int_equal(s->type, GL_MEETING_DEFAULT);
    assert_int_equal(s->start, utc("2026-11-20T18:00:00Z"));
    assert_int_equal(s->end, utc("2026-11-20T20:30:00Z"));

    assert_true(must_find(&f->c, "free1")->transparent);
    assert_false(must_find(&f->c, "kick0ff1")->transparent);
    assert_int_equal(must_find(&f->c, "nyc0call")->start, utc("2026-11-19T14:00:00Z"));

    s = must_find(&f->c, "canc0l1");
    assert_true(s->cancelled);
    assert_string_equal(s->title, "Cancelled sync");

    s = must_find(&f->c, "all0day1");
    assert_true(s->all_day);
    assert_int_equal(s->start, utc("2026-11-15T23:00:00Z"));
    assert_int_equal(s->end, utc("2026-11-17T23:00:00Z"));

    s = must_find(&f->c, "retro1_20261120T150000Z");
    assert_true(s->recurring);
    assert_true(s->user_is_organizer);
    assert_int_equal(s->start, utc("2026-11-20T15:00:00Z"));
    gl_gcal_result_clear(&r);
}

static void test_incremental_sync_returns_only_changes(void **state)
{
    fixture *f = *state;
    gl_gcal_result first, r;
    json_object *reqs, *last;
    const seen *s;

    sync_week(f, &first);
    control0(&f->fake, "change_event",
             "{\"id\":\"kick0ff1\",\"fields\":{\"summary\":\"ACME kickoff (moved)\","
             "\"start\":{\"dateTime\":\"2026-11-17T16:00:00+01:00\"},"
             "\"end\":{\"dateTime\":\"2026-11-17T17:00:00+01:00\"}}}");
    control0(&f->fake, "cancel_event", "{\"id\":\"retro1_20261120T150000Z\"}");
    control0(&f->fake, "delete_event", "{\"id\":\"free1\"}");
    control0(&f->fake, "add_event",
             "{\"event\":{\"id\":\"new0ne1\",\"summary\":\"Pairing\","
             "\"start\":{\"dateTime\":\"2026-11-18T09:00:00Z\"},"
             "\"end\":{\"dateTime\":\"2026-11-18T10:00:00Z\"}}}");
    gl_test_fake_control(&f->fake, "reset", "{}"); /* forget the requests so far */

    memset(&f->c, 0, sizeof(f->c));
    gl_assert_ok(gl_gcal_sync(f->g, "primary", WEEK_FROM, WEEK_TO, first.sync_token, &f->sink, &r));
    assert_false(r.full);
    assert_int_equal(f->c.n, 4);
    assert_int_equal(f->c.resets, 0);
    assert_non_null(r.sync_token);
    assert_string_not_equal(r.sync_token, first.sync_token);

    s = must_find(&f->c, "kick0ff1");
    assert_string_equal(s->title, "ACME kickoff (moved)");
    assert_int_equal(s->start, utc("2026-11-17T15:00:00Z"));
    assert_false(s->cancelled);

    /* A cancelled instance: only its id, series and original start are sure. */
    s = must_find(&f->c, "retro1_20261120T150000Z");
    assert_true(s->cancelled);
    assert_true(s->recurring);
    assert_string_equal(s->uid, "");
    assert_int_equal(s->start, utc("2026-11-20T15:00:00Z"));
    assert_int_equal(s->end, s->start);

    /* A deleted event is a bare id. */
    s = must_find(&f->c, "free1");
    assert_true(s->cancelled);
    assert_int_equal(s->start, 0);
    assert_int_equal(s->end, 0);
    assert_string_equal(s->title, "");

    assert_string_equal(must_find(&f->c, "new0ne1")->title, "Pairing");

    /* The token goes without timeMin/timeMax, with every other parameter. */
    reqs = api_requests(&f->fake);
    assert_int_equal(json_object_array_length(reqs), 2); /* four changes, pages of three */
    last = json_object_array_get_idx(reqs, 1);
    assert_string_equal(qarg(last, "syncToken"), first.sync_token);
    assert_non_null(qarg(last, "pageToken"));
    assert_null(qarg(last, "timeMin"));
    assert_null(qarg(last, "timeMax"));
    assert_string_equal(qarg(last, "singleEvents"), "true");
    assert_string_equal(qarg(last, "showDeleted"), "true");
    json_object_put(reqs);

    /* Nothing changed since: an empty listing and a token again. */
    {
        gl_gcal_result again;
        memset(&f->c, 0, sizeof(f->c));
        gl_assert_ok(
            gl_gcal_sync(f->g, "primary", WEEK_FROM, WEEK_TO, r.sync_token, &f->sink, &again));
        assert_int_equal(f->c.n, 0);
        assert_non_null(again.sync_token);
        gl_gcal_result_clear(&again);
    }
    gl_gcal_result_clear(&first);
    gl_gcal_result_clear(&r);
}

static void test_an_expired_sync_token_resets_and_lists_in_full(void **state)
{
    fixture *f = *state;
    gl_gcal_result first, r;
    json_object *reqs;

    sync_week(f, &first);
    control0(&f->fake, "delete_event", "{\"id\":\"free1\"}"); /* a change the reset must cover */
    control0(&f->fake, "expire_sync_tokens", "{}");
    gl_test_fake_control(&f->fake, "reset", "{}");

    memset(&f->c, 0, sizeof(f->c));
    gl_assert_ok(gl_gcal_sync(f->g, "primary", WEEK_FROM, WEEK_TO, first.sync_token, &f->sink, &r));
    assert_int_equal(f->c.resets, 1);
    assert_int_equal(f->c.n_at_reset, 0);
    assert_true(r.full);
    /* The full listing shows the deleted event as a tombstone (showDeleted). */
    assert_int_equal(f->c.n, 13);
    assert_int_equal(r.occurrences, 13);
    assert_true(must_find(&f->c, "free1")->cancelled);
    assert_non_null(r.sync_token);

    reqs = api_requests(&f->fake);
    assert_int_equal(json_object_array_length(reqs), 6); /* the 410, then five pages */
    assert_string_equal(qarg(json_object_array_get_idx(reqs, 0), "syncToken"), first.sync_token);
    assert_null(qarg(json_object_array_get_idx(reqs, 1), "syncToken"));
    assert_string_equal(qarg(json_object_array_get_idx(reqs, 1), "timeMin"),
                        "2026-11-15T23:00:00Z");
    json_object_put(reqs);
    gl_gcal_result_clear(&first);
    gl_gcal_result_clear(&r);
}

static void test_a_401_refreshes_once_and_retries(void **state)
{
    fixture *f = *state;
    gl_gcal_result r;
    json_object *reqs, *last;

    control0(&f->fake, "expire_access_tokens", "{\"token\":\"" TOKEN "\"}");
    f->refresh_gives = TOKEN_2;
    sync_week(f, &r);
    assert_int_equal(f->refreshes, 1);
    assert_int_equal(f->c.n, 13);
    assert_int_equal(r.requests, 6); /* the 401, then five pages */
    reqs = api_requests(&f->fake);
    last = json_object_array_get_idx(reqs, json_object_array_length(reqs) - 1);
    assert_string_equal(gl_json_str(gl_json_object(last, "headers"), "Authorization"),
                        "Bearer " TOKEN_2);
    json_object_put(reqs);
    gl_gcal_result_clear(&r);
}

static void test_a_refresh_that_fails_or_does_not_help_says_so(void **state)
{
    fixture *f = *state;
    gl_gcal_result r;
    int rc;

    control0(&f->fake, "expire_access_tokens", "{}"); /* both test tokens */
    f->refresh_gives = NULL;
    rc = gl_gcal_sync(f->g, "primary", WEEK_FROM, WEEK_TO, NULL, &f->sink, &r);
    assert_int_equal(rc, GL_EAUTH);
    assert_int_equal(f->refreshes, 1);
    assert_non_null(strstr(gl_error_last(), "invalid_grant")); /* the refresh's own reason */
    gl_gcal_result_clear(&r);

    /* A new token that is refused too: one refresh only, then the 401 is the answer. */
    f->refreshes = 0;
    f->refresh_gives = TOKEN_2;
    rc = gl_gcal_sync(f->g, "primary", WEEK_FROM, WEEK_TO, NULL, &f->sink, &r);
    assert_int_equal(rc, GL_EAUTH);
    assert_int_equal(f->refreshes, 1);
    assert_non_null(strstr(gl_error_last(), "gleaner auth google"));
    assert_null(strstr(gl_error_last(), TOKEN_2));
    assert_null(strstr(gl_error_last(), "ya29"));
    gl_gcal_result_clear(&r);
}

static void test_a_rate_limit_storm_is_waited_out(void **state)
{
    fixture *f = *state;
    gl_gcal_result r;
    json_object *reqs;

    control0(&f->fake, "rate_limit_storm", "{\"count\":3,\"status\":429}");
    control0(&f->fake, "rate_limit_storm",
             "{\"count\":3,\"status\":403,\"reason\":\"userRateLimitExceeded\"}");
    control0(&f->fake, "rate_limit_storm",
             "{\"count\":2,\"status\":403,\"reason\":\"rateLimitExceeded\"}");
    sync_week(f, &r);
    assert_int_equal(f->c.n, 13);
    reqs = api_requests(&f->fake);
    assert_int_equal(json_object_array_length(reqs), 5 + 8);
    json_object_put(reqs);
    assert_int_equal(r.requests, 5 + 5); /* the HTTP layer does not count its 429 waits */
    /* 3 x 2 s for the 429s, then backoff from 1 s up; all on the fake clock. */
    assert_true(gl_clock_fake_slept_ms(f->clock) >= 6000 + 1000 + 2000 + 4000);
    gl_gcal_result_clear(&r);
}

static void test_a_rate_limit_that_does_not_end_is_an_error(void **state)
{
    fixture *f = *state;
    gl_gcal_result r;
    int rc;

    control0(&f->fake, "rate_limit_storm",
             "{\"count\":20,\"status\":403,\"reason\":\"userRateLimitExceeded\"}");
    rc = gl_gcal_sync(f->g, "primary", WEEK_FROM, WEEK_TO, NULL, &f->sink, &r);
    assert_int_equal(rc, GL_ERATELIMIT);
    assert_non_null(strstr(gl_error_last(), "rate limiting"));
    assert_non_null(strstr(gl_error_last(), "userRateLimitExceeded"));
    assert_int_equal(r.requests, 8); /* the first try and seven more */
    gl_gcal_result_clear(&r);

    /* A spent quota is not waited for. */
    gl_test_fake_control(&f->fake, "reset", "{}");
    control0(&f->fake, "rate_limit_storm",
             "{\"count\":1,\"status\":403,\"reason\":\"quotaExceeded\"}");
    rc = gl_gcal_sync(f->g, "primary", WEEK_FROM, WEEK_TO, NULL, &f->sink, &r);
    assert_int_equal(rc, GL_ERATELIMIT);
    assert_non_null(strstr(gl_error_last(), "Calendar usage limits exceeded. (quotaExceeded)"));
    assert_int_equal(r.requests, 1);
    gl_gcal_result_clear(&r);
}

static void test_all_day_dates_are_the_users_midnights_across_dst(void **state)
{
    fixture *f = *state;
    gl_gcal_result r;
    const seen *s;

    /* Berlin leaves summer time on Sunday 25 October 2026: that day has 25 hours. */
    memset(&f->c, 0, sizeof(f->c));
    gl_assert_ok(gl_gcal_sync(f->g, "primary", utc("2026-10-18T22:00:00Z"),
                              utc("2026-11-01T23:00:00Z"), NULL, &f->sink, &r));
    s = must_find(&f->c, "offs1te");
    assert_true(s->all_day);
    assert_int_equal(s->start, utc("2026-10-23T22:00:00Z")); /* 24 Oct 00:00 CEST */
    assert_int_equal(s->end, utc("2026-10-25T23:00:00Z"));   /* 26 Oct 00:00 CET */
    assert_int_equal(s->end - s->start, 49 * 3600);
    /* The weekly standup keeps 09:30 local time: 07:30Z in summer, 08:30Z after. */
    assert_int_equal(must_find(&f->c, "stand0up_20261019T073000Z")->start,
                     utc("2026-10-19T07:30:00Z"));
    assert_int_equal(must_find(&f->c, "stand0up_20261026T083000Z")->start,
                     utc("2026-10-26T08:30:00Z"));
    gl_gcal_result_clear(&r);

    /* The same dates for someone in New York: their midnights (still EDT then). */
    new_client(f, TOKEN, "America/New_York");
    memset(&f->c, 0, sizeof(f->c));
    gl_assert_ok(gl_gcal_sync(f->g, "primary", utc("2026-10-18T22:00:00Z"),
                              utc("2026-11-01T23:00:00Z"), NULL, &f->sink, &r));
    s = must_find(&f->c, "offs1te");
    assert_int_equal(s->start, utc("2026-10-24T04:00:00Z"));
    assert_int_equal(s->end, utc("2026-10-26T04:00:00Z"));
    gl_gcal_result_clear(&r);
}

static void test_a_missing_calendar_names_its_id(void **state)
{
    fixture *f = *state;
    gl_gcal_result r;
    json_object *reqs;
    int rc;

    rc = gl_gcal_sync(f->g, "nobody#holiday@group.v.calendar.google.com", WEEK_FROM, WEEK_TO, NULL,
                      &f->sink, &r);
    assert_int_equal(rc, GL_ENOTFOUND);
    assert_non_null(strstr(gl_error_last(), "'nobody#holiday@group.v.calendar.google.com'"));
    assert_non_null(strstr(gl_error_last(), "primary"));
    assert_non_null(strstr(gl_error_last(), "(404: Not Found (notFound))"));
    reqs = api_requests(&f->fake);
    assert_string_equal(gl_json_str(json_object_array_get_idx(reqs, 0), "path"),
                        "/calendar/v3/calendars/nobody%23holiday%40group.v.calendar.google.com"
                        "/events");
    json_object_put(reqs);
    gl_gcal_result_clear(&r);
}

static void test_another_calendar_and_its_metadata(void **state)
{
    fixture *f = *state;
    gl_gcal_result r;
    json_object *cal = NULL;
    const seen *s;

    memset(&f->c, 0, sizeof(f->c));
    gl_assert_ok(gl_gcal_sync(f->g, TEAM, WEEK_FROM, WEEK_TO, NULL, &f->sink, &r));
    assert_int_equal(f->c.n, 1);
    s = must_find(&f->c, "rel0ease");
    assert_true(s->user_is_organizer); /* organised by the calendar that is read */
    assert_string_equal(s->organizer, TEAM);
    assert_int_equal(s->partstat, GL_PARTSTAT_NONE);
    gl_gcal_result_clear(&r);

    gl_assert_ok(gl_gcal_calendar(f->g, "primary", &cal));
    assert_string_equal(gl_json_str(cal, "id"), ME);
    assert_string_equal(gl_json_str(cal, "timeZone"), "Europe/Berlin");
    json_object_put(cal);
}

static void test_errors_are_one_line_from_googles_body(void **state)
{
    fixture *f = *state;
    gl_gcal_result r;
    int rc;

    gl_test_fake_control(
        &f->fake, "fault",
        "{\"kind\":\"status\",\"status\":400,\"path\":\"/calendar/v3/.*\",\"json\":{\"error\":"
        "{\"errors\":[{\"domain\":\"calendar\",\"reason\":\"timeRangeEmpty\",\"message\":\"The "
        "specified time range is empty.\"}],\"code\":400,\"message\":\"The specified time range "
        "is empty.\"}}}");
    rc = gl_gcal_sync(f->g, "primary", WEEK_FROM, WEEK_TO, NULL, &f->sink, &r);
    assert_int_equal(rc, GL_EREJECTED);
    assert_string_equal(gl_error_last(),
                        "Google Calendar refused the events of calendar 'primary': The specified "
                        "time range is empty. (timeRangeEmpty) (HTTP 400)");
    gl_gcal_result_clear(&r);

    gl_test_fake_control(&f->fake, "fault", "{\"kind\":\"garbage\",\"path\":\"/calendar/v3/.*\"}");
    rc = gl_gcal_sync(f->g, "primary", WEEK_FROM, WEEK_TO, NULL, &f->sink, &r);
    assert_int_equal(rc, GL_EBADDATA);
    gl_gcal_result_clear(&r);

    /* The sink's own error stops the sync. */
    memset(&f->c, 0, sizeof(f->c));
    f->c.fail_at = 2;
    rc = gl_gcal_sync(f->g, "primary", WEEK_FROM, WEEK_TO, NULL, &f->sink, &r);
    assert_int_equal(rc, GL_ESTORE);
    assert_int_equal(r.occurrences, 1);
    assert_null(r.sync_token);
    gl_gcal_result_clear(&r);

    assert_int_equal(gl_gcal_sync(f->g, "primary", WEEK_TO, WEEK_FROM, NULL, &f->sink, &r),
                     GL_EINVAL);
    gl_gcal_result_clear(&r);
}

/* -------------------------------------------------- gl_signin_gcal */

typedef struct signin_env {
    char *dir;
    gl_cli cli;
    char config[4096], tokens[4096];
} signin_env;

static void signin_setup(fixture *f, signin_env *e, bool with_client)
{
    char text[2048], secret[4096];

    memset(e, 0, sizeof(*e));
    e->dir = gl_test_tmpdir();
    snprintf(e->config, sizeof(e->config), "%s/config", e->dir);
    snprintf(e->tokens, sizeof(e->tokens), "%s/google-oauth.json", e->dir);
    snprintf(secret, sizeof(secret), "%s/google-client.secret", e->dir);
    gl_test_write(secret, "GOCSPX-fake-desktop-client-secret\n", 0600);
    snprintf(text, sizeof(text),
             "[user]\n\temail = " ME "\n\ttimezone = Europe/Berlin\n"
             "[google]\n\tbase-url = %s/calendar/v3\n\tauth-url = %s/o/oauth2/v2/auth\n"
             "\ttoken-url = %s/token\n%s%s%s",
             f->fake.url, f->fake.url, f->fake.url,
             with_client ? "\tclient-id = 1234567890-gleanertest.apps.googleusercontent.com\n"
                           "\tclient-secret-file = "
                         : "",
             with_client ? secret : "", with_client ? "\n" : "");
    gl_test_write(e->config, text, 0644);
    e->cli.config_override = e->config;
    e->cli.clock = gl_clock_fake_clock(f->clock);
    e->cli.out = stdout;
    e->cli.err = stderr;
}

static void signin_teardown(signin_env *e)
{
    gl_config_free(e->cli.cfg);
    gl_test_rmrf(e->dir);
    free(e->dir);
}

/* A token file as `gleaner auth google` writes it; expires_at as given. */
static void write_tokens(signin_env *e, const char *access, const char *refresh_token,
                         const char *expires_at)
{
    char text[2048];
    snprintf(text, sizeof(text),
             "{\"access_token\":\"%s\",\"refresh_token\":\"%s\",\"token_type\":\"bearer\","
             "\"scope\":\"https://www.googleapis.com/auth/calendar.readonly\","
             "\"expires_at\":\"%s\",\"account\":\"" ME "\"}\n",
             access, refresh_token, expires_at);
    gl_test_write(e->tokens, text, 0600);
}

static json_object *read_tokens(signin_env *e)
{
    json_object *obj = json_object_from_file(e->tokens);
    struct stat st;
    assert_non_null(obj);
    assert_int_equal(stat(e->tokens, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    return obj;
}

static void test_signin_without_tokens_says_how_to_sign_in(void **state)
{
    fixture *f = *state;
    signin_env e;
    gl_gcal *g = NULL;

    signin_setup(f, &e, true);
    assert_int_equal(gl_signin_gcal(&e.cli, &g), GL_ECONFIG);
    assert_null(g);
    assert_non_null(strstr(gl_error_last(), "gleaner auth google"));
    signin_teardown(&e);

    /* Half a client is an error at once. */
    signin_setup(f, &e, false);
    gl_assert_ok(
        gl_config_write_value(e.config, "google.client-id", "x.apps.googleusercontent.com"));
    assert_int_equal(gl_signin_gcal(&e.cli, &g), GL_ECONFIG);
    assert_non_null(strstr(gl_error_last(), "google.client-secret-file"));
    assert_non_null(strstr(gl_error_last(), "Desktop app"));
    signin_teardown(&e);
}

static void test_signin_refreshes_before_expiry_and_saves(void **state)
{
    fixture *f = *state;
    signin_env e;
    gl_gcal *g = NULL;
    gl_gcal_result r;
    json_object *issued = control(&f->fake, "issue_tokens", "{}"), *saved;
    const char *refresh_token = gl_json_str(issued, "refresh_token");

    signin_setup(f, &e, true);
    /* Two minutes from the clock's now: inside the five-minute margin. */
    write_tokens(&e, gl_json_str(issued, "access_token"), refresh_token, "2026-11-21T09:02:00Z");
    gl_assert_ok(gl_signin_gcal(&e.cli, &g));
    saved = read_tokens(&e);
    assert_string_not_equal(gl_json_str(saved, "access_token"),
                            gl_json_str(issued, "access_token"));
    assert_string_equal(gl_json_str(saved, "refresh_token"), refresh_token); /* Google keeps it */
    assert_string_equal(gl_json_str(saved, "account"), ME);
    assert_string_equal(gl_json_str(saved, "expires_at"), "2026-11-21T09:59:59Z");
    memset(&f->c, 0, sizeof(f->c));
    gl_assert_ok(gl_gcal_sync(g, "primary", WEEK_FROM, WEEK_TO, NULL, &f->sink, &r));
    assert_int_equal(f->c.n, 13);
    gl_gcal_result_clear(&r);
    json_object_put(saved);
    gl_gcal_free(g);
    json_object_put(issued);
    signin_teardown(&e);
}

static void test_signin_refreshes_after_a_401(void **state)
{
    fixture *f = *state;
    signin_env e;
    gl_gcal *g = NULL;
    gl_gcal_result r;
    json_object *issued = control(&f->fake, "issue_tokens", "{}"), *saved;

    signin_setup(f, &e, true);
    write_tokens(&e, gl_json_str(issued, "access_token"), gl_json_str(issued, "refresh_token"),
                 "2026-11-21T12:00:00Z");
    gl_assert_ok(gl_signin_gcal(&e.cli, &g));
    control0(&f->fake, "expire_access_tokens", "{}");
    memset(&f->c, 0, sizeof(f->c));
    gl_assert_ok(gl_gcal_sync(g, "primary", WEEK_FROM, WEEK_TO, NULL, &f->sink, &r));
    assert_int_equal(f->c.n, 13);
    saved = read_tokens(&e);
    assert_string_not_equal(gl_json_str(saved, "access_token"),
                            gl_json_str(issued, "access_token"));
    gl_gcal_result_clear(&r);
    json_object_put(saved);
    gl_gcal_free(g);
    json_object_put(issued);
    signin_teardown(&e);
}

static void test_signin_with_a_revoked_refresh_token_says_sign_in_again(void **state)
{
    fixture *f = *state;
    signin_env e;
    gl_gcal *g = NULL;

    signin_setup(f, &e, true);
    write_tokens(&e, "ya29.stale-access-token-abcdef", "1//0g-revoked-refresh-token",
                 "2026-11-21T08:00:00Z");
    assert_int_equal(gl_signin_gcal(&e.cli, &g), GL_EAUTH);
    assert_null(g);
    assert_non_null(strstr(gl_error_last(), "run gleaner auth google again"));
    assert_non_null(strstr(gl_error_last(), "invalid_grant"));
    assert_null(strstr(gl_error_last(), "1//0g-revoked-refresh-token"));
    signin_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_sync_lists_the_window_over_pages, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_every_field_and_event_type_is_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incremental_sync_returns_only_changes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_an_expired_sync_token_resets_and_lists_in_full, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_401_refreshes_once_and_retries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_refresh_that_fails_or_does_not_help_says_so, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_rate_limit_storm_is_waited_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_rate_limit_that_does_not_end_is_an_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_all_day_dates_are_the_users_midnights_across_dst,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_missing_calendar_names_its_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_another_calendar_and_its_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_are_one_line_from_googles_body, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_signin_without_tokens_says_how_to_sign_in, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_signin_refreshes_before_expiry_and_saves, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_signin_refreshes_after_a_401, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signin_with_a_revoked_refresh_token_says_sign_in_again,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
