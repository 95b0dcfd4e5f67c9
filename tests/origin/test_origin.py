#!/usr/bin/env python3
"""Demo and test origin for rangecache (Python standard library only).

Serves generated, deterministic content so that tests can check any byte of a response
without storing files, and lets each request script a fault through its query string.

Generated resources
-------------------
  /<N>[k|m|g].<ext>      N bytes, N KiB, N MiB or N GiB, e.g. /1k.bin /64m.bin /1g.bin /100.txt
  /gen/<bytes>/<name>    exactly <bytes> bytes, e.g. /gen/65521/a.bin

Content algorithm (tests/support/content.cpp implements the same; keep them in step):
  key   = the request path exactly as received, without the query ("/1m.bin"), as bytes;
          with ?etag=V (V non-empty, URL-decoded, UTF-8) the key is path + "#" + V
  seed  = SHA-256(key)                                  (32 bytes)
  piece = SHAKE128(seed || u64_le(p)), first 65536 bytes, is bytes [p*65536, (p+1)*65536)
  ETag  = '"' + hex(seed[0:8]) + '-' + lowercase hex(size) + '"'
SHAKE128 is an extendable-output hash: one OpenSSL call yields a whole 64 KiB piece, so
Python streams it at several hundred MB/s, it never repeats with a short period (range
bugs cannot hide), and any offset of a multi-GiB file is computed without the ones before.

Query-string controls (combine freely)
--------------------------------------
  cc=VALUE          Cache-Control value (URL-encoded); default max-age=3600 for content
  etag=V            another version: different ETag and different content
  host_etag=1       the Host header's value is the version (as etag=V): one content per Host
  vary_on=NAME      one content per value of request field NAME, sent with "Vary: NAME":
                    the version is "NAME=" + the value lower-cased without whitespace (its
                    lines joined with ","), or "NAME" alone when the field is absent;
                    with vary_until=N only up to the N-th request for this exact target
                    (counted as switch_at counts), then one content, no Vary
  switch_at=N       from the N-th request for this exact target on (as /__stats counts
  switch_to=V       them, from 1), serve version V as etag=V would: the origin's content
                    changed between two requests
  ims_only=1        judge a conditional GET by If-Modified-Since alone, ignoring
                    If-None-Match (an origin that only knows dates: its 304 then carries
                    the ETag of whatever version it has now)
  weak=1            send the ETag as weak (W/"...")
  no_304=1          never answer 304: conditionals are ignored (a full answer every time)
  no_etag=1 no_lm=1 omit ETag / Last-Modified
  hdr=Name:Value    add a response header (repeatable)
  ignore_range=1    answer 200 with the full body whatever the Range
  lie=1             206 whose Content-Range does not match the range sent (shifted by one)
  no_cr=1           206 without Content-Range
  short=N           announce the full length, send N body bytes, then reset the connection
                    (RST through SO_LINGER 0; with fin=1 an orderly FIN instead)
  stall=S           read the request, send nothing for S seconds, then close; with
                    stall_after=N the stall comes after the headers and N body bytes
  slow=BPS          throttle the body to BPS bytes per second (a piece every 50 ms)
  delay=S           wait S seconds before the response headers, then answer normally
  status=N          answer with status N and a short text body (200 means: ignore Range)
  status_from=N     with status=, only from the N-th request for this exact target on (as
  status_until=N    /__stats counts them, from 1), and only up to the N-th: the others are
                    served as without status= (the URL's answer changes between requests)
  fail_at=N         from the N-th request for this exact target on (counted as switch_at
  fail_status=S     counts), answer status S (default 503) as status=S would: an origin
                    that worked and then fails
  delay_at=N        with delay=S, wait only from the N-th request for this target on
  no_date=1         send no Date header
  chunked=1         Transfer-Encoding: chunked, no Content-Length
  trailer=Name:Value  with chunked=1, send this field in the chunked trailer section after
                    the last chunk, announced in a Trailer header (repeatable)
  nolen=1           no Content-Length, the body ends when the connection closes
  close=1           Connection: close after this response
  expect=417        refuse "Expect: 100-continue" with 417 instead of sending 100 Continue
  no_continue=1     ignore "Expect: 100-continue" (the client must send the body anyway)
  extra=1           after the response, send stray bytes on the keep-alive connection: a
                    complete cacheable 200 whose body is "stray answer" (X-Stray: 1)
  extra_delay=S     send those bytes S seconds after the response instead of at once
  close_after=S     S seconds after the response, close the keep-alive connection (FIN)

Other endpoints
---------------
  POST/PUT/PATCH/DELETE/OPTIONS on any path, and any method on /__echo_headers: read the
    body (Content-Length or chunked) and answer JSON {"method", "target", "path", "query",
    "version", "length", "sha256", "chunked", "headers" {lower-case name: value, repeats
    joined with ", "}, "raw_headers" [[name, value], ...], "trailers" [[name, value], ...]}
  GET /__stats      JSON {"total", "connections", "paths": {target: {"count", "methods",
                    "ranges"}}, "events": {name: count}}; "ranges" lists the Range values of
                    the requests that had one (the first 100000);
                    "connections" counts connections that carried a counted request;
                    "events" counts "extra_sent" and "closed_after" (see extra=, close_after=)
  Any method on /__echo_headers also names the request's fields, lower-case and in order,
    in the response header X-Echo-Names (so that a HEAD shows them too)
  POST /__reset     clears the statistics
  POST /__clock?advance=S  moves the time in Date headers S seconds forward (S >= 0, whole
                    seconds), for tests whose proxy runs on a clock they move: the origin's
                    Date then agrees with it instead of looking S seconds old
  No control endpoint is counted.

Log: one line per request: METHOD TARGET RANGE|- STATUS BODY_BYTES_SENT (whitespace removed
from RANGE so the line always has five fields; a request dropped by stall= logs status 0).
Statistics key requests by origin-form target: an absolute-form target loses its authority.
"""

