// The in-memory backend of object_store: objects live in the process's memory, bounded by
// settings.max_size and evicted in settings.policy order past its watermarks, like the LMDB
// store's. Nothing survives the process. For tests (no directory, no writer thread) and for
// running without a disk (cache.backend: memory).
//
// Every call is applied before it returns: callbacks (commit, update, purge) and fill
// progress listeners run on the caller's thread, before the call that started them returns,
// with no lock held. Of
// store_settings it uses max_size, chunk_size, policy, max_object_size, the watermarks,
// touch_interval, read_batch_bytes, read_batch_chunks and hasher; the rest is LMDB's.
#pragma once

#include <memory>

#include "rangecache/cache/object_store.hpp"
#include "rangecache/cache/settings.hpp"

namespace rangecache::cache {

std::unique_ptr<object_store> make_memory_store(const store_settings& settings);

}  // namespace rangecache::cache
