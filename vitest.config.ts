import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{sim,policies,workloads,harness,reports}/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
