// Wrapper module that builds the pinned SPIRE release with `go build` (scripts/lib/tools.sh).
// `go install github.com/spiffe/spire/...@v1.15.3` would also work against the public proxy, but a
// wrapper pins every dependency with go.sum and builds without listing the module's versions.
module zt-demo.local/spirebuild

go 1.26.6

require github.com/spiffe/spire v1.15.3

require github.com/spiffe/spiffe-helper v0.11.0

// v1.1.0 is not served by every module proxy; v1.0.2 has the API SPIRE's (unused) EJBCA
// upstream-authority plugin compiles against. See docs/local-mode.md, "Binaries and versions".
replace github.com/Keyfactor/ejbca-go-client-sdk v1.1.0 => github.com/Keyfactor/ejbca-go-client-sdk v1.0.2
