/*
 * http.h - the one HTTP layer every connector uses (libcurl + json-c).
 *
 * A gl_http_service is one remote service ("harvest", "slack"): its base URL,
 * a reused libcurl handle (connections stay open between requests), the
 * headers every request carries (credentials among them, never logged), a
 * token-bucket rate limiter, timeouts, a response size cap and the retry
 * policy:
 *
 *   - network errors and 5xx are retried with exponential backoff and jitter,
 *     but only for requests that are safe to repeat: GET, HEAD, PUT, DELETE,
 *     or any request marked `idempotent` because it carries an idempotency
 *     key.  A failure to connect is retried for every method (nothing was
 *     sent);
 *   - 429 is always retried (the request was not processed) after the
 *     server's Retry-After (seconds or an HTTP date); 503 with Retry-After is
 *     honoured the same way for safe requests;
 *   - a wait longer than `max_wait_ms` is not attempted: GL_ERATELIMIT;
 *   - a response the service marks as its own "too fast" (`throttled`:
 *     Google's 403 rateLimitExceeded) is retried like a 429 that names no
 *     wait, with exponential backoff;
 *   - a 401 asks for a new access token once (`refresh`: an OAuth refresh)
 *     and sends the request again with it.
 *
 * Waiting goes through the service's gl_clock, so tests inject a fake clock
 * and a 30-second Retry-After costs nothing.
 *
 * Plain http:// is accepted only for loopback hosts (127.0.0.1, ::1,
 * localhost); TLS certificates are always verified.  Absolute URLs (a
 * pagination link) must be on the base URL's origin, so credentials never
 * travel to another host.
 *
 * Errors name the service, method, path and status with a short excerpt of
 * the body, e.g. "harvest: POST /v2/time_entries: HTTP 422: Spent date is
 * invalid" - never a header value or a query string.
 */
#ifndef GL_HTTP_H
#define GL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "util/clock.h"
#include "util/error.h"

typedef struct gl_http_service gl_http_service;
typedef struct gl_http_response gl_http_response;

/*
 * Turns an error response into the detail part of the message ("Spent date
 * is invalid").  Write at most `len` bytes into `out`; return false to use
 * the default (the JSON "message", "error_description" or "error" field, or
 * an excerpt of the body).
 */
typedef bool (*gl_http_describe_cb)(const gl_http_response *resp, char *out, size_t len,
                                    void *payload);

/* A new access token after a 401; see gl_http_options.refresh. */
typedef int (*gl_http_refresh_cb)(void *payload, char **token);

typedef struct gl_http_options {
    const char *service;         /* names errors and the trace category; required */
    const char *base_url;        /* e.g. "https://api.harvestapp.com/v2"; required */
    const char *user_agent;      /* default: "gleaner/VERSION" */
    long connect_timeout_ms;     /* default 10 s */
    long timeout_ms;             /* whole transfer, per attempt; default 60 s */
    size_t max_body;             /* response body cap; default 16 MiB */
    int max_attempts;            /* attempts for network errors and 5xx; default 4 */
    int max_rate_waits;          /* 429 retries per request; default 20 */
    long backoff_initial_ms;     /* first backoff; default 500 ms, doubling */
    long backoff_max_ms;         /* default 30 s */
    long max_wait_ms;            /* longest single Retry-After honoured; default 5 min */
    long default_retry_after_ms; /* a 429 without Retry-After waits this; default 15 s */
    double rate_per_second;      /* token bucket refill; 0 = no limiter */
    double rate_burst;           /* bucket size; default max(1, rate_per_second) */
    bool follow_redirects;       /* default false (APIs do not redirect; feeds do) */
    bool secret_url;             /* the URL is a secret (a webhook): never name its path */
    const gl_clock *clock;       /* default the system clock; borrowed */
    gl_http_describe_cb describe_error;
    void *describe_payload;
    /*
     * On a 401, once per request: GL_OK with a new access token in *token
     * (malloc'd; the layer makes it the service's bearer, then wipes and
     * frees it) to send the request again, or an error, with its message,
     * that the request then fails with (the refresh's own reason, not the
     * 401).  NULL: a 401 is the answer.
     */
    gl_http_refresh_cb refresh;
    void *refresh_payload;
    /*
     * True for a response that says "too fast" without being a 429: waited
     * out with exponential backoff (backoff_initial_ms doubling up to
     * backoff_max_ms, plus up to a second of jitter), at most max_rate_waits
     * times; then it is the answer.  NULL: none.
     */
    bool (*throttled)(const gl_http_response *resp, void *payload);
    void *throttled_payload;
} gl_http_options;

#define GL_HTTP_OPTIONS_INIT \
    {                        \
        0                    \
    }

