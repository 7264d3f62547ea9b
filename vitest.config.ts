import { defineConfig } from 'vitest/config';

const include = ['{sim,policies,workloads,harness,reports}/**/*.test.ts'];
// Wall-clock comparisons (sim/live parity) run alone, after everything else, so other test
// files do not compete with them for the CPU.
const timing = ['harness/live/parity.test.ts'];
// Real agent frameworks and the openai SDK end to end against a spawned router and engines.
const agents = ['harness/live/agents/**/*.e2e.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include, exclude: [...timing, ...agents], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'agents', include: agents, testTimeout: 30_000, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'timing', include: timing, sequence: { groupOrder: 1 } } },
    ],
  },
});
