/*
 * cmd_collect.c - gleaner collect, gleaner activities and gleaner day: the
 * evidence gleaner has seen, read in and shown.
 */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <json-c/json.h>

#include "agent/cmd.h"
#include "agent/collect.h"
#include "agent/store.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

/* Longest window one command reads: two years of calendars. */
#define MAX_WINDOW_DAYS 731

static const char *source_status(const gl_collect_source *s)
{
    return s->status < 0 ? "error" : s->warning ? "warning" : "ok";
}

static void print_collect_json(gl_cli *cli, const gl_window *w, const char *tz,
                               const gl_collect_report *r)
{
    json_object *doc = json_object_new_object(), *arr = json_object_new_array();

    json_object_object_add(doc, "from", json_object_new_string(w->from));
    json_object_object_add(doc, "to", json_object_new_string(w->to));
    json_object_object_add(doc, "timezone", json_object_new_string(tz));
    for (size_t i = 0; i < r->n; i++) {
        const gl_collect_source *s = &r->sources[i];
        json_object *o = json_object_new_object();

        json_object_object_add(o, "source", json_object_new_string(s->name));
        json_object_object_add(o, "status", json_object_new_string(source_status(s)));
        json_object_object_add(o, "read", json_object_new_int64((int64_t)s->read));
        json_object_object_add(o, "added", json_object_new_int64((int64_t)s->added));
        json_object_object_add(o, "changed", json_object_new_int64((int64_t)s->changed));
        json_object_object_add(o, "removed", json_object_new_int64((int64_t)s->removed));
        json_object_object_add(o, "not_counted", json_object_new_int64((int64_t)s->not_counted));
        json_object_object_add(o, "elapsed_ms", json_object_new_int64(s->elapsed_ms));
        if (s->message[0])
            json_object_object_add(o, "message", json_object_new_string(s->message));
        json_object_array_add(arr, o);
    }
    json_object_object_add(doc, "sources", arr);
    gl_cli_print_json(cli, doc);
    json_object_put(doc);
}

static void print_collect_text(gl_cli *cli, const gl_window *w, const gl_collect_report *r)
{
    size_t width = 0;

    for (size_t i = 0; i < r->n; i++)
        if (strlen(r->sources[i].name) > width)
            width = strlen(r->sources[i].name);
    fprintf(cli->out, "Collected %s to %s:\n", w->from, w->to);
    for (size_t i = 0; i < r->n; i++) {
        const gl_collect_source *s = &r->sources[i];
        bool git = strncmp(s->name, "git:", 4) == 0;

        fprintf(cli->out, "  %-*s  ", (int)width, s->name);
        if (s->status < 0) {
            fprintf(cli->out, "failed (the reason is on stderr)\n");
            continue;
        }
        fprintf(cli->out, "%zu %s%s", s->read, git ? "new commit" : "occurrence",
                s->read == 1 ? "" : "s");
        if (s->added || s->changed || s->removed)
            fprintf(cli->out, " (%zu added, %zu changed, %zu removed)", s->added, s->changed,
                    s->removed);
        if (s->not_counted)
            fprintf(cli->out, ", %zu not counted", s->not_counted);
        fprintf(cli->out, "\n");
        if (s->warning)
            fprintf(cli->out, "  %-*s  warning: %s\n", (int)width, "", s->message);
    }
}

