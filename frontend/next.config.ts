import type { NextConfig } from 'next';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const config: NextConfig = {
  // a small, self-contained server for the Kubernetes image and for local mode
  output: 'standalone',
  // the npm workspace root, so the standalone output traces the hoisted node_modules
  outputFileTracingRoot: resolve(dirname(fileURLToPath(import.meta.url)), '..'),
  poweredByHeader: false,
  // No page of this app may be framed by another site (clickjacking of rotate and delete-token),
  // leak its address to other sites, or be sniffed into another content type.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Content-Security-Policy', value: "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'" },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
        ],
      },
    ];
  },
  // The API contract (backend/contract) and the SPIFFE client (backend/spiffe) are workspace
  // packages of TypeScript sources.
  transpilePackages: ['@zt-demo/api-contract', '@zt-demo/spiffe'],
  // gRPC (the Workload API) runs as Node.js modules of its own, not bundled.
  serverExternalPackages: ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs'],
};

export default config;
