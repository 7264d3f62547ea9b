import type { IncomingHttpHeaders } from 'node:http';
import type { RouteRequest } from '../../../policies/types.js';
import { chatPromptOf, renderChat } from '../chat-template.js';
import { responsesToChat } from '../engine/responses-api.js';
import { blockHashesOfIds, tokenize } from '../tokenizer.js';

/** Workflow metadata of a request, from headers first, then the body. */
export interface WorkflowMeta {
  workflowId?: string;
  agentId?: string;
  parentRequestId?: string;
  priority?: number;
}

/** Body fields carrying workflow metadata (removed before forwarding when asked). */
export const WORKFLOW_BODY_FIELDS = ['workflow_metadata', 'workflow_id', 'agent_id'] as const;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const header = (h: IncomingHttpHeaders, k: string): string | undefined => str(h[k]);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Workflow metadata as the seed design defines it: headers `X-Workflow-Id`, `X-Agent-Id`,
 * `X-Parent-Request-Id`, `X-Workflow-Priority`, else the body's `workflow_metadata: {workflow_id,
 * agent_id, parent_request_id, workflow_priority}`, else top-level `workflow_id` / `agent_id`.
 */
export function workflowMeta(headers: IncomingHttpHeaders, body: Record<string, unknown>): WorkflowMeta {
  const wm = isObj(body['workflow_metadata']) ? body['workflow_metadata'] : {};
  const m: WorkflowMeta = {};
  const wf = header(headers, 'x-workflow-id') ?? str(wm['workflow_id']) ?? str(body['workflow_id']);
  const agent = header(headers, 'x-agent-id') ?? str(wm['agent_id']) ?? str(body['agent_id']);
  const parent = header(headers, 'x-parent-request-id') ?? str(wm['parent_request_id']);
  const prioRaw = header(headers, 'x-workflow-priority') ?? wm['workflow_priority'];
  const prio = typeof prioRaw === 'number' ? prioRaw : typeof prioRaw === 'string' ? Number(prioRaw) : NaN;
  if (wf !== undefined) m.workflowId = wf;
  if (agent !== undefined) m.agentId = agent;
  if (parent !== undefined) m.parentRequestId = parent;
  if (Number.isFinite(prio)) m.priority = prio;
  return m;
}

/** The prompt's token ids as the router estimates them (the emulated engine's tokenizer). */
export function promptIds(path: string, body: Record<string, unknown>): number[] {
  if (path.endsWith('/chat/completions')) return tokenize(renderChat(chatPromptOf(body)));
  if (path.endsWith('/responses')) {
    const chat = responsesToChat(body);
    return 'messages' in chat ? tokenize(renderChat(chatPromptOf(chat))) : [];
  }
  const p = body['prompt'];
  if (typeof p === 'string') return tokenize(p);
  if (Array.isArray(p)) {
    if (p.every((x) => typeof x === 'number')) return p as number[];
    if (typeof p[0] === 'string') return tokenize(p[0]);
  }
  return [];
}

/**
 * Build the policy's RouteRequest from what the client sent, and nothing else: `maxTokens` is
 * the body's `max_completion_tokens` / `max_tokens` (OpenAI's default 16 for completions,
 * `defaultMaxTokens` for chat), never a true output length.
 */
export function buildRouteRequest(opts: {
  id: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  blockSize: number;
  defaultMaxTokens: number;
  nowUs: number;
}): RouteRequest {
  const { body, headers } = opts;
  const ids = promptIds(opts.path, body);
  const meta = workflowMeta(headers, body);
  const mt = body['max_completion_tokens'] ?? body['max_tokens'] ?? body['max_output_tokens'];
  const maxTokens = typeof mt === 'number' && mt > 0 ? mt : opts.path.endsWith('/completions') && !opts.path.endsWith('/chat/completions') ? 16 : opts.defaultMaxTokens;
  const r: Record<string, unknown> = {
    id: opts.id, promptBlocks: blockHashesOfIds(ids, opts.blockSize), promptTokens: ids.length, maxTokens, nowUs: opts.nowUs,
  };
  if (meta.workflowId !== undefined) r['workflowId'] = meta.workflowId;
  if (meta.agentId !== undefined) r['agentId'] = meta.agentId;
  if (meta.parentRequestId !== undefined) r['parentRequestId'] = meta.parentRequestId;
  const prio = meta.priority ?? (typeof body['priority'] === 'number' ? body['priority'] : undefined);
  if (prio !== undefined) r['priority'] = prio;
  const session = header(headers, 'x-session-id') ?? str(body['user']);
  if (session !== undefined) r['sessionKey'] = session;
  return r as unknown as RouteRequest;
}
