#!/usr/bin/env python3
"""Soak run: the real daemon in front of the test origin on loopback, a bounded-rate mixed
load for a set time, and the daemon's RSS, open fds and LMDB file size sampled every few
seconds into a CSV. Slow leaks (memory, descriptors, store pages) show as slopes there,
which no functional test would notice. See bench/README.md ("Soak").

Starts two processes (the origin and the daemon) and ends exactly those, by pid.
"""

import argparse
import csv
import hashlib
import http.client
import os
import random
import re
import signal
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# Hot objects: hits once cached, and the targets of ranges and purges.
HOT_SIZES = [1024, 65521, 1 << 20, 4 << 20]
HOT_PER_SIZE = 4
MISS_SIZES = [4096, 65536, 262144]


def parse_duration(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(s|m|h)?", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"expected a duration like 90s, 30m, 1h: {text!r}")
    return float(m.group(1)) * {"s": 1, None: 1, "m": 60, "h": 3600}[m.group(2)]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", required=True, help="directory holding the rangecache binary")
    p.add_argument("--out", required=True, help="directory for the CSV, the plot, configs and logs")
    p.add_argument("--duration", type=parse_duration, default=parse_duration("30m"),
                   help="how long the load runs (90s, 30m, 1h; default 30m)")
    p.add_argument("--rate", type=float, default=40.0, help="requests per second, all clients together (default 40)")
    p.add_argument("--clients", type=int, default=4, help="keep-alive client connections (default 4)")
    p.add_argument("--purge-share", type=float, default=0.02,
                   help="share of requests that are PURGEs, 0 to turn them off (default 0.02)")
    p.add_argument("--reload-every", type=parse_duration, default=parse_duration("60s"),
                   help="send SIGHUP this often, 0 for never (default 60s)")
    p.add_argument("--sample-every", type=parse_duration, default=parse_duration("10s"),
                   help="sampling period (default 10s)")
    p.add_argument("--max-size", default="64MiB",
                   help="cache.max_size; small, so that eviction runs during the soak (default 64MiB)")
    p.add_argument("--workers", type=int, default=2, help="daemon workers (default 2)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the request mix")
    return p.parse_args()


# The origin's content (tests/origin/test_origin.py): piece p of a path is
# SHAKE128(SHA-256(path) || u64_le(p)), 64 KiB each, so any range can be checked here.
class content:
    piece = 65536

    def __init__(self):
        self.cache = {}

    def bytes(self, path, first, last):
        seed = hashlib.sha256(path.encode()).digest()
        out = bytearray()
        for p in range(first // self.piece, last // self.piece + 1):
            key = (path, p)
            if key not in self.cache:
                if len(self.cache) > 512:
                    self.cache.clear()
                self.cache[key] = hashlib.shake_128(seed + struct.pack("<Q", p)).digest(self.piece)
            out += self.cache[key]
        start = first - (first // self.piece) * self.piece
        return bytes(out[start:start + last - first + 1])


class stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.errors = 0
        self.error_examples = []

    def count(self, kind, ok, why=""):
        with self.lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            if not ok:
                self.errors += 1
                if len(self.error_examples) < 20:
                    self.error_examples.append(f"{kind}: {why}")

    def snapshot(self):
        with self.lock:
            return sum(self.counts.values()), self.errors


def write_config(args, out, origin_port):
    cache_dir = os.path.join(out, "cache")
    os.makedirs(cache_dir, exist_ok=True)
    path = os.path.join(out, "rangecache.yaml")
    with open(path, "w") as f:
        f.write(f"""listen: "127.0.0.1:0"
workers: {args.workers}
cache: {{ path: {cache_dir}, max_size: {args.max_size}, sync: none }}
background_fetch: {{ max_concurrent: 2, queue_size: 64 }}
remap:
  - from: http://*/
    to: http://127.0.0.1:{origin_port}/
    cache_range_requests: {{}}
    background_fetch: true
log: {{ access: {os.path.join(out, "access.log")}, level: info }}
admin: {{ listen: "127.0.0.1:0", purge_allow: ["127.0.0.1/32"] }}
""")
    return path, cache_dir


def wait_for_file(path, proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def start_origin(out):
    port_file = os.path.join(out, "origin.port")
    log = open(os.path.join(out, "origin.out"), "w")
    proc = subprocess.Popen(
        [sys.executable, os.path.join(REPO, "tests/origin/test_origin.py"), "--listen", "127.0.0.1",
         "--port", "0", "--port-file", port_file, "--exit-with-parent"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if not wait_for_file(port_file, proc, 30):
        raise RuntimeError("the origin did not start (see origin.out)")
    return proc, int(open(port_file).read().split()[0])


def start_daemon(binary, config, out):
    port_file = os.path.join(out, "rangecache.ports")
    err = open(os.path.join(out, "rangecache.stderr"), "w")
    proc = subprocess.Popen([binary, "-c", config, "--port-file", port_file],
                            stdout=err, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if not wait_for_file(port_file, proc, 30):
        raise RuntimeError("rangecache did not start (see rangecache.stderr)")
    port = None
    for line in open(port_file):
        kind, addr, p = line.split()
        if kind == "listen":
            port = int(p)
    return proc, port


def stop(proc, grace):
    """SIGTERM, then SIGKILL after `grace` seconds; only this child, by its pid."""
    if proc is None or proc.poll() is not None:
        return proc.returncode if proc else None
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


class client(threading.Thread):
    """One keep-alive connection sending the mix at its share of the rate until `deadline`."""

    def __init__(self, index, args, port, deadline, st, stop_event):
        super().__init__(daemon=True)
        self.rng = random.Random(args.seed * 1000 + index)
        self.args, self.port, self.deadline, self.st, self.stop_event = args, port, deadline, st, stop_event
        self.interval = args.clients / args.rate
        self.index = index
        self.misses = 0
        self.content = content()
        self.conn = None

    def hot_path(self):
        size = self.rng.choice(HOT_SIZES)
        return f"/gen/{size}/hot-{self.rng.randrange(HOT_PER_SIZE)}.bin", size

    def request(self, method, path, headers):
        for attempt in range(2):  # a keep-alive connection the daemon closed is reopened once
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request(method, path, headers=headers)
                r = self.conn.getresponse()
                body = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, r.getheader("Content-Type", ""), body
            except (OSError, http.client.HTTPException) as e:
                if self.conn:
                    self.conn.close()
                self.conn = None
                if attempt == 1:
                    return None, "", str(e).encode()
        return None, "", b""

    def check(self, kind, status, expected_status, body=None, expected=None):
        if status not in expected_status:
            self.st.count(kind, False, f"status {status}: {body[:120] if body else b''!r}")
        elif expected is not None and body != expected:
            self.st.count(kind, False, f"wrong bytes ({len(body)} bytes, expected {len(expected)})")
        else:
            self.st.count(kind, True)

    def one(self):
        a = self.args
        roll = self.rng.random()
        purge = a.purge_share
        # Shares: purge, then hits 35%, misses 15%, single ranges 25%, suffix 10%, multi 15%.
        rest = 1.0 - purge
        if roll < purge:
            path, _ = self.hot_path()
            status, _, body = self.request("PURGE", path, {})
            self.check("purge", status, (200, 404), body)
            return
        roll = (roll - purge) / rest if rest > 0 else 0
        if roll < 0.35:
            path, size = self.hot_path()
            status, _, body = self.request("GET", path, {})
            self.check("hit", status, (200,), body, self.content.bytes(path, 0, size - 1))
        elif roll < 0.50:
            size = self.rng.choice(MISS_SIZES)
            self.misses += 1
            path = f"/gen/{size}/miss-{self.index}-{self.misses}.bin"
            status, _, body = self.request("GET", path, {})
            self.check("miss", status, (200,), body, self.content.bytes(path, 0, size - 1))
        elif roll < 0.75:
            path, size = self.hot_path()
            first = self.rng.randrange(size)
            last = min(size - 1, first + self.rng.randrange(1, 256 * 1024))
            status, _, body = self.request("GET", path, {"Range": f"bytes={first}-{last}"})
            self.check("range", status, (206,), body, self.content.bytes(path, first, last))
        elif roll < 0.85:
            path, size = self.hot_path()
            n = self.rng.randrange(1, min(size, 100_000) + 1)
            status, _, body = self.request("GET", path, {"Range": f"bytes=-{n}"})
            self.check("suffix", status, (206,), body, self.content.bytes(path, size - n, size - 1))
        else:
            path, size = self.hot_path()
            points = sorted(self.rng.sample(range(size), 4))
            spec = f"bytes={points[0]}-{points[1]},{points[2]}-{points[3]}"
            status, ctype, body = self.request("GET", path, {"Range": spec})
            ok = status == 206 and (ctype.startswith("multipart/byteranges") or points[1] + 1 >= points[2])
            self.st.count("multi", ok, f"status {status}, {ctype}")

    def run(self):
        next_at = time.monotonic() + self.rng.random() * self.interval
        while not self.stop_event.is_set():
            now = time.monotonic()
            if now >= self.deadline:
                break
            if now < next_at:
                self.stop_event.wait(min(next_at - now, self.deadline - now))
                continue
            next_at += self.interval
            if next_at < now:  # behind (slow answers): skip, never burst to catch up
                next_at = now + self.interval
            self.one()
        if self.conn:
            self.conn.close()


def sample(pid, cache_dir):
    """VmRSS counts the LMDB pages hits read through the memory map, so RssAnon (the heap,
    stacks) is sampled too: a leak shows there first."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                fields[key] = int(value.split()[0])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    data = os.path.join(cache_dir, "data.mdb")
    st = os.stat(data) if os.path.exists(data) else None
    return (fields.get("VmRSS", 0), fields.get("RssAnon", 0), fds, st.st_size if st else 0,
            st.st_blocks * 512 if st else 0)


def slope_per_hour(rows, column):
    """Least-squares slope of `column` against time, in units per hour."""
    n = len(rows)
    if n < 2:
        return 0.0
    xs = [r["elapsed_s"] / 3600 for r in rows]
    ys = [r[column] for r in rows]
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else 0.0


def plot(csv_path, png_path):
    script = f"""
set terminal pngcairo size 1000,900
set output '{png_path}'
set datafile separator ','
set key autotitle columnhead
set xlabel 'minutes'
set grid
set multiplot layout 3,1 title 'rangecache soak'
set ylabel 'RSS (MiB)'
plot '{csv_path}' using ($2/60):($3/1024) with lines lw 2 title 'RSS', \\
     '{csv_path}' using ($2/60):($4/1024) with lines lw 2 title 'RssAnon (heap, stacks)'
set ylabel 'open fds'
plot '{csv_path}' using ($2/60):5 with lines lw 2 title 'fds'
set ylabel 'LMDB data.mdb (MiB)'
plot '{csv_path}' using ($2/60):($6/1048576) with lines lw 2 title 'file size', \\
     '{csv_path}' using ($2/60):($7/1048576) with lines lw 2 title 'allocated'
unset multiplot
"""
    try:
        subprocess.run(["gnuplot"], input=script.encode(), check=True, capture_output=True)
        return True
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"soak: no plot ({e}); apt-get install gnuplot-nox", file=sys.stderr)
        return False


def on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main():
    args = parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    binary = os.path.join(os.path.abspath(args.build_dir), "rangecache")
    if not os.access(binary, os.X_OK):
        sys.exit(f"soak: no rangecache binary at {binary}")
    # SIGTERM to the driver ends the run the same way as Ctrl-C: children stopped by pid.
    signal.signal(signal.SIGTERM, on_sigterm)

    origin = daemon = None
    st = stats()
    rows = []
    died = None
    stop_event = threading.Event()
    csv_path = os.path.join(out, "soak.csv")
    try:
        origin, origin_port = start_origin(out)
        config, cache_dir = write_config(args, out, origin_port)
        daemon, port = start_daemon(binary, config, out)
        print(f"soak: rangecache pid {daemon.pid} on 127.0.0.1:{port}, origin pid {origin.pid} on "
              f"127.0.0.1:{origin_port}; {args.duration:.0f} s at {args.rate:g} req/s, "
              f"purge share {args.purge_share:g}, SIGHUP every {args.reload_every:g} s; output in {out}",
              file=sys.stderr)
        start = time.monotonic()
        deadline = start + args.duration
        clients = [client(i, args, port, deadline, st, stop_event) for i in range(args.clients)]
        for c in clients:
            c.start()
        next_sample, next_reload, reloads = start, start + (args.reload_every or float("inf")), 0
        with open(csv_path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["time", "elapsed_s", "rss_kib", "rss_anon_kib", "fds", "lmdb_bytes",
                        "lmdb_allocated", "requests", "errors", "reloads"])
            while True:
                now = time.monotonic()
                if daemon.poll() is not None:
                    died = daemon.returncode
                    break
                if now >= next_reload:
                    daemon.send_signal(signal.SIGHUP)
                    reloads += 1
                    next_reload += args.reload_every
                if now >= next_sample or now >= deadline:
                    rss, anon, fds, size, allocated = sample(daemon.pid, cache_dir)
                    requests, errors = st.snapshot()
                    row = {"elapsed_s": round(now - start, 1), "rss_kib": rss, "rss_anon_kib": anon,
                           "fds": fds, "lmdb_bytes": size, "lmdb_allocated": allocated}
                    rows.append(row)
                    w.writerow([time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), row["elapsed_s"], rss,
                                anon, fds, size, allocated, requests, errors, reloads])
                    f.flush()
                    next_sample += args.sample_every
                if now >= deadline:
                    break
                time.sleep(max(0.0, min(next_sample, next_reload, deadline) - time.monotonic()) or 0.01)
        stop_event.set()
        for c in clients:
            c.join(60)
    except KeyboardInterrupt:
        print("soak: interrupted", file=sys.stderr)
    finally:
        stop_event.set()
        daemon_status = stop(daemon, 40)
        stop(origin, 10)

    png = os.path.join(out, "soak.png")
    plotted = bool(rows) and plot(csv_path, png)
    requests, errors = st.snapshot()
    print(f"\nsoak summary ({len(rows)} samples over {rows[-1]['elapsed_s'] if rows else 0:.0f} s)")
    print(f"requests {requests} ({', '.join(f'{k} {v}' for k, v in sorted(st.counts.items()))}), "
          f"errors {errors}")
    for e in st.error_examples:
        print(f"  error: {e}")
    # The first half includes the warm-up (store filling, allocator growing): a leak is a
    # slope that is still there in the second half.
    second_half = [r for r in rows if rows and r["elapsed_s"] >= rows[-1]["elapsed_s"] / 2]
    print(f"{'series':<18}{'start':>10}{'end':>10}{'max':>10}{'slope/h':>12}{'2nd half/h':>12}")
    for col, label, div in (("rss_kib", "RSS (MiB)", 1024), ("rss_anon_kib", "RssAnon (MiB)", 1024),
                            ("fds", "open fds", 1),
                            ("lmdb_bytes", "LMDB (MiB)", 1 << 20),
                            ("lmdb_allocated", "LMDB disk (MiB)", 1 << 20)):
        if not rows:
            break
        vals = [r[col] / div for r in rows]
        print(f"{label:<18}{vals[0]:>10.1f}{vals[-1]:>10.1f}{max(vals):>10.1f}"
              f"{slope_per_hour(rows, col) / div:>12.2f}{slope_per_hour(second_half, col) / div:>12.2f}")
    print(f"csv: {csv_path}" + (f"\nplot: {png}" if plotted else ""))
    if died is not None:
        err = os.path.join(out, "rangecache.stderr")
        with open(err, errors="replace") as f:
            tail = f.readlines()[-15:]
        print(f"soak: rangecache DIED during the run (status {died}); the end of {err}:")
        print("".join("  " + line for line in tail), end="")
        return 1
    print(f"rangecache stopped with status {daemon_status}")
    return 1 if errors or daemon_status not in (0, None) else 0


if __name__ == "__main__":
    sys.exit(main())
