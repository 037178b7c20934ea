import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { expiryOf, type JwtSvid, type JwtSvidSource } from './jwt-svid.js';

type FetchJwtSvid = (
  request: { audience: string[]; spiffeId: string },
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: { svids: Array<{ spiffeId: string; svid: string }> }) => void,
) => grpc.ClientUnaryCall;

/** SPIFFE_ENDPOINT_SOCKET (an RFC 3986 URI) to a grpc-js target. */
export function grpcTarget(endpoint: string): string {
  if (endpoint.startsWith('tcp://')) return endpoint.slice('tcp://'.length);
  if (endpoint.startsWith('unix:')) return endpoint;
  throw new Error(`unsupported Workload API endpoint: ${endpoint}`);
}

const PROTO = resolve(import.meta.dirname, '..', '..', 'proto', 'workload.proto');

/** Adapter: the SPIFFE Workload API over gRPC (the SPIRE agent's socket). */
export class WorkloadApiClient implements JwtSvidSource {
  private readonly client: grpc.Client & { FetchJWTSVID: FetchJwtSvid };

  constructor(endpoint: string, private readonly timeoutMs = 5_000) {
    const definition = protoLoader.loadSync(PROTO, { keepCase: false, defaults: true });
    const Service = grpc.loadPackageDefinition(definition).SpiffeWorkloadAPI as grpc.ServiceClientConstructor;
    this.client = new Service(grpcTarget(endpoint), grpc.credentials.createInsecure()) as never;
  }

  fetchJwtSvid(audience: string, spiffeId: string): Promise<JwtSvid> {
    const metadata = new grpc.Metadata();
    metadata.set('workload.spiffe.io', 'true'); // required by the spec (an SSRF guard)
    return new Promise((resolvePromise, reject) => {
      this.client.FetchJWTSVID({ audience: [audience], spiffeId }, metadata, { deadline: Date.now() + this.timeoutMs }, (error, response) => {
        if (error) return reject(error);
        const svid = response?.svids.find((candidate) => candidate.spiffeId === spiffeId);
        if (!svid?.svid) return reject(new Error(`the Workload API returned no JWT-SVID for ${spiffeId}`));
        resolvePromise({ spiffeId: svid.spiffeId, token: svid.svid, expiresAt: expiryOf(svid.svid) });
      });
    });
  }

  close(): void {
    this.client.close();
  }
}

/** Errors worth retrying: agent not up yet, entry not synced yet ("no identity issued"), timeouts. */
export function isTransientWorkloadError(error: unknown): boolean {
  const code = (error as { code?: number }).code;
  return code === grpc.status.UNAVAILABLE || code === grpc.status.PERMISSION_DENIED || code === grpc.status.DEADLINE_EXCEEDED;
}
