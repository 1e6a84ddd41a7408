/*
 * test_ical.c - .ics calendars: recurrence, zones and their edges, the facts
 * of each occurrence, bad input, and feeds from the fake server.
 *
 * Each expansion case is a small calendar and the occurrences it must give,
 * one "KEY START END [flags]" line each (UTC, sorted); the times were worked
 * out by hand from the zone rules, not copied from gleaner's output.
 */
#include "support.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connectors/ical.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/str.h"
#include "util/tz.h"

#define W2026_FROM "2026-01-01T00:00:00Z"
#define W2026_TO   "2027-01-01T00:00:00Z"

static const char *const me[] = {"ada@example.com", "ada.lovelace@example.org"};

/* ------------------------------------------------------------ helpers */

typedef struct got {
    gl_buf lines[256];
    size_t n;
    gl_meeting last; /* the last meeting, its strings copied below */
    char uid[64], title[128], organizer[128], domains[256], people[256];
    int stop_with; /* return this from the callback (0: go on) */
} got;

static int on_meeting(void *payload, const gl_meeting *m)
{
    got *g = payload;
    char start[GL_TIME_UTC_LEN], end[GL_TIME_UTC_LEN];
    gl_buf *line;

    assert_true(g->n < sizeof(g->lines) / sizeof(g->lines[0]));
    line = &g->lines[g->n++];
    gl_time_format_utc(start, m->start);
    gl_time_format_utc(end, m->end);
    assert_int_equal(gl_buf_printf(line, "%s %s %s%s%s", m->key, start, end,
                                   m->cancelled ? " cancelled" : "", m->all_day ? " all-day" : ""),
                     0);
    g->last = *m;
    snprintf(g->uid, sizeof(g->uid), "%s", m->uid);
    snprintf(g->title, sizeof(g->title), "%s", m->title);
    snprintf(g->organizer, sizeof(g->organizer), "%s", m->organizer ? m->organizer : "(null)");
    g->domains[0] = '\0';
    for (size_t i = 0; i < m->n_attendee_domains; i++) {
        size_t used = strlen(g->domains);
        snprintf(g->domains + used, sizeof(g->domains) - used, "%s%s", i ? " " : "",
                 m->attendee_domains[i]);
    }
    g->people[0] = '\0';
    for (size_t i = 0; i < m->n_attendee_emails; i++) {
        size_t used = strlen(g->people);
        snprintf(g->people + used, sizeof(g->people) - used, "%s%s", i ? " " : "",
                 m->attendee_emails[i]);
    }
    return g->stop_with;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(gl_buf_cstr((const gl_buf *)a), gl_buf_cstr((const gl_buf *)b));
}

/* The occurrences as sorted lines. */
static char *joined(got *g)
{
    gl_buf all = GL_BUF_INIT(0);
    qsort(g->lines, g->n, sizeof(gl_buf), by_text);
    for (size_t i = 0; i < g->n; i++)
        assert_int_equal(gl_buf_printf(&all, "%s%s", i ? "\n" : "", gl_buf_cstr(&g->lines[i])), 0);
    return gl_buf_detach(&all);
}

static void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++)
        gl_buf_dispose(&g->lines[i]);
    memset(g, 0, sizeof(*g));
}

static gl_ical_options options(const char *tz, const char *from, const char *to)
{
    gl_ical_options o = {0};
    o.timezone = tz ? tz : "Europe/Berlin";
    o.identities = me;
    o.n_identities = 2;
    gl_assert_ok(gl_time_parse_utc(&o.from, from ? from : W2026_FROM));
    gl_assert_ok(gl_time_parse_utc(&o.to, to ? to : W2026_TO));
    return o;
}

