//go:build tools

// The upstream package this module builds, so `go mod tidy` keeps its dependencies.
package tools

import _ "github.com/cloudnative-pg/cloudnative-pg/cmd/manager"
