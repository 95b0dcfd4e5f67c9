// Targeted cache-control fields (RFC 9213) over time: the lifetime and the stale rules of
// rangecache's stored objects come from CDN-Cache-Control when it is valid, also once a 304
// has freshened them.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "pipeline.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class PipelineTargeted : public pipeline_suite<PipelineTargeted> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    return o;
  }

 protected:
  static response get_full(const std::string& target) { return get(proxy_->port(), target); }
};

}  // namespace

TEST_F(PipelineTargeted, TheLifetimeIsTheTargetedFields) {
  // Cache-Control gives an hour, CDN-Cache-Control two seconds: rangecache keeps it two.
  const auto target = unique_gen(20000) + "?cc=max-age%3D3600&hdr=CDN-Cache-Control:max-age%3D2";
  ASSERT_EQ(x_cache(get_full(target)), "MISS");
  advance(1s);
  // A hit from the record: the targeted field is for us, never for the client.
  const auto hit = get_full(target);
  EXPECT_EQ(x_cache(hit), "HIT_FULL");
  EXPECT_FALSE(hit.has_header("CDN-Cache-Control"));
  EXPECT_EQ(hit.header("Cache-Control"), "max-age=3600");
  advance(2s);
  EXPECT_EQ(x_cache(get_full(target)), "REVALIDATED");
  EXPECT_EQ(x_cache(get_full(target)), "HIT_FULL");
  advance(3s);
  auto again = get_full(target);
  EXPECT_EQ(x_cache(again), "REVALIDATED");
  EXPECT_FALSE(again.has_header("CDN-Cache-Control"));
  EXPECT_EQ(again.header("Cache-Control"), "max-age=3600");
}

TEST_F(PipelineTargeted, StaleRulesComeFromTheTargetedField) {
  // stale-while-revalidate in CDN-Cache-Control, must-revalidate in Cache-Control (for the
  // browsers): rangecache follows the first.
  const auto path = unique_gen(20000);
  const auto target = path +
                      "?cc=max-age%3D1%2C%20must-revalidate"
                      "&hdr=CDN-Cache-Control:max-age%3D1%2C%20stale-while-revalidate%3D60";
  ASSERT_EQ(x_cache(get_full(target)), "MISS");
  advance(5s);
  auto stale = get_full(target);
  EXPECT_TRUE(is_whole(stale, path, 20000));
  EXPECT_EQ(x_cache(stale), "STALE");
  EXPECT_TRUE(wait_until([&] { return x_cache(get_full(target)) == "HIT_FULL"; }, 5s));
  EXPECT_EQ(origin_->count(target), 2);
}
