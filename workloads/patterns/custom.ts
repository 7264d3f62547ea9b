import { z } from 'zod';
import { hashString } from '../../policies/kv/hash.js';
import { distributionSchema, tokensSchema, drawTokens } from '../distributions.js';
import { definePattern, PatternKit } from '../pattern.js';
import type { WorkflowNode } from '../workflow.js';

const nodeId = z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected letters, digits, ".", "_" or "-"');
const sharing = z.enum(['auto', 'broadcast', 'selective', 'none']);

const llmNode = z.strictObject({
  kind: z.literal('llm'),
  id: nodeId,
  /** Role (shares its system prompt with every call of the role); default: the id. */
  role: z.string().min(1).optional(),
  /** Agent (calls of one agent see their own history); default: the id. */
  agent: z.string().min(1).optional(),
  /** Ids of the nodes this one waits for. */
  after: z.array(z.string()).default([]),
  taskTokens: tokensSchema.optional(),
  outputTokens: tokensSchema.optional(),
  /** This call's own context-sharing strategy (default: the workload's). */
  sharing: sharing.optional(),
});

const toolNode = z.strictObject({
  kind: z.literal('tool'),
  id: nodeId,
  agent: z.string().min(1).optional(),
  after: z.array(z.string()).default([]),
  waitMs: distributionSchema,
  resultTokens: tokensSchema.default(0),
});

/** One node of a custom DAG as written. */
export type CustomNodeSpec = z.output<typeof llmNode> | z.output<typeof toolNode>;

/**
 * Order nodes topologically (Kahn; ties keep file order). Returns the order as indices into
 * `nodes`, or the ids on a cycle.
 */
export function topoOrder(nodes: readonly CustomNodeSpec[]): { order: number[] } | { cycle: string[] } {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const indegree = nodes.map((n) => new Set(n.after).size);
  const children: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const p of new Set(n.after)) children[index.get(p)!]!.push(i);
  });
  const order: number[] = [];
  const ready = nodes.map((_, i) => i).filter((i) => indegree[i] === 0);
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    order.push(i);
    for (const c of children[i]!) if (--indegree[c]! === 0) ready.push(c);
  }
  if (order.length === nodes.length) return { order };
  // Walk parents among the unsorted nodes until one repeats: that loop is a cycle.
  const left = new Set(nodes.map((_, i) => i).filter((i) => !order.includes(i)));
  let at = [...left][0]!;
  const path: number[] = [];
  while (!path.includes(at)) {
    path.push(at);
    at = index.get(nodes[at]!.after.find((p) => left.has(index.get(p)!))!)!;
  }
  const loop = path.slice(path.indexOf(at)).reverse(); // parent -> child order
  const first = loop.indexOf(Math.min(...loop));
  const cyc = [...loop.slice(first), ...loop.slice(0, first)]; // start at the earliest node in the file
  return { cycle: [...cyc, cyc[0]!].map((i) => nodes[i]!.id) };
}

/**
 * `custom`: any DAG written out in the scenario — LLM calls and tool waits with their
 * dependencies (`after`), roles, agents, lengths and per-call sharing. `context: shared` makes
 * the context one document for all the workload's workflows instead of one per workflow.
 * Default sharing `auto`.
 */
export const customPattern = definePattern({
  summary: 'a DAG written out in YAML (nodes, edges, lengths, tool waits)',
  shape: {
    nodes: z.array(z.discriminatedUnion('kind', [llmNode, toolNode])).min(1),
    context: z.enum(['workflow', 'shared']).default('workflow'),
  },
  check(w, issue) {
    const seen = new Map<string, number>();
    w.nodes.forEach((n, i) => {
      if (seen.has(n.id)) issue(['nodes', i, 'id'], `duplicate node id '${n.id}' (also nodes[${seen.get(n.id)}])`);
      seen.set(n.id, i);
    });
    let refsOk = true;
    w.nodes.forEach((n, i) => {
      n.after.forEach((p, j) => {
        if (p === n.id) {
          issue(['nodes', i, 'after', j], `node '${n.id}' cannot wait for itself`);
          refsOk = false;
        } else if (!seen.has(p)) {
          issue(['nodes', i, 'after', j], `unknown node '${p}'; nodes: ${[...seen.keys()].join(', ')}`);
          refsOk = false;
        }
      });
    });
    if (!refsOk || seen.size !== w.nodes.length) return;
    const sorted = topoOrder(w.nodes);
    if ('cycle' in sorted) {
      const at = w.nodes.findIndex((n) => n.id === sorted.cycle[0]);
      issue(['nodes', at, 'after'], `the nodes form a cycle: ${sorted.cycle.join(' -> ')}`);
    }
  },
  make(w, ctx) {
    const kit = new PatternKit(w, ctx);
    const sorted = topoOrder(w.nodes);
    if ('cycle' in sorted) throw new Error(`custom workload ${w.name}: cycle ${sorted.cycle.join(' -> ')}`);
    const position = new Map(sorted.order.map((i, k) => [w.nodes[i]!.id, k]));
    const plan = sorted.order.map((i) => {
      const n = w.nodes[i]!;
      const parents = [...new Set(n.after)].map((p) => position.get(p)!).sort((a, b) => a - b);
      if (n.kind === 'tool') return { n, parents, wait: kit.wait(n.waitMs), result: kit.sampler(n.resultTokens) } as const;
      return {
        n, parents,
        task: n.taskTokens === undefined ? kit.task : kit.sampler(n.taskTokens),
        output: n.outputTokens === undefined ? kit.output : kit.sampler(n.outputTokens),
      } as const;
    });
    let shared: { key: number; tokens: number } | undefined;
    if (w.context === 'shared') shared = { key: hashString(`document:${w.name}`), tokens: drawTokens(kit.context, kit.rng.fork('document')) };
    return {
      build(index, arrivalUs, rng) {
        const nodes: WorkflowNode[] = plan.map((p) => {
          const r = rng.fork(`node:${p.n.id}`);
          const agentId = p.n.agent ?? p.n.id;
          if (p.n.kind === 'tool') return kit.tool(p.n.id, agentId, p.parents, r, p.wait!, p.result!);
          return {
            kind: 'llm', id: p.n.id, agentId, role: p.n.role ?? p.n.id, parents: p.parents,
            ...kit.drawCall(r, p.task, p.output), ...(p.n.sharing ? { sharing: p.n.sharing } : {}),
          };
        });
        return kit.assemble({ pattern: 'custom', defaultSharing: 'auto', index, arrivalUs, rng, nodes, ...(shared ? { context: shared } : {}) });
      },
    };
  },
});