import argparse
import collections
import hashlib
import ipaddress
import json
import os
import re
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import parse_qsl

PIECE = 65536
LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"
LAST_MODIFIED_EPOCH = 1704067200
DEFAULT_CACHE_CONTROL = "max-age=3600"
MAX_LINE = 65536
MAX_HEADERS = 256
MAX_SLEEP = 3600.0
MAX_RANGES_KEPT = 100000
UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
SHORT_NAME_RE = re.compile(r"/(\d+)([kmg]?)\.[A-Za-z0-9]+", re.IGNORECASE)
GEN_RE = re.compile(r"/gen/(\d+)/[^/]+")
RANGE_SPEC_RE = re.compile(r"(\d+)-(\d*)|-(\d+)")
CONTENT_TYPES = {".txt": "text/plain", ".mp4": "video/mp4", ".json": "application/json"}
REASONS = {
    100: "Continue", 200: "OK", 201: "Created", 204: "No Content", 206: "Partial Content",
    301: "Moved Permanently", 302: "Found", 304: "Not Modified", 307: "Temporary Redirect",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 408: "Request Timeout", 410: "Gone",
    412: "Precondition Failed", 416: "Range Not Satisfiable", 417: "Expectation Failed",
    429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
}


class BadRequest(Exception):
    pass


class Abort(Exception):
    """The response was cut on purpose; the connection is already gone."""


# ---------------------------------------------------------------------------------------
# Content


def generated_size(path):
    m = SHORT_NAME_RE.fullmatch(path)
    if m:
        return int(m.group(1)) * UNITS[m.group(2).lower()]
    m = GEN_RE.fullmatch(path)
    if m:
        return int(m.group(1))
    return None


def content_seed(path, version):
    key = path.encode("latin-1")
    if version:
        key += b"#" + version.encode("utf-8")
    return hashlib.sha256(key).digest()


class PieceCache:
    """Keeps recently generated pieces so that many small ranges stay cheap."""

    def __init__(self, capacity=64):
        self.capacity_ = capacity
        self.pieces_ = collections.OrderedDict()
        self.lock_ = threading.Lock()

    def get(self, seed, index, keep):
        key = (seed, index)
        with self.lock_:
            data = self.pieces_.get(key)
            if data is not None:
                self.pieces_.move_to_end(key)
                return data
        data = hashlib.shake_128(seed + index.to_bytes(8, "little")).digest(PIECE)
        if keep:
            with self.lock_:
                self.pieces_[key] = data
                while len(self.pieces_) > self.capacity_:
                    self.pieces_.popitem(last=False)
        return data


PIECES = PieceCache()


