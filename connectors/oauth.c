/*
 * oauth.c - authorization code flow with PKCE and a loopback redirect.
 */
#include "oauth.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "connectors/http.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/redact.h"
#include "util/str.h"
#include "util/tz.h"

#define TRACE "oauth"

#define VERIFIER_MIN 43
#define VERIFIER_MAX 128
#define STATE_MIN    22 /* 22 base64url characters carry 132 bits */

#define LISTEN_BACKLOG  16
#define MAX_CONNS       8
#define REQUEST_MAX     8192 /* a browser's GET with headers fits easily */
#define CONN_TIMEOUT_MS 5000
#define SEND_TIMEOUT_MS 1000
#define DETAIL_MAX      200

#define TOKEN_BODY_MAX  ((size_t)64 * 1024)
#define TOKEN_FILE_MAX  ((size_t)64 * 1024)
#define TOKEN_FILE_WHAT "OAuth token file"

static const char *provider_name(const gl_oauth_provider *p)
{
    return p && p->name && *p->name ? p->name : "the provider";
}

/* ------------------------------------------------------------- tokens */

void gl_oauth_tokens_clear(gl_oauth_tokens *t)
{
    if (!t)
        return;
    gl_fs_free_secret(t->access_token);
    gl_fs_free_secret(t->refresh_token);
    free(t->token_type);
    free(t->scope);
    memset(t, 0, sizeof(*t));
}

bool gl_oauth_expiring(const gl_oauth_tokens *t, int64_t now, int64_t margin_s)
{
    if (!t || !t->access_token || !*t->access_token)
        return true;
    if (t->expires_at == 0)
        return false;
    return t->expires_at - margin_s <= now;
}

/* ---------------------------------------------------- PKCE and state */

/* base64url without padding (RFC 4648 §5) via libcrypto; -1 if `out` is too small. */
static int b64url(char *out, size_t outlen, const unsigned char *in, size_t inlen)
{
    unsigned char enc[4 * ((VERIFIER_MAX + 2) / 3) + 1];
    int n;

    if (inlen > VERIFIER_MAX)
        return -1;
    n = EVP_EncodeBlock(enc, in, (int)inlen);
    while (n > 0 && enc[n - 1] == '=')
        n--;
    if (n < 0 || (size_t)n >= outlen) {
        explicit_bzero(enc, sizeof(enc));
        return -1;
    }
    for (int i = 0; i < n; i++)
        out[i] = enc[i] == '+' ? '-' : enc[i] == '/' ? '_' : (char)enc[i];
    out[n] = '\0';
    explicit_bzero(enc, sizeof(enc));
    return n;
}

/* `n` (<= 128) random base64url characters into `out` (size > n). */
static int random_chars(char *out, size_t n)
{
    unsigned char raw[(3 * VERIFIER_MAX + 3) / 4];
    char enc[VERIFIER_MAX + 4];
    size_t nbytes = (3 * n + 3) / 4; /* ceil(3n/4) bytes give at least n characters */
    int rc;

    if ((rc = gl_rand_bytes(raw, nbytes)) < 0)
        return rc;
    if (b64url(enc, sizeof(enc), raw, nbytes) < (int)n) {
        explicit_bzero(raw, sizeof(raw));
        return gl_error_set(GL_ERROR, "oauth: cannot encode random bytes");
    }
    memcpy(out, enc, n);
    out[n] = '\0';
    explicit_bzero(raw, sizeof(raw));
    explicit_bzero(enc, sizeof(enc));
    return GL_OK;
}

static bool verifier_valid(const char *v)
{
    size_t n = strlen(v);

    if (n < VERIFIER_MIN || n > VERIFIER_MAX)
        return false;
    /* RFC 7636 §4.1: unreserved characters only. */
    return strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") == n;
}

