/*
 * ical.c - .ics calendars through libical: structure repair, zones,
 * recurrence sets, overrides, and the facts of each occurrence.
 *
 * libical parses and expands; this file decides what RFC 5545 leaves to the
 * reader (see ical.h) and keeps one bad component from costing the rest.
 * libical 3.0's conveniences are not used where they fall short:
 * icalcomponent_foreach_recurrence reads floating and all-day times as UTC,
 * skips RDATE periods and fast-forwards rules with
 * icalrecur_iterator_set_start, which misplaces INTERVAL>1 weekly and
 * sub-daily series; icalproperty_get_datetime_with_component opens any TZID
 * as a path under the zoneinfo directory; icaltime_as_timet_with_zone reads
 * DST gaps and overlaps against RFC 5545; and the rule iterator, built with
 * ICU, shifts every occurrence after a DST gap unless it runs on the wall
 * clock.
 */
#include "ical.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libical/ical.h>

#include "connectors/http.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

#define DAY 86400
/* No UTC offset is larger than a day (+14:00 is the largest in use). */
#define SLACK (2 * DAY)
/* VCALENDAR > VEVENT > VALARM is 3; deeper nesting is junk. */
#define MAX_DEPTH 8
/* Rule steps one calendar may spend in all; past it, series are skipped. */
#define MAX_CALENDAR_STEPS (5 * 1000 * 1000)
#define MARK_UNTERMINATED  "X-GLEANER-UNTERMINATED"

/* ------------------------------------------------------------ hash maps */

/* Open addressing on (string, integer) keys: UIDs, overrides, zones. */
typedef struct bucket {
    const char *str; /* NULL: empty */
    int64_t num;
    uint64_t hash;
    size_t value;
} bucket;

typedef struct map {
    bucket *slots;
    size_t cap, len; /* cap is a power of two */
} map;

static uint64_t key_hash(const char *s, int64_t num)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h ^= (uint64_t)num * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}

static bucket *map_slot(const map *m, const char *s, int64_t num, uint64_t h)
{
    size_t i = (size_t)h & (m->cap - 1);
    for (;; i = (i + 1) & (m->cap - 1)) {
        bucket *sl = &m->slots[i];
        if (!sl->str || (sl->hash == h && sl->num == num && strcmp(sl->str, s) == 0))
            return sl;
    }
}

static bool map_get(const map *m, const char *s, int64_t num, size_t *value)
{
    bucket *sl;
    if (!m->cap)
        return false;
    sl = map_slot(m, s, num, key_hash(s, num));
    if (!sl->str)
        return false;
    *value = sl->value;
    return true;
}

/* Insert or replace; `s` is borrowed and must outlive the map. */
static int map_put(map *m, const char *s, int64_t num, size_t value)
{
    uint64_t h = key_hash(s, num);
    bucket *sl;

    if ((m->len + 1) * 2 > m->cap) {
        map bigger = {NULL, m->cap ? m->cap * 2 : 64, 0};
        if (!(bigger.slots = calloc(bigger.cap, sizeof(bucket))))
            return gl_error_set(GL_ENOMEM, "out of memory");
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].str) {
                *map_slot(&bigger, m->slots[i].str, m->slots[i].num, m->slots[i].hash) =
                    m->slots[i];
                bigger.len++;
            }
        free(m->slots);
        *m = bigger;
    }
    sl = map_slot(m, s, num, h);
    if (!sl->str)
        m->len++;
    sl->str = s;
    sl->num = num;
    sl->hash = h;
    sl->value = value;
    return GL_OK;
}

static void map_free(map *m)
{
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

/* A growable array of `size`-byte items. */
typedef struct vec {
    void *items;
    size_t len, cap, size;
} vec;

static void *vec_push(vec *v)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        void *items = realloc(v->items, cap * v->size);
        if (!items)
            return NULL;
        v->items = items;
        v->cap = cap;
    }
    return (char *)v->items + v->size * v->len++;
}

#define VEC_AT(v, type, i) (((type *)(v).items)[i])

/* ----------------------------------------------------------------- time */

/* Seconds since the epoch of a civil time read as if it were UTC. */
static int64_t wall_of(const struct icaltimetype *t)
{
    return gl_days_from_civil(t->year, t->month, t->day) * DAY + t->hour * 3600 + t->minute * 60 +
           t->second;
}

