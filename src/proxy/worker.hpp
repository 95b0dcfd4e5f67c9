// One event loop on its own thread: its acceptors (SO_REUSEPORT), its sessions and its
// upstream pool. Nothing here is touched from another thread except through post().
#pragma once

#include <memory>
#include <thread>
#include <unordered_set>
#include <vector>

#include "access_log.hpp"
#include "asio_fwd.hpp"
#include "rangecache/cache/object_store.hpp"
#include "rangecache/cache/reader.hpp"
#include "rangecache/fetch/fetcher.hpp"
#include "rangecache/origin/client.hpp"
#include "shared_state.hpp"

namespace rangecache::proxy {

class session;

struct worker {
  explicit worker(std::shared_ptr<shared_state> s)
      : shared(std::move(s)),
        ioc(1),
        work(asio::make_work_guard(ioc)),
        origins(ioc.get_executor()) {}

  // Order matters: sessions still suspended when the loop is destroyed unregister themselves
  // from `sessions` and count down `shared`, so both outlive `ioc`; sockets die before it.
  std::shared_ptr<shared_state> shared;
  proxy_stats stats;          // this worker's counters (summed by shared_state::totals)
  request_metrics metrics;    // per rule and latency (summed by shared_state::request_sums)
  access_batch access_lines;  // this worker's access-log lines not yet written
  std::unordered_set<session*> sessions;
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  origin::client origins;  // this worker's connections to origins
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  cache::object_store* store = nullptr;  // owned by the server, outlives the worker
  std::optional<cache::reader> reader;   // this thread's read transaction
  std::thread thread;
};

// Runs until the acceptor is closed.
awaitable<void> accept_loop(worker* w, tcp::acceptor* acceptor);

// After accept() failed with `ec` (EMFILE and friends): counts it, logs it now and then, and
// waits a little, since the next try would fail the same way at once.
awaitable<void> accept_failed(worker* w, error_code ec);

// What a background fetch started on this worker uses of it.
fetch::fetch_context fetch_context_of(worker* w);

// Closes the worker's connections that waited longer than server.idle_timeout for their
// next request, looking a few times per timeout (a second apart at most), and writes the
// worker's access-log lines as it looks; ends when the server drains.
awaitable<void> idle_sweep(worker* w);

// Called on the worker's thread: close acceptors and every idle connection.
void begin_drain(worker* w);

}  // namespace rangecache::proxy
