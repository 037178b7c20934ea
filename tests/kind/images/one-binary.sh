# shellcheck shell=bash
# keep_one_binary CONTEXT NAME: of the Go components copied into CONTEXT/go/, only the binary NAME
# stays, at CONTEXT/go/NAME (for the images made of one program). Sourced by those images'
# context.sh.
keep_one_binary() {
  local ctx=$1 name=$2 file
  for file in "$ctx"/go/*/*; do
    [[ "$(basename "$file")" == "$name" ]] && cp "$file" "$ctx/$name.keep"
  done
  [[ -f "$ctx/$name.keep" ]] || { echo "no binary $name in the Go components" >&2; return 1; }
  rm -rf "$ctx/go" && mkdir -p "$ctx/go" && mv "$ctx/$name.keep" "$ctx/go/$name"
}
