// The Prometheus text served at /metrics: the proxy's counters summed over its workers, the
// store's counters and sizes (when there is a store), the background fetches', and each
// parent's (requests, failures, marked down).
#pragma once

#include <string>

#include "rangecache/cache/object_store.hpp"
#include "rangecache/fetch/scheduler.hpp"
#include "rangecache/proxy/request_metrics.hpp"
#include "rangecache/tier/health.hpp"
#include "stats.hpp"

namespace rangecache::proxy {

// Besides those: the request metrics and what is waiting on fills.
struct metrics_extra {
  const request_totals* requests = nullptr;
  std::vector<std::string> rule_names;
  std::size_t fills_in_flight = 0;
  std::size_t fill_waiters = 0;
  std::uint64_t cache_max_bytes = 0;  // cache.max_size
};

std::string metrics_text(const proxy_totals& totals, cache::object_store* store,
                         fetch::scheduler& fetches,
                         const std::vector<tier::parent_table::row>& parents,
                         const metrics_extra& extra);

}  // namespace rangecache::proxy
