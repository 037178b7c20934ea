// Keeps the command's dependencies in go.mod and go.sum (go mod tidy).
//go:build tools

package tools

import _ "github.com/spiffe/spire-controller-manager/cmd"
