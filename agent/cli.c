/*
 * cli.c - command table, option parsing, help, dispatch and exit codes.
 */
#include "cli.h"

#include <stdarg.h>
#include <sys/ioctl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <git2.h>
#include <json-c/json.h>
#include <libical/ical.h>
#include <sqlite3.h>

#include "agent/cmd.h"
#include "agent/signin.h"
#include "agent/store.h"
#include "gl_version.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

/* ------------------------------------------------------------ the table */

static const gl_option init_options[] = {
    {"email", 0, "ADDR", "your email (repeatable; default: user.email from your Git config)", true},
    {"timezone", 0, "ZONE", "IANA time zone (default: the system's)", false},
    {0},
};

static const gl_option no_options[] = {{0}};

static const gl_option config_options[] = {
    {"defaults", 0, NULL, "also list keys that are unset, with their defaults", false},
    {0},
};

static const char config_description[] =
    "Print the configuration gleaner uses: every key the file sets, one per\n"
    "line as NAME = VALUE (paths with ~ expanded), or with NAME only that value\n"
    "(one line per value for keys given several times). NAME is section.key or\n"
    "section.name.key, e.g. user.timezone or repo.acme-web.path.\n"
    "\n"
    "The file is checked as every command checks it: a syntax error, an unknown\n"
    "key, a bad value or a secret file others can read is a one-line error and\n"
    "exit status 2.";

static const char init_description[] =
    "Write a commented starter configuration and create the local store.\n"
    "\n"
    "The config goes to --config FILE, $GLEANER_CONFIG, or\n"
    "$XDG_CONFIG_HOME/gleaner/config (~/.config/gleaner/config). An existing\n"
    "file is never overwritten. Your email defaults to Git's user.email and the\n"
    "time zone to the system's; everything else is commented out with its\n"
    "default, ready to edit. Then run: gleaner doctor";

static const char doctor_description[] =
    "Check that gleaner can work: the config file, the time zone, every secret\n"
    "file (it must be yours and mode 0600), the store, every configured Git\n"
    "repository and calendar, and the Harvest settings. One line per check;\n"
    "each failure says what to do about it. Nothing is sent over the network.\n"
    "\n"
    "Exit status: 0 when nothing failed (warnings are fine), 1 when a check\n"
    "failed, 2 when the configuration itself is wrong.";

static const gl_option auth_options[] = {
    {"token-file", 0, "FILE", "a Harvest personal access token in FILE (mode 0600)", false},
    {"oauth", 0, NULL, "sign in through Harvest ID in your browser instead", false},
    {"account", 0, "ID", "the Harvest account to use when the sign-in reaches several", false},
    {"timeout", 0, "SECONDS", "how long a browser sign-in (--oauth, google) waits (default 300)",
     false},
    {0},
};

static const char auth_description[] =
    "Connect gleaner to Harvest and to Google Calendar.\n"
    "\n"
    "  gleaner auth harvest --token-file ~/.config/gleaner/harvest.token\n"
    "      A personal access token from https://id.getharvest.com/developers,\n"
    "      saved in a file only you can read (chmod 600). gleaner checks it,\n"
    "      picks the account, and records harvest.token-file and\n"
    "      harvest.account-id in your config.\n"
    "\n"
    "  gleaner auth harvest --oauth\n"
    "      Sign in through Harvest ID in your browser. Needs an OAuth2 application\n"
    "      of your own (harvest.client-id, harvest.client-secret-file) whose\n"
    "      redirect URL is http://127.0.0.1. gleaner prints an address to open,\n"
    "      catches the answer on 127.0.0.1, and keeps the tokens in\n"
    "      harvest-oauth.json beside the config (mode 0600), refreshing them\n"
    "      before they expire.\n"
    "\n"
    "  gleaner auth google\n"
    "      Sign in to Google in your browser, for calendars with google = ID.\n"
    "      Needs an OAuth client of type Desktop app of your own (google.client-id,\n"
    "      google.client-secret-file). gleaner asks for read-only calendar access,\n"
    "      catches the answer on 127.0.0.1, and keeps the tokens in\n"
    "      google.token-file (default google-oauth.json beside the config, mode\n"
    "      0600), refreshing them before they expire.\n"
    "\n"
    "When the sign-in reaches several Harvest accounts, gleaner asks which one\n"
    "(or takes --account ID). Tokens are never printed, logged or stored in the\n"
    "config or the database.";

static const gl_option harvest_options[] = {
    {"list", 0, NULL, "list the tools (with --json: their MCP descriptions)", false},
    {"schema", 0, "TOOL", "print one tool's description and argument schema", false},
    {"read-only", 0, NULL, "hide and refuse the tools that change anything", false},
    {0},
};

static const char harvest_description[] =
    "Call one of gleaner's Harvest tools - the same set `gleaner mcp` offers AI\n"
    "assistants - and print its JSON result. JSON-ARGS is one JSON object ('-'\n"
    "reads it from stdin); it is checked against the tool's schema before\n"
    "anything is sent, and a bad argument is a one-line error with exit status 2.\n"
    "Lists follow every page. Every call is recorded in the store's audit log.\n"
    "\n"
    "Examples:\n"
    "  gleaner harvest --list\n"
    "  gleaner harvest list_projects '{\"is_active\":true}'\n"
    "  gleaner harvest list_time_entries '{\"from\":\"2026-11-16\",\"to\":\"2026-11-20\"}'\n"
    "  gleaner harvest create_time_entry '{\"project_id\":1,\"task_id\":2,\n"
    "      \"spent_date\":\"2026-11-20\",\"hours\":1.5,\"notes\":\"Review\"}'";

static const gl_option mcp_options[] = {
    {"read-only", 0, NULL, "offer only the tools that read; refuse the others", false},
    {0},
};

static const char mcp_description[] =
    "Serve gleaner's tools to an AI assistant over the Model Context Protocol:\n"
    "JSON-RPC 2.0 on stdin and stdout, one message per line. The assistant's\n"
    "MCP client starts this command; it runs until its input closes. Logs go to\n"
    "stderr. Every tool call is recorded in the store's audit log.\n"
    "\n"
    "For example, in an MCP client's configuration (Claude Desktop and others):\n"
    "\n"
    "  {\"mcpServers\": {\"gleaner\": {\"command\": \"gleaner\",\n"
    "                               \"args\": [\"mcp\", \"--read-only\"]}}}\n"
    "\n"
    "Leave out --read-only to let the assistant create and change entries.";

