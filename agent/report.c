/*
 * report.c - the weekly compliance report: figures, formats, sending.
 */
#include "report.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "agent/notify.h"
#include "agent/signin.h"
#include "agent/workday.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

/* ------------------------------------------------------------ ISO weeks */

int gl_iso_week(const char *day, char out[10])
{
    struct tm tm = {0};
    int y, m, d;

    if (gl_date_parse(day, &y, &m, &d) < 0)
        return gl_error_set(GL_EINVAL, "'%s' is not a date", day);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_hour = 12;
    tm.tm_wday = (int)(((gl_days_from_civil(y, m, d) + 4) % 7 + 7) % 7);
    tm.tm_yday = (int)(gl_days_from_civil(y, m, d) - gl_days_from_civil(y, 1, 1));
    /* The C library knows ISO 8601 weeks: %G is the week-based year, %V the week. */
    if (strftime(out, 10, "%G-W%V", &tm) == 0)
        return gl_error_set(GL_EINVAL, "cannot name the week of %s", day);
    return GL_OK;
}

int gl_iso_week_monday(const char *week, char out[11])
{
    int64_t year, num, jan4, monday;
    char ys[5], ws[3];
    int y, m, d;
    char check[10];

    if (!week || strlen(week) != 8 || week[4] != '-' || week[5] != 'W' ||
        !isdigit((unsigned char)week[6]) || !isdigit((unsigned char)week[7]))
        return gl_error_set(GL_EINVAL, "a week is written YYYY-Www (2026-W47), not '%s'",
                            week ? week : "");
    memcpy(ys, week, 4);
    ys[4] = '\0';
    memcpy(ws, week + 6, 2);
    ws[2] = '\0';
    if (gl_parse_int64(&year, ys) < 0 || gl_parse_int64(&num, ws) < 0 || num < 1 || num > 53)
        return gl_error_set(GL_EINVAL, "a week is written YYYY-Www (2026-W47), not '%s'", week);
    /* Week 1 holds 4 January; weeks start on Monday. */
    jan4 = gl_days_from_civil((int)year, 1, 4);
    monday = jan4 - ((jan4 + 3) % 7 + 7) % 7 + 7 * (num - 1);
    gl_civil_from_days(monday, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    /* Week 53 exists only in some years. */
    if (gl_iso_week(out, check) < 0 || strcmp(check, week) != 0)
        return gl_error_set(GL_EINVAL, "%" PRId64 " has no week %" PRId64, year, num);
    return GL_OK;
}

/* --------------------------------------------------------------- figures */

void gl_weekly_clear(gl_weekly *r)
{
    free(r->people);
    memset(r, 0, sizeof(*r));
}

static bool can_see_everyone(json_object *me)
{
    json_object *roles = gl_json_array(me, "access_roles");
    for (size_t i = 0; roles && i < json_object_array_length(roles); i++) {
        const char *role = json_object_get_string(json_object_array_get_idx(roles, i));
        if (role && (strcmp(role, "administrator") == 0 || strcmp(role, "manager") == 0))
            return true;
    }
    return false;
}

static int by_standing(const void *pa, const void *pb)
{
    const gl_report_person *a = pa, *b = pb;
    if (a->behind != b->behind)
        return a->behind ? -1 : 1;
    if (a->behind && fabs(a->compliance - b->compliance) > 1e-9)
        return a->compliance < b->compliance ? -1 : 1;
    return strcasecmp(a->name, b->name);
}

static void fill_person(gl_report_person *p, json_object *u)
{
    const char *first = gl_json_str(u, "first_name"), *last = gl_json_str(u, "last_name");
    const char *email = gl_json_str(u, "email");
    int64_t cap = 0;

    gl_json_int64(u, "id", &p->user_id);
    snprintf(p->name, sizeof(p->name), "%s%s%s", first ? first : "", first && last ? " " : "",
             last ? last : "");
    snprintf(p->email, sizeof(p->email), "%s", email ? email : "");
    if (gl_json_int64(u, "weekly_capacity", &cap))
        p->capacity = (double)cap / 3600.0;
}

int gl_report_weekly(gl_cli *cli, gl_store *store, const char *week, gl_weekly *out)
{
    const gl_config *cfg;
    gl_signin *si = NULL;
    gl_workweek wk;
    json_object *me = NULL, *users = NULL, *entries = NULL;
    char today[GL_DAY_LEN], days[7][11];
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = gl_cli_config(cli, &cfg)) < 0 || (rc = gl_cli_today(cli, today)) < 0 ||
        (rc = gl_workweek_load(cli, &wk)) < 0)
        return rc;
    if (week)
        snprintf(out->week, sizeof(out->week), "%s", week);
    else if ((rc = gl_iso_week(today, out->week)) < 0)
        return rc;
    if ((rc = gl_iso_week_monday(out->week, out->from)) < 0)
        return rc;
    snprintf(days[0], sizeof(days[0]), "%s", out->from);
    for (int i = 1; i < 7; i++)
        gl_workweek_next_day(days[i - 1], days[i]);
    snprintf(out->to, sizeof(out->to), "%s", days[6]);
    out->threshold = 90;
    gl_config_get_number(cfg, "report.threshold", &out->threshold);

    if ((rc = gl_signin_harvest(cli, &si)) < 0)
        goto done;
    /* Who the token is (and may see): the mirror knows, else Harvest. */
    if (gl_store_mirror_me(store, &me) < 0) {
        gl_error_clear();
        if ((rc = gl_harvest_me(si->harvest, &me)) < 0)
            goto done;
    }
    out->everyone = can_see_everyone(me);
    if (out->everyone) {
        const char *query[] = {"is_active", "true", NULL};
        const char *eq[] = {"from", out->from, "to", out->to, NULL};
        rc = gl_harvest_list(si->harvest, "/users", query, "users", "users", &users);
        if (rc == GL_OK)
            rc = gl_harvest_list(si->harvest, "/time_entries", eq, "time_entries", "time entries",
                                 &entries);
        if (rc == GL_EFORBIDDEN) { /* a manager without people rights: just the user */
            gl_error_clear();
            json_object_put(users);
            json_object_put(entries);
            users = entries = NULL;
            out->everyone = false;
            rc = GL_OK;
        }
        if (rc < 0)
            goto done;
    }
    if (!out->everyone) {
        char uid[32];
        int64_t id = 0;
        gl_json_int64(me, "id", &id);
        snprintf(uid, sizeof(uid), "%" PRId64, id);
        const char *eq[] = {"user_id", uid, "from", out->from, "to", out->to, NULL};
        users = json_object_new_array();
        json_object_array_add(users, json_object_get(me));
        if ((rc = gl_harvest_list(si->harvest, "/time_entries", eq, "time_entries", "time entries",
                                  &entries)) < 0)
            goto done;
    }
    out->n = json_object_array_length(users);
    if (out->n && !(out->people = calloc(out->n, sizeof(*out->people)))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < out->n; i++) {
        gl_report_person *p = &out->people[i];
        bool tracked_on[7] = {false};
        fill_person(p, json_object_array_get_idx(users, i));
        for (size_t k = 0; k < json_object_array_length(entries); k++) {
            json_object *e = json_object_array_get_idx(entries, k);
            int64_t uid = 0;
            double h = 0;
            bool billable = false;
            const char *day = gl_json_str(e, "spent_date");
            if (!gl_json_int64(gl_json_object(e, "user"), "id", &uid) || uid != p->user_id)
                continue;
            gl_json_double(e, "hours", &h);
            gl_json_bool(e, "billable", &billable);
            p->tracked += h;
            if (billable)
                p->billable += h;
            for (int d = 0; d < 7 && day; d++)
                if (strcmp(days[d], day) == 0 && h > 0)
                    tracked_on[d] = true;
        }
        /* Days that were workdays, have begun, and have nothing. */
        for (int d = 0; d < 7; d++) {
            gl_workday wd;
            if (strcmp(days[d], today) > 0 || tracked_on[d] ||
                gl_workweek_day(&wk, days[d], &wd) < 0 || !wd.workday)
                continue;
            snprintf(p->missing[p->nmissing++], sizeof(p->missing[0]), "%s", days[d]);
        }
        p->compliance = p->capacity > 0 ? p->tracked / p->capacity : 1.0;
        p->behind = p->compliance * 100.0 + 1e-9 < out->threshold;
    }
    if (out->n > 1)
        qsort(out->people, out->n, sizeof(*out->people), by_standing);

