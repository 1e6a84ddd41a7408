/*
 * test_schema.c - the JSON Schema subset that checks tool arguments: every
 * keyword with good and bad values, the exact messages a user sees, and
 * the refusal of schemas outside the subset.
 */
#include "support.h"

#include <string.h>

#include "util/error.h"
#include "util/json.h"
#include "util/schema.h"

static json_object *parse(const char *text)
{
    json_object *obj = NULL;
    gl_assert_ok(gl_json_parse(&obj, text, strlen(text), "test"));
    return obj;
}

/*
 * Validate `value` (JSON text; NULL for absent arguments) against `schema`:
 * it passes when `msg` is NULL, else fails with GL_EINVAL and exactly `msg`.
 */
static void expect(const char *schema, const char *value, const char *msg)
{
    json_object *s = parse(schema), *v = value ? parse(value) : NULL;
    int rc = gl_schema_validate(s, v);

    if (!msg && rc != GL_OK)
        fail_msg("%s against %s: %d %s", value ? value : "(none)", schema, rc, gl_error_last());
    if (msg && rc != GL_EINVAL)
        fail_msg("%s against %s: expected GL_EINVAL, got %d", value ? value : "(none)", schema, rc);
    if (msg)
        assert_string_equal(gl_error_last(), msg);
    json_object_put(v);
    json_object_put(s);
}

/* gl_schema_check refuses `schema` with exactly `msg`. */
static void expect_bad_schema(const char *schema, const char *msg)
{
    json_object *s = parse(schema);
    assert_int_equal(gl_schema_check(s), GL_EINVAL);
    assert_string_equal(gl_error_last(), msg);
    json_object_put(s);
}

/* One object schema with a single property of the given schema. */
#define ONE(prop) "{\"type\":\"object\",\"properties\":{\"x\":" prop "}}"

static void types(void **state)
{
    (void)state;
    expect(ONE("{\"type\":\"string\"}"), "{\"x\":\"a\"}", NULL);
    expect(ONE("{\"type\":\"string\"}"), "{\"x\":1}", "x: expected a string, got 1");
    expect(ONE("{\"type\":\"boolean\"}"), "{\"x\":false}", NULL);
    expect(ONE("{\"type\":\"boolean\"}"), "{\"x\":\"true\"}",
           "x: expected true or false, got a string \"true\"");
    expect(ONE("{\"type\":\"null\"}"), "{\"x\":null}", NULL);
    expect(ONE("{\"type\":\"null\"}"), "{\"x\":0}", "x: expected null, got 0");
    expect(ONE("{\"type\":\"array\"}"), "{\"x\":[]}", NULL);
    expect(ONE("{\"type\":\"array\"}"), "{\"x\":{}}", "x: expected an array, got an object");
    expect(ONE("{\"type\":\"object\"}"), "{\"x\":{}}", NULL);
    expect(ONE("{\"type\":\"object\"}"), "{\"x\":[1]}", "x: expected an object, got an array");
    expect(ONE("{\"type\":[\"string\",\"integer\",\"null\"]}"), "{\"x\":null}", NULL);
    expect(ONE("{\"type\":[\"string\",\"integer\",\"null\"]}"), "{\"x\":7}", NULL);
    expect(ONE("{\"type\":[\"string\",\"integer\",\"null\"]}"), "{\"x\":true}",
           "x: expected a string, an integer or null, got true");
    /* No "type": anything goes. */
    expect(ONE("{\"description\":\"free\"}"), "{\"x\":[1,{\"a\":2}]}", NULL);
    /* The arguments themselves. */
    expect("{\"type\":\"object\"}", "[1]", "arguments: expected an object, got an array");
}

static void integers_and_numbers_are_strict(void **state)
{
    const char *id = "{\"type\":\"object\",\"properties\":{\"project_id\":{\"type\":\"integer\"}}}";
    (void)state;
    expect(id, "{\"project_id\":42}", NULL);
    expect(id, "{\"project_id\":42.0}", NULL); /* no fraction: still an integer */
    expect(id, "{\"project_id\":-7}", NULL);
    expect(id, "{\"project_id\":42.5}", "project_id: expected an integer, got 42.5");
    expect(id, "{\"project_id\":1e300}", "project_id: expected an integer, got 1e300");
    expect(id, "{\"project_id\":\"abc\"}", "project_id: expected an integer, got \"abc\"");
    expect(id, "{\"project_id\":\"42\"}", "project_id: expected an integer, got a string \"42\"");
    expect(id, "{\"project_id\":null}", "project_id: expected an integer, got null");
    expect(ONE("{\"type\":\"number\"}"), "{\"x\":1}", NULL);
    expect(ONE("{\"type\":\"number\"}"), "{\"x\":1.25}", NULL);
    expect(ONE("{\"type\":\"number\"}"), "{\"x\":\"1.5\"}",
           "x: expected a number, got a string \"1.5\"");
}

