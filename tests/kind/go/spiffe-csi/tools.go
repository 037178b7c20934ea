// Keeps the driver's command in go.mod and go.sum (go mod tidy).
//go:build tools

package tools

import _ "github.com/spiffe/spiffe-csi/cmd/spiffe-csi-driver"
