#!/usr/bin/env bash
# bench/run.sh [OPTIONS] [TARGET...]
#   Benchmark: rangecache against the anchor peers (ATS, nginx slice cache,
#   varnish) and the origin, same scenarios, one run, interleaved rounds; prints one
#   markdown table (see bench/README.md).
#   TARGET: rangecache ats nginx-cache varnish origin (default: every one installed;
#   a peer that is not installed or does not start is skipped, and the report says so),
#   and rangecache-map (only when named): rangecache with cache.zero_copy: off.
#   OPTIONS go to bench/rcbench.py (--rounds N, --duration S, --scenarios a,b, --out FILE,
#   --profile, ...; `bench/run.sh --help`).
#
# Env: BUILD_DIR (default build-bench), RANGECACHE_BIN (skip the build, use this binary),
#      ANCHORS (default ../shared/anchors), ROUNDS, DURATION.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
export ANCHORS="${ANCHORS:-$(cd "$REPO/.." && pwd)/shared/anchors}"

for a in "$@"; do [[ $a == -h || $a == --help ]] && exec python3 "$HERE/rcbench.py" --help; done

for tool in wrk curl taskset python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (apt-get install -y wrk curl util-linux python3)" >&2; exit 2; }
done
[[ -x $ANCHORS/start.sh ]] || { echo "run.sh: anchors not found at $ANCHORS (set ANCHORS=)" >&2; exit 2; }

if [[ -z ${RANGECACHE_BIN:-} ]]; then
  BUILD_DIR="${BUILD_DIR:-$REPO/build-bench}"
  # build unless targets are named and rangecache is not among them
  want_rc=1 names=0
  for a in "$@"; do
    case $a in rangecache|rangecache-map|--profile) names=1; want_rc=1; break ;;
               ats|nginx-cache|varnish|origin) names=1; want_rc=0 ;; esac
  done
  if ((want_rc)); then
    LOG="${TMPDIR:-/tmp}/rc-bench-build.log"
    echo "run.sh: building rangecache (Release) in $BUILD_DIR (log $LOG)" >&2
    cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >"$LOG" 2>&1 &&
      cmake --build "$BUILD_DIR" --target rangecache -j"$(nproc)" >>"$LOG" 2>&1 ||
      { echo "run.sh: build failed, see $LOG" >&2; tail -20 "$LOG" >&2; exit 2; }
  fi
  export RANGECACHE_BIN="$BUILD_DIR/rangecache"
fi

exec python3 "$HERE/rcbench.py" "$@"
