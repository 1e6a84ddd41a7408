/*
 * infer.c - activities to groups of counted time, with notes and reasons.
 */
#include "infer.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent/timeline.h"
#include "connectors/git.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"

#define MAX_FEATURES 96
/* Notes longer than this are cut: Harvest shows a line or two. */
#define MAX_NOTES              1000
#define MAX_SUMMARIES_PER_REPO 6
/*
 * How far a project's task choice leans on what the task is known by in
 * other projects (gl_nb_group, in pseudo-counts): "Wireframe review" is
 * Design wherever it happens.  Fitted on the development personas of
 * tests/eval (anything from 35 to 80 did as well).
 */
#define TASK_STRENGTH      50
#define TASK_STRENGTH_DOCS 2

/* ------------------------------------------------------------- features */

/* Domains that say nothing about a client. */
static bool generic_domain(const char *d)
{
    static const char *const generic[] = {
        "gmail.com",      "googlemail.com", "outlook.com", "hotmail.com",   "yahoo.com",
        "icloud.com",     "me.com",         "gmx.de",      "web.de",        "proton.me",
        "protonmail.com", "zoom.us",        "google.com",  "microsoft.com", "calendar.google.com"};
    for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
        if (strcasecmp(d, generic[i]) == 0)
            return true;
    return false;
}

/* The name part of a domain ("acme" of "mail.acme.co.uk"): a word a note would contain. */
static void domain_word(char *out, size_t len, const char *domain)
{
    static const char *const second[] = {"co", "com", "ac", "org", "net", "gov", "or", "ne"};
    const char *labels[16];
    size_t lens[16], n = 0;

    out[0] = '\0';
    for (const char *p = domain; *p && n < 16;) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        labels[n] = p;
        lens[n++] = l;
        p += l + (dot ? 1 : 0);
    }
    if (n < 2)
        return;
    n--; /* the top-level domain */
    if (n >= 2 && lens[n] == 2) {
        for (size_t i = 0; i < sizeof(second) / sizeof(second[0]); i++) {
            if (lens[n - 1] == strlen(second[i]) &&
                strncmp(labels[n - 1], second[i], lens[n - 1]) == 0) {
                n--;
                break;
            }
        }
    }
    snprintf(out, len, "%.*s", (int)lens[n - 1], labels[n - 1]);
}

void gl_infer_features(const gl_infer_activity *a, char **feats, size_t *n, size_t max)
{
    const char *domains[32] = {0};
    size_t nd = 0;

    for (size_t i = 0; i < a->ndomains && nd < 32; i++)
        if (a->domains[i] && !generic_domain(a->domains[i]))
            domains[nd++] = a->domains[i];
    gl_nb_features(feats, n, max, a->title, domains, nd, a->organizer, a->repo, a->branch,
                   a->jira_keys, a->njira);
    for (size_t i = 0; i < a->npeople; i++)
        gl_nb_feature(feats, n, max, 'p', a->people[i]);
    /* Words a Harvest note shares with the activity: the client's name, the repository's. */
    for (size_t i = 0; i < nd; i++) {
        char word[64];
        domain_word(word, sizeof(word), domains[i]);
        if (word[0])
            gl_nb_features(feats, n, max, word, NULL, 0, NULL, NULL, NULL, NULL, 0);
    }
    if (a->repo)
        gl_nb_features(feats, n, max, a->repo, NULL, 0, NULL, NULL, NULL, NULL, 0);
    /* Meetings and commits go to different tasks; what kind it is is learned too. */
    if (*n < max) {
        char *kind = gl_strdup(a->commit ? "x:commit" : "x:meeting");
        if (kind)
            feats[(*n)++] = kind;
    }
}

void gl_infer_entry_features(const char *notes, const char *const *repos, size_t nrepos,
                             char **feats, size_t *n, size_t max)
{
    char *keys[16];
    size_t nkeys = 0;

    if (!notes)
        return;
    gl_git_jira_keys(notes, keys, &nkeys, 16);
    gl_nb_features(feats, n, max, notes, NULL, 0, NULL, NULL, NULL, (const char *const *)keys,
                   nkeys);
    for (size_t i = 0; i < nkeys; i++)
        free(keys[i]);
    for (size_t i = 0; i < nrepos; i++) {
        const char *hit = repos[i] && repos[i][0] ? strstr(notes, repos[i]) : NULL;
        size_t len = hit ? strlen(repos[i]) : 0;
        /* The name standing alone, not inside a longer one. */
        while (hit) {
            bool before = hit == notes || !(isalnum((unsigned char)hit[-1]) || hit[-1] == '-');
            bool after = !(isalnum((unsigned char)hit[len]) || hit[len] == '-');
            if (before && after) {
                gl_nb_features(feats, n, max, NULL, NULL, 0, NULL, repos[i], NULL, NULL, 0);
                break;
            }
            hit = strstr(hit + 1, repos[i]);
        }
    }
}