done:
    json_object_put(me);
    json_object_put(users);
    json_object_put(entries);
    gl_signin_free(si);
    if (rc < 0)
        gl_weekly_clear(out);
    return rc;
}

/* --------------------------------------------------------------- formats */

static size_t count_behind(const gl_weekly *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->people[i].behind;
    return n;
}

char *gl_weekly_text(const gl_weekly *r)
{
    gl_buf b = GL_BUF_INIT(0);
    size_t behind = count_behind(r);

    gl_buf_printf(&b, "Timesheets, week %s (%s to %s)%s\n\n", r->week, r->from, r->to,
                  r->everyone ? "" : ": you only (a manager's token shows the team)");
    gl_buf_printf(&b, "%-26s %8s %8s %8s %6s  %s\n", "", "capacity", "tracked", "billable", "",
                  "missing days");
    for (size_t i = 0; i < r->n; i++) {
        const gl_report_person *p = &r->people[i];
        char name[27];
        snprintf(name, sizeof(name), "%s", p->name);
        gl_buf_printf(&b, "%-26s %8.2f %8.2f %8.2f %5.0f%%  ", name, p->capacity, p->tracked,
                      p->billable, p->compliance * 100);
        for (size_t d = 0; d < p->nmissing; d++)
            gl_buf_printf(&b, "%s%s", d ? " " : "", p->missing[d] + 5);
        if (!p->nmissing)
            gl_buf_puts(&b, "-");
        gl_buf_puts(&b, p->behind ? "  <- behind\n" : "\n");
    }
    gl_buf_printf(&b, "\n%zu of %zu under %.0f%%.\n", behind, r->n, r->threshold);
    return gl_buf_detach(&b);
}

