import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Unit tests of the frontend's pure logic; the pages themselves are tested in a real browser
// (tests/browser).
export default defineConfig({
  resolve: { alias: { '@': resolve(import.meta.dirname) } },
  test: { name: 'frontend-unit', include: ['test/**/*.test.ts'] },
});
