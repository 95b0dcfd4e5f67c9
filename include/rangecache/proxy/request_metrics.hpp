// Per-request metrics, one set per worker: requests and body bytes per remap rule and cache
// result, origin bytes per rule, and latency histograms by cache result. Only the worker's
// own thread writes its set, so recording is a plain load and store (no locked instruction,
// no allocation); /metrics sums the sets of every worker when it is read.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rangecache::proxy {

// A counter with one writer (its worker) and any number of readers (the scrape). Relaxed
// atomics only so that the concurrent read is defined; the add is not a read-modify-write.
class owned_counter {
 public:
  void add(std::uint64_t n) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

// The cache results a request can end with (the access log's cache field); anything else
// counts as "OTHER".
inline constexpr std::array<std::string_view, 12> cache_result_names = {
    "HIT",       "HIT_FULL", "MISS",  "REVALIDATED", "REFRESH", "STALE",
    "COLLAPSED", "PASS",     "ERROR", "CUT",         "PURGE",   "OTHER"};
inline constexpr std::size_t cache_result_count = cache_result_names.size();
std::size_t cache_result_index(const char* name);

// Upper bounds of the latency buckets in microseconds (100 µs to 10 s); +Inf follows.
inline constexpr std::array<std::uint64_t, 16> latency_bounds_us = {
    100,    250,     500,     1'000,   2'500,     5'000,     10'000,    25'000,
    50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};
inline constexpr std::size_t latency_buckets = latency_bounds_us.size() + 1;
// The bucket a time falls in: the first bound it does not exceed, else the +Inf one.
std::size_t latency_bucket(std::uint64_t us);

struct histogram_cells {
  std::array<owned_counter, latency_buckets> buckets;
  owned_counter sum_us;
  void observe(std::uint64_t us) {
    buckets[latency_bucket(us)].add(1);
    sum_us.add(us);
  }
};

// Rules get a series each, keyed by their `from` text across reloads; a config with more
// distinct rules than this over the daemon's life shares the last series ("other").
inline constexpr std::size_t max_rule_series = 128;
inline constexpr std::uint32_t no_rule_series = ~std::uint32_t{0};

// What happens to the blocks of a block-mode rule: served stored (hit) or fetched for the
// request (miss), and blocks fetched ahead of sequential readers, later served (used) or
// cancelled, failed or never served (wasted).
enum class block_event : std::uint8_t {
  hit,
  miss,
  read_ahead_fetched,
  read_ahead_used,
  read_ahead_wasted
};
inline constexpr std::array<std::string_view, 5> block_event_names = {
    "hit", "miss", "read_ahead_fetched", "read_ahead_used", "read_ahead_wasted"};
inline constexpr std::size_t block_event_count = block_event_names.size();

struct rule_cells {
  std::array<owned_counter, cache_result_count> requests;
  std::array<owned_counter, cache_result_count> client_bytes;
  owned_counter origin_bytes;
  std::array<owned_counter, block_event_count> blocks;
};

// What one finished request adds.
struct request_sample {
  std::uint32_t rule = no_rule_series;
  const char* cache = "-";
  std::uint64_t client_bytes = 0;
  std::uint64_t origin_bytes = 0;
  std::uint64_t total_us = 0;
  std::int64_t ttfb_us = -1;  // negative: no answer was written
};

// On cache lines of its own: two workers never write the same line.
struct alignas(64) request_metrics {
  std::array<rule_cells, max_rule_series> rules;
  std::array<histogram_cells, cache_result_count> ttfb;
  std::array<histogram_cells, cache_result_count> total;
  histogram_cells origin_head;  // from sending a request upstream to its answer's head
  void record(const request_sample& s);
  // Block mode's counts and the origin bytes of block fetches, which no one request owns.
  void count_block(std::uint32_t rule, block_event e, std::uint64_t n = 1) {
    if (rule < max_rule_series) rules[rule].blocks[static_cast<std::size_t>(e)].add(n);
  }
  void add_origin_bytes(std::uint32_t rule, std::uint64_t n) {
    if (rule < max_rule_series) rules[rule].origin_bytes.add(n);
  }
};

// The sums over workers, as plain numbers.
struct histogram_totals {
  std::array<std::uint64_t, latency_buckets> buckets{};
  std::uint64_t sum_us = 0;
};
struct rule_totals {
  std::array<std::uint64_t, cache_result_count> requests{};
  std::array<std::uint64_t, cache_result_count> client_bytes{};
  std::uint64_t origin_bytes = 0;
  std::array<std::uint64_t, block_event_count> blocks{};
};
struct request_totals {
  std::vector<rule_totals> rules;  // max_rule_series of them
  std::array<histogram_totals, cache_result_count> ttfb{};
  std::array<histogram_totals, cache_result_count> total{};
  histogram_totals origin_head;
};
request_totals sum_of(std::span<const request_metrics* const> workers);

// Prometheus text for the totals; `rule_names[i]` labels series i (series without a name
// are left out, and so are results no request ended with).
void append_request_metrics(const request_totals& t, std::span<const std::string> rule_names,
                            std::string& out);

// A Prometheus label value: backslash, double quote and newline escaped.
void append_label_value(std::string_view v, std::string& out);

}  // namespace rangecache::proxy
