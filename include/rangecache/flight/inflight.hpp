// Request collapsing: the first miss for a key leads (goes upstream); later misses for the
// same key, on any worker, wait for it. Once the leader's fill has begun they are served
// from its bytes as they become durable in the store (read-while-write); when it ends they
// look again (and find the object, or one of them leads the next try).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <functional>

#include "rangecache/cache/fill.hpp"
#include "rangecache/cache/object.hpp"
#include "rangecache/net/asio_names.hpp"

namespace rangecache::flight {

using namespace rangecache::net;

// A fetch that may be called off (a block fetched ahead of a reader that went away), and
// the requests streaming from it, which keep it going.
struct fetch_claim {
  std::atomic<bool> cancel{false};
  std::atomic<int> users{0};
};

// A fill others may read while it is being written.
struct inflight_stream {
  cache::cached_object object;  // meta as it will commit; ref = the fill's progress_ref
  std::shared_ptr<const cache::fill_progress> progress;
  std::shared_ptr<fetch_claim> claim;  // set for fetches that may be called off
};

// One waiting request; lives on its own event loop. Its timer is cancelled (on that loop)
// when the leader publishes its fill or finishes.
struct inflight_waiter {
  explicit inflight_waiter(asio::any_io_executor ex) : timer(std::move(ex)) {}
  asio::steady_timer timer;
  std::atomic<bool> finished{false};  // the leader ended: look again
};

class inflight_table {
 public:
  using waiter_ptr = std::shared_ptr<inflight_waiter>;

  enum class role {
    lead,    // go upstream; call finish(key) once the fill is decided
    follow,  // wait: `w->finished` is set and its timer cancelled when the leader ends
    pass,    // the key was recently found uncacheable: go upstream without waiting
  };
  role join(const std::string& key, const waiter_ptr& w);
  // Leads the key when no one does (as join), but never waits on it: `follow` only says
  // someone else leads. For work that is pointless twice (a background fetch, a block
  // fetched ahead) and needs no one's result.
  role try_lead(const std::string& key);
  // A follower that stopped waiting.
  void leave(const std::string& key, const waiter_ptr& w);
  // The leader's fill has begun with a known length: followers may stream from it, and are
  // woken to do so.
  void publish(const std::string& key, std::shared_ptr<const inflight_stream> stream);
  std::shared_ptr<const inflight_stream> stream(const std::string& key) const;
  // The leader is done (stored or not): every follower wakes and looks again.
  void finish(const std::string& key);
  // The leader found the answer uncacheable: for `ttl`, requests for the key do not wait
  // for one another ("hit-for-pass"), or uncacheable URLs would be served one at a time.
  void mark_uncacheable(const std::string& key, std::chrono::steady_clock::duration ttl);

  std::size_t size() const;
  // Requests waiting on a leader, over every key.
  std::size_t waiters() const;

 private:
  struct entry {
    std::vector<waiter_ptr> waiters;
    std::shared_ptr<const inflight_stream> stream;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> uncacheable_;
};

// How a follower's wait ended.
struct follow_result {
  std::shared_ptr<const inflight_stream> stream;  // the leader's fill, to stream from
  bool finished = false;  // the leader ended without one it may use: look again
};

// Waits as `waiter` (already joined as a follower of `key`) until the leader publishes a
// fill that `usable` accepts, the leader finishes, or `deadline` passes (then neither is
// set). Leaves the table on the way out unless the leader finished. Wakes only when
// something changes: no polling.
awaitable<follow_result> follow(inflight_table& table, std::string key,
                                std::shared_ptr<inflight_waiter> waiter,
                                std::chrono::steady_clock::time_point deadline,
                                std::function<bool(const inflight_stream&)> usable);

}  // namespace rangecache::flight
