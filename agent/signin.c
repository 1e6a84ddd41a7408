/*
 * signin.c - Harvest credentials: resolving them, refreshing OAuth tokens,
 * and `gleaner auth`.
 */
#include "signin.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

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
    if (refresh) {
        opts.refresh = refresh_cb;
        opts.refresh_payload = refresh;
    }
    return gl_harvest_new(out, &opts);
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
        fprintf(cli->out, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY));
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

static int auth_with_oauth(gl_cli *cli, const gl_args *args)
{
    gl_signin_oauth *o = NULL;
    gl_oauth_listener *l = NULL;
    gl_oauth_provider p;
    gl_oauth_tokens t = {0};
    gl_harvest *h = NULL;
    json_object *accounts = NULL, *me = NULL;
    char verifier[GL_OAUTH_VERIFIER_MAX], challenge[GL_OAUTH_CHALLENGE_LEN];
    char state[GL_OAUTH_STATE_LEN], account_name[256] = "", account_text[32];
    char *url = NULL, *code = NULL, *scope = NULL;
    const char *timeout_text = gl_args_value(args, "timeout");
    int64_t timeout_s = 300, account = 0;
    int rc;

    if (timeout_text &&
        (gl_parse_int64(&timeout_s, timeout_text) < 0 || timeout_s < 1 || timeout_s > 3600)) {
        rc = gl_error_set(GL_EINVAL, "--timeout takes seconds (1-3600), not '%s'", timeout_text);
        goto done;
    }
    if ((rc = oauth_settings(cli, &o)) < 0 || (rc = gl_oauth_listener_new(&l)) < 0 ||
        (rc = gl_oauth_listener_set_name(l, "Harvest ID")) < 0 ||
        (rc = gl_oauth_state(state, sizeof(state))) < 0 ||
        (rc = gl_oauth_pkce(verifier, sizeof(verifier), challenge, sizeof(challenge))) < 0)
        goto done;
    provider_of(&p, o);
    if ((rc = gl_oauth_authorize_url(&url, &p, gl_oauth_listener_redirect_uri(l), state,
                                     challenge)) < 0)
        goto done;
    fprintf(cli->err,
            "Open this address in your browser and sign in to Harvest:\n\n  %s\n\n"
            "Waiting for Harvest ID to send you back (up to %" PRId64 " s)...\n",
            url, timeout_s);
    fflush(cli->err);
    if ((rc = gl_oauth_listener_wait(l, state, (int)(timeout_s * 1000), cli->clock, &code,
                                     &scope)) < 0 ||
        (rc = gl_oauth_exchange_code(&t, &p, code, verifier, gl_oauth_listener_redirect_uri(l))) <
            0)
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
    OPENSSL_cleanse(verifier, sizeof(verifier));
    gl_oauth_tokens_clear(&t);
    if (code)
        gl_fs_free_secret(code);
    free(scope);
    free(url);
    gl_harvest_free(h);
    json_object_put(accounts);
    json_object_put(me);
    gl_oauth_listener_free(l);
    oauth_free(o);
    return rc < 0 ? gl_cli_fail(cli, rc) : rc;
}

int gl_cmd_auth(gl_cli *cli, const gl_args *args)
{
    const char *service = args->npositional ? args->positional[0] : NULL;
    const char *file = gl_args_value(args, "token-file");

    if (!service)
        return gl_cli_usage_error(cli, "auth", "say what to sign in to: harvest or google");
    if (strcmp(service, "google") == 0) {
        gl_error_set(GL_EUNAVAILABLE, "gleaner auth google arrives with the Google Calendar "
                                      "collector; it is not available in this version");
        return gl_cli_fail(cli, GL_EUNAVAILABLE);
    }
    if (strcmp(service, "harvest") != 0)
        return gl_cli_usage_error(cli, "auth", "unknown service '%s' (harvest or google)", service);
    if (!file == !gl_args_flag(args, "oauth"))
        return gl_cli_usage_error(cli, "auth",
                                  "give either --token-file FILE (a personal access token) or "
                                  "--oauth");
    return file ? auth_with_token_file(cli, args, file) : auth_with_oauth(cli, args);
}
