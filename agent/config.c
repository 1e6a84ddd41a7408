/*
 * config.c - the key table, loading through libgit2, validation, getters.
 */
#include "config.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <git2.h>

#include "connectors/http.h"
#include "util/fs.h"
#include "util/str.h"
#include "util/tz.h"

#define R GL_CFG_RELOADABLE
#define S GL_CFG_SECRET
#define M GL_CFG_MULTI

/*
 * The one table.  contrib/gleaner.conf.example documents every row; a unit
 * test checks that each row is there, has a valid default, and that the
 * example loads.
 */
static const gl_config_key keys[] = {
    /* section, named, key, type, default, min, max, choices, flags, help */
    {"user", false, "email", GL_CFG_EMAIL, NULL, 0, 0, NULL, M | R,
     "every email address that is you in Git, calendars and Harvest"},
    {"user", false, "timezone", GL_CFG_TIMEZONE, NULL, 0, 0, NULL, R,
     "IANA zone in which days and work hours are counted (default: the system's)"},
    {"user", false, "workdays", GL_CFG_WEEKDAYS, "mon tue wed thu fri", 0, 0, NULL, R,
     "the days you normally work"},
    {"user", false, "workhours", GL_CFG_HOURS, "09:00-17:30", 0, 0, NULL, R,
     "your normal working hours"},

    {"user", false, "weekly-hours", GL_CFG_NUMBER, NULL, 0, 168, NULL, R,
     "hours you are expected to work a week (default: your Harvest weekly capacity, else 40)"},

    {"harvest", false, "account-id", GL_CFG_INT, NULL, 1, 9e15, NULL, R,
     "the Harvest account to act on (see gleaner auth harvest)"},
    {"harvest", false, "token-file", GL_CFG_PATH, NULL, 0, 0, NULL, S | R,
     "file holding a Harvest personal access token (mode 0600)"},
    {"harvest", false, "token-env", GL_CFG_ENVNAME, NULL, 0, 0, NULL, R,
     "or: environment variable holding the token"},
    {"harvest", false, "base-url", GL_CFG_URL, "https://api.harvestapp.com/v2", 0, 0, NULL, R,
     "Harvest API v2 base URL"},
    {"harvest", false, "id-url", GL_CFG_URL, "https://id.getharvest.com", 0, 0, NULL, R,
     "Harvest ID (OAuth, account list) base URL"},
    {"harvest", false, "client-id", GL_CFG_STRING, NULL, 0, 0, NULL, R,
     "OAuth client id of your Harvest ID application (for gleaner auth harvest --oauth)"},
    {"harvest", false, "client-secret-file", GL_CFG_PATH, NULL, 0, 0, NULL, S | R,
     "file holding that application's client secret (mode 0600)"},
    {"harvest", false, "timeout", GL_CFG_INT, "60", 1, 600, NULL, R,
     "seconds to wait for one answer from Harvest"},
    {"harvest", false, "contact", GL_CFG_EMAIL, NULL, 0, 0, NULL, R,
     "contact address sent in the User-Agent (default: user.email)"},

    {"google", false, "client-id", GL_CFG_STRING, NULL, 0, 0, NULL, R,
     "OAuth client id for Google Calendar (desktop app)"},
    {"google", false, "client-secret-file", GL_CFG_PATH, NULL, 0, 0, NULL, S | R,
     "file holding the Google client secret (mode 0600)"},
    {"google", false, "token-file", GL_CFG_PATH, NULL, 0, 0, NULL, S | R,
     "where gleaner keeps the Google tokens (mode 0600; default google-oauth.json beside the "
     "config)"},
    {"google", false, "base-url", GL_CFG_URL, "https://www.googleapis.com/calendar/v3", 0, 0, NULL,
     R, "Google Calendar API base URL"},
    {"google", false, "auth-url", GL_CFG_URL, "https://accounts.google.com/o/oauth2/v2/auth", 0, 0,
     NULL, R, "Google OAuth authorization endpoint"},
    {"google", false, "token-url", GL_CFG_URL, "https://oauth2.googleapis.com/token", 0, 0, NULL, R,
     "Google OAuth token endpoint"},

    {"calendar", true, "ics", GL_CFG_SOURCE, NULL, 0, 0, NULL, R,
     "an .ics file or an https:// (or webcal://) feed"},
    {"calendar", true, "google", GL_CFG_STRING, NULL, 0, 0, NULL, R,
     "or: a Google Calendar id (\"primary\")"},
    {"calendar", true, "include-all-day", GL_CFG_BOOL, "false", 0, 0, NULL, R,
     "count all-day events as work"},
    {"calendar", true, "holidays", GL_CFG_BOOL, "false", 0, 0, NULL, R,
     "every event of this calendar is time off (a public holidays feed)"},

    {"repo", true, "path", GL_CFG_PATH, NULL, 0, 0, NULL, R, "a Git working copy or repository"},

    {"git", false, "max-gap", GL_CFG_DURATION, "120m", 1, 1440, NULL, R,
     "a pause longer than this between commits starts a new session"},
    {"git", false, "lead-in", GL_CFG_DURATION, "30m", 0, 480, NULL, R,
     "time counted before a session's first commit"},
    {"git", false, "lunch-break", GL_CFG_DURATION, "0m", 0, 240, NULL, R,
     "a pause longer than this at midday (12:00-13:30) starts a new session; 0: off"},

    {"jira", false, "base-url", GL_CFG_URL, NULL, 0, 0, NULL, R,
     "your Jira Cloud site, e.g. https://acme.atlassian.net"},
    {"jira", false, "email", GL_CFG_EMAIL, NULL, 0, 0, NULL, R, "the Jira account's email"},
    {"jira", false, "token-file", GL_CFG_PATH, NULL, 0, 0, NULL, S | R,
     "file holding a Jira API token (mode 0600)"},
    {"jira", false, "token-env", GL_CFG_ENVNAME, NULL, 0, 0, NULL, R,
     "or: environment variable holding it"},

    {"xero", false, "client-id", GL_CFG_STRING, NULL, 0, 0, NULL, R, "Xero OAuth client id"},
    {"xero", false, "token-file", GL_CFG_PATH, NULL, 0, 0, NULL, S | R,
     "where gleaner keeps the Xero tokens (mode 0600)"},
    {"xero", false, "tenant-id", GL_CFG_STRING, NULL, 0, 0, NULL, R, "the Xero organisation"},
    {"xero", false, "base-url", GL_CFG_URL, "https://api.xero.com/api.xro/2.0", 0, 0, NULL, R,
     "Xero Accounting API base URL"},

    {"quickbooks", false, "client-id", GL_CFG_STRING, NULL, 0, 0, NULL, R,
     "QuickBooks OAuth client id"},
    {"quickbooks", false, "client-secret-file", GL_CFG_PATH, NULL, 0, 0, NULL, S | R,
     "file holding the QuickBooks client secret (mode 0600)"},
    {"quickbooks", false, "token-file", GL_CFG_PATH, NULL, 0, 0, NULL, S | R,
     "where gleaner keeps the QuickBooks tokens (mode 0600)"},
    {"quickbooks", false, "realm-id", GL_CFG_STRING, NULL, 0, 0, NULL, R, "the company id"},
    {"quickbooks", false, "base-url", GL_CFG_URL, "https://quickbooks.api.intuit.com", 0, 0, NULL,
     R, "QuickBooks Online API base URL"},

    {"rule", true, "source", GL_CFG_ENUM, "any", 0, 0, "calendar|git|jira|any", R,
     "which activities the rule looks at"},
    {"rule", true, "match", GL_CFG_REGEX, NULL, 0, 0, NULL, R,
     "extended regex, case-insensitive, on title, repository or branch"},
    {"rule", true, "organizer", GL_CFG_REGEX, NULL, 0, 0, NULL, R,
     "regex on the meeting organizer's email"},
    {"rule", true, "attendee-domain", GL_CFG_STRING, NULL, 0, 0, NULL, M | R,
     "a meeting with an attendee from this domain"},
    {"rule", true, "repo", GL_CFG_STRING, NULL, 0, 0, NULL, R, "a [repo] name"},
    {"rule", true, "branch", GL_CFG_REGEX, NULL, 0, 0, NULL, R, "regex on the branch name"},
    {"rule", true, "jira-key", GL_CFG_REGEX, NULL, 0, 0, NULL, R,
     "regex on a Jira key (\"ACME-[0-9]+\")"},
    {"rule", true, "project", GL_CFG_STRING, NULL, 0, 0, NULL, R,
     "Harvest project: id, code or name"},
    {"rule", true, "task", GL_CFG_STRING, NULL, 0, 0, NULL, R, "Harvest task: id or name"},

    {"propose", false, "round", GL_CFG_NUMBER, "0.25", 0.01, 8, NULL, R,
     "hours are rounded up to a multiple of this"},
    {"propose", false, "auto-accept", GL_CFG_NUMBER, NULL, 0, 1, NULL, R,
     "accept proposals at or above this confidence without review"},
    {"propose", false, "min-confidence", GL_CFG_NUMBER, "0.5", 0, 1, NULL, R,
     "below this the classifier says unassigned instead of guessing"},

    {"gaps", false, "out-of-office", GL_CFG_REGEX,
     "out of office|^ooo|vacation|holiday|annual leave|^pto|sick|urlaub|feiertag", 0, 0, NULL, R,
     "regex: all-day events with such a title are time off"},

    {"budget", false, "thresholds", GL_CFG_INTLIST, "75 90 100", 1, 1000, NULL, R,
     "alert when a project budget reaches these percentages"},

    {"milestone", true, "project", GL_CFG_STRING, NULL, 0, 0, NULL, R,
     "Harvest project: id, code or name"},
    {"milestone", true, "when", GL_CFG_STRING, NULL, 0, 0, NULL, R,
     "monthly | hours >= N | budget >= N | sprint-closed"},
    {"milestone", true, "send", GL_CFG_BOOL, "false", 0, 0, NULL, R,
     "send the invoice instead of leaving a draft"},
    {"milestone", true, "summary", GL_CFG_ENUM, "project", 0, 0, "project|task|people|detailed", R,
     "how tracked time is grouped into invoice lines"},
    {"milestone", true, "recipient", GL_CFG_EMAIL, NULL, 0, 0, NULL, M | R,
     "with send = true: who Harvest emails the invoice to (repeatable)"},

    {"nudge", false, "at", GL_CFG_CLOCK, "17:30", 0, 0, NULL, R,
     "when to remind you of the day's gap"},
    {"nudge", false, "min-gap", GL_CFG_NUMBER, "0.5", 0, 24, NULL, R,
     "only nudge when this many hours are missing"},

    {"notify", false, "slack-webhook-file", GL_CFG_PATH, NULL, 0, 0, NULL, S | R,
     "file holding a Slack incoming-webhook URL (mode 0600)"},
    {"notify", false, "slack-token-file", GL_CFG_PATH, NULL, 0, 0, NULL, S | R,
     "or: file holding a Slack bot token (mode 0600)"},
    {"notify", false, "slack-channel", GL_CFG_STRING, NULL, 0, 0, NULL, R,
     "channel for messages sent with the bot token"},
    {"notify", false, "slack-api-url", GL_CFG_URL, "https://slack.com/api", 0, 0, NULL, R,
     "Slack's Web API (tests point it at a fake)"},
    {"notify", false, "email", GL_CFG_EMAIL, NULL, 0, 0, NULL, M | R, "send notices here"},

    {"smtp", false, "url", GL_CFG_MAILURL, NULL, 0, 0, NULL, R,
     "smtps://host:465 or smtp://host:587 (STARTTLS)"},
    {"smtp", false, "from", GL_CFG_EMAIL, NULL, 0, 0, NULL, R, "sender address"},
    {"smtp", false, "user", GL_CFG_STRING, NULL, 0, 0, NULL, R, "SMTP login"},
    {"smtp", false, "password-file", GL_CFG_PATH, NULL, 0, 0, NULL, S | R,
     "file holding the SMTP password (mode 0600)"},

    {"report", false, "at", GL_CFG_WEEKLY, "fri 16:00", 0, 0, NULL, R,
     "when the daemon sends the weekly report"},
    {"report", false, "to", GL_CFG_EMAIL, NULL, 0, 0, NULL, M | R, "weekly report recipients"},
    {"report", false, "threshold", GL_CFG_NUMBER, "90", 0, 100, NULL, R,
     "people under this compliance percentage are listed first"},
    {"report", false, "remind", GL_CFG_BOOL, "false", 0, 0, NULL, R,
     "also send a friendly reminder to each person who is behind"},

    {"person", true, "email", GL_CFG_EMAIL, NULL, 0, 0, NULL, R, "the person's email"},
    {"person", true, "harvest-id", GL_CFG_INT, NULL, 1, 9e15, NULL, R, "Harvest user id"},
    {"person", true, "jira-account", GL_CFG_STRING, NULL, 0, 0, NULL, R, "Jira account id"},
    {"person", true, "slack-id", GL_CFG_STRING, NULL, 0, 0, NULL, R, "Slack member id"},

    {"daemon", false, "collect-every", GL_CFG_DURATION, "15m", 1, 1440, NULL, R,
     "how often the daemon collects and proposes"},
    {"daemon", false, "sync-every", GL_CFG_DURATION, "30m", 1, 1440, NULL, R,
     "how often the daemon mirrors Harvest"},

    {"store", false, "path", GL_CFG_PATH, NULL, 0, 0, NULL, 0,
     "the SQLite store (default $XDG_DATA_HOME/gleaner/gleaner.db)"},

    {"log", false, "level", GL_CFG_ENUM, "warn", 0, 0, "error|warn|info|debug", R,
     "how much the daemon logs"},
    {"log", false, "trace", GL_CFG_STRING, NULL, 0, 0, NULL, R,
     "trace categories, as GLEANER_TRACE (\"harvest,http\")"},
};

