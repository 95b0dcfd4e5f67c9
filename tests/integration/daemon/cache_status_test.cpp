// Stored statuses in the real daemon on its LMDB store: a 404 and a 204 with freshness are
// served from the store with their own status, before and after a restart on the same
// store (the record keeps the status), and the heuristic-freshness settings load.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "temp_dir.hpp"

using namespace rc_test;

namespace {

class CacheStatus : public daemon_per_test<CacheStatus> {
 protected:
  daemon_options options() const {
    daemon_options o = defaults();
    o.cache_path = (store_ / "cache").string();
    o.cache_extra = ", heuristic_fraction: 0.25, heuristic_max: 12h";
    o.rule_extra = "    cache_range_requests: {}\n";
    return o;
  }

  temp_dir store_{"rc-status"};
};

}  // namespace

TEST_F(CacheStatus, StoredStatusesSurviveARestart) {
  const auto gone = unique_gen(1000) + "?status=404&cc=max-age=3600";
  const auto empty = unique_gen(1000) + "?status=204&cc=max-age=3600";
  {
    proxy_daemon first(options());
    auto miss = get(first.port(), gone);
    EXPECT_EQ(miss.status, 404) << miss;
    EXPECT_EQ(x_cache(miss), "MISS");
    EXPECT_EQ(get(first.port(), empty).status, 204);
    auto hit = get(first.port(), gone, {{"Range", "bytes=0-3"}});
    EXPECT_EQ(hit.status, 404) << hit;
    EXPECT_EQ(x_cache(hit), "HIT_FULL");
    EXPECT_EQ(hit.body, "status 404\n");
  }
  proxy_daemon second(options());
  auto stored = get(second.port(), gone);
  EXPECT_EQ(stored.status, 404) << stored;
  EXPECT_EQ(stored.reason, "Not Found");
  EXPECT_EQ(x_cache(stored), "HIT_FULL");
  EXPECT_EQ(stored.body, "status 404\n");
  auto no_content = get(second.port(), empty);
  EXPECT_EQ(no_content.status, 204) << no_content;
  EXPECT_TRUE(no_content.complete) << no_content;
  EXPECT_EQ(x_cache(no_content), "HIT_FULL");
  EXPECT_FALSE(no_content.has_header("Content-Length")) << no_content;
  EXPECT_EQ(suite_origin().count(gone), 1);
  EXPECT_EQ(suite_origin().count(empty), 1);
}
