/*
 * clock.h - the one source of "now" and of waiting.
 *
 * Nothing in gleaner calls time(), gettimeofday() or sleep() directly: code
 * that needs the time or must wait (Retry-After, backoff, the daemon's
 * schedule) takes a gl_clock.  Tests pass a fake clock whose sleep only
 * advances its time, so a 30-second Retry-After or a simulated week costs
 * nothing.
 *
 * Times are UTC; milliseconds since the Unix epoch unless a name says seconds.
 */
#ifndef GL_CLOCK_H
#define GL_CLOCK_H

#include <stdint.h>

typedef struct gl_clock gl_clock;

struct gl_clock {
    /* Current wall time, ms since the epoch (UTC). */
    int64_t (*now_ms)(const gl_clock *clock);
    /* A monotonic reading in ms, for measuring durations. */
    int64_t (*monotonic_ms)(const gl_clock *clock);
    /* Wait `ms` (a fake clock only advances). Interrupted waits may return early. */
    void (*sleep_ms)(const gl_clock *clock, int64_t ms);
    /*
     * Wait up to `ms` or until `fd` (-1: none) can be read: 1 when it can,
     * 0 when the time ran out.  A fake clock advances by `ms` unless `fd`
     * is readable already.  NULL: sleep_ms, never woken early.
     */
    int (*wait_ms)(const gl_clock *clock, int64_t ms, int fd);
    void *payload;
};

/* gl_clock_system - the real clock.  Borrowed, static, never freed. */
const gl_clock *gl_clock_system(void);

/*
 * A fake clock for tests: starts at `start_ms`, sleep advances it and adds
 * to the total slept.  Created with gl_clock_fake_new, freed with
 * gl_clock_fake_free.
 */
typedef struct gl_clock_fake gl_clock_fake;

int gl_clock_fake_new(gl_clock_fake **out, int64_t start_ms);
void gl_clock_fake_free(gl_clock_fake *fake);
/* The gl_clock face of the fake; borrowed, lives as long as the fake. */
const gl_clock *gl_clock_fake_clock(gl_clock_fake *fake);
void gl_clock_fake_set(gl_clock_fake *fake, int64_t now_ms);
void gl_clock_fake_advance(gl_clock_fake *fake, int64_t ms);
/* Total ms passed to sleep_ms, and how many times it was called. */
int64_t gl_clock_fake_slept_ms(const gl_clock_fake *fake);
int gl_clock_fake_sleeps(const gl_clock_fake *fake);

/* Convenience wrappers; `clock` NULL means the system clock. */
int64_t gl_clock_now_ms(const gl_clock *clock);
int64_t gl_clock_now(const gl_clock *clock); /* seconds */
int64_t gl_clock_monotonic_ms(const gl_clock *clock);
void gl_clock_sleep_ms(const gl_clock *clock, int64_t ms);
int gl_clock_wait_ms(const gl_clock *clock, int64_t ms, int fd);

/*
 * gl_backoff - the wait before try `n` + 1 after `n` failures (n >= 1):
 * `first`, doubling each time, never more than `most` (any unit; no jitter).
 */
int64_t gl_backoff(int64_t first, int64_t most, int n);

#endif
