// Stale answers end to end, on the proxy's manual clock: stale-while-revalidate (RFC 5861
// §3) serves at once and revalidates in the background, once per object; stale-if-error
// (RFC 5861 §4) answers for an origin that fails; what forbids stale answers (RFC 9111
// §4.2.4, §5.2.2.2 must-revalidate, §5.2.2.8 proxy-revalidate, §5.2.2.10 s-maxage, §5.2.2.4
// no-cache) makes an unreachable origin a 504.
#include <gtest/gtest.h>

#include "cache_checks.hpp"
#include "pipeline.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

using strings = std::vector<std::string>;
using statuses = std::vector<int>;

class PipelineStale : public pipeline_suite<PipelineStale> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    return o;
  }

 protected:
  static response get_full(const std::string& target, header_list more = {}) {
    return get(proxy_->port(), target, more);
  }
  // Polls (the background revalidation runs after the stale answer went out) until a GET
  // of `target` is answered with `label`.
  static bool answered_as(const std::string& target, const std::string& label,
                          const std::string& range = {}) {
    return wait_until(
        [&] {
          auto r = range.empty() ? get_full(target) : range_get(target, range);
          return x_cache(r) == label;
        },
        5s);
  }
};

}  // namespace

TEST_F(PipelineStale, StaleWhileRevalidateAnswersAtOnceAndRevalidatesInTheBackground) {
  const auto path = unique_gen(30000);
  const auto target = path + "?cc=max-age%3D1%2C%20stale-while-revalidate%3D30";
  ASSERT_EQ(x_cache(get_full(target)), "MISS");
  advance(5s);

  auto stale = get_full(target);
  EXPECT_TRUE(is_whole(stale, path, 30000));
  EXPECT_EQ(x_cache(stale), "STALE");
  EXPECT_EQ(stale.header("Age"), "5");
  // The origin got a conditional request (its 304 is logged), not a client's.
  EXPECT_EQ(origin_statuses(*origin_, target, 2), (statuses{200, 304}));
  ASSERT_TRUE(answered_as(target, "HIT_FULL"));
  EXPECT_EQ(origin_->count(target), 2);
}

TEST_F(PipelineStale, StaleWhileRevalidateRevalidatesOneObjectOnceAtATime) {
  const auto path = unique_gen(30000);
  // From the second request on, the origin takes a second: the revalidation is still under
  // way while the stale hits arrive.
  const auto target = path + "?cc=max-age%3D1%2C%20stale-while-revalidate%3D60&delay=1&delay_at=2";
  ASSERT_EQ(x_cache(get_full(target)), "MISS");
  advance(5s);
  EXPECT_EQ(x_cache(get_full(target)), "STALE");
  for (int i = 0; i < 6; ++i) {
    auto r = get_full(target);
    EXPECT_TRUE(is_whole(r, path, 30000));
    const auto label = x_cache(r);
    EXPECT_TRUE(label == "STALE" || label == "HIT_FULL") << label;
  }
  ASSERT_TRUE(answered_as(target, "HIT_FULL"));
  EXPECT_EQ(origin_statuses(*origin_, target), (statuses{200, 304}));
  EXPECT_EQ(origin_->count(target), 2);
}

TEST_F(PipelineStale, StaleWhileRevalidateForARangeObject) {
  const auto path = unique_gen(30000);
  const auto target = path + "?cc=max-age%3D1%2C%20stale-while-revalidate%3D30";
  ASSERT_EQ(x_cache(range_get(target, "bytes=100-199")), "MISS");
  advance(5s);
  auto stale = range_get(target, "bytes=100-199");
  EXPECT_TRUE(is_partial(stale, path, 100, 199, 30000));
  EXPECT_EQ(x_cache(stale), "STALE");
  EXPECT_EQ(origin_statuses(*origin_, target, 2), (statuses{206, 304}));
  EXPECT_EQ(origin_->ranges(target), (strings{"bytes=100-199", "bytes=100-199"}));
  ASSERT_TRUE(answered_as(target, "HIT", "bytes=100-199"));
  EXPECT_EQ(origin_->count(target), 2);
}

