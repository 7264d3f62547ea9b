import { z } from 'zod';
import { safeNameSchema } from '../../workloads/bounds.js';
import { ROUTING_POLICIES } from '../../policies/routing/registry.js';
import { SCHEDULING_POLICIES } from '../../policies/scheduling/registry.js';
import { EVICTION_POLICIES } from '../../policies/kv/registry.js';
import { RECOVERY_POLICIES } from '../../policies/recovery/workflow-recovery.js';
import { checkFaults, faultSchema, routerSchema } from '../../sim/faults/spec.js';
import { workloadSchema } from '../../workloads/workload.js';
import { GPU_NAMES, MODEL_NAMES } from '../../sim/cost-model/catalog/index.js';
import { gpuSpecSchema } from '../../sim/cost-model/gpu-spec.js';
import { coefficientOverridesSchema } from '../../sim/cost-model/coefficients.js';
import { policyRefSchema } from './policy-ref.js';
import { gatesSchema } from '../../reports/compare/gates.js';
import { liveSchema } from '../live/live-schema.js';
import { liveFaultProblems } from '../live/live-faults.js';
import { checkKvScenario, disaggregationSchema, kvTiersSchema } from './kv-tiers.js';

const name = safeNameSchema('._+-');
const positive = z.number().positive();

/** The simulated cluster: N identical instances of one model on one GPU type, vLLM engine args. */
export const clusterSchema = z.strictObject({
  instances: z.int().positive().max(4096),
  /** Catalog name or a path (relative to the scenario) to a HF config.json. */
  model: z.string().default('llama-3.1-8b').check((ctx) => {
    if (!ctx.value.endsWith('.json') && !MODEL_NAMES.includes(ctx.value)) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `unknown model '${ctx.value}'; valid: ${MODEL_NAMES.join(', ')}, or a path to a config.json` });
    }
  }),
  /** Catalog name, or an inline GPU spec (name, bf16Tflops, fp8Tflops?, memoryGiB, memoryBandwidthGBps, interconnectGBps? (needed for tensorParallel > 1), pcieGBps?). */
  gpu: z.union([z.string().check((ctx) => {
    if (!GPU_NAMES.includes(ctx.value)) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `unknown gpu '${ctx.value}'; valid: ${GPU_NAMES.join(', ')}, or an inline spec` });
    }
  }), gpuSpecSchema]).default('h100-sxm'),
  tensorParallel: z.int().positive().default(1),
  /** vLLM --gpu-memory-utilization. */
  gpuMemoryUtilization: z.number().gt(0).lte(1).default(0.9),
  /** Activation, CUDA-graph and non-torch memory per GPU, GiB (what vLLM's profiling run finds). */
  activationReserveGiB: z.number().nonnegative().default(1.5),
  /** Override the derived KV capacity (blocks per instance), e.g. to create memory pressure. */
  kvBlocks: z.int().min(2).optional(),
  blockSize: z.int().positive().default(16),
  maxModelLen: z.int().positive().optional(),
  maxNumBatchedTokens: z.int().positive().optional(),
  maxNumSeqs: z.int().positive().optional(),
  enablePrefixCaching: z.boolean().default(true),
  longPrefillTokenThreshold: z.int().nonnegative().default(0),
  /** How stale the router's view of instances may be, ms (0 = exact at every decision). */
  routerViewRefreshMs: z.number().nonnegative().default(0),
  /** A calibration file written by `agentbench calibrate` (path relative to the scenario). */
  calibration: z.string().min(1).optional(),
  /** Cost-model coefficient overrides (applied over the defaults and the calibration file). */
  costModel: coefficientOverridesSchema.optional(),
});

/** One policy under comparison: routing + engine scheduling + KV eviction. */
export const policyEntrySchema = z.strictObject({
  name: name.optional(),
  routing: policyRefSchema(ROUTING_POLICIES, 'routing policy', true),
  scheduling: policyRefSchema(SCHEDULING_POLICIES, 'scheduling policy', true).prefault('fcfs'),
  eviction: policyRefSchema(EVICTION_POLICIES, 'eviction policy', true).prefault('lru'),
  /** What the client does when a call of a workflow fails for good (workflow-level recovery). */
  recovery: policyRefSchema(RECOVERY_POLICIES, 'recovery policy').prefault('fail-workflow'),
  /** KV tiers outside GPU memory (simulation): a per-instance CPU tier, a shared remote tier. */
  kvTiers: kvTiersSchema.optional(),
  /** Prefill/decode disaggregation (simulation): prefill instances, then decode instances. */
  disaggregation: disaggregationSchema.optional(),
});

