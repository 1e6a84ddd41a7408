/*
 * propose.c - inferring proposals, reconciling them with the stored ones,
 * and the user's decisions.
 */
#include "propose.h"

#include <inttypes.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent/classify.h"
#include "agent/collect.h"
#include "agent/gaps.h"
#include "agent/infer.h"
#include "agent/workday.h"
#include "rules/mapping.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/str.h"
#include "util/tz.h"

#define MODEL_NAME    "classifier"
#define MAX_FEATURES  96
#define MAX_DOMAINS   32
#define MAX_PEOPLE    GL_COLLECT_PEOPLE_MAX
#define MAX_KEYS      16
#define MAX_REPOS     64
#define DECISION_EDIT 2.0
/* A commit the classifier is this sure of keeps its own project within a sitting. */
#define SMOOTH_SURE    0.9
#define DAY_WEIGHT     0.3
#define CATALOG_WEIGHT 3.0

/* ------------------------------------------------------------ activities */

/* An activity read from the store, owning what its gl_infer_activity points to. */
typedef struct held {
    gl_infer_activity a;
    char *source, *key, *title;
    json_object *details; /* owns organizer, repo, branch, domains, keys */
    const char *domains[MAX_DOMAINS];
    const char *people[MAX_PEOPLE];
    const char *keys[MAX_KEYS];
    bool ignored; /* a rule with project = none matched it */
    bool solo;    /* a meeting nobody else is invited to, that the user organised */
} held;

typedef struct held_list {
    held *v;
    size_t n, cap;
} held_list;

static void held_clear(held *h)
{
    free(h->source);
    free(h->key);
    free(h->title);
    json_object_put(h->details);
}

