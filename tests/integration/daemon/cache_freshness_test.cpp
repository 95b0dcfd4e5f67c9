// Shared-cache freshness (RFC 9111) for both object kinds: storability, lifetimes,
// revalidation with the stored validators, 304 handling, Age. Objects going stale as time
// passes are tested in-process on a clock the test moves (tests/integration/pipeline).
#include <gtest/gtest.h>

#include <sstream>

#include "cache_checks.hpp"
#include "daemon.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

using strings = std::vector<std::string>;

class CacheFreshness : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    origin_ = new origin();
    daemon_options o;
    o.origin_port = origin_->port();
    o.rule_extra = "    cache_range_requests: {}\n";
    daemon_ = new proxy_daemon(o);
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
    delete origin_;
    origin_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(daemon_, nullptr) << "the fixture did not start"; }

  static response range_get(const std::string& target, const std::string& range,
                            header_list more = {}) {
    more.emplace_back("Range", range);
    return get(daemon_->port(), target, more);
  }

  static origin* origin_;
  static proxy_daemon* daemon_;
};
origin* CacheFreshness::origin_ = nullptr;
proxy_daemon* CacheFreshness::daemon_ = nullptr;

// The status codes the origin logged for `target`, in order ("METHOD TARGET RANGE STATUS
// BYTES" lines).
std::vector<int> origin_statuses(const origin& o, const std::string& target) {
  std::vector<int> out;
  std::istringstream in(o.log());
  std::string method, t, range;
  int status = 0;
  long long bytes = 0;
  while (in >> method >> t >> range >> status >> bytes)
    if (t == target) out.push_back(status);
  return out;
}

// The same once `n` of them are there: the origin logs a request after its answer has gone
// out, so the client may hold the answer a moment before the line is written.
std::vector<int> origin_statuses(const origin& o, const std::string& target, std::size_t n) {
  std::vector<int> out;
  wait_until(
      [&] {
        out = origin_statuses(o, target);
        return out.size() >= n;
      },
      5s);
  return out;
}

}  // namespace

// RFC 9111 §4.3.4: a 304 freshens the stored object only when its validators select it.
// This origin judges conditionals by date alone and its content has changed: its 304 carries
// the new version's ETag. The old bytes must never go out under the new tag; the object is
// fetched again, unconditionally. max-age=0 makes every reuse a revalidation at once.
TEST_F(CacheFreshness, A304WithAnotherEtagMakesTheCompleteObjectBeFetchedAgain) {
  const std::uint64_t size = 40000;
  const auto path = unique_gen(size);
  const auto target = path + "?cc=max-age%3D0&ims_only=1&switch_at=2&switch_to=v2";
  const auto new_tag = expected_etag(path, size, "v2");
  auto miss = get(daemon_->port(), target);
  EXPECT_TRUE(is_whole(miss, path, size)) << miss;
  EXPECT_EQ(x_cache(miss), "MISS");

  auto again = get(daemon_->port(), target);
  EXPECT_TRUE(is_whole(again, path, size, "v2")) << again;
  EXPECT_EQ(again.header("ETag"), new_tag);
  EXPECT_EQ(x_cache(again), "REFRESH");
  EXPECT_EQ(origin_statuses(*origin_, target, 3), (std::vector<int>{200, 304, 200}));

  // What is stored now is the new version: its tag selects it, and ranges are its bytes.
  auto part = range_get(target, "bytes=100-199", {{"If-Range", new_tag}});
  EXPECT_TRUE(is_partial(part, path, 100, 199, size, "v2")) << part;
  EXPECT_EQ(x_cache(part), "REVALIDATED");
}

TEST_F(CacheFreshness, A304WithAnotherEtagMakesTheRangeObjectBeFetchedAgain) {
  const std::uint64_t size = 40000;
  const auto path = unique_gen(size);
  const auto target = path + "?cc=max-age%3D0&ims_only=1&switch_at=2&switch_to=v2";
  auto miss = range_get(target, "bytes=0-99");
  EXPECT_TRUE(is_partial(miss, path, 0, 99, size)) << miss;
  EXPECT_EQ(x_cache(miss), "MISS");

  auto again = range_get(target, "bytes=0-99");
  EXPECT_TRUE(is_partial(again, path, 0, 99, size, "v2")) << again;
  EXPECT_EQ(again.header("ETag"), expected_etag(path, size, "v2"));
  EXPECT_EQ(x_cache(again), "REFRESH");
  EXPECT_EQ(origin_statuses(*origin_, target, 3), (std::vector<int>{206, 304, 206}));
  EXPECT_EQ(origin_->ranges(target), (strings{"bytes=0-99", "bytes=0-99", "bytes=0-99"}));
}