static int64_t day_of(const struct icaltimetype *t)
{
    return gl_days_from_civil(t->year, t->month, t->day);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The civil time of `wall` seconds (no zone). */
static struct icaltimetype wall_time(int64_t wall)
{
    struct icaltimetype t = icaltime_null_time();
    int64_t days = floor_div(wall, DAY), secs = wall - days * DAY;

    gl_civil_from_days(days, &t.year, &t.month, &t.day);
    t.hour = (int)(secs / 3600);
    t.minute = (int)(secs / 60 % 60);
    t.second = (int)(secs % 60);
    return t;
}

/* The UTC offset (seconds east) of `zone` at the instant `utc`. */
static int offset_at(icaltimezone *zone, int64_t utc)
{
    struct icaltimetype t = wall_time(utc);
    int is_dst = 0;

    if (!zone)
        return 0;
    return icaltimezone_get_utc_offset_of_utc_time(zone, &t, &is_dst);
}

/*
 * The instant of local wall time `wall` in `zone`.  libical's own
 * conversion reads a repeated hour as standard time and a skipped one with
 * the new offset; RFC 5545 3.3.5 wants the first occurrence and the offset
 * before the gap, as util/tz.c does for the rest of gleaner.
 */
static int64_t local_to_utc(icaltimezone *zone, int64_t wall)
{
    int before, after;
    int64_t early, late;

    if (!zone || zone == icaltimezone_get_utc_timezone())
        return wall;
    before = offset_at(zone, wall - DAY);
    after = offset_at(zone, wall + DAY);
    if (before == after && offset_at(zone, wall - before) == before)
        return wall - before;
    early = wall - (before > after ? before : after);
    late = wall - (before > after ? after : before);
    if (offset_at(zone, early) == wall - early)
        return early;
    if (offset_at(zone, late) == wall - late)
        return late;
    return wall - before; /* in a gap: the offset before it */
}

static void format_utc_key(char *out, size_t len, int64_t utc)
{
    int64_t days = floor_div(utc, DAY), secs = utc - days * DAY;
    int y, m, d;

    gl_civil_from_days(days, &y, &m, &d);
    snprintf(out, len, "%04d%02d%02dT%02d%02d%02dZ", y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
}

static void format_day_key(char *out, size_t len, int64_t day)
{
    int y, m, d;
    gl_civil_from_days(day, &y, &m, &d);
    snprintf(out, len, "%04d%02d%02d", y, m, d);
}

/* ---------------------------------------------------------------- zones */

/*
 * Windows zone names as Outlook and Exchange write them, to IANA: CLDR
 * common/supplemental/windowsZones.xml, territory "001" (the zone Windows
 * means when no country is known), with current IANA names.
 */
static const char *const windows_zones[][2] = {
    {"Dateline Standard Time", "Etc/GMT+12"},
    {"UTC-11", "Etc/GMT+11"},
    {"Aleutian Standard Time", "America/Adak"},
    {"Hawaiian Standard Time", "Pacific/Honolulu"},
    {"Marquesas Standard Time", "Pacific/Marquesas"},
    {"Alaskan Standard Time", "America/Anchorage"},
    {"UTC-09", "Etc/GMT+9"},
    {"Pacific Standard Time (Mexico)", "America/Tijuana"},
    {"UTC-08", "Etc/GMT+8"},
    {"Pacific Standard Time", "America/Los_Angeles"},
    {"US Mountain Standard Time", "America/Phoenix"},
    {"Mountain Standard Time (Mexico)", "America/Mazatlan"},
    {"Mountain Standard Time", "America/Denver"},
    {"Yukon Standard Time", "America/Whitehorse"},
    {"Central America Standard Time", "America/Guatemala"},
    {"Central Standard Time", "America/Chicago"},
    {"Easter Island Standard Time", "Pacific/Easter"},
    {"Central Standard Time (Mexico)", "America/Mexico_City"},
    {"Canada Central Standard Time", "America/Regina"},
    {"SA Pacific Standard Time", "America/Bogota"},
    {"Eastern Standard Time (Mexico)", "America/Cancun"},
    {"Eastern Standard Time", "America/New_York"},
    {"Haiti Standard Time", "America/Port-au-Prince"},
    {"Cuba Standard Time", "America/Havana"},
    {"US Eastern Standard Time", "America/Indiana/Indianapolis"},
    {"Turks And Caicos Standard Time", "America/Grand_Turk"},
    {"Paraguay Standard Time", "America/Asuncion"},
    {"Atlantic Standard Time", "America/Halifax"},
    {"Venezuela Standard Time", "America/Caracas"},
    {"Central Brazilian Standard Time", "America/Cuiaba"},
    {"SA Western Standard Time", "America/La_Paz"},
    {"Pacific SA Standard Time", "America/Santiago"},
    {"Newfoundland Standard Time", "America/St_Johns"},
    {"Tocantins Standard Time", "America/Araguaina"},
    {"E. South America Standard Time", "America/Sao_Paulo"},
    {"SA Eastern Standard Time", "America/Cayenne"},
    {"Argentina Standard Time", "America/Argentina/Buenos_Aires"},
    {"Greenland Standard Time", "America/Nuuk"},
    {"Montevideo Standard Time", "America/Montevideo"},
    {"Magallanes Standard Time", "America/Punta_Arenas"},
    {"Saint Pierre Standard Time", "America/Miquelon"},
    {"Bahia Standard Time", "America/Bahia"},
    {"UTC-02", "Etc/GMT+2"},
    {"Azores Standard Time", "Atlantic/Azores"},
    {"Cape Verde Standard Time", "Atlantic/Cape_Verde"},
    {"UTC", "Etc/UTC"},
    {"GMT Standard Time", "Europe/London"},
    {"Greenwich Standard Time", "Atlantic/Reykjavik"},
    {"Sao Tome Standard Time", "Africa/Sao_Tome"},
    {"Morocco Standard Time", "Africa/Casablanca"},
    {"W. Europe Standard Time", "Europe/Berlin"},
    {"Central Europe Standard Time", "Europe/Budapest"},
    {"Romance Standard Time", "Europe/Paris"},
    {"Central European Standard Time", "Europe/Warsaw"},
    {"W. Central Africa Standard Time", "Africa/Lagos"},
    {"Jordan Standard Time", "Asia/Amman"},
    {"GTB Standard Time", "Europe/Bucharest"},
    {"Middle East Standard Time", "Asia/Beirut"},
    {"Egypt Standard Time", "Africa/Cairo"},
    {"E. Europe Standard Time", "Europe/Chisinau"},
    {"Syria Standard Time", "Asia/Damascus"},
    {"West Bank Standard Time", "Asia/Hebron"},
    {"South Africa Standard Time", "Africa/Johannesburg"},
    {"FLE Standard Time", "Europe/Kyiv"},
    {"Israel Standard Time", "Asia/Jerusalem"},
    {"South Sudan Standard Time", "Africa/Juba"},
    {"Kaliningrad Standard Time", "Europe/Kaliningrad"},
    {"Sudan Standard Time", "Africa/Khartoum"},
    {"Libya Standard Time", "Africa/Tripoli"},
    {"Namibia Standard Time", "Africa/Windhoek"},
    {"Arabic Standard Time", "Asia/Baghdad"},
    {"Turkey Standard Time", "Europe/Istanbul"},
    {"Arab Standard Time", "Asia/Riyadh"},
    {"Belarus Standard Time", "Europe/Minsk"},
    {"Russian Standard Time", "Europe/Moscow"},
    {"E. Africa Standard Time", "Africa/Nairobi"},
    {"Iran Standard Time", "Asia/Tehran"},
    {"Arabian Standard Time", "Asia/Dubai"},
    {"Astrakhan Standard Time", "Europe/Astrakhan"},
    {"Azerbaijan Standard Time", "Asia/Baku"},
    {"Russia Time Zone 3", "Europe/Samara"},
    {"Mauritius Standard Time", "Indian/Mauritius"},
    {"Saratov Standard Time", "Europe/Saratov"},
    {"Georgian Standard Time", "Asia/Tbilisi"},
    {"Volgograd Standard Time", "Europe/Volgograd"},
    {"Caucasus Standard Time", "Asia/Yerevan"},
    {"Afghanistan Standard Time", "Asia/Kabul"},
    {"West Asia Standard Time", "Asia/Tashkent"},
    {"Ekaterinburg Standard Time", "Asia/Yekaterinburg"},
    {"Pakistan Standard Time", "Asia/Karachi"},
    {"Qyzylorda Standard Time", "Asia/Qyzylorda"},
    {"India Standard Time", "Asia/Kolkata"},
    {"Sri Lanka Standard Time", "Asia/Colombo"},
    {"Nepal Standard Time", "Asia/Kathmandu"},
    {"Central Asia Standard Time", "Asia/Bishkek"},
    {"Bangladesh Standard Time", "Asia/Dhaka"},
    {"Omsk Standard Time", "Asia/Omsk"},
    {"Myanmar Standard Time", "Asia/Yangon"},
    {"SE Asia Standard Time", "Asia/Bangkok"},
    {"Altai Standard Time", "Asia/Barnaul"},
    {"W. Mongolia Standard Time", "Asia/Hovd"},
    {"North Asia Standard Time", "Asia/Krasnoyarsk"},
    {"N. Central Asia Standard Time", "Asia/Novosibirsk"},
    {"Tomsk Standard Time", "Asia/Tomsk"},
    {"China Standard Time", "Asia/Shanghai"},
    {"North Asia East Standard Time", "Asia/Irkutsk"},
    {"Singapore Standard Time", "Asia/Singapore"},
    {"W. Australia Standard Time", "Australia/Perth"},
    {"Taipei Standard Time", "Asia/Taipei"},
    {"Ulaanbaatar Standard Time", "Asia/Ulaanbaatar"},
    {"Aus Central W. Standard Time", "Australia/Eucla"},
    {"Transbaikal Standard Time", "Asia/Chita"},
    {"Tokyo Standard Time", "Asia/Tokyo"},
    {"North Korea Standard Time", "Asia/Pyongyang"},
    {"Korea Standard Time", "Asia/Seoul"},
    {"Yakutsk Standard Time", "Asia/Yakutsk"},
    {"Cen. Australia Standard Time", "Australia/Adelaide"},
    {"AUS Central Standard Time", "Australia/Darwin"},
    {"E. Australia Standard Time", "Australia/Brisbane"},
    {"AUS Eastern Standard Time", "Australia/Sydney"},
    {"West Pacific Standard Time", "Pacific/Port_Moresby"},
    {"Tasmania Standard Time", "Australia/Hobart"},
    {"Vladivostok Standard Time", "Asia/Vladivostok"},
    {"Lord Howe Standard Time", "Australia/Lord_Howe"},
    {"Bougainville Standard Time", "Pacific/Bougainville"},
    {"Russia Time Zone 10", "Asia/Srednekolymsk"},
    {"Magadan Standard Time", "Asia/Magadan"},
    {"Norfolk Standard Time", "Pacific/Norfolk"},
    {"Sakhalin Standard Time", "Asia/Sakhalin"},
    {"Central Pacific Standard Time", "Pacific/Guadalcanal"},
    {"Russia Time Zone 11", "Asia/Kamchatka"},
    {"New Zealand Standard Time", "Pacific/Auckland"},
    {"UTC+12", "Etc/GMT-12"},
    {"Fiji Standard Time", "Pacific/Fiji"},
    {"Chatham Islands Standard Time", "Pacific/Chatham"},
    {"UTC+13", "Etc/GMT-13"},
    {"Tonga Standard Time", "Pacific/Tongatapu"},
    {"Samoa Standard Time", "Pacific/Apia"},
    {"Line Islands Standard Time", "Pacific/Kiritimati"},
};

/*
 * Whether `name` may be handed to libical's zone lookup, which opens it as
 * a file under the zoneinfo directory: plain IANA-shaped names only.
 */
static bool plausible_zone_name(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > 64 || name[0] == '/' || name[0] == '-' || name[0] == '+' ||
        strstr(name, "..") || strstr(name, "//") || name[len - 1] == '/')
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
            return false;
    return true;
}

static icaltimezone *builtin_zone(const char *name)
{
    if (strcmp(name, "UTC") == 0 || strcmp(name, "GMT") == 0 || strcmp(name, "Z") == 0 ||
        strcmp(name, "Etc/UTC") == 0 || strcmp(name, "Etc/GMT") == 0)
        return icaltimezone_get_utc_timezone();
    if (!plausible_zone_name(name))
        return NULL;
    return icaltimezone_get_builtin_timezone(name);
}

/* A VTIMEZONE with at least one observance that says its offset. */
static bool vtimezone_usable(icaltimezone *zone)
{
    icalcomponent *vtz = icaltimezone_get_component(zone), *obs;

    if (!vtz)
        return false;
    for (obs = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); obs;
         obs = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
        icalcomponent_kind k = icalcomponent_isa(obs);
        if ((k == ICAL_XSTANDARD_COMPONENT || k == ICAL_XDAYLIGHT_COMPONENT) &&
            icalcomponent_get_first_property(obs, ICAL_TZOFFSETTO_PROPERTY) &&
            icalcomponent_get_first_property(obs, ICAL_DTSTART_PROPERTY))
            return true;
    }
    return false;
}

/* The zone a TZID names without a VTIMEZONE, or NULL. */
static icaltimezone *zone_by_name(const char *tzid)
{
    icaltimezone *zone;
    const char *p;

    if ((zone = builtin_zone(tzid)))
        return zone;
    for (size_t i = 0; i < sizeof(windows_zones) / sizeof(windows_zones[0]); i++)
        if (strcasecmp(tzid, windows_zones[i][0]) == 0)
            return builtin_zone(windows_zones[i][1]);
    /* "/softwarestudio.org/Tzfile/America/Chicago", "posix/Europe/Vaduz" */
    for (p = strchr(tzid, '/'); p; p = strchr(p + 1, '/'))
        if (p[1] && (zone = builtin_zone(p + 1)))
            return zone;
    return NULL;
}

/* --------------------------------------------------------------- reader */

/* An event's properties, found in one pass (the first of each kind). */
typedef struct props {
    icalproperty *dtstart, *dtend, *duration, *rid, *stamp, *sequence;
    icalproperty *summary, *status, *transp, *organizer;
    const char *uid;
    bool rrule, rdate, exdate, attendee, xlicerror, unterminated, oof;
} props;

typedef struct event {
    icalcomponent *comp, *cal;
    props p;
    const char *uid;
    bool is_override;
    bool all_day;
    int sequence;
    int64_t stamp;
    /* overrides: the recurrence id (UTC, or the day for a date) and the series */
    bool rid_is_day;
    int64_t rid;
    int64_t rid_day; /* the local date of the recurrence id */
    size_t master;   /* index + 1; 0 when the series is missing */
    size_t next;     /* index + 1 of the series' next override; 0 ends the chain */
    size_t first_override;
    bool has_day_rids;
    bool dropped; /* a superseded copy */
} event;

/* One occurrence of a series, before exceptions and overrides. */
typedef struct instance {
    int64_t start, end; /* UTC */
    int64_t day;        /* the local date of its start (all-day: the date) */
} instance;

/* The time of a property, its zone resolved. */
typedef struct when {
    struct icaltimetype t;
    icaltimezone *zone; /* NULL for a date */
    bool date;
} when;

typedef enum span_kind { SPAN_EXACT, SPAN_NOMINAL, SPAN_DAYS } span_kind;

typedef struct span {
    span_kind kind;
    int64_t secs; /* exact part */
    int64_t days; /* nominal part */
} span;

typedef struct zone_entry {
    icaltimezone *zone;
    bool guessed;
} zone_entry;

