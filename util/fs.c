/*
 * fs.c - file helpers.
 */
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "str.h"

#define GL_SECRET_MAX (64 * 1024)

static const char *home_dir(void)
{
    const char *home = getenv("HOME");
    struct passwd *pw;

    if (home && *home)
        return home;
    pw = getpwuid(getuid());
    return pw ? pw->pw_dir : NULL;
}

int gl_fs_expand_home(char **out, const char *path)
{
    const char *home;

    *out = NULL;
    if (path[0] != '~' || (path[1] != '\0' && path[1] != '/')) {
        *out = gl_strdup(path);
        return *out ? GL_OK : gl_error_set(GL_ENOMEM, "out of memory");
    }
    home = home_dir();
    if (!home)
        return gl_error_set(GL_ECONFIG, "cannot expand '%s': HOME is not set", path);
    *out = gl_strdupf("%s%s", home, path + 1);
    return *out ? GL_OK : gl_error_set(GL_ENOMEM, "out of memory");
}

int gl_fs_xdg_path(char **out, const char *env_var, const char *fallback, const char *leaf)
{
    const char *base = getenv(env_var);
    const char *home;

    /* The XDG spec says relative values are invalid and must be ignored. */
    if (base && base[0] == '/')
        *out = gl_strdupf("%s/%s", base, leaf);
    else if ((home = home_dir()))
        *out = gl_strdupf("%s/%s/%s", home, fallback, leaf);
    else
        return gl_error_set(GL_ECONFIG, "cannot find your home directory: HOME is not set");
    return *out ? GL_OK : gl_error_set(GL_ENOMEM, "out of memory");
}

int gl_fs_mkdirs(const char *dir, mode_t mode)
{
    char *copy = gl_strdup(dir), *p;
    int rc = GL_OK;

    if (!copy)
        return gl_error_set(GL_ENOMEM, "out of memory");
    for (p = copy + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(copy, mode) != 0 && errno != EEXIST) {
                rc = gl_error_set(GL_EIO, "cannot create directory %s: %s", copy, strerror(errno));
                break;
            }
            *p = saved;
            if (saved == '\0')
                break;
        }
    }
    if (rc == GL_OK && !gl_fs_is_dir(dir))
        rc = gl_error_set(GL_EIO, "%s exists and is not a directory", dir);
    free(copy);
    return rc;
}

char *gl_fs_dirname(const char *path)
{
    char *copy = gl_strdup(path), *dir;
    if (!copy)
        return NULL;
    dir = gl_strdup(dirname(copy));
    free(copy);
    return dir;
}

bool gl_fs_exists(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0;
}

