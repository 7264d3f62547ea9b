import type { ArrivalStream } from './stream.js';
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
 * Drives a workload's arrivals on a clock, the same way in simulation and live: each stream
 * keeps exactly one arrival scheduled; a closed-loop stream that is full waits until
 * {@link workflowEnded} frees a slot. Workflows are built only when they arrive.
 */
export class ArrivalDriver {
  readonly #source: WorkloadSource;
  readonly #hooks: DriverHooks;
  readonly #blocked = new Set<ArrivalStream>();
  /** Closed-loop workflows in flight, by id (at most the concurrency). */
  readonly #owner = new Map<string, ArrivalStream>();
  #open = 0;
  #started = false;

  constructor(source: WorkloadSource, hooks: DriverHooks) {
    this.#source = source;
    this.#hooks = hooks;
  }

  /** Schedule every stream's first arrival. */
  begin(): void {
    if (this.#started) throw new Error('ArrivalDriver.begin called twice');
    this.#started = true;
    for (const s of this.#source.streams) {
      this.#open++;
      this.#pump(s);
    }
  }

  /** True when every stream is exhausted (no arrival scheduled or awaited). */
  get done(): boolean {
    return this.#started && this.#open === 0;
  }

  /** Tell the driver a workflow ended (any outcome); closed-loop streams start the next one. */
  workflowEnded(workflowId: string): void {
    const s = this.#owner.get(workflowId);
    if (!s) return;
    this.#owner.delete(workflowId);
    s.ended();
    if (this.#blocked.delete(s)) this.#pump(s);
  }

  #pump(s: ArrivalStream): void {
    const a = s.next(this.#hooks.nowUs());
    if (a === null) {
      this.#open--;
      s.close?.();
      return;
    }
    if (a === 'blocked') {
      this.#blocked.add(s);
      return;
    }
    this.#hooks.schedule(a.arrivalUs, () => {
      if (s.accepts && !s.accepts(a)) {
        this.#open--;
        s.close?.();
        return;
      }
      const wf = s.build(a);
      if (s.closedLoop) this.#owner.set(wf.id, s);
      this.#hooks.start(wf);
      this.#pump(s);
    });
  }
}
