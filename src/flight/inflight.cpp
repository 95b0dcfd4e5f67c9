#include "rangecache/flight/inflight.hpp"

#include <algorithm>

namespace rangecache::flight {

inflight_table::role inflight_table::join(const std::string& key, const waiter_ptr& w) {
  std::lock_guard lock(mutex_);
  if (auto u = uncacheable_.find(key); u != uncacheable_.end()) {
    if (std::chrono::steady_clock::now() < u->second) return role::pass;
    uncacheable_.erase(u);
  }
  auto [it, inserted] = entries_.try_emplace(key);
  if (inserted) return role::lead;
  it->second.waiters.push_back(w);
  return role::follow;
}

inflight_table::role inflight_table::try_lead(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto u = uncacheable_.find(key); u != uncacheable_.end()) {
    if (std::chrono::steady_clock::now() < u->second) return role::pass;
    uncacheable_.erase(u);
  }
  return entries_.try_emplace(key).second ? role::lead : role::follow;
}

void inflight_table::leave(const std::string& key, const waiter_ptr& w) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  std::erase(it->second.waiters, w);
}

void inflight_table::publish(const std::string& key,
                             std::shared_ptr<const inflight_stream> stream) {
  std::vector<waiter_ptr> waiters;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    it->second.stream = std::move(stream);
    waiters = it->second.waiters;
  }
  // Followers sleep until something changes: the fill they wait for has begun.
  for (auto& w : waiters) asio::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
}

std::shared_ptr<const inflight_stream> inflight_table::stream(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second.stream;
}

void inflight_table::finish(const std::string& key) {
  std::vector<waiter_ptr> waiters;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    waiters = std::move(it->second.waiters);
    entries_.erase(it);
  }
  // Each timer lives on its follower's event loop: cancel it there. The flag covers a
  // follower that is between two waits when the cancel lands.
  for (auto& w : waiters) {
    w->finished.store(true);
    asio::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
  }
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

std::size_t inflight_table::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t inflight_table::waiters() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [key, e] : entries_) n += e.waiters.size();
  return n;
}

awaitable<follow_result> follow(inflight_table& table, std::string key,
                                std::shared_ptr<inflight_waiter> waiter,
                                std::chrono::steady_clock::time_point deadline,
                                std::function<bool(const inflight_stream&)> usable) {
  follow_result out;
  while (!waiter->finished.load()) {
    if (auto st = table.stream(key); st && usable(*st)) {
      table.leave(key, waiter);
      out.stream = std::move(st);
      co_return out;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      table.leave(key, waiter);
      co_return out;
    }
    // Woken (the timer cancelled on this loop) when the leader publishes or finishes.
    waiter->timer.expires_at(deadline);
    co_await waiter->timer.async_wait(use_tuple);
  }
  out.finished = true;
  co_return out;
}

}  // namespace rangecache::flight
