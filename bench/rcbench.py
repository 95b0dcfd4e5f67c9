#!/usr/bin/env python3
"""rcbench.py - benchmark driver: rangecache against the anchor peers.

Called by bench/run.sh (which builds the daemon first); see bench/README.md.

    rcbench.py [--rounds N] [--duration S] [--scenarios a,b] [TARGET...]
    rcbench.py --profile [--duration S]      # perf record of rangecache under range64k

Targets: rangecache ats nginx-cache varnish origin (default: every one installed), and
rangecache-map on request: the same binary with `cache.zero_copy: off` (every body in LMDB,
hits copied from the map with writev), beside `rangecache` (`--rc-zero-copy`, default on:
every body in a file, hits sent with sendfile), to compare the two send paths in one run.
The peers are started with ../shared/anchors/start.sh (and stopped with stop.sh at the
end, if this run started them); rangecache is started here on a free port, with a fresh
cache directory, in front of the anchors origin (127.0.0.1:18080), and stopped by pid.

Every load is on loopback.  Each scenario runs ROUNDS rounds, round-robin over the
targets; the table gives medians.  Before each measured run a sample of responses is
checked byte for byte against the origin's files; a mismatch fails that run loudly
(no numbers are reported for it) and the exit status is 1.

The markdown report goes to stdout; progress to stderr; raw per-round rows (TSV) and
wrk outputs to the run directory (/tmp/rc-bench/<stamp>/ by default).
"""
import argparse
import collections
import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1
KiB, MiB, GiB = 1024, 1024 ** 2, 1024 ** 3

PEERS = ["ats", "nginx-cache", "varnish"]
ALL_TARGETS = ["rangecache"] + PEERS + ["origin"]     # the default target list
# rangecache daemons started by this driver: name -> cache.zero_copy (None: --rc-zero-copy).
# rangecache-map runs only when named: the same binary, every body in LMDB (map + writev)
RC_TARGETS = {"rangecache": None, "rangecache-map": "off"}
KNOWN_TARGETS = ALL_TARGETS + ["rangecache-map"]
# per daemon: (file prefix in the run dir, cache dir, access/error log prefix)
RC_FILES = {"rangecache": ("rangecache", "rc-cache", "rc"),
            "rangecache-map": ("rangecache-map", "rc-map-cache", "rc-map")}
PEER_PORTS = {"origin": 18080, "ats": 18081, "nginx-cache": 18082, "varnish": 18083}
CACHE_HDR = {"rangecache": "x-cache", "rangecache-map": "x-cache", "ats": "x-cache-status", "nginx-cache": "x-cache-status",
             "varnish": "x-cache", "origin": None}
SCENARIOS = ["range64k", "range1m", "full1m", "big256m", "cold16", "idle1000", "seq64k",
             "blockseq", "blockrand"]  # table order
# block mode (rangecache `blocks:` against nginx's `slice 1m`): their own table, and only
# these targets run them
BLOCK_SCENARIOS = ["blockseq", "blockrand"]
BLOCK_TARGETS = ["rangecache", "nginx-cache"]
# run order: seq64k right after range64k (same warm objects); cold16 and the cold block
# scenarios last, because their first-touch storms (ATS: several GiB through a 4 GiB cache)
# evict the warm objects
RUN_ORDER = ["range64k", "seq64k", "range1m", "full1m", "big256m", "idle1000", "cold16",
             "blockseq", "blockrand"]
