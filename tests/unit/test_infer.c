/*
 * test_infer.c - the inference core (agent/infer.h): notes a person would
 * write, hours rounded up after what is tracked, mapping by rule, then by
 * the classifier, else unassigned; the classifier's features; labels; and
 * one group per project and task of a day, with its time, confidence and
 * reason.  Every expected value below is worked out from the documented
 * rules, not read back from the code.
 */
#include "support.h"

#include <math.h>
#include <string.h>

#include "agent/infer.h"
#include "agent/timeline.h"

#define H(h, m)  ((int64_t)(h)*3600 + (int64_t)(m)*60)
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void assert_near(double got, double want)
{
    if (fabs(got - want) > 1e-9)
        fail_msg("got %.12g, want %.12g", got, want);
}

/* A meeting and a commit, as inference sees them. */
static gl_infer_activity meeting(const char *title, int64_t start, int64_t end)
{
    return (gl_infer_activity){
        .source = "calendar:work", .key = title, .start = start, .end = end, .title = title};
}

static gl_infer_activity commit(const char *repo, const char *summary, int64_t at)
{
    return (gl_infer_activity){.source = "git",
                               .key = summary,
                               .commit = true,
                               .start = at,
                               .end = at,
                               .title = summary,
                               .repo = repo};
}

/* ------------------------------------------------------------------ notes */

static char *notes_of(const gl_infer_activity *acts, size_t n, const int64_t *seconds)
{
    gl_infer_source srcs[64];
    assert_true(n <= NELEM(srcs));
    for (size_t i = 0; i < n; i++)
        srcs[i] = (gl_infer_source){.activity = i, .seconds = seconds ? seconds[i] : 600};
    char *notes = gl_infer_notes(acts, srcs, n);
    assert_non_null(notes);
    return notes;
}

static void test_notes_meetings_first_each_once_when_counted(void **state)
{
    (void)state;
    static const char *const keys[] = {"ACME-142"};
    gl_infer_activity acts[] = {
        commit("acme-web", "fix login redirect", H(9, 0)),
        meeting("Sprint planning", H(10, 0), H(11, 0)),
        meeting("Sprint planning", H(14, 0), H(14, 30)), /* the same title again */
        meeting("Swallowed", H(10, 15), H(10, 45)),      /* overlapped: counted nothing */
        meeting("1:1 with Bob", H(15, 0), H(15, 30)),
        commit("acme-web", "add tests", H(16, 0)),
    };
    acts[0].jira_keys = keys;
    acts[0].njira = 1;
    const int64_t seconds[] = {1800, 3600, 1800, 0, 1800, 3600};
    char *notes = notes_of(acts, NELEM(acts), seconds);
    assert_string_equal(notes,
                        "Sprint planning; 1:1 with Bob; acme-web: fix login redirect, add tests "
                        "(ACME-142)");
    free(notes);

    /* No activity at all: empty notes, not NULL. */
    notes = gl_infer_notes(acts, NULL, 0);
    assert_non_null(notes);
    assert_string_equal(notes, "");
    free(notes);
}

static void test_notes_per_repository_with_keys(void **state)
{
    (void)state;
    static const char *const web1[] = {"ACME-142"};
    static const char *const web2[] = {"ACME-142", "ACME-150"};
    static const char *const api[] = {"API-7"};
    gl_infer_activity acts[] = {
        commit("acme-web", "ACME-142: fix login redirect", H(9, 0)),
        commit("api", "[API-7] Bump deps.", H(9, 30)),
        commit("acme-web", "feat(auth): add tests", H(10, 0)),
        commit("acme-web", "fix login redirect", H(10, 30)), /* the same summary once cleaned */
    };
    acts[0].jira_keys = web1;
    acts[0].njira = 1;
    acts[1].jira_keys = api;
    acts[1].njira = 1;
    acts[2].jira_keys = web2;
    acts[2].njira = 2;
    char *notes = notes_of(acts, NELEM(acts), NULL);
    /* Repositories in the order they first appear; each key once. */
    assert_string_equal(notes, "acme-web: fix login redirect, add tests (ACME-142, ACME-150); "
                               "api: Bump deps (API-7)");
    free(notes);
}

