import { z } from 'zod';
import { PRODUCTION_STACK_HEALTH, type HealthCheckConfig } from '../../policies/recovery/health.js';
import { PRODUCTION_STACK_RETRY } from '../../policies/recovery/router-retry.js';
import { ENVOY_OUTLIER_DEFAULTS } from '../../policies/recovery/outlier-detection.js';
import type { SimRouterOptions } from '../sim-router.js';

const positiveS = z.number().positive();

/**
 * Which instances a fault hits: an instance id (`i0`, `i1`...), `random` (one, drawn from the
 * seed), `all`, or `{ fraction: 0.25 }` (that share of the instances, rounded up, drawn).
 */
export const faultTargetSchema = z.union([
  z.string().check((ctx) => {
    if (ctx.value !== 'random' && ctx.value !== 'all' && !/^i\d+$/.test(ctx.value)) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `expected an instance id (i0, i1, ...), 'random', 'all' or { fraction: <0..1> }, found string ${JSON.stringify(ctx.value)}` });
    }
  }),
  z.strictObject({ fraction: z.number().gt(0).lte(1) }),
]);

/** A seeded random fault process instead of a fixed time (see FaultInjector). */
export const faultScheduleSchema = z.strictObject({
  /** Mean time between faults of one instance, s (exponential up times). */
  mtbfS: positiveS,
  /** Mean time to repair, s (exponential): the crash's down time or the fault's duration. */
  mttrS: positiveS.optional(),
  /** No fault before this time, s. */
  startS: z.number().nonnegative().default(0),
  /** No fault after this time, s (default: while the workload runs). */
  untilS: positiveS.optional(),
});

const common = {
  /** When the fault happens, simulated s (or `schedule`). */
  atS: z.number().nonnegative().optional(),
  schedule: faultScheduleSchema.optional(),
  target: faultTargetSchema.default('random'),
};

/** One entry of a scenario's `faults:` list. */
export const faultSchema = z.discriminatedUnion('kind', [
  /**
   * The process dies: in-flight requests fail, its KV is lost. It may restart `recoverAfterS`
   * later, then load the model for `warmupS` (refusing connections, failing probes) and serve
   * again with an empty KV cache; the router routes to it at its next passing probe.
   */
  z.strictObject({ kind: z.literal('crash'), ...common, recoverAfterS: positiveS.optional(), warmupS: z.number().nonnegative().default(0) }),
  /** The process stops answering; the router notices only through health checks or timeouts. */
  z.strictObject({ kind: z.literal('hang'), ...common, durationS: positiveS.optional() }),
  /** Step times multiplied by `factor` (thermal throttling, a noisy neighbour). */
  z.strictObject({ kind: z.literal('slowdown'), ...common, factor: z.number().gt(1), durationS: positiveS.optional() }),
  /** The router cannot reach the instance; it keeps running and its answers arrive at the end. */
  z.strictObject({ kind: z.literal('partition'), ...common, durationS: positiveS.optional() }),
  /** The prefix cache is flushed (vLLM's reset_prefix_cache); requests in flight keep their blocks. */
  z.strictObject({ kind: z.literal('kv-loss'), ...common }),
]);

/** A parsed fault. */
export type FaultSpec = z.output<typeof faultSchema>;
/** The kinds of fault. */
export type FaultKind = FaultSpec['kind'];

/**
 * The simulated router's failure handling (`router:` in a scenario): production-stack's
 * health checks and request retries, with its defaults.
 */
export const routerSchema = z.strictObject({
  healthCheck: z.strictObject({
    intervalS: positiveS.default(PRODUCTION_STACK_HEALTH.intervalUs / 1e6),
    timeoutS: positiveS.default(PRODUCTION_STACK_HEALTH.timeoutUs / 1e6),
    failureThreshold: z.int().min(1).default(PRODUCTION_STACK_HEALTH.failureThreshold),
    successThreshold: z.int().min(1).default(PRODUCTION_STACK_HEALTH.successThreshold),
  }).prefault({}),
  retry: z.strictObject({
    /** Idle timeout of one attempt (no token for this long), s; none by default. */
    timeoutS: positiveS.optional(),
    /** Time-to-first-token timeout of one attempt, s; none by default. */
    firstTokenTimeoutS: positiveS.optional(),
    maxAttempts: z.int().min(1).max(100).default(PRODUCTION_STACK_RETRY.maxAttempts),
    initialBackoffMs: positiveS.default(PRODUCTION_STACK_RETRY.initialBackoffMs),
    maxBackoffMs: positiveS.default(PRODUCTION_STACK_RETRY.maxBackoffMs),
    backoffMultiplier: z.number().min(1).default(PRODUCTION_STACK_RETRY.backoffMultiplier),
    jitter: z.number().min(0).max(1).default(PRODUCTION_STACK_RETRY.jitter),
  }).prefault({}),
  /** Re-send at once the requests that got no token from an instance the health checks mark down (default false: production-stack waits). */
  moveOnMarkedDown: z.boolean().optional(),
  /**
   * Envoy-style passive outlier ejection (policies/recovery/outlier-detection.ts); absent: off,
   * as production-stack. Given as `{}`, Envoy's documented defaults.
   */
  outlierDetection: z.strictObject({
    consecutive5xx: z.int().min(1).default(ENVOY_OUTLIER_DEFAULTS.consecutive5xx),
    baseEjectionS: positiveS.default(ENVOY_OUTLIER_DEFAULTS.baseEjectionUs / 1e6),
    maxEjectionS: positiveS.default(ENVOY_OUTLIER_DEFAULTS.maxEjectionUs / 1e6),
    maxEjectionPercent: z.number().min(0).max(100).default(ENVOY_OUTLIER_DEFAULTS.maxEjectionPercent),
  }).optional(),
}).prefault({});

