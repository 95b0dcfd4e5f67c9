#!/usr/bin/env bash
# A long fuzz session, one target after another, for the times between releases rather than
# CI (which runs each target for seconds through ctest):
#   tests/fuzz/long_run.sh OUT_DIR [MINUTES_PER_TARGET] [TARGET...]    (default 12, all)
# Prints a table of time, executions, coverage, corpus size (what the run kept) and crashes
# per target, and leaves in OUT_DIR/new/TARGET/ the inputs that reach code the committed
# seeds do not (a -merge=1 pass keeps that set minimal): copy them to tests/fuzz/corpus/TARGET/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/fuzz/targets.sh
source "$here/targets.sh"
out="${1:?usage: long_run.sh OUT_DIR [MINUTES_PER_TARGET] [TARGET...]}"
minutes="${2:-12}"
shift $(($# < 2 ? $# : 2))
targets=("$@")
((${#targets[@]})) || targets=("${fuzz_targets[@]}")

mkdir -p "$out/logs"
summary="$out/summary.tsv"
printf 'target\tseconds\texecs\tcov\tft\tcorpus_units\tcorpus_bytes\tcrashes\tnew_seeds\n' >"$summary"
for target in "${targets[@]}"; do
  log="$out/logs/$target.log"
  start=$(date +%s)
  # A crash ends that target's run early; the others still run.
  status=0
  bash "$here/run.sh" "$target" "$out" $((minutes * 60)) >"$log" 2>&1 || status=$?
  seconds=$(($(date +%s) - start))

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
  crashes=$(find "$out/artifacts/$target" -type f | wc -l)

  # The inputs that reach code the committed seeds do not, merged to a minimal set. Edges
  # only (-use_counters=0): hit counts would keep hundreds of near-copies.
  merged="$out/merged/$target"
  rm -rf "$merged" "$out/new/$target"
  mkdir -p "$merged" "$out/new/$target"
  cp "$here/corpus/$target"/* "$merged/"
  "$out/bin/${target}_fuzz" -merge=1 -use_counters=0 "$merged" "$out/corpus/$target" \
    >"$out/logs/$target.merge.log" 2>&1
  for f in "$merged"/*; do
    [[ -e "$here/corpus/$target/$(basename "$f")" ]] || cp "$f" "$out/new/$target/"
  done
  units=$(find "$out/corpus/$target" -type f | wc -l)
  bytes=$(find "$out/corpus/$target" -type f -printf '%s\n' | awk '{n += $1} END {print n + 0}')
  new=$(find "$out/new/$target" -type f | wc -l)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$seconds" "${execs:-?}" "${cov:-?}" \
    "${ft:-?}" "$units" "$bytes" "$crashes" "$new" >>"$summary"
  ((status == 0)) || echo "long_run.sh: $target stopped with status $status (see $log)" >&2
done
column -t "$summary"