static const gl_option sync_options[] = {
    {"from", 0, "D", "re-list time entries from this day (default: 28 days ago)", false},
    {"to", 0, "D", "... up to this day (default: a week ahead)", false},
    {"dry-run", 0, NULL, "fetch and count, but write nothing", false},
    {0},
};

static const char sync_description[] =
    "gleaner sync harvest keeps a copy of Harvest in the store, which proposals,\n"
    "gaps and reports read instead of asking Harvest again: you, your team (when\n"
    "the token may list it), clients, projects, tasks, assignments and your time\n"
    "entries. The first sync reads a year of entries; later ones read what\n"
    "changed (updated_since) and re-list the --from/--to window, which is how\n"
    "entries deleted in Harvest disappear here. D is YYYY-MM-DD, today or\n"
    "yesterday. Nothing is written unless everything was fetched.\n"
    "\n"
    "jira, xero and quickbooks are not available in this version.";

static const gl_option collect_options[] = {
    {"from", 0, "D", "first day of the calendar window (default: this week's Monday)", false},
    {"to", 0, "D", "last day of the window (default: this week's Sunday)", false},
    {"source", 0, "NAME", "collect only this source: calendar:NAME or git:NAME", false},
    {0},
};

static const char collect_description[] =
    "gleaner collect reads every source in your config into the store: each\n"
    "[calendar \"NAME\"] (an .ics file, an https:// or webcal:// feed, or a Google\n"
    "calendar) for the --from/--to window, and each [repo \"NAME\"] for your new\n"
    "commits (the ones whose author, after the repository's .mailmap, is one of\n"
    "your user.email addresses), however old they are. Run it as often as you\n"
    "like: it adds what is new, updates what changed, and removes meetings that\n"
    "were deleted from the window. D is YYYY-MM-DD, today or yesterday.\n"
    "\n"
    "A source that fails (a missing repository, a feed answering HTML) is\n"
    "reported and the others are still collected; the exit status is then 1.\n"
    "A feed that fails keeps its last good copy, with a warning.\n"
    "\n"
    "Then see what was collected with gleaner activities or gleaner day.";

static const gl_option activities_options[] = {
    {"from", 0, "D", "first day (default: this week's Monday)", false},
    {"to", 0, "D", "last day (default: this week's Sunday)", false},
    {"source", 0, "NAME", "only this source: calendar:NAME or git:NAME", false},
    {0},
};

static const char activities_description[] =
    "gleaner activities lists what gleaner collected, day by day in your time\n"
    "zone: every meeting occurrence and every commit, whether it counts as work,\n"
    "and if not, why not: declined, cancelled, free (shown as available), all-day\n"
    "(unless the calendar sets include-all-day), out of office, focus time.\n"
    "It reads only the store; run gleaner collect first.\n"
    "\n"
    "With --json: {\"activities\":[{\"kind\",\"source\",\"key\",\"start\",\"end\",\n"
    "\"title\",\"counted\",\"why\",\"details\"}]}, times in UTC.";

static const char day_description[] =
    "gleaner day draws one day (default today; D is YYYY-MM-DD, today or\n"
    "yesterday) as a timeline across your work hours: a row of meetings (solid:\n"
    "counted, shaded: not counted) and a row of commits per repository, then\n"
    "the list of what happened. It fits 80 columns; colour is used only on a\n"
    "terminal and never when NO_COLOR is set. With --json: the day's activities.";

static const gl_option propose_options[] = {
    {"from", 0, "D", "first day (default: this week's Monday)", false},
    {"to", 0, "D", "last day (default: this week's Sunday)", false},
    {"offline", 0, NULL, "propose from the store as it is: no collect, no Harvest sync", false},
    {"dry-run", 0, NULL, "say what would change; write nothing", false},
    {"list", 0, NULL, "only list the stored proposals of the window", false},
    {0},
};

static const char propose_description[] =
    "gleaner propose collects (your calendars and Git, as gleaner collect does),\n"
    "refreshes the Harvest mirror when you are signed in, and turns each day's\n"
    "activities into the time entries you would have written: one per day,\n"
    "project and task, hours rounded up to propose.round, with notes, a\n"
    "confidence, the reason the project was chosen and the sources.\n"
    "\n"
    "One timeline per day: counted meetings first (overlaps merged), then your\n"
    "Git sessions per repository (a pause over git.max-gap starts a new one; each\n"
    "starts git.lead-in before its first commit, never before the previous\n"
    "activity or the start of your work hours), cut around the meetings, so no\n"
    "minute counts twice. Evenings and weekends count when there are commits.\n"
    "Unless the config sets git.max-gap or git.lead-in, both (and the minutes\n"
    "after a last commit) are fitted to the days you tracked by hand, starting\n"
    "from the usual habits (a 75 min pause, 20 min before a first commit); -v\n"
    "says what was chosen and from how many days.\n"
    "\n"
    "The project: the first [rule \"NAME\"] that matches; else what gleaner learned\n"
    "from your own Harvest entries and your past decisions, when it is at least\n"
    "propose.min-confidence sure; else \"unassigned\". Hours already in Harvest for\n"
    "the day, project and task are subtracted.\n"
    "\n"
    "Run it as often as you like: it never duplicates a proposal, updates the\n"
    "open ones, and leaves edited and rejected ones as you left them. Then\n"
    "gleaner review (or accept, reject, edit), and gleaner push.";

static const char review_description[] =
    "gleaner review shows each open proposal with its sources and the reason for\n"
    "its project, and asks: [a]ccept, [e]dit (hours, project, task, notes),\n"
    "[r]eject, [s]kip or [q]uit. Edits and decisions are kept and learned from.\n"
    "Without --from/--to it reviews every open proposal. It reads answers from\n"
    "standard input, one per line, so it can be scripted too.";

static const gl_option review_options[] = {
    {"from", 0, "D", "review only proposals from this day", false},
    {"to", 0, "D", "... to this day", false},
    {0},
};

