/*
 * test_oauth.c - PKCE, the authorize URL, the loopback listener driven by a
 * forked "browser", token requests against the fake server, token files.
 */
#include "support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "connectors/oauth.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

/* Plain-looking values: redaction by shape would not hide them, so a leak shows. */
#define CODE          "plaincode42"
#define ACCESS        "plainaccess42"
#define REFRESH       "plainrefresh42"
#define CLIENT_SECRET "plainsecret42"
#define START_MS      1763700000000LL /* 2025-11-21T04:40:00Z */
#define TOKEN_PATH    "/api/v2/oauth2/token"

static void no_secret_in(const char *text)
{
    static const char *const secrets[] = {CODE,          ACCESS,        REFRESH,
                                          CLIENT_SECRET, "newaccess42", "newrefresh42"};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
        if (strstr(text, secrets[i]))
            fail_msg("'%s' leaks %s", text, secrets[i]);
}

/* --------------------------------------------------------------- PKCE */

static bool is_b64url(const char *s)
{
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
           strlen(s);
}

static void pkce_rfc7636_appendix_b(void **state)
{
    char challenge[GL_OAUTH_CHALLENGE_LEN];
    (void)state;
    gl_assert_ok(gl_oauth_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", challenge,
                                         sizeof(challenge)));
    assert_string_equal(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");

    /* Too short, a character outside the unreserved set, a small buffer. */
    assert_int_equal(gl_oauth_pkce_challenge("short", challenge, sizeof(challenge)), GL_EINVAL);
    assert_int_equal(gl_oauth_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX+",
                                             challenge, sizeof(challenge)),
                     GL_EINVAL);
    assert_int_equal(
        gl_oauth_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", challenge, 43),
        GL_EINVAL);
}

static void pkce_verifier_length_and_charset(void **state)
{
    char v1[GL_OAUTH_VERIFIER_MAX], v2[GL_OAUTH_VERIFIER_MAX], small[44], big[300];
    char c1[GL_OAUTH_CHALLENGE_LEN], c2[GL_OAUTH_CHALLENGE_LEN], check[GL_OAUTH_CHALLENGE_LEN];
    (void)state;

    gl_assert_ok(gl_oauth_pkce(v1, sizeof(v1), c1, sizeof(c1)));
    gl_assert_ok(gl_oauth_pkce(v2, sizeof(v2), c2, sizeof(c2)));
    assert_int_equal(strlen(v1), 128);
    assert_true(is_b64url(v1));
    assert_int_equal(strlen(c1), 43);
    assert_true(is_b64url(c1));
    assert_string_not_equal(v1, v2);
    assert_string_not_equal(c1, c2);
    gl_assert_ok(gl_oauth_pkce_challenge(v1, check, sizeof(check)));
    assert_string_equal(check, c1);

    gl_assert_ok(gl_oauth_pkce(small, sizeof(small), c1, sizeof(c1)));
    assert_int_equal(strlen(small), 43);
    assert_true(is_b64url(small));
    gl_assert_ok(gl_oauth_pkce(big, sizeof(big), c1, sizeof(c1)));
    assert_int_equal(strlen(big), 128);

    assert_int_equal(gl_oauth_pkce(small, 43, c1, sizeof(c1)), GL_EINVAL);
    assert_int_equal(gl_oauth_pkce(v1, sizeof(v1), c1, 43), GL_EINVAL);

    gl_assert_ok(gl_oauth_state(v1, GL_OAUTH_STATE_LEN));
    assert_int_equal(strlen(v1), 32);
    assert_true(is_b64url(v1));
    assert_int_equal(gl_oauth_state(v1, 10), GL_EINVAL);
}

/* ------------------------------------------------------ authorize URL */

