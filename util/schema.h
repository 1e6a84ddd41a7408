/*
 * schema.h - validating a tool's JSON arguments against its JSON Schema
 * (the MCP inputSchema), so that a bad argument is one clear line before
 * anything is sent to Harvest.
 *
 * The schemas are ours, so only the subset we use is supported:
 *   type (object, array, string, integer, number, boolean, null, or a list),
 *   properties, required, additionalProperties (only false; absent means
 *   false), items, enum (strings and integers), minimum, maximum,
 *   exclusiveMinimum, minLength, maxLength, minItems, maxItems, pattern
 *   (POSIX ERE, unanchored like JSON Schema), format (date, date-time),
 *   oneOf, anyOf, and the annotations description, title, default, examples
 *   and $comment.
 * Any other keyword is refused, so no schema can carry a rule that is
 * silently not enforced.
 *
 * A schema whose "type" includes "object" is closed: arguments it does not
 * list are errors.  A schema without "type" only adds rules, which is what a
 * oneOf/anyOf branch such as {"required": ["hours"]} wants.
 *
 * Integers are strict: 42 and 42.0 are integers, "42" is not.  String
 * lengths count Unicode code points.  Both functions borrow their arguments.
 */
#ifndef GL_SCHEMA_H
#define GL_SCHEMA_H

#include <json-c/json.h>

#include "error.h"

/*
 * gl_schema_validate - check `value` against `schema`.  GL_OK, or GL_EINVAL
 * with a message naming the argument path, what was expected and what was
 * given ("line_items[2].unit_price: expected a number, got null").  A NULL
 * `value` (absent arguments) is read as {} when the schema is an object
 * schema.  A schema outside the subset is GL_ERROR (our bug, not the
 * caller's), with the message of gl_schema_check.
 */
int gl_schema_validate(json_object *schema, json_object *value);

/*
 * gl_schema_check - whether `schema` is well formed and within the subset
 * (unknown keyword, wrong keyword value, bad regex, unknown format).
 * GL_OK or GL_EINVAL with a message naming the place ("schema at
 * /properties/from: unsupported keyword "$ref"").
 */
int gl_schema_check(json_object *schema);

#endif
