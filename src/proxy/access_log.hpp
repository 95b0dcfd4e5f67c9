// One access-log line per request, in the format log.access_format names. Each worker gathers
// its lines (access_batch) and hands them to spdlog's file sink many at a time; the sink is
// stdio-buffered and flushed once a second, so a request costs no log syscall, no lock shared
// with the other workers and none of spdlog's work per message.
#pragma once

#include <memory>
#include <string_view>

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

  // Appends the line of `e` (without its newline) to `out`.
  void format(const access_entry& e, fmt::memory_buffer& out) const;
  // Writes whole lines, each but the last followed by a newline, in one call.
  void write_lines(std::string_view lines) const;
  void flush() const { logger_->flush(); }
  config::access_log_format format() const { return format_; }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  config::access_log_format format_;
};

// One worker's lines not yet written: written when 32 KiB have gathered, when the log is
// replaced by a reload (to the log they were formatted for), by the worker's idle sweep a few
// times a second, and when the worker ends.
class access_batch {
 public:
  access_batch() = default;
  access_batch(const access_batch&) = delete;
  access_batch& operator=(const access_batch&) = delete;
  ~access_batch() { write_out(); }

  void add(const std::shared_ptr<const access_log>& log, const access_entry& e);
  void write_out();

 private:
  static constexpr std::size_t batch_bytes = 32 * 1024;
  std::shared_ptr<const access_log> log_;
  fmt::memory_buffer lines_;
};

}  // namespace rangecache::proxy
