#!/usr/bin/env bash
# Builds one fuzz target and runs it for a bounded time, starting from its committed seed
# corpus (tests/fuzz/corpus/TARGET, never written to) plus what earlier runs in OUT_DIR found.
#   tests/fuzz/run.sh TARGET OUT_DIR [SECONDS] [libFuzzer flags...]     (default 20 s)
# Exits non-zero when the build fails or the fuzzer finds a crash, a leak, a timeout or a
# broken invariant; the input that did it is kept in OUT_DIR/artifacts/TARGET/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="${1:?usage: run.sh TARGET OUT_DIR [SECONDS] [libFuzzer flags...]}"
out="${2:?usage: run.sh TARGET OUT_DIR [SECONDS] [libFuzzer flags...]}"
seconds="${3:-20}"
shift $(($# < 3 ? $# : 3))

bash "$here/build.sh" "$target" "$out"

found="$out/corpus/$target"
artifacts="$out/artifacts/$target"
mkdir -p "$found" "$artifacts"
dict=()
[[ -f "$here/dict/$target.dict" ]] && dict=(-dict="$here/dict/$target.dict")

# The first corpus directory receives new inputs; the committed seeds stay untouched.
exec "$out/bin/${target}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "${dict[@]}" "$@" \
  "$found" "$here/corpus/$target"
