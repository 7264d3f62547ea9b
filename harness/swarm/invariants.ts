import type { CellResult } from '../runner/sim-cell.js';

/**
 * Invariants of one simulated cell, checked from its records (the engine's own KV and request
 * conservation checks run inside the cell with `check`): every workflow ends exactly once and
 * none is lost, every request belongs to a recorded workflow and ends once, times are causal,
 * the summary counts what the records hold. Returns the violations (empty when all hold).
 */
export function cellViolations(res: CellResult, workflowsRequested: number | undefined): string[] {
  const v: string[] = [];
  const wfIds = new Set<string>();
  for (const w of res.workflows) {
    if (wfIds.has(w.id)) v.push(`workflow ${w.id} ended twice`);
    wfIds.add(w.id);
    if (!(w.arrivalUs <= w.startUs && w.startUs <= w.endUs)) v.push(`workflow ${w.id}: arrival ${w.arrivalUs} ≤ start ${w.startUs} ≤ end ${w.endUs} does not hold`);
    if (w.outcome === 'failed' && w.reason === '') v.push(`workflow ${w.id} failed without a reason`);
  }
  if (workflowsRequested !== undefined) {
    if (res.end === 'drained' && res.workflows.length !== workflowsRequested) {
      v.push(`workflows lost: ${workflowsRequested} requested, ${res.workflows.length} ended, and the run drained`);
    }
    if (res.workflows.length > workflowsRequested) v.push(`${res.workflows.length} workflows ended, more than the ${workflowsRequested} requested`);
  }
  if (res.end === 'limit' && res.limit === undefined) v.push('the run ended at a limit that it does not name');
  const reqIds = new Set<string>();
  const okByWf = new Map<string, number>();
  for (const r of res.requests) {
    const key = `${r.id}#${r.attempt}`;
    if (reqIds.has(key)) v.push(`request ${key} ended twice`);
    reqIds.add(key);
    if (!wfIds.has(r.workflowId)) v.push(`request ${key} belongs to workflow ${r.workflowId}, which never ended`);
    if (!(r.sendUs <= r.endUs)) v.push(`request ${key}: sent at ${r.sendUs} after its end at ${r.endUs}`);
    if (!Number.isNaN(r.firstTokenUs) && !(r.sendUs <= r.firstTokenUs && r.firstTokenUs <= r.endUs)) {
      v.push(`request ${key}: first token at ${r.firstTokenUs} outside [${r.sendUs}, ${r.endUs}]`);
    }
    if (r.outcome === 'ok') okByWf.set(r.workflowId, (okByWf.get(r.workflowId) ?? 0) + 1);
    if (r.cachedPromptTokens > r.promptTokens) v.push(`request ${key}: ${r.cachedPromptTokens} cached of ${r.promptTokens} prompt tokens`);
  }
  for (const w of res.workflows) {
    if (w.outcome === 'completed' && !okByWf.has(w.id)) v.push(`workflow ${w.id} completed without a successful call`);
  }
  if (res.summary['requestsTotal'] !== res.requests.length) v.push(`summary requestsTotal ${res.summary['requestsTotal']} ≠ ${res.requests.length} request records`);
  if (res.summary['workflowsTotal'] !== res.workflows.length) v.push(`summary workflowsTotal ${res.summary['workflowsTotal']} ≠ ${res.workflows.length} workflow records`);
  return v.slice(0, 5);
}