typedef struct reader {
    const char *name;
    const gl_ical_options *opts;
    gl_meeting_fn fn;
    void *payload;
    gl_ical_stats *stats;
    icaltimezone *user_zone;
    int rc; /* what the callback returned */
    size_t steps;

    vec tops;   /* icalcomponent *: the top-level components */
    vec events; /* event */
    map masters, overrides, zones;
    vec zone_entries; /* zone_entry */

    /* scratch, reused from series to series */
    vec inst;    /* instance */
    vec ex_utc;  /* int64_t */
    vec ex_days; /* int64_t */
    vec domains; /* const char * */
    vec people;  /* const char *: the attendees' addresses */
    char *text;  /* the attendees' addresses of one component, NUL after each */
    size_t text_len, text_cap;
    char *key;
    size_t key_cap;
    char organizer[320];
} reader;

typedef struct facts {
    const char *title;
    const char *organizer;
    bool user_is_organizer;
    gl_partstat partstat;
    size_t n_attendees;
    bool cancelled, tentative, transparent;
    gl_meeting_type type;
} facts;

static void note_problem(reader *r, const char *fmt, ...) GL_PRINTF(2, 3);
static void note_problem(reader *r, const char *fmt, ...)
{
    va_list ap;

    r->stats->skipped++;
    if (r->stats->problem[0])
        return;
    va_start(ap, fmt);
    vsnprintf(r->stats->problem, sizeof(r->stats->problem), fmt, ap);
    va_end(ap);
    gl_str_sanitize(r->stats->problem);
}

/* A printable, short excerpt of remote text for a message. */
static const char *excerpt(char *buf, size_t len, const char *s)
{
    gl_str_excerpt(buf, len, s ? s : "", s ? strlen(s) : 0, len > 8 ? len - 4 : len);
    return buf;
}

/* ---------------------------------------------------- structure repair */

typedef struct line_source {
    const char *pos, *end;
} line_source;

/*
 * libical's line generator: the next physical line, CRLF, LF or a lone CR
 * (Kerio) ending it, at most `size` - 1 bytes per call.  libical's own
 * looks for '\n' with strchr, which is quadratic on CR-only files.
 */
static char *next_line(char *out, size_t size, void *data)
{
    line_source *src = data;
    size_t n = 0;

    if (src->pos >= src->end || size < 2)
        return NULL;
    while (n < size - 1 && src->pos < src->end) {
        char c = *src->pos++;
        if (c == '\0')
            c = ' '; /* libical reads C strings: a NUL must not hide the rest of the line */
        if (c == '\r') {
            if (src->pos < src->end && *src->pos == '\n')
                src->pos++;
            out[n++] = '\n';
            break;
        }
        out[n++] = c;
        if (c == '\n')
            break;
    }
    out[n] = '\0';
    return out;
}

typedef struct nest {
    char names[MAX_DEPTH][24];
    bool fed[MAX_DEPTH]; /* whether libical sees this component */
    int depth;
    int skip; /* > 0: inside components nested too deep, dropped */
    icalparser *parser;
    reader *r;
} nest;

/*
 * Where libical's parser ends a line's name: the first ';' or ':' outside
 * double quotes, a character after a backslash or the first one excepted.
 */
static const char *name_end(const char *line, char stop_at)
{
    bool quoted = false;
    char prev = 0;

    for (const char *p = line; *p; prev = *p++) {
        if (!prev || prev == '\\')
            continue;
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && (*p == ':' || *p == stop_at))
            return p;
    }
    return NULL;
}

/* The length of a line's name as libical compares it: trailing blanks do not count. */
static size_t name_length(const char *line, const char *end)
{
    size_t len = (size_t)(end - line);
    while (len && isspace((unsigned char)line[len - 1]))
        len--;
    return len;
}

/*
 * Whether libical reads `line` as BEGIN or END (`word`): its name, up to
 * the first ';' or ':', is that word in any case.  The component's name,
 * the value after the ':', goes upper-cased into `out` ("" when none).
 */
static bool boundary(const char *line, const char *word, char *out, size_t len)
{
    const char *end = name_end(line, ';'), *value;
    size_t wl = strlen(word), n = 0;

    out[0] = '\0';
    if (!end || name_length(line, end) != wl || strncasecmp(line, word, wl) != 0)
        return false;
    value = *end == ':' ? end : name_end(end, 0);
    if (!value)
        return true;
    for (value++; *value == ' ' || *value == '\t'; value++)
        ;
    while (*value && *value != ' ' && *value != '\t' && n + 1 < len)
        out[n++] = (char)toupper((unsigned char)*value++);
    out[n] = '\0';
    return true;
}

static int feed_line(nest *n, const char *text)
{
    char *line = strdup(text);
    icalcomponent *done;

    if (!line)
        return gl_error_set(GL_ENOMEM, "out of memory");
    done = icalparser_add_line(n->parser, line);
    free(line);
    if (done) {
        icalcomponent **slot = vec_push(&n->r->tops);
        if (!slot) {
            icalcomponent_free(done);
            return gl_error_set(GL_ENOMEM, "out of memory");
        }
        *slot = done;
    }
    return GL_OK;
}

/* Close the open components above level `keep`, marking each unterminated. */
static int close_above(nest *n, int keep)
{
    char end[40];
    int rc;

    while (n->depth > keep) {
        snprintf(end, sizeof(end), "END:%s", n->names[n->depth - 1]);
        if (n->fed[n->depth - 1] &&
            ((rc = feed_line(n, MARK_UNTERMINATED ":1")) < 0 || (rc = feed_line(n, end)) < 0))
            return rc;
        n->depth--;
    }
    return GL_OK;
}

/*
 * The components gleaner reads directly inside VCALENDAR.  One of them
 * beginning ends whatever was left open inside the calendar; any other
 * component left open around it is not read, so it may run on until then.
 */
static bool read_in_calendar(const char *name)
{
    return strcmp(name, "VEVENT") == 0 || strcmp(name, "VTIMEZONE") == 0;
}

/*
 * What libical is given: calendars, their events and time zones; of an
 * event, the properties ical.c reads.  Parsing the rest (descriptions,
 * alarms, to-dos, vendor properties) costs more than all the recurrence.
 */
static bool wanted_component(const nest *n, const char *name)
{
    const char *parent = n->depth ? n->names[n->depth - 1] : NULL;

    if (n->depth && !n->fed[n->depth - 1])
        return false;
    if (!parent)
        return strcmp(name, "VCALENDAR") == 0 || strcmp(name, "VEVENT") == 0;
    if (strcmp(parent, "VCALENDAR") == 0)
        return read_in_calendar(name);
    if (strcmp(parent, "VTIMEZONE") == 0)
        return strcmp(name, "STANDARD") == 0 || strcmp(name, "DAYLIGHT") == 0;
    return false;
}

static bool wanted_property(const nest *n, const char *line)
{
    static const char *const event_props[] = {
        "DTSTART",  "DTEND",    "DURATION",      "RRULE",
        "RDATE",    "EXDATE",   "RECURRENCE-ID", "UID",
        "SUMMARY",  "STATUS",   "TRANSP",        "ORGANIZER",
        "ATTENDEE", "SEQUENCE", "DTSTAMP",       "X-MICROSOFT-CDO-BUSYSTATUS"};
    const char *top = n->names[n->depth - 1], *end;
    size_t len;

    if (!n->fed[n->depth - 1] || strcmp(top, "VCALENDAR") == 0)
        return false;
    if (strcmp(top, "VEVENT") != 0)
        return true; /* a time zone: all of it */
    if (!(end = name_end(line, ';')))
        return false;
    len = name_length(line, end);
    for (size_t i = 0; i < sizeof(event_props) / sizeof(event_props[0]); i++)
        if (strlen(event_props[i]) == len && strncasecmp(line, event_props[i], len) == 0)
            return true;
    return false;
}

/*
 * An ATTENDEE or ORGANIZER line without the parameters ical.c does not read
 * (CN, ROLE, RSVP, X-NUM-GUESTS...): a third of what libical would parse in
 * a typical export.  Parameters are split where libical splits them (';' and
 * ':' outside double quotes) and kept verbatim.
 */
static int slim_and_feed(nest *n, const char *line)
{
    static const char *const keep[] = {"PARTSTAT=", "CUTYPE="};
    const char *p = name_end(line, ';'), *value, *next;
    char *slim;
    size_t used;
    int rc;
    size_t nl = p ? name_length(line, p) : 0;
    bool person = (nl == 8 && strncasecmp(line, "ATTENDEE", 8) == 0) ||
                  (nl == 9 && strncasecmp(line, "ORGANIZER", 9) == 0);

    if (!person || *p == ':' || strcmp(n->names[n->depth - 1], "VEVENT") != 0)
        return feed_line(n, line);
    if (!(value = name_end(p, ':')) || !(slim = malloc(strlen(line) + 1)))
        return value ? gl_error_set(GL_ENOMEM, "out of memory") : feed_line(n, line);
    used = nl;
    memcpy(slim, line, used);
    for (; p && p < value; p = next) {
        next = name_end(p, ';');
        if (!next || next > value)
            next = value;
        for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
            if (strncasecmp(p + 1, keep[i], strlen(keep[i])) == 0) {
                memcpy(slim + used, p, (size_t)(next - p));
                used += (size_t)(next - p);
            }
        if (next == value)
            break;
    }
    memcpy(slim + used, value, strlen(value) + 1);
    rc = feed_line(n, slim);
    free(slim);
    return rc;
}

/*
 * Pass one unfolded line to libical, first closing what a missing END left
 * open: libical nests the next component inside an unterminated one and
 * then loses the whole calendar.
 */
