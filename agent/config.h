/*
 * config.h - gleaner's configuration: one file in git-config syntax, read
 * through libgit2's config API, checked against one key table.
 *
 * Where the file is: --config FILE, else $GLEANER_CONFIG, else
 * $XDG_CONFIG_HOME/gleaner/config (~/.config/gleaner/config).  A missing
 * default file means "all defaults"; a missing file that was named
 * explicitly is an error.
 *
 * Every key is a row of the table in config.c: section, whether the section
 * takes a name ([rule "standups"]), key, type, default, bounds, and flags
 * (secret file, several values, reloadable on SIGHUP).  Loading refuses
 * unknown keys (suggesting the closest known one), values of the wrong type
 * or out of bounds, unknown time zones, and files holding secrets that are
 * readable by others.  Secrets are never in the config itself: it names
 * files (mode 0600) or environment variables.
 *
 * Values of type path are stored with "~" expanded.
 */
#ifndef GL_CONFIG_H
#define GL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef enum gl_config_type {
    GL_CFG_STRING,
    GL_CFG_INT,      /* integer within [min, max] */
    GL_CFG_NUMBER,   /* decimal within [min, max] */
    GL_CFG_BOOL,     /* true/false/yes/no/on/off/1/0; a bare key is true */
    GL_CFG_PATH,     /* a file path; "~" expanded */
    GL_CFG_URL,      /* https://..., or http:// on loopback only */
    GL_CFG_SOURCE,   /* an .ics path or URL (https, or http on loopback) */
    GL_CFG_MAILURL,  /* smtps://host[:port] or smtp://host[:port] */
    GL_CFG_EMAIL,    /* something@domain */
    GL_CFG_TIMEZONE, /* IANA name */
    GL_CFG_DURATION, /* minutes: "90", "90m", "2h", "1h30m"; within [min, max] minutes */
    GL_CFG_CLOCK,    /* "HH:MM" */
    GL_CFG_HOURS,    /* "HH:MM-HH:MM" */
    GL_CFG_WEEKDAYS, /* "mon tue wed thu fri" */
    GL_CFG_WEEKLY,   /* "fri 16:00" */
    GL_CFG_REGEX,    /* POSIX extended regex (matched case-insensitively) */
    GL_CFG_ENUM,     /* one of `choices` ("a|b|c") */
    GL_CFG_INTLIST,  /* "75 90 100", each within [min, max] */
    GL_CFG_ENVNAME   /* the name of an environment variable */
} gl_config_type;

enum {
    GL_CFG_SECRET = 1 << 0,    /* names a file holding a secret (checked: owner, 0600) */
    GL_CFG_MULTI = 1 << 1,     /* may be given several times */
    GL_CFG_RELOADABLE = 1 << 2 /* SIGHUP applies it without a restart */
};

typedef struct gl_config_key {
    const char *section; /* "harvest" */
    bool named;          /* the section takes a name: [rule "standups"] */
    const char *key;     /* "token-file" */
    gl_config_type type;
    const char *def;     /* default, as it would be written in the file; NULL = unset */
    double min, max;     /* bounds for numbers, durations, lists */
    const char *choices; /* GL_CFG_ENUM: "calendar|git|jira|any" */
    unsigned flags;
    const char *help; /* one line */
} gl_config_key;

typedef struct gl_config gl_config;

/*
 * gl_config_path - where the config file is: `override` (--config), else
 * $GLEANER_CONFIG, else the XDG default.  *explicit_out tells whether it
 * was named (a missing named file is an error).  Caller frees *out.
 */
int gl_config_path(char **out, bool *explicit_out, const char *override);

enum {
    GL_CONFIG_MUST_EXIST = 1 << 0,  /* a missing file is GL_ENOTFOUND, not "all defaults" */
    GL_CONFIG_SKIP_SECRETS = 1 << 1 /* do not check secret files (doctor reports them itself) */
};

