// How a store is opened. The first four fields come from the config file (cache.*); the
// rest are tuning knobs with defaults derived from max_size, set by tests and benchmarks.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "rangecache/cache/chunk_math.hpp"
#include "rangecache/cache/fill.hpp"
#include "rangecache/cache/key.hpp"

namespace rangecache::cache {

// none: MDB_NOSYNC and an mdb_env_sync every sync_interval, by a thread of its own (a kill -9 loses
// nothing, a power cut may lose the last interval); meta: MDB_NOMETASYNC (a power cut may
// undo the last commit); full: every commit is durable.
enum class sync_mode { none, meta, full };

enum class eviction_policy_kind { lru, s3fifo };

// A write transaction the writer gave up on: its fills are dropped. `why` is map_full (still
// full after evicting) or store_error; `message` is LMDB's text ("No space left on device").
struct write_failure {
  fill_error why = fill_error::store_error;
  std::string message;
};

// cache.zero_copy: auto: bodies at least this long go to files. Below it an object's answers
// are all short, which LMDB's map serves as cheaply (bench/run.sh with the rangecache-map
// target: range64k, range1m, full1m).
inline constexpr std::uint64_t auto_file_bodies_from = std::uint64_t{256} << 10;

struct store_settings {
  std::string path;                                 // directory of the LMDB environment
  std::uint64_t max_size = std::uint64_t{1} << 30;  // bound on stored bytes (cache.max_size)
  sync_mode sync = sync_mode::meta;
  std::uint32_t chunk_size = default_chunk_size;
  // S3-FIFO won on a Zipf trace with scans (bench/cache/policy_sim.cpp).
  eviction_policy_kind policy = eviction_policy_kind::s3fifo;
  // Bodies in files of their own, sent with sendfile instead of copied out of the map
  // (cache.zero_copy): fills whose Content-Length is at least this many bytes, or is not
  // known when they begin (a body of unknown length may be large). 0: none (every body in
  // LMDB). Objects already in files are served whatever this says.
  std::uint64_t file_bodies_from = 0;

  // 0: 1.5 × max_size. A smaller map (tests) makes MDB_MAP_FULL reachable.
  std::uint64_t map_size = 0;
  // 0: max_size / 4. A fill that passes it is aborted; one that says so up front is refused.
  std::uint64_t max_object_size = 0;
  // Bytes of chunks queued to the writer, all fills together. Past it an append fails (and
  // its fill is aborted) instead of blocking an event loop.
  std::uint64_t queue_limit = std::uint64_t{64} << 20;
  // One write transaction takes queued operations up to this many bytes or this long
  // (LMDB 0.9.24 leaks on huge write transactions).
  std::uint64_t batch_bytes = std::uint64_t{4} << 20;
  std::chrono::milliseconds batch_time{5};
  // Eviction starts when the charged bytes would pass high × max_size and frees down to
  // low × max_size, so fills rarely wait for it.
  double high_watermark = 0.85;
  double low_watermark = 0.75;
  std::uint32_t reclaim_chunks_per_txn = 2000;  // chunk deletes per transaction
  // sync_mode::none only; 0: never (the kernel writes back in its own time), but at close.
  std::chrono::milliseconds sync_interval{1000};
  // A hit's access time is written back to its record at most this often (eviction order
  // itself is kept in memory and updated on every hit).
  std::chrono::seconds touch_interval{60};
  unsigned max_readers = 510;  // LMDB reader slots: readers, plus lookups in flight
  // One read() delivers at most this much, so no transaction outlives a short batch.
  std::uint32_t read_batch_bytes = 1 << 20;
  std::uint32_t read_batch_chunks = 16;
  key_hasher hasher = nullptr;  // tests only: replaces hash_key
  // Told of every write_failure, on the writer thread: the store itself never logs. Keep it
  // short and never call back into the store from it.
  std::function<void(const write_failure&)> on_write_failure;
};

}  // namespace rangecache::cache
