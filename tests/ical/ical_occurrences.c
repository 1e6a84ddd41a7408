/*
 * ical_occurrences.c - print what gleaner reads from an .ics file: one JSON
 * document with every occurrence in a window, for the ical.js oracle
 * (compare.py) and the benchmark (tests/bench/bench_calendar.py).
 *
 *   ical_occurrences [--tz ZONE] [--from T] [--to T] [--me EMAIL]... [--count] FILE
 *
 * T is UTC ISO 8601 ("2026-01-01T00:00:00Z").  --count prints only
 * {"occurrences": N, ...} (the benchmark's mode: no JSON built per
 * occurrence).  Exit status: 0 read (even with skipped parts), 1 the file
 * could not be read at all, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "connectors/ical.h"
#include "util/error.h"
#include "util/tz.h"

#define MAX_ME 8

static const char *partstat_name(gl_partstat p)
{
    switch (p) {
    case GL_PARTSTAT_ACCEPTED:
        return "accepted";
    case GL_PARTSTAT_TENTATIVE:
        return "tentative";
    case GL_PARTSTAT_DECLINED:
        return "declined";
    case GL_PARTSTAT_NEEDS_ACTION:
        return "needs-action";
    case GL_PARTSTAT_DELEGATED:
        return "delegated";
    default:
        return "none";
    }
}

static int add_one(void *payload, const gl_meeting *m)
{
    json_object *list = payload, *o, *domains;

    if (!list)
        return 0;
    o = json_object_new_object();
    domains = json_object_new_array();
    json_object_object_add(o, "key", json_object_new_string(m->key));
    json_object_object_add(o, "uid", json_object_new_string(m->uid));
    json_object_object_add(o, "start", json_object_new_int64(m->start));
    json_object_object_add(o, "end", json_object_new_int64(m->end));
    json_object_object_add(o, "all_day", json_object_new_boolean(m->all_day));
    json_object_object_add(o, "recurring", json_object_new_boolean(m->recurring));
    json_object_object_add(o, "cancelled", json_object_new_boolean(m->cancelled));
    json_object_object_add(o, "title", json_object_new_string(m->title));
    json_object_object_add(o, "organizer",
                           m->organizer ? json_object_new_string(m->organizer) : NULL);
    json_object_object_add(o, "partstat", json_object_new_string(partstat_name(m->partstat)));
    json_object_object_add(o, "n_attendees", json_object_new_int64((int64_t)m->n_attendees));
    for (size_t i = 0; i < m->n_attendee_domains; i++)
        json_object_array_add(domains, json_object_new_string(m->attendee_domains[i]));
    json_object_object_add(o, "attendee_domains", domains);
    json_object_array_add(list, o);
    return 0;
}

static int by_key(const void *a, const void *b)
{
    json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
    int c = strcmp(json_object_get_string(json_object_object_get(x, "key")),
                   json_object_get_string(json_object_object_get(y, "key")));
    if (c)
        return c;
    return (int)(json_object_get_int64(json_object_object_get(x, "start")) -
                 json_object_get_int64(json_object_object_get(y, "start")));
}

static int usage(void)
{
    fprintf(stderr, "usage: ical_occurrences [--tz ZONE] [--from T] [--to T] [--me EMAIL]... "
                    "[--count] FILE\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *me[MAX_ME];
    gl_ical_options opts = {.timezone = "Europe/Berlin"};
    gl_ical_stats stats;
    json_object *doc, *list = NULL;
    const char *path = NULL;
    bool count = false;
    int rc;

    opts.identities = me;
    if (gl_time_parse_utc(&opts.from, "2026-01-01T00:00:00Z") < 0 ||
        gl_time_parse_utc(&opts.to, "2027-01-01T00:00:00Z") < 0)
        return 2;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--count") == 0) {
            count = true;
        } else if (strcmp(arg, "--tz") == 0 && val) {
            opts.timezone = val;
            i++;
        } else if ((strcmp(arg, "--from") == 0 || strcmp(arg, "--to") == 0) && val) {
            if (gl_time_parse_utc(arg[2] == 'f' ? &opts.from : &opts.to, val) < 0) {
                fprintf(stderr, "ical_occurrences: %s\n", gl_error_last());
                return 2;
            }
            i++;
        } else if (strcmp(arg, "--me") == 0 && val && opts.n_identities < MAX_ME) {
            me[opts.n_identities++] = val;
            i++;
        } else if (arg[0] != '-' && !path) {
            path = arg;
        } else {
            return usage();
        }
    }
    if (!path)
        return usage();

    if (!count)
        list = json_object_new_array();
    rc = gl_ical_read_file(path, &opts, add_one, list, &stats);
    doc = json_object_new_object();
    if (rc < 0) {
        json_object_object_add(doc, "error", json_object_new_string(gl_error_last()));
        json_object_object_add(doc, "code", json_object_new_int(rc));
    }
    json_object_object_add(doc, "events", json_object_new_int64((int64_t)stats.events));
    json_object_object_add(doc, "skipped", json_object_new_int64((int64_t)stats.skipped));
    json_object_object_add(doc, "problem", json_object_new_string(stats.problem));
    json_object_object_add(doc, "unknown_zones",
                           json_object_new_int64((int64_t)stats.unknown_zones));
    json_object_object_add(doc, "unknown_zone", json_object_new_string(stats.unknown_zone));
    if (count) {
        json_object_object_add(doc, "occurrences",
                               json_object_new_int64((int64_t)stats.occurrences));
    } else {
        json_object_array_sort(list, by_key);
        json_object_object_add(doc, "occurrences", list);
    }
    printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(doc);
    return rc < 0 ? 1 : 0;
}
