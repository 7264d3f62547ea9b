export { faultSchema, faultTargetSchema, faultScheduleSchema, routerSchema, checkFaults, healthConfig, routerOptions } from './spec.js';
export type { FaultSpec, FaultKind, RouterSpec, FaultIssue } from './spec.js';
export { FaultInjector, type FaultRecord, type InjectorDeps } from './injector.js';
export { LostKvLedger } from './lost-kv.js';
export { startFailover, type Failover } from './failover.js';
