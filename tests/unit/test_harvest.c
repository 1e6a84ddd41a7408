/*
 * test_harvest.c - the Harvest connector against canned answers from the
 * fake server: headers, pagination by links.next, error sentences, the
 * refresh after a 401, argument placement and the report range check.
 */
#include "support.h"

#include <string.h>

#include "connectors/harvest.h"
#include "gl_version.h"
#include "util/clock.h"
#include "util/json.h"

#define TOKEN "pat-abcdefghijklmnop0123456789"

typedef struct fixture {
    gl_test_fake fake;
    gl_clock_fake *clock;
    gl_harvest *h;
    int refreshes;
} fixture;

static int refresh(void *payload, char **token_out)
{
    fixture *f = payload;
    f->refreshes++;
    *token_out = strdup("fresh-token-0123456789abcdef");
    return 0;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    gl_harvest_options opts = {0};
    char api[96];

    gl_test_fake_start(&f->fake);
    gl_clock_fake_new(&f->clock, 1763700000000LL);
    snprintf(api, sizeof(api), "%s/v2", f->fake.url);
    opts.base_url = api;
    opts.id_url = f->fake.url;
    opts.token = TOKEN;
    opts.account_id = 123456;
    opts.contact = "ada@example.com";
    opts.clock = gl_clock_fake_clock(f->clock);
    opts.refresh = refresh;
    opts.refresh_payload = f;
    gl_assert_ok(gl_harvest_new(&f->h, &opts));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gl_harvest_free(f->h);
    gl_test_fake_stop(&f->fake);
    gl_clock_fake_free(f->clock);
    free(f);
    return 0;
}

static void canned(fixture *f, const char *method, const char *path, int status, const char *json)
{
    char *body = malloc(strlen(json) + 256);
    snprintf(body, strlen(json) + 256,
             "{\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,\"json\":%s}", method, path, status,
             json);
    gl_test_fake_control(&f->fake, "static", body);
    free(body);
}

static json_object *only_request(fixture *f, size_t index)
{
    json_object *reqs = gl_test_fake_requests(&f->fake), *r;
    assert_true(json_object_array_length(reqs) > index);
    r = json_object_get(json_object_array_get_idx(reqs, index));
    json_object_put(reqs);
    return r;
}

static void test_headers_name_gleaner_and_the_account(void **state)
{
    fixture *f = *state;
    json_object *me = NULL, *req, *headers;
    char ua[64];

    canned(f, "GET", "/v2/users/me", 200, "{\"id\":7,\"first_name\":\"Ada\"}");
    gl_assert_ok(gl_harvest_me(f->h, &me));
    assert_string_equal(gl_json_str(me, "first_name"), "Ada");
    req = only_request(f, 0);
    headers = gl_json_object(req, "headers");
    snprintf(ua, sizeof(ua), "gleaner/%s (ada@example.com)", GL_VERSION);
    assert_string_equal(gl_json_str(headers, "User-Agent"), ua);
    assert_string_equal(gl_json_str(headers, "Harvest-Account-Id"), "123456");
    assert_string_equal(gl_json_str(headers, "Authorization"), "Bearer " TOKEN);
    json_object_put(req);
    json_object_put(me);
}

/* The cursor trap: next_page is null mid-way; only links.next tells there is more. */
static void test_lists_follow_links_next_not_page_numbers(void **state)
{
    fixture *f = *state;
    json_object *items = NULL;
    char page1[1024], page2[512];

    snprintf(
        page1, sizeof(page1),
        "{\"clients\":[{\"id\":1},{\"id\":2}],\"page\":1,\"next_page\":null,"
        "\"total_pages\":3,\"links\":{\"next\":\"%s/v2/clients_cursor?cursor=abc&per_page=2\"}}",
        f->fake.url);
    snprintf(
        page2, sizeof(page2),
        "{\"clients\":[{\"id\":3}],\"page\":null,\"next_page\":null,\"links\":{\"next\":null}}");
    canned(f, "GET", "/v2/clients", 200, page1);
    canned(f, "GET", "/v2/clients_cursor", 200, page2);
    gl_assert_ok(gl_harvest_list(f->h, "/clients", NULL, "clients", "clients", &items));
    assert_int_equal(json_object_array_length(items), 3);
    assert_int_equal(gl_test_fake_count(&f->fake), 2);
    json_object_put(items);
}

