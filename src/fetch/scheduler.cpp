#include "rangecache/fetch/scheduler.hpp"

namespace rangecache::fetch {

void scheduler::configure(unsigned max_concurrent, std::size_t queue_size,
                          std::chrono::milliseconds backoff) {
  std::lock_guard lock(mutex_);
  max_concurrent_ = std::max(1u, max_concurrent);
  queue_size_ = queue_size;
  backoff_ = backoff;
}

offer_result scheduler::offer(job& j, std::chrono::steady_clock::time_point now) {
  stats_.offered.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  if (urls_.contains(j.url)) {
    stats_.duplicates.fetch_add(1, std::memory_order_relaxed);
    return offer_result::duplicate;
  }
  if (auto it = retry_after_.find(j.url); it != retry_after_.end()) {
    if (now < it->second) {
      stats_.backing_off.fetch_add(1, std::memory_order_relaxed);
      return offer_result::backing_off;
    }
    retry_after_.erase(it);
  }
  if (running_ < max_concurrent_) {
    ++running_;
    urls_.insert(j.url);
    stats_.started.fetch_add(1, std::memory_order_relaxed);
    return offer_result::start_now;
  }
  if (queue_.size() >= queue_size_) {
    stats_.dropped_queue_full.fetch_add(1, std::memory_order_relaxed);
    return offer_result::queue_full;
  }
  urls_.insert(j.url);
  j.queued_at = now;
  queue_.push_back(std::move(j));
  return offer_result::queued;
}

std::optional<job> scheduler::finish(const std::string& url, bool ok,
                                     std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  urls_.erase(url);
  if (ok) {
    stats_.completed.fetch_add(1, std::memory_order_relaxed);
  } else {
    stats_.failed.fetch_add(1, std::memory_order_relaxed);
    retry_after_[url] = now + backoff_;
  }
  // Expired back-offs are forgotten so the map does not grow with every failing URL.
  if (retry_after_.size() > 4096)
    std::erase_if(retry_after_, [&](const auto& e) { return e.second <= now; });
  if (!queue_.empty()) {
    auto next = std::move(queue_.front());
    queue_.pop_front();
    stats_.started.fetch_add(1, std::memory_order_relaxed);
    return next;  // the slot passes to it
  }
  if (running_) --running_;
  return std::nullopt;
}

bool scheduler::in_flight(const std::string& url) const {
  std::lock_guard lock(mutex_);
  return urls_.contains(url);
}

bool scheduler::count_if_duplicate(const std::string& url) {
  {
    std::lock_guard lock(mutex_);
    if (!urls_.contains(url)) return false;
  }
  stats_.offered.fetch_add(1, std::memory_order_relaxed);
  stats_.duplicates.fetch_add(1, std::memory_order_relaxed);
  return true;
}

std::size_t scheduler::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

std::chrono::steady_clock::duration scheduler::oldest_wait(
    std::chrono::steady_clock::time_point now) const {
  std::lock_guard lock(mutex_);
  std::chrono::steady_clock::duration oldest{0};
  for (const auto& j : queue_) oldest = std::max(oldest, now - j.queued_at);
  return oldest;
}

std::size_t scheduler::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

}  // namespace rangecache::fetch
