#!/usr/bin/env bash
# Builds the range parser fuzzer and runs it for a bounded time.
#   tests/fuzz/run.sh BUILD_DIR [SECONDS]     (default 20 s)
# Exits non-zero when the build fails or the fuzzer finds a crash or a broken invariant.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:?usage: run.sh BUILD_DIR [SECONDS]}"
seconds="${2:-20}"
mkdir -p "$out/corpus" "$out/artifacts"

clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root/include" -I"$root/src" \
  "$here/range_parse_fuzz.cpp" \
  "$root"/src/range/*.cpp \
  "$root/src/util/http_date.cpp" \
  -o "$out/range_parse_fuzz"

# Seeds: 8 bytes of length, then text. Written each run so the corpus stays in $out.
seed() { printf '\x10\x27\x00\x00\x00\x00\x00\x00%s' "$2" > "$out/corpus/seed-$1"; }
seed 1 'bytes=0-499'
seed 2 'bytes=-500'
seed 3 'bytes=9500-'
seed 4 'bytes= 0-999, 4500-5499, -1000'
seed 5 'Bytes=0-0,-1,,500-700,601-999'
seed 6 'bytes 42-1233/1234'
seed 7 'bytes */1234'
seed 8 'Sun, 06 Nov 1994 08:49:37 GMT'
seed 9 'Sunday, 06-Nov-94 08:49:37 GMT'
seed 10 'Sun Nov  6 08:49:37 1994'
seed 11 '"abc"'
seed 12 'bytes=0-18446744073709551615'

cd "$out/artifacts"
exec "$out/range_parse_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$out/corpus"
