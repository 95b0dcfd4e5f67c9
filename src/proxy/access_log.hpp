// One access-log line per request. spdlog's file sink is stdio-buffered and flushed once a
// second, so a request costs no log syscall.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace rangecache::proxy {

struct access_entry {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  // Views into the session's and the request's own storage, which outlive the entry: the
  // hit path allocates nothing for its log line.
  std::string_view client;
  std::string_view method;
  std::string_view host;    // empty until the request's authority is known
  std::string_view target;  // path and query
  std::string url() const {
    return host.empty() ? std::string(target) : "http://" + std::string(host) + std::string(target);
  }
  unsigned status = 0;
  std::uint64_t bytes = 0;
  const char* cache = "-";  // PASS, MISS, HIT, HIT_FULL, REVALIDATED, ERROR, ...
  unsigned upstream_status = 0;
  // Where the request went upstream ("origin", "parent:10.0.0.12:8080"), owned by the
  // session; null or empty: nowhere.
  const std::string* upstream = nullptr;
};

void write_access(spdlog::logger& log, const access_entry& e);

}  // namespace rangecache::proxy