/** A scenario file. */
export const scenarioSchema = z.strictObject({
  name,
  description: z.string().optional(),
  mode: z.enum(['sim', 'live']).default('sim'),
  /** Where and how `mode: live` runs (harness/live/live-schema.ts). */
  live: liveSchema.optional(),
  seeds: z.array(z.int().nonnegative()).min(1).default([1]),
  cluster: clusterSchema,
  policies: z.array(policyEntrySchema).min(1),
  workloads: z.array(workloadSchema).min(1),
  /** Fault injection (simulation): crashes, hangs, slowdowns, partitions, KV losses. */
  faults: z.array(faultSchema).default([]),
  /** The simulated router's health checks and request retries (production-stack defaults). */
  router: routerSchema,
  /** Objectives for goodput (workflows meeting them per second). */
  /** Service-level objectives (reports/slo.ts): per call TTFT / TPOT / E2E, per workflow makespan; the share that must meet them. */
  slo: z.strictObject({
    ttftMs: positive.optional(), tpotMs: positive.optional(), e2eMs: positive.optional(), makespanMs: positive.optional(),
    attainment: z.number().gt(0).lte(1).optional(),
  }).optional(),
  /**
   * Sweep axes: a scenario key path (`cluster.instances`, `workloads[*].arrivals.ratePerSec`,
   * `workloads[0].workflows`) and the values it takes; every combination runs as its own point
   * (harness/scenario/sweep.ts). Expanded before validation, so each point is checked whole.
   */
  sweep: z.record(z.string(), z.array(z.union([z.number(), z.string(), z.boolean()])).min(1)).optional(),
  limits: z.strictObject({
    /** Simulated seconds after which a run stops (open requests end as timeouts). */
    maxSimS: positive.default(86_400),
    maxEvents: z.int().positive().default(500_000_000),
  }).prefault({}),
  /** Regression gates for `run --baseline` and `compare` (metric → limits); see docs/gate.md. */
  gates: gatesSchema.optional(),
  report: z.strictObject({
    /** Interval of the KV/queue timeseries, simulated ms (doubles as needed to stay bounded). */
    sampleIntervalMs: positive.default(1000),
    /**
     * How request and workflow percentiles are taken: `linear` (the default when left out;
     * numpy's, which `vllm bench serve` uses) or `nearest-rank` (always an observed value).
     * Left out of the defaults so existing scenario hashes stay the same.
     */
    percentiles: z.enum(['linear', 'nearest-rank']).optional(),
    /** The summary metric the leaderboards rank policies by (default makespanMsP99); kept out of the hash. */
    rankBy: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'expected a summary metric name such as makespanMsP99').optional(),
  }).prefault({}),
}).check((ctx) => {
  const seen = new Map<string, number>();
  ctx.value.workloads.forEach((w, i) => {
    if (seen.has(w.name)) ctx.issues.push({ code: 'custom', input: w.name, path: ['workloads', i, 'name'], message: `duplicate workload name '${w.name}' (also workloads[${seen.get(w.name)}])` });
    seen.set(w.name, i);
  });
  for (const f of checkFaults(ctx.value.faults, ctx.value.cluster.instances, ctx.value.router)) {
    ctx.issues.push({ code: 'custom', input: undefined, path: f.path, message: f.message });
  }
  if (ctx.value.mode === 'live' && ctx.value.live?.target !== undefined && ctx.value.policies.length > 1) {
    ctx.issues.push({
      code: 'custom', input: undefined, path: ['policies'],
      message: `a deployed target (live.target) runs its own routing, scheduling and KV policies: agentbench applies none of them there, so ${ctx.value.policies.length} policy entries would measure the same stack ${ctx.value.policies.length} times under different names. Give one entry (reported as 'target'; its recovery: is the client's and does apply), or compare policies with live.spawn: local or in simulation`,
    });
  }
  if (ctx.value.mode === 'live') {
    for (const f of liveFaultProblems(ctx.value.faults, ctx.value.live?.target !== undefined)) {
      ctx.issues.push({ code: 'custom', input: undefined, path: f.path, message: f.message });
    }
  }
  for (const f of checkKvScenario(ctx.value)) ctx.issues.push({ code: 'custom', input: undefined, path: f.path, message: f.message });
  const seeds = new Set<number>();
  ctx.value.seeds.forEach((s, i) => {
    if (seeds.has(s)) ctx.issues.push({ code: 'custom', input: s, path: ['seeds', i], message: `duplicate seed ${s}` });
    seeds.add(s);
  });
});

/** A parsed scenario (defaults applied). */
export type Scenario = z.output<typeof scenarioSchema>;
/** A parsed policy entry. */
export type PolicyEntry = z.output<typeof policyEntrySchema>;
/** A parsed cluster section. */
export type ClusterSpec = z.output<typeof clusterSchema>;