char *gl_weekly_html(const gl_weekly *r)
{
    gl_buf b = GL_BUF_INIT(0);
    size_t behind = count_behind(r);

    /* Tables and inline styles only: what mail clients render alike. */
    gl_buf_printf(
        &b,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Timesheets %s</title>"
        "</head>\n<body style=\"font-family:Helvetica,Arial,sans-serif;color:#222\">\n"
        "<h2 style=\"margin:0 0 4px\">Timesheets, week %s</h2>\n"
        "<p style=\"margin:0 0 12px;color:#555\">%s to %s. %zu of %zu under %.0f%%.%s"
        "</p>\n<table cellpadding=\"6\" cellspacing=\"0\" border=\"0\" "
        "style=\"border-collapse:collapse;font-size:14px\">\n<tr style=\"background:"
        "#f0f0f0\"><th align=\"left\">Person</th><th align=\"right\">Capacity</th>"
        "<th align=\"right\">Tracked</th><th align=\"right\">Billable</th>"
        "<th align=\"left\">Compliance</th><th align=\"left\">Days with nothing"
        "</th></tr>\n",
        r->week, r->week, r->from, r->to, behind, r->n, r->threshold,
        r->everyone ? "" : " (you only)");
    for (size_t i = 0; i < r->n; i++) {
        const gl_report_person *p = &r->people[i];
        char *name = gl_html_escape(p->name);
        int pct = (int)lround(p->compliance * 100), bar = pct > 100 ? 100 : pct < 0 ? 0 : pct;
        const char *color = p->behind ? "#d9534f" : "#5cb85c";
        gl_buf_printf(&b,
                      "<tr style=\"border-bottom:1px solid #ddd%s\"><td>%s</td>"
                      "<td align=\"right\">%.2f</td><td align=\"right\">%.2f</td>"
                      "<td align=\"right\">%.2f</td><td><table cellpadding=\"0\" cellspacing=\"0\" "
                      "border=\"0\" width=\"160\"><tr>",
                      p->behind ? ";background:#fdf2f2" : "", name ? name : "", p->capacity,
                      p->tracked, p->billable);
        if (bar > 0)
            gl_buf_printf(&b,
                          "<td width=\"%d%%\" bgcolor=\"%s\" style=\"background:%s;"
                          "height:12px;font-size:1px\">&nbsp;</td>",
                          bar, color, color);
        if (bar < 100)
            gl_buf_printf(&b,
                          "<td width=\"%d%%\" bgcolor=\"#eeeeee\" style=\"background:#eeeeee;"
                          "height:12px;font-size:1px\">&nbsp;</td>",
                          100 - bar);
        gl_buf_printf(&b, "</tr></table> %d%%</td><td>", pct);
        /* "Mon 2026-11-16", never broken inside: a narrow mail column wraps between days. */
        for (size_t d = 0; d < p->nmissing; d++) {
            int y, m, dd;
            const char *weekday =
                gl_date_parse(p->missing[d], &y, &m, &dd) == GL_OK
                    ? gl_weekday_abbr(gl_weekday_of_days(gl_days_from_civil(y, m, dd)))
                    : "";
            gl_error_clear();
            gl_buf_printf(&b, "%s<span style=\"white-space:nowrap\">%s%s%s</span>", d ? ", " : "",
                          weekday, weekday[0] ? " " : "", p->missing[d]);
        }
        if (!p->nmissing)
            gl_buf_puts(&b, "&ndash;");
        gl_buf_puts(&b, "</td></tr>\n");
        free(name);
    }
    gl_buf_puts(&b, "</table>\n<p style=\"color:#888;font-size:12px\">Sent by gleaner.</p>\n"
                    "</body></html>\n");
    return gl_buf_detach(&b);
}

