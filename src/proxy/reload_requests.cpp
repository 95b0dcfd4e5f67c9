#include "reload_requests.hpp"

namespace rangecache::proxy {

void reload_requests::set_trigger(std::function<void()> trigger) {
  std::lock_guard lock(mutex_);
  trigger_ = std::move(trigger);
}

bool reload_requests::ask(answer_fn answer) {
  std::function<void()> trigger;
  {
    std::lock_guard lock(mutex_);
    if (!trigger_) return false;
    waiting_.push_back(std::move(answer));
    trigger = trigger_;
  }
  // Outside the lock: the trigger may run the reload itself, which takes the waiting list.
  trigger();
  return true;
}

std::vector<reload_requests::answer_fn> reload_requests::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(waiting_, {});
}

}  // namespace rangecache::proxy
