#!/usr/bin/env python3
"""Writes the record fuzzer's seeds to tests/fuzz/corpus/record/: a few well-formed records
in the layout of src/cache/record.cpp (mode byte 0: decode), and inputs for the round-trip
mode (mode byte 1). Run it again only when the record layout changes."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "record")


def record(key, url, etag=b"", last_modified=b"", headers=(), length=100, chunk=65520,
           object_id=42, rng=None, status=200, flags=0):
    chunks = (length + chunk - 1) // chunk
    first, last, total = rng if rng else (0, 0, 2**64 - 1)
    fixed = struct.pack("<HHIIIQQqqqqQQQIIIIII", 1, status, flags, chunk, chunks, object_id,
                        length, 1_700_000_000, 1_699_999_990, 1_700_000_100, 60, first, last,
                        total, 1 if rng else 0, len(headers), len(key), len(url), len(etag),
                        len(last_modified))
    assert len(fixed) == 112
    body = key + url + etag + last_modified
    for name, value in headers:
        body += struct.pack("<II", len(name), len(value)) + name + value
    return fixed + body


def main():
    os.makedirs(OUT, exist_ok=True)
    url = b"http://videos.example.com/a/b.mp4"
    seeds = {
        "complete": record(url, url, b'"abc"', b"Tue, 14 Nov 2023 22:13:20 GMT",
                           [(b"Content-Type", b"video/mp4"), (b"X-Empty", b"")]),
        "range_object": record(url + b"-bytes=0-99", url, headers=[(b"Accept-Ranges", b"bytes")],
                               rng=(0, 99, 12345), status=206),
        "empty_body": record(b"", b"", length=0, object_id=1),
        "many_chunks": record(url, url, length=10 * 65520 + 1, flags=0xA5),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(b"\x00" + data)
    # Round-trip mode: the bytes feed the object's fields in order.
    with open(os.path.join(OUT, "round_trip"), "wb") as f:
        f.write(b"\x01" + bytes(range(256)))
    with open(os.path.join(OUT, "round_trip_small"), "wb") as f:
        f.write(b"\x01" + b"\x07" * 40 + b"key\\url\\etag")


if __name__ == "__main__":
    main()
