// Which background fetches run: one per URL at a time across all workers, a back-off after a
// failure, a bounded queue and at most max_concurrent running. Thread-safe; knows nothing of
// sockets (the proxy runs the jobs it hands out).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace rangecache::fetch {

struct job {
  std::string url;       // cache URL (the complete object's key is built from it)
  std::string key;       // the complete object's cache key (its variant's, when it varies)
  std::string base_key;  // the same without a variant (plan/vary.hpp)
  std::string target;    // upstream request target
  std::string host;      // origin to connect to
  std::uint16_t port = 80;
  // The client's headers, less Range, the conditionals and credentials.
  std::vector<std::pair<std::string, std::string>> headers;
  // The rule's targeted cache-control fields (RFC 9213), for the storing decisions.
  std::vector<std::string> cache_control_fields;
  std::vector<std::string> key_headers;  // the rule's cache key headers (Vary)
  std::chrono::steady_clock::time_point queued_at{};
};

enum class offer_result { start_now, queued, duplicate, backing_off, queue_full };

struct scheduler_stats {
  std::atomic<std::uint64_t> offered{0}, started{0}, completed{0}, failed{0};
  std::atomic<std::uint64_t> duplicates{0}, backing_off{0}, dropped_queue_full{0},
      excluded_by_rule{0}, already_cached{0};
  std::atomic<std::uint64_t> bytes{0};
};

class scheduler {
 public:
  void configure(unsigned max_concurrent, std::size_t queue_size,
                 std::chrono::milliseconds backoff);

  // start_now: the caller runs `j` at once (a slot is taken for it). queued: `j` was moved
  // into the queue and finish() hands it out later. Anything else: dropped (counted).
  offer_result offer(job& j, std::chrono::steady_clock::time_point now);

  // A finished fetch frees its slot and URL; a failed one starts the URL's back-off. Returns
  // the next queued job to run in the freed slot, if any.
  std::optional<job> finish(const std::string& url, bool ok,
                            std::chrono::steady_clock::time_point now);

  bool in_flight(const std::string& url) const;
  // True (and counted as an offer and a duplicate, as offer() would) when `url` is queued or
  // running: lets a caller skip building a job that would be dropped.
  bool count_if_duplicate(const std::string& url);
  std::size_t running() const;
  std::size_t queued() const;
  // How long the oldest queued fetch has waited at `now`; zero with an empty queue.
  std::chrono::steady_clock::duration oldest_wait(std::chrono::steady_clock::time_point now) const;
  scheduler_stats& stats() { return stats_; }

 private:
  mutable std::mutex mutex_;
  unsigned max_concurrent_ = 4;
  std::size_t queue_size_ = 256;
  std::chrono::milliseconds backoff_{30'000};
  unsigned running_ = 0;
  std::deque<job> queue_;
  std::unordered_set<std::string> urls_;  // queued or running
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> retry_after_;
  scheduler_stats stats_;
};

}  // namespace rangecache::fetch
