/*
 * git.c - the user's commits from a Git repository, read with libgit2.
 *
 * Speed and memory: a scan reads each commit object once, raw, straight
 * from the ODB backends (no object cache, no hash re-check, no git_commit),
 * parses only the parent, author and committer lines (and the message only
 * of the user's own commits), and keeps one small node per commit.  That is
 * what `git log --format=%H %at %ae` does too.
 *
 * Attribution: the first-parent chains of the mainline branches (the
 * default branch and the usual long-lived names) are theirs; every other
 * branch then takes what it holds that nobody took yet, local branches
 * before remote-tracking ones, older tips before newer (a branch stacked on
 * or merged into another keeps its own commits); the mainline branches
 * finally take the rest of their history (branches merged and deleted).
 *
 * Incremental scans hide the previous tips the way `git rev-list new
 * ^old` does: a walk in committer-date order from both sides that stops
 * when nothing interesting is left in the queue.
 */
#include "git.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#define MAX_KEYS       32                 /* Jira keys kept per commit */
#define KEY_MAX_LEN    64                 /* longer "keys" are not Jira keys */
#define SUMMARY_MAX    1000               /* bytes of a summary line */
#define IDENT_MAX      512                /* bytes of an author name or email */
#define PROGRESS_EVERY 4096               /* commits between progress calls */
#define DATE_SLOP      5                  /* extra pops against clock skew (git's SLOP) */
#define SHALLOW_MAX    (64 * 1024 * 1024) /* cap on .git/shallow */
#define NONE           UINT32_MAX

/* The names that make a branch long-lived, like the default branch. */
static const char *const mainline_names[] = {"main",        "master", "develop",
                                             "development", "dev",    "trunk"};

enum {
    N_READ = 1,     /* parsed: parents, ctime known */
    N_UNINT = 2,    /* reachable from a previous tip */
    N_QUEUED = 4,   /* in (or through) the date-ordered queue */
    N_DONE = 8,     /* popped as interesting */
    N_NEW = 16,     /* new since the previous scan */
    N_SHALLOW = 32, /* a shallow clone's cut: its parents are not there */
};

typedef struct node {
    git_oid oid;
    uint8_t flags;
    uint32_t parents;  /* index of the first parent in scan.par */
    uint32_t nparents; /* parents walked (0 at a shallow cut) */
    int32_t label;     /* index into scan.refs; -1: not attributed yet */
    int32_t rec;       /* index into scan.recs; -1: none */
    int64_t ctime;     /* committer time, for the date-ordered walk */
} node;

/* A user's commit read before its branch was known (incremental scans). */
typedef struct rec {
    int64_t time;
    int tz;
    unsigned parents;
    char *name, *email, *summary;
    char *keys[MAX_KEYS];
    size_t n_keys;
} rec;

enum { KIND_LOCAL, KIND_REMOTE, KIND_HEAD };

typedef struct ref {
    char *name;            /* "refs/heads/main", "HEAD" */
    const char *shortname; /* into name: "main", "origin/main", "HEAD" */
    git_oid oid;
    uint32_t tip;
    int kind;
    int mainline; /* 0: no; 1, 2: the default, local, remote; 3, 4: other long-lived */
    bool changed; /* not at its previous tip */
    int64_t tip_time;
    char *keys[MAX_KEYS];
    size_t n_keys;
} ref;

/* What one commit gives the callback. */
typedef struct info {
    int64_t time;
    int tz;
    unsigned parents;
    const char *name, *email, *summary;
    char *const *keys;
    size_t n_keys;
} info;

typedef struct scan {
    const gl_git_options *opts;
    gl_commit_fn fn;
    void *payload;
    gl_git_result *out;
    git_repository *repo;
    git_odb *odb;
    git_odb_backend **backends;
    size_t n_backends;
    git_mailmap *mailmap;
    node *nodes;
    size_t n_nodes, cap_nodes;
    uint32_t *slots; /* open addressing: node index + 1, 0 = empty */
    size_t n_slots;
    uint32_t *par;
    size_t n_par, cap_par;
    ref *refs;
    size_t n_refs, cap_refs;
    rec *recs;
    size_t n_recs, cap_recs;
    uint32_t *stack;
    size_t n_stack, cap_stack;
    uint32_t *fp; /* first-parent nodes of the mainline, in walk order */
    size_t n_fp, cap_fp;
    uint32_t *heap;
    size_t n_heap, cap_heap;
    bool all_new; /* no previous tips: every commit is new */
    char name_buf[IDENT_MAX], email_buf[IDENT_MAX], summary_buf[SUMMARY_MAX + 4];
} scan;

/* ------------------------------------------------------------ helpers */

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_upper(c) || is_digit(c) || (c >= 'a' && c <= 'z');
}

static int oom(void)
{
    return gl_error_set(GL_ENOMEM, "out of memory");
}

/* Make room for `need` elements of `size` bytes. */
static int grow(void **ptr, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 16;
    void *p;

    if (need <= *cap)
        return GL_OK;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / size || !(p = realloc(*ptr, n * size)))
        return oom();
    *ptr = p;
    *cap = n;
    return GL_OK;
}

static int push_u32(uint32_t **arr, size_t *n, size_t *cap, uint32_t v)
{
    int rc = grow((void **)arr, cap, *n + 1, sizeof(**arr));
    if (rc < 0)
        return rc;
    (*arr)[(*n)++] = v;
    return GL_OK;
}

/* The last libgit2 message, or a stand-in. */
static const char *git_msg(void)
{
    const git_error *e = git_error_last();
    return e && e->message ? e->message : "unknown libgit2 error";
}

static int corrupt(const scan *s, const char *what, const git_oid *oid)
{
    char hex[GIT_OID_HEXSZ + 1] = "";
    if (oid)
        git_oid_tostr(hex, sizeof(hex), oid);
    return gl_error_set(GL_EBADDATA,
                        "git: %s: %s%s%s: %s (the repository may be damaged; "
                        "`git -C %s fsck` says more)",
                        s->opts->path, what, oid ? " " : "", hex, git_msg(), s->opts->path);
}

/* A commit that reads but does not parse. */
static int malformed(const scan *s, const git_oid *oid, const char *what)
{
    return gl_error_set(GL_EBADDATA,
                        "git: %s: %s %s (the repository may be damaged; `git -C %s fsck` says "
                        "more)",
                        s->opts->path, git_oid_tostr_s(oid), what, s->opts->path);
}

static void add_warning(scan *s, const char *fmt, ...) GL_PRINTF(2, 3);
static void add_warning(scan *s, const char *fmt, ...)
{
    char *w = s->out->warning;
    size_t len = strlen(w), size = sizeof(s->out->warning);
    va_list ap;

    if (len + 3 >= size)
        return;
    if (len) {
        memcpy(w + len, "; ", 3);
        len += 2;
    }
    va_start(ap, fmt);
    vsnprintf(w + len, size - len, fmt, ap);
    va_end(ap);
}

