// The object store as the rest of the program sees it: lookups, fills, revalidation, purges
// and counters, whatever keeps the bytes. Two backends implement it: the LMDB store
// (store.hpp), which the daemon runs on, and the in-memory store (memory_store.hpp), for
// tests and for running without a disk. One conformance suite runs against both
// (tests/integration/cache/store_conformance_test.cpp), so a rule of this file holds for both.
//
// Every member may be called from any thread at once. Hits go through a per-thread
// cache::reader (reader.hpp), writes through cache::fill (fill.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "rangecache/cache/fill.hpp"
#include "rangecache/cache/object.hpp"
#include "rangecache/cache/reader.hpp"
#include "rangecache/cache/stats.hpp"
#include "rangecache/cache/url_tidy.hpp"

namespace rangecache::cache {

class read_source;

enum class update_status { updated, gone, error };
using update_callback = std::function<void(update_status)>;
using purge_callback = std::function<void(std::uint64_t removed)>;

class object_store {
 public:
  object_store(const object_store&) = delete;
  object_store& operator=(const object_store&) = delete;
  virtual ~object_store() = default;

  // Stops taking fills and releases what the backend holds; lookups fail afterwards. Readers
  // must be gone by then. Idempotent.
  void close() { do_close(); }

  // Copies the record of `key` out. A hit counts and records the access for eviction; a key
  // that shares its hash with another stored key is a miss.
  lookup_status lookup(std::string_view key, cached_object& out) {
    return do_lookup(key, out, true);
  }
  std::optional<cached_object> lookup(std::string_view key);
  // Same without counting or recording an access (admin, tests).
  std::optional<cached_object> peek(std::string_view key);

  // Starts writing `key`, which belongs to `url` (the complete object's key, or the URL a
  // range key was built from). Returns an inactive fill (see fill::error()) if refused.
  fill begin_fill(std::string_view key, std::string_view url, fill_options options = {}) {
    return do_begin_fill(key, url, options);
  }

  // 304 revalidation: new headers and times for the object `ref` names, same body. `gone` if
  // the key now holds another object (or none), or meta.content_length differs from its
  // length. `done` may run on another thread, or before update() returns.
  void update(std::string_view key, const object_ref& ref, object_meta meta,
              update_callback done = {}) {
    do_update(key, ref, std::move(meta), std::move(done));
  }
  update_status update_wait(std::string_view key, const object_ref& ref, object_meta meta);

  // Removals. `done` gets the number of objects removed, on another thread or before the call
  // returns. A fill of an affected key (or of its URL) that is running when the purge is
  // applied never commits.
  void purge(std::string_view key, purge_callback done = {}) { do_purge(key, std::move(done)); }
  // The object of the URL and its range objects.
  void purge_url(std::string_view url, purge_callback done = {}) {
    do_purge_url(url, std::move(done));
  }
  void purge_all(purge_callback done = {}) { do_purge_all(std::move(done)); }
  // Some of the URL's objects, as url_tidy.hpp says: the range objects a new complete object
  // makes redundant, or variants beyond the number kept. Fills in progress are not affected.
  void tidy_url(std::string_view url, url_tidy what, purge_callback done = {}) {
    do_tidy_url(url, std::move(what), std::move(done));
  }
  std::uint64_t purge_wait(std::string_view key);
  std::uint64_t purge_url_wait(std::string_view url);
  std::uint64_t purge_all_wait();
  std::uint64_t tidy_url_wait(std::string_view url, url_tidy what);

  // Waits until everything asked before the call has been applied (tests, shutdown).
  void flush() { do_flush(); }

  // Every committed object, copied, in hash order, a few at a time: `visit` runs with no
  // lock held and may call the store.
  void for_each(const std::function<void(const cached_object&)>& visit) { do_for_each(visit); }

  store_stats stats() const { return do_stats(); }
  storage_info storage() const { return do_storage(); }

  // What a cache::reader reads through; null when the backend has no room for another reader
  // (LMDB's reader slots) or is closed. Use cache::reader rather than calling this.
  std::unique_ptr<read_source> open_reader();

 protected:
  object_store() = default;

 private:
  // One virtual call per operation; the public members above hold the defaults and the
  // blocking helpers, so that every backend gets them the same.
  virtual void do_close() = 0;
  virtual lookup_status do_lookup(std::string_view key, cached_object& out, bool count) = 0;
  virtual fill do_begin_fill(std::string_view key, std::string_view url,
                             const fill_options& options) = 0;
  virtual void do_update(std::string_view key, const object_ref& ref, object_meta meta,
                         update_callback done) = 0;
  virtual void do_purge(std::string_view key, purge_callback done) = 0;
  virtual void do_purge_url(std::string_view url, purge_callback done) = 0;
  virtual void do_purge_all(purge_callback done) = 0;
  virtual void do_tidy_url(std::string_view url, url_tidy what, purge_callback done) = 0;
  virtual void do_flush() = 0;
  virtual void do_for_each(const std::function<void(const cached_object&)>& visit) = 0;
  virtual store_stats do_stats() const = 0;
  virtual storage_info do_storage() const = 0;
  virtual std::unique_ptr<read_source> do_open_reader() = 0;
};

}  // namespace rangecache::cache
