import type { Rng } from '../../policies/types.js';
import type { SimInstance } from '../cluster/instance.js';
import type { SimClock } from '../sim-clock.js';
import type { SimRouter } from '../sim-router.js';
import type { LostKvLedger } from './lost-kv.js';
import type { FaultKind, FaultSpec } from './spec.js';
import { faultTargets } from './targets.js';

/** What happened to one instance at one fault (times in µs of the run's clock). */
export interface FaultRecord {
  readonly id: number;
  readonly kind: FaultKind;
  readonly instance: string;
  readonly atUs: number;
  /** When it ended (recovered, healed, back to speed); NaN if it lasted to the end of the run. */
  endUs: number;
  /** When the router's health checks marked the instance down (NaN: never). */
  detectedUs: number;
  /** When the router routed to it again after detection (NaN: never). */
  rejoinedUs: number;
  /** Attempts in flight on the instance that the fault killed (crash). */
  attemptsFailed: number;
  /** KV blocks destroyed that were cached on no other live instance. */
  lostKvBlocks: number;
  /** Slowdown factor (1 for other kinds). */
  readonly factor: number;
}

/** What the injector acts on. */
export interface InjectorDeps {
  readonly clock: SimClock;
  readonly router: SimRouter;
  readonly instances: readonly SimInstance[];
  /** Target and schedule draws (forked per fault entry, so the faults do not depend on the policy). */
  readonly rng: Rng;
  /** True while the workload runs; no fault starts afterwards. */
  readonly live: () => boolean;
  readonly ledger: LostKvLedger;
}

const DETECTABLE: ReadonlySet<FaultKind> = new Set(['crash', 'hang', 'partition']);

function expUs(rng: Rng, meanS: number): number {
  return Math.max(1, Math.round(-Math.log(1 - rng.float()) * meanS * 1e6));
}

/**
 * Injects a scenario's faults into the simulated cluster at fixed times or as seeded
 * alternating up/down processes (exponential times between faults with mean `mtbfS` per
 * target, exponential repair with mean `mttrS`), and records each one. A fault that finds its
 * instance already in that state (a crash of a dead instance...) is skipped.
 */
export class FaultInjector {
  readonly records: FaultRecord[] = [];
  readonly #d: InjectorDeps;
  readonly #specs: readonly FaultSpec[];
  readonly #hangOf = new Map<SimInstance, number>();
  readonly #partitionOf = new Map<SimInstance, number>();
  readonly #slowdowns = new Map<SimInstance, number[]>();

  constructor(deps: InjectorDeps, specs: readonly FaultSpec[]) {
    this.#d = deps;
    this.#specs = specs;
  }