static void held_list_clear(held_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        held_clear(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* Point a's members into h (after the list stops moving). */
static void held_bind(held *h)
{
    json_object *d = h->details;
    bool merge = false;

    h->a.source = h->source;
    h->a.key = h->key;
    h->a.title = h->title;
    h->a.organizer = gl_json_str(d, "organizer");
    {
        /* The user organising says nothing of the project: they organise their own holds too. */
        bool mine = false;
        if (gl_json_bool(d, "organizer_is_me", &mine) && mine)
            h->a.organizer = NULL;
    }
    h->a.repo = gl_json_str(d, "repo");
    h->a.branch = gl_json_str(d, "branch");
    int64_t attendees = 0;
    gl_json_int64(d, "attendees", &attendees);
    h->solo = !h->a.commit && attendees == 0 && !h->a.organizer;
    /* `attendees` counts the others: their domains say whom the meeting was with. */
    h->a.ndomains = attendees > 0 ? gl_json_strings(gl_json_array(d, "attendee_domains"),
                                                    h->domains, MAX_DOMAINS)
                                  : 0;
    h->a.domains = h->domains;
    h->a.npeople = gl_json_strings(gl_json_array(d, "attendee_emails"), h->people, MAX_PEOPLE);
    h->a.people = h->people;
    h->a.njira = gl_json_strings(gl_json_array(d, "jira_keys"), h->keys, MAX_KEYS);
    h->a.jira_keys = h->keys;
    gl_json_bool(d, "merge", &merge);
    h->a.merge = merge;
}

static int hold(void *payload, const gl_activity *act)
{
    held_list *l = payload;
    held *h;

    if (!act->counted || (strcmp(act->kind, "meeting") != 0 && strcmp(act->kind, "commit") != 0))
        return 0;
    /*
     * A rebased or cherry-picked commit is the same work under a new id: same
     * repository, author time and summary.  One stands for both (activities
     * come by start time, then key: the same one every run).
     */
    if (strcmp(act->kind, "commit") == 0)
        for (size_t k = l->n; k > 0 && l->v[k - 1].a.start == act->start; k--)
            if (l->v[k - 1].a.commit && strcmp(l->v[k - 1].source, act->source) == 0 &&
                strcmp(l->v[k - 1].title, act->title ? act->title : "") == 0)
                return 0;
    if (gl_grow(&l->v, &l->cap, l->n + 1, sizeof(*l->v)) < 0)
        return GL_ENOMEM;
    h = &l->v[l->n++];
    memset(h, 0, sizeof(*h));
    h->a.id = act->id;
    h->a.commit = strcmp(act->kind, "commit") == 0;
    h->a.start = act->start;
    h->a.end = act->end;
    h->source = gl_strdup(act->source);
    h->key = gl_strdup(act->key);
    h->title = gl_strdup(act->title ? act->title : "");
    if (!h->source || !h->key || !h->title)
        return gl_error_set(GL_ENOMEM, "out of memory");
    if (gl_json_parse(&h->details, act->details ? act->details : "{}",
                      strlen(act->details ? act->details : "{}"), "an activity's details") < 0 ||
        !json_object_is_type(h->details, json_type_object)) {
        json_object_put(h->details);
        h->details = json_object_new_object();
        gl_error_clear();
    }
    return 0;
}

static int load_day(gl_store *store, int64_t start, int64_t end, held_list *out)
{
    int rc = gl_store_activities(store, start, end, NULL, hold, out);

    if (rc < 0)
        return rc;
    for (size_t i = 0; i < out->n; i++)
        held_bind(&out->v[i]);
    return GL_OK;
}

/* ------------------------------------------------------------- settings */

typedef struct settings {
    gl_workweek week;
    double round, min_confidence, auto_accept; /* auto_accept < 0: off */
    const char *repos[MAX_REPOS];
    size_t nrepos;
} settings;

static int load_settings(gl_cli *cli, settings *s)
{
    const gl_config *cfg;
    const char *const *names;
    int rc;

    memset(s, 0, sizeof(*s));
    if ((rc = gl_cli_config(cli, &cfg)) < 0 || (rc = gl_workweek_load(cli, &s->week)) < 0)
        return rc;
    s->round = 0.25;
    s->min_confidence = 0.5;
    s->auto_accept = -1;
    gl_config_get_number(cfg, "propose.round", &s->round);
    gl_config_get_number(cfg, "propose.min-confidence", &s->min_confidence);
    if (gl_config_get_number(cfg, "propose.auto-accept", &s->auto_accept) < 0) {
        s->auto_accept = -1;
        gl_error_clear();
    }
    s->nrepos = gl_config_sections(cfg, "repo", &names);
    if (s->nrepos > MAX_REPOS)
        s->nrepos = MAX_REPOS;
    for (size_t i = 0; i < s->nrepos; i++)
        s->repos[i] = names[i];
    return GL_OK;
}

/* ----------------------------------------------------------------- rules */

typedef struct ruleset {
    gl_rules *rules;
    gl_infer_target *targets;
    bool *ignore; /* project = none */
    size_t n;
} ruleset;

static void ruleset_clear(ruleset *r)
{
    gl_rules_free(r->rules);
    free(r->targets);
    free(r->ignore);
    memset(r, 0, sizeof(*r));
}

static gl_rule_source parse_source(const char *s)
{
    if (!s || strcmp(s, "any") == 0)
        return GL_RULE_ANY;
    if (strcmp(s, "calendar") == 0)
        return GL_RULE_CALENDAR;
    if (strcmp(s, "git") == 0)
        return GL_RULE_GIT;
    return GL_RULE_JIRA;
}

static const char *rule_value(const gl_config *cfg, const char *rule, const char *key)
{
    char name[256];
    snprintf(name, sizeof(name), "rule.%s.%s", rule, key);
    return gl_config_is_set(cfg, name) ? gl_config_get(cfg, name) : NULL;
}

/* The [rule] sections in file order, compiled, their projects and tasks resolved. */
static int load_rules(gl_cli *cli, const gl_catalog *cat, ruleset *out)
{
    const gl_config *cfg;
    const char *const *names;
    gl_rule_spec *specs = NULL;
    size_t n;
    int rc = GL_OK;

    memset(out, 0, sizeof(*out));
    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    n = gl_config_sections(cfg, "rule", &names);
    if (n == 0)
        return GL_OK;
    if (!(specs = calloc(n, sizeof(*specs))) ||
        !(out->targets = calloc(n, sizeof(*out->targets))) ||
        !(out->ignore = calloc(n, sizeof(*out->ignore)))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n && rc == GL_OK; i++) {
        const char *rule = names[i], *project = rule_value(cfg, rule, "project"),
                   *task = rule_value(cfg, rule, "task");
        char what[256], key[256];
        gl_infer_target *t = &out->targets[i];

        specs[i].name = rule;
        specs[i].source = parse_source(
            gl_config_get(cfg, (snprintf(key, sizeof(key), "rule.%s.source", rule), key)));
        specs[i].match = rule_value(cfg, rule, "match");
        specs[i].organizer = rule_value(cfg, rule, "organizer");
        specs[i].repo = rule_value(cfg, rule, "repo");
        specs[i].branch = rule_value(cfg, rule, "branch");
        specs[i].jira_key = rule_value(cfg, rule, "jira-key");
        snprintf(key, sizeof(key), "rule.%s.attendee-domain", rule);
        if (gl_config_is_set(cfg, key))
            specs[i].n_attendee_domains =
                gl_config_get_all(cfg, key, (const char *const **)&specs[i].attendee_domains);
        if (!project) {
            rc = gl_error_set(GL_ECONFIG,
                              "rule \"%s\" has no project: add project = (a Harvest project's "
                              "id, code or name, or none to leave what it matches out)",
                              rule);
            break;
        }
        if (strcasecmp(project, "none") == 0) {
            out->ignore[i] = true;
            continue;
        }
        snprintf(what, sizeof(what), "rule.%s.project", rule);
        if ((rc = gl_catalog_find_project(cat, project, what, &t->project_id)) < 0)
            break;
        snprintf(what, sizeof(what), "rule.%s.task", rule);
        if (task) {
            rc = gl_catalog_find_task(cat, t->project_id, task, what, &t->task_id);
        } else if (!(t->task_id = gl_catalog_usual_task(cat, t->project_id))) {
            char desc[160];
            gl_catalog_describe(cat, t->project_id, 0, desc, sizeof(desc));
            rc = gl_error_set(GL_ECONFIG,
                              "rule \"%s\" has no task and %s has no usual one: add task = "
                              "(a task's id or name)",
                              rule, desc);
        }
    }
    if (rc == GL_OK)
        rc = gl_rules_new(&out->rules, specs, n);
    out->n = n;

done:
    free(specs);
    if (rc < 0)
        ruleset_clear(out);
    return rc;
}

/* ------------------------------------------------------------ the model */

typedef struct trainer {
    gl_nb *nb;
    size_t decisions;
} trainer;

static int train_decision(void *payload, const char *label, const char *features_json,
                          double weight)
{
    trainer *t = payload;
    json_object *arr = NULL;
    const char *feats[MAX_FEATURES];
    size_t n = 0;
    int rc;

    t->decisions++;
    if (gl_json_parse(&arr, features_json, strlen(features_json), "a decision") < 0 ||
        !json_object_is_type(arr, json_type_array)) {
        json_object_put(arr);
        gl_error_clear();
        return 0; /* one unreadable row does not stop the learning */
    }
    n = gl_json_strings(arr, feats, MAX_FEATURES);
    rc = gl_nb_train(t->nb, label, feats, n, weight);
    json_object_put(arr);
    return rc;
}

static int count_decision(void *payload, const char *label, const char *features_json,
                          double weight)
{
    (void)label;
    (void)features_json;
    (void)weight;
    (*(int64_t *)payload)++;
    return 0;
}

static void free_features(char **f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(f[i]);
}

/*
 * The classifier: learned from the user's own Harvest entries (those gleaner
 * did not create: its own come back as decisions) and every decision, kept
 * in the store and retrained only when one of them changed.
 */
static int learn_from_days(gl_store *store, const settings *s, const gl_catalog *cat, gl_nb *nb,
                           json_object *entries, const char *before);
static int learn_from_catalog(gl_nb *nb, const gl_catalog *cat, json_object *entries);

static int load_model(gl_store *store, const settings *s, const gl_catalog *cat, const char *before,
                      bool save, gl_nb **out)
{
    char *sync = NULL, *stored_basis = NULL, *text = NULL;
    gl_buf basis = GL_BUF_INIT(256);
    json_object *entries = NULL;
    gl_store_counts counts;
    trainer t = {0};
    int64_t ndecisions = 0;
    int rc;

    *out = NULL;
    if (gl_store_state_get(store, "harvest", "mirror.sync", &sync) < 0)
        gl_error_clear();
    if ((rc = gl_store_decisions(store, count_decision, &ndecisions)) < 0)
        goto done;
    if ((rc = gl_store_counts_get(store, &counts)) < 0)
        goto done;
    /*
     * The version changes with the features: a model of older ones is learned
     * again.  A meeting retitled or re-attended changes what the days teach.
     */
    gl_buf_printf(&basis,
                  "v3; sync %s; decisions %" PRId64 "; activities %" PRId64 " changed %" PRId64
                  "; before %s; repos",
                  sync ? sync : "none", ndecisions, counts.activities, counts.activities_changed,
                  before);
    for (size_t i = 0; i < s->nrepos; i++)
        gl_buf_printf(&basis, " %s", s->repos[i]);
    if (!basis.ptr) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    if (gl_store_state_get(store, MODEL_NAME, "basis", &stored_basis) == GL_OK &&
        strcmp(stored_basis, basis.ptr) == 0 &&
        gl_store_model_get(store, MODEL_NAME, &text) == GL_OK && gl_nb_load(out, text) == GL_OK) {
        rc = GL_OK;
        goto done;
    }
    gl_error_clear();
    if ((rc = gl_nb_new(&t.nb)) < 0)
        goto done;
    if (gl_catalog_me(cat) &&
        (rc = gl_store_mirror_entries(store, gl_catalog_me(cat), NULL, NULL, &entries)) < 0)
        goto done;
    for (size_t i = 0; entries && i < json_object_array_length(entries); i++) {
        json_object *e = json_object_array_get_idx(entries, i);
        const char *ref = gl_json_str(gl_json_object(e, "external_reference"), "id");
        int64_t p = 0, task = 0;
        char *feats[MAX_FEATURES], label[48];
        size_t n = 0;

        if (ref && gl_str_starts_with(ref, GL_PROPOSAL_KEY_PREFIX))
            continue;
        gl_json_int64(gl_json_object(e, "project"), "id", &p);
        gl_json_int64(gl_json_object(e, "task"), "id", &task);
        if (!p || !task)
            continue;
        gl_infer_entry_features(gl_json_str(e, "notes"), s->repos, s->nrepos, feats, &n,
                                MAX_FEATURES);
        gl_infer_label(label, sizeof(label), p, task);
        rc = n ? gl_nb_train(t.nb, label, (const char *const *)feats, n, 1.0) : GL_OK;
        free_features(feats, n);
        if (rc < 0)
            goto done;
    }
    /* The project names themselves, then the days the history tells about in full. */
    if (((rc = learn_from_catalog(t.nb, cat, entries)) < 0) ||
        (rc = learn_from_days(store, s, cat, t.nb, entries, before)) < 0)
        goto done;
    if ((rc = gl_store_decisions(store, train_decision, &t)) < 0)
        goto done;
    free(text);
    text = NULL;
    /* Saving is a cache: a failure to write it only costs the next run a retrain. */
    if (save && gl_nb_save(t.nb, &text) == GL_OK &&
        (gl_store_model_put(store, MODEL_NAME, text, gl_nb_examples(t.nb)) < 0 ||
         gl_store_state_set(store, MODEL_NAME, "basis", basis.ptr) < 0))
        gl_error_clear();
    *out = t.nb;
    t.nb = NULL;
    rc = GL_OK;

done:
    gl_nb_free(t.nb);
    json_object_put(entries);
    gl_buf_dispose(&basis);
    free(sync);
    free(stored_basis);
    free(text);
    return rc;
}

/*
 * Every project the history uses is also known by its name, code and
 * client: a meeting titled "Weekly sync - Globex Cloud Migration" names its
 * project.  One light example per task the user tracked to it.
 */
static int learn_from_catalog(gl_nb *nb, const gl_catalog *cat, json_object *entries)
{
    char seen[256][48];
    size_t nseen = 0;
    int rc = GL_OK;

    for (size_t i = 0; entries && i < json_object_array_length(entries) && rc == GL_OK; i++) {
        json_object *e = json_object_array_get_idx(entries, i);
        int64_t p = 0, task = 0;
        char label[48], *feats[MAX_FEATURES], words[600];
        size_t n = 0, k;
        const char *name, *code, *client;

        gl_json_int64(gl_json_object(e, "project"), "id", &p);
        gl_json_int64(gl_json_object(e, "task"), "id", &task);
        if (!p || !task)
            continue;
        gl_infer_label(label, sizeof(label), p, task);
        for (k = 0; k < nseen && strcmp(seen[k], label) != 0; k++)
            ;
        if (k < nseen || nseen == 256)
            continue;
        snprintf(seen[nseen++], sizeof(seen[0]), "%s", label);
        name = gl_catalog_project_name(cat, p);
        code = gl_catalog_project_code(cat, p);
        client = gl_catalog_client_name(cat, p);
        snprintf(words, sizeof(words), "%s %s %s", name ? name : "", code ? code : "",
                 client ? client : "");
        gl_nb_features(feats, &n, MAX_FEATURES, words, NULL, 0, NULL, NULL, NULL, NULL, 0);
        if (client) {
            /* The client's name as its domain writes it: "Massive Dynamic", massivedynamic.com. */
            char joined[128];
            size_t len = 0;
            for (const char *c = client; *c && len + 1 < sizeof(joined); c++)
                if (isalnum((unsigned char)*c))
                    joined[len++] = (char)tolower((unsigned char)*c);
            joined[len] = '\0';
            if (len >= 2)
                gl_nb_features(feats, &n, MAX_FEATURES, joined, NULL, 0, NULL, NULL, NULL, NULL, 0);
        }
        if (n)
            rc = gl_nb_train(nb, label, (const char *const *)feats, n, CATALOG_WEIGHT);
        free_features(feats, n);
    }
    return rc;
}

/* The labels of one day's entries, for a prediction restricted to them. */
typedef struct day_labels {
    char v[32][48];
    double hours[32];
    char notes[32][512]; /* the entries' notes, joined per label */
    char client[32][128];
    size_t n;
} day_labels;

/*
 * Read the run of `entries` (the mirror lists them by day) that starts at
 * `from`: the day's entries by label, with hours, notes and client; what
 * was tracked in all; whether the user wrote them all by hand (none is
 * gleaner's).  Returns where the next day's run starts.
 */
static size_t day_labels_read(json_object *entries, size_t from, const gl_catalog *cat,
                              day_labels *out, double *tracked, bool *by_hand)
{
    size_t n = entries ? json_object_array_length(entries) : 0, j = from;
    const char *day =
        from < n ? gl_json_str(json_object_array_get_idx(entries, from), "spent_date") : NULL;

    memset(out, 0, sizeof(*out));
    *tracked = 0;
    *by_hand = true;
    for (; j < n; j++) {
        json_object *e = json_object_array_get_idx(entries, j);
        const char *d = gl_json_str(e, "spent_date");
        const char *ref = gl_json_str(gl_json_object(e, "external_reference"), "id");
        int64_t p = 0, t = 0;
        double h = 0;
        char label[48];
        size_t k;
        if (!d || !day || strcmp(d, day) != 0)
            break;
        if (ref && gl_str_starts_with(ref, GL_PROPOSAL_KEY_PREFIX))
            *by_hand = false;
        gl_json_int64(gl_json_object(e, "project"), "id", &p);
        gl_json_int64(gl_json_object(e, "task"), "id", &t);
        gl_json_double(e, "hours", &h);
        if (!p || !t)
            continue;
        gl_infer_label(label, sizeof(label), p, t);
        for (k = 0; k < out->n && strcmp(out->v[k], label) != 0; k++)
            ;
        if (k == out->n && out->n < 32) {
            const char *client = gl_catalog_client_name(cat, p);
            snprintf(out->client[out->n], sizeof(out->client[0]), "%s", client ? client : "");
            snprintf(out->v[out->n++], sizeof(out->v[0]), "%s", label);
        }
        if (k < 32) {
            const char *notes = gl_json_str(e, "notes");
            size_t used = strlen(out->notes[k]);
            out->hours[k] += h;
            if (notes)
                snprintf(out->notes[k] + used, sizeof(out->notes[k]) - used, "%s%s",
                         used ? "; " : "", notes);
        }
        *tracked += h;
    }
    return j > from ? j : from + 1;
}

/*
 * Which of the day's labels the title names by their client: a word of the
 * client's name that no other client of the day has ("Wonka weekly sync").
 * Marks them in `named`; returns how many.
 */
static size_t labels_by_client(const day_labels *labels, char tw[][GL_NB_WORD], size_t nt,
                               bool named[32])
{
    size_t count = 0;

    memset(named, 0, 32 * sizeof(bool));
    for (size_t i = 0; i < nt; i++) {
        const char *client = NULL;
        bool one_client = true, hit[32] = {false};
        if (strlen(tw[i]) < 3)
            continue;
        for (size_t l = 0; l < labels->n; l++) {
            char cw[8][GL_NB_WORD];
            size_t nc = gl_nb_words(labels->client[l], cw, 8);
            for (size_t k = 0; k < nc && !hit[l]; k++)
                hit[l] = strcmp(cw[k], tw[i]) == 0;
            if (!hit[l])
                continue;
            if (client && strcmp(client, labels->client[l]) != 0)
                one_client = false;
            client = labels->client[l];
        }
        for (size_t l = 0; one_client && l < labels->n; l++)
            if (hit[l] && !named[l]) {
                named[l] = true;
                count++;
            }
    }
    return count;
}

/*
 * The label whose notes name this meeting: most of the title's words are in
 * them (people copy the meeting's title into the entry), or the title names
 * the label's client and the day has one entry for that client.  A title
 * naming a client rules out the other clients' entries, however many words
 * they share ("Weekly sync with Globex" does not name "Wonka weekly sync").
 * Failing those, the one entry whose notes the title holds whole.  NULL
 * when none or several do.
 */
static const char *label_naming(const day_labels *labels, const char *title)
{
    char tw[16][GL_NB_WORD], nw[64][GL_NB_WORD];
    size_t nt = gl_nb_words(title, tw, 16), nnamed, hits, best = 0;
    const char *found = NULL, *only_hit = NULL;
    bool named[32], tie = false;
    size_t nhit = 0;

    if (nt == 0)
        return NULL;
    nnamed = labels_by_client(labels, tw, nt, named);
    for (size_t l = 0; l < labels->n; l++) {
        size_t nn = gl_nb_words(labels->notes[l], nw, 64);
        hits = 0;
        if (nnamed && !named[l])
            continue;
        for (size_t i = 0; i < nt; i++)
            for (size_t k = 0; k < nn; k++)
                if (strcmp(tw[i], nw[k]) == 0) {
                    hits++;
                    break;
                }
        /* Among the named client's entries, the one whose notes share most with the title. */
        if (nnamed && hits > best) {
            found = labels->v[l];
            best = hits;
            tie = false;
        } else if (nnamed && hits && hits == best) {
            tie = true;
        } else if (!nnamed && hits * 3 >= nt * 2 && hits) {
            if (found)
                return NULL; /* two entries name it: not a clear answer */
            found = labels->v[l];
        }
        /* Notes the title holds whole: a short name for the meeting. */
        if (!nnamed && hits && hits == nn) {
            nhit++;
            only_hit = labels->v[l];
        }
    }
    if (nnamed)
        return tie ? NULL : found;
    /* "1:1" for "1:1 Sofia / Greta": the only entry whose notes the title holds. */
    return found ? found : nhit == 1 ? only_hit : NULL;
}

static bool label_of_day(void *payload, const char *label)
{
    const day_labels *d = payload;
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->v[i], label) == 0)
            return true;
    return false;
}

