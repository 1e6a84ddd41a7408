/*
 * schema.c - the JSON Schema subset for tool arguments: checking a schema,
 * then validating a value against it with a one-line message.
 */
#include "schema.h"

#include <inttypes.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "str.h"
#include "tz.h"

#define PATH_LEN 256 /* an argument path or schema location; longer ones are cut */
#define MSG_LEN  1024

/* RFC 3339's shape; gl_time_parse_utc then checks the ranges and the calendar. */
#define DATE_TIME_SHAPE                                                                        \
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:" \
    "[0-9]{2})$"

/* ------------------------------------------------------------- helpers */

/* Append printf output to the string in `out` (size `n`), cutting when full. */
static void append(char *out, size_t n, const char *fmt, ...) GL_PRINTF(3, 4);
static void append(char *out, size_t n, const char *fmt, ...)
{
    size_t len = strlen(out);
    va_list ap;

    if (len + 1 >= n)
        return;
    va_start(ap, fmt);
    vsnprintf(out + len, n - len, fmt, ap);
    va_end(ap);
}

static bool matches(const char *pattern, const char *s)
{
    regex_t re;
    bool ok;

    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    ok = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

/* The i-th name of a "type" that is one name or a list of them; NULL past the end. */
static const char *type_at(json_object *type, size_t i)
{
    if (json_object_is_type(type, json_type_string))
        return i == 0 ? json_object_get_string(type) : NULL;
    if (!json_object_is_type(type, json_type_array) || i >= json_object_array_length(type))
        return NULL;
    return json_object_get_string(json_object_array_get_idx(type, i));
}

static bool allows_type(json_object *schema, const char *name)
{
    json_object *type = gl_json_get(schema, "type");
    const char *t;
    size_t i;

    for (i = 0; (t = type_at(type, i)); i++)
        if (strcmp(t, name) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------ checking */

enum kind {
    K_TYPE,
    K_PROPS,
    K_NAMES,
    K_FALSE,
    K_SCHEMA,
    K_ENUM,
    K_NUMBER,
    K_COUNT,
    K_PATTERN,
    K_FORMAT,
    K_SCHEMAS,
    K_STRING,
    K_ARRAY,
    K_ANY
};

static const char *const kind_wants[] = {[K_TYPE] = "a type name or a list of them",
                                         [K_PROPS] = "an object of schemas",
                                         [K_NAMES] = "a list of names",
                                         [K_FALSE] = "false (other arguments are always refused)",
                                         [K_SCHEMA] = "a schema",
                                         [K_ENUM] = "a non-empty list of strings and integers",
                                         [K_NUMBER] = "a number",
                                         [K_COUNT] = "a non-negative integer",
                                         [K_PATTERN] = "a POSIX extended regular expression",
                                         [K_FORMAT] = "\"date\" or \"date-time\"",
                                         [K_SCHEMAS] = "a non-empty list of schemas",
                                         [K_STRING] = "a string",
                                         [K_ARRAY] = "a list",
                                         [K_ANY] = "anything"};

static const struct keyword {
    const char *name;
    enum kind kind;
} keywords[] = {{"type", K_TYPE},
                {"properties", K_PROPS},
                {"required", K_NAMES},
                {"items", K_SCHEMA},
                {"additionalProperties", K_FALSE},
                {"enum", K_ENUM},
                {"minimum", K_NUMBER},
                {"maximum", K_NUMBER},
                {"exclusiveMinimum", K_NUMBER},
                {"minLength", K_COUNT},
                {"maxLength", K_COUNT},
                {"minItems", K_COUNT},
                {"maxItems", K_COUNT},
                {"pattern", K_PATTERN},
                {"format", K_FORMAT},
                {"oneOf", K_SCHEMAS},
                {"anyOf", K_SCHEMAS},
                {"description", K_STRING},
                {"title", K_STRING},
                {"$comment", K_STRING},
                {"examples", K_ARRAY},
                {"default", K_ANY}};

static const char *const type_names[] = {"object", "array",   "string", "integer",
                                         "number", "boolean", "null"};

static int schema_error(const char *at, const char *fmt, ...) GL_PRINTF(2, 3);
static int schema_error(const char *at, const char *fmt, ...)
{
    char msg[MSG_LEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return gl_error_set(GL_EINVAL, "schema%s%s: %s", *at ? " at " : "", at, msg);
}

static bool is_type_name(json_object *t)
{
    size_t i;

    for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (json_object_is_type(t, json_type_string) &&
            strcmp(json_object_get_string(t), type_names[i]) == 0)
            return true;
    return false;
}

/* Whether every element of `list` (an array) satisfies `ok`; non-arrays fail. */
static bool all_of(json_object *list, bool (*ok)(json_object *), bool nonempty)
{
    size_t i, n;

    if (!json_object_is_type(list, json_type_array))
        return false;
    n = json_object_array_length(list);
    for (i = 0; i < n; i++)
        if (!ok(json_object_array_get_idx(list, i)))
            return false;
    return n > 0 || !nonempty;
}

static bool is_name(json_object *v)
{
    return json_object_is_type(v, json_type_string);
}

static bool is_enum_value(json_object *v)
{
    return json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_int);
}

static int check_at(json_object *schema, const char *at);

static int check_keyword(const struct keyword *kw, json_object *v, const char *at)
{
    char sub[PATH_LEN], err[128];
    const char *s = json_object_get_string(v);
    bool ok = false;
    size_t i;
    int rc;
    regex_t re;

    switch (kw->kind) {
    case K_TYPE:
        ok = is_type_name(v) || all_of(v, is_type_name, true);
        break;
    case K_PROPS:
        if (!json_object_is_type(v, json_type_object))
            break;
        {
            json_object_object_foreach(v, name, prop)
            {
                snprintf(sub, sizeof(sub), "%s/properties/%s", at, name);
                if ((rc = check_at(prop, sub)) < 0)
                    return rc;
            }
        }
        return GL_OK;
    case K_NAMES:
        ok = all_of(v, is_name, false);
        break;
    case K_FALSE:
        ok = json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v);
        break;
    case K_SCHEMA:
        snprintf(sub, sizeof(sub), "%s/%s", at, kw->name);
        return check_at(v, sub);
    case K_ENUM:
        ok = all_of(v, is_enum_value, true);
        break;
    case K_NUMBER:
        ok = json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
        break;
    case K_COUNT:
        ok = json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0;
        break;
    case K_PATTERN:
        if (!json_object_is_type(v, json_type_string))
            break;
        if ((rc = regcomp(&re, s, REG_EXTENDED | REG_NOSUB)) != 0) {
            regerror(rc, &re, err, sizeof(err));
            return schema_error(at, "bad pattern \"%s\": %s", s, err);
        }
        regfree(&re);
        return GL_OK;
    case K_FORMAT:
        ok = json_object_is_type(v, json_type_string) &&
             (strcmp(s, "date") == 0 || strcmp(s, "date-time") == 0);
        break;
    case K_SCHEMAS:
        if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
            break;
        for (i = 0; i < json_object_array_length(v); i++) {
            snprintf(sub, sizeof(sub), "%s/%s/%zu", at, kw->name, i);
            if ((rc = check_at(json_object_array_get_idx(v, i), sub)) < 0)
                return rc;
        }
        return GL_OK;
    case K_STRING:
        ok = json_object_is_type(v, json_type_string);
        break;
    case K_ARRAY:
        ok = json_object_is_type(v, json_type_array);
        break;
    case K_ANY:
        ok = true;
        break;
    }
    return ok ? GL_OK : schema_error(at, "\"%s\" must be %s", kw->name, kind_wants[kw->kind]);
}

static int check_at(json_object *schema, const char *at)
{
    json_object *required, *props;
    size_t i, k;
    int rc;

    if (!json_object_is_type(schema, json_type_object))
        return schema_error(at, "expected a schema (a JSON object)");
    json_object_object_foreach(schema, key, v)
    {
        for (k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
            if (strcmp(key, keywords[k].name) == 0)
                break;
        if (k == sizeof(keywords) / sizeof(keywords[0]))
            return schema_error(at, "unsupported keyword \"%s\"", key);
        if ((rc = check_keyword(&keywords[k], v, at)) < 0)
            return rc;
    }
    /* A closed object cannot require what it does not list: no value would pass. */
    required = gl_json_array(schema, "required");
    props = gl_json_object(schema, "properties");
    for (i = 0; required && allows_type(schema, "object") && i < json_object_array_length(required);
         i++) {
        const char *name = json_object_get_string(json_object_array_get_idx(required, i));
        if (!props || !json_object_object_get_ex(props, name, NULL))
            return schema_error(at, "required \"%s\" is not in \"properties\"", name);
    }
    return GL_OK;
}

int gl_schema_check(json_object *schema)
{
    return check_at(schema, "");
}

/* ---------------------------------------------------------- validating */

static int fail(const char *path, const char *fmt, ...) GL_PRINTF(2, 3);

/* "path: message"; the top level is called "arguments"; NULL path: no prefix. */
static int fail(const char *path, const char *fmt, ...)
{
    char msg[MSG_LEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!path)
        return gl_error_set(GL_EINVAL, "%s", msg);
    return gl_error_set(GL_EINVAL, "%s: %s", *path ? path : "arguments", msg);
}

static void join_key(char *out, const char *path, const char *key)
{
    snprintf(out, PATH_LEN, "%s%s%s", path, *path ? "." : "", key);
}

static bool is_integral(json_object *v)
{
    double d;

    if (json_object_is_type(v, json_type_int))
        return true;
    if (!json_object_is_type(v, json_type_double))
        return false;
    d = json_object_get_double(v);
    /* Within int64, so that a caller's json_object_get_int64 reads what was checked. */
    return d == trunc(d) && d >= -0x1p63 && d < 0x1p63;
}

static bool is_type(json_object *v, const char *name)
{
    if (strcmp(name, "integer") == 0)
        return is_integral(v);
    if (strcmp(name, "number") == 0)
        return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
    /* json-c's own names agree for object, array, string, boolean and null. */
    return strcmp(json_type_to_name(json_object_get_type(v)), name) == 0;
}

static const char *type_phrase(const char *name)
{
    static const char *const phrases[][2] = {
        {"object", "an object"},   {"array", "an array"},  {"string", "a string"},
        {"integer", "an integer"}, {"number", "a number"}, {"boolean", "true or false"},
    };
    size_t i;

    for (i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
        if (strcmp(name, phrases[i][0]) == 0)
            return phrases[i][1];
    return name; /* null */
}

static const char *format_phrase(const char *format)
{
    return strcmp(format, "date") == 0 ? "a date YYYY-MM-DD"
                                       : "a date-time like 2026-11-21T09:30:00Z";
}

/*
 * What was given, for "got ...".  With `hint` (the type may be what is wrong), a string that
 * reads as a number or boolean says so, to point at the quotes: got a string "42".
 */
static void describe(char *out, size_t n, json_object *v, bool hint)
{
    const char *s = json_object_get_string(v);
    char text[80];
    double d;

    if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array)) {
        snprintf(out, n, "%s", type_phrase(json_type_to_name(json_object_get_type(v))));
        return;
    }
    if (!json_object_is_type(v, json_type_string)) {
        s = gl_json_compact(v); /* numbers keep their source text; null and booleans */
        gl_str_excerpt(out, n, s, strlen(s), 60);
        return;
    }
    gl_str_excerpt(text, sizeof(text), s, strlen(s), 60);
    hint = hint &&
           (gl_parse_double(&d, s) == GL_OK || strcmp(s, "true") == 0 || strcmp(s, "false") == 0);
    snprintf(out, n, "%s\"%s\"", hint ? "a string " : "", text);
}

/* The closest of the candidates so far, for "did you mean"; near enough when few edits. */
static void closer(const char *given, const char *candidate, const char **best, int *best_d)
{
    int d = gl_str_distance(given, candidate);
    if (d < *best_d) {
        *best_d = d;
        *best = candidate;
    }
}

static bool near(const char *given, int d)
{
    return d <= 2 && 2 * d <= (int)strlen(given);
}

static int validate(json_object *schema, json_object *v, const char *path);

static int check_type(json_object *schema, json_object *v, const char *path)
{
    json_object *type = gl_json_get(schema, "type");
    const char *t, *t0, *format = gl_json_str(schema, "format");
    char want[128] = "", got[128];
    size_t i, n;

    for (n = 0; (t = type_at(type, n)); n++)
        if (is_type(v, t))
            return GL_OK;
    if (n == 0)
        return GL_OK;
    t0 = type_at(type, 0);
    for (i = 0; i < n; i++)
        append(want, sizeof(want), "%s%s",
               i == 0       ? ""
               : i + 1 == n ? " or "
                            : ", ",
               format && n == 1 && strcmp(t0, "string") == 0 ? format_phrase(format)
                                                             : type_phrase(type_at(type, i)));
    describe(got, sizeof(got), v, true);
    return fail(path, "expected %s, got %s", want, got);
}

/* Enum entries are strings or integers (gl_schema_check); 3.0 equals 3. */
static bool enum_equal(json_object *entry, json_object *v, const char *s)
{
    if (json_object_is_type(entry, json_type_string))
        return s && strcmp(s, json_object_get_string(entry)) == 0;
    return is_integral(v) && json_object_get_int64(v) == json_object_get_int64(entry);
}

static int check_enum(json_object *schema, json_object *v, const char *path)
{
    json_object *list = gl_json_array(schema, "enum");
    const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    const char *best = NULL;
    char want[512] = "", got[128];
    int best_d = 100;
    size_t i, n;

    if (!list)
        return GL_OK;
    n = json_object_array_length(list);
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i);
        if (enum_equal(e, v, s))
            return GL_OK;
        append(want, sizeof(want), "%s%s", i ? ", " : "", json_object_get_string(e));
        if (s && json_object_is_type(e, json_type_string))
            closer(s, json_object_get_string(e), &best, &best_d);
    }
    describe(got, sizeof(got), v, true);
    if (best && near(s, best_d))
        return fail(path, "expected one of %s; got %s; did you mean \"%s\"?", want, got, best);
    return fail(path, "expected one of %s; got %s", want, got);
}

