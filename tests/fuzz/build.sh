#!/usr/bin/env bash
# Builds one libFuzzer target with clang, ASan and UBSan:
#   tests/fuzz/build.sh TARGET OUT_DIR       → OUT_DIR/bin/TARGET_fuzz
# Each source is compiled to its own object, in parallel, so ccache (when installed) can
# reuse it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${1:?usage: build.sh TARGET OUT_DIR}"
out="${2:?usage: build.sh TARGET OUT_DIR}"
# shellcheck source=tests/fuzz/targets.sh
source "$here/targets.sh"

read -r -a sources <<<"$(cd "$root" && fuzz_target_sources "$target")"
if ((${#sources[@]} == 0)); then
  echo "build.sh: unknown fuzz target '$target' (known: ${fuzz_targets[*]})" >&2
  exit 2
fi
read -r -a libs <<<"$(fuzz_target_libs "$target")"

cxx=(clang++)
command -v ccache >/dev/null && cxx=(ccache clang++)
sanitize=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer "${sanitize[@]}" -I"$root/include" -I"$root/src")

objects="$out/obj/$target"
mkdir -p "$objects" "$out/bin"
# One compiler per core: the config target alone is a dozen files that include yaml-cpp.
max_jobs="$(nproc)"
running=0
objs=()
for src in "$here/${target}_fuzz.cpp" "${sources[@]/#/$root/}"; do
  rel="${src#"$root"/}"
  obj="$objects/${rel//\//_}.o"
  "${cxx[@]}" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj" &
  objs+=("$obj")
  running=$((running + 1))
  if ((running >= max_jobs)); then
    wait -n  # a failed compile fails the script here (set -e)
    running=$((running - 1))
  fi
done
while ((running > 0)); do
  wait -n
  running=$((running - 1))
done
clang++ "${flags[@]}" -fsanitize=fuzzer "${objs[@]}" "${libs[@]}" -o "$out/bin/${target}_fuzz"
