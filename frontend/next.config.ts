import type { NextConfig } from 'next';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const config: NextConfig = {
  // a small, self-contained server for the Kubernetes image and for local mode
  output: 'standalone',
  // the npm workspace root, so the standalone output traces the hoisted node_modules
  outputFileTracingRoot: resolve(dirname(fileURLToPath(import.meta.url)), '..'),
  poweredByHeader: false,
  // The API contract (backend/contract) is a workspace package of TypeScript sources.
  transpilePackages: ['@zt-demo/api-contract'],
};

export default config;
