// Keeps the etcd server in go.mod and go.sum (go mod tidy).
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
