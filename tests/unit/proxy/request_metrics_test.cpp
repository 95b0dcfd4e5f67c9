// The request metrics as pure code: result names, latency buckets, summing over workers and
// the Prometheus text they make.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "rangecache/proxy/request_metrics.hpp"

using namespace rangecache::proxy;

TEST(RequestMetrics, ResultNamesMapToTheirIndexAndAnythingElseToOther) {
  EXPECT_EQ(cache_result_names[cache_result_index("HIT")], "HIT");
  EXPECT_EQ(cache_result_names[cache_result_index("HIT_FULL")], "HIT_FULL");
  EXPECT_EQ(cache_result_names[cache_result_index("COLLAPSED")], "COLLAPSED");
  EXPECT_EQ(cache_result_names[cache_result_index("PURGE")], "PURGE");
  EXPECT_EQ(cache_result_names[cache_result_index("-")], "OTHER");
  EXPECT_EQ(cache_result_names[cache_result_index("HITX")], "OTHER");
  EXPECT_EQ(cache_result_names[cache_result_index("HI")], "OTHER");
}

TEST(RequestMetrics, LatencyBucketIsTheFirstBoundNotExceeded) {
  EXPECT_EQ(latency_bucket(0), 0u);
  EXPECT_EQ(latency_bucket(100), 0u);
  EXPECT_EQ(latency_bucket(101), 1u);
  EXPECT_EQ(latency_bucket(1'000), 3u);
  EXPECT_EQ(latency_bucket(10'000'000), latency_bounds_us.size() - 1);
  EXPECT_EQ(latency_bucket(10'000'001), latency_bounds_us.size());  // +Inf
}

TEST(RequestMetrics, WorkersAreSummedPerRuleResultAndBucket) {
  auto a = std::make_unique<request_metrics>();
  auto b = std::make_unique<request_metrics>();
  a->record({.rule = 0,
             .cache = "HIT",
             .client_bytes = 100,
             .origin_bytes = 0,
             .total_us = 50,
             .ttfb_us = 40});
  b->record({.rule = 0,
             .cache = "HIT",
             .client_bytes = 20,
             .origin_bytes = 0,
             .total_us = 300,
             .ttfb_us = 200});
  b->record({.rule = 1,
             .cache = "MISS",
             .client_bytes = 10,
             .origin_bytes = 4096,
             .total_us = 2'000,
             .ttfb_us = -1});
  const request_metrics* both[] = {a.get(), b.get()};
  const request_totals t = sum_of(both);
  const auto hit = cache_result_index("HIT");
  const auto miss = cache_result_index("MISS");
  EXPECT_EQ(t.rules[0].requests[hit], 2u);
  EXPECT_EQ(t.rules[0].client_bytes[hit], 120u);
  EXPECT_EQ(t.rules[1].requests[miss], 1u);
  EXPECT_EQ(t.rules[1].origin_bytes, 4096u);
  EXPECT_EQ(t.ttfb[hit].buckets[0], 1u);  // 40 µs
  EXPECT_EQ(t.ttfb[hit].buckets[1], 1u);  // 200 µs
  EXPECT_EQ(t.ttfb[hit].sum_us, 240u);
  EXPECT_EQ(t.ttfb[miss].sum_us, 0u);  // no answer written: no time to first byte
  EXPECT_EQ(t.total[miss].buckets[latency_bucket(2'000)], 1u);
}

TEST(RequestMetrics, RequestsWithoutARuleCountOnlyInTheHistograms) {
  auto m = std::make_unique<request_metrics>();
  m->record({.rule = no_rule_series,
             .cache = "ERROR",
             .client_bytes = 30,
             .origin_bytes = 0,
             .total_us = 10,
             .ttfb_us = 5});
  const request_metrics* one[] = {m.get()};
  const request_totals t = sum_of(one);
  for (const auto& r : t.rules) EXPECT_EQ(r.requests[cache_result_index("ERROR")], 0u);
  EXPECT_EQ(t.total[cache_result_index("ERROR")].buckets[0], 1u);
}

TEST(RequestMetrics, ExpositionHasLabelledSeriesAndCumulativeBuckets) {
  auto m = std::make_unique<request_metrics>();
  m->record({.rule = 1,
             .cache = "HIT",
             .client_bytes = 65536,
             .origin_bytes = 0,
             .total_us = 400,
             .ttfb_us = 90});
  m->record({.rule = 1,
             .cache = "HIT",
             .client_bytes = 65536,
             .origin_bytes = 0,
             .total_us = 3'000'000,
             .ttfb_us = 200});
  m->origin_head.observe(12'000);
  const request_metrics* one[] = {m.get()};
  const std::vector<std::string> names = {"http://a/", "http://b.example/say \"hi\"/"};
  std::string out;
  append_request_metrics(sum_of(one), names, out);
  const auto has = [&](const std::string& line) {
    return out.find(line + "\n") != std::string::npos;
  };
  EXPECT_TRUE(has("# TYPE rangecache_rule_requests_total counter"));
  EXPECT_TRUE(has(
      "rangecache_rule_requests_total{rule=\"http://b.example/say \\\"hi\\\"/\",cache=\"HIT\"} 2"));
  EXPECT_TRUE(
      has("rangecache_rule_client_bytes_total{rule=\"http://b.example/say "
          "\\\"hi\\\"/\",cache=\"HIT\"} 131072"));
  EXPECT_TRUE(has("rangecache_rule_origin_bytes_total{rule=\"http://a/\"} 0"));
  // A rule with no requests for a result has no series for it.
  EXPECT_EQ(out.find("rule=\"http://a/\",cache="), std::string::npos);
  EXPECT_TRUE(has("# TYPE rangecache_ttfb_seconds histogram"));
  EXPECT_TRUE(has("rangecache_ttfb_seconds_bucket{cache=\"HIT\",le=\"0.0001\"} 1"));
  EXPECT_TRUE(has("rangecache_ttfb_seconds_bucket{cache=\"HIT\",le=\"0.00025\"} 2"));
  EXPECT_TRUE(has("rangecache_ttfb_seconds_bucket{cache=\"HIT\",le=\"+Inf\"} 2"));
  EXPECT_TRUE(has("rangecache_ttfb_seconds_count{cache=\"HIT\"} 2"));
  EXPECT_TRUE(has("rangecache_ttfb_seconds_sum{cache=\"HIT\"} 0.00029"));
  EXPECT_TRUE(has("rangecache_request_duration_seconds_bucket{cache=\"HIT\",le=\"2.5\"} 1"));
  EXPECT_TRUE(has("rangecache_request_duration_seconds_bucket{cache=\"HIT\",le=\"5\"} 2"));
  EXPECT_EQ(out.find("cache=\"MISS\""), std::string::npos);
  EXPECT_TRUE(has("rangecache_origin_response_seconds_bucket{le=\"0.01\"} 0"));
  EXPECT_TRUE(has("rangecache_origin_response_seconds_bucket{le=\"0.025\"} 1"));
  EXPECT_TRUE(has("rangecache_origin_response_seconds_count 1"));
  EXPECT_TRUE(has("rangecache_origin_response_seconds_sum 0.012"));
}

TEST(RequestMetrics, LabelValuesEscapeBackslashQuoteAndNewline) {
  std::string out;
  append_label_value("a\\b\"c\nd", out);
  EXPECT_EQ(out, "a\\\\b\\\"c\\nd");
}
