#!/usr/bin/env bash
# Soak run of a built daemon (see bench/README.md, "Soak"):
#   bench/soak.sh BUILD_DIR [--duration 30m] [--rate 40] [--purge-share 0.02]
#                 [--reload-every 60s] [--out DIR] [...]       (bench/soak.py --help)
# Output (CSV, PNG, logs, config, cache) goes to /tmp/rc-soak/<time>/ unless --out is given.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:?usage: soak.sh BUILD_DIR [soak.py options]}"
shift
[[ -x "$build/rangecache" ]] || { echo "soak.sh: no rangecache in $build (build it first)" >&2; exit 2; }
command -v gnuplot >/dev/null || echo "soak.sh: gnuplot missing, no plot (apt-get install gnuplot-nox)" >&2
out="/tmp/rc-soak/$(date -u +%Y%m%dT%H%M%SZ)"
# Niced: the machine is shared, and the soak measures leaks, not speed.
exec nice -n 10 python3 "$here/soak.py" --build-dir "$build" --out "$out" "$@"
