import type { KvConnector } from '../engine/connector.js';
import type { KvRequest } from '../../policies/kv/request.js';
import type { BlockOwner } from '../../policies/kv/request.js';
import type { BlockInfo } from '../../policies/kv/eviction/types.js';
import type { BlockHash, TierOverlap } from '../../policies/types.js';
import { emptyShape, type CostModel } from '../cost-model/types.js';
import type { KvLedger, PdCoordinator } from './ledger.js';
import type { TransferLink } from './link.js';
import { savedComputeUs } from './load-rule.js';
import type { KvTierStore } from './tier-store.js';

/** How one instance reaches one tier. */
export interface TierAccess {
  readonly store: KvTierStore;
  /** Link loads arrive over (host → device for CPU, store → instance for remote). */
  readonly loadLink: TransferLink;
  /** Link writes leave over. */
  readonly storeLink: TransferLink;
  /**
   * `through`: every computed full block is written when its step ends (LMCache's save_kv_layer,
   * vLLM OffloadingConnector's stores); `evict`: blocks are written when the GPU evicts them.
   */
  readonly write: 'through' | 'evict';
}

/** When a tier hit is loaded: only when cheaper than recomputing it (default), or always. */
export type LoadRule = 'cheaper' | 'always';

/** Everything one instance's connector needs. */
export interface SimKvConnectorOptions {
  readonly instanceId: string;
  readonly blockSize: number;
  readonly kvBytesPerBlock: number;
  readonly cost: CostModel;
  /** The scheduler's token budget per step (prefill chunk size of the recompute estimate). */
  readonly chunkTokens: number;
  readonly cpu: TierAccess | null;
  readonly remote: TierAccess | null;
  readonly loadRule: LoadRule;
  readonly pd: PdCoordinator | null;
  readonly ledger: KvLedger;
}

/** Counters of one instance's connector. */
export interface KvConnectorStats {
  cpuHitBlocks: number;
  remoteHitBlocks: number;
  loads: number;
  /** Requests whose tier hit the rule left to recompute. */
  loadsDeclined: number;
  /** Σ load durations, µs (transfer plus queueing on the links). */
  loadUs: number;
  /** Σ compute time the loads replaced (the rule's recompute estimate), µs. */
  savedComputeUs: number;
  pdLoads: number;
  pdBytes: number;
}

interface ActiveLoad {
  readonly startUs: number;
  readonly doneUs: number;
  readonly cpuSlots: number[];
  readonly remoteSlots: number[];
  readonly savedUs: number;
  /** Prefill instance of a disaggregated pull, else null. */
  readonly source: string | null;
  readonly bytes: number;
}

/** A stamp for tier slots written from GPU evictions (the evicted block's last user). */
class EvictedOwner implements BlockOwner {
  workflowId: string | undefined = undefined;
  agentId: string | undefined = undefined;
  priority = 0;
  expectedReuseUs: number | undefined = undefined;
}

/**
 * One instance's KV connector in simulation: LMCache-style tiers (its own CPU tier and a shared
 * remote store) and, for disaggregated decode, the pull of a prompt's KV from its prefill
 * instance (NixlConnector). `matchedTokens` walks the prompt's blocks past the GPU hit: first
 * through the CPU tier, then through the remote tier, and picks how much to load by the load
 * rule (the CPU part alone, or CPU + remote, whichever saves more compute than its transfer
 * costs); the chosen slots are pinned until the load ends. Loads from different tiers use
 * different links and overlap; a request waits for the later one.
 */
export class SimKvConnector implements KvConnector {
  readonly stats: KvConnectorStats = {
    cpuHitBlocks: 0, remoteHitBlocks: 0, loads: 0, loadsDeclined: 0, loadUs: 0, savedComputeUs: 0, pdLoads: 0, pdBytes: 0,
  };
  readonly #o: SimKvConnectorOptions;
  readonly #shape = emptyShape();
  readonly #active = new Map<string, ActiveLoad>();
  readonly #owner = new EvictedOwner();
  #gpuInfo: BlockInfo | null = null;
  // The plan of the last matchedTokens call, consumed by startLoad (vLLM's load_specs).
  #planReq: KvRequest | null = null;
  #planCpu: number[] = [];
  #planRemote: number[] = [];
  #planSavedUs = 0;
  #lastDeclined = '';

  constructor(o: SimKvConnectorOptions) {
    this.#o = o;
  }

  /** The GPU pool whose evictions this connector sees (owner stamps for evict-writes). */
  attach(gpuInfo: BlockInfo): void {
    this.#gpuInfo = gpuInfo;
  }

  /** Whether the instance has a CPU or remote tier (tier-aware routing reads them). */
  get hasTiers(): boolean {
    return this.#o.cpu !== null || this.#o.remote !== null;
  }

  /** The instance's own CPU tier, if it has one. */
  get cpuStore(): KvTierStore | null {
    return this.#o.cpu?.store ?? null;
  }

