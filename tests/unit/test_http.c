/*
 * test_http.c - the HTTP layer against the fake server on 127.0.0.1: retries,
 * Retry-After on an injected clock, rate limiting, caps, refusals, errors.
 */
#include "support.h"

#include <string.h>

#include "connectors/http.h"
#include "util/clock.h"
#include "util/json.h"

#define SECRET_TOKEN "3155791.pt.ZmfCzQ1N8VyTqh9sKsecretsecret"

typedef struct fixture {
    gl_test_fake fake;
    gl_clock_fake *clock;
    gl_http_service *svc;
} fixture;

static int make_service(fixture *f, gl_http_options *opts)
{
    opts->service = "harvest";
    opts->base_url = f->fake.url;
    opts->clock = gl_clock_fake_clock(f->clock);
    opts->backoff_initial_ms = 200;
    return gl_http_service_new(&f->svc, opts);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    gl_http_options opts = GL_HTTP_OPTIONS_INIT;
    gl_test_fake_start(&f->fake);
    gl_clock_fake_new(&f->clock, 1763700000000LL);
    gl_assert_ok(make_service(f, &opts));
    gl_assert_ok(gl_http_set_bearer(f->svc, SECRET_TOKEN));
    gl_assert_ok(gl_http_set_header(f->svc, "Harvest-Account-Id", "123456"));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gl_http_service_free(f->svc);
    gl_test_fake_stop(&f->fake);
    gl_clock_fake_free(f->clock);
    free(f);
    return 0;
}

static void canned(fixture *f, const char *method, const char *path, int status, const char *json)
{
    char body[2048];
    snprintf(body, sizeof(body), "{\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,\"json\":%s}",
             method, path, status, json);
    gl_test_fake_control(&f->fake, "static", body);
}

static void fault(fixture *f, const char *json)
{
    gl_test_fake_control(&f->fake, "fault", json);
}

static void no_secret_in_message(void)
{
    assert_null(strstr(gl_error_last(), "ZmfCzQ1N8VyTqh9sK"));
    assert_null(strstr(gl_error_last(), "Bearer"));
}

static void get_sends_headers_query_and_parses_json(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;
    json_object *reqs, *r, *headers, *query;
    const char *const query_in[] = {"from", "2026-11-01", "notes", "a&b c", "skipped", NULL, NULL};
    int64_t id = 0;

    canned(f, "GET", "/users/me", 200, "{\"id\": 42, \"email\": \"ada@example.com\"}");
    gl_assert_ok(gl_http_get(&resp, f->svc, "/users/me", query_in));
    assert_int_equal(resp->status, 200);
    assert_true(gl_json_int64(resp->json, "id", &id));
    assert_int_equal(id, 42);
    assert_int_equal(resp->attempts, 1);
    gl_http_response_free(resp);

    reqs = gl_test_fake_requests(&f->fake);
    assert_int_equal(json_object_array_length(reqs), 1);
    r = json_object_array_get_idx(reqs, 0);
    headers = gl_json_object(r, "headers");
    assert_string_equal(gl_json_str(headers, "Authorization"), "Bearer " SECRET_TOKEN);
    assert_string_equal(gl_json_str(headers, "Harvest-Account-Id"), "123456");
    assert_true(strncmp(gl_json_str(headers, "User-Agent"), "gleaner/", 8) == 0);
    query = gl_json_object(r, "query");
    assert_string_equal(
        json_object_get_string(json_object_array_get_idx(gl_json_get(query, "notes"), 0)), "a&b c");
    assert_null(gl_json_get(query, "skipped"));
    json_object_put(reqs);
}

static void post_sends_json_body(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;
    gl_http_request req = {0};
    json_object *body = json_object_new_object(), *reqs, *sent;

    json_object_object_add(body, "hours", json_object_new_double(1.5));
    canned(f, "POST", "/time_entries", 201, "{\"id\": 636709355}");
    req.method = "POST";
    req.path = "/time_entries";
    req.json = body;
    gl_assert_ok(gl_http_send(&resp, f->svc, &req));
    assert_int_equal(resp->status, 201);
    gl_http_response_free(resp);
    reqs = gl_test_fake_requests(&f->fake);
    sent = gl_json_object(json_object_array_get_idx(reqs, 0), "json");
    assert_non_null(sent);
    assert_true(json_object_get_double(gl_json_get(sent, "hours")) == 1.5);
    json_object_put(reqs);
    json_object_put(body);
}