static int check_number(json_object *schema, json_object *v, const char *path)
{
    static const char *const bounds[][2] = {
        {"minimum", ">="}, {"maximum", "<="}, {"exclusiveMinimum", ">"}};
    double x = json_object_get_double(v), limit;
    char got[128];
    size_t i;

    for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
        const char *op = bounds[i][1];
        if (!gl_json_double(schema, bounds[i][0], &limit))
            continue;
        if (op[0] == '>' ? (op[1] == '=' ? x >= limit : x > limit) : x <= limit)
            continue;
        describe(got, sizeof(got), v, false);
        return fail(path, "expected %s %s %s, got %s",
                    allows_type(schema, "integer") ? "an integer" : "a number", op,
                    gl_json_compact(gl_json_get(schema, bounds[i][0])), got);
    }
    return GL_OK;
}

static int check_string(json_object *schema, json_object *v, const char *path)
{
    const char *s = json_object_get_string(v), *pattern = gl_json_str(schema, "pattern");
    const char *format = gl_json_str(schema, "format");
    size_t i, len = 0, bytes = (size_t)json_object_get_string_len(v);
    int64_t limit, t;
    int y, m, d;
    char got[128];

    for (i = 0; i < bytes; i++)
        len += ((unsigned char)s[i] & 0xC0) != 0x80; /* count UTF-8 code points */
    if (gl_json_int64(schema, "minLength", &limit) && (int64_t)len < limit)
        return fail(path, "expected at least %" PRId64 " character%s, got %zu", limit,
                    limit == 1 ? "" : "s", len);
    if (gl_json_int64(schema, "maxLength", &limit) && (int64_t)len > limit)
        return fail(path, "expected at most %" PRId64 " character%s, got %zu", limit,
                    limit == 1 ? "" : "s", len);
    describe(got, sizeof(got), v, false);
    if (pattern && !matches(pattern, s))
        return fail(path, "expected text matching %s, got %s", pattern, got);
    if (format && strcmp(format, "date") == 0 && gl_date_parse(s, &y, &m, &d) < 0)
        return fail(path, "expected %s, got %s", format_phrase(format), got);
    if (format && strcmp(format, "date-time") == 0 &&
        !(matches(DATE_TIME_SHAPE, s) && gl_time_parse_utc(&t, s) == GL_OK))
        return fail(path, "expected %s, got %s", format_phrase(format), got);
    return GL_OK;
}

