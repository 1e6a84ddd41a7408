#!/usr/bin/env node
// Test-only MCP client for gleaner's end-to-end tests.
//
//   node client.mjs --script SCRIPT.json -- COMMAND [ARGS...]
//
// Starts COMMAND ARGS as an MCP server over stdio using the official
// @modelcontextprotocol/sdk client (StdioClientTransport + Client), runs the
// steps of SCRIPT (a JSON array; "-" reads it from stdin), closes the client
// (which closes the server's stdin) and prints one JSON document on stdout:
//
//   {"protocolVersion": "...", "steps": [{"op": ..., "ok": true, "result": ...}
//                                       | {"op": ..., "ok": false, "error": {...}}],
//    "notifications": [...], "protocolErrors": [...], "serverExit": {...}}
//
// Steps:
//   {"op":"listTools"}                               all pages, tools concatenated
//   {"op":"callTool","name":N,"arguments":{...}}    client.callTool()
//   {"op":"ping"}                                    client.ping()
//   {"op":"serverInfo"}                              server version, capabilities, instructions
//   {"op":"request","method":M,"params":{...}}       any request, result checked only
//                                                    against the generic Result schema
//
// Exit status: 0 when the script ran (whatever its steps' outcomes);
// 1 on a harness failure (bad usage or script, cannot spawn, initialize fails);
// 2 when the overall time limit (MCP_CLIENT_TIMEOUT_MS, default 60000) ran out;
// the partial document is still printed on stdout then.
// After the script the server's stdin is closed and it gets
// MCP_CLIENT_EXIT_GRACE_MS (default 10000) to exit by itself before it is sent
// SIGTERM; "serverExit" tells how it ended (code 0, signal null when clean).
// MCP_CLIENT_TRACE=1 writes every JSON-RPC message sent and received to stderr.
//
// Must run on Node 18 (Debian 12): no syntax or APIs newer than that.

import { readFileSync } from 'node:fs';
import process from 'node:process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ResultSchema } from '@modelcontextprotocol/sdk/types.js';

const PROG = 'mcp-client';
const OPS = new Set(['listTools', 'callTool', 'ping', 'serverInfo', 'request']);
const MAX_PAGES = 1000;

function die(message, code = 1) {
    process.stderr.write(`${PROG}: ${message}\n`);
    process.exit(code);
}

function usage() {
    die('usage: node client.mjs --script SCRIPT.json -- COMMAND [ARGS...]');
}

function parseArgs(argv) {
    let script = null;
    let i = 0;
    for (; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--') {
            i++;
            break;
        } else if (a === '--script') {
            if (i + 1 >= argv.length) usage();
            script = argv[++i];
        } else if (a.startsWith('--script=')) {
            script = a.slice('--script='.length);
        } else {
            usage();
        }
    }
    const command = argv.slice(i);
    if (script === null || command.length === 0) usage();
    return { script, command: command[0], args: command.slice(1) };
}

function loadScript(path) {
    let text;
    try {
        text = readFileSync(path === '-' ? 0 : path, 'utf8');
    } catch (e) {
        die(`cannot read script ${path}: ${e.message}`);
    }
    let steps;
    try {
        steps = JSON.parse(text);
    } catch (e) {
        die(`script ${path} is not JSON: ${e.message}`);
    }
    if (!Array.isArray(steps)) die(`script ${path}: expected a JSON array of steps`);
    steps.forEach((s, n) => {
        const where = `script ${path}, step ${n}`;
        if (s === null || typeof s !== 'object' || Array.isArray(s)) die(`${where}: not an object`);
        if (!OPS.has(s.op)) die(`${where}: unknown op ${JSON.stringify(s.op)}`);
        if (s.op === 'callTool' && typeof s.name !== 'string') die(`${where}: callTool needs a string "name"`);
        if (s.op === 'request' && typeof s.method !== 'string') die(`${where}: request needs a string "method"`);
    });
    return steps;
}

function envMs(name, dflt) {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) die(`${name} must be a positive integer (milliseconds), not ${JSON.stringify(raw)}`);
    return n;
}

