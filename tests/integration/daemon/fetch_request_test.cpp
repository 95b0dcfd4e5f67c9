// The background request itself: a GET of the URL without Range, If-Range, conditionals or
// credentials, with the client's other headers and the fetch marker.
// An origin of our own records every request head. Clients here are NOT trusted
// (trusted: 10.0.0.0/8), so a marker they send must be ignored and never forwarded.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"
#include "fetch_checks.hpp"
#include "recording_origin.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class FetchRequest : public daemon_suite<FetchRequest, recording_origin> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n    background_fetch: true\n";
    o.extra = "trusted: [\"10.0.0.0/8\"]\n";
    return o;
  }

 protected:
  static std::vector<recording_origin::request> for_path(const std::string& path) {
    std::vector<recording_origin::request> out;
    for (auto& r : origin_->requests())
      if (r.target == path) out.push_back(std::move(r));
    return out;
  }
  // The request(s) for `path` without Range, waiting (bounded) for `n` of them.
  static std::vector<recording_origin::request> full_requests(const std::string& path,
                                                              std::size_t n = 1) {
    std::vector<recording_origin::request> out;
    wait_until(
        [&] {
          out.clear();
          for (auto& r : for_path(path))
            if (!r.has("Range")) out.push_back(std::move(r));
          return out.size() >= n;
        },
        10s);
    return out;
  }
};

}  // namespace

TEST_F(FetchRequest, IsAPlainGetWithTheClientsHeadersAndTheMarker) {
  const std::string path = "/fetch-request/a.bin";
  const auto size = origin_->size();
  auto r = get(daemon_->port(), path,
               {{"Range", "bytes=100-199"},
                {"User-Agent", "RcTest/1.0 (background)"},
                {"Cookie", "session=abc"},
                {"Accept-Language", "fr"},
                {"X-Custom", "kept"}},
               10s);
  EXPECT_TRUE(is_partial(r, path, 100, 199, size)) << r;
  auto full = full_requests(path);
  ASSERT_EQ(full.size(), 1u) << "no background request reached the origin";
  const auto& f = full[0];
  EXPECT_EQ(f.method, "GET");
  EXPECT_EQ(f.target, path);
  EXPECT_EQ(f.header("X-Rangecache-Fetch"), "1");
  EXPECT_EQ(f.header("User-Agent"), "RcTest/1.0 (background)");
  EXPECT_FALSE(f.has("Cookie")) << "the client's cookie went into the background fetch";
  EXPECT_EQ(f.header("Accept-Language"), "fr");
  EXPECT_EQ(f.header("X-Custom"), "kept");
  EXPECT_TRUE(f.has("Host"));
  for (auto name : {"Range", "If-Range", "If-None-Match", "If-Modified-Since", "If-Match",
                    "If-Unmodified-Since", "Expect", "Content-Length", "Transfer-Encoding"})
    EXPECT_FALSE(f.has(name)) << name << ": " << f.header(name).value_or("");

  // The range the client asked for went upstream unmarked.
  auto ranged = for_path(path);
  ASSERT_FALSE(ranged.empty());
  EXPECT_EQ(ranged[0].header("Range"), "bytes=100-199");
  EXPECT_FALSE(ranged[0].has("X-Rangecache-Fetch"));

  ASSERT_TRUE(wait_until(
      [&] {
        auto hit = get(daemon_->port(), path, {{"Range", "bytes=200000-200099"}}, 10s);
        return x_cache(hit) == "HIT_FULL" && is_partial(hit, path, 200000, 200099, size);
      },
      10s, 100ms));
}

// The complete object is stored for everyone: fetching it with one client's credentials
// would store what only that client may see. The origin says public, so the authorized
// range answer itself may be stored and may queue the fetch (RFC 9111 §3.5).
TEST_F(FetchRequest, CarriesNoCredentials) {
  const std::string path = "/fetch-request/credentials.bin";
  const std::string target = path + "?cc=public";
  const auto size = origin_->size();
  auto r = get(daemon_->port(), target,
               {{"Range", "bytes=0-99"},
                {"Authorization", "Basic dXNlcjpwYXNz"},
                {"Proxy-Authorization", "Basic cHJveHk6cGFzcw=="},
                {"Cookie", "session=abc"}},
               10s);
  EXPECT_TRUE(is_partial(r, path, 0, 99, size)) << r;
  auto full = full_requests(target);
  ASSERT_EQ(full.size(), 1u) << "no background request reached the origin";
  for (auto name : {"Authorization", "Proxy-Authorization", "Cookie"})
    EXPECT_FALSE(full[0].has(name)) << name << ": " << full[0].header(name).value_or("");
  EXPECT_EQ(full[0].header("X-Rangecache-Fetch"), "1");
}

TEST_F(FetchRequest, ConditionalsAndIfRangeAreRemoved) {
  const std::string path = "/fetch-request/conditional.bin";
  const auto size = origin_->size();
  const auto etag = expected_etag(path, size);
  auto r = get(daemon_->port(), path,
               {{"Range", "bytes=0-99"},
                {"If-Range", etag},
                {"If-Modified-Since", "Sun, 01 Jan 2023 00:00:00 GMT"},
                {"If-Unmodified-Since", "Mon, 01 Jan 2035 00:00:00 GMT"}},
               10s);
  EXPECT_TRUE(is_partial(r, path, 0, 99, size)) << r;
  auto full = full_requests(path);
  ASSERT_EQ(full.size(), 1u);
  for (auto name : {"Range", "If-Range", "If-None-Match", "If-Modified-Since", "If-Match",
                    "If-Unmodified-Since"})
    EXPECT_FALSE(full[0].has(name)) << name << ": " << full[0].header(name).value_or("");
}

TEST_F(FetchRequest, AMarkerFromAnUntrustedClientIsIgnored) {
  // Anyone could send the marker to keep the cache from fetching; only trusted peers count.
  const std::string path = "/fetch-request/untrusted.bin";
  auto r = get(daemon_->port(), path, {{"Range", "bytes=0-99"}, {"X-Rangecache-Fetch", "1"}}, 10s);
  EXPECT_TRUE(is_partial(r, path, 0, 99, origin_->size())) << r;
  auto full = full_requests(path);
  EXPECT_EQ(full.size(), 1u) << "an untrusted marker stopped the background fetch";
  auto all = for_path(path);
  ASSERT_FALSE(all.empty());
  EXPECT_FALSE(all[0].has("X-Rangecache-Fetch")) << "the client's marker was forwarded";
}
