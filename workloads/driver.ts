import type { Arrival, ArrivalStream } from './stream.js';
import type { Workflow } from './workflow.js';
import type { WorkloadSource } from './workload.js';

/** How an {@link ArrivalDriver} reaches the world: the run's clock and its workflow runner. */
export interface DriverHooks {
  nowUs(): number;
  /** Run `fn` at `atUs` (sim: an 'arrival' event; live: a timer). */
  schedule(atUs: number, fn: () => void): void;
  /** Start a workflow now. */
  start(wf: Workflow): void;
}

/**
 * Drives a workload's arrivals on a clock, the same way in simulation and live. An open-loop
 * stream keeps exactly one arrival scheduled (the next is drawn when it fires). A closed-loop
 * stream schedules one arrival per free slot: K at the start, then one each time
 * {@link workflowEnded} reports the end of one of its workflows (a think time later).
 * Workflows are built only when they arrive.
 */
export class ArrivalDriver {
  readonly #source: WorkloadSource;
  readonly #hooks: DriverHooks;
  readonly #exhausted = new Set<ArrivalStream>();
  /** Closed-loop workflows in flight, by id (at most the concurrency). */
  readonly #owner = new Map<string, ArrivalStream>();
  #scheduled = 0;
  #started = false;

  constructor(source: WorkloadSource, hooks: DriverHooks) {
    this.#source = source;
    this.#hooks = hooks;
  }

  /** Schedule every stream's first arrivals. */
  begin(): void {
    if (this.#started) throw new Error('ArrivalDriver.begin called twice');
    this.#started = true;
    for (const s of this.#source.streams) this.#pump(s);
  }

  /** True when every stream is exhausted and no arrival is pending. */
  get done(): boolean {
    return this.#started && this.#scheduled === 0 && this.#exhausted.size === this.#source.streams.length;
  }

  /** Tell the driver a workflow ended (any outcome); a closed-loop stream then schedules the next one. */
  workflowEnded(workflowId: string): void {
    const s = this.#owner.get(workflowId);
    if (!s) return;
    this.#owner.delete(workflowId);
    s.ended();
    this.#pump(s);
  }

  // Schedule what the stream has now: one arrival (open loop), or one per free slot (closed loop).
  #pump(s: ArrivalStream): void {
    while (!this.#exhausted.has(s)) {
      const a = s.next(this.#hooks.nowUs());
      if (a === 'blocked') return;
      if (a === null) {
        this.#finish(s);
        return;
      }
      this.#scheduled++;
      this.#hooks.schedule(a.arrivalUs, () => this.#fire(s, a));
      if (!s.closedLoop) return;
    }
  }

  #fire(s: ArrivalStream, a: Arrival): void {
    this.#scheduled--;
    if (s.accepts && !s.accepts(a)) {
      this.#finish(s);
      return;
    }
    const wf = s.build(a);
    if (s.closedLoop) this.#owner.set(wf.id, s);
    this.#hooks.start(wf);
    if (!s.closedLoop) this.#pump(s);
  }

  #finish(s: ArrivalStream): void {
    this.#exhausted.add(s);
    s.close?.();
  }
}
