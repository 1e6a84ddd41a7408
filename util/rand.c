/*
 * rand.c - randomness from libcrypto.
 */
#include "rand.h"

#include <openssl/rand.h>

int gl_rand_bytes(void *buf, size_t len)
{
    if (len > 0x7fffffff || RAND_bytes(buf, (int)len) != 1)
        return gl_error_set(GL_ERROR, "the system's random number generator failed");
    return GL_OK;
}

uint64_t gl_rand_below(uint64_t bound)
{
    uint64_t v, limit;

    if (bound <= 1)
        return 0;
    /* Reject the top partial range so every value is equally likely. */
    limit = UINT64_MAX - UINT64_MAX % bound;
    do {
        if (gl_rand_bytes(&v, sizeof(v)) < 0)
            return 0;
    } while (v >= limit);
    return v % bound;
}

int gl_rand_hex(char *out, size_t outlen, size_t nbytes)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char raw[64];
    size_t i;
    int rc;

    if (nbytes > sizeof(raw) || outlen < nbytes * 2 + 1)
        return gl_error_set(GL_EINVAL, "gl_rand_hex: buffer too small");
    if ((rc = gl_rand_bytes(raw, nbytes)) < 0)
        return rc;
    for (i = 0; i < nbytes; i++) {
        out[2 * i] = digits[raw[i] >> 4];
        out[2 * i + 1] = digits[raw[i] & 15];
    }
    out[2 * nbytes] = '\0';
    return GL_OK;
}
