#include "rangecache/flight/block_state.hpp"

namespace rangecache::flight {

block_state::verdict block_state::observe(const std::string& url, const plan::block_identity& got,
                                          std::uint64_t seq,
                                          const std::optional<plan::block_identity>& expected) {
  std::lock_guard lock(mutex_);
  // Entries matter only while fetches of the URL overlap: forgetting them all now and then
  // keeps the map bounded and costs at most a late old block stored (and then refused when
  // read, for its identity).
  if (versions_.size() >= max_entries) versions_.clear();
  auto [it, inserted] = versions_.try_emplace(url);
  auto& v = it->second;
  if (inserted) {
    // First sight since start (or since the map was cleared): what the block index says is
    // the version known before any fetch now running.
    v = {expected ? *expected : got, expected ? 0 : seq};
  }
  if (v.id == got) {
    v.seq = std::max(v.seq, seq);
    return verdict::same;
  }
  if (seq > v.seq) {
    v = {got, seq};
    return verdict::newer;
  }
  return verdict::older;
}

std::optional<plan::block_identity> block_state::current(const std::string& url) const {
  std::lock_guard lock(mutex_);
  auto it = versions_.find(url);
  if (it == versions_.end()) return std::nullopt;
  return it->second.id;
}

void block_state::mark_not_blocks(const std::string& url,
                                  std::chrono::steady_clock::time_point until) {
  std::lock_guard lock(mutex_);
  if (not_blocks_.size() >= max_entries) {
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(not_blocks_, [&](const auto& e) { return e.second <= now; });
    if (not_blocks_.size() >= max_entries) not_blocks_.clear();
  }
  not_blocks_[url] = until;
}

bool block_state::not_blocks(const std::string& url,
                             std::chrono::steady_clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto it = not_blocks_.find(url);
  return it != not_blocks_.end() && now < it->second;
}

std::optional<plan::reader_mark> block_state::last_read(const std::string& address) const {
  std::lock_guard lock(mutex_);
  auto it = readers_.find(address);
  if (it == readers_.end()) return std::nullopt;
  return it->second;
}

void block_state::note_read(const std::string& address, plan::reader_mark mark) {
  std::lock_guard lock(mutex_);
  // A mark is worth something for a few seconds only: forgetting them all is harmless.
  if (readers_.size() >= max_entries) readers_.clear();
  readers_[address] = std::move(mark);
}

bool block_state::try_start_read_ahead(std::uint32_t limit) {
  auto n = read_ahead_running_.load(std::memory_order_relaxed);
  while (n < limit)
    if (read_ahead_running_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
  return false;
}

std::optional<std::uint32_t> block_state::note_read_ahead(const std::string& block_key,
                                                          std::uint32_t rule) {
  std::lock_guard lock(mutex_);
  if (!unused_.try_emplace(block_key, rule).second) return std::nullopt;
  unused_order_.push_back(block_key);
  while (unused_order_.size() > max_entries) {
    auto oldest = std::move(unused_order_.front());
    unused_order_.pop_front();
    if (auto it = unused_.find(oldest); it != unused_.end()) {
      const auto dropped = it->second;
      unused_.erase(it);
      return dropped;
    }
  }
  return std::nullopt;
}

std::optional<std::uint32_t> block_state::take_read_ahead(const std::string& block_key) {
  std::lock_guard lock(mutex_);
  auto it = unused_.find(block_key);
  if (it == unused_.end()) return std::nullopt;
  const auto rule = it->second;
  unused_.erase(it);
  // The order list keeps the key until it comes up; it is skipped then.
  return rule;
}

}  // namespace rangecache::flight
