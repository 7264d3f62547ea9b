import { hashNumbers } from '../../../policies/kv/hash.js';
import { sizedJson } from './schema-value.js';
import { badRequest, type RequestProblem } from './request-problem.js';
import { isObj } from '../json-object.js';

/** A function tool of a request: its name and JSON-schema parameters. */
export interface ToolSpec {
  readonly name: string;
  readonly parameters: unknown;
}

/** What the client allowed: no call, the model's choice, at least one call, or one named function. */
export type ToolChoice = { readonly kind: 'none' | 'auto' | 'required' } | { readonly kind: 'named'; readonly name: string };

/** The tool part of a request, checked. */
export interface ToolRequest {
  readonly tools: readonly ToolSpec[];
  readonly choice: ToolChoice;
  /** `parallel_tool_calls` (default true, as OpenAI's): false allows one call per answer. */
  readonly parallel: boolean;
}

/** One function call the model answers with. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

/** How the engine answers tool requests (vLLM: --enable-auto-tool-choice, --tool-call-parser). */
export interface ToolPolicy {
  /** Off: `tool_choice: "auto"` (the default when tools are sent) gets vLLM's 400, as a server without a tool parser. */
  readonly autoToolChoice: boolean;
  /** Under "auto", the chance (0..1, seeded by the request) that an answer is a tool call when the last message is not a tool result. */
  readonly autoCallProbability: number;
}

/** Default: a tool parser is on and "auto" always calls a tool until tool results come back. */
export const DEFAULT_TOOL_POLICY: ToolPolicy = { autoToolChoice: true, autoCallProbability: 1 };

const NAME = /^[a-zA-Z0-9_.-]{1,64}$/;

/**
 * Check `tools`, `tool_choice` and `parallel_tool_calls` of a chat completions body (OpenAI's
 * shapes: tools `[{type: "function", function: {name, description?, parameters?}}]`, tool_choice
 * `"none" | "auto" | "required" | {type: "function", function: {name}}`). Undefined when the
 * request has no tools and no tool_choice.
 */
export function parseToolRequest(body: Record<string, unknown>, policy: ToolPolicy): ToolRequest | undefined | RequestProblem {
  const rawTools = body['tools'];
  const tools: ToolSpec[] = [];
  if (rawTools !== undefined && rawTools !== null) {
    if (!Array.isArray(rawTools)) return badRequest('tools must be a list of {type: "function", function: {name, parameters}}', 'tools');
    for (const [i, t] of rawTools.entries()) {
      const f = isObj(t) ? t['function'] : undefined;
      if (!isObj(t) || t['type'] !== 'function' || !isObj(f)) return badRequest(`tools[${i}] must be {type: "function", function: {name, parameters}}`, 'tools');
      const name = f['name'];
      if (typeof name !== 'string' || !NAME.test(name)) return badRequest(`tools[${i}].function.name must match ${NAME.source}, got ${JSON.stringify(name)}`, 'tools');
      const params = f['parameters'];
      if (params !== undefined && params !== null && !isObj(params)) return badRequest(`tools[${i}].function.parameters must be a JSON schema object`, 'tools');
      tools.push({ name, parameters: params ?? { type: 'object', properties: {} } });
    }
  }
  const rawChoice = body['tool_choice'];
  let choice: ToolChoice;
  if (rawChoice === undefined || rawChoice === null) choice = { kind: tools.length > 0 ? 'auto' : 'none' };
  else if (rawChoice === 'none' || rawChoice === 'auto' || rawChoice === 'required') choice = { kind: rawChoice };
  else if (isObj(rawChoice) && rawChoice['type'] === 'function' && isObj(rawChoice['function']) && typeof rawChoice['function']['name'] === 'string') {
    choice = { kind: 'named', name: rawChoice['function']['name'] };
  } else return badRequest(`tool_choice must be "none", "auto", "required" or {type: "function", function: {name}}, got ${JSON.stringify(rawChoice)}`, 'tool_choice');
  if (choice.kind === 'required' && tools.length === 0) return badRequest('tool_choice "required" needs a non-empty tools list', 'tool_choice');
  if (choice.kind === 'named' && !tools.some((t) => t.name === (choice as { name: string }).name)) {
    return badRequest(`tool_choice names function ${JSON.stringify(choice.name)}, which is not in tools`, 'tool_choice');
  }
  if (choice.kind === 'auto' && tools.length > 0 && !policy.autoToolChoice) {
    return badRequest('"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set', 'tool_choice');
  }
  const par = body['parallel_tool_calls'];
  if (par !== undefined && par !== null && typeof par !== 'boolean') return badRequest('parallel_tool_calls must be a boolean', 'parallel_tool_calls');
  if (tools.length === 0 && choice.kind === 'none') return undefined;
  return { tools, choice, parallel: par !== false };
}

