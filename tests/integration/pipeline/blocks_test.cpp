// Block mode over time, on the proxy's manual clock: a stale block index is renewed by the
// first block a request needs (its blocks kept when the version is the same, dropped when
// it changed), a reader that opens a connection per request is sequential only within a
// few seconds, and blocks fetched ahead of a reader that went away are called off.
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "cache_checks.hpp"
#include "fetch_checks.hpp"
#include "files.hpp"
#include "pipeline.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t MiB = 1u << 20;
constexpr std::uint64_t step = 256 * 1024;

class PipelineBlocks : public pipeline_suite<PipelineBlocks> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    blocks: { size: 1MiB, min_object: 0, read_ahead: 4 }\n";
    return o;
  }

  static std::string range_of(std::uint64_t first, std::uint64_t last) {
    return "bytes=" + std::to_string(first) + "-" + std::to_string(last);
  }

  // A block-mode counter of the proxy's /metrics (0 when absent).
  static double blocks_metric(std::string_view event) {
    auto r = get(proxy_->admin_port(), "/metrics");
    const std::regex line("rangecache_rule_blocks_total\\{rule=\"[^\"]*\",event=\"" +
                          std::string(event) + "\"\\} (\\d+)");
    std::smatch m;
    return std::regex_search(r.body, m, line) ? std::stod(m[1]) : 0;
  }

  // Waits (bounded) until no block fetch is under way: moving the clock while the first one
  // still runs would let a renewal follow that fetch instead of asking again.
  static void settle() {
    wait_until([] { return metric(proxy_->admin_port(), "rangecache_fills_in_flight") == 0.0; },
               10s);
  }

  // Waits (bounded) for a metric to reach `want`.
  static bool metric_reaches(std::string_view event, double want) {
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < until) {
      if (blocks_metric(event) >= want) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
};

}  // namespace

TEST_F(PipelineBlocks, AStaleIndexIsRenewedByTheFirstBlockAndTheOtherBlocksStay) {
  const std::uint64_t size = 3 * MiB;
  const auto path = unique_gen(size, ".bin");
  const auto target = path + "?cc=max-age=2";
  EXPECT_TRUE(is_whole(get(proxy_->port(), target), path, size));
  EXPECT_EQ(origin_->count(target), 3);
  settle();
  advance(3s);
  auto renewed = range_get(target, range_of(10, 20));
  EXPECT_TRUE(is_partial(renewed, path, 10, 20, size));
  EXPECT_EQ(x_cache(renewed), "MISS");  // block 0 came from the origin again
  EXPECT_EQ(origin_->count(target), 4);
  // The same version: blocks 1 and 2 are still good, and fresh again with the index.
  auto rest = range_get(target, range_of(MiB, size - 1));
  EXPECT_TRUE(is_partial(rest, path, MiB, size - 1, size));
  EXPECT_EQ(x_cache(rest), "HIT");
  EXPECT_EQ(origin_->count(target), 4);
}

TEST_F(PipelineBlocks, AHeadOnAStaleIndexRenewsItFirst) {
  const std::uint64_t size = 2 * MiB;
  const auto path = unique_gen(size, ".bin");
  const auto target = path + "?cc=max-age=2";
  EXPECT_TRUE(is_partial(range_get(target, range_of(0, 99)), path, 0, 99, size));
  EXPECT_EQ(head(proxy_->port(), target).status, 200);
  EXPECT_EQ(origin_->count(target), 1);
  settle();
  advance(3s);
  auto h = head(proxy_->port(), target);
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.header("Content-Length"), std::to_string(size));
  // Block 0 was asked for again. The origin logs a request once its answer is out, which
  // may be after the HEAD's answer: wait for the line.
  EXPECT_EQ(origin_statuses(*origin_, target, 2), (std::vector<int>{206, 206}));
  EXPECT_EQ(origin_->ranges(target),
            (std::vector<std::string>{range_of(0, MiB - 1), range_of(0, MiB - 1)}));
}