static void test_notes_clean_summaries(void **state)
{
    (void)state;
    static const struct {
        const char *summary, *note;
    } cases[] = {
        {"ACME-142: fix login redirect", "r: fix login redirect"},
        {"[ACME-142] Fix login redirect.", "r: Fix login redirect"},
        {"ACME-142 fix login redirect", "r: fix login redirect"},
        {"(ACME-7) refactor: split the parser", "r: split the parser"},
        {"ACME-1 ACME-2 chore(deps): bump libgit2", "r: bump libgit2"},
        {"fix(auth): handle expired tokens", "r: handle expired tokens"},
        {"feat!: drop the legacy API", "r: drop the legacy API"},
        {"feat(api)!: drop v1", "r: drop v1"},
        {"docs: explain the outbox", "r: explain the outbox"},
        {"update README", "r: update README"},
        {"Fix typo in footer", "r: Fix typo in footer"},
        {"fixes the build", "r: fixes the build"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        gl_infer_activity a = commit("r", cases[i].summary, H(9, 0));
        char *notes = notes_of(&a, 1, NULL);
        if (strcmp(notes, cases[i].note) != 0)
            fail_msg("'%s' gave '%s', want '%s'", cases[i].summary, notes, cases[i].note);
        free(notes);
    }
}

static void test_notes_leave_merges_out(void **state)
{
    (void)state;
    gl_infer_activity acts[] = {
        commit("acme-web", "Merge branch 'main' into feature/login", H(9, 0)),
        commit("acme-web", "fix login redirect", H(9, 30)),
        commit("acme-web", "Merged PR 42: login", H(10, 0)),
        commit("acme-web", "Tidy the footer", H(10, 30)),
    };
    acts[3].merge = true; /* a merge commit whatever its summary says */
    char *notes = notes_of(acts, NELEM(acts), NULL);
    assert_string_equal(notes, "acme-web: fix login redirect");
    free(notes);
}

static void test_notes_and_n_more(void **state)
{
    (void)state;
    static const char *const sums[] = {"one", "two", "three", "four", "five", "six", "seven"};
    gl_infer_activity acts[NELEM(sums) + 1];
    for (size_t i = 0; i < NELEM(sums); i++)
        acts[i] = commit("r", sums[i], H(9, 0) + (int64_t)i * 600);

    /* Six summaries are all shown ... */
    char *notes = notes_of(acts, 6, NULL);
    assert_string_equal(notes, "r: one, two, three, four, five, six");
    free(notes);
    /* ... past six, five and how many more, so the list stays at six items. */
    notes = notes_of(acts, 7, NULL);
    assert_string_equal(notes, "r: one, two, three, four, five and 2 more");
    free(notes);
    /* A repeated summary is one summary. */
    acts[6] = commit("r", "two", H(12, 0));
    notes = notes_of(acts, 7, NULL);
    assert_string_equal(notes, "r: one, two, three, four, five, six");
    free(notes);
}

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
        if ((*p & 0xc0) == 0x80)
            return false;
        for (size_t i = 1; i < len; i++)
            if ((p[i] & 0xc0) != 0x80)
                return false;
        p += len;
    }
    return true;
}

static void test_notes_cap_on_a_character_boundary(void **state)
{
    (void)state;
    /* Exactly 1000 bytes is kept whole; 1001 is cut to 997 and "...". */
    char long_title[1002];
    memset(long_title, 'a', 1000);
    long_title[1000] = '\0';
    gl_infer_activity a = meeting(long_title, H(9, 0), H(10, 0));
    char *notes = notes_of(&a, 1, NULL);
    assert_int_equal(strlen(notes), 1000);
    assert_string_equal(notes, long_title);
    free(notes);
    long_title[1000] = 'b';
    long_title[1001] = '\0';
    notes = notes_of(&a, 1, NULL);
    assert_int_equal(strlen(notes), 1000);
    assert_memory_equal(notes, long_title, 997);
    assert_string_equal(notes + 997, "...");
    free(notes);

    /*
     * 40 titles of ten euro signs (3 bytes each) and a number: 33 bytes each,
     * 35 with the "; " between them, so title k starts at byte 35k.  Byte 997
     * is 35 * 28 + 17: the last byte of the sixth euro sign of title 28, whose
     * first byte is at 995.  The cut keeps 995 bytes and adds "...".
     */
    char titles[40][40], full[2000] = "";
    size_t len = 0;
    gl_infer_activity acts[40];
    for (int i = 0; i < 40; i++) {
        snprintf(titles[i], sizeof(titles[i]), "€€€€€€€€€€ %02d", i);
        assert_int_equal(strlen(titles[i]), 33);
        acts[i] = meeting(titles[i], H(8, 0) + i * 600, H(8, 10) + i * 600);
        len += (size_t)snprintf(full + len, sizeof(full) - len, "%s%s", i ? "; " : "", titles[i]);
    }
    assert_int_equal(len, 40 * 33 + 39 * 2);
    assert_true(((unsigned char)full[997] & 0xc0) == 0x80); /* mid-character */
    assert_true(((unsigned char)full[995] & 0xc0) == 0xc0); /* a lead byte */
    notes = notes_of(acts, 40, NULL);
    assert_int_equal(strlen(notes), 995 + 3);
    assert_memory_equal(notes, full, 995);
    assert_string_equal(notes + 995, "...");
    assert_true(valid_utf8(notes));
    free(notes);
}

/* ------------------------------------------------------------------ hours */

static void test_hours(void **state)
{
    (void)state;
    /* 33 minutes less 0.3 h is 0.25000000000000006 h in doubles: still 0.25, not 0.5. */
    const double hair_left = (double)H(0, 33) / 3600.0 - 0.3;
    assert_true(hair_left > 0.25 && ceil(hair_left / 0.25) == 2); /* the hair is there */
    static const struct {
        int64_t seconds;
        double covered, round, want;
    } cases[] = {
        {H(1, 0), 0, 0.25, 1.0},       /* exactly a step */
        {H(1, 0) + 1, 0, 0.25, 1.25},  /* rounded up */
        {H(1, 14), 0, 0.25, 1.25},     /* rounded up */
        {H(1, 15), 0, 0.25, 1.25},     /* exactly a step */
        {H(1, 16), 0, 0.25, 1.5},      /* rounded up */
        {H(0, 33), 0.3, 0.25, 0.25},   /* a hair over a step is that step */
        {H(1, 6), 0.6, 0.25, 0.5},     /* 0.5000000000000001 h left */
        {H(0, 24), 0.1, 0.1, 0.3},     /* 0.30000000000000004 h left */
        {H(0, 1), 0, 0.25, 0.25},      /* a minute is worth proposing */
        {59, 0, 0.25, 0},              /* less than a minute is not */
        {0, 0, 0.25, 0},               /* nothing */
        {H(2, 0), 1.5, 0.25, 0.5},     /* what is tracked is subtracted */
        {H(2, 0), 2.0, 0.25, 0},       /* all of it tracked */
        {H(2, 0), 3.0, 0.25, 0},       /* more tracked than done: nothing, never negative */
        {H(2, 0), 1.99, 0.25, 0},      /* 36 seconds left */
        {H(2, 0), 1.98, 0.25, 0.25},   /* 72 seconds left */
        {H(0, 50), 0, 0.1, 0.9},       /* another step: 0.833 h */
        {H(1, 30), 0, 0.5, 1.5},       /* exactly three half hours */
        {H(1, 1), 0, 1.0, 2.0},        /* whole hours */
        {H(3, 10), 1.0, 0.25, 2.25},   /* 2 h 10 left */
        {H(8, 0), 0.75, 0.25, 7.25},   /* 7 h 15 left, exactly */
        {H(0, 20), 0.25, 0.25, 0.25},  /* 5 minutes left */
        {H(0, 15) + 30, 0, 0.25, 0.5}, /* half a minute over a step */
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        double got = gl_infer_hours(cases[i].seconds, cases[i].covered, cases[i].round);
        if (fabs(got - cases[i].want) > 1e-9)
            fail_msg("case %zu: %lld s, %.2f covered, round %.2f: got %.12g, want %.2f", i,
                     (long long)cases[i].seconds, cases[i].covered, cases[i].round, got,
                     cases[i].want);
    }
}

