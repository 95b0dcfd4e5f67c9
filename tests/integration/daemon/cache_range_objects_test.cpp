// Range objects (what ATS's cache_range_requests plugin does): every single-range GET is
// cached under URL + canonical range; a hit never reaches the origin.
#include <gtest/gtest.h>

#include <algorithm>

#include <sstream>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

using strings = std::vector<std::string>;

class CacheRangeObjects : public daemon_suite<CacheRangeObjects> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    // Keys longer than 16 KiB must work (ATS once truncated them); the request line has to
    // fit first.
    o.extra = "server: { header_limit: 64KiB }\n";
    return o;
  }
};

}  // namespace

TEST_F(CacheRangeObjects, MissThenHit) {
  const auto path = unique_gen(100000);
  auto miss = range_get(path, "bytes=100-199");
  EXPECT_TRUE(is_partial(miss, path, 100, 199, 100000));
  EXPECT_EQ(x_cache(miss), "MISS");
  EXPECT_EQ(miss.header("ETag"), expected_etag(path, 100000));
  EXPECT_EQ(origin_->count(path), 1);
  EXPECT_EQ(origin_->ranges(path), strings{"bytes=100-199"});

  auto hit = range_get(path, "bytes=100-199");
  EXPECT_TRUE(is_partial(hit, path, 100, 199, 100000));
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_EQ(hit.header("ETag"), expected_etag(path, 100000));
  EXPECT_TRUE(hit.has_header("Age")) << hit;
  EXPECT_EQ(hit.header("Via"), "1.1 rangecache");
  EXPECT_EQ(origin_->count(path), 1);
}

TEST_F(CacheRangeObjects, HitOnTheSameKeepAliveConnectionAndOnOthers) {
  const auto path = unique_gen(70000);
  connection c("127.0.0.1", daemon_->port());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.send_request("GET", path, {{"Range", "bytes=65000-65999"}}));
    auto r = c.read_response();
    EXPECT_TRUE(is_partial(r, path, 65000, 65999, 70000)) << i;
    EXPECT_EQ(x_cache(r), i == 0 ? "MISS" : "HIT") << i;
  }
  for (int i = 0; i < 3; ++i) {
    auto r = range_get(path, "bytes=65000-65999");
    EXPECT_TRUE(is_partial(r, path, 65000, 65999, 70000));
    EXPECT_EQ(x_cache(r), "HIT");
  }
  EXPECT_EQ(origin_->count(path), 1);
}

TEST_F(CacheRangeObjects, DifferentRangesAreDifferentObjects) {
  const auto path = unique_gen(100000);
  EXPECT_EQ(x_cache(range_get(path, "bytes=0-99")), "MISS");
  auto other = range_get(path, "bytes=100-199");
  EXPECT_TRUE(is_partial(other, path, 100, 199, 100000));
  EXPECT_EQ(x_cache(other), "MISS");
  // A range inside a stored one is still its own object.
  auto inner = range_get(path, "bytes=10-19");
  EXPECT_TRUE(is_partial(inner, path, 10, 19, 100000));
  EXPECT_EQ(x_cache(inner), "MISS");
  EXPECT_EQ(origin_->count(path), 3);
  EXPECT_EQ(origin_->ranges(path), (strings{"bytes=0-99", "bytes=100-199", "bytes=10-19"}));

  for (auto [range, first, last] :
       {std::tuple{"bytes=0-99", 0, 99}, std::tuple{"bytes=100-199", 100, 199},
        std::tuple{"bytes=10-19", 10, 19}}) {
    auto r = range_get(path, range);
    EXPECT_TRUE(is_partial(r, path, first, last, 100000)) << range;
    EXPECT_EQ(x_cache(r), "HIT") << range;
  }
  EXPECT_EQ(origin_->count(path), 3);
}