def iter_generated(seed, start, end):
    """Yields the bytes [start, end) in slices of at most one piece."""
    # Caching a bulk transfer would only evict the pieces that small ranges reuse.
    keep = end - start <= 4 * PIECE
    index = start // PIECE
    while start < end:
        data = PIECES.get(seed, index, keep)
        base = index * PIECE
        lo, hi = start - base, min(PIECE, end - base)
        yield memoryview(data)[lo:hi]
        start = base + hi
        index += 1


class Body:
    """A response body as literal byte strings and generated spans, never materialised."""

    def __init__(self):
        self.parts_ = []
        self.length = 0

    def add_bytes(self, data):
        if data:
            self.parts_.append(data)
            self.length += len(data)

    def add_generated(self, seed, start, end):
        if end > start:
            self.parts_.append((seed, start, end))
            self.length += end - start

    def slices(self):
        for part in self.parts_:
            if isinstance(part, tuple):
                yield from iter_generated(*part)
            else:
                for off in range(0, len(part), PIECE):
                    yield memoryview(part)[off:off + PIECE]


# ---------------------------------------------------------------------------------------
# HTTP helpers


def parse_range(value, size):
    """None when the header must be ignored, else the satisfiable ranges (may be [])."""
    unit, sep, rest = value.partition("=")
    if not sep or unit.lower() != "bytes":
        return None
    specs = [s.strip(" \t") for s in rest.split(",")]
    specs = [s for s in specs if s]
    if not specs:
        return None
    out = []
    for spec in specs:
        m = RANGE_SPEC_RE.fullmatch(spec)
        if not m:
            return None
        if m.group(1) is not None:
            first = int(m.group(1))
            last = int(m.group(2)) if m.group(2) else None
            if last is not None and last < first:
                return None
            if first >= size:
                continue
            out.append((first, size - 1 if last is None else min(last, size - 1)))
        else:
            suffix = int(m.group(3))
            if suffix == 0 or size == 0:
                continue
            out.append((max(0, size - suffix), size - 1))
    return out


def parse_http_date(value):
    try:
        return int(parsedate_to_datetime(value).timestamp())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def etag_list_matches(header, etag):
    """Weak comparison, as If-None-Match requires."""
    if etag is None:
        return False
    if header.strip() == "*":
        return True
    opaque = etag[2:] if etag.startswith("W/") else etag
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == opaque:
            return True
    return False


class Request:
    def __init__(self, method, target, version, headers):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers  # [(name, value)] in arrival order
        self.trailers = []
        self.body_length = 0
        self.body_sha256 = hashlib.sha256(b"").hexdigest()
        self.body_chunked = False
        path = target
        if "://" in path.split("?", 1)[0]:  # absolute-form: keep only path and query
            rest = path.split("://", 1)[1]
            path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        self.origin_target = path
        self.path, _, self.query = path.partition("?")
        self.params = {}
        self.extra_headers = []
        self.extra_trailers = []
        for name, value in parse_qsl(self.query, keep_blank_values=True):
            if name == "hdr":
                self.extra_headers.append(value)
            elif name == "trailer":
                self.extra_trailers.append(value)
            else:
                self.params[name] = value

    def header(self, name):
        name = name.lower()
        values = [v for n, v in self.headers if n.lower() == name]
        return ", ".join(values) if values else None

    def param_float(self, name):
        try:
            return min(float(self.params[name]), MAX_SLEEP)
        except (KeyError, ValueError):
            return None

    def param_int(self, name):
        try:
            return int(self.params[name])
        except (KeyError, ValueError):
            return None

    def flag(self, name):
        return self.params.get(name, "0") not in ("", "0", "false")

    def wants_close(self):
        tokens = [t.strip().lower() for t in (self.header("Connection") or "").split(",")]
        if self.version == "HTTP/1.0":
            return "keep-alive" not in tokens
        return "close" in tokens


# ---------------------------------------------------------------------------------------
# Shared state


class Stats:
    def __init__(self):
        self.lock_ = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock_:
            self.total_ = 0
            self.connections_ = 0
            self.paths_ = {}
            self.events_ = {}

    def event(self, name):
        with self.lock_:
            self.events_[name] = self.events_.get(name, 0) + 1

    def connection(self):
        with self.lock_:
            self.connections_ += 1

    def record(self, request):
        with self.lock_:
            self.total_ += 1
            entry = self.paths_.setdefault(
                request.origin_target, {"count": 0, "methods": {}, "ranges": []})
            entry["count"] += 1
            entry["methods"][request.method] = entry["methods"].get(request.method, 0) + 1
            value = request.header("Range")
            # Bounded so that a long benchmark cannot grow the origin without limit.
            if value is not None and len(entry["ranges"]) < MAX_RANGES_KEPT:
                entry["ranges"].append(value)

    def count(self, target):
        with self.lock_:
            entry = self.paths_.get(target)
            return entry["count"] if entry else 0

    def to_json(self):
        with self.lock_:
            doc = {"total": self.total_, "connections": self.connections_,
                   "paths": self.paths_, "events": self.events_}
            return json.dumps(doc, separators=(",", ":"))


