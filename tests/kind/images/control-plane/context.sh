# shellcheck shell=bash
# Only the one binary this image is for goes into it.
prepare_context() {
  # shellcheck source=../one-binary.sh
  source "$ZT_KIND_DIR/images/one-binary.sh"
  keep_one_binary "$1" "$BINARY"
}