static void test_a_pagination_cycle_stops(void **state)
{
    fixture *f = *state;
    json_object *items = NULL;
    char first[512], b[512], a[512];

    /* /tasks -> b -> a -> b: a cycle of two pages, not one page linking to itself. */
    snprintf(first, sizeof(first),
             "{\"tasks\":[{\"id\":1}],\"links\":{\"next\":\"%s/v2/tasks_b?cursor=1\"}}",
             f->fake.url);
    snprintf(b, sizeof(b),
             "{\"tasks\":[{\"id\":2}],\"links\":{\"next\":\"%s/v2/tasks_a?cursor=2\"}}",
             f->fake.url);
    snprintf(a, sizeof(a),
             "{\"tasks\":[{\"id\":3}],\"links\":{\"next\":\"%s/v2/tasks_b?cursor=1\"}}",
             f->fake.url);
    canned(f, "GET", "/v2/tasks", 200, first);
    canned(f, "GET", "/v2/tasks_b", 200, b);
    canned(f, "GET", "/v2/tasks_a", 200, a);
    assert_int_equal(gl_harvest_list(f->h, "/tasks", NULL, "tasks", "tasks", &items), GL_EBADDATA);
    assert_null(items);
    assert_non_null(strstr(gl_error_last(), "links back to a page already read"));
    assert_int_equal(gl_test_fake_count(&f->fake), 3);
}

static void test_validation_errors_read_as_a_sentence(void **state)
{
    fixture *f = *state;
    json_object *body = json_object_new_object(), *entry = NULL;

    canned(f, "POST", "/v2/time_entries", 422, "{\"message\":\"Spent date is invalid\"}");
    assert_int_equal(gl_harvest_create_time_entry(f->h, body, &entry), GL_EREJECTED);
    assert_string_equal(gl_error_last(), "Harvest refused the time entry: Spent date is invalid "
                                         "(422)");
    assert_null(entry);
    json_object_put(body);
}

static void test_not_found_names_the_object(void **state)
{
    fixture *f = *state;
    json_object *args = NULL, *result = NULL;

    /* Harvest answers unknown things with an HTML page, which must not leak into the message. */
    gl_test_fake_control(&f->fake, "static",
                         "{\"method\":\"GET\",\"path\":\"/v2/time_entries/5\",\"status\":404,"
                         "\"body\":\"<html><body>Not here</body></html>\","
                         "\"headers\":{\"Content-Type\":\"text/html\"}}");
    gl_json_parse(&args, "{\"id\":5}", 8, "test");
    assert_int_equal(gl_harvest_call(f->h, gl_harvest_op_find("get_time_entry"), args, &result),
                     GL_ENOTFOUND);
    assert_string_equal(gl_error_last(), "Harvest has no time entry 5 (404)");
    json_object_put(args);
}

static void test_401_refreshes_once_then_gives_up(void **state)
{
    fixture *f = *state;
    json_object *me = NULL, *second;

    canned(f, "GET", "/v2/users/me", 401,
           "{\"error\":\"invalid_token\",\"error_description\":\"The access token provided is "
           "expired\"}");
    assert_int_equal(gl_harvest_me(f->h, &me), GL_EAUTH);
    assert_int_equal(f->refreshes, 1);
    assert_int_equal(gl_test_fake_count(&f->fake), 2);
    second = only_request(f, 1);
    assert_string_equal(gl_json_str(gl_json_object(second, "headers"), "Authorization"),
                        "Bearer fresh-token-0123456789abcdef");
    assert_non_null(strstr(gl_error_last(), "gleaner auth harvest"));
    assert_null(strstr(gl_error_last(), TOKEN));
    assert_null(strstr(gl_error_last(), "fresh-token"));
    json_object_put(second);
}

