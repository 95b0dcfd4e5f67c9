// Heuristic freshness (RFC 9111 §4.2.2): an answer with a Last-Modified and no explicit
// freshness is fresh for cache.heuristic_fraction of (Date - Last-Modified), at most
// cache.heuristic_max, then revalidated. The proxy's clock is moved instead of sleeping.
#include <gtest/gtest.h>

#include <cctype>

#include "cache_checks.hpp"
#include "pipeline.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

// A query value: the test origin URL-decodes it.
std::string query_escape(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// No Cache-Control at all (cc= empty), and a Last-Modified `age` seconds before `now`.
std::string heuristic_query(std::int64_t now, std::int64_t age) {
  return "cc=&no_lm=1&hdr=" + query_escape("Last-Modified: " + http_date(now - age));
}

class PipelineHeuristic : public pipeline_suite<PipelineHeuristic> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    o.cache_extra = ", heuristic_fraction: 0.5, heuristic_max: 1h";
    return o;
  }
};

// The proxy's defaults: 10% of the time since Last-Modified, at most a day.
class PipelineHeuristicDefault : public pipeline_suite<PipelineHeuristicDefault> {
 public:
  static daemon_options options() { return {}; }
};

}  // namespace

// Modified 1000 s before it was fetched, fraction 0.5: fresh for 500 s.
TEST_F(PipelineHeuristic, A200WithOnlyLastModifiedGoesStaleAfterTheFraction) {
  const std::uint64_t size = 20000;
  const auto path = unique_gen(size);
  const auto target = path + "?" + heuristic_query(proxy_->now(), 1000);
  auto miss = get(proxy_->port(), target);
  ASSERT_TRUE(is_whole(miss, path, size));
  EXPECT_EQ(x_cache(miss), "MISS");
  EXPECT_FALSE(miss.has_header("Cache-Control")) << miss;
  EXPECT_FALSE(miss.has_header("Expires")) << miss;
  advance(400s);
  auto fresh = range_get(target, "bytes=0-99");
  EXPECT_TRUE(is_partial(fresh, path, 0, 99, size));
  EXPECT_EQ(x_cache(fresh), "HIT_FULL");
  EXPECT_EQ(origin_->count(target), 1);
  advance(200s);
  auto stale = get(proxy_->port(), target);
  EXPECT_TRUE(is_whole(stale, path, size));
  EXPECT_EQ(x_cache(stale), "REVALIDATED");  // with its ETag: the origin says 304
  EXPECT_EQ(origin_statuses(*origin_, target, 2), (std::vector<int>{200, 304}));
}

// The origin's Last-Modified is years old: half of that is capped at heuristic_max (1 h).
TEST_F(PipelineHeuristic, TheCapBoundsAnOldLastModified) {
  const std::uint64_t size = 20000;
  const auto path = unique_gen(size);
  const auto target = path + "?cc=";
  EXPECT_EQ(x_cache(get(proxy_->port(), target)), "MISS");
  advance(3500s);
  EXPECT_EQ(x_cache(get(proxy_->port(), target)), "HIT_FULL");
  advance(200s);
  auto stale = get(proxy_->port(), target);
  EXPECT_TRUE(is_whole(stale, path, size));
  EXPECT_EQ(x_cache(stale), "REVALIDATED");
  EXPECT_EQ(origin_->count(target), 2);
}

// A 404 is heuristically cacheable (RFC 9110 §15.1): with a Last-Modified it is stored, and
// answered from the cache until it goes stale; then the origin is asked again.
TEST_F(PipelineHeuristic, A404WithLastModifiedIsHeuristicallyFresh) {
  const auto target = unique_gen(1000) + "?status=404&" + heuristic_query(proxy_->now(), 1000);
  EXPECT_EQ(x_cache(get(proxy_->port(), target)), "MISS");
  advance(400s);
  for (const auto& r : {get(proxy_->port(), target), range_get(target, "bytes=0-3")}) {
    EXPECT_EQ(r.status, 404) << r;
    EXPECT_EQ(r.body, "status 404\n");
    EXPECT_EQ(x_cache(r), "HIT_FULL");
  }
  EXPECT_EQ(origin_->count(target), 1);
  advance(200s);
  auto again = get(proxy_->port(), target);
  EXPECT_EQ(again.status, 404) << again;
  EXPECT_EQ(x_cache(again), "REFRESH");  // the origin answers a 404 again, stored again
  EXPECT_EQ(origin_->count(target), 2);
}

// Default fraction 0.1: modified 1000 s before, fresh for 100 s.
TEST_F(PipelineHeuristicDefault, TenPercentOfTheTimeSinceLastModified) {
  const std::uint64_t size = 10000;
  const auto path = unique_gen(size);
  const auto target = path + "?" + heuristic_query(proxy_->now(), 1000);
  EXPECT_EQ(x_cache(get(proxy_->port(), target)), "MISS");
  advance(90s);
  EXPECT_EQ(x_cache(get(proxy_->port(), target)), "HIT_FULL");
  advance(20s);
  auto stale = get(proxy_->port(), target);
  EXPECT_TRUE(is_whole(stale, path, size));
  EXPECT_EQ(x_cache(stale), "REVALIDATED");
  EXPECT_EQ(origin_->count(target), 2);
}