static void retries_503_then_succeeds(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;

    canned(f, "GET", "/projects", 200, "{\"projects\": []}");
    fault(f, "{\"kind\":\"status\",\"status\":503,\"count\":2,\"path\":\"/projects\"}");
    gl_assert_ok(gl_http_get(&resp, f->svc, "/projects", NULL));
    assert_int_equal(resp->status, 200);
    assert_int_equal(resp->attempts, 3);
    gl_http_response_free(resp);
    assert_int_equal(gl_test_fake_count(&f->fake), 3);
    /* Backed off twice on the fake clock (200 ms then 400 ms, each at least half). */
    assert_int_equal(gl_clock_fake_sleeps(f->clock), 2);
    assert_true(gl_clock_fake_slept_ms(f->clock) >= 300);
    assert_true(gl_clock_fake_slept_ms(f->clock) <= 600);
}

static void gives_up_after_the_retry_budget(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;
    int rc;

    fault(f, "{\"kind\":\"status\",\"status\":502,\"count\":50,\"json\":{\"message\":\"upstream "
             "down\"}}");
    rc = gl_http_get(&resp, f->svc, "/projects", NULL);
    assert_int_equal(rc, GL_EREMOTE);
    assert_non_null(resp);
    assert_int_equal(resp->status, 502);
    gl_http_response_free(resp);
    assert_int_equal(gl_test_fake_count(&f->fake), 4); /* the default budget: 4 attempts */
    /* One line naming service, method, path, status and the body's message. */
    assert_string_equal(gl_error_last(), "harvest: GET /projects: HTTP 502: upstream down");
    no_secret_in_message();
}

/* The hooks a connector gives: new credentials after a 401, and its own "too fast". */
typedef struct hooks {
    gl_http_service **svc;
    int reauths;
    const char *refuse; /* reauth fails with this, when set */
} hooks;

static int reauth(void *payload, char **token)
{
    hooks *h = payload;

    h->reauths++;
    if (h->refuse)
        return gl_error_set(GL_EAUTH, "%s", h->refuse);
    *token = strdup("renewed-token");
    return GL_OK;
}

static bool slow_down(const gl_http_response *resp, void *payload)
{
    (void)payload;
    return resp->status == 403 && resp->json && gl_json_str(resp->json, "reason") &&
           strcmp(gl_json_str(resp->json, "reason"), "slowDown") == 0;
}

static int post_entry(fixture *f, gl_http_response **resp)
{
    gl_http_request req = {.method = "POST", .path = "/time_entries"};
    return gl_http_send(resp, f->svc, &req);
}

static void a_401_renews_once_and_a_throttle_is_waited_out(void **state)
{
    fixture *f = *state;
    gl_http_options opts = GL_HTTP_OPTIONS_INIT;
    gl_http_response *resp = NULL;
    hooks h = {.svc = &f->svc};
    json_object *reqs;

    gl_http_service_free(f->svc);
    opts.refresh = reauth;
    opts.refresh_payload = &h;
    opts.throttled = slow_down;
    opts.max_rate_waits = 3;
    gl_assert_ok(make_service(f, &opts));
    gl_assert_ok(gl_http_set_bearer(f->svc, SECRET_TOKEN));
    canned(f, "POST", "/time_entries", 201, "{\"id\": 1}");

    /* A refused token: renewed once, and the POST (not processed) is sent again with it. */
    fault(f, "{\"kind\":\"status\",\"status\":401,\"count\":1}");
    gl_assert_ok(post_entry(f, &resp));
    assert_int_equal((int)resp->status, 201);
    assert_int_equal(resp->attempts, 2);
    gl_http_response_free(resp);
    assert_int_equal(h.reauths, 1);
    reqs = gl_test_fake_requests(&f->fake);
    assert_string_equal(
        gl_json_str(gl_json_object(json_object_array_get_idx(reqs, 1), "headers"), "Authorization"),
        "Bearer renewed-token");
    json_object_put(reqs);

    /* Refused again after renewing: the 401 is the answer; a failed renewal is its own. */
    fault(f, "{\"kind\":\"status\",\"status\":401,\"count\":2}");
    assert_int_equal(post_entry(f, &resp), GL_EAUTH);
    gl_http_response_free(resp);
    assert_int_equal(h.reauths, 2);
    h.refuse = "the refresh token was revoked";
    fault(f, "{\"kind\":\"status\",\"status\":401,\"count\":1}");
    assert_int_equal(post_entry(f, &resp), GL_EAUTH);
    assert_null(resp);
    assert_string_equal(gl_error_last(), "the refresh token was revoked");

    /* The service's "too fast": waited out with backoff from 200 ms, three times at most. */
    gl_test_fake_control(&f->fake, "reset", "{}");
    canned(f, "GET", "/projects", 200, "{\"projects\": []}");
    fault(f, "{\"kind\":\"status\",\"status\":403,\"count\":3,\"json\":{\"reason\":"
             "\"slowDown\"}}");
    gl_assert_ok(gl_http_get(&resp, f->svc, "/projects", NULL));
    assert_int_equal(resp->attempts, 4);
    assert_true(resp->waited_ms >= 200 + 400 + 800);
    gl_http_response_free(resp);
    fault(f, "{\"kind\":\"status\",\"status\":403,\"count\":9,\"json\":{\"reason\":"
             "\"slowDown\"}}");
    assert_int_equal(gl_http_get(&resp, f->svc, "/projects", NULL), GL_EFORBIDDEN);
    assert_int_equal(resp->attempts, 4);
    gl_http_response_free(resp);
    /* A 403 of another kind is the answer at once. */
    gl_test_fake_control(&f->fake, "reset", "{}");
    fault(f, "{\"kind\":\"status\",\"status\":403,\"json\":{\"reason\":\"forbidden\"}}");
    assert_int_equal(gl_http_get(&resp, f->svc, "/projects", NULL), GL_EFORBIDDEN);
    assert_int_equal(resp->attempts, 1);
    gl_http_response_free(resp);
}