function summariseIssues(issues, prefix = []) {
    return issues
        .map(issue => {
            const path = prefix.concat(issue.path ?? []);
            const at = path.length ? path.join('.') : '(root)';
            if (issue.code === 'invalid_union' && Array.isArray(issue.errors)) {
                const alts = issue.errors.map(alt => summariseIssues(alt, path)).join(' | ');
                return `${at}: matches no alternative (${alts})`;
            }
            return `${at}: ${issue.message}`;
        })
        .join('; ');
}

function describe(e, what = 'result') {
    if (e && Array.isArray(e.issues)) return `${what} does not match the MCP schema: ${summariseIssues(e.issues)}`;
    return e instanceof Error ? e.message : String(e);
}

function errorRecord(e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const rec = { message: err.message, code: err.code === undefined ? null : err.code, name: err.name };
    if (err.data !== undefined) rec.data = err.data;
    if (Array.isArray(err.issues)) {
        // A zod error: the server's message did not match the SDK's schema. Its
        // message is the issue list as pretty JSON; give a one-line summary instead.
        rec.message = describe(err);
        rec.issues = err.issues;
    }
    return rec;
}

const opts = parseArgs(process.argv.slice(2));
const steps = loadScript(opts.script);
const limit = envMs('MCP_CLIENT_TIMEOUT_MS', 60000);
const exitGrace = envMs('MCP_CLIENT_EXIT_GRACE_MS', 10000);
const trace = !!process.env.MCP_CLIENT_TRACE;

const doc = {
    protocolVersion: null,
    steps: [],
    timedOut: null, // what was under way when the overall time limit ran out
    notifications: [], // notifications the server sent, in order: {method, params}
    protocolErrors: [], // transport/protocol errors the SDK reported (bad lines, unknown ids, ...)
    serverExit: null // {code, signal, duringScript}
};

const transport = new StdioClientTransport({
    command: opts.command,
    args: opts.args,
    env: { ...process.env },
    stderr: 'inherit'
});

// Client.connect() hands the negotiated version to transports that have this
// hook (the HTTP ones); the stdio transport has none, so add one to learn it.
const origSetProtocolVersion = transport.setProtocolVersion;
transport.setProtocolVersion = version => {
    doc.protocolVersion = version;
    if (typeof origSetProtocolVersion === 'function') origSetProtocolVersion.call(transport, version);
};

// Protocol.connect() keeps and calls handlers already set on the transport.
transport.onmessage = message => {
    if (trace) process.stderr.write(`${PROG} <- ${JSON.stringify(message)}\n`);
    if (message && typeof message.method === 'string' && !('id' in message)) {
        doc.notifications.push({ method: message.method, params: message.params === undefined ? null : message.params });
    }
};
transport.onerror = error => {
    // Zod errors here are for a whole line the transport read (JSON-RPC envelope).
    const text = describe(error, 'message from server');
    doc.protocolErrors.push(text);
    if (trace) process.stderr.write(`${PROG} error: ${text}\n`);
};
if (trace) {
    const send = transport.send.bind(transport);
    transport.send = (message, options) => {
        process.stderr.write(`${PROG} -> ${JSON.stringify(message)}\n`);
        return send(message, options);
    };
}

let scriptDone = false;
let child = null;
// The transport keeps its ChildProcess private and forgets it once it closes;
// take it as soon as start() has spawned it, to learn how the server ended.
const origStart = transport.start.bind(transport);
transport.start = () => {
    const started = origStart();
    child = transport._process ?? null;
    if (child) {
        child.once('exit', (code, signal) => {
            doc.serverExit = { code, signal, duringScript: !scriptDone };
        });
    }
    return started;
};
function childExited() {
    return child !== null && (child.exitCode !== null || child.signalCode !== null);
}
function waitChildExit(ms) {
    if (child === null || childExited()) return Promise.resolve();
    return new Promise(resolve => {
        const t = setTimeout(resolve, ms);
        child.once('exit', () => {
            clearTimeout(t);
            resolve();
        });
    });
}

let current = 'initialize';
const watchdog = setTimeout(() => {
    process.stderr.write(`${PROG}: overall time limit of ${limit} ms (MCP_CLIENT_TIMEOUT_MS) ran out during ${current}; killing the server\n`);
    doc.timedOut = current;
    try {
        if (child && child.exitCode === null) child.kill('SIGKILL');
    } catch {
        // ignore
    }
    emit(2);
}, limit);

function emit(code) {
    clearTimeout(watchdog);
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n', () => process.exit(code));
}