/* A CSV field, quoted when it must be (RFC 4180). */
static void csv_field(gl_buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        gl_buf_puts(b, s);
        return;
    }
    gl_buf_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '"')
            gl_buf_puts(b, "\"\"");
        else
            gl_buf_append(b, s, 1);
    }
    gl_buf_puts(b, "\"");
}

char *gl_weekly_csv(const gl_weekly *r)
{
    gl_buf b = GL_BUF_INIT(0);

    gl_buf_puts(&b, "week,user_id,name,email,capacity_hours,tracked_hours,billable_hours,"
                    "compliance,behind,missing_days\r\n");
    for (size_t i = 0; i < r->n; i++) {
        const gl_report_person *p = &r->people[i];
        gl_buf missing = GL_BUF_INIT(0);
        gl_buf_printf(&b, "%s,%" PRId64 ",", r->week, p->user_id);
        csv_field(&b, p->name);
        gl_buf_puts(&b, ",");
        csv_field(&b, p->email);
        gl_buf_printf(&b, ",%.2f,%.2f,%.2f,%.3f,%s,", p->capacity, p->tracked, p->billable,
                      p->compliance, p->behind ? "true" : "false");
        for (size_t d = 0; d < p->nmissing; d++)
            gl_buf_printf(&missing, "%s%s", d ? " " : "", p->missing[d]);
        csv_field(&b, gl_buf_cstr(&missing));
        gl_buf_puts(&b, "\r\n");
        gl_buf_dispose(&missing);
    }
    return gl_buf_detach(&b);
}

json_object *gl_weekly_json(const gl_weekly *r)
{
    json_object *doc = json_object_new_object(), *people = json_object_new_array();

    json_object_object_add(doc, "week", json_object_new_string(r->week));
    json_object_object_add(doc, "from", json_object_new_string(r->from));
    json_object_object_add(doc, "to", json_object_new_string(r->to));
    json_object_object_add(doc, "everyone", json_object_new_boolean(r->everyone));
    json_object_object_add(doc, "threshold", gl_json_number(r->threshold, 1));
    for (size_t i = 0; i < r->n; i++) {
        const gl_report_person *p = &r->people[i];
        json_object *o = json_object_new_object(), *missing = json_object_new_array();
        for (size_t d = 0; d < p->nmissing; d++)
            json_object_array_add(missing, json_object_new_string(p->missing[d]));
        json_object_object_add(o, "user_id", json_object_new_int64(p->user_id));
        json_object_object_add(o, "name", json_object_new_string(p->name));
        json_object_object_add(o, "email", json_object_new_string(p->email));
        json_object_object_add(o, "capacity_hours", gl_json_number(p->capacity, 2));
        json_object_object_add(o, "tracked_hours", gl_json_number(p->tracked, 2));
        json_object_object_add(o, "billable_hours", gl_json_number(p->billable, 2));
        json_object_object_add(o, "compliance", gl_json_number(p->compliance, 3));
        json_object_object_add(o, "behind", json_object_new_boolean(p->behind));
        json_object_object_add(o, "missing_days", missing);
        json_object_array_add(people, o);
    }
    json_object_object_add(doc, "people", people);
    return doc;
}

