import type { SimClock } from '../sim-clock.js';
import type { EngineCore } from '../engine/engine-core.js';

/**
 * One simulated engine instance: an EngineCore stepped back-to-back on the virtual clock while
 * it has work. `up` is the process state (a crash sets it false); routers learn about it only
 * through health checks, which set `healthy`.
 */
export class SimInstance {
  readonly id: string;
  readonly engine: EngineCore;
  /** What the instance serves: everything, or one phase of disaggregated requests. */
  readonly role: 'mixed' | 'prefill' | 'decode';
  /** The engine process is running (false after a crash, until it recovers). */
  up = true;
  /** The router's belief (health checks); a hung instance stays healthy until detected. */
  healthy = true;
  /** A hung instance keeps its state but makes no progress. */
  hung = false;
  /** The router cannot reach the instance (network partition); it keeps running. */
  partitioned = false;
  /** Called when the process crashes, after its engine lost everything (e.g. its CPU KV tier goes too). */
  onCrash: ((nowUs: number) => void) | null = null;
  readonly #clock: SimClock;
  #stepping = false;
  #stepTimer = -1;
  #stalls = 0;
  /** A wake-up for a KV load finishing while the engine is idle (-1: none). */
  #wakeTimer = -1;
  #wakeAtUs = Infinity;

  constructor(id: string, engine: EngineCore, clock: SimClock, role: 'mixed' | 'prefill' | 'decode' = 'mixed') {
    this.id = id;
    this.engine = engine;
    this.role = role;
    this.#clock = clock;
  }

  /** Answers reach the router (not hung, not partitioned); otherwise they are held back. */
  get reachable(): boolean {
    return !this.hung && !this.partitioned;
  }

  /** What is really going on, for timelines (the router's belief is `healthy`). */
  get state(): 'ok' | 'down' | 'hung' | 'partitioned' | 'slow' {
    if (!this.up) return 'down';
    if (this.hung) return 'hung';
    if (this.partitioned) return 'partitioned';
    return this.engine.stepTimeScale > 1 ? 'slow' : 'ok';
  }

  /** True while a step is in flight. */
  get stepping(): boolean {
    return this.#stepping;
  }

  /** Times the engine had requests but could schedule nothing (should stay 0). */
  get stalls(): number {
    return this.#stalls;
  }

  /** Start stepping if idle and there is work. */
  kick(): void {
    if (this.#stepping || !this.up || this.hung) return;
    const now = this.#clock.nowUs();
    const durUs = this.engine.beginStep(now);
    if (durUs === null) {
      const wake = this.engine.nextWakeUs;
      if (wake < Infinity) this.#armWake(Math.max(wake, now));
      // Blocks held for a KV transfer free up when the transfer ends (which kicks the instance).
      else if (this.engine.hasWork && this.engine.numHeld === 0) this.#stalls++;
      return;
    }
    this.#stepping = true;
    this.#stepTimer = this.#clock.at(now + Math.max(1, Math.round(durUs)), 'stepEnd', this.#onStepEnd);
  }

  /** Abandon the step in flight (crash): its results never arrive. */
  cancelStep(): void {
    if (!this.#stepping) return;
    this.#clock.cancel(this.#stepTimer);
    this.engine.cancelStep();
    this.#stepping = false;
  }

  // One pending wake-up at a time, the earliest needed.
  #armWake(atUs: number): void {
    if (this.#wakeTimer >= 0) {
      if (this.#wakeAtUs <= atUs) return;
      this.#clock.cancel(this.#wakeTimer);
    }
    this.#wakeAtUs = atUs;
    this.#wakeTimer = this.#clock.at(atUs, 'transfer', this.#onWake);
  }

  readonly #onWake = (): void => {
    this.#wakeTimer = -1;
    this.#wakeAtUs = Infinity;
    this.kick();
  };

  readonly #onStepEnd = (): void => {
    // Still "stepping" while the engine applies the step, so callbacks that submit work to this
    // instance do not start a step on half-applied state.
    this.engine.endStep(this.#clock.nowUs());
    this.#stepping = false;
    this.kick();
  };
}