  /** Loads in progress. */
  get activeLoads(): number {
    return this.#active.size;
  }

  matchedTokens(req: KvRequest, localTokens: number, nowUs: number): number {
    this.#dropPlan(nowUs);
    const o = this.#o;
    if (req.kvTransfer && o.pd) {
      // NixlConnector: every prompt token past the local hit comes from the prefill instance.
      const n = req.numTokens - localTokens;
      if (n <= 0) return 0;
      this.#planReq = req;
      return n;
    }
    if (o.cpu === null && o.remote === null) return 0;
    const bs = o.blockSize;
    const maxBlocks = Math.min(Math.floor((req.numTokens - 1) / bs), req.blockHashes.length);
    const from = localTokens / bs;
    if (from >= maxBlocks) return 0;
    const cpu = this.#planCpu;
    const remote = this.#planRemote;
    const h = o.cpu ? this.#run(o.cpu.store, req.blockHashes, from, maxBlocks, nowUs, cpu) : 0;
    const r = o.remote ? this.#run(o.remote.store, req.blockHashes, from + h, maxBlocks, nowUs, remote) : 0;
    if (h + r === 0) return 0;
    // Candidates: the CPU part alone, or CPU + remote; keep the one that saves the most.
    let pick = 0;
    let best = o.loadRule === 'always' ? -Infinity : 0;
    let bestSaved = 0;
    for (const k of h > 0 && r > 0 ? [h, h + r] : [h + r]) {
      const saved = savedComputeUs(o.cost, this.#shape, localTokens, k * bs, req.numTokens, o.chunkTokens);
      const net = saved - this.#loadUs(Math.min(k, h), k - Math.min(k, h), nowUs);
      if (net > best || (o.loadRule === 'always' && k === h + r)) {
        best = net;
        pick = k;
        bestSaved = saved;
      }
    }
    if (pick === 0) {
      if (this.#lastDeclined !== req.id) this.stats.loadsDeclined++;
      this.#lastDeclined = req.id;
      cpu.length = 0;
      remote.length = 0;
      return 0;
    }
    if (pick <= h) remote.length = 0;
    for (let i = 0; i < cpu.length; i++) o.cpu!.store.pin(cpu[i]!, nowUs, req);
    for (let i = 0; i < remote.length; i++) o.remote!.store.pin(remote[i]!, nowUs, req);
    this.#planReq = req;
    this.#planSavedUs = bestSaved;
    return pick * bs;
  }

  startLoad(req: KvRequest, localTokens: number, externalTokens: number, nowUs: number): number {
    if (this.#planReq !== req) throw new Error(`KV connector ${this.#o.instanceId}: load of ${req.id} without a matching lookup`);
    const o = this.#o;
    const bpb = o.kvBytesPerBlock;
    this.#planReq = null;
    let load: ActiveLoad;
    if (req.kvTransfer && o.pd) {
      const src = req.kvTransfer.remoteInstance;
      // Whole blocks move (the last one partly filled), past the blocks cached here.
      const bytes = (Math.ceil(req.numTokens / o.blockSize) - localTokens / o.blockSize) * bpb;
      req.kvTransfer = null;
      const doneUs = o.pd.transfer(src, o.instanceId, bytes, nowUs);
      load = { startUs: nowUs, doneUs, cpuSlots: [], remoteSlots: [], savedUs: 0, source: src, bytes };
    } else {
      const cpuSlots = this.#planCpu;
      const remoteSlots = this.#planRemote;
      if ((cpuSlots.length + remoteSlots.length) * o.blockSize !== externalTokens) {
        throw new Error(`KV connector ${o.instanceId}: planned ${cpuSlots.length + remoteSlots.length} blocks, asked to load ${externalTokens} tokens`);
      }
      this.#planCpu = [];
      this.#planRemote = [];
      let doneUs = nowUs;
      if (cpuSlots.length > 0) doneUs = Math.max(doneUs, o.cpu!.loadLink.reserve(cpuSlots.length * bpb, nowUs));
      if (remoteSlots.length > 0) doneUs = Math.max(doneUs, o.remote!.loadLink.reserve(remoteSlots.length * bpb, nowUs));
      load = { startUs: nowUs, doneUs, cpuSlots, remoteSlots, savedUs: this.#planSavedUs, source: null, bytes: externalTokens / o.blockSize * bpb };
    }
    this.#active.set(req.id, load);
    return load.doneUs;
  }

  finishLoad(req: KvRequest, ok: boolean, nowUs: number): void {
    const a = this.#active.get(req.id);
    if (!a) throw new Error(`KV connector ${this.#o.instanceId}: no load in progress for ${req.id}`);
    this.#active.delete(req.id);
    const o = this.#o;
    for (let i = 0; i < a.cpuSlots.length; i++) o.cpu!.store.unpin(a.cpuSlots[i]!, nowUs);
    for (let i = 0; i < a.remoteSlots.length; i++) o.remote!.store.unpin(a.remoteSlots[i]!, nowUs);
    if (a.source !== null) {
      o.pd!.release(a.source, req.id, nowUs);
      if (ok) {
        this.stats.pdLoads++;
        this.stats.pdBytes += a.bytes;
        o.ledger.transfer(req.id, a.startUs, a.doneUs, a.bytes);
      }
      return;
    }
    if (!ok) return;
    const s = this.stats;
    s.cpuHitBlocks += a.cpuSlots.length;
    s.remoteHitBlocks += a.remoteSlots.length;
    s.loads++;
    s.loadUs += a.doneUs - a.startUs;
    s.savedComputeUs += a.savedUs;
    o.ledger.tierLoadUs.push(a.doneUs - a.startUs);
  }

  onBlocksComputed(req: KvRequest, fromBlock: number, toBlock: number, nowUs: number): void {
    const o = this.#o;
    if (o.cpu?.write === 'through') this.#writeRange(o.cpu, req, fromBlock, toBlock, nowUs);
    if (o.remote?.write === 'through') this.#writeRange(o.remote, req, fromBlock, toBlock, nowUs);
  }

  onEvicted(hash: BlockHash, block: number, nowUs: number): void {
    const o = this.#o;
    const info = this.#gpuInfo;
    const owner = this.#owner;
    if (info) {
      owner.workflowId = info.workflowId(block);
      owner.agentId = info.agentId(block);
      owner.priority = info.priority[block]!;
      const reuse = info.expectedReuseUs[block]!;
      owner.expectedReuseUs = Number.isNaN(reuse) ? undefined : reuse;
    }
    if (o.cpu?.write === 'evict') o.cpu.store.write(hash, owner, o.cpu.storeLink, o.kvBytesPerBlock, nowUs);
    if (o.remote?.write === 'evict') o.remote.store.write(hash, owner, o.remote.storeLink, o.kvBytesPerBlock, nowUs);
  }

  /**
   * Where `hashes` is cached beyond the first `deviceBlocks` (already found on the GPU): the run
   * continuing in the CPU tier, then in the remote tier (what tier-aware routers weigh).
   */
  overlap(hashes: readonly BlockHash[], deviceBlocks: number, nowUs: number, out: TierOverlap): void {
    const o = this.#o;
    out.device = deviceBlocks;
    out.host = o.cpu ? this.#run(o.cpu.store, hashes, deviceBlocks, hashes.length, nowUs, null) : 0;
    out.remote = o.remote ? this.#run(o.remote.store, hashes, deviceBlocks + out.host, hashes.length, nowUs, null) : 0;
  }

  /** Throw unless every load in progress is known to the engine (called at the end of a run). */
  checkDrained(): void {
    if (this.#active.size > 0) throw new Error(`KV connector ${this.#o.instanceId}: ${this.#active.size} loads never finished`);
  }

  /** Release the pins of a lookup that no load consumed (its allocation failed, or the run ended). */
  dropPlan(nowUs: number): void {
    this.#dropPlan(nowUs);
  }

  // Consecutive blocks of `hashes` from `from` (below `to`) stored in `store`; slots into `slots`.
  #run(store: KvTierStore, hashes: readonly BlockHash[], from: number, to: number, nowUs: number, slots: number[] | null): number {
    store.flush(nowUs);
    let n = 0;
    for (let i = from; i < to; i++) {
      const s = store.lookup(hashes[i]!);
      if (s < 0) break;
      slots?.push(s);
      n++;
    }
    return n;
  }

  // µs until blocks loaded now from each tier would land (the later of the two links).
  #loadUs(cpuBlocks: number, remoteBlocks: number, nowUs: number): number {
    const o = this.#o;
    let done = nowUs;
    if (cpuBlocks > 0) done = Math.max(done, o.cpu!.loadLink.estimateDoneUs(cpuBlocks * o.kvBytesPerBlock, nowUs));
    if (remoteBlocks > 0) done = Math.max(done, o.remote!.loadLink.estimateDoneUs(remoteBlocks * o.kvBytesPerBlock, nowUs));
    return done - nowUs;
  }

  #writeRange(t: TierAccess, req: KvRequest, from: number, to: number, nowUs: number): void {
    for (let i = from; i < to; i++) t.store.write(req.blockHashes[i]!, req, t.storeLink, this.#o.kvBytesPerBlock, nowUs);
  }

  #dropPlan(nowUs: number): void {
    const o = this.#o;
    const req = this.#planReq;
    this.#planReq = null;
    if (req === null || (req.kvTransfer && o.pd)) return;
    for (let i = 0; i < this.#planCpu.length; i++) o.cpu!.store.unpin(this.#planCpu[i]!, nowUs);
    for (let i = 0; i < this.#planRemote.length; i++) o.remote!.store.unpin(this.#planRemote[i]!, nowUs);
    this.#planCpu.length = 0;
    this.#planRemote.length = 0;
  }
}