/* Wrap VEVENTs in a VCALENDAR with CRLF line ends, as servers send them. */
static char *calendar(const char *body)
{
    gl_buf b = GL_BUF_INIT(0);
    const char *p;

    assert_int_equal(gl_buf_puts(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"),
                     0);
    for (p = body; *p; p++) {
        if (*p == '\n')
            assert_int_equal(gl_buf_puts(&b, "\r\n"), 0);
        else
            assert_int_equal(gl_buf_append(&b, p, 1), 0);
    }
    assert_int_equal(gl_buf_puts(&b, "END:VCALENDAR\r\n"), 0);
    return gl_buf_detach(&b);
}

static int parse(got *g, const char *body, const gl_ical_options *o, gl_ical_stats *stats)
{
    char *text = calendar(body);
    int rc = gl_ical_parse(text, strlen(text), "test", o, on_meeting, g, stats);
    free(text);
    return rc;
}

/* --------------------------------------------------------- expansion */

typedef struct expand_case {
    const char *name;
    const char *tz;        /* the user's zone; NULL: Europe/Berlin */
    const char *from, *to; /* the window; NULL: 2026 */
    const char *events;
    const char *want; /* sorted lines */
    size_t skipped;
} expand_case;

static const expand_case cases[] = {
    {"weekly COUNT", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:count\nDTSTART;TZID=Europe/Berlin:20260105T090000\n"
     "DTEND;TZID=Europe/Berlin:20260105T093000\nRRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT\n",
     "count/20260105T080000Z 2026-01-05T08:00:00Z 2026-01-05T08:30:00Z\n"
     "count/20260112T080000Z 2026-01-12T08:00:00Z 2026-01-12T08:30:00Z\n"
     "count/20260119T080000Z 2026-01-19T08:00:00Z 2026-01-19T08:30:00Z",
     0},
    {"UNTIL in UTC is inclusive", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:until\nDTSTART;TZID=America/New_York:20260302T100000\n"
     "DTEND;TZID=America/New_York:20260302T110000\nRRULE:FREQ=DAILY;UNTIL=20260304T150000Z\n"
     "END:VEVENT\n"
     "BEGIN:VEVENT\nUID:until2\nDTSTART;TZID=America/New_York:20260302T100000\n"
     "RRULE:FREQ=DAILY;UNTIL=20260304T145959Z\nEND:VEVENT\n",
     "until/20260302T150000Z 2026-03-02T15:00:00Z 2026-03-02T16:00:00Z\n"
     "until/20260303T150000Z 2026-03-03T15:00:00Z 2026-03-03T16:00:00Z\n"
     "until/20260304T150000Z 2026-03-04T15:00:00Z 2026-03-04T16:00:00Z\n"
     "until2/20260302T150000Z 2026-03-02T15:00:00Z 2026-03-02T15:00:00Z\n"
     "until2/20260303T150000Z 2026-03-03T15:00:00Z 2026-03-03T15:00:00Z",
     0},
    {"BYSETPOS, BYMONTHDAY=-1, BYMONTHDAY=31", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:lastworkday\nDTSTART:20260130T160000Z\n"
     "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:lastday\nDTSTART:20260131T120000Z\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT="
     "3\n"
     "END:VEVENT\n"
     "BEGIN:VEVENT\nUID:the31st\nDTSTART:20260131T120000Z\nRRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT="
     "3\n"
     "END:VEVENT\n",
     "lastday/20260131T120000Z 2026-01-31T12:00:00Z 2026-01-31T12:00:00Z\n"
     "lastday/20260228T120000Z 2026-02-28T12:00:00Z 2026-02-28T12:00:00Z\n"
     "lastday/20260331T120000Z 2026-03-31T12:00:00Z 2026-03-31T12:00:00Z\n"
     "lastworkday/20260130T160000Z 2026-01-30T16:00:00Z 2026-01-30T16:00:00Z\n"
     "lastworkday/20260227T160000Z 2026-02-27T16:00:00Z 2026-02-27T16:00:00Z\n"
     "lastworkday/20260331T160000Z 2026-03-31T16:00:00Z 2026-03-31T16:00:00Z\n"
     "the31st/20260131T120000Z 2026-01-31T12:00:00Z 2026-01-31T12:00:00Z\n"
     "the31st/20260331T120000Z 2026-03-31T12:00:00Z 2026-03-31T12:00:00Z\n"
     "the31st/20260531T120000Z 2026-05-31T12:00:00Z 2026-05-31T12:00:00Z",
     0},
    /* libical's icalrecur_iterator_set_start loses the phase of this one. */
    {"fortnightly since long before the window", NULL, "2026-03-01T00:00:00Z",
     "2026-04-01T00:00:00Z",
     "BEGIN:VEVENT\nUID:fortnight\nDTSTART:20250106T100000Z\nDTEND:20250106T103000Z\n"
     "RRULE:FREQ=WEEKLY;INTERVAL=2\nEND:VEVENT\n",
     "fortnight/20260302T100000Z 2026-03-02T10:00:00Z 2026-03-02T10:30:00Z\n"
     "fortnight/20260316T100000Z 2026-03-16T10:00:00Z 2026-03-16T10:30:00Z\n"
     "fortnight/20260330T100000Z 2026-03-30T10:00:00Z 2026-03-30T10:30:00Z",
     0},
    /* libical's set_start would give 01:30, 06:30, 11:30 here; gleaner walks from DTSTART. */
    {"every five hours and every three days, since 2024", NULL, "2026-01-01T00:00:00Z",
     "2026-01-07T00:00:00Z",
     "BEGIN:VEVENT\nUID:h5\nDTSTART:20240102T103000Z\nRRULE:FREQ=HOURLY;INTERVAL=5\n"
     "END:VEVENT\n"
     "BEGIN:VEVENT\nUID:d3\nDTSTART:20240102T103000Z\nRRULE:FREQ=DAILY;INTERVAL=3\nEND:VEVENT\n",
     "d3/20260103T103000Z 2026-01-03T10:30:00Z 2026-01-03T10:30:00Z\n"
     "d3/20260106T103000Z 2026-01-06T10:30:00Z 2026-01-06T10:30:00Z\n"
     "h5/20260101T003000Z 2026-01-01T00:30:00Z 2026-01-01T00:30:00Z\n"
     "h5/20260101T053000Z 2026-01-01T05:30:00Z 2026-01-01T05:30:00Z\n"
     "h5/20260101T103000Z 2026-01-01T10:30:00Z 2026-01-01T10:30:00Z\n"
     "h5/20260101T153000Z 2026-01-01T15:30:00Z 2026-01-01T15:30:00Z\n"
     "h5/20260101T203000Z 2026-01-01T20:30:00Z 2026-01-01T20:30:00Z\n"
     "h5/20260102T013000Z 2026-01-02T01:30:00Z 2026-01-02T01:30:00Z\n"
     "h5/20260102T063000Z 2026-01-02T06:30:00Z 2026-01-02T06:30:00Z\n"
     "h5/20260102T113000Z 2026-01-02T11:30:00Z 2026-01-02T11:30:00Z\n"
     "h5/20260102T163000Z 2026-01-02T16:30:00Z 2026-01-02T16:30:00Z\n"
     "h5/20260102T213000Z 2026-01-02T21:30:00Z 2026-01-02T21:30:00Z\n"
     "h5/20260103T023000Z 2026-01-03T02:30:00Z 2026-01-03T02:30:00Z\n"
     "h5/20260103T073000Z 2026-01-03T07:30:00Z 2026-01-03T07:30:00Z\n"
     "h5/20260103T123000Z 2026-01-03T12:30:00Z 2026-01-03T12:30:00Z\n"
     "h5/20260103T173000Z 2026-01-03T17:30:00Z 2026-01-03T17:30:00Z\n"
     "h5/20260103T223000Z 2026-01-03T22:30:00Z 2026-01-03T22:30:00Z\n"
     "h5/20260104T033000Z 2026-01-04T03:30:00Z 2026-01-04T03:30:00Z\n"
     "h5/20260104T083000Z 2026-01-04T08:30:00Z 2026-01-04T08:30:00Z\n"
     "h5/20260104T133000Z 2026-01-04T13:30:00Z 2026-01-04T13:30:00Z\n"
     "h5/20260104T183000Z 2026-01-04T18:30:00Z 2026-01-04T18:30:00Z\n"
     "h5/20260104T233000Z 2026-01-04T23:30:00Z 2026-01-04T23:30:00Z\n"
     "h5/20260105T043000Z 2026-01-05T04:30:00Z 2026-01-05T04:30:00Z\n"
     "h5/20260105T093000Z 2026-01-05T09:30:00Z 2026-01-05T09:30:00Z\n"
     "h5/20260105T143000Z 2026-01-05T14:30:00Z 2026-01-05T14:30:00Z\n"
     "h5/20260105T193000Z 2026-01-05T19:30:00Z 2026-01-05T19:30:00Z\n"
     "h5/20260106T003000Z 2026-01-06T00:30:00Z 2026-01-06T00:30:00Z\n"
     "h5/20260106T053000Z 2026-01-06T05:30:00Z 2026-01-06T05:30:00Z\n"
     "h5/20260106T103000Z 2026-01-06T10:30:00Z 2026-01-06T10:30:00Z\n"
     "h5/20260106T153000Z 2026-01-06T15:30:00Z 2026-01-06T15:30:00Z\n"
     "h5/20260106T203000Z 2026-01-06T20:30:00Z 2026-01-06T20:30:00Z",
     0},
    {"an endless rule stops at the window", NULL, "2026-06-01T00:00:00Z", "2026-06-04T00:00:00Z",
     "BEGIN:VEVENT\nUID:endless\nDTSTART:20200101T080000Z\nRRULE:FREQ=DAILY\nEND:VEVENT\n",
     "endless/20260601T080000Z 2026-06-01T08:00:00Z 2026-06-01T08:00:00Z\n"
     "endless/20260602T080000Z 2026-06-02T08:00:00Z 2026-06-02T08:00:00Z\n"
     "endless/20260603T080000Z 2026-06-03T08:00:00Z 2026-06-03T08:00:00Z",
     0},
    {"RDATE as DATE-TIME, DATE and PERIOD; one also made by DTSTART", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:rdate\nDTSTART;TZID=Europe/Berlin:20260210T100000\n"
     "DTEND;TZID=Europe/Berlin:20260210T110000\nRDATE;TZID=Europe/Berlin:20260212T140000\n"
     "RDATE;VALUE=DATE:20260215\nRDATE;VALUE=PERIOD:20260217T080000Z/PT3H\n"
     "RDATE:20260210T090000Z\nEND:VEVENT\n",
     "rdate/20260210T090000Z 2026-02-10T09:00:00Z 2026-02-10T10:00:00Z\n"
     "rdate/20260212T130000Z 2026-02-12T13:00:00Z 2026-02-12T14:00:00Z\n"
     "rdate/20260215T090000Z 2026-02-15T09:00:00Z 2026-02-15T10:00:00Z\n"
     "rdate/20260217T080000Z 2026-02-17T08:00:00Z 2026-02-17T11:00:00Z",
     0},
    {"EXDATE on several lines, with TZID, in UTC, two on one line", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:ex\nDTSTART;TZID=Europe/Berlin:20260105T090000\n"
     "DTEND;TZID=Europe/Berlin:20260105T100000\nRRULE:FREQ=WEEKLY;COUNT=5\n"
     "EXDATE;TZID=Europe/Berlin:20260112T090000\nEXDATE:20260119T080000Z\n"
     "EXDATE;TZID=Europe/Berlin:20260203T090000,20260202T090000\nEND:VEVENT\n",
     "ex/20260105T080000Z 2026-01-05T08:00:00Z 2026-01-05T09:00:00Z\n"
     "ex/20260126T080000Z 2026-01-26T08:00:00Z 2026-01-26T09:00:00Z",
     0},
    {"overrides: moved, cancelled with a UTC RECURRENCE-ID", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:ov\nDTSTART;TZID=Europe/Berlin:20260108T140000\n"
     "DTEND;TZID=Europe/Berlin:20260108T150000\nRRULE:FREQ=WEEKLY;COUNT=4\nSUMMARY:Sync\n"
     "END:VEVENT\n"
     "BEGIN:VEVENT\nUID:ov\nRECURRENCE-ID;TZID=Europe/Berlin:20260115T140000\n"
     "DTSTART;TZID=Europe/Berlin:20260116T100000\nDTEND;TZID=Europe/Berlin:20260116T110000\n"
     "SUMMARY:Sync (Friday)\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:ov\nRECURRENCE-ID:20260122T130000Z\nSTATUS:CANCELLED\n"
     "DTSTART;TZID=Europe/Berlin:20260122T140000\nDTEND;TZID=Europe/Berlin:20260122T150000\n"
     "SUMMARY:Sync\nEND:VEVENT\n",
     "ov/20260108T130000Z 2026-01-08T13:00:00Z 2026-01-08T14:00:00Z\n"
     "ov/20260115T130000Z 2026-01-16T09:00:00Z 2026-01-16T10:00:00Z\n"
     "ov/20260122T130000Z 2026-01-22T13:00:00Z 2026-01-22T14:00:00Z cancelled\n"
     "ov/20260129T130000Z 2026-01-29T13:00:00Z 2026-01-29T14:00:00Z",
     0},
    {"overrides moved across the window's edges", NULL, "2026-01-01T00:00:00Z",
     "2026-01-20T00:00:00Z",
     "BEGIN:VEVENT\nUID:edge\nDTSTART:20251222T100000Z\nDTEND:20251222T110000Z\n"
     "RRULE:FREQ=WEEKLY\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:edge\nRECURRENCE-ID:20251229T100000Z\nDTSTART:20260102T100000Z\n"
     "DTEND:20260102T110000Z\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:edge\nRECURRENCE-ID:20260112T100000Z\nDTSTART:20260126T100000Z\n"
     "DTEND:20260126T110000Z\nEND:VEVENT\n",
     "edge/20251229T100000Z 2026-01-02T10:00:00Z 2026-01-02T11:00:00Z\n"
     "edge/20260105T100000Z 2026-01-05T10:00:00Z 2026-01-05T11:00:00Z\n"
     "edge/20260119T100000Z 2026-01-19T10:00:00Z 2026-01-19T11:00:00Z",
     0},
    {"an override without its series; one for an EXDATEd slot", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:orphan\nRECURRENCE-ID:20260301T100000Z\nDTSTART:20260302T100000Z\n"
     "DTEND:20260302T110000Z\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:gone\nDTSTART:20260401T100000Z\nDTEND:20260401T103000Z\n"
     "RRULE:FREQ=DAILY;COUNT=3\nEXDATE:20260402T100000Z\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:gone\nRECURRENCE-ID:20260402T100000Z\nDTSTART:20260402T120000Z\n"
     "DTEND:20260402T123000Z\nEND:VEVENT\n",
     "gone/20260401T100000Z 2026-04-01T10:00:00Z 2026-04-01T10:30:00Z\n"
     "gone/20260403T100000Z 2026-04-03T10:00:00Z 2026-04-03T10:30:00Z\n"
     "orphan/20260301T100000Z 2026-03-02T10:00:00Z 2026-03-02T11:00:00Z",
     0},
    {"zones: VTIMEZONE, IANA, Windows, path-like, UTC", NULL, NULL, NULL,
     "BEGIN:VTIMEZONE\nTZID:Office Time\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
     "TZOFFSETFROM:+0530\nTZOFFSETTO:+0530\nEND:STANDARD\nEND:VTIMEZONE\n"
     "BEGIN:VEVENT\nUID:vtz\nDTSTART;TZID=Office Time:20260610T093000\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:tokyo\nDTSTART;TZID=Asia/Tokyo:20260610T090000\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:weurope\nDTSTART;TZID=W. Europe Standard Time:20260710T090000\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:eastern\nDTSTART;TZID=\"Eastern Standard Time\":20260110T090000\n"
     "END:VEVENT\n"
     "BEGIN:VEVENT\nUID:evolution\nDTSTART;TZID=/softwarestudio.org/Tzfile/America/Chicago:"
     "20260610T090000\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:utc\nDTSTART;TZID=UTC:20260610T090000\nEND:VEVENT\n",
     "eastern/20260110T140000Z 2026-01-10T14:00:00Z 2026-01-10T14:00:00Z\n"
     "evolution/20260610T140000Z 2026-06-10T14:00:00Z 2026-06-10T14:00:00Z\n"
     "tokyo/20260610T000000Z 2026-06-10T00:00:00Z 2026-06-10T00:00:00Z\n"
     "utc/20260610T090000Z 2026-06-10T09:00:00Z 2026-06-10T09:00:00Z\n"
     "vtz/20260610T040000Z 2026-06-10T04:00:00Z 2026-06-10T04:00:00Z\n"
     "weurope/20260710T070000Z 2026-07-10T07:00:00Z 2026-07-10T07:00:00Z",
     0},
    {"floating times and dates are the user's", "America/New_York", NULL, NULL,
     "BEGIN:VEVENT\nUID:float\nDTSTART:20260710T090000\nDTEND:20260710T100000\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:day\nDTSTART;VALUE=DATE:20260711\nEND:VEVENT\n",
     "day/20260711 2026-07-11T04:00:00Z 2026-07-12T04:00:00Z all-day\n"
     "float/20260710T130000Z 2026-07-10T13:00:00Z 2026-07-10T14:00:00Z",
     0},
    {"all-day: one day, across the DST change, without DTEND, weekly", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:one\nDTSTART;VALUE=DATE:20260301\nDTEND;VALUE=DATE:20260302\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:trip\nDTSTART;VALUE=DATE:20260327\nDTEND;VALUE=DATE:20260330\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:noend\nDTSTART;VALUE=DATE:20260601\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:wk\nDTSTART;VALUE=DATE:20260105\nDTEND;VALUE=DATE:20260106\n"
     "RRULE:FREQ=WEEKLY;COUNT=3\nEXDATE;VALUE=DATE:20260112\nEND:VEVENT\n",
     "noend/20260601 2026-05-31T22:00:00Z 2026-06-01T22:00:00Z all-day\n"
     "one/20260301 2026-02-28T23:00:00Z 2026-03-01T23:00:00Z all-day\n"
     "trip/20260327 2026-03-26T23:00:00Z 2026-03-29T22:00:00Z all-day\n"
     "wk/20260105 2026-01-04T23:00:00Z 2026-01-05T23:00:00Z all-day\n"
     "wk/20260119 2026-01-18T23:00:00Z 2026-01-19T23:00:00Z all-day",
     0},
    /* P1D is a calendar day (23 hours that night); PT24H is 24 hours. */
    {"DURATION: nominal days, exact hours", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:p1d\nDTSTART;TZID=Europe/Berlin:20260328T180000\nDURATION:P1D\n"
     "RRULE:FREQ=DAILY;COUNT=2\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:pt24h\nDTSTART;TZID=Europe/Berlin:20260328T180000\nDURATION:PT24H\n"
     "END:VEVENT\n"
     "BEGIN:VEVENT\nUID:pt90m\nDTSTART:20260105T100000Z\nDURATION:PT1H30M\nEND:VEVENT\n",
     "p1d/20260328T170000Z 2026-03-28T17:00:00Z 2026-03-29T16:00:00Z\n"
     "p1d/20260329T160000Z 2026-03-29T16:00:00Z 2026-03-30T16:00:00Z\n"
     "pt24h/20260328T170000Z 2026-03-28T17:00:00Z 2026-03-29T17:00:00Z\n"
     "pt90m/20260105T100000Z 2026-01-05T10:00:00Z 2026-01-05T11:30:00Z",
     0},
    /* DTEND - DTSTART is exact (RFC 5545 3.8.5.3): five hours every night. */
    {"across midnight and the DST night", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:night\nDTSTART;TZID=Europe/Berlin:20260327T230000\n"
     "DTEND;TZID=Europe/Berlin:20260328T040000\nRRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n",
     "night/20260327T220000Z 2026-03-27T22:00:00Z 2026-03-28T03:00:00Z\n"
     "night/20260328T220000Z 2026-03-28T22:00:00Z 2026-03-29T03:00:00Z\n"
     "night/20260329T210000Z 2026-03-29T21:00:00Z 2026-03-30T02:00:00Z",
     0},
    /* RFC 5545 3.3.5: the offset before a gap, the first of two readings. */
    {"local times in the DST gap and overlap; no drift after the gap", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:gap\nDTSTART;TZID=Europe/Berlin:20260329T023000\n"
     "DTEND;TZID=Europe/Berlin:20260329T043000\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:overlap\nDTSTART;TZID=Europe/Berlin:20261025T023000\n"
     "DTEND;TZID=Europe/Berlin:20261025T033000\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:daily\nDTSTART;TZID=Europe/Berlin:20260328T023000\n"
     "DTEND;TZID=Europe/Berlin:20260328T030000\nRRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n",
     "daily/20260328T013000Z 2026-03-28T01:30:00Z 2026-03-28T02:00:00Z\n"
     "daily/20260329T013000Z 2026-03-29T01:30:00Z 2026-03-29T02:00:00Z\n"
     "daily/20260330T003000Z 2026-03-30T00:30:00Z 2026-03-30T01:00:00Z\n"
     "gap/20260329T013000Z 2026-03-29T01:30:00Z 2026-03-29T02:30:00Z\n"
     "overlap/20261025T003000Z 2026-10-25T00:30:00Z 2026-10-25T02:30:00Z",
     0},
    /* 10:00 in New York is 16:00 in Berlin, but 15:00 from 8 to 29 March. */
    {"a New York meeting seen from Berlin", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:ny\nDTSTART;TZID=America/New_York:20260303T100000\n"
     "DTEND;TZID=America/New_York:20260303T104500\nRRULE:FREQ=WEEKLY;COUNT=5\nEND:VEVENT\n",
     "ny/20260303T150000Z 2026-03-03T15:00:00Z 2026-03-03T15:45:00Z\n"
     "ny/20260310T140000Z 2026-03-10T14:00:00Z 2026-03-10T14:45:00Z\n"
     "ny/20260317T140000Z 2026-03-17T14:00:00Z 2026-03-17T14:45:00Z\n"
     "ny/20260324T140000Z 2026-03-24T14:00:00Z 2026-03-24T14:45:00Z\n"
     "ny/20260331T140000Z 2026-03-31T14:00:00Z 2026-03-31T14:45:00Z",
     0},
    {"two copies of one event: the higher SEQUENCE wins", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:dup\nSEQUENCE:2\nDTSTART:20260105T110000Z\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:dup\nSEQUENCE:1\nDTSTART:20260105T100000Z\nEND:VEVENT\n",
     "dup/20260105T110000Z 2026-01-05T11:00:00Z 2026-01-05T11:00:00Z", 0},
    {"window edges: overlapping in, touching out", NULL, "2026-05-01T00:00:00Z",
     "2026-05-02T00:00:00Z",
     "BEGIN:VEVENT\nUID:before\nDTSTART:20260430T230000Z\nDTEND:20260501T010000Z\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:ends-at-from\nDTSTART:20260430T230000Z\nDTEND:20260501T000000Z\n"
     "END:VEVENT\n"
     "BEGIN:VEVENT\nUID:zero-at-from\nDTSTART:20260501T000000Z\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:at-to\nDTSTART:20260502T000000Z\nDTEND:20260502T010000Z\nEND:VEVENT\n",
     "before/20260430T230000Z 2026-04-30T23:00:00Z 2026-05-01T01:00:00Z\n"
     "zero-at-from/20260501T000000Z 2026-05-01T00:00:00Z 2026-05-01T00:00:00Z",
     0},
    {"skipped: no UID, no DTSTART, bad date, bad RRULE; the rest is read", NULL, NULL, NULL,
     "BEGIN:VEVENT\nDTSTART:20260105T100000Z\nSUMMARY:no uid\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:nostart\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:baddate\nDTSTART:2026XX05T100000Z\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:badfeb\nDTSTART:20260230T100000Z\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:badrule\nDTSTART:20260105T100000Z\nRRULE:FREQ=SOMETIMES\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:good\nDTSTART:20260106T100000Z\nEND:VEVENT\n",
     "good/20260106T100000Z 2026-01-06T10:00:00Z 2026-01-06T10:00:00Z", 5},
    /* libical trims blanks before the ':' of a name: "END :STANDARD" ends a component. */
    {"blanks before the colon", NULL, NULL, NULL,
     "BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\n"
     "TZOFFSETTO:+0100\nEND :STANDARD\nEND:VTIMEZONE\n"
     "BEGIN:VEVENT\nUID:a\nDTSTART;TZID=X:20260105T100000\nEND :VEVENT\n"
     "BEGIN\t:VEVENT\nUID:b\nDTSTART :20260106T100000Z\nEND:VEVENT\n",
     "a/20260105T090000Z 2026-01-05T09:00:00Z 2026-01-05T09:00:00Z\n"
     "b/20260106T100000Z 2026-01-06T10:00:00Z 2026-01-06T10:00:00Z",
     0},
    {"unterminated components are skipped, not the calendar", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:open\nDTSTART:20260105T100000Z\n"
     "BEGIN:VEVENT\nUID:closed\nDTSTART:20260106T100000Z\nBEGIN:VALARM\nACTION:DISPLAY\n"
     "END:VEVENT\nEND:VTODO\n"
     "BEGIN:VEVENT\nUID:last\nDTSTART:20260107T100000Z\nEND:VEVENT\n",
     "closed/20260106T100000Z 2026-01-06T10:00:00Z 2026-01-06T10:00:00Z\n"
     "last/20260107T100000Z 2026-01-07T10:00:00Z 2026-01-07T10:00:00Z",
     1},
    /* A component gleaner does not read runs on inside the open event; a zone ends them both. */
    {"an event left open before a to-do and a time zone", NULL, NULL, NULL,
     "BEGIN:VEVENT\nUID:open\nDTSTART:20260105T100000Z\n"
     "BEGIN:VTODO\nUID:task\nDTSTART:20260105T120000Z\nSUMMARY:a to-do\nEND:VTODO\n"
     "BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\n"
     "TZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n"
     "BEGIN:VEVENT\nUID:after\nDTSTART;TZID=X:20260106T100000\nEND:VEVENT\n",
     "after/20260106T090000Z 2026-01-06T09:00:00Z 2026-01-06T09:00:00Z", 1},
};

static void expands_every_case(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const expand_case *c = &cases[i];
        gl_ical_options o = options(c->tz, c->from, c->to);
        gl_ical_stats stats;
        got g;
        char *have;

        memset(&g, 0, sizeof(g));
        if (parse(&g, c->events, &o, &stats) != GL_OK)
            fail_msg("%s: %s", c->name, gl_error_last());
        have = joined(&g);
        if (strcmp(have, c->want) != 0)
            fail_msg("%s:\nwant:\n%s\nhave:\n%s\n(%s)", c->name, c->want, have, stats.problem);
        if (stats.skipped != c->skipped)
            fail_msg("%s: skipped %zu, want %zu (%s)", c->name, stats.skipped, c->skipped,
                     stats.problem);
        assert_int_equal(stats.occurrences, g.n);
        free(have);
        got_free(&g);
    }
}