static int structure_line(nest *n, const char *line)
{
    char name[24];
    int rc;

    if (boundary(line, "BEGIN", name, sizeof(name))) {
        if (n->skip) {
            n->skip++;
            return GL_OK;
        }
        for (int i = n->depth - 1; i >= 0; i--)
            if (strcmp(n->names[i], name) == 0) {
                if ((rc = close_above(n, i)) < 0)
                    return rc;
                break;
            }
        if (read_in_calendar(name))
            for (int i = n->depth - 1; i >= 0; i--)
                if (strcmp(n->names[i], "VCALENDAR") == 0) {
                    if ((rc = close_above(n, i + 1)) < 0)
                        return rc;
                    break;
                }
        if (n->depth == MAX_DEPTH) {
            n->skip = 1;
            note_problem(n->r, "components nested more than %d deep were skipped", MAX_DEPTH);
            return GL_OK;
        }
        n->fed[n->depth] = wanted_component(n, name);
        snprintf(n->names[n->depth++], sizeof(n->names[0]), "%s", name);
        return n->fed[n->depth - 1] ? feed_line(n, line) : GL_OK;
    }
    if (boundary(line, "END", name, sizeof(name))) {
        if (n->skip) {
            n->skip--;
            return GL_OK;
        }
        for (int i = n->depth - 1; i >= 0; i--)
            if (strcmp(n->names[i], name) == 0) {
                if ((rc = close_above(n, i + 1)) < 0)
                    return rc;
                n->depth--;
                return n->fed[n->depth] ? feed_line(n, line) : GL_OK;
            }
        return GL_OK; /* an END with no BEGIN */
    }
    if (n->skip || n->depth == 0 || !wanted_property(n, line))
        return GL_OK; /* junk outside any component, or nothing ical.c reads */
    return slim_and_feed(n, line);
}

static int parse_text(reader *r, const char *text, size_t len)
{
    line_source src = {text, text + len};
    nest n;
    char *line;
    int rc = GL_OK;
    icalerrorstate es = icalerror_get_error_state(ICAL_MALFORMEDDATA_ERROR);

    memset(&n, 0, sizeof(n));
    n.r = r;
    if (!(n.parser = icalparser_new()))
        return gl_error_set(GL_ENOMEM, "out of memory");
    icalerror_set_error_state(ICAL_MALFORMEDDATA_ERROR, ICAL_ERROR_NONFATAL);
    icalparser_set_gen_data(n.parser, &src);
    while (rc == GL_OK && (line = icalparser_get_line(n.parser, next_line))) {
        rc = structure_line(&n, line);
        icalmemory_free_buffer(line);
    }
    if (rc == GL_OK)
        rc = close_above(&n, 0);
    icalerror_set_error_state(ICAL_MALFORMEDDATA_ERROR, es);
    icalparser_free(n.parser);
    return rc;
}

/* ------------------------------------------------------ reading values */

static zone_entry *zone_for(reader *r, icalcomponent *cal, const char *tzid)
{
    size_t idx;
    zone_entry *e;
    icaltimezone *zone = NULL;

    if (map_get(&r->zones, tzid, (int64_t)(intptr_t)cal, &idx))
        return &VEC_AT(r->zone_entries, zone_entry, idx);
    if (cal && (zone = icalcomponent_get_timezone(cal, tzid)) && !vtimezone_usable(zone))
        zone = NULL;
    if (!zone)
        zone = zone_by_name(tzid);
    if (!(e = vec_push(&r->zone_entries)))
        return NULL;
    e->zone = zone ? zone : r->user_zone;
    e->guessed = !zone;
    if (map_put(&r->zones, tzid, (int64_t)(intptr_t)cal, r->zone_entries.len - 1) < 0) {
        r->zone_entries.len--;
        return NULL;
    }
    return &VEC_AT(r->zone_entries, zone_entry, r->zone_entries.len - 1);
}

static bool time_ok(const struct icaltimetype *t)
{
    if (icaltime_is_null_time(*t) || t->year < 1 || t->year > 2582 || t->month < 1 ||
        t->month > 12 || t->day < 1 || t->day > icaltime_days_in_month(t->month, t->year))
        return false;
    return t->is_date || (t->hour >= 0 && t->hour <= 23 && t->minute >= 0 && t->minute <= 59 &&
                          t->second >= 0 && t->second <= 60);
}

/*
 * Resolve `t` (from property `p`) to a zone: UTC, the TZID's zone, or the
 * user's for floating times.  `guessed` is set when the TZID is unknown.
 */
static bool resolve(reader *r, icalcomponent *cal, icalproperty *p, struct icaltimetype t,
                    when *out, bool *guessed)
{
    icalparameter *param;

    if (!time_ok(&t))
        return false;
    if (t.second == 60)
        t.second = 59;
    out->t = t;
    out->date = t.is_date;
    out->zone = NULL;
    if (t.is_date)
        return true; /* dates are floating: the user's day */
    if (icaltime_is_utc(t)) {
        out->zone = icaltimezone_get_utc_timezone();
    } else if ((param = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)) &&
               icalparameter_get_tzid(param) && *icalparameter_get_tzid(param)) {
        const char *tzid = icalparameter_get_tzid(param);
        zone_entry *ze = zone_for(r, cal, tzid);
        if (!ze)
            return false;
        out->zone = ze->zone;
        if (ze->guessed && guessed)
            *guessed = true;
    } else {
        out->zone = r->user_zone;
    }
    out->t.zone = out->zone;
    return true;
}

/* The UTC start of a resolved time (a date: midnight in the user's zone). */
static int64_t when_utc(reader *r, const when *w)
{
    return local_to_utc(w->date ? r->user_zone : w->zone, wall_of(&w->t));
}

