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

  enum class role {
    lead,    // go upstream; call finish(key) once the fill is decided
    follow,  // `wake` (a timer on the caller's own executor) is cancelled when the leader ends
    pass,    // the key was recently found uncacheable: go upstream without waiting
  };
  role join(const std::string& key, const timer_ptr& wake);
  // A follower that stopped waiting.
  void leave(const std::string& key, const timer_ptr& wake);
  // The leader is done (stored or not): every follower wakes and looks again.
  void finish(const std::string& key);
  // The leader found the answer uncacheable: for `ttl`, requests for the key do not wait
  // for one another ("hit-for-pass"), or uncacheable URLs would be served one at a time.
  void mark_uncacheable(const std::string& key, std::chrono::steady_clock::duration ttl);

  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<timer_ptr>> entries_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> uncacheable_;
};

}  // namespace rangecache::proxy