/* -------------------------------------------------------------- facts */

static void reads_the_facts_of_each_occurrence(void **state)
{
    gl_ical_options o = options(NULL, NULL, NULL);
    gl_ical_stats stats;
    got g;
    (void)state;

    memset(&g, 0, sizeof(g));
    gl_assert_ok(parse(&g,
                       "BEGIN:VEVENT\nUID:f1\nDTSTART:20260105T100000Z\nSUMMARY:Planning\n"
                       "ORGANIZER;CN=Bob:MAILTO:Bob@Acme.COM\n"
                       "ATTENDEE;PARTSTAT=DECLINED;CN=Ada:mailto:ADA@Example.com\n"
                       "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@acme.com\n"
                       "ATTENDEE:mailto:carol@Globex.example\n"
                       "ATTENDEE;PARTSTAT=TENTATIVE:mailto:dave@acme.com\n"
                       "ATTENDEE:mailto:bob@acme.com\n"
                       "ATTENDEE;CUTYPE=ROOM:mailto:room-1@acme.com\n"
                       "STATUS:TENTATIVE\nTRANSP:TRANSPARENT\nEND:VEVENT\n",
                       &o, &stats));
    assert_int_equal(g.n, 1);
    assert_string_equal(g.title, "Planning");
    assert_string_equal(g.organizer, "bob@acme.com");
    assert_false(g.last.user_is_organizer);
    assert_int_equal(g.last.partstat, GL_PARTSTAT_DECLINED);
    assert_int_equal(g.last.n_attendees, 3); /* bob once, carol, dave; not the room */
    assert_string_equal(g.domains, "acme.com globex.example");
    assert_string_equal(g.people, "bob@acme.com carol@globex.example dave@acme.com");
    assert_true(g.last.tentative);
    assert_true(g.last.transparent);
    assert_false(g.last.cancelled);
    assert_false(g.last.recurring);
    assert_false(g.last.all_day);
    assert_int_equal(g.last.type, GL_MEETING_DEFAULT);
    got_free(&g);

    /* The user organises; a second identity; no PARTSTAT means not answered. */
    gl_assert_ok(parse(&g,
                       "BEGIN:VEVENT\nUID:f2\nDTSTART:20260105T100000Z\n"
                       "ORGANIZER:mailto:ada.lovelace@example.org\n"
                       "ATTENDEE:mailto:Ada.Lovelace@Example.org\n"
                       "ATTENDEE:mailto:x@y.example\nRRULE:FREQ=DAILY;COUNT=1\n"
                       "X-MICROSOFT-CDO-BUSYSTATUS:OOF\nEND:VEVENT\n",
                       &o, &stats));
    assert_int_equal(g.n, 1);
    assert_string_equal(g.title, "");
    assert_true(g.last.user_is_organizer);
    assert_int_equal(g.last.partstat, GL_PARTSTAT_NEEDS_ACTION);
    assert_int_equal(g.last.n_attendees, 1);
    assert_true(g.last.recurring);
    assert_int_equal(g.last.type, GL_MEETING_OUT_OF_OFFICE);
    got_free(&g);

    /* Not invited: no PARTSTAT; an organiser that is not an email. */
    gl_assert_ok(parse(&g,
                       "BEGIN:VEVENT\nUID:f3\nDTSTART:20260105T100000Z\n"
                       "ORGANIZER:urn:uuid:1234\nATTENDEE;PARTSTAT=DELEGATED:mailto:z@z.example\n"
                       "END:VEVENT\n",
                       &o, &stats));
    assert_int_equal(g.last.partstat, GL_PARTSTAT_NONE);
    assert_string_equal(g.organizer, "(null)");
    got_free(&g);
}

