/*
 * classify.h - a naive Bayes classifier learned from the user's own
 * history: which Harvest project and task ("label") an activity belongs
 * to, from its features (title words, attendee domains, organizer,
 * repository, branch words, Jira project keys).  Pure: no store, no
 * network; the caller trains it from the mirror and from decisions, and
 * saves it as JSON.
 *
 * Features are strings with a one-letter kind prefix ("w:planning",
 * "d:acme.com", "o:lead@acme.com", "p:dev@acme.com" (an attendee),
 * "r:acme-web", "b:login", "k:ACME");
 * gl_nb_features builds them from an activity.  Features of kind "x"
 * ("x:meeting") are context: they weigh in, but a prediction needs at least
 * one feature of another kind that was seen before.
 */
#ifndef GL_CLASSIFY_H
#define GL_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct gl_nb gl_nb;

int gl_nb_new(gl_nb **out);
void gl_nb_free(gl_nb *nb);

/*
 * gl_nb_train - count one example of `label` with `features`, weighted
 * (1 for a Harvest entry, more for a decision the user made; a negative
 * weight unlearns, as when a proposal is rejected).
 */
int gl_nb_train(gl_nb *nb, const char *label, const char *const *features, size_t n, double weight);

/* Whether `label` may be predicted (a project still open to the user); NULL: any. */
typedef bool (*gl_nb_allow_fn)(void *payload, const char *label);

/*
 * gl_nb_predict - the most probable label for `features` among those
 * `allow` accepts, and its posterior probability in [0, 1] among them.
 * GL_ENOTFOUND when nothing was learned, no feature was ever seen, or no
 * label is allowed.  *label is borrowed from `nb`.
 */
int gl_nb_predict(const gl_nb *nb, const char *const *features, size_t n, gl_nb_allow_fn allow,
                  void *allow_payload, const char **label, double *confidence);

/* Labels made of a group and a member ("PROJECT:TASK"), for gl_nb_predict_grouped. */
#define GL_NB_LABEL   48
#define GL_NB_MEMBERS 64
typedef struct gl_nb_group {
    char sep;             /* between group and member: ':' */
    double strength;      /* pseudo-counts toward what other groups say of a member */
    double strength_docs; /* the same for how often a member is chosen */
    gl_nb_allow_fn allow; /* as for gl_nb_predict; NULL: any */
    /*
     * The labels that may be chosen in `label`'s group, learned or not (the
     * project's open tasks), into out[] (at most max); returns how many.
     */
    size_t (*members)(void *payload, const char *label, char (*out)[GL_NB_LABEL], size_t max);
    void *payload; /* for allow and members */
} gl_nb_group;

/*
 * gl_nb_predict_grouped - as gl_nb_predict, for labels "GROUP<sep>MEMBER":
 * the group is that of gl_nb_predict's label; the member is chosen again
 * among g->members, each label's counts smoothed toward what every other
 * group says of the same member (a task's words are the same in every
 * project), so a project that has seen little of a task can still choose
 * it.  The label goes into `label` (len bytes); the confidence is the
 * group's probability times the member's within it.  With no members
 * function or strength <= 0, gl_nb_predict's answer.
 */
int gl_nb_predict_grouped(const gl_nb *nb, const char *const *features, size_t n,
                          const gl_nb_group *g, char *label, size_t len, double *confidence);

/*
 * gl_nb_explain - up to `max` of `features` that speak most for `label`
 * against the other labels, strongest first, into out[] (borrowed from
 * `features`).  Returns how many.
 */
size_t gl_nb_explain(const gl_nb *nb, const char *const *features, size_t n, const char *label,
                     const char **out, size_t max);

/* Examples learned so far (sum of weights). */
double gl_nb_examples(const gl_nb *nb);

/* gl_nb_save - the model as JSON text (caller frees); gl_nb_load reads it back. */
int gl_nb_save(const gl_nb *nb, char **json_out);
int gl_nb_load(gl_nb **out, const char *json_text);

/*
 * gl_nb_words - the words of `text` as features see them, into words[] (at
 * most `max`; returns how many): lower-case, two characters or more, not
 * only digits, common words dropped; "1:1" and "Q&A" are words.
 */
#define GL_NB_WORD 32
size_t gl_nb_words(const char *text, char words[][GL_NB_WORD], size_t max);

/*
 * gl_nb_features - append the features of an activity to feats[*n] (at
 * most `max`; each malloc'd, caller frees): words of `title` (lower-case,
 * two letters or more, common words dropped), `kind:value` for the other
 * arguments (any may be NULL or empty).  Duplicates are dropped.
 */
void gl_nb_features(char **feats, size_t *n, size_t max, const char *title,
                    const char *const *domains, size_t ndomains, const char *organizer,
                    const char *repo, const char *branch, const char *const *jira_keys,
                    size_t nkeys);

/* gl_nb_feature - append "kind:value" to feats[*n] as gl_nb_features does (not when empty). */
void gl_nb_feature(char **feats, size_t *n, size_t max, char kind, const char *value);

#endif