TEST_F(CacheRangeObjects, SuffixAndOpenRanges) {
  const auto path = unique_gen(100000);
  auto suffix = range_get(path, "bytes=-500");
  EXPECT_TRUE(is_partial(suffix, path, 99500, 99999, 100000));
  EXPECT_EQ(x_cache(suffix), "MISS");
  auto open = range_get(path, "bytes=99000-");
  EXPECT_TRUE(is_partial(open, path, 99000, 99999, 100000));
  EXPECT_EQ(x_cache(open), "MISS");
  auto from_zero = range_get(path, "bytes=0-");
  EXPECT_TRUE(is_partial(from_zero, path, 0, 99999, 100000));
  EXPECT_EQ(x_cache(from_zero), "MISS");
  EXPECT_EQ(origin_->ranges(path), (strings{"bytes=-500", "bytes=99000-", "bytes=0-"}));

  EXPECT_TRUE(is_partial(range_get(path, "bytes=-500"), path, 99500, 99999, 100000));
  EXPECT_EQ(x_cache(range_get(path, "bytes=-500")), "HIT");
  EXPECT_TRUE(is_partial(range_get(path, "bytes=99000-"), path, 99000, 99999, 100000));
  EXPECT_EQ(x_cache(range_get(path, "bytes=99000-")), "HIT");
  EXPECT_TRUE(is_partial(range_get(path, "bytes=0-"), path, 0, 99999, 100000));
  EXPECT_EQ(x_cache(range_get(path, "bytes=0-")), "HIT");
  EXPECT_EQ(origin_->count(path), 3);
}

TEST_F(CacheRangeObjects, RangesPastTheEndAreClamped) {
  const auto path = unique_gen(100000);
  auto tail = range_get(path, "bytes=99900-200000");
  EXPECT_TRUE(is_partial(tail, path, 99900, 99999, 100000));
  EXPECT_EQ(x_cache(tail), "MISS");
  auto whole = range_get(path, "bytes=-200000");
  EXPECT_TRUE(is_partial(whole, path, 0, 99999, 100000));
  EXPECT_EQ(x_cache(whole), "MISS");
  auto hit = range_get(path, "bytes=99900-200000");
  EXPECT_TRUE(is_partial(hit, path, 99900, 99999, 100000));
  EXPECT_EQ(x_cache(hit), "HIT");
  hit = range_get(path, "bytes=-200000");
  EXPECT_TRUE(is_partial(hit, path, 0, 99999, 100000));
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_EQ(origin_->count(path), 2);
}

TEST_F(CacheRangeObjects, UnsatisfiableRangeIs416AndNotStored) {
  const auto path = unique_gen(100000);
  for (int i = 0; i < 2; ++i) {
    auto r = range_get(path, "bytes=100000-100100");
    EXPECT_TRUE(is_unsatisfiable(r, 100000)) << i;
    auto open = range_get(path, "bytes=200000-");
    EXPECT_TRUE(is_unsatisfiable(open, 100000)) << i;
  }
  // A 416 is never stored, every one reaches the origin.
  EXPECT_EQ(origin_->count(path), 4);
}

TEST_F(CacheRangeObjects, MultiRangeBeforeTheCompleteObjectIsForwardedUnchangedAndNotStored) {
  const auto path = unique_gen(100000);
  const std::string range = "bytes=0-99,500-599,-100";
  const std::vector<asked_range> asked{{0, 99}, {500, 599}, {100, 0, true}};
  for (int i = 0; i < 2; ++i) {
    auto r = range_get(path, range);
    EXPECT_TRUE(is_multi(r, path, 100000, asked)) << i;
    EXPECT_NE(x_cache(r), "HIT") << i;
  }
  EXPECT_EQ(origin_->count(path), 2);
  EXPECT_EQ(origin_->ranges(path), (strings{range, range}));
  // Nor did it leave a range object for its first range.
  auto first = range_get(path, "bytes=0-99");
  EXPECT_TRUE(is_partial(first, path, 0, 99, 100000));
  EXPECT_EQ(x_cache(first), "MISS");
  EXPECT_EQ(origin_->count(path), 3);
}

// One range, one key, however it is spelled (ATS stores each spelling apart).
TEST_F(CacheRangeObjects, SpellingsOfOneRangeShareOneObject) {
  const auto path = unique_gen(100000);
  auto miss = range_get(path, "bytes=0-99");
  EXPECT_TRUE(is_partial(miss, path, 0, 99, 100000));
  EXPECT_EQ(x_cache(miss), "MISS");
  for (const char* spelling : {"bytes=0-099", "bytes=00-99", "bytes=0000-0000099", "BYTES=0-99",
                               "Bytes=0-99", "bytes= 0-99", "bytes=0-99,", "bytes=,0-99"}) {
    auto r = range_get(path, spelling);
    EXPECT_TRUE(is_partial(r, path, 0, 99, 100000)) << spelling;
    EXPECT_EQ(x_cache(r), "HIT") << spelling;
  }
  EXPECT_EQ(origin_->count(path), 1);
  // The origin sees the canonical spelling too, the one in the key.
  const auto other = unique_gen(100000);
  auto r = range_get(other, "bytes=010-0019");
  EXPECT_TRUE(is_partial(r, other, 10, 19, 100000));
  EXPECT_EQ(origin_->ranges(other), strings{"bytes=10-19"});
  EXPECT_EQ(x_cache(range_get(other, "bytes=10-19")), "HIT");
  EXPECT_EQ(origin_->count(other), 1);
}

