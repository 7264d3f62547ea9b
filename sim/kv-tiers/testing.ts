import { LruEviction } from '../../policies/kv/eviction/lru.js';
import { FcfsPolicy } from '../../policies/scheduling/fcfs.js';
import { EngineCore, type EngineConfig } from '../engine/engine-core.js';
import type { EngineRequest } from '../engine/engine-request.js';
import { LinearCostModel, spec, testEngineConfig, type Trace } from '../engine/testing.js';
import { SimInstance } from '../cluster/instance.js';
import { SimClock } from '../sim-clock.js';
import { buildKvTiers, type DisaggregationConfig, type KvTiers, type KvTiersConfig } from './build.js';

/** Bytes of one KV block in these tests: 64 µs per block at 1 GB/s. */
export const TEST_BLOCK_BYTES = 64_000;

/** A small simulated cluster with KV tiers, stepped on a SimClock (linear cost model 1000 + 10/prefill token + 5/decode µs). */
export interface TierRig {
  readonly clock: SimClock;
  readonly kv: KvTiers;
  readonly engines: EngineCore[];
  readonly instances: SimInstance[];
  readonly trace: Map<string, Trace>;
  /** Add a request to instance `i` at `atUs` (see engine/testing.ts `spec`). */
  submit(i: number, atUs: number, id: string, runs: [string, number][], outputTokens: number, extra?: { kvTransfer?: string; hold?: boolean; onFinished?: (r: EngineRequest, nowUs: number) => void }): void;
}

export function tierRig(n: number, tiers: KvTiersConfig | undefined, pd: DisaggregationConfig | undefined, engine: Partial<EngineConfig> = {}): TierRig {
  const clock = new SimClock();
  const cost = new LinearCostModel();
  const config = testEngineConfig({ maxNumBatchedTokens: 512, ...engine });
  const kv = buildKvTiers({
    instanceIds: Array.from({ length: n }, (_, i) => `i${i}`), blockSize: config.blockSize, kvBytesPerBlock: TEST_BLOCK_BYTES,
    maxNumBatchedTokens: config.maxNumBatchedTokens, cost, evictionFor: () => new LruEviction(),
  }, tiers, pd);
  const engines: EngineCore[] = [];
  const instances: SimInstance[] = [];
  for (let i = 0; i < n; i++) {
    const e = new EngineCore(config, cost, new FcfsPolicy(), new LruEviction(), kv.connectors[i]!);
    kv.connectors[i]!.attach(e.kv.pool.info);
    const inst = new SimInstance(`i${i}`, e, clock, kv.roles[i]);
    const l = kv.links[i]!;
    if (kv.pd && l.pdIn && l.pdOut) kv.pd.register(inst.id, e, { out: l.pdOut, in: l.pdIn }, () => clock.at(clock.nowUs(), 'timer', () => inst.kick()));
    engines.push(e);
    instances.push(inst);
  }
  const trace = new Map<string, Trace>();
  return {
    clock, kv, engines, instances, trace,
    submit(i, atUs, id, runs, outputTokens, extra = {}) {
      clock.at(atUs, 'arrival', () => {
        const s = spec(id, runs, outputTokens, trace);
        const listener = extra.onFinished
          ? { onToken: s.listener.onToken, onFinished: (r: EngineRequest, now: number) => { s.listener.onFinished(r, now); extra.onFinished!(r, now); } }
          : s.listener;
        const added = engines[i]!.add({
          ...s, listener,
          ...(extra.kvTransfer ? { kvTransfer: { remoteInstance: extra.kvTransfer } } : {}),
          ...(extra.hold ? { holdKvOnFinish: true } : {}),
        }, clock.nowUs());
        if ('reject' in added) throw new Error(added.reject);
        instances[i]!.kick();
      });
    },
  };
}
