// Background fetch (what ATS's background_fetch plugin does): the complete object of a URL
// whose range was just served, fetched without Range straight into the store, never through
// a client, so later ranges of that URL are served from it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <spdlog/logger.h>

#include "rangecache/cache/object_store.hpp"
#include "rangecache/config/config.hpp"
#include "rangecache/fetch/scheduler.hpp"
#include "rangecache/flight/block_state.hpp"
#include "rangecache/flight/inflight.hpp"
#include "rangecache/origin/client.hpp"
#include "rangecache/util/clock.hpp"

namespace rangecache::fetch {

using namespace rangecache::net;

// What a background fetch uses of the daemon. Everything lives on the loop of `ex` or is
// safe to use from any thread, and outlives the fetches.
struct fetch_context {
  asio::any_io_executor ex;
  origin::client* origins = nullptr;  // the worker's, on `ex`
  cache::object_store* store = nullptr;
  flight::inflight_table* inflight = nullptr;
  flight::block_state* blocks = nullptr;  // block mode's shared memory
  scheduler* fetches = nullptr;
  std::function<std::shared_ptr<const config::config>()> config;
  std::function<std::shared_ptr<spdlog::logger>()> fetch_log;  // may give null: no fetch log
  const std::atomic<bool>* draining = nullptr;                 // true: stop, the daemon exits
  const util::clock* clock = nullptr;
};

// Runs `first` and then whatever the scheduler hands to the freed slot, on `ctx.ex`.
awaitable<void> run_background_fetches(fetch_context ctx, job first);

}  // namespace rangecache::fetch
