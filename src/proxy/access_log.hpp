// One access-log line per request. spdlog's file sink is stdio-buffered and flushed once a
// second, so a request costs no log syscall.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace rangecache::proxy {

struct access_entry {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string client;
  std::string method;
  std::string url;
  unsigned status = 0;
  std::uint64_t bytes = 0;
  const char* cache = "-";  // PASS, MISS, HIT, HIT_FULL, REVALIDATED, ERROR, ...
  unsigned upstream_status = 0;
};

void write_access(spdlog::logger& log, const access_entry& e);

}  // namespace rangecache::proxy
