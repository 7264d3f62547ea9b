import { z } from 'zod';
import type { Rng } from '../policies/types.js';
import { makeArrivals } from './arrivals.js';
import { makeMixedFactory, makeBackgroundFactory, mixedShape, type MixedSpec } from './mixed.js';
import { workloadCommonShape, type PatternContext, type WorkflowFactory, type WorkloadCommon } from './pattern.js';
import { PATTERNS } from './patterns/index.js';
import { makeSampler } from './distributions.js';
import { ClosedLoopStream, OpenLoopStream, type Arrival, type ArrivalStream, type Bounds } from './stream.js';
import { checkTrace, traceShape, type TraceSpec } from './trace/schema.js';
import { TraceStream, type TraceStats } from './trace/trace-stream.js';
import type { Workflow } from './workflow.js';

type Issue = (path: (string | number)[], message: string) => void;
type IssueSink = { issues: { code: 'custom'; input: unknown; path: (string | number)[]; message: string }[]; value: unknown };
const pushTo = (ctx: IssueSink): Issue => (path, message) => ctx.issues.push({ code: 'custom', input: ctx.value, path, message });

const patternVariants = Object.entries(PATTERNS).map(([name, def]) => {
  const variant = z.strictObject({ ...workloadCommonShape, ...def.shape, pattern: z.literal(name) });
  const check = def.check;
  return check ? variant.check((ctx) => check(ctx.value as never, pushTo(ctx as unknown as IssueSink))) : variant;
});
const mixedVariant = z.strictObject(mixedShape);
const traceVariant = z.strictObject(traceShape).check((ctx) => checkTrace(ctx.value, pushTo(ctx as unknown as IssueSink)));
const variants = [...patternVariants, mixedVariant, traceVariant];

/** A workload as written in a scenario: a pattern (or `mixed`, or `trace`), its options, arrivals and a stop rule. */
export const workloadSchema = z
  .discriminatedUnion('pattern', variants as unknown as [typeof variants[number], ...typeof variants])
  .check((ctx) => {
    const v = ctx.value as { workflows?: number; durationS?: number; pattern: string; arrivals?: { kind: string }; loop?: boolean };
    const bounded = v.workflows !== undefined || v.durationS !== undefined
      || v.arrivals?.kind === 'stages' || (v.pattern === 'trace' && v.loop !== true);
    if (!bounded) {
      ctx.issues.push({
        code: 'custom', input: ctx.value, path: ['workflows'],
        message: 'expected `workflows` (a count) or `durationS` (arrival window) to bound the workload, found neither',
      });
    }
  });

/** A parsed workload. */
export type WorkloadSpec = WorkloadCommon & { readonly pattern: string } & Readonly<Record<string, unknown>>;

export type { Arrival } from './stream.js';

/** Options of a workload source. */
export interface SourceOptions {
  /** Folder that relative paths (trace files, empirical distributions) resolve against. */
  readonly baseDir?: string | undefined;
}

/**
 * The workflows of one workload, produced lazily, as one or two arrival streams (the workflows;
 * background chat for `mixed`). A workflow is drawn only when it arrives, from its own stream
 * (`wf-<index>`, `bg-<index>` for background), so the same seed gives the same workflows
 * whatever the policy under test. Drive it with an {@link ArrivalDriver} (needed for
 * closed-loop arrivals), or pull open-loop arrivals in time order with {@link nextArrival}.
 */
export class WorkloadSource {
  readonly spec: WorkloadSpec;
  readonly streams: readonly ArrivalStream[];
  readonly #trace: TraceStream | undefined;
  readonly #peeked = new Map<ArrivalStream, Arrival | null>();