#undef R
#undef S
#undef M

/* Split "a.b.c.d" into section "a", subsection "b.c" (or NULL) and key "d". */
typedef struct split_name {
    char section[64];
    char sub[256];
    bool has_sub;
    char key[64];
} split_name;

/* Values given for one full name ("rule.standups.match"), in file order. */
typedef struct group {
    char *name;       /* as libgit2 spells it: lowercase section and key, subsection as written */
    split_name parts; /* `name` split once, for lookups */
    const gl_config_key *key;
    char **values;
    size_t n;
} group;

typedef struct section_names {
    const char *section; /* from the table */
    char **names;
    size_t n;
} section_names;

struct gl_config {
    char *path;
    bool exists;
    group *groups;
    size_t ngroups;
    section_names *sections;
    size_t nsections;
    char **secret_paths;
    char **secret_keys;
    size_t nsecrets;
};

const gl_config_key *gl_config_keys(size_t *n)
{
    *n = sizeof(keys) / sizeof(keys[0]);
    return keys;
}

/* -------------------------------------------------------------- names */

static int split(split_name *out, const char *name)
{
    const char *first = strchr(name, '.'), *last = strrchr(name, '.');
    size_t n;

    memset(out, 0, sizeof(*out));
    if (!first || !last || first == name || !last[1])
        return GL_EINVAL;
    n = (size_t)(first - name);
    if (n >= sizeof(out->section) || strlen(last + 1) >= sizeof(out->key))
        return GL_EINVAL;
    for (size_t i = 0; i < n; i++)
        out->section[i] = (char)tolower((unsigned char)name[i]);
    for (size_t i = 0; last[1 + i]; i++)
        out->key[i] = (char)tolower((unsigned char)last[1 + i]);
    if (last > first) {
        n = (size_t)(last - first - 1);
        if (n >= sizeof(out->sub))
            return GL_EINVAL;
        memcpy(out->sub, first + 1, n);
        out->has_sub = true;
    }
    return GL_OK;
}