static void an_override_has_its_own_facts(void **state)
{
    gl_ical_options o = options(NULL, NULL, NULL);
    gl_ical_stats stats;
    got g;
    (void)state;

    memset(&g, 0, sizeof(g));
    gl_assert_ok(parse(&g,
                       "BEGIN:VEVENT\nUID:s\nDTSTART:20260105T100000Z\nRRULE:FREQ=DAILY;COUNT=2\n"
                       "SUMMARY:Standup\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ada@example.com\n"
                       "END:VEVENT\n"
                       "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20260106T100000Z\n"
                       "DTSTART:20260106T110000Z\nSUMMARY:Standup (demo day)\n"
                       "ATTENDEE;PARTSTAT=DECLINED:mailto:ada@example.com\nEND:VEVENT\n",
                       &o, &stats));
    assert_int_equal(g.n, 2);
    assert_int_equal(stats.events, 1);
    /* The override is reported after its series. */
    assert_string_equal(g.title, "Standup (demo day)");
    assert_int_equal(g.last.partstat, GL_PARTSTAT_DECLINED);
    assert_true(g.last.recurring);
    assert_string_equal(g.uid, "s");
    got_free(&g);
}

/* ---------------------------------------------------------- bad input */

static void refuses_what_is_not_a_calendar(void **state)
{
    gl_ical_options o = options(NULL, NULL, NULL);
    const char *html = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head></html>\n";
    const char *json = "{\"error\": \"not found\"}";
    got g;
    (void)state;

    memset(&g, 0, sizeof(g));
    assert_int_equal(gl_ical_parse(html, strlen(html), "work", &o, on_meeting, &g, NULL),
                     GL_EBADDATA);
    assert_non_null(strstr(gl_error_last(), "calendar work is not an iCalendar file"));
    assert_non_null(strstr(gl_error_last(), "it starts with \"<!DOCTYPE html>"));
    assert_int_equal(gl_ical_parse(json, strlen(json), "work", &o, on_meeting, &g, NULL),
                     GL_EBADDATA);
    assert_int_equal(gl_ical_parse(" \r\n", 3, "work", &o, on_meeting, &g, NULL), GL_EBADDATA);
    assert_non_null(strstr(gl_error_last(), "calendar work is empty"));
    assert_int_equal(g.n, 0);
}

