// State shared by the store, its fills and its writer: settings, counters, the writer's
// queue and the id counter. Held by shared_ptr so a fill handle may outlive the store (its
// later operations then fail with `closed`).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "body_files.hpp"
#include "rangecache/cache/fill.hpp"
#include "rangecache/cache/key.hpp"
#include "rangecache/cache/object.hpp"
#include "rangecache/cache/settings.hpp"
#include "rangecache/cache/stats.hpp"
#include "rangecache/cache/store.hpp"
#include "rangecache/cache/url_tidy.hpp"

namespace rangecache::cache::detail {

struct counters {
  using counter = std::atomic<std::uint64_t>;
  counter objects{0}, bytes{0}, charged_bytes{0}, hits{0}, misses{0}, collisions{0};
  counter commits{0}, aborted_fills{0}, failed_fills{0}, evictions{0}, evicted_bytes{0};
  counter purged_objects{0}, reclaimed_chunks{0};
  counter write_batches{0}, write_batch_ops{0}, write_batch_bytes{0}, write_batch_max_bytes{0};
  counter write_batch_histogram[5] = {};
  counter map_full_events{0}, lost_mid_stream{0}, lmdb_errors{0}, write_failures{0};

  static void add(counter& c, std::uint64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }
  store_stats snapshot() const;
};

// One object being written. The producer side (fill handle) reads `failure`; every w_ field
// belongs to the writer thread alone.
struct fill_state {
  fill_state(std::uint64_t id_, key_hash hash_, key_hash url_hash_, std::string key_,
             std::string url_, std::uint32_t chunk_size_, bool in_file_ = false)
      : id(id_),
        hash(hash_),
        url_hash(url_hash_),
        key(std::move(key_)),
        url(std::move(url_)),
        chunk_size(chunk_size_),
        in_file(in_file_) {}
  ~fill_state();

  const std::uint64_t id;
  const key_hash hash;
  const key_hash url_hash;
  const std::string key;
  const std::string url;
  const std::uint32_t chunk_size;
  const bool in_file;  // its body goes to a file of its own (body_files.hpp)
  // Set by the writer when it gives up on the fill; the next append reports it.
  std::atomic<fill_error> failure{fill_error::none};
  // Published by the writer after each transaction that touched the fill (read-while-write).
  const std::shared_ptr<fill_progress> published = std::make_shared<fill_progress>();
  void publish_durable(std::uint64_t bytes) const { published->publish_durable(bytes); }
  void publish_state(int state) const { published->publish_state(state); }

  struct progress {
    std::uint64_t bytes = 0;   // chunk bytes written in committed or current transactions
    std::uint64_t charge = 0;  // their charge against max_size
    std::uint32_t chunks = 0;
    bool gc_written = false;  // gc[id] = writing exists
    bool dead = false;        // given up: its chunks are (or will be) reclaimed
    fill_error why = fill_error::none;
  };
  progress w;
  // in_file: the body file, open for writing until the fill ends (the writer's; kept out of
  // `w`, which a batch that fails rolls back).
  int w_fd = -1;
};

using chunk_buffer = std::unique_ptr<std::byte[]>;

struct chunk_op {
  std::shared_ptr<fill_state> fill;
  chunk_buffer data;
  std::uint32_t index = 0;
  std::uint32_t size = 0;
};
struct commit_op {
  std::shared_ptr<fill_state> fill;
  object_meta meta;
  commit_callback done;
};
struct abort_op {
  std::shared_ptr<fill_state> fill;
};
struct update_op {
  key_hash hash;
  std::string key;
  std::uint64_t id = 0;
  object_meta meta;
  update_callback done;
};
struct purge_op {
  enum class scope { key, url, url_tidy, all } what = scope::key;
  key_hash hash;  // of the key or of the URL
  std::string text;
  cache::url_tidy tidy;   // url_tidy: which of the URL's objects go
  std::uint64_t seq = 0;  // fills begun before it (smaller ids) must not commit
  purge_callback done;
};
struct barrier_op {
  std::function<void()> done;
};

using op = std::variant<chunk_op, commit_op, abort_op, update_op, purge_op, barrier_op>;

struct queued_op {
  op o;
  std::uint64_t bytes = 0;  // counted against queue_limit until the writer is done with it
};

// Many producers, one consumer (the writer). A byte limit instead of blocking: producers run
// on event loops.
class op_queue {
 public:
  explicit op_queue(std::uint64_t limit) : limit_(limit) {}

  // false: closed, or over the byte limit (unless forced: aborts and records are tiny and
  // must not be lost).
  bool push(op&& o, std::uint64_t bytes, bool force);
  // Moves ops into out, up to max_bytes (at least one op) and max_ops, waiting up to `wait`
  // for the first one. Returns false once closed and drained.
  bool pop(std::deque<queued_op>& out, std::uint64_t max_bytes, std::size_t max_ops,
           std::chrono::milliseconds wait);
  void release(std::uint64_t bytes) { bytes_.fetch_sub(bytes, std::memory_order_relaxed); }
  std::uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  void close();
  bool closed() const;

  // Accesses for eviction: bounded; dropping some under overload only blurs recency.
  void touch(const key_hash& h);
  void take_touches(std::vector<key_hash>& out);

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<queued_op> q_;
  bool closed_ = false;
  std::atomic<std::uint64_t> bytes_{0};
  const std::uint64_t limit_;
  std::mutex touch_mu_;
  std::vector<key_hash> touches_;
};

struct core {
  explicit core(const store_settings& s);
  store_settings settings;  // with derived defaults filled in
  counters stats;
  op_queue queue;
  // Object ids and purge sequence numbers come from one counter: an id smaller than a
  // purge's seq belongs to a fill begun before that purge.
  std::atomic<std::uint64_t> next_seq{1};
  std::atomic<bool> closing{false};
  std::atomic<int> live_readers{0};  // reader objects: the environment may not close under them
  body_dir bodies;                   // opened by store::open before anything else uses it

  key_hash hash(std::string_view s) const {
    return settings.hasher ? settings.hasher(s) : hash_key(s);
  }
};

// Fills in derived defaults and clamps nonsense (tests pass odd values on purpose).
store_settings normalize(const store_settings& s);

// The bytes a body of `length` takes in the file, chunk by chunk.
std::uint64_t chunks_charge(std::uint64_t length, std::uint32_t chunk_size);
// A whole object: its chunks plus its record and index entries.
std::uint64_t object_charge(std::uint64_t length, std::uint32_t chunk_size,
                            std::size_t record_size);

}  // namespace rangecache::cache::detail