static int check_array(json_object *schema, json_object *v, const char *path)
{
    json_object *items = gl_json_object(schema, "items");
    size_t i, n = json_object_array_length(v);
    char sub[PATH_LEN];
    int64_t limit;
    int rc;

    if (gl_json_int64(schema, "minItems", &limit) && (int64_t)n < limit)
        return fail(path, "expected at least %" PRId64 " item%s, got %zu", limit,
                    limit == 1 ? "" : "s", n);
    if (gl_json_int64(schema, "maxItems", &limit) && (int64_t)n > limit)
        return fail(path, "expected at most %" PRId64 " item%s, got %zu", limit,
                    limit == 1 ? "" : "s", n);
    for (i = 0; items && i < n; i++) {
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if ((rc = validate(items, json_object_array_get_idx(v, i), sub)) < 0)
            return rc;
    }
    return GL_OK;
}

static int unknown_argument(json_object *props, const char *key, const char *path)
{
    char names[400] = "", where[PATH_LEN], mean[PATH_LEN], text[80], hint[PATH_LEN + 32] = "";
    const char *best = NULL;
    int best_d = 100;

    gl_str_excerpt(text, sizeof(text), key, strlen(key), 60);
    join_key(where, path, text);
    if (props) {
        json_object_object_foreach(props, name, prop)
        {
            (void)prop;
            if (strlen(names) < 300)
                append(names, sizeof(names), "%s%s", *names ? ", " : "", name);
            else if (!strstr(names, ", ..."))
                append(names, sizeof(names), ", ...");
            closer(key, name, &best, &best_d);
        }
    }
    if (best && near(key, best_d)) {
        join_key(mean, path, best);
        snprintf(hint, sizeof(hint), "; did you mean \"%s\"?", mean);
    }
    if (!*names)
        return fail(NULL, "unknown argument \"%s\" (none are accepted here)", where);
    return fail(NULL, "unknown argument \"%s\" (expected one of: %s)%s", where, names, hint);
}

