// What every worker knows about the parents of a tier: which are marked down (until when,
// on the injectable clock) and their counters for /metrics. Shared between worker threads;
// a node's entry lives as long as the table, whatever reloads do to the rules naming it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace rangecache::tier {

class parent_state {
 public:
  bool down(std::int64_t now) const { return now < down_until_.load(std::memory_order_acquire); }
  // A request went to this parent.
  void count_request() { requests_.fetch_add(1, std::memory_order_relaxed); }
  // It gave no answer (connect error, reset, timeout): skipped until now + `for_how_long`.
  // Counted as marked down once per time it goes from up to down.
  void failed(std::int64_t now, std::chrono::seconds for_how_long);

  std::uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }
  std::uint64_t marked_down() const { return marked_down_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> down_until_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::uint64_t> marked_down_{0};
};

class parent_table {
 public:
  // The entry of `node` (its canonical "host:port"), made on first use. The reference stays
  // valid as long as the table.
  parent_state& at(std::string_view node);

  struct row {
    std::string node;
    std::uint64_t requests = 0, failures = 0, marked_down = 0;
    bool down = false;
  };
  // Every node seen so far, by name.
  std::vector<row> snapshot(std::int64_t now) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<parent_state>, std::less<>> nodes_;
};

}  // namespace rangecache::tier