static const gl_option accept_options[] = {
    {"all", 0, NULL, "every open proposal that has a project and task", false},
    {"min-confidence", 0, "X", "with --all: only those at least this sure (0-1)", false},
    {"from", 0, "D", "with --all: only from this day", false},
    {"to", 0, "D", "with --all: only to this day", false},
    {0},
};

static const char accept_description[] =
    "gleaner accept queues the Harvest entries of the proposals given by id (as\n"
    "gleaner propose lists them), or of every open, assigned one with --all\n"
    "(optionally only those at least --min-confidence sure). gleaner push sends\n"
    "them. Unassigned proposals are refused: give them a project first with\n"
    "gleaner edit or gleaner review. What you accept is learned from.";

static const char reject_description[] =
    "gleaner reject marks proposals as not to be tracked. They stay rejected when\n"
    "gleaner propose runs again, and nothing more is proposed for their day,\n"
    "project and task. A queued entry that has not been sent is taken back.";

static const gl_option edit_options[] = {
    {"hours", 0, "H", "the hours (e.g. 1.5)", false},
    {"project", 0, "P", "the Harvest project: id, code or name", false},
    {"task", 0, "T", "the task: id or name (default with a new project: your usual one)", false},
    {"notes", 0, "TEXT", "the notes", false},
    {0},
};

static const char edit_description[] =
    "gleaner edit changes one proposal. It then stays as you left it when\n"
    "gleaner propose runs again; a new project or task is learned from. An\n"
    "accepted proposal that was not sent yet goes back to proposed: accept it\n"
    "again when it is right.";

static const gl_option push_options[] = {
    {"dry-run", 0, NULL, "list what would be sent; send nothing", false},
    {0},
};

static const char push_description[] =
    "gleaner push creates the accepted proposals in Harvest, each exactly once.\n"
    "Every entry carries gleaner's key as its external_reference. Before sending\n"
    "again anything whose first send may have reached Harvest (a timeout, a lost\n"
    "answer, a crash), gleaner looks the key up in Harvest, so a proposal never\n"
    "becomes two entries. Entries Harvest refuses go back to review with its\n"
    "message; the rest are retried with backoff, and by the next push.\n"
    "Exit status 1 when anything was refused or is still queued.";

static const gl_option gaps_options[] = {
    {"from", 0, "D", "first day (default: this week's Monday)", false},
    {"to", 0, "D", "last day (default: this week's Sunday)", false},
    {0},
};

static const char gaps_description[] =
    "gleaner gaps compares, per day, what you are expected to track (your weekly\n"
    "hours over your workdays, less time out of office) with what is tracked in\n"
    "Harvest and accepted in gleaner, and shows the stretches of your work hours\n"
    "nothing covers. Weekly hours: user.weekly-hours, else your Harvest weekly\n"
    "capacity (after gleaner sync harvest), else 40. Time off: Google\n"
    "out-of-office events, calendars with holidays = true, and all-day events\n"
    "matching gaps.out-of-office.";

static const gl_option demo_options[] = {
    {"keep", 0, "DIR", "keep the demo's config, calendar, repositories and store in DIR", false},
    {0},
};

static const char demo_description[] =
    "gleaner demo shows what gleaner does with a week of work, offline and without\n"
    "an account: the calendar, two Git repositories and four weeks of Harvest\n"
    "history of Ada Lovelace, a consultant with two clients, built into gleaner.\n"
    "It builds the repositories and a store in a temporary directory, collects,\n"
    "proposes her week's time entries and shows what is still missing, then\n"
    "removes everything (or keeps it in --keep DIR, to try other commands on).\n"
    "Nothing you have configured is read or changed.";

static const gl_option nudge_options[] = {
    {"dry-run", 0, NULL, "show the message and whether it is due; send nothing", false},
    {0},
};

static const char nudge_description[] =
    "gleaner nudge collects and proposes today's entries, then, at nudge.at (17:30)\n"
    "or later on a workday, when more than nudge.min-gap hours (0.5) of today's\n"
    "expected time are not tracked, sends one message per day to the notify\n"
    "channels (Slack, email) listing what gleaner proposes and the command that\n"
    "accepts it. Run again the same day, it sends nothing. The daemon does this\n"
    "by itself at nudge.at.";

static const gl_option budget_options[] = {
    {"check", 0, NULL, "raise the alerts that are due and send them", false},
    {"dry-run", 0, NULL, "with or without --check: show the alerts that are due; send nothing",
     false},
    {0},
};

static const char budget_description[] =
    "gleaner budget shows every active Harvest project with a budget (hours or\n"
    "money, monthly or for the whole project): spent, the share used, the burn rate\n"
    "over the last four weeks and the day 100% is reached at that rate. Each of\n"
    "budget.thresholds (75 90 100) is alerted once per project and period (the\n"
    "month, for monthly budgets) to the notify channels: with --check now, and\n"
    "hourly by the daemon. Several thresholds crossed at once make one message.\n"
    "One raised while no channel is configured is shown as not sent, and goes\n"
    "out with the first check after one is, while its period lasts.\n"
    "Needs a token that sees budgets (an administrator's, or a project manager's).";

static const gl_option invoice_options[] = {
    {"check", 0, NULL, "draft (and, with send = true, send) the invoices that are due", false},
    {"dry-run", 0, NULL, "with --check: show what would be drafted; change nothing", false},
    {0},
};

static const char invoice_description[] =
    "gleaner invoice evaluates each [milestone \"NAME\"]: project = its Harvest\n"
    "project, when = monthly (the month that ended), hours >= N (uninvoiced\n"
    "billable hours) or budget >= N (percent spent). When one fires, --check makes\n"
    "a draft Harvest invoice for the project's client from the tracked time since\n"
    "the previous milestone (line_items_import, grouped by summary = project, task,\n"
    "people or detailed), once per milestone and period, even across crashes;\n"
    "with send = true Harvest emails it to the milestone's recipients. Without\n"
    "--check it only says what is due.";

static const gl_option report_options[] = {
    {"week", 0, "YYYY-Www", "the ISO week (default: this week)", false},
    {"format", 0, "F", "text (default), html, csv or json (default with --json)", false},
    {"send", 0, NULL, "also send it to report.to by email and to Slack (once per week)", false},
    {0},
};

