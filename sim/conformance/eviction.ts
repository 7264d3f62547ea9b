import { ensure, ensureSame, throws, type ConformanceCheck } from '../../policies/conformance.js';
import { SeededRng } from '../../policies/rng.js';
import type { DeclaredHints } from '../../policies/types.js';
import { hashBlocks, hashString, type TokenRun } from '../../policies/kv/hash.js';
import { KvCacheManager } from '../engine/kv-cache-manager.js';
import type { KvRequest } from '../../policies/kv/request.js';
import type { EvictionPolicy } from '../../policies/kv/eviction/types.js';

const BS = 16;

/** A request for tests: a shared role prompt, a workflow context and a unique task, with hints. */
export function evictionRequest(id: string, opts: { wf?: string | undefined; agent?: string; role?: string; taskTokens?: number; hints?: DeclaredHints; priority?: number } = {}): KvRequest {
  const runs: TokenRun[] = [
    { key: hashString(`system:${opts.role ?? 'r'}`), start: 0, length: 48 },
    ...(opts.wf !== undefined ? [{ key: hashString(`ctx:${opts.wf}`), start: 0, length: 64 }] : []),
    { key: hashString(`task:${id}`), start: 0, length: opts.taskTokens ?? 40 },
  ];
  const tokens = runs.reduce((s, r) => s + r.length, 0);
  return {
    id, numTokens: tokens, numComputedTokens: 0, blockHashes: hashBlocks(runs, BS), blocks: [], numCachedBlocks: 0,
    preemptions: 0, priority: opts.priority ?? 0, workflowId: opts.wf, agentId: opts.agent,
    ...(opts.hints ? { hints: opts.hints } : {}),
  };
}

/** Admit like the scheduler (prefix lookup, then allocation); false when it does not fit. */
export function admit(kv: KvCacheManager, req: KvRequest, nowUs: number): boolean {
  const hit = kv.getComputedBlocks(req);
  if (!kv.allocateSlots(req, req.numTokens - hit, hit, [...kv.hitBlocks], nowUs)) return false;
  req.numComputedTokens = req.numTokens;
  return true;
}

/**
 * A random admit/free workload through the real KvCacheManager: after every operation the pool
 * must conserve blocks (free set = ref-count-0 blocks); the pool itself throws if a policy hands
 * out a block in use. Returns the sequence of allocated block ids (for determinism checks).
 */
export function churn(policy: EvictionPolicy, seed: number, numBlocks = 64, ops = 600): number[] {
  const kv = new KvCacheManager({ numBlocks, blockSize: BS, enablePrefixCaching: true, maxModelLen: 4096 }, policy);
  const rng = new SeededRng(seed);
  const live: KvRequest[] = [];
  const trace: number[] = [];
  let now = 0;
  for (let op = 0; op < ops; op++) {
    now += 1 + rng.int(5000);
    if (live.length > 0 && (rng.float() < 0.45 || live.length > 6)) {
      const r = live.splice(rng.int(live.length), 1)[0]!;
      kv.free(r, now);
    } else {
      const wf = rng.float() < 0.8 ? `wf${rng.int(6)}` : undefined;
      const hints: DeclaredHints = rng.float() < 0.5 ? { stepsToReuse: rng.int(5), toolWaitUs: rng.int(20_000) } : {};
      const r = evictionRequest(`q${op}`, { wf, agent: `a${rng.int(3)}`, role: `r${rng.int(2)}`, taskTokens: 1 + rng.int(120), hints, priority: rng.int(3) });
      if (admit(kv, r, now)) {
        live.push(r);
        trace.push(...r.blocks);
      }
    }
    kv.pool.checkConservation();
    let zero = 0;
    for (let b = 1; b < numBlocks; b++) if (kv.pool.info.refCount[b] === 0) zero++;
    if (zero !== policy.size) throw new Error(`size ${policy.size} but ${zero} ref-count-0 blocks`);
  }
  return trace;
}

/** The checks every eviction policy passes (eviction-policies.suite.ts, `agentbench check-policy`). */
export const EVICTION_CHECKS: readonly ConformanceCheck<EvictionPolicy, 'determinism'>[] = [
  {
    title: 'starts with every usable block free',
    run(make) {
      const p = make();
      new KvCacheManager({ numBlocks: 32, blockSize: BS, enablePrefixCaching: true, maxModelLen: 4096 }, p);
      ensure(p.size === 31, `size ${p.size} after init with 31 usable blocks`);
    },
  },
  {
    title: 'only hands out ref-count-0 blocks and conserves blocks under a random workload',
    run(make) {
      for (const seed of [1, 2, 3]) {
        const n = churn(make(), seed).length;
        ensure(n > 100, `seed ${seed}: only ${n} blocks allocated over the workload (expected > 100)`);
      }
    },
  },
  {
    title: 'hands out every free block before failing, each once',
    run(make) {
      const p = make();
      const kv = new KvCacheManager({ numBlocks: 16, blockSize: BS, enablePrefixCaching: true, maxModelLen: 4096 }, p);
      const a = evictionRequest('a', { wf: 'w', hints: { stepsToReuse: 1, toolWaitUs: 1e9 } });
      admit(kv, a, 0);
      kv.free(a, 10);
      const seen = new Set<number>();
      for (let i = 0; i < 15; i++) seen.add(p.popFree(20));
      ensure(seen.size === 15, `15 popFree() calls returned ${seen.size} distinct blocks`);
      ensure(p.size === 0, `size ${p.size} after popping every free block`);
      ensure(throws(() => p.popFree(30)), 'popFree() with no free block did not throw');
    },
  },
  {
    title: 'is deterministic',
    skippable: 'determinism',
    run(make) {
      ensureSame(churn(make(), 7), churn(make(), 7), 'allocated blocks');
    },
  },
];
