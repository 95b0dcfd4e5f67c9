// The Prometheus text served at /metrics: the proxy's counters summed over its workers, the
// store's counters and sizes (when there is a store), the background fetches', and each
// parent's (requests, failures, marked down).
#pragma once

#include <string>

#include "rangecache/cache/object_store.hpp"
#include "rangecache/fetch/scheduler.hpp"
#include "rangecache/tier/health.hpp"
#include "stats.hpp"

namespace rangecache::proxy {

std::string metrics_text(const proxy_totals& totals, cache::object_store* store,
                         fetch::scheduler& fetches,
                         const std::vector<tier::parent_table::row>& parents);

}  // namespace rangecache::proxy
