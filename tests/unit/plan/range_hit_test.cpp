// Whether a stored range object answers: freshness, X-Crr-Ims, X-Crr-Ident, If-Range.
#include <gtest/gtest.h>

#include "rangecache/plan/range_hit.hpp"

using namespace rangecache;
using plan::range_hit;

namespace {

cache::object_meta stored(std::string etag, std::string last_modified) {
  cache::object_meta m;
  m.etag = std::move(etag);
  m.last_modified = std::move(last_modified);
  m.date = std::chrono::sys_seconds(std::chrono::seconds(1'800'000'000));
  return m;
}

}  // namespace

TEST(RangeHit, IdentSaysFreshTable) {
  const auto tagged = stored("\"v1\"", "Mon, 01 Jan 2024 00:00:00 GMT");
  const auto dated = stored("", "Mon, 01 Jan 2024 00:00:00 GMT");
  const auto bare = stored("", "");
  struct row {
    const char* value;
    const cache::object_meta* meta;
    std::optional<bool> says;
  };
  for (const auto& r : std::initializer_list<row>{
           {"Etag \"v1\"", &tagged, true},
           {"Etag \"v2\"", &tagged, false},
           {"Last-Modified Mon, 01 Jan 2024 00:00:00 GMT", &tagged, false},  // the ETag rules
           {"Last-Modified Mon, 01 Jan 2024 00:00:00 GMT", &dated, true},
           {"Last-Modified Tue, 02 Jan 2024 00:00:00 GMT", &dated, false},
           {"Stale", &tagged, false},
           {"Etag", &tagged, std::nullopt},  // a bare tag: ignored
           {"Etag \"v1\"", &bare, std::nullopt},
           {"something else", &tagged, std::nullopt}})
    EXPECT_EQ(plan::ident_says_fresh(r.value, *r.meta), r.says) << r.value;
}

TEST(RangeHit, JudgementTable) {
  const auto m = stored("\"v1\"", "");
  const std::int64_t date = 1'800'000'000;
  struct row {
    plan::range_hit_request rq;
    range_hit verdict;
  };
  for (const auto& r : std::initializer_list<row>{
           {{true, {}, "", {}}, range_hit::serve},
           {{false, {}, "", {}}, range_hit::revalidate},
           {{true, date + 10, "", {}}, range_hit::revalidate},  // X-Crr-Ims newer than Date
           {{true, date - 10, "", {}}, range_hit::serve},
           {{false, date - 10, "", {}}, range_hit::revalidate},  // never makes it fresh
           {{false, {}, "Etag \"v1\"", {}}, range_hit::serve},   // ident turns it fresh
           {{true, {}, "Stale", {}}, range_hit::revalidate},
           {{true, date - 10, "Stale", {}}, range_hit::serve},  // X-Crr-Ims takes precedence
           {{true, {}, "", "\"v1\""}, range_hit::serve},
           {{true, {}, "", "\"v2\""}, range_hit::unusable},
           {{false, {}, "", "\"v2\""}, range_hit::unusable}})
    EXPECT_EQ(plan::judge_range_hit(r.rq, m), r.verdict)
        << r.rq.fresh << " " << r.rq.crr_ims.value_or(0) << " " << r.rq.crr_ident << " "
        << r.rq.if_range.value_or("-");
}
