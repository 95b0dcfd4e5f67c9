#!/usr/bin/env bash
# Quick start: install dependencies, build, then run the demo origin on 127.0.0.1:8000 and
# rangecache with config/rangecache.yaml in front of it on 127.0.0.1:8080 (background).
# Stop them with: kill $(cat /tmp/rangecache-demo/*.pid)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build
cmake --build build -j"$(nproc)" --target rangecache
run=/tmp/rangecache-demo
mkdir -p "$run" /var/cache/rangecache
for f in "$run"/*.pid; do [[ -e $f ]] && kill "$(cat "$f")" 2>/dev/null || true; done
sleep 0.5
python3 tests/origin/test_origin.py --listen 127.0.0.1 --port 8000 --log "$run/origin.log" \
  >"$run/origin.out" 2>&1 &
echo $! >"$run/origin.pid"
./build/rangecache -c config/rangecache.yaml >"$run/rangecache.out" 2>&1 &
echo $! >"$run/rangecache.pid"
# Wait for both: the origin first (a request through the proxy before it is up is a 502).
for _ in $(seq 100); do
  curl -sf -o /dev/null http://127.0.0.1:8000/1k.bin && curl -sf -o /dev/null http://127.0.0.1:8080/1k.bin && break
  sleep 0.2
done
echo "rangecache is listening on 127.0.0.1:8080 (logs in $run). Try:"
echo "  curl -s -r 0-99 http://127.0.0.1:8080/1m.bin -D - -o /dev/null"
