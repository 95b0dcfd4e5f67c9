#include "core.hpp"

#include <unistd.h>

#include <algorithm>

#include "rangecache/cache/chunk_math.hpp"

namespace rangecache::cache::detail {

store_stats counters::snapshot() const {
  auto ld = [](const counter& c) { return c.load(std::memory_order_relaxed); };
  store_stats s;
  s.objects = ld(objects);
  s.bytes = ld(bytes);
  s.charged_bytes = ld(charged_bytes);
  s.hits = ld(hits);
  s.misses = ld(misses);
  s.collisions = ld(collisions);
  s.commits = ld(commits);
  s.aborted_fills = ld(aborted_fills);
  s.failed_fills = ld(failed_fills);
  s.evictions = ld(evictions);
  s.evicted_bytes = ld(evicted_bytes);
  s.purged_objects = ld(purged_objects);
  s.reclaimed_chunks = ld(reclaimed_chunks);
  s.write_batches = ld(write_batches);
  s.write_batch_ops = ld(write_batch_ops);
  s.write_batch_bytes = ld(write_batch_bytes);
  s.write_batch_max_bytes = ld(write_batch_max_bytes);
  for (std::size_t i = 0; i < s.write_batch_histogram.size(); ++i)
    s.write_batch_histogram[i] = ld(write_batch_histogram[i]);
  s.map_full_events = ld(map_full_events);
  s.lost_mid_stream = ld(lost_mid_stream);
  s.lmdb_errors = ld(lmdb_errors);
  s.write_failures = ld(write_failures);
  return s;
}

bool op_queue::push(op&& o, std::uint64_t bytes, bool force) {
  if (!force) {
    // Reserve first so that concurrent producers cannot all slip under the limit at once.
    if (bytes_.fetch_add(bytes, std::memory_order_relaxed) + bytes > limit_) {
      bytes_.fetch_sub(bytes, std::memory_order_relaxed);
      return false;
    }
  } else {
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  bool was_empty;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      bytes_.fetch_sub(bytes, std::memory_order_relaxed);
      return false;
    }
    was_empty = q_.empty();
    q_.push_back({std::move(o), bytes});
  }
  // The writer only sleeps on an empty queue: waking it for every push would cost a futex
  // call per chunk.
  if (was_empty) cv_.notify_one();
  return true;
}

bool op_queue::pop(std::deque<queued_op>& out, std::uint64_t max_bytes, std::size_t max_ops,
                   std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  if (q_.empty() && !closed_) cv_.wait_for(lock, wait, [&] { return !q_.empty() || closed_; });
  std::uint64_t taken = 0;
  std::size_t n = 0;
  while (!q_.empty() && n < max_ops && (n == 0 || taken + q_.front().bytes <= max_bytes)) {
    taken += q_.front().bytes;
    out.push_back(std::move(q_.front()));
    q_.pop_front();
    ++n;
  }
  return !(closed_ && q_.empty() && n == 0);
}

void op_queue::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool op_queue::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

void op_queue::touch(const key_hash& h) {
  std::lock_guard lock(touch_mu_);
  if (touches_.size() < (1u << 16)) touches_.push_back(h);
}

void op_queue::take_touches(std::vector<key_hash>& out) {
  out.clear();
  std::lock_guard lock(touch_mu_);
  out.swap(touches_);
}

fill_state::~fill_state() {
  if (w_fd >= 0) ::close(w_fd);
}

core::core(const store_settings& s) : settings(normalize(s)), queue(settings.queue_limit) {}

store_settings normalize(const store_settings& in) {
  store_settings s = in;
  s.max_size = std::max<std::uint64_t>(s.max_size, 1 << 20);
  if (s.chunk_size < 512) s.chunk_size = default_chunk_size;
  if (s.map_size == 0) s.map_size = s.max_size + s.max_size / 2;
  s.map_size = std::max<std::uint64_t>(s.map_size, 256 << 10);
  if (s.max_object_size == 0) s.max_object_size = s.max_size / 4;
  s.max_object_size = std::min(s.max_object_size, s.max_size);
  s.queue_limit = std::max<std::uint64_t>(s.queue_limit, s.chunk_size);
  s.batch_bytes = std::max<std::uint64_t>(s.batch_bytes, s.chunk_size);
  s.low_watermark = std::clamp(s.low_watermark, 0.1, 0.99);
  s.high_watermark = std::clamp(s.high_watermark, s.low_watermark, 1.0);
  s.reclaim_chunks_per_txn = std::max<std::uint32_t>(s.reclaim_chunks_per_txn, 16);
  s.max_readers = std::clamp(s.max_readers, 16u, 100000u);
  s.read_batch_bytes = std::max(s.read_batch_bytes, s.chunk_size);
  s.read_batch_chunks = std::clamp<std::uint32_t>(s.read_batch_chunks, 1, 64);
  return s;
}

std::uint64_t chunks_charge(std::uint64_t length, std::uint32_t chunk_size) {
  const std::uint64_t full = length / chunk_size;
  const std::uint64_t rest = length % chunk_size;
  return full * stored_size(chunk_size) + (rest ? stored_size(rest) : 0);
}

std::uint64_t object_charge(std::uint64_t length, std::uint32_t chunk_size,
                            std::size_t record_size) {
  // The record, its meta key, and an entry in `urls`.
  return chunks_charge(length, chunk_size) + stored_size(record_size) + 64;
}

}  // namespace rangecache::cache::detail
