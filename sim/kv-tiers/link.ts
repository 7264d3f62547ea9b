/**
 * One direction of a data link (PCIe host↔device, a NIC towards a KV store, an RDMA path between
 * instances): first come, first served at a fixed bandwidth, plus a fixed latency per transfer.
 * A transfer queued at `t` starts when the link is free, occupies it for bytes / bandwidth, and
 * lands `latencyUs` after it leaves the link; transfers behind it wait (that is the contention).
 * Times are rounded up to whole µs, like the simulator's step times.
 */
export class TransferLink {
  readonly name: string;
  readonly bandwidthGBps: number;
  readonly latencyUs: number;
  /** Bytes moved so far. */
  bytes = 0;
  /** µs the link spent transmitting. */
  busyUs = 0;
  transfers = 0;
  readonly #bytesPerUs: number;
  #freeAtUs = 0;

  constructor(name: string, bandwidthGBps: number, latencyUs: number) {
    if (!(bandwidthGBps > 0) || !(latencyUs >= 0)) throw new RangeError(`link ${name}: bandwidth must be > 0 and latency >= 0`);
    this.name = name;
    this.bandwidthGBps = bandwidthGBps;
    this.latencyUs = latencyUs;
    this.#bytesPerUs = bandwidthGBps * 1e3; // 1 GB/s = 10^9 B/s = 10^3 B/µs
  }

  /** When the link is next free. */
  get freeAtUs(): number {
    return this.#freeAtUs;
  }

  /** µs to transmit `bytes` (no queueing, no latency). */
  transmitUs(bytes: number): number {
    return bytes / this.#bytesPerUs;
  }

  /** When a transfer of `bytes` queued now would land, without reserving the link. */
  estimateDoneUs(bytes: number, nowUs: number): number {
    return Math.ceil(Math.max(nowUs, this.#freeAtUs) + this.transmitUs(bytes) + this.latencyUs);
  }

  /** Queue a transfer of `bytes` at `nowUs`; returns when it lands. */
  reserve(bytes: number, nowUs: number): number {
    const start = Math.max(nowUs, this.#freeAtUs);
    const tx = this.transmitUs(bytes);
    this.#occupy(start, tx, bytes);
    return Math.ceil(start + tx + this.latencyUs);
  }

  /**
   * A transfer that holds two links at once (the sender's egress and the receiver's ingress): it
   * starts when both are free and runs at the slower one's rate; latency is the larger one.
   */
  static reservePair(out: TransferLink, into: TransferLink, bytes: number, nowUs: number): number {
    const start = Math.max(nowUs, out.#freeAtUs, into.#freeAtUs);
    const tx = Math.max(out.transmitUs(bytes), into.transmitUs(bytes));
    out.#occupy(start, tx, bytes);
    into.#occupy(start, tx, bytes);
    return Math.ceil(start + tx + Math.max(out.latencyUs, into.latencyUs));
  }

  #occupy(start: number, tx: number, bytes: number): void {
    this.#freeAtUs = start + tx;
    this.bytes += bytes;
    this.busyUs += tx;
    this.transfers++;
  }
}
