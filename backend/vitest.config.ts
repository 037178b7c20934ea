import { defineConfig } from 'vitest/config';

// Unit tests: each module with its boundaries (Workload API, OpenBao, PostgreSQL pools, GitHub,
// bcrypt) replaced by fakes at the port level. The chain itself is tested in tests/chain against
// the real processes.
export default defineConfig({
  test: {
    name: 'backend-unit',
    include: ['test/unit/**/*.test.ts', 'spiffe/test/**/*.test.ts'],
    setupFiles: ['reflect-metadata'],
    testTimeout: 20_000,
  },
});
