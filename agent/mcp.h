/*
 * mcp.h - gleaner's tools served to AI assistants over the Model Context
 * Protocol: JSON-RPC 2.0 over stdio, one message per line.
 *
 * Methods: initialize (the client's protocol version when gleaner speaks
 * it, else gleaner's latest), ping, tools/list (every visible tool with its
 * inputSchema and annotations) and tools/call (the result as text and as
 * structuredContent, or isError with the reason).  Notifications get no
 * answer; batches are answered as batches; anything else is the JSON-RPC
 * error it deserves.  stdout carries nothing but protocol messages.
 */
#ifndef GL_MCP_H
#define GL_MCP_H

#include <stdio.h>

#include "agent/tools.h"

/* The protocol versions gleaner speaks, newest first; NULL-terminated, static. */
extern const char *const gl_mcp_versions[];

/*
 * gl_mcp_serve - answer messages from `in` on `out` until `in` ends.
 * GL_OK at end of input; GL_EIO when `out` fails (the client is gone).
 */
int gl_mcp_serve(gl_toolbox *tb, FILE *in, FILE *out);

/*
 * gl_mcp_handle - the answer to one message (`line`, `len` bytes): a
 * response or batch of responses as JSON text (caller frees), or NULL when
 * nothing is to be sent (a notification).  Exposed for tests and fuzzing.
 */
char *gl_mcp_handle(gl_toolbox *tb, const char *line, size_t len);

#endif
