#include "rangecache/flight/progress_wait.hpp"

namespace rangecache::flight {

progress_wait::progress_wait(asio::any_io_executor ex, const cache::fill_progress& progress)
    : state_(std::make_shared<wake_state>(ex)), progress_(progress) {
  // The listener runs on the writer's thread: it only flags and posts. The post runs on our
  // loop after the coroutine has suspended, so a wake-up is never lost between a check of
  // the progress and the wait.
  id_ = progress_.listen([state = state_] {
    state->woken.store(true, std::memory_order_release);
    asio::post(state->timer.get_executor(), [state] { state->timer.cancel(); });
  });
}

progress_wait::~progress_wait() {
  progress_.unlisten(id_);
}

awaitable<void> progress_wait::changed(std::chrono::steady_clock::time_point until) {
  if (state_->woken.exchange(false, std::memory_order_acq_rel)) co_return;
  state_->timer.expires_at(until);
  auto [ignored] = co_await state_->timer.async_wait(use_tuple);
  (void)ignored;  // a cancel is the wake-up; expiry is the bound: both mean look again
  state_->woken.store(false, std::memory_order_release);
}

}  // namespace rangecache::flight
