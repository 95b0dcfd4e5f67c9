// Freshness over time (RFC 9111): objects that go stale are revalidated with their stored
// validators, refetched when they have none, and served stale when the origin is gone. The
// proxy's clock is moved forward where the daemon tests slept.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "pipeline.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

using strings = std::vector<std::string>;

class PipelineFreshness : public pipeline_suite<PipelineFreshness> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    return o;
  }
};

}  // namespace

// A stale range object is revalidated with its ETag and its Range; a 304 refreshes it.
TEST_F(PipelineFreshness, StaleRangeObjectIsRevalidatedWithIfNoneMatch) {
  const auto path = unique_gen(50000);
  const auto target = path + "?cc=max-age=2&no_lm=1";  // only an ETag to validate with
  auto miss = range_get(target, "bytes=0-99");
  EXPECT_TRUE(is_partial(miss, path, 0, 99, 50000));
  EXPECT_EQ(x_cache(miss), "MISS");
  EXPECT_EQ(x_cache(range_get(target, "bytes=0-99")), "HIT");
  advance(3s);

  auto reval = range_get(target, "bytes=0-99");
  EXPECT_TRUE(is_partial(reval, path, 0, 99, 50000));
  EXPECT_EQ(x_cache(reval), "REVALIDATED");
  EXPECT_EQ(reval.header("ETag"), expected_etag(path, 50000));
  EXPECT_EQ(origin_->count(target), 2);
  // The origin answered 304: it got If-None-Match (it has no other validator), with the range.
  EXPECT_EQ(origin_statuses(*origin_, target, 2), (std::vector<int>{206, 304}));
  EXPECT_EQ(origin_->ranges(target), (strings{"bytes=0-99", "bytes=0-99"}));

  // Fresh again after the 304.
  auto hit = range_get(target, "bytes=0-99");
  EXPECT_TRUE(is_partial(hit, path, 0, 99, 50000));
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_EQ(origin_->count(target), 2);
}

TEST_F(PipelineFreshness, StaleCompleteObjectIsRevalidatedWholeWithIfModifiedSince) {
  const auto path = unique_gen(50000);
  const auto target = path + "?cc=max-age=1&no_etag=1";  // only Last-Modified
  auto miss = get(proxy_->port(), target);
  EXPECT_TRUE(is_whole(miss, path, 50000));
  EXPECT_EQ(x_cache(miss), "MISS");
  advance(2s);

  auto reval = range_get(target, "bytes=10-19");
  EXPECT_TRUE(is_partial(reval, path, 10, 19, 50000));
  EXPECT_EQ(x_cache(reval), "REVALIDATED");
  EXPECT_EQ(origin_->count(target), 2);
  EXPECT_EQ(origin_statuses(*origin_, target, 2), (std::vector<int>{200, 304}));
  // The complete object is revalidated whole: no Range upstream.
  EXPECT_TRUE(origin_->ranges(target).empty());
}

// Without validators a stale object cannot be revalidated: the new answer replaces it.
TEST_F(PipelineFreshness, StaleWithoutValidatorsIsRefetched) {
  const auto full_path = unique_gen(30000);
  const auto full = full_path + "?cc=max-age=1&no_etag=1&no_lm=1";
  const auto range_path = unique_gen(30000);
  const auto ranged = range_path + "?cc=max-age=1&no_etag=1&no_lm=1";
  EXPECT_EQ(x_cache(get(proxy_->port(), full)), "MISS");
  EXPECT_EQ(x_cache(range_get(ranged, "bytes=100-199")), "MISS");
  advance(2s);

  auto r = get(proxy_->port(), full);
  EXPECT_TRUE(is_whole(r, full_path, 30000));
  EXPECT_EQ(x_cache(r), "REFRESH");
  auto p = range_get(ranged, "bytes=100-199");
  EXPECT_TRUE(is_partial(p, range_path, 100, 199, 30000));
  EXPECT_EQ(x_cache(p), "REFRESH");
  EXPECT_EQ(origin_->count(full), 2);
  EXPECT_EQ(origin_->count(ranged), 2);
  EXPECT_EQ(origin_statuses(*origin_, full, 2), (std::vector<int>{200, 200}));
  EXPECT_EQ(origin_statuses(*origin_, ranged, 2), (std::vector<int>{206, 206}));
}

// The origin goes away: a stale object is served (unless it says must-revalidate).
TEST(PipelineFreshnessOriginDown, StaleIsServedWhenTheOriginIsUnreachable) {
  auto org = std::make_unique<origin>();
  daemon_options o;
  o.origin_port = org->port();
  o.rule_extra = "    cache_range_requests: {}\n";
  o.extra = "upstream: { connect_timeout: 2s, read_timeout: 2s }\n";
  in_process_proxy proxy(o);
  const auto port = proxy.port();
  const auto path = unique_gen(20000);
  const auto target = path + "?cc=max-age=1";
  const auto strict = path + "?cc=max-age%3D1%2C%20must-revalidate";
  ASSERT_EQ(x_cache(range_get(port, target, "bytes=0-99")), "MISS");
  ASSERT_EQ(x_cache(get(port, path + "?cc=max-age=1&x=1")), "MISS");
  ASSERT_EQ(x_cache(range_get(port, strict, "bytes=0-99")), "MISS");
  org.reset();
  proxy.advance(2s);

  auto r = range_get(port, target, "bytes=0-99");
  EXPECT_TRUE(is_partial(r, path, 0, 99, 20000));
  EXPECT_EQ(x_cache(r), "STALE");
  auto w = range_get(port, path + "?cc=max-age=1&x=1", "bytes=10-19");
  EXPECT_TRUE(is_partial(w, path, 10, 19, 20000));
  EXPECT_EQ(x_cache(w), "STALE");
  auto refused = range_get(port, strict, "bytes=0-99");
  EXPECT_GE(refused.status, 500) << refused;
}