static const char report_description[] =
    "gleaner report weekly shows, for everyone your Harvest token can see (an\n"
    "administrator's or manager's token: the whole team; else just you): weekly\n"
    "capacity, hours tracked, billable hours, compliance (tracked / capacity) and\n"
    "the workdays with nothing tracked, people under report.threshold (90%) first.\n"
    "--send mails it (HTML and text) to report.to and posts it to Slack, once per\n"
    "week; with report.remind = true each person behind gets a friendly note. The\n"
    "daemon sends it at report.at (fri 16:00).";

static const gl_option daemon_options[] = {
    {"once", 0, NULL, "run the jobs that are due now, then exit (for cron)", false},
    {"until", 0, "TIME", "exit at this UTC time (2026-11-23T00:00:00Z)", false},
    {0},
};

static const char daemon_description[] =
    "gleaner daemon is the background agent: one per user and store. It collects\n"
    "and proposes every daemon.collect-every (15m), syncs the Harvest mirror every\n"
    "daemon.sync-every (30m), pushes accepted proposals, checks budgets hourly and\n"
    "milestones daily, nudges at nudge.at and sends the weekly report at report.at,\n"
    "and delivers what it queued. Jobs missed while the machine slept run once on\n"
    "waking. SIGTERM lets the current job finish and exits; SIGHUP reloads the\n"
    "config. A second daemon on the same store is refused. It logs one line per\n"
    "job to stderr (journald). contrib/ has a systemd user unit and a launchd plist.";

static const gl_command commands[] = {
    {"init", gl_cmd_init, "start here", "[--email ADDR]... [--timezone ZONE]",
     "write a commented starter config and create the store", init_description, init_options, 0, 0},
    {"doctor", gl_cmd_doctor, "start here", "", "check config, secrets, store, repos and calendars",
     doctor_description, no_options, 0, 0},
    {"config", gl_cmd_config, "start here", "[--defaults] [NAME]",
     "show the effective configuration, or one value", config_description, config_options, 0, 1},
    {"demo", gl_cmd_demo, "start here", "[--keep DIR]", "an offline run on bundled sample data",
     demo_description, demo_options, 0, 0},
    {"auth", gl_cmd_auth, "connect",
     "harvest --token-file FILE | harvest --oauth [--account ID] | google",
     "sign in to Harvest or Google Calendar", auth_description, auth_options, 1, 1},
    {"sync", gl_cmd_sync, "connect", "harvest [--from D] [--to D] [--dry-run]",
     "mirror Harvest into the store (jira, xero, quickbooks: later)", sync_description,
     sync_options, 1, 1},
    {"harvest", gl_cmd_harvest, "connect", "TOOL ['JSON-ARGS'] | --list | --schema TOOL",
     "call a Harvest tool (the set MCP exposes)", harvest_description, harvest_options, 0, 2},
    {"mcp", gl_cmd_mcp, "connect", "[--read-only]",
     "serve gleaner's tools to AI assistants over MCP", mcp_description, mcp_options, 0, 0},
    {"collect", gl_cmd_collect, "capture", "[--from D] [--to D] [--source NAME]",
     "read calendars and Git into the store", collect_description, collect_options, 0, 0},
    {"activities", gl_cmd_activities, "capture", "[--from D] [--to D] [--source NAME]",
     "what was collected, counted or not, and why", activities_description, activities_options, 0,
     0},
    {"day", gl_cmd_day, "capture", "[D]", "one day as a timeline in the terminal", day_description,
     no_options, 0, 1},
    {"propose", gl_cmd_propose, "capture", "[--from D] [--to D] [--offline] [--dry-run] [--list]",
     "turn activities into proposed entries", propose_description, propose_options, 0, 0},
    {"review", gl_cmd_review, "capture", "[--from D] [--to D]",
     "accept, edit or reject proposals interactively", review_description, review_options, 0, 0},
    {"accept", gl_cmd_accept, "capture", "ID... | --all [--min-confidence X]", "accept proposals",
     accept_description, accept_options, 0, -1},
    {"reject", gl_cmd_reject, "capture", "ID...", "reject proposals", reject_description,
     no_options, 1, -1},
    {"edit", gl_cmd_edit, "capture", "ID [--hours H] [--project P] [--task T] [--notes TEXT]",
     "change a proposal", edit_description, edit_options, 1, 1},
    {"push", gl_cmd_push, "capture", "[--dry-run]",
     "create accepted proposals in Harvest, exactly once", push_description, push_options, 0, 0},
    {"gaps", gl_cmd_gaps, "capture", "[--from D] [--to D]",
     "expected versus tracked hours, per day", gaps_description, gaps_options, 0, 0},
    {"nudge", gl_cmd_nudge, "agent", "[--dry-run]", "remind about today's gap", nudge_description,
     nudge_options, 0, 0},
    {"budget", gl_cmd_budget, "agent", "[--check] [--dry-run]", "project budgets and their alerts",
     budget_description, budget_options, 0, 0},
    {"invoice", gl_cmd_invoice, "agent", "[--check] [--dry-run]",
     "draft invoices at billing milestones", invoice_description, invoice_options, 0, 0},
    {"report", gl_cmd_report, "agent", "weekly [--week YYYY-Www] [--format F] [--send]",
     "the weekly timesheet compliance report", report_description, report_options, 1, 1},
    {"daemon", gl_cmd_daemon, "agent", "[--once] [--until TIME]", "run as the background agent",
     daemon_description, daemon_options, 0, 0},
};

static const gl_option global_options[] = {
    {"config", 0, "FILE", "use this config file (default: $GLEANER_CONFIG or XDG path)", false},
    {"db", 0, "FILE", "use this store (default: $GLEANER_DB or $XDG_DATA_HOME/gleaner/gleaner.db)",
     false},
    {"json", 0, NULL, "print one JSON document on stdout", false},
    {"verbose", 'v', NULL, "say more (-vv for debug output)", true},
    {"help", 'h', NULL, "show help", false},
    {"version", 0, NULL, "print the version", false},
    {0},
};

enum { G_CONFIG, G_DB, G_JSON, G_VERBOSE, G_HELP, G_VERSION };

