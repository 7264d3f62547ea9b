import { EVICTION_POLICIES } from '../../../../dist/harness/index.js';

export default EVICTION_POLICIES.lru;
