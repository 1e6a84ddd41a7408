/*
 * tools.h - the one table of tools, with two faces: the shell
 * (`gleaner harvest TOOL 'JSON'`) and AI assistants (`gleaner mcp`).
 *
 * A tool is one row of agent/tools.json (embedded at build time): name,
 * title, description, whether it writes, the handler that runs it and the
 * JSON Schema of its arguments (MCP's inputSchema).  Arguments are checked
 * against the schema before the handler runs, so a bad argument is a clear
 * error (GL_EINVAL) and never a request.  Every call - its tool, arguments
 * with secrets removed, outcome and time - is written to the store's audit
 * table; a call that cannot be audited is not made.
 *
 * Later capabilities add their own tools as rows with other handlers.
 */
#ifndef GL_TOOLS_H
#define GL_TOOLS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "agent/cli.h"

typedef struct gl_toolbox gl_toolbox;

typedef struct gl_tool {
    const char *name;
    const char *title;
    const char *description;
    bool write;          /* changes something: hidden by --read-only */
    bool destructive;    /* deletes something */
    const char *handler; /* "harvest", ... */
    json_object *schema; /* the inputSchema; borrowed from the toolbox */
} gl_tool;

/*
 * gl_toolbox_new - the tools, for calls made by `actor` ("cli", "mcp") with
 * `cli`'s config and store.  With `read_only`, write tools are hidden: not
 * listed, and not callable.  Free with gl_toolbox_free.
 */
int gl_toolbox_new(gl_toolbox **out, gl_cli *cli, const char *actor, bool read_only);
void gl_toolbox_free(gl_toolbox *tb);

/* The visible tools, in table order; borrowed. */
size_t gl_toolbox_count(const gl_toolbox *tb);
const gl_tool *gl_toolbox_at(const gl_toolbox *tb, size_t i);

/*
 * gl_toolbox_find - a visible tool by name.  GL_ENOTFOUND with a message
 * that suggests the closest name, or says that --read-only hides it.
 */
int gl_toolbox_find(const gl_toolbox *tb, const char *name, const gl_tool **out);

/*
 * gl_toolbox_call - check `args` (an object, or NULL for none; borrowed)
 * against the tool's schema, run it, and audit the call.  *result receives
 * the tool's JSON result (caller puts it).  GL_EINVAL for bad arguments
 * (nothing is sent anywhere); other codes from the handler.
 */
int gl_toolbox_call(gl_toolbox *tb, const gl_tool *tool, json_object *args, json_object **result);

/* The tool as MCP lists it: {name, title, description, inputSchema, annotations}. */
json_object *gl_tool_describe(const gl_tool *tool);

#endif
