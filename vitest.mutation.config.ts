import { defineConfig } from 'vitest/config';

// The test files that cover the mutated files of stryker.config.json (the dry run executes
// every included test: keep this to the ones that matter, so a mutation run stays minutes).
// MUTATION_TESTS (comma-separated globs) narrows it for a run of one folder, e.g.
//   MUTATION_TESTS='policies/**/*.test.ts' npx stryker run --mutate 'policies/routing/*.ts'
const only = process.env['MUTATION_TESTS']?.split(',').filter((g) => g !== '');
export default defineConfig({
  test: {
    testTimeout: 60_000,
    pool: 'forks',
    include: only ?? [
      'reports/stats.test.ts', 'reports/slo.test.ts', 'harness/runner/sweep.test.ts', 'harness/scenario/merge-keys.test.ts',
      'harness/scenario/paths.test.ts', 'harness/live/backend-conformance.test.ts', 'harness/live/router/router-server.test.ts',
      'sim/router-core.test.ts', 'harness/runner/failover.test.ts',
      // The engine (sim/engine/*) and what drives it directly.
      'sim/engine/*.test.ts', 'sim/kv-tiers/*.test.ts', 'sim/faults/*.test.ts', 'sim/event-queue.test.ts',
      // The policies (the scheduling and eviction suites run them inside the engine).
      'policies/**/*.test.ts',
      // The workflow runner, reports' statistics, compare and the gate.
      'harness/runner/workflow-runner.test.ts', 'reports/summary.test.ts', 'reports/compare/*.test.ts', 'harness/cli/gate.test.ts',
    ],
  },
});
