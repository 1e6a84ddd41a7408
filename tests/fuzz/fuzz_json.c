/*
 * fuzz_json.c - strict JSON parsing of arbitrary bytes (response bodies).
 */
#include "fuzz.h"
#include "util/error.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_object *obj = NULL;
    if (gl_json_parse(&obj, (const char *)data, size, "fuzz") == GL_OK) {
        int64_t i;
        (void)gl_json_str(obj, "message");
        (void)gl_json_int64(obj, "id", &i);
        (void)gl_json_compact(obj);
    }
    json_object_put(obj);
    gl_error_clear();
    return 0;
}
