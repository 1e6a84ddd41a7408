/*
 * git.h - the user's commits from a Git repository, read with libgit2.
 *
 * Every local branch (refs/heads/) and remote-tracking branch
 * (refs/remotes/, not their symbolic HEADs) is read, and a detached HEAD
 * too; tags, notes, stashes and other refs are not.  A commit is reported
 * once however many branches hold it, attributed to the most specific
 * branch that holds it, so that a feature branch's name can yield a Jira
 * key while the branch exists:
 *
 *   1. The mainline branches own their first-parent history: the default
 *      branch (a bare repository's HEAD; else what origin/HEAD names; else
 *      main or master; else a working copy's HEAD), local before
 *      remote-tracking, then the long-lived names main, master, develop,
 *      development, dev and trunk.  (Without this, a feature branch would
 *      take all of the history it was branched from.)
 *   2. Every other branch then takes the commits it holds that nobody took
 *      yet: local branches, then remote-tracking ones, then a detached
 *      HEAD; within each, older tips first, so that a branch stacked on or
 *      merged into another keeps its own commits.
 *   3. The mainline branches take the rest of what they hold (branches
 *      merged and deleted).
 *
 * Only commits whose author email, after the repository's mailmap, is one
 * of the user's identities (ASCII case-insensitive) are reported.  Scans
 * are incremental: the result carries the branch tips seen, and a later
 * scan given them reads only the commits not reachable from any of them
 * (as `git rev-list NEW ^OLD` does), so a rebased or force-pushed branch
 * gives its new commits and a deleted one nothing.  A commit's attribution
 * is decided when it is first reported and not revisited.
 *
 * Commits are read raw from the object database (no object cache, no hash
 * re-check), one read per commit: a first scan runs at about git log's
 * speed and memory (tests/bench/bench_git.py).
 */
#ifndef GL_GIT_H
#define GL_GIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gl_commit {
    const char *id;           /* 40 hex digits */
    int64_t time;             /* author time, UTC seconds */
    int tz_offset;            /* the author's zone then, minutes east of UTC */
    const char *author_email; /* after the mailmap */
    const char *author_name;
    const char *branch;  /* "feature/ACME-142-login", "origin/main", "HEAD" (detached) */
    const char *summary; /* the first paragraph of the message on one line (git's %s), at most
                            1000 bytes; control characters become spaces, invalid UTF-8 '?' */
    const char *const *jira_keys; /* from the branch name, then the whole message; distinct */
    size_t n_jira_keys;
    unsigned parents; /* as written in the commit (also at a shallow cut); 2 or more: a merge */
} gl_commit;

/*
 * Every pointer in a gl_commit is borrowed for the duration of the callback.
 * Commits come in no particular order.  Return 0 to go on; a negative GL_E*
 * code (with its message set) stops the scan and gl_git_scan returns it; a
 * positive value stops it with GL_ERROR.
 */
typedef int (*gl_commit_fn)(void *payload, const gl_commit *commit);

/* Called every 4096 commits read with the number read so far. */
typedef void (*gl_git_progress_fn)(void *payload, size_t commits_read);

typedef struct gl_git_options {
    const char *path; /* the top of a working copy, its .git, or a bare repository; required
                         (not searched upwards: a subdirectory is "not a Git repository") */
    const char *const *identities; /* the user's email addresses (case-insensitive) */
    size_t n_identities;
    const char *tips; /* the `tips` of the previous scan's result, or NULL: read everything.
                         Unreadable tips read everything again, with a warning. */
    gl_git_progress_fn progress;
    void *progress_payload;
} gl_git_options;

typedef struct gl_git_result {
    char *tips;          /* JSON {"refs/heads/main":"<oid>",...,"HEAD":"<oid>" when detached}
                            for the next scan; owned; NULL after an error */
    size_t commits_read; /* commit objects read (an incremental scan reads the previous tips
                            and a few around them too) */
    size_t commits_mine; /* passed to the callback */
    char warning[256];   /* "" when none; else one or more, joined by "; ": a shallow clone
                            whose history is cut, a branch that is not a commit, unreadable
                            tips */
} gl_git_result;

/*
 * gl_git_scan - read the repository at opts->path, passing each of the
 * user's new commits to `fn` (may be NULL: count only).
 *
 * Errors, each with a message that names the path and what to do:
 *   GL_EINVAL     no path
 *   GL_ENOTFOUND  the path does not exist, is not a directory, or is not a
 *                 Git repository
 *   GL_EINSECURE  the repository belongs to another user (libgit2's
 *                 safe.directory check)
 *   GL_EBADDATA   a damaged repository: an object that cannot be read or
 *                 parsed, a branch naming a missing commit, a corrupt
 *                 packed-refs file (`git fsck` says more).  A loose ref file
 *                 holding garbage is skipped silently by libgit2, as git
 *                 skips it with "ignoring broken ref".
 *   GL_ENOMEM
 * A shallow clone is read as far as it goes, with a warning; a bare
 * repository is read like any other (its mailmap is HEAD:.mailmap); an
 * empty one gives no commits, tips "{}" and no error.
 *
 * Calls git_libgit2_init/shutdown itself (a program that holds its own init
 * spares each scan libgit2's start-up, mostly parsing the TLS certificate
 * bundle: ~4 ms).  Clear `out` with gl_git_result_clear (also after errors).
 */
int gl_git_scan(const gl_git_options *opts, gl_commit_fn fn, void *payload, gl_git_result *out);
void gl_git_result_clear(gl_git_result *r);

/*
 * gl_git_jira_keys - the Jira issue keys ([A-Z][A-Z0-9]+-[0-9]+) in `text`
 * (NULL: none), appended to keys[*n] up to `max`, skipping ones already
 * there.  A key stands alone: no ASCII letter or digit just before or after
 * it ('/', '-', '_', '.', blanks and non-ASCII bytes separate), and it is
 * taken whole ("XABC-1" is XABC-1, never ABC-1; "xABC-1" and "ABC-1x" are
 * none).  Returned strings are malloc'd; the caller frees each.
 */
void gl_git_jira_keys(const char *text, char **keys, size_t *n, size_t max);

/* One commit for gl_git_write_history.  Strings are borrowed. */
typedef struct gl_git_commit_spec {
    const char *branch; /* "main", "feature/GLX-88-nav" */
    const char *from;   /* a new branch starts at this branch's tip (NULL: "main") */
    const char *name, *email;
    int64_t time;  /* author and committer time, UTC seconds */
    int tz_offset; /* minutes east of UTC */
    const char *message;
    const char *merge; /* a branch to merge: its tip becomes the second parent; NULL: none */
} gl_git_commit_spec;

/*
 * gl_git_write_history - create a new repository at `path` (which must not
 * exist yet) holding these commits, in order, each on its branch (every
 * commit changes one file), with HEAD on main.  For the demo and for tests
 * that need a history with chosen dates and authors.
 */
int gl_git_write_history(const char *path, const gl_git_commit_spec *commits, size_t n);

#endif