class DateClock:
    """The time Date headers give: the real time plus what POST /__clock added."""

    def __init__(self):
        self.lock_ = threading.Lock()
        self.offset_ = 0

    def advance(self, seconds):
        with self.lock_:
            self.offset_ += seconds

    def date(self):
        with self.lock_:
            offset = self.offset_
        return formatdate(time.time() + offset, usegmt=True)


class RequestLog:
    def __init__(self, path):
        self.lock_ = threading.Lock()
        self.file_ = open(path, "a", encoding="utf-8") if path else None

    def write(self, request, status, sent):
        if self.file_ is None:
            return
        rng = request.header("Range")
        rng = "".join(rng.split()) if rng else "-"
        with self.lock_:
            self.file_.write(f"{request.method} {request.target} {rng} {status} {sent}\n")
            self.file_.flush()


STATS = Stats()
CLOCK = DateClock()
LOG = RequestLog(None)


class LogLine:
    """One response's log line, written once. A complete answer is logged just before its
    last bytes leave: a client that reads the log as soon as it has the answer (a proxy may
    answer from its cache right away) must find the line. An answer a fault cuts is logged
    after the send, with the bytes actually sent."""

    def __init__(self, request, status):
        self.request_ = request
        self.status_ = status
        self.done_ = False

    def write(self, sent):
        if not self.done_:
            self.done_ = True
            LOG.write(self.request_, self.status_, sent)


