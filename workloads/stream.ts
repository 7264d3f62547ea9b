import type { Rng } from '../policies/types.js';
import type { ArrivalProcess } from './arrivals.js';
import type { Sampler } from './distributions.js';
import type { WorkflowFactory } from './pattern.js';
import type { Workflow } from './workflow.js';

/** Which stream of a workload an arrival belongs to: its workflows, or background chat. */
export type StreamName = 'main' | 'background';

/** One arrival: which workflow and when. */
export interface Arrival {
  readonly index: number;
  readonly arrivalUs: number;
  /** Default 'main'. */
  readonly stream?: StreamName | undefined;
}

/** One stream of arrivals and the workflows they start. */
export interface ArrivalStream {
  readonly name: StreamName;
  /** True when arrivals wait for completions ({@link ended}). */
  readonly closedLoop: boolean;
  /**
   * The next arrival (at or after `nowUs`); 'blocked' until one of this stream's workflows
   * ends (closed loop); null when the stream is exhausted.
   */
  next(nowUs: number): Arrival | 'blocked' | null;
  /** Whether an arrival still applies when its time comes (background stops with the main stream). */
  accepts?(a: Arrival): boolean;
  /** One of this stream's workflows ended. */
  ended(): void;
  build(a: Arrival): Workflow;
  close?(): void;
}

/** Stop rules shared by every stream. */
export interface Bounds {
  readonly workflows?: number | undefined;
  readonly durationUs?: number | undefined;
}

/** Open-loop arrivals from a process; workflow i draws from `<label>-<i>` of the workload stream. */
export class OpenLoopStream implements ArrivalStream {
  readonly closedLoop = false;
  #count = 0;
  constructor(
    readonly name: StreamName,
    readonly label: string,
    readonly factory: WorkflowFactory,
    readonly process: ArrivalProcess,
    readonly arrivalRng: Rng,
    readonly workflowRng: Rng,
    readonly bounds: Bounds,
    readonly acceptsFn?: (a: Arrival) => boolean,
  ) {}

  next(): Arrival | null {
    if (this.bounds.workflows !== undefined && this.#count >= this.bounds.workflows) return null;
    const at = this.process.nextUs(this.arrivalRng);
    if (at === null || (this.bounds.durationUs !== undefined && at > this.bounds.durationUs)) return null;
    return { index: this.#count++, arrivalUs: Math.round(at), stream: this.name };
  }

  accepts(a: Arrival): boolean {
    return this.acceptsFn ? this.acceptsFn(a) : true;
  }

  ended(): void {}

  build(a: Arrival): Workflow {
    return this.factory.build(a.index, a.arrivalUs, this.workflowRng.fork(`${this.label}-${a.index}`));
  }
}

/**
 * Closed-loop arrivals: `concurrency` workflows start at once, and each end lets the next one
 * start a think time later (the way a pool of K agent sessions, or autocannon's connections,
 * loads a server).
 */
export class ClosedLoopStream implements ArrivalStream {
  readonly name = 'main';
  readonly closedLoop = true;
  #started = 0;
  #inflight = 0;
  constructor(
    readonly factory: WorkflowFactory,
    readonly concurrency: number,
    readonly thinkMs: Sampler,
    readonly arrivalRng: Rng,
    readonly workflowRng: Rng,
    readonly bounds: Bounds,
  ) {}

  next(nowUs: number): Arrival | 'blocked' | null {
    if (this.bounds.workflows !== undefined && this.#started >= this.bounds.workflows) return null;
    if (this.#inflight >= this.concurrency) return 'blocked';
    const at = this.#started < this.concurrency ? nowUs : nowUs + Math.max(0, this.thinkMs(this.arrivalRng)) * 1000;
    if (this.bounds.durationUs !== undefined && at > this.bounds.durationUs) return null;
    this.#inflight++;
    return { index: this.#started++, arrivalUs: Math.round(at), stream: 'main' };
  }

  ended(): void {
    if (this.#inflight <= 0) throw new Error('closed-loop stream: a workflow ended that was never started');
    this.#inflight--;
  }

  build(a: Arrival): Workflow {
    return this.factory.build(a.index, a.arrivalUs, this.workflowRng.fork(`wf-${a.index}`));
  }
}
