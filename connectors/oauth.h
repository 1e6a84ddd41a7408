/*
 * oauth.h - OAuth 2.0 authorization code flow for an installed app:
 * RFC 6749, PKCE (RFC 7636, S256) and a loopback redirect (RFC 8252 §7.3).
 *
 * The flow, as `gleaner auth harvest --oauth` drives it:
 *
 *   gl_oauth_listener_new       a listener on 127.0.0.1, ephemeral port
 *   gl_oauth_state, gl_oauth_pkce (when the provider takes PKCE)
 *   gl_oauth_authorize_url      the URL the browser opens
 *   gl_oauth_listener_wait      the redirect arrives with code and state
 *   gl_oauth_exchange_code      code -> tokens at the token URL
 *   gl_oauth_tokens_save        0600 JSON file, written atomically
 *
 * and later gl_oauth_tokens_load, gl_oauth_expiring, gl_oauth_refresh.
 *
 * Token requests go through the HTTP layer (connectors/http.h) under the
 * service name and trace category "oauth"; its trace lines and error
 * messages are redacted there.  Nothing here logs a code, a verifier or a
 * token, and no error message carries one.
 *
 * Secrets this module hands out (codes, tokens) are wiped before they are
 * freed: gl_oauth_tokens_clear for tokens, gl_fs_free_secret (util/fs.h) for
 * a code from gl_oauth_listener_wait.
 */
#ifndef GL_OAUTH_H
#define GL_OAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "util/clock.h"
#include "util/error.h"

/* ------------------------------------------------------------ tokens */

typedef struct gl_oauth_tokens {
    char *access_token;  /* owned; a secret, wiped by gl_oauth_tokens_clear */
    char *refresh_token; /* owned, may be NULL; a secret */
    char *token_type;    /* owned; "bearer" (the only type gleaner accepts) */
    char *scope;         /* owned; granted scope, may be NULL */
    int64_t expires_at;  /* UTC seconds; 0 = unknown */
} gl_oauth_tokens;

/* gl_oauth_tokens_clear - wipe and free the members and zero the struct (NULL is fine). */
void gl_oauth_tokens_clear(gl_oauth_tokens *t);

/*
 * gl_oauth_expiring - whether the access token should be refreshed now: it
 * expires within `margin_s` seconds of `now` (UTC seconds), or there is no
 * access token at all.  An unknown expiry (0) is not expiring.
 */
bool gl_oauth_expiring(const gl_oauth_tokens *t, int64_t now, int64_t margin_s);

/* ---------------------------------------------------------- provider */

/* Everything is borrowed for the duration of each call. */
typedef struct gl_oauth_provider {
    const char *name;          /* "Harvest ID": names the provider in messages */
    const char *authorize_url; /* absolute; https, or http on loopback (gl_http_check_url) */
    const char *token_url;     /* same rule */
    const char *client_id;
    const char *client_secret; /* NULL for public clients (not sent) */
    const char *scope;         /* NULL: none sent */
    bool pkce;                 /* send code_challenge (S256) and code_verifier */
    const char *user_agent;    /* for the token requests; NULL: the HTTP layer's default */
    const gl_clock *clock;     /* NULL: the system clock */
    const char *const *extra_authorize_params; /* NULL-terminated name, value pairs */
} gl_oauth_provider;

/* ---------------------------------------------------- PKCE and state */

/* Buffer sizes: the longest verifier RFC 7636 allows, and an S256 challenge. */
#define GL_OAUTH_VERIFIER_MAX  129 /* 128 characters + NUL */
#define GL_OAUTH_CHALLENGE_LEN 44  /* 43 characters + NUL */
#define GL_OAUTH_STATE_LEN     33  /* what gleaner uses: 32 characters + NUL */

/*
 * gl_oauth_pkce - a fresh code verifier of min(vlen - 1, 128) base64url
 * characters from gl_rand_bytes (vlen must allow at least 43) and its S256
 * challenge in `challenge` (clen >= GL_OAUTH_CHALLENGE_LEN).  GL_EINVAL for
 * buffers that are too small.  The verifier is a secret until the exchange.
 */
int gl_oauth_pkce(char *verifier, size_t vlen, char *challenge, size_t clen);

/*
 * gl_oauth_pkce_challenge - the S256 challenge of `verifier`:
 * base64url(SHA-256(verifier)) without padding, into `out` (len >=
 * GL_OAUTH_CHALLENGE_LEN).  GL_EINVAL for a verifier that is not 43..128
 * characters of [A-Za-z0-9-._~].
 */
int gl_oauth_pkce_challenge(const char *verifier, char *out, size_t len);

/*
 * gl_oauth_state - an unguessable `state` value: len - 1 base64url
 * characters (len - 1 must be at least 22, i.e. 128 bits).
 */
int gl_oauth_state(char *out, size_t len);

/* ---------------------------------------------------- authorize URL */

/*
 * gl_oauth_authorize_url - the URL for the browser:
 * authorize_url?response_type=code&client_id=..&redirect_uri=..&state=..
 * [&scope=..][&code_challenge=..&code_challenge_method=S256][&extra...],
 * appended to any query authorize_url already has and escaped by libcurl.
 * `challenge` is required when p->pkce is set and ignored otherwise.
 * GL_EINSECURE for an authorize URL that is neither https nor loopback.
 * Caller frees *out with free().
 */
