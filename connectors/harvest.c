/*
 * harvest.c - Harvest API v2: headers, pagination, limits, errors, and the
 * table of operations.
 */
#include "harvest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/http.h"
#include "gl_version.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

/*
 * Harvest allows 100 requests per 15 s (reports: per 15 minutes).  A bucket
 * of `burst` refilled at `rate` lets through at most burst + 15 * rate in
 * any 15 s, so these stay at or under 100 even in a burst.
 */
#define API_RATE      6.0
#define API_BURST     10.0
#define REPORTS_RATE  0.105
#define REPORTS_BURST 5.0

/* A runaway pagination stops here: 10,000 pages of up to 2,000 items. */
#define MAX_PAGES 10000

struct gl_harvest {
    gl_http_service *api;
    gl_http_service *id; /* Harvest ID; NULL without id_url */
    char *token;
    gl_harvest_refresh_cb refresh;
    void *refresh_payload;
    int requests;
    int64_t waited_ms;
};

static const gl_harvest_op ops[] = {
    {"list_accounts", "GET", "/api/v2/accounts", "accounts", "account list", GL_HV_ID_HOST},
    {"get_current_user", "GET", "/users/me", NULL, "user", 0},
    {"get_company", "GET", "/company", NULL, "company", 0},
    {"list_users", "GET", "/users", "users", "users", 0},
    {"list_my_project_assignments", "GET", "/users/me/project_assignments", "project_assignments",
     "project assignments", 0},
    {"list_time_entries", "GET", "/time_entries", "time_entries", "time entries", 0},
    {"get_time_entry", "GET", "/time_entries/{id}", NULL, "time entry", 0},
    {"create_time_entry", "POST", "/time_entries", NULL, "time entry", 0},
    {"update_time_entry", "PATCH", "/time_entries/{id}", NULL, "time entry", 0},
    {"delete_time_entry", "DELETE", "/time_entries/{id}", NULL, "time entry", 0},
    {"stop_timer", "PATCH", "/time_entries/{id}/stop", NULL, "timer", 0},
    {"restart_timer", "PATCH", "/time_entries/{id}/restart", NULL, "timer", 0},
    {"list_projects", "GET", "/projects", "projects", "projects", 0},
    {"get_project", "GET", "/projects/{id}", NULL, "project", 0},
    {"list_tasks", "GET", "/tasks", "tasks", "tasks", 0},
    {"get_task", "GET", "/tasks/{id}", NULL, "task", 0},
    {"list_task_assignments", "GET", "/task_assignments", "task_assignments", "task assignments",
     0},
    {"list_project_task_assignments", "GET", "/projects/{project_id}/task_assignments",
     "task_assignments", "task assignments", 0},
    {"list_user_assignments", "GET", "/user_assignments", "user_assignments", "user assignments",
     0},
    {"list_project_user_assignments", "GET", "/projects/{project_id}/user_assignments",
     "user_assignments", "user assignments", 0},
    {"list_clients", "GET", "/clients", "clients", "clients", 0},
    {"get_client", "GET", "/clients/{id}", NULL, "client", 0},
    {"list_invoices", "GET", "/invoices", "invoices", "invoices", 0},
    {"get_invoice", "GET", "/invoices/{id}", NULL, "invoice", 0},
    {"create_invoice", "POST", "/invoices", NULL, "invoice", 0},
    {"update_invoice", "PATCH", "/invoices/{id}", NULL, "invoice", 0},
    {"list_invoice_messages", "GET", "/invoices/{invoice_id}/messages", "invoice_messages",
     "invoice messages", 0},
    {"send_invoice", "POST", "/invoices/{invoice_id}/messages", NULL, "invoice message", 0},
    {"list_invoice_payments", "GET", "/invoices/{invoice_id}/payments", "invoice_payments",
     "invoice payments", 0},
    {"create_invoice_payment", "POST", "/invoices/{invoice_id}/payments", NULL, "invoice payment",
     0},
    {"list_expenses", "GET", "/expenses", "expenses", "expenses", 0},
    {"time_report_by_client", "GET", "/reports/time/clients", "results", "time report",
     GL_HV_REPORT},
    {"time_report_by_project", "GET", "/reports/time/projects", "results", "time report",
     GL_HV_REPORT},
    {"time_report_by_task", "GET", "/reports/time/tasks", "results", "time report", GL_HV_REPORT},
    {"time_report_by_team", "GET", "/reports/time/team", "results", "time report", GL_HV_REPORT},
    {"invoice_report", "GET", "/reports/uninvoiced", "results", "uninvoiced report", GL_HV_REPORT},
    {"project_budget_report", "GET", "/reports/project_budget", "results", "budget report",
     GL_HV_REPORT},
};

