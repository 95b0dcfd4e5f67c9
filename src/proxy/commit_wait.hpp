// Committing a fill from an event loop: the store's writer thread calls back, the callback
// is posted to the loop, and the coroutine waits (bounded) without blocking the thread.
#pragma once

#include "asio_fwd.hpp"
#include "rangecache/cache/fill.hpp"

namespace rangecache::proxy {

// True once the object is visible in the store.
awaitable<bool> commit_and_wait(asio::any_io_executor ex, cache::fill& fill,
                                cache::object_meta meta);

}  // namespace rangecache::proxy
