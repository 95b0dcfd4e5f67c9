#include "rangecache/tier/health.hpp"

namespace rangecache::tier {

void parent_state::failed(std::int64_t now, std::chrono::seconds for_how_long) {
  failures_.fetch_add(1, std::memory_order_relaxed);
  if (for_how_long.count() <= 0) return;  // mark_down: 0s, a failed parent is never skipped
  const std::int64_t until = now + for_how_long.count();
  auto current = down_until_.load(std::memory_order_acquire);
  // Several workers may see the same parent fail at once: the first one to move the
  // deadline from the past counts the transition; the deadline only moves forward.
  while (current < until) {
    if (down_until_.compare_exchange_weak(current, until, std::memory_order_acq_rel)) {
      if (current <= now) marked_down_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
}

parent_state& parent_table::at(std::string_view node) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(node);
  if (it == nodes_.end())
    it = nodes_.emplace(std::string(node), std::make_unique<parent_state>()).first;
  return *it->second;
}

std::vector<parent_table::row> parent_table::snapshot(std::int64_t now) const {
  std::lock_guard lock(mu_);
  std::vector<row> out;
  out.reserve(nodes_.size());
  for (const auto& [name, s] : nodes_)
    out.push_back({name, s->requests(), s->failures(), s->marked_down(), s->down(now)});
  return out;
}

}  // namespace rangecache::tier
