/*
 * http.c - libcurl transport, retries, rate limiting, JSON and errors.
 */
#include "http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <curl/mprintf.h>

#include "gl_version.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/str.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_TIMEOUT_MS         60000L
#define DEFAULT_MAX_BODY           ((size_t)16 * 1024 * 1024)
#define DEFAULT_MAX_ATTEMPTS       4
#define DEFAULT_MAX_RATE_WAITS     20
#define DEFAULT_BACKOFF_INITIAL_MS 500L
#define DEFAULT_BACKOFF_MAX_MS     30000L
#define DEFAULT_MAX_WAIT_MS        300000L
#define DEFAULT_RETRY_AFTER_MS     15000L
#define MAX_HEADER_BYTES           (64 * 1024)
#define MAX_HEADERS                32
#define MAX_LIMITS                 8
#define ERROR_DETAIL_MAX           200

typedef struct bucket {
    char *prefix; /* NULL for the service-wide bucket */
    double rate;  /* tokens per second */
    double burst;
    double tokens;
    int64_t last_ms;
} bucket;

struct gl_http_service {
    char *name;
    char *base_url;
    char *origin;    /* scheme://host:port of the base URL */
    char *base_path; /* path of the base URL without a trailing slash */
    char *user_agent;
    bool loopback;
    gl_http_options opts;
    CURL *curl;
    char *headers[MAX_HEADERS]; /* "Name: value" */
    int nheaders;
    bucket limits[MAX_LIMITS];
    int nlimits;
};

/* ---------------------------------------------------------------- URLs */

bool gl_http_is_loopback(const char *host)
{
    return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
           strcmp(host, "::1") == 0 || strcasecmp(host, "localhost") == 0;
}

/* Split `url` into its parts; the caller frees each with curl_free. */
static int url_parts(const char *url, char **scheme, char **host, char **port, char **path)
{
    CURLU *u = curl_url();
    int rc = GL_OK;

    *scheme = *host = *port = *path = NULL;
    if (!u)
        return gl_error_set(GL_ENOMEM, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, path, 0) != CURLUE_OK) {
        curl_free(*scheme);
        curl_free(*host);
        curl_free(*port);
        curl_free(*path);
        *scheme = *host = *port = *path = NULL;
        rc = GL_EINVAL;
    }
    curl_url_cleanup(u);
    return rc;
}

int gl_http_check_url(const char *url, const char *what)
{
    char *scheme, *host, *port, *path;
    int rc;

    if (url_parts(url, &scheme, &host, &port, &path) < 0)
        return gl_error_set(GL_EINVAL, "%s: '%s' is not a URL", what, url);
    if (strcasecmp(scheme, "https") == 0)
        rc = GL_OK;
    else if (strcasecmp(scheme, "http") == 0 && gl_http_is_loopback(host))
        rc = GL_OK;
    else if (strcasecmp(scheme, "http") == 0)
        rc = gl_error_set(GL_EINSECURE,
                          "%s: refusing plain http:// to %s; use https:// (http is only for "
                          "127.0.0.1 and localhost)",
                          what, host);
    else
        rc = gl_error_set(GL_EINSECURE, "%s: unsupported URL scheme '%s' (use https://)", what,
                          scheme);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    return rc;
}

/* ------------------------------------------------------------ service */

