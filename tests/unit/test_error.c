/*
 * test_error.c - every error code has a message; the last-error contract.
 */
#include "support.h"

#include <string.h>

#include "util/error.h"

static void every_code_has_a_message(void **state)
{
    (void)state;
    for (int code = GL_OK; code > GL_E__LAST; code--) {
        const char *msg = gl_strerror(code);
        assert_non_null(msg);
        assert_true(strlen(msg) > 3);
        assert_string_not_equal(msg, "unknown error");
        /* Messages are distinct, so a code can be told from its text. */
        for (int other = GL_OK; other > code; other--)
            assert_string_not_equal(msg, gl_strerror(other));
    }
    assert_string_equal(gl_strerror(GL_E__LAST), "unknown error");
    assert_string_equal(gl_strerror(1), "unknown error");
    assert_string_equal(gl_strerror(-1000), "unknown error");
}

static void set_returns_code_and_keeps_message(void **state)
{
    (void)state;
    gl_error_clear();
    assert_string_equal(gl_error_last(), "");
    assert_int_equal(gl_error_last_code(), GL_OK);
    assert_int_equal(gl_error_set(GL_ENOTFOUND, "project %d is gone", 42), GL_ENOTFOUND);
    assert_string_equal(gl_error_last(), "project 42 is gone");
    assert_int_equal(gl_error_last_code(), GL_ENOTFOUND);
    assert_int_equal(gl_error_prefix("harvest"), GL_ENOTFOUND);
    assert_string_equal(gl_error_last(), "harvest: project 42 is gone");
    gl_error_clear();
    assert_string_equal(gl_error_last(), "");
}

static void messages_are_redacted(void **state)
{
    (void)state;
    gl_error_set(GL_EAUTH, "refresh failed: refresh_token=abcdef0123456789 rejected");
    assert_null(strstr(gl_error_last(), "abcdef0123456789"));
    assert_non_null(strstr(gl_error_last(), "refresh failed"));
    gl_error_clear();
}

static void long_messages_are_cut_not_overflowed(void **state)
{
    char big[5000];
    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    gl_error_set(GL_ERROR, "%s", big);
    assert_true(strlen(gl_error_last()) < sizeof(big));
    gl_error_clear();
}

/* Wrapping the current message in a new one is common; it must not read a half-written buffer. */
static void the_last_message_may_be_an_argument(void **state)
{
    (void)state;
    gl_error_set(GL_ERATELIMIT, "harvest: GET /users/me: rate limited");
    gl_error_set(GL_ERATELIMIT, "Harvest is rate limiting gleaner (%s); try again later",
                 gl_error_last());
    assert_string_equal(gl_error_last(), "Harvest is rate limiting gleaner (harvest: GET "
                                         "/users/me: rate limited); try again later");
    gl_error_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_a_message),
        cmocka_unit_test(set_returns_code_and_keeps_message),
        cmocka_unit_test(messages_are_redacted),
        cmocka_unit_test(long_messages_are_cut_not_overflowed),
        cmocka_unit_test(the_last_message_may_be_an_argument),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
