// The SPIFFE CSI driver the spire chart names (ghcr.io/spiffe/spiffe-csi-driver:0.2.7). The Go
// module proxy does not serve spiffe-csi v0.2.7; v0.2.6 differs from it only in dependency
// versions and in how the version string is read, so this module builds v0.2.6 with 0.2.7's
// dependency versions.
module zt-demo.test/spiffe-csi

go 1.26.0

require github.com/spiffe/spiffe-csi v0.2.6

require (
	github.com/container-storage-interface/spec v1.11.0 // indirect
	github.com/go-logr/logr v1.4.2 // indirect
	github.com/go-logr/zapr v1.3.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	go.uber.org/zap v1.27.0 // indirect
	golang.org/x/net v0.34.0 // indirect
	golang.org/x/sys v0.31.0 // indirect
	golang.org/x/text v0.21.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20250115164207-1a7da9e5054f // indirect
	google.golang.org/grpc v1.71.0 // indirect
	google.golang.org/protobuf v1.36.5 // indirect
)
