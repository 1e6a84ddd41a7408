/*
 * clock.c - the system clock and the fake clock used by tests.
 */
#include "clock.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "error.h"

static int64_t system_now_ms(const gl_clock *clock)
{
    struct timespec ts;
    (void)clock;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t system_monotonic_ms(const gl_clock *clock)
{
    struct timespec ts;
    (void)clock;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void system_sleep_ms(const gl_clock *clock, int64_t ms)
{
    struct timespec ts;
    (void)clock;
    if (ms <= 0)
        return;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    /* A signal (SIGTERM to the daemon) ends the wait early on purpose. */
    nanosleep(&ts, NULL);
}

static int readable(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, timeout_ms);
    return n > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR));
}

static int system_wait_ms(const gl_clock *clock, int64_t ms, int fd)
{
    (void)clock;
    if (fd < 0) {
        system_sleep_ms(clock, ms);
        return 0;
    }
    if (ms < 0)
        ms = 0;
    /* poll sleeps without using the CPU; a signal ends the wait early (EINTR) on purpose. */
    return readable(fd, ms > 24 * 3600 * 1000 ? 24 * 3600 * 1000 : (int)ms);
}

static const gl_clock system_clock = {system_now_ms, system_monotonic_ms, system_sleep_ms,
                                      system_wait_ms, NULL};

const gl_clock *gl_clock_system(void)
{
    return &system_clock;
}

struct gl_clock_fake {
    gl_clock clock;
    int64_t now_ms;
    int64_t slept_ms;
    int sleeps;
};

static int64_t fake_now_ms(const gl_clock *clock)
{
    return ((const gl_clock_fake *)clock->payload)->now_ms;
}

static void fake_sleep_ms(const gl_clock *clock, int64_t ms)
{
    gl_clock_fake *fake = clock->payload;
    if (ms < 0)
        ms = 0;
    fake->now_ms += ms;
    fake->slept_ms += ms;
    fake->sleeps++;
}

static int fake_wait_ms(const gl_clock *clock, int64_t ms, int fd)
{
    if (fd >= 0 && readable(fd, 0))
        return 1;
    fake_sleep_ms(clock, ms);
    return 0;
}

int gl_clock_fake_new(gl_clock_fake **out, int64_t start_ms)
{
    gl_clock_fake *fake = calloc(1, sizeof(*fake));
    if (!fake)
        return gl_error_set(GL_ENOMEM, "out of memory");
    fake->clock.now_ms = fake_now_ms;
    fake->clock.monotonic_ms = fake_now_ms;
    fake->clock.sleep_ms = fake_sleep_ms;
    fake->clock.wait_ms = fake_wait_ms;
    fake->clock.payload = fake;
    fake->now_ms = start_ms;
    *out = fake;
    return GL_OK;
}

void gl_clock_fake_free(gl_clock_fake *fake)
{
    free(fake);
}

const gl_clock *gl_clock_fake_clock(gl_clock_fake *fake)
{
    return &fake->clock;
}

void gl_clock_fake_set(gl_clock_fake *fake, int64_t now_ms)
{
    fake->now_ms = now_ms;
}

void gl_clock_fake_advance(gl_clock_fake *fake, int64_t ms)
{
    fake->now_ms += ms;
}

int64_t gl_clock_fake_slept_ms(const gl_clock_fake *fake)
{
    return fake->slept_ms;
}

int gl_clock_fake_sleeps(const gl_clock_fake *fake)
{
    return fake->sleeps;
}

int64_t gl_clock_now_ms(const gl_clock *clock)
{
    if (!clock)
        clock = &system_clock;
    return clock->now_ms(clock);
}

int64_t gl_clock_now(const gl_clock *clock)
{
    int64_t ms = gl_clock_now_ms(clock);
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

int64_t gl_clock_monotonic_ms(const gl_clock *clock)
{
    if (!clock)
        clock = &system_clock;
    return clock->monotonic_ms(clock);
}

void gl_clock_sleep_ms(const gl_clock *clock, int64_t ms)
{
    if (!clock)
        clock = &system_clock;
    clock->sleep_ms(clock, ms);
}

int gl_clock_wait_ms(const gl_clock *clock, int64_t ms, int fd)
{
    if (!clock)
        clock = &system_clock;
    if (!clock->wait_ms) {
        clock->sleep_ms(clock, ms);
        return 0;
    }
    return clock->wait_ms(clock, ms, fd);
}

int64_t gl_backoff(int64_t first, int64_t most, int n)
{
    int64_t delay = first;

    for (int i = 1; i < n && delay < most; i++)
        delay *= 2;
    return delay < most ? delay : most;
}
