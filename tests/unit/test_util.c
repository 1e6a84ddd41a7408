/*
 * test_util.c - redaction, logging, the clock, buffers, strings, JSON, files.
 */
#include "support.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/str.h"

/* ------------------------------------------------------------ redaction */

static void check_redacted(const char *in, const char *secret, const char *kept)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", in);
    gl_redact_inplace(buf);
    if (secret && strstr(buf, secret))
        fail_msg("'%s' kept the secret '%s': '%s'", in, secret, buf);
    if (kept && !strstr(buf, kept))
        fail_msg("'%s' lost '%s': '%s'", in, kept, buf);
}

static void redaction_removes_secrets(void **state)
{
    (void)state;
    check_redacted("Authorization: Bearer 1234567.pt.AbCdEfGh_ijKL", "AbCdEfGh", "Authorization");
    check_redacted("token=s3cr3tvalue&per_page=100", "s3cr3tvalue", "per_page=100");
    check_redacted("{\"access_token\":\"abc.def.ghi\",\"expires_in\":1209600}", "abc.def.ghi",
                   "1209600");
    check_redacted("{\"refresh_token\": \"r-tok-123\"}", "r-tok-123", "refresh_token");
    check_redacted("client_secret=hunter2", "hunter2", "client_secret");
    check_redacted("password: hunter2", "hunter2", "password");
    check_redacted("redirect ?code=4/0AbCdE&state=xyz", "4/0AbCdE", "state=xyz");
    check_redacted("posting to https://hooks.slack.com/services/T000/B000/XXXXXXXX now",
                   "T000/B000", "hooks.slack.com/services/");
    check_redacted("using xoxb-1234-5678-abcdefgh for chat", "xoxb-1234", "for chat");
    check_redacted("got ya29.a0AfH6SMBxyz123 from google", "ya29.a0AfH6", "from google");
    check_redacted("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl done", "eyJhbGci",
                   "done");
    check_redacted("key AbCdEfGhIjKlMnOpQrStUvWxYz0123456789xyz end", "AbCdEfGhIjKl", "end");
    check_redacted("Harvest PAT 3155791.pt.ZmfCzQ1N8VyTqh9sK", "ZmfCzQ1N8VyTqh9sK", "Harvest");
}

/* Found by fuzz_redact: a short secret must not be replaced by a longer marker. */
static void redaction_never_lengthens(void **state)
{
    char buf[64];
    (void)state;
    snprintf(buf, sizeof(buf), "https://hooks.slack.com/services/T");
    gl_redact_inplace(buf);
    assert_string_equal(buf, "https://hooks.slack.com/services/*");
    snprintf(buf, sizeof(buf), "password=ab");
    gl_redact_inplace(buf);
    assert_string_equal(buf, "password=**");
}

static void redaction_keeps_ordinary_text(void **state)
{
    (void)state;
    /* Names of secret files, status codes, commit ids and paths stay readable. */
    check_redacted("harvest.token-file: /home/ada/.config/gleaner/harvest.token is accessible "
                   "by others (mode 0644); run: chmod 600 /home/ada/.config/gleaner/harvest.token",
                   NULL, "mode 0644); run: chmod 600 /home/ada/.config/gleaner/harvest.token");
    check_redacted("harvest: POST /v2/time_entries: HTTP 422: Spent date is invalid", NULL,
                   "HTTP 422: Spent date is invalid");
    check_redacted("error code: 422", NULL, "error code: 422");
    check_redacted("commit 3f786850e387550fdab836ed7e6dc881de23001b on main", NULL,
                   "3f786850e387550fdab836ed7e6dc881de23001b");
    check_redacted("token_type: bearer", NULL, "token_type: bearer");
    check_redacted("harvest.token-env = HARVEST_TOKEN", NULL, "HARVEST_TOKEN");
    check_redacted("/home/ada/src/acme-web/src/components/LoginRedirect.tsx", NULL,
                   "LoginRedirect.tsx");
}

/* -------------------------------------------------------------- logging */

typedef struct captured {
    char lines[8][512];
    int n;
    gl_log_level levels[8];
    const char *categories[8];
} captured;

static void capture(gl_log_level level, const char *category, const char *line, void *payload)
{
    captured *c = payload;
    if (c->n < 8) {
        snprintf(c->lines[c->n], sizeof(c->lines[0]), "%s", line);
        c->levels[c->n] = level;
        c->categories[c->n] = category;
        c->n++;
    }
}