/** Most calls one answer makes when parallel calls are allowed. */
export const MAX_PARALLEL_CALLS = 3;

/**
 * Names of the functions whose results end the conversation: the trailing tool messages'
 * calls, looked up by `tool_call_id` in the assistant message before them (a result whose call
 * is not found counts under the name ''). Empty when the last message is not a tool result.
 */
export function trailingResultNames(messages: readonly unknown[]): string[] {
  let i = messages.length - 1;
  const ids: unknown[] = [];
  for (; i >= 0; i--) {
    const m = messages[i];
    if (!isObj(m) || (m['role'] !== 'tool' && m['role'] !== 'function')) break;
    ids.push(m['role'] === 'function' ? `fn:${String(m['name'])}` : m['tool_call_id']);
  }
  if (ids.length === 0) return [];
  const prev = messages[i];
  const calls = isObj(prev) && Array.isArray(prev['tool_calls']) ? prev['tool_calls'] : [];
  return ids.map((id) => {
    if (typeof id === 'string' && id.startsWith('fn:')) return id.slice(3);
    const c = calls.find((x) => isObj(x) && x['id'] === id);
    const f = isObj(c) ? c['function'] : undefined;
    return isObj(f) && typeof f['name'] === 'string' ? f['name'] : '';
  });
}

/**
 * Decide, deterministically from `key` (the request's seed), whether the answer is tool calls
 * and build them. The rule: "none" never calls; a named function is called once; "required"
 * always calls; "auto" answers in text when the conversation ends with results of the request's
 * own tools (the tools ran, so the model answers; `resultsOf` names them) and otherwise calls
 * with {@link ToolPolicy.autoCallProbability} (so after a handoff, whose result names a tool
 * the new agent does not have, the new agent calls its tools). A call picks tools from a
 * seeded offset in the list; with parallel calls allowed it makes 1 to
 * {@link MAX_PARALLEL_CALLS} calls to distinct tools (seeded), else one. Arguments are JSON
 * valid for the tool's parameters schema, together about `targetTokens` tokens long.
 */
export function decideToolCalls(req: ToolRequest, resultsOf: readonly string[], key: number, policy: ToolPolicy, targetTokens: number): ToolCall[] {
  const c = req.choice;
  if (c.kind === 'none' || req.tools.length === 0) return [];
  if (c.kind === 'auto') {
    if (resultsOf.some((n) => req.tools.some((t) => t.name === n))) return [];
    const u = hashNumbers(key, 0x7001) / 2 ** 53;
    if (u >= policy.autoCallProbability) return [];
  }
  let picked: ToolSpec[];
  if (c.kind === 'named') picked = req.tools.filter((t) => t.name === c.name).slice(0, 1);
  else {
    const n = req.parallel ? 1 + (hashNumbers(key, 0x7002) % Math.min(MAX_PARALLEL_CALLS, req.tools.length)) : 1;
    const first = hashNumbers(key, 0x7003) % req.tools.length;
    picked = Array.from({ length: n }, (_, i) => req.tools[(first + i) % req.tools.length]!);
  }
  const each = Math.max(1, Math.floor(targetTokens / picked.length));
  return picked.map((t, i) => ({
    id: `call_${hashNumbers(key, 0x7004, i).toString(36).padStart(11, '0')}${hashNumbers(key, 0x7005, i).toString(36).padStart(11, '0')}`,
    name: t.name,
    arguments: sizedJson(t.parameters, hashNumbers(key, 0x7006, i), each),
  }));
}