/* ---------------------------------------------------------------- sending */

int gl_weekly_send(gl_cli *cli, gl_store *store, const gl_weekly *r, bool remind, size_t *queued)
{
    const gl_config *cfg;
    const char *const *to = NULL;
    size_t nto = 0, n = 0;
    char *text = NULL, *html = NULL, *title = NULL, key[64];
    int64_t first = 0;
    int rc;

    *queued = 0;
    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    if (gl_config_is_set(cfg, "report.to"))
        nto = gl_config_get_all(cfg, "report.to", &to);
    if (!(text = gl_weekly_text(r)) || !(html = gl_weekly_html(r)) ||
        !(title = gl_strdupf("Timesheets, week %s: %zu behind", r->week, count_behind(r)))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    snprintf(key, sizeof(key), "report:%s", r->week);
    if ((rc = gl_store_begin(store)) < 0)
        goto done;
    {
        /* Slack gets the summary with the table in a code block; email the HTML too. */
        gl_buf slack = GL_BUF_INIT(0);
        gl_notice nt = {.title = title, .text = NULL, .html = html, .mail_text = text};
        gl_buf_printf(&slack, "```%s```", text);
        nt.text = gl_buf_cstr(&slack);
        json_object *blocks = gl_notify_blocks(title, nt.text, "gleaner report weekly");
        nt.blocks = blocks;
        rc = gl_notify_queue(cli, store, key, &nt, nto ? to : NULL, nto, &first, &n);
        json_object_put(blocks);
        gl_buf_dispose(&slack);
        if (rc == GL_OK)
            *queued += n;
    }
    if (rc == GL_OK)
        rc = gl_store_alert_add(store, "report", "weekly", r->week, 0, first, "{}");
    for (size_t i = 0; rc == GL_OK && remind && i < r->n; i++) {
        const gl_report_person *p = &r->people[i];
        char rkey[400], ptitle[200];
        gl_buf body = GL_BUF_INIT(0);
        gl_notice nt = {0};
        int64_t id = 0;
        if (!p->behind || !p->email[0])
            continue;
        snprintf(rkey, sizeof(rkey), "reminder:%s:%s", r->week, p->email);
        snprintf(ptitle, sizeof(ptitle), "Your timesheet for week %s", r->week);
        gl_buf_printf(
            &body, "Hi %s, a friendly reminder: %.2f of your %.2f hours are tracked for week %s.",
            p->name, p->tracked, p->capacity, r->week);
        if (p->nmissing) {
            gl_buf_puts(&body, " Nothing is tracked yet on");
            for (size_t d = 0; d < p->nmissing; d++)
                gl_buf_printf(&body, "%s%s", d ? "," : "", p->missing[d]);
            gl_buf_puts(&body, ".");
        }
        gl_buf_puts(&body, " Could you fill it in today? (gleaner review shows what it "
                           "proposes.) Thank you!");
        nt.title = ptitle;
        nt.text = gl_buf_cstr(&body);
        rc = gl_notify_queue_person(cli, store, rkey, p->email, &nt, &id);
        if (rc == GL_OK) {
            (*queued)++;
            rc = gl_store_alert_add(store, "reminder", p->email, r->week, 0, id, "{}");
        }
        gl_buf_dispose(&body);
    }
    if (rc < 0)
        gl_store_rollback(store);
    else
        rc = gl_store_commit(store);
    if (rc == GL_EEXISTS)
        gl_error_set(GL_EEXISTS, "the report for week %s was sent already", r->week);

done:
    free(text);
    free(html);
    free(title);
    return rc;
}