// A new version at the origin: the background revalidation stores it, the stale one went
// to the client that triggered it.
TEST_F(PipelineStale, StaleWhileRevalidateStoresANewVersion) {
  const auto path = unique_gen(30000);
  const auto target =
      path + "?cc=max-age%3D1%2C%20stale-while-revalidate%3D30&switch_at=2&switch_to=v2";
  ASSERT_EQ(x_cache(get_full(target)), "MISS");
  advance(5s);
  auto stale = get_full(target);
  EXPECT_TRUE(is_whole(stale, path, 30000));
  EXPECT_EQ(x_cache(stale), "STALE");
  ASSERT_TRUE(answered_as(target, "HIT_FULL"));
  EXPECT_TRUE(is_whole(get_full(target), path, 30000, "v2"));
  EXPECT_EQ(origin_statuses(*origin_, target), (statuses{200, 200}));
}

// The background revalidation gets another answer than the object (here a 404): the stale
// object is dropped, and the next request goes to the origin instead of being served stale
// again for the rest of its window.
TEST_F(PipelineStale, StaleWhileRevalidateDropsAnObjectTheOriginNoLongerHas) {
  const auto path = unique_gen(30000);
  const auto target =
      path + "?cc=max-age%3D1%2C%20stale-while-revalidate%3D30&status=404&status_from=2";
  ASSERT_EQ(x_cache(get_full(target)), "MISS");
  advance(5s);
  auto stale = get_full(target);
  EXPECT_EQ(x_cache(stale), "STALE");
  EXPECT_TRUE(is_whole(stale, path, 30000));
  EXPECT_TRUE(wait_until([&] { return get_full(target).status == 404; }, 5s));
  EXPECT_LE(origin_->count(target), 4);
}

TEST_F(PipelineStale, BeyondTheWindowOrForbiddenItIsRevalidatedFirst) {
  const auto late = unique_gen(20000) + "?cc=max-age%3D1%2C%20stale-while-revalidate%3D10";
  const auto strict =
      unique_gen(20000) + "?cc=max-age%3D1%2C%20stale-while-revalidate%3D60%2C%20must-revalidate";
  const auto shared = unique_gen(20000) + "?cc=s-maxage%3D1%2C%20stale-while-revalidate%3D60";
  for (const auto* t : {&late, &strict, &shared}) ASSERT_EQ(x_cache(get_full(*t)), "MISS");
  advance(20s);
  for (const auto* t : {&late, &strict, &shared}) {
    EXPECT_EQ(x_cache(get_full(*t)), "REVALIDATED") << *t;
    EXPECT_EQ(origin_statuses(*origin_, *t, 2), (statuses{200, 304})) << *t;
  }
  // The client asks for validation itself.
  const auto asked = unique_gen(20000) + "?cc=max-age%3D1%2C%20stale-while-revalidate%3D60";
  ASSERT_EQ(x_cache(get_full(asked)), "MISS");
  advance(5s);
  EXPECT_EQ(x_cache(get_full(asked, {{"Cache-Control", "no-cache"}})), "REVALIDATED");
}

TEST_F(PipelineStale, StaleIfErrorAnswersForAFailingOrigin) {
  const auto path = unique_gen(20000);
  const auto target = path + "?cc=max-age%3D1%2C%20stale-if-error%3D60&fail_at=2";
  ASSERT_EQ(x_cache(get_full(target)), "MISS");
  const auto ranged_path = unique_gen(20000);
  const auto ranged = ranged_path + "?cc=max-age%3D1%2C%20stale-if-error%3D60&fail_at=2";
  ASSERT_EQ(x_cache(range_get(ranged, "bytes=0-99")), "MISS");
  advance(30s);

  auto r = get_full(target);
  EXPECT_TRUE(is_whole(r, path, 20000));
  EXPECT_EQ(x_cache(r), "STALE");
  auto p = range_get(ranged, "bytes=0-99");
  EXPECT_TRUE(is_partial(p, ranged_path, 0, 99, 20000));
  EXPECT_EQ(x_cache(p), "STALE");
  EXPECT_EQ(origin_statuses(*origin_, target, 2), (statuses{200, 503}));

  // Past its window the origin's answer stands.
  advance(40s);
  EXPECT_EQ(get_full(target).status, 503);
}

// Only 500, 502, 503 and 504 are errors to stale-if-error (RFC 5861 §4): a 501 or 505 from
// the origin is its answer, and goes to the client.
TEST_F(PipelineStale, StaleIfErrorCoversTheFourErrorStatusesOnly) {
  for (int status : {500, 502, 504, 501, 505}) {
    SCOPED_TRACE(status);
    const auto path = unique_gen(20000);
    const auto target = path + "?cc=max-age%3D1%2C%20stale-if-error%3D60&fail_at=2&fail_status=" +
                        std::to_string(status);
    ASSERT_EQ(x_cache(get_full(target)), "MISS");
    advance(5s);
    auto r = get_full(target);
    if (status == 501 || status == 505) {
      EXPECT_EQ(r.status, status);
    } else {
      EXPECT_EQ(x_cache(r), "STALE");
      EXPECT_TRUE(is_whole(r, path, 20000));
    }
  }
}

