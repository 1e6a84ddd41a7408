/*
 * support.h - helpers shared by the cmocka unit tests: temporary
 * directories, files, and the fake HTTP server (tests/fakes/fakekit.py)
 * run as a child process and steered over its /_fake/ control API.
 */
#ifndef GL_TEST_SUPPORT_H
#define GL_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "connectors/http.h"

/* A fresh directory under $TMPDIR; free with gl_test_rmrf + free. */
char *gl_test_tmpdir(void);
void gl_test_rmrf(const char *path);

/* Write `text` to `path` with `mode`; asserts on failure. */
void gl_test_write(const char *path, const char *text, mode_t mode);

/* "dir/name" in a static rotating buffer (valid for a few calls). */
const char *gl_test_path(const char *dir, const char *name);

/* Assert that a gleaner call succeeded, printing gl_error_last() if not. */
#define gl_assert_ok(expr)                                                \
    do {                                                                  \
        int gl_rc_ = (expr);                                              \
        if (gl_rc_ != 0)                                                  \
            fail_msg("%s failed: %d %s", #expr, gl_rc_, gl_error_last()); \
    } while (0)

typedef struct gl_test_fake {
    pid_t pid;
    int stdin_fd; /* closing it makes the fake exit */
    int port;
    char url[64]; /* http://127.0.0.1:PORT */
    gl_http_service *control;
} gl_test_fake;

/* Start the fake server (tests/fakes/fakekit.py); asserts on failure. */
void gl_test_fake_start(gl_test_fake *fake);
/* Start another fake from tests/fakes/ (it prints "PORT n" when ready) with `args` (NULL-ended). */
void gl_test_fake_start_script(gl_test_fake *fake, const char *script, const char *const *args);
/* Stop it and wait for it to exit. */
void gl_test_fake_stop(gl_test_fake *fake);
/* POST a JSON body to /_fake/<what> (static, fault, rate_limit, reset); asserts success. */
void gl_test_fake_control(gl_test_fake *fake, const char *what, const char *json_text);
/* The recorded requests (a JSON array); caller releases with json_object_put. */
json_object *gl_test_fake_requests(gl_test_fake *fake);
/* How many requests were recorded. */
size_t gl_test_fake_count(gl_test_fake *fake);

#endif
