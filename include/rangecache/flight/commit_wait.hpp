// Committing a fill from an event loop: the store's writer thread calls back, the callback
// is posted to the loop, and the coroutine waits (bounded) without blocking the thread.
#pragma once

#include <functional>
#include "rangecache/net/asio_names.hpp"

#include "rangecache/cache/fill.hpp"
#include "rangecache/cache/object_store.hpp"
#include "rangecache/cache/store.hpp"

namespace rangecache::flight {

using namespace rangecache::net;

// True once the object is visible in the store.
awaitable<bool> commit_and_wait(asio::any_io_executor ex, cache::fill& fill,
                                cache::object_meta meta);

// Runs `start` (which hands the callback to one of the store's purge calls) and waits
// (bounded) for the writer thread's answer: the number of objects removed.
awaitable<std::uint64_t> purge_and_wait(asio::any_io_executor ex,
                                        std::function<void(cache::purge_callback)> start);

// Replaces the record of `key` (the object `ref`) with `meta` and waits (bounded) until the
// writer thread has done it: gone when the object was replaced or removed meanwhile, error
// also when the bound passed first.
awaitable<cache::update_status> update_and_wait(asio::any_io_executor ex,
                                                cache::object_store& store, std::string key,
                                                cache::object_ref ref, cache::object_meta meta);

}  // namespace rangecache::flight