/* The length of the valid UTF-8 sequence at in[0..len), 0 when invalid. */
static size_t utf8_len(const unsigned char *in, size_t len)
{
    unsigned char c = in[0];
    size_t n = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;

    if (n == 0 || n > len)
        return 0;
    for (size_t k = 1; k < n; k++)
        if ((in[k] & 0xC0) != 0x80)
            return 0;
    /* overlong forms, UTF-16 surrogates, past U+10FFFF */
    if ((c == 0xE0 && in[1] < 0xA0) || (c == 0xED && in[1] >= 0xA0) ||
        (c == 0xF0 && in[1] < 0x90) || (c == 0xF4 && in[1] >= 0x90))
        return 0;
    return n;
}

/*
 * Copy text for the callback: invalid UTF-8 bytes become '?' and control
 * characters spaces, so that it is safe to store as JSON and to print; at
 * most `max` bytes (out holds max + 1), never cutting a character.
 */
static void clean_copy(char *out, size_t max, const char *in, size_t len)
{
    const unsigned char *u = (const unsigned char *)in;
    size_t i = 0, o = 0;

    while (i < len && o < max) {
        size_t n = utf8_len(u + i, len - i);
        if (n == 0) {
            out[o++] = '?';
            i++;
        } else if (n == 1) {
            out[o++] = (u[i] < 0x20 || u[i] == 0x7f) ? ' ' : in[i];
            i++;
        } else if (o + n <= max) {
            memcpy(out + o, in + i, n);
            o += n;
            i += n;
        } else {
            break;
        }
    }
    out[o] = '\0';
}

/* ------------------------------------------------------------ Jira keys */

static bool have_key(char *const *keys, size_t n, const char *k, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(keys[i]) == len && memcmp(keys[i], k, len) == 0)
            return true;
    return false;
}

/*
 * [A-Z][A-Z0-9]+-[0-9]+ with no letter or digit on either side: '/', '-',
 * '_', '.', blanks and non-ASCII bytes separate words.  A key is taken
 * whole: "XABC-1" is XABC-1, never ABC-1.
 */
static void jira_scan(const char *t, size_t len, char **keys, size_t *n, size_t max)
{
    size_t i = 0;

    while (i < len && *n < max) {
        size_t j, k;

        if (!is_upper(t[i]) || (i > 0 && is_alnum(t[i - 1]))) {
            i++;
            continue;
        }
        for (j = i + 1; j < len && (is_upper(t[j]) || is_digit(t[j])); j++)
            ;
        if (j - i < 2 || j >= len || t[j] != '-') {
            i = j;
            continue;
        }
        for (k = j + 1; k < len && is_digit(t[k]); k++)
            ;
        if (k == j + 1) {
            i = j + 1; /* "ABC-DEF-1": DEF-1 may still start here */
            continue;
        }
        if ((k < len && is_alnum(t[k])) || k - i > KEY_MAX_LEN) {
            i = k;
            continue;
        }
        if (!have_key(keys, *n, t + i, k - i)) {
            char *key = gl_strndup(t + i, k - i);
            if (!key)
                return;
            keys[(*n)++] = key;
        }
        i = k;
    }
}

void gl_git_jira_keys(const char *text, char **keys, size_t *n, size_t max)
{
    if (text)
        jira_scan(text, strlen(text), keys, n, max);
}

static void free_keys(char **keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
}

/* ------------------------------------------------------------ nodes */

static uint32_t oid_hash(const git_oid *oid)
{
    uint32_t h;
    memcpy(&h, oid->id, sizeof(h)); /* object ids are uniformly random */
    return h;
}

static int rehash(scan *s, size_t n_slots)
{
    uint32_t *slots = calloc(n_slots, sizeof(*slots));

    if (!slots)
        return oom();
    for (size_t i = 0; i < s->n_nodes; i++) {
        size_t at = oid_hash(&s->nodes[i].oid) & (n_slots - 1);
        while (slots[at])
            at = (at + 1) & (n_slots - 1);
        slots[at] = (uint32_t)i + 1;
    }
    free(s->slots);
    s->slots = slots;
    s->n_slots = n_slots;
    return GL_OK;
}

/* The node of `oid`, created unread when new.  Node pointers move: hold indices. */
static int node_get(scan *s, const git_oid *oid, uint32_t *out)
{
    size_t at;
    int rc;
    node *n;

    if (s->n_nodes * 2 >= s->n_slots && (rc = rehash(s, s->n_slots ? s->n_slots * 2 : 4096)) < 0)
        return rc;
    at = oid_hash(oid) & (s->n_slots - 1);
    while (s->slots[at]) {
        uint32_t idx = s->slots[at] - 1;
        if (git_oid_equal(&s->nodes[idx].oid, oid)) {
            *out = idx;
            return GL_OK;
        }
        at = (at + 1) & (s->n_slots - 1);
    }
    if (s->n_nodes >= UINT32_MAX - 1)
        return gl_error_set(GL_ETOOBIG, "git: %s: too many commits", s->opts->path);
    if ((rc = grow((void **)&s->nodes, &s->cap_nodes, s->n_nodes + 1, sizeof(node))) < 0)
        return rc;
    n = &s->nodes[s->n_nodes];
    memset(n, 0, sizeof(*n));
    git_oid_cpy(&n->oid, oid);
    n->label = -1;
    n->rec = -1;
    s->slots[at] = (uint32_t)++s->n_nodes;
    *out = (uint32_t)s->n_nodes - 1;
    return GL_OK;
}

static bool is_new(const scan *s, uint32_t idx)
{
    return s->all_new || (s->nodes[idx].flags & N_NEW);
}

/* ------------------------------------------------------------ reading */

/*
 * The raw object, from the backends directly.  git_odb_read would also hash
 * it again and keep it in the object cache: on git/git that doubles both the
 * time and the memory of a full scan (1.2 s and 128 MiB against 0.55 s and
 * 60 MiB), and switching those off with git_libgit2_opts would change them
 * for the whole process (still 0.68 s).  *owner frees it (NULL: free()).
 */
