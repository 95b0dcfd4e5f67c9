// /metrics of a live daemon under a scripted load: known hits, misses and ranges on two
// rules, and the values (not just the names) of the per-rule counters and the histograms.
#include <gtest/gtest.h>

#include <csignal>
#include <map>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"
#include "files.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

const std::string videos = "http://mapped.test/";
const std::string downloads = "http://prefix.test/gen/";

class Metrics : public daemon_suite<Metrics> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.from = videos;
    o.rule_extra = "    cache_range_requests: {}\n";
    o.purge_allow = "[\"127.0.0.1/32\"]";
    o.more_rules = "  - from: " + downloads +
                   "\n    to: http://127.0.0.1:" + std::to_string(origin_->port()) + "/gen/\n";
    return o;
  }

 protected:
  static double value(const std::string& series) {
    return metric(daemon_->admin_port(), series).value_or(-1);
  }
  // A request's metrics are recorded right after its answer is written: the scrape that
  // follows may come first, so wait (bounded) for `series` to reach `want`.
  static ::testing::AssertionResult reaches(const std::string& series, double want) {
    if (wait_until([&] { return value(series) == want; }, 5s)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << series << " is " << value(series) << ", not " << want;
  }
  static std::string by_rule(const std::string& name, const std::string& rule,
                             const std::string& cache = {}) {
    return "rangecache_" + name + "{rule=\"" + rule + "\"" +
           (cache.empty() ? "" : ",cache=\"" + cache + "\"") + "}";
  }
};

}  // namespace

TEST_F(Metrics, PerRuleRequestsBytesAndLatencyUnderAScriptedLoad) {
  // Rule videos (range objects): one 64 KiB range missed then hit twice, one more range missed.
  const auto clip = unique_gen(200000);
  const header_list host_videos = {{"Host", "mapped.test"}};
  std::map<std::string, int> results;
  for (int i = 0; i < 3; ++i) {
    auto r = range_get(clip, "bytes=0-65535", host_videos);
    ASSERT_TRUE(is_partial(r, clip, 0, 65535, 200000)) << i;
    ++results[x_cache(r)];
  }
  auto other = range_get(clip, "bytes=100000-100999", host_videos);
  ASSERT_TRUE(is_partial(other, clip, 100000, 100999, 200000));
  EXPECT_EQ(x_cache(other), "MISS");
  EXPECT_EQ(results, (std::map<std::string, int>{{"MISS", 1}, {"HIT", 2}}));
  // Rule downloads (whole objects): missed once, then served from the store.
  const auto file = unique_gen(5000);
  auto first = get(daemon_->port(), file, {{"Host", "prefix.test"}});
  auto second = get(daemon_->port(), file, {{"Host", "prefix.test"}});
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(x_cache(first), "MISS");
  const std::string again = x_cache(second);
  // No rule: counted in the histograms only.
  EXPECT_EQ(get(daemon_->port(), "/x", {{"Host", "nowhere.test"}}).status, 404);

  EXPECT_TRUE(reaches(by_rule("rule_requests_total", videos, "MISS"), 2));
  EXPECT_TRUE(reaches(by_rule("rule_requests_total", videos, "HIT"), 2));
  EXPECT_TRUE(reaches(by_rule("rule_client_bytes_total", videos, "MISS"), 65536 + 1000));
  EXPECT_TRUE(reaches(by_rule("rule_client_bytes_total", videos, "HIT"), 2 * 65536));
  EXPECT_TRUE(reaches(by_rule("rule_origin_bytes_total", videos), 65536 + 1000));
  EXPECT_TRUE(reaches(by_rule("rule_requests_total", downloads, "MISS"), 1));
  EXPECT_TRUE(reaches(by_rule("rule_requests_total", downloads, again), 1));
  EXPECT_TRUE(reaches(by_rule("rule_client_bytes_total", downloads, again), 5000));
  EXPECT_TRUE(reaches(by_rule("rule_origin_bytes_total", downloads), 5000));
  // Two rules, one MISS series each: nothing recorded under another rule or result.
  EXPECT_EQ(value(by_rule("rule_requests_total", downloads, "HIT")), -1);

  EXPECT_TRUE(reaches("rangecache_ttfb_seconds_count{cache=\"HIT\"}", 2));
  EXPECT_TRUE(reaches("rangecache_request_duration_seconds_count{cache=\"MISS\"}", 3));
  EXPECT_TRUE(reaches("rangecache_request_duration_seconds_bucket{cache=\"MISS\",le=\"+Inf\"}", 3));
  EXPECT_TRUE(reaches("rangecache_request_duration_seconds_count{cache=\"ERROR\"}", 1));
  // Every miss asked the origin once; a hit never does.
  EXPECT_TRUE(reaches("rangecache_origin_response_seconds_count", 3));
  EXPECT_GT(value("rangecache_origin_response_seconds_sum"), 0);
  EXPECT_LT(value("rangecache_origin_response_seconds_sum"), 30);
  // Nothing is waiting once every answer is in.
  EXPECT_TRUE(reaches("rangecache_fills_in_flight", 0));
  EXPECT_EQ(value("rangecache_fill_waiters"), 0);
  EXPECT_EQ(value("rangecache_cache_max_bytes"), 256.0 * 1024 * 1024);
  EXPECT_EQ(value("rangecache_fetch_oldest_queued_seconds"), 0);

  // Removed from the store by why: one purge, nothing evicted for space.
  EXPECT_EQ(request(daemon_->port(), "PURGE", file, {{"Host", "prefix.test"}}).status, 200);
  EXPECT_TRUE(reaches("rangecache_cache_removed_total{reason=\"purge\"}", 1));
  EXPECT_EQ(value("rangecache_cache_removed_total{reason=\"space\"}"), 0);
  EXPECT_TRUE(reaches(by_rule("rule_requests_total", downloads, "PURGE"), 1));
}

