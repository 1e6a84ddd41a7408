/*
 * mapping.h - [rule "NAME"] sections: which Harvest project and task an
 * activity belongs to, decided by the first rule that matches.  Pure: the
 * caller resolves project and task names against the mirror and passes ids.
 *
 * A rule matches when every condition it sets holds (unset ones are not
 * checked): its source; `match` on the title, the repository or the branch;
 * `organizer`; any of its attendee domains among the meeting's; `repo`;
 * `branch`; `jira_key` on any of the activity's keys.  Regexes are POSIX
 * extended and case-insensitive.
 */
#ifndef GL_MAPPING_H
#define GL_MAPPING_H

#include <stddef.h>
#include <stdint.h>

typedef enum gl_rule_source {
    GL_RULE_ANY = 0,
    GL_RULE_CALENDAR,
    GL_RULE_GIT,
    GL_RULE_JIRA
} gl_rule_source;

typedef struct gl_rule_spec {
    const char *name;
    gl_rule_source source;
    const char *match;     /* regex on title, repository or branch; NULL: any */
    const char *organizer; /* regex on the organizer's email */
    const char *const *attendee_domains;
    size_t n_attendee_domains;
    const char *repo;     /* a [repo] name, exactly */
    const char *branch;   /* regex */
    const char *jira_key; /* regex on a Jira key */
    int64_t project_id, task_id;
} gl_rule_spec;

/* What an activity offers the rules.  Strings may be NULL. */
typedef struct gl_evidence {
    gl_rule_source source; /* GL_RULE_CALENDAR, _GIT or _JIRA */
    const char *title;
    const char *organizer;
    const char *const *attendee_domains;
    size_t n_attendee_domains;
    const char *repo;
    const char *branch;
    const char *const *jira_keys;
    size_t n_jira_keys;
} gl_evidence;

typedef struct gl_rules gl_rules;

/*
 * gl_rules_new - compile `specs` (copied).  GL_ECONFIG naming the rule and
 * the regex that does not compile.  Free with gl_rules_free.
 */
int gl_rules_new(gl_rules **out, const gl_rule_spec *specs, size_t n);
void gl_rules_free(gl_rules *rules);

/* gl_rules_match - the index of the first rule that matches `e`, or -1. */
int gl_rules_match(const gl_rules *rules, const gl_evidence *e);

/* The rule at `index` (as given to gl_rules_new); borrowed. */
const gl_rule_spec *gl_rules_get(const gl_rules *rules, size_t index);
size_t gl_rules_count(const gl_rules *rules);

#endif
