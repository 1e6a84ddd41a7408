/*
 * signin.h - how gleaner gets into Harvest and Google Calendar: the
 * credentials the config names, the OAuth tokens `gleaner auth` stored,
 * refreshing them, and the `auth` command itself.
 *
 * Harvest: where the token comes from, first match wins: harvest.token-env
 * (an environment variable), harvest.token-file (a personal access token in
 * a 0600 file), the OAuth token file next to the config (harvest-oauth.json,
 * 0600).  The account is harvest.account-id, else the one stored with the
 * OAuth tokens.
 *
 * Google: OAuth only (an installed-app client of the user's own:
 * google.client-id, google.client-secret-file), scope calendar.readonly.
 * The tokens live in google.token-file, by default google-oauth.json next to
 * the config (0600); the access token is refreshed five minutes before it
 * expires and again after a 401, and every refresh is saved.
 */
#ifndef GL_SIGNIN_H
#define GL_SIGNIN_H

#include "agent/cli.h"
#include "agent/store.h"
#include "connectors/gcal.h"
#include "connectors/harvest.h"

typedef struct gl_signin_oauth gl_signin_oauth;

typedef struct gl_signin {
    gl_harvest *harvest; /* the client; owned by the gl_signin */
    int64_t account_id;
    gl_signin_oauth *oauth; /* refresh state for OAuth sign-ins; private */
} gl_signin;

/*
 * gl_signin_harvest - a Harvest client for the configured account, its
 * OAuth token refreshed first when it expires within five minutes and again
 * after a 401.  GL_ECONFIG (saying what to run) when gleaner is not signed
 * in.  Free with gl_signin_free.
 */
int gl_signin_harvest(gl_cli *cli, gl_signin **out);
void gl_signin_free(gl_signin *s);

/*
 * gl_signin_sync_mirror - bring the Harvest mirror in `store` up to date
 * before something decides from it (propose, nudge).  Never fails: not
 * signed in, it says so with -v; Harvest unreachable, it warns ("... (`what`
 * from the mirror as it is)") and the mirror stays as it was.
 */
void gl_signin_sync_mirror(gl_cli *cli, gl_store *store, const char *what);

/* Where `auth harvest --oauth` keeps the tokens (beside the config file); caller frees. */
int gl_signin_oauth_path(gl_cli *cli, char **out);

/*
 * gl_signin_gcal - a Google Calendar client for the stored sign-in: base URL
 * google.base-url, all-day dates in the user's zone, the access token
 * refreshed first when it expires within five minutes, and a refresh
 * callback (after a 401) that saves what Google returns.  GL_ECONFIG saying
 * how to sign in when there is no sign-in (or only half an OAuth client in
 * the config); GL_EAUTH when Google refuses the refresh token, saying to run
 * gleaner auth google again.  Free with gl_gcal_free.
 */
int gl_signin_gcal(gl_cli *cli, gl_gcal **out);

/* Where the Google tokens are: google.token-file, else google-oauth.json beside the config. */
int gl_signin_google_path(gl_cli *cli, char **out);

/* gleaner auth harvest|google ... */
int gl_cmd_auth(gl_cli *cli, const gl_args *args);

#endif