static int read_raw(scan *s, const git_oid *oid, void **data, size_t *len, git_object_t *type,
                    git_odb_backend **owner)
{
    git_odb_object *obj = NULL;
    int rc;

    for (size_t i = 0; i < s->n_backends; i++) {
        git_odb_backend *b = s->backends[i];
        if (!b->read)
            continue;
        rc = b->read(data, len, type, b, oid);
        if (rc == 0) {
            *owner = b;
            return 0;
        }
        if (rc != GIT_ENOTFOUND && rc != GIT_PASSTHROUGH)
            return rc;
    }
    /* Not found: git_odb_read looks again after re-reading the pack list
     * (a fetch or gc that ran meanwhile). */
    if ((rc = git_odb_read(&obj, s->odb, oid)) < 0)
        return rc;
    *len = git_odb_object_size(obj);
    *type = git_odb_object_type(obj);
    if (!(*data = malloc(*len + 1))) {
        git_odb_object_free(obj);
        git_error_set_oom();
        return -1;
    }
    memcpy(*data, git_odb_object_data(obj), *len);
    git_odb_object_free(obj);
    *owner = NULL;
    return 0;
}

static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

/* The start of the line after the one ending at `e` (never past `end`). */
static const char *next_line(const char *e, const char *end)
{
    return e < end ? e + 1 : end;
}

static int64_t parse_int64(const char **pp, const char *end)
{
    const char *p = *pp;
    int64_t v = 0;

    while (p < end && is_digit(*p)) {
        if (v < INT64_MAX / 10)
            v = v * 10 + (*p - '0');
        p++;
    }
    *pp = p;
    return v;
}

/* "Name <email> 1700000000 +0530": the parts, or false when malformed. */
static bool split_ident(const char *p, const char *end, const char **name, size_t *name_len,
                        const char **email, size_t *email_len, int64_t *when, int *tz)
{
    const char *lt = memchr(p, '<', (size_t)(end - p)), *gt, *q, *n_end;

    if (!lt || !(gt = memchr(lt, '>', (size_t)(end - lt))))
        return false;
    for (n_end = lt; n_end > p && n_end[-1] == ' '; n_end--)
        ;
    *name = p;
    *name_len = (size_t)(n_end - p);
    *email = lt + 1;
    *email_len = (size_t)(gt - lt - 1);
    q = gt + 1;
    while (q < end && *q == ' ')
        q++;
    *when = parse_int64(&q, end);
    *tz = 0;
    while (q < end && *q == ' ')
        q++;
    if (end - q >= 5 && (*q == '+' || *q == '-') && is_digit(q[1]) && is_digit(q[2]) &&
        is_digit(q[3]) && is_digit(q[4])) {
        int minutes = ((q[1] - '0') * 10 + (q[2] - '0')) * 60 + (q[3] - '0') * 10 + (q[4] - '0');
        *tz = *q == '-' ? -minutes : minutes;
    }
    return true;
}

/* A name is cut to fit; an email that does not fit is nobody's we know. */
static bool copy_ident(char *out, const char *in, size_t len, bool cut)
{
    if (len >= IDENT_MAX) {
        if (!cut)
            return false;
        len = IDENT_MAX - 1;
    }
    memcpy(out, in, len);
    out[len] = '\0';
    return true;
}

/*
 * Whether the author is the user, after the mailmap; on true, the mapped
 * name and email are in s->name_buf and s->email_buf.
 */
static bool is_mine(scan *s, const char *name, size_t name_len, const char *email, size_t email_len)
{
    const char *real_name = NULL, *real_email = NULL;
    char raw_name[IDENT_MAX], raw_email[IDENT_MAX], lower[IDENT_MAX];
    bool mine = false;

    if (!s->opts->n_identities || !copy_ident(raw_name, name, name_len, true) ||
        !copy_ident(raw_email, email, email_len, false))
        return false;
    if (git_mailmap_resolve(&real_name, &real_email, s->mailmap, raw_name, raw_email) < 0)
        return false;
    /* libgit2 matches mailmap emails case-sensitively, git does not: try lower case. */
    if (s->mailmap && real_email == raw_email && real_name == raw_name) {
        bool upper = false;
        for (size_t i = 0; i <= email_len; i++) {
            lower[i] = is_upper(raw_email[i]) ? (char)(raw_email[i] + ('a' - 'A')) : raw_email[i];
            upper |= lower[i] != raw_email[i];
        }
        if (upper && git_mailmap_resolve(&real_name, &real_email, s->mailmap, raw_name, lower) < 0)
            return false;
    }
    for (size_t i = 0; i < s->opts->n_identities && !mine; i++)
        mine = s->opts->identities[i] && strcasecmp(real_email, s->opts->identities[i]) == 0;
    if (mine) {
        clean_copy(s->name_buf, IDENT_MAX - 1, real_name, strlen(real_name));
        clean_copy(s->email_buf, IDENT_MAX - 1, real_email, strlen(real_email));
    }
    return mine;
}

/* git's subject: the first paragraph, its lines joined by spaces. */
static void summary(char *out, size_t max, const char *msg, const char *end)
{
    char joined[SUMMARY_MAX * 2];
    size_t n = 0;
    const char *p = msg;

    while (p < end) { /* blank lines first */
        const char *e = line_end(p, end), *q = p;
        while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q < e)
            break;
        p = next_line(e, end);
    }
    while (p < end && n < sizeof(joined) - 1) {
        const char *e = line_end(p, end), *a = p, *b = e;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
            b--;
        if (a == b)
            break;
        if (n && n < sizeof(joined) - 1)
            joined[n++] = ' ';
        if ((size_t)(b - a) > sizeof(joined) - 1 - n)
            b = a + (sizeof(joined) - 1 - n);
        memcpy(joined + n, a, (size_t)(b - a));
        n += (size_t)(b - a);
        p = next_line(e, end);
    }
    clean_copy(out, max, joined, n);
}

static int emit(scan *s, uint32_t idx, const info *in)
{
    const node *n = &s->nodes[idx];
    const ref *r = &s->refs[n->label];
    const char *keys[2 * MAX_KEYS];
    char id[GIT_OID_HEXSZ + 1];
    size_t nk = 0;
    gl_commit c;
    int rc;

    for (size_t i = 0; i < r->n_keys; i++)
        keys[nk++] = r->keys[i];
    for (size_t i = 0; i < in->n_keys; i++) {
        bool dup = false;
        for (size_t k = 0; k < r->n_keys && !dup; k++)
            dup = strcmp(r->keys[k], in->keys[i]) == 0;
        if (!dup)
            keys[nk++] = in->keys[i];
    }
    git_oid_tostr(id, sizeof(id), &n->oid);
    memset(&c, 0, sizeof(c));
    c.id = id;
    c.time = in->time;
    c.tz_offset = in->tz;
    c.author_email = in->email;
    c.author_name = in->name;
    c.branch = r->shortname;
    c.summary = in->summary;
    c.jira_keys = keys;
    c.n_jira_keys = nk;
    c.parents = in->parents;
    s->out->commits_mine++;
    if (!s->fn || (rc = s->fn(s->payload, &c)) == 0)
        return GL_OK;
    return rc < 0 ? rc : gl_error_set(GL_ERROR, "git: %s: stopped by the caller", s->opts->path);
}