static void waits_for_retry_after_on_429(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;

    canned(f, "GET", "/time_entries", 200, "{\"time_entries\": []}");
    fault(f, "{\"kind\":\"ratelimit\",\"retry_after\":30,\"count\":1}");
    gl_assert_ok(gl_http_get(&resp, f->svc, "/time_entries", NULL));
    assert_int_equal(resp->status, 200);
    /* Exactly the server's 30 s, on the injected clock: no real waiting. */
    assert_int_equal(gl_clock_fake_slept_ms(f->clock), 30000);
    assert_int_equal(resp->waited_ms, 30000);
    gl_http_response_free(resp);
    assert_int_equal(gl_test_fake_count(&f->fake), 2);
}

static void retry_after_as_http_date(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;
    /* The fake clock says 2025-11-21T04:40:00Z; the date is 45 s later. */
    canned(f, "GET", "/users", 200, "{\"users\": []}");
    fault(f, "{\"kind\":\"ratelimit\",\"retry_after\":\"Fri, 21 Nov 2025 04:40:45 GMT\"}");
    gl_assert_ok(gl_http_get(&resp, f->svc, "/users", NULL));
    assert_int_equal(gl_clock_fake_slept_ms(f->clock), 45000);
    gl_http_response_free(resp);
    assert_int_equal(gl_http_parse_retry_after("120", 0), 120);
    assert_int_equal(gl_http_parse_retry_after("soon", 0), -1);
}

static void a_429_storm_still_completes_and_posts_are_resent(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;
    gl_http_request req = {0};

    canned(f, "POST", "/time_entries", 201, "{\"id\": 1}");
    /* A 429 means "not processed", so even a POST is sent again. */
    fault(f, "{\"kind\":\"ratelimit\",\"retry_after\":2,\"count\":8}");
    req.method = "POST";
    req.path = "/time_entries";
    req.body = "{}";
    req.body_len = 2;
    req.content_type = "application/json";
    gl_assert_ok(gl_http_send(&resp, f->svc, &req));
    assert_int_equal(resp->status, 201);
    assert_int_equal(gl_clock_fake_slept_ms(f->clock), 16000);
    gl_http_response_free(resp);
    assert_int_equal(gl_test_fake_count(&f->fake), 9);
}

static void refuses_a_wait_longer_than_the_budget(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;

    fault(f, "{\"kind\":\"ratelimit\",\"retry_after\":900}");
    assert_int_equal(gl_http_get(&resp, f->svc, "/reports/time/projects", NULL), GL_ERATELIMIT);
    assert_int_equal(gl_clock_fake_slept_ms(f->clock), 0);
    assert_non_null(strstr(gl_error_last(), "900 s"));
    assert_non_null(strstr(gl_error_last(), "try again later"));
    gl_http_response_free(resp);
}