int gl_http_service_new(gl_http_service **out, const gl_http_options *opts)
{
    gl_http_service *svc = NULL;
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
    size_t n;
    int rc;

    *out = NULL;
    if (!opts || !opts->service || !opts->base_url)
        return gl_error_set(GL_EINVAL, "http: a service needs a name and a base URL");
    if ((rc = gl_http_check_url(opts->base_url, opts->service)) < 0)
        return rc;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return gl_error_set(GL_ERROR, "libcurl failed to initialise");
    if (!(svc = calloc(1, sizeof(*svc)))) {
        curl_global_cleanup();
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    svc->opts = *opts;
    if (url_parts(opts->base_url, &scheme, &host, &port, &path) < 0) {
        rc = gl_error_set(GL_EINVAL, "%s: '%s' is not a URL", opts->service, opts->base_url);
        goto done;
    }
    svc->loopback = gl_http_is_loopback(host);
    svc->name = gl_strdup(opts->service);
    svc->base_url = gl_strdup(opts->base_url);
    svc->origin = gl_strdupf("%s://%s:%s", scheme, host, port);
    svc->base_path = gl_strdup(path);
    svc->user_agent =
        opts->user_agent ? gl_strdup(opts->user_agent) : gl_strdupf("gleaner/%s", GL_VERSION);
    svc->curl = curl_easy_init();
    if (!svc->name || !svc->base_url || !svc->origin || !svc->base_path || !svc->user_agent ||
        !svc->curl) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    n = strlen(svc->base_path);
    while (n > 0 && svc->base_path[n - 1] == '/')
        svc->base_path[--n] = '\0';
    n = strlen(svc->base_url);
    while (n > 0 && svc->base_url[n - 1] == '/')
        svc->base_url[--n] = '\0';

    /* Strings in opts are borrowed by the caller; keep only what we copied. */
    svc->opts.service = svc->name;
    svc->opts.base_url = svc->base_url;
    svc->opts.user_agent = svc->user_agent;
    if (svc->opts.connect_timeout_ms <= 0)
        svc->opts.connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    if (svc->opts.timeout_ms <= 0)
        svc->opts.timeout_ms = DEFAULT_TIMEOUT_MS;
    if (svc->opts.max_body == 0)
        svc->opts.max_body = DEFAULT_MAX_BODY;
    if (svc->opts.max_attempts <= 0)
        svc->opts.max_attempts = DEFAULT_MAX_ATTEMPTS;
    if (svc->opts.max_rate_waits <= 0)
        svc->opts.max_rate_waits = DEFAULT_MAX_RATE_WAITS;
    if (svc->opts.backoff_initial_ms <= 0)
        svc->opts.backoff_initial_ms = DEFAULT_BACKOFF_INITIAL_MS;
    if (svc->opts.backoff_max_ms <= 0)
        svc->opts.backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
    if (svc->opts.max_wait_ms <= 0)
        svc->opts.max_wait_ms = DEFAULT_MAX_WAIT_MS;
    if (svc->opts.default_retry_after_ms <= 0)
        svc->opts.default_retry_after_ms = DEFAULT_RETRY_AFTER_MS;
    if (!svc->opts.clock)
        svc->opts.clock = gl_clock_system();
    if (svc->opts.rate_per_second > 0) {
        bucket *b = &svc->limits[svc->nlimits++];
        b->rate = svc->opts.rate_per_second;
        b->burst = svc->opts.rate_burst >= 1 ? svc->opts.rate_burst : (b->rate > 1 ? b->rate : 1);
        b->tokens = b->burst;
        b->last_ms = gl_clock_monotonic_ms(svc->opts.clock);
    }
    *out = svc;
    svc = NULL;
    rc = GL_OK;
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    gl_http_service_free(svc);
    return rc;
}

static void free_header(char *h)
{
    if (h) {
        explicit_bzero(h, strlen(h));
        free(h);
    }
}

void gl_http_service_free(gl_http_service *svc)
{
    int i;

    if (!svc)
        return;
    for (i = 0; i < svc->nheaders; i++)
        free_header(svc->headers[i]);
    for (i = 0; i < svc->nlimits; i++)
        free(svc->limits[i].prefix);
    if (svc->curl)
        curl_easy_cleanup(svc->curl);
    free(svc->name);
    free(svc->base_url);
    free(svc->origin);
    free(svc->base_path);
    free(svc->user_agent);
    free(svc);
    curl_global_cleanup();
}

const char *gl_http_base_url(const gl_http_service *svc)
{
    return svc->base_url;
}

const char *gl_http_service_name(const gl_http_service *svc)
{
    return svc->name;
}

int gl_http_set_header(gl_http_service *svc, const char *name, const char *value)
{
    size_t nlen = strlen(name);
    char *line = NULL;
    int i;

    if (!nlen || strpbrk(name, ":\r\n") || (value && strpbrk(value, "\r\n")))
        return gl_error_set(GL_EINVAL, "%s: invalid header %s", svc->name, name);
    for (i = 0; i < svc->nheaders; i++) {
        if (strncasecmp(svc->headers[i], name, nlen) == 0 && svc->headers[i][nlen] == ':') {
            free_header(svc->headers[i]);
            svc->headers[i] = svc->headers[--svc->nheaders];
            break;
        }
    }
    if (!value)
        return GL_OK;
    if (svc->nheaders == MAX_HEADERS)
        return gl_error_set(GL_EINVAL, "%s: too many headers", svc->name);
    if (!(line = gl_strdupf("%s: %s", name, value)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    svc->headers[svc->nheaders++] = line;
    return GL_OK;
}

int gl_http_set_bearer(gl_http_service *svc, const char *token)
{
    char *value;
    int rc;

    if (!token)
        return gl_http_set_header(svc, "Authorization", NULL);
    if (!(value = gl_strdupf("Bearer %s", token)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    rc = gl_http_set_header(svc, "Authorization", value);
    free_header(value);
    return rc;
}

int gl_http_add_limit(gl_http_service *svc, const char *path_prefix, double rate_per_second,
                      double burst)
{
    bucket *b;

    if (svc->nlimits == MAX_LIMITS || rate_per_second <= 0 || !path_prefix)
        return gl_error_set(GL_EINVAL, "%s: cannot add a rate limit for %s", svc->name,
                            path_prefix ? path_prefix : "(null)");
    b = &svc->limits[svc->nlimits];
    if (!(b->prefix = gl_strdupf("%s%s", svc->base_path, path_prefix)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    b->rate = rate_per_second;
    b->burst = burst >= 1 ? burst : 1;
    b->tokens = b->burst;
    b->last_ms = gl_clock_monotonic_ms(svc->opts.clock);
    svc->nlimits++;
    return GL_OK;
}

/* ------------------------------------------------------- rate limiting */

static void bucket_refill(bucket *b, int64_t now)
{
    if (now > b->last_ms) {
        b->tokens += (double)(now - b->last_ms) * b->rate / 1000.0;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        b->last_ms = now;
    }
}

static bool bucket_applies(const bucket *b, const char *path)
{
    return !b->prefix || gl_str_starts_with(path, b->prefix);
}

/* Wait until every bucket that applies to `path` has a token, then take one each. */
static int64_t limiter_acquire(gl_http_service *svc, const char *path)
{
    const gl_clock *clock = svc->opts.clock;
    int64_t waited = 0;

    for (;;) {
        int64_t now = gl_clock_monotonic_ms(clock), wait = 0;
        int i;
        for (i = 0; i < svc->nlimits; i++) {
            bucket *b = &svc->limits[i];
            if (!bucket_applies(b, path))
                continue;
            bucket_refill(b, now);
            if (b->tokens < 1.0) {
                int64_t need = (int64_t)((1.0 - b->tokens) * 1000.0 / b->rate) + 1;
                if (need > wait)
                    wait = need;
            }
        }
        if (wait == 0)
            break;
        gl_trace(svc->name, "rate limiter: waiting %lld ms for %s", (long long)wait, path);
        gl_clock_sleep_ms(clock, wait);
        waited += wait;
    }
    for (int i = 0; i < svc->nlimits; i++)
        if (bucket_applies(&svc->limits[i], path))
            svc->limits[i].tokens -= 1.0;
    return waited;
}

/* After a 429 the server's budget is spent: empty our buckets too. */
static void limiter_drain(gl_http_service *svc, const char *path)
{
    for (int i = 0; i < svc->nlimits; i++)
        if (bucket_applies(&svc->limits[i], path))
            svc->limits[i].tokens = 0;
}

/* ----------------------------------------------------------- transfer */

typedef struct transfer {
    gl_buf body;
    gl_buf headers;
    bool too_big;
} transfer;

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    transfer *t = userdata;
    size_t n = size * nmemb;
    if (gl_buf_append(&t->body, data, n) < 0) {
        t->too_big = true;
        return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
    transfer *t = userdata;
    size_t n = size * nmemb;
    /* A new status line (after a redirect or 100 Continue) starts a new block. */
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
        gl_buf_clear(&t->headers);
    if (gl_buf_append(&t->headers, data, n) < 0)
        return 0;
    return n;
}

bool gl_http_response_header(const gl_http_response *resp, const char *name, char *out, size_t len)
{
    const char *p = resp && resp->headers ? resp->headers : "";
    size_t nlen = strlen(name);

    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t linelen = eol ? (size_t)(eol - p) : strlen(p);
        if (linelen > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            const char *end = p + linelen;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
                end--;
            if (len) {
                size_t vlen = (size_t)(end - v) < len - 1 ? (size_t)(end - v) : len - 1;
                memcpy(out, v, vlen);
                out[vlen] = '\0';
            }
            return true;
        }
        p += linelen + (eol ? 1 : 0);
    }
    return false;
}

int64_t gl_http_parse_retry_after(const char *value, int64_t now)
{
    int64_t secs;
    time_t when;

    if (!value || !*value)
        return -1;
    if (gl_parse_int64(&secs, value) == GL_OK)
        return secs < 0 ? 0 : secs;
    when = curl_getdate(value, NULL);
    if (when < 0)
        return -1;
    return (int64_t)when > now ? (int64_t)when - now : 0;
}

void gl_http_response_free(gl_http_response *resp)
{
    if (!resp)
        return;
    free(resp->body);
    free(resp->headers);
    json_object_put(resp->json);
    free(resp);
}

static bool method_is_safe(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
           strcmp(method, "PUT") == 0 || strcmp(method, "DELETE") == 0 ||
           strcmp(method, "OPTIONS") == 0;
}

/* Build the full URL and the path shown in messages (no query: it is never shown). */
static int build_url(gl_http_service *svc, const gl_http_request *req, char **url_out,
                     char **path_out)
{
    CURLU *u = NULL;
    char *joined = NULL, *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
    char *origin = NULL;
    const char *p = req->path ? req->path : "";
    int rc = GL_OK;

    *url_out = *path_out = NULL;
    if (strncasecmp(p, "https://", 8) == 0 || strncasecmp(p, "http://", 7) == 0) {
        /* An absolute URL (a pagination link) must stay on our origin. */
        if (url_parts(p, &scheme, &host, &port, &path) < 0) {
            rc = gl_error_set(GL_EINVAL, "%s: '%s' is not a URL", svc->name, p);
            goto done;
        }
        origin = gl_strdupf("%s://%s:%s", scheme, host, port);
        if (!origin || strcasecmp(origin, svc->origin) != 0) {
            rc = gl_error_set(GL_EINSECURE,
                              "%s: refusing to follow a link to %s://%s, which is not %s",
                              svc->name, scheme, host, svc->base_url);
            goto done;
        }
        joined = gl_strdup(p);
    } else {
        joined = gl_strdupf("%s%s%s", svc->base_url, p[0] == '/' || !p[0] ? "" : "/", p);
    }
    if (!joined || !(u = curl_url())) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    if (curl_url_set(u, CURLUPART_URL, joined, 0) != CURLUE_OK) {
        rc = gl_error_set(GL_EINVAL, "%s: cannot build a URL for %s", svc->name, p);
        goto done;
    }
    for (const char *const *q = req->query; q && q[0]; q += 2) {
        char *pair;
        if (!q[1])
            continue; /* an absent optional parameter */
        if (!(pair = gl_strdupf("%s=%s", q[0], q[1]))) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
            goto done;
        }
        /* URLENCODE escapes the value; the first '=' separates name from value. */
        if (curl_url_set(u, CURLUPART_QUERY, pair, CURLU_APPENDQUERY | CURLU_URLENCODE) !=
            CURLUE_OK) {
            free(pair);
            rc = gl_error_set(GL_EINVAL, "%s: bad query parameter %s", svc->name, q[0]);
            goto done;
        }
        free(pair);
    }
    if (curl_url_get(u, CURLUPART_URL, url_out, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, path_out, 0) != CURLUE_OK) {
        rc = gl_error_set(GL_EINVAL, "%s: cannot build a URL for %s", svc->name, p);
        goto done;
    }
    rc = gl_http_check_url(*url_out, svc->name);
done:
    if (rc < 0) {
        curl_free(*url_out);
        curl_free(*path_out);
        *url_out = *path_out = NULL;
    }
    curl_url_cleanup(u);
    free(joined);
    free(origin);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    return rc;
}

static int64_t backoff_ms(const gl_http_service *svc, int attempt)
{
    int64_t delay = gl_backoff(svc->opts.backoff_initial_ms, svc->opts.backoff_max_ms, attempt);
    /* "Equal jitter": half fixed, half random, so clients spread out but still wait. */
    return delay / 2 + (int64_t)gl_rand_below((uint64_t)(delay / 2 + 1));
}

/* Google's "truncated exponential backoff": 1, 2, 4 ... s up to the cap, plus up to 1 s. */
static int64_t throttle_ms(const gl_http_service *svc, int n)
{
    return gl_backoff(svc->opts.backoff_initial_ms, svc->opts.backoff_max_ms, n) +
           (int64_t)gl_rand_below(1000);
}

static int status_code(long status)
{
    if (status < 400)
        return GL_OK;
    switch (status) {
    case 401:
        return GL_EAUTH;
    case 403:
        return GL_EFORBIDDEN;
    case 404:
    case 410:
        return GL_ENOTFOUND;
    case 409:
    case 423:
        return GL_ECONFLICT;
    case 429:
        return GL_ERATELIMIT;
    default:
        return status >= 500 ? GL_EREMOTE : GL_EREJECTED;
    }
}

void gl_http_error_detail(const gl_http_response *resp, char *out, size_t len)
{
    static const char *const keys[] = {"message", "error_description", "error", "detail"};
    const char *text = NULL;

    for (size_t i = 0; resp->json && i < sizeof(keys) / sizeof(keys[0]); i++)
        if ((text = gl_json_str(resp->json, keys[i])) && *text)
            break;
    if (text && *text)
        gl_str_excerpt(out, len, text, strlen(text), ERROR_DETAIL_MAX);
    else
        gl_str_excerpt(out, len, resp->body, resp->body_len, ERROR_DETAIL_MAX);
}

static int http_error(gl_http_service *svc, const char *method, const char *path,
                      const gl_http_response *resp)
{
    char detail[ERROR_DETAIL_MAX + 8] = "";
    int code = status_code(resp->status);

    if (!svc->opts.describe_error ||
        !svc->opts.describe_error(resp, detail, sizeof(detail), svc->opts.describe_payload))
        gl_http_error_detail(resp, detail, sizeof(detail));
    gl_str_sanitize(detail);
    if (resp->status == 429)
        return gl_error_set(code, "%s: %s %s: HTTP 429: rate limited%s%s", svc->name, method, path,
                            detail[0] ? ": " : "", detail);
    return gl_error_set(code, "%s: %s %s: HTTP %ld%s%s", svc->name, method, path, resp->status,
                        detail[0] ? ": " : "", detail);
}

static int transport_error(gl_http_service *svc, const char *method, const char *path, CURLcode cc,
                           const char *errbuf, bool too_big)
{
    const char *why = errbuf[0] ? errbuf : curl_easy_strerror(cc);

    if (too_big || cc == CURLE_FILESIZE_EXCEEDED)
        return gl_error_set(GL_ETOOBIG, "%s: %s %s: the response is larger than the %zu-byte limit",
                            svc->name, method, path, svc->opts.max_body);
    if (cc == CURLE_OPERATION_TIMEDOUT)
        return gl_error_set(GL_ETIMEOUT, "%s: %s %s: no answer in time (%s)", svc->name, method,
                            path, why);
    if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CONNECT_ERROR ||
        cc == CURLE_SSL_CERTPROBLEM || cc == CURLE_SSL_CACERT_BADFILE)
        return gl_error_set(GL_ENETWORK,
                            "%s: %s %s: TLS failed (the certificate is not trusted or the "
                            "handshake broke): %s",
                            svc->name, method, path, why);
    if (cc == CURLE_PARTIAL_FILE)
        return gl_error_set(GL_ENETWORK, "%s: %s %s: the connection broke mid-response (%s)",
                            svc->name, method, path, why);
    return gl_error_set(GL_ENETWORK, "%s: %s %s: %s", svc->name, method, path, why);
}

/* Transport failures where nothing reached the server: safe to retry any method. */
static bool nothing_was_sent(CURLcode cc)
{
    return cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
           cc == CURLE_COULDNT_RESOLVE_PROXY;
}

static bool transport_retryable(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

static bool labelled_json(const gl_http_response *resp)
{
    char ctype[128];
    return gl_http_response_header(resp, "Content-Type", ctype, sizeof(ctype)) &&
           strstr(ctype, "json") != NULL;
}

static bool starts_like_json(const gl_http_response *resp)
{
    size_t i = 0;
    while (i < resp->body_len && isspace((unsigned char)resp->body[i]))
        i++;
    return i < resp->body_len && (resp->body[i] == '{' || resp->body[i] == '[');
}

/* One attempt: fills *resp on any HTTP answer; returns the curl code. */
static CURLcode perform(gl_http_service *svc, const gl_http_request *req, const char *method,
                        const char *url, const char *body, size_t body_len, bool safe, transfer *t,
                        char *errbuf)
{
    struct curl_slist *hdrs = NULL, *tmp;
    CURL *c = svc->curl;
    CURLcode cc;
    char ctype[160];
    int i;

    curl_easy_reset(c); /* keeps the connection cache */
    errbuf[0] = '\0';
    for (i = 0; i < svc->nheaders; i++)
        if ((tmp = curl_slist_append(hdrs, svc->headers[i])))
            hdrs = tmp;
    for (const char *const *h = req->headers; h && *h; h++)
        if ((tmp = curl_slist_append(hdrs, *h)))
            hdrs = tmp;
    if (body) {
        snprintf(ctype, sizeof(ctype), "Content-Type: %s",
                 req->json ? "application/json"
                           : (req->content_type ? req->content_type : "application/octet-stream"));
        if ((tmp = curl_slist_append(hdrs, ctype)))
            hdrs = tmp;
    }
    if (!req->raw && (tmp = curl_slist_append(hdrs, "Accept: application/json")))
        hdrs = tmp;
    /* No "Expect: 100-continue" round trip on larger bodies. */
    if ((tmp = curl_slist_append(hdrs, "Expect:")))
        hdrs = tmp;

    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, svc->opts.connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, svc->opts.timeout_ms);
    curl_easy_setopt(c, CURLOPT_USERAGENT, svc->user_agent);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)svc->opts.max_body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    /*
     * libcurl silently sends a request again when a reused connection dies
     * before any answer, though the server may have acted on it: a POST
     * that creates something goes out on a connection of its own.
     */
    curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, safe ? 0L : 1L);
    if (svc->opts.follow_redirects) {
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, svc->loopback ? "http,https" : "https");
    }
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else {
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
    }
    cc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdrs);
    return cc;
}