static void rec_clear(rec *r)
{
    free(r->name);
    free(r->email);
    free(r->summary);
    free_keys(r->keys, r->n_keys);
    memset(r, 0, sizeof(*r));
}

/* The user's commit: to the callback when its branch is known, else kept. */
static int take_mine(scan *s, uint32_t idx, int64_t when, int tz, unsigned parents, const char *msg,
                     const char *end)
{
    char *keys[MAX_KEYS];
    size_t nk = 0;
    int rc;
    rec *r;

    summary(s->summary_buf, SUMMARY_MAX, msg, end);
    jira_scan(msg, (size_t)(end - msg), keys, &nk, MAX_KEYS);
    if (s->nodes[idx].label >= 0) {
        info in = {when, tz, parents, s->name_buf, s->email_buf, s->summary_buf, keys, nk};
        rc = emit(s, idx, &in);
        free_keys(keys, nk);
        return rc;
    }
    if ((rc = grow((void **)&s->recs, &s->cap_recs, s->n_recs + 1, sizeof(rec))) < 0) {
        free_keys(keys, nk);
        return rc;
    }
    r = &s->recs[s->n_recs];
    memset(r, 0, sizeof(*r));
    r->time = when;
    r->tz = tz;
    r->parents = parents;
    memcpy(r->keys, keys, nk * sizeof(*keys));
    r->n_keys = nk;
    if (!(r->name = gl_strdup(s->name_buf)) || !(r->email = gl_strdup(s->email_buf)) ||
        !(r->summary = gl_strdup(s->summary_buf))) {
        rec_clear(r);
        return oom();
    }
    s->nodes[idx].rec = (int32_t)s->n_recs++;
    return GL_OK;
}

/*
 * Read commit `idx`: its parents (nodes created as needed), committer time,
 * and when the author is the user, what the callback gets.
 */
static int parse(scan *s, uint32_t idx, const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len, *e;
    const char *author = NULL, *author_end = NULL;
    uint32_t first = (uint32_t)s->n_par, count = 0, pidx;
    int64_t when = 0;
    int tz = 0, rc;

    e = line_end(p, end);
    if (e - p != 5 + GIT_OID_HEXSZ || memcmp(p, "tree ", 5) != 0)
        return malformed(s, &s->nodes[idx].oid, "is a commit without a tree line");
    for (p = next_line(e, end); end - p > 7 && memcmp(p, "parent ", 7) == 0;
         p = next_line(e, end)) {
        git_oid poid;
        e = line_end(p, end);
        if (e - p != 7 + GIT_OID_HEXSZ || git_oid_fromstrn(&poid, p + 7, GIT_OID_HEXSZ) < 0)
            return malformed(s, &s->nodes[idx].oid, "is a commit with a malformed parent line");
        if ((rc = node_get(s, &poid, &pidx)) < 0 ||
            (rc = push_u32(&s->par, &s->n_par, &s->cap_par, pidx)) < 0)
            return rc;
        count++;
    }
    for (; p < end && *p != '\n'; p = next_line(e, end)) {
        e = line_end(p, end);
        if (e - p > 7 && memcmp(p, "author ", 7) == 0) {
            author = p + 7;
            author_end = e;
        } else if (e - p > 10 && memcmp(p, "committer ", 10) == 0) {
            const char *gt = memchr(p, '>', (size_t)(e - p)), *q;
            if (gt) {
                for (q = gt + 1; q < e && *q == ' '; q++)
                    ;
                s->nodes[idx].ctime = parse_int64(&q, e);
            }
            break; /* what follows (signatures, encoding) is not needed, unless mine */
        }
    }
    s->nodes[idx].flags |= N_READ;
    s->nodes[idx].parents = first;
    s->nodes[idx].nparents = (s->nodes[idx].flags & N_SHALLOW) ? 0 : count;

    if (author) {
        const char *name, *email;
        size_t name_len, email_len;
        if (split_ident(author, author_end, &name, &name_len, &email, &email_len, &when, &tz) &&
            is_mine(s, name, name_len, email, email_len)) {
            const char *msg = NULL;
            for (const char *q = p; q < end; q = next_line(line_end(q, end), end))
                if (*q == '\n') {
                    msg = q + 1;
                    break;
                }
            return take_mine(s, idx, when, tz, count, msg ? msg : end, end);
        }
    }
    return GL_OK;
}

static int read_node(scan *s, uint32_t idx)
{
    git_odb_backend *owner = NULL;
    git_object_t type = GIT_OBJECT_INVALID;
    void *data = NULL;
    size_t len = 0;
    git_oid oid;
    int rc;

    git_oid_cpy(&oid, &s->nodes[idx].oid);
    if ((rc = read_raw(s, &oid, &data, &len, &type, &owner)) < 0)
        return corrupt(s, rc == GIT_ENOTFOUND ? "missing commit" : "cannot read commit", &oid);
    if (type != GIT_OBJECT_COMMIT) {
        char what[64];
        snprintf(what, sizeof(what), "is a %s where a commit was expected",
                 git_object_type2string(type));
        rc = malformed(s, &oid, what);
    } else {
        rc = parse(s, idx, data, len);
    }
    if (owner)
        git_odb_backend_data_free(owner, data);
    else
        free(data);
    if (rc == GL_OK && ++s->out->commits_read % PROGRESS_EVERY == 0 && s->opts->progress)
        s->opts->progress(s->opts->progress_payload, s->out->commits_read);
    return rc;
}

/* Attribute `idx` to ref `label`: read it, or pass on what was kept. */
static int take(scan *s, uint32_t idx, int32_t label)
{
    node *n = &s->nodes[idx];
    int rc = GL_OK;

    n->label = label;
    if (!(n->flags & N_READ))
        return read_node(s, idx);
    if (n->rec >= 0) {
        rec *r = &s->recs[n->rec];
        info in = {r->time, r->tz, r->parents, r->name, r->email, r->summary, r->keys, r->n_keys};
        rc = emit(s, idx, &in);
        rec_clear(r);
        s->nodes[idx].rec = -1;
    }
    return rc;
}

/* ------------------------------------------------------------ refs */

static int add_ref(scan *s, const char *name, const git_oid *oid, int kind)
{
    ref *r;
    int rc;

    if ((rc = grow((void **)&s->refs, &s->cap_refs, s->n_refs + 1, sizeof(ref))) < 0)
        return rc;
    r = &s->refs[s->n_refs];
    memset(r, 0, sizeof(*r));
    if (!(r->name = gl_strdup(name)))
        return oom();
    s->n_refs++;
    r->kind = kind;
    r->shortname = kind == KIND_LOCAL    ? r->name + strlen("refs/heads/")
                   : kind == KIND_REMOTE ? r->name + strlen("refs/remotes/")
                                         : r->name;
    git_oid_cpy(&r->oid, oid);
    r->tip = NONE;
    gl_git_jira_keys(r->shortname, r->keys, &r->n_keys, MAX_KEYS);
    return GL_OK;
}