static int formatted;
static const char *count_format(void)
{
    formatted++;
    return "x";
}

static void logging_levels_categories_and_redaction(void **state)
{
    captured c = {0};
    (void)state;
    gl_log_set_sink(capture, &c);
    gl_log_set_level(GL_LOG_WARN);
    formatted = 0;
    gl_info("hidden %s", count_format());
    assert_int_equal(formatted, 0); /* the level is checked before formatting */
    gl_warn("shown %d", 1);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.lines[0], "shown 1");

    assert_int_equal(gl_log_set_trace("harvest,http"), 0);
    assert_true(gl_trace_enabled("harvest"));
    assert_false(gl_trace_enabled("slack"));
    gl_trace("slack", "not wanted %s", count_format());
    assert_int_equal(formatted, 0);
    gl_trace("harvest", "GET /v2/users/me with Bearer 1234.pt.secretsecret");
    assert_int_equal(c.n, 2);
    assert_string_equal(c.categories[1], "harvest");
    assert_null(strstr(c.lines[1], "secretsecret"));

    assert_int_equal(gl_log_set_trace("all,-slack"), 0);
    assert_true(gl_trace_enabled("ical"));
    assert_false(gl_trace_enabled("slack"));
    assert_int_equal(gl_log_set_trace(""), 0);
    assert_false(gl_trace_enabled("ical"));
    gl_log_set_sink(NULL, NULL);
}

/* ---------------------------------------------------------------- clock */

static void fake_clock_sleeps_without_waiting(void **state)
{
    gl_clock_fake *fake = NULL;
    const gl_clock *clock;
    (void)state;
    gl_assert_ok(gl_clock_fake_new(&fake, 1700000000000LL));
    clock = gl_clock_fake_clock(fake);
    assert_int_equal(gl_clock_now(clock), 1700000000);
    gl_clock_sleep_ms(clock, 30000);
    assert_int_equal(gl_clock_now_ms(clock), 1700000030000LL);
    assert_int_equal(gl_clock_fake_slept_ms(fake), 30000);
    assert_int_equal(gl_clock_fake_sleeps(fake), 1);
    gl_clock_fake_advance(fake, 1000);
    assert_int_equal(gl_clock_fake_slept_ms(fake), 30000);
    assert_int_equal(gl_clock_monotonic_ms(clock), 1700000031000LL);
    gl_clock_fake_free(fake);
    /* The system clock is sane. */
    assert_true(gl_clock_now(NULL) > 1700000000);
}

/* ------------------------------------------------------ buffers, strings */

static void buffer_cap_is_enforced(void **state)
{
    gl_buf b = GL_BUF_INIT(10);
    char *s;
    (void)state;
    gl_assert_ok(gl_buf_puts(&b, "12345"));
    gl_assert_ok(gl_buf_printf(&b, "%d", 6789));
    assert_string_equal(gl_buf_cstr(&b), "123456789");
    assert_int_equal(gl_buf_puts(&b, "ab"), GL_ETOOBIG);
    assert_string_equal(gl_buf_cstr(&b), "123456789"); /* unchanged after a refusal */
    assert_int_equal(gl_buf_printf(&b, "%s", "toolong"), GL_ETOOBIG);
    gl_assert_ok(gl_buf_puts(&b, "0"));
    s = gl_buf_detach(&b);
    assert_string_equal(s, "1234567890");
    assert_int_equal(b.len, 0);
    free(s);
    gl_buf_dispose(&b);
}

static void strict_number_parsing(void **state)
{
    int64_t i;
    double d;
    (void)state;
    gl_assert_ok(gl_parse_int64(&i, " 42 "));
    assert_int_equal(i, 42);
    assert_int_equal(gl_parse_int64(&i, "42x"), GL_EINVAL);
    assert_int_equal(gl_parse_int64(&i, ""), GL_EINVAL);
    assert_int_equal(gl_parse_int64(&i, "99999999999999999999999"), GL_EINVAL);
    gl_assert_ok(gl_parse_double(&d, "0.25"));
    assert_true(d == 0.25);
    assert_int_equal(gl_parse_double(&d, "nan"), GL_EINVAL);
    assert_int_equal(gl_parse_double(&d, "1.5h"), GL_EINVAL);
}

