/*
 * infer.h - the inference core (DESIGN.md section 6): from the activities
 * of one local day to the time entries a person would have written.  Pure:
 * activities, mappings and options in, groups out; no store, clock,
 * network or configuration.
 *
 *   1. Each activity is mapped to a Harvest project and task
 *      (gl_infer_map): the first matching rule wins; else the classifier
 *      learned from the user's history, when it is at least
 *      `min_confidence` sure; else "unassigned".
 *   2. The day's timeline (agent/timeline.h) says what each activity counts
 *      for: meetings merged where they overlap, Git sessions per
 *      repository cut around meetings, each commit owning the time that led
 *      up to it.
 *   3. One group per project and task: the seconds, a confidence (the
 *      mapping's, weighted by time), notes a person would write, the reason
 *      the project was chosen, and the sources.
 *
 * Hours are proposed rounded up to the configured step after what is
 * already tracked has been subtracted (gl_infer_hours).
 */
#ifndef GL_INFER_H
#define GL_INFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/classify.h"
#include "rules/mapping.h"

/* One activity that counts as work, as inference sees it.  Strings are borrowed. */
typedef struct gl_infer_activity {
    int64_t id;         /* the store's id, kept in the sources */
    const char *source; /* "calendar:work", "git:acme-web" */
    const char *key;
    bool commit;        /* else a meeting */
    int64_t start, end; /* UTC seconds; a commit has start == end */
    const char *title;  /* the meeting's title or the commit's summary line */
    const char *organizer;
    const char *const *domains; /* attendee domains */
    size_t ndomains;
    const char *const *people; /* attendees' addresses, the user's own left out */
    size_t npeople;
    const char *repo; /* commits: the [repo] name */
    const char *branch;
    const char *const *jira_keys;
    size_t njira;
    bool merge; /* a merge commit: evidence of work, but not a note */
} gl_infer_activity;

/* Where a rule sends what it matches. */
typedef struct gl_infer_target {
    int64_t project_id, task_id;
} gl_infer_target;

typedef struct gl_mapper {
    const gl_rules *rules;               /* may be NULL */
    const gl_infer_target *rule_targets; /* one per rule */
    const gl_nb *model;                  /* may be NULL */
    double min_confidence;               /* below this, "unassigned" */
    gl_nb_allow_fn allow;                /* labels still open to the user; NULL: any */
    /* The open labels of a label's project, learned or not (gl_nb_group); NULL: learned only. */
    size_t (*members)(void *payload, const char *label, char (*out)[GL_NB_LABEL], size_t max);
    void *allow_payload; /* for allow and members */
} gl_mapper;

typedef struct gl_mapping {
    int64_t project_id, task_id; /* 0, 0: unassigned */
    double confidence;           /* 1 for a rule; the posterior for the classifier; 0 */
    int rule;                    /* the rule's index, or -1 */
    bool learned;                /* the classifier chose it */
    char reason[192];            /* "rule standups", "learned: acme, planning (0.93)", ... */
} gl_mapping;

/* gl_infer_map - map one activity (never fails; unassigned is an answer). */
void gl_infer_map(const gl_mapper *m, const gl_infer_activity *a, gl_mapping *out);

/*
 * gl_infer_smooth - one sitting, one project: within a run of commits to one
 * repository with no pause over `max_gap` seconds, commits the classifier
 * placed elsewhere with less than `sure` confidence take the label the run
 * carries most (by confidence).  Rules are never overridden.  `maps[i]` is
 * the mapping of `acts[i]`; changed in place.
 */
void gl_infer_smooth(const gl_infer_activity *acts, gl_mapping *maps, size_t n, int64_t max_gap,
                     double sure);

/*
 * gl_infer_features - the classifier's features of an activity, appended to
 * feats[*n] (at most `max`, each malloc'd; caller frees): title words,
 * attendee domains and their names, organizer, repository and its words,
 * branch words, Jira project keys.
 */
void gl_infer_features(const gl_infer_activity *a, char **feats, size_t *n, size_t max);

/*
 * gl_infer_entry_features - the features of a Harvest entry learned from:
 * words of its notes, the Jira project keys in them, and "r:NAME" for each
 * of `repos` the notes name ("acme-web: fix ...").
 */
void gl_infer_entry_features(const char *notes, const char *const *repos, size_t nrepos,
                             char **feats, size_t *n, size_t max);

/* gl_infer_label - "project_id:task_id" into `out`; gl_infer_parse_label reads it back. */
void gl_infer_label(char *out, size_t len, int64_t project_id, int64_t task_id);
bool gl_infer_parse_label(const char *label, int64_t *project_id, int64_t *task_id);

typedef struct gl_infer_options {
    int64_t day_start, day_end;                /* the local day, [start, end) */
    int64_t work_start, work_end;              /* equal when it is not a workday */
    int64_t max_gap, lead_in;                  /* seconds */
    int64_t lead_out;                          /* see gl_tl_options */
    int64_t switch_gap;                        /* see gl_tl_options; 0: as max_gap */
    int64_t lunch_start, lunch_end, lunch_gap; /* see gl_tl_options; lunch_gap 0: off */
} gl_infer_options;

/* One activity's part in a group. */
typedef struct gl_infer_source {
    size_t activity; /* index into the day's activities */
    int64_t seconds; /* what it counted for (0: overlapped, or a commit without lead-in) */
} gl_infer_source;

typedef struct gl_infer_group {
    int64_t project_id, task_id; /* 0, 0: unassigned */
    int64_t seconds;             /* counted time, before anything is subtracted */
    double confidence;
    char *notes;              /* owned */
    char *reason;             /* owned */
    gl_infer_source *sources; /* owned, by time */
    size_t nsources;
} gl_infer_group;

typedef struct gl_infer_day {
    gl_infer_group *groups; /* owned, by first source */
    size_t n;
} gl_infer_day;

/*
 * gl_infer_day_build - group the day's activities (`maps[i]` is the mapping
 * of `acts[i]`).  Activities outside the day are ignored; an activity that
 * counts for no time still appears among its group's sources.  Clear `out`
 * with gl_infer_day_clear.
 */
int gl_infer_day_build(const gl_infer_activity *acts, const gl_mapping *maps, size_t n,
                       const gl_infer_options *opts, gl_infer_day *out);
void gl_infer_day_clear(gl_infer_day *d);

/*
 * gl_infer_notes - what a person would write for these activities (indexes
 * into `acts`): meeting titles, then per repository its commit summaries
 * and the Jira keys ("Sprint planning; acme-web: fix login redirect, add
 * tests (ACME-142)").  Caller frees.
 */
char *gl_infer_notes(const gl_infer_activity *acts, const gl_infer_source *srcs, size_t n);

/*
 * gl_infer_reason - the reasons of a group's sources, one per kind of choice
 * with how many it covered: "rule standups (2 meetings); learned: repo
 * acme-web (3 commits)" (`maps[i]` is the mapping of `acts[i]`).  Caller
 * frees.
 */
char *gl_infer_reason(const gl_infer_activity *acts, const gl_mapping *maps,
                      const gl_infer_group *g);

/*
 * gl_infer_hours - the hours left to propose: `seconds` less `covered`
 * hours, rounded up to `round` hours; 0 when less than a minute is left.
 */
double gl_infer_hours(int64_t seconds, double covered, double round);

#endif