bool gl_fs_is_dir(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int gl_fs_read_file(char **out, size_t *len, const char *path, size_t max)
{
    int fd = -1, rc = GL_OK;
    struct stat st;
    char *data = NULL;
    size_t used = 0, cap;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return gl_error_set(GL_ENOTFOUND, "%s does not exist", path);
        return gl_error_set(GL_EIO, "cannot open %s: %s", path, strerror(errno));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = gl_error_set(GL_EIO, "%s is not a regular file", path);
        goto done;
    }
    if ((size_t)st.st_size > max) {
        rc = gl_error_set(GL_ETOOBIG, "%s is %lld bytes, over the %zu-byte limit", path,
                          (long long)st.st_size, max);
        goto done;
    }
    cap = (size_t)st.st_size + 1;
    if (!(data = malloc(cap + 1))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory reading %s", path);
        goto done;
    }
    for (;;) {
        ssize_t n = read(fd, data + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = gl_error_set(GL_EIO, "cannot read %s: %s", path, strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        used += (size_t)n;
        if (used == cap) { /* the file grew while we read it */
            rc = gl_error_set(GL_ETOOBIG, "%s grew while being read", path);
            goto done;
        }
    }
    data[used] = '\0';
    *out = data;
    data = NULL;
    if (len)
        *len = used;
done:
    free(data);
    close(fd);
    return rc;
}

int gl_fs_read_head(char *out, size_t len, size_t *got, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    *got = 0;
    if (len)
        out[0] = '\0';
    if (fd < 0) {
        if (errno == ENOENT)
            return gl_error_set(GL_ENOTFOUND, "%s does not exist", path);
        return gl_error_set(GL_EIO, "cannot open %s: %s", path, strerror(errno));
    }
    do
        n = read(fd, out, len > 0 ? len - 1 : 0);
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n < 0)
        return gl_error_set(GL_EIO, "cannot read %s: %s", path, strerror(errno));
    out[n] = '\0';
    *got = (size_t)n;
    return GL_OK;
}

static int write_temp(char **tmp_out, const char *path, const void *data, size_t len, mode_t mode)
{
    char *tmp = gl_strdupf("%s.tmp-XXXXXX", path);
    const char *p = data;
    int fd, rc = GL_OK;

    *tmp_out = NULL;
    if (!tmp)
        return gl_error_set(GL_ENOMEM, "out of memory");
    fd = mkstemp(tmp);
    if (fd < 0) {
        rc = gl_error_set(GL_EIO, "cannot create a file next to %s: %s", path, strerror(errno));
        free(tmp);
        return rc;
    }
    if (fchmod(fd, mode) != 0)
        rc = gl_error_set(GL_EIO, "cannot set the mode of %s: %s", tmp, strerror(errno));
    while (rc == GL_OK && len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = gl_error_set(GL_EIO, "cannot write %s: %s", path, strerror(errno));
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    if (rc == GL_OK && fsync(fd) != 0)
        rc = gl_error_set(GL_EIO, "cannot write %s: %s", path, strerror(errno));
    if (close(fd) != 0 && rc == GL_OK)
        rc = gl_error_set(GL_EIO, "cannot write %s: %s", path, strerror(errno));
    if (rc != GL_OK) {
        unlink(tmp);
        free(tmp);
        return rc;
    }
    *tmp_out = tmp;
    return GL_OK;
}

int gl_fs_write_new(const char *path, const void *data, size_t len, mode_t mode)
{
    char *tmp = NULL;
    int rc;

    if (gl_fs_exists(path))
        return gl_error_set(GL_EEXISTS, "%s already exists", path);
    if ((rc = write_temp(&tmp, path, data, len, mode)) < 0)
        return rc;
    /* link() fails if the target appeared meanwhile: never overwrite. */
    if (link(tmp, path) != 0) {
        rc = errno == EEXIST ? gl_error_set(GL_EEXISTS, "%s already exists", path)
                             : gl_error_set(GL_EIO, "cannot create %s: %s", path, strerror(errno));
    }
    unlink(tmp);
    free(tmp);
    return rc;
}

int gl_fs_write_replace(const char *path, const void *data, size_t len, mode_t mode)
{
    char *tmp = NULL;
    int rc;

    if ((rc = write_temp(&tmp, path, data, len, mode)) < 0)
        return rc;
    if (rename(tmp, path) != 0) {
        rc = gl_error_set(GL_EIO, "cannot replace %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

int gl_fs_check_secret(const char *path, const char *what)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return gl_error_set(GL_ENOTFOUND, "%s: %s does not exist", what, path);
        return gl_error_set(GL_EIO, "%s: cannot read %s: %s", what, path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return gl_error_set(GL_EINSECURE, "%s: %s is not a regular file", what, path);
    if (st.st_uid != geteuid())
        return gl_error_set(GL_EINSECURE,
                            "%s: %s belongs to uid %u, not to you (uid %u); "
                            "run: chown %u %s && chmod 600 %s",
                            what, path, (unsigned)st.st_uid, (unsigned)geteuid(),
                            (unsigned)geteuid(), path, path);
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        return gl_error_set(GL_EINSECURE,
                            "%s: %s is accessible by others (mode %04o); run: chmod 600 %s", what,
                            path, (unsigned)(st.st_mode & 07777), path);
    return GL_OK;
}

int gl_fs_read_secret(char **out, const char *path, const char *what)
{
    char *data = NULL;
    int rc;

    *out = NULL;
    if ((rc = gl_fs_check_secret(path, what)) < 0)
        return rc;
    if ((rc = gl_fs_read_file(&data, NULL, path, GL_SECRET_MAX)) < 0)
        return gl_error_prefix("%s", what);
    gl_str_trim(data);
    if (!*data) {
        free(data);
        return gl_error_set(GL_ECONFIG, "%s: %s is empty", what, path);
    }
    *out = data;
    return GL_OK;
}

void gl_fs_free_secret(char *secret)
{
    if (!secret)
        return;
    /* explicit_bzero is not optimised away like memset before free. */
    explicit_bzero(secret, strlen(secret));
    free(secret);
}

int gl_fs_lock(const char *path, const char *what, int *fd_out)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    *fd_out = -1;
    if (fd < 0)
        return gl_error_set(GL_EIO, "cannot open the lock %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int err = errno;
        close(fd);
        if (err == EWOULDBLOCK)
            return gl_error_set(GL_ELOCKED,
                                "%s is already running (it holds %s); wait for it "
                                "to finish",
                                what, path);
        return gl_error_set(GL_EIO, "cannot lock %s: %s", path, strerror(err));
    }
    *fd_out = fd;
    return GL_OK;
}

void gl_fs_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 || errno == ENOENT ? 0 : -1;
}

int gl_fs_remove_tree(const char *path)
{
    if (!gl_fs_exists(path))
        return GL_OK;
    if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return gl_error_set(GL_EIO, "cannot remove %s: %s", path, strerror(errno));
    return GL_OK;
}

int gl_fs_make_temp_dir(char **out, const char *prefix)
{
    const char *tmp = getenv("TMPDIR");
    char *path;

    *out = NULL;
    if (!(path = gl_strdupf("%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix)))
        return gl_error_set(GL_ENOMEM, "out of memory");
    if (!mkdtemp(path)) {
        int err = errno;
        free(path);
        return gl_error_set(GL_EIO, "cannot make a temporary directory in %s: %s",
                            tmp && *tmp ? tmp : "/tmp", strerror(err));
    }
    *out = path;
    return GL_OK;
}
