// At most one log line per interval for an error that can repeat many times a second
// (accept() failing with EMFILE, a full disk): the rest are counted and reported with the
// next line that is let through.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace rangecache::util {

class throttle {
 public:
  explicit throttle(std::chrono::steady_clock::duration interval) : interval_(interval) {}

  // True when a line may be written now; `suppressed` then says how many events were held
  // back since the last line. Safe to call from any thread.
  bool allow(std::chrono::steady_clock::time_point now, std::uint64_t& suppressed);

 private:
  std::mutex mutex_;
  const std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point next_{};
  std::uint64_t held_ = 0;
  bool started_ = false;
};

}  // namespace rangecache::util
