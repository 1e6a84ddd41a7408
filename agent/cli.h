/*
 * cli.h - the command line: one table of git-style subcommands, option
 * parsing with help generated from each command's option table, and the
 * exit codes.
 *
 * Exit status (DESIGN.md section 8): 0 success, 1 a failure at run time,
 * 2 a usage or configuration error.  Errors go to stderr as one line
 * "gleaner: <what failed and what to do>".
 */
#ifndef GL_CLI_H
#define GL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "agent/config.h"
#include "agent/store.h"
#include "util/clock.h"

#define GL_EXIT_OK      0
#define GL_EXIT_FAILURE 1
#define GL_EXIT_USAGE   2

/* One option of a command.  `arg` names the value ("FILE"); NULL for a flag. */
typedef struct gl_option {
    const char *name; /* long name without dashes: "from" */
    char short_name;  /* 0 for none */
    const char *arg;
    const char *help;
    bool repeatable; /* may be given several times (values collected) */
} gl_option;

#define GL_MAX_OPTIONS 24
#define GL_MAX_VALUES  16

/* What a command was given on its command line. */
typedef struct gl_args {
    const gl_option *options;
    int count[GL_MAX_OPTIONS];                         /* times each option was given */
    const char *values[GL_MAX_OPTIONS][GL_MAX_VALUES]; /* values, in order */
    char **positional;                                 /* borrowed from argv */
    int npositional;
} gl_args;

/* The state a command runs with. */
typedef struct gl_cli {
    const char *config_override; /* --config */
    const char *db_override;     /* --db */
    bool json;                   /* --json */
    int verbose;                 /* -v count */
    const gl_clock *clock;       /* system clock, or the test clock (GLEANER_TEST_NOW) */
    FILE *out;                   /* stdout */
    FILE *err;                   /* stderr */
    gl_config *cfg;              /* loaded on first gl_cli_config(); owned */
} gl_cli;

typedef int (*gl_command_fn)(gl_cli *cli, const gl_args *args);

typedef struct gl_command {
    const char *name;
    gl_command_fn run;                  /* NULL: listed, but not available in this version */
    const char *group;                  /* heading in gleaner --help */
    const char *usage;                  /* after "gleaner NAME ": "[--from D] [--to D]" */
    const char *summary;                /* one line */
    const char *description;            /* paragraphs for NAME --help */
    const gl_option *options;           /* terminated by a zeroed row; may be NULL */
    int min_positional, max_positional; /* max -1: any number */
} gl_command;

/* gl_cli_main - the whole program; returns the exit status. */
int gl_cli_main(int argc, char **argv);

/*
 * gl_cli_config - the configuration, loaded once (exits are the caller's:
 * on failure the message is set and the code returned).  Borrowed.
 */
int gl_cli_config(gl_cli *cli, const gl_config **out);

/* gl_cli_db_path - where the store is (--db, GLEANER_DB, config, XDG); caller frees. */
int gl_cli_db_path(gl_cli *cli, char **out);

/* "YYYY-MM-DD" and its NUL. */
#define GL_DAY_LEN 11

/* gl_cli_timezone - user.timezone, else the system's zone; caller frees. */
int gl_cli_timezone(gl_cli *cli, char **out);

/* gl_cli_today - today's date in the user's zone, on the CLI's clock. */
int gl_cli_today(gl_cli *cli, char out[GL_DAY_LEN]);

/*
 * gl_cli_day_option - option `name` of `cmd` as a day D (DESIGN.md section 8:
 * YYYY-MM-DD, today or yesterday, relative to `today`) into `out`; *given
 * says whether it was there.  A bad value prints a usage error and returns
 * GL_EINVAL.
 */
int gl_cli_day_option(gl_cli *cli, const char *cmd, const gl_args *args, const char *name,
                      const char *today, char out[GL_DAY_LEN], bool *given);

/* A span of whole local days and its bounds in UTC seconds. */
typedef struct gl_window {
    char from[GL_DAY_LEN], to[GL_DAY_LEN]; /* inclusive */
    int64_t start, end;                    /* [start, end) */
    int days;
} gl_window;

/*
 * gl_cli_window - the --from/--to window of `cmd` (DESIGN.md section 8):
 * the current week (Monday to Sunday) when neither is given; --from alone
 * runs to today (or to the end of its week if that is in the future);
 * --to alone starts on that week's Monday.  Usage errors are printed and
 * returned as GL_EINVAL; longer than `max_days` is one.
 */
int gl_cli_window(gl_cli *cli, const char *cmd, const gl_args *args, int max_days, gl_window *out);

/*
 * gl_cli_window_between - like gl_cli_window for days given as strings
 * (YYYY-MM-DD or NULL for the same defaults), without printing: a bad
 * window is GL_EINVAL with a message.  For the tools.
 */
int gl_cli_window_between(gl_cli *cli, const char *from, const char *to, int max_days,
                          gl_window *out);

/*
 * gl_window_of_days - the window from..to (inclusive, YYYY-MM-DD) in the
 * user's zone.
 */
int gl_cli_window_of_days(gl_cli *cli, const char *from, const char *to, gl_window *out);

/*
 * gl_cli_fail - print "gleaner: <last error>" to stderr and return the exit
 * status for `code` (2 for usage and config errors, 1 otherwise).
 */
int gl_cli_fail(gl_cli *cli, int code);

/* gl_cli_usage_error - print a usage error for `cmd` and return 2. */
int gl_cli_usage_error(gl_cli *cli, const char *cmd, const char *fmt, ...) GL_PRINTF(3, 4);

/* gl_cli_exit_code - 0 for GL_OK, 2 for usage/config codes, 1 otherwise. */
int gl_cli_exit_code(int code);

/* gl_cli_open_store - the store: --db, else $GLEANER_DB, else store.path, else the XDG default. */
int gl_cli_open_store(gl_cli *cli, gl_store **out);

/* gl_cli_print_json - `doc` pretty-printed on the command's output, with a newline. */
void gl_cli_print_json(gl_cli *cli, json_object *doc);

/* gl_cli_columns - the width of the terminal `f` is (60 to 160), else 80. */
size_t gl_cli_columns(FILE *f);

/*
 * gl_cli_print_fit - `s` in `width` columns (one per code point): cut with
 * "..." when longer, and padded with spaces to the width when `pad`.
 */
void gl_cli_print_fit(FILE *f, const char *s, size_t width, bool pad);

/* Option values: the last value of `name` (NULL when absent), or all of them. */
const char *gl_args_value(const gl_args *args, const char *name);
int gl_args_values(const gl_args *args, const char *name, const char *const **values);
bool gl_args_flag(const gl_args *args, const char *name);

/* The command table; borrowed, static.  *n receives the number of rows. */
const gl_command *gl_cli_commands(size_t *n);

#endif
