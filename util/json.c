/*
 * json.c - JSON parsing with depth limits and typed getters.
 */
#include "json.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int gl_json_parse(json_object **out, const char *text, size_t len, const char *what)
{
    json_tokener *tok = NULL;
    json_object *obj = NULL;
    enum json_tokener_error jerr;
    size_t used, i;
    bool ended_by_marker = false;
    int rc = GL_OK;

    *out = NULL;
    if (len > INT_MAX)
        return gl_error_set(GL_ETOOBIG, "%s: JSON document too large", what);
    tok = json_tokener_new_ex(GL_JSON_MAX_DEPTH);
    if (!tok)
        return gl_error_set(GL_ENOMEM, "out of memory");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    obj = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_continue) {
        /* A lone number or literal needs an end marker; a cut object stays cut. */
        obj = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        ended_by_marker = true;
        if (jerr != json_tokener_success || !obj) {
            rc = gl_error_set(GL_EBADDATA, "%s: JSON ends early after %zu bytes (truncated?)", what,
                              len);
            goto done;
        }
    }
    if (jerr != json_tokener_success) {
        rc = gl_error_set(GL_EBADDATA, "%s: bad JSON at byte %zu: %s", what,
                          json_tokener_get_parse_end(tok), json_tokener_error_desc(jerr));
        goto done;
    }
    /* After the end marker every byte was consumed (the parse end then counts from it). */
    used = ended_by_marker ? len : json_tokener_get_parse_end(tok);
    for (i = used; i < len; i++) {
        if (!isspace((unsigned char)text[i])) {
            rc = gl_error_set(GL_EBADDATA,
                              "%s: unexpected data after the JSON document at byte %zu", what, i);
            goto done;
        }
    }
    *out = obj;
    obj = NULL;
done:
    json_object_put(obj);
    json_tokener_free(tok);
    return rc;
}

json_object *gl_json_get(json_object *obj, const char *key)
{
    json_object *v = NULL;
    if (!obj || !json_object_is_type(obj, json_type_object))
        return NULL;
    if (!json_object_object_get_ex(obj, key, &v))
        return NULL;
    return v;
}

const char *gl_json_str(json_object *obj, const char *key)
{
    json_object *v = gl_json_get(obj, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

bool gl_json_int64(json_object *obj, const char *key, int64_t *out)
{
    json_object *v = gl_json_get(obj, key);
    if (!v || !json_object_is_type(v, json_type_int))
        return false;
    *out = json_object_get_int64(v);
    return true;
}

bool gl_json_double(json_object *obj, const char *key, double *out)
{
    json_object *v = gl_json_get(obj, key);
    if (!v || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
        return false;
    *out = json_object_get_double(v);
    return true;
}

bool gl_json_bool(json_object *obj, const char *key, bool *out)
{
    json_object *v = gl_json_get(obj, key);
    if (!v || !json_object_is_type(v, json_type_boolean))
        return false;
    *out = json_object_get_boolean(v);
    return true;
}

json_object *gl_json_array(json_object *obj, const char *key)
{
    json_object *v = gl_json_get(obj, key);
    return v && json_object_is_type(v, json_type_array) ? v : NULL;
}

json_object *gl_json_object(json_object *obj, const char *key)
{
    json_object *v = gl_json_get(obj, key);
    return v && json_object_is_type(v, json_type_object) ? v : NULL;
}

size_t gl_json_strings(json_object *arr, const char **out, size_t max)
{
    size_t n = 0, len = arr && json_object_is_type(arr, json_type_array)
                            ? json_object_array_length(arr)
                            : 0;

    for (size_t i = 0; i < len && n < max; i++) {
        json_object *v = json_object_array_get_idx(arr, i);
        if (json_object_is_type(v, json_type_string))
            out[n++] = json_object_get_string(v);
    }
    return n;
}

const char *gl_json_compact(json_object *obj)
{
    return json_object_to_json_string_ext(obj,
                                          JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

json_object *gl_json_number(double value, int decimals)
{
    char text[64];
    double scale = pow(10, decimals);
    double r = round(value * scale) / scale;
    size_t n;

    if (r == 0)
        r = 0; /* no "-0" */
    snprintf(text, sizeof(text), "%.*f", decimals, r);
    /* Trailing zeros say nothing: 1.50 is 1.5, 2.00 is 2.0. */
    n = strlen(text);
    if (strchr(text, '.')) {
        while (n > 1 && text[n - 1] == '0' && text[n - 2] != '.')
            text[--n] = '\0';
    }
    return json_object_new_double_s(r, text);
}
