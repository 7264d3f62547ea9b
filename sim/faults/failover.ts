import type { HealthCheckConfig } from '../../policies/recovery/health.js';
import type { Rng } from '../../policies/types.js';
import { HealthChecker } from '../cluster/health-checker.js';
import type { SimInstance } from '../cluster/instance.js';
import type { SimBackend } from '../sim-backend.js';
import type { SimClock } from '../sim-clock.js';
import { FaultInjector } from './injector.js';
import type { LostKvLedger } from './lost-kv.js';
import type { FaultSpec } from './spec.js';

/** A running fault injection with the router's health checks. */
export interface Failover {
  readonly injector: FaultInjector;
  readonly checker: HealthChecker;
  readonly ledger: LostKvLedger;
}

/**
 * Start fault injection and health checking on a simulated cluster. When the health checks
 * mark an instance down, the routing policy is told (`onInstanceDown`) and the fault records
 * note the detection time.
 */
export function startFailover(o: {
  clock: SimClock;
  backend: SimBackend;
  instances: readonly SimInstance[];
  faults: readonly FaultSpec[];
  health: HealthCheckConfig;
  rng: Rng;
  ledger: LostKvLedger;
  live: () => boolean;
}): Failover {
  const injector = new FaultInjector(
    { clock: o.clock, router: o.backend.router, instances: o.instances, rng: o.rng, live: o.live, ledger: o.ledger },
    o.faults,
  );
  const checker = new HealthChecker(o.clock, o.instances, o.health, (inst, healthy, atUs) => {
    if (!healthy) {
      o.backend.policy.onInstanceDown?.(inst.id);
      o.backend.router.markedDown(inst);
    }
    injector.onHealthChange(inst, healthy, atUs);
  }, o.live);
  injector.start();
  checker.start();
  return { injector, checker, ledger: o.ledger };
}
