/*
 * redact.h - remove anything that looks like a secret from text meant for
 * people (log lines, error messages).
 *
 * What counts as a secret: the value after a secret-sounding key
 * ("access_token=...", "\"password\": \"...\"", "Authorization: Bearer ...");
 * well-known token shapes (Harvest "123.pt.xxx", Slack "xox?-", Google
 * "ya29.", JWTs, Slack webhook paths); and long random-looking runs of
 * letters and digits.  Keys that only *name* a secret (token-file,
 * token-env) are left alone so messages can still say which file is wrong.
 */
#ifndef GL_REDACT_H
#define GL_REDACT_H

#include <stdbool.h>
#include <stddef.h>

/* The text that replaces a secret. */
#define GL_REDACTED "***"

/*
 * gl_redact_inplace - redact `s` in place (the result is never longer).
 * Returns true when something was redacted.
 */
bool gl_redact_inplace(char *s);

#endif
