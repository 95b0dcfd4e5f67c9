// A body on its way from an origin, written into the store as it passes: each piece is
// appended to a fill, the fill commits with the last one, and then the piece goes on (to a
// client, when there is one). Nothing partial is ever stored: a fill that is not committed
// is aborted when the tee goes away.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>

#include "rangecache/cache/fill.hpp"
#include "rangecache/cache/object.hpp"
#include "rangecache/flight/progress_wait.hpp"
#include "rangecache/origin/client.hpp"

namespace rangecache::flight {

struct tee_options {
  // A fill with no client behind it (a background fetch) keeps this far ahead of what the
  // store's writer has made durable at most, instead of filling the writer queue that client
  // fills share; 0: no pacing.
  std::uint64_t ahead_limit = 0;
  // Checked with every piece and while pacing: true ends the fill and the relay (the daemon
  // is shutting down).
  const std::atomic<bool>* stop = nullptr;
  // Called just before the fill commits: what must be visible no later than the object
  // (its vary index) commits here, ahead of it in the store's queue.
  std::function<void()> before_commit;
  // Called once the fill committed (or failed to), before the last piece goes on.
  std::function<void()> on_commit;
};

class store_tee : public origin::body_sink {
 public:
  // `fill` may be inactive (nothing is stored; pieces only go on to `next`). `meta` is the
  // record made from the answer's head; its content_length is set at commit. `next` may be
  // null. Both outlive the tee.
  store_tee(asio::any_io_executor ex, cache::fill& fill, cache::object_meta meta,
            origin::body_sink* next, tee_options options = {});
  ~store_tee() override;

  awaitable<bool> take(std::string_view piece, bool last) override;

  bool committed() const { return committed_; }
  std::uint64_t stored() const { return appended_; }

 private:
  awaitable<void> keep_pace();

  asio::any_io_executor ex_;
  cache::fill& fill_;
  cache::object_meta meta_;
  origin::body_sink* next_;
  tee_options options_;
  std::optional<progress_wait> pace_;
  std::uint64_t appended_ = 0;
  bool committed_ = false;
};

}  // namespace rangecache::flight
