// Counters of one store, for metrics. Kept as relaxed atomics and copied out on demand.
#pragma once

#include <array>
#include <cstdint>

namespace rangecache::cache {

struct store_stats {
  std::uint64_t objects = 0;        // committed objects
  std::uint64_t bytes = 0;          // their content bytes
  std::uint64_t charged_bytes = 0;  // file bytes counted against max_size (incl. in-flight)
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t collisions = 0;  // hash matched, key did not (counted as misses too)
  std::uint64_t commits = 0;
  std::uint64_t aborted_fills = 0;  // abort() or destroyed uncommitted
  std::uint64_t failed_fills = 0;   // refused by the store: queue full, no space, map full...
  std::uint64_t evictions = 0;
  std::uint64_t evicted_bytes = 0;
  std::uint64_t purged_objects = 0;
  std::uint64_t reclaimed_chunks = 0;
  std::uint64_t write_batches = 0;  // write transactions committed by the writer
  std::uint64_t write_batch_ops = 0;
  std::uint64_t write_batch_bytes = 0;
  std::uint64_t write_batch_max_bytes = 0;
  // Batches by size: ≤64 KiB, ≤256 KiB, ≤1 MiB, ≤4 MiB, more.
  std::array<std::uint64_t, 5> write_batch_histogram{};
  std::uint64_t map_full_events = 0;
  std::uint64_t lost_mid_stream = 0;  // read() found the object's chunks gone
  std::uint64_t writer_queue_bytes = 0;
  std::uint64_t lmdb_errors = 0;  // unexpected LMDB return codes (never thrown)
  // Write transactions given up on (disk full, map full after evicting, an LMDB error):
  // the fills in them were dropped.
  std::uint64_t write_failures = 0;
};

// The environment's footprint: what the file really takes, against the map.
struct storage_info {
  std::uint64_t map_size = 0;
  std::uint64_t file_bytes = 0;  // (last used page + 1) × page size: the high-water mark
  std::uint32_t page_size = 0;
  unsigned readers_used = 0;
  unsigned max_readers = 0;
};

}  // namespace rangecache::cache