/* ---------------------------------------------------------------- mapping */

static const char *const acme_domains[] = {"acme.com"};

static const gl_rule_spec rule_specs[] = {
    {.name = "standups", .source = GL_RULE_CALENDAR, .match = "standup|retro"},
    {.name = "web", .source = GL_RULE_GIT, .repo = "acme-web"},
    {.name = "acme anything", .match = "acme"},
    {.name = "acme people",
     .source = GL_RULE_CALENDAR,
     .attendee_domains = acme_domains,
     .n_attendee_domains = 1},
};
static const gl_infer_target rule_targets[] = {{100, 10}, {200, 20}, {300, 30}, {310, 31}};

static gl_rules *rules_new(void)
{
    gl_rules *r = NULL;
    gl_assert_ok(gl_rules_new(&r, rule_specs, NELEM(rule_specs)));
    return r;
}

static void train_on(gl_nb *nb, const char *label, const gl_infer_activity *a, int times)
{
    char *f[96];
    size_t n = 0;
    gl_infer_features(a, f, &n, 96);
    for (int i = 0; i < times; i++)
        gl_assert_ok(gl_nb_train(nb, label, (const char *const *)f, n, 1.0));
    for (size_t i = 0; i < n; i++)
        free(f[i]);
}

static const char *const initech_domains[] = {"initech.de"};
static const char *const globex_domains[] = {"globex.com"};

/*
 * Two labels learned alike: five "Initech data sync" meetings and five
 * "Globex design review" ones, four features each (three title words and the
 * domain; the domain's word is the first title word again).
 */
static gl_nb *model_new(void)
{
    gl_nb *nb = NULL;
    gl_infer_activity initech = meeting("Initech data sync", H(10, 0), H(11, 0));
    gl_infer_activity globex = meeting("Globex design review", H(10, 0), H(11, 0));
    initech.domains = initech_domains;
    initech.ndomains = 1;
    globex.domains = globex_domains;
    globex.ndomains = 1;
    gl_assert_ok(gl_nb_new(&nb));
    train_on(nb, "400:40", &initech, 5);
    train_on(nb, "500:50", &globex, 5);
    return nb;
}