int gl_oauth_pkce_challenge(const char *verifier, char *out, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (len)
        out[0] = '\0';
    if (!verifier || !verifier_valid(verifier))
        return gl_error_set(GL_EINVAL, "oauth: a PKCE verifier is 43 to 128 characters of "
                                       "A-Z a-z 0-9 - . _ ~");
    if (len < GL_OAUTH_CHALLENGE_LEN)
        return gl_error_set(GL_EINVAL, "oauth: the PKCE challenge needs %d bytes",
                            GL_OAUTH_CHALLENGE_LEN);
    if (EVP_Digest(verifier, strlen(verifier), md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return gl_error_set(GL_ERROR, "oauth: SHA-256 failed in libcrypto");
    if (b64url(out, len, md, mdlen) != GL_OAUTH_CHALLENGE_LEN - 1)
        return gl_error_set(GL_ERROR, "oauth: cannot encode the PKCE challenge");
    return GL_OK;
}

int gl_oauth_pkce(char *verifier, size_t vlen, char *challenge, size_t clen)
{
    size_t n = vlen > 0 ? vlen - 1 : 0;
    int rc;

    if (n > VERIFIER_MAX)
        n = VERIFIER_MAX;
    if (n < VERIFIER_MIN || clen < GL_OAUTH_CHALLENGE_LEN)
        return gl_error_set(GL_EINVAL,
                            "oauth: PKCE needs a %d-byte verifier buffer and a %d-byte challenge "
                            "buffer at least",
                            VERIFIER_MIN + 1, GL_OAUTH_CHALLENGE_LEN);
    if ((rc = random_chars(verifier, n)) < 0)
        return rc;
    if ((rc = gl_oauth_pkce_challenge(verifier, challenge, clen)) < 0) {
        explicit_bzero(verifier, vlen);
        return rc;
    }
    return GL_OK;
}

int gl_oauth_state(char *out, size_t len)
{
    size_t n = len > 0 ? len - 1 : 0;

    if (n > VERIFIER_MAX)
        n = VERIFIER_MAX;
    if (n < STATE_MIN)
        return gl_error_set(GL_EINVAL, "oauth: a state value needs at least %d characters",
                            STATE_MIN);
    return random_chars(out, n);
}

/* ------------------------------------------------------- authorize URL */

static int append_query(CURLU *u, const char *name, const char *value)
{
    char *pair = gl_strdupf("%s=%s", name, value);
    CURLUcode uc;

    if (!pair)
        return gl_error_set(GL_ENOMEM, "out of memory");
    /* With URLENCODE the first '=' stays; everything else in the pair is escaped. */
    uc = curl_url_set(u, CURLUPART_QUERY, pair, CURLU_APPENDQUERY | CURLU_URLENCODE);
    free(pair);
    if (uc != CURLUE_OK)
        return gl_error_set(GL_EINVAL, "oauth: cannot add %s to the authorize URL", name);
    return GL_OK;
}

int gl_oauth_authorize_url(char **out, const gl_oauth_provider *p, const char *redirect_uri,
                           const char *state, const char *challenge)
{
    CURLU *u = NULL;
    char *url = NULL;
    char what[160];
    int rc;

    *out = NULL;
    if (!p || !p->authorize_url || !p->client_id || !redirect_uri || !state || !*state)
        return gl_error_set(GL_EINVAL, "oauth: the authorize URL needs a provider URL, a client "
                                       "id, a redirect URI and a state");
    if (p->pkce && (!challenge || !*challenge))
        return gl_error_set(GL_EINVAL, "oauth: %s uses PKCE but no challenge was given",
                            provider_name(p));
    snprintf(what, sizeof(what), "%s authorize URL", provider_name(p));
    if ((rc = gl_http_check_url(p->authorize_url, what)) < 0)
        return rc;
    if (!(u = curl_url()))
        return gl_error_set(GL_ENOMEM, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, p->authorize_url, 0) != CURLUE_OK) {
        rc = gl_error_set(GL_EINVAL, "%s: '%s' is not a URL", what, p->authorize_url);
        goto done;
    }
    if ((rc = append_query(u, "response_type", "code")) < 0 ||
        (rc = append_query(u, "client_id", p->client_id)) < 0 ||
        (rc = append_query(u, "redirect_uri", redirect_uri)) < 0 ||
        (rc = append_query(u, "state", state)) < 0)
        goto done;
    if (p->scope && (rc = append_query(u, "scope", p->scope)) < 0)
        goto done;
    if (p->pkce && ((rc = append_query(u, "code_challenge", challenge)) < 0 ||
                    (rc = append_query(u, "code_challenge_method", "S256")) < 0))
        goto done;
    for (const char *const *q = p->extra_authorize_params; q && q[0] && q[1]; q += 2)
        if ((rc = append_query(u, q[0], q[1])) < 0)
            goto done;
    if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
        rc = gl_error_set(GL_EINVAL, "%s: cannot build the URL", what);
        goto done;
    }
    if (!(*out = gl_strdup(url)))
        rc = gl_error_set(GL_ENOMEM, "out of memory");
done:
    curl_free(url);
    curl_url_cleanup(u);
    return rc;
}

/* ----------------------------------------------------------- listener */

struct gl_oauth_listener {
    int fd;
    int port;
    char *name;
    char redirect_uri[64];
};

