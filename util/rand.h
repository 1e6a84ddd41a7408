/*
 * rand.h - random bytes from OpenSSL's libcrypto (PKCE verifiers, state
 * values, idempotency keys, retry jitter).  Never hand-rolled.
 */
#ifndef GL_RAND_H
#define GL_RAND_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Fill `buf` with `len` cryptographically strong bytes; GL_ERROR if unavailable. */
int gl_rand_bytes(void *buf, size_t len);

/* A uniformly random value in [0, bound) (bound > 0); 0 if the source fails. */
uint64_t gl_rand_below(uint64_t bound);

/* `nbytes` random bytes as lowercase hex into `out` (size >= 2*nbytes+1). */
int gl_rand_hex(char *out, size_t outlen, size_t nbytes);

#endif