static void test_map_first_matching_rule_wins(void **state)
{
    (void)state;
    gl_rules *rules = rules_new();
    gl_nb *model = model_new();
    gl_mapper m = {
        .rules = rules, .rule_targets = rule_targets, .model = model, .min_confidence = 0.5};
    static const struct {
        bool commit;
        const char *title, *repo;
        bool acme_attendee;
        int rule;
        int64_t project, task;
        const char *reason;
    } cases[] = {
        /* "standups" and "acme anything" both match: the first wins. */
        {false, "ACME standup", NULL, false, 0, 100, 10, "rule standups"},
        /* The rule is for calendars: a commit saying standup is not a meeting. */
        {true, "standup bot: fix ACME timezone", "tools", false, 2, 300, 30, "rule acme anything"},
        {true, "Fix login redirect", "acme-web", false, 1, 200, 20, "rule web"},
        /* A rule beats the classifier, however sure the classifier would be. */
        {false, "Initech data sync", NULL, true, 3, 310, 31, "rule acme people"},
        {false, "Team retro", NULL, true, 0, 100, 10, "rule standups"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        gl_infer_activity a = cases[i].commit ? commit(cases[i].repo, cases[i].title, H(10, 0))
                                              : meeting(cases[i].title, H(10, 0), H(11, 0));
        if (cases[i].acme_attendee) {
            a.domains = acme_domains;
            a.ndomains = 1;
        }
        gl_mapping out;
        gl_infer_map(&m, &a, &out);
        if (out.rule != cases[i].rule)
            fail_msg("'%s': rule %d, want %d", cases[i].title, out.rule, cases[i].rule);
        assert_int_equal(out.project_id, cases[i].project);
        assert_int_equal(out.task_id, cases[i].task);
        assert_near(out.confidence, 1.0);
        assert_false(out.learned);
        assert_string_equal(out.reason, cases[i].reason);
    }
    gl_nb_free(model);
    gl_rules_free(rules);
}

static double posterior(const gl_nb *nb, const gl_infer_activity *a, const char **label)
{
    char *f[96];
    size_t n = 0;
    double conf = -1;
    gl_infer_features(a, f, &n, 96);
    gl_assert_ok(gl_nb_predict(nb, (const char *const *)f, n, NULL, NULL, label, &conf));
    for (size_t i = 0; i < n; i++)
        free(f[i]);
    return conf;
}

static void test_map_learned_when_sure_enough(void **state)
{
    (void)state;
    gl_rules *rules = rules_new();
    gl_nb *model = model_new();
    gl_mapper m = {
        .rules = rules, .rule_targets = rule_targets, .model = model, .min_confidence = 0.5};
    gl_infer_activity a = meeting("Initech sync", H(10, 0), H(11, 0));
    a.domains = initech_domains;
    a.ndomains = 1;
    gl_mapping out;
    gl_infer_map(&m, &a, &out);
    assert_int_equal(out.rule, -1);
    assert_true(out.learned);
    assert_int_equal(out.project_id, 400);
    assert_int_equal(out.task_id, 40);
    const char *label = NULL;
    double p = posterior(model, &a, &label);
    assert_string_equal(label, "400:40");
    assert_near(out.confidence, p);
    assert_true(out.confidence >= 0.5 && out.confidence <= 1.0);
    assert_true(strncmp(out.reason, "learned", 7) == 0);
    assert_non_null(strstr(out.reason, "initech")); /* what spoke for it */
    assert_null(strstr(out.reason, "w:"));          /* said as a person would */

    /* Exactly at the floor is sure enough. */
    m.min_confidence = out.confidence;
    gl_infer_map(&m, &a, &out);
    assert_true(out.learned);
    assert_int_equal(out.project_id, 400);
    gl_nb_free(model);
    gl_rules_free(rules);
}

static void test_map_below_the_floor_is_unassigned(void **state)
{
    (void)state;
    gl_nb *model = model_new();
    gl_mapper m = {.model = model, .min_confidence = 0.6};
    /*
     * "sync" was seen five times under 400:40 only, "review" five times under
     * 500:50 only, and both labels have five examples of four features: the
     * evidence is even, so the best guess is exactly 0.5 sure.
     */
    gl_infer_activity a = meeting("Sync review", H(10, 0), H(11, 0));
    gl_mapping out;
    gl_infer_map(&m, &a, &out);
    assert_int_equal(out.project_id, 0);
    assert_int_equal(out.task_id, 0);
    assert_int_equal(out.rule, -1);
    assert_false(out.learned);
    assert_near(out.confidence, 0.5); /* kept, so a person sees how close it was */
    assert_true(strncmp(out.reason, "learned", 7) != 0);

    /* With the floor at 0.5 the guess is taken. */
    m.min_confidence = 0.5;
    gl_infer_map(&m, &a, &out);
    assert_true(out.learned);
    assert_true(out.project_id == 400 || out.project_id == 500);
    assert_near(out.confidence, 0.5);

    /* Nothing ever seen: unassigned, nothing to be sure of. */
    m.min_confidence = 0;
    gl_infer_activity dentist = meeting("Dentist", H(10, 0), H(11, 0));
    gl_infer_map(&m, &dentist, &out);
    assert_int_equal(out.project_id, 0);
    assert_false(out.learned);
    assert_near(out.confidence, 0);

    /* No model and no rules at all. */
    gl_mapper bare = {.min_confidence = 0.5};
    gl_infer_map(&bare, &a, &out);
    assert_int_equal(out.project_id, 0);
    assert_int_equal(out.rule, -1);
    assert_false(out.learned);
    assert_near(out.confidence, 0);
    assert_true(out.reason[0] != '\0');
    gl_nb_free(model);
}

typedef struct allow_state {
    const char *refused; /* NULL: refuse everything */
    int calls;
} allow_state;

static bool allow_but(void *payload, const char *label)
{
    allow_state *s = payload;
    s->calls++;
    return s->refused && strcmp(label, s->refused) != 0;
}

static void test_map_allow_filters_labels(void **state)
{
    (void)state;
    gl_nb *model = model_new();
    allow_state st = {.refused = "400:40"};
    gl_mapper m = {.model = model, .min_confidence = 0.5, .allow = allow_but, .allow_payload = &st};
    gl_infer_activity a = meeting("Initech sync", H(10, 0), H(11, 0));
    a.domains = initech_domains;
    a.ndomains = 1;
    gl_mapping out;
    /* Initech's project is closed to the user: the only label left is Globex's. */
    gl_infer_map(&m, &a, &out);
    assert_true(st.calls > 0);
    assert_true(out.learned);
    assert_int_equal(out.project_id, 500);
    assert_int_equal(out.task_id, 50);
    assert_near(out.confidence, 1.0); /* the posterior among the labels allowed */

    /* Nothing open: unassigned. */
    st.refused = NULL;
    gl_infer_map(&m, &a, &out);
    assert_int_equal(out.project_id, 0);
    assert_false(out.learned);
    assert_near(out.confidence, 0);
    gl_nb_free(model);
}

/* --------------------------------------------------------------- features */

static bool has(char **f, size_t n, const char *want)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i], want) == 0)
            return true;
    return false;
}

static void free_all(char **f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(f[i]);
}

/*
 * Two projects at one client: the same "Retrospective" on the same domain,
 * each with its own people.  Who is in the room tells them apart.
 */
static void test_map_people_tell_two_projects_of_a_client_apart(void **state)
{
    (void)state;
    static const char *const web_team[] = {"ana@acme.com", "ben@acme.com"};
    static const char *const app_team[] = {"ben@acme.com", "cleo@acme.com", "dan@acme.com"};
    static const char *const app_today[] = {"cleo@acme.com", "dan@acme.com"};
    gl_infer_activity web = meeting("Retrospective", H(10, 0), H(11, 0));
    gl_infer_activity app = web, today = web;
    gl_nb *nb = NULL;
    gl_mapping out;

    web.domains = app.domains = today.domains = acme_domains;
    web.ndomains = app.ndomains = today.ndomains = 1;
    web.people = web_team;
    web.npeople = NELEM(web_team);
    app.people = app_team;
    app.npeople = NELEM(app_team);
    gl_assert_ok(gl_nb_new(&nb));
    train_on(nb, "600:60", &web, 4);
    train_on(nb, "700:60", &app, 3);
    gl_mapper m = {.model = nb, .min_confidence = 0.5};

    today.people = app_today;
    today.npeople = NELEM(app_today);
    gl_infer_map(&m, &today, &out);
    assert_int_equal(out.project_id, 700);
    assert_true(out.learned);
    assert_non_null(strstr(out.reason, "@acme.com"));
    /* Without people, the project with more history wins. */
    gl_infer_map(&m,
                 &(gl_infer_activity){.title = "Retrospective",
                                      .domains = acme_domains,
                                      .ndomains = 1,
                                      .start = H(10, 0),
                                      .end = H(11, 0)},
                 &out);
    assert_int_equal(out.project_id, 600);
    gl_nb_free(nb);
}