TEST_F(CacheRangeObjects, ClientConditionalsAreAnsweredFromTheRangeObject) {
  const auto path = unique_gen(100000);
  const auto etag = expected_etag(path, 100000);
  ASSERT_EQ(x_cache(range_get(path, "bytes=0-99")), "MISS");

  auto inm = range_get(path, "bytes=0-99", {{"If-None-Match", etag}});
  EXPECT_EQ(inm.status, 304) << inm;
  EXPECT_TRUE(inm.body.empty());
  EXPECT_EQ(inm.header("ETag"), etag);
  auto ims =
      range_get(path, "bytes=0-99", {{"If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT"}});
  EXPECT_EQ(ims.status, 304) << ims;
  auto other = range_get(path, "bytes=0-99", {{"If-None-Match", "\"something-else\""}});
  EXPECT_TRUE(is_partial(other, path, 0, 99, 100000));
  auto older =
      range_get(path, "bytes=0-99", {{"If-Modified-Since", "Sun, 31 Dec 2023 00:00:00 GMT"}});
  EXPECT_TRUE(is_partial(older, path, 0, 99, 100000));
  EXPECT_EQ(origin_->count(path), 1);

  // If-Range that matches: the stored range; that does not: the origin's whole 200.
  auto match = range_get(path, "bytes=0-99", {{"If-Range", etag}});
  EXPECT_TRUE(is_partial(match, path, 0, 99, 100000));
  EXPECT_EQ(x_cache(match), "HIT");
  EXPECT_EQ(origin_->count(path), 1);
  auto mismatch = range_get(path, "bytes=0-99", {{"If-Range", "\"an-older-version\""}});
  EXPECT_TRUE(is_whole(mismatch, path, 100000));
}

// HEAD with Range is answered from stored metadata when the object is cached, and passed
// through otherwise.
TEST_F(CacheRangeObjects, HeadWithRange) {
  const auto path = unique_gen(100000);
  for (int i = 0; i < 2; ++i) {
    auto r = head(daemon_->port(), path, {{"Range", "bytes=0-99"}});
    EXPECT_EQ(r.status, 206) << r;
    EXPECT_TRUE(r.body.empty());
  }
  EXPECT_EQ(origin_->count(path), 2);

  ASSERT_EQ(x_cache(range_get(path, "bytes=0-99")), "MISS");
  EXPECT_EQ(origin_->count(path), 3);
  auto r = head(daemon_->port(), path, {{"Range", "bytes=0-99"}});
  EXPECT_EQ(r.status, 206) << r;
  EXPECT_EQ(r.header("Content-Range"), "bytes 0-99/100000");
  EXPECT_EQ(r.header("Content-Length"), "100");
  EXPECT_EQ(r.header("ETag"), expected_etag(path, 100000));
  EXPECT_EQ(x_cache(r), "HIT");
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(origin_->count(path), 3);
}

// X-Skip-Crr from a trusted client (loopback) bypasses range caching.
TEST_F(CacheRangeObjects, SkipCrrFromATrustedClientStoresNoRangeObject) {
  const auto path = unique_gen(100000);
  for (int i = 0; i < 2; ++i) {
    auto r = range_get(path, "bytes=0-99", {{"X-Skip-Crr", "1"}});
    EXPECT_TRUE(is_partial(r, path, 0, 99, 100000)) << i;
    EXPECT_NE(x_cache(r), "HIT") << i;
  }
  EXPECT_EQ(origin_->count(path), 2);
  auto miss = range_get(path, "bytes=0-99");
  EXPECT_EQ(x_cache(miss), "MISS");
  EXPECT_EQ(origin_->count(path), 3);
  auto hit = range_get(path, "bytes=0-99");
  EXPECT_TRUE(is_partial(hit, path, 0, 99, 100000));
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_EQ(origin_->count(path), 3);
  EXPECT_EQ(origin_->ranges(path), (strings{"bytes=0-99", "bytes=0-99", "bytes=0-99"}));
}

