import { HealthTracker, type HealthCheckConfig } from '../../policies/recovery/health.js';
import type { SimClock } from '../sim-clock.js';
import type { SimInstance } from './instance.js';

/**
 * The simulated router's active health checks: every `intervalUs` each instance is probed.
 * A dead process refuses the probe at once; a hung or partitioned one does not answer, so the
 * probe fails `timeoutUs` later (unless the instance became reachable meanwhile); otherwise it
 * passes. After `failureThreshold` consecutive failures the router stops routing to the
 * instance (`healthy = false`), after `successThreshold` passes it routes to it again. Until
 * then the routers keep sending work to a hung or partitioned instance. A passing probe is
 * answered at once: the model ignores probe latency under load.
 */
export class HealthChecker {
  readonly #clock: SimClock;
  readonly #instances: readonly SimInstance[];
  readonly #config: HealthCheckConfig;
  readonly #trackers: HealthTracker[];
  readonly #onChange: (inst: SimInstance, healthy: boolean, atUs: number) => void;
  readonly #live: () => boolean;

  constructor(
    clock: SimClock,
    instances: readonly SimInstance[],
    config: HealthCheckConfig,
    onChange: (inst: SimInstance, healthy: boolean, atUs: number) => void,
    live: () => boolean,
  ) {
    this.#clock = clock;
    this.#instances = instances;
    this.#config = config;
    this.#trackers = instances.map(() => new HealthTracker(config));
    this.#onChange = onChange;
    this.#live = live;
  }

  /** Probe now and every interval while the workload runs (production-stack probes at start). */
  start(): void {
    this.#clock.at(this.#clock.nowUs(), 'health', this.#tick);
  }

  readonly #tick = (): void => {
    const now = this.#clock.nowUs();
    this.#instances.forEach((inst, k) => {
      if (!inst.up) this.#result(k, false);
      else if (inst.reachable) this.#result(k, true);
      else this.#clock.at(now + this.#config.timeoutUs, 'health', () => this.#result(k, inst.up && inst.reachable));
    });
    if (this.#live()) this.#clock.at(now + this.#config.intervalUs, 'health', this.#tick);
  };

  #result(k: number, ok: boolean): void {
    const change = this.#trackers[k]!.record(ok);
    if (change === null) return;
    const inst = this.#instances[k]!;
    inst.healthy = change === 'up';
    this.#onChange(inst, inst.healthy, this.#clock.nowUs());
  }
}
