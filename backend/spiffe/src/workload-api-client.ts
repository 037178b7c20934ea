import * as grpc from '@grpc/grpc-js';
import { workloadPackageDefinition } from './workload-proto.ts';
import type { X509SvidMessage } from './x509-svid.ts';

/** A JWT-SVID as the Workload API hands it out. */
export interface JwtSvid {
  spiffeId: string;
  token: string;
  expiresAt: Date;
}

type Callback<T> = (error: grpc.ServiceError | null, response?: T) => void;
interface WorkloadStub extends grpc.Client {
  FetchJWTSVID(
    request: { audience: string[]; spiffeId: string },
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: Callback<{ svids: Array<{ spiffeId: string; svid: string }> }>,
  ): grpc.ClientUnaryCall;
  FetchX509SVID(request: object, metadata: grpc.Metadata): grpc.ClientReadableStream<{ svids: X509SvidMessage[] }>;
}

/** SPIFFE_ENDPOINT_SOCKET (an RFC 3986 URI) to a grpc-js target. */
export function grpcTarget(endpoint: string): string {
  if (endpoint.startsWith('tcp://')) return endpoint.slice('tcp://'.length);
  if (endpoint.startsWith('unix:')) return endpoint;
  throw new Error(`unsupported Workload API endpoint: ${endpoint}`);
}

/** The spec's mandatory header: a request without it is refused (a guard against SSRF). */
function securityHeader(): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('workload.spiffe.io', 'true');
  return metadata;
}

/** The exp claim of a compact JWS (the Workload API has already verified it for us). */
export function expiryOf(token: string): Date {
  const payload = token.split('.')[1];
  const exp = payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: number }).exp : undefined;
  if (typeof exp !== 'number') throw new Error('JWT-SVID without an exp claim');
  return new Date(exp * 1000);
}

/** Adapter: the SPIFFE Workload API over gRPC (the SPIRE agent's socket). */
export class WorkloadApiClient {
  private readonly client: WorkloadStub;
  private readonly timeoutMs: number;

  constructor(endpoint: string, timeoutMs = 5_000) {
    this.timeoutMs = timeoutMs;
    const Service = grpc.loadPackageDefinition(workloadPackageDefinition()).SpiffeWorkloadAPI as grpc.ServiceClientConstructor;
    this.client = new Service(grpcTarget(endpoint), grpc.credentials.createInsecure()) as unknown as WorkloadStub;
  }

  fetchJwtSvid(audience: string, spiffeId: string): Promise<JwtSvid> {
    return new Promise((resolve, reject) => {
      this.client.FetchJWTSVID({ audience: [audience], spiffeId }, securityHeader(), { deadline: Date.now() + this.timeoutMs }, (error, response) => {
        if (error) return reject(error);
        const svid = response?.svids.find((candidate) => candidate.spiffeId === spiffeId);
        if (!svid?.svid) return reject(new Error(`the Workload API returned no JWT-SVID for ${spiffeId}`));
        resolve({ spiffeId: svid.spiffeId, token: svid.svid, expiresAt: expiryOf(svid.svid) });
      });
    });
  }

  /**
   * Opens the FetchX509SVID stream: onSvids gets every message (all SVIDs of the caller), onEnd
   * the error that ended the stream. Returns a function that cancels it.
   */
  watchX509Svids(onSvids: (svids: X509SvidMessage[]) => void, onEnd: (error: Error) => void): () => void {
    const call = this.client.FetchX509SVID({}, securityHeader());
    let ended = false;
    const end = (error: Error): void => {
      if (ended) return;
      ended = true;
      onEnd(error);
    };
    call.on('data', (response: { svids: X509SvidMessage[] }) => onSvids(response.svids));
    call.on('error', (error: Error) => end(error));
    call.on('end', () => end(Object.assign(new Error('the Workload API closed the X.509-SVID stream'), { code: grpc.status.UNAVAILABLE })));
    return () => {
      ended = true;
      call.cancel();
    };
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