static void bounds(void **state)
{
    const char *hours = ONE("{\"type\":\"number\",\"minimum\":0,\"maximum\":24}");
    const char *positive = ONE("{\"type\":\"integer\",\"exclusiveMinimum\":0}");
    (void)state;
    expect(hours, "{\"x\":0}", NULL);
    expect(hours, "{\"x\":24}", NULL);
    expect(hours, "{\"x\":7.5}", NULL);
    expect(hours, "{\"x\":-0.5}", "x: expected a number >= 0, got -0.5");
    expect(hours, "{\"x\":24.01}", "x: expected a number <= 24, got 24.01");
    expect(positive, "{\"x\":1}", NULL);
    expect(positive, "{\"x\":0}", "x: expected an integer > 0, got 0");
    expect(ONE("{\"minimum\":0.25}"), "{\"x\":0.2}", "x: expected a number >= 0.25, got 0.2");
    expect(ONE("{\"minimum\":0.25}"), "{\"x\":\"0\"}", NULL); /* bounds apply to numbers only */
}

static void strings(void **state)
{
    const char *notes = ONE("{\"type\":\"string\",\"minLength\":1,\"maxLength\":3}");
    (void)state;
    expect(notes, "{\"x\":\"abc\"}", NULL);
    expect(notes, "{\"x\":\"\"}", "x: expected at least 1 character, got 0");
    expect(notes, "{\"x\":\"abcd\"}", "x: expected at most 3 characters, got 4");
    /* Lengths count characters, not bytes: three umlauts are six bytes. */
    expect(notes, "{\"x\":\"\xc3\xa4\xc3\xb6\xc3\xbc\"}", NULL);
    expect(ONE("{\"minLength\":2}"), "{\"x\":\"\xe2\x82\xac\"}",
           "x: expected at least 2 characters, got 1");
}

static void patterns_search_unanchored(void **state)
{
    const char *digit = ONE("{\"type\":\"string\",\"pattern\":\"[0-9]\"}");
    /* Harvest's clock strings, anchored by the schema author. */
    const char *clock =
        ONE("{\"type\":\"string\",\"pattern\":\"^(1[0-2]|0?[1-9]):[0-5][0-9](am|pm)$\"}");
    (void)state;
    expect(digit, "{\"x\":\"a1b\"}", NULL);
    expect(digit, "{\"x\":\"ab\"}", "x: expected text matching [0-9], got \"ab\"");
    /* The type is right, so no hint about quotes. */
    expect(clock, "{\"x\":\"9.30\"}",
           "x: expected text matching ^(1[0-2]|0?[1-9]):[0-5][0-9](am|pm)$, got \"9.30\"");
    expect(clock, "{\"x\":\"9:30am\"}", NULL);
    expect(clock, "{\"x\":\"12:05pm\"}", NULL);
    expect(clock, "{\"x\":\"13:00pm\"}",
           "x: expected text matching ^(1[0-2]|0?[1-9]):[0-5][0-9](am|pm)$, got \"13:00pm\"");
    expect(clock, "{\"x\":\"at 9:30am\"}",
           "x: expected text matching ^(1[0-2]|0?[1-9]):[0-5][0-9](am|pm)$, got \"at 9:30am\"");
}

