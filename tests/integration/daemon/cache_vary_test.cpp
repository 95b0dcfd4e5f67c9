// Variants (Vary) in the real daemon with its LMDB store: each request gets the bytes of
// the variant it selects, before and after a restart, which keeps the variants and the
// vary index that leads to them.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"

using namespace rc_test;

namespace {

class CacheVary : public daemon_per_test<CacheVary> {};

}  // namespace

TEST_F(CacheVary, VariantsAreServedByteExactAcrossARestart) {
  const std::uint64_t size = 300000;
  const auto target = unique_gen(size) + "?vary_on=Accept-Language";
  const auto name = target.substr(0, target.find('?'));
  temp_dir store;
  auto o = defaults();
  o.rule_extra = "    cache_range_requests: {}\n";
  o.cache_path = (store.path() / "cache").string();
  const std::vector<std::pair<std::string, std::string>> variants{
      {"en", "Accept-Language=en"}, {"de, fr", "Accept-Language=de,fr"}};
  {
    proxy_daemon d(o);
    for (const auto& [value, version] : variants) {
      auto miss = get(d.port(), target, {{"Accept-Language", value}});
      EXPECT_EQ(x_cache(miss), "MISS");
      EXPECT_TRUE(is_whole(miss, name, size, version));
      auto range =
          get(d.port(), target, {{"Accept-Language", value}, {"Range", "bytes=100000-100999"}});
      EXPECT_EQ(x_cache(range), "HIT_FULL");
      EXPECT_TRUE(is_partial(range, name, 100000, 100999, size, version));
    }
  }
  proxy_daemon again(o);
  for (const auto& [value, version] : variants) {
    auto hit = get(again.port(), target, {{"Accept-Language", value}});
    EXPECT_EQ(x_cache(hit), "HIT_FULL") << value;
    EXPECT_TRUE(is_whole(hit, name, size, version));
  }
  auto other = get(again.port(), target, {{"Accept-Language", "it"}});
  EXPECT_EQ(x_cache(other), "MISS");
  EXPECT_TRUE(is_whole(other, name, size, "Accept-Language=it"));
  EXPECT_EQ(suite_origin().count(target), 3);
}
