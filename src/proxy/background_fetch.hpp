// Background fetch (what ATS's background_fetch plugin does): the complete object of a URL
// whose range was just served, fetched without Range straight into the store, never through
// a client, so later ranges of that URL are served from it.
#pragma once

#include "asio_fwd.hpp"
#include "rangecache/fetch/scheduler.hpp"
#include "rangecache/proxy/headers.hpp"
#include "worker.hpp"

namespace rangecache::proxy {

// Runs `first` and then whatever the scheduler hands to the freed slot, on this worker.
awaitable<void> run_background_fetches(worker* w, fetch::job first);

}  // namespace rangecache::proxy
