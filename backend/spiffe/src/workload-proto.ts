import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

/**
 * The parts of the SPIFFE Workload API this project uses, written from the SPIFFE specification
 * (standards/SPIFFE_Workload_API.md and workloadapi.proto in spiffe/spiffe); field numbers follow
 * the spec. No `package` line: the service's full name is "SpiffeWorkloadAPI", which is what SPIRE
 * serves (/SpiffeWorkloadAPI/FetchX509SVID). Kept as a string, not a .proto file, so that it
 * travels inside whatever bundles this module (the frontend's standalone server, the images).
 */
export const WORKLOAD_PROTO = `
syntax = "proto3";

service SpiffeWorkloadAPI {
  // A JWT-SVID for each identity the caller is entitled to (or the one named by spiffe_id).
  rpc FetchJWTSVID(JWTSVIDRequest) returns (JWTSVIDResponse);
  // The caller's X.509-SVIDs with their keys and trust bundles: a new message on every change
  // (renewal, new entry, CA rotation), for as long as the stream is open.
  rpc FetchX509SVID(X509SVIDRequest) returns (stream X509SVIDResponse);
}

message JWTSVIDRequest {
  repeated string audience = 1;
  string spiffe_id = 2;
}

message JWTSVIDResponse {
  repeated JWTSVID svids = 1;
}

message JWTSVID {
  string spiffe_id = 1;
  string svid = 2;
  string hint = 3;
}

message X509SVIDRequest {}

message X509SVIDResponse {
  repeated X509SVID svids = 1;
  repeated bytes crl = 2;
  map<string, bytes> federated_bundles = 3;
}

message X509SVID {
  string spiffe_id = 1;
  // ASN.1 DER certificates, concatenated: the leaf first, then intermediates.
  bytes x509_svid = 2;
  // PKCS#8 DER private key of the leaf.
  bytes x509_svid_key = 3;
  // ASN.1 DER CA certificates of the SVID's trust domain, concatenated.
  bytes bundle = 4;
  string hint = 5;
}
`;

/** The service definition for grpc-js (field names in camelCase: spiffeId, x509Svid, ...). */
export function workloadPackageDefinition(): protoLoader.PackageDefinition {
  const { root } = protobuf.parse(WORKLOAD_PROTO, { keepCase: false });
  return protoLoader.fromJSON(root.toJSON(), { keepCase: false, defaults: true });
}