static void dates_are_real_calendar_dates(void **state)
{
    const char *from = "{\"type\":\"object\",\"properties\":{\"from\":"
                       "{\"type\":\"string\",\"format\":\"date\"}}}";
    (void)state;
    expect(from, "{\"from\":\"2026-11-21\"}", NULL);
    expect(from, "{\"from\":\"2024-02-29\"}", NULL); /* leap year */
    expect(from, "{\"from\":\"2000-02-29\"}", NULL); /* divisible by 400 */
    expect(from, "{\"from\":\"2023-02-29\"}",
           "from: expected a date YYYY-MM-DD, got \"2023-02-29\"");
    expect(from, "{\"from\":\"1900-02-29\"}",
           "from: expected a date YYYY-MM-DD, got \"1900-02-29\"");
    expect(from, "{\"from\":\"2026-02-30\"}",
           "from: expected a date YYYY-MM-DD, got \"2026-02-30\"");
    expect(from, "{\"from\":\"2026-04-31\"}",
           "from: expected a date YYYY-MM-DD, got \"2026-04-31\"");
    expect(from, "{\"from\":\"2026-13-01\"}",
           "from: expected a date YYYY-MM-DD, got \"2026-13-01\"");
    expect(from, "{\"from\":\"2026-1-05\"}", "from: expected a date YYYY-MM-DD, got \"2026-1-05\"");
    expect(from, "{\"from\":\"2026-11-21T00:00:00Z\"}",
           "from: expected a date YYYY-MM-DD, got \"2026-11-21T00:00:00Z\"");
    expect(from, "{\"from\":\"yesterday-ish\"}",
           "from: expected a date YYYY-MM-DD, got \"yesterday-ish\"");
    /* The format names the expectation even when the type is wrong. */
    expect(from, "{\"from\":20261121}", "from: expected a date YYYY-MM-DD, got 20261121");
}

static void date_times_follow_rfc3339(void **state)
{
    const char *at = ONE("{\"type\":\"string\",\"format\":\"date-time\"}");
    const char *bad[] = {
        "2026-11-21T09:30Z",        /* seconds are required */
        "2026-11-21T09:30:00",      /* so is the zone */
        "2026-11-21 09:30:00Z",     /* and the T */
        "2026-11-21T09:30:00+0100", /* offsets have a colon */
        "2026-11-21T24:00:00Z",
        "2026-11-21T09:60:00Z",
        "2026-02-29T09:30:00Z",
        "2026-11-21T09:30:00Zjunk",
        "tomorrow",
    };
    char value[128], msg[256];
    size_t i;
    (void)state;
    expect(at, "{\"x\":\"2026-11-21T09:30:00Z\"}", NULL);
    expect(at, "{\"x\":\"2026-11-21t09:30:00z\"}", NULL);
    expect(at, "{\"x\":\"2026-11-21T09:30:00.123+01:00\"}", NULL);
    expect(at, "{\"x\":\"2024-02-29T23:59:59-05:30\"}", NULL);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(value, sizeof(value), "{\"x\":\"%s\"}", bad[i]);
        snprintf(msg, sizeof(msg), "x: expected a date-time like 2026-11-21T09:30:00Z, got \"%s\"",
                 bad[i]);
        expect(at, value, msg);
    }
}

static void enums(void **state)
{
    const char *summary = "{\"type\":\"object\",\"properties\":{\"summary_type\":{\"type\":"
                          "\"string\",\"enum\":[\"project\",\"task\",\"people\",\"detailed\"]}}}";
    const char *ints = ONE("{\"type\":\"integer\",\"enum\":[1,2,3]}");
    (void)state;
    expect(summary, "{\"summary_type\":\"task\"}", NULL);
    expect(summary, "{\"summary_type\":\"weekly\"}",
           "summary_type: expected one of project, task, people, detailed; got \"weekly\"");
    expect(summary, "{\"summary_type\":\"Project\"}",
           "summary_type: expected one of project, task, people, detailed; got \"Project\"; "
           "did you mean \"project\"?");
    expect(ints, "{\"x\":2}", NULL);
    expect(ints, "{\"x\":2.0}", NULL);
    expect(ints, "{\"x\":4}", "x: expected one of 1, 2, 3; got 4");
    expect(ONE("{\"enum\":[\"a\",1]}"), "{\"x\":1}", NULL);
    expect(ONE("{\"enum\":[\"a\",1]}"), "{\"x\":\"1\"}",
           "x: expected one of a, 1; got a string \"1\"");
}

static const char *report = "{\"type\":\"object\","
                            "\"properties\":{\"from\":{\"type\":\"string\",\"format\":\"date\"},"
                            "\"to\":{\"type\":\"string\",\"format\":\"date\"},"
                            "\"project_id\":{\"type\":\"integer\"}},"
                            "\"required\":[\"from\"],\"additionalProperties\":false}";

