#!/usr/bin/env bash
# The coroutine check must catch what it exists for: it is run on an example holding the
# pattern that crashed PURGE (and its relatives), and must flag exactly those lines.
#   tests/lint/selftest.sh BUILD_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
example="$here/coroutine_temporaries_bad.cpp"
out="$(python3 "$root/scripts/check_coroutines.py" "${1:?usage: selftest.sh BUILD_DIR}" "$example" || true)"
echo "$out"
flagged="$(echo "$out" | sed -n 's|.*coroutine_temporaries_bad.cpp:\([0-9]*\):.*|\1|p' | sort -un | tr '\n' ' ')"
expected="24 28 32 36 "
if [[ "$flagged" != "$expected" ]]; then
  echo "flagged lines: '$flagged'; expected: '$expected'" >&2
  exit 1
fi
