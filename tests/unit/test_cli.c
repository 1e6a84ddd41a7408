/*
 * test_cli.c - the command table: every row is usable and fits the parser.
 */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "agent/cli.h"
#include "util/str.h"

static void command_table_is_sane(void **state)
{
    size_t n;
    const gl_command *cmds = gl_cli_commands(&n);
    (void)state;

    assert_true(n > 10);
    for (size_t i = 0; i < n; i++) {
        int nopts = 0;
        assert_non_null(cmds[i].name);
        assert_non_null(cmds[i].group);
        assert_non_null(cmds[i].usage);
        assert_non_null(cmds[i].summary);
        assert_non_null(cmds[i].description);
        for (size_t j = 0; j < i; j++)
            if (strcmp(cmds[i].name, cmds[j].name) == 0)
                fail_msg("command %s is listed twice", cmds[i].name);
        for (const gl_option *o = cmds[i].options; o && o->name; o++) {
            assert_non_null(o->help);
            nopts++;
        }
        /* The parser keeps per-option counts in arrays of GL_MAX_OPTIONS. */
        if (nopts >= GL_MAX_OPTIONS)
            fail_msg("%s has %d options; raise GL_MAX_OPTIONS", cmds[i].name, nopts);
        if (cmds[i].run && cmds[i].max_positional >= 0)
            assert_true(cmds[i].min_positional <= cmds[i].max_positional);
    }
}

/* What gl_cli_print_fit writes, as a string. */
static char *fit(const char *s, size_t width, bool pad)
{
    static char buf[256];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    assert_non_null(f);
    gl_cli_print_fit(f, s, width, pad);
    fclose(f);
    return buf;
}

static void text_fits_its_columns(void **state)
{
    (void)state;
    assert_string_equal(fit("Standup", 10, true), "Standup   ");
    assert_string_equal(fit("Standup", 10, false), "Standup");
    assert_string_equal(fit("Sprint planning", 10, false), "Sprint ...");
    /* Code points, not bytes: "Für" is three columns. */
    assert_string_equal(fit("Für Müller", 6, true), "Für...");
    assert_string_equal(fit("Für", 5, true), "Für  ");
    /* Narrower than the ellipsis: only what fits. */
    assert_string_equal(fit("Planning", 2, false), "..");
    assert_int_equal(gl_utf8_len("Für Müller"), 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(command_table_is_sane),
        cmocka_unit_test(text_fits_its_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