void gl_infer_label(char *out, size_t len, int64_t project_id, int64_t task_id)
{
    snprintf(out, len, "%" PRId64 ":%" PRId64, project_id, task_id);
}

bool gl_infer_parse_label(const char *label, int64_t *project_id, int64_t *task_id)
{
    const char *colon = label ? strchr(label, ':') : NULL;
    char first[32];

    if (!colon || colon == label || (size_t)(colon - label) >= sizeof(first))
        return false;
    snprintf(first, sizeof(first), "%.*s", (int)(colon - label), label);
    return gl_parse_int64(project_id, first) == GL_OK &&
           gl_parse_int64(task_id, colon + 1) == GL_OK && *project_id > 0 && *task_id > 0;
}

/* ------------------------------------------------------------- mapping */

/*
 * The features that chose a label, as a person reads them: "repo acme-web,
 * ACME-*, login"; a word that repeats a key or repository already shown is
 * left out.
 */
static void explain(gl_buf *b, const char *const *why, size_t n, size_t max)
{
    const char *shown[8];
    size_t nshown = 0;

    for (size_t i = 0; i < n && nshown < max; i++) {
        const char *v = why[i] + 2;
        bool dup = false;
        for (size_t j = 0; j < nshown && !dup; j++)
            dup = strcasecmp(shown[j] + 2, v) == 0 ||
                  (why[i][0] == 'w' && strcasestr(shown[j] + 2, v) != NULL);
        if (dup)
            continue;
        gl_buf_puts(b, nshown ? ", " : ": ");
        switch (why[i][0]) {
        case 'r':
            gl_buf_printf(b, "repo %s", v);
            break;
        case 'k':
            gl_buf_printf(b, "%s-*", v);
            break;
        case 'd':
            gl_buf_printf(b, "@%s", v);
            break;
        case 'o':
            gl_buf_printf(b, "from %s", v);
            break;
        case 'b':
            gl_buf_printf(b, "branch %s", v);
            break;
        default:
            gl_buf_puts(b, v);
        }
        shown[nshown++] = why[i];
    }
}

void gl_infer_map(const gl_mapper *m, const gl_infer_activity *a, gl_mapping *out)
{
    char *feats[MAX_FEATURES];
    size_t nf = 0;
    const char *label = NULL;
    char label_buf[GL_NB_LABEL];
    double conf = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    out->rule = -1;
    if (m->rules) {
        gl_evidence ev = {
            .source = a->commit ? GL_RULE_GIT : GL_RULE_CALENDAR,
            .title = a->title,
            .organizer = a->organizer,
            .attendee_domains = a->domains,
            .n_attendee_domains = a->ndomains,
            .repo = a->repo,
            .branch = a->branch,
            .jira_keys = a->jira_keys,
            .n_jira_keys = a->njira,
        };
        int hit = gl_rules_match(m->rules, &ev);
        if (hit >= 0) {
            out->rule = hit;
            out->project_id = m->rule_targets[hit].project_id;
            out->task_id = m->rule_targets[hit].task_id;
            out->confidence = 1.0;
            snprintf(out->reason, sizeof(out->reason), "rule %s",
                     gl_rules_get(m->rules, (size_t)hit)->name);
            return;
        }
    }
    if (!m->model) {
        snprintf(out->reason, sizeof(out->reason), "no rule matched and nothing is learned yet");
        return;
    }
    gl_infer_features(a, feats, &nf, MAX_FEATURES);
    {
        gl_nb_group g = {.sep = ':',
                         .strength = TASK_STRENGTH,
                         .strength_docs = TASK_STRENGTH_DOCS,
                         .allow = m->allow,
                         .members = m->members,
                         .payload = m->allow_payload};
        rc = gl_nb_predict_grouped(m->model, (const char *const *)feats, nf, &g, label_buf,
                                   sizeof(label_buf), &conf);
        label = label_buf;
    }
    if (rc < 0) {
        snprintf(out->reason, sizeof(out->reason), "no rule matched and %s", gl_error_last());
        gl_error_clear();
    } else if (conf < m->min_confidence) {
        snprintf(out->reason, sizeof(out->reason),
                 "no rule matched; the best guess (%s) is only %.2f sure, below %.2f", label, conf,
                 m->min_confidence);
        out->confidence = conf;
    } else if (gl_infer_parse_label(label, &out->project_id, &out->task_id)) {
        const char *why[6];
        size_t nwhy = gl_nb_explain(m->model, (const char *const *)feats, nf, label, why, 6);
        gl_buf b = GL_BUF_INIT(sizeof(out->reason));

        out->confidence = conf;
        out->learned = true;
        gl_buf_puts(&b, "learned");
        explain(&b, why, nwhy, 3);
        snprintf(out->reason, sizeof(out->reason), "%s", b.ptr ? b.ptr : "learned");
        gl_buf_dispose(&b);
    }
    for (size_t i = 0; i < nf; i++)
        free(feats[i]);
}

