/*
 * json.h - strict JSON parsing with limits, and typed field access over
 * json-c.  json_object values are reference counted: what a getter returns
 * is borrowed from its parent; gl_json_parse's result is released with
 * json_object_put().
 */
#ifndef GL_JSON_H
#define GL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "error.h"

/* Nesting deeper than this is refused (a hostile body cannot exhaust the stack). */
#define GL_JSON_MAX_DEPTH 64

/*
 * gl_json_parse - parse exactly one JSON document from `text` (`len` bytes;
 * trailing blanks allowed, anything else is an error).  `what` names the
 * source in the error ("harvest GET /v2/users/me").  GL_EBADDATA on
 * malformed or truncated input.  Caller releases *out with json_object_put.
 */
int gl_json_parse(json_object **out, const char *text, size_t len, const char *what);

/* Field getters: NULL/false when absent or of another type (JSON null too). */
json_object *gl_json_get(json_object *obj, const char *key);
const char *gl_json_str(json_object *obj, const char *key);
bool gl_json_int64(json_object *obj, const char *key, int64_t *out);
bool gl_json_double(json_object *obj, const char *key, double *out);
bool gl_json_bool(json_object *obj, const char *key, bool *out);
json_object *gl_json_array(json_object *obj, const char *key);
json_object *gl_json_object(json_object *obj, const char *key);

/*
 * gl_json_strings - the strings of array `arr` (may be NULL; other members
 * skipped) into out[], at most `max`, borrowed from `arr`.  Returns how many.
 */
size_t gl_json_strings(json_object *arr, const char **out, size_t max);

/*
 * gl_json_number - a JSON number for `value` rounded to `decimals` places
 * and printed that way (0.741, not 0.74099999999999999).  Caller puts.
 */
json_object *gl_json_number(double value, int decimals);

/* Serialise compactly; borrowed string, valid while `obj` lives unchanged. */
const char *gl_json_compact(json_object *obj);

#endif