/** A parsed `router:` section. */
export type RouterSpec = z.output<typeof routerSchema>;

/** The health-check configuration of a `router:` section. */
export function healthConfig(r: RouterSpec): HealthCheckConfig {
  const h = r.healthCheck;
  return { intervalUs: h.intervalS * 1e6, timeoutUs: h.timeoutS * 1e6, failureThreshold: h.failureThreshold, successThreshold: h.successThreshold };
}

/** The router options of a `router:` section (the invariant check is the run's). */
export function routerOptions(r: RouterSpec): Omit<SimRouterOptions, 'check'> {
  const { timeoutS, firstTokenTimeoutS, ...retry } = r.retry;
  const od = r.outlierDetection;
  return {
    timeoutUs: timeoutS === undefined ? Infinity : timeoutS * 1e6, retry,
    ...(firstTokenTimeoutS !== undefined ? { firstTokenTimeoutUs: firstTokenTimeoutS * 1e6 } : {}),
    ...(r.moveOnMarkedDown === true ? { moveOnMarkedDown: true } : {}),
    ...(od !== undefined ? {
      outlierDetection: { consecutive5xx: od.consecutive5xx, baseEjectionUs: od.baseEjectionS * 1e6, maxEjectionUs: od.maxEjectionS * 1e6, maxEjectionPercent: od.maxEjectionPercent },
    } : {}),
  };
}

/** A problem found by {@link checkFaults}: where (path under the scenario) and what. */
export interface FaultIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Cross-key checks of a `faults:` list against the cluster size and the router's timeout. */
export function checkFaults(faults: readonly FaultSpec[], instances: number, router: RouterSpec): FaultIssue[] {
  const out: FaultIssue[] = [];
  faults.forEach((f, i) => {
    const at = (...p: (string | number)[]) => ['faults', i, ...p];
    if ((f.atS === undefined) === (f.schedule === undefined)) {
      out.push({ path: at(), message: `a fault needs exactly one of \`atS\` (a fixed time) or \`schedule\` (MTBF/MTTR), found ${f.atS === undefined ? 'neither' : 'both'}` });
    }
    const t = f.target;
    if (typeof t === 'string' && /^i\d+$/.test(t) && Number(t.slice(1)) >= instances) {
      out.push({ path: at('target'), message: `no instance '${t}': the cluster has ${instances} (i0..i${instances - 1})` });
    }
    const duration = f.kind === 'crash' ? 'recoverAfterS' : f.kind === 'kv-loss' ? undefined : 'durationS';
    const lasting = duration !== undefined && (f as Record<string, unknown>)[duration] !== undefined;
    if (f.schedule) {
      if (t === 'random') out.push({ path: at('target'), message: "a scheduled fault needs a fixed set of targets: an instance id, 'all' or { fraction }, found 'random'" });
      if (lasting) out.push({ path: at(duration!), message: `with \`schedule\`, durations are drawn from schedule.mttrS; remove \`${duration}\`` });
      if (f.kind === 'partition' && f.schedule.mttrS === undefined) out.push({ path: at('schedule'), message: 'a scheduled partition needs schedule.mttrS (how long partitions last)' });
      if (f.schedule.untilS !== undefined && f.schedule.untilS <= f.schedule.startS) {
        out.push({ path: at('schedule', 'untilS'), message: `expected untilS > startS (${f.schedule.startS}), found ${f.schedule.untilS}` });
      }
    } else if (f.kind === 'partition' && !lasting) {
      out.push({ path: at(), message: 'a partition needs `durationS` (a partition that never heals is a crash)' });
    }
    if (f.kind === 'crash' && f.warmupS > 0 && !lasting && f.schedule?.mttrS === undefined) {
      out.push({ path: at('warmupS'), message: 'warmupS needs recoverAfterS (or schedule.mttrS): a crash without a restart never warms up' });
    }
    const endless = f.kind === 'hang' && (f.schedule ? f.schedule.mttrS === undefined : !lasting);
    if (endless && router.retry.timeoutS === undefined) {
      out.push({ path: at(), message: 'a hang without an end never answers: set its duration, or router.retry.timeoutS so requests on it time out' });
    }
  });
  return out;
}
