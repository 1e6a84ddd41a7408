/*
 * classify.c - multinomial naive Bayes with Laplace smoothing.  The model
 * is a json-c object (a hash table underneath), so saving it is printing
 * it: {"n":N, "vocab":{feature:1}, "labels":{label:{"docs":w,"total":t,
 * "f":{feature:count}}}}.
 */
#include "classify.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util/error.h"
#include "util/json.h"
#include "util/str.h"

/*
 * Additive smoothing below Laplace's 1: with a few dozen examples per label,
 * one familiar feature (a repository always billed to one project) should
 * be enough to be confident.
 */
#define SMOOTHING 0.1

struct gl_nb {
    json_object *model;
    /*
     * Per label, what gl_nb_predict_grouped's smoothing toward other groups
     * adds up to over the vocabulary (to normalise it): computed when first
     * needed, dropped when the model learns.  Not part of the saved model.
     */
    json_object *norms;
};

static json_object *member(json_object *o, const char *key, json_type type)
{
    json_object *v = NULL;

    if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, type))
        return v;
    if (!(v = type == json_type_object ? json_object_new_object() : json_object_new_double(0)))
        return NULL;
    json_object_object_add(o, key, v);
    return v;
}

static double number(json_object *o, const char *key)
{
    json_object *v;

    return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

static void add_to(json_object *o, const char *key, double by)
{
    json_object *v = member(o, key, json_type_double);

    if (v)
        json_object_set_double(v, json_object_get_double(v) + by);
}

int gl_nb_new(gl_nb **out)
{
    gl_nb *nb = calloc(1, sizeof(*nb));

    if (!nb || !(nb->model = json_object_new_object())) {
        free(nb);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    *out = nb;
    return GL_OK;
}

void gl_nb_free(gl_nb *nb)
{
    if (!nb)
        return;
    json_object_put(nb->model);
    json_object_put(nb->norms);
    free(nb);
}

int gl_nb_train(gl_nb *nb, const char *label, const char *const *features, size_t n, double weight)
{
    json_object *labels = member(nb->model, "labels", json_type_object);
    json_object *vocab = member(nb->model, "vocab", json_type_object);
    json_object *l = labels ? member(labels, label, json_type_object) : NULL;
    json_object *f = l ? member(l, "f", json_type_object) : NULL;

    if (!f || !vocab)
        return gl_error_set(GL_ENOMEM, "out of memory");
    json_object_put(nb->norms);
    nb->norms = NULL;
    add_to(nb->model, "n", weight);
    add_to(l, "docs", weight);
    for (size_t i = 0; i < n; i++) {
        add_to(f, features[i], weight);
        add_to(l, "total", weight);
        if (!json_object_object_get_ex(vocab, features[i], NULL))
            json_object_object_add(vocab, features[i], json_object_new_int(1));
    }
    /* Unlearning never leaves negative counts behind. */
    if (weight < 0) {
        if (number(l, "docs") < 0)
            add_to(l, "docs", -number(l, "docs"));
        if (number(l, "total") < 0)
            add_to(l, "total", -number(l, "total"));
        for (size_t i = 0; i < n; i++)
            if (number(f, features[i]) < 0)
                add_to(f, features[i], -number(f, features[i]));
    }
    return GL_OK;
}

double gl_nb_examples(const gl_nb *nb)
{
    return number(nb->model, "n");
}

/* One label's log score for `features` (those outside the vocabulary left out). */
static double label_score(const gl_nb *nb, json_object *l, json_object *vocab, double vsize,
                          double nlabels, const char *const *features, size_t n)
{
    json_object *f = NULL;
    double docs = number(l, "docs"), total = number(l, "total");
    double score = log((docs + 1) / (number(nb->model, "n") + nlabels));

    json_object_object_get_ex(l, "f", &f);
    for (size_t i = 0; i < n; i++) {
        if (!json_object_object_get_ex(vocab, features[i], NULL))
            continue;
        score += log((number(f, features[i]) + SMOOTHING) / (total + SMOOTHING * vsize));
    }
    return score;
}

int gl_nb_predict(const gl_nb *nb, const char *const *features, size_t n, gl_nb_allow_fn allow,
                  void *allow_payload, const char **label, double *confidence)
{
    json_object *labels = NULL, *vocab = NULL;
    double best = -INFINITY, sum = 0, vsize, nlabels;
    const char *best_label = NULL;
    size_t known = 0;

    *label = NULL;
    *confidence = 0;
    if (!json_object_object_get_ex(nb->model, "labels", &labels) ||
        !json_object_object_get_ex(nb->model, "vocab", &vocab))
        return gl_error_set(GL_ENOTFOUND, "nothing learned yet");
    /* Context features ("x:meeting") weigh in, but never decide alone. */
    for (size_t i = 0; i < n; i++)
        known += strncmp(features[i], "x:", 2) != 0 &&
                 json_object_object_get_ex(vocab, features[i], NULL);
    if (!known)
        return gl_error_set(GL_ENOTFOUND, "no feature seen before");
    vsize = (double)json_object_object_length(vocab);
    nlabels = (double)json_object_object_length(labels);

    /* Two passes: the best log score, then the normaliser relative to it. */
    for (int pass = 0; pass < 2; pass++) {
        json_object_object_foreach(labels, name, l)
        {
            if (number(l, "docs") <= 0 || (allow && !allow(allow_payload, name)))
                continue;
            double score = label_score(nb, l, vocab, vsize, nlabels, features, n);
            if (pass == 0 && score > best) {
                best = score;
                best_label = name;
            } else if (pass == 1) {
                sum += exp(score - best);
            }
        }
    }
    if (!best_label)
        return gl_error_set(GL_ENOTFOUND, "nothing learned yet");
    *label = best_label;
    *confidence = sum > 0 ? 1.0 / sum : 0;
    return GL_OK;
}

/* The length of `label`'s group part ("12" of "12:34"); 0: it has none. */
static size_t group_len(const char *label, char sep)
{
    const char *e = strchr(label, sep);
    return e ? (size_t)(e - label) : 0;
}

/* Sums of counts over labels: all of them, one group's, or one member's. */
typedef struct nb_sum {
    double docs, total, *f; /* f: per feature asked about */
} nb_sum;

static void sum_label(nb_sum *s, json_object *l, const char *const *features, size_t n)
{
    json_object *f = NULL;

    s->docs += number(l, "docs");
    s->total += number(l, "total");
    json_object_object_get_ex(l, "f", &f);
    for (size_t i = 0; f && i < n; i++)
        s->f[i] += number(f, features[i]);
}

/*
 * The sum over the vocabulary of p(f | group) * p(f | member) / p(f): the
 * smoothing prior of `label` before it is normalised.  Cached per label.
 */
static double member_norm(const gl_nb *cnb, json_object *labels, json_object *vocab,
                          const char *label, char sep, double vsize, const nb_sum *group,
                          const nb_sum *task, const nb_sum *every)
{
    gl_nb *nb = (gl_nb *)cnb; /* the cache only */
    json_object *cached = NULL, *a = NULL, *g = NULL, *t = NULL;
    size_t glen = group_len(label, sep);
    const char *suffix = label + glen;
    double z = 0;

    if (nb->norms && json_object_object_get_ex(nb->norms, label, &cached))
        return json_object_get_double(cached);
    if (!(a = json_object_new_object()) || !(g = json_object_new_object()) ||
        !(t = json_object_new_object()))
        goto done;
    json_object_object_foreach(labels, name, l)
    {
        json_object *f = NULL;
        bool in_group = group_len(name, sep) == glen && strncmp(name, label, glen) == 0;
        const char *o = strchr(name, sep);
        bool same_member = o && strcmp(o, suffix) == 0;
        if (!json_object_object_get_ex(l, "f", &f))
            continue;
        json_object_object_foreach(f, feature, count)
        {
            double c = json_object_get_double(count);
            add_to(a, feature, c);
            if (in_group)
                add_to(g, feature, c);
            if (same_member)
                add_to(t, feature, c);
        }
    }
    json_object_object_foreach(vocab, feature, unused)
    {
        (void)unused;
        z += (number(g, feature) + SMOOTHING) / (group->total + SMOOTHING * vsize) *
             ((number(t, feature) + SMOOTHING) / (task->total + SMOOTHING * vsize)) /
             ((number(a, feature) + SMOOTHING) / (every->total + SMOOTHING * vsize));
    }
    if (!nb->norms)
        nb->norms = json_object_new_object();
    if (nb->norms)
        json_object_object_add(nb->norms, label, json_object_new_double(z));
done:
    json_object_put(a);
    json_object_put(g);
    json_object_put(t);
    return z > 0 ? z : 1;
}

int gl_nb_predict_grouped(const gl_nb *nb, const char *const *features, size_t n,
                          const gl_nb_group *g, char *label, size_t len, double *confidence)
{
    json_object *labels = NULL, *vocab = NULL;
    const char *joint = NULL;
    double joint_conf = 0, vsize, nlabels, top = -INFINITY, all = 0, in_group = 0;
    double best = -INFINITY, z = 0;
    char(*members)[GL_NB_LABEL] = NULL, *best_member = NULL;
    double *buf = NULL, *score = NULL;
    size_t nmembers = 0, glen, nknown = 0, *known = NULL;
    nb_sum every = {0}, group = {0}, task = {0};
    int rc;

    if ((rc = gl_nb_predict(nb, features, n, g->allow, g->payload, &joint, &joint_conf)) < 0)
        return rc;
    snprintf(label, len, "%s", joint);
    *confidence = joint_conf;
    glen = group_len(joint, g->sep);
    if (!glen || g->strength <= 0 || !g->members)
        return GL_OK;
    json_object_object_get_ex(nb->model, "labels", &labels);
    json_object_object_get_ex(nb->model, "vocab", &vocab);
    vsize = (double)json_object_object_length(vocab);
    if (!(members = calloc(GL_NB_MEMBERS, sizeof(*members))) ||
        !(buf = calloc(3 * n + 1, sizeof(*buf))) ||
        !(score = calloc(GL_NB_MEMBERS, sizeof(*score))) ||
        !(known = calloc(n + 1, sizeof(*known)))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (json_object_object_get_ex(vocab, features[i], NULL))
            known[nknown++] = i;
    every.f = buf;
    group.f = buf + n;
    task.f = buf + 2 * n;
    nmembers = g->members(g->payload, joint, members, GL_NB_MEMBERS);

    /*
     * The probability of the joint choice's group, all its learned labels
     * together (sums relative to the best score so far, so exp() cannot
     * overflow); and the counts of everything and of the group.
     */
    nlabels = (double)json_object_object_length(labels);
    json_object_object_foreach(labels, name, l)
    {
        bool mine = group_len(name, g->sep) == glen && strncmp(name, joint, glen) == 0;
        sum_label(&every, l, features, n);
        if (mine)
            sum_label(&group, l, features, n);
        if (number(l, "docs") <= 0 || (g->allow && !g->allow(g->payload, name)))
            continue;
        double s = label_score(nb, l, vocab, vsize, nlabels, features, n);
        if (s > top) {
            all *= exp(top - s);
            in_group *= exp(top - s);
            top = s;
        }
        all += exp(s - top);
        if (mine)
            in_group += exp(s - top);
    }
    /*
     * Each member of the group again, learned or not.  A feature's
     * probability under it is its own count smoothed, with `strength`
     * pseudo-counts, toward what the group says of the feature times how
     * much likelier the same member makes it in every group: a task keeps
     * what it is known by elsewhere on a project that has seen little of it.
     */
    for (size_t m = 0; m < nmembers; m++) {
        json_object *mine = NULL, *mine_f = NULL;
        const char *suffix = members[m] + group_len(members[m], g->sep);
        double docs = 0, total = 0, s;

        memset(task.f, 0, n * sizeof(*task.f));
        task.docs = task.total = 0;
        json_object_object_foreach(labels, other, lo)
        {
            const char *o = strchr(other, g->sep);
            if (o && strcmp(o, suffix) == 0)
                sum_label(&task, lo, features, n);
        }
        if (json_object_object_get_ex(labels, members[m], &mine)) {
            docs = number(mine, "docs");
            total = number(mine, "total");
            json_object_object_get_ex(mine, "f", &mine_f);
        }
        double norm =
            member_norm(nb, labels, vocab, members[m], g->sep, vsize, &group, &task, &every);
        /* How often the group's time goes to this member, the member's share elsewhere as prior. */
        s = log((docs + g->strength_docs * (task.docs + 1) / (every.docs + nmembers)) /
                (group.docs + g->strength_docs));
        for (size_t k = 0; k < nknown; k++) {
            size_t i = known[k];
            double in_g = (group.f[i] + SMOOTHING) / (group.total + SMOOTHING * vsize);
            double in_t = (task.f[i] + SMOOTHING) / (task.total + SMOOTHING * vsize);
            double in_all = (every.f[i] + SMOOTHING) / (every.total + SMOOTHING * vsize);
            double prior = in_g * in_t / in_all / norm;
            s += log((number(mine_f, features[i]) + g->strength * prior) / (total + g->strength));
        }
        score[m] = s;
        if (s > best) {
            best = s;
            best_member = members[m];
        }
    }
    for (size_t m = 0; m < nmembers; m++)
        z += exp(score[m] - best);
    if (best_member && z > 0 && all > 0) {
        snprintf(label, len, "%s", best_member);
        *confidence = (in_group / all) / z;
    }
done:
    free(members);
    free(buf);
    free(score);
    free(known);
    return rc;
}

size_t gl_nb_explain(const gl_nb *nb, const char *const *features, size_t n, const char *label,
                     const char **out, size_t max)
{
    json_object *labels = NULL, *vocab = NULL, *mine = NULL, *mine_f = NULL;
    double score[16], vsize, total_mine, total_all = 0;
    size_t got = 0;

    if (max > 16)
        max = 16;
    if (!json_object_object_get_ex(nb->model, "labels", &labels) ||
        !json_object_object_get_ex(nb->model, "vocab", &vocab) ||
        !json_object_object_get_ex(labels, label, &mine))
        return 0;
    json_object_object_get_ex(mine, "f", &mine_f);
    vsize = (double)json_object_object_length(vocab);
    total_mine = number(mine, "total");
    json_object_object_foreach(labels, name, l)
    {
        (void)name;
        total_all += number(l, "total");
    }
    for (size_t i = 0; i < n; i++) {
        double in = number(mine_f, features[i]), all = 0, s;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(features[j], features[i]) == 0;
        if (seen || !json_object_object_get_ex(vocab, features[i], NULL) || in <= 0)
            continue;
        json_object_object_foreach(labels, other, lab)
        {
            json_object *f = NULL;
            (void)other;
            if (json_object_object_get_ex(lab, "f", &f))
                all += number(f, features[i]);
        }
        /* How much likelier the feature is under `label` than under the others. */
        s = log((in + SMOOTHING) / (total_mine + SMOOTHING * vsize)) -
            log((all - in + SMOOTHING) / (total_all - total_mine + SMOOTHING * vsize));
        if (s <= 0)
            continue;
        size_t at = got < max ? got++ : max;
        if (at == max && s <= score[max - 1])
            continue;
        if (at == max)
            at = max - 1;
        while (at > 0 && score[at - 1] < s) {
            score[at] = score[at - 1];
            out[at] = out[at - 1];
            at--;
        }
        score[at] = s;
        out[at] = features[i];
    }
    return got;
}

int gl_nb_save(const gl_nb *nb, char **json_out)
{
    if (!(*json_out = gl_strdup(json_object_to_json_string_ext(nb->model, JSON_C_TO_STRING_PLAIN))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    return GL_OK;
}

int gl_nb_load(gl_nb **out, const char *json_text)
{
    json_object *model = NULL;
    gl_nb *nb;
    int rc;

    *out = NULL;
    if ((rc = gl_json_parse(&model, json_text, strlen(json_text), "the classifier model")) < 0)
        return rc;
    if (!json_object_is_type(model, json_type_object)) {
        json_object_put(model);
        return gl_error_set(GL_EBADDATA, "the classifier model is not a JSON object");
    }
    if (!(nb = calloc(1, sizeof(*nb)))) {
        json_object_put(model);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    nb->model = model;
    *out = nb;
    return GL_OK;
}

/* Words that say nothing about a project. */
static bool stopword(const char *w)
{
    static const char *const words[] = {
        "the", "and", "for",  "with", "from", "into", "of",   "to",  "in",  "on", "an",  "at",
        "by",  "is",  "re",   "fw",   "fwd",  "aw",   "wg",   "or",  "our", "we", "you", "it",
        "be",  "as",  "this", "that", "are",  "was",  "will", "not", "no",  "do", "up",  "via"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(w, words[i]) == 0)
            return true;
    return false;
}

static void push(char **feats, size_t *n, size_t max, char kind, const char *value, size_t len)
{
    char *f;

    if (*n >= max || len == 0)
        return;
    if (!(f = gl_strdupf("%c:%.*s", kind, (int)len, value)))
        return;
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(feats[i], f) == 0) {
            free(f);
            return;
        }
    }
    feats[(*n)++] = f;
}

void gl_nb_feature(char **feats, size_t *n, size_t max, char kind, const char *value)
{
    if (value && *value)
        push(feats, n, max, kind, value, strlen(value));
}

size_t gl_nb_words(const char *text, char words[][GL_NB_WORD], size_t max)
{
    const unsigned char *t = (const unsigned char *)(text ? text : "");
    size_t n = 0, i = 0;

    while (t[i]) {
        char word[GL_NB_WORD];
        size_t len = 0;
        if (!isalnum(t[i]) && t[i] < 0x80) {
            i++;
            continue;
        }
        for (; t[i] && (isalnum(t[i]) || t[i] >= 0x80); i++)
            if (len < sizeof(word) - 3)
                word[len++] = (char)(t[i] < 0x80 ? tolower(t[i]) : t[i]);
        /* "1:1", "Q&A", "R&D": one character either side of ':' or '&' is one word. */
        if (len == 1 && (t[i] == ':' || t[i] == '&') && isalnum(t[i + 1]) && !isalnum(t[i + 2]) &&
            t[i + 2] < 0x80) {
            word[len++] = (char)t[i];
            word[len++] = (char)tolower(t[i + 1]);
            i += 2;
        }
        word[len] = '\0';
        if (len >= 2 && strspn(word, "0123456789") != len && !stopword(word) && n < max)
            memcpy(words[n++], word, len + 1);
    }
    return n;
}

static void push_words(char **feats, size_t *n, size_t max, char kind, const char *text)
{
    char words[64][GL_NB_WORD];
    size_t nw = gl_nb_words(text, words, 64);

    for (size_t i = 0; i < nw; i++)
        push(feats, n, max, kind, words[i], strlen(words[i]));
}

void gl_nb_features(char **feats, size_t *n, size_t max, const char *title,
                    const char *const *domains, size_t ndomains, const char *organizer,
                    const char *repo, const char *branch, const char *const *jira_keys,
                    size_t nkeys)
{
    if (title)
        push_words(feats, n, max, 'w', title);
    for (size_t i = 0; i < ndomains; i++)
        if (domains[i])
            push(feats, n, max, 'd', domains[i], strlen(domains[i]));
    if (organizer)
        push(feats, n, max, 'o', organizer, strlen(organizer));
    if (repo)
        push(feats, n, max, 'r', repo, strlen(repo));
    if (branch)
        push_words(feats, n, max, 'b', branch);
    for (size_t i = 0; i < nkeys; i++) {
        const char *dash = jira_keys[i] ? strchr(jira_keys[i], '-') : NULL;
        if (dash)
            push(feats, n, max, 'k', jira_keys[i], (size_t)(dash - jira_keys[i]));
    }
}
