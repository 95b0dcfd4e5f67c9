#include "rangecache/util/throttle.hpp"

namespace rangecache::util {

bool throttle::allow(std::chrono::steady_clock::time_point now, std::uint64_t& suppressed) {
  std::lock_guard lock(mutex_);
  if (started_ && now < next_) {
    ++held_;
    return false;
  }
  started_ = true;
  next_ = now + interval_;
  suppressed = held_;
  held_ = 0;
  return true;
}

}  // namespace rangecache::util