const gl_command *gl_cli_commands(size_t *n)
{
    *n = sizeof(commands) / sizeof(commands[0]);
    return commands;
}

/* ---------------------------------------------------------- exit codes */

int gl_cli_exit_code(int code)
{
    switch (code) {
    case GL_OK:
        return GL_EXIT_OK;
    case GL_EINVAL:
    case GL_ECONFIG:
    case GL_EINSECURE:
        return GL_EXIT_USAGE;
    default:
        return GL_EXIT_FAILURE;
    }
}

int gl_cli_fail(gl_cli *cli, int code)
{
    char msg[1200];
    snprintf(msg, sizeof(msg), "%s", gl_error_last()[0] ? gl_error_last() : gl_strerror(code));
    gl_str_sanitize(msg);
    fprintf(cli->err, "gleaner: %s\n", msg);
    return gl_cli_exit_code(code);
}

int gl_cli_usage_error(gl_cli *cli, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(cli->err, "gleaner%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(cli->err, fmt, ap);
    va_end(ap);
    fprintf(cli->err, " (see: gleaner %s%s--help)\n", cmd ? cmd : "", cmd ? " " : "");
    return GL_EXIT_USAGE;
}

/* ------------------------------------------------------------- options */

static int option_index(const gl_option *opts, const char *name, size_t namelen, char short_name)
{
    for (int i = 0; opts && opts[i].name; i++) {
        if (short_name && opts[i].short_name == short_name)
            return i;
        if (!short_name && strlen(opts[i].name) == namelen &&
            strncmp(opts[i].name, name, namelen) == 0)
            return i;
    }
    return -1;
}

const char *gl_args_value(const gl_args *args, const char *name)
{
    int i = option_index(args->options, name, strlen(name), 0);
    if (i < 0 || args->count[i] == 0)
        return NULL;
    return args->values[i][(args->count[i] > GL_MAX_VALUES ? GL_MAX_VALUES : args->count[i]) - 1];
}

int gl_args_values(const gl_args *args, const char *name, const char *const **values)
{
    int i = option_index(args->options, name, strlen(name), 0);
    if (i < 0 || args->count[i] == 0) {
        *values = NULL;
        return 0;
    }
    *values = args->values[i];
    return args->count[i] > GL_MAX_VALUES ? GL_MAX_VALUES : args->count[i];
}

bool gl_args_flag(const gl_args *args, const char *name)
{
    int i = option_index(args->options, name, strlen(name), 0);
    return i >= 0 && args->count[i] > 0;
}

/* Record one option; global options apply to `cli` wherever they appear. */
static int take_option(gl_cli *cli, const char *cmd, gl_args *args, bool global, int idx,
                       const char *value, bool *help, bool *version)
{
    if (global) {
        switch (idx) {
        case G_CONFIG:
            cli->config_override = value;
            break;
        case G_DB:
            cli->db_override = value;
            break;
        case G_JSON:
            cli->json = true;
            break;
        case G_VERBOSE:
            cli->verbose++;
            break;
        case G_HELP:
            *help = true;
            break;
        case G_VERSION:
            *version = true;
            break;
        }
        return GL_EXIT_OK;
    }
    if (idx >= GL_MAX_OPTIONS) {
        fprintf(cli->err, "gleaner: internal error: %s has more than %d options\n", cmd,
                GL_MAX_OPTIONS);
        return GL_EXIT_FAILURE;
    }
    if (args->count[idx] > 0 && !args->options[idx].repeatable)
        return gl_cli_usage_error(cli, cmd, "--%s given twice", args->options[idx].name);
    if (args->count[idx] < GL_MAX_VALUES)
        args->values[idx][args->count[idx]] = value;
    args->count[idx]++;
    return GL_EXIT_OK;
}

/*
 * Parse argv[first..] against `cmd_opts` plus the global options.  Options
 * and positional arguments may be mixed; "--" ends options.  With
 * stop_at_positional (the global command line), parsing stops at the first
 * positional argument: the command name.
 */
static int parse(gl_cli *cli, const char *cmd, const gl_option *cmd_opts, int argc, char **argv,
                 int first, bool stop_at_positional, gl_args *args, int *next, bool *help,
                 bool *version)
{
    int i, rc;

    memset(args, 0, sizeof(*args));
    args->options = cmd_opts;
    args->positional = calloc((size_t)argc + 1, sizeof(char *));
    if (!args->positional) {
        fprintf(cli->err, "gleaner: out of memory\n");
        return GL_EXIT_FAILURE;
    }
    for (i = first; i < argc; i++) {
        char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc && !stop_at_positional; i++)
                args->positional[args->npositional++] = argv[i];
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            if (stop_at_positional)
                break;
            args->positional[args->npositional++] = a;
            continue;
        }
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t namelen = eq ? (size_t)(eq - name) : strlen(name);
            const char *value = eq ? eq + 1 : NULL;
            bool global = false;
            const gl_option *opt;
            int idx = option_index(cmd_opts, name, namelen, 0);
            if (idx < 0) {
                idx = option_index(global_options, name, namelen, 0);
                global = idx >= 0;
            }
            if (idx < 0)
                return gl_cli_usage_error(cli, cmd, "unknown option --%.*s", (int)namelen, name);
            opt = global ? &global_options[idx] : &cmd_opts[idx];
            if (opt->arg && !value) {
                if (i + 1 >= argc)
                    return gl_cli_usage_error(cli, cmd, "--%s needs a value (%s)", opt->name,
                                              opt->arg);
                value = argv[++i];
            } else if (!opt->arg && value) {
                return gl_cli_usage_error(cli, cmd, "--%s takes no value", opt->name);
            }
            if ((rc = take_option(cli, cmd, args, global, idx, value, help, version)) != 0)
                return rc;
            continue;
        }
        /* Short options, bundled: -vv */
        for (const char *p = a + 1; *p; p++) {
            bool global = false;
            const gl_option *opt;
            const char *value = NULL;
            int idx = option_index(cmd_opts, NULL, 0, *p);
            if (idx < 0) {
                idx = option_index(global_options, NULL, 0, *p);
                global = idx >= 0;
            }
            if (idx < 0)
                return gl_cli_usage_error(cli, cmd, "unknown option -%c", *p);
            opt = global ? &global_options[idx] : &cmd_opts[idx];
            if (opt->arg) {
                if (p[1])
                    value = p + 1;
                else if (i + 1 < argc)
                    value = argv[++i];
                else
                    return gl_cli_usage_error(cli, cmd, "-%c needs a value (%s)", *p, opt->arg);
                if ((rc = take_option(cli, cmd, args, global, idx, value, help, version)) != 0)
                    return rc;
                break;
            }
            if ((rc = take_option(cli, cmd, args, global, idx, NULL, help, version)) != 0)
                return rc;
        }
    }
    *next = i;
    return GL_EXIT_OK;
}