static const gl_config_key *find_row(const char *section, const char *key)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].key, key) == 0)
            return &keys[i];
    return NULL;
}

const gl_config_key *gl_config_find_key(const char *name)
{
    split_name sn;
    const gl_config_key *k;

    if (split(&sn, name) < 0)
        return NULL;
    k = find_row(sn.section, sn.key);
    return k && k->named == sn.has_sub ? k : NULL;
}

static bool section_known(const char *section, bool *named)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(keys[i].section, section) == 0) {
            *named = keys[i].named;
            return true;
        }
    }
    return false;
}

/* The closest "section.key" to an unknown one, for "did you mean". */
static const char *suggest(const split_name *sn)
{
    static _Thread_local char best_name[160];
    int best = 4;
    char want[160], have[160];

    snprintf(want, sizeof(want), "%s.%s", sn->section, sn->key);
    best_name[0] = '\0';
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        int d;
        snprintf(have, sizeof(have), "%s.%s", keys[i].section, keys[i].key);
        d = gl_str_distance(want, have);
        /* Also match a key that only lacks its "-file" style suffix. */
        if (strcmp(keys[i].section, sn->section) == 0 && gl_str_starts_with(keys[i].key, sn->key))
            d = d < 3 ? d : 3;
        if (d < best) {
            best = d;
            if (keys[i].named)
                snprintf(best_name, sizeof(best_name), "%s.<name>.%s", keys[i].section,
                         keys[i].key);
            else
                snprintf(best_name, sizeof(best_name), "%s", have);
        }
    }
    return best_name[0] ? best_name : NULL;
}

/* -------------------------------------------------------------- parsers */

int gl_config_parse_bool(bool *out, const char *v)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};

    if (!v) { /* a bare key, as in git */
        *out = true;
        return GL_OK;
    }
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return GL_OK;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = false;
            return GL_OK;
        }
    }
    return GL_EINVAL;
}

int gl_config_parse_minutes(int *out, const char *v)
{
    long total = 0, num = -1;
    bool unit_seen = false;

    if (!v || !*v)
        return GL_EINVAL;
    for (const char *p = v; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            num = (num < 0 ? 0 : num) * 10 + (*p - '0');
            if (num > 100000)
                return GL_EINVAL;
        } else if ((*p == 'h' || *p == 'm') && num >= 0) {
            total += *p == 'h' ? num * 60 : num;
            num = -1;
            unit_seen = true;
        } else if (*p != ' ') {
            return GL_EINVAL;
        }
    }
    if (num >= 0) {
        if (unit_seen)
            return GL_EINVAL; /* "1h30" is ambiguous: write 1h30m */
        total = num;
    }
    if (total > 100000)
        return GL_EINVAL;
    *out = (int)total;
    return GL_OK;
}

