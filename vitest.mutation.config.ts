import { defineConfig } from 'vitest/config';

// The test files that cover the mutated files of stryker.config.json (the dry run executes
// every included test: keep this to the ones that matter, so a mutation run stays minutes).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    pool: 'forks',
    include: [
      'reports/stats.test.ts', 'reports/slo.test.ts', 'harness/runner/sweep.test.ts', 'harness/scenario/merge-keys.test.ts',
      'harness/scenario/paths.test.ts', 'harness/live/backend-conformance.test.ts', 'harness/live/router/router-server.test.ts',
      'sim/router-core.test.ts', 'harness/runner/failover.test.ts',
    ],
  },
});
