/*
 * cmd.h - the commands behind the rows of the table in cli.c.  Each takes
 * the parsed command line and returns an exit status (GL_EXIT_*).
 */
#ifndef GL_CMD_H
#define GL_CMD_H

#include "agent/catalog.h"
#include "agent/cli.h"
#include "agent/gaps.h"
#include "agent/store.h"

/* The starter config (contrib/gleaner.conf.example, embedded at build time). */
extern const char gl_config_template[];

int gl_cmd_init(gl_cli *cli, const gl_args *args);
int gl_cmd_doctor(gl_cli *cli, const gl_args *args);
int gl_cmd_config(gl_cli *cli, const gl_args *args);
int gl_cmd_harvest(gl_cli *cli, const gl_args *args);
int gl_cmd_mcp(gl_cli *cli, const gl_args *args);
int gl_cmd_sync(gl_cli *cli, const gl_args *args);
int gl_cmd_collect(gl_cli *cli, const gl_args *args);
int gl_cmd_activities(gl_cli *cli, const gl_args *args);
int gl_cmd_day(gl_cli *cli, const gl_args *args);
int gl_cmd_propose(gl_cli *cli, const gl_args *args);
int gl_cmd_review(gl_cli *cli, const gl_args *args);
int gl_cmd_accept(gl_cli *cli, const gl_args *args);
int gl_cmd_reject(gl_cli *cli, const gl_args *args);
int gl_cmd_edit(gl_cli *cli, const gl_args *args);
int gl_cmd_push(gl_cli *cli, const gl_args *args);
int gl_cmd_gaps(gl_cli *cli, const gl_args *args);
int gl_cmd_demo(gl_cli *cli, const gl_args *args);
int gl_cmd_nudge(gl_cli *cli, const gl_args *args);
int gl_cmd_budget(gl_cli *cli, const gl_args *args);
int gl_cmd_invoice(gl_cli *cli, const gl_args *args);
int gl_cmd_report(gl_cli *cli, const gl_args *args);
int gl_cmd_daemon(gl_cli *cli, const gl_args *args);

/* Shared printers: proposals by day (with the reasons when `why`), and a gaps table. */
void gl_print_proposals(gl_cli *cli, const gl_catalog *cat, const gl_proposal_list *l, bool why);
void gl_print_gaps(gl_cli *cli, const gl_gaps *g, const gl_window *w, const char *tz);

#endif
