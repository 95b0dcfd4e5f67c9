// Request collapsing: the first miss for a key leads (goes upstream); later misses for the
// same key, on any worker, wait for it and then find the object in the store.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "asio_fwd.hpp"

namespace rangecache::proxy {

class inflight_table {
 public:
  using timer_ptr = std::shared_ptr<asio::steady_timer>;

  // True: the caller leads and must call finish(key). False: `wake` (a timer on the
  // caller's own executor) is cancelled when the leader finishes.
  bool join(const std::string& key, const timer_ptr& wake);
  // A follower that stopped waiting.
  void leave(const std::string& key, const timer_ptr& wake);
  // The leader is done (stored or not): every follower wakes and looks again.
  void finish(const std::string& key);

  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<timer_ptr>> entries_;
};

}  // namespace rangecache::proxy