int gl_cmd_collect(gl_cli *cli, const gl_args *args)
{
    gl_window w;
    gl_store *store = NULL;
    gl_collect_report report = {0};
    gl_collect_options opts = {0};
    char *tz = NULL;
    int rc;

    if ((rc = gl_cli_window(cli, "collect", args, MAX_WINDOW_DAYS, &w)) < 0)
        return rc == GL_EINVAL ? GL_EXIT_USAGE : gl_cli_fail(cli, rc);
    opts.from = w.start;
    opts.to = w.end;
    opts.only = gl_args_value(args, "source");
    opts.progress = isatty(fileno(cli->err)) && !cli->json;
    if ((rc = gl_cli_timezone(cli, &tz)) < 0 || (rc = gl_cli_open_store(cli, &store)) < 0 ||
        (rc = gl_collect(cli, store, &opts, &report)) < 0) {
        rc = gl_cli_fail(cli, rc);
        goto done;
    }
    if (cli->json)
        print_collect_json(cli, &w, tz, &report);
    else
        print_collect_text(cli, &w, &report);
    /* Each failure is one line on stderr; the exit status is the worst of them. */
    rc = GL_EXIT_OK;
    for (size_t i = 0; i < report.n; i++) {
        const gl_collect_source *src = &report.sources[i];
        if (src->status >= 0)
            continue;
        fprintf(cli->err, "gleaner: %s: %s\n", src->name, src->message);
        if (gl_cli_exit_code(src->status) > rc)
            rc = gl_cli_exit_code(src->status);
    }
    if (report.failed && report.failed < report.n)
        fprintf(cli->err, "gleaner: %zu of %zu sources failed; the others were collected\n",
                report.failed, report.n);

done:
    gl_collect_report_clear(&report);
    gl_store_close(store);
    free(tz);
    return rc;
}

/* ------------------------------------------------------------ activities */

/* An activity copied out of the store's callback. */
typedef struct item {
    char *source, *kind, *key, *title, *why, *details;
    int64_t start, end;
    bool counted;
} item;

typedef struct item_list {
    item *v;
    size_t n, cap;
} item_list;

static int collect_item(void *payload, const gl_activity *a)
{
    item_list *l = payload;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        item *v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return gl_error_set(GL_ENOMEM, "out of memory");
        l->v = v;
        l->cap = cap;
    }
    item *it = &l->v[l->n];
    *it = (item){.source = gl_strdup(a->source),
                 .kind = gl_strdup(a->kind),
                 .key = gl_strdup(a->key),
                 .title = gl_strdup(a->title ? a->title : ""),
                 .why = a->why ? gl_strdup(a->why) : NULL,
                 .details = gl_strdup(a->details ? a->details : "{}"),
                 .start = a->start,
                 .end = a->end,
                 .counted = a->counted};
    l->n++;
    if (!it->source || !it->kind || !it->key || !it->title || !it->details || (a->why && !it->why))
        return gl_error_set(GL_ENOMEM, "out of memory");
    return 0;
}

