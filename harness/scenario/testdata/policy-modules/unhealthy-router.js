// Breaks the routing conformance: always the first instance, healthy or not.
import { z } from '../../../../dist/harness/index.js';

export default {
  summary: 'routes to instances[0] even when it is down',
  options: z.strictObject({}),
  make: () => ({ name: 'unhealthy-router', route: (_req, instances) => (instances[0] ? instances[0].id : { reject: 'none' }) }),
};
