// Background fetch (ats-plugins.md Part B): the complete object of a URL whose range was
// just served, fetched without Range straight into the store, never through a client.
#pragma once

#include "asio_fwd.hpp"
#include "rangecache/fetch/scheduler.hpp"
#include "worker.hpp"

namespace rangecache::proxy {

// Runs `first` and then whatever the scheduler hands to the freed slot, on this worker.
awaitable<void> run_background_fetches(worker* w, fetch::job first);

// Marks our own fetches so that a tier of rangecache nodes never fetches a fetch (R41).
inline constexpr std::string_view fetch_marker = "X-Rangecache-Fetch";

}  // namespace rangecache::proxy