TEST_F(PipelineBlocks, AStaleIndexOfAChangedObjectGivesWayToTheNewVersion) {
  const std::uint64_t size = 3 * MiB;
  const auto path = unique_gen(size, ".bin");
  const auto target = path + "?cc=max-age=2&switch_at=4&switch_to=v2";
  EXPECT_TRUE(is_whole(get(proxy_->port(), target), path, size));
  settle();
  advance(3s);
  // The renewal finds v2 before anything was sent: the answer is all v2.
  auto r = range_get(target, range_of(100, 199));
  EXPECT_TRUE(is_partial(r, path, 100, 199, size, "v2"));
  auto other = range_get(target, range_of(2 * MiB, 2 * MiB + 99));
  EXPECT_TRUE(is_partial(other, path, 2 * MiB, 2 * MiB + 99, size, "v2"));
  EXPECT_EQ(x_cache(other), "MISS");  // the old block 2 was not served
}

TEST_F(PipelineBlocks, OnlyIfCachedGetsStoredBlocksOr504) {
  const std::uint64_t size = 3 * MiB;
  const auto path = unique_gen(size, ".bin");
  EXPECT_TRUE(is_partial(range_get(path, range_of(0, MiB - 1)), path, 0, MiB - 1, size));
  // The block and its index are committed a moment after the client has the last byte.
  const header_list cached_only = {{"Cache-Control", "only-if-cached"}};
  response stored;
  for (int i = 0; i < 250 && stored.status != 206; ++i) {
    stored = range_get(path, range_of(0, 99), cached_only);
    if (stored.status != 206) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(is_partial(stored, path, 0, 99, size));
  auto missing = range_get(path, range_of(2 * MiB, 2 * MiB + 9), cached_only);
  EXPECT_EQ(missing.status, 504);
  EXPECT_EQ(origin_->count(path), 1);
}

TEST_F(PipelineBlocks, AReaderByAddressIsSequentialOnlyWithinAFewSeconds) {
  const std::uint64_t size = 32 * MiB;
  const auto path = unique_gen(size, ".bin");
  // A connection per request: the reader is known by its address.
  EXPECT_TRUE(is_partial(range_get(path, range_of(0, step - 1)), path, 0, step - 1, size));
  const auto fetched = blocks_metric("read_ahead_fetched");
  EXPECT_TRUE(
      is_partial(range_get(path, range_of(step, 2 * step - 1)), path, step, 2 * step - 1, size));
  EXPECT_EQ(blocks_metric("read_ahead_fetched"), fetched + 4);
  // Too long after: the next request is no longer the same reader's, nothing is fetched ahead.
  advance(10s);
  const auto later = blocks_metric("read_ahead_fetched");
  EXPECT_TRUE(is_partial(range_get(path, range_of(2 * step, 3 * step - 1)), path, 2 * step,
                         3 * step - 1, size));
  EXPECT_EQ(blocks_metric("read_ahead_fetched"), later);
}

TEST_F(PipelineBlocks, BlocksFetchedAheadAreCalledOffWhenTheReaderGoesAway) {
  const std::uint64_t size = 32 * MiB;
  const auto path = unique_gen(size, ".bin");
  // From the origin's second request on, each answer waits a second before its head: the
  // blocks fetched ahead are still on their way when the reader leaves.
  const auto target = path + "?delay=1&delay_at=2";
  const auto wasted = blocks_metric("read_ahead_wasted");
  {
    connection c("127.0.0.1", proxy_->port(), 30s);
    for (std::uint64_t first = 0; first < 2 * step; first += step) {
      ASSERT_TRUE(c.send_request("GET", target, {{"Range", range_of(first, first + step - 1)}}));
      EXPECT_TRUE(is_partial(c.read_response(), path, first, first + step - 1, size));
    }
  }
  // The four blocks fetched ahead were for that reader alone: none is stored.
  EXPECT_TRUE(metric_reaches("read_ahead_wasted", wasted + 4));
  auto later = range_get(target, range_of(MiB, MiB + 9));
  EXPECT_TRUE(is_partial(later, path, MiB, MiB + 9, size));
  EXPECT_EQ(x_cache(later), "MISS");
}
