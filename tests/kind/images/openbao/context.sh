# shellcheck shell=bash
# Local mode's OpenBao binary of the pinned version (scripts/lib/tools.sh: ensure_tools).
prepare_context() { cp "$ZT_BAO" "$1/bao" && chmod 755 "$1/bao"; }
