import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeSegment, parseJsonBody, readBody, sendError, sendJson } from '../http-util.js';
import type { WorkflowStore, WorkflowStoreOptions } from './workflow-store.js';

const MESSAGES = /^\/v1\/workflows\/([^/]+)\/messages$/;
const AGENT_MESSAGES = /^\/v1\/workflows\/([^/]+)\/agents\/([^/]+)\/messages$/;
const STATUS = /^\/v1\/workflows\/([^/]+)\/status$/;

/** The methods a workflow path accepts (undefined: not a workflow endpoint). */
export function workflowMethods(path: string): readonly string[] | undefined {
  if (MESSAGES.test(path)) return ['POST'];
  if (AGENT_MESSAGES.test(path) || STATUS.test(path)) return ['GET'];
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The seed design's agent-to-agent endpoints:
 * - `POST /v1/workflows/{id}/messages` `{source_agent, target_agent, content, message_type?}`
 *   (also `from_agent`/`to_agent`) queues a message: 201; 413 past the message size cap; 429 when
 *   the target's queue is full, the workflow has too many agents or the router's message memory
 *   is full (limits: {@link WorkflowStoreOptions});
 * - `GET /v1/workflows/{id}/agents/{agent}/messages[?limit=N]` takes the agent's queued messages;
 * - `GET /v1/workflows/{id}/status` the workflow's requests, agents, instances and queues (404
 *   when unknown or expired).
 */
export async function handleWorkflowEndpoint(req: IncomingMessage, res: ServerResponse, path: string, store: WorkflowStore, nowMs: number): Promise<void> {
  let m: RegExpExecArray | null;
  const decoded = (seg: string, what: string): string | undefined => {
    const d = decodeSegment(seg);
    if (d === undefined) sendError(res, 400, `${what} is not valid percent-encoding: '${seg.slice(0, 80)}'`, what);
    return d;
  };
  if (req.method === 'POST' && (m = MESSAGES.exec(path))) {
    const wf = decoded(m[1]!, 'workflow_id');
    if (wf === undefined) return;
    const raw = await readBody(req, store.options.maxMessageBytes);
    const body = parseJsonBody(raw, res);
    if (body === undefined) return;
    const b = (body ?? {}) as Record<string, unknown>;
    const from = str(b['source_agent']) ?? str(b['from_agent']);
    const to = str(b['target_agent']) ?? str(b['to_agent']);
    if (from === undefined || to === undefined) {
      sendError(res, 400, 'a message needs source_agent and target_agent (non-empty strings)', from === undefined ? 'source_agent' : 'target_agent');
      return;
    }
    const msg = store.post(wf, { from, to, type: str(b['message_type']) ?? 'message', content: b['content'] ?? null }, nowMs, raw.length);
    if ('refused' in msg) {
      sendError(res, msg.status, msg.refused);
      return;
    }
    sendJson(res, 201, { message_id: msg.id, workflow_id: wf, target_agent: to });
    return;
  }
  if (req.method === 'GET' && (m = AGENT_MESSAGES.exec(path))) {
    const wf = decoded(m[1]!, 'workflow_id');
    if (wf === undefined) return;
    const agent = decoded(m[2]!, 'agent_id');
    if (agent === undefined) return;
    const limitRaw = new URL(req.url ?? '/', 'http://x').searchParams.get('limit');
    const limit = limitRaw === null ? 100 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1) {
      sendError(res, 400, `limit must be a positive integer, got '${limitRaw ?? ''}'`, 'limit');
      return;
    }
    const msgs = store.take(wf, agent, limit, nowMs).map((x) => ({
      message_id: x.id, source_agent: x.from, target_agent: x.to, message_type: x.type, content: x.content, sent_at_ms: x.sentAtMs,
    }));
    sendJson(res, 200, { workflow_id: wf, agent_id: agent, messages: msgs });
    return;
  }
  if (req.method === 'GET' && (m = STATUS.exec(path))) {
    const wf = decoded(m[1]!, 'workflow_id');
    if (wf === undefined) return;
    const s = store.status(wf);
    if (!s) sendError(res, 404, `workflow '${wf}' is unknown or expired`);
    else sendJson(res, 200, s);
    return;
  }
  sendError(res, 404, `no route for ${req.method ?? '?'} ${path}`);
}