static void survives_junk_nul_bytes_bom_and_cr_line_ends(void **state)
{
    gl_ical_options o = options(NULL, NULL, NULL);
    gl_ical_stats stats;
    char text[600];
    size_t n = 0;
    got g;
    (void)state;

    memset(&g, 0, sizeof(g));
    /* A BOM, CR-only line ends, binary junk with NULs between two events. */
    n += (size_t)snprintf(text, sizeof(text),
                          "\xEF\xBB\xBF"
                          "BEGIN:VCALENDAR\rBEGIN:VEVENT\rUID:a\rDTSTART:20260105T100000Z\r"
                          "END:VEVENT\r");
    text[n++] = 'X'; /* not a blank: that would fold the junk into END:VEVENT */
    for (int i = 0; i < 64; i++)
        text[n++] = (char)((i * 37) & 0xff); /* NULs, controls, bytes over 0x7f */
    n += (size_t)snprintf(text + n, sizeof(text) - n,
                          "\rBEGIN:VEVENT\rUID:b\rDTSTART:20260106T100000Z\rEND:VEVENT\r"
                          "END:VCALENDAR\r");
    gl_assert_ok(gl_ical_parse(text, n, "junk", &o, on_meeting, &g, &stats));
    assert_int_equal(g.n, 2);
    got_free(&g);
}