static void objects_required_and_unknown_arguments(void **state)
{
    (void)state;
    expect(report, "{\"from\":\"2026-01-01\"}", NULL);
    expect(report, "{\"from\":\"2026-01-01\",\"to\":\"2026-01-31\",\"project_id\":1}", NULL);
    expect(report, "{\"to\":\"2026-01-31\"}", "missing required argument \"from\"");
    expect(report, "{\"form\":\"2026-01-01\"}",
           "unknown argument \"form\" (expected one of: from, to, project_id); "
           "did you mean \"from\"?");
    expect(report, "{\"from\":\"2026-01-01\",\"projectid\":1}",
           "unknown argument \"projectid\" (expected one of: from, to, project_id); "
           "did you mean \"project_id\"?");
    expect(report, "{\"from\":\"2026-01-01\",\"client\":1}",
           "unknown argument \"client\" (expected one of: from, to, project_id)");
    /* additionalProperties absent means false too. */
    expect("{\"type\":\"object\",\"properties\":{\"a\":{}}}", "{\"b\":1}",
           "unknown argument \"b\" (expected one of: a)");
    expect("{\"type\":\"object\"}", "{\"b\":1}", "unknown argument \"b\" (none are accepted here)");
    /* Absent arguments are {}. */
    expect("{\"type\":\"object\"}", NULL, NULL);
    expect(report, NULL, "missing required argument \"from\"");
}

static void nested_paths(void **state)
{
    const char *invoice =
        "{\"type\":\"object\",\"properties\":{\"line_items\":{\"type\":\"array\","
        "\"minItems\":1,\"maxItems\":3,\"items\":{\"type\":\"object\",\"properties\":{"
        "\"kind\":{\"type\":\"string\"},\"unit_price\":{\"type\":\"number\"}},"
        "\"required\":[\"kind\"]}}}}";
    (void)state;
    expect(invoice, "{\"line_items\":[{\"kind\":\"Service\",\"unit_price\":100}]}", NULL);
    expect(invoice,
           "{\"line_items\":[{\"kind\":\"a\"},{\"kind\":\"b\"},"
           "{\"kind\":\"c\",\"unit_price\":null}]}",
           "line_items[2].unit_price: expected a number, got null");
    expect(invoice, "{\"line_items\":[{\"kind\":\"a\"},{\"unit_price\":1}]}",
           "missing required argument \"line_items[1].kind\"");
    expect(invoice, "{\"line_items\":[{\"kind\":\"a\",\"unit_prize\":1}]}",
           "unknown argument \"line_items[0].unit_prize\" (expected one of: kind, unit_price); "
           "did you mean \"line_items[0].unit_price\"?");
    expect(invoice, "{\"line_items\":[]}", "line_items: expected at least 1 item, got 0");
    expect(invoice, "{\"line_items\":[{\"kind\":\"a\"},{\"kind\":\"a\"},{\"kind\":\"a\"},{}]}",
           "line_items: expected at most 3 items, got 4");
}

static const char *entry = "{\"type\":\"object\",\"properties\":{"
                           "\"hours\":{\"type\":\"number\",\"minimum\":0},"
                           "\"started_time\":{\"type\":\"string\"},"
                           "\"ended_time\":{\"type\":\"string\"}},"
                           "\"oneOf\":[{\"title\":\"by duration\",\"required\":[\"hours\"]},"
                           "{\"title\":\"by start time\",\"required\":[\"started_time\"]}]}";

static void one_of_and_any_of(void **state)
{
    const char *any = "{\"type\":\"object\",\"properties\":{\"a\":{},\"b\":{}},"
                      "\"anyOf\":[{\"required\":[\"a\"]},{\"required\":[\"b\"]}]}";
    (void)state;
    expect(entry, "{\"hours\":1.5}", NULL);
    expect(entry, "{\"started_time\":\"9:00am\",\"ended_time\":\"10:00am\"}", NULL);
    expect(entry, "{\"ended_time\":\"10:00am\"}",
           "arguments: matches none of the allowed forms: by duration (missing required "
           "argument \"hours\"); by start time (missing required argument \"started_time\")");
    expect(entry, "{\"hours\":1,\"started_time\":\"9:00am\"}",
           "arguments: matches more than one of the allowed forms (by duration, by start time); "
           "expected exactly one");
    /* A property's own rule still applies outside the branches. */
    expect(entry, "{\"hours\":-1}", "hours: expected a number >= 0, got -1");
    /* Branches without titles are numbered. */
    expect(any, "{\"a\":1,\"b\":2}", NULL);
    expect(any, "{\"b\":2}", NULL);
    expect(any, "{}",
           "arguments: matches none of the allowed forms: form 1 (missing required argument "
           "\"a\"); form 2 (missing required argument \"b\")");
    expect(ONE("{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"string\",\"format\":\"date\"}]}"),
           "{\"x\":\"soon\"}",
           "x: matches none of the allowed forms: form 1 (x: expected an integer, got \"soon\"); "
           "form 2 (x: expected a date YYYY-MM-DD, got \"soon\")");
}

