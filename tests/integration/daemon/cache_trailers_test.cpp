// Chunked trailers: fields an origin sends after the last chunk belong to that one transfer.
// They are never stored with the object nor replayed to later clients as header fields:
// what is stored is the head as it was before the body, whether a client's miss or a
// background fetch filled the store.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

using strings = std::vector<std::string>;

// A Set-Cookie meant for one client, an ETag and a Cache-Control that contradict the head.
const std::string trailers =
    "chunked=1&trailer=Set-Cookie:sid=secret&trailer=ETag:%22evil%22"
    "&trailer=Cache-Control:no-store";

class CacheTrailers : public daemon_suite<CacheTrailers> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n    background_fetch: true\n";
    return o;
  }

 protected:
  // A cached answer with the head the origin sent before its body, and nothing else.
  static void expect_stored_head(const response& r, const std::string& path, std::uint64_t size) {
    EXPECT_EQ(x_cache(r), "HIT_FULL") << r;
    EXPECT_FALSE(r.has_header("Set-Cookie")) << r;
    EXPECT_EQ(r.header_values("ETag"), strings{expected_etag(path, size)}) << r;
    EXPECT_EQ(r.header_values("Cache-Control"), strings{"max-age=3600"}) << r;
    EXPECT_FALSE(r.has_header("Trailer")) << r;
  }
};

}  // namespace

TEST_F(CacheTrailers, TrailersOfAClientFillAreNotReplayed) {
  const std::uint64_t size = 70000;
  const auto path = unique_gen(size);
  const auto target = path + "?" + trailers;
  auto miss = get(daemon_->port(), target);
  EXPECT_TRUE(is_whole(miss, path, size)) << miss;
  EXPECT_EQ(x_cache(miss), "MISS");

  auto whole = get(daemon_->port(), target);
  EXPECT_TRUE(is_whole(whole, path, size)) << whole;
  expect_stored_head(whole, path, size);
  auto part = range_get(target, "bytes=100-199");
  EXPECT_TRUE(is_partial(part, path, 100, 199, size)) << part;
  expect_stored_head(part, path, size);
  EXPECT_EQ(origin_->count(target), 1);
}

TEST_F(CacheTrailers, TrailersOfABackgroundFetchAreNotStored) {
  const std::uint64_t size = 70000;
  const auto path = unique_gen(size);
  const auto target = path + "?" + trailers;
  // A chunked 206 has no length to check: it is not stored itself, but it queues the fetch
  // of the complete object, whose chunked body ends with the same trailers.
  auto first = range_get(target, "bytes=0-99");
  EXPECT_EQ(first.status, 206) << first;
  EXPECT_TRUE(is_content(first.body, path, 0, 100)) << first;

  response hit;
  ASSERT_TRUE(wait_until(
      [&] {
        hit = range_get(target, "bytes=1000-1099");
        return x_cache(hit) == "HIT_FULL";
      },
      10s, 100ms))
      << hit;
  EXPECT_TRUE(is_partial(hit, path, 1000, 1099, size)) << hit;
  expect_stored_head(hit, path, size);
}
