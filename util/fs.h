/*
 * fs.h - files: home expansion, directories, capped reads, atomic writes,
 * and the permission check for files that hold secrets.
 */
#ifndef GL_FS_H
#define GL_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/*
 * gl_fs_expand_home - "~" and "~/x" become $HOME and $HOME/x (the passwd
 * entry when HOME is unset); other paths are copied.  Caller frees *out.
 */
int gl_fs_expand_home(char **out, const char *path);

/*
 * gl_fs_xdg_path - `leaf` under an XDG base directory: $`env_var` when it is
 * an absolute path, else $HOME/`fallback` (XDG_CONFIG_HOME, ".config" ->
 * ~/.config/leaf).  Caller frees *out.
 */
int gl_fs_xdg_path(char **out, const char *env_var, const char *fallback, const char *leaf);

/* gl_fs_mkdirs - create `dir` and its parents with `mode` (existing is fine). */
int gl_fs_mkdirs(const char *dir, mode_t mode);

/* gl_fs_dirname - the directory part of `path` ("." when none); caller frees. */
char *gl_fs_dirname(const char *path);

bool gl_fs_exists(const char *path);
bool gl_fs_is_dir(const char *path);

/*
 * gl_fs_read_file - read a whole file, refusing one larger than `max` bytes
 * (GL_ETOOBIG).  *out is NUL-terminated, *len (optional) excludes the NUL;
 * caller frees *out.  GL_ENOTFOUND when it does not exist, GL_EIO otherwise.
 */
int gl_fs_read_file(char **out, size_t *len, const char *path, size_t max);

/*
 * gl_fs_read_head - the first `len - 1` bytes of a file, NUL-terminated in
 * `out`; *got receives the count.  Errors as gl_fs_read_file.
 */
int gl_fs_read_head(char *out, size_t len, size_t *got, const char *path);

/*
 * gl_fs_write_new - create `path` with `mode` and write `data`; never
 * replaces an existing file (GL_EEXISTS).  Written to a temporary file in
 * the same directory and linked into place, so a crash leaves either
 * nothing or the whole file.
 */
int gl_fs_write_new(const char *path, const void *data, size_t len, mode_t mode);

/*
 * gl_fs_write_replace - like gl_fs_write_new but replaces an existing file
 * atomically (rename).
 */
int gl_fs_write_replace(const char *path, const void *data, size_t len, mode_t mode);

/*
 * gl_fs_check_secret - a file that holds a secret must be a regular file
 * owned by the current user and not readable or writable by group or others.
 * `what` names it in the message ("harvest.token-file").  GL_ENOTFOUND when
 * missing, GL_EINSECURE with the chmod/chown that fixes it, GL_EIO otherwise.
 */
int gl_fs_check_secret(const char *path, const char *what);

/*
 * gl_fs_read_secret - gl_fs_check_secret, then read the file (at most 64 KiB)
 * with surrounding blanks trimmed; an empty file is GL_ECONFIG.  Caller frees
 * *out (and should clear it first: gl_fs_free_secret).
 */
int gl_fs_read_secret(char **out, const char *path, const char *what);
void gl_fs_free_secret(char *secret);

/*
 * gl_fs_lock - hold an exclusive advisory lock on `path` (created 0600 if
 * missing) for as long as the returned descriptor is open.  GL_ELOCKED,
 * saying `what` holds it, when another process has it.  Release with
 * gl_fs_unlock; the lock also ends with the process, however it ends.
 */
int gl_fs_lock(const char *path, const char *what, int *fd_out);
void gl_fs_unlock(int fd);

/*
 * gl_fs_remove_tree - remove `path` and everything under it (symbolic links
 * are removed, never followed).  A missing path is fine.
 */
int gl_fs_remove_tree(const char *path);

/*
 * gl_fs_make_temp_dir - a new private directory (0700) under $TMPDIR (or
 * /tmp) named after `prefix`.  Caller frees *out.
 */
int gl_fs_make_temp_dir(char **out, const char *prefix);

#endif
