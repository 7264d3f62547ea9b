export { HealthTracker, PRODUCTION_STACK_HEALTH, type HealthCheckConfig } from './health.js';
export { PRODUCTION_STACK_RETRY, routerBackoffUs, type RouterRetryConfig } from './router-retry.js';
export {
  RECOVERY_POLICIES, FailWorkflowRecovery, RetryCallRecovery, RestartWorkflowRecovery,
  type CallFailure, type RecoveryDecision, type RecoveryPolicy,
} from './workflow-recovery.js';
