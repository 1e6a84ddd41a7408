/*
 * test_gaps.c - gl_gaps_subtract: a span less the intervals that cover it,
 * in any order, overlapping or not, as the pieces left that are long enough.
 */
#include "support.h"

#include <string.h>

#include "agent/gaps.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define S(a, b)  ((gl_gap_span){(a), (b)})

typedef struct subtract_case {
    const char *what;
    gl_gap_span span;
    gl_gap_span cover[6];
    size_t ncover;
    int64_t min_len;
    gl_gap_span want[6];
    size_t nwant;
} subtract_case;

static const subtract_case cases[] = {
    {"nothing covers it", {100, 200}, {{0}}, 0, 1, {{100, 200}}, 1},
    {"a cover in the middle", {100, 200}, {{130, 150}}, 1, 1, {{100, 130}, {150, 200}}, 2},
    {"covers out of order",
     {0, 100},
     {{60, 70}, {10, 20}, {40, 50}},
     3,
     1,
     {{0, 10}, {20, 40}, {50, 60}, {70, 100}},
     4},
    {"overlapping covers merge",
     {0, 100},
     {{30, 60}, {10, 40}, {50, 55}},
     3,
     1,
     {{0, 10}, {60, 100}},
     2},
    {"a cover inside another", {0, 100}, {{10, 80}, {20, 30}}, 2, 1, {{0, 10}, {80, 100}}, 2},
    {"touching covers leave no sliver",
     {0, 100},
     {{20, 40}, {40, 60}},
     2,
     1,
     {{0, 20}, {60, 100}},
     2},
    {"covers reaching past both ends", {100, 200}, {{50, 120}, {180, 260}}, 2, 1, {{120, 180}}, 1},
    {"covers outside the span",
     {100, 200},
     {{0, 50}, {50, 100}, {200, 300}, {250, 400}},
     4,
     1,
     {{100, 200}},
     1},
    {"the whole span covered", {100, 200}, {{100, 200}}, 1, 1, {{0}}, 0},
    {"more than the whole span covered", {100, 200}, {{150, 300}, {0, 160}}, 2, 1, {{0}}, 0},
    {"short pieces dropped", {0, 1000}, {{10, 500}, {800, 995}}, 2, 100, {{500, 800}}, 1},
    {"a piece of exactly min_len kept",
     {0, 1000},
     {{100, 900}},
     1,
     100,
     {{0, 100}, {900, 1000}},
     2},
    {"a piece a second short dropped", {0, 1000}, {{99, 901}}, 1, 100, {{0}}, 0},
    {"a span shorter than min_len", {0, 50}, {{0}}, 0, 100, {{0}}, 0},
    {"an empty span", {100, 100}, {{0}}, 0, 1, {{0}}, 0},
    /* An empty interval covers nothing: it must not split what is left in two. */
    {"an empty cover", {0, 100}, {{50, 50}}, 1, 1, {{0, 100}}, 1},
    {"an empty cover splits no short stretch", {0, 30}, {{10, 10}}, 1, 20, {{0, 30}}, 1},
    {"the same cover twice", {0, 100}, {{20, 30}, {20, 30}}, 2, 1, {{0, 20}, {30, 100}}, 2},
};

static void run_case(const subtract_case *c, const gl_gap_span *cover)
{
    gl_gap_span out[8];
    size_t n = 0;
    gl_gaps_subtract(c->span, cover, c->ncover, c->min_len, out, &n, NELEM(out));
    if (n != c->nwant)
        fail_msg("%s: %zu pieces, want %zu", c->what, n, c->nwant);
    for (size_t i = 0; i < n; i++)
        if (out[i].start != c->want[i].start || out[i].end != c->want[i].end)
            fail_msg("%s: piece %zu is [%lld, %lld), want [%lld, %lld)", c->what, i,
                     (long long)out[i].start, (long long)out[i].end, (long long)c->want[i].start,
                     (long long)c->want[i].end);
}

static void test_subtract_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < NELEM(cases); i++)
        run_case(&cases[i], cases[i].cover);
}

static void test_subtract_without_a_cover_array(void **state)
{
    (void)state;
    gl_gap_span out[2];
    size_t n = 0;
    gl_gaps_subtract(S(9, 17), NULL, 0, 1, out, &n, 2);
    assert_int_equal(n, 1);
    assert_true(out[0].start == 9 && out[0].end == 17);
}

static void test_subtract_leaves_the_cover_alone(void **state)
{
    (void)state;
    const gl_gap_span cover[] = {{60, 70}, {10, 20}, {40, 50}};
    gl_gap_span copy[3];
    memcpy(copy, cover, sizeof(cover));
    gl_gap_span out[8];
    size_t n = 0;
    gl_gaps_subtract(S(0, 100), copy, 3, 1, out, &n, 8);
    assert_int_equal(n, 4);
    assert_memory_equal(copy, cover, sizeof(cover)); /* sorted on the side, not in place */
}

static void test_subtract_appends_up_to_max(void **state)
{
    (void)state;
    const gl_gap_span cover[] = {{10, 20}, {30, 40}, {50, 60}};
    gl_gap_span out[4] = {{-1, -1}, {-1, -1}, {-1, -1}, {-1, -1}};
    size_t n = 1; /* one piece is there already */
    out[0] = S(1000, 2000);
    gl_gaps_subtract(S(0, 100), cover, 3, 1, out, &n, 3);
    assert_int_equal(n, 3);
    assert_true(out[0].start == 1000 && out[0].end == 2000);
    assert_true(out[1].start == 0 && out[1].end == 10);
    assert_true(out[2].start == 20 && out[2].end == 30);
    assert_true(out[3].start == -1 && out[3].end == -1); /* never past max */

    /* Full already: nothing is added. */
    gl_gaps_subtract(S(0, 100), cover, 3, 1, out, &n, 3);
    assert_int_equal(n, 3);
    assert_true(out[3].start == -1);
}

static void test_subtract_many_covers(void **state)
{
    (void)state;
    /* Every interval counts, however many: the last one given covers the rest. */
    enum { N = 600 };
    gl_gap_span *cover = calloc(N, sizeof(*cover));
    assert_non_null(cover);
    for (size_t i = 0; i + 1 < N; i++)
        cover[i] = S(0, 10);
    cover[N - 1] = S(10, 1000);
    gl_gap_span out[4];
    size_t n = 0;
    gl_gaps_subtract(S(0, 1000), cover, N, 1, out, &n, 4);
    assert_int_equal(n, 0);

    /* 600 one-second covers with gaps of a second: 600 pieces, every one found. */
    for (size_t i = 0; i < N; i++)
        cover[i] = S((int64_t)(N - 1 - i) * 2, (int64_t)(N - 1 - i) * 2 + 1);
    gl_gap_span *left = calloc(N + 1, sizeof(*left));
    assert_non_null(left);
    n = 0;
    gl_gaps_subtract(S(0, 2 * N), cover, N, 1, left, &n, N + 1);
    assert_int_equal(n, N);
    for (size_t i = 0; i < N; i++)
        assert_true(left[i].start == (int64_t)i * 2 + 1 && left[i].end == (int64_t)i * 2 + 2);
    free(left);
    free(cover);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subtract_table),
        cmocka_unit_test(test_subtract_without_a_cover_array),
        cmocka_unit_test(test_subtract_leaves_the_cover_alone),
        cmocka_unit_test(test_subtract_appends_up_to_max),
        cmocka_unit_test(test_subtract_many_covers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
