import type { Workflow, WorkflowNode } from './workflow.js';

/** Depth of each node: the longest parent chain above it. */
export function nodeLayers(wf: Workflow): number[] {
  const layer: number[] = [];
  wf.nodes.forEach((n, i) => {
    let d = 0;
    for (const p of n.parents) d = Math.max(d, layer[p]! + 1);
    layer[i] = d;
  });
  return layer;
}

function describe(n: WorkflowNode, promptTokens: number | undefined): string {
  if (n.kind === 'tool') {
    return `tool   wait ${(n.durationUs / 1000).toFixed(0)} ms` +
      (n.expectedDurationUs !== undefined ? ` (declared ${(n.expectedDurationUs / 1000).toFixed(0)} ms)` : '') +
      ` -> ${n.resultTokens} tok`;
  }
  const p = promptTokens === undefined ? '' : `prompt ${promptTokens} -> `;
  return `llm    ${n.role}${n.agentId !== n.id ? ` (agent ${n.agentId})` : ''}  ${p}out ${n.outputTokens}`;
}

function parentList(wf: Workflow, n: WorkflowNode): string {
  if (n.parents.length === 0) return '';
  const ids = n.parents.map((p) => wf.nodes[p]!.id);
  const shown = ids.length > 4 ? `${ids[0]}, ${ids[1]}, ... ${ids[ids.length - 1]} (${ids.length})` : ids.join(', ');
  return `  <- ${shown}`;
}

/**
 * An ASCII sketch of a workflow DAG: nodes grouped by layer (longest path from a root), each
 * with its kind, role, token counts and the parents it waits for.
 */
export function asciiDag(wf: Workflow, promptTokens?: readonly number[]): string {
  const layers = nodeLayers(wf);
  const depth = layers.reduce((a, b) => Math.max(a, b), -1) + 1;
  const width = wf.nodes.reduce((a, n) => Math.max(a, n.id.length), 0) + 2;
  const llm = wf.nodes.filter((n) => n.kind === 'llm').length;
  const lines = [
    `${wf.id}  (pattern ${wf.pattern}, sharing ${wf.sharing}, ${llm} LLM calls, ${wf.nodes.length - llm} tool waits, ` +
    `context ${wf.contextTokens} tok)`,
  ];
  for (let d = 0; d < depth; d++) {
    if (d > 0) lines.push('     |');
    let first = true;
    wf.nodes.forEach((n, i) => {
      if (layers[i] !== d) return;
      const head = first ? `L${d}`.padEnd(5) : '     ';
      first = false;
      lines.push(`${head}[${n.id}]`.padEnd(width + 7) + describe(n, promptTokens?.[i]) + parentList(wf, n));
    });
  }
  return `${lines.join('\n')}\n`;
}

function mermaidLabel(s: string): string {
  return s.replace(/"/g, '#quot;');
}

/** The workflow DAG as a Mermaid flowchart (LLM calls as boxes, tool waits as stadiums). */
export function mermaidDag(wf: Workflow, promptTokens?: readonly number[]): string {
  const lines = ['flowchart TD'];
  wf.nodes.forEach((n, i) => {
    if (n.kind === 'tool') {
      lines.push(`  n${i}(["${mermaidLabel(n.id)}<br/>tool · ${(n.durationUs / 1000).toFixed(0)} ms · ${n.resultTokens} tok"])`);
    } else {
      const p = promptTokens?.[i];
      lines.push(`  n${i}["${mermaidLabel(n.id)}<br/>${mermaidLabel(n.role)} · ${p === undefined ? '' : `${p} → `}${n.outputTokens} tok"]`);
    }
  });
  wf.nodes.forEach((n, i) => {
    for (const p of n.parents) lines.push(`  n${p} --> n${i}`);
  });
  return `${lines.join('\n')}\n`;
}
