import type { IncomingHttpHeaders } from 'node:http';
import { DECLARED_HINT_KEYS, type DeclaredHints } from '../../policies/types.js';
import type { CallMeta } from '../../sim/call-meta.js';

/**
 * How a call's metadata crosses HTTP — the same fields the simulated router hands the engine,
 * so any client (agentbench's live driver, an agent framework, curl) can send them:
 *
 * | field            | header                  | body (`workflow_metadata.*`, else top level) |
 * |------------------|-------------------------|----------------------------------------------|
 * | workflow id      | `X-Workflow-Id`         | `workflow_id`                                |
 * | agent id         | `X-Agent-Id`            | `agent_id`                                   |
 * | parent request   | `X-Parent-Request-Id`   | `parent_request_id`                          |
 * | priority         | `X-Workflow-Priority`   | `workflow_priority` (top level: vLLM's `priority`) |
 * | session          | `X-Session-Id`          | top-level `user`                             |
 * | declared hints   | `X-Workflow-Hints` (JSON object) | `hints` (object)                    |
 * | expected reuse   | `X-Expected-Reuse-Us`   | `expected_reuse_us`                          |
 *
 * Headers win over the body. Hint keys are DeclaredHints' (`stepsToReuse`, `expectedReuseUs`,
 * `toolWaitUs`, `attainedServiceUs`, `criticalPathServiceUs`; times in µs), each a finite
 * number ≥ 0; anything else is a 400.
 */
export const CALL_META_HEADERS = [
  'x-workflow-id', 'x-agent-id', 'x-parent-request-id', 'x-workflow-priority', 'x-session-id', 'x-workflow-hints', 'x-expected-reuse-us',
] as const;

/** Body fields carrying call metadata (removed before forwarding when the router is asked to). */
export const CALL_META_BODY_FIELDS = ['workflow_metadata', 'workflow_id', 'agent_id'] as const;

/** Headers that carry `meta` (what HttpBackend sends). */
export function callMetaHeaders(meta: CallMeta): Record<string, string> {
  const h: Record<string, string> = {};
  if (meta.workflowId !== undefined) h['x-workflow-id'] = meta.workflowId;
  if (meta.agentId !== undefined) h['x-agent-id'] = meta.agentId;
  if (meta.parentRequestId !== undefined) h['x-parent-request-id'] = meta.parentRequestId;
  if (meta.priority !== undefined) h['x-workflow-priority'] = String(meta.priority);
  if (meta.sessionKey !== undefined) h['x-session-id'] = meta.sessionKey;
  if (meta.hints !== undefined && Object.keys(meta.hints).length > 0) h['x-workflow-hints'] = JSON.stringify(meta.hints);
  if (meta.expectedReuseUs !== undefined) h['x-expected-reuse-us'] = String(meta.expectedReuseUs);
  return h;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A number from a header string or a JSON number; NaN when absent, a string that is not one, or another type. */
function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

/** Read a call's metadata from a request; an error message (for a 400) when a field is malformed. */
export function callMetaFromHttp(headers: IncomingHttpHeaders, body: Record<string, unknown>): CallMeta | { error: string } {
  const wm = isObj(body['workflow_metadata']) ? body['workflow_metadata'] : {};
  const h = (k: string): string | undefined => str(headers[k]);
  const m: { -readonly [K in keyof CallMeta]: CallMeta[K] } = {};
  const wf = h('x-workflow-id') ?? str(wm['workflow_id']) ?? str(body['workflow_id']);
  const agent = h('x-agent-id') ?? str(wm['agent_id']) ?? str(body['agent_id']);
  const parent = h('x-parent-request-id') ?? str(wm['parent_request_id']);
  const session = h('x-session-id') ?? str(body['user']);
  if (wf !== undefined) m.workflowId = wf;
  if (agent !== undefined) m.agentId = agent;
  if (parent !== undefined) m.parentRequestId = parent;
  if (session !== undefined) m.sessionKey = session;
  const prioRaw = h('x-workflow-priority') ?? wm['workflow_priority'] ?? body['priority'];
  if (prioRaw !== undefined) {
    const p = num(prioRaw);
    if (!Number.isFinite(p)) return { error: `workflow priority: expected a number, found ${JSON.stringify(prioRaw)}` };
    m.priority = p;
  }
  const reuseRaw = h('x-expected-reuse-us') ?? wm['expected_reuse_us'];
  if (reuseRaw !== undefined) {
    const r = num(reuseRaw);
    if (!(r >= 0) || !Number.isFinite(r)) return { error: `expected reuse: expected µs >= 0, found ${JSON.stringify(reuseRaw)}` };
    m.expectedReuseUs = r;
  }
  const hints = parseHints(h('x-workflow-hints'), wm['hints']);
  if (hints !== undefined && 'error' in hints) return hints;
  if (hints !== undefined) m.hints = hints.hints;
  return m;
}

function parseHints(header: string | undefined, fromBody: unknown): { hints: DeclaredHints } | { error: string } | undefined {
  let raw: unknown = fromBody;
  const where = header !== undefined ? 'X-Workflow-Hints' : 'workflow_metadata.hints';
  if (header !== undefined) {
    try {
      raw = JSON.parse(header) as unknown;
    } catch {
      return { error: `X-Workflow-Hints: expected a JSON object, found ${JSON.stringify(header.slice(0, 80))}` };
    }
  }
  if (raw === undefined) return undefined;
  if (!isObj(raw)) return { error: `${where}: expected an object, found ${JSON.stringify(raw)}` };
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!(DECLARED_HINT_KEYS as readonly string[]).includes(k)) return { error: `${where}: unknown hint '${k}'; valid hints: ${DECLARED_HINT_KEYS.join(', ')}` };
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return { error: `${where}.${k}: expected a number >= 0, found ${JSON.stringify(v)}` };
    out[k] = v;
  }
  return { hints: out as DeclaredHints };
}