/* Branches and remote-tracking branches; symbolic ones (origin/HEAD) give a default name. */
static int list_refs(scan *s, const char *glob, int kind, char *remote_head, size_t rh_len)
{
    git_reference_iterator *it = NULL;
    git_reference *r = NULL;
    int rc = GL_OK, err;

    if (git_reference_iterator_glob_new(&it, s->repo, glob) < 0)
        return corrupt(s, "cannot list the branches", NULL);
    while ((err = git_reference_next(&r, it)) == 0) {
        const char *name = git_reference_name(r);
        if (git_reference_type(r) == GIT_REFERENCE_SYMBOLIC) {
            const char *target = git_reference_symbolic_target(r), *slash;
            /* refs/remotes/origin/HEAD -> refs/remotes/origin/main: "main" */
            bool origin = strcmp(name, "refs/remotes/origin/HEAD") == 0;
            if (kind == KIND_REMOTE && (origin || !remote_head[0]) && target &&
                gl_str_starts_with(target, "refs/remotes/") &&
                (slash = strchr(target + strlen("refs/remotes/"), '/')))
                snprintf(remote_head, rh_len, "%s", slash + 1);
        } else if (git_reference_target(r)) {
            rc = add_ref(s, name, git_reference_target(r), kind);
        }
        git_reference_free(r);
        r = NULL;
        if (rc < 0)
            break;
    }
    if (rc == GL_OK && err != GIT_ITEROVER)
        rc = corrupt(s, "cannot list the branches", NULL);
    git_reference_iterator_free(it);
    return rc;
}

/* The branch part of a ref's short name: "main" for "main" and "origin/main". */
static const char *branch_part(const ref *r)
{
    const char *slash;
    if (r->kind != KIND_REMOTE)
        return r->shortname;
    slash = strchr(r->shortname, '/');
    return slash ? slash + 1 : r->shortname;
}

static bool have_branch(const scan *s, const char *name)
{
    for (size_t i = 0; i < s->n_refs; i++)
        if (s->refs[i].kind != KIND_HEAD && strcmp(branch_part(&s->refs[i]), name) == 0)
            return true;
    return false;
}

/* HEAD's branch into `out` ("" when detached or unborn); a detached HEAD's commit. */
static int head_target(scan *s, char *out, size_t len, git_oid *detached, bool *is_detached)
{
    git_reference *head = NULL;
    int err = git_reference_lookup(&head, s->repo, "HEAD");

    out[0] = '\0';
    *is_detached = false;
    if (err == GIT_ENOTFOUND)
        return GL_OK;
    if (err < 0)
        return corrupt(s, "cannot read HEAD", NULL);
    if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
        const char *t = git_reference_symbolic_target(head);
        if (t && gl_str_starts_with(t, "refs/heads/"))
            snprintf(out, len, "%s", t + strlen("refs/heads/"));
    } else if (git_reference_target(head)) {
        git_oid_cpy(detached, git_reference_target(head));
        *is_detached = true;
    }
    git_reference_free(head);
    return GL_OK;
}

/*
 * The default branch: a bare repository's HEAD (what clones check out);
 * else what origin/HEAD names; else main or master; else a working copy's
 * HEAD (a working copy's HEAD is only what is checked out now).
 */
static void pick_default(const scan *s, bool bare, const char *head, const char *remote_head,
                         char *out, size_t len)
{
    const char *pick = NULL;

    if (bare && head[0] && have_branch(s, head))
        pick = head;
    else if (remote_head[0] && have_branch(s, remote_head))
        pick = remote_head;
    else if (have_branch(s, "main"))
        pick = "main";
    else if (have_branch(s, "master"))
        pick = "master";
    else if (head[0] && have_branch(s, head))
        pick = head;
    snprintf(out, len, "%s", pick ? pick : "");
}

static int mainline_rank(const ref *r, const char *def)
{
    const char *b = branch_part(r);
    if (r->kind == KIND_HEAD)
        return 0;
    if (def[0] && strcmp(b, def) == 0)
        return r->kind == KIND_LOCAL ? 1 : 2;
    for (size_t i = 0; i < sizeof(mainline_names) / sizeof(mainline_names[0]); i++)
        if (strcmp(b, mainline_names[i]) == 0)
            return r->kind == KIND_LOCAL ? 3 : 4;
    return 0;
}

/*
 * Walk order: mainline refs by rank (the default first, local before
 * remote), newest tip first within a rank (the branch others come from);
 * then the others local, remote, detached HEAD, each oldest tip first; ties
 * by name.
 */
static int ref_cmp(const void *a_, const void *b_)
{
    const ref *a = a_, *b = b_;

    if ((a->mainline > 0) != (b->mainline > 0))
        return a->mainline > 0 ? -1 : 1;
    if (a->mainline) {
        if (a->mainline != b->mainline)
            return a->mainline - b->mainline;
        if (a->tip_time != b->tip_time)
            return a->tip_time > b->tip_time ? -1 : 1;
    } else {
        if (a->kind != b->kind)
            return a->kind - b->kind;
        if (a->tip_time != b->tip_time)
            return a->tip_time < b->tip_time ? -1 : 1;
    }
    return strcmp(a->name, b->name);
}

/* ------------------------------------------------------------ tips */

