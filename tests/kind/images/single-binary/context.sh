# shellcheck shell=bash
# Only the one binary this image is for goes into it, at /<name>, which is its entrypoint.
prepare_context() {
  local ctx=$1 file
  for file in "$ctx"/go/*/*; do
    [[ "$(basename "$file")" == "$BINARY" ]] && cp "$file" "$ctx/$BINARY.keep"
  done
  [[ -f "$ctx/$BINARY.keep" ]] || { echo "no binary $BINARY in the Go components" >&2; return 1; }
  rm -rf "$ctx/go" && mkdir -p "$ctx/go" && mv "$ctx/$BINARY.keep" "$ctx/go/$BINARY"
  printf 'ENTRYPOINT ["/%s"]\n' "$BINARY" >>"$ctx/Dockerfile"
}
