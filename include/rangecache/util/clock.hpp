// The current Unix time in whole seconds, behind an interface: freshness decisions ask it
// instead of the system clock directly, so a test can hold time still or move it forward
// instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace rangecache::util {

class clock {
 public:
  virtual ~clock() = default;
  // Seconds since the Unix epoch. Safe to call from any thread.
  virtual std::int64_t now() const = 0;
};

// The real time (std::chrono::system_clock), one instance shared by everyone.
std::shared_ptr<const clock> system_clock();

// Time that moves only when told to: for tests. Safe to read and move from any thread.
class manual_clock final : public clock {
 public:
  explicit manual_clock(std::int64_t start) : now_(start) {}
  // Starts at the real time now, so it agrees with Date headers written by real servers.
  manual_clock();

  std::int64_t now() const override { return now_.load(std::memory_order_acquire); }
  void set(std::int64_t unix_seconds) { now_.store(unix_seconds, std::memory_order_release); }
  void advance(std::chrono::seconds by) { now_.fetch_add(by.count(), std::memory_order_acq_rel); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace rangecache::util
