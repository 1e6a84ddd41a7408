/*
 * mapping.c - the first matching rule wins.
 */
#include "mapping.h"

#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "util/str.h"

typedef struct compiled {
    gl_rule_spec spec; /* strings point into the copies below */
    regex_t match, organizer, branch, jira_key;
    bool has_match, has_organizer, has_branch, has_jira_key;
    char **strings; /* every copied string, to free */
    size_t nstrings;
} compiled;

struct gl_rules {
    compiled *v;
    size_t n;
};

static const char *keep(compiled *c, const char *s)
{
    char *copy;

    if (!s)
        return NULL;
    if (!(copy = gl_strdup(s)))
        return NULL;
    c->strings[c->nstrings++] = copy;
    return copy;
}

static int compile(regex_t *re, bool *has, const char *pattern, const char *rule, const char *key)
{
    char msg[128];
    int err;

    if (!pattern)
        return GL_OK;
    if ((err = regcomp(re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB)) != 0) {
        regerror(err, re, msg, sizeof(msg));
        return gl_error_set(GL_ECONFIG, "rule.%s.%s = '%s' is not a regex: %s", rule, key, pattern,
                            msg);
    }
    *has = true;
    return GL_OK;
}

static void release(compiled *c)
{
    if (c->has_match)
        regfree(&c->match);
    if (c->has_organizer)
        regfree(&c->organizer);
    if (c->has_branch)
        regfree(&c->branch);
    if (c->has_jira_key)
        regfree(&c->jira_key);
    for (size_t i = 0; i < c->nstrings; i++)
        free(c->strings[i]);
    free(c->strings);
    free((void *)c->spec.attendee_domains);
}

int gl_rules_new(gl_rules **out, const gl_rule_spec *specs, size_t n)
{
    gl_rules *r = calloc(1, sizeof(*r));
    int rc = GL_OK;

    *out = NULL;
    if (!r || (n && !(r->v = calloc(n, sizeof(*r->v))))) {
        free(r);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && rc == GL_OK; i++) {
        const gl_rule_spec *s = &specs[i];
        compiled *c = &r->v[r->n++];
        const char **domains = NULL;

        c->spec = *s;
        c->spec.attendee_domains = NULL;
        if (!(c->strings = calloc(7 + s->n_attendee_domains, sizeof(char *))) ||
            (s->n_attendee_domains &&
             !(domains = calloc(s->n_attendee_domains, sizeof(*domains))))) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
            break;
        }
        c->spec.name = keep(c, s->name ? s->name : "");
        c->spec.match = keep(c, s->match);
        c->spec.organizer = keep(c, s->organizer);
        c->spec.repo = keep(c, s->repo);
        c->spec.branch = keep(c, s->branch);
        c->spec.jira_key = keep(c, s->jira_key);
        for (size_t j = 0; j < s->n_attendee_domains; j++) {
            const char *d = s->attendee_domains[j];
            domains[j] = keep(c, d[0] == '@' ? d + 1 : d);
        }
        c->spec.attendee_domains = domains;
        if ((rc = compile(&c->match, &c->has_match, s->match, c->spec.name, "match")) < 0 ||
            (rc = compile(&c->organizer, &c->has_organizer, s->organizer, c->spec.name,
                          "organizer")) < 0 ||
            (rc = compile(&c->branch, &c->has_branch, s->branch, c->spec.name, "branch")) < 0 ||
            (rc = compile(&c->jira_key, &c->has_jira_key, s->jira_key, c->spec.name, "jira-key")) <
                0)
            break;
    }
    if (rc < 0) {
        gl_rules_free(r);
        return rc;
    }
    *out = r;
    return GL_OK;
}

void gl_rules_free(gl_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        release(&r->v[i]);
    free(r->v);
    free(r);
}

static bool re_hit(const regex_t *re, const char *s)
{
    return s && regexec(re, s, 0, NULL, 0) == 0;
}

static bool matches(const compiled *c, const gl_evidence *e)
{
    const gl_rule_spec *s = &c->spec;

    if (s->source != GL_RULE_ANY && s->source != e->source)
        return false;
    if (c->has_match && !(re_hit(&c->match, e->title) || re_hit(&c->match, e->repo) ||
                          re_hit(&c->match, e->branch)))
        return false;
    if (c->has_organizer && !re_hit(&c->organizer, e->organizer))
        return false;
    if (s->repo && !(e->repo && strcmp(s->repo, e->repo) == 0))
        return false;
    if (c->has_branch && !re_hit(&c->branch, e->branch))
        return false;
    if (c->has_jira_key) {
        bool any = false;
        for (size_t i = 0; i < e->n_jira_keys && !any; i++)
            any = re_hit(&c->jira_key, e->jira_keys[i]);
        if (!any)
            return false;
    }
    if (s->n_attendee_domains) {
        bool any = false;
        for (size_t i = 0; i < s->n_attendee_domains && !any; i++)
            for (size_t j = 0; j < e->n_attendee_domains && !any; j++)
                any = strcasecmp(s->attendee_domains[i], e->attendee_domains[j]) == 0;
        if (!any)
            return false;
    }
    return true;
}

int gl_rules_match(const gl_rules *r, const gl_evidence *e)
{
    for (size_t i = 0; i < r->n; i++)
        if (matches(&r->v[i], e))
            return (int)i;
    return -1;
}

const gl_rule_spec *gl_rules_get(const gl_rules *r, size_t index)
{
    return index < r->n ? &r->v[index].spec : NULL;
}

size_t gl_rules_count(const gl_rules *r)
{
    return r->n;
}