static int tips_json(scan *s, char **out)
{
    json_object *o = json_object_new_object();
    char hex[GIT_OID_HEXSZ + 1];

    if (!o)
        return oom();
    for (size_t i = 0; i < s->n_refs; i++) {
        json_object *v;
        git_oid_tostr(hex, sizeof(hex), &s->refs[i].oid);
        if (!(v = json_object_new_string(hex)) ||
            json_object_object_add(o, s->refs[i].name, v) < 0) {
            json_object_put(v);
            json_object_put(o);
            return oom();
        }
    }
    *out = gl_strdup(
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return *out ? GL_OK : oom();
}

/* The previous tips: their commits hide, and refs still there are unchanged. */
static int load_old_tips(scan *s, json_object **out)
{
    json_object *o = NULL;

    *out = NULL;
    if (!s->opts->tips)
        return GL_OK;
    if (gl_json_parse(&o, s->opts->tips, strlen(s->opts->tips), "git tips") < 0 ||
        !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        gl_error_clear();
        add_warning(s, "the remembered branch tips were unreadable: read the whole history again");
        return GL_OK;
    }
    *out = o;
    return GL_OK;
}

static bool old_oid(json_object *old, const char *name, git_oid *oid)
{
    json_object *v;
    const char *hex;

    if (!json_object_object_get_ex(old, name, &v) || !(hex = json_object_get_string(v)) ||
        strlen(hex) != GIT_OID_HEXSZ)
        return false;
    return git_oid_fromstr(oid, hex) == 0;
}

/* ------------------------------------------------------------ new commits */

static bool heap_less(const scan *s, uint32_t a, uint32_t b)
{
    return s->nodes[a].ctime < s->nodes[b].ctime;
}

static int heap_push(scan *s, uint32_t idx)
{
    size_t i;
    int rc;

    if ((rc = push_u32(&s->heap, &s->n_heap, &s->cap_heap, idx)) < 0)
        return rc;
    for (i = s->n_heap - 1; i > 0 && heap_less(s, s->heap[(i - 1) / 2], s->heap[i]);
         i = (i - 1) / 2) {
        uint32_t t = s->heap[i];
        s->heap[i] = s->heap[(i - 1) / 2];
        s->heap[(i - 1) / 2] = t;
    }
    return GL_OK;
}

static uint32_t heap_pop(scan *s)
{
    uint32_t top = s->heap[0];
    size_t i = 0;

    s->heap[0] = s->heap[--s->n_heap];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->n_heap && heap_less(s, s->heap[m], s->heap[l]))
            m = l;
        if (r < s->n_heap && heap_less(s, s->heap[m], s->heap[r]))
            m = r;
        if (m == i)
            break;
        uint32_t t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
    return top;
}

/* Queue a commit for the date-ordered walk (read first: the queue needs its date). */
static int enqueue(scan *s, uint32_t idx, size_t *interesting)
{
    int rc;

    s->nodes[idx].flags |= N_QUEUED;
    if (!(s->nodes[idx].flags & N_READ) && (rc = read_node(s, idx)) < 0)
        return rc;
    if (!(s->nodes[idx].flags & N_UNINT))
        ++*interesting;
    return heap_push(s, idx);
}

/* Mark `idx` reachable from a previous tip, and what was already walked below it. */
static int mark_unint(scan *s, uint32_t idx, size_t *interesting)
{
    size_t base = s->n_stack;
    int rc;

    if ((rc = push_u32(&s->stack, &s->n_stack, &s->cap_stack, idx)) < 0)
        return rc;
    while (s->n_stack > base) {
        uint32_t i = s->stack[--s->n_stack];
        node *n = &s->nodes[i];
        if (n->flags & N_UNINT)
            continue;
        n->flags |= N_UNINT;
        if ((n->flags & N_QUEUED) && !(n->flags & N_DONE)) {
            --*interesting; /* waiting in the queue: it will spread the mark when popped */
            continue;
        }
        if (!(n->flags & N_QUEUED)) {
            if ((rc = enqueue(s, i, interesting)) < 0)
                return rc;
            continue;
        }
        for (uint32_t k = 0; k < s->nodes[i].nparents; k++)
            if ((rc = push_u32(&s->stack, &s->n_stack, &s->cap_stack,
                               s->par[s->nodes[i].parents + k])) < 0)
                return rc;
    }
    return GL_OK;
}

/*
 * Flag N_NEW the commits reachable from the moved tips and not from any
 * previous one.  Clock skew can let an old commit through (it is reported
 * again, which the caller's store absorbs); a new one is never missed.
 */
static int find_new(scan *s, json_object *old)
{
    size_t interesting = 0, base;
    int64_t oldest = INT64_MAX;
    int slop = DATE_SLOP, rc;
    uint32_t idx;

    json_object_object_foreach(old, name, v)
    {
        git_oid oid;
        const char *hex = json_object_get_string(v);
        (void)name;
        if (!hex || strlen(hex) != GIT_OID_HEXSZ || git_oid_fromstr(&oid, hex) < 0)
            continue;
        if ((rc = node_get(s, &oid, &idx)) < 0)
            return rc;
        if (s->nodes[idx].flags & N_UNINT)
            continue;
        /* A tip that was gc'd after a force-push hides nothing. */
        if (!(s->nodes[idx].flags & N_READ) && git_odb_exists(s->odb, &oid) == 0)
            continue;
        s->nodes[idx].flags |= N_UNINT;
        if ((rc = enqueue(s, idx, &interesting)) < 0)
            return rc;
    }
    if (!s->n_heap) { /* nothing left to hide: a first scan after all */
        s->all_new = true;
        return GL_OK;
    }
    for (size_t i = 0; i < s->n_refs; i++) {
        idx = s->refs[i].tip;
        if (s->refs[i].changed && !(s->nodes[idx].flags & N_QUEUED) &&
            (rc = enqueue(s, idx, &interesting)) < 0)
            return rc;
    }
    base = s->n_stack;
    while (s->n_heap) {
        node *n;
        if (!interesting) {
            if (s->nodes[s->heap[0]].ctime < oldest || slop-- <= 0)
                break;
        }
        idx = heap_pop(s);
        n = &s->nodes[idx];
        if (n->flags & N_UNINT) {
            for (uint32_t k = 0; k < s->nodes[idx].nparents; k++)
                if ((rc = mark_unint(s, s->par[s->nodes[idx].parents + k], &interesting)) < 0)
                    return rc;
            continue;
        }
        interesting--;
        n->flags |= N_DONE;
        if (n->ctime < oldest)
            oldest = n->ctime;
        if ((rc = push_u32(&s->stack, &s->n_stack, &s->cap_stack, idx)) < 0)
            return rc;
        for (uint32_t k = 0; k < s->nodes[idx].nparents; k++) {
            uint32_t p = s->par[s->nodes[idx].parents + k];
            if (!(s->nodes[p].flags & N_QUEUED) && (rc = enqueue(s, p, &interesting)) < 0)
                return rc;
        }
    }
    /* The candidates were kept on the stack. */
    for (size_t i = base; i < s->n_stack; i++)
        if (!(s->nodes[s->stack[i]].flags & N_UNINT))
            s->nodes[s->stack[i]].flags |= N_NEW;
    s->n_stack = base;
    return GL_OK;
}

/* ------------------------------------------------------------ attribution */

/* Take what ref `label` holds that nobody took yet, from the stack's seeds. */
static int walk(scan *s, int32_t label)
{
    int rc;

    while (s->n_stack) {
        uint32_t idx = s->stack[--s->n_stack];
        if (s->nodes[idx].label >= 0 || !is_new(s, idx))
            continue;
        if ((rc = take(s, idx, label)) < 0)
            return rc;
        for (uint32_t k = 0; k < s->nodes[idx].nparents; k++) {
            uint32_t p = s->par[s->nodes[idx].parents + k];
            if (s->nodes[p].label < 0 && is_new(s, p) &&
                (rc = push_u32(&s->stack, &s->n_stack, &s->cap_stack, p)) < 0)
                return rc;
        }
    }
    return GL_OK;
}