/*
 * gl_http_service_new - a service from `opts` (copied; strings too).
 * GL_EINSECURE for http:// to a non-loopback host, GL_EINVAL for a URL that
 * does not parse.  Free with gl_http_service_free.
 */
int gl_http_service_new(gl_http_service **out, const gl_http_options *opts);
void gl_http_service_free(gl_http_service *svc);

/*
 * gl_http_set_header - a header sent with every request ("Harvest-Account-Id",
 * "123"); a NULL value removes it.  Values are never logged.
 */
int gl_http_set_header(gl_http_service *svc, const char *name, const char *value);

/* gl_http_set_bearer - "Authorization: Bearer <token>" on every request (NULL clears). */
int gl_http_set_bearer(gl_http_service *svc, const char *token);

/*
 * gl_http_add_limit - a stricter token bucket for paths under `path_prefix`
 * (relative to the base URL's path, e.g. "/reports/"), used in addition to
 * the service's own.
 */
int gl_http_add_limit(gl_http_service *svc, const char *path_prefix, double rate_per_second,
                      double burst);

/* The service's base URL and name; borrowed. */
const char *gl_http_base_url(const gl_http_service *svc);
const char *gl_http_service_name(const gl_http_service *svc);

typedef struct gl_http_request {
    const char *method;       /* default "GET" */
    const char *path;         /* "/users/me" under the base URL, or an absolute URL */
    const char *const *query; /* NULL-terminated name, value, name, value...; escaped here */
    json_object *json;        /* JSON body; borrowed */
    const char *body;         /* or a raw body ... */
    size_t body_len;
    const char *content_type;   /* ... of this type (e.g. application/x-www-form-urlencoded) */
    const char *const *headers; /* extra "Name: value" lines, NULL-terminated */
    bool idempotent;            /* carries an idempotency key: safe to retry */
    bool raw;                   /* do not parse the body as JSON */
} gl_http_request;

struct gl_http_response {
    long status; /* HTTP status of the final attempt */
    char *body;  /* NUL-terminated; owned */
    size_t body_len;
    json_object *json; /* parsed body when labelled JSON, or unlabelled but parseable; owned */
    int attempts;      /* requests sent, retries included (not those a 429 refused) */
    int64_t waited_ms; /* time spent in backoff, Retry-After and the limiter */
    char *headers;     /* raw header block of the final response; owned */
};

/*
 * gl_http_send - send `req`, retrying as described above.
 *
 * Returns GL_OK for 2xx and 304.  Otherwise a negative code and a message:
 * GL_EAUTH (401), GL_EFORBIDDEN (403), GL_ENOTFOUND (404, 410),
 * GL_ECONFLICT (409, 423), GL_ERATELIMIT (429 after the wait budget),
 * GL_EREJECTED (other 4xx), GL_EREMOTE (5xx), GL_ENETWORK/GL_ETIMEOUT
 * (transport; the request may or may not have been processed), GL_ETOOBIG
 * (over max_body), GL_EBADDATA (a 2xx body that claims JSON but is not).
 *
 * *out receives the response whenever one arrived, on success and on HTTP
 * errors alike, so callers can read an error body; free it with
 * gl_http_response_free.  It is NULL after transport failures.
 */
int gl_http_send(gl_http_response **out, gl_http_service *svc, const gl_http_request *req);

/* Convenience: GET `path` with `query` pairs. */
int gl_http_get(gl_http_response **out, gl_http_service *svc, const char *path,
                const char *const *query);

void gl_http_response_free(gl_http_response *resp);

/*
 * gl_http_error_detail - what an error response says, for a message: its
 * JSON "message", "error_description", "error" or "detail", else an excerpt
 * of the body; at most `len` bytes into `out`.
 */
void gl_http_error_detail(const gl_http_response *resp, char *out, size_t len);

/*
 * gl_http_response_header - the value of response header `name`
 * (case-insensitive), copied into `out` (size `len`).  Returns false when
 * absent.
 */
bool gl_http_response_header(const gl_http_response *resp, const char *name, char *out, size_t len);

/* gl_http_is_loopback - whether `host` (as in a URL) is this machine: 127.0.0.1, ::1, localhost. */
bool gl_http_is_loopback(const char *host);

/*
 * gl_http_check_url - whether `url` may be used: https anywhere, http
 * only on loopback.  On refusal sets GL_EINSECURE (or GL_EINVAL for a URL
 * that does not parse) naming `what`.
 */
int gl_http_check_url(const char *url, const char *what);

/*
 * gl_http_parse_retry_after - seconds to wait from a Retry-After value
 * (delta seconds or HTTP date) at `now` (UTC seconds); -1 when unparseable.
 */
int64_t gl_http_parse_retry_after(const char *value, int64_t now);

#endif
