// Re-exports built-in factories through the package entry (dist): a module that must behave
// exactly like `scheduling: priority` / `eviction: lru` (tests compare the two runs).
import { SCHEDULING_POLICIES, EVICTION_POLICIES } from '../../../../dist/harness/index.js';

export default SCHEDULING_POLICIES.priority;
export const lru = EVICTION_POLICIES.lru;
