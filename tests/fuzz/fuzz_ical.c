/*
 * fuzz_ical.c - an .ics calendar of arbitrary bytes, read in two zones over
 * two years: occurrences or an error, never a crash, a hang or a leak.
 * Every field of every occurrence is read, so a dangling pointer shows.
 */
#include <string.h>

#include "connectors/ical.h"
#include "fuzz.h"
#include "util/error.h"

static int touch(void *payload, const gl_meeting *m)
{
    size_t *sum = payload;

    *sum += strlen(m->uid) + strlen(m->key) + strlen(m->title);
    if (m->organizer)
        *sum += strlen(m->organizer);
    for (size_t i = 0; i < m->n_attendee_domains; i++)
        *sum += strlen(m->attendee_domains[i]);
    *sum += (size_t)(m->end >= m->start) + m->n_attendees;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const me[] = {"ada@example.com"};
    static const char *const zones[] = {"Europe/Berlin", "America/New_York"};
    gl_ical_stats stats;
    size_t sum = 0;

    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        gl_ical_options opts = {zones[z], me, 1, 1767225600 /* 2026-01-01 */,
                                1830297600 /* 2028-01-01 */};
        (void)gl_ical_parse((const char *)data, size, "fuzz", &opts, touch, &sum, &stats);
        gl_error_clear();
    }
    return sum == (size_t)-1; /* keep `sum` alive */
}
