// The memory store's state behind one mutex: committed objects, the bodies readers may read
// (committed objects and fills in progress, by object id), the URL index, the eviction order
// and the counters. Shared by the store, its fill sinks and its read sources, so a fill
// handle or a reader may outlive the store (its later calls fail with `closed` / error).
//
// It follows the LMDB store's rules (writer.hpp) so that one conformance suite holds for
// both: ids and purge sequence numbers from one counter, a fill purged since it began never
// commits, eviction between the same watermarks in the same policy order. What differs is
// only that every change applies before the call returns. Fill progress is published by the
// fill sinks (memory_fill.cpp), after the lock is released, since it runs listeners.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "rangecache/cache/fill.hpp"
#include "rangecache/cache/object.hpp"
#include "rangecache/cache/object_store.hpp"
#include "rangecache/cache/policy.hpp"
#include "rangecache/cache/read_source.hpp"
#include "rangecache/cache/settings.hpp"
#include "rangecache/cache/stats.hpp"

namespace rangecache::cache::detail {

struct memory_chunk {
  std::unique_ptr<std::byte[]> data;
  std::uint32_t size = 0;
};

// One object's bytes. Chunks are only ever appended, never changed, so a reader holding the
// body may use a chunk's bytes after the lock is released.
struct memory_body {
  std::vector<memory_chunk> chunks;  // the vector itself is guarded by memory_core's mutex
};

// One fill in progress, owned by its sink; the core changes it under its mutex.
struct memory_fill {
  std::uint64_t id = 0;
  key_hash hash;
  key_hash url_hash;
  std::string key;
  std::string url;
  std::uint32_t chunk_size = 0;
  std::shared_ptr<memory_body> body;
  std::shared_ptr<fill_progress> progress = std::make_shared<fill_progress>();
  std::uint64_t bytes = 0;  // put so far, which is also its charge while it fills
  bool finished = false;    // committed, refused or aborted: nothing left to undo
};

class memory_core {
 public:
  explicit memory_core(const store_settings& s);
  const store_settings& settings() const { return settings_; }

  // Fills (memory_fill.cpp). start_fill gives the fill its id and makes its body readable.
  fill_error start_fill(memory_fill& f, std::string_view key, std::string_view url,
                        std::optional<std::uint64_t> expected_length);
  fill_error put_chunk(memory_fill& f, memory_chunk chunk);
  // `closed` leaves the fill as it was; any other refusal has already dropped it.
  commit_result commit(memory_fill& f, object_meta meta);
  // False when the fill had already ended (committed or refused): nothing to undo.
  bool abort(memory_fill& f, fill_error why);

  // Reads (memory_reader.cpp).
  read_result read(const object_ref& obj, std::uint64_t offset, std::uint64_t len,
                   const slice_visitor& visit);
  void reader_opened() { readers_.fetch_add(1, std::memory_order_relaxed); }
  void reader_closed() { readers_.fetch_sub(1, std::memory_order_relaxed); }
  bool closed() const;

  // The rest (memory_core.cpp).
  lookup_status lookup(std::string_view key, cached_object& out, bool count);
  update_status update(std::string_view key, const object_ref& ref, object_meta meta);
  std::uint64_t purge(std::string_view key);
  std::uint64_t purge_url(std::string_view url);
  std::uint64_t tidy_url(std::string_view url, const url_tidy& what);
  std::uint64_t purge_all();
  void for_each(const std::function<void(const cached_object&)>& visit);
  store_stats stats() const;
  storage_info storage() const;
  // Drops every object; fills and lookups fail from now on.
  void close();

 private:
  struct entry {
    cached_object obj;
    std::uint64_t charge = 0;  // its bytes plus what its record takes
  };
  // In the LMDB store's order (the hash's bytes, big-endian), so for_each lists alike.
  struct hash_order {
    bool operator()(const key_hash& a, const key_hash& b) const {
      return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo;
    }
  };
  using object_map = std::map<key_hash, entry, hash_order>;

  static std::uint64_t record_charge(const cached_object& o);
  static std::chrono::sys_seconds now();
  key_hash hash(std::string_view s) const;
  std::uint64_t charged() const { return committed_ + inflight_; }
  void make_room(std::uint64_t incoming);
  void remove(object_map::iterator it);
  void drop_body(std::uint64_t id);
  void drop_fill(memory_fill& f, fill_error why);
  std::uint64_t remove_url_members(std::string_view url,
                                   const std::function<bool(const cached_object&)>& pick);
  bool purged_since(const memory_fill& f) const;
  void note_purge(const key_hash& h, std::uint64_t seq);

  const store_settings settings_;
  std::atomic<unsigned> readers_{0};
  mutable std::mutex mu_;
  // Everything below is guarded by mu_.
  bool closed_ = false;
  object_map objects_;
  std::unordered_map<std::uint64_t, std::shared_ptr<memory_body>> bodies_;
  std::unordered_map<std::string, std::unordered_set<key_hash>> urls_;
  std::unique_ptr<eviction_policy> policy_;
  std::unordered_map<key_hash, std::uint64_t> purged_at_;  // key or URL hash → purge seq
  std::uint64_t commit_barrier_ = 0;                       // fills with smaller ids never commit
  std::uint64_t next_seq_ = 1;
  std::uint64_t committed_ = 0;  // charge of committed objects
  std::uint64_t inflight_ = 0;   // bytes of fills not yet committed
  std::uint64_t content_bytes_ = 0;
  store_stats stats_;
};

// The memory store's fill handle and reader source (memory_fill.cpp, memory_reader.cpp).
fill begin_memory_fill(const std::shared_ptr<memory_core>& core, std::string_view key,
                       std::string_view url, const fill_options& options);
// Null once the store is closed.
std::unique_ptr<read_source> open_memory_reader(const std::shared_ptr<memory_core>& core);

}  // namespace rangecache::cache::detail
