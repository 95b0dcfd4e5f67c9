#pragma once

// Helpers for the background-fetch and request-collapsing tests
// (tests/integration/daemon/fetch_*_test.cpp, collapse_*_test.cpp): what the origin saw,
// what the daemon's fetch log says, its admin metrics, and many clients at once.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "origin.hpp"

namespace rc_test {

// Requests the origin saw for `target` (query included) that carried no Range: the
// complete-object GETs, which is what a background fetch is.
std::int64_t full_gets(const origin& o, std::string_view target);

// Body bytes the origin sent for `target` (query included), summed from its request log
// ("METHOD TARGET RANGE STATUS BYTES" lines), and the number of those lines.
struct origin_traffic {
  std::int64_t requests = 0;
  std::int64_t bytes = 0;
};
origin_traffic traffic(const origin& o, std::string_view target);

// One line of the daemon's background-fetch log (background_fetch.log):
//   <timestamp> start URL
//   <timestamp> end URL bytes=N ms=N result=R
struct fetch_log_line {
  std::string event;  // "start" or "end"
  std::string url;
  std::optional<std::uint64_t> bytes;  // end lines
  std::string result;                  // end lines: "ok", "body: ...", ...
  std::string raw;
};
std::vector<fetch_log_line> read_fetch_log(const std::filesystem::path& path);

// The lines whose URL ends with `url_suffix` (a path, query included), in order.
std::vector<fetch_log_line> fetch_log_for(const std::filesystem::path& path,
                                          std::string_view url_suffix);

// Waits (bounded) until the fetch log holds at least `n` end lines for `url_suffix`;
// returns the last one.
std::optional<fetch_log_line> wait_fetch_end(const std::filesystem::path& path,
                                             std::string_view url_suffix,
                                             std::chrono::milliseconds timeout, std::size_t n = 1);

// Value of an unlabelled sample `name` in the admin listener's Prometheus text
// (GET /metrics); nullopt when the metric is absent or the admin port does not answer.
std::optional<double> metric(std::uint16_t admin_port, std::string_view name);

// Runs fn(0) ... fn(n - 1) on n threads released together, and joins them all. fn must
// bound its own waits (every rc_test client call does).
void run_together(std::size_t n, const std::function<void(std::size_t)>& fn);

}  // namespace rc_test
