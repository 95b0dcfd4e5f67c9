// The object store: one LMDB environment under cache.path, one writer thread that owns every
// write transaction, and lookups/reads from any thread. The rest of the program sees only
// this, fill.hpp and reader.hpp; LMDB stays inside src/cache/.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "rangecache/cache/fill.hpp"
#include "rangecache/cache/object.hpp"
#include "rangecache/cache/reader.hpp"
#include "rangecache/cache/settings.hpp"
#include "rangecache/cache/stats.hpp"

namespace rangecache::cache {

// Thrown by store::open only (a directory that cannot be created, LMDB refusing to start for
// reasons other than a damaged file). Nothing else in the store throws.
class store_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What open() found and did, for the caller to log.
struct open_report {
  bool created = false;      // no environment was there
  bool moved_aside = false;  // a damaged one was renamed to moved_to; the cache starts empty
  std::string moved_to;
  std::string reason;  // why it was moved aside
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;
  std::uint64_t records_dropped = 0;       // undecodable or of another format version
  std::uint64_t dead_objects_swept = 0;    // unfinished fills and dead objects from `gc`
  std::uint64_t orphan_objects_swept = 0;  // chunks that no record and no `gc` entry named
  std::chrono::milliseconds duration{0};
};

enum class update_status { updated, gone, error };
using update_callback = std::function<void(update_status)>;
using purge_callback = std::function<void(std::uint64_t removed)>;

class store {
 public:
  // Opens or creates the environment, moves a damaged one aside, sweeps unfinished fills,
  // rebuilds the eviction order and starts the writer. Throws store_error.
  static std::unique_ptr<store> open(const store_settings& settings);

  store(const store&) = delete;
  store& operator=(const store&) = delete;
  // close()
  ~store();

  // Stops taking fills, lets the writer finish what is queued (commits whose bytes are all
  // queued complete; later appends fail), syncs and closes the environment. Readers must be
  // gone by then. Idempotent.
  void close();

  const open_report& report() const;
  const store_settings& settings() const;

  // Copies the record of `key` out under a short read transaction. A hit counts and records
  // the access for eviction; a hash collision is a miss.
  lookup_status lookup(std::string_view key, cached_object& out);
  std::optional<cached_object> lookup(std::string_view key);
  // Same without counting or recording an access (admin, tests).
  std::optional<cached_object> peek(std::string_view key);

  // Starts writing `key`, which belongs to `url` (the complete object's key, or the URL a
  // range key was built from). Returns an inactive fill (see error()) if refused.
  fill begin_fill(std::string_view key, std::string_view url, fill_options options = {});

  // 304 revalidation: new headers and times for the object `ref` names, same body. `gone` if
  // the key now holds another object (or none), or content_length differs.
  void update(std::string_view key, const object_ref& ref, object_meta meta,
              update_callback done = {});
  update_status update_wait(std::string_view key, const object_ref& ref, object_meta meta);

  // Records an access for eviction (lookup does it already). Batched: no write per hit.
  void touch(const object_ref& ref);

  // Removals. `done` gets the number of objects removed, from the writer thread.
  // A fill of an affected key that is still running when the purge is applied never commits.
  void purge(std::string_view key, purge_callback done = {});
  void purge_url(std::string_view url, purge_callback done = {});  // the object and its ranges
  void purge_all(purge_callback done = {});
  // The URL's range objects only (those with meta.range), the complete object stays; with a
  // non-empty keep_etag, only ranges of another version (ETag differs). Fills in progress are
  // not affected: this tidies up after a complete object was stored.
  void purge_url_ranges(std::string_view url, std::string_view keep_etag = {},
                        purge_callback done = {});
  std::uint64_t purge_wait(std::string_view key);
  std::uint64_t purge_url_wait(std::string_view url);
  std::uint64_t purge_all_wait();
  std::uint64_t purge_url_ranges_wait(std::string_view url, std::string_view keep_etag = {});

  // Waits until everything queued before the call has been applied (tests, shutdown).
  void flush();

  // Every committed object, copied, in hash order, a few at a time (admin and tests: each
  // batch is its own read transaction, so this never pins the file).
  void for_each(const std::function<void(const cached_object&)>& visit);

  store_stats stats() const;
  storage_info storage() const;

 private:
  friend class reader;
  struct impl;
  explicit store(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace rangecache::cache