static void test_features_of_a_meeting(void **state)
{
    (void)state;
    static const char *const domains[] = {"mail.acme.co.uk", "gmail.com",   "initech.de",
                                          "GMAIL.COM",       "zoom.us",     "bbc.co.uk",
                                          "foo.com.au",      "example.org", "localhost"};
    static const char *const people[] = {"lead@acme.co.uk", "dev@initech.de"};
    gl_infer_activity a = meeting("Sprint planning with the team", H(10, 0), H(11, 0));
    a.domains = domains;
    a.ndomains = NELEM(domains);
    a.organizer = "lead@acme.co.uk";
    a.people = people;
    a.npeople = NELEM(people);
    char *f[96];
    size_t n = 0;
    gl_infer_features(&a, f, &n, 96);
    const char *want[] = {"w:sprint",
                          "w:planning",
                          "w:team",
                          "d:mail.acme.co.uk",
                          "d:initech.de",
                          "d:bbc.co.uk",
                          "d:foo.com.au",
                          "d:example.org",
                          "o:lead@acme.co.uk",
                          "w:acme",
                          "w:initech",
                          "w:bbc",
                          "w:foo",
                          "w:example",
                          "p:lead@acme.co.uk",
                          "p:dev@initech.de"};
    for (size_t i = 0; i < NELEM(want); i++)
        if (!has(f, n, want[i]))
            fail_msg("no feature %s", want[i]);
    const char *unwanted[] = {"w:with",  "w:the",     "d:gmail.com", "d:GMAIL.COM",
                              "w:gmail", "d:zoom.us", "w:zoom",      "w:mail",
                              "w:co",    "w:uk",      "w:com",       "w:au"};
    for (size_t i = 0; i < NELEM(unwanted); i++)
        if (has(f, n, unwanted[i]))
            fail_msg("unexpected feature %s", unwanted[i]);
    /* Each feature once. */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            assert_string_not_equal(f[i], f[j]);
    free_all(f, n);
}

static void test_features_of_a_commit(void **state)
{
    (void)state;
    static const char *const keys[] = {"ACME-142", "OPS-7"};
    gl_infer_activity a = commit("acme-web", "Fix login redirect", H(10, 0));
    a.branch = "feature/ACME-142-login";
    a.jira_keys = keys;
    a.njira = 2;
    char *f[96];
    size_t n = 0;
    gl_infer_features(&a, f, &n, 96);
    const char *want[] = {"w:fix",   "w:login", "w:redirect", "r:acme-web", "b:feature", "b:acme",
                          "b:login", "k:ACME",  "k:OPS",      "w:acme",     "w:web"};
    for (size_t i = 0; i < NELEM(want); i++)
        if (!has(f, n, want[i]))
            fail_msg("no feature %s", want[i]);
    assert_false(has(f, n, "b:142"));
    free_all(f, n);

    /* At most `max`, appended after what is there. */
    char *g[4];
    size_t m = 0;
    gl_infer_features(&a, g, &m, 3);
    assert_int_equal(m, 3);
    gl_infer_features(&a, g, &m, 3);
    assert_int_equal(m, 3);
    free_all(g, m);
}

static void test_entry_features(void **state)
{
    (void)state;
    static const char *const repos[] = {"acme-web", "acme", "api"};
    static const struct {
        const char *notes;
        const char *present[4], *absent[4];
    } cases[] = {
        {"acme-web: fix login redirect (ACME-142)",
         {"r:acme-web", "k:ACME", "w:login", "w:redirect"},
         {"r:acme", "r:api", NULL}},
        {"Worked on acme-web-v2 and my-acme-web", {"w:worked", NULL}, {"r:acme-web", NULL}},
        {"Reviewed (acme-web).", {"r:acme-web", NULL}, {"r:acme", NULL}},
        {"Sprint planning; api: bump deps, acme-web: tidy",
         {"r:api", "r:acme-web", NULL},
         {"r:acme", NULL}},
        {"acme: weekly sync", {"r:acme", "w:weekly", "w:sync", NULL}, {"r:acme-web", NULL}},
        {"rapid prototyping", {"w:rapid", NULL}, {"r:api", NULL}},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char *f[96];
        size_t n = 0;
        gl_infer_entry_features(cases[i].notes, repos, NELEM(repos), f, &n, 96);
        for (size_t k = 0; k < 4 && cases[i].present[k]; k++)
            if (!has(f, n, cases[i].present[k]))
                fail_msg("'%s': no feature %s", cases[i].notes, cases[i].present[k]);
        for (size_t k = 0; k < 4 && cases[i].absent[k]; k++)
            if (has(f, n, cases[i].absent[k]))
                fail_msg("'%s': unexpected feature %s", cases[i].notes, cases[i].absent[k]);
        free_all(f, n);
    }
    char *f[4];
    size_t n = 0;
    gl_infer_entry_features(NULL, repos, NELEM(repos), f, &n, 4);
    assert_int_equal(n, 0);
}