static int by_commit_time(const void *pa, const void *pb, void *arg)
{
    const gl_infer_activity *acts = arg;
    const gl_infer_activity *a = &acts[*(const size_t *)pa], *b = &acts[*(const size_t *)pb];
    int r = strcmp(a->repo ? a->repo : a->source, b->repo ? b->repo : b->source);
    if (r)
        return r;
    return a->start < b->start ? -1 : a->start > b->start;
}

void gl_infer_smooth(const gl_infer_activity *acts, gl_mapping *maps, size_t n, int64_t max_gap,
                     double sure)
{
    size_t *idx = malloc((n ? n : 1) * sizeof(*idx)), nc = 0;

    if (!idx)
        return; /* smoothing is an improvement, not a requirement */
    for (size_t i = 0; i < n; i++)
        if (acts[i].commit)
            idx[nc++] = i;
    qsort_r(idx, nc, sizeof(*idx), by_commit_time, (void *)acts);
    for (size_t i = 0; i < nc;) {
        size_t j = i + 1, best = idx[i];
        double best_weight = -1;
        const char *repo = acts[idx[i]].repo ? acts[idx[i]].repo : acts[idx[i]].source;
        while (j < nc &&
               strcmp(acts[idx[j]].repo ? acts[idx[j]].repo : acts[idx[j]].source, repo) == 0 &&
               acts[idx[j]].start - acts[idx[j - 1]].start <= max_gap)
            j++;
        /* The label the run carries most: summed confidence of the commits that chose it. */
        for (size_t a = i; a < j; a++) {
            double weight = 0;
            const gl_mapping *m = &maps[idx[a]];
            if (!m->project_id)
                continue;
            for (size_t b = i; b < j; b++) {
                const gl_mapping *o = &maps[idx[b]];
                if (o->project_id == m->project_id && o->task_id == m->task_id)
                    weight += o->confidence;
            }
            if (weight > best_weight) {
                best_weight = weight;
                best = idx[a];
            }
        }
        gl_mapping carried = best_weight > 0 ? maps[best] : (gl_mapping){0};
        for (size_t a = i; best_weight > 0 && a < j; a++) {
            gl_mapping *m = &maps[idx[a]];
            if (m->rule >= 0 ||
                (m->project_id == carried.project_id && m->task_id == carried.task_id) ||
                (m->project_id && m->confidence >= sure))
                continue;
            *m = carried;
        }
        i = j;
    }
    free(idx);
}

/* ------------------------------------------------------------- notes */

static bool key_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Length of a Jira key at `s` ("ACME-142"), or 0. */
static size_t key_at(const char *s)
{
    size_t i = 0;

    if (!(s[0] >= 'A' && s[0] <= 'Z'))
        return 0;
    while (key_char(s[i]))
        i++;
    if (i < 2 || s[i] != '-' || !isdigit((unsigned char)s[i + 1]))
        return 0;
    i++;
    while (isdigit((unsigned char)s[i]))
        i++;
    return i;
}

/*
 * A summary as a note: without the Jira keys in front ("ACME-142: ",
 * "[ACME-142] ") and a conventional-commit type ("fix(api): ").
 */