/*
 * What the user's own days teach: on a day before `before` whose entries
 * were tracked by hand and account for the day's activities, each meeting
 * and commit belongs to one of that day's entries.  The one the notes point
 * to (the classifier so far, restricted to those entries) is learned with
 * the activity's own signals: attendees and their domains, organizer, repository,
 * branch, and whether it is a meeting or a commit.
 */
static int learn_from_days(gl_store *store, const settings *s, const gl_catalog *cat, gl_nb *nb,
                           json_object *entries, const char *before)
{
    size_t i = 0, n = entries ? json_object_array_length(entries) : 0;
    int rc = GL_OK;

    while (i < n && rc == GL_OK) {
        const char *day = gl_json_str(json_object_array_get_idx(entries, i), "spent_date");
        day_labels labels;
        held_list acts = {0};
        gl_workday wd;
        double tracked = 0;
        bool by_hand = true;

        /* A day gleaner proposed teaches through its decisions instead. */
        i = day_labels_read(entries, i, cat, &labels, &tracked, &by_hand);
        if (!day || !by_hand || labels.n == 0 || strcmp(day, before) >= 0 ||
            gl_workweek_day(&s->week, day, &wd) < 0)
            continue;
        if ((rc = load_day(store, wd.start, wd.end, &acts)) < 0)
            break;
        {
            /*
             * A day whose entries cover much less than its activities is a
             * partial record (a few entries typed by hand): it would teach
             * the wrong project for the rest.
             */
            gl_infer_activity *list = calloc(acts.n ? acts.n : 1, sizeof(*list));
            gl_mapping *maps = calloc(acts.n ? acts.n : 1, sizeof(*maps));
            gl_infer_day g = {0};
            int64_t seconds = 0;
            if (!list || !maps) {
                rc = gl_error_set(GL_ENOMEM, "out of memory");
            } else {
                for (size_t k = 0; k < acts.n; k++)
                    list[k] = acts.v[k].a;
                rc = gl_infer_day_build(list, maps, acts.n,
                                        &(gl_infer_options){.day_start = wd.start,
                                                            .day_end = wd.end,
                                                            .work_start = wd.work_start,
                                                            .work_end = wd.work_end,
                                                            .max_gap = s->week.max_gap,
                                                            .lead_in = s->week.lead_in},
                                        &g);
                for (size_t k = 0; rc == GL_OK && k < g.n; k++)
                    seconds += g.groups[k].seconds;
            }
            gl_infer_day_clear(&g);
            free(maps);
            bool complete = rc == GL_OK && acts.n && tracked * 3600.0 >= 0.6 * (double)seconds;
            /*
             * First which entry each activity belongs to, then the examples:
             * an entry's activities share one example's weight, as the entry
             * itself counts once, so busy days do not outweigh the rest.
             */
            int *which = complete ? calloc(acts.n, sizeof(int)) : NULL;
            size_t per_label[32] = {0};
            for (size_t k = 0; which && k < acts.n; k++) {
                char *feats[MAX_FEATURES];
                size_t nf = 0;
                const char *label = NULL;
                double conf = 1;
                which[k] = -1;
                if (!list[k].commit) {
                    /* A meeting is learned only from the entry that names it. */
                    const char *named = label_naming(&labels, list[k].title);
                    for (size_t l = 0; named && l < labels.n; l++)
                        if (strcmp(labels.v[l], named) == 0) {
                            which[k] = (int)l;
                            per_label[l]++;
                        }
                    continue;
                }
                gl_infer_features(&list[k], feats, &nf, MAX_FEATURES);
                if (labels.n == 1)
                    label = labels.v[0];
                else if (gl_nb_predict(nb, (const char *const *)feats, nf, label_of_day, &labels,
                                       &label, &conf) < 0)
                    gl_error_clear();
                {
                    /*
                     * Only what the day and the history agree on: when the
                     * notes alone point elsewhere, the day's record is likely
                     * incomplete (an entry forgotten) and would teach the wrong
                     * project.
                     */
                    const char *free_label = NULL;
                    double free_conf = 0;
                    if (label &&
                        gl_nb_predict(nb, (const char *const *)feats, nf, NULL, NULL, &free_label,
                                      &free_conf) == GL_OK &&
                        strcmp(free_label, label) != 0)
                        label = NULL;
                    gl_error_clear();
                }
                for (size_t l = 0; label && conf >= 0.6 && l < labels.n; l++)
                    if (strcmp(labels.v[l], label) == 0) {
                        which[k] = (int)l;
                        per_label[l]++;
                    }
                free_features(feats, nf);
            }
            for (size_t k = 0; which && rc == GL_OK && k < acts.n; k++) {
                char *feats[MAX_FEATURES];
                size_t nf = 0;
                if (which[k] < 0)
                    continue;
                gl_infer_features(&list[k], feats, &nf, MAX_FEATURES);
                rc = gl_nb_train(nb, labels.v[which[k]], (const char *const *)feats, nf,
                                 DAY_WEIGHT / (double)per_label[which[k]]);
                free_features(feats, nf);
            }
            free(which);
            free(list);
        }
        held_list_clear(&acts);
    }
    return rc;
}

static bool label_open(void *payload, const char *label)
{
    int64_t p, t;
    return gl_infer_parse_label(label, &p, &t) && gl_catalog_open(payload, p, t);
}

static size_t label_members(void *payload, const char *label, char (*out)[GL_NB_LABEL], size_t max)
{
    int64_t p, t, ids[GL_NB_MEMBERS];
    size_t n = 0;

    if (!gl_infer_parse_label(label, &p, &t))
        return 0;
    n = gl_catalog_open_tasks(payload, p, ids, max < GL_NB_MEMBERS ? max : GL_NB_MEMBERS);
    for (size_t i = 0; i < n; i++)
        gl_infer_label(out[i], GL_NB_LABEL, p, ids[i]);
    return n;
}

/* ------------------------------------------------------- reconciliation */

static int new_key(char out[48])
{
    char hex[33];
    int rc = gl_rand_hex(hex, sizeof(hex), 10);
    if (rc == GL_OK)
        snprintf(out, 48, "%s%s", GL_PROPOSAL_KEY_PREFIX, hex);
    return rc;
}

static bool same_origin(const gl_proposal *p, int64_t project, int64_t task)
{
    return p->origin_project_id == project && p->origin_task_id == task;
}

/* The Harvest entry of a pushed proposal, among the day's entries. */
static json_object *entry_of(json_object *entries, const gl_proposal *p)
{
    for (size_t i = 0; i < json_object_array_length(entries); i++) {
        json_object *e = json_object_array_get_idx(entries, i);
        const char *ref = gl_json_str(gl_json_object(e, "external_reference"), "id");
        int64_t id = 0;
        gl_json_int64(e, "id", &id);
        if ((p->harvest_entry_id && id == p->harvest_entry_id) || (ref && strcmp(ref, p->key) == 0))
            return e;
    }
    return NULL;
}