static void too_big_is_refused_with_the_size(void **state)
{
    gl_ical_options o = options(NULL, NULL, NULL);
    char *dir = gl_test_tmpdir();
    const char *path = gl_test_path(dir, "huge.ics");
    int fd;
    (void)state;

    fd = open(path, O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)50 * 1024 * 1024), 0); /* sparse, 50 MiB */
    close(fd);
    assert_int_equal(gl_ical_read_file(path, &o, on_meeting, NULL, NULL), GL_ETOOBIG);
    assert_non_null(strstr(gl_error_last(), "is 50.0 MiB, over gleaner's limit of 32 MiB"));
    assert_int_equal(
        gl_ical_read_file(gl_test_path(dir, "missing.ics"), &o, on_meeting, NULL, NULL),
        GL_ENOTFOUND);
    assert_non_null(strstr(gl_error_last(), "missing.ics does not exist"));
    gl_test_rmrf(dir);
    free(dir);
}

static int count_only(void *payload, const gl_meeting *m)
{
    (void)m;
    (*(size_t *)payload)++;
    return 0;
}

static void pathological_rules_are_capped_and_counted(void **state)
{
    gl_ical_options o = options(NULL, "2026-01-05T00:00:00Z", "2026-01-07T00:00:00Z");
    gl_ical_stats stats;
    size_t n = 0;
    char *text = calendar("BEGIN:VEVENT\nUID:sec\nDTSTART:20260105T000000Z\nRRULE:FREQ=SECONDLY\n"
                          "END:VEVENT\n"
                          "BEGIN:VEVENT\nUID:min\nDTSTART:20260105T000000Z\n"
                          "RRULE:FREQ=MINUTELY;BYHOUR=3\nEND:VEVENT\n"
                          "BEGIN:VEVENT\nUID:feb30\nDTSTART:20260105T000000Z\n"
                          "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\n"
                          "BEGIN:VEVENT\nUID:old\nDTSTART:19000105T000000Z\n"
                          "RRULE:FREQ=HOURLY\nEND:VEVENT\n"
                          "BEGIN:VEVENT\nUID:fine\nDTSTART:20260105T090000Z\n"
                          "RRULE:FREQ=DAILY\nEND:VEVENT\n");
    (void)state;

    gl_assert_ok(gl_ical_parse(text, strlen(text), "p", &o, count_only, &n, &stats));
    /* SECONDLY stops at the cap; the other three are refused; "fine" is read. */
    assert_int_equal(stats.skipped, 4);
    assert_int_equal(n, GL_ICAL_MAX_SERIES_OCCURRENCES + 2);
    assert_non_null(strstr(stats.problem, "event sec repeats too often"));
    free(text);
}

