// sync: none flushes the data file every sync_interval. The flush (fdatasync of whatever
// the interval wrote, often hundreds of MiB) takes tens of milliseconds on a disk; done by
// the writer thread it held every fill and every client streaming from one for that long.
// This thread does it instead, while the writer goes on: LMDB's data file may be flushed
// while a write transaction runs (the flush only asks the kernel to write pages out).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <lmdb.h>

namespace rangecache::cache::detail {

class interval_sync {
 public:
  interval_sync(MDB_env* env, std::chrono::milliseconds interval);
  ~interval_sync();
  interval_sync(const interval_sync&) = delete;
  interval_sync& operator=(const interval_sync&) = delete;

  // Something was committed since the last flush.
  void mark_dirty() { dirty_.store(true, std::memory_order_relaxed); }
  // Ends the thread; what it has not flushed is the caller's to flush.
  void stop();

 private:
  void run();

  MDB_env* env_;
  const std::chrono::milliseconds interval_;
  std::atomic<bool> dirty_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rangecache::cache::detail
