/*
 * support.c - unit-test helpers.
 */
#include "support.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/str.h"

char *gl_test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *dir = gl_strdupf("%s/gleaner-test-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void gl_test_rmrf(const char *path)
{
    if (path)
        nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void gl_test_write(const char *path, const char *text, mode_t mode)
{
    FILE *f;
    unlink(path);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

const char *gl_test_path(const char *dir, const char *name)
{
    static char bufs[4][4096];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
    return b;
}

void gl_test_fake_start_script(gl_test_fake *fake, const char *script, const char *const *args)
{
    int in[2], out[2];
    char line[64] = "", path[512];
    const char *argv[16];
    size_t used = 0, argc = 0;
    int64_t port = 0;
    gl_http_options opts = GL_HTTP_OPTIONS_INIT;

    snprintf(path, sizeof(path), "%s/tests/fakes/%s", GL_TEST_SOURCE_DIR, script);
    argv[argc++] = GL_TEST_PYTHON;
    argv[argc++] = path;
    for (; args && *args && argc < 15; args++)
        argv[argc++] = *args;
    argv[argc] = NULL;
    memset(fake, 0, sizeof(*fake));
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    fake->pid = fork();
    assert_true(fake->pid >= 0);
    if (fake->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execv(GL_TEST_PYTHON, (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    fake->stdin_fd = in[1];
    /* The fake prints "PORT <n>" once it listens; read up to the newline. */
    while (used < sizeof(line) - 1 && read(out[0], line + used, 1) == 1 && line[used] != '\n')
        used++;
    line[used] = '\0';
    close(out[0]);
    if (strncmp(line, "PORT ", 5) != 0)
        fail_msg("%s did not start (said: '%s')", script, line);
    assert_int_equal(gl_parse_int64(&port, line + 5), 0);
    fake->port = (int)port;
    snprintf(fake->url, sizeof(fake->url), "http://127.0.0.1:%d", fake->port);
    opts.service = "fake-control";
    opts.base_url = fake->url;
    opts.max_attempts = 1;
    gl_assert_ok(gl_http_service_new(&fake->control, &opts));
}

void gl_test_fake_start(gl_test_fake *fake)
{
    gl_test_fake_start_script(fake, "fakekit.py", NULL);
}

void gl_test_fake_stop(gl_test_fake *fake)
{
    int status = 0;
    if (!fake->pid)
        return;
    gl_http_service_free(fake->control);
    close(fake->stdin_fd);
    if (waitpid(fake->pid, &status, 0) < 0)
        kill(fake->pid, SIGKILL);
    fake->pid = 0;
}

void gl_test_fake_control(gl_test_fake *fake, const char *what, const char *json_text)
{
    gl_http_request req = {0};
    gl_http_response *resp = NULL;
    char path[128];

    snprintf(path, sizeof(path), "/_fake/%s", what);
    req.method = "POST";
    req.path = path;
    req.body = json_text;
    req.body_len = strlen(json_text);
    req.content_type = "application/json";
    gl_assert_ok(gl_http_send(&resp, fake->control, &req));
    gl_http_response_free(resp);
}

json_object *gl_test_fake_requests(gl_test_fake *fake)
{
    gl_http_response *resp = NULL;
    json_object *list;

    gl_assert_ok(gl_http_get(&resp, fake->control, "/_fake/requests", NULL));
    assert_non_null(resp->json);
    list = json_object_get(resp->json);
    gl_http_response_free(resp);
    return list;
}

size_t gl_test_fake_count(gl_test_fake *fake)
{
    json_object *list = gl_test_fake_requests(fake);
    size_t n = json_object_array_length(list);
    json_object_put(list);
    return n;
}