static void item_list_clear(item_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        item *it = &l->v[i];
        free(it->source);
        free(it->kind);
        free(it->key);
        free(it->title);
        free(it->why);
        free(it->details);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static json_object *item_json(const item *it)
{
    json_object *o = json_object_new_object(), *details = NULL;
    char t[GL_TIME_UTC_LEN];

    json_object_object_add(o, "kind", json_object_new_string(it->kind));
    json_object_object_add(o, "source", json_object_new_string(it->source));
    json_object_object_add(o, "key", json_object_new_string(it->key));
    gl_time_format_utc(t, it->start);
    json_object_object_add(o, "start", json_object_new_string(t));
    gl_time_format_utc(t, it->end);
    json_object_object_add(o, "end", json_object_new_string(t));
    json_object_object_add(o, "title", json_object_new_string(it->title));
    json_object_object_add(o, "counted", json_object_new_boolean(it->counted));
    json_object_object_add(o, "why", it->why ? json_object_new_string(it->why) : NULL);
    if (gl_json_parse(&details, it->details, strlen(it->details), "details") == GL_OK)
        json_object_object_add(o, "details", details);
    return o;
}

static const char *detail_str(const item *it, const char *name, char *out, size_t len)
{
    json_object *d = NULL;
    const char *v;

    out[0] = '\0';
    if (gl_json_parse(&d, it->details, strlen(it->details), "details") != GL_OK)
        return NULL;
    if ((v = gl_json_str(d, name)))
        snprintf(out, len, "%s", v);
    json_object_put(d);
    return out[0] ? out : NULL;
}

static void hhmm(char *out, size_t len, const char *tz, int64_t t)
{
    gl_local_time lt;

    if (gl_tz_to_local(&lt, tz, t) < 0)
        snprintf(out, len, "??:??");
    else
        snprintf(out, len, "%02d:%02d", lt.hour, lt.minute);
}

static void item_times(char *out, size_t len, const char *tz, const item *it)
{
    char a[8], b[8];

    hhmm(a, sizeof(a), tz, it->start);
    if (it->start == it->end) {
        snprintf(out, len, "%s", a);
        return;
    }
    hhmm(b, sizeof(b), tz, it->end);
    if (it->end - it->start >= 86400 && strcmp(a, b) == 0)
        snprintf(out, len, "all day");
    else
        snprintf(out, len, "%s-%s", a, b);
}

static void print_item_line(FILE *f, const char *tz, const item *it, size_t width)
{
    char times[16], branch[128], label[512];

    item_times(times, sizeof(times), tz, it);
    if (strcmp(it->kind, "commit") == 0 && detail_str(it, "branch", branch, sizeof(branch)))
        snprintf(label, sizeof(label), "%s  (%s, %s)", it->title, it->source + 4, branch);
    else
        snprintf(label, sizeof(label), "%s  (%s)", it->title, it->source);
    /* A title is someone else's text: no escape sequences reach the terminal, no line breaks. */
    gl_str_sanitize(label);
    for (char *c = label; *c; c++)
        if (*c == '\n' || *c == '\t')
            *c = ' ';
    fprintf(f, "  %-11s  ", times);
    if (it->counted) {
        size_t room = width > 16 ? width - 16 : 20;
        if (gl_utf8_len(label) <= room)
            fputs(label, f); /* no padding: nothing follows */
        else
            gl_cli_print_fit(f, label, room, true);
    } else {
        char why[64];
        snprintf(why, sizeof(why), "  not counted: %s", it->why ? it->why : "?");
        size_t room = width > 16 + strlen(why) ? width - 16 - strlen(why) : 20;
        gl_cli_print_fit(f, label, room, true);
        fputs(why, f);
    }
    fputc('\n', f);
}

static void print_activities_text(gl_cli *cli, const char *tz, const item_list *l, size_t width)
{
    char day[GL_DAY_LEN] = "";
    size_t counted = 0;

    for (size_t i = 0; i < l->n; i++) {
        const item *it = &l->v[i];
        gl_local_time lt;
        char this_day[GL_DAY_LEN];

        if (gl_tz_to_local(&lt, tz, it->start) < 0)
            continue;
        snprintf(this_day, sizeof(this_day), "%04d-%02d-%02d", lt.year, lt.month, lt.day);
        if (strcmp(this_day, day) != 0) {
            fprintf(cli->out, "%s%s %s\n", day[0] ? "\n" : "", gl_weekday_abbr(lt.weekday),
                    this_day);
            memcpy(day, this_day, sizeof(day));
        }
        print_item_line(cli->out, tz, it, width);
        counted += it->counted;
    }
    if (l->n == 0)
        fprintf(cli->out, "Nothing collected in this window; run gleaner collect first.\n");
    else
        fprintf(cli->out, "\n%zu activities, %zu counted as work, %zu not.\n", l->n, counted,
                l->n - counted);
}

int gl_cmd_activities(gl_cli *cli, const gl_args *args)
{
    gl_window w;
    gl_store *store = NULL;
    item_list l = {0};
    char *tz = NULL;
    int rc;

    if ((rc = gl_cli_window(cli, "activities", args, MAX_WINDOW_DAYS, &w)) < 0)
        return rc == GL_EINVAL ? GL_EXIT_USAGE : gl_cli_fail(cli, rc);
    if ((rc = gl_cli_timezone(cli, &tz)) < 0 || (rc = gl_cli_open_store(cli, &store)) < 0 ||
        (rc = gl_store_activities(store, w.start, w.end, gl_args_value(args, "source"),
                                  collect_item, &l)) < 0) {
        rc = gl_cli_fail(cli, rc);
        goto done;
    }
    if (cli->json) {
        json_object *doc = json_object_new_object(), *arr = json_object_new_array();
        json_object_object_add(doc, "from", json_object_new_string(w.from));
        json_object_object_add(doc, "to", json_object_new_string(w.to));
        json_object_object_add(doc, "timezone", json_object_new_string(tz));
        for (size_t i = 0; i < l.n; i++)
            json_object_array_add(arr, item_json(&l.v[i]));
        json_object_object_add(doc, "activities", arr);
        gl_cli_print_json(cli, doc);
        json_object_put(doc);
    } else {
        print_activities_text(cli, tz, &l, gl_cli_columns(cli->out));
    }
    rc = GL_EXIT_OK;

done:
    item_list_clear(&l);
    gl_store_close(store);
    free(tz);
    return rc;
}

/* ------------------------------------------------------------------- day */

typedef struct palette {
    const char *meeting, *uncounted, *commit, *dim, *bold, *reset;
    const char *full, *light, *mark, *rule; /* glyphs */
} palette;

static palette choose_palette(FILE *f)
{
    const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
    bool colour =
        isatty(fileno(f)) && !(no_color && *no_color) && !(term && strcmp(term, "dumb") == 0);
    bool utf8;
    palette p;

    setlocale(LC_CTYPE, "");
    utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    setlocale(LC_CTYPE, "C");
    if (colour)
        p = (palette){"\033[32m", "\033[2;33m", "\033[36m", "\033[2m", "\033[1m",
                      "\033[0m",  NULL,         NULL,       NULL,      NULL};
    else
        p = (palette){"", "", "", "", "", "", NULL, NULL, NULL, NULL};
    if (utf8) {
        p.full = "\xe2\x96\x88";  /* U+2588 full block */
        p.light = "\xe2\x96\x91"; /* U+2591 light shade */
        p.mark = "\xe2\x94\x82";  /* U+2502 light vertical */
        p.rule = "\xc2\xb7";      /* U+00B7 middle dot */
    } else {
        p.full = "#";
        p.light = "-";
        p.mark = "|";
        p.rule = ".";
    }
    return p;
}

#define LABEL_WIDTH 12
#define MAX_COLUMNS 160

/* One row of the timeline: what falls in each column. */
typedef struct row {
    char label[LABEL_WIDTH + 1];
    unsigned char cell[MAX_COLUMNS]; /* 0 empty, 1 light (not counted), 2 full, 3 mark */
} row;

static void mark_span(row *r, int64_t t0, int64_t step, int cols, int64_t a, int64_t b,
                      unsigned char v)
{
    for (int c = 0; c < cols; c++) {
        int64_t cs = t0 + step * c, ce = cs + step;
        bool hit = a == b ? (a >= cs && a < ce) : (a < ce && b > cs);
        if (hit && r->cell[c] < v)
            r->cell[c] = v;
    }
}

static void print_row(FILE *f, const row *r, const palette *p, const bool *in_hours, int cols)
{
    /* Stop at the last column with something in it: no trailing blanks. */
    while (cols > 0 && !r->cell[cols - 1] && !in_hours[cols - 1])
        cols--;
    fprintf(f, "%-*s", LABEL_WIDTH, r->label);
    for (int c = 0; c < cols; c++) {
        switch (r->cell[c]) {
        case 2:
            fprintf(f, "%s%s%s", p->meeting, p->full, p->reset);
            break;
        case 1:
            fprintf(f, "%s%s%s", p->uncounted, p->light, p->reset);
            break;
        case 3:
            fprintf(f, "%s%s%s", p->commit, p->mark, p->reset);
            break;
        default:
            if (in_hours[c])
                fprintf(f, "%s%s%s", p->dim, p->rule, p->reset);
            else
                fputc(' ', f);
        }
    }
    fputc('\n', f);
}

static int print_day(gl_cli *cli, const char *tz, const gl_window *w, const item_list *l,
                     int work_start, int work_end, bool workday)
{
    FILE *f = cli->out;
    palette p = choose_palette(f);
    size_t width = gl_cli_columns(f);
    int y, m, d, first_hour, last_hour, cols, per_hour;
    int64_t day_start = w->start, day_end = w->end, lo, hi, step;
    gl_local_time lt;
    row *rows = NULL;
    size_t nrows = 1, counted_meetings = 0, commits = 0;
    int64_t meeting_seconds = 0, covered_end = 0;
    bool in_hours[MAX_COLUMNS];
    int rc = GL_OK;

    gl_date_parse(w->from, &y, &m, &d);
    gl_tz_to_local(&lt, tz, day_start + 43200);
    fprintf(f, "%s%s %s%s  %s", p.bold, gl_weekday_abbr(lt.weekday), w->from, p.reset, tz);
    if (workday)
        fprintf(f, "  work hours %02d:%02d-%02d:%02d\n\n", work_start / 60, work_start % 60,
                work_end / 60, work_end % 60);
    else
        fprintf(f, "  (not a workday)\n\n");

    /* The span drawn: work hours, widened to whatever happened outside them. */
    first_hour = work_start / 60;
    last_hour = (work_end + 59) / 60;
    for (size_t i = 0; i < l->n; i++) {
        int64_t a = l->v[i].start < day_start ? day_start : l->v[i].start;
        int64_t b = l->v[i].end > day_end ? day_end : l->v[i].end;
        gl_local_time la, lb;
        if (gl_tz_to_local(&la, tz, a) == 0 && la.hour < first_hour)
            first_hour = la.hour;
        if (b > a)
            b -= 1;
        if (gl_tz_to_local(&lb, tz, b) == 0 && lb.hour + 1 > last_hour)
            last_hour = lb.hour + 1;
    }
    if (gl_tz_from_local(&lo, tz, y, m, d, first_hour, 0, 0) < 0)
        lo = day_start;
    hi = last_hour >= 24 ? day_end : 0;
    if (!hi && gl_tz_from_local(&hi, tz, y, m, d, last_hour, 0, 0) < 0)
        hi = day_end;
    if (lo < day_start)
        lo = day_start;
    /* Columns: whole columns per hour so the hour marks line up. */
    int hours = (int)((hi - lo + 3599) / 3600);
    if (hours < 1)
        hours = 1;
    per_hour = (int)((width - LABEL_WIDTH - 1) / (size_t)hours);
    if (per_hour < 1)
        per_hour = 1;
    if (per_hour > 12)
        per_hour = 12;
    cols = per_hour * hours;
    if (cols > MAX_COLUMNS)
        cols = MAX_COLUMNS;
    step = 3600 / per_hour;

    /* The axis: an hour label every few hours so that labels never touch. */
    char axis[MAX_COLUMNS + 3];
    int every = per_hour >= 3 ? 1 : per_hour == 2 ? 2 : 3, axis_len = 0;
    memset(axis, ' ', sizeof(axis));
    for (int h = 0; h < hours; h += every) {
        gl_local_time lh;
        int at = h * per_hour;
        if (at + 2 > cols + 2 || gl_tz_to_local(&lh, tz, lo + (int64_t)h * 3600) < 0)
            continue;
        axis[at] = (char)('0' + lh.hour / 10);
        axis[at + 1] = (char)('0' + lh.hour % 10);
        axis_len = at + 2;
    }
    fprintf(f, "%*s%s%.*s%s\n", LABEL_WIDTH, "", p.dim, axis_len, axis, p.reset);

    for (int c = 0; c < cols; c++) {
        int64_t t = lo + step * c;
        gl_local_time lc;
        int minute = gl_tz_to_local(&lc, tz, t) == 0 ? lc.hour * 60 + lc.minute : -1;
        in_hours[c] = workday && minute >= work_start && minute < work_end;
    }

    /* Rows: meetings first, then one per repository. */
    if (!(rows = calloc(l->n + 1, sizeof(*rows))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    snprintf(rows[0].label, sizeof(rows[0].label), "meetings");
    for (size_t i = 0; i < l->n; i++) {
        const item *it = &l->v[i];
        if (strcmp(it->kind, "commit") == 0) {
            size_t r = 1;
            for (; r < nrows; r++)
                if (strncmp(rows[r].label, it->source + 4, LABEL_WIDTH - 1) == 0)
                    break;
            if (r == nrows) {
                snprintf(rows[r].label, sizeof(rows[r].label), "%.*s", LABEL_WIDTH - 1,
                         it->source + 4);
                nrows++;
            }
            mark_span(&rows[r], lo, step, cols, it->start, it->start, 3);
            commits++;
        } else {
            mark_span(&rows[0], lo, step, cols, it->start, it->end, it->counted ? 2 : 1);
            if (it->counted) {
                /* Overlapping meetings are counted once. */
                int64_t a = it->start > covered_end ? it->start : covered_end;
                int64_t b = it->end < day_end ? it->end : day_end;
                if (a < day_start)
                    a = day_start;
                if (b > a)
                    meeting_seconds += b - a;
                if (it->end > covered_end)
                    covered_end = it->end;
                counted_meetings++;
            }
        }
    }
    for (size_t r = 0; r < nrows; r++)
        print_row(f, &rows[r], &p, in_hours, cols);
    free(rows);

    fprintf(f, "\n");
    for (size_t i = 0; i < l->n; i++)
        print_item_line(f, tz, &l->v[i], width);
    if (l->n == 0)
        fprintf(f, "Nothing collected for this day; run gleaner collect --from %s --to %s.\n",
                w->from, w->to);
    else
        fprintf(f, "\n%zu meeting%s counted (%lldh%02lld), %zu commit%s.\n", counted_meetings,
                counted_meetings == 1 ? "" : "s", (long long)(meeting_seconds / 3600),
                (long long)(meeting_seconds % 3600 / 60), commits, commits == 1 ? "" : "s");
    return rc;
}

int gl_cmd_day(gl_cli *cli, const gl_args *args)
{
    const gl_config *cfg;
    gl_window w;
    gl_store *store = NULL;
    item_list l = {0};
    char *tz = NULL, today[GL_DAY_LEN], day[GL_DAY_LEN];
    const char *given = args->npositional ? args->positional[0] : "today";
    int rc, y, m, d, work_start = 9 * 60, work_end = 17 * 60 + 30;
    unsigned workdays = 0x3e;
    gl_local_time lt;

    if ((rc = gl_cli_config(cli, &cfg)) < 0 || (rc = gl_cli_today(cli, today)) < 0 ||
        (rc = gl_cli_timezone(cli, &tz)) < 0)
        return gl_cli_fail(cli, rc);
    if (strcmp(given, "today") == 0 || strcmp(given, "yesterday") == 0) {
        gl_date_parse(today, &y, &m, &d);
        if (given[0] == 'y')
            gl_date_add_days(&y, &m, &d, -1);
    } else if (gl_date_parse(given, &y, &m, &d) < 0) {
        free(tz);
        return gl_cli_usage_error(cli, "day", "D is YYYY-MM-DD, today or yesterday, not '%s'",
                                  given);
    }
    snprintf(day, sizeof(day), "%04d-%02d-%02d", y, m, d);
    gl_config_parse_hours(&work_start, &work_end, gl_config_get(cfg, "user.workhours"));
    gl_config_parse_weekdays(&workdays, gl_config_get(cfg, "user.workdays"));
    if ((rc = gl_cli_window_of_days(cli, day, day, &w)) < 0 ||
        (rc = gl_cli_open_store(cli, &store)) < 0 ||
        (rc = gl_store_activities(store, w.start, w.end, NULL, collect_item, &l)) < 0) {
        rc = gl_cli_fail(cli, rc);
        goto done;
    }
    if (cli->json) {
        json_object *doc = json_object_new_object(), *arr = json_object_new_array();
        char hours[16];
        snprintf(hours, sizeof(hours), "%02d:%02d-%02d:%02d", work_start / 60, work_start % 60,
                 work_end / 60, work_end % 60);
        json_object_object_add(doc, "date", json_object_new_string(day));
        json_object_object_add(doc, "timezone", json_object_new_string(tz));
        json_object_object_add(doc, "workhours", json_object_new_string(hours));
        for (size_t i = 0; i < l.n; i++)
            json_object_array_add(arr, item_json(&l.v[i]));
        json_object_object_add(doc, "activities", arr);
        gl_cli_print_json(cli, doc);
        json_object_put(doc);
        rc = GL_EXIT_OK;
        goto done;
    }
    gl_tz_to_local(&lt, tz, w.start + 43200);
    if ((rc = print_day(cli, tz, &w, &l, work_start, work_end, (workdays >> lt.weekday) & 1)) < 0) {
        rc = gl_cli_fail(cli, rc);
        goto done;
    }
    rc = GL_EXIT_OK;

done:
    item_list_clear(&l);
    gl_store_close(store);
    free(tz);
    return rc;
}
