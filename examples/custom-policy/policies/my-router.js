// A team's own routing policy, outside the agentbench repository: the healthy instance with the
// least load, where KV memory in use counts too. `definePolicy` and `z` come from the package, so
// the options are checked (and reported) exactly like a built-in policy's.
//
// Pure, as agentbench requires of every policy: no I/O, no clock, no Math.random (ties are broken
// with the injected `rng`, so a seed reproduces every decision).
import { definePolicy, z } from '@agentbench/cli';

export default definePolicy({
  summary: 'least running + waiting + kvWeight × KV fraction in use; random tie-break',
  options: z.strictObject({
    /** How many queued requests a full KV cache is worth. */
    kvWeight: z.number().nonnegative().default(4),
  }),
  make: ({ kvWeight }) => ({
    name: 'my-router',
    route(_req, instances, rng) {
      let best = [];
      let bestLoad = Infinity;
      for (const inst of instances) {
        if (!inst.healthy) continue;
        const load = inst.running + inst.waiting + kvWeight * (inst.kvBlocksUsed / Math.max(1, inst.kvBlocksTotal));
        if (load < bestLoad) {
          bestLoad = load;
          best = [inst.id];
        } else if (load === bestLoad) best.push(inst.id);
      }
      if (best.length === 0) return { reject: 'no healthy instance' };
      return best.length === 1 ? best[0] : best[rng.int(best.length)];
    },
  }),
});
