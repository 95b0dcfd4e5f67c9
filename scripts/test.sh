#!/usr/bin/env bash
# The whole test suite from a fresh checkout: install, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure --timeout 900 -j2 "$@"