static void clean_summary(char *out, size_t len, const char *s)
{
    size_t k;

    for (;;) {
        while (*s == ' ' || *s == '[' || *s == ']' || *s == '(' || *s == ')' || *s == ':' ||
               *s == '#' || *s == '-')
            s++;
        if ((k = key_at(s)) == 0)
            break;
        s += k;
    }
    /* type(scope)!: */
    const char *p = s;
    while (*p >= 'a' && *p <= 'z')
        p++;
    if (p > s && p - s <= 10) {
        const char *q = p;
        if (*q == '(') {
            const char *close = strchr(q, ')');
            q = close && close - q < 40 ? close + 1 : p;
        }
        if (*q == '!')
            q++;
        if (q[0] == ':' && q[1] == ' ')
            s = q + 2;
    }
    while (*s == ' ')
        s++;
    snprintf(out, len, "%s", s);
    /* No trailing punctuation: summaries are joined with commas. */
    for (size_t n = strlen(out); n && (out[n - 1] == '.' || out[n - 1] == ' '); n--)
        out[n - 1] = '\0';
}

static bool merge_summary(const char *s)
{
    return strncmp(s, "Merge ", 6) == 0 || strncmp(s, "Merged ", 7) == 0;
}

static bool list_has(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
}

char *gl_infer_notes(const gl_infer_activity *acts, const gl_infer_source *srcs, size_t n)
{
    gl_buf b = GL_BUF_INIT(MAX_NOTES + 64);
    char *titles[64], *repos[16];
    size_t ntitles = 0, nrepos = 0;

    /* Meetings first, each title once, when they counted for time. */
    for (size_t i = 0; i < n; i++) {
        const gl_infer_activity *a = &acts[srcs[i].activity];
        if (a->commit || srcs[i].seconds <= 0 || !a->title || !a->title[0] ||
            list_has(titles, ntitles, a->title) || ntitles == 64)
            continue;
        if ((titles[ntitles] = gl_strdup(a->title)))
            gl_buf_printf(&b, "%s%s", ntitles++ ? "; " : "", a->title);
    }
    for (size_t i = 0; i < n; i++) {
        const gl_infer_activity *a = &acts[srcs[i].activity];
        if (a->commit && a->repo && !list_has(repos, nrepos, a->repo) && nrepos < 16)
            if ((repos[nrepos] = gl_strdup(a->repo)))
                nrepos++;
    }
    for (size_t r = 0; r < nrepos; r++) {
        char *sums[64], *keys[32];
        size_t nsums = 0, nkeys = 0, shown;

        for (size_t i = 0; i < n; i++) {
            const gl_infer_activity *a = &acts[srcs[i].activity];
            char clean[256];
            if (!a->commit || !a->repo || strcmp(a->repo, repos[r]) != 0)
                continue;
            for (size_t k = 0; k < a->njira; k++)
                if (!list_has(keys, nkeys, a->jira_keys[k]) && nkeys < 32)
                    if ((keys[nkeys] = gl_strdup(a->jira_keys[k])))
                        nkeys++;
            if (a->merge || !a->title || merge_summary(a->title))
                continue;
            clean_summary(clean, sizeof(clean), a->title);
            if (clean[0] && !list_has(sums, nsums, clean) && nsums < 64)
                if ((sums[nsums] = gl_strdup(clean)))
                    nsums++;
        }
        gl_buf_printf(&b, "%s%s", b.len ? "; " : "", repos[r]);
        shown = nsums > MAX_SUMMARIES_PER_REPO ? MAX_SUMMARIES_PER_REPO - 1 : nsums;
        for (size_t i = 0; i < shown; i++)
            gl_buf_printf(&b, "%s%s", i ? ", " : ": ", sums[i]);
        if (shown < nsums)
            gl_buf_printf(&b, " and %zu more", nsums - shown);
        for (size_t i = 0; i < nkeys; i++)
            gl_buf_printf(&b, "%s%s", i ? ", " : " (", keys[i]);
        if (nkeys)
            gl_buf_puts(&b, ")");
        free_list(sums, nsums);
        free_list(keys, nkeys);
    }
    free_list(titles, ntitles);
    free_list(repos, nrepos);
    if (!b.ptr)
        return gl_strdup("");
    if (b.len > MAX_NOTES) {
        /* Cut on a character boundary, and say so. */
        size_t at = MAX_NOTES - 3;
        while (at > 0 && ((unsigned char)b.ptr[at] & 0xc0) == 0x80)
            at--;
        b.ptr[at] = '\0';
        b.len = at;
        gl_buf_puts(&b, "...");
    }
    return gl_buf_detach(&b);
}

