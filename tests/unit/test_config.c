/*
 * test_config.c - the key table, the shipped example, and each kind of error.
 */
#include "support.h"

#include <ctype.h>
#include <string.h>
#include <sys/stat.h>

#include "agent/config.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/str.h"

typedef struct fixture {
    char *dir;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    f->dir = gl_test_tmpdir();
    setenv("HOME", f->dir, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gl_test_rmrf(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Load `text` as a config file; returns the code, *out on success. */
static int load_text(fixture *f, const char *text, gl_config **out)
{
    const char *path = gl_test_path(f->dir, "config");
    gl_test_write(path, text, 0600);
    return gl_config_load(out, path, GL_CONFIG_MUST_EXIST);
}

static void expect_error(fixture *f, const char *text, int code, const char *words)
{
    gl_config *cfg = NULL;
    int rc = load_text(f, text, &cfg);
    if (rc != code)
        fail_msg("expected %d for:\n%s\ngot %d: %s", code, text, rc, gl_error_last());
    if (words && !strstr(gl_error_last(), words))
        fail_msg("message '%s' lacks '%s'", gl_error_last(), words);
    /* One line, naming the file. */
    assert_null(strchr(gl_error_last(), '\n'));
    assert_non_null(strstr(gl_error_last(), f->dir));
    assert_null(cfg);
}

/* Every default in the table must pass the table's own checks. */
static void every_default_is_valid(void **state)
{
    fixture *f = *state;
    size_t n;
    const gl_config_key *keys = gl_config_keys(&n);

    assert_true(n > 50);
    for (size_t i = 0; i < n; i++) {
        char text[512];
        gl_config *cfg = NULL;
        assert_non_null(keys[i].help);
        assert_true(strlen(keys[i].help) > 5);
        /* Keys use lowercase and dashes, as git-config names do. */
        for (const char *p = keys[i].key; *p; p++)
            assert_true(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-');
        if (!keys[i].def)
            continue;
        if (keys[i].named)
            snprintf(text, sizeof(text), "[%s \"x\"]\n\t%s = %s\n", keys[i].section, keys[i].key,
                     keys[i].def);
        else
            snprintf(text, sizeof(text), "[%s]\n\t%s = %s\n", keys[i].section, keys[i].key,
                     keys[i].def);
        /* Named sections may need their required keys; test the value alone. */
        if (keys[i].named)
            continue;
        if (load_text(f, text, &cfg) != GL_OK)
            fail_msg("default of %s.%s does not load: %s", keys[i].section, keys[i].key,
                     gl_error_last());
        gl_config_free(cfg);
    }
}

/*
 * The shipped example documents every key under its section, and with its
 * placeholders filled and every "#\tkey = value" line enabled, it loads.
 */
static void example_documents_every_key(void **state)
{
    fixture *f = *state;
    char *text = NULL;
    size_t n;
    const gl_config_key *keys = gl_config_keys(&n);
    gl_config *cfg = NULL;

    gl_assert_ok(
        gl_fs_read_file(&text, NULL, GL_TEST_SOURCE_DIR "/contrib/gleaner.conf.example", 1 << 20));
    for (size_t i = 0; i < n; i++) {
        char header[64], line[96];
        const char *sec, *next, *key;
        snprintf(header, sizeof(header), "[%s%s", keys[i].section, keys[i].named ? " \"" : "]");
        sec = strstr(text, header);
        if (!sec)
            fail_msg("the example has no [%s] section", keys[i].section);
        next = strstr(sec + 1, "\n# [");
        snprintf(line, sizeof(line), "\t%s = ", keys[i].key);
        key = strstr(sec, line);
        if (!key || (next && key > next))
            fail_msg("the example does not document %s.%s", keys[i].section, keys[i].key);
    }

    /* Enable everything: uncomment section headers and keys, fill placeholders. */
    {
        gl_buf out = GL_BUF_INIT(0);
        const char *p = text;
        while (*p) {
            const char *eol = strchr(p, '\n');
            size_t len = eol ? (size_t)(eol - p + 1) : strlen(p);
            if (gl_str_starts_with(p, "# [") || gl_str_starts_with(p, "#\t"))
                gl_buf_append(&out, p + 1 + (p[1] == ' '), len - 1 - (p[1] == ' '));
            else
                gl_buf_append(&out, p, len);
            p += len;
        }
        free(text);
        text = gl_buf_detach(&out);
    }
    {
        /* Placeholders and values that name things that must exist or be unique. */
        gl_buf fixed = GL_BUF_INIT(0);
        const char *p = text;
        while (*p) {
            const char *eol = strchr(p, '\n');
            size_t len = eol ? (size_t)(eol - p + 1) : strlen(p);
            if (memmem(p, len, "@TIMEZONE@", 10))
                gl_buf_puts(&fixed, "\ttimezone = Europe/Berlin\n");
            else if (memmem(p, len, "@EMAIL@", 7))
                gl_buf_puts(&fixed, "\temail = ada@example.com\n");
            else if (strncmp(p, "\tgoogle = primary", 17) == 0 ||
                     strncmp(p, "\ttoken-env = ", 13) == 0 || memmem(p, len, "-file = ", 8))
                ; /* one of a pair that excludes the other; secret files do not exist here */
            else
                gl_buf_append(&fixed, p, len);
            p += len;
        }
        free(text);
        text = gl_buf_detach(&fixed);
    }
    if (load_text(f, text, &cfg) != GL_OK)
        fail_msg("the enabled example does not load: %s\n%s", gl_error_last(), text);
    assert_string_equal(gl_config_get(cfg, "user.timezone"), "Europe/Berlin");
    assert_string_equal(gl_config_get(cfg, "rule.standups.match"), "standup|retro|planning");
    gl_config_free(cfg);
    free(text);
}

static void values_defaults_sections_and_order(void **state)
{
    fixture *f = *state;
    gl_config *cfg = NULL;
    const char *const *v, *const *names;
    int64_t i64;
    double d;
    int minutes;
    bool b;

    gl_assert_ok(load_text(f,
                           "[user]\n"
                           "\temail = ada@example.com\n"
                           "\temail = ada.l@work.example ; comment\n"
                           "\ttimezone = America/New_York\n"
                           "[harvest]\n"
                           "\taccount-id = 123456\n"
                           "\ttoken-file = ~/harvest.token\n"
                           "[rule \"Zeta\"]\n\tmatch = standup\n\tproject = 1\n"
                           "[rule \"alpha beta\"]\n\tmatch = x\n\tproject = ACME\n"
                           "[repo \"w\"]\n\tpath = ~/src/w\n"
                           "[calendar \"work\"]\n\tics = webcal://cal.example.com/a.ics\n"
                           "[git]\n\tmax-gap = 1h30m\n"
                           "[calendar \"work\"]\n\tinclude-all-day\n",
                           &cfg));
    assert_int_equal(gl_config_get_all(cfg, "user.email", &v), 2);
    assert_string_equal(v[1], "ada.l@work.example");
    assert_string_equal(gl_config_get(cfg, "user.email"), "ada.l@work.example");
    gl_assert_ok(gl_config_get_int(cfg, "harvest.account-id", &i64));
    assert_int_equal(i64, 123456);
    assert_string_equal(gl_config_get(cfg, "harvest.token-file"),
                        gl_test_path(f->dir, "harvest.token"));
    assert_string_equal(gl_config_get(cfg, "harvest.base-url"), "https://api.harvestapp.com/v2");
    assert_false(gl_config_is_set(cfg, "harvest.base-url"));
    assert_string_equal(gl_config_get(cfg, "calendar.work.ics"), "https://cal.example.com/a.ics");
    gl_assert_ok(gl_config_get_bool(cfg, "calendar.work.include-all-day", &b));
    assert_true(b);
    gl_assert_ok(gl_config_get_minutes(cfg, "git.max-gap", &minutes));
    assert_int_equal(minutes, 90);
    gl_assert_ok(gl_config_get_minutes(cfg, "git.lead-in", &minutes));
    assert_int_equal(minutes, 30);
    gl_assert_ok(gl_config_get_number(cfg, "propose.round", &d));
    assert_true(d == 0.25);
    /* Rules come back in file order, names as written. */
    assert_int_equal(gl_config_sections(cfg, "rule", &names), 2);
    assert_string_equal(names[0], "Zeta");
    assert_string_equal(names[1], "alpha beta");
    assert_string_equal(gl_config_get(cfg, "rule.alpha beta.project"), "ACME");
    assert_int_equal(gl_config_sections(cfg, "milestone", &names), 0);
    assert_null(gl_config_get(cfg, "jira.base-url"));
    assert_int_equal(gl_config_get_int(cfg, "person.x.harvest-id", &i64), GL_ENOTFOUND);
    gl_config_free(cfg);
}

static void each_error_is_one_clear_line(void **state)
{
    fixture *f = *state;
    expect_error(f, "[user]\n\temail = a@x.com\n[harvest\n", GL_ECONFIG, "line 3");
    expect_error(f, "[harvest]\n\taccount-idd = 1\n", GL_ECONFIG,
                 "did you mean harvest.account-id");
    expect_error(f, "[harvest]\n\ttoken = abc\n", GL_ECONFIG, "secrets never go in the config");
    expect_error(f, "[hravest]\n\taccount-id = 1\n", GL_ECONFIG, "unknown section [hravest]");
    expect_error(f, "[user]\n\ttimezone = Europe/Berln\n", GL_ECONFIG, "not a known time zone");
    expect_error(f, "[user]\n\ttimezone = UTC\n\ttimezone = CET\n", GL_ECONFIG, "set 2 times");
    expect_error(f, "[user]\n\tworkhours = 17:00-09:00\n", GL_ECONFIG, "range of hours");
    expect_error(f, "[user]\n\tworkdays = mon funday\n", GL_ECONFIG, "list of days");
    expect_error(f, "[harvest]\n\taccount-id = twelve\n", GL_ECONFIG, "whole number");
    expect_error(f, "[harvest]\n\taccount-id = 0\n", GL_ECONFIG, "out of range");
    expect_error(f, "[harvest]\n\tbase-url = http://api.harvestapp.com/v2\n", GL_EINSECURE,
                 "plain http");
    expect_error(f, "[propose]\n\tround = 9\n", GL_ECONFIG, "out of range");
    expect_error(f, "[git]\n\tmax-gap = 2 hours\n", GL_ECONFIG, "duration");
    expect_error(f, "[rule \"a\"]\n\tmatch = (\n\tproject = 1\n", GL_ECONFIG, "regex");
    expect_error(f, "[rule \"a\"]\n\tsource = email\n\tproject = 1\n", GL_ECONFIG,
                 "calendar|git|jira|any");
    expect_error(f, "[rule]\n\tproject = 1\n", GL_ECONFIG, "needs a name");
    expect_error(f, "[harvest \"x\"]\n\taccount-id = 1\n", GL_ECONFIG, "takes no name");
    expect_error(f, "[rule \"a\"]\n\tmatch = x\n", GL_ECONFIG, "needs project");
    expect_error(f, "[calendar \"c\"]\n\tinclude-all-day = true\n", GL_ECONFIG, "exactly one of");
    expect_error(f, "[harvest]\n\ttoken-file = ~/t\n\ttoken-env = T\n", GL_ECONFIG, "not both");
    expect_error(f, "[user]\n\temail = not-an-address\n", GL_ECONFIG, "email address");
    expect_error(f, "[smtp]\n\turl = https://smtp.example.com\n", GL_ECONFIG, "smtps://");
    /* A password in the URL is refused, and not repeated in the message. */
    expect_error(f, "[smtp]\n\turl = smtps://ada:s3cret@smtp.example.com:465\n", GL_ECONFIG,
                 "smtp.password-file");
    assert_null(strstr(gl_error_last(), "s3cret"));
    expect_error(f, "[smtp]\n\turl = smtp://ada@smtp.example.com\n", GL_ECONFIG, "smtp.user");
    expect_error(f, "[harvest]\n\taccount-id\n", GL_ECONFIG, "has no value");
}

static void secret_files_are_checked_on_load(void **state)
{
    fixture *f = *state;
    gl_config *cfg = NULL;
    const char *token = gl_test_path(f->dir, "harvest.token");
    const char *const *paths, *const *keys;

    /* A secret file that does not exist yet is not a load error. */
    gl_assert_ok(load_text(f, "[harvest]\n\ttoken-file = ~/harvest.token\n", &cfg));
    gl_config_free(cfg);
    gl_test_write(token, "1.pt.x\n", 0644);
    expect_error(f, "[harvest]\n\ttoken-file = ~/harvest.token\n", GL_EINSECURE, "chmod 600");
    /* Doctor loads without the check and reports each file itself. */
    gl_assert_ok(gl_config_load(&cfg, gl_test_path(f->dir, "config"),
                                GL_CONFIG_MUST_EXIST | GL_CONFIG_SKIP_SECRETS));
    assert_int_equal(gl_config_secret_files(cfg, &paths, &keys), 1);
    assert_string_equal(keys[0], "harvest.token-file");
    assert_string_equal(paths[0], token);
    gl_config_free(cfg);
    chmod(token, 0600);
    gl_assert_ok(load_text(f, "[harvest]\n\ttoken-file = ~/harvest.token\n", &cfg));
    gl_config_free(cfg);
}

static void missing_files_and_paths(void **state)
{
    fixture *f = *state;
    gl_config *cfg = NULL;
    char *path = NULL;
    bool named;

    assert_int_equal(gl_config_load(&cfg, gl_test_path(f->dir, "nope"), GL_CONFIG_MUST_EXIST),
                     GL_ENOTFOUND);
    assert_non_null(strstr(gl_error_last(), "gleaner init"));
    gl_assert_ok(gl_config_load(&cfg, gl_test_path(f->dir, "nope"), 0));
    assert_false(gl_config_file_exists(cfg));
    assert_string_equal(gl_config_get(cfg, "user.workhours"), "09:00-17:30");
    gl_config_free(cfg);

    unsetenv("GLEANER_CONFIG");
    unsetenv("XDG_CONFIG_HOME");
    gl_assert_ok(gl_config_path(&path, &named, NULL));
    assert_string_equal(path, gl_test_path(f->dir, ".config/gleaner/config"));
    assert_false(named);
    free(path);
    setenv("XDG_CONFIG_HOME", "/xdg", 1);
    gl_assert_ok(gl_config_path(&path, &named, NULL));
    assert_string_equal(path, "/xdg/gleaner/config");
    free(path);
    setenv("GLEANER_CONFIG", "~/g.conf", 1);
    gl_assert_ok(gl_config_path(&path, &named, NULL));
    assert_string_equal(path, gl_test_path(f->dir, "g.conf"));
    assert_true(named);
    free(path);
    gl_assert_ok(gl_config_path(&path, &named, "/explicit"));
    assert_string_equal(path, "/explicit");
    free(path);
    unsetenv("GLEANER_CONFIG");
    unsetenv("XDG_CONFIG_HOME");
}

static void value_parsers(void **state)
{
    int a, b, list[8];
    unsigned mask;
    size_t n;
    (void)state;
    gl_assert_ok(gl_config_parse_minutes(&a, "2h"));
    assert_int_equal(a, 120);
    gl_assert_ok(gl_config_parse_minutes(&a, "45"));
    assert_int_equal(a, 45);
    assert_int_equal(gl_config_parse_minutes(&a, "1h30"), GL_EINVAL);
    gl_assert_ok(gl_config_parse_hours(&a, &b, "08:30-17:00"));
    assert_int_equal(a, 510);
    assert_int_equal(b, 1020);
    gl_assert_ok(gl_config_parse_weekdays(&mask, "mon, Tue wednesday"));
    assert_int_equal(mask, (1u << 1) | (1u << 2) | (1u << 3));
    gl_assert_ok(gl_config_parse_weekly(&a, &b, "fri 16:00"));
    assert_int_equal(a, 5);
    assert_int_equal(b, 960);
    gl_assert_ok(gl_config_parse_intlist(list, 8, &n, "75 90,100"));
    assert_int_equal(n, 3);
    assert_int_equal(list[2], 100);
    assert_int_equal(gl_config_parse_clock(&a, "24:30"), GL_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_default_is_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(example_documents_every_key, setup, teardown),
        cmocka_unit_test_setup_teardown(values_defaults_sections_and_order, setup, teardown),
        cmocka_unit_test_setup_teardown(each_error_is_one_clear_line, setup, teardown),
        cmocka_unit_test_setup_teardown(secret_files_are_checked_on_load, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_files_and_paths, setup, teardown),
        cmocka_unit_test(value_parsers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