// Range caching is for bytes only: other units pass through untouched; a malformed bytes
// Range is no Range.
TEST_F(CacheRangeObjects, OtherUnitsPassThroughAndMalformedRangesAreIgnored) {
  const auto items = unique_gen(5000);
  for (int i = 0; i < 2; ++i) {
    auto r = range_get(items, "items=0-5");
    EXPECT_TRUE(is_whole(r, items, 5000)) << i;
  }
  EXPECT_EQ(origin_->count(items), 2);
  EXPECT_EQ(origin_->ranges(items), (strings{"items=0-5", "items=0-5"}));

  const auto bad = unique_gen(5000);
  auto r = range_get(bad, "bytes=abc");
  EXPECT_TRUE(is_whole(r, bad, 5000));
  EXPECT_TRUE(origin_->ranges(bad).empty());
  r = range_get(bad, "bytes=5-1");
  EXPECT_TRUE(is_whole(r, bad, 5000));
  // The whole answer was the complete object: ranges now come from it.
  auto hit = range_get(bad, "bytes=10-19");
  EXPECT_TRUE(is_partial(hit, bad, 10, 19, 5000));
  EXPECT_EQ(x_cache(hit), "HIT_FULL");
  EXPECT_EQ(origin_->count(bad), 1);
}

TEST_F(CacheRangeObjects, LargeRangeObjectSpanningManyChunks) {
  const auto path = unique_gen(4000000);
  auto miss = range_get(path, "bytes=123-3000122");
  EXPECT_TRUE(is_partial(miss, path, 123, 3000122, 4000000));
  EXPECT_EQ(x_cache(miss), "MISS");
  auto hit = range_get(path, "bytes=123-3000122");
  EXPECT_TRUE(is_partial(hit, path, 123, 3000122, 4000000));
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_EQ(origin_->count(path), 1);
}

// Keys longer than 16 KiB work.
TEST_F(CacheRangeObjects, KeysLongerThan16KiB) {
  const std::string path = "/gen/20000/" + std::string(16400, 'k') + "-long";
  auto miss = range_get(path, "bytes=0-5000");
  EXPECT_TRUE(is_partial(miss, path, 0, 5000, 20000));
  EXPECT_EQ(x_cache(miss), "MISS");
  auto hit = range_get(path, "bytes=0-5000");
  EXPECT_TRUE(is_partial(hit, path, 0, 5000, 20000));
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_EQ(origin_->count(path), 1);
  // A key that differs only in its last byte is another object.
  const std::string other = path.substr(0, path.size() - 1) + "X";
  auto r = range_get(other, "bytes=0-5000");
  EXPECT_TRUE(is_partial(r, other, 0, 5000, 20000));
  EXPECT_EQ(x_cache(r), "MISS");
}

TEST_F(CacheRangeObjects, QueryStringIsPartOfTheKey) {
  const auto path = unique_gen(10000);
  EXPECT_EQ(x_cache(range_get(path + "?a=1", "bytes=0-9")), "MISS");
  EXPECT_EQ(x_cache(range_get(path + "?a=2", "bytes=0-9")), "MISS");
  EXPECT_EQ(x_cache(range_get(path + "?a=1", "bytes=0-9")), "HIT");
  EXPECT_EQ(origin_->count(path + "?a=1"), 1);
  EXPECT_EQ(origin_->count(path + "?a=2"), 1);
}

TEST_F(CacheRangeObjects, AccessLogFieldEightIsTheCacheResult) {
  const auto path = unique_gen(1000);
  ASSERT_EQ(x_cache(range_get(path, "bytes=0-9")), "MISS");
  ASSERT_EQ(x_cache(range_get(path, "bytes=0-9")), "HIT");
  std::vector<std::string> results;
  ASSERT_TRUE(wait_until(
      [&] {
        results.clear();
        std::istringstream log(daemon_->access_log());
        std::string line;
        while (std::getline(log, line)) {
          std::istringstream fields(line);
          std::vector<std::string> f;
          for (std::string w; fields >> w;) f.push_back(w);
          // time client method url status bytes duration cache upstream_status
          if (f.size() >= 9 && f[3].ends_with(path)) results.push_back(f[7]);
        }
        return results.size() >= 2;
      },
      5s))
      << daemon_->access_log();
  // Two workers write their lines independently: the order in the file is not the order of
  // the requests.
  std::sort(results.begin(), results.end());
  EXPECT_EQ(results, (strings{"HIT", "MISS"}));
}
