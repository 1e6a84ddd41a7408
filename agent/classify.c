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

int gl_nb_predict(const gl_nb *nb, const char *const *features, size_t n, gl_nb_allow_fn allow,
                  void *allow_payload, const char **label, double *confidence)
{
    json_object *labels = NULL, *vocab = NULL;
    double best = -INFINITY, sum = 0, vsize, nlabels, ndocs = number(nb->model, "n");
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
            json_object *f = NULL;
            double docs = number(l, "docs"), total = number(l, "total");
            double score = log((docs + 1) / (ndocs + nlabels));

            if (docs <= 0 || (allow && !allow(allow_payload, name)))
                continue;
            json_object_object_get_ex(l, "f", &f);
            for (size_t i = 0; i < n; i++) {
                if (!json_object_object_get_ex(vocab, features[i], NULL))
                    continue;
                score += log((number(f, features[i]) + SMOOTHING) / (total + SMOOTHING * vsize));
            }
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