static void test_arguments_go_to_path_query_or_body(void **state)
{
    fixture *f = *state;
    json_object *args = NULL, *result = NULL, *req, *query;
    const char *list_args = "{\"user_id\":5,\"is_running\":true,\"from\":\"2026-11-01\"}";
    const char *patch_args = "{\"id\":9,\"notes\":\"Review\",\"hours\":1.5}";

    canned(f, "GET", "/v2/time_entries", 200, "{\"time_entries\":[],\"links\":{\"next\":null}}");
    gl_json_parse(&args, list_args, strlen(list_args), "test");
    gl_assert_ok(gl_harvest_call(f->h, gl_harvest_op_find("list_time_entries"), args, &result));
    req = only_request(f, 0);
    query = gl_json_object(req, "query");
    assert_string_equal(
        json_object_get_string(json_object_array_get_idx(gl_json_array(query, "is_running"), 0)),
        "true");
    assert_string_equal(
        json_object_get_string(json_object_array_get_idx(gl_json_array(query, "user_id"), 0)), "5");
    json_object_put(req);
    json_object_put(args);
    json_object_put(result);

    canned(f, "PATCH", "/v2/time_entries/9", 200, "{\"id\":9,\"notes\":\"Review\"}");
    gl_json_parse(&args, patch_args, strlen(patch_args), "test");
    gl_assert_ok(gl_harvest_call(f->h, gl_harvest_op_find("update_time_entry"), args, &result));
    req = only_request(f, 1);
    assert_string_equal(gl_json_str(req, "method"), "PATCH");
    assert_string_equal(gl_json_str(gl_json_object(req, "json"), "notes"), "Review");
    assert_null(gl_json_get(gl_json_object(req, "json"), "id"));
    json_object_put(req);
    json_object_put(args);
    json_object_put(result);
}

static void test_report_ranges_over_a_year_are_not_sent(void **state)
{
    fixture *f = *state;
    json_object *args = NULL, *result = NULL;
    const char *text = "{\"from\":\"2024-01-01\",\"to\":\"2024-12-31\"}"; /* 366 days */

    gl_json_parse(&args, text, strlen(text), "test");
    assert_int_equal(
        gl_harvest_call(f->h, gl_harvest_op_find("time_report_by_project"), args, &result),
        GL_EINVAL);
    assert_non_null(strstr(gl_error_last(), "365 days"));
    assert_int_equal(gl_test_fake_count(&f->fake), 0);
    json_object_put(args);
}

static void test_accounts_drop_forecast(void **state)
{
    fixture *f = *state;
    json_object *accounts = NULL, *user = NULL, *req;

    canned(f, "GET", "/api/v2/accounts", 200,
           "{\"user\":{\"id\":1,\"email\":\"ada@example.com\"},\"accounts\":["
           "{\"id\":88888,\"name\":\"Iridesco\",\"product\":\"forecast\"},"
           "{\"id\":10254,\"name\":\"Sterling\",\"product\":\"harvest\"}]}");
    gl_assert_ok(gl_harvest_accounts(f->h, &accounts, &user));
    assert_int_equal(json_object_array_length(accounts), 1);
    assert_string_equal(gl_json_str(json_object_array_get_idx(accounts, 0), "name"), "Sterling");
    assert_string_equal(gl_json_str(user, "email"), "ada@example.com");
    req = only_request(f, 0);
    /* The account list is on Harvest ID, which takes no account header. */
    assert_null(gl_json_get(gl_json_object(req, "headers"), "Harvest-Account-Id"));
    json_object_put(req);
    json_object_put(accounts);
    json_object_put(user);
}

static void test_every_op_has_a_unique_name_and_a_noun(void **state)
{
    size_t n;
    const gl_harvest_op *ops = gl_harvest_ops(&n);

    (void)state;
    assert_true(n > 30);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(ops[i].noun);
        assert_true(ops[i].path[0] == '/');
        for (size_t j = i + 1; j < n; j++)
            assert_string_not_equal(ops[i].name, ops[j].name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_headers_name_gleaner_and_the_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lists_follow_links_next_not_page_numbers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_pagination_cycle_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation_errors_read_as_a_sentence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_names_the_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_401_refreshes_once_then_gives_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arguments_go_to_path_query_or_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_ranges_over_a_year_are_not_sent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_accounts_drop_forecast, setup, teardown),
        cmocka_unit_test(test_every_op_has_a_unique_name_and_a_noun),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