/* ----------------------------------------------------------------- labels */

static void test_labels(void **state)
{
    (void)state;
    char buf[48];
    int64_t p = -1, t = -1;
    gl_infer_label(buf, sizeof(buf), 14307913, 8083365);
    assert_string_equal(buf, "14307913:8083365");
    assert_true(gl_infer_parse_label(buf, &p, &t));
    assert_int_equal(p, 14307913);
    assert_int_equal(t, 8083365);
    /* Ids beyond 32 bits survive the round trip. */
    gl_infer_label(buf, sizeof(buf), 9007199254740993LL, 2401234501LL);
    assert_true(gl_infer_parse_label(buf, &p, &t));
    assert_true(p == 9007199254740993LL && t == 2401234501LL);

    static const char *const bad[] = {
        "",     ":",    "12",  "12:",    ":34",   "0:5",    "5:0",
        "-1:5", "5:-1", "a:b", "12:34x", "1:2:3", "x12:34", "99999999999999999999:1"};
    for (size_t i = 0; i < NELEM(bad); i++)
        if (gl_infer_parse_label(bad[i], &p, &t))
            fail_msg("'%s' parsed", bad[i]);
    assert_false(gl_infer_parse_label(NULL, &p, &t));
}

/* ---------------------------------------------------------------- the day */

static const gl_infer_options day_opts = {.day_start = 0,
                                          .day_end = H(24, 0),
                                          .work_start = H(9, 0),
                                          .work_end = H(17, 30),
                                          .max_gap = H(2, 0),
                                          .lead_in = H(0, 30)};

static gl_mapping by_rule(int rule, const char *name, int64_t project, int64_t task)
{
    gl_mapping m = {.project_id = project, .task_id = task, .confidence = 1.0, .rule = rule};
    snprintf(m.reason, sizeof(m.reason), "rule %s", name);
    return m;
}

static gl_mapping by_model(int64_t project, int64_t task, double conf, const char *reason)
{
    gl_mapping m = {
        .project_id = project, .task_id = task, .confidence = conf, .rule = -1, .learned = true};
    snprintf(m.reason, sizeof(m.reason), "%s", reason);
    return m;
}

static gl_mapping unassigned(double conf)
{
    gl_mapping m = {.confidence = conf, .rule = -1};
    snprintf(m.reason, sizeof(m.reason),
             "no rule matched; the best guess (9:9) is only %.2f sure, below 0.50", conf);
    return m;
}

static gl_infer_day day_of(const gl_infer_activity *acts, const gl_mapping *maps, size_t n)
{
    gl_infer_day d;
    gl_assert_ok(gl_infer_day_build(acts, maps, n, &day_opts, &d));
    return d;
}

/* What the timeline alone makes of the same activities. */
static int64_t timeline_total(const gl_infer_activity *acts, size_t n, int64_t *per_event)
{
    gl_tl_event ev[32];
    char const *repos[32];
    size_t nrepos = 0;
    gl_timeline tl;
    assert_true(n <= 32);
    for (size_t i = 0; i < n; i++) {
        size_t r = 0;
        if (acts[i].commit) {
            while (r < nrepos && strcmp(repos[r], acts[i].repo) != 0)
                r++;
            if (r == nrepos)
                repos[nrepos++] = acts[i].repo;
        }
        ev[i] = (gl_tl_event){acts[i].commit ? GL_TL_COMMIT : GL_TL_MEETING, acts[i].start,
                              acts[i].end, (int)r};
    }
    gl_tl_options o = {.day_start = day_opts.day_start,
                       .day_end = day_opts.day_end,
                       .work_start = day_opts.work_start,
                       .work_end = day_opts.work_end,
                       .max_gap = day_opts.max_gap,
                       .lead_in = day_opts.lead_in};
    gl_assert_ok(gl_timeline_build(ev, n, &o, &tl));
    int64_t total = tl.meeting_seconds + tl.session_seconds;
    for (size_t i = 0; per_event && i < n; i++)
        per_event[i] = tl.event_seconds[i];
    gl_timeline_clear(&tl);
    return total;
}

