/*
 * calendar.h - one occurrence of a calendar event as its calendar states
 * it: facts, no verdict.  Shared by the .ics (ical.c) and Google Calendar
 * (gcal.c) connectors; whether an occurrence counts as work (declined?
 * cancelled? free? all-day?) is decided above them, by the agent.
 *
 * Every pointer in a gl_meeting is borrowed and valid only for the duration
 * of the callback that receives it.
 */
#ifndef GL_CALENDAR_H
#define GL_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What kind of event this is (Google's eventType; .ics events are DEFAULT). */
typedef enum gl_meeting_type {
    GL_MEETING_DEFAULT = 0,
    GL_MEETING_OUT_OF_OFFICE, /* lowers the expected hours instead of adding work */
    GL_MEETING_FOCUS_TIME     /* time blocked to work alone: not a meeting */
} gl_meeting_type;

/* The user's own answer to the invitation. */
typedef enum gl_partstat {
    GL_PARTSTAT_NONE = 0, /* the user is not among the attendees (or there are none) */
    GL_PARTSTAT_ACCEPTED,
    GL_PARTSTAT_TENTATIVE,
    GL_PARTSTAT_DECLINED,
    GL_PARTSTAT_NEEDS_ACTION, /* invited, never answered */
    GL_PARTSTAT_DELEGATED
} gl_partstat;

typedef struct gl_meeting {
    const char *uid; /* UID (iCalUID for Google) */
    /*
     * Unique within one calendar and stable across runs: the UID, "/", and
     * the occurrence's original start (its RECURRENCE-ID) as UTC
     * "YYYYMMDDTHHMMSSZ", or "YYYYMMDD" for an all-day occurrence.  A moved
     * occurrence keeps the key of the slot it was moved from.  (Google: the
     * event's instance id, which encodes the same.)
     */
    const char *key;
    int64_t start, end; /* UTC seconds; all-day: midnight to midnight in the user's zone */
    bool all_day;
    bool recurring;                     /* an occurrence of a series */
    const char *title;                  /* SUMMARY; "" when absent */
    const char *organizer;              /* lower-case email, or NULL */
    bool user_is_organizer;             /* the organizer is one of the user's identities */
    gl_partstat partstat;               /* the user's own PARTSTAT / responseStatus */
    size_t n_attendees;                 /* attendees other than the user (rooms left out) */
    const char *const *attendee_emails; /* their distinct lower-case addresses */
    size_t n_attendee_emails;
    const char *const *attendee_domains; /* distinct lower-case domains of those attendees */
    size_t n_attendee_domains;
    bool cancelled;   /* STATUS:CANCELLED (a cancelled occurrence is still reported) */
    bool tentative;   /* STATUS:TENTATIVE */
    bool transparent; /* TRANSP:TRANSPARENT / transparency "transparent": shown as free */
    gl_meeting_type type;
} gl_meeting;

/* "accepted", "tentative", "declined", "needs-action", "delegated"; NULL for NONE.  Static. */
const char *gl_partstat_name(gl_partstat p);

/* Receives each occurrence; a negative GL_E* return stops the reader with it. */
typedef int (*gl_meeting_fn)(void *payload, const gl_meeting *meeting);

#endif
