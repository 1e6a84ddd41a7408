/*
 * fuzz_config.c - a config file of arbitrary bytes through libgit2's parser
 * and gleaner's key table: an error or a configuration, never a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "agent/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    gl_config *cfg = NULL;
    FILE *f;

    if (!path[0])
        snprintf(path, sizeof(path), "/tmp/gleaner-fuzz-config-%d", (int)getpid());
    if (!(f = fopen(path, "wb")))
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    if (gl_config_load(&cfg, path, GL_CONFIG_MUST_EXIST | GL_CONFIG_SKIP_SECRETS) == GL_OK) {
        const char *const *names;
        size_t n = gl_config_sections(cfg, "rule", &names);
        for (size_t i = 0; i < n; i++)
            (void)names[i];
        (void)gl_config_get(cfg, "user.timezone");
    }
    gl_config_free(cfg);
    gl_error_clear();
    unlink(path);
    return 0;
}