/* After a 401: a new bearer from the service's refresh callback. */
static int renew_token(gl_http_service *svc)
{
    char *token = NULL;
    int rc = svc->opts.refresh(svc->opts.refresh_payload, &token);

    if (rc == GL_OK && (!token || !*token))
        rc =
            gl_error_set(GL_EAUTH, "%s: the token refresh gave no token; sign in again", svc->name);
    if (rc == GL_OK)
        rc = gl_http_set_bearer(svc, token);
    gl_fs_free_secret(token); /* on failure the refresh's own reason stands, not the 401 */
    return rc;
}

int gl_http_send(gl_http_response **out, gl_http_service *svc, const gl_http_request *req)
{
    const char *method = req->method ? req->method : "GET";
    const char *body = NULL;
    size_t body_len = 0;
    char *url = NULL, *path = NULL;
    char errbuf[CURL_ERROR_SIZE];
    gl_http_response *resp = NULL;
    transfer t = {GL_BUF_INIT(0), GL_BUF_INIT(MAX_HEADER_BYTES), false};
    bool safe = method_is_safe(method) || req->idempotent, refreshed = false;
    int attempt = 0, rate_waits = 0, throttles = 0, rc = GL_OK;
    int64_t waited = 0;

    *out = NULL;
    t.body.max = svc->opts.max_body;
    if ((rc = build_url(svc, req, &url, &path)) < 0)
        goto done;
    /* A URL that is itself the secret (a Slack webhook) never reaches a message or a trace. */
    if (svc->opts.secret_url) {
        char *label = curl_maprintf("[%s URL]", svc->name);
        if (!label) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
            goto done;
        }
        curl_free(path);
        path = label;
    }
    if (req->json) {
        body = gl_json_compact(req->json);
        body_len = strlen(body);
    } else if (req->body) {
        body = req->body;
        body_len = req->body_len;
    }

    for (;;) {
        CURLcode cc;
        long status = 0;
        int64_t t0, wait = -1;
        char retry_after[128];

        attempt++;
        waited += limiter_acquire(svc, path);
        gl_buf_clear(&t.body);
        gl_buf_clear(&t.headers);
        t.too_big = false;
        t0 = gl_clock_monotonic_ms(svc->opts.clock);
        if (body)
            gl_trace(svc->name, "%s %s body: %.*s", method, path,
                     (int)(body_len > 2000 ? 2000 : body_len), body);
        cc = perform(svc, req, method, url, body, body_len, safe, &t, errbuf);
        if (cc != CURLE_OK) {
            rc = transport_error(svc, method, path, cc, errbuf, t.too_big);
            gl_trace(svc->name, "%s %s -> %s (attempt %d, %lld ms)", method, path, gl_error_last(),
                     attempt, (long long)(gl_clock_monotonic_ms(svc->opts.clock) - t0));
            if (rc == GL_ETOOBIG || !transport_retryable(cc) || (!safe && !nothing_was_sent(cc)) ||
                attempt >= svc->opts.max_attempts) {
                /* No answer to this attempt: an earlier one's (a 503) must not pass for it. */
                gl_http_response_free(resp);
                resp = NULL;
                goto done;
            }
            wait = backoff_ms(svc, attempt);
            gl_info("%s: %s; retrying in %.1f s", svc->name, gl_error_last(), (double)wait / 1000);
            gl_clock_sleep_ms(svc->opts.clock, wait);
            waited += wait;
            continue;
        }
        curl_easy_getinfo(svc->curl, CURLINFO_RESPONSE_CODE, &status);

        gl_http_response_free(resp);
        if (!(resp = calloc(1, sizeof(*resp)))) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
            goto done;
        }
        resp->status = status;
        resp->body_len = t.body.len;
        resp->body = gl_buf_detach(&t.body);
        resp->headers = gl_buf_detach(&t.headers);
        resp->attempts = attempt;
        if (!resp->body || !resp->headers) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
            goto done;
        }
        gl_trace(svc->name, "%s %s -> %ld (%zu bytes, attempt %d, %lld ms)", method, path, status,
                 resp->body_len, attempt, (long long)(gl_clock_monotonic_ms(svc->opts.clock) - t0));
        if (resp->body_len)
            gl_trace(svc->name, "%s %s response: %.*s", method, path,
                     (int)(resp->body_len > 2000 ? 2000 : resp->body_len), resp->body);

        if (status == 401 && svc->opts.refresh && !refreshed) {
            refreshed = true;
            gl_info("%s: the access token was refused; renewing it", svc->name);
            if ((rc = renew_token(svc)) < 0) {
                gl_http_response_free(resp);
                resp = NULL;
                goto done;
            }
            continue;
        }
        if (status != 429 && status >= 400 && svc->opts.throttled &&
            throttles < svc->opts.max_rate_waits) {
            /* The hook reads the error's JSON; an answer that is not JSON is judged below. */
            if (!req->raw && !resp->json && resp->body_len &&
                (labelled_json(resp) || starts_like_json(resp)) &&
                gl_json_parse(&resp->json, resp->body, resp->body_len, svc->name) < 0)
                gl_error_clear();
            if (svc->opts.throttled(resp, svc->opts.throttled_payload)) {
                wait = throttle_ms(svc, ++throttles);
                attempt--; /* not a failed attempt either; counted in throttles */
                gl_info("%s: %s %s: the server asks to slow down (HTTP %ld); waiting %.1f s",
                        svc->name, method, path, status, (double)wait / 1000);
                gl_clock_sleep_ms(svc->opts.clock, wait);
                waited += wait;
                continue;
            }
        }
        if (status == 429 || (status == 503 && safe)) {
            if (gl_http_response_header(resp, "Retry-After", retry_after, sizeof(retry_after))) {
                int64_t secs =
                    gl_http_parse_retry_after(retry_after, gl_clock_now(svc->opts.clock));
                if (secs >= 0)
                    wait = secs * 1000;
            }
        }
        if (status == 429) {
            limiter_drain(svc, path);
            if (wait < 0)
                wait = svc->opts.default_retry_after_ms;
            if (wait > svc->opts.max_wait_ms) {
                rc = http_error(svc, method, path, resp);
                gl_error_set(rc,
                             "%s: %s %s: rate limited; the server asks to wait %lld s, more "
                             "than the %ld s gleaner waits; try again later",
                             svc->name, method, path, (long long)(wait / 1000),
                             svc->opts.max_wait_ms / 1000);
                goto done;
            }
            if (++rate_waits > svc->opts.max_rate_waits) {
                rc = http_error(svc, method, path, resp);
                gl_error_set(rc, "%s: %s %s: still rate limited after %d waits; try again later",
                             svc->name, method, path, rate_waits - 1);
                goto done;
            }
            attempt--; /* a 429 is not a failed attempt: the request was not processed */
            gl_info("%s: rate limited; waiting %.1f s as the server asks", svc->name,
                    (double)wait / 1000);
            gl_clock_sleep_ms(svc->opts.clock, wait);
            waited += wait;
            continue;
        }
        if (status >= 500 && safe && attempt < svc->opts.max_attempts) {
            if (wait < 0 || wait > svc->opts.max_wait_ms)
                wait = backoff_ms(svc, attempt);
            gl_info("%s: %s %s answered HTTP %ld; retrying in %.1f s", svc->name, method, path,
                    status, (double)wait / 1000);
            gl_clock_sleep_ms(svc->opts.clock, wait);
            waited += wait;
            continue;
        }
        break;
    }

    /*
     * A body labelled JSON must be JSON.  One that only looks like it (OAuth
     * servers answer errors as text/plain) is parsed when it can be.
     */
    if (!req->raw && !resp->json && resp->body_len &&
        (labelled_json(resp) || starts_like_json(resp))) {
        char what[256];
        snprintf(what, sizeof(what), "%s: %s %s", svc->name, method, path);
        if (gl_json_parse(&resp->json, resp->body, resp->body_len, what) < 0) {
            if (resp->status < 400 && labelled_json(resp)) {
                rc = gl_error_last_code();
                goto done;
            }
            gl_error_clear(); /* an HTML error page: the status says enough */
        }
    }
    rc = resp->status >= 400 ? http_error(svc, method, path, resp) : GL_OK;

done:
    if (resp) {
        resp->attempts = attempt + throttles;
        resp->waited_ms = waited;
    }
    *out = resp;
    gl_buf_dispose(&t.body);
    gl_buf_dispose(&t.headers);
    curl_free(url);
    curl_free(path);
    return rc;
}

int gl_http_get(gl_http_response **out, gl_http_service *svc, const char *path,
                const char *const *query)
{
    gl_http_request req = {0};
    req.method = "GET";
    req.path = path;
    req.query = query;
    return gl_http_send(out, svc, &req);
}
