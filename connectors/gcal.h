/*
 * gcal.h - Google Calendar API v3: the occurrences of one calendar through
 * events.list with singleEvents=true, on the shared HTTP layer.
 *
 * A first sync lists the window and returns Google's nextSyncToken; later
 * syncs send the token and receive only what changed (a deleted or
 * cancelled occurrence arrives with cancelled set).  When Google answers
 * 410 Gone the token has expired: the connector calls `reset` and lists
 * the window again in full.  Out-of-office and focus-time events are
 * reported with their type; working-location events are skipped.
 *
 * What each Google event becomes (connectors/calendar.h):
 *
 *   key         the event id; an instance of a series has Google's instance
 *               id "<series id>_<original start as YYYYMMDDTHHMMSSZ>" (all-day:
 *               "_YYYYMMDD"), which a moved instance keeps
 *   uid         iCalUID ("" when Google sends none: a deleted event)
 *   start, end  dateTime with its offset; an all-day `date` is midnight in
 *               opts->timezone, end exclusive as Google sends it
 *   recurring   recurringEventId is present
 *   partstat    responseStatus of the attendee marked self
 *   organizer   organizer.email (lower case); user_is_organizer from
 *               organizer.self (true for every event of a calendar the user
 *               owns that nobody else organised)
 *   attendees   the others, rooms and other resources left out; their
 *               distinct e-mail domains
 *   cancelled   status "cancelled"; tentative: status "tentative";
 *               transparent: transparency "transparent"
 *   type        outOfOffice and focusTime as such; default, fromGmail
 *               (flights, bookings: time the user is busy) and any type
 *               Google adds later as GL_MEETING_DEFAULT.  workingLocation
 *               and birthday events are not the user's time and are
 *               skipped (eventType cannot change, so a skipped event never
 *               needs undoing).
 *
 * Deleted events arrive with little more than an id (and, for a cancelled
 * instance, its original start).  They are still reported, cancelled set,
 * so the caller can mark what it stored under that key: uid is "", title
 * "", start the original start when known and end == start, else both 0.
 *
 * An incremental sync is not limited to the window: Google returns every
 * change since the token, wherever it lies.  The sink decides what to keep.
 *
 * Errors: 401 is answered by one call to the refresh callback and one
 * retry; 429 waits as Google asks (the HTTP layer); 403 rateLimitExceeded
 * and userRateLimitExceeded back off exponentially and retry; other errors
 * become one-line messages from Google's error body ("Google Calendar
 * refused ...: <message> (<reason>)"), 404 names the calendar id.  No token
 * (access, sync or page) appears in a message or a log line.
 */
#ifndef GL_GCAL_H
#define GL_GCAL_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "connectors/calendar.h"
#include "util/clock.h"

typedef struct gl_gcal gl_gcal;

/*
 * Called when Google answers 401: GL_OK with a new access token in
 * *token_out (malloc'd; the client wipes and frees it), or an error to give
 * up (its code and message are the sync's).  Called at most once per
 * request.
 */
typedef int (*gl_gcal_refresh_cb)(void *payload, char **token_out);

typedef struct gl_gcal_options {
    const char *base_url; /* "https://www.googleapis.com/calendar/v3"; required */
    const char *token;    /* OAuth access token; required; copied */
    const char *timezone; /* the user's IANA zone: all-day dates become its midnights (NULL: UTC) */
    const gl_clock *clock; /* NULL: the system clock; borrowed */
    gl_gcal_refresh_cb refresh;
    void *refresh_payload;
    /* Releases refresh_payload in gl_gcal_free (NULL: the caller keeps it). */
    void (*refresh_payload_free)(void *payload);
} gl_gcal_options;

/*
 * gl_gcal_new - a client (options copied).  GL_EINVAL without a base URL or
 * token, GL_EINSECURE for http:// to a host that is not loopback, GL_ECONFIG
 * for a time zone libical does not know.  Free with gl_gcal_free (NULL is
 * fine); on failure refresh_payload is not released.
 */
int gl_gcal_new(gl_gcal **out, const gl_gcal_options *opts);
void gl_gcal_free(gl_gcal *g);

typedef struct gl_gcal_sink {
    gl_meeting_fn meeting;
    /* The sync token was refused (410): forget what this calendar gave before. May be NULL. */
    int (*reset)(void *payload);
    void *payload;
} gl_gcal_sink;

typedef struct gl_gcal_result {
    char *sync_token;   /* nextSyncToken for the next call; owned; NULL if Google gave none */
    bool full;          /* the window was listed in full (first sync or after a 410) */
    size_t occurrences; /* passed to the sink (after a reset: since the reset) */
    int requests;       /* HTTP requests sent, retries included (not the HTTP layer's 429 waits) */
    size_t skipped;     /* items that could not be read (no id, no start) */
    char problem[256];  /* what was wrong with the first skipped one ("" when none) */
} gl_gcal_result;

/*
 * gl_gcal_sync - the occurrences of `calendar_id` ("primary" or an address)
 * overlapping [from, to) (UTC seconds, from < to), or only the changes since
 * `sync_token` when it is not NULL (the window is then used only if Google
 * refuses the token).  Cancelled occurrences are included in both.  Each
 * goes to sink->meeting; a negative return stops the sync with that code.
 * Clear `out` with gl_gcal_result_clear (also after errors).
 *
 * Errors: GL_EAUTH (the token was refused and no refresh helped),
 * GL_ENOTFOUND (no such calendar for this account), GL_EFORBIDDEN,
 * GL_ERATELIMIT (still limited after the waits), GL_EREJECTED, GL_EREMOTE,
 * GL_ENETWORK/GL_ETIMEOUT, GL_EBADDATA (a page that is not Google's JSON).
 */
int gl_gcal_sync(gl_gcal *g, const char *calendar_id, int64_t from, int64_t to,
                 const char *sync_token, const gl_gcal_sink *sink, gl_gcal_result *out);
void gl_gcal_result_clear(gl_gcal_result *r);

/*
 * gl_gcal_calendar - calendars.get: the calendar's metadata ({"id",
 * "summary", "timeZone", ...}; for "primary" the id is the account's
 * address).  Errors as gl_gcal_sync.  Release *out with json_object_put.
 */
int gl_gcal_calendar(gl_gcal *g, const char *calendar_id, json_object **out);

#endif
