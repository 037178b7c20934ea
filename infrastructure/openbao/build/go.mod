// Wrapper module that builds `bao` v2.6.2 from Go modules (scripts/lib/tools.sh, used when the
// PyPI wheel cannot be had). `go install` cannot build OpenBao 2.x: its go.mod has replace
// directives and a module path without /v2, so a release is named by the pseudo-versions of its
// tag commit dd9c19c37a87. go build runs with -mod=mod in a copy of this directory.
module zt-demo.local/baobuild

go 1.26

require (
	github.com/openbao/openbao v0.0.0-20260818154305-dd9c19c37a87
	github.com/openbao/openbao/api/v2 v2.6.1-0.20260818154305-dd9c19c37a87
	github.com/openbao/openbao/sdk/v2 v2.6.3-0.20260818154305-dd9c19c37a87
)
