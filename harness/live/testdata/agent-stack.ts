import { policyEntrySchema } from '../../scenario/schema.js';
import { startLocalStack, type LocalStack } from '../local-stack.js';
import { WallClock } from '../wall-clock.js';
import { testCluster } from './cluster.js';

/** A stack for agent-framework tests: two emulated engines behind a workflow-aware router, 50× faster than real time. */
export async function agentStack(): Promise<LocalStack & { readonly baseURL: string }> {
  const clock = new WallClock({ timeScale: 0.02 });
  const stack = await startLocalStack({
    cluster: testCluster({ instances: 2 }), policy: policyEntrySchema.parse({ routing: 'workflow-aware' }), seed: 1, clock,
  });
  return {
    ...stack,
    baseURL: `${stack.router.url}/v1`,
    async close() {
      await stack.close();
      clock.close();
    },
  };
}
