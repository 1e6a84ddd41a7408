/*
 * log.c - level filter, trace categories and redaction before the sink.
 */
#include "log.h"

#include <stdio.h>
#include <string.h>

#include "redact.h"

#define GL_LOG_LINE_MAX    4096
#define GL_TRACE_SPEC_MAX  512
#define GL_TRACE_NAMES_MAX 32

gl_log_level gl_log__level = GL_LOG_WARN;
bool gl_log__any_trace = false;

static gl_log_sink_cb log_sink;
static void *log_payload;

/* Parsed GLEANER_TRACE: "all" plus exclusions, or a list of inclusions. */
static bool trace_all;
static char trace_buf[GL_TRACE_SPEC_MAX];
static const char *trace_on[GL_TRACE_NAMES_MAX];
static const char *trace_off[GL_TRACE_NAMES_MAX];
static int trace_on_n, trace_off_n;

void gl_log_set_sink(gl_log_sink_cb sink, void *payload)
{
    log_sink = sink;
    log_payload = payload;
}

void gl_log_set_level(gl_log_level level)
{
    gl_log__level = level;
}

gl_log_level gl_log_get_level(void)
{
    return gl_log__level;
}

int gl_log_set_trace(const char *spec)
{
    char *save = NULL, *name;

    trace_all = false;
    trace_on_n = trace_off_n = 0;
    gl_log__any_trace = false;
    if (!spec || !*spec)
        return GL_OK;
    if (strlen(spec) >= sizeof(trace_buf))
        return gl_error_set(GL_EINVAL, "GLEANER_TRACE is longer than %zu characters",
                            sizeof(trace_buf) - 1);
    memcpy(trace_buf, spec, strlen(spec) + 1);
    for (name = strtok_r(trace_buf, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
        if (strcmp(name, "all") == 0 || strcmp(name, "*") == 0) {
            trace_all = true;
        } else if (name[0] == '-' && name[1]) {
            if (trace_off_n < GL_TRACE_NAMES_MAX)
                trace_off[trace_off_n++] = name + 1;
        } else if (trace_on_n < GL_TRACE_NAMES_MAX) {
            trace_on[trace_on_n++] = name;
        }
    }
    gl_log__any_trace = trace_all || trace_on_n > 0;
    return GL_OK;
}

bool gl_trace_enabled(const char *category)
{
    int i;

    if (!gl_log__any_trace || !category)
        return false;
    for (i = 0; i < trace_off_n; i++)
        if (strcmp(trace_off[i], category) == 0)
            return false;
    if (trace_all)
        return true;
    for (i = 0; i < trace_on_n; i++)
        if (strcmp(trace_on[i], category) == 0)
            return true;
    return false;
}

void gl_log_writev(gl_log_level level, const char *category, const char *fmt, va_list ap)
{
    char line[GL_LOG_LINE_MAX];
    size_t n;

    if (!log_sink)
        return;
    vsnprintf(line, sizeof(line), fmt, ap);
    n = strlen(line);
    while (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    gl_redact_inplace(line);
    log_sink(level, category, line, log_payload);
}

void gl_log_write(gl_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gl_log_writev(level, NULL, fmt, ap);
    va_end(ap);
}

void gl_log_trace_write(const char *category, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gl_log_writev(GL_LOG_TRACE, category, fmt, ap);
    va_end(ap);
}