/*
 * gl_config_load - read and check the file at `path` (`flags` above).  When
 * the file does not exist and may be missing, the result holds only
 * defaults.  GL_ECONFIG (syntax, unknown key, bad value), GL_EINSECURE (a
 * secret file readable by others), GL_ENOTFOUND (a required file is
 * missing).  Free with gl_config_free.
 */
int gl_config_load(gl_config **out, const char *path, unsigned flags);

/* gl_config_defaults - a configuration of defaults only (no file). */
int gl_config_defaults(gl_config **out);

void gl_config_free(gl_config *cfg);

/* The file this configuration came from, and whether it existed; borrowed. */
const char *gl_config_file(const gl_config *cfg);
bool gl_config_file_exists(const gl_config *cfg);

/*
 * gl_config_get - the value of "section.key" or "section.name.key" (the last
 * one when given several times), else the table's default, else NULL.
 * Borrowed; valid while `cfg` lives.
 */
const char *gl_config_get(const gl_config *cfg, const char *name);

/* Whether the file sets `name` (defaults do not count). */
bool gl_config_is_set(const gl_config *cfg, const char *name);

/*
 * gl_config_get_all - every value of a multi-valued key, in file order, or
 * the default as one value.  Returns the count; *values is borrowed (NULL
 * when the count is 0).
 */
size_t gl_config_get_all(const gl_config *cfg, const char *name, const char *const **values);

/* Typed getters: GL_ENOTFOUND when unset with no default. */
int gl_config_get_int(const gl_config *cfg, const char *name, int64_t *out);
int gl_config_get_number(const gl_config *cfg, const char *name, double *out);
int gl_config_get_bool(const gl_config *cfg, const char *name, bool *out);
int gl_config_get_minutes(const gl_config *cfg, const char *name, int *out);

/*
 * gl_config_sections - the names of every [section "name"] for `section`,
 * in file order ("rule" gives the rules in the order they are tried).
 * Returns the count; *names is borrowed.
 */
size_t gl_config_sections(const gl_config *cfg, const char *section, const char *const **names);

/* The key table; borrowed, static.  *n receives the number of rows. */
const gl_config_key *gl_config_keys(size_t *n);

/*
 * gl_config_check_value - whether `value` is valid for key `name` (as the
 * loader would judge it in a file); GL_ECONFIG with the loader's message
 * otherwise.
 */
int gl_config_check_value(const char *name, const char *value);

/* The table row for "section.key" or "section.name.key", or NULL. */
const gl_config_key *gl_config_find_key(const char *name);

/*
 * Value parsers shared by the loader and by the code that uses the values.
 * Each returns GL_OK or GL_EINVAL (no message; the loader writes one).
 */
int gl_config_parse_bool(bool *out, const char *value);
int gl_config_parse_minutes(int *out, const char *value);       /* duration */
int gl_config_parse_clock(int *minutes_out, const char *value); /* "HH:MM" */
int gl_config_parse_hours(int *start_min, int *end_min, const char *value);
int gl_config_parse_weekdays(unsigned *mask_out, const char *value); /* bit 0 = Sunday */
int gl_config_parse_weekly(int *weekday, int *minutes, const char *value);
int gl_config_parse_intlist(int *out, size_t max, size_t *n, const char *value);

/*
 * gl_config_secret_files - every configured secret file (expanded path and
 * its key name, "harvest.token-file"), for doctor.  Returns the count;
 * arrays are borrowed.
 */
size_t gl_config_secret_files(const gl_config *cfg, const char *const **paths,
                              const char *const **keys);

/*
 * gl_config_write_value - set `name` ("harvest.account-id") to `value` in the
 * file at `path`, creating the file and its directory when missing and
 * keeping everything else in it as it was.  The value is checked as the
 * loader would check it.  gl_config_unset_value removes every value of
 * `name` (nothing to remove is fine).
 */
int gl_config_write_value(const char *path, const char *name, const char *value);
int gl_config_unset_value(const char *path, const char *name);

#endif
