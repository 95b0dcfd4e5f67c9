// The LMDB object store: one LMDB environment under cache.path, one writer thread that owns
// every write transaction, and lookups/reads from any thread. The rest of the program sees it
// as an object_store (object_store.hpp), with fill.hpp and reader.hpp; LMDB stays inside
// src/cache/.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "rangecache/cache/object_store.hpp"
#include "rangecache/cache/settings.hpp"

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
  std::uint64_t orphan_files_swept = 0;    // body files that no record named
  std::chrono::milliseconds duration{0};
};

// Its purges, updates and commits are queued to the writer thread: their callbacks run there,
// and flush() waits for everything queued before it.
class store final : public object_store {
 public:
  // Opens or creates the environment, moves a damaged one aside, sweeps unfinished fills,
  // rebuilds the eviction order and starts the writer. Throws store_error.
  static std::unique_ptr<store> open(const store_settings& settings);

  // close()
  ~store() override;

  const open_report& report() const;
  const store_settings& settings() const;

  // Records an access for eviction (lookup does it already). Batched: no write per hit.
  void touch(const object_ref& ref);

 private:
  struct impl;
  explicit store(std::unique_ptr<impl> p);

  // close(): stops taking fills, lets the writer finish what is queued (commits whose bytes
  // are all queued complete; later appends fail), syncs and closes the environment.
  void do_close() override;
  // Under a short read transaction from a pool shared by all threads.
  lookup_status do_lookup(std::string_view key, cached_object& out, bool count) override;
  fill do_begin_fill(std::string_view key, std::string_view url,
                     const fill_options& options) override;
  void do_update(std::string_view key, const object_ref& ref, object_meta meta,
                 update_callback done) override;
  void do_purge(std::string_view key, purge_callback done) override;
  void do_purge_url(std::string_view url, purge_callback done) override;
  void do_purge_all(purge_callback done) override;
  void do_tidy_url(std::string_view url, url_tidy what, purge_callback done) override;
  void do_flush() override;
  // Each batch is its own read transaction, so this never pins the file.
  void do_for_each(const std::function<void(const cached_object&)>& visit) override;
  store_stats do_stats() const override;
  storage_info do_storage() const override;
  // Takes an LMDB reader slot; null when none is free.
  std::unique_ptr<read_source> do_open_reader() override;

  std::unique_ptr<impl> impl_;
};

}  // namespace rangecache::cache
