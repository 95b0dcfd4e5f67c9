// One access-log line per request, in the format log.access_format names. spdlog's file sink
// is stdio-buffered and flushed once a second, so a request costs no log syscall.
#pragma once

#include <memory>

#include <spdlog/logger.h>

#include "rangecache/config/config.hpp"
#include "rangecache/proxy/access_format.hpp"

namespace rangecache::proxy {

// The logger and the format travel together: a reload swaps both at once, so no line is
// ever written in one format to a logger made for another (the time prefix differs).
class access_log {
 public:
  access_log(std::shared_ptr<spdlog::logger> logger, config::access_log_format format)
      : logger_(std::move(logger)), format_(format) {}

  void write(const access_entry& e) const;
  void flush() const { logger_->flush(); }
  config::access_log_format format() const { return format_; }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  config::access_log_format format_;
};

}  // namespace rangecache::proxy
