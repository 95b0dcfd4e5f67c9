// The client's own Cache-Control (RFC 9111 §5.2.1) and Pragma (§5.4), end to end on the
// proxy's manual clock: max-age, min-fresh, max-stale, no-cache, no-store, only-if-cached.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "pipeline.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class PipelineRequestDirectives : public pipeline_suite<PipelineRequestDirectives> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    return o;
  }

 protected:
  static response get_cc(const std::string& target, const std::string& cache_control) {
    return get(proxy_->port(), target, {{"Cache-Control", cache_control}});
  }
  static std::string prime(const std::string& cc) {
    const auto target = unique_gen(20000) + "?cc=" + cc;
    EXPECT_EQ(x_cache(get(proxy_->port(), target)), "MISS") << target;
    return target;
  }
};

}  // namespace

// §5.2.1.1 max-age, §5.2.1.3 min-fresh, §5.2.1.2 max-stale (and must-revalidate over it).
TEST_F(PipelineRequestDirectives, MaxAgeMinFreshMaxStale) {
  const auto by_age = prime("max-age%3D100");
  const auto by_fresh = prime("max-age%3D100");
  const auto stale = prime("max-age%3D10");
  const auto any_stale = prime("max-age%3D10");
  const auto strict = prime("max-age%3D10%2C%20must-revalidate");
  advance(50s);

  EXPECT_EQ(x_cache(get_cc(by_age, "max-age=60")), "HIT_FULL");
  EXPECT_EQ(x_cache(get_cc(by_age, "max-age=40")), "REVALIDATED");
  EXPECT_EQ(x_cache(get_cc(by_fresh, "min-fresh=40")), "HIT_FULL");
  EXPECT_EQ(x_cache(get_cc(by_fresh, "min-fresh=60")), "REVALIDATED");
  EXPECT_EQ(x_cache(get_cc(stale, "max-stale=60")), "HIT_FULL");
  EXPECT_EQ(origin_->count(stale), 1);
  EXPECT_EQ(x_cache(get_cc(stale, "max-stale=30")), "REVALIDATED");
  EXPECT_EQ(x_cache(get_cc(any_stale, "max-stale")), "HIT_FULL");
  EXPECT_EQ(x_cache(get_cc(strict, "max-stale")), "REVALIDATED");
  for (const auto* t : {&by_age, &by_fresh, &stale, &strict})
    EXPECT_EQ(origin_->count(*t), 2) << *t;
  EXPECT_EQ(origin_->count(any_stale), 1);
}

// §5.2.1.4 no-cache, and §5.4 Pragma: no-cache only when there is no Cache-Control.
TEST_F(PipelineRequestDirectives, NoCacheAndPragma) {
  const auto target = prime("max-age%3D3600");
  EXPECT_EQ(x_cache(get_cc(target, "no-cache")), "REVALIDATED");
  EXPECT_EQ(x_cache(get(proxy_->port(), target, {{"Pragma", "no-cache"}})), "REVALIDATED");
  EXPECT_EQ(x_cache(get(proxy_->port(), target,
                        {{"Pragma", "no-cache"}, {"Cache-Control", "max-age=3600"}})),
            "HIT_FULL");
  EXPECT_EQ(origin_->count(target), 3);

  const auto path = unique_gen(20000);
  const auto ranged = path + "?cc=max-age%3D3600";
  ASSERT_EQ(x_cache(range_get(ranged, "bytes=0-99")), "MISS");
  auto r = range_get(ranged, "bytes=0-99", {{"Cache-Control", "no-cache"}});
  EXPECT_TRUE(is_partial(r, path, 0, 99, 20000));
  EXPECT_EQ(x_cache(r), "REVALIDATED");
}

// §5.2.1.5 no-store: nothing of the answer is stored; a stored answer may still serve it.
TEST_F(PipelineRequestDirectives, NoStoreStoresNothing) {
  const auto path = unique_gen(20000);
  const auto target = path + "?cc=max-age%3D3600";
  auto pass = get_cc(target, "no-store");
  EXPECT_TRUE(is_whole(pass, path, 20000));
  EXPECT_EQ(x_cache(pass), "PASS");
  EXPECT_EQ(x_cache(get(proxy_->port(), target)), "MISS");
  EXPECT_EQ(x_cache(get_cc(target, "no-store")), "HIT_FULL");
  EXPECT_EQ(origin_->count(target), 2);

  const auto ranged = unique_gen(20000) + "?cc=max-age%3D3600";
  EXPECT_EQ(x_cache(range_get(ranged, "bytes=0-99", {{"Cache-Control", "no-store"}})), "PASS");
  EXPECT_EQ(x_cache(range_get(ranged, "bytes=0-99")), "MISS");
  EXPECT_EQ(origin_->count(ranged), 2);
}

// §5.2.1.7 only-if-cached: a stored answer or a 504, and never a request to the origin.
TEST_F(PipelineRequestDirectives, OnlyIfCached) {
  const auto missing = unique_gen(20000) + "?cc=max-age%3D100";
  auto refused = get_cc(missing, "only-if-cached");
  EXPECT_EQ(refused.status, 504) << refused;
  EXPECT_TRUE(refused.has_header("Date"));
  EXPECT_EQ(head(proxy_->port(), missing, {{"Cache-Control", "only-if-cached"}}).status, 504);
  EXPECT_EQ(
      range_get(missing, "bytes=0-9", {{"Cache-Control", "only-if-cached, max-stale"}}).status,
      504);
  EXPECT_EQ(range_get(missing, "items=0-9", {{"Cache-Control", "only-if-cached"}}).status, 504);
  EXPECT_EQ(origin_->count(missing), 0);

  const auto path = unique_gen(20000);
  const auto stored = path + "?cc=max-age%3D100";
  ASSERT_EQ(x_cache(get(proxy_->port(), stored)), "MISS");
  auto hit = get_cc(stored, "only-if-cached");
  EXPECT_TRUE(is_whole(hit, path, 20000));
  EXPECT_EQ(x_cache(hit), "HIT_FULL");
  advance(200s);
  EXPECT_EQ(get_cc(stored, "only-if-cached").status, 504);
  EXPECT_EQ(x_cache(get_cc(stored, "only-if-cached, max-stale=100")), "HIT_FULL");
  EXPECT_EQ(origin_->count(stored), 1);

  // Within stale-while-revalidate the stored answer is served, with no revalidation started.
  const auto swr = prime("max-age%3D1%2C%20stale-while-revalidate%3D60");
  advance(5s);
  EXPECT_EQ(x_cache(get_cc(swr, "only-if-cached")), "HIT_FULL");
  EXPECT_EQ(origin_->count(swr), 1);
}