SCN_TITLE = {
    "range64k": "1 cached 64 KiB ranges",
    "range1m": "2 cached 1 MiB ranges",
    "full1m": "3 cached complete 1 MiB",
    "big256m": "4 cached 256 MiB whole",
    "cold16": "5 cold ranges, 16 files",
    "idle1000": "6 1000 idle keep-alive",
    "seq64k": "7 1 conn, 100 seq 64 KiB",
    "blockseq": "8 cold sequential 256 KiB reads",
    "blockrand": "9 cold random ranges, 1 GiB",
}
# the block rule of rangecache's generated config (only when a block scenario runs)
BLOCK_PREFIX = "/rcbench/blocks/"


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def loud(msg):
    bar = "!" * 78
    print(f"\n{bar}\n!!! {msg}\n{bar}\n", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- HTTP client
class Client:
    """Minimal HTTP/1.1 keep-alive client on one socket (TCP_NODELAY)."""

    def __init__(self, port, timeout=60.0):
        self.port, self.timeout = port, timeout
        self.sock, self.buf = None, bytearray()

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.buf = s, bytearray()

    def close(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None

    def _fill(self, n=1 << 20):
        d = self.sock.recv(n)
        if not d:
            raise ConnectionError("connection closed by server")
        self.buf += d

    def _take(self, n):
        """Up to n body bytes (from the buffer first, else one recv)."""
        if not self.buf:
            d = self.sock.recv(min(n, 4 << 20))
            if not d:
                raise ConnectionError("connection closed mid-body")
            return d
        d = bytes(self.buf[:n])
        del self.buf[:n]
        return d

    def get(self, path, rng=None, sha=False, retry=True):
        """GET path (Range: bytes=rng[0]-rng[1] if rng).  Returns (status, headers, body);
        with sha=True body is (length, sha256 hex) instead of the bytes."""
        try:
            if self.sock is None:
                self.connect()
            return self._get(path, rng, sha)
        except (ConnectionError, BrokenPipeError, ConnectionResetError):
            self.close()
            if not retry:
                raise
            self.connect()
            return self._get(path, rng, sha)

    def _get(self, path, rng, sha):
        req = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nUser-Agent: rcbench\r\n"
        if rng is not None:
            req += f"Range: bytes={rng[0]}-{rng[1]}\r\n"
        self.sock.sendall((req + "\r\n").encode())
        while (i := self.buf.find(b"\r\n\r\n")) < 0:
            self._fill()
        head = bytes(self.buf[:i]).decode("latin-1")
        del self.buf[:i + 4]
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        h = hashlib.sha256() if sha else None
        parts, total = [], 0

        def feed(d):
            nonlocal total
            total += len(d)
            if h:
                h.update(d)
            else:
                parts.append(d)

        if "chunked" in hdrs.get("transfer-encoding", "").lower():
            while True:
                while (j := self.buf.find(b"\r\n")) < 0:
                    self._fill()
                size = int(bytes(self.buf[:j]).split(b";")[0], 16)
                del self.buf[:j + 2]
                rem = size
                while rem:
                    d = self._take(rem)
                    rem -= len(d)
                    feed(d)
                while len(self.buf) < 2:
                    self._fill()
                del self.buf[:2]
                if size == 0:
                    break
        elif "content-length" in hdrs:
            rem = int(hdrs["content-length"])
            while rem:
                d = self._take(rem)
                rem -= len(d)
                feed(d)
        else:
            while True:
                try:
                    d = self._take(4 << 20)
                except ConnectionError:
                    break
                feed(d)
            self.close()
        if hdrs.get("connection", "").lower() == "close":
            self.close()
        return status, hdrs, ((total, h.hexdigest()) if sha else b"".join(parts))


# --------------------------------------------------------------------------- /proc helpers
def children_of(pid):
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    st = f.read()
                if int(st.rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return kids


def cpu_ticks(pids):
    s = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fl = f.read().rsplit(")", 1)[1].split()
            s += int(fl[11]) + int(fl[12])  # utime, stime (all threads)
        except (OSError, ValueError, IndexError):
            pass
    return s


def mem_kib(pids):
    """(VmRSS, RssAnon) in KiB, summed over pids."""
    rss = anon = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for ln in f:
                    if ln.startswith("VmRSS:"):
                        rss += int(ln.split()[1])
                    elif ln.startswith("RssAnon:"):
                        anon += int(ln.split()[1])
        except (OSError, ValueError):
            pass
    return rss, anon


def busy_ticks():
    with open("/proc/stat") as f:
        v = f.readline().split()[1:]
    v = [int(x) for x in v]
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]


def pin(cpus, pids):
    for p in pids:
        subprocess.run(["taskset", "-a", "-p", "-c", cpus, str(p)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class MemSampler:
    """Samples the summed VmRSS/RssAnon of a pid list every 0.1 s; keeps the peaks."""

    def __init__(self, pids_fn):
        self.pids_fn, self.peak_rss, self.peak_anon = pids_fn, 0, 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while True:
            r, a = mem_kib(self.pids_fn())
            self.peak_rss, self.peak_anon = max(self.peak_rss, r), max(self.peak_anon, a)
            if self._stop.wait(0.1):
                return

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *a):
        self._stop.set()
        self._t.join()
        r, a = mem_kib(self.pids_fn())
        self.peak_rss, self.peak_anon = max(self.peak_rss, r), max(self.peak_anon, a)


def pct(vals, p):
    v = sorted(vals)
    if not v:
        return float("nan")
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


# --------------------------------------------------------------------------- targets
class Target:
    def __init__(self, name, port, kind):
        self.name, self.port, self.kind = name, port, kind
        self.started_by_us = False
        self.proc = None          # rangecache only
        self.cfg = None
        self.crashes = []
        self.admin = None         # rangecache: admin (metrics) port

    def metrics(self):
        """rangecache's Prometheus counters ({name: value}); {} for the peers."""
        if not self.admin:
            return {}
        try:
            c = Client(self.admin, 5)
            st, h, body = c.get("/metrics")
            c.close()
        except OSError:
            return {}
        out = {}
        for ln in body.decode("latin-1").splitlines():
            if ln and not ln.startswith("#"):
                k, _, v = ln.rpartition(" ")
                try:
                    out[k] = float(v)
                except ValueError:
                    pass
        return out

    def main_pid(self):
        if self.proc is not None:
            return self.proc.pid if self.proc.poll() is None else None
        f = pidfile_of(self.name)
        try:
            p = int(re.sub(r"\D", "", open(f).read()))
            os.kill(p, 0)
            return p
        except (OSError, ValueError):
            return None

    def pids(self):
        p = self.main_pid()
        if p is None:
            return []
        out = [p] + children_of(p)
        if self.name == "varnish":  # the access log writer: part of varnish's logging cost
            try:
                q = int(re.sub(r"\D", "", open(f"{RUN}/varnish/varnishncsa.pid").read()))
                os.kill(q, 0)
                out.append(q)
            except (OSError, ValueError):
                pass
        return out


RUN = os.environ.get("ANCHORS_RUN", "/tmp/rangecache-anchors")
WWW = f"{RUN}/origin/www"
OLOG = f"{RUN}/origin/access.log"


def pidfile_of(name):
    return {"origin": f"{RUN}/origin/nginx.pid", "nginx-cache": f"{RUN}/nginx-cache/nginx.pid",
            "ats": f"{RUN}/ats/traffic_server.pid", "varnish": f"{RUN}/varnish/varnishd.pid"}[name]


def installed(name):
    need = {"origin": ["/usr/sbin/nginx"], "nginx-cache": ["/usr/sbin/nginx"],
            "varnish": ["/usr/sbin/varnishd"],
            "ats": ["/usr/bin/traffic_server",
                    "/usr/lib/trafficserver/modules/cache_range_requests.so",
                    "/usr/lib/trafficserver/modules/background_fetch.so"]}[name]
    miss = [p for p in need if not os.path.exists(p)]
    return (not miss), ("missing " + ", ".join(miss)) if miss else ""


# --------------------------------------------------------------------------- the bench
class Bench:
    def __init__(self, a):
        self.a = a
        self.anchors = a.anchors
        self.stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        self.outd = os.path.join(a.run_dir, self.stamp)
        os.makedirs(self.outd, exist_ok=True)
        self.targets = []
        self.skipped = {}          # name -> reason
        self.origin = None
        self.results = collections.defaultdict(list)   # (scn, target) -> [row dict]
        self.failures = []         # strings
        self.warm_misses = {}      # (scn, target) -> int
        self.file_sha = {}
        self.tsv = open(os.path.join(self.outd, "rounds.tsv"), "w")
        self.tsv_cols = None
        self.git = git_desc()
        self.rc_blocks = None      # see rc_block_rule()
        self.blocks_note = ""      # why rangecache runs the block scenarios without blocks
        self.scn_skip = {}         # (scenario, target) -> reason

    # ---- setup -----------------------------------------------------------------------
    def anchors_cmd(self, *args, env=None, timeout=300):
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run([os.path.join(self.anchors, args[0])] + list(args[1:]),
                              env=e, capture_output=True, text=True, timeout=timeout)

    def ensure_corpus(self):
        """Extra files in the origin's www dir (deterministic, derived from the corpus):
        /rcbench/256m.bin = the first 256 MiB of /1g.bin (a copy);
        /rcbench/cold/f00..f15.bin = hard links of /64m.bin (16 distinct URLs)."""
        d = f"{WWW}/rcbench"
        os.makedirs(f"{d}/cold", exist_ok=True)
        big = f"{d}/256m.bin"
        if not (os.path.exists(big) and os.path.getsize(big) == 256 * MiB):
            log("creating /rcbench/256m.bin (first 256 MiB of /1g.bin)")
            with open(f"{WWW}/1g.bin", "rb") as src, open(big + ".tmp", "wb") as dst:
                rem = 256 * MiB
                while rem:
                    b = src.read(min(rem, 8 * MiB))
                    dst.write(b)
                    rem -= len(b)
            os.utime(big + ".tmp", (1704067200, 1704067200))
            os.replace(big + ".tmp", big)
        for i in range(16):
            f = f"{d}/cold/f{i:02d}.bin"
            if not os.path.exists(f):
                os.link(f"{WWW}/64m.bin", f)
        # the block scenarios' objects: under a prefix of their own (rangecache's block rule)
        os.makedirs(f"{d}/blocks", exist_ok=True)
        for name in ("64m.bin", "1g.bin"):
            if not os.path.exists(f"{d}/blocks/{name}"):
                os.link(f"{WWW}/{name}", f"{d}/blocks/{name}")
        subprocess.run(["chmod", "-R", "a+rX", d])

    def start_peer(self, name):
        t = Target(name, PEER_PORTS[name], "origin" if name == "origin" else "peer")
        if t.main_pid() is not None:
            log(f"{name}: already running (pid {t.main_pid()}), used as is")
            return t
        ok, why = installed(name)
        if not ok:
            self.skipped[name] = f"not installed ({why})"
            return None
        log(f"starting {name} (anchors start.sh, fresh cache)")
        try:
            r = self.anchors_cmd("start.sh", name, env={"FRESH": "1"}, timeout=240)
        except subprocess.TimeoutExpired:
            r = None
        if r is None or r.returncode != 0 or t.main_pid() is None:
            self.skipped[name] = "did not start: " + ((r.stderr.strip().splitlines() or ["?"])[-1]
                                                       if r else "start.sh timed out")
            if r is not None or t.main_pid() is not None:
                self.anchors_cmd("stop.sh", name)
            return None
        t.started_by_us = True
        return t

    def rc_block_rule(self):
        """The remap rule of the block scenarios (longest prefix wins, so it only applies to
        /rcbench/blocks/): present only when a block scenario runs.  self.rc_blocks: "blocks"
        = with `blocks:` (block mode), "plain" = the same rule without it (a binary that
        refuses the key, or --rc-blocks off), None = no rule."""
        if self.rc_blocks is None:
            return ""
        a = self.a
        rule = (f"  - from: http://*{BLOCK_PREFIX}\n"
                f"    to: http://127.0.0.1:18080{BLOCK_PREFIX}\n"
                f"    cache_range_requests: {{}}\n")
        if self.rc_blocks == "blocks":
            rule += (f"    blocks: {{ size: {a.block_size}, min_object: {a.block_min_object}, "
                     f"read_ahead: {a.block_read_ahead} }}\n")
        return rule

    def rc_zero_copy(self, name="rangecache"):
        """cache.zero_copy of a rangecache target: rangecache from --rc-zero-copy,
        rangecache-map always off (bodies in LMDB, hits copied from the map)."""
        return RC_TARGETS[name] or self.a.rc_zero_copy

    def rc_config(self, port_file, name="rangecache"):
        d = self.outd
        _, cache, lg = RC_FILES[name]
        # the block rule only for `rangecache` (rangecache-map does not run the block scenarios)
        blocks = self.rc_block_rule() if name == "rangecache" else ""
        return f"""# written by bench/rcbench.py ({name})
listen: ["127.0.0.1:0"]
workers: 1
cache: {{ path: {d}/{cache}, max_size: {self.a.rc_max_size}, sync: none, sync_interval: 0s, zero_copy: {self.rc_zero_copy(name)} }}
remap:
  - from: http://*/
    to: http://127.0.0.1:18080/
    cache_range_requests: {{}}
    background_fetch: true
{blocks}log: {{ access: {d}/{lg}-access.log, error: {d}/{lg}-error.log, level: warn }}
admin: {{ listen: "127.0.0.1:0" }}
server: {{ drain_timeout: 2s }}
"""

    def start_rangecache(self, fresh=True, wrapper=(), wait_s=30, name="rangecache"):
        """Start the rangecache target `name` (rangecache or rangecache-map), each with its
        own cache dir, config, port file and logs in the run dir."""
        binp = self.a.rangecache_bin
        if not os.access(binp, os.X_OK):
            self.skipped[name] = f"no binary at {binp}"
            return None
        fp, cdir, _ = RC_FILES[name]
        cache = f"{self.outd}/{cdir}"
        if fresh:
            shutil.rmtree(cache, ignore_errors=True)
        os.makedirs(cache, exist_ok=True)
        cfg = f"{self.outd}/{fp}.yaml"
        pf = f"{self.outd}/{fp}.port"
        with open(cfg, "w") as f:
            f.write(self.rc_config(pf, name))
        if os.path.exists(pf):
            os.unlink(pf)
        out = open(f"{self.outd}/{fp}.out", "ab")
        proc = subprocess.Popen(list(wrapper) + [binp, "-c", cfg, "--port-file", pf], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        port = admin = None
        t0 = time.time()
        while time.time() - t0 < wait_s and proc.poll() is None:
            try:
                for ln in open(pf):
                    w = ln.split()
                    if len(w) >= 3 and w[0] == "listen":
                        port = int(w[2])
                    if len(w) >= 3 and w[0] == "admin":
                        admin = int(w[2])
            except OSError:
                pass
            if port:
                try:
                    Client(port, 30).get("/1k.bin")
                    break
                except OSError:
                    pass
            time.sleep(0.1)
        if not port or proc.poll() is not None:
            proc.kill() if proc.poll() is None else None
            self.skipped[name] = f"did not start (see {self.outd}/{fp}.out)"
            return None
        log(f"{name}: pid {proc.pid}, port {port}, zero_copy: {self.rc_zero_copy(name)}, config {cfg}")
        t = Target(name, port, "rangecache")
        t.proc, t.cfg, t.started_by_us, t.admin = proc, cfg, True, admin
        return t

    def start_rangecache_blocks(self):
        """Start rangecache; with a block scenario in the run, with the block rule.  A binary
        whose config loader refuses `blocks:` exits at start: then, with --rc-blocks auto,
        start it again with the same rule without `blocks:` (the block scenarios then measure
        rangecache WITHOUT block mode, and the report says so); with --rc-blocks on, start it
        without the rule and skip rangecache in the block scenarios."""
        want = [s for s in self.a.scenarios if s in BLOCK_SCENARIOS]
        if not want:
            return self.start_rangecache()
        self.rc_blocks = "plain" if self.a.rc_blocks == "off" else "blocks"
        if self.rc_blocks == "plain":
            self.blocks_note = "rangecache ran WITHOUT block mode (--rc-blocks off)"
        t = self.start_rangecache()
        if t is not None or self.rc_blocks != "blocks":
            return t
        try:
            with open(f"{self.outd}/rangecache.out", errors="replace") as f:
                out = f.read()
        except OSError:
            out = ""
        if "blocks" not in out:
            return None     # it failed for another reason: skipped, as before
        why = next((ln.strip() for ln in out.splitlines() if "blocks" in ln), "")
        why = re.sub(r"\s*\(expected one of.*", "", why)[:200]
        os.replace(f"{self.outd}/rangecache.out", f"{self.outd}/rangecache-blocks-refused.out")
        self.skipped.pop("rangecache", None)
        if self.a.rc_blocks == "auto":
            self.rc_blocks = "plain"
            self.blocks_note = (f"this rangecache binary refuses `blocks:` ({why}); it ran the block "
                                f"scenarios WITHOUT block mode (same rule, cache_range_requests only)")
        else:
            self.rc_blocks = None
            for s in want:
                self.scn_skip[(s, "rangecache")] = f"rangecache refuses `blocks:` ({why})"
            self.blocks_note = f"rangecache SKIPPED in the block scenarios: the binary refuses `blocks:` ({why})"
        loud(self.blocks_note)
        return self.start_rangecache()

    def ensure_alive(self, t):
        """rangecache (either daemon): if it died, say so loudly and start it again (same cache)."""
        if t.kind != "rangecache" or t.proc.poll() is None:
            return True
        rc = t.proc.returncode
        msg = f"{t.name} DIED (exit status {rc}); see {self.outd}/{RC_FILES[t.name][0]}.out"
        loud(msg)
        t.crashes.append(rc)
        self.failures.append(msg)
        nt = self.start_rangecache(fresh=False, name=t.name)
        if nt is None:
            return False
        t.proc, t.port, t.admin = nt.proc, nt.port, nt.admin
        return True

    def setup(self):
        want = self.a.targets or ALL_TARGETS
        if not shutil.which("wrk"):
            sys.exit("wrk is not installed (apt-get install -y wrk)")
        self.origin = self.start_peer("origin")
        if self.origin is None:
            sys.exit(f"the anchors origin could not be started: {self.skipped.get('origin')}")
        self.ensure_corpus()
        for name in want:
            if name == "origin":
                self.targets.append(self.origin)
            elif name == "rangecache":
                t = self.start_rangecache_blocks()
                if t:
                    self.targets.append(t)
            elif name == "rangecache-map":
                t = self.start_rangecache(name=name)
                if t:
                    self.targets.append(t)
            else:
                t = self.start_peer(name)
                if t:
                    self.targets.append(t)
        for n, why in self.skipped.items():
            log(f"SKIPPED {n}: {why}")
        # the driver itself (and wrk) stay off the server CPU
        try:
            os.sched_setaffinity(0, {self.a.client_cpu})
        except OSError:
            pass

    def teardown(self):
        for t in self.targets + ([self.origin] if self.origin not in self.targets else []):
            if t is None:
                continue
            pin(f"0-{NCPU - 1}", t.pids())
        for t in self.targets:
            if t.kind == "rangecache" and t.proc and t.proc.poll() is None:
                t.proc.send_signal(signal.SIGTERM)
                try:
                    t.proc.wait(15)
                except subprocess.TimeoutExpired:
                    t.proc.kill()
                    t.proc.wait()
                log(f"{t.name} stopped (pid {t.proc.pid}, exit {t.proc.returncode})")
        stop = [t.name for t in self.targets if t.kind == "peer" and t.started_by_us]
        if self.origin is not None and self.origin.started_by_us and not self.a.keep_origin:
            stop.append("origin")
        for n in stop:
            self.anchors_cmd("stop.sh", n)
            log(f"{n} stopped (anchors stop.sh)")

    # ---- helpers ----------------------------------------------------------------------
    def olog_size(self):
        try:
            return os.path.getsize(OLOG)
        except OSError:
            return 0

    def olog_since(self, off):
        """Origin access-log lines (split on tabs) written since byte offset off."""
        try:
            with open(OLOG, "rb") as f:
                f.seek(off)
                data = f.read().decode("latin-1")
        except OSError:
            return []
        return [ln.split("\t") for ln in data.splitlines() if ln.count("\t") >= 7]

    def quiesce(self, t, max_s, need=1.0):
        """Wait until the origin log and the target's CPU are still for `need` s (max_s)."""
        t0 = time.time()
        still, last_sz, last_cpu = 0.0, -1, -1
        pids = t.pids()
        while time.time() - t0 < max_s:
            sz, c = self.olog_size(), cpu_ticks(pids)
            if sz == last_sz and last_cpu >= 0 and (c - last_cpu) <= max(1, HZ * 0.25 * 0.05):
                still += 0.25
                if still >= need:
                    break
            else:
                still = 0.0
            last_sz, last_cpu = sz, c
            time.sleep(0.25)
        return time.time() - t0

    def local_file(self, path):
        return WWW + path.split("?")[0]

    def expected(self, path, rng):
        with open(self.local_file(path), "rb") as f:
            if rng is None:
                return f.read()
            return os.pread(f.fileno(), rng[1] - rng[0] + 1, rng[0])

    def sha_of(self, path):
        p = self.local_file(path)
        if p not in self.file_sha:
            h = hashlib.sha256()
            with open(p, "rb") as f:
                while b := f.read(8 * MiB):
                    h.update(b)
            self.file_sha[p] = (os.path.getsize(p), h.hexdigest())
        return self.file_sha[p]

    def check_one(self, c, path, rng, big=False):
        """One request through the target, compared with the origin's file. Returns
        (ok, why, cache_status)."""
        size = os.path.getsize(self.local_file(path))
        st, h, body = c.get(path, rng, sha=big)
        if rng is None:
            if st != 200:
                return False, f"{path}: status {st}, want 200", None
            if big:
                want = self.sha_of(path)
                if body != want:
                    return False, f"{path}: got {body[0]} bytes sha {body[1][:12]}, want {want[0]} sha {want[1][:12]}", None
            elif body != self.expected(path, None):
                return False, f"{path}: body differs ({len(body)} bytes, want {size})", None
        else:
            a, b = rng
            if st != 206:
                return False, f"{path} {a}-{b}: status {st}, want 206", None
            cr = h.get("content-range", "")
            if cr != f"bytes {a}-{b}/{size}":
                return False, f"{path} {a}-{b}: Content-Range '{cr}'", None
            if big:
                raise ValueError("big ranges are compared as bytes")
            want = self.expected(path, rng)
            if body != want:
                n = next((i for i in range(min(len(body), len(want))) if body[i] != want[i]),
                         min(len(body), len(want)))
                return False, (f"{path} {a}-{b}: body differs at byte {n} "
                               f"(got {len(body)} bytes, want {len(want)})"), None
        hn = CACHE_HDR.get(self._cur_target)
        return True, "", (h.get(hn, "-") if hn else "-")

    def verify(self, t, reqs, rnd, n=8, big=False):
        """Byte-exact check of a sample of reqs through target t. Returns (ok, why, statuses)."""
        self._cur_target = t.name
        k = len(reqs)
        idx = sorted({(rnd * 37 + i * max(1, k // n) + i * 7) % k for i in range(min(n, k))})
        c = Client(t.port, 60)
        sts = []
        try:
            for i in idx:
                path, rng = reqs[i]
                ok, why, cs = self.check_one(c, path, rng, big=big and rng is None)
                if not ok:
                    return False, why, sts
                sts.append(cs)
            return True, "", sts
        except (OSError, ValueError) as e:
            return False, f"request failed: {e!r}", sts
        finally:
            c.close()

    def warm(self, t, reqs, big=False):
        """Warm-up passes (2..4) until one causes no origin request; returns the origin
        requests seen in the last pass."""
        m = 0
        for p in range(1, 5):
            off = self.olog_size()
            c = Client(t.port, 120)
            try:
                for path, rng in reqs:
                    c.get(path, rng, sha=big)
            except OSError as e:
                log(f"  warm-up pass {p} on {t.name}: {e!r}")
            finally:
                c.close()
            self.quiesce(t, 60)
            m = len([x for x in self.olog_since(off) if not x[3].startswith("/__")])
            if p >= 2 and m == 0:
                break
        return m

    TSV_COLS = ["scenario", "target", "round", "status", "requests", "seconds", "req_s", "MB_s",
                "p50_ms", "p90_ms", "p99_ms", "max_ms", "cpu_us_req", "srv_cpu_s", "origin_cpu_s",
                "wrk_cpu_s", "other_cpu_s", "settle_s", "peak_rss_mib", "peak_anon_mib", "origin_reqs",
                "origin_MiB", "origin_dups", "origin_full", "bg_fetch", "anon_before_mib", "anon_after_mib",
                "kib_per_conn", "rss_kib_per_conn", "still_open", "warm_misses", "cache_status", "conns",
                "client_MiB", "origin_bytes", "client_bytes", "metrics_origin_bytes", "blocks", "errors",
                "notes", "why"]

    def record(self, row):
        if self.tsv_cols is None:
            self.tsv_cols = self.TSV_COLS
            self.tsv.write("\t".join(self.tsv_cols) + "\n")
        self.tsv.write("\t".join(str(row.get(k, "")) for k in self.tsv_cols) + "\n")
        self.tsv.flush()
        self.results[(row["scenario"], row["target"])].append(row)

    def fail(self, scn, t, rnd, why):
        msg = f"{scn} / {t.name} / round {rnd}: BYTE CHECK FAILED: {why}"
        loud(msg)
        self.failures.append(msg)
        self.record({"scenario": scn, "target": t.name, "round": rnd, "status": "FAIL",
                     "why": why})

    def pin_for(self, t):
        pin(str(self.a.server_cpu), t.pids())
        if t is not self.origin:
            pin(str(self.a.client_cpu), self.origin.pids())

    # ---- scenarios ---------------------------------------------------------------------
    def reqs_for(self, scn):
        if scn == "range64k":
            return [("/64m.bin", (i * 256 * KiB, i * 256 * KiB + 64 * KiB - 1)) for i in range(256)]
        if scn == "range1m":
            return [("/64m.bin", (i * MiB, i * MiB + MiB - 1)) for i in range(64)]
        if scn == "full1m":
            return [("/1m.bin", None)]
        if scn == "big256m":
            return [("/rcbench/256m.bin", None)]
        raise KeyError(scn)

    def write_list(self, scn, reqs):
        f = f"{self.outd}/{scn}.list"
        with open(f, "w") as fh:
            for path, rng in reqs:
                fh.write(f"{path} {rng[0]} {rng[1]}\n" if rng else f"{path}\n")
        return f

    def run_wrk_scenario(self, scn, t, rnd):
        reqs = self.reqs_for(scn)
        big = scn == "big256m"
        lst = self.write_list(scn, reqs)
        if not self.ensure_alive(t):
            return self.fail(scn, t, rnd, "rangecache is not running")
        if (scn, t.name) not in self.warm_misses:
            self.warm_misses[(scn, t.name)] = ("-" if t is self.origin else self.warm(t, reqs, big))
        # byte check before the measured run: a sample of the scenario's requests, plus
        # for the 256 MiB object four ranges of it
        ok, why, sts = self.verify(t, reqs, rnd, big=big)
        if ok and big:
            extra = [("/rcbench/256m.bin", (a, a + 65535)) for a in
                     (0, 1234567 + rnd * 4096, 128 * MiB - 100, 256 * MiB - 65536)]
            ok, why, s2 = self.verify(t, extra, rnd, n=4)
            sts += s2
        if not ok:
            return self.fail(scn, t, rnd, why)
        self.pin_for(t)
        self.quiesce(t, 20, need=0.5)
        conns = self.a.big_conns if big else self.a.conns
        cmd = ["taskset", "-c", str(self.a.client_cpu), "wrk", f"-t{self.a.threads}",
               f"-c{conns}", f"-d{self.a.duration}s", "--timeout", "30s", "--latency", "-s",
               os.path.join(HERE, "ranges.lua"), f"http://127.0.0.1:{t.port}", "--", "random", lst, str(self.a.threads)]
        with open(f"{self.outd}/{scn}.cmd", "w") as fh:
            fh.write(" ".join(cmd) + "\n")
        pids = t.pids()
        opids = self.origin.pids() if t is not self.origin else []
        off = self.olog_size()
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        b0, s0, o0 = busy_ticks(), cpu_ticks(pids), cpu_ticks(opids)
        with MemSampler(t.pids) as ms:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=self.a.duration + 60)
            settle = self.quiesce(t, 5, need=0.5)
        b1, s1, o1 = busy_ticks(), cpu_ticks(pids), cpu_ticks(opids)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(f"{self.outd}/{t.name}-{scn}-r{rnd}.wrk", "w") as fh:
            fh.write(p.stdout + p.stderr)
        m = [ln for ln in p.stdout.splitlines() if ln.startswith("WRKTSV")]
        if p.returncode != 0 or not m:
            return self.fail(scn, t, rnd, f"wrk failed (rc {p.returncode}): {p.stderr.strip()[-300:]}")
        w = m[-1].split("\t")
        req, dur_us, nbytes = int(w[1]), int(w[2]), int(w[3])
        serr = int(w[4]) + int(w[5]) + int(w[6]) + int(w[8])
        non2xx = int(w[7])
        wrk_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        srv = (s1 - s0) / HZ
        onew = [x for x in self.olog_since(off) if not x[3].startswith("/__")]
        ok_run = self.ensure_alive(t)
        # the payload sanity check (wrk counts bytes, not bodies): bytes per reply must be
        # at least the body size
        body = (reqs[0][1][1] - reqs[0][1][0] + 1) if reqs[0][1] else os.path.getsize(self.local_file(reqs[0][0]))
        notes = []
        if serr or non2xx:
            notes.append(f"{serr} socket errors, {non2xx} non-2xx")
        if not big and req and nbytes / req < body:
            notes.append(f"SHORT replies: {nbytes / req:.0f} bytes/reply < {body}")
            self.failures.append(f"{scn}/{t.name}/r{rnd}: short replies")
        if not ok_run:
            notes.append("daemon died during the run")
        # after the run: the sample again (catches corruption under load)
        ok2, why2, _ = self.verify(t, reqs, rnd + 1000, n=4, big=False) if not big else (True, "", [])
        if not ok2:
            return self.fail(scn, t, rnd, "after the run: " + why2)
        dur = dur_us / 1e6
        self.record({
            "scenario": scn, "target": t.name, "round": rnd, "status": "ok",
            "requests": req, "seconds": round(dur, 3), "req_s": req / dur,
            "MB_s": nbytes / dur / 1e6, "p50_ms": int(w[9]) / 1000, "p90_ms": int(w[10]) / 1000,
            "p99_ms": int(w[11]) / 1000, "max_ms": int(w[12]) / 1000,
            "cpu_us_req": srv * 1e6 / max(1, req), "srv_cpu_s": srv,
            "origin_cpu_s": (o1 - o0) / HZ, "wrk_cpu_s": wrk_cpu,
            "other_cpu_s": max(0.0, (b1 - b0) / HZ - srv - (o1 - o0) / HZ - wrk_cpu),
            "settle_s": round(settle, 1), "peak_rss_mib": ms.peak_rss / 1024,
            "peak_anon_mib": ms.peak_anon / 1024, "origin_reqs": len(onew),
            "warm_misses": self.warm_misses[(scn, t.name)], "cache_status": ",".join(sorted(set(sts))),
            "conns": conns, "notes": "; ".join(notes)})
        r = self.results[(scn, t.name)][-1]
        log(f"  {scn:9s} {t.name:12s} r{rnd}: {r['req_s']:8.0f} req/s {r['MB_s']:7.0f} MB/s "
            f"p99 {r['p99_ms']:7.2f} ms  {r['cpu_us_req']:7.1f} us/req  wrk {wrk_cpu:.1f}s "
            f"{r['cache_status']} {r['notes']}")

    def cold_reqs(self):
        """1024 first-touch 64 KiB ranges: 64 per file over 16 files, random offsets
        (fixed seed, distinct, not aligned), in a random order."""
        rnd = random.Random(20261122)
        out = []
        for f in range(16):
            offs = set()
            while len(offs) < 64:
                offs.add(rnd.randrange(0, 64 * MiB - 64 * KiB))
            out += [(f, o) for o in sorted(offs)]
        rnd.shuffle(out)
        return out

    def run_cold(self, t, rnd):
        scn = "cold16"
        if not self.ensure_alive(t):
            return self.fail(scn, t, rnd, "rangecache is not running")
        tag = f"{self.stamp}-{t.name}-{rnd}"
        url = lambda f: f"/rcbench/cold/f{f:02d}.bin?r={tag}"
        # before: the cold path, byte-exact, on URLs of their own (not the measured ones)
        pre = [(f"/rcbench/cold/f{f:02d}.bin?r={tag}-pre", (a, a + 64 * KiB - 1))
               for f, a in ((0, 12345), (5, 33 * MiB + 7), (15, 64 * MiB - 64 * KiB))]
        ok, why, _ = self.verify(t, pre, rnd, n=3)
        if not ok:
            return self.fail(scn, t, rnd, "cold pre-check: " + why)
        self.pin_for(t)
        self.quiesce(t, self.a.cold_settle)
        work = self.cold_reqs()
        nconn = self.a.cold_conns
        lock = threading.Lock()
        it = iter(range(len(work)))
        lat, errs, bad = [], [], []
        firsts, lasts = [], []
        pids = t.pids()
        opids = self.origin.pids()
        off = self.olog_size()
        m0 = t.metrics()
        s0, o0 = cpu_ticks(pids), cpu_ticks(opids)

        def worker():
            c = Client(t.port, 60)
            while True:
                with lock:
                    i = next(it, None)
                if i is None:
                    break
                f, a = work[i]
                rng = (a, a + 64 * KiB - 1)
                t0 = time.perf_counter()
                try:
                    st, h, body = c.get(url(f), rng)
                except OSError as e:
                    errs.append(repr(e))
                    continue
                t1 = time.perf_counter()
                with lock:
                    lat.append(t1 - t0)
                    firsts.append(t0)
                    lasts.append(t1)
                # every cold reply is checked against the file
                want = self.expected(f"/rcbench/cold/f{f:02d}.bin", rng)
                if st != 206 or body != want:
                    bad.append(f"f{f:02d} {rng[0]}-{rng[1]}: status {st}, {len(body)} bytes, "
                               f"{'equal' if body == want else 'DIFFERENT'}")
            c.close()

        with MemSampler(t.pids) as ms:
            ths = [threading.Thread(target=worker) for _ in range(nconn)]
            for th in ths:
                th.start()
            for th in ths:
                th.join()
            settle = self.quiesce(t, self.a.cold_settle, need=2.0)
        s1, o1 = cpu_ticks(pids), cpu_ticks(opids)
        m1 = t.metrics()
        bg = ""
        if m0 and m1:
            d = lambda k: int(m1.get(f"rangecache_fetch_{k}_total", 0) - m0.get(f"rangecache_fetch_{k}_total", 0))
            bg = (f"started {d('started')}, completed {d('completed')}, failed {d('failed')}, "
                  f"backing off {d('backing_off')}")
        alive = self.ensure_alive(t)
        lines = [x for x in self.olog_since(off) if x[3].startswith("/rcbench/cold/") and f"r={tag}" in x[3]
                 and not x[3].endswith("-pre")]
        keys = collections.Counter((x[3], x[7]) for x in lines)
        dups = sum(n - 1 for n in keys.values() if n > 1)
        full = sum(1 for x in lines if x[7] in ("-", ""))
        obytes = sum(int(x[5]) for x in lines if x[5].isdigit())
        notes = []
        if errs:
            notes.append(f"{len(errs)} request errors ({errs[0]})")
        if bad:
            msg = f"cold16 / {t.name} / round {rnd}: {len(bad)} WRONG replies, e.g. {bad[0]}"
            loud(msg)
            self.failures.append(msg)
            notes.append(f"{len(bad)} WRONG replies")
        if not alive:
            notes.append("daemon died")
        if bg:
            notes.append("bg fetches: " + bg)
            if m1.get("rangecache_fetch_failed_total", 0) > m0.get("rangecache_fetch_failed_total", 0):
                msg = f"cold16 / {t.name} / round {rnd}: background fetches FAILED ({bg})"
                loud(msg)
                self.failures.append(msg)
        if settle >= self.a.cold_settle - 0.5:
            notes.append(f"still busy after {self.a.cold_settle}s settle")
        # after: a sample of the measured (now cached) ranges, byte-exact
        post = [(url(f), (a, a + 64 * KiB - 1)) for f, a in work]
        ok2, why2, sts = self.verify(t, post, rnd, n=6)
        if not ok2:
            return self.fail(scn, t, rnd, "cold post-check: " + why2)
        span = (max(lasts) - min(firsts)) if lasts else float("nan")
        n = len(lat)
        srv = (s1 - s0) / HZ
        self.record({
            "scenario": scn, "target": t.name, "round": rnd, "status": "FAIL" if bad else "ok",
            "requests": n, "seconds": round(span, 3), "req_s": n / span, "MB_s": n * 64 * KiB / span / 1e6,
            "p50_ms": pct(lat, 50) * 1e3, "p90_ms": pct(lat, 90) * 1e3, "p99_ms": pct(lat, 99) * 1e3,
            "max_ms": max(lat) * 1e3 if lat else float("nan"),
            "cpu_us_req": srv * 1e6 / max(1, n), "srv_cpu_s": srv, "origin_cpu_s": (o1 - o0) / HZ,
            "settle_s": round(settle, 1), "peak_rss_mib": ms.peak_rss / 1024,
            "peak_anon_mib": ms.peak_anon / 1024, "origin_reqs": len(lines),
            "origin_MiB": obytes / MiB, "origin_dups": dups, "origin_full": full, "bg_fetch": bg,
            "cache_status": ",".join(sorted(set(sts))), "conns": nconn, "notes": "; ".join(notes)})
        r = self.results[(scn, t.name)][-1]
        log(f"  cold16    {t.name:12s} r{rnd}: {r['req_s']:8.0f} req/s p99 {r['p99_ms']:7.2f} ms "
            f"origin {len(lines)} reqs {obytes / MiB:.0f} MiB dups {dups} full {full} "
            f"settle {settle:.0f}s {r['notes']}")

    def run_idle(self, t, rnd):
        scn = "idle1000"
        if not self.ensure_alive(t):
            return self.fail(scn, t, rnd, "rangecache is not running")
        n = self.a.idle_conns
        ok, why, _ = self.verify(t, [("/1k.bin", None)], rnd, n=1)
        if ok:   # twice: the second is a hit
            ok, why, sts = self.verify(t, [("/1k.bin", None)], rnd, n=1)
        if not ok:
            return self.fail(scn, t, rnd, why)
        self.pin_for(t)
        self.quiesce(t, 10)
        pids = t.pids()
        time.sleep(0.3)
        rss0, anon0 = mem_kib(pids)
        s0 = cpu_ticks(pids)
        socks, fails = [], 0
        req = f"GET /1k.bin HTTP/1.1\r\nHost: 127.0.0.1:{t.port}\r\nUser-Agent: rcbench\r\n\r\n".encode()
        want = self.expected("/1k.bin", None)
        t0 = time.time()
        peak_rss = peak_anon = 0
        try:
            for i in range(n):
                try:
                    c = Client(t.port, 10)
                    st, h, body = c.get("/1k.bin", retry=False)
                    if st != 200 or body != want:
                        fails += 1
                    socks.append(c)
                except OSError:
                    fails += 1
            open_s = time.time() - t0
            # hold them idle; sample memory for hold seconds
            t1 = time.time()
            while time.time() - t1 < self.a.idle_hold:
                r, a = mem_kib(pids)
                peak_rss, peak_anon = max(peak_rss, r), max(peak_anon, a)
                time.sleep(0.1)
            rss1, anon1 = mem_kib(pids)
            # which are still open (a closed one reads EOF)
            still = 0
            for c in socks:
                try:
                    c.sock.setblocking(False)
                    d = c.sock.recv(1, socket.MSG_PEEK)
                    still += 1 if d else 0
                except BlockingIOError:
                    still += 1
                except OSError:
                    pass
            # mostly idle: 100 hits on one more connection while the others are held
            lat = []
            c = Client(t.port, 10)
            for i in range(110):
                q0 = time.perf_counter()
                c.get("/1k.bin")
                if i >= 10:
                    lat.append(time.perf_counter() - q0)
            c.close()
        finally:
            for c in socks:
                c.close()
        s1 = cpu_ticks(pids)
        self.quiesce(t, 5)
        notes = [f"{still}/{n} still open after {self.a.idle_hold:.0f}s"]
        if fails:
            notes.append(f"{fails} connections failed")
        self.record({
            "scenario": scn, "target": t.name, "round": rnd, "status": "ok", "requests": n,
            "seconds": round(open_s, 3), "req_s": n / open_s, "p50_ms": pct(lat, 50) * 1e3,
            "p99_ms": pct(lat, 99) * 1e3, "cpu_us_req": (s1 - s0) / HZ * 1e6 / (n + 110),
            "peak_rss_mib": peak_rss / 1024, "peak_anon_mib": peak_anon / 1024,
            "anon_before_mib": anon0 / 1024, "anon_after_mib": anon1 / 1024,
            "kib_per_conn": (anon1 - anon0) / n, "rss_kib_per_conn": (rss1 - rss0) / n,
            "still_open": still, "cache_status": ",".join(sorted(set(sts))), "notes": "; ".join(notes)})
        r = self.results[(scn, t.name)][-1]
        log(f"  idle1000  {t.name:12s} r{rnd}: anon {anon0 / 1024:.1f} -> {anon1 / 1024:.1f} MiB, "
            f"{r['kib_per_conn']:.1f} KiB/conn (RSS {r['rss_kib_per_conn']:.1f}), {'; '.join(notes)}")

    def run_seq(self, t, rnd):
        scn = "seq64k"
        if not self.ensure_alive(t):
            return self.fail(scn, t, rnd, "rangecache is not running")
        reqs = self.reqs_for("range64k")
        used = [reqs[(i * 53 + rnd * 11) % len(reqs)] for i in range(110)]
        wm = 0 if t is self.origin else self.warm(t, sorted(set(used)))
        self.pin_for(t)
        self.quiesce(t, 10)
        self._cur_target = t.name
        c = Client(t.port, 10)
        lat, bad, sts = [], [], set()
        for i in range(110):
            path, rng = used[i]
            q0 = time.perf_counter()
            st, h, body = c.get(path, rng)
            q1 = time.perf_counter()
            if i >= 10:
                lat.append(q1 - q0)
            hn = CACHE_HDR.get(t.name)
            if hn:
                sts.add(h.get(hn, "-"))
            if st != 206 or body != self.expected(path, rng):
                bad.append(f"{rng[0]}-{rng[1]}: status {st}")
        c.close()
        if bad:
            return self.fail(scn, t, rnd, f"{len(bad)} wrong replies, e.g. {bad[0]}")
        self.record({
            "scenario": scn, "target": t.name, "round": rnd, "status": "ok", "requests": 100,
            "seconds": round(sum(lat), 3), "req_s": 100 / sum(lat), "MB_s": 100 * 64 * KiB / sum(lat) / 1e6,
            "p50_ms": pct(lat, 50) * 1e3, "p90_ms": pct(lat, 90) * 1e3, "p99_ms": pct(lat, 99) * 1e3,
            "max_ms": max(lat) * 1e3,
            "cache_status": ",".join(sorted(sts)), "notes": f"warm misses {wm}" if wm else ""})
        r = self.results[(scn, t.name)][-1]
        log(f"  seq64k    {t.name:12s} r{rnd}: p50 {r['p50_ms']:.2f} ms p99 {r['p99_ms']:.2f} ms "
            f"max {r['max_ms']:.2f} ms {r['cache_status']}")

    def block_work(self, scn, rnd):
        """(path without query, [(first, last)]) of a block scenario's round; the same list
        for every target in a round, so both caches get the same requests."""
        a = self.a
        if scn == "blockseq":
            n = a.blockseq_size * MiB // (a.blockseq_req * KiB)
            step = a.blockseq_req * KiB
            return f"{BLOCK_PREFIX}64m.bin", [(i * step, i * step + step - 1) for i in range(n)]
        rng = random.Random(20261130 + 7919 * rnd)
        size = os.path.getsize(f"{WWW}{BLOCK_PREFIX}1g.bin")
        out = []
        for _ in range(a.blockrand_reqs):
            ln = rng.randint(64 * KiB, MiB)
            off = rng.randrange(0, size - ln + 1)
            out.append((off, off + ln - 1))
        return f"{BLOCK_PREFIX}1g.bin", out

    def run_block(self, scn, t, rnd):
        """Scenarios 8 and 9: one connection, a bounded list of range requests on a COLD
        object (a URL new to every target and round), sent back to back (no pause); the
        client times each request.  Origin bytes: the origin's access log ($body_bytes_sent)
        for this URL, from the first request to the end of the settle time (read-ahead and
        other background work included); the same measure for every target.  Server CPU:
        /proc utime+stime over the same span, divided by the client requests."""
        if not self.ensure_alive(t):
            return self.fail(scn, t, rnd, "rangecache is not running")
        a = self.a
        base, work = self.block_work(scn, rnd)
        tag = f"{self.stamp}-{t.name}-{rnd}"
        path = f"{base}?r={tag}"
        fsize = os.path.getsize(self.local_file(base))
        # which answers have their bytes compared with the file (after the loop, so the
        # loop itself has no pause): blockseq every one, blockrand every Nth, first and last
        every = 1 if scn == "blockseq" else max(1, a.block_check_every)
        sample = {i for i in range(0, len(work), every)} | {len(work) - 1}
        self.pin_for(t)
        self.quiesce(t, 10)
        pids = t.pids()
        opids = self.origin.pids()
        off = self.olog_size()
        m0 = t.metrics()
        s0, o0 = cpu_ticks(pids), cpu_ticks(opids)
        lat, errs, bad, kept = [], [], [], {}
        cbytes = 0
        sts = collections.Counter()
        hn = CACHE_HDR.get(t.name)
        c = Client(t.port, 60)
        with MemSampler(t.pids) as ms:
            t_start = time.perf_counter()
            for i, (lo, hi) in enumerate(work):     # bounded: len(work) requests
                q0 = time.perf_counter()
                try:
                    st, h, body = c.get(path, (lo, hi))
                except OSError as e:
                    errs.append(f"{lo}-{hi}: {e!r}")
                    c.close()
                    continue
                lat.append(time.perf_counter() - q0)
                cbytes += len(body)
                if hn:
                    sts[h.get(hn, "-")] += 1
                cr = h.get("content-range", "")
                if st != 206 or cr != f"bytes {lo}-{hi}/{fsize}" or len(body) != hi - lo + 1:
                    bad.append(f"{lo}-{hi}: status {st}, Content-Range '{cr}', {len(body)} bytes")
                elif i in sample:
                    kept[i] = body
            span = time.perf_counter() - t_start
            c.close()
            settle = self.quiesce(t, a.cold_settle, need=2.0)
        s1, o1 = cpu_ticks(pids), cpu_ticks(opids)
        m1 = t.metrics()
        alive = self.ensure_alive(t)
        checked = 0
        for i, body in sorted(kept.items()):
            lo, hi = work[i]
            checked += 1
            if body != self.expected(base, (lo, hi)):
                bad.append(f"{lo}-{hi}: body differs from the file")
        kept.clear()
        lines = [x for x in self.olog_since(off) if x[3] == path]
        obytes = sum(int(x[5]) for x in lines if x[5].isdigit())
        keys = collections.Counter(x[7] for x in lines)
        dups = sum(n - 1 for n in keys.values() if n > 1)
        mob = ""
        if m0 and m1:
            k = [x for x in m1 if x.startswith("rangecache_rule_origin_bytes_total") and "rcbench/blocks" in x]
            if k:
                mob = int(sum(m1[x] - m0.get(x, 0) for x in k))
        notes = []
        if t.name == "rangecache":
            notes.append("block mode" if self.rc_blocks == "blocks" else "WITHOUT block mode")
        if errs:
            notes.append(f"{len(errs)} request errors ({errs[0][:80]})")
        if bad:
            msg = f"{scn} / {t.name} / round {rnd}: {len(bad)} WRONG replies, e.g. {bad[0]}"
            loud(msg)
            self.failures.append(msg)
            notes.append(f"{len(bad)} WRONG replies")
        if errs and not bad:
            self.failures.append(f"{scn} / {t.name} / round {rnd}: {len(errs)} request errors")
        if not alive:
            notes.append("daemon died")
        if dups:
            notes.append(f"{dups} duplicate origin ranges")
        if settle >= a.cold_settle - 0.5:
            notes.append(f"still busy after {a.cold_settle:.0f}s settle")
        n = len(lat)
        srv = (s1 - s0) / HZ
        self.record({
            "scenario": scn, "target": t.name, "round": rnd, "status": "FAIL" if (bad or not n) else "ok",
            "requests": n, "seconds": round(span, 3), "req_s": n / span if span else 0,
            "MB_s": cbytes / span / 1e6 if span else 0,
            "p50_ms": pct(lat, 50) * 1e3, "p90_ms": pct(lat, 90) * 1e3, "p99_ms": pct(lat, 99) * 1e3,
            "max_ms": max(lat) * 1e3 if lat else float("nan"),
            "cpu_us_req": srv * 1e6 / max(1, n), "srv_cpu_s": srv, "origin_cpu_s": (o1 - o0) / HZ,
            "settle_s": round(settle, 1), "peak_rss_mib": ms.peak_rss / 1024,
            "peak_anon_mib": ms.peak_anon / 1024, "origin_reqs": len(lines), "origin_dups": dups,
            "origin_MiB": obytes / MiB, "origin_bytes": obytes, "client_bytes": cbytes,
            "client_MiB": cbytes / MiB, "metrics_origin_bytes": mob,
            "blocks": (self.rc_blocks or "-") if t.name == "rangecache" else "slice 1m",
            "errors": len(errs), "cache_status": ",".join(f"{k}:{v}" for k, v in sorted(sts.items())),
            "conns": 1, "notes": "; ".join(notes + [f"{checked} bodies byte-checked"]),
            "why": bad[0] if bad else ""})
        r = self.results[(scn, t.name)][-1]
        log(f"  {scn:9s} {t.name:12s} r{rnd}: {n} reqs, client {cbytes / MiB:.1f} MiB, origin "
            f"{len(lines)} reqs {obytes / MiB:.1f} MiB, p99 {r['p99_ms']:.2f} ms, "
            f"{r['cpu_us_req']:.1f} us/req, settle {settle:.0f}s; {r['notes']}")

    def run(self):
        scns = self.a.scenarios
        log(f"run dir {self.outd}; targets: {' '.join(t.name for t in self.targets)}; "
            f"scenarios: {' '.join(scns)}; {self.a.rounds} rounds")
        for scn in scns:
            for rnd in range(1, self.a.rounds + 1):
                for t in self.targets:
                    if scn == "cold16" and t is self.origin:
                        continue
                    if scn in BLOCK_SCENARIOS and t.name not in BLOCK_TARGETS:
                        continue
                    if (scn, t.name) in self.scn_skip:
                        if rnd == 1:
                            log(f"  {scn:9s} {t.name:12s} SKIPPED: {self.scn_skip[(scn, t.name)]}")
                        continue
                    try:
                        if scn in ("range64k", "range1m", "full1m", "big256m"):
                            self.run_wrk_scenario(scn, t, rnd)
                        elif scn == "cold16":
                            self.run_cold(t, rnd)
                        elif scn == "idle1000":
                            self.run_idle(t, rnd)
                        elif scn == "seq64k":
                            self.run_seq(t, rnd)
                        elif scn in BLOCK_SCENARIOS:
                            self.run_block(scn, t, rnd)
                    except Exception as e:  # one broken run must not lose the others
                        self.fail(scn, t, rnd, f"harness error: {e!r}")

    # ---- report ------------------------------------------------------------------------
    def med(self, scn, tname, key):
        rs = [r for r in self.results.get((scn, tname), []) if r.get("status") == "ok"
              and isinstance(r.get(key), (int, float))]
        return statistics.median(r[key] for r in rs) if rs else None

    def report(self, elapsed):
        a = self.a
        out = []
        P = out.append
        names = [t.name for t in self.targets]
        peers = [n for n in names if n in PEERS]
        P(f"# rangecache benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        P("")
        cpu = "?"
        try:
            cpu = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name"))
        except (OSError, StopIteration):
            pass
        P(f"Machine: {NCPU} CPU ({cpu}), {os.uname().release}. Command: `bench/run.sh "
          f"{' '.join(sys.argv[1:])}` ({a.rounds} rounds interleaved, wrk {a.duration} s, "
          f"-t{a.threads} -c{a.conns} (256 MiB: -c{a.big_conns}); server pinned to CPU {a.server_cpu}, "
          f"wrk/driver/origin to CPU {a.client_cpu}); took {elapsed / 60:.1f} min; raw rows: "
          f"`{self.outd}/rounds.tsv`.")
        oth = [r["other_cpu_s"] / (r["seconds"] + r.get("settle_s", 0)) for rs in self.results.values()
               for r in rs if r.get("status") == "ok" and "other_cpu_s" in r and r.get("seconds")]
        P(f"rangecache: `{a.rangecache_bin}` built from {self.git}; `cache.zero_copy: {a.rc_zero_copy}`"
          + (" (`rangecache-map`: the same binary with `zero_copy: off`, a cache of its own)"
             if "rangecache-map" in names else "") + ".")
        if oth:
            P(f"Machine noise: processes outside this benchmark used a median {statistics.median(oth):.2f} "
              f"CPUs (max {max(oth):.2f}) of the {NCPU} during the wrk runs; req/s suffers from it more "
              f"than CPU µs/req.")
        if self.skipped:
            P("Skipped: " + "; ".join(f"{k}: {v}" for k, v in self.skipped.items()) + ".")
        P("")
        P("| scenario | target | req/s | MB/s | p50 ms | p99 ms | server CPU µs/req | peak RSS MiB | "
          "peak RssAnon MiB | rangecache ÷ best peer | notes |")
        P("|---|---|---|---|---|---|---|---|---|---|---|")
        f0 = lambda v, d=0: "-" if v is None else f"{v:,.{d}f}"
        for scn in [s for s in SCENARIOS if s in a.scenarios and s not in BLOCK_SCENARIOS]:
            for n in names:
                rows = self.results.get((scn, n), [])
                if not rows:
                    continue
                okrows = [r for r in rows if r.get("status") == "ok"]
                nfail = len(rows) - len(okrows)
                m = lambda k: self.med(scn, n, k)
                notes = []
                if nfail:
                    notes.append(f"**{nfail} round(s) FAILED**: " + "; ".join(
                        r.get("why", r.get("notes", "")) for r in rows if r.get("status") != "ok")[:200])
                if okrows:
                    rq = [r["req_s"] for r in okrows if "req_s" in r]
                    if scn in ("range64k", "range1m", "full1m", "big256m") and rq:
                        notes.append(f"req/s {min(rq):,.0f}..{max(rq):,.0f}")
                        wm = self.warm_misses.get((scn, n))
                        if wm not in (None, "-", 0):
                            notes.append(f"warm misses {wm}")
                        no = m("origin_reqs")
                        if no and n != "origin":
                            notes.append(f"origin reqs during run {no:.0f}")
                        wc = m("wrk_cpu_s")
                        if wc and wc > 0.9 * a.duration:
                            notes.append("client-bound")
                    if scn == "cold16":
                        notes.append(f"origin {m('origin_reqs'):.0f} reqs, {m('origin_MiB'):.0f} MiB, "
                                     f"{m('origin_dups'):.0f} dup, {m('origin_full'):.0f} full-object; "
                                     f"settle {m('settle_s'):.0f} s")
                    if scn == "idle1000":
                        notes.append(f"RssAnon {m('anon_before_mib'):.1f}→{m('anon_after_mib'):.1f} MiB = "
                                     f"**{m('kib_per_conn'):.1f} KiB/conn** (RSS {m('rss_kib_per_conn'):.1f}); "
                                     f"p50/p99 = 1k hits on a 1001st conn")
                    if scn == "seq64k":
                        notes.append(f"max {m('max_ms'):.2f} ms")
                    cs = sorted({x for r in okrows for x in str(r.get("cache_status", "")).split(",") if x})
                    if cs and cs != ["-"]:
                        notes.append("cache: " + "/".join(cs))
                    extra = sorted({r["notes"] for r in okrows if r.get("notes")})
                    if extra and scn not in ("idle1000",):
                        notes += extra
                    elif scn == "idle1000":
                        notes += [x for x in extra if "still open" in x][:1]
                ratio = self.ratio(scn, n, peers) if n == "rangecache" else ""
                if n == "rangecache-map" and (scn, "rangecache") in self.results:
                    ratio = "(against rangecache: send-path table below)"
                if scn == "idle1000":
                    rq_s, mb_s = "-", "-"
                else:
                    rq_s, mb_s = f0(m("req_s")), f0(m("MB_s"))
                P(f"| {SCN_TITLE[scn]} | {n} | {rq_s} | {mb_s} | {f0(m('p50_ms'), 2)} | "
                  f"{f0(m('p99_ms'), 2)} | {f0(m('cpu_us_req'), 1)} | {f0(m('peak_rss_mib'), 1)} | "
                  f"{f0(m('peak_anon_mib'), 1)} | {ratio} | {'; '.join(notes)} |")
        sp = self.send_path_report()
        if sp:
            P("")
            P(sp)
        blk = self.block_report()
        if blk:
            P("")
            P(blk)
        P("")
        P(self.targets_check(peers))
        if self.failures:
            P("")
            P("**Failures:**")
            for f in self.failures:
                P(f"* {f}")
        return "\n".join(out)

    def send_path_report(self):
        """rangecache's two send paths side by side (when rangecache and rangecache-map both
        ran): per scenario, server CPU µs/req of each and their ratio, plus req/s and p99."""
        a, f = "rangecache", "rangecache-map"
        scns = [s for s in SCENARIOS if s not in BLOCK_SCENARIOS and s in self.a.scenarios
                and (s, a) in self.results and (s, f) in self.results]
        if not scns:
            return ""
        zc = self.a.rc_zero_copy
        lab = {"on": "files+sendfile", "auto": "auto (files+sendfile for bodies ≥ 256 KiB)",
               "off": "map+writev (--rc-zero-copy off!)"}[zc]
        f0 = lambda v, d=0: "-" if v is None else f"{v:,.{d}f}"
        L = [f"**rangecache send paths: files+sendfile vs map+writev** (`rangecache` with "
             f"`zero_copy: {zc}` = {lab}; `rangecache-map` with `zero_copy: off` = every body in LMDB, "
             f"hits copied from the map with writev; same binary, same rounds; medians). "
             f"map ÷ files above 1 means the map path costs more CPU per request.", ""]
        if zc == "off":
            L += ["**Note:** `--rc-zero-copy off`: both targets use the map path.", ""]
        L += [f"| scenario | CPU µs/req files ({a}) | CPU µs/req map ({f}) | map ÷ files | "
              f"req/s files / map | p99 ms files / map |",
              "|---|---|---|---|---|---|"]
        for scn in scns:
            ca, cf = self.med(scn, a, "cpu_us_req"), self.med(scn, f, "cpu_us_req")
            q = f"**{cf / ca:.2f}×**" if ca and cf is not None else "-"
            rq = "-" if scn == "idle1000" else \
                f"{f0(self.med(scn, a, 'req_s'))} / {f0(self.med(scn, f, 'req_s'))}"
            L.append(f"| {SCN_TITLE[scn]} | {f0(ca, 1)} | {f0(cf, 1)} | {q} | {rq} | "
                     f"{f0(self.med(scn, a, 'p99_ms'), 2)} / {f0(self.med(scn, f, 'p99_ms'), 2)} |")
        return "\n".join(L)

    def block_report(self):
        """The block scenarios' own table: origin bytes, p99, CPU/req, rangecache ÷ nginx-cache."""
        scns = [s for s in BLOCK_SCENARIOS if s in self.a.scenarios]
        if not scns:
            return ""
        a = self.a
        f0 = lambda v, d=0: "-" if v is None else f"{v:,.{d}f}"
        L = [f"**Block mode, cold objects** (rangecache `blocks: {{size: {a.block_size}, min_object: "
             f"{a.block_min_object}, read_ahead: {a.block_read_ahead}}}` against nginx `slice 1m`; "
             f"one connection, requests back to back, a new URL per target and round; medians of "
             f"{a.rounds} round(s)). "
             + (f"8: {a.blockseq_size} MiB of /64m.bin read in order in {a.blockseq_req} KiB ranges. "
                if "blockseq" in scns else "")
             + (f"9: {a.blockrand_reqs} random ranges of 64 KiB..1 MiB at random offsets of /1g.bin "
                f"(the same list for both targets in a round). " if "blockrand" in scns else "")
             + f"**Origin bytes** = the "
             f"origin's access log `$body_bytes_sent` summed over that URL's requests, until the "
             f"origin and the server are quiet (read-ahead included). CPU µs/req = the server's "
             f"utime+stime over the same span ÷ client requests.", ""]
        if self.blocks_note:
            L += [f"**Note:** {self.blocks_note}.", ""]
        L += ["| scenario | target | requests | client MiB | origin MiB | origin reqs | origin ÷ client | "
              "p50 ms | p99 ms | server CPU µs/req | notes |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
        for scn in scns:
            for n in BLOCK_TARGETS:
                rows = self.results.get((scn, n), [])
                if not rows:
                    if (scn, n) in self.scn_skip:
                        L.append("| " + " | ".join([SCN_TITLE[scn], n, f"skipped: {self.scn_skip[(scn, n)]}"]
                                                   + [""] * 8) + " |")
                    continue
                m = lambda k: self.med(scn, n, k)
                nfail = sum(1 for r in rows if r.get("status") != "ok")
                notes = []
                if nfail:
                    notes.append(f"**{nfail} round(s) FAILED**: " + "; ".join(
                        r.get("why", "") or r.get("notes", "") for r in rows if r.get("status") != "ok")[:200])
                ok = [r for r in rows if r.get("status") == "ok"]
                notes += sorted({r["notes"] for r in ok if r.get("notes")})
                mob = [r["metrics_origin_bytes"] for r in ok if isinstance(r.get("metrics_origin_bytes"), int)]
                if mob:
                    notes.append(f"/metrics origin bytes {statistics.median(mob) / MiB:,.1f} MiB")
                if ok:
                    notes.append(f"settle {m('settle_s'):.0f} s")
                cb, ob = m("client_bytes"), m("origin_bytes")
                amp = f"{ob / cb:.2f}" if cb and ob is not None else "-"
                L.append(f"| {SCN_TITLE[scn]} | {n} | {f0(m('requests'))} | {f0(m('client_MiB'), 1)} | "
                         f"{f0(m('origin_MiB'), 1)} | {f0(m('origin_reqs'))} | {amp} | {f0(m('p50_ms'), 2)} | "
                         f"{f0(m('p99_ms'), 2)} | {f0(m('cpu_us_req'), 1)} | {'; '.join(notes)} |")
            rc = lambda k: self.med(scn, "rangecache", k)
            ng = lambda k: self.med(scn, "nginx-cache", k)
            q = lambda k, d=2: (f"{rc(k) / ng(k):.{d}f}×" if rc(k) is not None and ng(k) else "-")
            if rc("origin_bytes") is not None and ng("origin_bytes") is not None:
                L.append(f"| {SCN_TITLE[scn]} | **rangecache ÷ nginx-cache** | | | **{q('origin_bytes')}** | "
                         f"{q('origin_reqs')} | | {q('p50_ms')} | **{q('p99_ms')}** | **{q('cpu_us_req')}** | |")
        return "\n".join(L)

    def chart(self, png):
        """Grouped bars: server CPU µs per request, per scenario (groups) and target (bars),
        medians as in the table, log y axis (hits cost µs, 256 MiB objects ms).  Needs gnuplot
        (gnuplot-nox); without it: a message, no chart, no failure."""
        if not shutil.which("gnuplot"):
            log(f"no chart {png}: gnuplot is not installed (apt-get install -y gnuplot-nox)")
            return
        names = [t.name for t in self.targets]
        scns = [s for s in SCENARIOS if s in self.a.scenarios]
        rows = []
        for s in scns:
            v = [self.med(s, n, "cpu_us_req") for n in names]
            if any(x for x in v):
                rows.append(f"{s}\t" + "\t".join(f"{x:.3f}" if x else "-" for x in v))
        if not rows:
            log(f"no chart {png}: no CPU figures")
            return
        dat = os.path.join(self.outd, "cpu_per_req.dat")
        with open(dat, "w") as f:
            f.write("# scenario\t" + "\t".join(names) + "\n" + "\n".join(rows) + "\n")
        cols = ", ".join(f"'{dat}' using {i + 2}{':xtic(1)' if i == 0 else ''} title '{n}'"
                         for i, n in enumerate(names))
        script = f"""set terminal pngcairo size 1100,600 font ',10'
set output '{png}'
set title 'Server CPU per request (median of rounds; lower is better) - {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}'
set datafile separator '\t'
set datafile missing '-'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xrange [-0.6:{len(rows) - 0.4}]
set logscale y
set ylabel 'server CPU µs / request (log scale)'
set grid ytics
set key top left
set xtics rotate by -20
plot {cols}
"""
        with open(os.path.join(self.outd, "cpu_per_req.gp"), "w") as f:
            f.write(script)
        try:
            subprocess.run(["gnuplot"], input=script.encode(), check=True, capture_output=True, timeout=60)
            log(f"chart: {png}")
        except (OSError, subprocess.SubprocessError) as e:
            err = getattr(e, "stderr", b"") or b""
            log(f"no chart {png}: gnuplot failed ({e}; {err.decode(errors='replace').strip()[-300:]})")

    def ratio(self, scn, n, peers):
        m = lambda t, k: self.med(scn, t, k)
        if not peers and scn != "big256m":
            return "(no peer)"
        if scn in ("range64k", "range1m", "full1m"):
            rc, rq = m(n, "cpu_us_req"), m(n, "req_s")
            pc = [(m(p, "cpu_us_req"), p) for p in peers if m(p, "cpu_us_req")]
            pr = [(m(p, "req_s"), p) for p in peers if m(p, "req_s")]
            if rc is None or not pc:
                return "-"
            bc, bp = min(pc)
            br, brp = max(pr)
            return f"CPU/req {rc / bc:.2f}× ({bp}); req/s {rq / br:.2f}× ({brp})"
        if scn == "big256m":
            rc = m(n, "MB_s")
            s = []
            if rc and m("origin", "MB_s"):
                s.append(f"MB/s {rc / m('origin', 'MB_s'):.2f}× origin nginx (disk)")
            pr = [(m(p, "MB_s"), p) for p in peers if m(p, "MB_s")]
            if rc and pr:
                b, bp = max(pr)
                s.append(f"{rc / b:.2f}× best peer ({bp})")
            pc = [(m(p, "cpu_us_req"), p) for p in peers if m(p, "cpu_us_req")]
            if m(n, "cpu_us_req") and pc:
                b, bp = min(pc)
                s.append(f"CPU/req {m(n, 'cpu_us_req') / b:.2f}× ({bp})")
            return "; ".join(s) or "-"
        if scn == "cold16":
            rc = m(n, "origin_MiB")
            pb = [(m(p, "origin_MiB"), p) for p in peers if m(p, "origin_MiB") is not None]
            if rc is None or not pb:
                return "-"
            b, bp = min(pb)
            return f"origin MiB {rc / b:.2f}× ({bp})" if b else f"origin MiB {rc:.0f} vs 0 ({bp})"
        if scn == "idle1000":
            rc = m(n, "kib_per_conn")
            pb = [(m(p, "kib_per_conn"), p) for p in peers if m(p, "kib_per_conn") is not None]
            if rc is None or not pb:
                return "-"
            b, bp = min(pb)
            return f"KiB/conn {rc:.1f} vs {b:.1f} ({bp})"
        if scn == "seq64k":
            rc = m(n, "p99_ms")
            pb = [(m(p, "p99_ms"), p) for p in peers if m(p, "p99_ms") is not None]
            if rc is None or not pb:
                return "-"
            b, bp = min(pb)
            return f"p99 {rc / b:.2f}× ({bp})"
        return ""

    def targets_check(self, peers):
        """rangecache's performance targets, from the medians above."""
        m = self.med
        L = ["**Performance targets (rangecache, this run):**", ""]

        def line(ok, text):
            L.append(f"* {'MET' if ok else ('MISSED' if ok is not None else 'n/a')}: {text}")

        rc = lambda s, k: m(s, "rangecache", k)
        if ("range64k", "rangecache") not in self.results:
            return "\n".join(L + ["* rangecache was not measured."])
        for s, lim, peer in (("range64k", 0.5, "ats"), ("range64k", 0.65, "nginx-cache"),
                             ("range1m", 0.8, "ats"), ("full1m", 0.8, "ats")):
            a, b = rc(s, "cpu_us_req"), m(s, peer, "cpu_us_req")
            if a is None or b is None:
                line(None, f"{s}: CPU/req ≤ {lim}× {peer} (not measured)")
            else:
                line(a <= lim * b, f"{s}: CPU/req {a:.1f} µs ≤ {lim}× {peer} ({b:.1f} µs → limit "
                                   f"{lim * b:.1f}): ratio {a / b:.2f}")
        a = rc("range64k", "req_s")
        pr = [(m("range64k", p, "req_s"), p) for p in peers if m("range64k", p, "req_s")]
        if a and pr:
            b, bp = max(pr)
            line(a >= b, f"range64k: req/s {a:,.0f} no lower than any peer (best {bp} {b:,.0f})")
        a = rc("range64k", "p99_ms")
        pp = [(m("range64k", p, "p99_ms"), p) for p in peers if m("range64k", p, "p99_ms")]
        if a and pp:
            b, bp = min(pp)
            line(a <= b, f"range64k: p99 {a:.2f} ms no worse than any peer (best {bp} {b:.2f} ms)")
        a, b = rc("big256m", "MB_s"), m("big256m", "origin", "MB_s")
        line(None if a is None or b is None else a >= 0.8 * b,
             f"256 MiB whole: {f'{a:,.0f}' if a else '-'} MB/s ≥ 80% of origin nginx from disk "
             f"({f'{b:,.0f}' if b else '-'} MB/s)" + (f": {a / b:.0%}" if a and b else ""))
        a = rc("seq64k", "p99_ms")
        line(None if a is None else a < 5, f"1 connection, 100 sequential 64 KiB hits: p99 "
                                           f"{'-' if a is None else f'{a:.2f}'} ms < 5 ms")
        n = self.a.idle_conns
        lim = 64 + 16 * n / 1024
        a = rc("idle1000", "anon_after_mib")
        kb = rc("idle1000", "kib_per_conn")
        line(None if a is None else (a < lim and kb <= 16),
             f"RssAnon with {n} idle connections {'-' if a is None else f'{a:.1f}'} MiB < 64 MiB + 16 KiB×{n} "
             f"= {lim:.1f} MiB; {'-' if kb is None else f'{kb:.1f}'} KiB per connection")
        pk = [(rc(s, "peak_anon_mib"), s) for s in self.a.scenarios if rc(s, "peak_anon_mib") is not None]
        if pk:
            b, bs = max(pk)
            line(b < lim, f"peak RssAnon over all scenarios {b:.1f} MiB ({bs}) < {lim:.1f} MiB")
            a1, a4 = rc("range64k", "peak_anon_mib"), rc("big256m", "peak_anon_mib")
            if a1 is not None and a4 is not None:
                line(a4 <= a1 + 8, f"flat in object size: peak RssAnon 64 KiB ranges {a1:.1f} MiB, "
                                   f"256 MiB object {a4:.1f} MiB")
        a, b = rc("cold16", "origin_MiB"), m("cold16", "ats", "origin_MiB")
        line(None if a is None or b is None else a <= b,
             f"cold: origin bytes {'-' if a is None else f'{a:.0f}'} MiB ≤ ATS "
             f"{'-' if b is None else f'{b:.0f}'} MiB")
        bgs = [r.get("bg_fetch", "") for r in self.results.get(("cold16", "rangecache"), []) if r.get("bg_fetch")]
        if bgs:
            nf = sum(int(re.search(r"failed (\d+)", x).group(1)) for x in bgs)
            line(nf == 0, f"cold: every background fetch completed ({nf} failed over {len(bgs)} rounds; "
                          f"a failed fetch leaves the object incomplete, which also lowers origin bytes)")
        d = rc("cold16", "origin_dups")
        line(None if d is None else d == 0, f"cold: no duplicate origin requests "
                                            f"({'-' if d is None else f'{d:.0f}'} duplicates)")
        return "\n".join(L)


def git_desc():
    """The commit the daemon was built from, and whether src/ or include/ had local edits."""
    try:
        h = subprocess.run(["git", "-C", REPO, "log", "-1", "--format=%h %ci %s"], capture_output=True,
                           text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "src", "include",
                                "CMakeLists.txt"], capture_output=True, text=True, timeout=10).stdout.strip()
        return f"commit `{h[:90]}`" + (" plus uncommitted edits in src/include" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "an unknown commit"


# --------------------------------------------------------------------------- profile mode
def profile(b):
    """Profile rangecache's hit path under the range64k load; returns markdown.
    1. perf stat: software counters and raw_syscalls:sys_enter per request;
    2. perf record -e cpu-clock (hardware counters may be unavailable in a VM): shares per
       DSO, the hottest symbols (self), inclusive symbols;
    3. with --callgrind: valgrind --tool=callgrind on a second daemon, instrumentation on
       only for N sequential 64 KiB hits after the warm-up: user-space Ir per function."""
    t = next((x for x in b.targets if x.name == "rangecache"), None)
    if t is None:
        sys.exit("profile: rangecache not running")
    reqs = b.reqs_for("range64k")
    lst = b.write_list("range64k", reqs)
    wm = b.warm(t, reqs)
    ok, why, sts = b.verify(t, reqs, 0)
    if not ok:
        sys.exit(f"profile: byte check failed: {why}")
    b.pin_for(t)
    b.quiesce(t, 10)
    pid = t.main_pid()
    d = b.a.duration
    wrk = ["taskset", "-c", str(b.a.client_cpu), "wrk", f"-t{b.a.threads}", f"-c{b.a.conns}",
           f"-d{d}s", "--timeout", "30s", "--latency", "-s", os.path.join(HERE, "ranges.lua"),
           f"http://127.0.0.1:{t.port}", "--", "random", lst, str(b.a.threads)]
    md = []
    P = md.append

    def load():
        p = subprocess.run(wrk, capture_output=True, text=True)
        w = [ln for ln in p.stdout.splitlines() if ln.startswith("WRKTSV")][-1].split("\t")
        return int(w[1]), int(w[2]) / 1e6

    P(f"# rangecache hit-path profile, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    P("")
    P(f"Load: scenario 1 (range64k: 256 cached 64 KiB ranges of /64m.bin), `{' '.join(wrk)}`; "
      f"rangecache pinned to CPU {b.a.server_cpu}, workers: 1, `cache.zero_copy: {b.a.rc_zero_copy}` "
      f"(--rc-zero-copy), access log and admin listener on; "
      f"warm-up misses in the last pass: {wm}; cache status of the byte-checked sample: "
      f"{','.join(sorted(set(sts)))}. Binary: `{b.a.rangecache_bin}`. Command: `bench/run.sh "
      f"{' '.join(sys.argv[1:])}`.")
    P("")
    # 1) perf stat
    ev = "task-clock,context-switches,cpu-migrations,page-faults,raw_syscalls:sys_enter"
    have = subprocess.run(["perf", "list", "syscalls:sys_enter_*"], capture_output=True, text=True).stdout
    for sc in ("sendmsg", "recvmsg", "recvfrom", "sendto", "writev", "write", "read", "epoll_wait",
               "epoll_pwait", "epoll_ctl", "futex", "timerfd_settime", "pwrite64", "sendfile64"):
        if f"syscalls:sys_enter_{sc} " in have:
            ev += f",syscalls:sys_enter_{sc}"
    ticks0 = cpu_ticks([pid])
    st = subprocess.Popen(["perf", "stat", "-x", ",", "-e", ev, "-p", str(pid), "--", "sleep", str(d + 1)],
                          stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    nreq, dur = load()
    err = st.communicate()[1]
    cpu_s = (cpu_ticks([pid]) - ticks0) / HZ
    stat = {}
    for ln in err.splitlines():
        f = ln.split(",")
        if len(f) > 3:
            try:
                stat[f[2]] = float(f[0])
            except ValueError:
                pass
    P(f"## perf stat over one {d} s run ({nreq} requests, {nreq / dur:,.0f} req/s)")
    P("")
    P("| event | total | per request |")
    P("|---|---|---|")
    P(f"| server CPU (/proc utime+stime) | {cpu_s:.2f} s | {cpu_s * 1e6 / nreq:.1f} µs |")
    for k, v in stat.items():
        if k.startswith("syscalls:") and v == 0:
            continue
        unit = " ms" if k == "task-clock" else ""
        P(f"| {k} | {v:,.0f}{unit} | {v / nreq:.3f}{unit} |")
    P("")
    b.quiesce(t, 10)
    # 2) perf record
    data = f"{b.outd}/perf.data"
    rec = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "4999", "-g", "-o", data,
                            "-p", str(pid), "--", "sleep", str(d + 1)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    nreq2, dur2 = load()
    rec.communicate()

    def report(*args):
        r = subprocess.run(["perf", "report", "-i", data, "--stdio", "-g", "none"] + list(args),
                           capture_output=True, text=True)
        rows = []
        for ln in r.stdout.splitlines():
            m = re.match(r"\s*([\d.]+)%\s+(?:([\d.]+)%\s+)?(.*)$", ln)
            if m and not ln.lstrip().startswith("#"):
                rows.append((float(m.group(1)), m.group(2), re.sub(r"\s{2,}", "  ", m.group(3).strip())))
        return rows

    dso = report("--no-children", "--sort", "dso")
    sym = report("--no-children", "--sort", "dso,sym", "--percent-limit", "0.2")
    P(f"## perf record -e cpu-clock -F 4999 over one {d} s run ({nreq2} requests, {nreq2 / dur2:,.0f} req/s)")
    P("")
    P("Shares of the daemon's samples per DSO: " + ", ".join(f"{n} {v:.1f}%" for v, _, n in dso[:6]) + ".")
    P("")
    P("The 15 hottest functions (self time):")
    P("")
    P("| # | % | DSO | function |")
    P("|---|---|---|---|")
    for i, (v, _, n) in enumerate(sym[:15], 1):
        dsoname, _, fn = n.partition("  ")
        fn = fn.replace("[k] ", "").replace("[.] ", "")
        P(f"| {i} | {v:.2f} | {dsoname} | `{fn[:140]}` |")
    P("")
    user = [(v, n) for v, _, n in sym if "[.]" in n]
    P("The hottest user-space functions (self, % of all samples): " +
      "; ".join(f"`{n.split('[.] ', 1)[-1][:90]}` {v:.2f}" for v, n in user[:12]) + ".")
    P("")
    inc = report("--children", "--sort", "sym", "--percent-limit", "4")
    if inc and inc[0][1] is not None:
        P("Inclusive (children) shares ≥ 4 % (call chains from frame pointers; user-space chains are "
          "partial without -fno-omit-frame-pointer):")
        P("")
        P("| children % | self % | symbol |")
        P("|---|---|---|")
        for v, selfp, n in inc[:25]:
            P(f"| {v:.1f} | {selfp} | `{n.replace('[k] ', '').replace('[.] ', '')[:120]}` |")
        P("")
    P(f"perf data: `{data}` (`perf report -i {data}`).")
    if b.a.callgrind:
        P("")
        P(callgrind(b))
    return "\n".join(md)


def callgrind_calls(path):
    """Calls per callee function name, summed over all call sites, from a callgrind file."""
    names, calls, cur = {}, collections.Counter(), None
    with open(path, errors="replace") as f:
        for ln in f:
            m = re.match(r"(c?fn)=\((\d+)\)(?: (.*))?", ln)
            if m:
                kind, i, name = m.groups()
                if name:
                    names[i] = name.strip()
                if kind == "cfn":
                    cur = i
                continue
            m = re.match(r"calls=(\d+)", ln)
            if m and cur:
                calls[cur] += int(m.group(1))
    out = collections.Counter()
    for i, n in calls.items():
        out[names.get(i, "?")] += n
    return out


def callgrind(b):
    """A second rangecache under callgrind: warm, then instrumentation on for N hits."""
    n = b.a.callgrind
    reqs = b.reqs_for("range64k")
    # a separate daemon on its own (fresh) cache, so the perf'd one is untouched
    save_outd = b.outd
    b.outd = f"{save_outd}/callgrind"
    os.makedirs(b.outd, exist_ok=True)
    out = f"{b.outd}/callgrind.out"
    t = b.start_rangecache(fresh=True, wrapper=["valgrind", "--tool=callgrind", "--instr-atstart=no",
                                                 f"--callgrind-out-file={out}"], wait_s=180)
    b.outd = save_outd
    if t is None:
        return "## callgrind\n\nrangecache did not start under valgrind."
    try:
        c = Client(t.port, 120)
        for _ in range(2):
            for path, rng in reqs:
                c.get(path, rng)
        b.quiesce(t, 60, need=2.0)
        r = subprocess.run(["callgrind_control", "-i", "on", str(t.proc.pid)], capture_output=True,
                           text=True, timeout=60)
        log(f"callgrind_control -i on: {r.stdout.strip()} {r.stderr.strip()}")
        for path, rng in reqs[:20]:   # re-translate the hit path with instrumentation
            c.get(path, rng)
        subprocess.run(["callgrind_control", "-z", str(t.proc.pid)], capture_output=True, timeout=60)
        t0 = time.time()
        labels = collections.Counter()
        for i in range(n):
            path, rng = reqs[(i * 53) % len(reqs)]
            st, h, body = c.get(path, rng)
            if st != 206:
                raise RuntimeError(f"status {st}")
            labels[h.get("x-cache", "-")] += 1
        el = time.time() - t0
        r = subprocess.run(["callgrind_control", "-d", str(t.proc.pid)], capture_output=True, text=True,
                           timeout=120)
        log(f"callgrind_control -d: {r.stdout.strip()} {r.stderr.strip()}")
        c.close()
    finally:
        t.proc.send_signal(signal.SIGTERM)
        try:
            t.proc.wait(60)
        except subprocess.TimeoutExpired:
            t.proc.kill()
            t.proc.wait()
    path = out + ".1" if os.path.exists(out + ".1") else out   # .1 = the dump after the hits
    ann = subprocess.run(["callgrind_annotate", "--inclusive=no", path], capture_output=True, text=True).stdout
    anni = subprocess.run(["callgrind_annotate", "--inclusive=yes", path], capture_output=True, text=True).stdout

    def rows(txt):
        total, out = None, []
        for ln in txt.splitlines():
            m = re.match(r"\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.*)$", ln)
            if m:
                out.append((int(m.group(1).replace(",", "")), float(m.group(2)), m.group(3)))
            m2 = re.match(r"\s*([\d,]+)\s+\(100.0%\)\s+PROGRAM TOTALS", ln) or \
                re.match(r"\s*([\d,]+)\s+PROGRAM TOTALS", ln)
            if m2:
                total = int(m2.group(1).replace(",", ""))
        return total, [r for r in out if "PROGRAM TOTALS" not in r[2]]

    total, self_rows = rows(ann)
    _, inc_rows = rows(anni)
    md = [f"## callgrind: user-space instructions for {n} sequential 64 KiB hits (one connection, "
          f"`cache.zero_copy: {b.a.rc_zero_copy}`)", ""]
    if total:
        md.append(f"Total {total:,} Ir = **{total / n:,.0f} instructions per hit** in user space "
                  f"(kernel not counted); {el:.1f} s under valgrind; X-Cache of the measured requests: "
                  f"{dict(labels)}. Output: `{path}`.")
    md += ["", "Top 15 functions by self Ir:", "", "| # | Ir/hit | % | function |", "|---|---|---|---|"]
    for i, (ir, p, fn) in enumerate(self_rows[:15], 1):
        md.append(f"| {i} | {ir / n:,.0f} | {p:.1f} | `{fn[:150]}` |")
    md += ["", "Top 15 by inclusive Ir:", "", "| # | Ir/hit | % | function |", "|---|---|---|---|"]
    for i, (ir, p, fn) in enumerate(inc_rows[:15], 1):
        md.append(f"| {i} | {ir / n:,.0f} | {p:.1f} | `{fn[:150]}` |")
    calls = callgrind_calls(path)
    sel = [(c, fn) for fn, c in calls.most_common()
           if re.match(r"(malloc|free|memalign|posix_memalign|aligned_alloc|operator new|operator delete|"
                       r"clock_gettime|sendmsg|recvmsg|writev|write|sendfile|sendfile64|epoll_wait|epoll_ctl|futex|"
                       r"pthread_mutex_lock|mdb_txn_renew|mdb_txn_reset|mdb_get|mdb_cursor_get)\b", fn)]
    if sel:
        md += ["", "Calls per hit (from callgrind's call counts): " +
               "; ".join(f"`{fn[:40]}` {c / n:.2f}" for c, fn in sel[:16]) + "."]
    mal = [(ir, fn) for ir, p, fn in inc_rows if re.search(r"\b(malloc|operator new|free|operator delete)\b", fn)]
    if mal:
        md += ["", "Allocator (inclusive Ir per hit): " + "; ".join(f"`{fn[:60]}` {ir / n:,.0f}" for ir, fn in mal[:6])]
    return "\n".join(md)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("targets", nargs="*", help="rangecache ats nginx-cache varnish origin (default: all installed); "
                    "also rangecache-map (only when named): rangecache with cache.zero_copy: off")
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", 3)))
    ap.add_argument("--duration", type=int, default=int(os.environ.get("DURATION", 5)), help="seconds per wrk run")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--conns", type=int, default=64)
    ap.add_argument("--big-conns", type=int, default=4, help="connections for the 256 MiB object")
    ap.add_argument("--cold-conns", type=int, default=32)
    ap.add_argument("--cold-settle", type=float, default=30.0, help="max seconds to wait for background work")
    ap.add_argument("--idle-conns", type=int, default=1000)
    ap.add_argument("--idle-hold", type=float, default=2.0)
    ap.add_argument("--scenarios", default=",".join(RUN_ORDER), help="comma list, run in this order")
    ap.add_argument("--server-cpu", type=int, default=0)
    ap.add_argument("--client-cpu", type=int, default=1 if NCPU > 1 else 0)
    ap.add_argument("--anchors", default=os.environ.get("ANCHORS", os.path.join(REPO, "..", "shared", "anchors")))
    ap.add_argument("--rangecache-bin", default=os.environ.get("RANGECACHE_BIN",
                                                               os.path.join(REPO, "build-bench", "rangecache")))
    ap.add_argument("--rc-max-size", default="8GiB", help="rangecache cache.max_size (objects up to 1/4)")
    ap.add_argument("--rc-zero-copy", choices=["auto", "on", "off"], default="on",
                    help="cache.zero_copy of the `rangecache` target (and of --profile/--callgrind): on = "
                         "every body in a file, hits with sendfile; auto = bodies >= 256 KiB; off = all in "
                         "LMDB, hits with writev from the map. The target rangecache-map is always off")
    ap.add_argument("--run-dir", default=os.environ.get("RC_BENCH_RUN", "/tmp/rc-bench"))
    ap.add_argument("--keep-origin", action="store_true", help="leave the origin running if we started it")
    ap.add_argument("--profile", action="store_true", help="perf profile of rangecache under range64k")
    ap.add_argument("--callgrind", type=int, default=0, metavar="N",
                    help="with --profile: also N hits under valgrind --tool=callgrind")
    ap.add_argument("--out", help="also write the report to this file (and, for FILE.md, a chart "
                                  "FILE.png of server CPU per request with gnuplot, if installed)")
    ap.add_argument("--rc-blocks", choices=["auto", "on", "off"], default="auto",
                    help="block scenarios: rangecache gets a /rcbench/blocks/ rule with `blocks:`; a "
                         "binary that refuses the key runs them without it (auto) or is skipped in "
                         "them (on); off: never write `blocks:`")
    ap.add_argument("--block-size", default="1MiB", help="rangecache blocks.size")
    ap.add_argument("--block-min-object", default="0", help="rangecache blocks.min_object")
    ap.add_argument("--block-read-ahead", type=int, default=4, help="rangecache blocks.read_ahead")
    ap.add_argument("--blockseq-size", type=int, default=64, help="MiB read in order in blockseq (≤ 64)")
    ap.add_argument("--blockseq-req", type=int, default=256, help="KiB per request in blockseq")
    ap.add_argument("--blockrand-reqs", type=int, default=200, help="requests per round in blockrand")
    ap.add_argument("--block-check-every", type=int, default=4,
                    help="blockrand: compare the bytes of every Nth answer (plus the last)")
    a = ap.parse_args()
    a.anchors = os.path.abspath(a.anchors)
    a.scenarios = [s for s in a.scenarios.split(",") if s]
    if not (1 <= a.blockseq_size <= 64 and 1 <= a.blockseq_req <= 64 * 1024 and a.blockrand_reqs >= 1):
        sys.exit("--blockseq-size must be 1..64 (MiB), --blockseq-req 1..65536 (KiB), --blockrand-reqs >= 1")
    bad = [s for s in a.scenarios if s not in SCENARIOS]
    if bad:
        sys.exit(f"unknown scenario(s): {bad}; known: {SCENARIOS}")
    bad = [t for t in a.targets if t not in KNOWN_TARGETS]
    if bad:
        sys.exit(f"unknown target(s): {bad}; known: {KNOWN_TARGETS}")
    a.targets = list(dict.fromkeys(a.targets))     # a target named twice runs once
    if a.profile:
        a.targets = ["rangecache"]
    if not os.path.isdir(a.anchors):
        sys.exit(f"anchors not found at {a.anchors} (set ANCHORS=)")
    b = Bench(a)

    def on_term(sig, frm):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    t0 = time.time()
    try:
        b.setup()
        if a.profile:
            md = profile(b)
            print(md)
            if a.out:
                with open(a.out, "w") as f:
                    f.write(md + "\n")
            return 0
        b.run()
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        b.teardown()
    rep = b.report(time.time() - t0)
    print(rep)
    if a.out:
        with open(a.out, "w") as f:
            f.write(rep + "\n")
        if a.out.endswith(".md"):
            b.chart(a.out[:-3] + ".png")
    return 1 if b.failures else 0


if __name__ == "__main__":
    sys.exit(main())