int gl_oauth_listener_new(gl_oauth_listener **out)
{
    gl_oauth_listener *l = NULL;
    struct sockaddr_in addr;
    socklen_t alen = sizeof(addr);
    int rc;

    *out = NULL;
    if (!(l = calloc(1, sizeof(*l))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (l->fd < 0) {
        rc = gl_error_set(GL_EIO, "oauth: cannot create a socket: %s", strerror(errno));
        goto fail;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* RFC 8252 §8.3: loopback only */
    addr.sin_port = 0;                             /* the kernel picks a free port */
    if (bind(l->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(l->fd, LISTEN_BACKLOG) != 0 ||
        getsockname(l->fd, (struct sockaddr *)&addr, &alen) != 0) {
        rc = gl_error_set(GL_EIO, "oauth: cannot listen on 127.0.0.1: %s", strerror(errno));
        goto fail;
    }
    l->port = ntohs(addr.sin_port);
    snprintf(l->redirect_uri, sizeof(l->redirect_uri), "http://127.0.0.1:%d/callback", l->port);
    gl_trace(TRACE, "listening on 127.0.0.1:%d", l->port);
    *out = l;
    return GL_OK;
fail:
    gl_oauth_listener_free(l);
    return rc;
}

void gl_oauth_listener_free(gl_oauth_listener *l)
{
    if (!l)
        return;
    if (l->fd >= 0)
        close(l->fd);
    free(l->name);
    free(l);
}

const char *gl_oauth_listener_redirect_uri(const gl_oauth_listener *l)
{
    return l->redirect_uri;
}

int gl_oauth_listener_port(const gl_oauth_listener *l)
{
    return l->port;
}

int gl_oauth_listener_set_name(gl_oauth_listener *l, const char *name)
{
    char *copy = NULL;

    if (name && !(copy = gl_strdup(name)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    free(l->name);
    l->name = copy;
    return GL_OK;
}

static const char *listener_name(const gl_oauth_listener *l)
{
    return l->name && *l->name ? l->name : "the provider";
}

typedef struct conn {
    int fd; /* -1: free slot */
    size_t len;
    int64_t deadline;
    char buf[REQUEST_MAX];
} conn;

static void conn_drop(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    explicit_bzero(c->buf, c->len); /* may hold a code */
    c->fd = -1;
    c->len = 0;
}

/* Best effort: the page is small, and a browser that went away is no error. */
static void send_all(int fd, const char *data, size_t len)
{
    int waits = 0;

    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && waits++ < 3) {
            struct pollfd pfd = {fd, POLLOUT, 0};
            if (poll(&pfd, 1, SEND_TIMEOUT_MS / 3) <= 0)
                return;
        } else {
            return;
        }
    }
}

static void respond(conn *c, int status, const char *reason, const char *title, const char *text)
{
    char body[1024], head[512];
    int blen, hlen;

    blen = snprintf(body, sizeof(body),
                    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>gleaner</title>"
                    "</head>\n<body style=\"font-family: sans-serif; margin: 3em\">"
                    "<h1>%s</h1>\n<p>%s</p></body></html>\n",
                    title, text);
    if (blen < 0 || (size_t)blen >= sizeof(body))
        blen = 0;
    /* no-referrer and no-store: the callback URL carries the code. */
    hlen = snprintf(head, sizeof(head),
                    "HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\n"
                    "Content-Length: %d\r\nCache-Control: no-store\r\n"
                    "Referrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n"
                    "Connection: close\r\n\r\n",
                    status, reason, blen);
    if (hlen < 0 || (size_t)hlen >= sizeof(head))
        return;
    send_all(c->fd, head, (size_t)hlen);
    send_all(c->fd, body, (size_t)blen);
    shutdown(c->fd, SHUT_WR);
}

/* The parameters of the redirect that matter; values are decoded copies. */
typedef struct callback_params {
    char *code, *state, *error, *error_description, *scope;
    bool duplicate; /* RFC 6749 §3.1: parameters must not repeat */
} callback_params;

static void params_clear(callback_params *cp)
{
    gl_fs_free_secret(cp->code);
    gl_fs_free_secret(cp->state);
    free(cp->error);
    free(cp->error_description);
    free(cp->scope);
    memset(cp, 0, sizeof(*cp));
}

/* Form-decode [s, s+n) in place ('+' is a space, then %XX) into a new string; NULL if bad. */
static char *form_decode(char *s, size_t n)
{
    char *raw, *copy;
    int outlen = 0;

    if (n > INT_MAX)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '+')
            s[i] = ' ';
    if (!(raw = curl_easy_unescape(NULL, s, (int)n, &outlen)))
        return NULL;
    /* An encoded NUL would cut the value short: refuse it. */
    copy = strlen(raw) == (size_t)outlen ? gl_strndup(raw, (size_t)outlen) : NULL;
    explicit_bzero(raw, (size_t)outlen);
    curl_free(raw);
    return copy;
}

static void parse_query(callback_params *cp, char *q, size_t qlen)
{
    char *end = q + qlen;

    while (q < end) {
        char *amp = memchr(q, '&', (size_t)(end - q));
        char *pend = amp ? amp : end;
        char *eq = memchr(q, '=', (size_t)(pend - q));
        size_t nlen = (size_t)((eq ? eq : pend) - q);
        char **slot = NULL;

        if (nlen == 4 && memcmp(q, "code", 4) == 0)
            slot = &cp->code;
        else if (nlen == 5 && memcmp(q, "state", 5) == 0)
            slot = &cp->state;
        else if (nlen == 5 && memcmp(q, "error", 5) == 0)
            slot = &cp->error;
        else if (nlen == 17 && memcmp(q, "error_description", 17) == 0)
            slot = &cp->error_description;
        else if (nlen == 5 && memcmp(q, "scope", 5) == 0)
            slot = &cp->scope;
        if (slot && *slot)
            cp->duplicate = true;
        else if (slot)
            *slot = eq ? form_decode(eq + 1, (size_t)(pend - eq - 1)) : gl_strdup("");
        q = pend + 1;
    }
}

/* A provider's error code goes into a message: keep it to RFC 6749's charset. */
static void safe_token(char *out, size_t len, const char *s)
{
    size_t i = 0;

    for (; s && *s && i + 1 < len && i < 64; s++)
        out[i++] = (*s >= 0x21 && *s <= 0x7e && *s != '"' && *s != '\\') ? *s : '?';
    out[i] = '\0';
}

static bool state_matches(const char *got, const char *want)
{
    size_t n = strlen(want);
    /* The length is no secret; the content is compared in constant time. */
    return got && strlen(got) == n && CRYPTO_memcmp(got, want, n) == 0;
}

enum { KEEP_WAITING = 1 };

/*
 * Answer one complete request.  Returns KEEP_WAITING, GL_OK with the code
 * (and scope) taken from `cp`, or an error that ends the wait.
 */
static int handle_request(gl_oauth_listener *l, conn *c, const char *state, callback_params *cp)
{
    static char root[] = "/";
    char *line = c->buf, *eol, *sp1, *sp2, *target, *query;
    size_t plen;
    char err[80], detail[DETAIL_MAX + 8] = "";

    eol = strpbrk(line, "\r\n");
    *eol = '\0';
    sp1 = strchr(line, ' ');
    sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2) {
        respond(c, 400, "Bad Request", "Bad request", "gleaner did not understand this request.");
        return KEEP_WAITING;
    }
    *sp1 = *sp2 = '\0';
    target = sp1 + 1;
    if (strcmp(line, "GET") != 0) {
        respond(c, 405, "Method Not Allowed", "Not allowed", "gleaner only answers GET here.");
        return KEEP_WAITING;
    }
    /* Absolute form ("GET http://127.0.0.1:port/callback?..."): keep the path. */
    if (strncasecmp(target, "http://", 7) == 0) {
        char *slash = strchr(target + 7, '/');
        target = slash ? slash : root;
    }
    plen = strcspn(target, "?#");
    query = target[plen] == '?' ? target + plen + 1 : NULL;
    if (plen != 9 || memcmp(target, "/callback", 9) != 0) {
        gl_trace(TRACE, "listener: GET %.*s -> 404", (int)(plen > 100 ? 100 : plen), target);
        respond(c, 404, "Not Found", "Not found", "This is gleaner's sign-in page; nothing here.");
        return KEEP_WAITING;
    }
    if (query)
        parse_query(cp, query, strcspn(query, "#"));
    if (cp->duplicate || (!(cp->code && *cp->code) && !cp->error)) {
        gl_trace(TRACE, "listener: GET /callback without a usable code or error -> 400");
        params_clear(cp);
        respond(c, 400, "Bad Request", "Bad request",
                "This is not a sign-in answer gleaner understands.");
        return KEEP_WAITING;
    }
    if (cp->error && (!cp->state || state_matches(cp->state, state))) {
        /* A refusal without state harms nothing, so it is reported as it is. */
        bool remote = strcmp(cp->error, "server_error") == 0 ||
                      strcmp(cp->error, "temporarily_unavailable") == 0;
        safe_token(err, sizeof(err), cp->error);
        if (cp->error_description) {
            gl_str_excerpt(detail, sizeof(detail), cp->error_description,
                           strlen(cp->error_description), DETAIL_MAX);
            gl_str_sanitize(detail);
        }
        gl_trace(TRACE, "listener: GET /callback with error %s", err);
        respond(c, 400, "Bad Request", "gleaner could not sign in",
                "The sign-in was refused or failed. The terminal says what to do next; you can "
                "close this tab.");
        if (remote)
            return gl_error_set(
                GL_EREMOTE, "%s failed during the sign-in: %s%s%s%s; try again later",
                listener_name(l), err, detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
        return gl_error_set(GL_EAUTH, "the sign-in was refused at %s: %s%s%s%s", listener_name(l),
                            err, detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
    }
    if (!state_matches(cp->state, state)) {
        gl_trace(TRACE, "listener: GET /callback with a state that does not match -> 400");
        respond(c, 400, "Bad Request", "gleaner could not sign in",
                "This answer does not belong to the sign-in gleaner is waiting for (an old tab?). "
                "Run the command again.");
        return gl_error_set(GL_EAUTH,
                            "the answer from %s did not carry this sign-in's state (an old tab "
                            "or a forged request); run the command again",
                            listener_name(l));
    }
    gl_trace(TRACE, "listener: GET /callback with a code -> 200");
    respond(c, 200, "OK", "gleaner is signed in",
            "You can close this tab and go back to the terminal.");
    return GL_OK;
}

/* Whether the buffer holds a whole request head (a GET has no body). */
static bool head_complete(const conn *c)
{
    return strstr(c->buf, "\r\n\r\n") || strstr(c->buf, "\n\n");
}

/* Read what is there; returns KEEP_WAITING, or a result of handle_request. */
static int conn_readable(gl_oauth_listener *l, conn *c, const char *state, callback_params *cp)
{
    for (;;) {
        ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return KEEP_WAITING;
        if (n == 0 && memchr(c->buf, '\n', c->len)) {
            /* A client that half-closed after the request line still gets its answer. */
            int rc = handle_request(l, c, state, cp);
            conn_drop(c);
            return rc;
        }
        if (n <= 0) { /* closed or broken before a request line */
            conn_drop(c);
            return KEEP_WAITING;
        }
        c->len += (size_t)n;
        c->buf[c->len] = '\0';
        if (memchr(c->buf, '\0', c->len)) { /* a NUL in a request head is garbage */
            respond(c, 400, "Bad Request", "Bad request", "gleaner did not understand this.");
            conn_drop(c);
            return KEEP_WAITING;
        }
        if (head_complete(c)) {
            int rc = handle_request(l, c, state, cp);
            conn_drop(c);
            return rc;
        }
        if (c->len == sizeof(c->buf) - 1) {
            respond(c, 431, "Request Header Fields Too Large", "Bad request",
                    "This request is too large.");
            conn_drop(c);
            return KEEP_WAITING;
        }
    }
}

int gl_oauth_listener_wait(gl_oauth_listener *l, const char *state, int timeout_ms,
                           const gl_clock *clock, char **code_out, char **scope_out)
{
    conn *conns = NULL;
    callback_params cp = {0};
    struct pollfd pfds[MAX_CONNS + 1];
    int owner[MAX_CONNS + 1]; /* pfds[i] belongs to conns[owner[i]], -1 the listener */
    int64_t deadline;
    int rc = KEEP_WAITING, i;

    *code_out = NULL;
    if (scope_out)
        *scope_out = NULL;
    if (!l || !state || !*state || timeout_ms <= 0)
        return gl_error_set(GL_EINVAL, "oauth: waiting for the redirect needs a state and a "
                                       "timeout");
    if (!clock)
        clock = gl_clock_system();
    if (!(conns = calloc(MAX_CONNS, sizeof(*conns))))
        return gl_error_set(GL_ENOMEM, "out of memory");
    for (i = 0; i < MAX_CONNS; i++)
        conns[i].fd = -1;
    deadline = gl_clock_monotonic_ms(clock) + timeout_ms;

    while (rc == KEEP_WAITING) {
        int64_t now = gl_clock_monotonic_ms(clock), wait = deadline - now;
        bool wait_is_overall = true, room = false;
        int nfds = 0, n;

        if (now >= deadline)
            break;
        for (i = 0; i < MAX_CONNS; i++) {
            if (conns[i].fd < 0) {
                room = true;
                continue;
            }
            if (conns[i].deadline <= now) {
                gl_trace(TRACE, "listener: dropping a connection that sent no request in time");
                conn_drop(&conns[i]);
                room = true;
                continue;
            }
            if (conns[i].deadline - now < wait) {
                wait = conns[i].deadline - now;
                wait_is_overall = false;
            }
            pfds[nfds] = (struct pollfd){conns[i].fd, POLLIN, 0};
            owner[nfds++] = i;
        }
        /* When every slot is busy, new clients queue in the backlog until one frees. */
        if (room) {
            pfds[nfds] = (struct pollfd){l->fd, POLLIN, 0};
            owner[nfds++] = -1;
        }
        n = poll(pfds, (nfds_t)nfds, wait > INT_MAX ? INT_MAX : (int)wait);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = gl_error_set(GL_EIO, "oauth: waiting for the browser failed: %s", strerror(errno));
            break;
        }
        if (n == 0) {
            /*
             * poll waited out the time in real milliseconds; acting on that
             * as well as on the clock keeps a clock that does not move (a
             * test's) from spinning here forever.
             */
            if (wait_is_overall)
                break;
            for (i = 0; i < MAX_CONNS; i++)
                if (conns[i].fd >= 0 && conns[i].deadline - now <= wait)
                    conn_drop(&conns[i]);
            continue;
        }
        for (int k = 0; k < nfds && rc == KEEP_WAITING; k++) {
            if (!pfds[k].revents)
                continue;
            if (owner[k] >= 0) {
                rc = conn_readable(l, &conns[owner[k]], state, &cp);
                continue;
            }
            for (i = 0; i < MAX_CONNS; i++) {
                int fd;
                if (conns[i].fd >= 0)
                    continue;
                fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0)
                    break; /* EAGAIN, or a client that gave up: nothing to do */
                conns[i].fd = fd;
                conns[i].len = 0;
                conns[i].buf[0] = '\0';
                conns[i].deadline = now + CONN_TIMEOUT_MS;
            }
        }
    }

    if (rc == KEEP_WAITING)
        rc = gl_error_set(GL_ETIMEOUT,
                          "no answer from %s arrived in the browser within %d s; run the command "
                          "again to get a new sign-in link",
                          listener_name(l), (timeout_ms + 999) / 1000);
    if (rc == GL_OK) {
        *code_out = cp.code;
        cp.code = NULL;
        if (scope_out) {
            *scope_out = cp.scope;
            cp.scope = NULL;
        }
    }
    params_clear(&cp);
    for (i = 0; i < MAX_CONNS; i++)
        conn_drop(&conns[i]);
    free(conns);
    return rc;
}

/* ------------------------------------------------------ token requests */

typedef struct form_field {
    const char *name;
    const char *value; /* NULL: not sent */
} form_field;

/* name=value&... escaped with curl_easy_escape; caller wipes and frees *out. */
static int form_encode(char **out, size_t *len_out, const form_field *fields, size_t nfields)
{
    char *esc[16] = {0};
    size_t total = 0, pos = 0;
    char *body = NULL;
    int rc = GL_OK;

    *out = NULL;
    if (nfields > 16)
        return gl_error_set(GL_EINVAL, "oauth: too many form fields");
    for (size_t i = 0; i < nfields; i++) {
        if (!fields[i].value)
            continue;
        if (!(esc[i] = curl_easy_escape(NULL, fields[i].value, 0))) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
            goto done;
        }
        total += strlen(fields[i].name) + 1 + strlen(esc[i]) + 1;
    }
    /* One allocation of the final size: no realloc leaves copies of secrets behind. */
    if (!(body = malloc(total + 1))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nfields; i++) {
        size_t nl, vl;
        if (!esc[i])
            continue;
        nl = strlen(fields[i].name);
        vl = strlen(esc[i]);
        if (pos)
            body[pos++] = '&';
        memcpy(body + pos, fields[i].name, nl);
        pos += nl;
        body[pos++] = '=';
        memcpy(body + pos, esc[i], vl);
        pos += vl;
    }
    body[pos] = '\0';
    *out = body;
    *len_out = pos;
done:
    for (size_t i = 0; i < nfields; i++) {
        if (esc[i]) {
            explicit_bzero(esc[i], strlen(esc[i]));
            curl_free(esc[i]);
        }
    }
    return rc;
}

/* Zero a string member of a parsed object before it is released (tokens). */
static void wipe_json_string(json_object *obj, const char *key)
{
    json_object *v = gl_json_get(obj, key);
    if (v && json_object_is_type(v, json_type_string))
        explicit_bzero((char *)json_object_get_string(v), (size_t)json_object_get_string_len(v));
}

static void wipe_response(gl_http_response *resp)
{
    if (!resp)
        return;
    wipe_json_string(resp->json, "access_token");
    wipe_json_string(resp->json, "refresh_token");
    wipe_json_string(resp->json, "id_token");
    if (resp->body)
        explicit_bzero(resp->body, resp->body_len);
}

/* expires_in as a number or a numeric string (some providers quote it). */
static bool json_seconds(json_object *obj, const char *key, int64_t *out)
{
    json_object *v = gl_json_get(obj, key);
    double d;

    if (!v)
        return false;
    if (json_object_is_type(v, json_type_int)) {
        *out = json_object_get_int64(v);
        return true;
    }
    if (json_object_is_type(v, json_type_double)) {
        d = json_object_get_double(v);
        if (!(d >= 0 && d <= 1e12)) /* NaN fails too */
            return false;
        *out = (int64_t)d;
        return true;
    }
    if (json_object_is_type(v, json_type_string))
        return gl_parse_int64(out, json_object_get_string(v)) == GL_OK;
    return false;
}

/* An RFC 6749 §5.2 error body: GL_EAUTH with the provider's words, or GL_OK if none. */
static int oauth_error(const gl_oauth_provider *p, json_object *json)
{
    const char *error = gl_json_str(json, "error");
    const char *desc = gl_json_str(json, "error_description");
    char err[80], detail[DETAIL_MAX + 8] = "";

    if (!error || !*error)
        return GL_OK;
    safe_token(err, sizeof(err), error);
    if (desc && *desc) {
        gl_str_excerpt(detail, sizeof(detail), desc, strlen(desc), DETAIL_MAX);
        gl_str_sanitize(detail);
    }
    return gl_error_set(GL_EAUTH, "%s refused the token request: %s%s%s%s", provider_name(p), err,
                        detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
}

static int dup_field(char **out, json_object *json, const char *key)
{
    const char *s = gl_json_str(json, key);

    *out = NULL;
    if (!s || !*s)
        return GL_OK;
    if (!(*out = gl_strdup(s)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    return GL_OK;
}

static int parse_token_response(gl_oauth_tokens *t, const gl_oauth_provider *p, json_object *json,
                                const char *old_refresh)
{
    const char *type = gl_json_str(json, "token_type");
    int64_t expires_in = 0;
    int rc;

    if (!json_object_is_type(json, json_type_object))
        return gl_error_set(GL_EBADDATA,
                            "%s answered the token request with JSON that is not an "
                            "object",
                            provider_name(p));
    if (!gl_json_str(json, "access_token") || !*gl_json_str(json, "access_token"))
        return gl_error_set(GL_EBADDATA, "%s answered the token request without an access_token",
                            provider_name(p));
    if (type && !gl_str_ieq(type, "bearer")) {
        char safe[80];
        safe_token(safe, sizeof(safe), type);
        return gl_error_set(GL_EBADDATA,
                            "%s issued a token of type '%s'; gleaner only uses bearer tokens",
                            provider_name(p), safe);
    }
    if ((rc = dup_field(&t->access_token, json, "access_token")) < 0 ||
        (rc = dup_field(&t->refresh_token, json, "refresh_token")) < 0 ||
        (rc = dup_field(&t->scope, json, "scope")) < 0)
        return rc;
    /* No refresh_token in a refresh answer: the old one stays valid (RFC 6749 §6). */
    if (!t->refresh_token && old_refresh && !(t->refresh_token = gl_strdup(old_refresh)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    /* No scope: the one requested was granted (RFC 6749 §5.1). */
    if (!t->scope && p->scope && !(t->scope = gl_strdup(p->scope)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    if (!(t->token_type = gl_strdup("bearer")))
        return gl_error_set(GL_ENOMEM, "out of memory");
    if (json_seconds(json, "expires_in", &expires_in) && expires_in > 0)
        t->expires_at = gl_clock_now(p->clock) + expires_in;
    return GL_OK;
}

/*
 * The HTTP layer redacts what looks like a secret; a provider that echoes
 * one of ours in plain words ("token abc is revoked") is caught here.
 */
static void scrub_error(int rc, const form_field *fields, size_t nfields)
{
    static const char *const secret[] = {"code", "refresh_token", "client_secret", "code_verifier"};
    char msg[1024];
    bool changed = false;

    snprintf(msg, sizeof(msg), "%s", gl_error_last());
    for (size_t i = 0; i < nfields; i++) {
        const char *v = fields[i].value;
        size_t vlen = v ? strlen(v) : 0;
        bool is_secret = false;
        char *hit;

        for (size_t k = 0; k < sizeof(secret) / sizeof(secret[0]); k++)
            is_secret |= strcmp(fields[i].name, secret[k]) == 0;
        if (!is_secret || vlen < 4)
            continue;
        while ((hit = strstr(msg, v))) {
            size_t rlen = strlen(GL_REDACTED);
            memcpy(hit, GL_REDACTED, rlen);
            memmove(hit + rlen, hit + vlen, strlen(hit + vlen) + 1);
            changed = true;
        }
    }
    if (changed)
        gl_error_set(rc, "%s", msg);
    explicit_bzero(msg, sizeof(msg));
}

static int token_request(gl_oauth_tokens *out, const gl_oauth_provider *p, const form_field *fields,
                         size_t nfields, const char *old_refresh)
{
    gl_http_options opts = GL_HTTP_OPTIONS_INIT;
    gl_http_service *svc = NULL;
    gl_http_request req = {0};
    gl_http_response *resp = NULL;
    gl_oauth_tokens t = {0};
    json_object *json;
    char *body = NULL;
    size_t body_len = 0;
    char what[160];
    int rc, err;

    snprintf(what, sizeof(what), "%s token URL", provider_name(p));
    if ((rc = gl_http_check_url(p->token_url, what)) < 0)
        return rc;
    if ((rc = form_encode(&body, &body_len, fields, nfields)) < 0)
        return rc;
    /* "oauth" is the trace category (GLEANER_TRACE=oauth) and the message prefix. */
    opts.service = TRACE;
    opts.base_url = p->token_url;
    opts.user_agent = p->user_agent;
    opts.clock = p->clock;
    opts.max_body = TOKEN_BODY_MAX;
    if ((rc = gl_http_service_new(&svc, &opts)) < 0)
        goto done;
    req.method = "POST";
    req.path = p->token_url;
    req.body = body;
    req.body_len = body_len;
    req.content_type = "application/x-www-form-urlencoded";
    /* Not idempotent: a code works once, and a rotated refresh token too. */
    rc = gl_http_send(&resp, svc, &req);
    if (!resp)
        goto done;     /* transport failure: the HTTP layer's message stands */
    json = resp->json; /* the layer parses JSON errors even when sent as text/plain */
    if (rc < 0 && resp->status >= 500)
        goto done;
    if (rc < 0 && resp->status == 429)
        goto done;
    /* Some providers answer errors with 200; RFC 6749 uses 400 and 401. */
    if (json && (err = oauth_error(p, json)) < 0) {
        rc = err;
        goto done;
    }
    if (rc < 0)
        goto done;
    if (!json) {
        rc = gl_error_set(GL_EBADDATA, "%s answered the token request without JSON (HTTP %ld)",
                          provider_name(p), resp->status);
        goto done;
    }
    if ((rc = parse_token_response(&t, p, json, old_refresh)) < 0)
        goto done;
    gl_oauth_tokens_clear(out);
    *out = t;
    memset(&t, 0, sizeof(t));
    gl_trace(TRACE, "%s issued tokens (expires_at %lld, refresh token %s)", provider_name(p),
             (long long)out->expires_at, out->refresh_token ? "present" : "absent");
done:
    if (rc < 0)
        scrub_error(rc, fields, nfields);
    gl_oauth_tokens_clear(&t);
    wipe_response(resp);
    gl_http_response_free(resp);
    gl_http_service_free(svc);
    if (body) {
        explicit_bzero(body, body_len);
        free(body);
    }
    return rc;
}

static int check_provider(const gl_oauth_provider *p)
{
    if (!p || !p->token_url || !p->client_id)
        return gl_error_set(GL_EINVAL, "oauth: the provider needs a token URL and a client id");
    return GL_OK;
}

int gl_oauth_exchange_code(gl_oauth_tokens *out, const gl_oauth_provider *p, const char *code,
                           const char *verifier, const char *redirect_uri)
{
    int rc;

    if ((rc = check_provider(p)) < 0)
        return rc;
    if (!code || !*code)
        return gl_error_set(GL_EINVAL, "oauth: no authorization code to exchange");
    if (p->pkce && (!verifier || !*verifier))
        return gl_error_set(GL_EINVAL, "oauth: %s uses PKCE but no verifier was given",
                            provider_name(p));
    {
        const form_field fields[] = {
            {"grant_type", "authorization_code"}, {"code", code},
            {"redirect_uri", redirect_uri},       {"client_id", p->client_id},
            {"client_secret", p->client_secret},  {"code_verifier", verifier},
        };
        return token_request(out, p, fields, sizeof(fields) / sizeof(fields[0]), NULL);
    }
}

int gl_oauth_refresh(gl_oauth_tokens *out, const gl_oauth_provider *p, const char *refresh_token)
{
    char *old = NULL;
    int rc;

    if ((rc = check_provider(p)) < 0)
        return rc;
    if (!refresh_token || !*refresh_token)
        return gl_error_set(GL_EINVAL, "oauth: no refresh token for %s; sign in again",
                            provider_name(p));
    /* A copy: `refresh_token` may be out->refresh_token, which success replaces. */
    if (!(old = gl_strdup(refresh_token)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    {
        const form_field fields[] = {
            {"grant_type", "refresh_token"},
            {"refresh_token", old},
            {"client_id", p->client_id},
            {"client_secret", p->client_secret},
        };
        rc = token_request(out, p, fields, sizeof(fields) / sizeof(fields[0]), old);
    }
    gl_fs_free_secret(old);
    return rc;
}

/* -------------------------------------------------------- token files */

static bool is_token_member(const char *key)
{
    static const char *const keys[] = {"access_token", "refresh_token", "token_type", "scope",
                                       "expires_at"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strcmp(key, keys[i]) == 0)
            return true;
    return false;
}

static int add_string(json_object *obj, const char *key, const char *value)
{
    json_object *s;

    if (!value)
        return GL_OK;
    if (!(s = json_object_new_string(value)) || json_object_object_add(obj, key, s) != 0) {
        json_object_put(s);
        return gl_error_set(GL_ENOMEM, "out of memory");
    }
    return GL_OK;
}

int gl_oauth_tokens_save(const char *path, const gl_oauth_tokens *t, json_object *extra)
{
    json_object *obj = NULL;
    char when[GL_TIME_UTC_LEN];
    char *text = NULL, *dir = NULL;
    const char *json;
    size_t len = 0;
    int rc;

    if (!path || !t || !t->access_token || !*t->access_token)
        return gl_error_set(GL_EINVAL, "oauth: nothing to save (no access token)");
    if (extra && !json_object_is_type(extra, json_type_object))
        return gl_error_set(GL_EINVAL, "oauth: extra token-file members must be an object");
    if (!(obj = json_object_new_object()))
        return gl_error_set(GL_ENOMEM, "out of memory");
    if (t->expires_at)
        gl_time_format_utc(when, t->expires_at);
    if ((rc = add_string(obj, "access_token", t->access_token)) < 0 ||
        (rc = add_string(obj, "refresh_token", t->refresh_token)) < 0 ||
        (rc = add_string(obj, "token_type", t->token_type ? t->token_type : "bearer")) < 0 ||
        (rc = add_string(obj, "scope", t->scope)) < 0 ||
        (rc = add_string(obj, "expires_at", t->expires_at ? when : NULL)) < 0)
        goto done;
    if (extra) {
        json_object_object_foreach(extra, key, val)
        {
            if (is_token_member(key))
                continue;
            if (json_object_object_add(obj, key, json_object_get(val)) != 0) {
                json_object_put(val);
                rc = gl_error_set(GL_ENOMEM, "out of memory");
                goto done;
            }
        }
    }
    json = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!json || !(text = gl_strdupf("%s\n", json))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    len = strlen(text);
    /* json-c keeps the serialised text with the object: wipe it before release. */
    explicit_bzero((char *)json, strlen(json));
    if (!(dir = gl_fs_dirname(path))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    if (!gl_fs_is_dir(dir) && (rc = gl_fs_mkdirs(dir, 0700)) < 0)
        goto done;
    rc = gl_fs_write_replace(path, text, len, 0600);
done:
    if (text) {
        explicit_bzero(text, len);
        free(text);
    }
    free(dir);
    if (obj) {
        wipe_json_string(obj, "access_token");
        wipe_json_string(obj, "refresh_token");
        json_object_put(obj);
    }
    return rc;
}

static int load_fields(gl_oauth_tokens *t, json_object *obj, const char *path)
{
    json_object *exp = gl_json_get(obj, "expires_at");
    const char *type;
    int rc;

    if (!json_object_is_type(obj, json_type_object))
        return gl_error_set(GL_EBADDATA, "%s: not a JSON object", path);
    if (!gl_json_str(obj, "access_token") || !*gl_json_str(obj, "access_token"))
        return gl_error_set(GL_EBADDATA, "%s: no access_token; sign in again", path);
    if ((rc = dup_field(&t->access_token, obj, "access_token")) < 0 ||
        (rc = dup_field(&t->refresh_token, obj, "refresh_token")) < 0 ||
        (rc = dup_field(&t->scope, obj, "scope")) < 0)
        return rc;
    type = gl_json_str(obj, "token_type");
    if (!(t->token_type = gl_strdup(type && *type ? type : "bearer")))
        return gl_error_set(GL_ENOMEM, "out of memory");
    if (exp && json_object_is_type(exp, json_type_string)) {
        if (gl_time_parse_utc(&t->expires_at, json_object_get_string(exp)) < 0)
            return gl_error_set(GL_EBADDATA, "%s: expires_at is not a UTC time", path);
    } else if (exp && json_object_is_type(exp, json_type_int)) {
        t->expires_at = json_object_get_int64(exp);
    } else if (exp) {
        return gl_error_set(GL_EBADDATA, "%s: expires_at is not a UTC time", path);
    }
    return GL_OK;
}

int gl_oauth_tokens_load(gl_oauth_tokens *out, const char *path, json_object **extra_out)
{
    gl_oauth_tokens t = {0};
    json_object *obj = NULL;
    char *data = NULL;
    size_t len = 0;
    int rc;

    if (extra_out)
        *extra_out = NULL;
    if (!path)
        return gl_error_set(GL_EINVAL, "oauth: no token file given");
    if ((rc = gl_fs_check_secret(path, TOKEN_FILE_WHAT)) < 0)
        return rc;
    if ((rc = gl_fs_read_file(&data, &len, path, TOKEN_FILE_MAX)) < 0) {
        gl_error_prefix("%s", TOKEN_FILE_WHAT);
        goto done;
    }
    if ((rc = gl_json_parse(&obj, data, len, path)) < 0)
        goto done;
    if ((rc = load_fields(&t, obj, path)) < 0)
        goto done;
    gl_oauth_tokens_clear(out);
    *out = t;
    memset(&t, 0, sizeof(t));
    if (extra_out) {
        *extra_out = obj;
        obj = NULL;
    }
done:
    gl_oauth_tokens_clear(&t);
    if (data) {
        explicit_bzero(data, len);
        free(data);
    }
    if (obj) {
        wipe_json_string(obj, "access_token");
        wipe_json_string(obj, "refresh_token");
        json_object_put(obj);
    }
    return rc;
}
