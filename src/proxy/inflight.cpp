#include "inflight.hpp"

#include <algorithm>

namespace rangecache::proxy {

bool inflight_table::join(const std::string& key, const timer_ptr& wake) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = entries_.try_emplace(key);
  if (inserted) return true;
  it->second.push_back(wake);
  return false;
}

void inflight_table::leave(const std::string& key, const timer_ptr& wake) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  std::erase(it->second, wake);
}

void inflight_table::finish(const std::string& key) {
  std::vector<timer_ptr> waiters;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    waiters = std::move(it->second);
    entries_.erase(it);
  }
  // Each timer lives on its follower's event loop: cancel it there.
  for (auto& t : waiters) asio::post(t->get_executor(), [t] { t->cancel(); });
}

std::size_t inflight_table::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace rangecache::proxy