static void nesting_without_end_is_bounded(void **state)
{
    gl_ical_options o = options(NULL, NULL, NULL);
    gl_ical_stats stats;
    gl_buf b = GL_BUF_INIT(0);
    size_t n = 0;
    (void)state;

    assert_int_equal(gl_buf_puts(&b, "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:ok\n"
                                     "DTSTART:20260105T100000Z\nEND:VEVENT\n"),
                     0);
    for (int i = 0; i < 20000; i++)
        assert_int_equal(gl_buf_printf(&b, "BEGIN:X-DEEP-%d\n", i), 0);
    gl_assert_ok(gl_ical_parse(b.ptr, b.len, "deep", &o, count_only, &n, &stats));
    assert_int_equal(n, 1);
    assert_true(stats.skipped >= 1);
    gl_buf_dispose(&b);
}

static void the_callback_can_stop_the_reader(void **state)
{
    gl_ical_options o = options(NULL, NULL, NULL);
    got g;
    (void)state;

    memset(&g, 0, sizeof(g));
    g.stop_with = gl_error_set(GL_ESTORE, "store is full");
    assert_int_equal(parse(&g,
                           "BEGIN:VEVENT\nUID:a\nDTSTART:20260105T100000Z\n"
                           "RRULE:FREQ=DAILY;COUNT=5\nEND:VEVENT\n",
                           &o, NULL),
                     GL_ESTORE);
    assert_int_equal(g.n, 1);
    assert_string_equal(gl_error_last(), "store is full");
    got_free(&g);
}

static void zones_gleaner_does_not_know(void **state)
{
    gl_ical_options o = options("Mars/Olympus_Mons", NULL, NULL);
    gl_ical_stats stats;
    got g;
    char *have;
    (void)state;

    memset(&g, 0, sizeof(g));
    assert_int_equal(
        parse(&g, "BEGIN:VEVENT\nUID:a\nDTSTART:20260105T100000Z\nEND:VEVENT\n", &o, NULL),
        GL_ECONFIG);
    assert_non_null(strstr(gl_error_last(), "unknown time zone 'Mars/Olympus_Mons'"));

    /* An unknown TZID is read in the user's zone and reported; a path is never opened. */
    o = options(NULL, NULL, NULL);
    gl_assert_ok(parse(&g,
                       "BEGIN:VEVENT\nUID:mars\nDTSTART;TZID=Mars/Olympus_Mons:20260610T090000\n"
                       "END:VEVENT\n"
                       "BEGIN:VEVENT\nUID:escape\nDTSTART;TZID=../../../../../dev/zero:"
                       "20260610T090000\nEND:VEVENT\n",
                       &o, &stats));
    have = joined(&g);
    assert_string_equal(have, "escape/20260610T070000Z 2026-06-10T07:00:00Z 2026-06-10T07:00:00Z\n"
                              "mars/20260610T070000Z 2026-06-10T07:00:00Z 2026-06-10T07:00:00Z");
    assert_int_equal(stats.unknown_zones, 2);
    assert_string_equal(stats.unknown_zone, "Mars/Olympus_Mons");
    free(have);
    got_free(&g);
}

/* --------------------------------------------------------------- feeds */