const gl_harvest_op *gl_harvest_ops(size_t *n)
{
    *n = sizeof(ops) / sizeof(ops[0]);
    return ops;
}

const gl_harvest_op *gl_harvest_op_find(const char *name)
{
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

/* ------------------------------------------------------------ lifecycle */

/*
 * The HTTP layer's refresh: the caller's, and the new token for the other
 * service too (the API and Harvest ID share one).
 */
static int refresh_both(void *payload, char **token)
{
    gl_harvest *h = payload;
    int rc = h->refresh(h->refresh_payload, token);

    return rc == GL_OK && *token && **token ? gl_harvest_set_token(h, *token) : rc;
}

int gl_harvest_new(gl_harvest **out, const gl_harvest_options *opts)
{
    gl_http_options api = GL_HTTP_OPTIONS_INIT, id = GL_HTTP_OPTIONS_INIT;
    gl_harvest *h;
    char *ua = NULL, account[32];
    int rc;

    *out = NULL;
    if (!opts->base_url || !opts->token || !*opts->token)
        return gl_error_set(GL_EINVAL, "harvest: a base URL and a token are required");
    if (!opts->contact || !*opts->contact)
        return gl_error_set(GL_ECONFIG, "Harvest requires a contact in the User-Agent: set "
                                        "harvest.contact or user.email");
    if (!(h = calloc(1, sizeof(*h))) ||
        !(ua = gl_strdupf("gleaner/%s (%s)", GL_VERSION, opts->contact)) ||
        !(h->token = strdup(opts->token))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto fail;
    }
    h->refresh = opts->refresh;
    h->refresh_payload = opts->refresh_payload;

    /* After a 401 the HTTP layer asks for a new token once (both services share it). */
    api.refresh = id.refresh = h->refresh ? refresh_both : NULL;
    api.refresh_payload = id.refresh_payload = h;
    api.service = "harvest";
    api.base_url = opts->base_url;
    api.user_agent = ua;
    api.clock = opts->clock;
    api.timeout_ms = opts->timeout_ms;
    api.rate_per_second = API_RATE;
    api.rate_burst = API_BURST;
    if ((rc = gl_http_service_new(&h->api, &api)) < 0 ||
        (rc = gl_http_add_limit(h->api, "/reports/", REPORTS_RATE, REPORTS_BURST)) < 0 ||
        (rc = gl_http_set_bearer(h->api, h->token)) < 0)
        goto fail;
    if (opts->account_id > 0) {
        snprintf(account, sizeof(account), "%" PRId64, opts->account_id);
        if ((rc = gl_http_set_header(h->api, "Harvest-Account-Id", account)) < 0)
            goto fail;
    }
    if (opts->id_url) {
        id.service = "harvest-id";
        id.base_url = opts->id_url;
        id.user_agent = ua;
        id.clock = opts->clock;
        id.rate_per_second = 1.0;
        id.rate_burst = 5.0;
        if ((rc = gl_http_service_new(&h->id, &id)) < 0 ||
            (rc = gl_http_set_bearer(h->id, h->token)) < 0)
            goto fail;
    }
    free(ua);
    *out = h;
    return GL_OK;

fail:
    free(ua);
    gl_harvest_free(h);
    return rc;
}

void gl_harvest_free(gl_harvest *h)
{
    if (!h)
        return;
    gl_http_service_free(h->api);
    gl_http_service_free(h->id);
    gl_fs_free_secret(h->token);
    free(h);
}

int gl_harvest_set_token(gl_harvest *h, const char *token)
{
    char *copy = strdup(token);
    int rc;

    if (!copy)
        return gl_error_set(GL_ENOMEM, "out of memory");
    gl_fs_free_secret(h->token);
    h->token = copy;
    if ((rc = gl_http_set_bearer(h->api, token)) < 0)
        return rc;
    return h->id ? gl_http_set_bearer(h->id, token) : GL_OK;
}

void gl_harvest_stats(const gl_harvest *h, int *requests, int64_t *waited_ms)
{
    *requests = h->requests;
    *waited_ms = h->waited_ms;
}

/* --------------------------------------------------------------- errors */

/* The detail Harvest gives, but never an HTML page (its answer to unknown paths). */
static void harvest_detail(const gl_http_response *resp, char *out, size_t len)
{
    out[0] = '\0';
    if (!resp->json && resp->body_len && resp->body[0] == '<')
        return;
    gl_http_error_detail(resp, out, len);
    gl_str_sanitize(out);
}

/*
 * Turn an HTTP error into a sentence about the object (`noun`, `ident`) and
 * what to do; transport errors keep the HTTP layer's message.
 */
static int harvest_error(int rc, const gl_http_response *resp, const char *method, const char *noun,
                         const char *ident)
{
    char detail[256], sep[4] = "";
    long status;

    if (!resp || resp->status < 400)
        return rc;
    status = resp->status;
    harvest_detail(resp, detail, sizeof(detail));
    if (detail[0])
        snprintf(sep, sizeof(sep), ": ");
    switch (status) {
    case 401:
        return gl_error_set(rc,
                            "Harvest did not accept the token (401%s%s); check harvest.account-id "
                            "and sign in again: gleaner auth harvest --token-file FILE (or "
                            "--oauth)",
                            sep, detail);
    case 403:
        /* A locked entry is a 403 with a reason; only a bare 403 is about the role. */
        if (!detail[0])
            return gl_error_set(rc,
                                "Harvest does not let this user see or change the %s (403); it "
                                "needs an administrator's or manager's token",
                                noun);
        break;
    case 404:
        if (ident)
            return gl_error_set(rc, "Harvest has no %s %s (404)", noun, ident);
        return gl_error_set(rc, "Harvest has no such %s (404)", noun);
    case 429:
        return gl_error_set(rc, "Harvest is rate limiting gleaner (%s); try again later",
                            gl_error_last());
    default:
        break;
    }
    if (status >= 500)
        return gl_error_set(rc, "Harvest failed on the %s (HTTP %ld%s%s); try again later", noun,
                            status, sep, detail);
    if (strcmp(method, "DELETE") == 0)
        return gl_error_set(rc, "Harvest refused to delete the %s: %s (%ld)", noun,
                            detail[0] ? detail : "no reason given", status);
    return gl_error_set(rc, "Harvest refused the %s: %s (%ld)", noun,
                        detail[0] ? detail : "no reason given", status);
}

/* ------------------------------------------------------------- requests */

static int send_once(gl_harvest *h, gl_http_service *svc, gl_http_request *req,
                     gl_http_response **resp)
{
    int rc = gl_http_send(resp, svc, req);
    if (*resp) {
        h->requests += (*resp)->attempts;
        h->waited_ms += (*resp)->waited_ms;
    } else {
        h->requests++;
    }
    return rc;
}

static int request_on(gl_harvest *h, gl_http_service *svc, const char *method, const char *path,
                      const char *const *query, json_object *body, const char *noun,
                      const char *ident, json_object **out)
{
    gl_http_request req = {0};
    gl_http_response *resp = NULL;
    int rc;

    *out = NULL;
    req.method = method;
    req.path = path;
    req.query = query;
    req.json = body;
    rc = send_once(h, svc, &req, &resp);
    if (rc < 0) {
        rc = harvest_error(rc, resp, method, noun, ident);
    } else if (resp && resp->json) {
        *out = json_object_get(resp->json);
    } else if (resp && resp->body_len && !resp->json) {
        rc = gl_error_set(GL_EBADDATA, "Harvest answered %s %s with something that is not JSON",
                          method, path);
    }
    gl_http_response_free(resp);
    return rc;
}

int gl_harvest_request(gl_harvest *h, const char *method, const char *path,
                       const char *const *query, json_object *body, const char *noun,
                       json_object **out)
{
    return request_on(h, h->api, method, path, query, body, noun ? noun : "request", NULL, out);
}

static int list_on(gl_harvest *h, gl_http_service *svc, const char *path, const char *const *query,
                   const char *key, const char *noun, json_object **items)
{
    json_object *all = json_object_new_array(), *page = NULL;
    json_object *visited = json_object_new_object(); /* links followed, as keys */
    char *next = NULL;
    int rc = GL_OK;

    *items = NULL;
    if (!all || !visited) {
        json_object_put(all);
        json_object_put(visited);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    for (int n = 0;; n++) {
        json_object *arr, *links;
        const char *link;

        if (n == MAX_PAGES) {
            rc = gl_error_set(GL_EBADDATA, "Harvest kept linking to more pages of %s after %d",
                              noun, MAX_PAGES);
            break;
        }
        rc = request_on(h, svc, "GET", next ? next : path, next ? NULL : query, NULL, noun, NULL,
                        &page);
        if (rc < 0)
            break;
        if (!page || !(arr = gl_json_array(page, key))) {
            rc = gl_error_set(GL_EBADDATA, "Harvest's list of %s has no \"%s\" array", noun, key);
            break;
        }
        for (size_t i = 0; i < json_object_array_length(arr); i++)
            json_object_array_add(all, json_object_get(json_object_array_get_idx(arr, i)));
        links = gl_json_object(page, "links");
        link = links ? gl_json_str(links, "next") : NULL;
        if (!link || !*link)
            break;
        /* A server that links back to a page already read would loop for ever. */
        if (json_object_object_get_ex(visited, link, NULL)) {
            rc = gl_error_set(GL_EBADDATA,
                              "Harvest's list of %s links back to a page already "
                              "read",
                              noun);
            break;
        }
        json_object_object_add(visited, link, NULL);
        free(next);
        if (!(next = strdup(link))) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
            break;
        }
        json_object_put(page);
        page = NULL;
    }
    json_object_put(page);
    json_object_put(visited);
    free(next);
    if (rc < 0) {
        json_object_put(all);
        return rc;
    }
    *items = all;
    return GL_OK;
}

int gl_harvest_list(gl_harvest *h, const char *path, const char *const *query, const char *key,
                    const char *noun, json_object **items)
{
    return list_on(h, h->api, path, query, key, noun ? noun : key, items);
}

/* ------------------------------------------------------------ arguments */

#define MAX_QUERY 48

typedef struct call_args {
    char *path;     /* the template filled in */
    char ident[32]; /* the id in the path, for "no time entry 12" */
    const char *query[MAX_QUERY * 2 + 1];
    char *owned[MAX_QUERY]; /* query values we formatted */
    int nquery, nowned;
    json_object *body; /* for POST/PATCH */
} call_args;

static void call_args_free(call_args *a)
{
    free(a->path);
    for (int i = 0; i < a->nowned; i++)
        free(a->owned[i]);
    json_object_put(a->body);
}

/* A scalar as text for the query string; NULL for arrays, objects and null. */
static char *scalar_text(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
        return strdup(json_object_get_string(v));
    case json_type_int:
        return gl_strdupf("%" PRId64, json_object_get_int64(v));
    case json_type_boolean:
        return strdup(json_object_get_boolean(v) ? "true" : "false");
    case json_type_double:
        return gl_strdupf("%.17g", json_object_get_double(v));
    default:
        return NULL;
    }
}