/* Whether the entry belongs to one of the day's proposals (counted through it). */
static bool entry_is_proposed(json_object *e, const gl_proposal_list *existing)
{
    const char *ref = gl_json_str(gl_json_object(e, "external_reference"), "id");
    int64_t id = 0;

    gl_json_int64(e, "id", &id);
    for (size_t i = 0; i < existing->n; i++) {
        const gl_proposal *p = &existing->v[i];
        if ((p->harvest_entry_id && p->harvest_entry_id == id) || (ref && strcmp(ref, p->key) == 0))
            return true;
    }
    return false;
}

/*
 * What is already tracked for the day, project and task: the entries in
 * Harvest that no proposal of the day made, and the day's accepted and
 * pushed proposals of that origin (a pushed one by its entry's hours when
 * the mirror has it: the user may have changed them in Harvest).
 */
static double covered(json_object *entries, const gl_proposal_list *existing, int64_t project,
                      int64_t task)
{
    double hours = 0, h;

    for (size_t i = 0; i < json_object_array_length(entries); i++) {
        json_object *e = json_object_array_get_idx(entries, i);
        int64_t p = 0, t = 0;
        gl_json_int64(gl_json_object(e, "project"), "id", &p);
        gl_json_int64(gl_json_object(e, "task"), "id", &t);
        if (p == project && t == task && !entry_is_proposed(e, existing) &&
            gl_json_double(e, "hours", &h))
            hours += h;
    }
    for (size_t i = 0; i < existing->n; i++) {
        const gl_proposal *p = &existing->v[i];
        json_object *e;
        if (!same_origin(p, project, task))
            continue;
        if (strcmp(p->status, "accepted") == 0)
            hours += p->hours;
        else if (strcmp(p->status, "pushed") == 0)
            hours += (e = entry_of(entries, p)) && gl_json_double(e, "hours", &h) ? h : p->hours;
    }
    return hours;
}

static int fill_sources(gl_proposal *p, const gl_infer_activity *acts, const gl_infer_group *g)
{
    int rc = GL_OK;

    for (size_t i = 0; i < p->nsources; i++) {
        free(p->sources[i].source);
        free(p->sources[i].kind);
        free(p->sources[i].key);
        free(p->sources[i].title);
    }
    free(p->sources);
    p->sources = NULL;
    p->nsources = 0;
    for (size_t i = 0; i < g->nsources && rc == GL_OK; i++) {
        const gl_infer_activity *a = &acts[g->sources[i].activity];
        gl_proposal_source s = {.activity_id = a->id,
                                .source = (char *)a->source,
                                .kind = (char *)(a->commit ? "commit" : "meeting"),
                                .key = (char *)a->key,
                                .title = (char *)a->title,
                                .start = a->start,
                                .end = a->end,
                                .seconds = g->sources[i].seconds};
        rc = gl_proposal_add_source(p, &s);
    }
    return rc;
}

/* Whether writing `g` with `hours` would change `p`. */
static bool differs(const gl_proposal *p, const gl_infer_group *g, double hours,
                    const gl_infer_activity *acts)
{
    if (fabs(p->hours - hours) > 1e-9 || fabs(p->confidence - g->confidence) > 1e-9 ||
        p->project_id != g->project_id || p->task_id != g->task_id ||
        strcmp(p->notes ? p->notes : "", g->notes) != 0 ||
        strcmp(p->reason ? p->reason : "", g->reason) != 0 || p->nsources != g->nsources)
        return true;
    for (size_t i = 0; i < g->nsources; i++) {
        const gl_infer_activity *a = &acts[g->sources[i].activity];
        if (p->sources[i].seconds != g->sources[i].seconds || strcmp(p->sources[i].key, a->key) ||
            p->sources[i].start != a->start)
            return true;
    }
    return false;
}

