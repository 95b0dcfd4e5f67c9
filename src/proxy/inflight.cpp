#include "inflight.hpp"

#include <algorithm>

namespace rangecache::proxy {

inflight_table::role inflight_table::join(const std::string& key, const timer_ptr& wake) {
  std::lock_guard lock(mutex_);
  if (auto u = uncacheable_.find(key); u != uncacheable_.end()) {
    if (std::chrono::steady_clock::now() < u->second) return role::pass;
    uncacheable_.erase(u);
  }
  auto [it, inserted] = entries_.try_emplace(key);
  if (inserted) return role::lead;
  it->second.push_back(wake);
  return role::follow;
}

void inflight_table::mark_uncacheable(const std::string& key,
                                      std::chrono::steady_clock::duration ttl) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  // Bounded: expired marks are swept when the map grows.
  if (uncacheable_.size() > 10'000)
    std::erase_if(uncacheable_, [&](const auto& e) { return e.second <= now; });
  uncacheable_[key] = now + ttl;
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
