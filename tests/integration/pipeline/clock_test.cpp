// The seam itself: the proxy judges age by the clock it was given, and the test origin's
// Date headers move when told to, so the two stay in step.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "pipeline.hpp"
#include "rangecache/util/http_date.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class PipelineClock : public pipeline_suite<PipelineClock> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    return o;
  }
};

std::int64_t date_of(const response& r) {
  const auto text = r.header("Date");
  if (!text) return -1;
  return rangecache::util::parse_http_date(*text).value_or(-1);
}

}  // namespace

TEST_F(PipelineClock, OriginDateMovesWhenItsClockIsAdvanced) {
  const auto path = unique_gen(100);
  const auto before = date_of(get(origin_->port(), path));
  ASSERT_GT(before, 0);
  origin_->advance_clock(3600s);
  const auto after = date_of(get(origin_->port(), path));
  EXPECT_GE(after - before, 3600);
  EXPECT_LT(after - before, 3600 + 60);  // however slow the machine, not another minute
}

// Age is the time the object spent in the cache by the proxy's clock, not the real one.
TEST_F(PipelineClock, AgeFollowsTheProxysClock) {
  const auto path = unique_gen(20000);  // max-age=3600 by default
  ASSERT_EQ(x_cache(range_get(path, "bytes=0-9")), "MISS");
  proxy_->advance(100s);
  auto hit = range_get(path, "bytes=0-9");
  EXPECT_TRUE(is_partial(hit, path, 0, 9, 20000));
  EXPECT_EQ(x_cache(hit), "HIT");
  ASSERT_TRUE(hit.header("Age")) << hit;
  EXPECT_GE(std::stoll(*hit.header("Age")), 100);
  EXPECT_LE(std::stoll(*hit.header("Age")), 110);

  // Past max-age by the proxy's clock alone: stale, revalidated.
  advance(3600s);
  auto reval = range_get(path, "bytes=0-9");
  EXPECT_TRUE(is_partial(reval, path, 0, 9, 20000));
  EXPECT_EQ(x_cache(reval), "REVALIDATED");
  EXPECT_EQ(origin_->count(path), 2);
}