static void posts_are_not_retried_after_a_5xx(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;
    gl_http_request req = {0};

    canned(f, "POST", "/invoices", 201, "{\"id\": 1}");
    fault(f, "{\"kind\":\"status\",\"status\":503,\"count\":3}");
    req.method = "POST";
    req.path = "/invoices";
    req.body = "{}";
    req.body_len = 2;
    req.content_type = "application/json";
    assert_int_equal(gl_http_send(&resp, f->svc, &req), GL_EREMOTE);
    gl_http_response_free(resp);
    assert_int_equal(gl_test_fake_count(&f->fake), 1);
    /* With an idempotency key it is safe to send again: two more 503s, then 201. */
    req.idempotent = true;
    gl_assert_ok(gl_http_send(&resp, f->svc, &req));
    assert_int_equal(resp->attempts, 3);
    gl_http_response_free(resp);
    assert_int_equal(gl_test_fake_count(&f->fake), 4);
}

static void truncated_and_closed_connections(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;
    int rc;

    canned(f, "GET", "/clients", 200,
           "{\"clients\": [{\"id\": 1, \"name\": \"ACME Corporation with a long enough name\"}]}");
    fault(f, "{\"kind\":\"truncate\",\"count\":1}");
    fault(f, "{\"kind\":\"close\",\"count\":1}");
    gl_assert_ok(gl_http_get(&resp, f->svc, "/clients", NULL));
    assert_non_null(resp->json);
    assert_int_equal(resp->attempts, 3);
    gl_http_response_free(resp);

    fault(f, "{\"kind\":\"truncate\",\"count\":10}");
    rc = gl_http_get(&resp, f->svc, "/clients", NULL);
    assert_int_equal(rc, GL_ENETWORK);
    assert_null(resp);
    /* A 503 answered first must not pass for the final attempt's answer. */
    gl_test_fake_control(&f->fake, "reset", "{}");
    canned(f, "GET", "/clients", 200, "{\"clients\": []}");
    fault(f, "{\"kind\":\"status\",\"status\":503,\"count\":1}");
    fault(f, "{\"kind\":\"truncate\",\"count\":10}");
    assert_int_equal(gl_http_get(&resp, f->svc, "/clients", NULL), GL_ENETWORK);
    assert_null(resp);
    assert_non_null(strstr(gl_error_last(), "harvest: GET /clients"));
    assert_non_null(strstr(gl_error_last(), "mid-response"));
    no_secret_in_message();
}

static void bad_json_is_an_error_not_a_crash(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;

    canned(f, "GET", "/company", 200, "{}");
    fault(f, "{\"kind\":\"garbage\",\"body\":\"{\\\"name\\\": \\\"Acme\\\", \\\"cur\"}");
    assert_int_equal(gl_http_get(&resp, f->svc, "/company", NULL), GL_EBADDATA);
    assert_non_null(strstr(gl_error_last(), "harvest: GET /company"));
    assert_non_null(strstr(gl_error_last(), "truncated"));
    gl_http_response_free(resp);
    fault(f, "{\"kind\":\"garbage\"}");
    assert_int_equal(gl_http_get(&resp, f->svc, "/company", NULL), GL_EBADDATA);
    gl_http_response_free(resp);
}

static void oversize_body_is_refused(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;
    gl_http_options opts = GL_HTTP_OPTIONS_INIT;
    char filler[4001], big[4200];

    gl_http_service_free(f->svc);
    opts.max_body = 1024;
    gl_assert_ok(make_service(f, &opts));
    memset(filler, 'x', sizeof(filler) - 1);
    filler[sizeof(filler) - 1] = '\0';
    snprintf(big, sizeof(big), "{\"method\":\"GET\",\"path\":\"/big\",\"body\":\"%s\"}", filler);
    gl_test_fake_control(&f->fake, "static", big);
    assert_int_equal(gl_http_get(&resp, f->svc, "/big", NULL), GL_ETOOBIG);
    assert_non_null(strstr(gl_error_last(), "1024-byte limit"));
    assert_null(resp);
    /* Too big is final: not retried. */
    assert_int_equal(gl_test_fake_count(&f->fake), 1);
}

