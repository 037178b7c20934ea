# shellcheck shell=bash
# Shared by the kind suite's scripts (engine, tools, images): paths, the cache and the pins.
# Sourced, never run.

# shellcheck source=../../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
# shellcheck source=../../scripts/lib/packages.sh
source "$ZT_REPO_ROOT/scripts/lib/packages.sh"
# shellcheck source=../../infrastructure/versions.env
source "$ZT_REPO_ROOT/infrastructure/versions.env"

ZT_KIND_DIR="$ZT_REPO_ROOT/tests/kind"
# ZT_KIND_CACHE (scripts/lib/disk.sh): the private engine's data (its images are the image
# cache), the CLI tools and the Go binaries, outside the clone so fresh clones reuse them.
# shellcheck source=../../scripts/lib/disk.sh
source "$ZT_REPO_ROOT/scripts/lib/disk.sh"
export ZT_KIND_DIR
