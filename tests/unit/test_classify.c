/*
 * test_classify.c - naive Bayes from a small history: the right project for
 * familiar evidence, low confidence for ambiguous evidence, nothing for the
 * unknown, unlearning, and a model that survives saving.
 */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "agent/classify.h"

static void train(gl_nb *nb, const char *label, const char *title, const char *domain,
                  const char *repo, int times)
{
    char *f[32];
    size_t n = 0;
    const char *domains[] = {domain};
    gl_nb_features(f, &n, 32, title, domain ? domains : NULL, domain ? 1 : 0, NULL, repo, NULL,
                   NULL, 0);
    /* A negative count unlearns that many examples at once. */
    if (times < 0)
        gl_assert_ok(gl_nb_train(nb, label, (const char *const *)f, n, times));
    for (int i = 0; i < times; i++)
        gl_assert_ok(gl_nb_train(nb, label, (const char *const *)f, n, 1));
    for (size_t i = 0; i < n; i++)
        free(f[i]);
}

static const char *predict(gl_nb *nb, const char *title, const char *domain, const char *repo,
                           double *conf)
{
    char *f[32];
    size_t n = 0;
    const char *label = NULL, *domains[] = {domain};
    gl_nb_features(f, &n, 32, title, domain ? domains : NULL, domain ? 1 : 0, NULL, repo, NULL,
                   NULL, 0);
    int rc = gl_nb_predict(nb, (const char *const *)f, n, NULL, NULL, &label, conf);
    for (size_t i = 0; i < n; i++)
        free(f[i]);
    return rc == 0 ? label : NULL;
}

static gl_nb *history(void)
{
    gl_nb *nb = NULL;
    gl_assert_ok(gl_nb_new(&nb));
    train(nb, "1:10", "ACME weekly sync", "acme.com", NULL, 8);
    train(nb, "1:20", "acme-web: fix login redirect", NULL, "acme-web", 12);
    train(nb, "2:10", "Globex planning", "globex.com", NULL, 6);
    train(nb, "2:20", "pipeline: backfill events", NULL, "globex-data", 10);
    return nb;
}

static void test_familiar_evidence(void **state)
{
    (void)state;
    gl_nb *nb = history();
    double conf = 0;
    assert_string_equal(predict(nb, "ACME sync (moved)", "acme.com", NULL, &conf), "1:10");
    assert_true(conf > 0.9);
    assert_string_equal(predict(nb, "add tests", NULL, "globex-data", &conf), "2:20");
    assert_true(conf > 0.8);
    gl_nb_free(nb);
}

static void test_ambiguous_and_unknown(void **state)
{
    (void)state;
    gl_nb *nb = history();
    double conf = 1;
    /* Words from both clients' meetings: no strong opinion. */
    const char *l = predict(nb, "acme globex sync planning", NULL, NULL, &conf);
    assert_non_null(l);
    assert_true(conf < 0.9);
    assert_null(predict(nb, "Dentist", "smile.example", NULL, &conf));
    assert_string_equal(gl_error_last(), "no feature seen before");
    gl_nb_free(nb);
}

static void test_unlearning_and_saving(void **state)
{
    (void)state;
    gl_nb *nb = history(), *again = NULL;
    double conf;
    char *json = NULL;
    train(nb, "2:10", "ACME weekly sync", "acme.com", NULL, 30);
    assert_string_equal(predict(nb, "ACME weekly sync", "acme.com", NULL, &conf), "2:10");
    train(nb, "2:10", "ACME weekly sync", "acme.com", NULL, -30);
    assert_string_equal(predict(nb, "ACME weekly sync", "acme.com", NULL, &conf), "1:10");
    gl_assert_ok(gl_nb_save(nb, &json));
    gl_assert_ok(gl_nb_load(&again, json));
    double conf2;
    assert_string_equal(predict(again, "ACME weekly sync", "acme.com", NULL, &conf2), "1:10");
    assert_true(conf2 > conf - 1e-9 && conf2 < conf + 1e-9);
    assert_true(gl_nb_examples(again) == gl_nb_examples(nb));
    free(json);
    gl_nb_free(nb);
    gl_nb_free(again);
    assert_int_equal(gl_nb_load(&again, "[1,2]"), GL_EBADDATA);
}

static void test_features(void **state)
{
    (void)state;
    char *f[16];
    size_t n = 0;
    const char *keys[] = {"ACME-142", "ACME-7"};
    const char *domains[] = {"acme.com"};
    gl_nb_features(f, &n, 16, "Re: the Sprint-Planning 2026 für Q1", domains, 1, "lead@acme.com",
                   "acme-web", "feature/ACME-142-login", keys, 2);
    const char *want[] = {"w:sprint",   "w:planning",      "w:für",      "w:q1",
                          "d:acme.com", "o:lead@acme.com", "r:acme-web", "b:feature",
                          "b:acme",     "b:login",         "k:ACME"};
    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(f[i], want[i]);
        free(f[i]);
    }
}