static void http_errors_map_to_codes(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;

    canned(f, "GET", "/a", 401,
           "{\"error\":\"invalid_token\",\"error_description\":\"The access token provided is "
           "expired, revoked, malformed or invalid for other reasons.\"}");
    canned(f, "GET", "/b", 403, "{\"message\":\"Insufficient permissions\"}");
    canned(f, "POST", "/c", 422, "{\"message\":\"Spent date is invalid\"}");
    gl_test_fake_control(
        &f->fake, "static",
        "{\"method\":\"GET\",\"path\":\"/d\",\"status\":404,\"body\":\"<html><body>"
        "<h1>Not Found</h1></body></html>\",\"headers\":{\"Content-Type\":"
        "\"text/html\"}}");
    canned(f, "DELETE", "/e", 423, "{\"message\":\"Entry is locked\"}");
    assert_int_equal(gl_http_get(&resp, f->svc, "/a", NULL), GL_EAUTH);
    assert_non_null(strstr(gl_error_last(), "access token provided is expired"));
    gl_http_response_free(resp);
    assert_int_equal(gl_http_get(&resp, f->svc, "/b", NULL), GL_EFORBIDDEN);
    gl_http_response_free(resp);
    {
        gl_http_request req = {0};
        req.method = "POST";
        req.path = "/c";
        assert_int_equal(gl_http_send(&resp, f->svc, &req), GL_EREJECTED);
        assert_string_equal(gl_error_last(), "harvest: POST /c: HTTP 422: Spent date is invalid");
        gl_http_response_free(resp);
        req.method = "DELETE";
        req.path = "/e";
        assert_int_equal(gl_http_send(&resp, f->svc, &req), GL_ECONFLICT);
        gl_http_response_free(resp);
    }
    assert_int_equal(gl_http_get(&resp, f->svc, "/d", NULL), GL_ENOTFOUND);
    assert_non_null(strstr(gl_error_last(), "Not Found"));
    assert_null(resp->json);
    gl_http_response_free(resp);
}

/* OAuth servers answer errors as text/plain JSON; a 2xx that only looks like JSON is not an error.
 */
static void unlabelled_json_is_parsed_when_it_can_be(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;

    gl_test_fake_control(&f->fake, "static",
                         "{\"method\":\"GET\",\"path\":\"/p\",\"status\":400,"
                         "\"body\":\"{\\\"error\\\":\\\"invalid_grant\\\"}\","
                         "\"headers\":{\"Content-Type\":\"text/plain\"}}");
    gl_test_fake_control(&f->fake, "static",
                         "{\"method\":\"GET\",\"path\":\"/q\",\"status\":200,"
                         "\"body\":\"{not json\",\"headers\":{\"Content-Type\":\"text/plain\"}}");
    assert_int_equal(gl_http_get(&resp, f->svc, "/p", NULL), GL_EREJECTED);
    assert_non_null(resp->json);
    assert_string_equal(gl_error_last(), "harvest: GET /p: HTTP 400: invalid_grant");
    gl_http_response_free(resp);
    gl_assert_ok(gl_http_get(&resp, f->svc, "/q", NULL));
    assert_null(resp->json);
    gl_http_response_free(resp);
}

static void token_bucket_paces_requests(void **state)
{
    fixture *f = *state;
    gl_http_options opts = GL_HTTP_OPTIONS_INIT;
    gl_http_response *resp = NULL;

    gl_http_service_free(f->svc);
    opts.rate_per_second = 2; /* 2 per second, bursts of 2 */
    opts.rate_burst = 2;
    gl_assert_ok(make_service(f, &opts));
    gl_assert_ok(gl_http_add_limit(f->svc, "/reports/", 0.5, 1));
    canned(f, "GET", "/ping", 200, "{}");
    canned(f, "GET", "/reports/time/team", 200, "{\"results\": []}");
    for (int i = 0; i < 6; i++) {
        gl_assert_ok(gl_http_get(&resp, f->svc, "/ping", NULL));
        gl_http_response_free(resp);
    }
    /* Two free, then one every 500 ms. */
    assert_true(gl_clock_fake_slept_ms(f->clock) >= 1990);
    assert_true(gl_clock_fake_slept_ms(f->clock) <= 2100);
    /* Reports have their own, stricter bucket: one every 2 s. */
    for (int i = 0; i < 3; i++) {
        gl_assert_ok(gl_http_get(&resp, f->svc, "/reports/time/team", NULL));
        gl_http_response_free(resp);
    }
    assert_true(gl_clock_fake_slept_ms(f->clock) >= 1990 + 3900);
}