static void annotations_are_allowed(void **state)
{
    (void)state;
    expect("{\"$comment\":\"ours\",\"title\":\"t\",\"description\":\"d\",\"type\":\"object\","
           "\"properties\":{\"n\":{\"type\":\"integer\",\"default\":5,\"examples\":[1,2]}}}",
           "{\"n\":3}", NULL);
}

static void schemas_outside_the_subset_are_refused(void **state)
{
    json_object *s, *v;
    (void)state;
    expect_bad_schema("{\"type\":\"object\",\"patternProperties\":{}}",
                      "schema: unsupported keyword \"patternProperties\"");
    expect_bad_schema("{\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":\"#/defs/x\"}}}",
                      "schema at /properties/x: unsupported keyword \"$ref\"");
    expect_bad_schema("{\"type\":\"array\",\"items\":{\"type\":\"string\",\"const\":\"a\"}}",
                      "schema at /items: unsupported keyword \"const\"");
    expect_bad_schema("{\"oneOf\":[{},{\"not\":{}}]}",
                      "schema at /oneOf/1: unsupported keyword \"not\"");
    expect_bad_schema("{\"type\":\"object\",\"additionalProperties\":true}",
                      "schema: \"additionalProperties\" must be false (other arguments are "
                      "always refused)");
    expect_bad_schema("{\"type\":\"int\"}",
                      "schema: \"type\" must be a type name or a list of them");
    expect_bad_schema("{\"type\":[]}", "schema: \"type\" must be a type name or a list of them");
    expect_bad_schema("{\"format\":\"time\"}",
                      "schema: \"format\" must be \"date\" or \"date-time\"");
    expect_bad_schema("{\"enum\":[1.5]}",
                      "schema: \"enum\" must be a non-empty list of strings and integers");
    expect_bad_schema("{\"minLength\":-1}", "schema: \"minLength\" must be a non-negative integer");
    expect_bad_schema("{\"minimum\":\"0\"}", "schema: \"minimum\" must be a number");
    expect_bad_schema("{\"anyOf\":[]}", "schema: \"anyOf\" must be a non-empty list of schemas");
    expect_bad_schema("{\"properties\":{\"x\":true}}",
                      "schema at /properties/x: expected a schema (a JSON object)");
    expect_bad_schema("{\"type\":\"object\",\"properties\":{\"a\":{}},\"required\":[\"b\"]}",
                      "schema: required \"b\" is not in \"properties\"");
    s = parse("{\"pattern\":\"(unclosed\"}");
    assert_int_equal(gl_schema_check(s), GL_EINVAL);
    assert_non_null(strstr(gl_error_last(), "schema: bad pattern \"(unclosed\": "));
    json_object_put(s);

    /* Validation refuses such a schema as our bug, not the caller's. */
    s = parse("{\"type\":\"object\",\"patternProperties\":{}}");
    v = parse("{}");
    assert_int_equal(gl_schema_validate(s, v), GL_ERROR);
    assert_string_equal(gl_error_last(), "schema: unsupported keyword \"patternProperties\"");
    json_object_put(v);
    json_object_put(s);

    /* The schemas used above are all within the subset. */
    s = parse(entry);
    gl_assert_ok(gl_schema_check(s));
    json_object_put(s);
    s = parse(report);
    gl_assert_ok(gl_schema_check(s));
    json_object_put(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(types),
        cmocka_unit_test(integers_and_numbers_are_strict),
        cmocka_unit_test(bounds),
        cmocka_unit_test(strings),
        cmocka_unit_test(patterns_search_unanchored),
        cmocka_unit_test(dates_are_real_calendar_dates),
        cmocka_unit_test(date_times_follow_rfc3339),
        cmocka_unit_test(enums),
        cmocka_unit_test(objects_required_and_unknown_arguments),
        cmocka_unit_test(nested_paths),
        cmocka_unit_test(one_of_and_any_of),
        cmocka_unit_test(annotations_are_allowed),
        cmocka_unit_test(schemas_outside_the_subset_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
