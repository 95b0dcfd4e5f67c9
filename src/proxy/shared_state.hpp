// What every worker shares: the current config (swapped whole on SIGHUP), the loggers,
// where the counters are and the drain flag. Everything here is safe to read from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include <spdlog/logger.h>

#include "access_log.hpp"
#include "rangecache/config/config.hpp"
#include "rangecache/fetch/scheduler.hpp"
#include "rangecache/flight/block_state.hpp"
#include "rangecache/flight/inflight.hpp"
#include "rangecache/tier/health.hpp"
#include "rangecache/util/clock.hpp"
#include "rangecache/util/throttle.hpp"
#include "reload_requests.hpp"
#include "rule_series.hpp"
#include "stats.hpp"

namespace rangecache::proxy {

using flight::inflight_stream;
using flight::inflight_table;
using flight::inflight_waiter;

struct shared_state {
  std::atomic<std::shared_ptr<const config::config>> cfg;
  std::atomic<std::shared_ptr<const access_log>> access;   // null: no access log
  std::atomic<std::shared_ptr<spdlog::logger>> fetch_log;  // null: no fetch log
  std::atomic<bool> draining{false};
  // The time every freshness decision is made at: set before the workers start, not
  // changed after (tests put a clock of their own here).
  std::shared_ptr<const util::clock> clock = util::system_clock();
  // Each worker's counters, filled in before the workers start and not changed after.
  std::vector<const proxy_stats*> worker_stats;
  proxy_totals totals() const { return sum_of(worker_stats); }
  // Each worker's request metrics (per rule, latency), kept the same way.
  std::vector<const request_metrics*> worker_metrics;
  request_totals request_sums() const { return sum_of(worker_metrics); }
  rule_series series;
  // accept() failures of every listener: out of descriptors, each retry fails again.
  util::throttle accept_log{std::chrono::seconds(10)};
  inflight_table inflight;
  flight::block_state blocks;
  fetch::scheduler fetches;
  reload_requests reloads;
  // Parents of every rule: marked down or not, and their counters.
  tier::parent_table parents;

  std::shared_ptr<const config::config> config_now() const {
    return cfg.load(std::memory_order_acquire);
  }
};

}  // namespace rangecache::proxy