/* ---------------------------------------------------------------- help */

static void print_options(FILE *f, const char *heading, const gl_option *opts)
{
    if (!opts || !opts[0].name)
        return;
    fprintf(f, "\n%s:\n", heading);
    for (int i = 0; opts[i].name; i++) {
        char left[64];
        if (opts[i].short_name)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", opts[i].short_name, opts[i].name,
                     opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", opts[i].name, opts[i].arg ? " " : "",
                     opts[i].arg ? opts[i].arg : "");
        fprintf(f, "  %-22s %s\n", left, opts[i].help);
    }
}

static void print_main_help(FILE *f)
{
    static const char *const groups[] = {"start here", "capture", "connect", "agent"};
    size_t n = sizeof(commands) / sizeof(commands[0]);

    fprintf(f, "usage: gleaner [--config FILE] [--db FILE] [--json] [-v] COMMAND [ARGS]\n"
               "\n"
               "gleaner finds the billable time you forgot to track. It reads what already\n"
               "happened (calendar meetings and Git history; Jira worklogs in a later\n"
               "version), proposes Harvest time entries for it, and tells you what is still\n"
               "missing.\n");
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        fprintf(f, "\n%s:\n", groups[g]);
        for (size_t i = 0; i < n; i++) {
            if (strcmp(commands[i].group, groups[g]) != 0)
                continue;
            fprintf(f, "  %-11s %s%s\n", commands[i].name, commands[i].summary,
                    commands[i].run ? "" : " (not in this version)");
        }
    }
    print_options(f, "global options", global_options);
    fprintf(f, "\n"
               "Dates are YYYY-MM-DD in your time zone, or today, yesterday.\n"
               "Exit status: 0 success, 1 failure at run time, 2 usage or config error.\n"
               "Environment: GLEANER_CONFIG, GLEANER_DB, GLEANER_TRACE (e.g. harvest,http),\n"
               "NO_COLOR. Run 'gleaner COMMAND --help' for a command's options.\n");
}

static void print_command_help(FILE *f, const gl_command *c)
{
    fprintf(f, "usage: gleaner %s%s%s\n\n%s\n", c->name, c->usage[0] ? " " : "", c->usage,
            c->run ? c->description : c->summary);
    if (!c->run)
        fprintf(f, "\nNot available in this version of gleaner (%s).\n", GL_VERSION);
    print_options(f, "options", c->options);
    print_options(f, "global options", global_options);
}

static void print_version(gl_cli *cli)
{
    curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
    int major = 0, minor = 0, rev = 0;

    git_libgit2_version(&major, &minor, &rev);
    if (cli->json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "version", json_object_new_string(GL_VERSION));
        json_object_object_add(o, "libcurl", json_object_new_string(curl->version));
        json_object_object_add(o, "libical", json_object_new_string(ICAL_VERSION));
        json_object_object_add(o, "json-c", json_object_new_string(json_c_version()));
        json_object_object_add(o, "sqlite", json_object_new_string(sqlite3_libversion()));
        json_object_object_add(o, "store_schema", json_object_new_int(GL_STORE_VERSION));
        fprintf(cli->out, "%s\n", gl_json_compact(o));
        json_object_put(o);
        return;
    }
    fprintf(cli->out, "gleaner %s\n", GL_VERSION);
    if (cli->verbose)
        fprintf(cli->out,
                "libcurl %s, libgit2 %d.%d.%d, libical %s, json-c %s, sqlite %s, "
                "store schema %d\n",
                curl->version, major, minor, rev, ICAL_VERSION, json_c_version(),
                sqlite3_libversion(), GL_STORE_VERSION);
}

/* ------------------------------------------------------------- logging */

static void stderr_sink(gl_log_level level, const char *category, const char *line, void *payload)
{
    static const char *const names[] = {"error", "warning", "info", "debug", "trace"};
    char copy[4096];
    FILE *f = payload;

    snprintf(copy, sizeof(copy), "%s", line);
    gl_str_sanitize(copy);
    if (category)
        fprintf(f, "gleaner: [%s] %s\n", category, copy);
    else
        fprintf(f, "gleaner: %s: %s\n", names[level], copy);
}

/* ------------------------------------------------------------ config */

int gl_cli_config(gl_cli *cli, const gl_config **out)
{
    char *path = NULL;
    bool named = false;
    int rc;

    if (!cli->cfg) {
        if ((rc = gl_config_path(&path, &named, cli->config_override)) < 0)
            return rc;
        rc = gl_config_load(&cli->cfg, path, named ? GL_CONFIG_MUST_EXIST : 0);
        free(path);
        if (rc < 0)
            return rc == GL_ENOTFOUND ? GL_ECONFIG : rc;
    }
    *out = cli->cfg;
    return GL_OK;
}