static int attribute(scan *s)
{
    int rc;

    /* 1. Mainline first-parent chains. */
    for (size_t i = 0; i < s->n_refs && s->refs[i].mainline; i++) {
        uint32_t idx = s->refs[i].tip;
        while (s->nodes[idx].label < 0 && is_new(s, idx)) {
            if ((rc = take(s, idx, (int32_t)i)) < 0 ||
                (rc = push_u32(&s->fp, &s->n_fp, &s->cap_fp, idx)) < 0)
                return rc;
            if (!s->nodes[idx].nparents)
                break;
            idx = s->par[s->nodes[idx].parents];
        }
    }
    /* 2. Every other branch. */
    for (size_t i = 0; i < s->n_refs; i++) {
        if (s->refs[i].mainline)
            continue;
        if ((rc = push_u32(&s->stack, &s->n_stack, &s->cap_stack, s->refs[i].tip)) < 0 ||
            (rc = walk(s, (int32_t)i)) < 0)
            return rc;
    }
    /* 3. What the mainline merged from branches that are gone. */
    for (size_t i = 0; i < s->n_fp; i++) {
        uint32_t idx = s->fp[i];
        for (uint32_t k = 1; k < s->nodes[idx].nparents; k++)
            if ((rc = push_u32(&s->stack, &s->n_stack, &s->cap_stack,
                               s->par[s->nodes[idx].parents + k])) < 0)
                return rc;
        if ((rc = walk(s, s->nodes[idx].label)) < 0)
            return rc;
    }
    return GL_OK;
}

/* ------------------------------------------------------------ the scan */