const client = new Client({ name: 'gleaner-e2e', version: '1.0.0' });
// Requests may take as long as the overall limit; the watchdog is the backstop.
const reqOpts = { timeout: limit };

try {
    await client.connect(transport, reqOpts);
} catch (e) {
    const cmdline = [opts.command, ...opts.args].join(' ');
    if (e && typeof e.syscall === 'string' && e.syscall.startsWith('spawn')) {
        process.stderr.write(`${PROG}: cannot start ${cmdline}: ${e.message}\n`);
    } else {
        await waitChildExit(200); // let an exiting server's status arrive
        const exit = childExited()
            ? `; server ${child.signalCode ? `killed by signal ${child.signalCode}` : `exit status ${child.exitCode}`}`
            : '';
        process.stderr.write(`${PROG}: initialize failed with ${cmdline}: ${describe(e)}${exit}\n`);
    }
    try {
        await client.close();
    } catch {
        // ignore
    }
    clearTimeout(watchdog);
    process.exit(1);
}

async function listAllTools() {
    const tools = [];
    let first = null;
    let cursor;
    let pages = 0;
    const seen = new Set();
    for (;;) {
        const page = await client.listTools(cursor === undefined ? undefined : { cursor }, reqOpts);
        pages++;
        if (first === null) first = page;
        tools.push(...page.tools);
        if (page.nextCursor === undefined) break;
        if (seen.has(page.nextCursor) || pages >= MAX_PAGES) {
            throw new Error(`tools/list pagination does not end (cursor ${JSON.stringify(page.nextCursor)} after ${pages} pages)`);
        }
        seen.add(page.nextCursor);
        cursor = page.nextCursor;
    }
    // listTools() caches output schemas per page, each page replacing the last; cache them all.
    if (pages > 1 && typeof client.cacheToolMetadata === 'function') client.cacheToolMetadata(tools);
    const result = { ...first, tools };
    delete result.nextCursor;
    return { result, pages };
}

async function runStep(step) {
    switch (step.op) {
        case 'listTools':
            return listAllTools();
        case 'callTool': {
            const params = { name: step.name };
            if (step.arguments !== undefined) params.arguments = step.arguments;
            return { result: await client.callTool(params, undefined, reqOpts) };
        }
        case 'ping':
            return { result: await client.ping(reqOpts) };
        case 'serverInfo':
            return {
                result: {
                    serverVersion: client.getServerVersion() ?? null,
                    capabilities: client.getServerCapabilities() ?? null,
                    instructions: (typeof client.getInstructions === 'function' ? client.getInstructions() : undefined) ?? null
                }
            };
        case 'request': {
            const req = { method: step.method };
            if (step.params !== undefined) req.params = step.params;
            return { result: await client.request(req, ResultSchema, reqOpts) };
        }
        default:
            throw new Error(`unknown op ${step.op}`);
    }
}

for (let n = 0; n < steps.length; n++) {
    const step = steps[n];
    current = `step ${n} (${step.op}${step.name !== undefined ? ` ${step.name}` : ''}${step.method !== undefined ? ` ${step.method}` : ''})`;
    try {
        const out = await runStep(step);
        const rec = { op: step.op, ok: true, result: out.result };
        if (out.pages !== undefined) rec.pages = out.pages;
        doc.steps.push(rec);
    } catch (e) {
        doc.steps.push({ op: step.op, ok: false, error: errorRecord(e) });
    }
}
scriptDone = true;

// Close the server's stdin and give it exitGrace ms to exit by itself before
// client.close(), which would send SIGTERM only 2 s after closing stdin (too
// soon for a server under valgrind), and SIGKILL 2 s after that.
current = `shutdown (server's stdin closed; waiting up to ${exitGrace} ms for it to exit)`;
if (child !== null && !childExited() && child.stdin) {
    try {
        child.stdin.end();
    } catch {
        // ignore: it is gone already
    }
    await waitChildExit(exitGrace);
}
current = 'close';
try {
    await client.close();
} catch (e) {
    doc.protocolErrors.push(`close: ${describe(e)}`);
}
await waitChildExit(1000); // close() does not wait after its final SIGKILL
if (doc.serverExit === null && childExited()) {
    doc.serverExit = { code: child.exitCode, signal: child.signalCode, duringScript: false };
}
emit(0);