static void authorize_url_is_escaped(void **state)
{
    const char *const extra[] = {"access_type", "offline", "prompt", "consent", NULL};
    gl_oauth_provider p = {0};
    char *url = NULL;
    (void)state;

    p.name = "Google";
    p.authorize_url = "https://accounts.google.com/o/oauth2/v2/auth";
    p.client_id = "123-abc.apps.googleusercontent.com";
    p.scope = "openid https://www.googleapis.com/auth/calendar.readonly";
    p.pkce = true;
    p.extra_authorize_params = extra;
    gl_assert_ok(gl_oauth_authorize_url(&url, &p, "http://127.0.0.1:5555/callback", "st&te=1",
                                        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    assert_string_equal(url, "https://accounts.google.com/o/oauth2/v2/auth?response_type=code"
                             "&client_id=123-abc.apps.googleusercontent.com"
                             "&redirect_uri=http%3a%2f%2f127.0.0.1%3a5555%2fcallback"
                             "&state=st%26te%3d1"
                             "&scope=openid+https%3a%2f%2fwww.googleapis.com%2fauth%2fcalendar."
                             "readonly"
                             "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                             "&code_challenge_method=S256&access_type=offline&prompt=consent");
    free(url);

    /* Harvest: no scope, no PKCE, and a query the URL already has is kept. */
    memset(&p, 0, sizeof(p));
    p.name = "Harvest ID";
    p.authorize_url = "https://id.getharvest.com/oauth2/authorize?x=1";
    p.client_id = "cid";
    gl_assert_ok(gl_oauth_authorize_url(&url, &p, "http://127.0.0.1:5555/callback", "abc", NULL));
    assert_string_equal(url, "https://id.getharvest.com/oauth2/authorize?x=1&response_type=code"
                             "&client_id=cid&redirect_uri=http%3a%2f%2f127.0.0.1%3a5555%2fcallback"
                             "&state=abc");
    free(url);

    p.authorize_url = "http://id.example.com/oauth2/authorize";
    assert_int_equal(gl_oauth_authorize_url(&url, &p, "http://127.0.0.1:1/callback", "abc", NULL),
                     GL_EINSECURE);
    assert_null(url);
    p.authorize_url = "https://id.example.com/oauth2/authorize";
    p.pkce = true;
    assert_int_equal(gl_oauth_authorize_url(&url, &p, "http://127.0.0.1:1/callback", "abc", NULL),
                     GL_EINVAL);
}

/* ---------------------------------------------------------- listener */

/*
 * A forked "browser": each step opens a connection to the listener and
 * sends the request, reading the answer to EOF and reporting its status
 * line on a pipe; "IDLE" opens a connection that never sends anything and
 * "HALF:" shuts down the sending side after the request.
 */
typedef struct browser {
    pid_t pid;
    int fd;
} browser;

static int connect_port(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void browser_child(int port, const char *const *steps, int out)
{
    int idle[8], nidle = 0;

    for (; *steps; steps++) {
        char resp[4096];
        size_t used = 0;
        ssize_t n;
        int fd = connect_port(port);

        if (fd < 0) {
            (void)!write(out, "CONNECT FAILED\n", 15);
            continue;
        }
        if (strcmp(*steps, "IDLE") == 0) {
            if (nidle < 8)
                idle[nidle++] = fd;
            continue;
        }
        if (strncmp(*steps, "HALF:", 5) == 0) { /* send, then close our side */
            (void)!write(fd, *steps + 5, strlen(*steps + 5));
            shutdown(fd, SHUT_WR);
        } else {
            (void)!write(fd, *steps, strlen(*steps));
        }
        while (used < sizeof(resp) - 1 && (n = read(fd, resp + used, sizeof(resp) - 1 - used)) > 0)
            used += (size_t)n;
        resp[used] = '\0';
        resp[strcspn(resp, "\r\n")] = '\0';
        (void)!write(out, resp, strlen(resp));
        (void)!write(out, "\n", 1);
        close(fd);
    }
    while (nidle > 0)
        close(idle[--nidle]);
    _exit(0);
}

static void browser_start(browser *b, int port, const char *const *steps)
{
    int p[2];

    assert_int_equal(pipe(p), 0);
    b->pid = fork();
    assert_true(b->pid >= 0);
    if (b->pid == 0) {
        close(p[0]);
        browser_child(port, steps, p[1]);
    }
    close(p[1]);
    b->fd = p[0];
}

/* The status lines the browser saw, one per line; caller frees. */
static char *browser_finish(browser *b)
{
    char *buf = calloc(1, 4096);
    size_t used = 0;
    ssize_t n;
    int status = 0;

    assert_non_null(buf);
    while (used < 4095 && (n = read(b->fd, buf + used, 4095 - used)) > 0)
        used += (size_t)n;
    close(b->fd);
    assert_int_equal(waitpid(b->pid, &status, 0), b->pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return buf;
}

#define STATE           "Zm9vYmFyYmF6cXV4cXV1eHF1dXpxdXV6"
#define CALLBACK(query) "GET /callback?" query " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

typedef struct wait_result {
    int rc;
    char *code, *scope, *seen;
    char message[512];
} wait_result;

static void run_listener(wait_result *r, const char *const *steps, int timeout_ms)
{
    gl_oauth_listener *l = NULL;
    browser b;

    memset(r, 0, sizeof(*r));
    gl_assert_ok(gl_oauth_listener_new(&l));
    gl_assert_ok(gl_oauth_listener_set_name(l, "Harvest ID"));
    browser_start(&b, gl_oauth_listener_port(l), steps);
    r->rc = gl_oauth_listener_wait(l, STATE, timeout_ms, NULL, &r->code, &r->scope);
    snprintf(r->message, sizeof(r->message), "%s", r->rc ? gl_error_last() : "");
    gl_oauth_listener_free(l);
    r->seen = browser_finish(&b);
}

static void wait_result_free(wait_result *r)
{
    gl_fs_free_secret(r->code);
    free(r->scope);
    free(r->seen);
}

static void listener_redirect_uri_is_loopback(void **state)
{
    gl_oauth_listener *l = NULL;
    char want[64];
    (void)state;

    gl_assert_ok(gl_oauth_listener_new(&l));
    assert_true(gl_oauth_listener_port(l) > 0);
    snprintf(want, sizeof(want), "http://127.0.0.1:%d/callback", gl_oauth_listener_port(l));
    assert_string_equal(gl_oauth_listener_redirect_uri(l), want);
    gl_oauth_listener_free(l);
    gl_oauth_listener_free(NULL);
}

static void listener_takes_the_code(void **state)
{
    const char *const steps[] = {
        CALLBACK("code=c%2Fode%2B1&state=" STATE "&scope=harvest%3A123456+forecast%3A9"), NULL};
    wait_result r;
    (void)state;

    run_listener(&r, steps, 10000);
    assert_int_equal(r.rc, GL_OK);
    assert_string_equal(r.code, "c/ode+1");
    assert_string_equal(r.scope, "harvest:123456 forecast:9");
    assert_string_equal(r.seen, "HTTP/1.1 200 OK\n");
    wait_result_free(&r);
}

static void listener_refuses_a_wrong_state(void **state)
{
    const char *const steps[] = {CALLBACK("code=" CODE "&state=not-the-state"), NULL};
    wait_result r;
    (void)state;

    run_listener(&r, steps, 10000);
    assert_int_equal(r.rc, GL_EAUTH);
    assert_null(r.code);
    assert_non_null(strstr(r.message, "state"));
    assert_non_null(strstr(r.message, "run the command again"));
    no_secret_in(r.message);
    assert_string_equal(r.seen, "HTTP/1.1 400 Bad Request\n");
    wait_result_free(&r);

    /* A state that is a prefix of the right one is wrong too. */
    {
        const char *const steps2[] = {CALLBACK("code=" CODE "&state=Zm9vYmFy"), NULL};
        run_listener(&r, steps2, 10000);
        assert_int_equal(r.rc, GL_EAUTH);
        wait_result_free(&r);
    }
}

static void listener_reports_access_denied(void **state)
{
    const char *const steps[] = {
        CALLBACK("error=access_denied&error_description=The+user+said+%22no%22&state=" STATE),
        NULL};
    const char *const steps2[] = {CALLBACK("error=server_error"), NULL};
    wait_result r;
    (void)state;

    run_listener(&r, steps, 10000);
    assert_int_equal(r.rc, GL_EAUTH);
    assert_string_equal(
        r.message, "the sign-in was refused at Harvest ID: access_denied (The user said \"no\")");
    assert_string_equal(r.seen, "HTTP/1.1 400 Bad Request\n");
    wait_result_free(&r);

    run_listener(&r, steps2, 10000);
    assert_int_equal(r.rc, GL_EREMOTE);
    assert_non_null(strstr(r.message, "server_error"));
    wait_result_free(&r);
}

static void listener_ignores_favicon_and_strays(void **state)
{
    char huge[12000];
    const char *const steps[] = {"GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                                 "POST /callback HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
                                 "GET /callback HTTP/1.1\r\n\r\n", /* neither code nor error */
                                 huge,
                                 "garbage\r\n\r\n",
                                 "HALF:GET /robots.txt HTTP/1.0\r\n",
                                 "HALF:GET /callback?code=",
                                 CALLBACK("code=" CODE "&state=" STATE),
                                 NULL};
    wait_result r;
    (void)state;

    memset(huge, 'a', sizeof(huge) - 1);
    memcpy(huge, "GET /callback?x=", 16);
    huge[sizeof(huge) - 1] = '\0';
    run_listener(&r, steps, 10000);
    assert_int_equal(r.rc, GL_OK);
    assert_string_equal(r.code, CODE);
    assert_null(r.scope);
    assert_string_equal(r.seen, "HTTP/1.1 404 Not Found\n"
                                "HTTP/1.1 405 Method Not Allowed\n"
                                "HTTP/1.1 400 Bad Request\n"
                                "HTTP/1.1 431 Request Header Fields Too Large\n"
                                "HTTP/1.1 400 Bad Request\n"
                                "HTTP/1.1 404 Not Found\n"
                                "\n" /* no request line: dropped unanswered */
                                "HTTP/1.1 200 OK\n");
    wait_result_free(&r);
}

static void listener_is_not_held_up_by_an_idle_client(void **state)
{
    const char *const steps[] = {"IDLE", "IDLE", CALLBACK("state=" STATE "&code=" CODE), NULL};
    wait_result r;
    (void)state;

    /* The idle clients would each hold a one-at-a-time server for 5 s. */
    run_listener(&r, steps, 3000);
    assert_int_equal(r.rc, GL_OK);
    assert_string_equal(r.code, CODE);
    assert_string_equal(r.seen, "HTTP/1.1 200 OK\n");
    wait_result_free(&r);
}

static void listener_times_out(void **state)
{
    gl_oauth_listener *l = NULL;
    char *code = NULL, *scope = NULL;
    (void)state;

    gl_assert_ok(gl_oauth_listener_new(&l));
    gl_assert_ok(gl_oauth_listener_set_name(l, "Harvest ID"));
    assert_int_equal(gl_oauth_listener_wait(l, STATE, 150, NULL, &code, &scope), GL_ETIMEOUT);
    assert_null(code);
    assert_null(scope);
    assert_non_null(strstr(gl_error_last(), "Harvest ID"));
    assert_non_null(strstr(gl_error_last(), "run the command again"));
    gl_oauth_listener_free(l);
}

/* A clock whose monotonic time leaps ten minutes at every reading. */
static int64_t leaping_ms(const gl_clock *clock)
{
    int64_t *t = clock->payload;
    *t += 600000;
    return *t;
}

static void no_sleep(const gl_clock *clock, int64_t ms)
{
    (void)clock;
    (void)ms;
}

static void listener_timeout_follows_the_clock(void **state)
{
    int64_t t = 0;
    gl_clock leaping = {leaping_ms, leaping_ms, no_sleep, NULL, &t};
    gl_oauth_listener *l = NULL;
    char *code = NULL;
    (void)state;

    /* Five minutes by this clock pass before the first poll: no real waiting. */
    gl_assert_ok(gl_oauth_listener_new(&l));
    assert_int_equal(gl_oauth_listener_wait(l, STATE, 300000, &leaping, &code, NULL), GL_ETIMEOUT);
    assert_non_null(strstr(gl_error_last(), "300 s"));
    assert_int_equal(gl_oauth_listener_wait(l, "", 1000, NULL, &code, NULL), GL_EINVAL);
    gl_oauth_listener_free(l);
}

/* ------------------------------------------------- token requests */

typedef struct fixture {
    gl_test_fake fake;
    gl_clock_fake *clock;
    gl_oauth_provider p;
    char authorize_url[128];
    char token_url[128];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    gl_test_fake_start(&f->fake);
    gl_clock_fake_new(&f->clock, START_MS);
    snprintf(f->authorize_url, sizeof(f->authorize_url), "%s/oauth2/authorize", f->fake.url);
    snprintf(f->token_url, sizeof(f->token_url), "%s%s", f->fake.url, TOKEN_PATH);
    f->p.name = "Harvest ID";
    f->p.authorize_url = f->authorize_url;
    f->p.token_url = f->token_url;
    f->p.client_id = "client-abc";
    f->p.client_secret = CLIENT_SECRET;
    f->p.user_agent = "gleaner-test (test@example.com)";
    f->p.clock = gl_clock_fake_clock(f->clock);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gl_test_fake_stop(&f->fake);
    gl_clock_fake_free(f->clock);
    free(f);
    return 0;
}

static void token_route(fixture *f, int status, const char *json)
{
    char body[2048];
    snprintf(body, sizeof(body), "{\"method\":\"POST\",\"path\":\"%s\",\"status\":%d,\"json\":%s}",
             TOKEN_PATH, status, json);
    gl_test_fake_control(&f->fake, "static", body);
}

/* The decoded value of `name` in a form body; NULL when absent.  Caller frees. */
static char *form_value(const char *body, const char *name)
{
    size_t nlen = strlen(name);
    const char *p = body;

    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            int outlen = 0;
            char *raw = curl_easy_unescape(NULL, p + nlen + 1, (int)(len - nlen - 1), &outlen);
            char *copy = strdup(raw);
            curl_free(raw);
            return copy;
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

static void assert_form(const char *body, const char *name, const char *want)
{
    char *got = form_value(body, name);
    if (!want) {
        if (got)
            fail_msg("form field %s should be absent, is '%s'", name, got);
        return;
    }
    if (!got)
        fail_msg("form field %s is missing from '%s'", name, body);
    assert_string_equal(got, want);
    free(got);
}

static const char *header(json_object *req, const char *name)
{
    json_object *h = gl_json_object(req, "headers");
    json_object_object_foreach(h, key, val)
    {
        if (strcasecmp(key, name) == 0)
            return json_object_get_string(val);
    }
    return NULL;
}

/* The only recorded request; release the list with json_object_put. */
static json_object *only_request(fixture *f, json_object **list)
{
    *list = gl_test_fake_requests(&f->fake);
    assert_int_equal(json_object_array_length(*list), 1);
    return json_object_array_get_idx(*list, 0);
}

typedef struct captured {
    char text[16384];
    size_t used;
} captured;

static void capture(gl_log_level level, const char *category, const char *line, void *payload)
{
    captured *c = payload;
    int n;
    (void)level;
    n = snprintf(c->text + c->used, sizeof(c->text) - c->used, "[%s] %s\n",
                 category ? category : "-", line);
    if (n > 0 && c->used + (size_t)n < sizeof(c->text))
        c->used += (size_t)n;
}

static void exchange_sends_the_form_and_parses_tokens(void **state)
{
    fixture *f = *state;
    gl_oauth_tokens t = {0};
    json_object *list, *req;
    const char *body;
    captured *log = calloc(1, sizeof(*log));

    assert_non_null(log);
    token_route(f, 200,
                "{\"access_token\":\"" ACCESS "\",\"refresh_token\":\"" REFRESH "\","
                "\"token_type\":\"bearer\",\"expires_in\":1209600,\"scope\":\"harvest:123456\"}");
    gl_log_set_sink(capture, log);
    gl_assert_ok(gl_log_set_trace("oauth"));
    gl_assert_ok(gl_oauth_exchange_code(&t, &f->p, CODE, NULL, "http://127.0.0.1:5555/callback"));
    gl_log_set_trace(NULL);
    gl_log_set_sink(NULL, NULL);

    assert_string_equal(t.access_token, ACCESS);
    assert_string_equal(t.refresh_token, REFRESH);
    assert_string_equal(t.token_type, "bearer");
    assert_string_equal(t.scope, "harvest:123456");
    assert_int_equal(t.expires_at, START_MS / 1000 + 1209600);

    req = only_request(f, &list);
    assert_string_equal(gl_json_str(req, "method"), "POST");
    assert_string_equal(gl_json_str(req, "path"), TOKEN_PATH);
    assert_string_equal(header(req, "Content-Type"), "application/x-www-form-urlencoded");
    assert_string_equal(header(req, "User-Agent"), "gleaner-test (test@example.com)");
    body = gl_json_str(req, "body");
    assert_form(body, "grant_type", "authorization_code");
    assert_form(body, "code", CODE);
    assert_form(body, "redirect_uri", "http://127.0.0.1:5555/callback");
    assert_form(body, "client_id", "client-abc");
    assert_form(body, "client_secret", CLIENT_SECRET);
    assert_form(body, "code_verifier", NULL);
    assert_non_null(strstr(body, "redirect_uri=http%3A%2F%2F127.0.0.1%3A5555%2Fcallback"));
    json_object_put(list);

    /* Tracing was on for the whole exchange: no secret reached a log line. */
    assert_non_null(strstr(log->text, "[oauth]"));
    no_secret_in(log->text);
    free(log);
    gl_oauth_tokens_clear(&t);
    assert_null(t.access_token);
    gl_oauth_tokens_clear(NULL);
}

static void exchange_with_pkce_for_a_public_client(void **state)
{
    fixture *f = *state;
    gl_oauth_tokens t = {0};
    char verifier[GL_OAUTH_VERIFIER_MAX], challenge[GL_OAUTH_CHALLENGE_LEN];
    json_object *list, *req;
    const char *body;

    f->p.client_secret = NULL;
    f->p.pkce = true;
    f->p.scope = "https://www.googleapis.com/auth/calendar.readonly";
    /* Google's shape: "Bearer", expires_in 3599, no scope echoed. */
    token_route(f, 200,
                "{\"access_token\":\"" ACCESS "\",\"token_type\":\"Bearer\","
                "\"expires_in\":\"3599\"}");
    gl_assert_ok(gl_oauth_pkce(verifier, sizeof(verifier), challenge, sizeof(challenge)));
    assert_int_equal(gl_oauth_exchange_code(&t, &f->p, CODE, NULL, "http://127.0.0.1:1/callback"),
                     GL_EINVAL);
    gl_assert_ok(
        gl_oauth_exchange_code(&t, &f->p, CODE, verifier, "http://127.0.0.1:5555/callback"));
    assert_string_equal(t.token_type, "bearer");
    assert_null(t.refresh_token);
    assert_string_equal(t.scope, f->p.scope); /* RFC 6749 §5.1: absent means as requested */
    assert_int_equal(t.expires_at, START_MS / 1000 + 3599);

    req = only_request(f, &list);
    body = gl_json_str(req, "body");
    assert_form(body, "grant_type", "authorization_code");
    assert_form(body, "code_verifier", verifier);
    assert_form(body, "client_secret", NULL);
    assert_form(body, "client_id", "client-abc");
    json_object_put(list);
    gl_oauth_tokens_clear(&t);
}

static void refresh_keeps_the_old_refresh_token(void **state)
{
    fixture *f = *state;
    gl_oauth_tokens t = {0};
    json_object *list, *req;
    const char *body;

    t.access_token = strdup("oldaccess");
    t.refresh_token = strdup(REFRESH);
    t.token_type = strdup("bearer");
    t.expires_at = 1;
    token_route(f, 200,
                "{\"access_token\":\"newaccess42\",\"token_type\":\"bearer\","
                "\"expires_in\":3600}");
    /* In place: the refresh token passed in is the one the result replaces. */
    gl_assert_ok(gl_oauth_refresh(&t, &f->p, t.refresh_token));
    assert_string_equal(t.access_token, "newaccess42");
    assert_string_equal(t.refresh_token, REFRESH);
    assert_null(t.scope);
    assert_int_equal(t.expires_at, START_MS / 1000 + 3600);

    req = only_request(f, &list);
    body = gl_json_str(req, "body");
    assert_form(body, "grant_type", "refresh_token");
    assert_form(body, "refresh_token", REFRESH);
    assert_form(body, "client_id", "client-abc");
    assert_form(body, "client_secret", CLIENT_SECRET);
    assert_form(body, "code", NULL);
    json_object_put(list);

    /* A rotated refresh token replaces the old one. */
    token_route(f, 200,
                "{\"access_token\":\"" ACCESS "\",\"refresh_token\":\"newrefresh42\","
                "\"token_type\":\"bearer\",\"expires_in\":3600}");
    gl_assert_ok(gl_oauth_refresh(&t, &f->p, t.refresh_token));
    assert_string_equal(t.refresh_token, "newrefresh42");
    gl_oauth_tokens_clear(&t);
}

static void invalid_grant_is_an_auth_error_without_secrets(void **state)
{
    fixture *f = *state;
    gl_oauth_tokens t = {0};

    t.access_token = strdup(ACCESS);
    t.refresh_token = strdup(REFRESH);
    /* A provider that echoes the token in its description must not leak it either. */
    token_route(f, 400,
                "{\"error\":\"invalid_grant\",\"error_description\":"
                "\"The refresh token " REFRESH " is invalid, expired or revoked\"}");
    assert_int_equal(gl_oauth_refresh(&t, &f->p, t.refresh_token), GL_EAUTH);
    assert_string_equal(gl_error_last(), "Harvest ID refused the token request: invalid_grant "
                                         "(The refresh token *** is invalid, expired or revoked)");
    no_secret_in(gl_error_last());
    /* Failure leaves the tokens as they were; a 4xx is not retried. */
    assert_string_equal(t.access_token, ACCESS);
    assert_string_equal(t.refresh_token, REFRESH);
    assert_int_equal(gl_test_fake_count(&f->fake), 1);

    token_route(f, 401, "{\"error\":\"invalid_client\"}");
    assert_int_equal(gl_oauth_exchange_code(&t, &f->p, CODE, NULL, "http://127.0.0.1:1/callback"),
                     GL_EAUTH);
    assert_string_equal(gl_error_last(), "Harvest ID refused the token request: invalid_client");
    no_secret_in(gl_error_last());
    gl_oauth_tokens_clear(&t);
}

static void other_failures_pass_through(void **state)
{
    fixture *f = *state;
    gl_oauth_tokens t = {0};

    /* A 5xx on a POST is not retried: the code may have been used. */
    token_route(f, 500, "{\"message\":\"boom\"}");
    assert_int_equal(gl_oauth_exchange_code(&t, &f->p, CODE, NULL, "http://127.0.0.1:1/cb"),
                     GL_EREMOTE);
    assert_non_null(strstr(gl_error_last(), "HTTP 500"));
    no_secret_in(gl_error_last());
    assert_int_equal(gl_test_fake_count(&f->fake), 1);

    token_route(f, 200, "{\"token_type\":\"bearer\"}");
    assert_int_equal(gl_oauth_exchange_code(&t, &f->p, CODE, NULL, "http://127.0.0.1:1/cb"),
                     GL_EBADDATA);
    assert_non_null(strstr(gl_error_last(), "without an access_token"));

    token_route(f, 200, "{\"access_token\":\"" ACCESS "\",\"token_type\":\"mac\"}");
    assert_int_equal(gl_oauth_exchange_code(&t, &f->p, CODE, NULL, "http://127.0.0.1:1/cb"),
                     GL_EBADDATA);
    no_secret_in(gl_error_last());

    /* Some providers say 200 and put the error in the body. */
    token_route(f, 200, "{\"error\":\"bad_verification_code\"}");
    assert_int_equal(gl_oauth_exchange_code(&t, &f->p, CODE, NULL, "http://127.0.0.1:1/cb"),
                     GL_EAUTH);
    assert_null(t.access_token);

    f->p.token_url = "http://id.example.com/token";
    assert_int_equal(gl_oauth_refresh(&t, &f->p, REFRESH), GL_EINSECURE);
    no_secret_in(gl_error_last());
}

static void network_errors_pass_through(void **state)
{
    gl_oauth_provider p = {0};
    gl_oauth_tokens t = {0};
    gl_clock_fake *clock = NULL;
    gl_oauth_listener *l = NULL;
    char url[96];
    (void)state;

    /* A port that was just free: nothing listens there. */
    gl_assert_ok(gl_oauth_listener_new(&l));
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/token", gl_oauth_listener_port(l));
    gl_oauth_listener_free(l);
    gl_clock_fake_new(&clock, START_MS);
    p.name = "Harvest ID";
    p.token_url = url;
    p.client_id = "client-abc";
    p.client_secret = CLIENT_SECRET;
    p.clock = gl_clock_fake_clock(clock);
    assert_int_equal(gl_oauth_refresh(&t, &p, REFRESH), GL_ENETWORK);
    assert_non_null(strstr(gl_error_last(), "oauth: POST /token"));
    no_secret_in(gl_error_last());
    gl_clock_fake_free(clock);
}

static void expiring_uses_the_margin(void **state)
{
    gl_oauth_tokens t = {0};
    (void)state;

    assert_true(gl_oauth_expiring(&t, 1000, 60)); /* no access token at all */
    t.access_token = (char *)"x";
    assert_false(gl_oauth_expiring(&t, 1000, 60)); /* unknown expiry */
    t.expires_at = 2000;
    assert_false(gl_oauth_expiring(&t, 1000, 60));
    assert_true(gl_oauth_expiring(&t, 1940, 60));
    assert_true(gl_oauth_expiring(&t, 2500, 60));
}

/* -------------------------------------------------------- token files */

static void token_file_round_trip(void **state)
{
    char *dir = gl_test_tmpdir();
    const char *path = gl_test_path(dir, "nested/harvest-oauth.json");
    gl_oauth_tokens t = {0}, back = {0};
    json_object *extra = json_object_new_object(), *all = NULL;
    char *text = NULL;
    struct stat st;
    int64_t account = 0;
    (void)state;

    t.access_token = strdup(ACCESS);
    t.refresh_token = strdup(REFRESH);
    t.token_type = strdup("bearer");
    t.scope = strdup("harvest:123456");
    t.expires_at = 1795251600; /* 2026-11-21T09:00:00Z */
    json_object_object_add(extra, "account_id", json_object_new_int64(123456));
    json_object_object_add(extra, "access_token", json_object_new_string("not this one"));
    gl_assert_ok(gl_oauth_tokens_save(path, &t, extra));
    json_object_put(extra);

    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(gl_test_path(dir, "nested"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    gl_assert_ok(gl_fs_read_file(&text, NULL, path, 65536));
    assert_non_null(strstr(text, "\"expires_at\": \"2026-11-21T09:00:00Z\""));
    assert_null(strstr(text, "not this one"));
    free(text);

    gl_assert_ok(gl_oauth_tokens_load(&back, path, &all));
    assert_string_equal(back.access_token, ACCESS);
    assert_string_equal(back.refresh_token, REFRESH);
    assert_string_equal(back.token_type, "bearer");
    assert_string_equal(back.scope, "harvest:123456");
    assert_int_equal(back.expires_at, 1795251600);
    assert_true(gl_json_int64(all, "account_id", &account));
    assert_int_equal(account, 123456);
    json_object_put(all);

    /* Saving again replaces the file; loading into a filled struct replaces it. */
    free(t.refresh_token);
    t.refresh_token = NULL;
    t.expires_at = 0;
    gl_assert_ok(gl_oauth_tokens_save(path, &t, NULL));
    gl_assert_ok(gl_oauth_tokens_load(&back, path, NULL));
    assert_null(back.refresh_token);
    assert_int_equal(back.expires_at, 0);

    gl_oauth_tokens_clear(&t);
    gl_oauth_tokens_clear(&back);
    gl_test_rmrf(dir);
    free(dir);
}

static void token_file_must_be_private(void **state)
{
    char *dir = gl_test_tmpdir();
    const char *path = gl_test_path(dir, "tokens.json");
    gl_oauth_tokens t = {0};
    json_object *all = NULL;
    (void)state;

    gl_test_write(path, "{\"access_token\":\"" ACCESS "\",\"refresh_token\":\"" REFRESH "\"}",
                  0644);
    assert_int_equal(gl_oauth_tokens_load(&t, path, &all), GL_EINSECURE);
    assert_non_null(strstr(gl_error_last(), "chmod 600"));
    no_secret_in(gl_error_last());
    assert_null(t.access_token);
    assert_null(all);

    assert_int_equal(chmod(path, 0600), 0);
    gl_assert_ok(gl_oauth_tokens_load(&t, path, NULL));
    assert_string_equal(t.token_type, "bearer");
    gl_oauth_tokens_clear(&t);

    gl_test_write(path, "{\"refresh_token\":\"" REFRESH "\"}", 0600);
    assert_int_equal(gl_oauth_tokens_load(&t, path, NULL), GL_EBADDATA);
    no_secret_in(gl_error_last());
    gl_test_write(path, "{\"access_token\":\"" ACCESS "\",\"expires_at\":\"soon\"}", 0600);
    assert_int_equal(gl_oauth_tokens_load(&t, path, NULL), GL_EBADDATA);
    no_secret_in(gl_error_last());
    gl_test_write(path, "{\"access_token\":\"" ACCESS "\"", 0600);
    assert_int_equal(gl_oauth_tokens_load(&t, path, NULL), GL_EBADDATA);
    no_secret_in(gl_error_last());
    assert_int_equal(gl_oauth_tokens_load(&t, gl_test_path(dir, "missing.json"), NULL),
                     GL_ENOTFOUND);
    assert_null(t.access_token);

    gl_test_rmrf(dir);
    free(dir);
}

int main(void)
{
#define F(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pkce_rfc7636_appendix_b),
        cmocka_unit_test(pkce_verifier_length_and_charset),
        cmocka_unit_test(authorize_url_is_escaped),
        cmocka_unit_test(listener_redirect_uri_is_loopback),
        cmocka_unit_test(listener_takes_the_code),
        cmocka_unit_test(listener_refuses_a_wrong_state),
        cmocka_unit_test(listener_reports_access_denied),
        cmocka_unit_test(listener_ignores_favicon_and_strays),
        cmocka_unit_test(listener_is_not_held_up_by_an_idle_client),
        cmocka_unit_test(listener_times_out),
        cmocka_unit_test(listener_timeout_follows_the_clock),
        F(exchange_sends_the_form_and_parses_tokens),
        F(exchange_with_pkce_for_a_public_client),
        F(refresh_keeps_the_old_refresh_token),
        F(invalid_grant_is_an_auth_error_without_secrets),
        F(other_failures_pass_through),
        cmocka_unit_test(network_errors_pass_through),
        cmocka_unit_test(expiring_uses_the_margin),
        cmocka_unit_test(token_file_round_trip),
        cmocka_unit_test(token_file_must_be_private),
    };
#undef F
    return cmocka_run_group_tests(tests, NULL, NULL);
}