static int check_object(json_object *schema, json_object *v, const char *path)
{
    json_object *props = gl_json_object(schema, "properties");
    json_object *required = gl_json_array(schema, "required"), *child;
    char sub[PATH_LEN];
    size_t i;
    int rc;

    /* Unknown names first: a typo also makes a required one "missing". */
    if (allows_type(schema, "object")) {
        json_object_object_foreach(v, key, val)
        {
            (void)val;
            if (!props || !json_object_object_get_ex(props, key, NULL))
                return unknown_argument(props, key, path);
        }
    }
    for (i = 0; required && i < json_object_array_length(required); i++) {
        const char *name = json_object_get_string(json_object_array_get_idx(required, i));
        if (!json_object_object_get_ex(v, name, NULL)) {
            join_key(sub, path, name);
            return fail(NULL, "missing required argument \"%s\"", sub);
        }
    }
    if (props) {
        json_object_object_foreach(props, name, prop)
        {
            if (!json_object_object_get_ex(v, name, &child))
                continue;
            join_key(sub, path, name);
            if ((rc = validate(prop, child, sub)) < 0)
                return rc;
        }
    }
    return GL_OK;
}

/* anyOf: at least one branch; oneOf: exactly one.  Branches are named by "title" when given. */
static int check_choice(json_object *schema, json_object *v, const char *path, const char *key)
{
    json_object *list = gl_json_array(schema, key);
    bool one = strcmp(key, "oneOf") == 0;
    char why[MSG_LEN] = "", which[256] = "", label[80];
    size_t i, n, matched = 0;

    if (!list)
        return GL_OK;
    n = json_object_array_length(list);
    for (i = 0; i < n; i++) {
        json_object *branch = json_object_array_get_idx(list, i);
        const char *title = gl_json_str(branch, "title");
        if (title)
            snprintf(label, sizeof(label), "%s", title);
        else
            snprintf(label, sizeof(label), "form %zu", i + 1);
        if (validate(branch, v, path) == GL_OK) {
            if (!one)
                return GL_OK;
            append(which, sizeof(which), "%s%s", matched++ ? ", " : "", label);
        } else {
            append(why, sizeof(why), "%s%s (%s)", i ? "; " : "", label, gl_error_last());
        }
    }
    if (matched == 1)
        return GL_OK;
    if (matched > 1)
        return fail(path, "matches more than one of the allowed forms (%s); expected exactly one",
                    which);
    return fail(path, "matches none of the allowed forms: %s", why);
}