/* Fill "{name}" placeholders from `args`. */
static int fill_path(call_args *a, const gl_harvest_op *op, json_object *args)
{
    gl_buf b = GL_BUF_INIT(4096);
    const char *p = op->path;

    while (*p) {
        const char *open = strchr(p, '{'), *close;
        char name[64];
        json_object *v;
        int64_t id;

        if (!open) {
            gl_buf_append(&b, p, strlen(p));
            break;
        }
        close = strchr(open, '}');
        gl_buf_append(&b, p, (size_t)(open - p));
        snprintf(name, sizeof(name), "%.*s", (int)(close - open - 1), open + 1);
        if (!args || !json_object_object_get_ex(args, name, &v) ||
            !json_object_is_type(v, json_type_int) || (id = json_object_get_int64(v)) < 1) {
            gl_buf_dispose(&b);
            return gl_error_set(GL_EINVAL, "%s: missing required argument \"%s\" (a positive id)",
                                op->name, name);
        }
        snprintf(a->ident, sizeof(a->ident), "%" PRId64, id);
        gl_buf_printf(&b, "%" PRId64, id);
        p = close + 1;
    }
    if (!(a->path = gl_buf_detach(&b)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    return GL_OK;
}

static bool in_path(const gl_harvest_op *op, const char *name)
{
    char pattern[80];
    snprintf(pattern, sizeof(pattern), "{%s}", name);
    return strstr(op->path, pattern) != NULL;
}

/* Reports accept at most 365 days, both ends included. */
static int check_report_range(const gl_harvest_op *op, json_object *args)
{
    const char *from = args ? gl_json_str(args, "from") : NULL;
    const char *to = args ? gl_json_str(args, "to") : NULL;
    int fy, fm, fd, ty, tm, td;
    int64_t days;

    if (!from && !to)
        return GL_OK;
    if (!from || !to)
        return gl_error_set(GL_EINVAL, "%s: give both \"from\" and \"to\"", op->name);
    if (gl_date_parse(from, &fy, &fm, &fd) < 0 || gl_date_parse(to, &ty, &tm, &td) < 0)
        return gl_error_set(GL_EINVAL, "%s: from and to must be dates YYYY-MM-DD", op->name);
    days = gl_days_from_civil(ty, tm, td) - gl_days_from_civil(fy, fm, fd) + 1;
    if (days < 1)
        return gl_error_set(GL_EINVAL, "%s: \"to\" (%s) is before \"from\" (%s)", op->name, to,
                            from);
    if (days > 365)
        return gl_error_set(GL_EINVAL,
                            "%s: Harvest reports cover at most 365 days and %s..%s is %" PRId64
                            "; split the range",
                            op->name, from, to, days);
    return GL_OK;
}

static int split_args(call_args *a, const gl_harvest_op *op, json_object *args)
{
    int rc;
    bool body = strcmp(op->method, "POST") == 0 || strcmp(op->method, "PATCH") == 0;

    if ((rc = fill_path(a, op, args)) < 0)
        return rc;
    if (body && !(a->body = json_object_new_object()))
        return gl_error_set(GL_ENOMEM, "out of memory");
    if (!args)
        return GL_OK;
    json_object_object_foreach(args, name, value)
    {
        char *text;
        if (in_path(op, name))
            continue;
        if (body) {
            json_object_object_add(a->body, name, json_object_get(value));
            continue;
        }
        if (a->nquery == MAX_QUERY)
            return gl_error_set(GL_EINVAL, "%s: too many arguments", op->name);
        if (json_object_is_type(value, json_type_null))
            continue;
        if (!(text = scalar_text(value)))
            return gl_error_set(GL_EINVAL, "%s: argument \"%s\" must be a single value", op->name,
                                name);
        a->owned[a->nowned++] = text;
        a->query[a->nquery * 2] = name;
        a->query[a->nquery * 2 + 1] = text;
        a->nquery++;
    }
    a->query[a->nquery * 2] = NULL;
    return GL_OK;
}

int gl_harvest_call(gl_harvest *h, const gl_harvest_op *op, json_object *args, json_object **result)
{
    call_args a;
    gl_http_service *svc = (op->flags & GL_HV_ID_HOST) ? h->id : h->api;
    int rc;

    *result = NULL;
    memset(&a, 0, sizeof(a));
    if (!svc)
        return gl_error_set(GL_ECONFIG, "%s: harvest.id-url is not set", op->name);
    if (args && !json_object_is_type(args, json_type_object))
        return gl_error_set(GL_EINVAL, "%s: arguments must be a JSON object", op->name);
    if ((op->flags & GL_HV_REPORT) && (rc = check_report_range(op, args)) < 0)
        return rc;
    if (strcmp(op->name, "list_accounts") == 0) {
        json_object *accounts = NULL, *user = NULL;
        if ((rc = gl_harvest_accounts(h, &accounts, &user)) < 0)
            return rc;
        *result = json_object_new_object();
        json_object_object_add(*result, "user", user);
        json_object_object_add(*result, "accounts", accounts);
        return GL_OK;
    }
    if ((rc = split_args(&a, op, args)) < 0)
        goto done;
    if (op->list_key) {
        json_object *items = NULL;
        if ((rc = list_on(h, svc, a.path, a.query, op->list_key, op->noun, &items)) < 0)
            goto done;
        *result = json_object_new_object();
        json_object_object_add(*result, "total_entries",
                               json_object_new_int64((int64_t)json_object_array_length(items)));
        json_object_object_add(*result, op->list_key, items);
    } else {
        rc = request_on(h, svc, op->method, a.path, a.nquery ? a.query : NULL, a.body, op->noun,
                        a.ident[0] ? a.ident : NULL, result);
        if (rc >= 0 && !*result) {
            *result = json_object_new_object();
            json_object_object_add(*result, "ok", json_object_new_boolean(1));
        }
        if (rc >= 0 && strcmp(op->method, "DELETE") == 0) {
            json_object_put(*result);
            *result = json_object_new_object();
            json_object_object_add(*result, "deleted", json_object_new_boolean(1));
            int64_t id = 0;
            gl_parse_int64(&id, a.ident);
            json_object_object_add(*result, "id", json_object_new_int64(id));
        }
    }
done:
    call_args_free(&a);
    if (rc < 0) {
        json_object_put(*result);
        *result = NULL;
    }
    return rc;
}

/* ------------------------------------------------------- typed helpers */

int gl_harvest_me(gl_harvest *h, json_object **user)
{
    return request_on(h, h->api, "GET", "/users/me", NULL, NULL, "user", NULL, user);
}

int gl_harvest_company(gl_harvest *h, json_object **company)
{
    return request_on(h, h->api, "GET", "/company", NULL, NULL, "company", NULL, company);
}

int gl_harvest_accounts(gl_harvest *h, json_object **accounts, json_object **user)
{
    json_object *doc = NULL, *all, *kept;
    int rc;

    *accounts = NULL;
    if (user)
        *user = NULL;
    if (!h->id)
        return gl_error_set(GL_ECONFIG, "harvest.id-url is not set");
    if ((rc = request_on(h, h->id, "GET", "/api/v2/accounts", NULL, NULL, "account list", NULL,
                         &doc)) < 0)
        return rc;
    if (!doc || !(all = gl_json_array(doc, "accounts"))) {
        json_object_put(doc);
        return gl_error_set(GL_EBADDATA, "Harvest ID's account list has no \"accounts\"");
    }
    kept = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        json_object *acct = json_object_array_get_idx(all, i);
        const char *product = gl_json_str(acct, "product");
        /* The same token reaches Forecast accounts, which the Harvest API refuses. */
        if (product && strcmp(product, "harvest") != 0)
            continue;
        json_object_array_add(kept, json_object_get(acct));
    }
    if (user) {
        json_object *u = gl_json_object(doc, "user");
        *user = u ? json_object_get(u) : NULL;
    }
    json_object_put(doc);
    *accounts = kept;
    return GL_OK;
}

int gl_harvest_find_by_reference(gl_harvest *h, const char *reference, int64_t user_id,
                                 json_object **entry)
{
    char uid[32];
    const char *query[] = {"external_reference_id", reference, "user_id", uid, NULL};
    json_object *items = NULL;
    int rc;

    *entry = NULL;
    snprintf(uid, sizeof(uid), "%" PRId64, user_id);
    if (user_id <= 0)
        query[2] = NULL;
    if ((rc = gl_harvest_list(h, "/time_entries", query, "time_entries", "time entries", &items)) <
        0)
        return rc;
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        json_object *e = json_object_array_get_idx(items, i),
                    *ref = gl_json_object(e, "external_reference");
        const char *id = ref ? gl_json_str(ref, "id") : NULL;
        /* The filter is Harvest's; checking again costs nothing and guards a lax server. */
        if (id && strcmp(id, reference) == 0) {
            *entry = json_object_get(e);
            break;
        }
    }
    json_object_put(items);
    return *entry ? GL_OK : gl_error_set(GL_ENOTFOUND, "no time entry carries %s", reference);
}

int gl_harvest_create_time_entry(gl_harvest *h, json_object *body, json_object **entry)
{
    return request_on(h, h->api, "POST", "/time_entries", NULL, body, "time entry", NULL, entry);
}