namespace {

class MetricsReload : public daemon_per_test<MetricsReload> {};

}  // namespace

TEST_F(MetricsReload, ARuleKeepsItsSeriesWhenAReloadAddsAnotherBeforeIt) {
  daemon_options o = defaults();
  o.from = "http://*/old/";
  proxy_daemon d(o);
  const std::string old_rule =
      "rangecache_rule_requests_total{rule=\"http://*/old/\",cache=\"PASS\"}";
  const std::string new_rule =
      "rangecache_rule_requests_total{rule=\"http://*/new/\",cache=\"PASS\"}";
  // POST passes through: one result whatever the cache holds.
  EXPECT_EQ(request(d.port(), "POST", "/old/1k.bin", {}, "x").status, 200);
  ASSERT_TRUE(wait_until([&] { return metric(d.admin_port(), old_rule) == 1.0; }, 5s));

  auto text = daemon_config(o, d.dir());
  const std::string first = "  - from: http://*/old/";
  ASSERT_NE(text.find(first), std::string::npos) << text;
  text.insert(text.find(first), "  - from: http://*/new/\n    to: http://127.0.0.1:" +
                                    std::to_string(o.origin_port) + "/\n");
  write_file(d.config_path(), text);
  ASSERT_TRUE(d.proc().signal(SIGHUP));
  ASSERT_TRUE(wait_until(
      [&] { return request(d.port(), "POST", "/new/1k.bin", {}, "x").status == 200; }, 5s));
  EXPECT_EQ(request(d.port(), "POST", "/old/1k.bin", {}, "x").status, 200);
  EXPECT_TRUE(wait_until([&] { return metric(d.admin_port(), old_rule) == 2.0; }, 5s))
      << metric(d.admin_port(), old_rule).value_or(-1);
  EXPECT_GE(metric(d.admin_port(), new_rule).value_or(-1), 1.0);
}