static void read_props(icalcomponent *comp, props *out)
{
    memset(out, 0, sizeof(*out));
    for (icalproperty *p = icalcomponent_get_first_property(comp, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(comp, ICAL_ANY_PROPERTY)) {
        icalproperty **slot = NULL;
        switch (icalproperty_isa(p)) {
        case ICAL_DTSTART_PROPERTY:
            slot = &out->dtstart;
            break;
        case ICAL_DTEND_PROPERTY:
            slot = &out->dtend;
            break;
        case ICAL_DURATION_PROPERTY:
            slot = &out->duration;
            break;
        case ICAL_RECURRENCEID_PROPERTY:
            slot = &out->rid;
            break;
        case ICAL_DTSTAMP_PROPERTY:
            slot = &out->stamp;
            break;
        case ICAL_SEQUENCE_PROPERTY:
            slot = &out->sequence;
            break;
        case ICAL_SUMMARY_PROPERTY:
            slot = &out->summary;
            break;
        case ICAL_STATUS_PROPERTY:
            slot = &out->status;
            break;
        case ICAL_TRANSP_PROPERTY:
            slot = &out->transp;
            break;
        case ICAL_ORGANIZER_PROPERTY:
            slot = &out->organizer;
            break;
        case ICAL_UID_PROPERTY:
            if (!out->uid)
                out->uid = icalproperty_get_uid(p);
            break;
        case ICAL_RRULE_PROPERTY:
            out->rrule = true;
            break;
        case ICAL_RDATE_PROPERTY:
            out->rdate = true;
            break;
        case ICAL_EXDATE_PROPERTY:
            out->exdate = true;
            break;
        case ICAL_ATTENDEE_PROPERTY:
            out->attendee = true;
            break;
        case ICAL_XLICERROR_PROPERTY:
            out->xlicerror = true;
            break;
        case ICAL_X_PROPERTY: {
            const char *name = icalproperty_get_x_name(p), *value = icalproperty_get_x(p);
            if (name && strcmp(name, MARK_UNTERMINATED) == 0)
                out->unterminated = true;
            else if (name && value && strcasecmp(name, "X-MICROSOFT-CDO-BUSYSTATUS") == 0)
                out->oof = strcasecmp(value, "OOF") == 0;
            break;
        }
        default:
            break;
        }
        if (slot && !*slot)
            *slot = p;
    }
}

/* An X-LIC-ERROR that makes the event's times unknowable, or NULL. */
static const char *fatal_parse_error(icalcomponent *comp)
{
    static const char *const vital[] = {"DTSTART", "DTEND",  "DURATION",     "RRULE",
                                        "RDATE",   "EXDATE", "RECURRENCE-ID"};
    icalproperty *p;

    for (p = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(comp, ICAL_XLICERROR_PROPERTY)) {
        const char *msg = icalproperty_get_xlicerror(p);
        for (size_t i = 0; msg && i < sizeof(vital) / sizeof(vital[0]); i++) {
            const char *hit = strstr(msg, vital[i]);
            size_t vl = strlen(vital[i]);
            if (hit && (hit == msg || !isalnum((unsigned char)hit[-1])) &&
                !isalnum((unsigned char)hit[vl]) && hit[vl] != '-')
                return msg;
        }
    }
    return NULL;
}

static void note_guess(reader *r, icalcomponent *comp)
{
    icalproperty *p;
    icalparameter *param;

    r->stats->unknown_zones++;
    if (r->stats->unknown_zone[0])
        return;
    for (p = icalcomponent_get_first_property(comp, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(comp, ICAL_ANY_PROPERTY))
        if ((param = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)) &&
            icalparameter_get_tzid(param)) {
            char buf[sizeof(r->stats->unknown_zone)];
            snprintf(r->stats->unknown_zone, sizeof(r->stats->unknown_zone), "%s",
                     excerpt(buf, sizeof(buf), icalparameter_get_tzid(param)));
            return;
        }
}

/* Check one VEVENT and add it to r->events, or skip it with a problem. */
static int read_event(reader *r, icalcomponent *cal, icalcomponent *comp)
{
    const char *uid, *bad = NULL;
    icalproperty *start, *rid;
    char ubuf[80], mbuf[160];
    event *e;
    props pr;
    when w;

    read_props(comp, &pr);
    uid = pr.uid && *pr.uid ? pr.uid : NULL;
    start = pr.dtstart;
    rid = pr.rid;
    if (pr.unterminated) {
        note_problem(r, "event %s has no END:VEVENT (is the file cut off?)",
                     uid ? excerpt(ubuf, sizeof(ubuf), uid) : "without UID");
        return GL_OK;
    }
    if (!uid) {
        const char *title = pr.summary ? icalproperty_get_summary(pr.summary) : "";
        note_problem(r, "an event without a UID (\"%s\") was skipped; RFC 5545 requires one",
                     excerpt(ubuf, sizeof(ubuf), title ? title : ""));
        return GL_OK;
    }
    if (pr.xlicerror && (bad = fatal_parse_error(comp))) {
        note_problem(r, "event %s: %s", excerpt(ubuf, sizeof(ubuf), uid),
                     excerpt(mbuf, sizeof(mbuf), bad));
        return GL_OK;
    }
    if (!start) {
        note_problem(r, "event %s has no DTSTART", excerpt(ubuf, sizeof(ubuf), uid));
        return GL_OK;
    }
    if (!resolve(r, cal, start, icalproperty_get_dtstart(start), &w, NULL)) {
        note_problem(r, "event %s: DTSTART %s is not a date", excerpt(ubuf, sizeof(ubuf), uid),
                     excerpt(mbuf, sizeof(mbuf), icalproperty_get_value_as_string(start)));
        return GL_OK;
    }
    if (!(e = vec_push(&r->events)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    memset(e, 0, sizeof(*e));
    e->comp = comp;
    e->cal = cal;
    e->p = pr;
    e->uid = uid;
    e->all_day = w.date;
    e->sequence = pr.sequence ? icalproperty_get_sequence(pr.sequence) : 0;
    e->stamp = pr.stamp ? (int64_t)icaltime_as_timet(icalproperty_get_dtstamp(pr.stamp)) : 0;
    if (rid) {
        when rw;
        if (!resolve(r, cal, rid, icalproperty_get_recurrenceid(rid), &rw, NULL)) {
            r->events.len--;
            note_problem(r, "event %s: RECURRENCE-ID %s is not a date",
                         excerpt(ubuf, sizeof(ubuf), uid),
                         excerpt(mbuf, sizeof(mbuf), icalproperty_get_value_as_string(rid)));
            return GL_OK;
        }
        e->is_override = true;
        e->rid_is_day = rw.date;
        if (rw.date) {
            e->rid = e->rid_day = day_of(&rw.t);
        } else {
            e->rid = when_utc(r, &rw);
            /* Its date where it was said; a UTC one, in the user's zone. */
            e->rid_day = rw.zone != icaltimezone_get_utc_timezone()
                             ? day_of(&rw.t)
                             : floor_div(e->rid + offset_at(r->user_zone, e->rid), DAY);
        }
    }
    return GL_OK;
}

/* Whether `b` replaces `a` as the copy of one event that counts. */
static bool supersedes(const event *b, const event *a)
{
    if (b->sequence != a->sequence)
        return b->sequence > a->sequence;
    return b->stamp > a->stamp;
}

static int collect_events(reader *r)
{
    int rc;

    for (size_t t = 0; t < r->tops.len; t++) {
        icalcomponent *top = VEC_AT(r->tops, icalcomponent *, t), *c;
        if (icalcomponent_isa(top) == ICAL_VEVENT_COMPONENT) {
            if ((rc = read_event(r, NULL, top)) < 0)
                return rc;
            continue;
        }
        if (icalcomponent_isa(top) != ICAL_VCALENDAR_COMPONENT)
            continue;
        for (c = icalcomponent_get_first_component(top, ICAL_VEVENT_COMPONENT); c;
             c = icalcomponent_get_next_component(top, ICAL_VEVENT_COMPONENT))
            if ((rc = read_event(r, top, c)) < 0)
                return rc;
    }
    /* Index series by UID and overrides by (UID, recurrence id). */
    for (size_t i = 0; i < r->events.len; i++) {
        event *e = &VEC_AT(r->events, event, i);
        map *m = e->is_override ? &r->overrides : &r->masters;
        int64_t num = e->is_override ? e->rid * 2 + e->rid_is_day : 0;
        size_t prev;

        if (map_get(m, e->uid, num, &prev)) {
            event *p = &VEC_AT(r->events, event, prev);
            if (!supersedes(e, p)) {
                e->dropped = true;
                continue;
            }
            p->dropped = true;
        }
        if ((rc = map_put(m, e->uid, num, i)) < 0)
            return rc;
    }
    /* Chain each series' overrides. */
    for (size_t i = 0; i < r->events.len; i++) {
        event *e = &VEC_AT(r->events, event, i);
        size_t mi;
        if (e->dropped || !e->is_override || !map_get(&r->masters, e->uid, 0, &mi))
            continue;
        event *m = &VEC_AT(r->events, event, mi);
        e->master = mi + 1;
        e->next = m->first_override;
        m->first_override = i + 1;
        if (e->rid_is_day)
            m->has_day_rids = true;
    }
    return GL_OK;
}

/* ----------------------------------------------------------- the facts */

static bool is_identity(reader *r, const char *email)
{
    for (size_t i = 0; i < r->opts->n_identities; i++)
        if (r->opts->identities[i] && gl_str_ieq(email, r->opts->identities[i]))
            return true;
    return false;
}

/* The lower-case address of a cal-address ("mailto:Ada@Example.com"), or false. */
static bool address_of(const char *value, char *out, size_t len)
{
    size_t n = 0;

    if (!value)
        return false;
    while (*value == ' ')
        value++;
    if (strncasecmp(value, "mailto:", 7) == 0)
        value += 7;
    while (*value && *value != ' ' && n + 1 < len)
        out[n++] = (char)tolower((unsigned char)*value++);
    out[n] = '\0';
    return n > 2 && strchr(out, '@') && out[0] != '@' && out[n - 1] != '@';
}

static int text_add(reader *r, const char *s, size_t *offset)
{
    size_t n = strlen(s) + 1;
    if (r->text_len + n > r->text_cap) {
        size_t cap = r->text_cap ? r->text_cap * 2 : 1024;
        char *t;
        while (cap < r->text_len + n)
            cap *= 2;
        if (!(t = realloc(r->text, cap)))
            return gl_error_set(GL_ENOMEM, "out of memory");
        r->text = t;
        r->text_cap = cap;
    }
    memcpy(r->text + r->text_len, s, n);
    *offset = r->text_len;
    r->text_len += n;
    return GL_OK;
}

static gl_partstat partstat_of(icalproperty *att)
{
    icalparameter *p = icalproperty_get_first_parameter(att, ICAL_PARTSTAT_PARAMETER);
    switch (p ? icalparameter_get_partstat(p) : ICAL_PARTSTAT_NEEDSACTION) {
    case ICAL_PARTSTAT_ACCEPTED:
        return GL_PARTSTAT_ACCEPTED;
    case ICAL_PARTSTAT_TENTATIVE:
        return GL_PARTSTAT_TENTATIVE;
    case ICAL_PARTSTAT_DECLINED:
        return GL_PARTSTAT_DECLINED;
    case ICAL_PARTSTAT_DELEGATED:
        return GL_PARTSTAT_DELEGATED;
    default:
        return GL_PARTSTAT_NEEDS_ACTION;
    }
}

static bool is_room(icalproperty *att)
{
    icalparameter *p = icalproperty_get_first_parameter(att, ICAL_CUTYPE_PARAMETER);
    icalparameter_cutype t = p ? icalparameter_get_cutype(p) : ICAL_CUTYPE_INDIVIDUAL;
    return t == ICAL_CUTYPE_ROOM || t == ICAL_CUTYPE_RESOURCE;
}

/* What one component says about its occurrences; valid until the next call. */
static int read_facts(reader *r, const event *e, facts *f)
{
    icalcomponent *comp = e->comp;
    icalproperty *p;
    char email[320];
    int rc;

    memset(f, 0, sizeof(*f));
    f->title = e->p.summary ? icalproperty_get_summary(e->p.summary) : NULL;
    if (!f->title)
        f->title = "";
    r->text_len = 0;
    r->domains.len = 0;
    r->people.len = 0;

    if ((p = e->p.organizer) &&
        address_of(icalproperty_get_organizer(p), r->organizer, sizeof(r->organizer))) {
        f->organizer = r->organizer;
        f->user_is_organizer = is_identity(r, r->organizer);
    }
    for (p = e->p.attendee ? icalcomponent_get_first_property(comp, ICAL_ATTENDEE_PROPERTY) : NULL;
         p; p = icalcomponent_get_next_property(comp, ICAL_ATTENDEE_PROPERTY)) {
        bool seen = false;
        size_t off = 0;

        if (!address_of(icalproperty_get_attendee(p), email, sizeof(email)))
            continue;
        if (is_identity(r, email)) {
            if (f->partstat == GL_PARTSTAT_NONE)
                f->partstat = partstat_of(p);
            continue;
        }
        if (is_room(p))
            continue;
        /* The same person listed twice counts once. */
        for (size_t i = 0; i < r->text_len && !seen;) {
            if (strcmp(r->text + i, email) == 0)
                seen = true;
            i += strlen(r->text + i) + 1;
        }
        if (seen)
            continue;
        f->n_attendees++;
        if ((rc = text_add(r, email, &off)) < 0)
            return rc;
    }
    /* Pointers only now that r->text stopped moving: each address, and each domain once. */
    for (size_t i = 0; i < r->text_len; i += strlen(r->text + i) + 1) {
        const char *address = r->text + i, *domain = strrchr(address, '@') + 1, **slot;
        bool seen = false;

        if (!(slot = vec_push(&r->people)))
            return gl_error_set(GL_ENOMEM, "out of memory");
        *slot = address;
        for (size_t k = 0; k < r->domains.len && !seen; k++)
            seen = strcmp(VEC_AT(r->domains, const char *, k), domain) == 0;
        if (seen)
            continue;
        if (!(slot = vec_push(&r->domains)))
            return gl_error_set(GL_ENOMEM, "out of memory");
        *slot = domain;
    }

    switch (e->p.status ? icalproperty_get_status(e->p.status) : ICAL_STATUS_NONE) {
    case ICAL_STATUS_CANCELLED:
        f->cancelled = true;
        break;
    case ICAL_STATUS_TENTATIVE:
        f->tentative = true;
        break;
    default:
        break;
    }
    if ((p = e->p.transp))
        f->transparent = icalproperty_get_transp(p) == ICAL_TRANSP_TRANSPARENT ||
                         icalproperty_get_transp(p) == ICAL_TRANSP_TRANSPARENTNOCONFLICT;
    if (e->p.oof)
        f->type = GL_MEETING_OUT_OF_OFFICE;
    return GL_OK;
}

static const char *make_key(reader *r, const char *uid, bool day, int64_t value)
{
    size_t need = strlen(uid) + 24;
    char stamp[24];

    if (need > r->key_cap) {
        char *k = realloc(r->key, need);
        if (!k)
            return NULL;
        r->key = k;
        r->key_cap = need;
    }
    if (day)
        format_day_key(stamp, sizeof(stamp), value);
    else
        format_utc_key(stamp, sizeof(stamp), value);
    snprintf(r->key, r->key_cap, "%s/%s", uid, stamp);
    return r->key;
}

static bool overlaps(const reader *r, int64_t start, int64_t end)
{
    if (start >= r->opts->to)
        return false;
    return end > r->opts->from || (end == start && start >= r->opts->from);
}

static int emit(reader *r, const event *e, const facts *f, const char *key, int64_t start,
                int64_t end, bool all_day, bool recurring)
{
    gl_meeting m;
    int rc;

    memset(&m, 0, sizeof(m));
    m.uid = e->uid;
    m.key = key;
    m.start = start;
    m.end = end;
    m.all_day = all_day;
    m.recurring = recurring;
    m.title = f->title;
    m.organizer = f->organizer;
    m.user_is_organizer = f->user_is_organizer;
    m.partstat = f->partstat;
    m.n_attendees = f->n_attendees;
    m.attendee_domains = r->domains.len ? (const char *const *)r->domains.items : NULL;
    m.n_attendee_domains = r->domains.len;
    m.attendee_emails = r->people.len ? (const char *const *)r->people.items : NULL;
    m.n_attendee_emails = r->people.len;
    m.cancelled = f->cancelled;
    m.tentative = f->tentative;
    m.transparent = f->transparent;
    m.type = f->type;
    if ((rc = r->fn(r->payload, &m)) < 0) {
        r->rc = rc;
        return rc;
    }
    r->stats->occurrences++;
    return GL_OK;
}

/* ------------------------------------------------------------ duration */

static span span_of(reader *r, const event *e, const when *start, bool *guessed)
{
    icalproperty *p;
    span s = {SPAN_EXACT, 0, 0};
    when w;

    if ((p = e->p.dtend) && resolve(r, e->cal, p, icalproperty_get_dtend(p), &w, guessed)) {
        if (start->date) {
            s.kind = SPAN_DAYS;
            s.days = day_of(&w.t) - day_of(&start->t);
        } else if (w.date) {
            /* An end date for a start time: midnight of that day, start's zone. */
            struct icaltimetype t = w.t;
            t.is_date = 0;
            t.hour = t.minute = t.second = 0;
            s.secs = local_to_utc(start->zone, wall_of(&t)) - when_utc(r, start);
        } else {
            s.secs = when_utc(r, &w) - when_utc(r, start);
        }
    } else if ((p = e->p.duration)) {
        struct icaldurationtype d = icalproperty_get_duration(p);
        int64_t days = (int64_t)d.weeks * 7 + d.days;
        int64_t secs = (int64_t)d.hours * 3600 + d.minutes * 60 + d.seconds;
        if (d.is_neg)
            days = secs = 0;
        if (start->date) {
            s.kind = SPAN_DAYS;
            s.days = days + (secs + DAY - 1) / DAY;
        } else {
            s.kind = days ? SPAN_NOMINAL : SPAN_EXACT;
            s.days = days;
            s.secs = secs;
        }
    } else if (start->date) {
        s.kind = SPAN_DAYS;
        s.days = 1; /* RFC 5545 3.6.1: a date without an end lasts the day */
    }
    if (s.secs < 0)
        s.secs = 0;
    if (s.days < 0)
        s.days = 0;
    return s;
}

/* An occurrence starting at local `t` (its zone `zone`; a date: the user's day). */
static void fill_instance(reader *r, instance *in, const struct icaltimetype *t, icaltimezone *zone,
                          const span *s)
{
    int64_t wall = wall_of(t);

    in->day = day_of(t);
    if (t->is_date || s->kind == SPAN_DAYS) {
        in->start = local_to_utc(r->user_zone, in->day * DAY);
        in->end = local_to_utc(r->user_zone, (in->day + s->days) * DAY);
        return;
    }
    in->start = local_to_utc(zone, wall);
    if (s->kind == SPAN_NOMINAL)
        in->end = local_to_utc(zone, wall + s->days * DAY) + s->secs;
    else
        in->end = in->start + s->secs;
}

/* ----------------------------------------------------------- expansion */

typedef struct series {
    reader *r;
    event *e;
    when start;
    span span;
    int64_t lo_wall, hi_wall; /* local times outside these cannot overlap the window */
    size_t in_window;
    bool capped;
    bool saw_dtstart; /* a rule gave DTSTART as its first occurrence */
} series;

static int add_instance(series *s, const struct icaltimetype *t, icaltimezone *zone,
                        const int64_t *explicit_end)
{
    instance *in;
    int64_t wall = wall_of(t);

    /* A period carries its own end: only its start can rule it out early. */
    if (wall > s->hi_wall || (!explicit_end && wall < s->lo_wall))
        return GL_OK;
    if (!(in = vec_push(&s->r->inst)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    fill_instance(s->r, in, t, zone, &s->span);
    if (explicit_end)
        in->end = *explicit_end < in->start ? in->start : *explicit_end;
    if (!overlaps(s->r, in->start, in->end)) {
        s->r->inst.len--;
        return GL_OK;
    }
    if (++s->in_window > GL_ICAL_MAX_SERIES_OCCURRENCES) {
        s->r->inst.len--;
        s->capped = true;
    }
    return GL_OK;
}

static int by_count(const short *by, int size)
{
    int n = 0;
    while (n < size && by[n] != ICAL_RECURRENCE_ARRAY_MAX)
        n++;
    return n;
}

/*
 * Rules libical would search for years (up to the year 20000) inside one
 * step: sub-daily rules limited to some hours or days, and month days that
 * no listed month has.
 */
static const char *pathological(const struct icalrecurrencetype *rule)
{
    static const int month_days[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int n_md = by_count(rule->by_month_day, ICAL_BY_MONTHDAY_SIZE);
    int n_m = by_count(rule->by_month, ICAL_BY_MONTH_SIZE);
    bool coarse = n_md || n_m || by_count(rule->by_year_day, ICAL_BY_YEARDAY_SIZE) ||
                  by_count(rule->by_week_no, ICAL_BY_WEEKNO_SIZE);

    if ((rule->freq == ICAL_SECONDLY_RECURRENCE || rule->freq == ICAL_MINUTELY_RECURRENCE) &&
        (coarse || by_count(rule->by_day, ICAL_BY_DAY_SIZE) ||
         by_count(rule->by_hour, ICAL_BY_HOUR_SIZE) ||
         (rule->freq == ICAL_SECONDLY_RECURRENCE &&
          by_count(rule->by_minute, ICAL_BY_MINUTE_SIZE))))
        return "its RRULE repeats every second or minute on some hours or days only";
    if (rule->freq == ICAL_HOURLY_RECURRENCE && coarse)
        return "its RRULE repeats every hour on some dates only";
    if (rule->freq == ICAL_MONTHLY_RECURRENCE && by_count(rule->by_set_pos, ICAL_BY_SETPOS_SIZE)) {
        /* A month's set has at most this many members; a position past it never is. */
        int n_day = by_count(rule->by_day, ICAL_BY_DAY_SIZE);
        int n_h = by_count(rule->by_hour, ICAL_BY_HOUR_SIZE);
        int n_mi = by_count(rule->by_minute, ICAL_BY_MINUTE_SIZE);
        int n_s = by_count(rule->by_second, ICAL_BY_SECOND_SIZE);
        int size = (n_md    ? n_md
                    : n_day ? 5 * n_day
                            : 1) *
                   (n_h ? n_h : 1) * (n_mi ? n_mi : 1) * (n_s ? n_s : 1);
        bool reachable = false;
        for (int i = 0; i < by_count(rule->by_set_pos, ICAL_BY_SETPOS_SIZE); i++)
            reachable = reachable || abs(rule->by_set_pos[i]) <= size;
        if (!reachable)
            return "its RRULE picks a position (BYSETPOS) that no month has";
    }
    if (n_md && n_m) {
        bool possible = false;
        for (int i = 0; i < n_md && !possible; i++)
            for (int j = 0; j < n_m && !possible; j++) {
                int m = rule->by_month[j], d = abs(rule->by_month_day[i]);
                possible = m >= 1 && m <= 12 && d <= month_days[m];
            }
        if (!possible)
            return "its RRULE names days that none of its months has";
    }
    return NULL;
}

static int expand_rule(series *s, icalproperty *p, const char **why)
{
    struct icalrecurrencetype rule = icalproperty_get_rrule(p);
    icalrecur_iterator *it;
    struct icaltimetype t, dtstart;
    size_t steps = 0;
    int rc = GL_OK;

    if (rule.freq == ICAL_NO_RECURRENCE) {
        *why = "its RRULE has no FREQ";
        return GL_OK;
    }
    if ((*why = pathological(&rule)))
        return GL_OK;
    /*
     * The rule runs on the wall clock: libical built with ICU otherwise runs
     * it in the DTSTART's zone and, past a skipped hour, moves every later
     * occurrence by that hour.  A UTC UNTIL is read on the same clock.
     */
    dtstart = s->start.t;
    dtstart.zone = NULL;
    if (!icaltime_is_null_time(rule.until) && icaltime_is_utc(rule.until)) {
        struct icaltimetype until = rule.until;
        icaltimezone *zone = s->start.date ? s->r->user_zone : s->start.zone;
        until.zone = NULL;
        rule.until = wall_time(wall_of(&until) + offset_at(zone, wall_of(&until)));
    }
    /* Nothing past the window matters: a rule that never matches stops there too. */
    if (icaltime_is_null_time(rule.until) || wall_of(&rule.until) > s->hi_wall)
        rule.until = wall_time(s->hi_wall);
    if (!(it = icalrecur_iterator_new(rule, dtstart))) {
        *why = "libical cannot follow its RRULE";
        return GL_OK;
    }
    /*
     * Skip to the window where libical gets that right (its set_start loses
     * the phase of sub-daily intervals, and cannot count): daily rules and
     * weekly ones without INTERVAL, no COUNT, no BYSETPOS.
     */
    if (rule.count == 0 && rule.by_set_pos[0] == ICAL_RECURRENCE_ARRAY_MAX &&
        (rule.freq == ICAL_DAILY_RECURRENCE ||
         (rule.freq == ICAL_WEEKLY_RECURRENCE && rule.interval <= 1)) &&
        s->lo_wall > wall_of(&dtstart)) {
        struct icaltimetype from = wall_time(s->lo_wall);
        from.is_date = dtstart.is_date;
        if (from.is_date)
            from.hour = from.minute = from.second = 0;
        if (!icalrecur_iterator_set_start(it, from)) {
            icalrecur_iterator_free(it);
            *why = "libical cannot follow its RRULE";
            return GL_OK;
        }
    }
    while (!icaltime_is_null_time(t = icalrecur_iterator_next(it))) {
        if (++steps > GL_ICAL_MAX_RULE_STEPS || ++s->r->steps > MAX_CALENDAR_STEPS) {
            s->capped = true;
            break;
        }
        if (wall_of(&t) > s->hi_wall)
            break;
        if (steps == 1 && wall_of(&t) == wall_of(&s->start.t))
            s->saw_dtstart = true;
        if ((rc = add_instance(s, &t, s->start.zone, NULL)) < 0 || s->capped)
            break;
    }
    icalrecur_iterator_free(it);
    return rc;
}

static int expand_rdate(series *s, icalproperty *p, bool *guessed)
{
    struct icaldatetimeperiodtype dp = icalproperty_get_rdate(p);
    when w;

    if (!icaltime_is_null_time(dp.time)) {
        if (!resolve(s->r, s->e->cal, p, dp.time, &w, guessed))
            return GL_OK;
        if (w.date != s->start.date) {
            /* A date for a timed series: the series' time of day on it, and back. */
            struct icaltimetype t = s->start.t;
            t.year = w.t.year;
            t.month = w.t.month;
            t.day = w.t.day;
            return add_instance(s, &t, s->start.zone, NULL);
        }
        return add_instance(s, &w.t, w.zone, NULL);
    }
    if (!icaltime_is_null_time(dp.period.start)) {
        when end;
        int64_t stop;
        if (!resolve(s->r, s->e->cal, p, dp.period.start, &w, guessed))
            return GL_OK;
        if (w.date)
            return add_instance(s, &w.t, NULL, NULL);
        if (!icaltime_is_null_time(dp.period.end)) {
            if (!resolve(s->r, s->e->cal, p, dp.period.end, &end, guessed))
                return GL_OK;
            stop = when_utc(s->r, &end);
        } else {
            struct icaldurationtype d = dp.period.duration;
            int64_t days = d.is_neg ? 0 : (int64_t)d.weeks * 7 + d.days;
            int64_t secs = d.is_neg ? 0 : (int64_t)d.hours * 3600 + d.minutes * 60 + d.seconds;
            stop = local_to_utc(w.zone, wall_of(&w.t) + days * DAY) + secs;
        }
        return add_instance(s, &w.t, w.zone, &stop);
    }
    return GL_OK;
}

static int cmp_instance(const void *a, const void *b)
{
    const instance *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static bool contains(const vec *v, int64_t value)
{
    return v->len && bsearch(&value, v->items, v->len, sizeof(int64_t), cmp_i64);
}

/* The series' EXDATEs into r->ex_utc (instants) and r->ex_days (dates). */
static int read_exdates(reader *r, event *e, bool *guessed)
{
    icalproperty *p;
    when w;

    r->ex_utc.len = r->ex_days.len = 0;
    for (p = e->p.exdate ? icalcomponent_get_first_property(e->comp, ICAL_EXDATE_PROPERTY) : NULL;
         p; p = icalcomponent_get_next_property(e->comp, ICAL_EXDATE_PROPERTY)) {
        int64_t *slot;
        if (!resolve(r, e->cal, p, icalproperty_get_exdate(p), &w, guessed))
            continue;
        /* A date excludes that day, as does any time on an all-day series. */
        if (w.date || e->all_day) {
            if (!(slot = vec_push(&r->ex_days)))
                return gl_error_set(GL_ENOMEM, "out of memory");
            *slot = day_of(&w.t);
        } else {
            if (!(slot = vec_push(&r->ex_utc)))
                return gl_error_set(GL_ENOMEM, "out of memory");
            *slot = when_utc(r, &w);
        }
    }
    if (r->ex_utc.len > 1)
        qsort(r->ex_utc.items, r->ex_utc.len, sizeof(int64_t), cmp_i64);
    if (r->ex_days.len > 1)
        qsort(r->ex_days.items, r->ex_days.len, sizeof(int64_t), cmp_i64);
    return GL_OK;
}

static bool excluded(reader *r, const event *m, int64_t start, int64_t day)
{
    if (contains(&r->ex_days, day))
        return true;
    return !m->all_day && contains(&r->ex_utc, start);
}

/* An override's own occurrence: its times, the key of the slot it replaces. */
static int emit_override(reader *r, event *o, const event *master)
{
    icalproperty *p = o->p.dtstart;
    bool guessed = false, day_key;
    instance in;
    facts f;
    span sp;
    when w;
    const char *key;
    int rc;

    if (!resolve(r, o->cal, p, icalproperty_get_dtstart(p), &w, &guessed))
        return GL_OK;
    sp = span_of(r, o, &w, &guessed);
    fill_instance(r, &in, &w.t, w.zone, &sp);
    if (guessed)
        note_guess(r, o->comp);
    if (!overlaps(r, in.start, in.end))
        return GL_OK;
    day_key = master ? master->all_day || o->rid_is_day : o->rid_is_day;
    if (!(key = make_key(r, o->uid, day_key, day_key ? o->rid_day : o->rid)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    if ((rc = read_facts(r, o, &f)) < 0)
        return rc;
    return emit(r, o, &f, key, in.start, in.end, w.date, true);
}

static int expand_series(reader *r, event *e)
{
    series s;
    icalproperty *p;
    bool guessed = false, recurring = false;
    const char *why = NULL;
    char ubuf[80];
    facts f;
    int rc;

    memset(&s, 0, sizeof(s));
    s.r = r;
    s.e = e;
    p = e->p.dtstart;
    if (!resolve(r, e->cal, p, icalproperty_get_dtstart(p), &s.start, &guessed))
        return GL_OK;
    s.span = span_of(r, e, &s.start, &guessed);
    s.hi_wall = r->opts->to + SLACK;
    s.lo_wall = r->opts->from - SLACK - s.span.secs - s.span.days * DAY;
    r->inst.len = 0;

    for (p = e->p.rrule ? icalcomponent_get_first_property(e->comp, ICAL_RRULE_PROPERTY) : NULL;
         p && !s.capped; p = icalcomponent_get_next_property(e->comp, ICAL_RRULE_PROPERTY)) {
        recurring = true;
        if ((rc = expand_rule(&s, p, &why)) < 0)
            return rc;
        if (why) {
            note_problem(r, "event %s: %s; skipped", excerpt(ubuf, sizeof(ubuf), e->uid), why);
            return GL_OK;
        }
    }
    /* DTSTART is always the first occurrence (RFC 5545 3.8.5.3), matched by the rule or not. */
    if (!s.saw_dtstart && !s.capped && (rc = add_instance(&s, &s.start.t, s.start.zone, NULL)) < 0)
        return rc;
    for (p = e->p.rdate ? icalcomponent_get_first_property(e->comp, ICAL_RDATE_PROPERTY) : NULL;
         p && !s.capped; p = icalcomponent_get_next_property(e->comp, ICAL_RDATE_PROPERTY)) {
        recurring = true;
        if ((rc = expand_rdate(&s, p, &guessed)) < 0)
            return rc;
    }
    if (s.capped)
        note_problem(r,
                     "event %s repeats too often (over %d occurrences in the window or %d rule "
                     "steps); the rest of the series was skipped",
                     excerpt(ubuf, sizeof(ubuf), e->uid), GL_ICAL_MAX_SERIES_OCCURRENCES,
                     GL_ICAL_MAX_RULE_STEPS);
    if ((rc = read_exdates(r, e, &guessed)) < 0)
        return rc;
    if (guessed)
        note_guess(r, e->comp);
    r->stats->events++;

    if (r->inst.len > 1)
        qsort(r->inst.items, r->inst.len, sizeof(instance), cmp_instance);
    if (r->inst.len && (rc = read_facts(r, e, &f)) < 0)
        return rc;
    for (size_t i = 0; i < r->inst.len; i++) {
        const instance *in = &VEC_AT(r->inst, instance, i);
        const char *key;
        size_t oi;

        if (i > 0 && in->start == VEC_AT(r->inst, instance, i - 1).start)
            continue; /* an RDATE that the rule also produces */
        if (excluded(r, e, in->start, in->day))
            continue;
        if (map_get(&r->overrides, e->uid, e->all_day ? in->day * 2 + 1 : in->start * 2, &oi) ||
            (e->has_day_rids && !e->all_day &&
             map_get(&r->overrides, e->uid, in->day * 2 + 1, &oi)))
            continue; /* the override speaks for this occurrence */
        if (!(key = make_key(r, e->uid, e->all_day, e->all_day ? in->day : in->start)))
            return gl_error_set(GL_ENOMEM, "out of memory");
        if ((rc = emit(r, e, &f, key, in->start, in->end, e->all_day, recurring)) < 0)
            return rc;
    }

    /* The overrides, unless their slot was excluded (EXDATE wins). */
    for (size_t oi = e->first_override; oi; oi = VEC_AT(r->events, event, oi - 1).next) {
        event *o = &VEC_AT(r->events, event, oi - 1);
        bool gone = o->rid_is_day || e->all_day ? contains(&r->ex_days, o->rid_day)
                                                : excluded(r, e, o->rid, o->rid_day);
        if (!gone && (rc = emit_override(r, o, e)) < 0)
            return rc;
    }
    return GL_OK;
}

/* ------------------------------------------------------------- the API */

static bool starts_with_word(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - p) >= n && strncasecmp(p, word, n) == 0;
}

/* The first bytes, printable ASCII, for "it starts with ..." messages. */
static void describe_start(char *out, size_t len, const char *text, size_t n)
{
    gl_str_excerpt(out, len, text, n > 200 ? 200 : n, 40);
    for (char *p = out; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?'; /* binary junk must not reach a terminal or JSON as bytes */
}

/*
 * Whether the text is an iCalendar stream: after a BOM and blank lines it
 * must begin a VCALENDAR (or a lone VEVENT, as some exports are).  On
 * failure, sets the message: `subject` is "calendar X" or "calendar feed X".
 */
static int check_calendar(const char *text, size_t len, const char *subject)
{
    const char *p = text, *end = text + len;
    char start[64];

    if (len >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        p += 3;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p == end)
        return gl_error_set(GL_EBADDATA, "%s is empty", subject);
    if (starts_with_word(p, end, "BEGIN:VCALENDAR") || starts_with_word(p, end, "BEGIN:VEVENT"))
        return GL_OK;
    describe_start(start, sizeof(start), p, (size_t)(end - p));
    return gl_error_set(GL_EBADDATA,
                        "%s is not an iCalendar file (it starts with \"%s\"); check that it "
                        "points at an .ics calendar",
                        subject, start);
}

static void reader_free(reader *r)
{
    /* The small things last: freeing a large block after many small ones makes malloc
     * consolidate them all at once. */
    map_free(&r->masters);
    map_free(&r->overrides);
    map_free(&r->zones);
    free(r->events.items);
    free(r->zone_entries.items);
    free(r->inst.items);
    free(r->ex_utc.items);
    free(r->ex_days.items);
    free(r->domains.items);
    free(r->people.items);
    free(r->text);
    free(r->key);
    for (size_t i = 0; i < r->tops.len; i++)
        icalcomponent_free(VEC_AT(r->tops, icalcomponent *, i));
    free(r->tops.items);
}

int gl_ical_parse(const char *text, size_t len, const char *name, const gl_ical_options *opts,
                  gl_meeting_fn fn, void *payload, gl_ical_stats *stats)
{
    reader r;
    gl_ical_stats local;
    int rc;

    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof(*stats));
    if (!name)
        name = "(unnamed)";
    if (!opts || !fn || (!text && len))
        return gl_error_set(GL_EINVAL, "calendar %s: nothing to read", name);
    if (len > GL_ICAL_MAX_BYTES)
        return gl_error_set(GL_ETOOBIG,
                            "calendar %s is %.1f MiB, over gleaner's limit of %u MiB for a "
                            "calendar; export a shorter range or split it",
                            name, (double)len / (1024 * 1024), GL_ICAL_MAX_BYTES / (1024 * 1024));
    {
        char subject[300];
        snprintf(subject, sizeof(subject), "calendar %s", name);
        if ((rc = check_calendar(text ? text : "", len, subject)) < 0)
            return rc;
    }

    memset(&r, 0, sizeof(r));
    r.name = name;
    r.opts = opts;
    r.fn = fn;
    r.payload = payload;
    r.stats = stats;
    r.tops.size = sizeof(icalcomponent *);
    r.events.size = sizeof(event);
    r.zone_entries.size = sizeof(zone_entry);
    r.inst.size = sizeof(instance);
    r.ex_utc.size = r.ex_days.size = sizeof(int64_t);
    r.domains.size = sizeof(const char *);
    r.people.size = sizeof(const char *);
    icalerror_set_errors_are_fatal(0);
    if (!opts->timezone || !(r.user_zone = builtin_zone(opts->timezone))) {
        rc = gl_error_set(GL_ECONFIG,
                          "calendar %s: unknown time zone '%s' (set user.timezone to an IANA "
                          "name such as Europe/Berlin)",
                          name, opts->timezone ? opts->timezone : "");
        goto done;
    }
    if (opts->from >= opts->to) {
        rc = GL_OK;
        goto done;
    }
    if ((rc = parse_text(&r, text, len)) < 0 || (rc = collect_events(&r)) < 0)
        goto done;

    for (size_t i = 0; i < r.events.len; i++) {
        event *e = &VEC_AT(r.events, event, i);
        if (e->dropped)
            continue;
        if (!e->is_override)
            rc = expand_series(&r, e);
        else if (!e->master) {
            stats->events++; /* its series is missing: it stands alone */
            rc = emit_override(&r, e, NULL);
        }
        if (rc < 0)
            goto done;
    }
    gl_trace("ical", "calendar %s: %zu events, %zu occurrences, %zu skipped%s%s", name,
             stats->events, stats->occurrences, stats->skipped, stats->problem[0] ? ": " : "",
             stats->problem);
done:
    if (r.rc < 0)
        rc = r.rc; /* the callback's own code, its message untouched */
    reader_free(&r);
    return rc;
}

int gl_ical_read_file(const char *path, const gl_ical_options *opts, gl_meeting_fn fn,
                      void *payload, gl_ical_stats *stats)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    if (stats)
        memset(stats, 0, sizeof(*stats));
    if ((rc = gl_fs_read_file(&text, &len, path, GL_ICAL_MAX_BYTES)) < 0) {
        struct stat st;
        if (rc == GL_ETOOBIG && stat(path, &st) == 0)
            return gl_error_set(GL_ETOOBIG,
                                "calendar %s is %.1f MiB, over gleaner's limit of %u MiB for a "
                                "calendar; export a shorter range or split it",
                                path, (double)st.st_size / (1024 * 1024),
                                GL_ICAL_MAX_BYTES / (1024 * 1024));
        if (rc == GL_ENOTFOUND)
            return gl_error_set(rc, "calendar %s does not exist; check the path in the config",
                                path);
        return gl_error_prefix("calendar");
    }
    rc = gl_ical_parse(text, len, path, opts, fn, payload, stats);
    free(text);
    return rc;
}

/* ----------------------------------------------------------------- feeds */

/* "https://host/path" of a URL: what messages may show (the query may be a secret). */
static void url_for_message(char *out, size_t len, const char *url)
{
    size_t n = strcspn(url, "?#");
    gl_str_excerpt(out, len, url, n, len > 8 ? len - 4 : len);
}

static char *header_value(const gl_http_response *resp, const char *name)
{
    char value[1024];

    if (!gl_http_response_header(resp, name, value, sizeof(value)) || !value[0] ||
        strlen(value) >= sizeof(value) - 1 || strpbrk(value, "\r\n"))
        return NULL; /* absent, or too long to send back whole */
    return gl_strdup(value);
}

int gl_ical_fetch(const char *url, const char *etag, const char *last_modified,
                  const gl_clock *clock, gl_ical_feed *out)
{
    gl_http_options ho = GL_HTTP_OPTIONS_INIT;
    gl_http_service *svc = NULL;
    gl_http_response *resp = NULL;
    gl_http_request req = {0};
    const char *headers[3] = {NULL, NULL, NULL};
    char *https = NULL, *h_etag = NULL, *h_since = NULL;
    char shown[256];
    int nh = 0, rc;

    memset(out, 0, sizeof(*out));
    if (!url || !*url)
        return gl_error_set(GL_EINVAL, "calendar feed: no URL");
    if (strncasecmp(url, "webcal://", 9) == 0 && !(https = gl_strdupf("https://%s", url + 9)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    url_for_message(shown, sizeof(shown), https ? https : url);

    ho.service = "ical";
    ho.base_url = https ? https : url;
    ho.follow_redirects = true;
    ho.max_body = GL_ICAL_MAX_BYTES;
    ho.clock = clock;
    if ((rc = gl_http_service_new(&svc, &ho)) < 0) {
        gl_error_prefix("calendar feed %s", shown);
        goto done;
    }
    /* Validators from an earlier answer; a CR or LF would split the header. */
    if (etag && *etag && !strpbrk(etag, "\r\n") && (h_etag = gl_strdupf("If-None-Match: %s", etag)))
        headers[nh++] = h_etag;
    if (last_modified && *last_modified && !strpbrk(last_modified, "\r\n") &&
        (h_since = gl_strdupf("If-Modified-Since: %s", last_modified)))
        headers[nh++] = h_since;
    req.method = "GET";
    req.path = "";
    req.headers = headers;
    req.raw = true;
    if ((rc = gl_http_send(&resp, svc, &req)) < 0) {
        gl_error_prefix("calendar feed %s", shown);
        goto done;
    }
    if (resp->status == 304) {
        out->not_modified = true;
    } else {
        char subject[300];
        snprintf(subject, sizeof(subject), "calendar feed %s", shown);
        if ((rc = check_calendar(resp->body, resp->body_len, subject)) < 0) {
            char ct[128] = "";
            if (gl_http_response_header(resp, "Content-Type", ct, sizeof(ct)) &&
                strncasecmp(ct, "text/html", 9) == 0)
                gl_error_set(rc,
                             "calendar feed %s answered with a web page, not a calendar (a "
                             "login or error page?); use the calendar's secret iCal address",
                             shown);
            goto done;
        }
        out->body = resp->body;
        out->body_len = resp->body_len;
        resp->body = NULL;
    }
    out->etag = header_value(resp, "ETag");
    out->last_modified = header_value(resp, "Last-Modified");
    gl_trace("ical", "feed %s: %ld, %zu bytes", shown, resp->status, out->body_len);
    rc = GL_OK;
done:
    if (rc < 0)
        gl_ical_feed_clear(out);
    gl_http_response_free(resp);
    gl_http_service_free(svc);
    free(https);
    free(h_etag);
    free(h_since);
    return rc;
}

void gl_ical_feed_clear(gl_ical_feed *feed)
{
    if (!feed)
        return;
    free(feed->body);
    free(feed->etag);
    free(feed->last_modified);
    memset(feed, 0, sizeof(*feed));
}