static void excerpts_are_one_printable_line(void **state)
{
    char out[32];
    const char *html = "<html>\n\t<body>\x1b[31mServer\r\nError</body></html>";
    (void)state;
    gl_str_excerpt(out, sizeof(out), html, strlen(html), 20);
    assert_null(strchr(out, '\n'));
    assert_null(strchr(out, '\x1b'));
    assert_true(strlen(out) <= 23);
    assert_non_null(strstr(out, "..."));
    gl_str_excerpt(out, sizeof(out), "short", 5, 20);
    assert_string_equal(out, "short");
    assert_int_equal(gl_str_distance("tokn-file", "token-file"), 1);
}

/* ----------------------------------------------------------------- JSON */

static void json_parsing_is_strict_and_safe(void **state)
{
    json_object *o = NULL;
    int64_t id = 0;
    char deep[400];
    (void)state;

    const char *doc = "{\"id\": 7, \"name\": \"x\"}  \n";
    gl_assert_ok(gl_json_parse(&o, doc, strlen(doc), "test"));
    assert_true(gl_json_int64(o, "id", &id));
    assert_int_equal(id, 7);
    assert_string_equal(gl_json_str(o, "name"), "x");
    assert_null(gl_json_str(o, "id")); /* wrong type is absent, not a crash */
    json_object_put(o);
    gl_assert_ok(gl_json_parse(&o, "42", 2, "test"));
    json_object_put(o);

    assert_int_equal(gl_json_parse(&o, "{\"id\": 7, \"na", 13, "harvest GET /x"), GL_EBADDATA);
    assert_non_null(strstr(gl_error_last(), "harvest GET /x"));
    assert_non_null(strstr(gl_error_last(), "truncated"));
    assert_null(o);
    assert_int_equal(gl_json_parse(&o, "", 0, "test"), GL_EBADDATA);
    assert_int_equal(gl_json_parse(&o, "{} {}", 5, "test"), GL_EBADDATA);
    assert_int_equal(gl_json_parse(&o, "<html>", 6, "test"), GL_EBADDATA);
    memset(deep, '[', sizeof(deep));
    assert_int_equal(gl_json_parse(&o, deep, sizeof(deep), "test"), GL_EBADDATA);
}

/* ---------------------------------------------------------------- files */

static void secret_files_must_be_private(void **state)
{
    char *dir = gl_test_tmpdir(), *secret = NULL;
    const char *path = gl_test_path(dir, "token");
    (void)state;

    assert_int_equal(gl_fs_check_secret(path, "harvest.token-file"), GL_ENOTFOUND);
    gl_test_write(path, "  1234.pt.abc  \n", 0644);
    assert_int_equal(gl_fs_check_secret(path, "harvest.token-file"), GL_EINSECURE);
    assert_non_null(strstr(gl_error_last(), "chmod 600"));
    assert_non_null(strstr(gl_error_last(), "0644"));
    chmod(path, 0640);
    assert_int_equal(gl_fs_read_secret(&secret, path, "harvest.token-file"), GL_EINSECURE);
    chmod(path, 0600);
    gl_assert_ok(gl_fs_read_secret(&secret, path, "harvest.token-file"));
    assert_string_equal(secret, "1234.pt.abc");
    gl_fs_free_secret(secret);
    gl_test_write(path, " \n", 0600);
    assert_int_equal(gl_fs_read_secret(&secret, path, "harvest.token-file"), GL_ECONFIG);
    gl_test_rmrf(dir);
    free(dir);
}

static void files_are_written_whole_and_never_overwritten(void **state)
{
    char *dir = gl_test_tmpdir(), *data = NULL, *home = NULL;
    const char *path = gl_test_path(dir, "a/b/c.txt");
    struct stat st;
    size_t len = 0;
    (void)state;

    gl_assert_ok(gl_fs_mkdirs(gl_test_path(dir, "a/b"), 0700));
    gl_assert_ok(gl_fs_write_new(path, "hello", 5, 0600));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(gl_fs_write_new(path, "other", 5, 0600), GL_EEXISTS);
    gl_assert_ok(gl_fs_read_file(&data, &len, path, 100));
    assert_string_equal(data, "hello");
    free(data);
    assert_int_equal(gl_fs_read_file(&data, &len, path, 3), GL_ETOOBIG);
    gl_assert_ok(gl_fs_write_replace(path, "bye", 3, 0600));
    gl_assert_ok(gl_fs_read_file(&data, &len, path, 100));
    assert_string_equal(data, "bye");
    free(data);

    setenv("HOME", "/home/ada", 1);
    gl_assert_ok(gl_fs_expand_home(&home, "~/src/x"));
    assert_string_equal(home, "/home/ada/src/x");
    free(home);
    gl_assert_ok(gl_fs_expand_home(&home, "~other/x"));
    assert_string_equal(home, "~other/x");
    free(home);
    gl_test_rmrf(dir);
    free(dir);
}