  /** Schedule every fault (call once, at time 0). */
  start(): void {
    this.#specs.forEach((spec, k) => {
      const rng = this.#d.rng.fork(`fault-${k}`);
      const targets = this.#targets(spec, rng);
      if (spec.schedule) {
        const s = spec.schedule;
        for (const inst of targets) this.#next(spec, inst, rng.fork(inst.id), s.startS * 1e6, s.untilS === undefined ? Infinity : s.untilS * 1e6);
        return;
      }
      const atUs = Math.round((spec.atS ?? 0) * 1e6);
      const lasting = spec.kind === 'crash' ? spec.recoverAfterS : spec.kind === 'kv-loss' ? undefined : spec.durationS;
      const durUs = lasting === undefined ? NaN : Math.round(lasting * 1e6);
      for (const inst of targets) {
        this.#d.clock.at(atUs, 'fault', () => {
          if (this.#d.live()) this.#apply(spec, inst, durUs);
        });
      }
    });
  }

  /** The health checker changed its mind about `inst` at `atUs`. */
  onHealthChange(inst: SimInstance, healthy: boolean, atUs: number): void {
    for (const r of this.records) {
      if (r.instance !== inst.id || !DETECTABLE.has(r.kind) || r.atUs > atUs) continue;
      if (!healthy && Number.isNaN(r.detectedUs) && !(r.endUs < atUs)) r.detectedUs = atUs;
      else if (healthy && !Number.isNaN(r.detectedUs) && Number.isNaN(r.rejoinedUs)) r.rejoinedUs = atUs;
    }
  }

  #targets(spec: FaultSpec, rng: Rng): SimInstance[] {
    const instances = this.#d.instances;
    return faultTargets(spec.target, instances.map((i) => i.id), rng).map((k) => instances[k]!);
  }

  // One instance's alternating process: up for Exp(mtbf), then a fault lasting Exp(mttr).
  #next(spec: FaultSpec, inst: SimInstance, rng: Rng, fromUs: number, untilUs: number): void {
    const s = spec.schedule!;
    const atUs = fromUs + expUs(rng, s.mtbfS);
    if (atUs > untilUs) return;
    this.#d.clock.at(atUs, 'fault', () => {
      if (!this.#d.live()) return;
      const durUs = s.mttrS === undefined || spec.kind === 'kv-loss' ? NaN : expUs(rng, s.mttrS);
      this.#apply(spec, inst, durUs);
      if (spec.kind === 'kv-loss') this.#next(spec, inst, rng, atUs, untilUs);
      else if (Number.isFinite(durUs)) this.#next(spec, inst, rng, atUs + durUs, untilUs);
    });
  }

  #apply(spec: FaultSpec, inst: SimInstance, durUs: number): void {
    const { clock, router } = this.#d;
    const now = clock.nowUs();
    const kind = spec.kind;
    if (kind !== 'slowdown' && kind !== 'partition' && !inst.up) return;
    if ((kind === 'hang' && inst.hung) || (kind === 'partition' && inst.partitioned)) return;
    const factor = spec.kind === 'slowdown' ? spec.factor : 1;
    const rec: FaultRecord = {
      id: this.records.length, kind, instance: inst.id, atUs: now, endUs: NaN, detectedUs: NaN, rejoinedUs: NaN,
      attemptsFailed: 0, lostKvBlocks: 0, factor,
    };
    this.records.push(rec);
    // A crashed instance serves again after its restart delay plus the engine's start-up.
    const lastsUs = spec.kind === 'crash' ? durUs + Math.round(spec.warmupS * 1e6) : durUs;
    const later = (fn: () => void): void => {
      if (Number.isFinite(lastsUs)) clock.at(now + lastsUs, 'fault', () => {
        rec.endUs = clock.nowUs();
        fn();
      });
    };
    switch (kind) {
      case 'crash': {
        const hang = this.#hangOf.get(inst);
        if (hang !== undefined) this.records[hang]!.endUs = now; // the new process is not hung
        this.#hangOf.delete(inst);
        inst.hung = false;
        inst.up = false;
        rec.lostKvBlocks = this.#d.ledger.collect(inst, this.#d.instances);
        rec.attemptsFailed = router.crash(inst);
        inst.engine.kv.pool.dropPrefixCache(); // it comes back cold
        inst.onCrash?.(now);
        later(() => {
          inst.up = true;
          inst.kick();
        });
        return;
      }
      case 'hang':
        inst.hung = true;
        this.#hangOf.set(inst, rec.id);
        later(() => {
          if (this.#hangOf.get(inst) !== rec.id) return;
          this.#hangOf.delete(inst);
          inst.hung = false;
          this.#resume(inst);
        });
        return;
      case 'partition':
        inst.partitioned = true;
        this.#partitionOf.set(inst, rec.id);
        later(() => {
          if (this.#partitionOf.get(inst) !== rec.id) return;
          this.#partitionOf.delete(inst);
          inst.partitioned = false;
          this.#resume(inst);
        });
        return;
      case 'slowdown': {
        const active = this.#slowdowns.get(inst) ?? [];
        this.#slowdowns.set(inst, active);
        active.push(factor);
        inst.engine.stepTimeScale = active.reduce((a, b) => a * b, 1);
        later(() => {
          active.splice(active.indexOf(factor), 1);
          inst.engine.stepTimeScale = active.reduce((a, b) => a * b, 1);
        });
        return;
      }
      case 'kv-loss':
        rec.lostKvBlocks = this.#d.ledger.collect(inst, this.#d.instances);
        inst.engine.kv.pool.dropPrefixCache();
        rec.endUs = now;
        return;
    }
  }

  #resume(inst: SimInstance): void {
    if (inst.reachable) this.#d.router.reachable(inst);
    else inst.kick();
  }
}
