import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'chain',
          include: ['chain/**/*.test.ts'],
          // One real stack for the whole project: started once, shared, torn down at the end.
          globalSetup: ['chain/global-setup.ts'],
          // Each file closes the tests' client identity (its Workload API stream) when it ends.
          setupFiles: ['chain/close-clients.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'kind',
          // One file: its parts run in order against one real cluster (tests/kind/cluster.test.ts).
          include: ['kind/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 1_800_000,
          hookTimeout: 3_000_000,
        },
      },
    ],
  },
});