static void test_day_one_group_per_project_and_task(void **state)
{
    (void)state;
    static const char *const keys[] = {"ACME-142"};
    gl_infer_activity acts[] = {
        meeting("Standup", H(9, 30), H(9, 45)),
        commit("acme-web", "fix login redirect", H(10, 30)),
        meeting("Planning", H(14, 0), H(15, 0)),
        commit("acme-web", "add tests", H(11, 30)),
        meeting("Mystery", H(16, 0), H(16, 30)),
        meeting("Yesterday's standup", -H(15, 0), -H(14, 45)), /* not this day */
    };
    acts[1].jira_keys = acts[3].jira_keys = keys;
    acts[1].njira = acts[3].njira = 1;
    const gl_mapping maps[] = {
        by_rule(0, "standups", 100, 10),
        by_rule(1, "web", 200, 20),
        by_rule(0, "standups", 100, 10),
        by_rule(1, "web", 200, 20),
        unassigned(0.3),
        by_rule(0, "standups", 100, 10),
    };
    gl_infer_day d = day_of(acts, maps, NELEM(acts));
    /*
     * Meetings 09:30-09:45, 14:00-15:00, 16:00-16:30.  The session's lead-in
     * goes back from 10:30 to 10:00 (the standup ended at 09:45, earlier), so
     * it runs 10:00-11:30: 30 minutes for the first commit, 60 for the second.
     * Groups come in the order the day went: standups (09:30), web (10:00),
     * the unassigned mystery (16:00).
     */
    assert_int_equal(d.n, 3);
    const gl_infer_group *st = &d.groups[0], *web = &d.groups[1], *un = &d.groups[2];
    assert_int_equal(st->project_id, 100);
    assert_int_equal(st->task_id, 10);
    assert_int_equal(st->seconds, H(1, 15));
    assert_near(st->confidence, 1.0);
    assert_string_equal(st->notes, "Standup; Planning");
    assert_string_equal(st->reason, "rule standups (2 meetings)");
    assert_int_equal(st->nsources, 2);
    assert_int_equal(st->sources[0].activity, 0);
    assert_int_equal(st->sources[0].seconds, H(0, 15));
    assert_int_equal(st->sources[1].activity, 2);
    assert_int_equal(st->sources[1].seconds, H(1, 0));

    assert_int_equal(web->project_id, 200);
    assert_int_equal(web->task_id, 20);
    assert_int_equal(web->seconds, H(1, 30));
    assert_string_equal(web->notes, "acme-web: fix login redirect, add tests (ACME-142)");
    assert_string_equal(web->reason, "rule web (2 commits)");
    assert_int_equal(web->nsources, 2);
    assert_int_equal(web->sources[0].activity, 1);
    assert_int_equal(web->sources[0].seconds, H(0, 30));
    assert_int_equal(web->sources[1].activity, 3);
    assert_int_equal(web->sources[1].seconds, H(1, 0));

    assert_int_equal(un->project_id, 0);
    assert_int_equal(un->task_id, 0);
    assert_int_equal(un->seconds, H(0, 30));
    assert_near(un->confidence, 0); /* nothing to be sure of: the user must choose */
    assert_string_equal(un->notes, "Mystery");
    assert_non_null(strstr(un->reason, "(1 meeting)"));

    /* The groups add up to the timeline's counted time. */
    int64_t per_event[NELEM(acts)];
    assert_int_equal(st->seconds + web->seconds + un->seconds,
                     timeline_total(acts, NELEM(acts), per_event));
    assert_int_equal(per_event[1] + per_event[3], web->seconds);
    gl_infer_day_clear(&d);
    assert_int_equal(d.n, 0);
    assert_null(d.groups);

    /* An empty day has no groups. */
    d = day_of(NULL, NULL, 0);
    assert_int_equal(d.n, 0);
    gl_infer_day_clear(&d);
}

static void test_day_meeting_inside_a_session_counts_once(void **state)
{
    (void)state;
    gl_infer_activity acts[] = {
        commit("acme-web", "start the form", H(9, 40)),
        meeting("Design review", H(10, 0), H(10, 30)),
        commit("acme-web", "validate the form", H(10, 50)),
        commit("acme-web", "style the form", H(11, 20)),
    };
    const gl_mapping maps[] = {by_rule(1, "web", 200, 20), by_rule(4, "reviews", 200, 21),
                               by_rule(1, "web", 200, 20), by_rule(1, "web", 200, 20)};
    gl_infer_day d = day_of(acts, maps, NELEM(acts));
    /* The session 09:10-11:20 (130 min) less the 30 min meeting inside it. */
    assert_int_equal(d.n, 2);
    assert_int_equal(d.groups[0].task_id, 20);
    assert_int_equal(d.groups[0].seconds, H(1, 40));
    assert_int_equal(d.groups[1].task_id, 21);
    assert_int_equal(d.groups[1].seconds, H(0, 30));
    assert_int_equal(d.groups[0].seconds + d.groups[1].seconds, H(2, 10));
    assert_int_equal(H(2, 10), timeline_total(acts, NELEM(acts), NULL));
    assert_string_equal(d.groups[0].notes,
                        "acme-web: start the form, validate the form, style the form");
    assert_string_equal(d.groups[1].notes, "Design review");
    gl_infer_day_clear(&d);

    /* The same meeting mapped like the commits: one group, still 130 minutes. */
    const gl_mapping same[] = {by_rule(1, "web", 200, 20), by_rule(1, "web", 200, 20),
                               by_rule(1, "web", 200, 20), by_rule(1, "web", 200, 20)};
    d = day_of(acts, same, NELEM(acts));
    assert_int_equal(d.n, 1);
    assert_int_equal(d.groups[0].seconds, H(2, 10));
    assert_int_equal(d.groups[0].nsources, 4);
    assert_string_equal(d.groups[0].notes,
                        "Design review; acme-web: start the form, validate the form, style the "
                        "form");
    assert_string_equal(d.groups[0].reason, "rule web (1 meeting, 3 commits)");
    gl_infer_day_clear(&d);
}

static void test_day_two_repositories_two_projects(void **state)
{
    (void)state;
    gl_infer_activity acts[] = {
        commit("acme-web", "hero image", H(9, 30)),
        commit("data", "ingest CSV", H(13, 0)),
        commit("acme-web", "footer", H(10, 0)),
        commit("data", "dedupe rows", H(13, 45)),
    };
    const gl_mapping maps[] = {by_rule(1, "web", 200, 20), by_rule(5, "data", 300, 20),
                               by_rule(1, "web", 200, 20), by_rule(5, "data", 300, 20)};
    gl_infer_day d = day_of(acts, maps, NELEM(acts));
    /* acme-web 09:00 (work starts) to 10:00; data 12:30 to 13:45. */
    assert_int_equal(d.n, 2);
    assert_int_equal(d.groups[0].project_id, 200);
    assert_int_equal(d.groups[0].seconds, H(1, 0));
    assert_string_equal(d.groups[0].notes, "acme-web: hero image, footer");
    assert_int_equal(d.groups[1].project_id, 300);
    assert_int_equal(d.groups[1].seconds, H(1, 15));
    assert_string_equal(d.groups[1].notes, "data: ingest CSV, dedupe rows");
    gl_infer_day_clear(&d);

    /*
     * Interleaved: acme-web 09:30-10:00 (lead-in to its 10:00 commit), then
     * data 10:00-10:40 (its lead-in stops at the acme-web commit), then
     * acme-web again 10:40-11:00: the 11:00 commit does not own the time the
     * person spent on data.  90 minutes in all, each counted once.
     */
    gl_infer_activity mixed[] = {
        commit("acme-web", "a", H(10, 0)),
        commit("data", "c", H(10, 20)),
        commit("acme-web", "b", H(11, 0)),
        commit("data", "d", H(10, 40)),
    };
    d = day_of(mixed, maps, NELEM(mixed));
    assert_int_equal(d.n, 2);
    assert_int_equal(d.groups[0].project_id, 200);
    assert_int_equal(d.groups[0].seconds, H(0, 50));
    assert_int_equal(d.groups[1].project_id, 300);
    assert_int_equal(d.groups[1].seconds, H(0, 40));
    assert_int_equal(d.groups[1].nsources, 2);
    assert_int_equal(d.groups[1].sources[0].seconds, H(0, 20));
    assert_string_equal(d.groups[1].notes, "data: c, d");
    assert_int_equal(H(1, 30), timeline_total(mixed, NELEM(mixed), NULL));
    gl_infer_day_clear(&d);
}

