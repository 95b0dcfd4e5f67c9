// store::impl and the LMDB backend's fill sink and read source, shared by store.cpp,
// store_fill.cpp and store_reader.cpp.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core.hpp"
#include "env.hpp"
#include "rangecache/cache/fill_sink.hpp"
#include "rangecache/cache/read_source.hpp"
#include "rangecache/cache/store.hpp"
#include "writer.hpp"

namespace rangecache::cache {

struct store::impl {
  std::shared_ptr<detail::core> core;
  std::unique_ptr<detail::environment> env;
  std::unique_ptr<detail::writer> writer;
  open_report report;
  std::atomic<bool> closed{false};
  std::string canonical_path;  // registered as open in this process

  // Reset read transactions for lookups from any thread: renewing one is far cheaper than
  // beginning one (which takes LMDB's reader-table lock to find a slot).
  std::mutex pool_mu;
  std::vector<MDB_txn*> pool;

  MDB_txn* acquire_txn();
  void release_txn(MDB_txn* txn);

  // Looks `key` up in an active read transaction and copies the record out.
  lookup_status lookup_in(MDB_txn* txn, std::string_view key, cached_object& out, bool count);

  // A reader's own read transaction and chunk cursor (store_reader.cpp).
  class reader_source;
  // Null when the store is closed or no reader slot is free.
  std::unique_ptr<read_source> open_reader();
};

namespace detail {
// The fill handle's LMDB side: chunks, the commit and the abort go to the writer's queue.
std::unique_ptr<fill_sink> make_store_fill_sink(std::shared_ptr<core> c,
                                                std::shared_ptr<fill_state> state);

// Begins a read-only transaction, clearing stale reader slots once if the table is full.
int begin_read(MDB_env* env, MDB_txn** txn);
}  // namespace detail

}  // namespace rangecache::cache