static int open_repo(scan *s)
{
    const char *path = s->opts->path;
    struct stat st;
    int err;

    if (stat(path, &st) != 0)
        return gl_error_set(GL_ENOTFOUND, "git: %s: %s (fix the repository's path in the config)",
                            path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return gl_error_set(GL_ENOTFOUND,
                            "git: %s is not a directory (point the path at a clone of the "
                            "repository)",
                            path);
    err = git_repository_open_ext(&s->repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
    if (err == GIT_ENOTFOUND)
        return gl_error_set(GL_ENOTFOUND,
                            "git: %s is not a Git repository (point the path at the top of a "
                            "clone, or at a bare repository)",
                            path);
    if (err == GIT_EOWNER)
        return gl_error_set(GL_EINSECURE,
                            "git: %s belongs to another user; if you trust it, run "
                            "`git config --global --add safe.directory %s`",
                            path, path);
    if (err < 0)
        return corrupt(s, "cannot open the repository", NULL);
    if (git_repository_odb(&s->odb, s->repo) < 0)
        return corrupt(s, "cannot open the object database", NULL);
    s->n_backends = git_odb_num_backends(s->odb);
    if (!(s->backends = calloc(s->n_backends ? s->n_backends : 1, sizeof(*s->backends))))
        return oom();
    for (size_t i = 0; i < s->n_backends; i++)
        if (git_odb_get_backend(&s->backends[i], s->odb, i) < 0)
            return corrupt(s, "cannot open the object database", NULL);
    /* Without a readable mailmap, authors are taken as they are. */
    if (git_mailmap_from_repository(&s->mailmap, s->repo) < 0) {
        s->mailmap = NULL;
        git_error_clear();
    }
    return GL_OK;
}

/* A shallow clone: the commits whose parents were cut, from .git/shallow. */
static int load_shallow(scan *s)
{
    char *text = NULL, *path;
    size_t len = 0;
    int rc;

    if (git_repository_is_shallow(s->repo) != 1)
        return GL_OK;
    if (!(path = gl_strdupf("%sshallow", git_repository_commondir(s->repo))))
        return oom();
    rc = gl_fs_read_file(&text, &len, path, SHALLOW_MAX);
    free(path);
    if (rc < 0)
        return rc;
    for (const char *p = text; p + GIT_OID_HEXSZ <= text + len;) {
        const char *e = line_end(p, text + len);
        git_oid oid;
        uint32_t idx;
        if (e - p == GIT_OID_HEXSZ && git_oid_fromstrn(&oid, p, GIT_OID_HEXSZ) == 0) {
            if ((rc = node_get(s, &oid, &idx)) < 0) {
                free(text);
                return rc;
            }
            s->nodes[idx].flags |= N_SHALLOW;
        }
        p = next_line(e, text + len);
    }
    free(text);
    add_warning(s,
                "%s is a shallow clone: older history is cut off and not read "
                "(`git -C %s fetch --unshallow` fetches it)",
                s->opts->path, s->opts->path);
    return GL_OK;
}

/* Drop a ref whose tip is not a commit (a branch set to a tree or a tag by hand). */
static int check_tip(scan *s, size_t i, bool *keep)
{
    git_object_t type = GIT_OBJECT_INVALID;
    size_t len;
    int err;

    *keep = true;
    err = git_odb_read_header(&len, &type, s->odb, &s->refs[i].oid);
    if (err == GIT_ENOTFOUND)
        return gl_error_set(GL_EBADDATA,
                            "git: %s: %s points at %s, which is missing (the repository is "
                            "damaged; `git -C %s fsck` says more)",
                            s->opts->path, s->refs[i].name, git_oid_tostr_s(&s->refs[i].oid),
                            s->opts->path);
    if (err < 0)
        return corrupt(s, "cannot read the tip of a branch", &s->refs[i].oid);
    if (type != GIT_OBJECT_COMMIT) {
        add_warning(s, "%s points at a %s, not a commit: skipped", s->refs[i].shortname,
                    git_object_type2string(type));
        *keep = false;
    }
    return GL_OK;
}

static void ref_clear(ref *r)
{
    free(r->name);
    free_keys(r->keys, r->n_keys);
}

static int run(scan *s)
{
    char head[256], remote_head[256] = "", def[256];
    json_object *old = NULL;
    git_oid detached;
    bool is_detached, any_changed = false, bare;
    size_t kept = 0;
    int rc;

    if ((rc = open_repo(s)) < 0 || (rc = load_shallow(s)) < 0)
        return rc;
    bare = git_repository_is_bare(s->repo);
    if ((rc = list_refs(s, "refs/heads/*", KIND_LOCAL, remote_head, sizeof(remote_head))) < 0 ||
        (rc = list_refs(s, "refs/remotes/*", KIND_REMOTE, remote_head, sizeof(remote_head))) < 0 ||
        (rc = head_target(s, head, sizeof(head), &detached, &is_detached)) < 0)
        return rc;
    /* A detached HEAD is read too, last: work done there is work. */
    if (is_detached && (rc = add_ref(s, "HEAD", &detached, KIND_HEAD)) < 0)
        return rc;
    pick_default(s, bare, head, remote_head, def, sizeof(def));

    if ((rc = load_old_tips(s, &old)) < 0)
        return rc;
    s->all_new = old == NULL;
    for (size_t i = 0; i < s->n_refs; i++) {
        ref *r = &s->refs[i];
        git_oid prev;
        bool keep;
        r->changed = !old || !old_oid(old, r->name, &prev) || !git_oid_equal(&prev, &r->oid);
        if (r->changed && (rc = check_tip(s, i, &keep)) < 0)
            goto done;
        if (r->changed && !keep) {
            ref_clear(r);
            continue;
        }
        s->refs[kept++] = *r;
    }
    s->n_refs = kept;
    for (size_t i = 0; i < s->n_refs; i++) {
        ref *r = &s->refs[i];
        if ((rc = node_get(s, &r->oid, &r->tip)) < 0)
            goto done;
        /* Only moved tips are walked; their dates order the walk. */
        if (r->changed && !(s->nodes[r->tip].flags & N_READ) && (rc = read_node(s, r->tip)) < 0)
            goto done;
        r->tip_time = s->nodes[r->tip].ctime;
        r->mainline = mainline_rank(r, def);
        any_changed |= r->changed;
    }
    if (s->n_refs)
        qsort(s->refs, s->n_refs, sizeof(ref), ref_cmp);
    if (old && any_changed && (rc = find_new(s, old)) < 0)
        goto done;
    if (any_changed && (rc = attribute(s)) < 0)
        goto done;
    rc = tips_json(s, &s->out->tips);

done:
    json_object_put(old);
    return rc;
}

int gl_git_scan(const gl_git_options *opts, gl_commit_fn fn, void *payload, gl_git_result *out)
{
    scan s;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!opts || !opts->path || !*opts->path)
        return gl_error_set(GL_EINVAL, "git: a repository path is required");
    memset(&s, 0, sizeof(s));
    s.opts = opts;
    s.fn = fn;
    s.payload = payload;
    s.out = out;

    git_libgit2_init();
    rc = run(&s);
    if (rc != GL_OK) {
        free(out->tips);
        out->tips = NULL;
    }
    gl_trace("git", "%s: %zu commits read, %zu yours, %zu refs", opts->path, out->commits_read,
             out->commits_mine, s.n_refs);

    for (size_t i = 0; i < s.n_refs; i++)
        ref_clear(&s.refs[i]);
    for (size_t i = 0; i < s.n_recs; i++)
        rec_clear(&s.recs[i]);
    free(s.refs);
    free(s.recs);
    free(s.nodes);
    free(s.slots);
    free(s.par);
    free(s.stack);
    free(s.fp);
    free(s.heap);
    free(s.backends);
    git_mailmap_free(s.mailmap);
    git_odb_free(s.odb);
    git_repository_free(s.repo);
    git_libgit2_shutdown();
    return rc;
}

void gl_git_result_clear(gl_git_result *r)
{
    if (!r)
        return;
    free(r->tips);
    memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------ writing a history */

static int git_fail(int err, const char *what, const char *path)
{
    const git_error *e = git_error_last();
    (void)err;
    return gl_error_set(GL_EIO, "%s: cannot %s: %s", path, what,
                        e && e->message ? e->message : "libgit2 failed");
}

int gl_git_write_history(const char *path, const gl_git_commit_spec *commits, size_t n)
{
    git_repository *repo = NULL;
    git_signature *sig = NULL;
    git_treebuilder *tb = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = GL_OK, err;

    if (gl_fs_exists(path))
        return gl_error_set(GL_EEXISTS, "%s exists already", path);
    git_libgit2_init();
    if ((err = git_repository_init(&repo, path, 0)) < 0 ||
        (err = git_repository_set_head(repo, "refs/heads/main")) < 0) {
        rc = git_fail(err, "create a repository", path);
        goto done;
    }
    for (size_t i = 0; i < n && rc == GL_OK; i++) {
        const gl_git_commit_spec *c = &commits[i];
        char branch_ref[300], from_ref[300];
        git_oid blob, tree_id, commit_id, parent_ids[2];
        git_commit *parents[2] = {NULL, NULL};
        git_tree *tree = NULL;
        size_t nparents = 0, add = strlen(c->message) + 1;
        char *grown;

        snprintf(branch_ref, sizeof(branch_ref), "refs/heads/%s", c->branch);
        snprintf(from_ref, sizeof(from_ref), "refs/heads/%s", c->from ? c->from : "main");
        /* The parent: the branch's tip, else the tip of the branch it starts from. */
        if (git_reference_name_to_id(&parent_ids[0], repo, branch_ref) == 0 ||
            git_reference_name_to_id(&parent_ids[0], repo, from_ref) == 0)
            nparents = 1;
        if (c->merge) {
            char merge_ref[300];
            snprintf(merge_ref, sizeof(merge_ref), "refs/heads/%s", c->merge);
            if (git_reference_name_to_id(&parent_ids[nparents], repo, merge_ref) == 0)
                nparents++;
        }
        /* Each commit appends its message to one file, so every tree differs. */
        if (!(grown = realloc(text, len + add + 1))) {
            rc = gl_error_set(GL_ENOMEM, "out of memory");
            break;
        }
        text = grown;
        memcpy(text + len, c->message, add - 1);
        text[len + add - 1] = '\n';
        len += add;
        text[len] = '\0';
        if ((err = git_blob_create_from_buffer(&blob, repo, text, len)) < 0 ||
            (err = git_treebuilder_new(&tb, repo, NULL)) < 0 ||
            (err = git_treebuilder_insert(NULL, tb, "worklog.txt", &blob, GIT_FILEMODE_BLOB)) < 0 ||
            (err = git_treebuilder_write(&tree_id, tb)) < 0 ||
            (err = git_tree_lookup(&tree, repo, &tree_id)) < 0 ||
            (err = git_signature_new(&sig, c->name, c->email, (git_time_t)c->time, c->tz_offset)) <
                0) {
            rc = git_fail(err, "write a commit", path);
        }
        for (size_t k = 0; rc == GL_OK && k < nparents; k++)
            if ((err = git_commit_lookup(&parents[k], repo, &parent_ids[k])) < 0)
                rc = git_fail(err, "read a parent", path);
        if (rc == GL_OK &&
            (err = git_commit_create(&commit_id, repo, branch_ref, sig, sig, NULL, c->message, tree,
                                     nparents, (const git_commit **)parents)) < 0)
            rc = git_fail(err, "write a commit", path);
        for (size_t k = 0; k < 2; k++)
            git_commit_free(parents[k]);
        git_tree_free(tree);
        git_treebuilder_free(tb);
        tb = NULL;
        git_signature_free(sig);
        sig = NULL;
    }

done:
    free(text);
    git_repository_free(repo);
    git_libgit2_shutdown();
    return rc;
}