int gl_cli_timezone(gl_cli *cli, char **out)
{
    const gl_config *cfg;
    const char *zone;
    int rc;

    *out = NULL;
    if ((rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    if ((zone = gl_config_get(cfg, "user.timezone")))
        return (*out = gl_strdup(zone)) ? GL_OK : gl_error_set(GL_ENOMEM, "out of memory");
    return gl_tz_system(out);
}

int gl_cli_today(gl_cli *cli, char out[GL_DAY_LEN])
{
    gl_local_time lt;
    char *zone = NULL;
    int rc;

    if ((rc = gl_cli_timezone(cli, &zone)) < 0)
        return rc;
    rc = gl_tz_to_local(&lt, zone, gl_clock_now(cli->clock));
    free(zone);
    if (rc < 0)
        return rc;
    snprintf(out, GL_DAY_LEN, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
    return GL_OK;
}

int gl_cli_day_option(gl_cli *cli, const char *cmd, const gl_args *args, const char *name,
                      const char *today, char out[GL_DAY_LEN], bool *given)
{
    const char *v = gl_args_value(args, name);
    int y, m, d;

    *given = v != NULL;
    if (!v)
        return GL_OK;
    if (strcmp(v, "today") == 0 || strcmp(v, "yesterday") == 0) {
        if (gl_date_parse(today, &y, &m, &d) < 0)
            return gl_error_set(GL_EINVAL, "today '%s' is not a date", today);
        if (v[0] == 'y')
            gl_date_add_days(&y, &m, &d, -1);
    } else if (gl_date_parse(v, &y, &m, &d) < 0) {
        gl_cli_usage_error(cli, cmd, "--%s takes YYYY-MM-DD, today or yesterday, not '%s'", name,
                           v);
        return GL_EINVAL;
    }
    snprintf(out, GL_DAY_LEN, "%04d-%02d-%02d", y, m, d);
    return GL_OK;
}

int gl_cli_window_of_days(gl_cli *cli, const char *from, const char *to, gl_window *out)
{
    int fy, fm, fd, ty, tm, td, rc;
    int64_t unused;
    char *zone = NULL;

    if (gl_date_parse(from, &fy, &fm, &fd) < 0 || gl_date_parse(to, &ty, &tm, &td) < 0)
        return gl_error_set(GL_EINVAL, "'%s' to '%s' is not a span of days", from, to);
    if ((rc = gl_cli_timezone(cli, &zone)) < 0)
        return rc;
    if ((rc = gl_tz_day_bounds(&out->start, &unused, zone, fy, fm, fd)) == GL_OK)
        rc = gl_tz_day_bounds(&unused, &out->end, zone, ty, tm, td);
    free(zone);
    if (rc < 0)
        return rc;
    snprintf(out->from, GL_DAY_LEN, "%s", from);
    snprintf(out->to, GL_DAY_LEN, "%s", to);
    out->days = (int)(gl_days_from_civil(ty, tm, td) - gl_days_from_civil(fy, fm, fd)) + 1;
    return GL_OK;
}

/* The Monday of the week holding y-m-d, as YYYY-MM-DD. */
static void monday_of(char out[GL_DAY_LEN], const char *day, int offset_days)
{
    int y, m, d;
    int64_t n;

    gl_date_parse(day, &y, &m, &d);
    n = gl_days_from_civil(y, m, d);
    n -= (gl_weekday_of_days(n) + 6) % 7; /* back to Monday */
    gl_civil_from_days(n + offset_days, &y, &m, &d);
    snprintf(out, GL_DAY_LEN, "%04d-%02d-%02d", y, m, d);
}

int gl_cli_window(gl_cli *cli, const char *cmd, const gl_args *args, int max_days, gl_window *out)
{
    char today[GL_DAY_LEN], from[GL_DAY_LEN], to[GL_DAY_LEN];
    bool has_from, has_to;
    int rc;

    if ((rc = gl_cli_today(cli, today)) < 0)
        return rc;
    if ((rc = gl_cli_day_option(cli, cmd, args, "from", today, from, &has_from)) < 0 ||
        (rc = gl_cli_day_option(cli, cmd, args, "to", today, to, &has_to)) < 0)
        return rc;
    if (!has_from)
        monday_of(from, has_to ? to : today, 0);
    if (!has_to) {
        if (has_from && strcmp(from, today) <= 0)
            snprintf(to, GL_DAY_LEN, "%s", today);
        else
            monday_of(to, from, 6);
    }
    if (strcmp(from, to) > 0) {
        gl_cli_usage_error(cli, cmd, "--from %s is after --to %s", from, to);
        return GL_EINVAL;
    }
    if ((rc = gl_cli_window_of_days(cli, from, to, out)) < 0)
        return rc;
    if (max_days > 0 && out->days > max_days) {
        gl_cli_usage_error(cli, cmd, "%s to %s is %d days; at most %d at a time", from, to,
                           out->days, max_days);
        return GL_EINVAL;
    }
    return GL_OK;
}

int gl_cli_window_between(gl_cli *cli, const char *from_day, const char *to_day, int max_days,
                          gl_window *out)
{
    char today[GL_DAY_LEN], from[GL_DAY_LEN], to[GL_DAY_LEN];
    int rc, y, m, d;

    if ((rc = gl_cli_today(cli, today)) < 0)
        return rc;
    if ((from_day && gl_date_parse(from_day, &y, &m, &d) < 0) ||
        (to_day && gl_date_parse(to_day, &y, &m, &d) < 0))
        return gl_error_set(GL_EINVAL, "dates are YYYY-MM-DD, not '%s'",
                            from_day && gl_date_parse(from_day, &y, &m, &d) < 0 ? from_day
                                                                                : to_day);
    if (from_day)
        snprintf(from, sizeof(from), "%s", from_day);
    else
        monday_of(from, to_day ? to_day : today, 0);
    if (to_day)
        snprintf(to, sizeof(to), "%s", to_day);
    else if (from_day && strcmp(from, today) <= 0)
        snprintf(to, sizeof(to), "%s", today);
    else
        monday_of(to, from, 6);
    if (strcmp(from, to) > 0)
        return gl_error_set(GL_EINVAL, "from %s is after to %s", from, to);
    if ((rc = gl_cli_window_of_days(cli, from, to, out)) < 0)
        return rc;
    if (max_days > 0 && out->days > max_days)
        return gl_error_set(GL_EINVAL, "%s to %s is %d days; at most %d at a time", from, to,
                            out->days, max_days);
    return GL_OK;
}

int gl_cli_db_path(gl_cli *cli, char **out)
{
    const gl_config *cfg = NULL;
    int rc;

    /* --db and GLEANER_DB do not need the config; only store.path does. */
    if (!cli->db_override && !getenv("GLEANER_DB") && (rc = gl_cli_config(cli, &cfg)) < 0)
        return rc;
    return gl_store_path(out, cli->db_override, cfg);
}

/* -------------------------------------------------------------- main */

static gl_clock_fake *test_clock;

/*
 * GLEANER_TEST_NOW=2026-11-21T09:00:00Z runs gleaner on a fake clock that
 * starts there and never really sleeps: end-to-end tests use it to cross
 * days, weeks and Retry-After waits without waiting.
 */
static int setup_clock(gl_cli *cli)
{
    const char *now = getenv("GLEANER_TEST_NOW");
    int64_t t;

    cli->clock = gl_clock_system();
    if (!now || !*now)
        return GL_OK;
    if (gl_time_parse_utc(&t, now) < 0)
        return gl_error_prefix("GLEANER_TEST_NOW");
    if (gl_clock_fake_new(&test_clock, t * 1000) < 0)
        return gl_error_last_code();
    cli->clock = gl_clock_fake_clock(test_clock);
    return GL_OK;
}

static const gl_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static const char *closest_command(const char *name)
{
    const char *best = NULL;
    int best_d = 3;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        int d = gl_str_distance(name, commands[i].name);
        if (d < best_d) {
            best_d = d;
            best = commands[i].name;
        }
    }
    return best;
}

int gl_cli_main(int argc, char **argv)
{
    gl_cli cli = {0};
    gl_args global = {0}, args = {0};
    const gl_command *cmd;
    bool help = false, version = false;
    int next = 1, rc;

    cli.out = stdout;
    cli.err = stderr;
    gl_log_set_sink(stderr_sink, stderr);
    if ((rc = parse(&cli, NULL, NULL, argc, argv, 1, true, &global, &next, &help, &version)) != 0)
        goto done;
    gl_log_set_level(cli.verbose >= 2 ? GL_LOG_DEBUG : cli.verbose ? GL_LOG_INFO : GL_LOG_WARN);
    if (gl_log_set_trace(getenv("GLEANER_TRACE")) < 0) {
        rc = gl_cli_fail(&cli, GL_EINVAL);
        goto done;
    }
    if (setup_clock(&cli) < 0) {
        rc = gl_cli_fail(&cli, GL_EINVAL);
        goto done;
    }
    if (version) {
        print_version(&cli);
        rc = GL_EXIT_OK;
        goto done;
    }
    if (next >= argc) {
        print_main_help(help ? cli.out : cli.err);
        rc = help ? GL_EXIT_OK : GL_EXIT_USAGE;
        goto done;
    }
    if (strcmp(argv[next], "help") == 0) {
        if (next + 1 >= argc) {
            print_main_help(cli.out);
            rc = GL_EXIT_OK;
        } else if ((cmd = find_command(argv[next + 1]))) {
            print_command_help(cli.out, cmd);
            rc = GL_EXIT_OK;
        } else {
            rc = gl_cli_usage_error(&cli, NULL, "no command named '%s'", argv[next + 1]);
        }
        goto done;
    }
    if (!(cmd = find_command(argv[next]))) {
        const char *hint = closest_command(argv[next]);
        fprintf(cli.err, "gleaner: '%s' is not a command%s%s%s (see: gleaner --help)\n", argv[next],
                hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
        rc = GL_EXIT_USAGE;
        goto done;
    }
    if (help) {
        print_command_help(cli.out, cmd);
        rc = GL_EXIT_OK;
        goto done;
    }
    if (!cmd->run) {
        /* Listed for discoverability, but never a fake success. */
        for (int i = next + 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
            if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                print_command_help(cli.out, cmd);
                rc = GL_EXIT_OK;
                goto done;
            }
        }
        fprintf(cli.err,
                "gleaner: '%s' is not available in this version of gleaner (%s); "
                "see 'gleaner --help' for what is\n",
                cmd->name, GL_VERSION);
        rc = GL_EXIT_FAILURE;
        goto done;
    }
    if ((rc = parse(&cli, cmd->name, cmd->options, argc, argv, next + 1, false, &args, &next, &help,
                    &version)) != 0)
        goto done;
    gl_log_set_level(cli.verbose >= 2 ? GL_LOG_DEBUG : cli.verbose ? GL_LOG_INFO : GL_LOG_WARN);
    if (help) {
        print_command_help(cli.out, cmd);
        rc = GL_EXIT_OK;
        goto done;
    }
    if (args.npositional < cmd->min_positional) {
        rc = gl_cli_usage_error(&cli, cmd->name, "missing argument: gleaner %s %s", cmd->name,
                                cmd->usage);
        goto done;
    }
    if (cmd->max_positional >= 0 && args.npositional > cmd->max_positional) {
        rc = gl_cli_usage_error(&cli, cmd->name, "unexpected argument '%s'",
                                args.positional[cmd->max_positional]);
        goto done;
    }
    rc = cmd->run(&cli, &args);
done:
    free(global.positional);
    free(args.positional);
    gl_config_free(cli.cfg);
    gl_clock_fake_free(test_clock);
    test_clock = NULL;
    fflush(cli.out);
    icaltimezone_free_builtin_timezones();
    return rc;
}

int gl_cli_open_store(gl_cli *cli, gl_store **out)
{
    char *path = NULL;
    int rc;

    *out = NULL;
    if ((rc = gl_cli_db_path(cli, &path)) == GL_OK)
        rc = gl_store_open(out, path, cli->clock);
    free(path);
    return rc;
}

void gl_cli_print_json(gl_cli *cli, json_object *doc)
{
    fprintf(cli->out, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY));
}

size_t gl_cli_columns(FILE *f)
{
    struct winsize ws;

    if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 60)
        return ws.ws_col > 160 ? 160 : ws.ws_col;
    return 80;
}

void gl_cli_print_fit(FILE *f, const char *s, size_t width, bool pad)
{
    size_t n = gl_utf8_len(s), keep, cps = 0;
    const char *p = s;

    if (n <= width) {
        fprintf(f, "%s%*s", s, pad ? (int)(width - n) : 0, "");
        return;
    }
    keep = width > 3 ? width - 3 : 0;
    for (; *p; p++) {
        if (((unsigned char)*p & 0xc0) != 0x80) {
            if (cps == keep)
                break;
            cps++;
        }
    }
    fprintf(f, "%.*s%.*s", (int)(p - s), s, (int)(width - keep), "...");
}
