#!/usr/bin/env bash
# The test suite again, built with AddressSanitizer, and UBSan outside the network module
# (RANGECACHE_SANITIZE, see CMakeLists.txt for why): the
# unit and store tests run sanitized, and the daemon tests start the sanitized daemon, whose
# reports fail the test that started it (tests/support/sanitizer_report.hpp). The fuzz tests
# are left to the plain build; they carry their own sanitizers.
#   scripts/test_sanitized.sh [ctest args...]      (build dir: build-asan)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=build-asan
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DRANGECACHE_SANITIZE=ON \
  -DRANGECACHE_BUILD_BENCH=OFF "${launcher[@]}"
cmake --build "$build" -j"$(nproc)"

# abort_on_error: a report ends the process with SIGABRT at once, so a daemon test cannot
# pass on answers sent after memory went bad. Leaks are reported when a process exits.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir "$build" --output-on-failure --timeout 900 -j2 -LE fuzz "$@"
