/** @zt-demo/spiffe: the SPIFFE Workload API and SPIFFE TLS, once, for the backend and the frontend. */
export { expiryOf, grpcTarget, isTransientWorkloadError, WorkloadApiClient, type JwtSvid } from './workload-api-client.ts';
export { X509Source, type SourceLogger, type X509SourceStatus, type X509SvidProvider } from './x509-source.ts';
export { pem, spiffeIdOfSan, splitDer, x509SvidFromMessage, type X509Svid, type X509SvidMessage } from './x509-svid.ts';
export { clientTlsOptions, expectSpiffeId, MIN_TLS_VERSION, peerSpiffeId, serverTlsOptions, UnexpectedSpiffeIdError } from './spiffe-tls.ts';
export { WORKLOAD_PROTO, workloadPackageDefinition } from './workload-proto.ts';