static void refuses_plain_http_to_other_hosts(void **state)
{
    gl_http_options opts = GL_HTTP_OPTIONS_INIT;
    gl_http_service *svc = NULL;
    (void)state;
    opts.service = "harvest";
    opts.base_url = "http://api.harvestapp.com/v2";
    assert_int_equal(gl_http_service_new(&svc, &opts), GL_EINSECURE);
    assert_null(svc);
    assert_non_null(strstr(gl_error_last(), "plain http://"));
    opts.base_url = "ftp://example.com/";
    assert_int_equal(gl_http_service_new(&svc, &opts), GL_EINSECURE);
    opts.base_url = "not a url";
    assert_int_equal(gl_http_service_new(&svc, &opts), GL_EINVAL);
    gl_assert_ok(gl_http_check_url("https://api.harvestapp.com/v2", "x"));
    gl_assert_ok(gl_http_check_url("http://localhost:8080/", "x"));
    gl_assert_ok(gl_http_check_url("http://[::1]:8080/", "x"));
    assert_int_equal(gl_http_check_url("http://127.0.0.2/", "x"), GL_EINSECURE);
}

static void links_to_other_origins_are_refused(void **state)
{
    fixture *f = *state;
    gl_http_response *resp = NULL;
    char url[128];

    canned(f, "GET", "/clients", 200, "{\"clients\": []}");
    snprintf(url, sizeof(url), "%s/clients?cursor=abc&per_page=2000", f->fake.url);
    gl_assert_ok(gl_http_get(&resp, f->svc, url, NULL)); /* same origin: a pagination link */
    gl_http_response_free(resp);
    assert_int_equal(gl_http_get(&resp, f->svc, "https://evil.example.com/clients", NULL),
                     GL_EINSECURE);
    assert_int_equal(gl_http_get(&resp, f->svc, "http://127.0.0.1:1/clients", NULL), GL_EINSECURE);
    assert_int_equal(gl_test_fake_count(&f->fake), 1);
}

static void timeouts_are_reported(void **state)
{
    fixture *f = *state;
    gl_http_options opts = GL_HTTP_OPTIONS_INIT;
    gl_http_response *resp = NULL;

    gl_http_service_free(f->svc);
    opts.timeout_ms = 300;
    opts.max_attempts = 2;
    gl_assert_ok(make_service(f, &opts));
    canned(f, "GET", "/slow", 200, "{}");
    fault(f, "{\"kind\":\"delay\",\"seconds\":2,\"count\":2}");
    assert_int_equal(gl_http_get(&resp, f->svc, "/slow", NULL), GL_ETIMEOUT);
    assert_non_null(strstr(gl_error_last(), "no answer in time"));
    assert_null(resp);
}

static void connection_refused_is_a_network_error(void **state)
{
    gl_http_options opts = GL_HTTP_OPTIONS_INIT;
    gl_http_service *svc = NULL;
    gl_http_response *resp = NULL;
    gl_clock_fake *clock = NULL;
    (void)state;
    gl_clock_fake_new(&clock, 0);
    opts.service = "slack";
    opts.base_url = "http://127.0.0.1:1"; /* nothing listens on port 1 */
    opts.clock = gl_clock_fake_clock(clock);
    gl_assert_ok(gl_http_service_new(&svc, &opts));
    {
        gl_http_request req = {0};
        req.method = "POST"; /* nothing was sent, so even a POST is retried */
        req.path = "/api/chat.postMessage";
        assert_int_equal(gl_http_send(&resp, svc, &req), GL_ENETWORK);
    }
    assert_non_null(strstr(gl_error_last(), "slack: POST /api/chat.postMessage"));
    assert_int_equal(gl_clock_fake_sleeps(clock), 3);
    gl_http_service_free(svc);
    gl_clock_fake_free(clock);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(get_sends_headers_query_and_parses_json),
        T(post_sends_json_body),
        T(retries_503_then_succeeds),
        T(gives_up_after_the_retry_budget),
        T(waits_for_retry_after_on_429),
        T(a_401_renews_once_and_a_throttle_is_waited_out),
        T(retry_after_as_http_date),
        T(a_429_storm_still_completes_and_posts_are_resent),
        T(refuses_a_wait_longer_than_the_budget),
        T(posts_are_not_retried_after_a_5xx),
        T(truncated_and_closed_connections),
        T(bad_json_is_an_error_not_a_crash),
        T(oversize_body_is_refused),
        T(http_errors_map_to_codes),
        T(unlabelled_json_is_parsed_when_it_can_be),
        T(token_bucket_paces_requests),
        T(links_to_other_origins_are_refused),
        T(timeouts_are_reported),
        cmocka_unit_test(refuses_plain_http_to_other_hosts),
        cmocka_unit_test(connection_refused_is_a_network_error),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
