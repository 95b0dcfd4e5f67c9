// Waiting on a fill's progress from an event loop. The store's writer calls the fill's
// listeners when bytes become durable or the fill ends; the listener here posts a wake-up to
// the waiting coroutine's own loop, so a reader following a fill sleeps until there is
// something new to read instead of polling.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "rangecache/cache/fill.hpp"
#include "rangecache/net/asio_names.hpp"

namespace rangecache::flight {

using namespace rangecache::net;

class progress_wait {
 public:
  // `progress` must outlive this object (the caller holds the fill's shared progress).
  progress_wait(asio::any_io_executor ex, const cache::fill_progress& progress);
  ~progress_wait();
  progress_wait(const progress_wait&) = delete;
  progress_wait& operator=(const progress_wait&) = delete;

  // Returns once the progress changed since the previous call (at once if it already has),
  // or at `until`.
  awaitable<void> changed(std::chrono::steady_clock::time_point until);

 private:
  struct wake_state {
    explicit wake_state(asio::any_io_executor ex) : timer(std::move(ex)) {}
    asio::steady_timer timer;
    std::atomic<bool> woken{false};
  };
  std::shared_ptr<wake_state> state_;
  const cache::fill_progress& progress_;
  std::uint64_t id_;
};

}  // namespace rangecache::flight
