#!/usr/bin/env bash
# Builds the kind suite's registry-free image set (tests/kind/images/images.tsv) into the private
# engine, in table order, one progress line per image. An image whose cache key (its folder, its
# build arguments, the Go components and parent images it is made of) is unchanged is not rebuilt.
#
# Usage: tests/kind/images/build.sh [REF-PATTERN] [-h|--help]
#
#   REF-PATTERN  build only the images whose reference contains it (their parents must exist)
#
# Needs the private engine (tests/kind/engine/engine.sh start) and DOCKER_HOST pointing at it.
set -euo pipefail

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../go/builds.sh
source "$ZT_KIND_DIR/go/builds.sh"
# shellcheck source=../../../scripts/lib/tools.sh
source "$ZT_REPO_ROOT/scripts/lib/tools.sh"

IMAGES_DIR="$ZT_KIND_DIR/images"
TABLE="$IMAGES_DIR/images.tsv"
declare -A KEY_OF=()
REFS=() FOLDERS=() SPECS=()

# The table, with ${PIN} replaced by the pins of infrastructure/versions.env.
read_table() {
  local line ref folder spec
  while read -r line; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    line=$(expand_pins "$line")
    read -r ref folder spec <<<"$line"
    REFS+=("$ref") FOLDERS+=("$folder") SPECS+=("$spec")
  done <"$TABLE"
}

expand_pins() {
  local text=$1 name
  while [[ "$text" =~ \$\{([A-Z0-9_]+)\} ]]; do
    name=${BASH_REMATCH[1]}
    [[ -n "${!name:-}" ]] || die "images.tsv names \${$name}, which infrastructure/versions.env does not define"
    text=${text//\$\{$name\}/${!name}}
  done
  printf '%s\n' "$text"
}

image_key_label() { docker image inspect -f '{{index .Config.Labels "zt-demo.test.key"}}' "$1" 2>/dev/null || true; }

# build_one INDEX: builds line INDEX of the table unless its key is unchanged.
build_one() {
  local i=$1 ref=${REFS[$1]} folder=${FOLDERS[$1]} spec=${SPECS[$1]} word
  local args=() go_dirs=() target="" local_bins="" bake=0
  for word in $spec; do
    case "$word" in
      go=*)
        local comp comps
        IFS=, read -ra comps <<<"${word#go=}"
        for comp in "${comps[@]}"; do go_dirs+=("$comp=$(go_component "$comp")"); done
        ;;
      target=*) target=${word#target=} ;;
      local=*) local_bins=${word#local=} ;;
      bake) bake=1 ;;
      *=*) args+=("$word") ;;
      *) die "images.tsv: unknown word '$word' on the line of $ref" ;;
    esac
  done
  [[ -d "$IMAGES_DIR/$folder" ]] || die "images.tsv: no folder tests/kind/images/$folder for $ref"
  if [[ -n "$local_bins" ]]; then ensure_tools; fi

  # The key: the folder's files, the arguments, the Go builds, local binaries, and the keys of the
  # table's images this one is built from (named in its arguments or its folder's files).
  local key parent parents=""
  for parent in "${!KEY_OF[@]}"; do
    if grep -rqF -- "$parent" "$IMAGES_DIR/$folder" || [[ " ${args[*]} " == *"=$parent "* ]]; then
      parents+="$parent=${KEY_OF[$parent]} "
    fi
  done
  key=$( {
    (cd "$IMAGES_DIR/$folder" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    printf '%s\n' "${args[@]}" "target=$target" "local=$local_bins" "${go_dirs[@]}" "$parents"
    if [[ "$folder" == kind-node ]]; then printf '%s\n' "${BAKE_KEYS[@]}"; fi
    case "$local_bins" in
      spire) sha256sum "$ZT_SPIRE_SERVER" "$ZT_SPIRE_AGENT" "$ZT_OIDC_PROVIDER" ;;
      openbao) sha256sum "$ZT_BAO" ;;
    esac
  } | sha256sum | cut -c1-16)
  KEY_OF[$ref]=$key
  if ((bake)); then BAKE_REFS+=("$ref") BAKE_KEYS+=("$ref=$key"); fi

  local progress
  progress=$(printf '[%2d/%d] %-64s' "$((i + 1))" "${#REFS[@]}" "$ref")
  if [[ "$(image_key_label "$ref")" == "$key" ]]; then
    printf '%s cached\n' "$progress"
    return
  fi
  if [[ -n "$ONLY" && "$ref" != *"$ONLY"* ]]; then
    printf '%s skipped (not in %s)\n' "$progress" "$ONLY"
    return
  fi

  local ctx="$ZT_KIND_CACHE/contexts/$folder" log="$ZT_KIND_CACHE/logs/image-${ref//[\/:]/_}.log" started
  started=$(date +%s)
  rm -rf "$ctx" && mkdir -p "$ctx" "$(dirname "$log")"
  cp -r "$IMAGES_DIR/$folder/." "$ctx/"
  local entry
  for entry in "${go_dirs[@]}"; do
    mkdir -p "$ctx/go/${entry%%=*}"
    cp -r "${entry#*=}/." "$ctx/go/${entry%%=*}/"
    rm -f "$ctx/go/${entry%%=*}/.built"
  done
  if ! (
    set -euo pipefail
    for word in "${args[@]}"; do export "${word?}"; done
    export LOCAL="$local_bins" BAKE_LIST="${BAKE_REFS[*]}"
    cd "$ctx"
    if [[ -f context.sh ]]; then
      # shellcheck source=/dev/null
      source ./context.sh
      prepare_context "$ctx"
    fi
    if [[ -f build.sh ]]; then
      # shellcheck source=/dev/null
      source ./build.sh
      build_image "$ref" "$ctx" "$key"
    else
      local build_args=()
      for word in "${args[@]}"; do build_args+=(--build-arg "$word"); done
      [[ -n "$target" ]] && build_args+=(--target "$target")
      # The legacy builder (Debian's docker has no BuildKit); RUN steps use the host's network.
      DOCKER_BUILDKIT=0 docker build --network host --label "zt-demo.test.key=$key" -t "$ref" "${build_args[@]}" "$ctx"
    fi
  ) >"$log" 2>&1; then
    printf '%s FAILED\n' "$progress"
    show_log_tail "$log" 25
    die "the image $ref did not build (log: $log)" "fix the cause and run the suite again: what is built is kept"
  fi
  rm -rf "$ctx"
  printf '%s built in %ss\n' "$progress" "$(($(date +%s) - started))"
}

main() {
  ONLY=""
  case "${1:-}" in
    -h | --help) usage_from_header "$0"; exit 0 ;;
    -*) die "unknown option: $1" "see tests/kind/images/build.sh --help" ;;
    *) ONLY=${1:-} ;;
  esac
  [[ -n "${DOCKER_HOST:-}" ]] || die "DOCKER_HOST is not set" "start the private engine: eval \"\$(tests/kind/engine/engine.sh env)\""
  have go || die "the kind suite builds its images from Go modules, and go is not installed" "install Go 1.26"
  BAKE_REFS=() BAKE_KEYS=()
  read_table
  local i
  for i in "${!REFS[@]}"; do build_one "$i"; done
  # For tests/kind/prepare.sh's disk check: the whole set has been built once.
  [[ -n "$ONLY" ]] || touch "$ZT_KIND_CACHE/images.complete"
}

main "$@"
