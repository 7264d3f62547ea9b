import type { DeclaredHints } from '../../policies/types.js';
import type { Workflow } from '../../workloads/workflow.js';

/** Hints of one LLM node derived from the workflow's declared DAG (the same for every run). */
export interface StaticHints {
  readonly stepsToReuse?: number;
  readonly expectedReuseUs?: number;
  readonly toolWaitUs?: number;
}

/**
 * What a client can declare about each node from the DAG alone, never from drawn values:
 * - stepsToReuse: LLM steps (DAG depth counted in LLM calls) to the nearest later call that
 *   descends from this one and reuses its prompt's prefix: the same agent (its history) or the
 *   same role (the same system prompt opens the prompt, so the chained blocks can match);
 * - expectedReuseUs: the declared expected tool waits on the longest path to that call (absent
 *   when a tool on it declares no expectation);
 * - toolWaitUs: the longest declared expected wait of a tool that directly follows the call.
 * Workflows are small DAGs in topological order: O(nodes²) once per workflow.
 */
export function staticHints(wf: Workflow): (StaticHints | undefined)[] {
  const nodes = wf.nodes;
  const n = nodes.length;
  const depth = new Int32Array(n);
  const children: number[][] = Array.from({ length: n }, () => []);
  nodes.forEach((node, i) => {
    let d = 0;
    for (const p of node.parents) {
      d = Math.max(d, depth[p]! + (nodes[p]!.kind === 'llm' ? 1 : 0));
      children[p]!.push(i);
    }
    depth[i] = d;
  });
  const out: (StaticHints | undefined)[] = new Array<StaticHints | undefined>(n).fill(undefined);
  const wait = new Float64Array(n);
  const reach = new Uint8Array(n);
  nodes.forEach((node, i) => {
    if (node.kind !== 'llm') return;
    // Longest declared tool wait from i to each descendant (NaN once an undeclared tool is on the way).
    reach.fill(0);
    wait.fill(0);
    reach[i] = 1;
    let next = -1;
    for (let k = i + 1; k < n; k++) {
      let w = -Infinity;
      for (const p of nodes[k]!.parents) {
        if (!reach[p]) continue;
        const pn = nodes[p]!;
        const add = pn.kind === 'tool' && p !== i ? (pn.expectedDurationUs ?? NaN) : 0;
        w = Math.max(w, wait[p]! + add);
        if (Number.isNaN(wait[p]! + add)) w = NaN;
      }
      if (w === -Infinity) continue;
      reach[k] = 1;
      wait[k] = w;
      const c = nodes[k]!;
      if (c.kind === 'llm' && (c.agentId === node.agentId || c.role === node.role) && (next < 0 || depth[k]! < depth[next]!)) next = k;
    }
    let toolWaitUs: number | undefined;
    for (const c of children[i]!) {
      const cn = nodes[c]!;
      if (cn.kind === 'tool' && cn.expectedDurationUs !== undefined) toolWaitUs = Math.max(toolWaitUs ?? 0, cn.expectedDurationUs);
    }
    const h: { stepsToReuse?: number; expectedReuseUs?: number; toolWaitUs?: number } = {};
    if (next >= 0) {
      h.stepsToReuse = depth[next]! - depth[i]!;
      if (Number.isFinite(wait[next]!)) h.expectedReuseUs = wait[next]!;
    }
    if (toolWaitUs !== undefined) h.toolWaitUs = toolWaitUs;
    out[i] = h;
  });
  return out;
}

/** The hints of a call: its static hints plus the service its workflow's completed calls received. */
export function callHints(base: StaticHints | undefined, attainedServiceUs: number, criticalPathServiceUs: number): DeclaredHints {
  return { ...base, attainedServiceUs, criticalPathServiceUs };
}
