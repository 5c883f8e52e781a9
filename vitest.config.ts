import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Cluster tests own real namespaces and ports; they run in one fork, one file at a time.
    pool: 'forks',
  },
});