// A client's own no-cache sends a fresh object to the origin: under stale-if-error its 5xx
// is answered from the store as well.
TEST_F(PipelineStale, StaleIfErrorAlsoCoversARevalidationTheClientAskedFor) {
  const auto path = unique_gen(20000);
  const auto target = path + "?cc=max-age%3D3600%2C%20stale-if-error%3D60&fail_at=2";
  ASSERT_EQ(x_cache(get_full(target)), "MISS");
  auto r = get_full(target, {{"Cache-Control", "no-cache"}});
  EXPECT_TRUE(is_whole(r, path, 20000));
  EXPECT_EQ(x_cache(r), "STALE");
  EXPECT_EQ(origin_statuses(*origin_, target, 2), (statuses{200, 503}));
  const auto plain = unique_gen(20000) + "?cc=max-age%3D3600&fail_at=2";
  ASSERT_EQ(x_cache(get_full(plain)), "MISS");
  EXPECT_EQ(get_full(plain, {{"Cache-Control", "no-cache"}}).status, 503);
}

TEST_F(PipelineStale, WithoutStaleIfErrorAnOrigin5xxGoesToTheClient) {
  const auto target = unique_gen(20000) + "?cc=max-age%3D1&fail_at=2&fail_status=500";
  ASSERT_EQ(x_cache(get_full(target)), "MISS");
  advance(5s);
  EXPECT_EQ(get_full(target).status, 500);
  const auto strict =
      unique_gen(20000) + "?cc=max-age%3D1%2C%20must-revalidate%2C%20stale-if-error%3D60&fail_at=2";
  ASSERT_EQ(x_cache(get_full(strict)), "MISS");
  advance(5s);
  EXPECT_EQ(get_full(strict).status, 503);
}

// The origin goes away: what may be served stale is, what may not is a 504, and
// stale-if-error bounds how stale.
TEST(PipelineStaleOriginDown, UnreachableOriginGivesStaleOr504) {
  auto org = std::make_unique<origin>();
  daemon_options o;
  o.origin_port = org->port();
  o.rule_extra = "    cache_range_requests: {}\n";
  o.extra = "upstream: { connect_timeout: 2s, read_timeout: 2s }\n";
  in_process_proxy proxy(o);
  const auto port = proxy.port();
  const auto path = unique_gen(20000);
  const auto ranged = unique_gen(20000);
  const std::vector<std::string> forbidding = {
      "max-age%3D1%2C%20must-revalidate", "max-age%3D1%2C%20proxy-revalidate", "s-maxage%3D1",
      "no-cache%2C%20max-age%3D3600", "max-age%3D1%2C%20must-revalidate%2C%20stale-if-error%3D99"};
  for (const auto& cc : forbidding) {
    ASSERT_EQ(x_cache(get(port, path + "?cc=" + cc)), "MISS") << cc;
    ASSERT_EQ(x_cache(range_get(port, ranged + "?cc=" + cc, "bytes=0-9")), "MISS") << cc;
  }
  const auto plain = path + "?cc=max-age%3D1";
  const auto bounded = path + "?cc=max-age%3D1%2C%20stale-if-error%3D10";
  ASSERT_EQ(x_cache(get(port, plain)), "MISS");
  ASSERT_EQ(x_cache(get(port, bounded)), "MISS");
  org.reset();
  proxy.advance(5s);

  for (const auto& cc : forbidding) {
    auto r = get(port, path + "?cc=" + cc);
    EXPECT_EQ(r.status, 504) << cc << "\n" << r;
    EXPECT_TRUE(r.has_header("Date")) << r;
    EXPECT_EQ(range_get(port, ranged + "?cc=" + cc, "bytes=0-9").status, 504) << cc;
  }
  EXPECT_EQ(x_cache(get(port, plain)), "STALE");
  EXPECT_EQ(x_cache(get(port, bounded)), "STALE");
  proxy.advance(10s);
  EXPECT_EQ(x_cache(get(port, plain)), "STALE");  // disconnected: no bound given
  EXPECT_EQ(get(port, bounded).status, 502);      // beyond stale-if-error: as for a miss
}