int gl_oauth_authorize_url(char **out, const gl_oauth_provider *p, const char *redirect_uri,
                           const char *state, const char *challenge);

/* ---------------------------------------------------------- listener */

/*
 * A loopback listener for the redirect: bound to 127.0.0.1 (never another
 * address) on a port the kernel picks.  Free with gl_oauth_listener_free.
 * GL_EIO when the socket cannot be made.
 */
typedef struct gl_oauth_listener gl_oauth_listener;

int gl_oauth_listener_new(gl_oauth_listener **out);
void gl_oauth_listener_free(gl_oauth_listener *l);

/* "http://127.0.0.1:PORT/callback"; borrowed, lives as long as `l`. */
const char *gl_oauth_listener_redirect_uri(const gl_oauth_listener *l);
int gl_oauth_listener_port(const gl_oauth_listener *l);

/* The provider's name for messages ("Harvest ID"); copied.  Default "the provider". */
int gl_oauth_listener_set_name(gl_oauth_listener *l, const char *name);

/*
 * gl_oauth_listener_wait - serve the browser until the redirect arrives:
 *
 *   GET /callback?code=..&state=..   state must equal `state` (compared in
 *       constant time): GL_OK, and the browser is told it may close the tab;
 *       a missing or different state is GL_EAUTH and an error page;
 *   GET /callback?error=..[&error_description=..]   GL_EAUTH ("the sign-in
 *       was refused at Harvest ID: access_denied"), GL_EREMOTE for
 *       server_error and temporarily_unavailable;
 *   anything else (/favicon.ico, a preconnect that sends nothing, an
 *       oversized or malformed request) is answered 404/400 or dropped, and
 *       the wait goes on.
 *
 * Several connections are served at once, each with a size cap and its own
 * read timeout, so an idle or slow client cannot hold up the redirect.
 * Gives up after `timeout_ms` on `clock`'s monotonic time (NULL: system):
 * GL_ETIMEOUT, saying to run the command again.
 *
 * Query values are form-decoded ('+' is a space), so Harvest's scope
 * "harvest:1+forecast:2" arrives as "harvest:1 forecast:2".  *code_out (a
 * secret: free with gl_fs_free_secret) and *scope_out (optional; NULL when
 * absent) are owned by the caller and NULL on failure.
 */
int gl_oauth_listener_wait(gl_oauth_listener *l, const char *state, int timeout_ms,
                           const gl_clock *clock, char **code_out, char **scope_out);

/* ----------------------------------------------------- token requests */

/*
 * gl_oauth_exchange_code - POST grant_type=authorization_code with code,
 * redirect_uri, client_id[, client_secret][, code_verifier] form-encoded to
 * p->token_url.  gl_oauth_refresh - the same with grant_type=refresh_token.
 *
 * *out must be zeroed or hold earlier tokens: on success those are cleared
 * and replaced (so gl_oauth_refresh(&t, p, t.refresh_token) works), on
 * failure it is left alone.  expires_at = now + expires_in (p->clock).  A
 * refresh answered without a refresh_token keeps `refresh_token` (copied);
 * a response without scope keeps p->scope, as RFC 6749 §5.1 says.
 *
 * Errors: an RFC 6749 error body is GL_EAUTH "Harvest ID refused the token
 * request: invalid_grant (description)"; other HTTP and network errors come
 * from the HTTP layer unchanged (the POST is not retried once sent); a 2xx
 * answer without an access_token or with a non-bearer type is GL_EBADDATA.
 */
int gl_oauth_exchange_code(gl_oauth_tokens *out, const gl_oauth_provider *p, const char *code,
                           const char *verifier, const char *redirect_uri);
int gl_oauth_refresh(gl_oauth_tokens *out, const gl_oauth_provider *p, const char *refresh_token);

/* ------------------------------------------------------- token files */

/*
 * gl_oauth_tokens_save - write `t` as JSON {"access_token", "refresh_token",
 * "token_type", "scope", "expires_at": "2026-11-21T09:00:00Z"} plus the
 * members of `extra` (an object or NULL, borrowed; token members win) to
 * `path`, mode 0600, replacing it atomically.  The directory is created
 * (0700) when missing.
 */
int gl_oauth_tokens_save(const char *path, const gl_oauth_tokens *t, json_object *extra);

/*
 * gl_oauth_tokens_load - read a file written by gl_oauth_tokens_save.  The
 * file must be the user's own and 0600 (gl_fs_check_secret: GL_EINSECURE
 * with the chmod that fixes it, GL_ENOTFOUND when missing); GL_EBADDATA when
 * it is not such a JSON object.  *out as for gl_oauth_exchange_code: zeroed
 * or earlier tokens, replaced on success.  *extra_out (optional) gets the whole
 * parsed object, tokens included: release it with json_object_put.
 */
int gl_oauth_tokens_load(gl_oauth_tokens *out, const char *path, json_object **extra_out);

#endif
