/*
 * ical.h - .ics calendars (RFC 5545) read with libical: local files and
 * https feeds, every occurrence that overlaps a window.
 *
 * Recurrence is expanded by libical: RRULE (COUNT, UNTIL, BYxxx), RDATE
 * (DATE, DATE-TIME, PERIOD), EXDATE, RECURRENCE-ID overrides (moved,
 * retitled, cancelled), VTIMEZONE definitions, IANA and Windows zone names,
 * floating times and all-day dates (both in the user's zone), DURATION
 * instead of DTEND.  A component that cannot be read is skipped and
 * counted; the rest of the calendar is still read.
 *
 * How the calendar is read, where RFC 5545 leaves room:
 *   - a zone is the file's VTIMEZONE of that TZID, else the IANA zone of
 *     that name, else the IANA zone of a Windows name ("W. Europe Standard
 *     Time", CLDR's mapping), else of the name's last path components
 *     ("/softwarestudio.org/Tzfile/America/Chicago"); a TZID none of these
 *     knows is read in the user's zone and reported in the stats;
 *   - a local time skipped by a DST change is read with the offset before
 *     the change, a repeated one as its first occurrence (RFC 5545 3.3.5);
 *   - every occurrence of a series lasts DTEND - DTSTART exactly, or DTSTART
 *     + DURATION with days in local time and hours exact (RFC 5545 3.8.5.3);
 *     an RDATE PERIOD keeps its own end; an end before the start is the
 *     start (zero length);
 *   - an override (RECURRENCE-ID) replaces the occurrence it names; one
 *     whose occurrence is EXDATEd is dropped; one whose series is missing,
 *     or that names no occurrence of it, is reported on its own (its RRULE
 *     or RDATE, if any, is ignored);
 *   - two copies of one event (same UID, or same UID and RECURRENCE-ID):
 *     the higher SEQUENCE wins, then the later DTSTAMP, then the first;
 *   - an event without UID or DTSTART, or whose dates, rules or exceptions
 *     cannot be read, or that is not terminated, is skipped and counted;
 *   - a rule is followed for at most GL_ICAL_MAX_RULE_STEPS steps from its
 *     DTSTART and GL_ICAL_MAX_SERIES_OCCURRENCES occurrences in the window;
 *     past either, the rest of the series is dropped and counted.  Rules
 *     libical would search for years inside one step are refused and
 *     counted: every second or minute on some hours or days only, every
 *     hour on some dates only, month days none of the rule's months has,
 *     a BYSETPOS no month reaches.
 */
#ifndef GL_ICAL_H
#define GL_ICAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connectors/calendar.h"
#include "util/clock.h"

/* Calendars larger than this are refused rather than read (GL_ETOOBIG). */
#define GL_ICAL_MAX_BYTES (32u * 1024 * 1024)

/* Caps on one series (a pathological RRULE such as FREQ=SECONDLY). */
#define GL_ICAL_MAX_SERIES_OCCURRENCES 10000  /* occurrences in the window */
#define GL_ICAL_MAX_RULE_STEPS         200000 /* rule steps from DTSTART */

typedef struct gl_ical_options {
    const char *timezone;          /* the user's IANA zone; required */
    const char *const *identities; /* the user's email addresses (case-insensitive) */
    size_t n_identities;
    int64_t from, to; /* window, UTC seconds: occurrences overlapping [from, to) */
} gl_ical_options;

typedef struct gl_ical_stats {
    size_t events;         /* VEVENTs read (a series counts once, its overrides not) */
    size_t occurrences;    /* occurrences passed to the callback */
    size_t skipped;        /* components that could not be read (or series cut at a cap) */
    char problem[256];     /* what was wrong with the first skipped one ("" when none) */
    size_t unknown_zones;  /* events whose TZID names no zone gleaner knows: read in
                              the user's zone, so their times may be off */
    char unknown_zone[64]; /* the first such TZID ("" when none) */
} gl_ical_stats;

/*
 * gl_ical_parse - read the calendar in `text` (`len` bytes; need not be
 * NUL-terminated) and pass each occurrence in the window to `fn`, in no
 * particular order.  `name` names the calendar in messages.  GL_EBADDATA
 * when the text is not a calendar at all, GL_ETOOBIG over
 * GL_ICAL_MAX_BYTES, GL_ECONFIG for an unknown opts->timezone, or what `fn`
 * returned.  `stats` is optional.
 *
 * Per occurrence (see calendar.h): attendees are the ATTENDEE lines other
 * than the user's own (rooms and resources, CUTYPE=ROOM/RESOURCE, are not
 * counted); the user's PARTSTAT is that of the ATTENDEE line whose mailto:
 * address is one of opts->identities (absent PARTSTAT: NEEDS-ACTION); an
 * Outlook X-MICROSOFT-CDO-BUSYSTATUS:OOF makes it GL_MEETING_OUT_OF_OFFICE.
 */
int gl_ical_parse(const char *text, size_t len, const char *name, const gl_ical_options *opts,
                  gl_meeting_fn fn, void *payload, gl_ical_stats *stats);

/* gl_ical_read_file - gl_ical_parse on a file; GL_ENOTFOUND/GL_EIO when it cannot be read. */
int gl_ical_read_file(const char *path, const gl_ical_options *opts, gl_meeting_fn fn,
                      void *payload, gl_ical_stats *stats);

/* A feed fetched over https (webcal:// is read as https://). */
typedef struct gl_ical_feed {
    bool not_modified; /* 304: the copy the caller kept is current; body is NULL */
    char *body;        /* the calendar text (owned, NUL-terminated) */
    size_t body_len;
    char *etag; /* validators to send next time (owned; NULL when absent) */
    char *last_modified;
} gl_ical_feed;

/*
 * gl_ical_fetch - GET `url` through the shared HTTP layer (redirects
 * followed, TLS verified, http:// only for loopback), conditionally when
 * `etag` or `last_modified` (either may be NULL) are given.  An answer that
 * is not a calendar (an HTML login page, JSON) is GL_EBADDATA with a message
 * that says so; an error status is the HTTP layer's error.  Messages show
 * the feed's host and path, never its query (feed URLs often carry a
 * secret).  `clock` may be NULL (the system clock).  Clear *out with
 * gl_ical_feed_clear (also after a failure).
 */
int gl_ical_fetch(const char *url, const char *etag, const char *last_modified,
                  const gl_clock *clock, gl_ical_feed *out);
void gl_ical_feed_clear(gl_ical_feed *feed);

#endif
