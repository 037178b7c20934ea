# shellcheck shell=bash
# Compiles Kubernetes' pause.c, taken from the Go module cache, into a static binary.
prepare_context() {
  local ctx=$1 dir
  dir=$(cd "$ZT_KIND_DIR/go/kubernetes" && go list -m -f '{{.Dir}}' k8s.io/kubernetes) || return 1
  gcc -Os -Wall -Werror -static -DVERSION="v3.10.2-zt-demo" -o "$ctx/pause" "$dir/build/pause/linux/pause.c"
}