/* A growing array keeps what it holds and doubles its room only when needed. */
static void json_strings_of_an_array(void **state)
{
    json_object *doc = NULL;
    const char *out[3];
    (void)state;

    gl_assert_ok(gl_json_parse(&doc, "{\"a\":[\"x\",1,null,\"y\",\"z\",\"w\"],\"s\":\"x\"}",
                               strlen("{\"a\":[\"x\",1,null,\"y\",\"z\",\"w\"],\"s\":\"x\"}"),
                               "a test"));
    /* Strings only, in order, at most max. */
    assert_int_equal(gl_json_strings(gl_json_array(doc, "a"), out, 3), 3);
    assert_string_equal(out[0], "x");
    assert_string_equal(out[1], "y");
    assert_string_equal(out[2], "z");
    /* No array, or not an array: none. */
    assert_int_equal(gl_json_strings(gl_json_array(doc, "missing"), out, 3), 0);
    assert_int_equal(gl_json_strings(gl_json_get(doc, "s"), out, 3), 0);
    json_object_put(doc);
}

static void arrays_grow_and_keep_their_elements(void **state)
{
    int64_t *v = NULL;
    size_t cap = 0;
    (void)state;

    gl_assert_ok(gl_grow(&v, &cap, 1, sizeof(*v)));
    assert_int_equal(cap, 16);
    for (int64_t i = 0; i < 100; i++) {
        gl_assert_ok(gl_grow(&v, &cap, (size_t)i + 1, sizeof(*v)));
        v[i] = i * 7;
    }
    assert_int_equal(cap, 128);
    for (int64_t i = 0; i < 100; i++)
        assert_int_equal(v[i], i * 7);
    gl_assert_ok(gl_grow(&v, &cap, 50, sizeof(*v))); /* enough already: unchanged */
    assert_int_equal(cap, 128);
    assert_int_equal(gl_grow(&v, &cap, SIZE_MAX / 2, sizeof(*v)), GL_ENOMEM);
    assert_int_equal(gl_grow(&v, &cap, SIZE_MAX, sizeof(*v)), GL_ENOMEM); /* no endless doubling */
    assert_int_equal(cap, 128);
    assert_int_equal(v[99], 99 * 7);
    free(v);
}

/* The doubling every retry shares: first, twice that, ... never over the cap. */
static void backoff_doubles_up_to_its_cap(void **state)
{
    (void)state;
    assert_int_equal(gl_backoff(300, 3600, 1), 300);
    assert_int_equal(gl_backoff(300, 3600, 2), 600);
    assert_int_equal(gl_backoff(300, 3600, 4), 2400);
    assert_int_equal(gl_backoff(300, 3600, 5), 3600);
    assert_int_equal(gl_backoff(300, 3600, 1000), 3600); /* no overflow on a long outage */
    assert_int_equal(gl_backoff(500, 400, 1), 400);
    assert_int_equal(gl_backoff(60, 3600, 0), 60);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_strings_of_an_array),
        cmocka_unit_test(arrays_grow_and_keep_their_elements),
        cmocka_unit_test(backoff_doubles_up_to_its_cap),
        cmocka_unit_test(redaction_removes_secrets),
        cmocka_unit_test(redaction_never_lengthens),
        cmocka_unit_test(redaction_keeps_ordinary_text),
        cmocka_unit_test(logging_levels_categories_and_redaction),
        cmocka_unit_test(fake_clock_sleeps_without_waiting),
        cmocka_unit_test(buffer_cap_is_enforced),
        cmocka_unit_test(strict_number_parsing),
        cmocka_unit_test(excerpts_are_one_printable_line),
        cmocka_unit_test(json_parsing_is_strict_and_safe),
        cmocka_unit_test(secret_files_must_be_private),
        cmocka_unit_test(files_are_written_whole_and_never_overwritten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
