import type { EngineCore } from '../engine/engine-core.js';
import { TransferLink } from './link.js';

/** One disaggregated request's phases, µs of the run's clock (NaN until they happen). */
export interface PdRecord {
  prefillInstance: string;
  /** The prefill instance finished the prompt (its one token, discarded by the router). */
  prefillDoneUs: number;
  /** The decode instance started pulling the KV, and when the pull landed. */
  transferStartUs: number;
  transferDoneUs: number;
  transferBytes: number;
}

/** What the KV tiers and disaggregation did in one run, per request where it matters. */
export class KvLedger {
  /** Duration of every completed tier load (queueing on the link included), µs. */
  readonly tierLoadUs: number[] = [];
  /** Disaggregated requests by id (the last attempt's figures). */
  readonly pd = new Map<string, PdRecord>();

  prefillDone(id: string, instance: string, nowUs: number): void {
    this.pd.set(id, { prefillInstance: instance, prefillDoneUs: nowUs, transferStartUs: NaN, transferDoneUs: NaN, transferBytes: 0 });
  }

  transfer(id: string, startUs: number, doneUs: number, bytes: number): void {
    const r = this.pd.get(id);
    if (!r) return;
    r.transferStartUs = startUs;
    r.transferDoneUs = doneUs;
    r.transferBytes = bytes;
  }
}

interface PdNode {
  readonly engine: EngineCore;
  readonly out: TransferLink;
  readonly in: TransferLink;
  readonly wake: () => void;
}

/**
 * The KV path between prefill and decode instances (vLLM's NixlConnector: the decode instance
 * reads the prompt's blocks from the prefill instance's GPU memory). A transfer holds the
 * sender's egress and the receiver's ingress link at once, so transfers from one prefill
 * instance, or into one decode instance, queue behind each other. The prefill instance keeps
 * the blocks until the read is done (request_finished's delay-free), then frees them.
 */
export class PdCoordinator {
  readonly #nodes = new Map<string, PdNode>();

  /** Make an instance reachable; `wake` steps it again (freed blocks may admit waiting work). */
  register(id: string, engine: EngineCore, links: { out: TransferLink; in: TransferLink }, wake: () => void): void {
    this.#nodes.set(id, { engine, out: links.out, in: links.in, wake });
  }

  /** Start moving `bytes` from `src` to `dst`; returns when they land. */
  transfer(src: string, dst: string, bytes: number, nowUs: number): number {
    const a = this.#node(src);
    const b = this.#node(dst);
    return TransferLink.reservePair(a.out, b.in, bytes, nowUs);
  }

  /** The read of `reqId`'s blocks on `src` is over (or abandoned): free them there. */
  release(src: string, reqId: string, nowUs: number): void {
    const n = this.#node(src);
    if (n.engine.releaseHeld(reqId, nowUs)) n.wake();
  }

  #node(id: string): PdNode {
    const n = this.#nodes.get(id);
    if (!n) throw new Error(`disaggregation: unknown instance '${id}'`);
    return n;
  }
}