int gl_config_parse_clock(int *minutes_out, const char *v)
{
    int h, m;

    if (!v || strlen(v) != 5 || !isdigit((unsigned char)v[0]) || !isdigit((unsigned char)v[1]) ||
        v[2] != ':' || !isdigit((unsigned char)v[3]) || !isdigit((unsigned char)v[4]))
        return GL_EINVAL;
    h = (v[0] - '0') * 10 + (v[1] - '0');
    m = (v[3] - '0') * 10 + (v[4] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0))
        return GL_EINVAL;
    *minutes_out = h * 60 + m;
    return GL_OK;
}

int gl_config_parse_hours(int *start_min, int *end_min, const char *v)
{
    char a[6], b[6];

    if (!v || strlen(v) != 11 || v[5] != '-')
        return GL_EINVAL;
    memcpy(a, v, 5);
    a[5] = '\0';
    memcpy(b, v + 6, 5);
    b[5] = '\0';
    if (gl_config_parse_clock(start_min, a) < 0 || gl_config_parse_clock(end_min, b) < 0 ||
        *end_min <= *start_min)
        return GL_EINVAL;
    return GL_OK;
}

static int weekday_index(const char *word, size_t n)
{
    static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    static const char *const long_days[] = {"sunday",   "monday", "tuesday", "wednesday",
                                            "thursday", "friday", "saturday"};
    for (int i = 0; i < 7; i++)
        if ((n == 3 && strncasecmp(word, days[i], 3) == 0) ||
            (n == strlen(long_days[i]) && strncasecmp(word, long_days[i], n) == 0))
            return i;
    return -1;
}

int gl_config_parse_weekdays(unsigned *mask_out, const char *v)
{
    unsigned mask = 0;
    const char *p = v;

    if (!v)
        return GL_EINVAL;
    while (*p) {
        size_t n;
        int d;
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (!*p)
            break;
        n = strcspn(p, " ,\t");
        if ((d = weekday_index(p, n)) < 0)
            return GL_EINVAL;
        mask |= 1u << d;
        p += n;
    }
    if (!mask)
        return GL_EINVAL;
    *mask_out = mask;
    return GL_OK;
}

int gl_config_parse_weekly(int *weekday, int *minutes, const char *v)
{
    const char *sp;

    if (!v || !(sp = strchr(v, ' ')))
        return GL_EINVAL;
    if ((*weekday = weekday_index(v, (size_t)(sp - v))) < 0)
        return GL_EINVAL;
    while (*sp == ' ')
        sp++;
    return gl_config_parse_clock(minutes, sp);
}

int gl_config_parse_intlist(int *out, size_t max, size_t *n, const char *v)
{
    const char *p = v;
    *n = 0;

    if (!v)
        return GL_EINVAL;
    while (*p) {
        char word[32];
        size_t len;
        int64_t x;
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (!*p)
            break;
        len = strcspn(p, " ,\t");
        if (len >= sizeof(word) || *n == max)
            return GL_EINVAL;
        memcpy(word, p, len);
        word[len] = '\0';
        if (gl_parse_int64(&x, word) < 0 || x < -1000000000 || x > 1000000000)
            return GL_EINVAL;
        out[(*n)++] = (int)x;
        p += len;
    }
    return *n ? GL_OK : GL_EINVAL;
}

static bool valid_email(const char *v)
{
    const char *at = strchr(v, '@');
    if (!at || at == v || !at[1] || strchr(at + 1, '@'))
        return false;
    for (const char *p = v; *p; p++)
        if (isspace((unsigned char)*p) || *p == '<' || *p == '>' || *p == ',')
            return false;
    return true;
}

