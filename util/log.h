/*
 * log.h - levelled logging and per-connector trace categories.
 *
 * The macros test the level (or the trace category) before formatting, so a
 * disabled log line costs one comparison.  Nothing below agent/ decides where
 * lines go: the program installs a sink with gl_log_set_sink(); without one,
 * lines are dropped.  Every line is passed through gl_redact_inplace() before
 * it reaches the sink.
 *
 * Trace categories are plain names ("harvest", "http", "ical", "store") set
 * with gl_log_set_trace("harvest,http") or "all,-slack"; the CLI reads them
 * from GLEANER_TRACE.  A connector traces under its service name.
 */
#ifndef GL_LOG_H
#define GL_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include "error.h" /* GL_PRINTF */

typedef enum gl_log_level {
    GL_LOG_ERROR = 0,
    GL_LOG_WARN = 1,
    GL_LOG_INFO = 2,
    GL_LOG_DEBUG = 3,
    GL_LOG_TRACE = 4 /* only for gl_trace lines */
} gl_log_level;

/*
 * A sink receives one finished, redacted line without a trailing newline.
 * `category` is NULL except for trace lines.
 */
typedef void (*gl_log_sink_cb)(gl_log_level level, const char *category, const char *line,
                               void *payload);

/* Install the sink (NULL drops every line). */
void gl_log_set_sink(gl_log_sink_cb sink, void *payload);

/* Lines above `level` are dropped.  Default: GL_LOG_WARN. */
void gl_log_set_level(gl_log_level level);
gl_log_level gl_log_get_level(void);

/*
 * gl_log_set_trace - enable trace categories from a comma-separated list:
 * names, "all", and "-name" to remove one ("all,-slack").  NULL or ""
 * disables tracing.  Unknown names are accepted (a connector added later
 * has its category without a registry).  Returns GL_EINVAL on a list that
 * is too long.
 */
int gl_log_set_trace(const char *spec);

/* gl_trace_enabled - whether lines of `category` are wanted. */
bool gl_trace_enabled(const char *category);

extern gl_log_level gl_log__level; /* read by the macros; use gl_log_set_level */
extern bool gl_log__any_trace;     /* fast path for gl_trace */

void gl_log_write(gl_log_level level, const char *fmt, ...) GL_PRINTF(2, 3);
void gl_log_writev(gl_log_level level, const char *category, const char *fmt, va_list ap)
    GL_PRINTF(3, 0);
void gl_log_trace_write(const char *category, const char *fmt, ...) GL_PRINTF(2, 3);

#define gl_log(level, ...)                      \
    do {                                        \
        if ((level) <= gl_log__level)           \
            gl_log_write((level), __VA_ARGS__); \
    } while (0)

#define gl_error_log(...) gl_log(GL_LOG_ERROR, __VA_ARGS__)
#define gl_warn(...)      gl_log(GL_LOG_WARN, __VA_ARGS__)
#define gl_info(...)      gl_log(GL_LOG_INFO, __VA_ARGS__)
#define gl_debug(...)     gl_log(GL_LOG_DEBUG, __VA_ARGS__)

#define gl_trace(category, ...)                              \
    do {                                                     \
        if (gl_log__any_trace && gl_trace_enabled(category)) \
            gl_log_trace_write((category), __VA_ARGS__);     \
    } while (0)

#endif
