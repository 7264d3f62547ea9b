import { z } from 'zod';
import { EVICTION_POLICIES } from '../../policies/kv/registry.js';
import { ROUTING_POLICIES } from '../../policies/routing/registry.js';
import { policyRefSchema, refLabel } from './policy-ref.js';

/**
 * One KV tier outside GPU memory. Capacity in blocks or GiB (exactly one); bandwidth per
 * direction in GB/s (CPU: the GPU's PCIe figure × tensorParallel by default; remote: 12.5, one
 * 100 GbE link); latency per transfer in µs; `write: through` (default) stores every computed
 * full block, as vLLM's OffloadingConnector and LMCache do, `evict` only the blocks the GPU
 * evicts (a write-back cache, SGLang HiCache's write_back); `eviction` orders the tier (LRU).
 */
function tierSchema(defaults: { latencyUs: number; write: 'through' | 'evict'; bandwidthGBps?: number }) {
  return z.strictObject({
    capacityBlocks: z.int().positive().optional(),
    capacityGiB: z.number().positive().optional(),
    bandwidthGBps: defaults.bandwidthGBps !== undefined ? z.number().positive().default(defaults.bandwidthGBps) : z.number().positive().optional(),
    latencyUs: z.number().nonnegative().default(defaults.latencyUs),
    write: z.enum(['through', 'evict']).default(defaults.write),
    eviction: policyRefSchema(EVICTION_POLICIES, 'eviction policy', true).prefault('lru'),
  }).check((ctx) => {
    const n = Number(ctx.value.capacityBlocks !== undefined) + Number(ctx.value.capacityGiB !== undefined);
    if (n !== 1) {
      ctx.issues.push({
        code: 'custom', input: ctx.value, path: n === 0 ? ['capacityBlocks'] : ['capacityGiB'],
        message: n === 0 ? 'missing key (expected capacityBlocks or capacityGiB)' : 'give capacityBlocks or capacityGiB, not both',
      });
    }
  });
}

/**
 * `kvTiers` of a policy entry: a per-instance CPU tier and/or a remote tier shared by all
 * instances; `loadRule: cheaper` loads a tier hit only when its transfer lands sooner than the
 * prefill it saves (cost model), `always` loads every hit.
 */
export const kvTiersSchema = z.strictObject({
  cpu: tierSchema({ latencyUs: 10, write: 'through' }).optional(),
  remote: tierSchema({ latencyUs: 100, write: 'through', bandwidthGBps: 12.5 }).optional(),
  loadRule: z.enum(['cheaper', 'always']).default('cheaper'),
}).check((ctx) => {
  if (!ctx.value.cpu && !ctx.value.remote) {
    ctx.issues.push({ code: 'custom', input: ctx.value, path: ['cpu'], message: 'missing key (expected cpu and/or remote)' });
  }
});

/**
 * `disaggregation` of a policy entry: the first `prefillInstances` instances prefill, the others
 * decode; `prefillRouting` picks the prefill instance (round-robin, as production-stack's
 * orchestrated disaggregated_prefill router does), the entry's `routing` the decode instance.
 * KV moves over each instance's own link: `bandwidthGBps` per direction (default 50: one
 * 400 Gb/s NIC, ConnectX-7 class) and `latencyUs` per transfer.
 */
export const disaggregationSchema = z.strictObject({
  prefillInstances: z.int().positive(),
  prefillRouting: policyRefSchema(ROUTING_POLICIES, 'routing policy', true).prefault('round-robin'),
  bandwidthGBps: z.number().positive().default(50),
  latencyUs: z.number().nonnegative().default(10),
});

/** Parsed `kvTiers`. */
export type KvTiersSpec = z.output<typeof kvTiersSchema>;
/** Parsed `disaggregation`. */
export type DisaggregationSpec = z.output<typeof disaggregationSchema>;

/** Short display of a policy entry's KV tiers, e.g. `cpu 20000 blk evict + remote 1 GiB through`. */
export function kvTiersLabel(t: KvTiersSpec): string {
  const one = (name: string, x: NonNullable<KvTiersSpec['cpu']>): string =>
    `${name} ${x.capacityBlocks !== undefined ? `${x.capacityBlocks} blk` : `${x.capacityGiB} GiB`} ${x.write}${x.eviction.kind !== 'lru' ? ` ${refLabel(x.eviction)}` : ''}`;
  const parts = [...(t.cpu ? [one('cpu', t.cpu)] : []), ...(t.remote ? [one('remote', t.remote)] : [])];
  return `${parts.join(' + ')}${t.loadRule === 'always' ? ', always load' : ''}`;
}

/** Short display of a disaggregation, e.g. `2 prefill (round-robin) / rest decode, 50 GB/s`. */
export function disaggregationLabel(d: DisaggregationSpec): string {
  return `${d.prefillInstances} prefill (${refLabel(d.prefillRouting)}), ${d.bandwidthGBps} GB/s`;
}

/** Problems of kvTiers / disaggregation that depend on the rest of the scenario. */
export function checkKvScenario(s: {
  readonly mode: string;
  readonly cluster: { readonly instances: number; readonly gpu: unknown };
  readonly faults: readonly unknown[];
  readonly policies: readonly { readonly kvTiers?: KvTiersSpec | undefined; readonly disaggregation?: DisaggregationSpec | undefined }[];
}): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const inlineGpuWithoutPcie = typeof s.cluster.gpu === 'object' && s.cluster.gpu !== null && !('pcieGBps' in s.cluster.gpu && (s.cluster.gpu as { pcieGBps?: number }).pcieGBps);
  s.policies.forEach((p, i) => {
    if (p.kvTiers || p.disaggregation) {
      if (s.mode === 'live') {
        out.push({ path: ['policies', i, p.kvTiers ? 'kvTiers' : 'disaggregation'], message: 'KV tiers and disaggregation are simulated only; remove them for mode: live' });
      }
    }
    if (p.kvTiers?.cpu && p.kvTiers.cpu.bandwidthGBps === undefined && inlineGpuWithoutPcie) {
      out.push({ path: ['policies', i, 'kvTiers', 'cpu', 'bandwidthGBps'], message: 'missing key: the inline cluster.gpu has no pcieGBps to take the CPU tier bandwidth from' });
    }
    const d = p.disaggregation;
    if (d) {
      if (d.prefillInstances >= s.cluster.instances) {
        out.push({
          path: ['policies', i, 'disaggregation', 'prefillInstances'],
          message: `expected fewer than cluster.instances (${s.cluster.instances}): at least one instance must decode, found ${d.prefillInstances}`,
        });
      }
      if (s.faults.length > 0) {
        out.push({ path: ['policies', i, 'disaggregation'], message: 'disaggregation cannot be combined with faults yet; run faults with co-located instances' });
      }
    }
  });
  return out;
}