def warn(message):
    sys.stderr.write(f"test_origin: {message}\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------
# Connection handling


class ResetSchedule:
    """--reset-every N: every Nth response on a keep-alive connection is followed by a reset,
    as origins behind flaky middleboxes or under memory pressure do."""

    def __init__(self):
        self.every = 0
        self.count = 0
        self.lock = threading.Lock()

    def due(self):
        if not self.every:
            return False
        with self.lock:
            self.count += 1
            return self.count % self.every == 0


RESETS = ResetSchedule()


class Handler(socketserver.BaseRequestHandler):
    idle_timeout = 60.0

    def setup(self):
        self.sock_ = self.request
        self.sock_.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock_.settimeout(self.idle_timeout)
        self.rfile_ = self.sock_.makefile("rb", buffering=65536)
        self.counted_ = False

    def finish(self):
        try:
            self.rfile_.close()
        except OSError:
            pass

    def handle(self):
        request = None
        try:
            while True:
                request = None
                request = self.read_request_head()
                if request is None:
                    return
                if not self.serve(request):
                    return
        except Abort:
            pass
        except BadRequest as e:
            warn(f"bad request: {e}")
            self.send_simple(request, 400, f"bad request: {e}\n", close=True)
        except (ConnectionError, OSError) as e:
            # Clients that go away or stall are part of the tests: note, do not crash.
            warn(f"connection from {self.client_address[0]}: {type(e).__name__}: {e}")
        except Exception:  # keep serving other connections whatever happens here
            warn("unexpected error:\n" + traceback.format_exc())

    # -- reading ------------------------------------------------------------------------

    def read_line(self, allow_eof=False):
        line = self.rfile_.readline(MAX_LINE + 1)
        if not line:
            if allow_eof:
                return None
            raise BadRequest("connection closed inside the request")
        if len(line) > MAX_LINE:
            raise BadRequest("line too long")
        if not line.endswith(b"\n"):
            raise BadRequest("connection closed inside a line")
        return line.rstrip(b"\r\n").decode("latin-1")

    def read_request_head(self):
        try:
            line = self.read_line(allow_eof=True)
            while line == "":  # RFC 9112 2.2: ignore empty lines before the request line
                line = self.read_line(allow_eof=True)
        except TimeoutError:
            STATS.event("idle_closed")  # an idle keep-alive connection, closed as origins do
            return None
        if line is None:
            return None
        parts = line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise BadRequest(f"request line {line!r}")
        headers = self.read_fields()
        return Request(parts[0], parts[1], parts[2], headers)

    def read_fields(self):
        fields = []
        while True:
            line = self.read_line()
            if line == "":
                return fields
            if line[0] in " \t":
                raise BadRequest("obsolete line folding")
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise BadRequest(f"header line {line!r}")
            fields.append((name, value.strip(" \t")))
            if len(fields) > MAX_HEADERS:
                raise BadRequest("too many header fields")

    def read_body(self, request):
        te = request.header("Transfer-Encoding")
        cl = request.header("Content-Length")
        if te is not None and cl is not None:
            raise BadRequest("both Transfer-Encoding and Content-Length")
        digest = hashlib.sha256()
        if te is not None:
            if te.split(",")[-1].strip().lower() != "chunked":
                raise BadRequest(f"transfer coding {te!r}")
            request.body_chunked = True
            while True:
                size_line = self.read_line().split(";", 1)[0].strip()
                if not re.fullmatch(r"[0-9A-Fa-f]{1,16}", size_line):
                    raise BadRequest(f"chunk size {size_line!r}")
                size = int(size_line, 16)
                if size == 0:
                    request.trailers = self.read_fields()
                    break
                self.read_exact(size, digest, request)
                if self.rfile_.read(2) != b"\r\n":
                    raise BadRequest("chunk data not followed by CRLF")
        elif cl is not None:
            values = {v.strip() for v in cl.split(",")}
            length = values.pop() if len(values) == 1 else ""
            if not length.isdigit():
                raise BadRequest(f"Content-Length {cl!r}")
            self.read_exact(int(length), digest, request)
        request.body_sha256 = digest.hexdigest()

    def read_exact(self, size, digest, request):
        while size > 0:
            data = self.rfile_.read(min(size, PIECE))
            if not data:
                raise BadRequest("connection closed inside the request body")
            digest.update(data)
            request.body_length += len(data)
            size -= len(data)

    def expects_body(self, request):
        cl = request.header("Content-Length")
        return request.header("Transfer-Encoding") is not None or (
            cl is not None and cl.strip() not in ("", "0"))

    # -- writing ------------------------------------------------------------------------

    def send_all(self, data):
        self.sock_.sendall(data)

    def abort(self, reset):
        """Drops the connection at once: RST when asked, else FIN."""
        if reset:
            self.sock_.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            try:
                self.sock_.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        self.rfile_.close()
        self.sock_.close()  # socketserver's own shutdown of it then fails harmlessly
        raise Abort()

    def send_head(self, status, headers):
        reason = REASONS.get(status, "Status")
        lines = [f"HTTP/1.1 {status} {reason}"]
        lines += [f"{name}: {value}" for name, value in headers]
        self.send_all(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def common_headers(self, request, cache_control):
        headers = [] if request.flag("no_date") else [("Date", CLOCK.date())]
        headers.append(("Server", "rc-test-origin"))
        cc = request.params.get("cc", cache_control)
        if cc:
            headers.append(("Cache-Control", cc))
        return headers

    def finish_headers(self, request, headers, close):
        for extra in request.extra_headers:
            name, sep, value = extra.partition(":")
            if sep:
                headers.append((name.strip(), value.strip()))
        if close:
            headers.append(("Connection", "close"))
        elif request.version == "HTTP/1.0":
            headers.append(("Connection", "keep-alive"))

    def respond(self, request, status, headers, body, close=False):
        """Sends one response, applying the body faults. Returns True to keep the
        connection open."""
        close = close or request.wants_close() or request.flag("close")
        has_body = request.method != "HEAD" and status not in (204, 304) and status >= 200
        chunked = request.flag("chunked") and request.version != "HTTP/1.0"
        nolen = request.flag("nolen") or (request.flag("chunked") and not chunked)
        if nolen:
            close = True
        if status in (204, 304):
            pass
        elif chunked and has_body:
            headers.append(("Transfer-Encoding", "chunked"))
            names = [t.partition(":")[0].strip() for t in request.extra_trailers]
            if any(names):
                headers.append(("Trailer", ", ".join(n for n in names if n)))
        elif not nolen:
            headers.append(("Content-Length", str(body.length)))
        short = request.param_int("short") if has_body else None
        stall = request.param_float("stall")
        stall_after = request.param_int("stall_after") if has_body else None
        if short is not None or stall is not None:
            close = True
        self.finish_headers(request, headers, close)
        line = LogLine(request, status)
        if not has_body or (body.length == 0 and not chunked):
            line.write(0)  # nothing follows the head
            self.send_head(status, headers)
        else:
            self.send_head(status, headers)
            sent = 0
            try:
                sent = self.send_body(request, body, chunked, short, stall_after, line)
            finally:
                line.write(sent)
        if short is not None:
            self.abort(reset=not request.flag("fin"))
        if stall is not None and stall_after is not None:
            time.sleep(stall)
            self.abort(reset=False)
        if not close:
            self.after_response(request)
        return not close

    def after_response(self, request):
        """The faults of a keep-alive connection between two responses."""
        if RESETS.due():
            try:
                self.abort(reset=True)
            finally:
                STATS.event("reset_after")  # counted once the reset is out
            raise Abort()
        if request.flag("extra"):
            delay = request.param_float("extra_delay")
            if delay:
                time.sleep(delay)
            body = b"stray answer"
            self.send_all(b"HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\nX-Stray: 1\r\n"
                          b"Content-Length: %d\r\n\r\n" % len(body) + body)
            STATS.event("extra_sent")  # counted once the bytes are out
        close_after = request.param_float("close_after")
        if close_after is not None:
            time.sleep(close_after)
            try:
                self.abort(reset=False)
            finally:
                STATS.event("closed_after")  # counted once the FIN is out

    def send_body(self, request, body, chunked, short, stall_after, line):
        rate = request.param_int("slow")
        started = time.monotonic()
        sent = 0
        step = max(1, min(PIECE, rate // 20)) if rate else PIECE
        uncut = short is None and stall_after is None
        for piece in body.slices():
            for off in range(0, len(piece), step):
                data = piece[off:off + step]
                if short is not None and sent + len(data) > short:
                    data = data[:max(0, short - sent)]
                if stall_after is not None and sent + len(data) > stall_after:
                    data = data[:max(0, stall_after - sent)]
                if uncut and not chunked and sent + len(data) == body.length:
                    line.write(body.length)  # the last bytes of a complete answer
                if len(data):
                    if chunked:
                        self.send_all(b"%x\r\n" % len(data) + bytes(data) + b"\r\n")
                    else:
                        self.send_all(data)
                    sent += len(data)
                if short is not None and sent >= short:
                    return sent
                if stall_after is not None and sent >= stall_after:
                    return sent
                if rate:
                    lag = started + sent / rate - time.monotonic()
                    if lag > 0:
                        time.sleep(lag)
        if chunked:
            if uncut:
                line.write(sent)
            self.send_all(b"0\r\n" + self.trailer_section(request) + b"\r\n")
        return sent

    def trailer_section(self, request):
        lines = b""
        for extra in request.extra_trailers:
            name, sep, value = extra.partition(":")
            if sep:
                lines += f"{name.strip()}: {value.strip()}\r\n".encode("latin-1")
        return lines

    def send_simple(self, request, status, text, close=False, cache_control=None):
        if request is None:
            request = Request("-", "-", "HTTP/1.1", [])
        body = Body()
        body.add_bytes(text.encode("utf-8"))
        headers = self.common_headers(request, cache_control)
        headers.append(("Content-Type", "text/plain"))
        try:
            return self.respond(request, status, headers, body, close=close)
        except OSError:
            return False

    def send_json(self, request, doc, cache_control="no-store", extra_headers=()):
        body = Body()
        data = doc if isinstance(doc, str) else json.dumps(doc, separators=(",", ":"))
        body.add_bytes(data.encode("utf-8"))
        headers = self.common_headers(request, cache_control)
        headers.append(("Content-Type", "application/json"))
        headers.extend(extra_headers)
        return self.respond(request, 200, headers, body)

    # -- routing ------------------------------------------------------------------------

    def serve(self, request):
        control = request.path in ("/__stats", "/__reset", "/__clock")
        if not control:
            STATS.record(request)
            if not self.counted_:  # connections used only for control do not count
                self.counted_ = True
                STATS.connection()
        expect = (request.header("Expect") or "").strip().lower() == "100-continue"
        if expect and request.version == "HTTP/1.1" and self.expects_body(request):
            if request.params.get("expect") == "417":
                return self.send_simple(request, 417, "expectation refused\n", close=True)
            if not request.flag("no_continue"):
                self.send_all(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.read_body(request)

        stall = request.param_float("stall")
        if stall is not None and request.param_int("stall_after") is None:
            time.sleep(stall)
            LOG.write(request, 0, 0)
            self.abort(reset=False)
        delay = request.param_float("delay")
        delay_at = request.param_int("delay_at")
        if delay and (delay_at is None or STATS.count(request.origin_target) >= delay_at):
            time.sleep(delay)

        if request.path == "/__stats":
            return self.send_json(request, STATS.to_json())
        if request.path == "/__reset":
            STATS.reset()
            return self.send_json(request, {"ok": True})
        if request.path == "/__clock":
            advance = request.param_int("advance")
            if request.method != "POST" or advance is None or advance < 0:
                return self.send_simple(request, 400, "POST /__clock?advance=SECONDS\n")
            CLOCK.advance(advance)
            return self.send_json(request, {"ok": True})
        status = request.param_int("status")
        if status is not None and status not in (200, 206) and not self.status_applies(request):
            status = None
        fail_at = request.param_int("fail_at")
        if fail_at is not None and STATS.count(request.origin_target) >= fail_at:
            status = request.param_int("fail_status") or 503
        if status is not None and status not in (200, 206):
            return self.send_status(request, status)
        if request.method not in ("GET", "HEAD") or request.path == "/__echo_headers":
            return self.send_echo(request)
        size = generated_size(request.path)
        if size is None:
            return self.send_simple(request, 404, "not found\n")
        return self.send_content(request, size)

    def status_applies(self, request):
        count = STATS.count(request.origin_target)
        start = request.param_int("status_from") or 1
        until = request.param_int("status_until")
        return count >= start and (until is None or count <= until)

    def send_status(self, request, status):
        if status < 200 or status in (204, 304):
            headers = self.common_headers(request, None)
            return self.respond(request, status, headers, Body())
        return self.send_simple(request, status, f"status {status}\n")

    def send_echo(self, request):
        joined = {}
        for name, value in request.headers:
            key = name.lower()
            joined[key] = joined[key] + ", " + value if key in joined else value
        doc = {
            "method": request.method, "target": request.target, "path": request.path,
            "query": request.query, "version": request.version,
            "length": request.body_length, "sha256": request.body_sha256,
            "chunked": request.body_chunked, "headers": joined,
            "raw_headers": [[n, v] for n, v in request.headers],
            "trailers": [[n, v] for n, v in request.trailers],
        }
        names = ",".join(name.lower() for name, _ in request.headers)
        extra = [("X-Echo-Names", names)]
        # location=, content_location=: an answer naming other URIs (cache invalidation).
        for param, field in (("location", "Location"), ("content_location", "Content-Location")):
            if request.params.get(param):
                extra.append((field, request.params[param]))
        return self.send_json(request, doc, extra_headers=extra)

    def content_version(self, request):
        version = request.params.get("etag", "")
        if request.flag("host_etag"):  # one content per Host, as a virtual-hosting origin
            version = request.header("Host") or ""
        vary_on = self.vary_on(request)
        if vary_on:  # one content per value, as an origin that negotiates
            lines = [v for n, v in request.headers if n.lower() == vary_on.lower()]
            value = "".join(",".join(lines).split()).lower()
            version = f"{vary_on}={value}" if lines else vary_on
        switch_at = request.param_int("switch_at")
        if switch_at is not None and STATS.count(request.origin_target) >= switch_at:
            version = request.params.get("switch_to", "")
        return version

    def vary_on(self, request):
        until = request.param_int("vary_until")
        if until is not None and STATS.count(request.origin_target) > until:
            return None
        return request.params.get("vary_on")

    def send_content(self, request, size):
        seed = content_seed(request.path, self.content_version(request))
        etag = None if request.flag("no_etag") else f'"{seed[:8].hex()}-{size:x}"'
        if etag and request.flag("weak"):
            etag = "W/" + etag
        last_modified = None if request.flag("no_lm") else LAST_MODIFIED
        ext = os.path.splitext(request.path)[1].lower()
        ctype = CONTENT_TYPES.get(ext, "application/octet-stream")

        headers = self.common_headers(request, DEFAULT_CACHE_CONTROL)
        if self.vary_on(request):
            headers.append(("Vary", self.vary_on(request)))
        if last_modified:
            headers.append(("Last-Modified", last_modified))
        if etag:
            headers.append(("ETag", etag))
        headers.append(("Accept-Ranges", "bytes"))

        if self.not_modified(request, etag, last_modified):
            return self.respond(request, 304, headers, Body())

        ranges = None
        range_header = request.header("Range")
        honour = not request.flag("ignore_range") and request.param_int("status") != 200
        if range_header is not None and honour and self.if_range_holds(request, etag,
                                                                        last_modified):
            ranges = parse_range(range_header, size)
        if ranges == []:
            headers.append(("Content-Range", f"bytes */{size}"))
            return self.respond(request, 416, headers, Body())

        body = Body()
        if ranges is None:
            headers.append(("Content-Type", ctype))
            body.add_generated(seed, 0, size)
            return self.respond(request, 200, headers, body)
        if len(ranges) == 1:
            first, last = ranges[0]
            headers.append(("Content-Type", ctype))
            if not request.flag("no_cr"):
                headers.append(("Content-Range", self.content_range(request, first, last,
                                                                    size)))
            body.add_generated(seed, first, last + 1)
            return self.respond(request, 206, headers, body)

        boundary = "rc-origin-" + seed[:6].hex()
        headers.append(("Content-Type", f"multipart/byteranges; boundary={boundary}"))
        for first, last in ranges:
            part_range = self.content_range(request, first, last, size)
            body.add_bytes((f"--{boundary}\r\nContent-Type: {ctype}\r\n"
                            f"Content-Range: {part_range}\r\n\r\n").encode("latin-1"))
            body.add_generated(seed, first, last + 1)
            body.add_bytes(b"\r\n")
        body.add_bytes(f"--{boundary}--\r\n".encode("latin-1"))
        return self.respond(request, 206, headers, body)

    def content_range(self, request, first, last, size):
        if request.flag("lie"):
            if last + 1 < size:
                first, last = first + 1, last + 1
            elif first > 0:
                first, last = first - 1, last - 1
            else:
                size += 1
        return f"bytes {first}-{last}/{size}"

    def not_modified(self, request, etag, last_modified):
        if request.method not in ("GET", "HEAD") or request.flag("no_304"):
            return False
        inm = request.header("If-None-Match")
        if inm is not None and not request.flag("ims_only"):
            return etag_list_matches(inm, etag)
        ims = request.header("If-Modified-Since")
        if ims is not None and last_modified:
            since = parse_http_date(ims)
            return since is not None and LAST_MODIFIED_EPOCH <= since
        return False

    def if_range_holds(self, request, etag, last_modified):
        value = request.header("If-Range")
        if value is None:
            return True
        value = value.strip()
        if value.startswith('"') or value.startswith("W/"):
            # Strong comparison: a weak tag on either side never matches.
            return etag is not None and not etag.startswith("W/") and value == etag
        if not last_modified:
            return False
        return parse_http_date(value) == LAST_MODIFIED_EPOCH


# ---------------------------------------------------------------------------------------
# Server


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 1024


class Server6(Server):
    address_family = socket.AF_INET6


def write_port_file(path, port):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def watch_parent(parent):
    # A crashed test binary cannot kill us; notice that the parent is gone and leave.
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listen", default="127.0.0.1", help="IP literal to bind")
    parser.add_argument("--port", type=int, default=0, help="0 = ephemeral")
    parser.add_argument("--port-file", help="write the bound port here once listening")
    parser.add_argument("--log", help="append one line per request here")
    parser.add_argument("--idle-timeout", type=float, default=60.0,
                        help="seconds an idle keep-alive connection is kept; also bounds a "
                        "send the client does not read")
    parser.add_argument("--reset-every", type=int, default=0,
                        help="reset the connection after every Nth keep-alive response")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="exit when the parent process goes away")
    args = parser.parse_args()

    try:
        address = ipaddress.ip_address(args.listen)
    except ValueError:
        parser.error("--listen must be an IP literal")

    global LOG
    LOG = RequestLog(args.log)
    Handler.idle_timeout = args.idle_timeout
    RESETS.every = args.reset_every

    def on_signal(signum, _frame):
        os._exit(0)  # daemon handler threads may sit in sleep(); do not wait for them

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.exit_with_parent:
        threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()

    server_class = Server6 if address.version == 6 else Server
    server = server_class((str(address), args.port), Handler)
    port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, port)
    warn(f"listening on {address}:{port}")
    server.serve_forever(poll_interval=0.5)


if __name__ == "__main__":
    main()