static void test_day_confidence_weighted_by_time(void **state)
{
    (void)state;
    gl_infer_activity acts[] = {
        meeting("Initech sync", H(10, 0), H(11, 0)),
        meeting("Initech data review", H(14, 0), H(14, 30)),
    };
    const gl_mapping maps[] = {by_model(400, 40, 0.9, "learned: initech, sync (0.90)"),
                               by_model(400, 40, 0.6, "learned: data (0.60)")};
    gl_infer_day d = day_of(acts, maps, NELEM(acts));
    assert_int_equal(d.n, 1);
    /* (0.9 * 60 min + 0.6 * 30 min) / 90 min */
    assert_near(d.groups[0].confidence, 0.8);
    /* One kind of choice, explained by the source that counted most. */
    assert_string_equal(d.groups[0].reason, "learned: initech, sync (0.90) (2 meetings)");
    gl_infer_day_clear(&d);

    /* The other way round: the longer meeting is the less sure one. */
    const gl_mapping flipped[] = {by_model(400, 40, 0.6, "learned: data (0.60)"),
                                  by_model(400, 40, 0.9, "learned: initech, sync (0.90)")};
    d = day_of(acts, flipped, NELEM(acts));
    assert_near(d.groups[0].confidence, 0.7);
    assert_string_equal(d.groups[0].reason, "learned: data (0.60) (2 meetings)");
    gl_infer_day_clear(&d);
}

static void test_day_reason_per_kind_of_choice(void **state)
{
    (void)state;
    gl_infer_activity acts[] = {
        meeting("Daily standup", H(9, 30), H(9, 45)), commit("acme-web", "fix login", H(11, 0)),
        meeting("Retro", H(15, 0), H(16, 0)),         commit("acme-web", "add tests", H(11, 30)),
        meeting("Globex call", H(16, 30), H(17, 0)),  commit("tools", "bump", H(17, 10)),
    };
    /* All to one project and task, chosen three ways. */
    const gl_mapping maps[] = {
        by_rule(0, "standups", 100, 10), by_model(100, 10, 0.8, "learned: login (0.80)"),
        by_rule(0, "standups", 100, 10), by_model(100, 10, 0.7, "learned: tests (0.70)"),
        by_rule(3, "globex", 100, 10),   by_model(100, 10, 0.6, "learned: bump (0.60)"),
    };
    gl_infer_day d = day_of(acts, maps, NELEM(acts));
    assert_int_equal(d.n, 1);
    /*
     * Standup 15 min, acme-web 10:30-11:30 (60 min: 30 + 30), retro 60 min,
     * call 30 min, tools 16:40 would be its lead-in but the call ended at
     * 17:00: 10 min.  The learned commits: login 30 min, tests 30 min, bump 10.
     */
    assert_int_equal(d.groups[0].seconds, H(2, 55));
    assert_string_equal(d.groups[0].reason, "rule standups (2 meetings); learned: login (0.80) "
                                            "(3 commits); rule globex (1 meeting)");
    /* Rules count 1 for 105 min; learned 0.8 * 30 + 0.7 * 30 + 0.6 * 10 over 70 min. */
    assert_near(d.groups[0].confidence, (105.0 + 0.8 * 30 + 0.7 * 30 + 0.6 * 10) / 175.0);
    gl_infer_day_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notes_meetings_first_each_once_when_counted),
        cmocka_unit_test(test_notes_per_repository_with_keys),
        cmocka_unit_test(test_notes_clean_summaries),
        cmocka_unit_test(test_notes_leave_merges_out),
        cmocka_unit_test(test_notes_and_n_more),
        cmocka_unit_test(test_notes_cap_on_a_character_boundary),
        cmocka_unit_test(test_hours),
        cmocka_unit_test(test_map_first_matching_rule_wins),
        cmocka_unit_test(test_map_learned_when_sure_enough),
        cmocka_unit_test(test_map_below_the_floor_is_unassigned),
        cmocka_unit_test(test_map_allow_filters_labels),
        cmocka_unit_test(test_map_people_tell_two_projects_of_a_client_apart),
        cmocka_unit_test(test_features_of_a_meeting),
        cmocka_unit_test(test_features_of_a_commit),
        cmocka_unit_test(test_entry_features),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_day_one_group_per_project_and_task),
        cmocka_unit_test(test_day_meeting_inside_a_session_counts_once),
        cmocka_unit_test(test_day_two_repositories_two_projects),
        cmocka_unit_test(test_day_confidence_weighted_by_time),
        cmocka_unit_test(test_day_reason_per_kind_of_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
