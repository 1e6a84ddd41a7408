/*
 * mcp.c - the MCP server: JSON-RPC 2.0 framing, the four methods, errors.
 */
#include "mcp.h"

#include <stdlib.h>
#include <string.h>

#include "gl_version.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

/* JSON-RPC 2.0 error codes. */
#define RPC_PARSE_ERROR      -32700
#define RPC_INVALID_REQUEST  -32600
#define RPC_METHOD_NOT_FOUND -32601
#define RPC_INVALID_PARAMS   -32602
#define RPC_INTERNAL_ERROR   -32603

/* One message may carry a large argument, but not an unbounded one. */
#define MAX_MESSAGE (16 * 1024 * 1024)

const char *const gl_mcp_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05",
                                       NULL};

static const char instructions[] =
    "gleaner's tools read and change the user's Harvest account (time entries, projects, "
    "clients, invoices, reports). Find valid project_id/task_id pairs with "
    "list_my_project_assignments before creating time entries; dates are YYYY-MM-DD in the "
    "user's own calendar. Every call is recorded in gleaner's audit log.";

static json_object *response(json_object *id, json_object *result)
{
    json_object *r = json_object_new_object();
    json_object_object_add(r, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(r, "id", id ? json_object_get(id) : NULL);
    json_object_object_add(r, "result", result);
    return r;
}

static json_object *rpc_error(json_object *id, int code, const char *message)
{
    json_object *r = json_object_new_object(), *e = json_object_new_object();
    json_object_object_add(e, "code", json_object_new_int(code));
    json_object_object_add(e, "message", json_object_new_string(message));
    json_object_object_add(r, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(r, "id", id ? json_object_get(id) : NULL);
    json_object_object_add(r, "error", e);
    return r;
}

/* ------------------------------------------------------------- methods */

static json_object *initialize(json_object *params)
{
    const char *asked = params ? gl_json_str(params, "protocolVersion") : NULL;
    const char *version = gl_mcp_versions[0];
    json_object *result = json_object_new_object(), *caps = json_object_new_object();
    json_object *tools = json_object_new_object(), *info = json_object_new_object();

    for (size_t i = 0; asked && gl_mcp_versions[i]; i++)
        if (strcmp(asked, gl_mcp_versions[i]) == 0)
            version = gl_mcp_versions[i];
    gl_debug("mcp: client asks for protocol %s; speaking %s", asked ? asked : "(none)", version);
    json_object_object_add(tools, "listChanged", json_object_new_boolean(0));
    json_object_object_add(caps, "tools", tools);
    json_object_object_add(info, "name", json_object_new_string("gleaner"));
    json_object_object_add(info, "title", json_object_new_string("gleaner time capture"));
    json_object_object_add(info, "version", json_object_new_string(GL_VERSION));
    json_object_object_add(result, "protocolVersion", json_object_new_string(version));
    json_object_object_add(result, "capabilities", caps);
    json_object_object_add(result, "serverInfo", info);
    json_object_object_add(result, "instructions", json_object_new_string(instructions));
    return result;
}

static json_object *tools_list(gl_toolbox *tb)
{
    json_object *result = json_object_new_object(), *tools = json_object_new_array();
    for (size_t i = 0; i < gl_toolbox_count(tb); i++)
        json_object_array_add(tools, gl_tool_describe(gl_toolbox_at(tb, i)));
    json_object_object_add(result, "tools", tools);
    return result;
}

static json_object *text_content(const char *text)
{
    json_object *content = json_object_new_array(), *item = json_object_new_object();
    json_object_object_add(item, "type", json_object_new_string("text"));
    json_object_object_add(item, "text", json_object_new_string(text));
    json_object_array_add(content, item);
    return content;
}

/*
 * A tool's failure is a result with isError, so the model sees the reason
 * and can correct itself; only a malformed call is a protocol error.
 */
static json_object *tools_call(gl_toolbox *tb, json_object *id, json_object *params)
{
    const char *name = params ? gl_json_str(params, "name") : NULL;
    json_object *args = params ? gl_json_get(params, "arguments") : NULL, *out = NULL;
    json_object *result;
    const gl_tool *tool;

    if (!name)
        return rpc_error(id, RPC_INVALID_PARAMS, "tools/call needs params.name");
    if (args && !json_object_is_type(args, json_type_object))
        return rpc_error(id, RPC_INVALID_PARAMS, "params.arguments must be an object");
    if (gl_toolbox_find(tb, name, &tool) < 0)
        return rpc_error(id, RPC_INVALID_PARAMS, gl_error_last());

    result = json_object_new_object();
    if (gl_toolbox_call(tb, tool, args, &out) < 0) {
        json_object_object_add(result, "content", text_content(gl_error_last()));
        json_object_object_add(result, "isError", json_object_new_boolean(1));
        return response(id, result);
    }
    json_object_object_add(result, "content",
                           text_content(json_object_to_json_string_ext(
                               out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)));
    json_object_object_add(result, "structuredContent", out);
    json_object_object_add(result, "isError", json_object_new_boolean(0));
    return response(id, result);
}

/* The answer to one message, or NULL for a notification (or a stray response). */
static json_object *handle_one(gl_toolbox *tb, json_object *msg)
{
    json_object *id = NULL, *params;
    const char *method, *version;
    bool has_id;

    if (!json_object_is_type(msg, json_type_object))
        return rpc_error(NULL, RPC_INVALID_REQUEST, "a message must be a JSON object");
    has_id = json_object_object_get_ex(msg, "id", &id);
    version = gl_json_str(msg, "jsonrpc");
    method = gl_json_str(msg, "method");
    /* MCP forbids a null id, which JSON-RPC merely discourages. */
    if (has_id && (!id || (!json_object_is_type(id, json_type_string) &&
                           !json_object_is_type(id, json_type_int))))
        return rpc_error(NULL, RPC_INVALID_REQUEST, "id must be a string or an integer");
    if (!version || strcmp(version, "2.0") != 0)
        return rpc_error(id, RPC_INVALID_REQUEST, "jsonrpc must be \"2.0\"");
    if (!method) {
        /* A response to a request gleaner never sends: nothing to say. */
        if (json_object_object_get_ex(msg, "result", NULL) ||
            json_object_object_get_ex(msg, "error", NULL))
            return NULL;
        return rpc_error(id, RPC_INVALID_REQUEST, "a request needs a method");
    }
    params = gl_json_get(msg, "params");
    if (params && !json_object_is_type(params, json_type_object))
        return has_id ? rpc_error(id, RPC_INVALID_PARAMS, "params must be an object") : NULL;
    if (!has_id) {
        gl_debug("mcp: notification %s", method);
        return NULL;
    }
    if (strcmp(method, "initialize") == 0)
        return response(id, initialize(params));
    if (strcmp(method, "ping") == 0)
        return response(id, json_object_new_object());
    if (strcmp(method, "tools/list") == 0)
        return response(id, tools_list(tb));
    if (strcmp(method, "tools/call") == 0)
        return tools_call(tb, id, params);
    {
        char message[160];
        snprintf(message, sizeof(message), "method not found: %s", method);
        return rpc_error(id, RPC_METHOD_NOT_FOUND, message);
    }
}

static char *serialize(json_object *answer)
{
    char *text = gl_strdup(json_object_to_json_string_ext(
        answer, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(answer);
    return text;
}

char *gl_mcp_handle(gl_toolbox *tb, const char *line, size_t len)
{
    json_object *msg = NULL, *answer;

    if (gl_json_parse(&msg, line, len, "MCP message") < 0) {
        char message[512];
        snprintf(message, sizeof(message), "parse error: %s", gl_error_last());
        gl_error_clear();
        return serialize(rpc_error(NULL, RPC_PARSE_ERROR, message));
    }
    if (json_object_is_type(msg, json_type_array)) {
        size_t n = json_object_array_length(msg);
        answer =
            n ? json_object_new_array() : rpc_error(NULL, RPC_INVALID_REQUEST, "an empty batch");
        for (size_t i = 0; n && i < n; i++) {
            json_object *one = handle_one(tb, json_object_array_get_idx(msg, i));
            if (one)
                json_object_array_add(answer, one);
        }
        if (n && json_object_array_length(answer) == 0) {
            json_object_put(answer);
            answer = NULL;
        }
    } else {
        answer = handle_one(tb, msg);
    }
    json_object_put(msg);
    return answer ? serialize(answer) : NULL;
}

int gl_mcp_serve(gl_toolbox *tb, FILE *in, FILE *out)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = GL_OK;

    gl_info("mcp: serving %zu tools on stdio", gl_toolbox_count(tb));
    while ((len = getline(&line, &cap, in)) >= 0) {
        char *answer;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || gl_str_blank(line))
            continue;
        if (len > MAX_MESSAGE) {
            char message[96];
            json_object *e;
            snprintf(message, sizeof(message), "message larger than %d bytes", MAX_MESSAGE);
            e = rpc_error(NULL, RPC_INVALID_REQUEST, message);
            answer = serialize(e);
        } else {
            answer = gl_mcp_handle(tb, line, (size_t)len);
        }
        if (!answer)
            continue;
        if (fprintf(out, "%s\n", answer) < 0 || fflush(out) != 0) {
            free(answer);
            rc = gl_error_set(GL_EIO, "mcp: cannot write to the client (stdout closed)");
            break;
        }
        free(answer);
    }
    free(line);
    gl_info("mcp: input closed; exiting");
    return rc;
}