// The If-Range of a client that already knows the new version: old bytes under the new
// tag would be a corrupt splice for it.
TEST_F(CacheFreshness, IfRangeWithTheNewEtagNeverGetsOldBytes) {
  const std::uint64_t size = 40000;
  const auto path = unique_gen(size);
  const auto target = path + "?cc=max-age%3D0&ims_only=1&switch_at=2&switch_to=v2";
  const auto new_tag = expected_etag(path, size, "v2");
  auto miss = get(daemon_->port(), target);
  EXPECT_TRUE(is_whole(miss, path, size)) << miss;

  auto r = range_get(target, "bytes=100-199", {{"If-Range", new_tag}});
  // The origin's current bytes: all of them, or the range of them.
  if (r.status == 206)
    EXPECT_TRUE(is_partial(r, path, 100, 199, size, "v2")) << r;
  else
    EXPECT_TRUE(is_whole(r, path, size, "v2")) << r;
  EXPECT_EQ(r.header("ETag"), new_tag);
}

TEST_F(CacheFreshness, ClientNoCacheForcesRevalidation) {
  const auto path = unique_gen(20000);
  ASSERT_EQ(x_cache(range_get(path, "bytes=0-99")), "MISS");
  int expected_count = 1;
  for (const header_list& h :
       {header_list{{"Cache-Control", "no-cache"}}, header_list{{"Cache-Control", "max-age=0"}},
        header_list{{"Pragma", "no-cache"}}}) {
    auto r = range_get(path, "bytes=0-99", h);
    EXPECT_TRUE(is_partial(r, path, 0, 99, 20000)) << h[0].second;
    EXPECT_EQ(x_cache(r), "REVALIDATED") << h[0].first << ": " << h[0].second;
    EXPECT_EQ(origin_->count(path), ++expected_count);
  }
  EXPECT_EQ(x_cache(range_get(path, "bytes=0-99")), "HIT");
  EXPECT_EQ(origin_->count(path), expected_count);

  // The same for the complete object.
  const auto whole = unique_gen(20000);
  ASSERT_EQ(x_cache(get(daemon_->port(), whole)), "MISS");
  auto r = range_get(whole, "bytes=5-9", {{"Cache-Control", "no-cache"}});
  EXPECT_TRUE(is_partial(r, whole, 5, 9, 20000));
  EXPECT_EQ(x_cache(r), "REVALIDATED");
  EXPECT_EQ(origin_->count(whole), 2);
}

TEST_F(CacheFreshness, NoStoreAndPrivateAnswersAreNeverStored) {
  for (const char* cc :
       {"no-store", "private", "no-store%2C%20max-age%3D3600", "private%2C%20max-age%3D3600"}) {
    const auto path = unique_gen(20000);
    const auto target = path + "?cc=" + cc;
    for (int i = 0; i < 2; ++i) {
      auto r = range_get(target, "bytes=0-99");
      EXPECT_TRUE(is_partial(r, path, 0, 99, 20000)) << cc;
      EXPECT_EQ(x_cache(r), "PASS") << cc;
      auto w = get(daemon_->port(), target);
      EXPECT_TRUE(is_whole(w, path, 20000)) << cc;
      EXPECT_EQ(x_cache(w), "PASS") << cc;
      auto cut = range_get(target, "bytes=10-19");
      EXPECT_TRUE(is_partial(cut, path, 10, 19, 20000)) << cc;
    }
    EXPECT_EQ(origin_->count(target), 6) << cc;
  }
}

TEST_F(CacheFreshness, RequestsWithAuthorizationOrNoStoreAreNotStored) {
  for (const header_list& h : {header_list{{"Authorization", "Basic dXNlcjpwYXNz"}},
                               header_list{{"Cache-Control", "no-store"}}}) {
    const auto path = unique_gen(20000);
    for (int i = 0; i < 2; ++i) {
      auto r = range_get(path, "bytes=0-99", h);
      EXPECT_TRUE(is_partial(r, path, 0, 99, 20000)) << h[0].first;
      EXPECT_EQ(x_cache(r), "PASS") << h[0].first;
      auto w = get(daemon_->port(), path, h);
      EXPECT_TRUE(is_whole(w, path, 20000)) << h[0].first;
      EXPECT_EQ(x_cache(w), "PASS") << h[0].first;
    }
    EXPECT_EQ(origin_->count(path), 4) << h[0].first;
    // Nothing was left behind for anyone else either.
    EXPECT_EQ(x_cache(range_get(path, "bytes=0-99")), "MISS") << h[0].first;
  }
}