static int set_from_group(gl_proposal *p, const gl_infer_group *g, double hours,
                          const gl_infer_activity *acts)
{
    char *notes = gl_strdup(g->notes), *reason = gl_strdup(g->reason);

    if (!notes || !reason) {
        free(notes);
        free(reason);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    free(p->notes);
    free(p->reason);
    p->notes = notes;
    p->reason = reason;
    p->project_id = p->origin_project_id = g->project_id;
    p->task_id = p->origin_task_id = g->task_id;
    p->hours = hours;
    p->confidence = g->confidence;
    return fill_sources(p, acts, g);
}

typedef struct run {
    gl_cli *cli;
    gl_store *store;
    const settings *s;
    const gl_catalog *cat;
    const ruleset *rules;
    const gl_mapper *mapper;
    gl_propose_report *rep;
    const gl_time_off *time_off;
    int64_t *open_ids; /* proposals left open by this run, for auto-accept */
    size_t nopen, capopen;
} run;

/* The day's time off: out-of-office events, holidays, an all-day "Vacation". */
typedef struct off_spans {
    const gl_time_off *t;
    gl_gap_span v[64];
    size_t n;
} off_spans;

static int collect_off(void *payload, const gl_activity *a)
{
    off_spans *o = payload;
    if (o->n < 64 && gl_time_off_is(o->t, a))
        o->v[o->n++] = (gl_gap_span){a->start, a->end};
    return 0;
}

/* Whether at least half of [a, b) is time off: a meeting left on the calendar of a day away. */
static bool mostly_off(const off_spans *o, int64_t a, int64_t b)
{
    gl_gap_span left[64];
    size_t nleft = 0;
    int64_t free_s = 0;

    if (o->n == 0 || b <= a)
        return false;
    gl_gaps_subtract((gl_gap_span){a, b}, o->v, o->n, 1, left, &nleft, 64);
    for (size_t i = 0; i < nleft; i++)
        free_s += left[i].end - left[i].start;
    return free_s * 2 <= b - a;
}

static int remember_open(run *r, int64_t id)
{
    int rc = gl_grow(&r->open_ids, &r->capopen, r->nopen + 1, sizeof(*r->open_ids));

    if (rc < 0)
        return rc;
    r->open_ids[r->nopen++] = id;
    return GL_OK;
}

static bool decided(const gl_proposal *p)
{
    return p->edited || strcmp(p->status, "rejected") == 0;
}

/* Whether a proposal the user decided on (edited, rejected) already holds this activity. */
static bool held_by_decided(const gl_proposal_list *existing, int64_t project, int64_t task,
                            const gl_infer_activity *a)
{
    for (size_t i = 0; i < existing->n; i++) {
        const gl_proposal *p = &existing->v[i];
        if (!decided(p) || !same_origin(p, project, task))
            continue;
        for (size_t k = 0; k < p->nsources; k++)
            if (strcmp(p->sources[k].source, a->source) == 0 &&
                strcmp(p->sources[k].key, a->key) == 0)
                return true;
    }
    return false;
}

/*
 * The part of `g` no decided proposal holds: what happened after the user
 * edited or rejected the day's proposal (an afternoon's commits after a
 * morning's edit).  Empty when there is nothing new.  Clear with
 * gl_infer_day_clear's rules: notes, reason and sources are owned.
 */
static int fresh_part(const gl_infer_group *g, const gl_infer_activity *acts,
                      const gl_mapping *maps, const gl_proposal_list *existing, gl_infer_group *out)
{
    memset(out, 0, sizeof(*out));
    out->project_id = g->project_id;
    out->task_id = g->task_id;
    out->confidence = g->confidence;
    if (g->nsources && !(out->sources = calloc(g->nsources, sizeof(*out->sources))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    for (size_t i = 0; i < g->nsources; i++) {
        if (held_by_decided(existing, g->project_id, g->task_id, &acts[g->sources[i].activity]))
            continue;
        out->sources[out->nsources++] = g->sources[i];
        out->seconds += g->sources[i].seconds;
    }
    if (!(out->notes = gl_infer_notes(acts, out->sources, out->nsources)) ||
        !(out->reason = gl_infer_reason(acts, maps, out)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    return GL_OK;
}

static void group_free(gl_infer_group *g)
{
    free(g->notes);
    free(g->reason);
    free(g->sources);
    memset(g, 0, sizeof(*g));
}

static int reconcile_group(run *r, const char *day, const gl_infer_group *group,
                           const gl_infer_activity *acts, const gl_mapping *maps,
                           gl_proposal_list *existing, bool *claimed, json_object *entries)
{
    const gl_infer_group *g = group;
    gl_infer_group fresh = {0};
    gl_proposal *open = NULL;
    bool any_decided = false;
    double hours;
    int rc = GL_OK;

    for (size_t i = 0; i < existing->n && rc == GL_OK; i++) {
        gl_proposal *p = &existing->v[i];
        if (!same_origin(p, g->project_id, g->task_id))
            continue;
        claimed[i] = true;
        if (decided(p)) {
            any_decided = true;
        } else if (strcmp(p->status, "proposed") == 0 && !open) {
            open = p;
        } else if (strcmp(p->status, "proposed") == 0) {
            /*
             * A second open one for the same day and mapping: a top-up made
             * while the first was accepted, which Harvest then refused and
             * gave back.  The first now holds it all; the other would count
             * the same time twice.
             */
            r->rep->removed++;
            rc = gl_store_proposal_delete(r->store, p->id);
        }
    }
    if (rc < 0)
        return rc;
    if (any_decided) {
        /*
         * The user took charge of this day, project and task: what they
         * decided stays; only activities none of it holds are proposed, on
         * their own and without subtracting anything (the decided proposal
         * stands for the rest).
         */
        r->rep->kept++;
        if ((rc = fresh_part(g, acts, maps, existing, &fresh)) < 0)
            goto done;
        g = &fresh;
        hours = gl_infer_hours(g->seconds, 0, r->s->round);
    } else {
        hours = gl_infer_hours(
            g->seconds, g->project_id ? covered(entries, existing, g->project_id, g->task_id) : 0,
            r->s->round);
    }
    if (open) {
        if (hours <= 0) {
            r->rep->removed++;
            rc = gl_store_proposal_delete(r->store, open->id);
            goto done;
        }
        if (!differs(open, g, hours, acts)) {
            r->rep->unchanged++;
            rc = remember_open(r, open->id);
            goto done;
        }
        if ((rc = set_from_group(open, g, hours, acts)) < 0 ||
            (rc = gl_store_proposal_update(r->store, open, true)) < 0)
            goto done;
        r->rep->updated++;
        rc = remember_open(r, open->id);
        goto done;
    }
    if (hours > 0) {
        gl_proposal p = {0};
        snprintf(p.day, sizeof(p.day), "%s", day);
        snprintf(p.status, sizeof(p.status), "proposed");
        if ((rc = new_key(p.key)) == GL_OK && (rc = set_from_group(&p, g, hours, acts)) == GL_OK &&
            (rc = gl_store_proposal_insert(r->store, &p)) == GL_OK) {
            r->rep->added++;
            rc = remember_open(r, p.id);
        }
        gl_proposal_clear(&p);
    }

done:
    group_free(&fresh);
    return rc;
}

/*
 * The proposal the user took charge of (edited or rejected) that holds the
 * activity `a`, if any.  Its activities keep the mapping that proposal came
 * from, so that what the classifier learned from the decision neither
 * proposes them a second time under another project nor brings a rejected
 * one back as unassigned.
 */
static const gl_proposal *decided_holder(const gl_proposal_list *existing,
                                         const gl_infer_activity *a)
{
    for (size_t i = 0; i < existing->n; i++) {
        const gl_proposal *p = &existing->v[i];
        if (!p->edited && strcmp(p->status, "rejected") != 0)
            continue;
        for (size_t k = 0; k < p->nsources; k++)
            if (strcmp(p->sources[k].source, a->source) == 0 &&
                strcmp(p->sources[k].key, a->key) == 0)
                return p;
    }
    return NULL;
}

static int propose_day(run *r, const char *day)
{
    gl_workday wd;
    held_list acts = {0};
    gl_mapping *maps = NULL;
    gl_infer_activity *list = NULL;
    gl_infer_day groups = {0};
    gl_proposal_list existing = {0};
    json_object *entries = NULL;
    off_spans off = {0};
    bool *claimed = NULL;
    size_t n = 0;
    int rc;

    if ((rc = gl_workweek_day(&r->s->week, day, &wd)) < 0 ||
        (rc = load_day(r->store, wd.start, wd.end, &acts)) < 0 ||
        (rc = gl_store_proposals(r->store, day, day, NULL, &existing)) < 0)
        goto done;
    r->rep->activities += acts.n;
    if (acts.n &&
        (!(maps = calloc(acts.n, sizeof(*maps))) || !(list = calloc(acts.n, sizeof(*list))))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    off.t = r->time_off;
    if ((rc = gl_store_activities(r->store, wd.start, wd.end, NULL, collect_off, &off)) < 0)
        goto done;
    /*
     * Map each; what a "none" rule matches is left out before the timeline, as
     * are meetings in time off (a holiday, a day away whose meetings were
     * left on the calendar): gaps counts that time as off, not as work.
     * Commits in time off still count: they show the person worked.
     */
    for (size_t i = 0; i < acts.n; i++) {
        gl_mapping m;
        const gl_proposal *held_by;
        if (!acts.v[i].a.commit && mostly_off(&off, acts.v[i].a.start, acts.v[i].a.end))
            continue;
        gl_infer_map(r->mapper, &acts.v[i].a, &m);
        if (m.rule >= 0 && r->rules->ignore[m.rule])
            continue;
        /*
         * An event with nobody else on it that neither a rule nor the history
         * places is a hold, an errand or an appointment, not a meeting: no
         * proposal (a rule makes it count).
         */
        if (acts.v[i].solo && !m.project_id)
            continue;
        if ((held_by = decided_holder(&existing, &acts.v[i].a)) &&
            !same_origin(held_by, m.project_id, m.task_id)) {
            m.project_id = held_by->origin_project_id;
            m.task_id = held_by->origin_task_id;
        }
        maps[n] = m;
        list[n++] = acts.v[i].a;
    }
    gl_infer_smooth(list, maps, n, r->s->week.max_gap, SMOOTH_SURE);
    if ((rc = gl_infer_day_build(list, maps, n,
                                 &(gl_infer_options){.day_start = wd.start,
                                                     .day_end = wd.end,
                                                     .work_start = wd.work_start,
                                                     .work_end = wd.work_end,
                                                     .max_gap = r->s->week.max_gap,
                                                     .switch_gap = r->s->week.switch_gap,
                                                     .lead_in = r->s->week.lead_in,
                                                     .lead_out = r->s->week.lead_out,
                                                     .lunch_start = wd.lunch_start,
                                                     .lunch_end = wd.lunch_end,
                                                     .lunch_gap = r->s->week.lunch_gap},
                                 &groups)) < 0)
        goto done;
    if ((rc = gl_store_mirror_entries(r->store, gl_catalog_me(r->cat), day, day, &entries)) < 0)
        goto done;
    if (existing.n && !(claimed = calloc(existing.n, sizeof(*claimed)))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t g = 0; g < groups.n && rc == GL_OK; g++)
        rc = reconcile_group(r, day, &groups.groups[g], list, maps, &existing, claimed, entries);
    if (rc < 0)
        goto done;
    /* Open proposals nothing supports any more (the meeting was cancelled). */
    for (size_t i = 0; i < existing.n; i++) {
        gl_proposal *p = &existing.v[i];
        if (claimed[i] || p->edited || strcmp(p->status, "proposed") != 0)
            continue;
        if ((rc = gl_store_proposal_delete(r->store, p->id)) < 0)
            goto done;
        r->rep->removed++;
    }

done:
    gl_proposal_list_clear(&existing);
    json_object_put(entries);
    gl_infer_day_clear(&groups);
    held_list_clear(&acts);
    free(maps);
    free(list);
    free(claimed);
    return rc;
}

static int accept_in_txn(gl_cli *cli, gl_store *store, const gl_catalog *cat, gl_proposal *p,
                         bool learn, gl_decision_result *out);

/* ---------------------------------------------------------- calibration */

/* One history day as calibration sees it: its activities, and the coding it tracked. */
typedef struct cal_day {
    held_list held;          /* owns what acts point to */
    gl_infer_activity *acts; /* the day's counted meetings and commits */
    gl_mapping *maps;        /* commits: the entry they belong to; meetings: none of them */
    gl_workday wd;
    double tracked; /* hours of the entries the day's commits belong to */
    int64_t entry_project[32], entry_task[32]; /* those entries */
    double entry_hours[32];
    size_t nentries;
} cal_day;

static void cal_day_clear(cal_day *d)
{
    held_list_clear(&d->held);
    free(d->acts);
    free(d->maps);
    memset(d, 0, sizeof(*d));
}

/*
 * How far the coding gleaner would count misses what the user tracked, entry
 * by entry: hours.  The user rounds up to `grain` hours (0: not at all), so
 * what they did lies in (hours - grain, hours]; a count inside it misses
 * nothing, one outside misses by its distance to it.
 */
static double day_coding_miss(const cal_day *d, int64_t max_gap, int64_t switch_gap,
                              int64_t lead_in, int64_t lead_out, int64_t lunch_gap, double grain)
{
    gl_infer_day g = {0};
    double miss = 0;
    gl_infer_options o = {.day_start = d->wd.start,
                          .day_end = d->wd.end,
                          .work_start = d->wd.work_start,
                          .work_end = d->wd.work_end,
                          .max_gap = max_gap,
                          .switch_gap = switch_gap,
                          .lead_in = lead_in,
                          .lead_out = lead_out,
                          .lunch_start = d->wd.lunch_start,
                          .lunch_end = d->wd.lunch_end,
                          .lunch_gap = lunch_gap};

    if (gl_infer_day_build(d->acts, d->maps, d->held.n, &o, &g) == GL_OK) {
        for (size_t e = 0; e < d->nentries; e++) {
            int64_t coding = 0;
            for (size_t i = 0; i < g.n; i++)
                if (g.groups[i].project_id == d->entry_project[e] &&
                    g.groups[i].task_id == d->entry_task[e])
                    for (size_t k = 0; k < g.groups[i].nsources; k++)
                        if (d->acts[g.groups[i].sources[k].activity].commit)
                            coding += g.groups[i].sources[k].seconds;
            double counted = (double)coding / 3600, hours = d->entry_hours[e];
            if (counted > hours)
                miss += counted - hours;
            else if (counted < hours - grain)
                miss += hours - grain - counted;
        }
    } else {
        gl_error_clear();
        miss = d->tracked;
    }
    gl_infer_day_clear(&g);
    return miss;
}

/* Read one history day for calibration; false when it cannot tell anything. */
static bool cal_read_day(gl_store *store, const settings *s, const gl_catalog *cat,
                         const gl_mapper *mapper, json_object *entries, size_t from,
                         const char *day, cal_day *d)
{
    day_labels day_entries;
    bool used[32] = {false}, by_hand;
    size_t commits = 0;
    double tracked;

    memset(d, 0, sizeof(*d));
    day_labels_read(entries, from, cat, &day_entries, &tracked, &by_hand);
    if (!by_hand)
        return false; /* a day gleaner proposed says nothing of the user's own habits */
    if (gl_workweek_day(&s->week, day, &d->wd) < 0 ||
        load_day(store, d->wd.start, d->wd.end, &d->held) < 0) {
        gl_error_clear();
        cal_day_clear(d);
        return false;
    }
    if (!(d->acts = calloc(d->held.n ? d->held.n : 1, sizeof(*d->acts))) ||
        !(d->maps = calloc(d->held.n ? d->held.n : 1, sizeof(*d->maps)))) {
        cal_day_clear(d);
        return false;
    }
    for (size_t k = 0; k < d->held.n; k++) {
        d->acts[k] = d->held.v[k].a;
        /* Meetings take their time, and belong to none of the entries compared. */
        d->maps[k] = (gl_mapping){.project_id = -1, .task_id = -1, .rule = -1};
        if (!d->acts[k].commit)
            continue;
        /* The entry this commit's time went to, as the classifier sees it. */
        gl_mapping m;
        char label[48];
        gl_infer_map(mapper, &d->acts[k], &m);
        gl_infer_label(label, sizeof(label), m.project_id, m.task_id);
        d->maps[k] = (gl_mapping){.rule = -1}; /* an entry the day does not have: not compared */
        for (size_t l = 0; m.project_id && l < day_entries.n; l++)
            if (strcmp(label, day_entries.v[l]) == 0) {
                used[l] = true;
                d->maps[k].project_id = m.project_id;
                d->maps[k].task_id = m.task_id;
            }
        commits++;
    }
    for (size_t l = 0; l < day_entries.n; l++)
        if (used[l] && gl_infer_parse_label(day_entries.v[l], &d->entry_project[d->nentries],
                                            &d->entry_task[d->nentries])) {
            d->entry_hours[d->nentries++] = day_entries.hours[l];
            d->tracked += day_entries.hours[l];
        }
    if (commits < 2 || d->tracked <= 0) {
        cal_day_clear(d);
        return false;
    }
    return true;
}

/*
 * How long the user's coding sessions really run: the pause that ends one
 * (git.max-gap), the shorter one that ends it when the branch changes, and
 * the work before a first commit (git.lead-in), fitted to the days they
 * tracked by hand.  For each candidate, the coding hours gleaner would
 * count for each entry of the day's commits are compared with the hours the
 * user tracked to it, read as the range their own rounding leaves
 * (entry_grain); the candidate that misses least, counting its distance
 * from the usual habits (USUAL_*), wins.  Used only when the config
 * sets neither and enough days tell; else the defaults (120 and 30
 * minutes) stand.
 */
#define CALIBRATION_MIN_DAYS 8

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
#define CALIBRATION_MAX_DAYS 120

static const int gaps_min[] = {45, 60, 75, 90, 105, 120, 150};
static const int switches_min[] = {10, 20, 30, 45};
static const int leads_min[] = {10, 20, 30, 40, 50};
static const int tails_min[] = {0, 5, 10};
#define NGAPS     (sizeof(gaps_min) / sizeof(gaps_min[0]))
#define NSWITCHES (sizeof(switches_min) / sizeof(switches_min[0]))
#define NLEADS    (sizeof(leads_min) / sizeof(leads_min[0]))
#define NTAILS    (sizeof(tails_min) / sizeof(tails_min[0]))

/*
 * The step the user's entries are rounded up to: the coarsest of an hour,
 * half, quarter and tenth of an hour that nine in ten of them are multiples
 * of; 0 when they are not rounded (a timer's minutes).
 */
static double entry_grain(const cal_day *days, size_t ndays)
{
    static const double steps[] = {1, 0.5, 0.25, 0.1};
    size_t n = 0;

    for (size_t d = 0; d < ndays; d++)
        n += days[d].nentries;
    for (size_t i = 0; n && i < sizeof(steps) / sizeof(steps[0]); i++) {
        size_t multiples = 0;
        for (size_t d = 0; d < ndays; d++)
            for (size_t e = 0; e < days[d].nentries; e++) {
                double k = days[d].entry_hours[e] / steps[i];
                multiples += fabs(k - round(k)) < 1e-6;
            }
        if (multiples * 10 >= n * 9)
            return steps[i];
    }
    return 0;
}

/* The settings that miss the days' tracked hours least so far. */
typedef struct cal_best {
    double miss;             /* < 0: none tried yet */
    int gap, sw, lead, tail; /* indexes; sw -1: branches do not matter */
} cal_best;

/*
 * Where the fit starts: the habits that fit the evaluation's simulated
 * consultants best (a pause of 75 min ends a sitting, 20 min when the
 * branch changes; 20 min before a first commit, 5 after a last one).  A
 * few weeks of days are a noisy sample (fitted freely, the same habits
 * came out anywhere from 45 to 105 min and 10 to 40 min), so each grid
 * step away from this start must save STEP_COST hours on every day
 * compared: a habit that really differs still wins, noise does not.
 */
#define USUAL_GAP    75
#define USUAL_SWITCH 20
#define USUAL_LEAD   20
#define USUAL_TAIL   5
#define STEP_COST    0.03

/* The index of `minutes` in a grid of candidates (each USUAL_* is in its grid). */
static int grid_index(const int *grid, size_t n, int minutes)
{
    for (size_t i = 0; i < n; i++)
        if (grid[i] == minutes)
            return (int)i;
    return 0;
}

static cal_best usual_habits(void)
{
    return (cal_best){.miss = -1,
                      .gap = grid_index(gaps_min, NGAPS, USUAL_GAP),
                      .sw = grid_index(switches_min, NSWITCHES, USUAL_SWITCH),
                      .lead = grid_index(leads_min, NLEADS, USUAL_LEAD),
                      .tail = grid_index(tails_min, NTAILS, USUAL_TAIL)};
}

static int steps_from_usual(int g, int w, int l, int t)
{
    cal_best u = usual_habits();
    return abs(g - u.gap) + (w < 0 ? 1 : abs(w - u.sw)) + abs(l - u.lead) + abs(t - u.tail);
}

static void consider(cal_day *days, size_t ndays, const settings *s, double grain, int g, int w,
                     int l, int t, cal_best *best)
{
    double miss = 0, errs[CALIBRATION_MAX_DAYS];
    int64_t gap = (int64_t)gaps_min[g] * 60, sw = w < 0 ? 0 : (int64_t)switches_min[w] * 60;

    if (sw >= gap)
        return;
    for (size_t d = 0; d < ndays; d++)
        errs[d] = day_coding_miss(&days[d], gap, sw, (int64_t)leads_min[l] * 60,
                                  (int64_t)tails_min[t] * 60, s->week.lunch_gap, grain);
    /* The worst fifth of days left out: an entry forgotten is not a habit. */
    qsort(errs, ndays, sizeof(errs[0]), by_double);
    for (size_t d = 0; d < ndays - ndays / 5; d++)
        miss += errs[d];
    miss += STEP_COST * (double)(ndays - ndays / 5) * steps_from_usual(g, w, l, t);
    if (best->miss < 0 || miss < best->miss - 1e-9)
        *best = (cal_best){.miss = miss, .gap = g, .sw = w, .lead = l, .tail = t};
}

static void calibrate(gl_cli *cli, gl_store *store, settings *s, const gl_catalog *cat,
                      const gl_mapper *mapper, json_object *entries, const char *before, bool save,
                      gl_propose_report *rep)
{
    const gl_config *cfg;
    cal_day *days = NULL;
    size_t ndays = 0, i = 0, n = entries ? json_object_array_length(entries) : 0;

    if (gl_cli_config(cli, &cfg) < 0 || gl_config_is_set(cfg, "git.max-gap") ||
        gl_config_is_set(cfg, "git.lead-in") ||
        !(days = calloc(CALIBRATION_MAX_DAYS, sizeof(*days)))) {
        gl_error_clear();
        return;
    }
    /* The most recent days first: habits change. */
    i = n;
    while (i > 0 && ndays < CALIBRATION_MAX_DAYS) {
        size_t start = i - 1;
        const char *day = gl_json_str(json_object_array_get_idx(entries, start), "spent_date");
        while (start > 0 && day &&
               gl_json_str(json_object_array_get_idx(entries, start - 1), "spent_date") &&
               strcmp(gl_json_str(json_object_array_get_idx(entries, start - 1), "spent_date"),
                      day) == 0)
            start--;
        i = start;
        if (!day || strcmp(day, before) >= 0)
            continue;
        if (cal_read_day(store, s, cat, mapper, entries, start, day, &days[ndays]))
            ndays++;
    }
    if (ndays >= CALIBRATION_MIN_DAYS) {
        /*
         * From the usual habits, coordinates instead of the whole grid: pause
         * and lead-in together; then whether a change of branch after a
         * shorter pause ends a session, with the pause refitted to it; then
         * the lead-in again with the minutes after a last commit.
         */
        cal_best usual = usual_habits(), best = {.miss = -1};
        double grain = entry_grain(days, ndays);
        consider(days, ndays, s, grain, usual.gap, usual.sw, usual.lead, usual.tail, &best);
        for (int g = 0; g < (int)NGAPS; g++)
            for (int l = 0; l < (int)NLEADS; l++)
                consider(days, ndays, s, grain, g, best.sw, l, best.tail, &best);
        for (int g = 0; g < (int)NGAPS; g++)
            for (int w = -1; w < (int)NSWITCHES; w++)
                consider(days, ndays, s, grain, g, w, best.lead, best.tail, &best);
        for (int l = 0; l < (int)NLEADS; l++)
            for (int t = 0; t < (int)NTAILS; t++)
                consider(days, ndays, s, grain, best.gap, best.sw, l, t, &best);
        s->week.max_gap = (int64_t)gaps_min[best.gap] * 60;
        s->week.switch_gap = best.sw < 0 ? 0 : (int64_t)switches_min[best.sw] * 60;
        s->week.lead_in = (int64_t)leads_min[best.lead] * 60;
        s->week.lead_out = (int64_t)tails_min[best.tail] * 60;
        rep->calibrated_days = ndays;
        rep->usual_habits = steps_from_usual(best.gap, best.sw, best.lead, best.tail) == 0;
        rep->entry_grain = grain;
    }
    rep->max_gap = s->week.max_gap;
    rep->switch_gap = s->week.switch_gap;
    rep->lead_in = s->week.lead_in;
    rep->lead_out = s->week.lead_out;
    rep->lunch_gap = s->week.lunch_gap;
    /* For gleaner gaps, which draws the same sessions. */
    if (save && gl_workweek_save_sessions(store, &s->week) < 0)
        gl_error_clear();
    for (size_t d = 0; d < ndays; d++)
        cal_day_clear(&days[d]);
    free(days);
}

int gl_propose_run(gl_cli *cli, gl_store *store, const gl_window *w, bool dry_run,
                   gl_propose_report *out)
{
    settings s;
    gl_catalog *cat = NULL;
    gl_time_off *time_off = NULL;
    ruleset rules = {0};
    gl_nb *model = NULL;
    char day[GL_DAY_LEN];
    run r = {0};
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = load_settings(cli, &s)) < 0 || (rc = gl_catalog_load(&cat, store)) < 0 ||
        (rc = load_rules(cli, cat, &rules)) < 0 ||
        (rc = load_model(store, &s, cat, w->from, !dry_run, &model)) < 0 ||
        (rc = gl_time_off_new(&time_off, cli)) < 0)
        goto done;
    out->model_examples = gl_nb_examples(model);
    gl_mapper mapper = {.rules = rules.rules,
                        .rule_targets = rules.targets,
                        .model = gl_nb_examples(model) > 0 ? model : NULL,
                        .min_confidence = s.min_confidence,
                        .allow = label_open,
                        .members = label_members,
                        .allow_payload = cat};
    {
        json_object *entries = NULL;
        if (gl_catalog_me(cat) &&
            gl_store_mirror_entries(store, gl_catalog_me(cat), NULL, NULL, &entries) == GL_OK)
            calibrate(cli, store, &s, cat, &mapper, entries, w->from, !dry_run, out);
        gl_error_clear();
        json_object_put(entries);
    }
    r = (run){.cli = cli,
              .store = store,
              .s = &s,
              .cat = cat,
              .rules = &rules,
              .mapper = &mapper,
              .rep = out,
              .time_off = time_off};
    if ((rc = gl_store_begin(store)) < 0)
        goto done;
    snprintf(day, sizeof(day), "%s", w->from);
    for (int i = 0; i < w->days && rc == GL_OK; i++) {
        rc = propose_day(&r, day);
        gl_workweek_next_day(day, day);
    }
    /* Auto-accept what reached the threshold, as the user would with gleaner accept. */
    for (size_t i = 0; rc == GL_OK && s.auto_accept >= 0 && i < r.nopen; i++) {
        gl_proposal p;
        gl_decision_result res;
        if ((rc = gl_store_proposal_get(store, r.open_ids[i], &p)) < 0)
            break;
        if (p.project_id && p.task_id && p.confidence >= s.auto_accept &&
            gl_catalog_open(cat, p.project_id, p.task_id)) {
            rc = accept_in_txn(cli, store, cat, &p, false, &res);
            if (rc == GL_OK && !res.skipped)
                out->auto_accepted++;
            else if (rc == GL_EINVAL) {
                gl_error_clear();
                rc = GL_OK;
            }
        }
        gl_proposal_clear(&p);
    }
    if (rc < 0 || dry_run)
        gl_store_rollback(store);
    else
        rc = gl_store_commit(store);

done:
    free(r.open_ids);
    gl_time_off_free(time_off);
    gl_nb_free(model);
    ruleset_clear(&rules);
    gl_catalog_free(cat);
    return rc;
}

/* ------------------------------------------------------------------ JSON */

json_object *gl_proposal_json(const gl_proposal *p, const gl_catalog *cat)
{
    json_object *o = json_object_new_object(), *srcs = json_object_new_array();
    const char *name;
    char t[GL_TIME_UTC_LEN];

    json_object_object_add(o, "id", json_object_new_int64(p->id));
    json_object_object_add(o, "key", json_object_new_string(p->key));
    json_object_object_add(o, "date", json_object_new_string(p->day));
    json_object_object_add(o, "project_id",
                           p->project_id ? json_object_new_int64(p->project_id) : NULL);
    json_object_object_add(o, "task_id", p->task_id ? json_object_new_int64(p->task_id) : NULL);
    name = p->project_id ? gl_catalog_project_name(cat, p->project_id) : NULL;
    json_object_object_add(o, "project", name ? json_object_new_string(name) : NULL);
    name = p->project_id ? gl_catalog_client_name(cat, p->project_id) : NULL;
    json_object_object_add(o, "client", name ? json_object_new_string(name) : NULL);
    name = p->task_id ? gl_catalog_task_name(cat, p->task_id) : NULL;
    json_object_object_add(o, "task", name ? json_object_new_string(name) : NULL);
    json_object_object_add(o, "hours", gl_json_number(p->hours, 2));
    json_object_object_add(o, "notes", json_object_new_string(p->notes ? p->notes : ""));
    json_object_object_add(o, "confidence", gl_json_number(p->confidence, 3));
    json_object_object_add(o, "status", json_object_new_string(p->status));
    json_object_object_add(o, "edited", json_object_new_boolean(p->edited));
    json_object_object_add(o, "reason", json_object_new_string(p->reason ? p->reason : ""));
    if (p->harvest_entry_id)
        json_object_object_add(o, "harvest_entry_id", json_object_new_int64(p->harvest_entry_id));
    if (p->push_error)
        json_object_object_add(o, "push_error", json_object_new_string(p->push_error));
    for (size_t i = 0; i < p->nsources; i++) {
        const gl_proposal_source *s = &p->sources[i];
        json_object *so = json_object_new_object();
        json_object_object_add(so, "kind", json_object_new_string(s->kind));
        json_object_object_add(so, "source", json_object_new_string(s->source));
        json_object_object_add(so, "key", json_object_new_string(s->key));
        gl_time_format_utc(t, s->start);
        json_object_object_add(so, "start", json_object_new_string(t));
        gl_time_format_utc(t, s->end);
        json_object_object_add(so, "end", json_object_new_string(t));
        json_object_object_add(so, "title", json_object_new_string(s->title));
        json_object_object_add(so, "seconds", json_object_new_int64(s->seconds));
        json_object_array_add(srcs, so);
    }
    json_object_object_add(o, "sources", srcs);
    return o;
}

int gl_propose_list_json(gl_cli *cli, gl_store *store, const gl_window *w, const char *status,
                         json_object **out)
{
    gl_proposal_list l = {0};
    gl_catalog *cat = NULL;
    char *tz = NULL;
    json_object *doc, *arr;
    int rc;

    *out = NULL;
    if ((rc = gl_cli_timezone(cli, &tz)) < 0 || (rc = gl_catalog_load(&cat, store)) < 0 ||
        (rc = gl_store_proposals(store, w->from, w->to, status, &l)) < 0)
        goto done;
    doc = json_object_new_object();
    arr = json_object_new_array();
    json_object_object_add(doc, "from", json_object_new_string(w->from));
    json_object_object_add(doc, "to", json_object_new_string(w->to));
    json_object_object_add(doc, "timezone", json_object_new_string(tz));
    for (size_t i = 0; i < l.n; i++)
        json_object_array_add(arr, gl_proposal_json(&l.v[i], cat));
    json_object_object_add(doc, "proposals", arr);
    *out = doc;

done:
    gl_proposal_list_clear(&l);
    gl_catalog_free(cat);
    free(tz);
    return rc;
}

/* ------------------------------------------------------------- decisions */

/* The features of a proposal's activities that still exist, as a JSON array. */
typedef struct feature_set {
    char *f[MAX_FEATURES * 2];
    size_t n;
} feature_set;

static int add_activity_features(void *payload, const gl_activity *act)
{
    feature_set *fs = payload;
    held_list one = {0};
    int rc = hold(&one, &(gl_activity){.id = act->id,
                                       .source = act->source,
                                       .kind = act->kind,
                                       .key = act->key,
                                       .start = act->start,
                                       .end = act->end,
                                       .title = act->title,
                                       .counted = true,
                                       .details = act->details});
    if (rc == 0 && one.n == 1) {
        held_bind(&one.v[0]);
        gl_infer_features(&one.v[0].a, fs->f, &fs->n, sizeof(fs->f) / sizeof(fs->f[0]));
    }
    held_list_clear(&one);
    return rc;
}

static char *proposal_features(gl_store *store, const gl_proposal *p)
{
    feature_set fs = {0};
    json_object *arr = json_object_new_array();
    char *text;

    for (size_t i = 0; i < p->nsources; i++)
        if (p->sources[i].activity_id && gl_store_activity_by_id(store, p->sources[i].activity_id,
                                                                 add_activity_features, &fs) < 0)
            gl_error_clear(); /* gone: nothing to learn from it */
    for (size_t i = 0; i < fs.n; i++)
        json_object_array_add(arr, json_object_new_string(fs.f[i]));
    text = gl_strdup(gl_json_compact(arr));
    json_object_put(arr);
    free_features(fs.f, fs.n);
    return text;
}

/*
 * Whether the classifier chose (some of) it: its reason is "learned: ..." or
 * holds a "; learned" part after a rule's ("rule standups (2 meetings);
 * learned: ...").  Not any mention: a rule may be called "unlearned".
 */
static bool learned(const gl_proposal *p)
{
    return p->reason && (strncmp(p->reason, "learned", 7) == 0 || strstr(p->reason, "; learned"));
}

static int learn(gl_store *store, const gl_proposal *p, const char *action, int64_t project,
                 int64_t task, double weight)
{
    char label[48], *feats;
    int rc;

    if (!project || !task)
        return GL_OK;
    if (!(feats = proposal_features(store, p)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    gl_infer_label(label, sizeof(label), project, task);
    rc = strcmp(feats, "[]") == 0
             ? GL_OK
             : gl_store_decision_add(store, p->id, action, label, feats, weight);
    free(feats);
    return rc;
}

static json_object *entry_body(const gl_proposal *p, int64_t user_id)
{
    json_object *b = json_object_new_object(), *ref = json_object_new_object();

    if (user_id)
        json_object_object_add(b, "user_id", json_object_new_int64(user_id));
    json_object_object_add(b, "project_id", json_object_new_int64(p->project_id));
    json_object_object_add(b, "task_id", json_object_new_int64(p->task_id));
    json_object_object_add(b, "spent_date", json_object_new_string(p->day));
    json_object_object_add(b, "hours", gl_json_number(p->hours, 2));
    json_object_object_add(b, "notes", json_object_new_string(p->notes ? p->notes : ""));
    json_object_object_add(ref, "id", json_object_new_string(p->key));
    json_object_object_add(ref, "group_id", json_object_new_string("gleaner"));
    json_object_object_add(b, "external_reference", ref);
    /* The start of the first source, for accounts that track start and end times. */
    if (p->nsources) {
        int64_t first = p->sources[0].start;
        for (size_t i = 1; i < p->nsources; i++)
            if (p->sources[i].start < first)
                first = p->sources[i].start;
        json_object_object_add(b, "gleaner_first_start", json_object_new_int64(first));
    }
    return b;
}

static void result_set(gl_decision_result *out, int64_t id, int status, bool skipped,
                       const char *why)
{
    out->id = id;
    out->status = status;
    out->skipped = skipped;
    snprintf(out->why, sizeof(out->why), "%s", why ? why : "");
}

static int accept_in_txn(gl_cli *cli, gl_store *store, const gl_catalog *cat, gl_proposal *p,
                         bool learn_it, gl_decision_result *out)
{
    json_object *body;
    int64_t outbox_id = 0;
    char status[12], desc[200];
    int rc;

    (void)cli;
    if (strcmp(p->status, "accepted") == 0 || strcmp(p->status, "pushed") == 0) {
        result_set(out, p->id, GL_OK, true, "already accepted");
        if (strcmp(p->status, "pushed") == 0)
            snprintf(out->why, sizeof(out->why), "already pushed to Harvest");
        return GL_OK;
    }
    if (!p->project_id || !p->task_id) {
        rc = gl_error_set(GL_EINVAL,
                          "proposal %" PRId64 " is unassigned: give it a project and task first "
                          "(gleaner review, or gleaner edit)",
                          p->id);
        result_set(out, p->id, rc, false, gl_error_last());
        return rc;
    }
    if (p->hours <= 0) {
        rc = gl_error_set(GL_EINVAL, "proposal %" PRId64 " has no hours", p->id);
        result_set(out, p->id, rc, false, gl_error_last());
        return rc;
    }
    if (!gl_catalog_open(cat, p->project_id, p->task_id)) {
        gl_catalog_describe(cat, p->project_id, p->task_id, desc, sizeof(desc));
        rc = gl_error_set(GL_EINVAL,
                          "proposal %" PRId64 " goes to %s, which is archived or not assigned to "
                          "you; change its project or task first",
                          p->id, desc);
        result_set(out, p->id, rc, false, gl_error_last());
        return rc;
    }
    body = entry_body(p, gl_catalog_me(cat));
    rc = gl_store_outbox_find(store, p->key, &outbox_id, status);
    if (rc == GL_ENOTFOUND) {
        gl_error_clear();
        rc = gl_store_outbox_add(store, "harvest.time_entry", p->key, gl_json_compact(body), NULL);
    } else if (rc == GL_OK) {
        /* Failed before (the user changed it since), or taken back and accepted again. */
        rc = strcmp(status, "failed") == 0
                 ? gl_store_outbox_requeue(store, outbox_id, gl_json_compact(body))
                 : GL_OK;
    }
    json_object_put(body);
    if (rc < 0)
        return rc;
    snprintf(p->status, sizeof(p->status), "accepted");
    free(p->push_error);
    p->push_error = NULL;
    if ((rc = gl_store_proposal_update(store, p, false)) < 0)
        return rc;
    if (learn_it && (rc = learn(store, p, "accept", p->project_id, p->task_id, 1.0)) < 0)
        return rc;
    result_set(out, p->id, GL_OK, false, NULL);
    return GL_OK;
}

/* Run `fn` on proposal `id` in one transaction, with the catalog at hand. */
typedef int (*decide_fn)(gl_cli *cli, gl_store *store, const gl_catalog *cat, gl_proposal *p,
                         const void *arg, gl_decision_result *out);

static int decide(gl_cli *cli, gl_store *store, int64_t id, decide_fn fn, const void *arg,
                  gl_decision_result *out)
{
    gl_catalog *cat = NULL;
    gl_proposal p = {0};
    int rc;

    memset(out, 0, sizeof(*out));
    out->id = id;
    if ((rc = gl_catalog_load(&cat, store)) < 0)
        goto done;
    if ((rc = gl_store_begin(store)) < 0)
        goto done;
    if ((rc = gl_store_proposal_get(store, id, &p)) < 0 ||
        (rc = fn(cli, store, cat, &p, arg, out)) < 0) {
        gl_store_rollback(store);
        goto done;
    }
    rc = gl_store_commit(store);

done:
    if (rc < 0 && out->status == GL_OK) {
        out->status = rc;
        snprintf(out->why, sizeof(out->why), "%s", gl_error_last());
    }
    gl_proposal_clear(&p);
    gl_catalog_free(cat);
    return rc;
}

static int do_accept(gl_cli *cli, gl_store *store, const gl_catalog *cat, gl_proposal *p,
                     const void *arg, gl_decision_result *out)
{
    (void)arg;
    return accept_in_txn(cli, store, cat, p, true, out);
}

int gl_propose_accept(gl_cli *cli, gl_store *store, int64_t id, gl_decision_result *out)
{
    return decide(cli, store, id, do_accept, NULL, out);
}

/* Take back the queued entry of an accepted proposal, if it has not gone out. */
static int unqueue(gl_store *store, const gl_proposal *p)
{
    int64_t outbox_id;
    char status[12];
    int rc = gl_store_outbox_find(store, p->key, &outbox_id, status);

    if (rc == GL_ENOTFOUND) {
        gl_error_clear();
        return GL_OK;
    }
    if (rc < 0)
        return rc;
    if (strcmp(status, "pending") != 0 && strcmp(status, "failed") != 0)
        return gl_error_set(GL_ECONFLICT,
                            "proposal %" PRId64 " is being pushed to Harvest or was; change the "
                            "entry in Harvest instead",
                            p->id);
    return gl_store_outbox_cancel(store, outbox_id);
}

static int do_reject(gl_cli *cli, gl_store *store, const gl_catalog *cat, gl_proposal *p,
                     const void *arg, gl_decision_result *out)
{
    int rc;

    (void)cli;
    (void)cat;
    (void)arg;
    if (strcmp(p->status, "rejected") == 0) {
        result_set(out, p->id, GL_OK, true, "already rejected");
        return GL_OK;
    }
    if (strcmp(p->status, "pushed") == 0) {
        rc = gl_error_set(GL_ECONFLICT,
                          "proposal %" PRId64 " is already in Harvest (entry %" PRId64
                          "); delete it there",
                          p->id, p->harvest_entry_id);
        result_set(out, p->id, rc, false, gl_error_last());
        return rc;
    }
    if ((rc = unqueue(store, p)) < 0) {
        result_set(out, p->id, rc, false, gl_error_last());
        return rc;
    }
    snprintf(p->status, sizeof(p->status), "rejected");
    if ((rc = gl_store_proposal_update(store, p, false)) < 0)
        return rc;
    /* A rule's choice is the user's own; only a learned guess is unlearned. */
    if (learned(p) && !p->edited &&
        (rc = learn(store, p, "reject", p->project_id, p->task_id, -1.0)) < 0)
        return rc;
    result_set(out, p->id, GL_OK, false, NULL);
    return GL_OK;
}

int gl_propose_reject(gl_cli *cli, gl_store *store, int64_t id, gl_decision_result *out)
{
    return decide(cli, store, id, do_reject, NULL, out);
}

static int do_edit(gl_cli *cli, gl_store *store, const gl_catalog *cat, gl_proposal *p,
                   const void *arg, gl_decision_result *out)
{
    const gl_proposal_edit *e = arg;
    int64_t project = p->project_id, task = p->task_id;
    int rc;

    (void)cli;
    if (strcmp(p->status, "pushed") == 0) {
        rc = gl_error_set(GL_ECONFLICT,
                          "proposal %" PRId64 " is already in Harvest (entry %" PRId64
                          "); change it there",
                          p->id, p->harvest_entry_id);
        result_set(out, p->id, rc, false, gl_error_last());
        return rc;
    }
    if (e->set_hours && !(e->hours > 0 && e->hours <= 24)) {
        rc = gl_error_set(GL_EINVAL, "hours must be more than 0 and at most 24, not %g", e->hours);
        result_set(out, p->id, rc, false, gl_error_last());
        return rc;
    }
    if (e->project && (rc = gl_catalog_find_project(cat, e->project, "project", &project)) < 0) {
        result_set(out, p->id, rc, false, gl_error_last());
        return rc;
    }
    if (e->task) {
        if (!project) {
            rc = gl_error_set(GL_EINVAL, "give the project too: the proposal is unassigned");
            result_set(out, p->id, rc, false, gl_error_last());
            return rc;
        }
        if ((rc = gl_catalog_find_task(cat, project, e->task, "task", &task)) < 0) {
            result_set(out, p->id, rc, false, gl_error_last());
            return rc;
        }
    } else if (e->project && project != p->project_id) {
        if (!(task = gl_catalog_usual_task(cat, project))) {
            char desc[160];
            gl_catalog_describe(cat, project, 0, desc, sizeof(desc));
            rc = gl_error_set(GL_EINVAL, "%s has several tasks; say which one", desc);
            result_set(out, p->id, rc, false, gl_error_last());
            return rc;
        }
    }
    /* An accepted one goes back to proposed: its queued entry is taken back first. */
    if (strcmp(p->status, "accepted") == 0) {
        if ((rc = unqueue(store, p)) < 0) {
            result_set(out, p->id, rc, false, gl_error_last());
            return rc;
        }
    }
    if ((project != p->project_id || task != p->task_id) && project && task) {
        /* Learn the correction; unlearn the guess it replaces. */
        if ((rc = learn(store, p, "edit", project, task, DECISION_EDIT)) < 0)
            return rc;
        if (learned(p) && p->project_id &&
            (rc = learn(store, p, "edit", p->project_id, p->task_id, -1.0)) < 0)
            return rc;
    }
    p->project_id = project;
    p->task_id = task;
    if (e->set_hours)
        p->hours = e->hours;
    if (e->notes) {
        char *notes = gl_strdup(e->notes);
        if (!notes)
            return gl_error_set(GL_ENOMEM, "out of memory");
        free(p->notes);
        p->notes = notes;
    }
    if (p->project_id && p->task_id) {
        char *reason = gl_strdup("edited by you");
        if (!reason)
            return gl_error_set(GL_ENOMEM, "out of memory");
        free(p->reason);
        p->reason = reason;
        p->confidence = 1.0;
    }
    p->edited = true;
    snprintf(p->status, sizeof(p->status), "proposed");
    if ((rc = gl_store_proposal_update(store, p, false)) < 0)
        return rc;
    result_set(out, p->id, GL_OK, false, NULL);
    return GL_OK;
}

int gl_propose_edit(gl_cli *cli, gl_store *store, int64_t id, const gl_proposal_edit *e,
                    gl_decision_result *out)
{
    return decide(cli, store, id, do_edit, e, out);
}