/* -------------------------------------------------------------- the day */

double gl_infer_hours(int64_t seconds, double covered, double round)
{
    double left = (double)seconds / 3600.0 - covered;

    if (left < 1.0 / 60)
        return 0;
    if (round <= 0)
        return left;
    /* A hair over a step is still that step: 1h00m00s is 1.00, not 1.25. */
    return ceil(left / round - 1e-6) * round;
}

static int group_of(gl_infer_day *d, size_t *cap, const gl_mapping *m, size_t *index)
{
    for (size_t i = 0; i < d->n; i++) {
        if (d->groups[i].project_id == m->project_id && d->groups[i].task_id == m->task_id) {
            *index = i;
            return GL_OK;
        }
    }
    if (d->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        gl_infer_group *v = realloc(d->groups, ncap * sizeof(*v));
        if (!v)
            return gl_error_set(GL_ENOMEM, "out of memory");
        d->groups = v;
        *cap = ncap;
    }
    memset(&d->groups[d->n], 0, sizeof(d->groups[d->n]));
    d->groups[d->n].project_id = m->project_id;
    d->groups[d->n].task_id = m->task_id;
    *index = d->n++;
    return GL_OK;
}

static int add_source(gl_infer_group *g, size_t activity, int64_t seconds)
{
    gl_infer_source *v = realloc(g->sources, (g->nsources + 1) * sizeof(*v));

    if (!v)
        return gl_error_set(GL_ENOMEM, "out of memory");
    g->sources = v;
    g->sources[g->nsources].activity = activity;
    g->sources[g->nsources].seconds = seconds;
    g->nsources++;
    return GL_OK;
}

/* Which kind of choice a mapping was: a rule's index, or one of these. */
enum { CHOSE_LEARNED = -2, CHOSE_NOTHING = -3 };

static int choice_of(const gl_mapping *m)
{
    return m->rule >= 0 ? m->rule : m->learned ? CHOSE_LEARNED : CHOSE_NOTHING;
}

/*
 * The reasons of a group's sources, one per kind of choice with how many it
 * covered: "rule standups (2 meetings); learned: acme, login (3 commits)".
 */
char *gl_infer_reason(const gl_infer_activity *acts, const gl_mapping *maps,
                      const gl_infer_group *g)
{
    gl_buf b = GL_BUF_INIT(256);
    bool *done = calloc(g->nsources ? g->nsources : 1, sizeof(bool));

    if (!done)
        return NULL;
    for (size_t i = 0; i < g->nsources; i++) {
        const gl_mapping *m = &maps[g->sources[i].activity], *best = m;
        size_t meetings = 0, commits = 0;
        int64_t most = -1;
        bool same_text = true;
        if (done[i])
            continue;
        for (size_t j = i; j < g->nsources; j++) {
            const gl_mapping *o = &maps[g->sources[j].activity];
            if (done[j] || choice_of(o) != choice_of(m))
                continue;
            done[j] = true;
            same_text = same_text && strcmp(o->reason, m->reason) == 0;
            /* A learned choice is explained by the source that counted most. */
            if (g->sources[j].seconds > most) {
                most = g->sources[j].seconds;
                best = o;
            }
            if (acts[g->sources[j].activity].commit)
                commits++;
            else
                meetings++;
        }
        if (choice_of(m) == CHOSE_NOTHING && !same_text)
            gl_buf_printf(&b, "%sno rule matched and nothing learned is sure enough (",
                          b.len ? "; " : "");
        else
            gl_buf_printf(&b, "%s%s (", b.len ? "; " : "", best->reason);
        if (meetings)
            gl_buf_printf(&b, "%zu meeting%s", meetings, meetings == 1 ? "" : "s");
        if (commits)
            gl_buf_printf(&b, "%s%zu commit%s", meetings ? ", " : "", commits,
                          commits == 1 ? "" : "s");
        gl_buf_puts(&b, ")");
    }
    free(done);
    return b.ptr ? gl_buf_detach(&b) : gl_strdup("");
}

