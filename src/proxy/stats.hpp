// Request counters, one set per worker: each worker bumps only its own (relaxed atomics on
// a cache line of their own, so workers never contend), and the admin endpoint sums the
// sets when it is read.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>

namespace rangecache::proxy {

// Every counter, listed once: the per-worker set and the summed totals are both made from
// this list, so a counter cannot be added to one and forgotten in the other.
#define RANGECACHE_PROXY_COUNTERS(X)                                             \
  X(connections_accepted)                                                        \
  X(connections_refused) /* over max_connections */                              \
  X(accept_errors)       /* accept() failed (EMFILE, ...) */                     \
  X(requests)                                                                    \
  X(bad_requests)                                                                \
  X(upstream_requests)                                                           \
  X(upstream_errors)                                                             \
  X(upstream_timeouts)                                                           \
  X(upstream_reused)                                                             \
  X(upstream_retried) /* pooled connections the origin had closed: sent again */ \
  X(responses_cut)    /* a body cut short: the client connection closed */       \
  X(bytes_sent)                                                                  \
  X(collapsed)          /* misses that waited for another's fill */              \
  X(active_connections) /* a gauge: up when a connection opens, down when it closes */

struct alignas(64) proxy_stats {
#define RANGECACHE_COUNTER_FIELD(name) std::atomic<std::uint64_t> name{0};
  RANGECACHE_PROXY_COUNTERS(RANGECACHE_COUNTER_FIELD)
#undef RANGECACHE_COUNTER_FIELD
};

// The sum over workers, as plain numbers.
struct proxy_totals {
#define RANGECACHE_TOTAL_FIELD(name) std::uint64_t name = 0;
  RANGECACHE_PROXY_COUNTERS(RANGECACHE_TOTAL_FIELD)
#undef RANGECACHE_TOTAL_FIELD
};

inline proxy_totals sum_of(std::span<const proxy_stats* const> workers) {
  proxy_totals t;
  for (const auto* s : workers) {
#define RANGECACHE_ADD_FIELD(name) t.name += s->name.load(std::memory_order_relaxed);
    RANGECACHE_PROXY_COUNTERS(RANGECACHE_ADD_FIELD)
#undef RANGECACHE_ADD_FIELD
  }
  return t;
}

inline void bump(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) {
  c.fetch_add(n, std::memory_order_relaxed);
}

}  // namespace rangecache::proxy
