#include "access_log.hpp"

#include <spdlog/spdlog.h>

namespace rangecache::proxy {

void write_access(spdlog::logger& log, const access_entry& e) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  e.start)
                .count();
  // Fields: client method url status bytes duration_ms cache upstream_status upstream
  const bool went_up = e.upstream && !e.upstream->empty();
  log.info("{} {} {}{}{} {} {} {}.{:03} {} {} {}", e.client, e.method,
           e.host.empty() ? "" : "http://", e.host, e.target, e.status, e.bytes, us / 1000,
           us % 1000, e.cache,
           e.upstream_status ? std::to_string(e.upstream_status) : std::string("-"),
           went_up ? std::string_view(*e.upstream) : std::string_view("-"));
}

}  // namespace rangecache::proxy
