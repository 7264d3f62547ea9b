// A user routing module for tests: the first healthy instance with the fewest running + waiting
// (ties: rng). A plain object with the shape definePolicy returns, z from the package entry (dist; '@agentbench/cli' for a user).
import { z } from '../../../../dist/harness/index.js';

export default {
  summary: 'test router',
  options: z.strictObject({ bias: z.number().nonnegative().default(0) }),
  make: ({ bias }) => ({
    name: 'good-router',
    route(_req, instances, rng) {
      const healthy = instances.filter((i) => i.healthy);
      if (healthy.length === 0) return { reject: 'no healthy instance' };
      const load = (i) => i.running + i.waiting + bias;
      const min = Math.min(...healthy.map(load));
      const best = healthy.filter((i) => load(i) === min);
      return best[rng.int(best.length)].id;
    },
  }),
};