  constructor(spec: WorkloadSpec, rng: Rng, opts: SourceOptions = {}) {
    this.spec = spec;
    const bounds: Bounds = { workflows: spec.workflows, durationUs: spec.durationS === undefined ? undefined : spec.durationS * 1e6 };
    if (spec.pattern === 'trace') {
      this.#trace = new TraceStream(spec as unknown as TraceSpec, opts.baseDir);
      this.streams = [this.#trace];
      return;
    }
    const ctx: PatternContext = { rng: rng.fork('shared'), baseDir: opts.baseDir };
    let factory: WorkflowFactory;
    if (spec.pattern === 'mixed') {
      factory = makeMixedFactory(spec as unknown as MixedSpec, ctx);
    } else {
      const def = PATTERNS[spec.pattern as keyof typeof PATTERNS];
      if (!def) throw new Error(`unknown pattern '${spec.pattern}'; valid: ${[...Object.keys(PATTERNS), 'mixed', 'trace'].join(', ')}`);
      factory = def.make(spec as never, ctx);
    }
    const arrivals = spec.arrivals;
    let main: ArrivalStream;
    if (arrivals.kind === 'closed-loop') {
      const think = makeSampler(arrivals.thinkTimeMs, { baseDir: opts.baseDir });
      main = new ClosedLoopStream(factory, arrivals.concurrency, think, rng.fork('arrivals'), rng, bounds);
    } else {
      main = new OpenLoopStream('main', 'wf', factory, makeArrivals(arrivals), rng.fork('arrivals'), rng, bounds);
    }
    const streams: ArrivalStream[] = [main];
    const bg = spec.pattern === 'mixed' ? (spec as unknown as MixedSpec).background : undefined;
    if (bg) {
      // Background chat runs while the workflows arrive: it stops after the main stream's last arrival.
      let lastMainUs = 0;
      let mainDone = false;
      const next = main.next.bind(main);
      main.next = (nowUs: number) => {
        const a = next(nowUs);
        if (a === null) mainDone = true;
        else if (a !== 'blocked') lastMainUs = a.arrivalUs;
        return a;
      };
      streams.push(new OpenLoopStream(
        'background', 'bg', makeBackgroundFactory(spec as unknown as MixedSpec, ctx), makeArrivals(bg.arrivals),
        rng.fork('background-arrivals'), rng, { durationUs: bounds.durationUs },
        (a) => !mainDone || a.arrivalUs <= lastMainUs,
      ));
    }
    this.streams = streams;
  }

  /** True when arrivals wait for completions (closed loop): drive with an ArrivalDriver. */
  get closedLoop(): boolean {
    return this.streams.some((s) => s.closedLoop);
  }

  /** Rows a trace replay skipped (undefined for generated workloads). */
  get traceStats(): TraceStats | undefined {
    return this.#trace?.stats;
  }

  /**
   * The next arrival of any stream, in time order (open-loop workloads only), or null when all
   * streams are exhausted. Closed-loop workloads throw: their arrivals depend on completions.
   */
  nextArrival(): Arrival | null {
    let best: ArrivalStream | undefined;
    for (const s of this.streams) {
      if (!this.#peeked.has(s)) {
        const a = s.next(0);
        if (a === 'blocked') throw new Error(`workload ${this.spec.name}: closed-loop arrivals depend on completions; drive it with an ArrivalDriver`);
        this.#peeked.set(s, a);
      }
      const a = this.#peeked.get(s);
      if (a && (!best || a.arrivalUs < this.#peeked.get(best)!.arrivalUs)) best = s;
    }
    if (!best) return null;
    const a = this.#peeked.get(best)!;
    this.#peeked.delete(best);
    if (best.accepts && !best.accepts(a)) {
      this.#peeked.set(best, null);
      return this.nextArrival();
    }
    return a;
  }

  /**
   * Arrivals in time order as if every workflow ended the moment it started (for previews, no
   * simulation): a closed-loop stream's times then hold only its think times.
   */
  *previewArrivals(): Generator<Arrival> {
    if (!this.closedLoop) {
      for (let a = this.nextArrival(); a; a = this.nextArrival()) yield a;
      return;
    }
    // Start times of each closed-loop stream's workflows "in flight" (they end as they start).
    const inFlight = new Map<ArrivalStream, number[]>(this.streams.map((s) => [s, []]));
    const pull = (s: ArrivalStream): Arrival | null => {
      let now = 0;
      for (;;) {
        const a = s.next(now);
        if (a !== 'blocked') {
          if (a && s.closedLoop) inFlight.get(s)!.push(a.arrivalUs);
          return a;
        }
        now = inFlight.get(s)!.shift() ?? now; // the earliest started workflow ended when it started
        s.ended();
      }
    };
    const peeked = new Map<ArrivalStream, Arrival | null>(this.streams.map((s) => [s, pull(s)]));
    for (;;) {
      let best: ArrivalStream | undefined;
      for (const [s, a] of peeked) if (a && (!best || a.arrivalUs < peeked.get(best)!.arrivalUs)) best = s;
      if (!best) return;
      const a = peeked.get(best)!;
      if (best.accepts && !best.accepts(a)) {
        peeked.set(best, null);
        continue;
      }
      peeked.set(best, pull(best));
      yield a;
    }
  }

  /** Build the workflow of an arrival (deterministic in the seed and the arrival alone). */
  build(arrival: Arrival): Workflow {
    const s = this.streams.find((x) => x.name === (arrival.stream ?? 'main'));
    if (!s) throw new Error(`workload ${this.spec.name} has no '${arrival.stream}' stream`);
    return s.build(arrival);
  }

  /** Release files (trace replay). */
  close(): void {
    for (const s of this.streams) s.close?.();
  }
}
