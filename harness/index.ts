/**
 * agentbench as a library (package.json "exports"): load and run scenarios, compare reports,
 * and the seam types a custom policy implements. The CLI (`agentbench`) is built on the same calls.
 */
export { loadScenario, loadScenarioAsync, parseScenario, parseScenarioAsync, scenarioHash, type LoadedScenario } from './scenario/load.js';
export { z } from 'zod';
export { scenarioSchema, type Scenario } from './scenario/schema.js';
export { runScenario, type RunOptions, type RunOutcome } from './runner/matrix.js';
export { compareReports } from '../reports/compare/index.js';
export type { Report } from '../reports/report.js';
export { definePolicy, instantiate, type PolicyFactory, type PolicyRegistry, type PolicyContext, type PolicyRef } from '../policies/registry.js';
export { ROUTING_POLICIES } from '../policies/routing/registry.js';
export { SCHEDULING_POLICIES } from '../policies/scheduling/registry.js';
export { EVICTION_POLICIES } from '../policies/kv/registry.js';
export { RECOVERY_POLICIES } from '../policies/recovery/workflow-recovery.js';
export type { Clock, Rng, InstanceView, RouteRequest, RouteDecision, RoutingPolicy, DeclaredHints } from '../policies/types.js';
export type { SchedulingPolicy, SchedRequest, WaitingQueue } from '../policies/scheduling/types.js';
export type { EvictionPolicy, BlockInfo } from '../policies/kv/eviction/types.js';
export { SeededRng } from '../policies/rng.js';
export { ROUTER_DEFAULTS, RouterCore, type RouterCoreOptions } from '../sim/router-core.js';
export { startRouterServer, type RouterOptions, type RouterServer } from './live/router/router-server.js';
export { startEngineServer, type EngineServerOptions, type EngineServer } from './live/engine/engine-server.js';
