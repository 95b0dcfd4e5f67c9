#include "interval_sync.hpp"

namespace rangecache::cache::detail {

interval_sync::interval_sync(MDB_env* env, std::chrono::milliseconds interval)
    : env_(env), interval_(interval), thread_([this] { run(); }) {}

interval_sync::~interval_sync() {
  stop();
}

void interval_sync::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void interval_sync::run() {
  std::unique_lock lock(mu_);
  // No interval: nothing to flush until the owner's last flush (and no busy loop).
  if (interval_.count() <= 0) {
    cv_.wait(lock, [this] { return stopping_; });
    return;
  }
  while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
    if (!dirty_.exchange(false, std::memory_order_relaxed)) continue;
    lock.unlock();
    mdb_env_sync(env_, 1);
    lock.lock();
  }
}

}  // namespace rangecache::cache::detail