typedef struct fixture {
    gl_test_fake fake;
    gl_clock_fake *clock;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    gl_test_fake_start(&f->fake);
    gl_clock_fake_new(&f->clock, 1763700000000LL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gl_test_fake_stop(&f->fake);
    gl_clock_fake_free(f->clock);
    free(f);
    return 0;
}

/* A canned answer: `body` (JSON-escaped by the caller) and extra headers. */
static void serve(fixture *f, const char *path, int status, const char *body, const char *headers)
{
    char spec[2048];
    snprintf(spec, sizeof(spec),
             "{\"method\":\"GET\",\"path\":\"%s\",\"status\":%d,\"body\":\"%s\",\"headers\":%s}",
             path, status, body, headers ? headers : "{}");
    gl_test_fake_control(&f->fake, "static", spec);
}

#define FEED_ICS                                                                          \
    "BEGIN:VCALENDAR\\r\\nBEGIN:VEVENT\\r\\nUID:feed\\r\\nDTSTART:20260105T100000Z\\r\\n" \
    "END:VEVENT\\r\\nEND:VCALENDAR\\r\\n"

static char *feed_url(fixture *f, const char *scheme, const char *path)
{
    return gl_strdupf("%s://127.0.0.1:%d%s", scheme, f->fake.port, path);
}

static void fetch_reads_the_feed_and_its_validators(void **state)
{
    fixture *f = *state;
    gl_ical_feed feed;
    gl_ical_options o = options(NULL, NULL, NULL);
    char *url = feed_url(f, "http", "/cal/basic.ics?token=s3cret");
    size_t n = 0;

    serve(f, "/cal/basic.ics", 200, FEED_ICS,
          "{\"ETag\":\"\\\"v1\\\"\",\"Last-Modified\":\"Mon, 05 Jan 2026 10:00:00 GMT\","
          "\"Content-Type\":\"text/calendar; charset=utf-8\"}");
    gl_assert_ok(gl_ical_fetch(url, NULL, NULL, gl_clock_fake_clock(f->clock), &feed));
    assert_false(feed.not_modified);
    assert_non_null(feed.body);
    assert_string_equal(feed.etag, "\"v1\"");
    assert_string_equal(feed.last_modified, "Mon, 05 Jan 2026 10:00:00 GMT");
    gl_assert_ok(gl_ical_parse(feed.body, feed.body_len, "feed", &o, count_only, &n, NULL));
    assert_int_equal(n, 1);
    gl_ical_feed_clear(&feed);
    gl_ical_feed_clear(&feed); /* twice is harmless */
    free(url);
}

static void fetch_sends_validators_and_reads_304(void **state)
{
    fixture *f = *state;
    gl_ical_feed feed;
    char *url = feed_url(f, "http", "/cal.ics");
    json_object *reqs, *headers;

    serve(f, "/cal.ics", 304, "", "{\"ETag\":\"\\\"v1\\\"\"}");
    gl_assert_ok(gl_ical_fetch(url, "\"v1\"", "Mon, 05 Jan 2026 10:00:00 GMT",
                               gl_clock_fake_clock(f->clock), &feed));
    assert_true(feed.not_modified);
    assert_null(feed.body);
    assert_string_equal(feed.etag, "\"v1\"");
    reqs = gl_test_fake_requests(&f->fake);
    assert_int_equal(json_object_array_length(reqs), 1);
    headers = gl_json_object(json_object_array_get_idx(reqs, 0), "headers");
    assert_string_equal(gl_json_str(headers, "If-None-Match"), "\"v1\"");
    assert_string_equal(gl_json_str(headers, "If-Modified-Since"), "Mon, 05 Jan 2026 10:00:00 GMT");
    json_object_put(reqs);
    gl_ical_feed_clear(&feed);
    free(url);
}

static void fetch_errors_say_what_came_back(void **state)
{
    fixture *f = *state;
    gl_ical_feed feed;
    char *url = feed_url(f, "http", "/login?token=s3cret");
    char *json_url = feed_url(f, "http", "/api.ics");
    char *broken = feed_url(f, "http", "/broken.ics");

    serve(f, "/login", 200, "<!DOCTYPE html><html><body>Sign in</body></html>",
          "{\"Content-Type\":\"text/html; charset=utf-8\"}");
    assert_int_equal(gl_ical_fetch(url, NULL, NULL, gl_clock_fake_clock(f->clock), &feed),
                     GL_EBADDATA);
    assert_non_null(strstr(gl_error_last(), "answered with a web page, not a calendar"));
    assert_null(strstr(gl_error_last(), "s3cret"));
    assert_null(feed.body);

    serve(f, "/api.ics", 200, "{\\\"error\\\":\\\"gone\\\"}",
          "{\"Content-Type\":\"application/json\"}");
    assert_int_equal(gl_ical_fetch(json_url, NULL, NULL, gl_clock_fake_clock(f->clock), &feed),
                     GL_EBADDATA);
    assert_non_null(strstr(gl_error_last(), "is not an iCalendar file (it starts with \"{"));

    gl_test_fake_control(
        &f->fake, "fault",
        "{\"kind\":\"status\",\"status\":500,\"count\":10,\"path\":\"/broken.ics\"}");
    assert_int_equal(gl_ical_fetch(broken, NULL, NULL, gl_clock_fake_clock(f->clock), &feed),
                     GL_EREMOTE);
    assert_non_null(strstr(gl_error_last(), "HTTP 500"));
    assert_non_null(strstr(gl_error_last(), "/broken.ics"));
    gl_ical_feed_clear(&feed);
    free(url);
    free(json_url);
    free(broken);
}

static void fetch_follows_redirects_and_reads_webcal_as_https(void **state)
{
    fixture *f = *state;
    gl_ical_feed feed;
    char *url = feed_url(f, "http", "/old.ics");
    char *webcal = feed_url(f, "webcal", "/cal.ics");
    char location[128];

    snprintf(location, sizeof(location), "{\"Location\":\"http://127.0.0.1:%d/new.ics\"}",
             f->fake.port);
    serve(f, "/old.ics", 301, "", location);
    serve(f, "/new.ics", 200, FEED_ICS, NULL);
    gl_assert_ok(gl_ical_fetch(url, NULL, NULL, gl_clock_fake_clock(f->clock), &feed));
    assert_non_null(strstr(feed.body, "UID:feed"));
    gl_ical_feed_clear(&feed);

    /* webcal:// is https://: the plain-HTTP fake cannot answer a TLS hello. */
    assert_int_not_equal(gl_ical_fetch(webcal, NULL, NULL, gl_clock_fake_clock(f->clock), &feed),
                         GL_OK);
    assert_non_null(strstr(gl_error_last(), "https://127.0.0.1"));
    assert_null(feed.body);
    free(url);
    free(webcal);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(expands_every_case),
        cmocka_unit_test(reads_the_facts_of_each_occurrence),
        cmocka_unit_test(an_override_has_its_own_facts),
        cmocka_unit_test(refuses_what_is_not_a_calendar),
        cmocka_unit_test(survives_junk_nul_bytes_bom_and_cr_line_ends),
        cmocka_unit_test(too_big_is_refused_with_the_size),
        cmocka_unit_test(pathological_rules_are_capped_and_counted),
        cmocka_unit_test(nesting_without_end_is_bounded),
        cmocka_unit_test(the_callback_can_stop_the_reader),
        cmocka_unit_test(zones_gleaner_does_not_know),
        T(fetch_reads_the_feed_and_its_validators),
        T(fetch_sends_validators_and_reads_304),
        T(fetch_errors_say_what_came_back),
        T(fetch_follows_redirects_and_reads_webcal_as_https),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