int gl_infer_day_build(const gl_infer_activity *acts, const gl_mapping *maps, size_t n,
                       const gl_infer_options *o, gl_infer_day *out)
{
    gl_tl_event *ev = NULL;
    gl_timeline tl = {0};
    char **repos = NULL;
    const gl_infer_activity **branches = NULL;
    size_t nrepos = 0, nbranches = 0, cap = 0;
    int rc = GL_OK;

    memset(out, 0, sizeof(*out));
    if (n == 0)
        return GL_OK;
    if (!(ev = calloc(n, sizeof(*ev))) || !(repos = calloc(n, sizeof(*repos))) ||
        !(branches = calloc(n, sizeof(*branches)))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const gl_infer_activity *a = &acts[i];
        ev[i].kind = a->commit ? GL_TL_COMMIT : GL_TL_MEETING;
        ev[i].start = a->start;
        ev[i].end = a->commit ? a->start : a->end;
        if (a->commit) {
            /* Sessions are per repository: the group is the repository's number. */
            const char *name = a->repo ? a->repo : a->source;
            size_t r = 0;
            while (r < nrepos && strcmp(repos[r], name) != 0)
                r++;
            if (r == nrepos)
                repos[nrepos++] = (char *)name;
            ev[i].group = (int)r;
            /* Branches are numbered from 1 within their repository (0: not known). */
            if (a->branch && *a->branch) {
                size_t b = 0;
                while (b < nbranches &&
                       (strcmp(branches[b]->branch, a->branch) != 0 ||
                        strcmp(branches[b]->repo ? branches[b]->repo : branches[b]->source, name) !=
                            0))
                    b++;
                if (b == nbranches)
                    branches[nbranches++] = a;
                ev[i].branch = (int)b + 1;
            }
        }
    }
    gl_tl_options to = {
        .day_start = o->day_start,
        .day_end = o->day_end,
        .work_start = o->work_start,
        .work_end = o->work_end,
        .max_gap = o->max_gap,
        .switch_gap = o->switch_gap,
        .lead_in = o->lead_in,
        .lead_out = o->lead_out,
        .lunch_start = o->lunch_start,
        .lunch_end = o->lunch_end,
        .lunch_gap = o->lunch_gap,
    };
    if ((rc = gl_timeline_build(ev, n, &to, &tl)) < 0)
        goto done;

    /* Sources in time order, so groups come out in the order the day went. */
    for (size_t p = 0; p < tl.n && rc == GL_OK; p++) {
        const gl_tl_piece *piece = &tl.pieces[p];
        for (size_t k = 0; k < piece->nevents && rc == GL_OK; k++) {
            size_t i = piece->events[k], g = 0;
            if ((rc = group_of(out, &cap, &maps[i], &g)) < 0 ||
                (rc = add_source(&out->groups[g], i, tl.event_seconds[i])) < 0)
                break;
            out->groups[g].seconds += tl.event_seconds[i];
        }
    }
    for (size_t g = 0; g < out->n && rc == GL_OK; g++) {
        gl_infer_group *grp = &out->groups[g];
        double weighted = 0, plain = 0;
        for (size_t k = 0; k < grp->nsources; k++) {
            weighted += maps[grp->sources[k].activity].confidence * (double)grp->sources[k].seconds;
            plain += maps[grp->sources[k].activity].confidence;
        }
        grp->confidence = grp->seconds > 0 ? weighted / (double)grp->seconds
                                           : (grp->nsources ? plain / (double)grp->nsources : 0);
        if (grp->project_id == 0)
            grp->confidence = 0; /* nothing to be sure of: the user must choose */
        grp->notes = gl_infer_notes(acts, grp->sources, grp->nsources);
        grp->reason = gl_infer_reason(acts, maps, grp);
        if (!grp->notes || !grp->reason)
            rc = gl_error_set(GL_ENOMEM, "out of memory");
    }

done:
    gl_timeline_clear(&tl);
    free(ev);
    free(repos);
    free(branches);
    if (rc < 0)
        gl_infer_day_clear(out);
    return rc;
}

void gl_infer_day_clear(gl_infer_day *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->groups[i].notes);
        free(d->groups[i].reason);
        free(d->groups[i].sources);
    }
    free(d->groups);
    memset(d, 0, sizeof(*d));
}
