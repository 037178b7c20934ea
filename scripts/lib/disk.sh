# shellcheck shell=bash
# Free disk the test suites fill before they build anything: one table for scripts/test.sh (which
# checks the whole run's need first) and tests/kind/prepare.sh (which can run alone). Sourced,
# never run; needs common.sh.
#
# Measured on a new machine (2026-12-04; empty HOME, bash .ci/run in a fresh clone, 58.6 min):
# the run filled 35 GB: the kind suite's cache 12 GB (the private engine's images), the Go build
# cache 15 GB and module cache 7 GB (SPIRE for local mode about 2.4 and 1.4 of them), Node.js,
# npm's cache and the SPIRE/OpenBao binaries 0.9 GB; while the kind suite runs, its cluster and
# the commit's two app images need about 6 GB more. In GB, with a margin:
# shellcheck disable=SC2034 # read by scripts/test.sh
DISK_LOCAL_COLD_GB=6
DISK_KIND_COLD_GB=40
DISK_KIND_WARM_GB=6

# Everything the kind suite builds lives outside the clone, so fresh clones reuse it.
ZT_KIND_CACHE=${ZT_KIND_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zt-demo/kind}
export ZT_KIND_CACHE

# existing_dir DIR: DIR, or its nearest parent that exists (caches are made on first use).
existing_dir() {
  local dir=$1
  while [[ ! -d "$dir" ]]; do dir=$(dirname "$dir"); done
  echo "$dir"
}

# disk_free_gb DIR: free GB on the filesystem that will hold DIR.
disk_free_gb() { df -Pk "$(existing_dir "$1")" | awk 'NR == 2 {print int($4 / 1024 / 1024)}'; }

# same_filesystem DIR DIR
same_filesystem() { [[ "$(stat -c %d "$(existing_dir "$1")")" == "$(stat -c %d "$(existing_dir "$2")")" ]]; }

# kind_images_built: the image set is complete in the cache (tests/kind/images/build.sh's marker).
kind_images_built() { [[ -f "$ZT_KIND_CACHE/images.complete" ]]; }

# kind_disk_need_gb: what the kind suite still fills, with the reason, as "GB reason".
kind_disk_need_gb() {
  if kind_images_built; then
    echo "$DISK_KIND_WARM_GB kind suite, images built before"
  else
    echo "$DISK_KIND_COLD_GB kind suite, nothing built yet"
  fi
}

# require_disk NEEDED_GB DIR WHAT: dies with the measured need when DIR's filesystem has less free.
require_disk() {
  local needed=$1 dir=$2 what=$3 free
  free=$(disk_free_gb "$dir")
  if ((free < needed)); then
    die "not enough free disk: about $needed GB are needed ($what), and $free GB are free on the filesystem of $dir" \
      "free some space, or clear the caches (tests/kind/engine/engine.sh stop && rm -rf $ZT_KIND_CACHE; go clean -cache); see docs/testing.md#disk"
  fi
  ok "disk: $free GB free, about $needed GB needed ($what)"
}
