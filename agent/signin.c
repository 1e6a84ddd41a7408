/*
 * signin.c - Harvest and Google credentials: resolving them, refreshing
 * OAuth tokens, and `gleaner auth`.
 */
#include "signin.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "agent/mirror.h"
#include "connectors/oauth.h"
#include "gl_version.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

/* Refresh a token this close to its expiry rather than have a request refused. */
#define REFRESH_MARGIN_S 300
#define OAUTH_FILE       "harvest-oauth.json"

struct gl_signin_oauth {
    char *path; /* the token file */
    char *authorize_url, *token_url, *client_id, *user_agent;
    char *client_secret; /* a secret */
    int64_t account_id;
    const gl_clock *clock;
};

/* --------------------------------------------------------- where things are */

/* The OAuth token file lives beside the config file, so --config keeps both apart. */
int gl_signin_oauth_path(gl_cli *cli, char **out)
{
    const gl_config *cfg;
    char *dir;
    int rc;

    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    if (!(dir = gl_fs_dirname(gl_config_file(cfg))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    *out = gl_strdupf("%s/%s", dir, OAUTH_FILE);
    free(dir);
    return *out ? GL_OK : gl_error_set(GL_ENOMEM, "out of memory");
}

static const char *contact(const gl_config *cfg)
{
    const char *c = gl_config_get(cfg, "harvest.contact");
    return c ? c : gl_config_get(cfg, "user.email");
}

static char *user_agent(const gl_config *cfg)
{
    const char *c = contact(cfg);
    return c ? gl_strdupf("gleaner/%s (%s)", GL_VERSION, c) : gl_strdupf("gleaner/%s", GL_VERSION);
}

static void oauth_free(gl_signin_oauth *o)
{
    if (!o)
        return;
    free(o->path);
    free(o->authorize_url);
    free(o->token_url);
    free(o->client_id);
    free(o->user_agent);
    if (o->client_secret)
        gl_fs_free_secret(o->client_secret);
    free(o);
}

static void provider_of(gl_oauth_provider *p, const gl_signin_oauth *o)
{
    memset(p, 0, sizeof(*p));
    p->name = "Harvest ID";
    p->authorize_url = o->authorize_url;
    p->token_url = o->token_url;
    p->client_id = o->client_id;
    p->client_secret = o->client_secret;
    /* Harvest ID does not document PKCE; a challenge it ignores costs nothing. */
    p->pkce = true;
    p->user_agent = o->user_agent;
    p->clock = o->clock;
}

/* The OAuth application's settings from the config; GL_ECONFIG saying what is missing. */
static int oauth_settings(gl_cli *cli, gl_signin_oauth **out)
{
    const gl_config *cfg;
    const char *id_url, *client_id, *secret_file;
    gl_signin_oauth *o;
    int rc;

    *out = NULL;
    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    id_url = gl_config_get(cfg, "harvest.id-url");
    client_id = gl_config_get(cfg, "harvest.client-id");
    secret_file = gl_config_get(cfg, "harvest.client-secret-file");
    if (!client_id || !secret_file)
        return gl_error_set(GL_ECONFIG,
                            "OAuth sign-in needs harvest.client-id and harvest.client-secret-file: "
                            "create an OAuth2 application at %s/oauth2/clients/new with the "
                            "redirect URL http://127.0.0.1 and put its id and secret there",
                            id_url);
    if (!(o = calloc(1, sizeof(*o))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    o->clock = cli->clock;
    if (!(o->authorize_url = gl_strdupf("%s/oauth2/authorize", id_url)) ||
        !(o->token_url = gl_strdupf("%s/api/v2/oauth2/token", id_url)) ||
        !(o->client_id = gl_strdup(client_id)) || !(o->user_agent = user_agent(cfg))) {
        oauth_free(o);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    if ((rc = gl_fs_read_secret(&o->client_secret, secret_file, "harvest.client-secret-file")) <
            0 ||
        (rc = gl_signin_oauth_path(cli, &o->path)) < 0) {
        oauth_free(o);
        return rc;
    }
    *out = o;
    return GL_OK;
}

static int save_tokens(const gl_signin_oauth *o, const gl_oauth_tokens *t)
{
    json_object *extra = json_object_new_object();
    int rc;

    if (!extra)
        return gl_error_set(GL_ENOMEM, "out of memory");
    if (o->account_id > 0)
        json_object_object_add(extra, "account_id", json_object_new_int64(o->account_id));
    rc = gl_oauth_tokens_save(o->path, t, extra);
    json_object_put(extra);
    return rc;
}

/* Refresh the stored tokens and save what Harvest ID returns (it may rotate the refresh token). */
static int refresh_tokens(gl_signin_oauth *o, gl_oauth_tokens *fresh)
{
    gl_oauth_tokens old = {0};
    gl_oauth_provider p;
    int rc;

    if ((rc = gl_oauth_tokens_load(&old, o->path, NULL)) < 0)
        return rc;
    if (!old.refresh_token) {
        gl_oauth_tokens_clear(&old);
        return gl_error_set(GL_EAUTH, "the Harvest sign-in has no refresh token; sign in again: "
                                      "gleaner auth harvest --oauth");
    }
    provider_of(&p, o);
    rc = gl_oauth_refresh(fresh, &p, old.refresh_token);
    gl_oauth_tokens_clear(&old);
    if (rc < 0)
        return gl_error_prefix("cannot refresh the Harvest sign-in (run gleaner auth harvest "
                               "--oauth again)");
    if ((rc = save_tokens(o, fresh)) < 0)
        gl_oauth_tokens_clear(fresh);
    return rc;
}

static int refresh_cb(void *payload, char **token_out)
{
    gl_oauth_tokens fresh = {0};
    int rc = refresh_tokens(payload, &fresh);

    *token_out = NULL;
    if (rc < 0)
        return rc;
    *token_out = fresh.access_token;
    fresh.access_token = NULL;
    gl_oauth_tokens_clear(&fresh);
    return GL_OK;
}

/* --------------------------------------------------------- the client */

/* A client for `token` in `account` (0: only the account list works). */
static int new_client(gl_cli *cli, const char *token, int64_t account, gl_signin_oauth *refresh,
                      gl_harvest **out)
{
    const gl_config *cfg;
    gl_harvest_options opts = {0};
    int rc;

    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    opts.base_url = gl_config_get(cfg, "harvest.base-url");
    opts.id_url = gl_config_get(cfg, "harvest.id-url");
    opts.token = token;
    opts.account_id = account;
    opts.contact = contact(cfg);
    opts.clock = cli->clock;
    {
        int64_t seconds = 0;
        if (gl_config_get_int(cfg, "harvest.timeout", &seconds) == GL_OK)
            opts.timeout_ms = (long)seconds * 1000;
    }
    if (refresh) {
        opts.refresh = refresh_cb;
        opts.refresh_payload = refresh;
    }
    return gl_harvest_new(out, &opts);
}

void gl_signin_sync_mirror(gl_cli *cli, gl_store *store, const char *what)
{
    gl_signin *s = NULL;
    gl_mirror_options opts = {0};
    gl_mirror_stats stats;
    char today[GL_DAY_LEN];
    int rc;

    if ((rc = gl_signin_harvest(cli, &s)) < 0) {
        if (rc != GL_ECONFIG)
            gl_warn("Harvest: %s (%s from the mirror as it is)", gl_error_last(), what);
        else
            gl_info("not signed in to Harvest: %s from the mirror as it is", what);
        gl_error_clear();
        return;
    }
    if (gl_cli_today(cli, today) == GL_OK) {
        opts.today = today;
        opts.now = gl_clock_now(cli->clock);
        if (gl_mirror_harvest(store, s->harvest, &opts, &stats) < 0)
            gl_warn("sync harvest: %s (%s from the mirror as it is)", gl_error_last(), what);
    }
    gl_error_clear();
    gl_signin_free(s);
}

void gl_signin_free(gl_signin *s)
{
    if (!s)
        return;
    gl_harvest_free(s->harvest);
    oauth_free(s->oauth);
    free(s);
}

static int token_from_config(const gl_config *cfg, char **token)
{
    const char *env = gl_config_get(cfg, "harvest.token-env");
    const char *file = gl_config_get(cfg, "harvest.token-file");

    *token = NULL;
    if (env) {
        const char *v = getenv(env);
        if (!v || gl_str_blank(v))
            return gl_error_set(
                GL_ECONFIG, "harvest.token-env names %s, which is not set in the environment", env);
        return (*token = gl_strdup(v)) ? GL_OK : gl_error_set(GL_ENOMEM, "out of memory");
    }
    if (file)
        return gl_fs_read_secret(token, file, "harvest.token-file");
    return GL_ENOTFOUND;
}

/* The OAuth tokens, refreshed when about to expire; *token receives the access token. */
static int token_from_oauth(gl_cli *cli, gl_signin *s, char **token)
{
    gl_oauth_tokens t = {0};
    json_object *extra = NULL;
    char *path = NULL;
    int64_t account = 0;
    int rc;

    if ((rc = gl_signin_oauth_path(cli, &path)) < 0)
        return rc;
    rc = gl_oauth_tokens_load(&t, path, &extra);
    free(path);
    if (rc == GL_ENOTFOUND)
        return gl_error_set(GL_ECONFIG, "gleaner is not signed in to Harvest: run gleaner auth "
                                        "harvest --token-file FILE (or --oauth)");
    if (rc < 0)
        return rc;
    if (extra && gl_json_int64(extra, "account_id", &account))
        s->account_id = account;
    json_object_put(extra);
    /*
     * A refresh needs the OAuth application.  With none configured the token is
     * used until refused; a configured one that cannot be read is an error now,
     * not a puzzling 401 when the token expires.
     */
    if (!gl_config_is_set(cli->cfg, "harvest.client-id") &&
        !gl_config_is_set(cli->cfg, "harvest.client-secret-file")) {
        gl_debug("harvest: no OAuth application configured; the token cannot be refreshed");
    } else if ((rc = oauth_settings(cli, &s->oauth)) < 0) {
        gl_oauth_tokens_clear(&t);
        return rc;
    } else {
        s->oauth->account_id = s->account_id;
        if (gl_oauth_expiring(&t, gl_clock_now(cli->clock), REFRESH_MARGIN_S)) {
            gl_oauth_tokens_clear(&t);
            gl_info("harvest: the access token expires soon; refreshing it");
            if ((rc = refresh_tokens(s->oauth, &t)) < 0)
                return rc;
        }
    }
    *token = t.access_token;
    t.access_token = NULL;
    gl_oauth_tokens_clear(&t);
    return GL_OK;
}

int gl_signin_harvest(gl_cli *cli, gl_signin **out)
{
    const gl_config *cfg;
    gl_signin *s;
    char *token = NULL;
    int64_t account = 0;
    int rc;

    *out = NULL;
    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    if (!(s = calloc(1, sizeof(*s))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    rc = token_from_config(cfg, &token);
    if (rc == GL_ENOTFOUND)
        rc = token_from_oauth(cli, s, &token);
    if (rc < 0)
        goto fail;
    if (gl_config_get_int(cfg, "harvest.account-id", &account) == GL_OK)
        s->account_id = account;
    if (s->oauth)
        s->oauth->account_id = s->account_id; /* a refresh saves the account in use */
    if (s->account_id <= 0) {
        rc = gl_error_set(GL_ECONFIG, "harvest.account-id is not set: run gleaner auth harvest to "
                                      "choose the account");
        goto fail;
    }
    if ((rc = new_client(cli, token, s->account_id, s->oauth, &s->harvest)) < 0)
        goto fail;
    gl_fs_free_secret(token);
    *out = s;
    return GL_OK;

fail:
    if (token)
        gl_fs_free_secret(token);
    gl_signin_free(s);
    return rc;
}

/* ------------------------------------------------------ gleaner auth */

/* A client that can only list accounts: the account is not chosen yet. */
static int accounts_client(gl_cli *cli, const char *token, gl_harvest **out)
{
    return new_client(cli, token, 0, NULL, out);
}

static void describe_accounts(gl_buf *b, json_object *accounts)
{
    for (size_t i = 0; i < json_object_array_length(accounts); i++) {
        json_object *a = json_object_array_get_idx(accounts, i);
        int64_t id = 0;
        const char *name = gl_json_str(a, "name");
        gl_json_int64(a, "id", &id);
        gl_buf_printf(b, "%s%" PRId64 " (%s)", i ? ", " : "", id, name ? name : "?");
    }
}

/*
 * The account to use: --account, the only Harvest account, or the person's
 * choice on a terminal.  Without a terminal several accounts are an error
 * that lists them.
 */
static int choose_account(gl_cli *cli, const gl_args *args, json_object *accounts, int64_t *out,
                          char *name, size_t name_len)
{
    const char *wanted = gl_args_value(args, "account");
    size_t n = json_object_array_length(accounts);
    int64_t want = 0;

    if (n == 0)
        return gl_error_set(GL_EAUTH, "this token reaches no Harvest account (only Forecast, or "
                                      "none); sign in as a Harvest user");
    if (wanted && gl_parse_int64(&want, wanted) < 0)
        return gl_error_set(GL_EINVAL, "--account takes a Harvest account id, not '%s'", wanted);
    if (!wanted && n > 1 && isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
        char line[64];
        fprintf(cli->err, "This sign-in reaches %zu Harvest accounts:\n", n);
        for (size_t i = 0; i < n; i++) {
            json_object *a = json_object_array_get_idx(accounts, i);
            int64_t id = 0;
            gl_json_int64(a, "id", &id);
            fprintf(cli->err, "  %zu) %s (%" PRId64 ")\n", i + 1, gl_json_str(a, "name"), id);
        }
        fprintf(cli->err, "Which one should gleaner use? [1-%zu] ", n);
        fflush(cli->err);
        if (fgets(line, sizeof(line), stdin)) {
            int64_t pick = 0;
            gl_str_trim(line);
            if (gl_parse_int64(&pick, line) == 0 && pick >= 1 && (size_t)pick <= n)
                gl_json_int64(json_object_array_get_idx(accounts, (size_t)pick - 1), "id", &want);
        }
        if (!want)
            return gl_error_set(GL_EINVAL, "no account chosen; run again and pick one, or pass "
                                           "--account ID");
    }
    for (size_t i = 0; i < n; i++) {
        json_object *a = json_object_array_get_idx(accounts, i);
        int64_t id = 0;
        gl_json_int64(a, "id", &id);
        if ((want && id == want) || (!want && n == 1)) {
            *out = id;
            snprintf(name, name_len, "%s", gl_json_str(a, "name") ? gl_json_str(a, "name") : "");
            return GL_OK;
        }
    }
    {
        gl_buf b = GL_BUF_INIT(0);
        int rc;
        describe_accounts(&b, accounts);
        if (want)
            rc = gl_error_set(
                GL_EINVAL, "this sign-in cannot reach Harvest account %" PRId64 "; it reaches: %s",
                want, gl_buf_cstr(&b));
        else
            rc = gl_error_set(GL_EINVAL,
                              "this sign-in reaches several Harvest accounts: %s; choose one "
                              "with --account ID",
                              gl_buf_cstr(&b));
        gl_buf_dispose(&b);
        return rc;
    }
}

/* Ask Harvest who this is in the chosen account, to prove the pair works before saving it. */
static int verify(gl_cli *cli, const char *token, int64_t account, json_object **me)
{
    gl_harvest *h = NULL;
    int rc;

    if ((rc = new_client(cli, token, account, NULL, &h)) == 0)
        rc = gl_harvest_me(h, me);
    gl_harvest_free(h);
    return rc;
}

static int set_config(gl_cli *cli, const char *name, const char *value)
{
    const gl_config *cfg;
    int rc = gl_cli_config(cli, &cfg);
    if (rc < 0)
        return rc;
    return value ? gl_config_write_value(gl_config_file(cfg), name, value)
                 : gl_config_unset_value(gl_config_file(cfg), name);
}

static int report_signed_in(gl_cli *cli, json_object *me, int64_t account, const char *account_name,
                            const char *method)
{
    const char *first = gl_json_str(me, "first_name"), *last = gl_json_str(me, "last_name");
    const char *email = gl_json_str(me, "email");

    if (cli->json) {
        json_object *doc = json_object_new_object();
        int64_t uid = 0;
        gl_json_int64(me, "id", &uid);
        json_object_object_add(doc, "method", json_object_new_string(method));
        json_object_object_add(doc, "account_id", json_object_new_int64(account));
        json_object_object_add(doc, "account_name", json_object_new_string(account_name));
        json_object_object_add(doc, "user_id", json_object_new_int64(uid));
        json_object_object_add(doc, "email", email ? json_object_new_string(email) : NULL);
        gl_cli_print_json(cli, doc);
        json_object_put(doc);
    } else {
        fprintf(cli->out, "Signed in to Harvest as %s %s <%s> in account %s (%" PRId64 ").\n",
                first ? first : "", last ? last : "", email ? email : "?", account_name, account);
        fprintf(cli->out, "Next: gleaner sync harvest\n");
    }
    return GL_EXIT_OK;
}

static int auth_with_token_file(gl_cli *cli, const gl_args *args, const char *file)
{
    gl_harvest *h = NULL;
    json_object *accounts = NULL, *me = NULL;
    char *path = NULL, *token = NULL, account_name[256] = "", account_text[32];
    int64_t account = 0;
    int rc;

    if ((rc = gl_fs_expand_home(&path, file)) < 0)
        goto done;
    if (path[0] != '/') {
        char cwd[4096], *abs;
        if (!getcwd(cwd, sizeof(cwd)) || !(abs = gl_strdupf("%s/%s", cwd, path))) {
            rc = gl_error_set(GL_EIO, "cannot resolve %s", path);
            goto done;
        }
        free(path);
        path = abs;
    }
    if ((rc = gl_fs_read_secret(&token, path, "--token-file")) < 0 ||
        (rc = accounts_client(cli, token, &h)) < 0 ||
        (rc = gl_harvest_accounts(h, &accounts, NULL)) < 0 ||
        (rc = choose_account(cli, args, accounts, &account, account_name, sizeof(account_name))) <
            0 ||
        (rc = verify(cli, token, account, &me)) < 0)
        goto done;
    snprintf(account_text, sizeof(account_text), "%" PRId64, account);
    if ((rc = set_config(cli, "harvest.token-file", path)) < 0 ||
        (rc = set_config(cli, "harvest.account-id", account_text)) < 0 ||
        (rc = set_config(cli, "harvest.token-env", NULL)) < 0)
        goto done;
    rc = report_signed_in(cli, me, account, account_name, "token");

done:
    gl_harvest_free(h);
    json_object_put(accounts);
    json_object_put(me);
    free(path);
    if (token)
        gl_fs_free_secret(token);
    return rc < 0 ? gl_cli_fail(cli, rc) : rc;
}

/* The account a single-account grant names in its scope ("harvest:123456"). */
static int64_t account_from_scope(const char *scope)
{
    int64_t id = 0;
    const char *p = scope ? strstr(scope, "harvest:") : NULL;
    char digits[24];
    size_t n = 0;

    if (!p)
        return 0;
    p += strlen("harvest:");
    while (n + 1 < sizeof(digits) && p[n] >= '0' && p[n] <= '9') {
        digits[n] = p[n];
        n++;
    }
    digits[n] = '\0';
    return n && gl_parse_int64(&id, digits) == 0 ? id : 0;
}

/*
 * The browser part of an OAuth sign-in, the same for every provider: PKCE
 * and a state, a listener on 127.0.0.1, the address printed for the user,
 * the code caught and exchanged.  `service` names who the user signs in to,
 * `sender` who sends them back.  *scope is what was granted (caller frees).
 */
static int browser_sign_in(gl_cli *cli, const gl_oauth_provider *p, const char *service,
                           const char *sender, const char *timeout_text, gl_oauth_tokens *t,
                           char **scope)
{
    gl_oauth_listener *l = NULL;
    char verifier[GL_OAUTH_VERIFIER_MAX], challenge[GL_OAUTH_CHALLENGE_LEN];
    char state[GL_OAUTH_STATE_LEN];
    char *url = NULL, *code = NULL;
    int64_t timeout_s = 300;
    int rc;

    if (timeout_text &&
        (gl_parse_int64(&timeout_s, timeout_text) < 0 || timeout_s < 1 || timeout_s > 3600))
        return gl_error_set(GL_EINVAL, "--timeout takes seconds (1-3600), not '%s'", timeout_text);
    if ((rc = gl_oauth_listener_new(&l)) < 0 || (rc = gl_oauth_listener_set_name(l, sender)) < 0 ||
        (rc = gl_oauth_state(state, sizeof(state))) < 0 ||
        (rc = gl_oauth_pkce(verifier, sizeof(verifier), challenge, sizeof(challenge))) < 0 ||
        (rc = gl_oauth_authorize_url(&url, p, gl_oauth_listener_redirect_uri(l), state,
                                     challenge)) < 0)
        goto done;
    fprintf(cli->err,
            "Open this address in your browser and sign in to %s:\n\n  %s\n\n"
            "Waiting for %s to send you back (up to %" PRId64 " s)...\n",
            service, url, sender, timeout_s);
    fflush(cli->err);
    if ((rc = gl_oauth_listener_wait(l, state, (int)(timeout_s * 1000), cli->clock, &code, scope)) <
        0)
        goto done;
    rc = gl_oauth_exchange_code(t, p, code, verifier, gl_oauth_listener_redirect_uri(l));

done:
    OPENSSL_cleanse(verifier, sizeof(verifier));
    if (code)
        gl_fs_free_secret(code);
    free(url);
    gl_oauth_listener_free(l);
    return rc;
}

static int auth_with_oauth(gl_cli *cli, const gl_args *args)
{
    gl_signin_oauth *o = NULL;
    gl_oauth_provider p;
    gl_oauth_tokens t = {0};
    gl_harvest *h = NULL;
    json_object *accounts = NULL, *me = NULL;
    char account_name[256] = "", account_text[32];
    char *scope = NULL;
    int64_t account = 0;
    int rc;

    if ((rc = oauth_settings(cli, &o)) < 0)
        goto done;
    provider_of(&p, o);
    if ((rc = browser_sign_in(cli, &p, "Harvest", "Harvest ID", gl_args_value(args, "timeout"), &t,
                              &scope)) < 0)
        goto done;
    if ((rc = accounts_client(cli, t.access_token, &h)) < 0 ||
        (rc = gl_harvest_accounts(h, &accounts, NULL)) < 0)
        goto done;
    /* A grant for one account says which in its scope; --account still wins. */
    if (!gl_args_value(args, "account") && (account = account_from_scope(scope)) > 0) {
        for (size_t i = 0; i < json_object_array_length(accounts); i++) {
            json_object *a = json_object_array_get_idx(accounts, i);
            int64_t id = 0;
            if (gl_json_int64(a, "id", &id) && id == account && gl_json_str(a, "name"))
                snprintf(account_name, sizeof(account_name), "%s", gl_json_str(a, "name"));
        }
    } else if ((rc = choose_account(cli, args, accounts, &account, account_name,
                                    sizeof(account_name))) < 0) {
        goto done;
    }
    if ((rc = verify(cli, t.access_token, account, &me)) < 0)
        goto done;
    o->account_id = account;
    snprintf(account_text, sizeof(account_text), "%" PRId64, account);
    if ((rc = save_tokens(o, &t)) < 0 ||
        (rc = set_config(cli, "harvest.account-id", account_text)) < 0 ||
        /* The config's own token would win over the one just obtained. */
        (rc = set_config(cli, "harvest.token-file", NULL)) < 0 ||
        (rc = set_config(cli, "harvest.token-env", NULL)) < 0)
        goto done;
    rc = report_signed_in(cli, me, account, account_name, "oauth");

done:
    gl_oauth_tokens_clear(&t);
    free(scope);
    gl_harvest_free(h);
    json_object_put(accounts);
    json_object_put(me);
    oauth_free(o);
    return rc < 0 ? gl_cli_fail(cli, rc) : rc;
}

/* ------------------------------------------------------------ Google */

#define GOOGLE_FILE "google-oauth.json"
/* Read-only access to events and calendars (events.list and calendars.get take it). */
#define GOOGLE_SCOPE      "https://www.googleapis.com/auth/calendar.readonly"
#define GOOGLE_FULL_SCOPE "https://www.googleapis.com/auth/calendar"
#define GOOGLE_CONSOLE    "https://console.cloud.google.com/apis/credentials"

/* The Google OAuth client of the config and where its tokens are. */
typedef struct google_app {
    char *path; /* the token file */
    char *auth_url, *token_url, *client_id, *user_agent;
    char *client_secret; /* a secret; NULL when no client is configured */
    const gl_clock *clock;
} google_app;

int gl_signin_google_path(gl_cli *cli, char **out)
{
    const gl_config *cfg;
    const char *configured;
    char *dir;
    int rc;

    *out = NULL;
    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    if ((configured = gl_config_get(cfg, "google.token-file")))
        return (*out = gl_strdup(configured)) ? GL_OK : gl_error_set(GL_ENOMEM, "out of memory");
    if (!(dir = gl_fs_dirname(gl_config_file(cfg))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    *out = gl_strdupf("%s/%s", dir, GOOGLE_FILE);
    free(dir);
    return *out ? GL_OK : gl_error_set(GL_ENOMEM, "out of memory");
}

static void google_app_free(google_app *a)
{
    if (!a)
        return;
    free(a->path);
    free(a->auth_url);
    free(a->token_url);
    free(a->client_id);
    free(a->user_agent);
    if (a->client_secret)
        gl_fs_free_secret(a->client_secret);
    free(a);
}

static void google_app_release(void *payload)
{
    google_app_free(payload);
}

static int google_needs_client(void)
{
    return gl_error_set(GL_ECONFIG,
                        "signing in to Google needs an OAuth client of your own in "
                        "google.client-id and google.client-secret-file: create one of type "
                        "Desktop app at %s (with the Google Calendar API enabled) and put its "
                        "id and secret there",
                        GOOGLE_CONSOLE);
}

/*
 * The Google settings.  Without an OAuth client in the config, `need_client`
 * makes that an error; otherwise the app has no client and cannot refresh.
 * Half a client (an id without a secret file, or the reverse) is always an
 * error: better now than a puzzling 401 an hour later.
 */
static int google_settings(gl_cli *cli, bool need_client, google_app **out)
{
    const gl_config *cfg;
    const char *client_id, *secret_file;
    google_app *a;
    int rc;

    *out = NULL;
    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    client_id = gl_config_get(cfg, "google.client-id");
    secret_file = gl_config_get(cfg, "google.client-secret-file");
    if ((need_client || client_id || secret_file) && (!client_id || !secret_file))
        return google_needs_client();
    if (!(a = calloc(1, sizeof(*a))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    a->clock = cli->clock;
    if ((rc = gl_signin_google_path(cli, &a->path)) < 0)
        goto fail;
    if (client_id) {
        if (!(a->auth_url = gl_strdup(gl_config_get(cfg, "google.auth-url"))) ||
            !(a->token_url = gl_strdup(gl_config_get(cfg, "google.token-url"))) ||
            !(a->client_id = gl_strdup(client_id)) || !(a->user_agent = user_agent(cfg))) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
            goto fail;
        }
        rc = gl_fs_read_secret(&a->client_secret, secret_file, "google.client-secret-file");
        if (rc < 0)
            goto fail;
    }
    *out = a;
    return GL_OK;
fail:
    google_app_free(a);
    return rc;
}

static void google_provider(gl_oauth_provider *p, const google_app *a)
{
    /* Offline access for a refresh token; consent again so a new sign-in gets one too. */
    static const char *const extra[] = {"access_type", "offline", "prompt", "consent", NULL};

    memset(p, 0, sizeof(*p));
    p->name = "Google";
    p->authorize_url = a->auth_url;
    p->token_url = a->token_url;
    p->client_id = a->client_id;
    /* A desktop client's secret is no secret to Google, but its token endpoint wants it. */
    p->client_secret = a->client_secret;
    p->scope = GOOGLE_SCOPE;
    p->pkce = true;
    p->user_agent = a->user_agent;
    p->clock = a->clock;
    p->extra_authorize_params = extra;
}

/* Whether the space-separated `granted` holds `scope`. */
static bool has_scope(const char *granted, const char *scope)
{
    size_t n = strlen(scope);

    for (const char *p = granted; p && *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, scope, n) == 0)
            return true;
        p += len;
        p += strspn(p, " ");
    }
    return false;
}

/*
 * Refresh the stored Google tokens and save the answer.  Google keeps the
 * refresh token (the answer has none; gl_oauth_refresh keeps the old one)
 * and the file keeps its other members (the account).
 */
static int google_refresh(google_app *a, gl_oauth_tokens *fresh)
{
    gl_oauth_tokens old = {0};
    gl_oauth_provider p;
    json_object *extra = NULL;
    int rc;

    if ((rc = gl_oauth_tokens_load(&old, a->path, &extra)) < 0)
        return rc;
    if (!old.refresh_token) {
        rc = gl_error_set(GL_EAUTH, "the Google sign-in has no refresh token; sign in again: "
                                    "gleaner auth google");
        goto done;
    }
    google_provider(&p, a);
    if ((rc = gl_oauth_refresh(fresh, &p, old.refresh_token)) < 0) {
        if (rc == GL_EAUTH && strstr(gl_error_last(), "invalid_grant"))
            /* Revoked, or the 7-day limit of an OAuth app still in Testing status. */
            gl_error_prefix("Google no longer accepts gleaner's sign-in (it was revoked or it "
                            "expired): run gleaner auth google again");
        else
            gl_error_prefix("cannot refresh the Google sign-in (run gleaner auth google again "
                            "if this persists)");
        goto done;
    }
    if ((rc = gl_oauth_tokens_save(a->path, fresh, extra)) < 0)
        gl_oauth_tokens_clear(fresh);
done:
    gl_oauth_tokens_clear(&old);
    if (extra) {
        /* The parsed file holds the old tokens: wipe them before release. */
        json_object *v;
        if ((v = gl_json_get(extra, "access_token")) && json_object_is_type(v, json_type_string))
            OPENSSL_cleanse((char *)json_object_get_string(v),
                            (size_t)json_object_get_string_len(v));
        if ((v = gl_json_get(extra, "refresh_token")) && json_object_is_type(v, json_type_string))
            OPENSSL_cleanse((char *)json_object_get_string(v),
                            (size_t)json_object_get_string_len(v));
        json_object_put(extra);
    }
    return rc;
}

static int google_refresh_cb(void *payload, char **token_out)
{
    gl_oauth_tokens fresh = {0};
    int rc = google_refresh(payload, &fresh);

    *token_out = NULL;
    if (rc < 0)
        return rc;
    *token_out = fresh.access_token;
    fresh.access_token = NULL;
    gl_oauth_tokens_clear(&fresh);
    return GL_OK;
}

/* A client for `token`, refreshing through `app` (NULL: no refresh; `app` is taken either way). */
static int google_client(gl_cli *cli, const char *token, google_app *app, gl_gcal **out)
{
    const gl_config *cfg;
    gl_gcal_options opts = {0};
    char *tz = NULL;
    int rc;

    *out = NULL;
    if ((rc = gl_cli_config(cli, &cfg)) < 0 || (rc = gl_cli_timezone(cli, &tz)) < 0) {
        google_app_free(app);
        return rc;
    }
    opts.base_url = gl_config_get(cfg, "google.base-url");
    opts.token = token;
    opts.timezone = tz;
    opts.clock = cli->clock;
    if (app) {
        opts.refresh = google_refresh_cb;
        opts.refresh_payload = app;
        opts.refresh_payload_free = google_app_release;
    }
    if ((rc = gl_gcal_new(out, &opts)) < 0)
        google_app_free(app); /* a failed _new leaves the payload to us */
    free(tz);
    return rc;
}

int gl_signin_gcal(gl_cli *cli, gl_gcal **out)
{
    google_app *app = NULL;
    gl_oauth_tokens t = {0};
    int rc;

    *out = NULL;
    if ((rc = google_settings(cli, false, &app)) < 0)
        return rc;
    rc = gl_oauth_tokens_load(&t, app->path, NULL);
    if (rc == GL_ENOTFOUND) {
        rc = gl_error_set(GL_ECONFIG, "gleaner is not signed in to Google: run gleaner auth "
                                      "google");
        goto fail;
    }
    if (rc < 0)
        goto fail;
    if (!app->client_id) {
        gl_debug("gcal: no Google OAuth client configured; the token cannot be refreshed");
        google_app_free(app);
        app = NULL;
    } else if (t.refresh_token &&
               gl_oauth_expiring(&t, gl_clock_now(cli->clock), REFRESH_MARGIN_S)) {
        /* (Without a refresh token the access token is used until Google refuses it.) */
        gl_oauth_tokens_clear(&t);
        gl_info("gcal: the Google access token expires soon; refreshing it");
        if ((rc = google_refresh(app, &t)) < 0)
            goto fail;
    }
    rc = google_client(cli, t.access_token, app, out);
    gl_oauth_tokens_clear(&t);
    return rc;

fail:
    gl_oauth_tokens_clear(&t);
    google_app_free(app);
    return rc;
}

/* Whether some [calendar "NAME"] already reads a Google calendar. */
static bool google_calendar_configured(const gl_config *cfg)
{
    const char *const *names = NULL;
    size_t n = gl_config_sections(cfg, "calendar", &names);
    char key[300];

    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "calendar.%s.google", names[i]);
        if (gl_config_is_set(cfg, key))
            return true;
    }
    return false;
}

static int google_signed_in(gl_cli *cli, const char *account, const char *zone, const char *path,
                            bool refreshable)
{
    if (cli->json) {
        json_object *doc = json_object_new_object();
        json_object_object_add(doc, "service", json_object_new_string("google"));
        json_object_object_add(doc, "account", json_object_new_string(account));
        json_object_object_add(doc, "time_zone", zone ? json_object_new_string(zone) : NULL);
        json_object_object_add(doc, "token_file", json_object_new_string(path));
        json_object_object_add(doc, "refreshable", json_object_new_boolean(refreshable));
        gl_cli_print_json(cli, doc);
        json_object_put(doc);
    } else {
        fprintf(cli->out, "Signed in to Google Calendar as %s", account);
        if (zone)
            fprintf(cli->out, " (calendar time zone %s)", zone);
        fprintf(cli->out, ".\nThe tokens are in %s (mode 0600).\n", path);
        if (google_calendar_configured(cli->cfg))
            fprintf(cli->out, "Next: gleaner collect\n");
        else
            fprintf(cli->out, "Next: name a calendar in the config ([calendar \"work\"] "
                              "google = primary) and run gleaner collect\n");
    }
    return GL_EXIT_OK;
}

static int auth_google(gl_cli *cli, const gl_args *args)
{
    google_app *a = NULL;
    gl_oauth_provider p;
    gl_oauth_tokens t = {0};
    gl_gcal *g = NULL;
    json_object *cal = NULL, *extra = NULL;
    char account[256] = "", zone[128] = "";
    char *scope = NULL;
    int rc;

    if ((rc = google_settings(cli, true, &a)) < 0)
        goto done;
    google_provider(&p, a);
    if ((rc = browser_sign_in(cli, &p, "Google", "Google", gl_args_value(args, "timeout"), &t,
                              &scope)) < 0)
        goto done;
    /* Google's consent screen lets people untick scopes: check what was granted. */
    if (!has_scope(t.scope, GOOGLE_SCOPE) && !has_scope(t.scope, GOOGLE_FULL_SCOPE)) {
        rc = gl_error_set(GL_EAUTH, "Google did not grant gleaner read access to your calendars; "
                                    "run gleaner auth google again and allow it to see your "
                                    "calendars");
        goto done;
    }
    /* Prove the tokens work, and learn whose calendar this is, before saving anything. */
    if ((rc = google_client(cli, t.access_token, NULL, &g)) < 0 ||
        (rc = gl_gcal_calendar(g, "primary", &cal)) < 0)
        goto done;
    gl_str_excerpt(account, sizeof(account), gl_json_str(cal, "id") ? gl_json_str(cal, "id") : "?",
                   strlen(gl_json_str(cal, "id") ? gl_json_str(cal, "id") : "?"), 200);
    gl_str_sanitize(account);
    if (gl_json_str(cal, "timeZone")) {
        gl_str_excerpt(zone, sizeof(zone), gl_json_str(cal, "timeZone"),
                       strlen(gl_json_str(cal, "timeZone")), 100);
        gl_str_sanitize(zone);
    }
    if (!(extra = json_object_new_object())) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    json_object_object_add(extra, "account", json_object_new_string(account));
    if ((rc = gl_oauth_tokens_save(a->path, &t, extra)) < 0)
        goto done;
    /* Name the file in the config, so doctor and every command find the same one. */
    if (!gl_config_is_set(cli->cfg, "google.token-file") &&
        (rc = set_config(cli, "google.token-file", a->path)) < 0)
        goto done;
    if (!t.refresh_token)
        fprintf(cli->err, "gleaner: warning: Google issued no refresh token, so this sign-in "
                          "ends in an hour; remove gleaner under Third-party apps in your Google "
                          "Account and run gleaner auth google again\n");
    rc = google_signed_in(cli, account, zone[0] ? zone : NULL, a->path, t.refresh_token != NULL);

done:
    gl_oauth_tokens_clear(&t);
    free(scope);
    json_object_put(cal);
    json_object_put(extra);
    gl_gcal_free(g);
    google_app_free(a);
    return rc < 0 ? gl_cli_fail(cli, rc) : rc;
}

int gl_cmd_auth(gl_cli *cli, const gl_args *args)
{
    const char *service = args->npositional ? args->positional[0] : NULL;
    const char *file = gl_args_value(args, "token-file");

    if (!service)
        return gl_cli_usage_error(cli, "auth", "say what to sign in to: harvest or google");
    if (strcmp(service, "google") == 0) {
        if (file || gl_args_flag(args, "oauth") || gl_args_value(args, "account"))
            return gl_cli_usage_error(cli, "auth",
                                      "gleaner auth google always signs in through the browser "
                                      "and takes only --timeout SECONDS");
        return auth_google(cli, args);
    }
    if (strcmp(service, "harvest") != 0)
        return gl_cli_usage_error(cli, "auth", "unknown service '%s' (harvest or google)", service);
    if (!file == !gl_args_flag(args, "oauth"))
        return gl_cli_usage_error(cli, "auth",
                                  "give either --token-file FILE (a personal access token) or "
                                  "--oauth");
    return file ? auth_with_token_file(cli, args, file) : auth_with_oauth(cli, args);
}