// RFC 9111 §3.5: a response to an authorized request may be stored when it says public or
// s-maxage.
TEST_F(CacheFreshness, AuthorizedRequestsAreStoredWhenTheOriginSaysPublic) {
  for (const char* cc : {"public%2C%20max-age%3D3600", "s-maxage%3D3600"}) {
    const auto path = unique_gen(20000);
    const auto target = path + "?cc=" + cc;
    const header_list auth{{"Authorization", "Basic dXNlcjpwYXNz"}};
    auto miss = range_get(target, "bytes=0-99", auth);
    EXPECT_TRUE(is_partial(miss, path, 0, 99, 20000)) << cc;
    EXPECT_EQ(x_cache(miss), "MISS") << cc;
    auto hit = range_get(target, "bytes=0-99", auth);
    EXPECT_TRUE(is_partial(hit, path, 0, 99, 20000)) << cc;
    EXPECT_EQ(x_cache(hit), "HIT") << cc;
    EXPECT_EQ(origin_->count(target), 1) << cc;
  }
}

TEST_F(CacheFreshness, SharedMaxAgeWinsOverMaxAge) {
  const auto path = unique_gen(20000);
  const auto stored = path + "?cc=max-age%3D0%2C%20s-maxage%3D3600";
  EXPECT_EQ(x_cache(range_get(stored, "bytes=0-9")), "MISS");
  EXPECT_EQ(x_cache(range_get(stored, "bytes=0-9")), "HIT");
  EXPECT_EQ(origin_->count(stored), 1);

  const auto stale = path + "?cc=s-maxage%3D0%2C%20max-age%3D3600";
  EXPECT_EQ(x_cache(range_get(stale, "bytes=0-9")), "MISS");
  auto r = range_get(stale, "bytes=0-9");
  EXPECT_TRUE(is_partial(r, path, 0, 9, 20000));
  EXPECT_EQ(x_cache(r), "REVALIDATED");
  EXPECT_EQ(origin_->count(stale), 2);
}

TEST_F(CacheFreshness, NoCacheAnswersAreStoredButAlwaysRevalidated) {
  const auto path = unique_gen(20000);
  const auto target = path + "?cc=no-cache";
  EXPECT_EQ(x_cache(range_get(target, "bytes=0-9")), "MISS");
  for (int i = 0; i < 2; ++i) {
    auto r = range_get(target, "bytes=0-9");
    EXPECT_TRUE(is_partial(r, path, 0, 9, 20000));
    EXPECT_EQ(x_cache(r), "REVALIDATED") << i;
  }
  EXPECT_EQ(origin_->count(target), 3);
  EXPECT_EQ(origin_statuses(*origin_, target), (std::vector<int>{206, 304, 304}));
}

TEST_F(CacheFreshness, ExpiresGivesTheLifetimeWithoutCacheControl) {
  const auto path = unique_gen(20000);
  const auto future = path + "?cc=&hdr=Expires:Thu%2C%2001%20Jan%202099%2000:00:00%20GMT";
  EXPECT_EQ(x_cache(range_get(future, "bytes=0-9")), "MISS");
  auto hit = range_get(future, "bytes=0-9");
  EXPECT_TRUE(is_partial(hit, path, 0, 9, 20000));
  EXPECT_FALSE(hit.has_header("Cache-Control")) << hit;
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_EQ(origin_->count(future), 1);

  // An Expires in the past: stale at once (no heuristic lifetime when Expires is there).
  const auto past = path + "?cc=&hdr=Expires:Thu%2C%2001%20Jan%202015%2000:00:00%20GMT";
  EXPECT_EQ(x_cache(range_get(past, "bytes=0-9")), "MISS");
  auto reval = range_get(past, "bytes=0-9");
  EXPECT_TRUE(is_partial(reval, path, 0, 9, 20000));
  EXPECT_EQ(x_cache(reval), "REVALIDATED");
  EXPECT_EQ(origin_->count(past), 2);
}

TEST_F(CacheFreshness, AgeIsOnEveryCachedAnswerAndCountsTheOriginsAge) {
  const auto path = unique_gen(20000);
  const auto target = path + "?hdr=Age:100";
  ASSERT_EQ(x_cache(range_get(target, "bytes=0-9")), "MISS");
  ASSERT_EQ(x_cache(get(daemon_->port(), path)), "MISS");
  for (auto r : {range_get(target, "bytes=0-9"), range_get(path, "bytes=0-9"),
                 get(daemon_->port(), path), head(daemon_->port(), path)}) {
    auto age = r.header("Age");
    ASSERT_TRUE(age) << r;
    EXPECT_EQ(r.header_values("Age").size(), 1u) << r;
    EXPECT_GE(std::stoll(*age), 0) << r;
  }
  auto aged = range_get(target, "bytes=0-9");
  ASSERT_TRUE(aged.header("Age"));
  EXPECT_GE(std::stoll(*aged.header("Age")), 100);
  EXPECT_LE(std::stoll(*aged.header("Age")), 110);
}