static int validate(json_object *schema, json_object *v, const char *path)
{
    int rc;

    if ((rc = check_type(schema, v, path)) < 0 || (rc = check_enum(schema, v, path)) < 0)
        return rc;
    switch (json_object_get_type(v)) {
    case json_type_int:
    case json_type_double:
        rc = check_number(schema, v, path);
        break;
    case json_type_string:
        rc = check_string(schema, v, path);
        break;
    case json_type_array:
        rc = check_array(schema, v, path);
        break;
    case json_type_object:
        rc = check_object(schema, v, path);
        break;
    default:
        break;
    }
    if (rc < 0 || (rc = check_choice(schema, v, path, "anyOf")) < 0)
        return rc;
    return check_choice(schema, v, path, "oneOf");
}

int gl_schema_validate(json_object *schema, json_object *value)
{
    json_object *empty = NULL;
    char msg[MSG_LEN];
    int rc;

    /* Checked every time: a schema outside the subset must never pass values unchecked. */
    if (gl_schema_check(schema) < 0) {
        snprintf(msg, sizeof(msg), "%s", gl_error_last());
        return gl_error_set(GL_ERROR, "%s", msg);
    }
    if (!value && allows_type(schema, "object")) {
        if (!(empty = json_object_new_object()))
            return gl_error_set(GL_ENOMEM, "out of memory");
        value = empty;
    }
    rc = validate(schema, value, "");
    json_object_put(empty);
    return rc;
}