static void test_words(void **state)
{
    (void)state;
    char w[8][GL_NB_WORD];
    /* "1:1" and "Q&A" are words people put in titles and notes alike; "2026" and "of" are not. */
    size_t n = gl_nb_words("1:1 Ada / Bob - Q&A of 2026, R&D: x", w, 8);
    const char *want[] = {"1:1", "ada", "bob", "q&a", "r&d"};
    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n; i++)
        assert_string_equal(w[i], want[i]);
    /* Only one character either side: a time or "a:bc" stays apart ("at" is a common word). */
    n = gl_nb_words("10:30 a:bc AT&T sync", w, 8);
    assert_int_equal(n, 2);
    assert_string_equal(w[0], "bc");
    assert_string_equal(w[1], "sync");
    (void)gl_nb_words(NULL, w, 8);
    assert_int_equal(gl_nb_words("", w, 8), 0);
    assert_int_equal(gl_nb_words("alpha beta gamma", w, 2), 2);
}

/* Projects 1 and 2 both have tasks 10 (Meetings), 30 (Design) and 40 (Project Management). */
static size_t three_tasks(void *payload, const char *label, char (*out)[GL_NB_LABEL], size_t max)
{
    (void)payload;
    assert_true(max >= 3);
    snprintf(out[0], GL_NB_LABEL, "%c:10", label[0]);
    snprintf(out[1], GL_NB_LABEL, "%c:30", label[0]);
    snprintf(out[2], GL_NB_LABEL, "%c:40", label[0]);
    return 3;
}

/* A meeting's features: its title's words, and who comes from where. */
static size_t meeting(char **f, const char *title, const char *client)
{
    size_t n = 0;
    char who[64], domain[32];
    const char *domains[] = {domain};
    snprintf(domain, sizeof(domain), "%s.com", client);
    snprintf(who, sizeof(who), "ann@%s.com", client);
    gl_nb_features(f, &n, 32, title, domains, 1, who, NULL, NULL, NULL, 0);
    snprintf(who, sizeof(who), "bob@%s.com", client);
    gl_nb_feature(f, &n, 32, 'p', who);
    return n;
}

static void learn(gl_nb *nb, const char *label, const char *title, const char *client, int times)
{
    char *f[32];
    size_t n = meeting(f, title, client);
    for (int i = 0; i < times; i++)
        gl_assert_ok(gl_nb_train(nb, label, (const char *const *)f, n, 1));
    for (size_t i = 0; i < n; i++)
        free(f[i]);
}

static const char *predict_grouped(gl_nb *nb, const char *title, const char *client, char *label,
                                   double strength, double *conf)
{
    char *f[32];
    size_t n = meeting(f, title, client);
    gl_nb_group g = {.sep = ':', .strength = strength, .strength_docs = 2, .members = three_tasks};
    int rc = gl_nb_predict_grouped(nb, (const char *const *)f, n, &g, label, GL_NB_LABEL, conf);
    for (size_t i = 0; i < n; i++)
        free(f[i]);
    return rc == 0 ? label : NULL;
}

static void test_a_task_known_elsewhere(void **state)
{
    (void)state;
    gl_nb *nb = NULL;
    char label[GL_NB_LABEL];
    double conf = 0;

    gl_assert_ok(gl_nb_new(&nb));
    /* Client 1 has design reviews and budget talks; client 2 only its meetings so far. */
    learn(nb, "1:10", "Weekly sync", "acme", 10);
    learn(nb, "1:30", "Wireframe review", "acme", 4);
    learn(nb, "1:40", "Budget check-in", "acme", 3);
    learn(nb, "2:10", "Weekly sync", "globex", 12);
    learn(nb, "2:10", "Sprint planning", "globex", 3);

    /* Alone, the classifier has only client 2's meetings to offer. */
    assert_string_equal(predict_grouped(nb, "Wireframe review", "globex", label, 0, &conf), "2:10");
    /* Grouped: Globex's project, and the task wireframe reviews go to everywhere. */
    assert_string_equal(predict_grouped(nb, "Wireframe review", "globex", label, 50, &conf),
                        "2:30");
    assert_true(conf > 0.5 && conf <= 1.0);
    assert_string_equal(predict_grouped(nb, "Budget check-in", "globex", label, 50, &conf), "2:40");
    /* What the project itself knows still wins: its meetings stay meetings. */
    assert_string_equal(predict_grouped(nb, "Sprint planning", "globex", label, 50, &conf), "2:10");
    assert_true(conf > 0.8);
    assert_string_equal(predict_grouped(nb, "Wireframe review", "acme", label, 50, &conf), "1:30");
    /* Learning drops what was cached for the normalisation; answers follow the new counts. */
    learn(nb, "2:10", "Wireframe review", "globex", 20);
    assert_string_equal(predict_grouped(nb, "Wireframe review", "globex", label, 50, &conf),
                        "2:10");
    gl_nb_free(nb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_familiar_evidence),
        cmocka_unit_test(test_ambiguous_and_unknown),
        cmocka_unit_test(test_unlearning_and_saving),
        cmocka_unit_test(test_features),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_a_task_known_elsewhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
