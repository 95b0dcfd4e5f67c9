// Server-wide counters: relaxed atomics, summed when the admin endpoint reads them.
#pragma once

#include <atomic>
#include <cstdint>

namespace rangecache::proxy {

struct proxy_stats {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_refused{0};  // over max_connections
  std::atomic<std::uint64_t> accept_errors{0};        // accept() failed (EMFILE, ...)
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> bad_requests{0};
  std::atomic<std::uint64_t> upstream_requests{0};
  std::atomic<std::uint64_t> upstream_errors{0};
  std::atomic<std::uint64_t> upstream_timeouts{0};
  std::atomic<std::uint64_t> upstream_reused{0};
  std::atomic<std::uint64_t> responses_cut{0};  // a body cut short: the client connection closed
  std::atomic<std::uint64_t> bytes_sent{0};
  std::atomic<std::uint64_t> collapsed{0};  // misses that waited for another's fill
  std::atomic<std::uint64_t> active_connections{0};
};

inline void bump(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) {
  c.fetch_add(n, std::memory_order_relaxed);
}

}  // namespace rangecache::proxy
