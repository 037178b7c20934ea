// Keeps the SPIRE server and agent commands in go.mod and go.sum (go mod tidy).
//go:build tools

package tools

import (
	_ "github.com/spiffe/spire/cmd/spire-agent"
	_ "github.com/spiffe/spire/cmd/spire-server"
)
