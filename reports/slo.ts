import { requestLatencies, type RequestRecord, type Rows, type WorkflowRecord } from './records.js';

/**
 * Service-level objectives, DistServe / `vllm bench serve --goodput` style: a call is good when
 * it succeeded and met every per-call bound given (TTFT, TPOT, E2E); a workflow is good when it
 * completed, met the makespan bound, and every one of its calls was good. `attainment` is the
 * share that must be good for a load to count as served (DistServe's SLO attainment, 90% by
 * default); capacity at SLO is the highest load of a sweep where it is reached.
 */
export interface Slo {
  readonly ttftMs?: number | undefined;
  readonly tpotMs?: number | undefined;
  readonly e2eMs?: number | undefined;
  readonly makespanMs?: number | undefined;
  readonly attainment?: number | undefined;
}

/** Default share of good completions for "meets the SLO". */
export const DEFAULT_SLO_ATTAINMENT = 0.9;

/** Good calls and workflows of one run under `slo`. */
export interface SloCounts {
  readonly goodCalls: number;
  readonly calls: number;
  readonly goodWorkflows: number;
  readonly workflows: number;
}

/** Count what met the SLO. A call with one output token has no TPOT and meets any TPOT bound. */
export function sloCounts(slo: Slo, requests: Rows<RequestRecord>, workflows: Rows<WorkflowRecord>): SloCounts {
  const badWorkflow = new Set<string>();
  let goodCalls = 0;
  for (const r of requests) {
    let good = r.outcome === 'ok';
    if (good) {
      const l = requestLatencies(r);
      if (slo.ttftMs !== undefined && !(l.ttftMs <= slo.ttftMs)) good = false;
      if (slo.tpotMs !== undefined && Number.isFinite(l.tpotMs) && !(l.tpotMs <= slo.tpotMs)) good = false;
      if (slo.e2eMs !== undefined && !(l.e2eMs <= slo.e2eMs)) good = false;
    }
    if (good) goodCalls++;
    else if (r.outcome === 'ok') badWorkflow.add(r.workflowId); // a failed attempt that was retried does not spoil its workflow
  }
  let goodWorkflows = 0;
  for (const w of workflows) {
    if (w.outcome !== 'completed' || badWorkflow.has(w.id)) continue;
    if (slo.makespanMs !== undefined && !((w.endUs - w.startUs) / 1000 <= slo.makespanMs)) continue;
    goodWorkflows++;
  }
  return { goodCalls, calls: requests.length, goodWorkflows, workflows: workflows.length };
}

/** Whether an attainment meets the SLO's target share. */
export function meetsSlo(slo: Slo, attainment: number): boolean {
  return Number.isFinite(attainment) && attainment >= (slo.attainment ?? DEFAULT_SLO_ATTAINMENT);
}
