/*
 * libical_expand.c - the calendar benchmark's floor: the least a program
 * built on libical does to count a calendar's occurrences in a window.
 *
 *   libical_expand FILE.ics [FROM TO]     (UTC, "20260101T000000Z")
 *
 * Reads the file, parses it with icalparser_parse_string, and calls
 * icalcomponent_foreach_recurrence on every VEVENT that is not an override
 * (an override replaces one occurrence of its series, so the count is the
 * same).  Prints {"occurrences": N}.  No zones beyond libical's own, no
 * facts, no error handling beyond refusing a file it cannot read: this is
 * what gleaner's extra work is measured against.
 */
#include <stdio.h>
#include <stdlib.h>

#include <libical/ical.h>

static void count(icalcomponent *comp, struct icaltime_span *span, void *data)
{
    (void)comp;
    (void)span;
    (*(long *)data)++;
}

int main(int argc, char **argv)
{
    FILE *f;
    char *text;
    long size, n = 0;
    icalcomponent *cal, *c;
    struct icaltimetype from, to;

    if (argc != 2 && argc != 4) {
        fprintf(stderr, "usage: libical_expand FILE.ics [FROM TO]\n");
        return 2;
    }
    from = icaltime_from_string(argc == 4 ? argv[2] : "20260101T000000Z");
    to = icaltime_from_string(argc == 4 ? argv[3] : "20270101T000000Z");
    if (!(f = fopen(argv[1], "rb")) || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0 || !(text = malloc((size_t)size + 1)) ||
        fread(text, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "libical_expand: cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(f);
    text[size] = '\0';

    if (!(cal = icalparser_parse_string(text))) {
        fprintf(stderr, "libical_expand: libical cannot parse %s\n", argv[1]);
        return 1;
    }
    free(text);
    for (c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
        if (!icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
            icalcomponent_foreach_recurrence(c, from, to, count, &n);
    icalcomponent_free(cal);
    printf("{\"occurrences\": %ld}\n", n);
    return 0;
}
