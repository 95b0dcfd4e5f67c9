// The pure parts of `rangecache ctl`: the stats table, exit statuses, --range.
#include <gtest/gtest.h>

#include "rangecache/ctl/ctl.hpp"

using namespace rangecache::ctl;

namespace {

const char* metrics = R"(# HELP rangecache_requests_total Requests read.
# TYPE rangecache_requests_total counter
rangecache_requests_total 12
rangecache_bad_requests_total 0
rangecache_cache_bytes 65536
rangecache_requests_by_cache_total{rule="http://v/",cache="HIT FULL"} 7 1700000000000
rangecache_requests_by_cache_total{rule="http://v/",cache="MISS"} 5

)";

}  // namespace

TEST(CtlStats, AllSamplesAlignedWithoutComments) {
  std::size_t matched = 0;
  const auto table = stats_table(metrics, {}, matched);
  EXPECT_EQ(matched, 5u);
  EXPECT_EQ(table,
            "rangecache_requests_total                                              12\n"
            "rangecache_bad_requests_total                                          0\n"
            "rangecache_cache_bytes                                                 65536\n"
            "rangecache_requests_by_cache_total{rule=\"http://v/\",cache=\"HIT FULL\"}  7\n"
            "rangecache_requests_by_cache_total{rule=\"http://v/\",cache=\"MISS\"}      5\n");
}

TEST(CtlStats, NamesFilterByWhatTheMetricNameContains) {
  std::size_t matched = 0;
  auto table = stats_table(metrics, {"rangecache_requests", "bytes"}, matched);
  EXPECT_EQ(matched, 4u) << table;
  EXPECT_EQ(table.find("bad_requests"), std::string::npos) << table;
  // Labels are not part of the name: "MISS" matches no name.
  table = stats_table(metrics, {"MISS"}, matched);
  EXPECT_EQ(matched, 0u);
  EXPECT_EQ(table, "");
}

TEST(CtlStatus, EachAnswerHasItsExitStatus) {
  struct status_case {
    unsigned http;
    exit_status expected;
  };
  for (const auto& c :
       {status_case{200, done}, status_case{204, done}, status_case{404, nothing},
        status_case{400, usage}, status_case{403, refused}, status_case{405, failed},
        status_case{500, failed}, status_case{503, failed}, status_case{504, failed}})
    EXPECT_EQ(status_for(c.http), c.expected) << c.http;
}

TEST(CtlRange, RangeTakesBareOrBytesForms) {
  EXPECT_EQ(range_header("0-99"), "bytes=0-99");
  EXPECT_EQ(range_header("-500"), "bytes=-500");
  EXPECT_EQ(range_header("100-"), "bytes=100-");
  EXPECT_EQ(range_header("bytes=0-99"), "bytes=0-99");
}