static bool valid_envname(const char *v)
{
    if (!(isalpha((unsigned char)v[0]) || v[0] == '_'))
        return false;
    for (const char *p = v; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return false;
    return true;
}

/*
 * Check `value` for `k`; on success *stored is the value to keep (expanded
 * paths, webcal:// as https://).  On failure sets a message naming `name`.
 */
static int check_value(char **stored, const gl_config_key *k, const char *name, const char *value)
{
    int64_t i64;
    double d;
    bool b;
    int a, c, rc = GL_OK;
    unsigned mask;
    size_t n;
    int list[32];
    char *v = NULL;

    *stored = NULL;
    if (!value && k->type != GL_CFG_BOOL)
        return gl_error_set(GL_ECONFIG, "%s has no value (write %s = ...)", name, k->key);
    if (value && strlen(value) > 4096)
        return gl_error_set(GL_ECONFIG, "%s: value longer than 4096 characters", name);
    switch (k->type) {
    case GL_CFG_STRING:
        if (!*value)
            rc = gl_error_set(GL_ECONFIG, "%s is empty", name);
        break;
    case GL_CFG_INT:
        if (gl_parse_int64(&i64, value) < 0)
            rc = gl_error_set(GL_ECONFIG, "%s = '%s' is not a whole number", name, value);
        else if ((double)i64 < k->min || (double)i64 > k->max)
            rc = gl_error_set(GL_ECONFIG, "%s = %s is out of range (%.0f to %.0f)", name, value,
                              k->min, k->max);
        break;
    case GL_CFG_NUMBER:
        if (gl_parse_double(&d, value) < 0)
            rc = gl_error_set(GL_ECONFIG, "%s = '%s' is not a number", name, value);
        else if (d < k->min || d > k->max)
            rc = gl_error_set(GL_ECONFIG, "%s = %s is out of range (%g to %g)", name, value, k->min,
                              k->max);
        break;
    case GL_CFG_BOOL:
        if (gl_config_parse_bool(&b, value) < 0)
            rc = gl_error_set(GL_ECONFIG, "%s = '%s' is not true or false", name, value);
        break;
    case GL_CFG_PATH:
        if (!*value)
            rc = gl_error_set(GL_ECONFIG, "%s is empty", name);
        else if ((rc = gl_fs_expand_home(&v, value)) < 0)
            gl_error_prefix("%s", name);
        break;
    case GL_CFG_URL:
        rc = gl_http_check_url(value, name);
        break;
    case GL_CFG_SOURCE:
        if (strncasecmp(value, "webcal://", 9) == 0) {
            v = gl_strdupf("https://%s", value + 9);
            if (!v)
                rc = gl_error_set(GL_ENOMEM, "out of memory");
            else
                rc = gl_http_check_url(v, name);
        } else if (strstr(value, "://")) {
            rc = gl_http_check_url(value, name);
        } else if (!*value) {
            rc = gl_error_set(GL_ECONFIG, "%s is empty", name);
        } else if ((rc = gl_fs_expand_home(&v, value)) < 0) {
            gl_error_prefix("%s", name);
        }
        break;
    case GL_CFG_MAILURL: {
        /* A login in the URL would put a password in the config (and in this very message). */
        const char *authority = strstr(value, "://"), *at;
        authority = authority ? authority + 3 : value;
        at = strchr(authority, '@');
        if (at && (!strchr(authority, '/') || at < strchr(authority, '/'))) {
            rc = gl_error_set(GL_ECONFIG,
                              "%s holds a login: give the user as smtp.user and the password in "
                              "smtp.password-file (mode 0600), never in the config itself",
                              name);
            break;
        }
        if (!((strncasecmp(value, "smtps://", 8) == 0 && value[8]) ||
              (strncasecmp(value, "smtp://", 7) == 0 && value[7])))
            rc = gl_error_set(GL_ECONFIG,
                              "%s = '%s': use smtps://host:465 or smtp://host:587 (STARTTLS)", name,
                              value);
        break;
    }
    case GL_CFG_EMAIL:
        if (!valid_email(value))
            rc = gl_error_set(GL_ECONFIG, "%s = '%s' is not an email address", name, value);
        break;
    case GL_CFG_TIMEZONE:
        if (!gl_tz_valid(value))
            rc = gl_error_set(GL_ECONFIG,
                              "%s = '%s' is not a known time zone; use an IANA name such as "
                              "Europe/Berlin or America/New_York",
                              name, value);
        break;
    case GL_CFG_DURATION:
        if (gl_config_parse_minutes(&a, value) < 0)
            rc = gl_error_set(GL_ECONFIG, "%s = '%s' is not a duration (e.g. 90m, 2h, 1h30m)", name,
                              value);
        else if (a < k->min || a > k->max)
            rc = gl_error_set(GL_ECONFIG, "%s = %s is out of range (%.0f to %.0f minutes)", name,
                              value, k->min, k->max);
        break;
    case GL_CFG_CLOCK:
        if (gl_config_parse_clock(&a, value) < 0)
            rc = gl_error_set(GL_ECONFIG, "%s = '%s' is not a time of day (HH:MM)", name, value);
        break;
    case GL_CFG_HOURS:
        if (gl_config_parse_hours(&a, &c, value) < 0)
            rc = gl_error_set(GL_ECONFIG, "%s = '%s' is not a range of hours (e.g. 09:00-17:30)",
                              name, value);
        break;
    case GL_CFG_WEEKDAYS:
        if (gl_config_parse_weekdays(&mask, value) < 0)
            rc = gl_error_set(GL_ECONFIG, "%s = '%s' is not a list of days (e.g. mon tue wed)",
                              name, value);
        break;
    case GL_CFG_WEEKLY:
        if (gl_config_parse_weekly(&a, &c, value) < 0)
            rc = gl_error_set(GL_ECONFIG, "%s = '%s' is not a day and time (e.g. fri 16:00)", name,
                              value);
        break;
    case GL_CFG_REGEX: {
        regex_t re;
        int err = regcomp(&re, value, REG_EXTENDED | REG_ICASE | REG_NOSUB);
        if (err) {
            char why[128];
            regerror(err, &re, why, sizeof(why));
            rc = gl_error_set(GL_ECONFIG, "%s = '%s' is not a valid regex: %s", name, value, why);
        } else {
            regfree(&re);
        }
        break;
    }
    case GL_CFG_ENUM: {
        const char *p = k->choices;
        size_t len = strlen(value);
        bool found = false;
        while (p && *p) {
            size_t m = strcspn(p, "|");
            if (m == len && strncasecmp(p, value, m) == 0)
                found = true;
            p += m + (p[m] == '|');
        }
        if (!found)
            rc = gl_error_set(GL_ECONFIG, "%s = '%s' must be one of: %s", name, value, k->choices);
        break;
    }
    case GL_CFG_INTLIST:
        if (gl_config_parse_intlist(list, 32, &n, value) < 0) {
            rc = gl_error_set(GL_ECONFIG, "%s = '%s' is not a list of whole numbers", name, value);
            break;
        }
        for (size_t i = 0; i < n; i++)
            if (list[i] < k->min || list[i] > k->max)
                rc = gl_error_set(GL_ECONFIG, "%s: %d is out of range (%.0f to %.0f)", name,
                                  list[i], k->min, k->max);
        break;
    case GL_CFG_ENVNAME:
        if (!valid_envname(value))
            rc = gl_error_set(GL_ECONFIG, "%s = '%s' is not an environment variable name", name,
                              value);
        break;
    }
    if (rc < 0) {
        free(v);
        return rc;
    }
    if (!v && !(v = gl_strdup(value ? value : "true")))
        return gl_error_set(GL_ENOMEM, "out of memory");
    *stored = v;
    return GL_OK;
}

int gl_config_check_value(const char *name, const char *value)
{
    const gl_config_key *k = gl_config_find_key(name);
    char *stored = NULL;
    int rc;

    if (!k)
        return gl_error_set(GL_ECONFIG, "%s is not a configuration key", name);
    rc = check_value(&stored, k, name, value);
    free(stored);
    return rc;
}

/* --------------------------------------------------------------- load */

int gl_config_path(char **out, bool *explicit_out, const char *override)
{
    const char *env = getenv("GLEANER_CONFIG");

    *out = NULL;
    *explicit_out = true;
    if (override && *override)
        return gl_fs_expand_home(out, override);
    if (env && *env)
        return gl_fs_expand_home(out, env);
    *explicit_out = false;
    return gl_fs_xdg_path(out, "XDG_CONFIG_HOME", ".config", "gleaner/config");
}

static group *find_group(const gl_config *cfg, const char *name)
{
    split_name want;

    if (split(&want, name) < 0)
        return NULL;
    for (size_t i = 0; i < cfg->ngroups; i++) {
        const split_name *have = &cfg->groups[i].parts;
        if (strcmp(want.section, have->section) == 0 && strcmp(want.key, have->key) == 0 &&
            want.has_sub == have->has_sub && strcmp(want.sub, have->sub) == 0)
            return &cfg->groups[i];
    }
    return NULL;
}

static int add_value(gl_config *cfg, const char *name, const gl_config_key *k, char *value)
{
    group *g = find_group(cfg, name);
    char **values;

    if (!g) {
        group *grown = realloc(cfg->groups, (cfg->ngroups + 1) * sizeof(*grown));
        if (!grown)
            return gl_error_set(GL_ENOMEM, "out of memory");
        cfg->groups = grown;
        g = &cfg->groups[cfg->ngroups];
        memset(g, 0, sizeof(*g));
        if (!(g->name = gl_strdup(name)))
            return gl_error_set(GL_ENOMEM, "out of memory");
        split(&g->parts, name); /* cannot fail: check_entry split it already */
        g->key = k;
        cfg->ngroups++;
    }
    if (!(values = realloc(g->values, (g->n + 1) * sizeof(*values))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    g->values = values;
    g->values[g->n++] = value;
    return GL_OK;
}

static int add_section_name(gl_config *cfg, const char *section, const char *sub)
{
    section_names *s = NULL;
    char **names;

    for (size_t i = 0; i < cfg->nsections; i++)
        if (strcmp(cfg->sections[i].section, section) == 0)
            s = &cfg->sections[i];
    if (!s) {
        section_names *grown = realloc(cfg->sections, (cfg->nsections + 1) * sizeof(*grown));
        const gl_config_key *row = NULL;
        if (!grown)
            return gl_error_set(GL_ENOMEM, "out of memory");
        cfg->sections = grown;
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !row; i++)
            if (strcmp(keys[i].section, section) == 0)
                row = &keys[i];
        s = &cfg->sections[cfg->nsections++];
        s->section = row->section;
        s->names = NULL;
        s->n = 0;
    }
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->names[i], sub) == 0)
            return GL_OK;
    if (!(names = realloc(s->names, (s->n + 1) * sizeof(*names))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    s->names = names;
    if (!(s->names[s->n] = gl_strdup(sub)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    s->n++;
    return GL_OK;
}

/* libgit2 says "failed to parse config file: X (in PATH:N, column C)"; keep "X (line N)". */
static int syntax_error(const char *path)
{
    const git_error *e = git_error_last();
    const char *msg = e && e->message ? e->message : "cannot be parsed";
    const char *prefix = "failed to parse config file: ";
    const char *in;
    char line[32] = "";
    char clean[512];

    if (gl_str_starts_with(msg, prefix))
        msg += strlen(prefix);
    snprintf(clean, sizeof(clean), "%s", msg);
    if ((in = strstr(clean, " (in ")) != NULL) {
        const char *colon = strrchr(in, ':');
        if (colon) {
            int64_t n;
            char digits[16] = "";
            size_t len = strspn(colon + 1, "0123456789");
            if (len > 0 && len < sizeof(digits)) {
                memcpy(digits, colon + 1, len);
                if (gl_parse_int64(&n, digits) == GL_OK)
                    snprintf(line, sizeof(line), " (line %lld)", (long long)n);
            }
        }
        clean[in - clean] = '\0';
    }
    return gl_error_set(GL_ECONFIG, "%s: syntax error: %s%s", path, clean, line);
}

static int check_entry(gl_config *cfg, const char *name, const char *value)
{
    split_name sn;
    const gl_config_key *k;
    bool named = false;
    const char *hint;
    char *stored = NULL;
    int rc;

    if (split(&sn, name) < 0)
        return gl_error_set(GL_ECONFIG, "'%s' is not a valid key", name);
    /* git's own include mechanism, handled by libgit2 */
    if (strcmp(sn.section, "include") == 0 || strcmp(sn.section, "includeif") == 0)
        return GL_OK;
    if (!section_known(sn.section, &named)) {
        hint = suggest(&sn);
        return gl_error_set(GL_ECONFIG, "unknown section [%s] (key %s)%s%s%s", sn.section, name,
                            hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "");
    }
    if (named && !sn.has_sub)
        return gl_error_set(GL_ECONFIG, "[%s] needs a name, as in [%s \"work\"] (key %s)",
                            sn.section, sn.section, name);
    if (!named && sn.has_sub)
        return gl_error_set(GL_ECONFIG, "[%s \"%s\"]: [%s] takes no name; write [%s]", sn.section,
                            sn.sub, sn.section, sn.section);
    if (!(k = find_row(sn.section, sn.key))) {
        hint = suggest(&sn);
        if (strcmp(sn.key, "token") == 0 || strcmp(sn.key, "password") == 0 ||
            strcmp(sn.key, "secret") == 0 || strcmp(sn.key, "client-secret") == 0)
            return gl_error_set(GL_ECONFIG,
                                "unknown key %s: secrets never go in the config file; put it in a "
                                "file (chmod 600) and name that file with %s.%s-file",
                                name, sn.section, sn.key);
        return gl_error_set(GL_ECONFIG, "unknown key %s%s%s%s", name, hint ? "; did you mean " : "",
                            hint ? hint : "", hint ? "?" : "");
    }
    if ((rc = check_value(&stored, k, name, value)) < 0)
        return rc;
    if ((rc = add_value(cfg, name, k, stored)) < 0) {
        free(stored);
        return rc;
    }
    if (sn.has_sub && (rc = add_section_name(cfg, sn.section, sn.sub)) < 0)
        return rc;
    return GL_OK;
}

static int check_whole(gl_config *cfg, bool check_secrets)
{
    static const char *const either[][2] = {
        {"harvest.token-file", "harvest.token-env"},
        {"jira.token-file", "jira.token-env"},
    };
    int rc;

    for (size_t i = 0; i < cfg->ngroups; i++) {
        group *g = &cfg->groups[i];
        if (g->n > 1 && !(g->key->flags & GL_CFG_MULTI))
            return gl_error_set(GL_ECONFIG, "%s is set %zu times; give it once", g->name, g->n);
    }
    for (size_t i = 0; i < sizeof(either) / sizeof(either[0]); i++)
        if (gl_config_is_set(cfg, either[i][0]) && gl_config_is_set(cfg, either[i][1]))
            return gl_error_set(GL_ECONFIG, "set either %s or %s, not both", either[i][0],
                                either[i][1]);
    for (size_t i = 0; i < cfg->nsections; i++) {
        section_names *s = &cfg->sections[i];
        for (size_t j = 0; j < s->n; j++) {
            char a[320], b[320];
            if (strcmp(s->section, "calendar") == 0) {
                snprintf(a, sizeof(a), "calendar.%s.ics", s->names[j]);
                snprintf(b, sizeof(b), "calendar.%s.google", s->names[j]);
                if (gl_config_is_set(cfg, a) == gl_config_is_set(cfg, b))
                    return gl_error_set(GL_ECONFIG,
                                        "[calendar \"%s\"] needs exactly one of ics = FILE-OR-URL "
                                        "or google = CALENDAR-ID",
                                        s->names[j]);
            } else if (strcmp(s->section, "repo") == 0) {
                snprintf(a, sizeof(a), "repo.%s.path", s->names[j]);
                if (!gl_config_is_set(cfg, a))
                    return gl_error_set(GL_ECONFIG, "[repo \"%s\"] needs path = DIRECTORY",
                                        s->names[j]);
            } else if (strcmp(s->section, "rule") == 0) {
                snprintf(a, sizeof(a), "rule.%s.project", s->names[j]);
                if (!gl_config_is_set(cfg, a))
                    return gl_error_set(
                        GL_ECONFIG, "[rule \"%s\"] needs project = a Harvest project", s->names[j]);
            }
        }
    }
    /* Secret files: refused when others can read them, wherever they are used. */
    for (size_t i = 0; check_secrets && i < cfg->nsecrets; i++) {
        rc = gl_fs_check_secret(cfg->secret_paths[i], cfg->secret_keys[i]);
        if (rc == GL_ENOTFOUND) {
            gl_error_clear(); /* not created yet: doctor reports it */
            continue;
        }
        if (rc < 0)
            return rc;
    }
    return GL_OK;
}

static int add_secret(gl_config *cfg, const char *key_name, const char *path)
{
    char **paths = realloc(cfg->secret_paths, (cfg->nsecrets + 1) * sizeof(*paths));
    char **names;

    if (!paths)
        return gl_error_set(GL_ENOMEM, "out of memory");
    cfg->secret_paths = paths;
    if (!(names = realloc(cfg->secret_keys, (cfg->nsecrets + 1) * sizeof(*names))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    cfg->secret_keys = names;
    paths[cfg->nsecrets] = gl_strdup(path);
    names[cfg->nsecrets] = gl_strdup(key_name);
    if (!paths[cfg->nsecrets] || !names[cfg->nsecrets]) {
        free(paths[cfg->nsecrets]);
        free(names[cfg->nsecrets]);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    cfg->nsecrets++;
    return GL_OK;
}

static int collect_secrets(gl_config *cfg)
{
    int rc;

    for (size_t i = 0; i < cfg->ngroups; i++) {
        group *g = &cfg->groups[i];
        if ((g->key->flags & GL_CFG_SECRET) &&
            (rc = add_secret(cfg, g->name, g->values[g->n - 1])) < 0)
            return rc;
    }
    return GL_OK;
}

int gl_config_defaults(gl_config **out)
{
    gl_config *cfg = calloc(1, sizeof(*cfg));
    if (!cfg)
        return gl_error_set(GL_ENOMEM, "out of memory");
    *out = cfg;
    return GL_OK;
}

int gl_config_load(gl_config **out, const char *path, unsigned flags)
{
    gl_config *cfg = NULL;
    git_config *gcfg = NULL;
    git_config_iterator *it = NULL;
    git_config_entry *entry;
    int rc, grc;

    *out = NULL;
    if ((rc = gl_config_defaults(&cfg)) < 0)
        return rc;
    if (!(cfg->path = gl_strdup(path))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    if (!gl_fs_exists(path)) {
        if (flags & GL_CONFIG_MUST_EXIST) {
            rc =
                gl_error_set(GL_ENOTFOUND,
                             "config file %s does not exist (create one with: gleaner init)", path);
            goto done;
        }
        rc = collect_secrets(cfg);
        goto done;
    }
    if (gl_fs_is_dir(path)) {
        rc = gl_error_set(GL_ECONFIG, "%s is a directory, not a config file", path);
        goto done;
    }
    cfg->exists = true;
    git_libgit2_init();
    if (git_config_open_ondisk(&gcfg, path) < 0) {
        rc = syntax_error(path);
        goto shutdown;
    }
    if (git_config_iterator_new(&it, gcfg) < 0) {
        rc = syntax_error(path);
        goto shutdown;
    }
    while ((grc = git_config_next(&entry, it)) == 0) {
        if ((rc = check_entry(cfg, entry->name, entry->value)) < 0) {
            gl_error_prefix("%s", path);
            goto shutdown;
        }
    }
    if (grc != GIT_ITEROVER) {
        rc = syntax_error(path);
        goto shutdown;
    }
    if ((rc = collect_secrets(cfg)) < 0)
        goto shutdown;
    if ((rc = check_whole(cfg, !(flags & GL_CONFIG_SKIP_SECRETS))) < 0) {
        if (rc == GL_ECONFIG)
            gl_error_prefix("%s", path);
        goto shutdown;
    }
    rc = GL_OK;
shutdown:
    git_config_iterator_free(it);
    git_config_free(gcfg);
    git_libgit2_shutdown();
done:
    if (rc < 0) {
        gl_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return GL_OK;
}

void gl_config_free(gl_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->ngroups; i++) {
        for (size_t j = 0; j < cfg->groups[i].n; j++)
            free(cfg->groups[i].values[j]);
        free(cfg->groups[i].values);
        free(cfg->groups[i].name);
    }
    for (size_t i = 0; i < cfg->nsections; i++) {
        for (size_t j = 0; j < cfg->sections[i].n; j++)
            free(cfg->sections[i].names[j]);
        free(cfg->sections[i].names);
    }
    for (size_t i = 0; i < cfg->nsecrets; i++) {
        free(cfg->secret_paths[i]);
        free(cfg->secret_keys[i]);
    }
    free(cfg->secret_paths);
    free(cfg->secret_keys);
    free(cfg->groups);
    free(cfg->sections);
    free(cfg->path);
    free(cfg);
}

/* ------------------------------------------------------------- getters */

const char *gl_config_file(const gl_config *cfg)
{
    return cfg->path;
}

bool gl_config_file_exists(const gl_config *cfg)
{
    return cfg->exists;
}

bool gl_config_is_set(const gl_config *cfg, const char *name)
{
    return find_group(cfg, name) != NULL;
}

const char *gl_config_get(const gl_config *cfg, const char *name)
{
    const group *g = find_group(cfg, name);
    const gl_config_key *k;

    if (g)
        return g->values[g->n - 1];
    k = gl_config_find_key(name);
    return k ? k->def : NULL;
}

size_t gl_config_get_all(const gl_config *cfg, const char *name, const char *const **values)
{
    const group *g = find_group(cfg, name);
    const gl_config_key *k;

    if (g) {
        *values = (const char *const *)g->values;
        return g->n;
    }
    k = gl_config_find_key(name);
    if (k && k->def) {
        *values = &k->def; /* one value: the default */
        return 1;
    }
    *values = NULL;
    return 0;
}

static int unset(const char *name)
{
    return gl_error_set(GL_ENOTFOUND, "%s is not set", name);
}

int gl_config_get_int(const gl_config *cfg, const char *name, int64_t *out)
{
    const char *v = gl_config_get(cfg, name);
    if (!v)
        return unset(name);
    if (gl_parse_int64(out, v) < 0)
        return gl_error_set(GL_ECONFIG, "%s = '%s' is not a whole number", name, v);
    return GL_OK;
}

int gl_config_get_number(const gl_config *cfg, const char *name, double *out)
{
    const char *v = gl_config_get(cfg, name);
    if (!v)
        return unset(name);
    if (gl_parse_double(out, v) < 0)
        return gl_error_set(GL_ECONFIG, "%s = '%s' is not a number", name, v);
    return GL_OK;
}

int gl_config_get_bool(const gl_config *cfg, const char *name, bool *out)
{
    const char *v = gl_config_get(cfg, name);
    if (!v)
        return unset(name);
    if (gl_config_parse_bool(out, v) < 0)
        return gl_error_set(GL_ECONFIG, "%s = '%s' is not true or false", name, v);
    return GL_OK;
}

int gl_config_get_minutes(const gl_config *cfg, const char *name, int *out)
{
    const char *v = gl_config_get(cfg, name);
    if (!v)
        return unset(name);
    if (gl_config_parse_minutes(out, v) < 0)
        return gl_error_set(GL_ECONFIG, "%s = '%s' is not a duration", name, v);
    return GL_OK;
}

size_t gl_config_sections(const gl_config *cfg, const char *section, const char *const **names)
{
    for (size_t i = 0; i < cfg->nsections; i++) {
        if (strcmp(cfg->sections[i].section, section) == 0) {
            *names = (const char *const *)cfg->sections[i].names;
            return cfg->sections[i].n;
        }
    }
    *names = NULL;
    return 0;
}

size_t gl_config_secret_files(const gl_config *cfg, const char *const **paths,
                              const char *const **keys_out)
{
    *paths = (const char *const *)cfg->secret_paths;
    *keys_out = (const char *const *)cfg->secret_keys;
    return cfg->nsecrets;
}

/* --------------------------------------------------------------- writing */

/*
 * Both go through libgit2, which keeps the rest of the file - comments,
 * order, other sections - as the user wrote it.
 */
static int open_for_write(git_config **gcfg, const char *path)
{
    char *dir = gl_fs_dirname(path);
    int rc;

    if (!dir)
        return gl_error_set(GL_ENOMEM, "out of memory");
    rc = gl_fs_mkdirs(dir, 0700);
    free(dir);
    if (rc < 0)
        return rc;
    git_libgit2_init();
    if (git_config_open_ondisk(gcfg, path) < 0) {
        rc = syntax_error(path);
        git_libgit2_shutdown();
        return rc;
    }
    return GL_OK;
}

static void close_for_write(git_config *gcfg)
{
    git_config_free(gcfg);
    git_libgit2_shutdown();
}

int gl_config_write_value(const char *path, const char *name, const char *value)
{
    git_config *gcfg = NULL;
    int rc;

    if ((rc = gl_config_check_value(name, value)) < 0)
        return rc;
    if ((rc = open_for_write(&gcfg, path)) < 0)
        return rc;
    if (git_config_set_string(gcfg, name, value) < 0) {
        const git_error *e = git_error_last();
        rc = gl_error_set(GL_EIO, "cannot write %s to %s: %s", name, path,
                          e && e->message ? e->message : "unknown error");
    }
    close_for_write(gcfg);
    return rc;
}

int gl_config_unset_value(const char *path, const char *name)
{
    git_config *gcfg = NULL;
    int rc, grc;

    if (!gl_fs_exists(path))
        return GL_OK;
    if ((rc = open_for_write(&gcfg, path)) < 0)
        return rc;
    grc = git_config_delete_entry(gcfg, name);
    if (grc < 0 && grc != GIT_ENOTFOUND) {
        const git_error *e = git_error_last();
        rc = gl_error_set(GL_EIO, "cannot remove %s from %s: %s", name, path,
                          e && e->message ? e->message : "unknown error");
    }
    close_for_write(gcfg);
    return rc;
}
