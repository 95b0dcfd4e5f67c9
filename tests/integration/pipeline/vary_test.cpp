// Answers with Vary (RFC 9111 §4.1) through the pipeline, in front of a test origin that
// sends one content per value of the request field it names (?vary_on=): each variant is
// stored under its own key and served only to requests that select it, complete objects
// and range objects alike; "Vary: *" is never served from the cache; the number of variants
// of a URL is bounded; an unsafe request invalidates every variant; a 304 freshens the
// variant it selects.
#include <gtest/gtest.h>

#include <thread>

#include "cache_checks.hpp"
#include "fetch_checks.hpp"
#include "pipeline.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

class PipelineVary : public pipeline_suite<PipelineVary> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    o.cache_extra = ", max_variants: 2";
    return o;
  }

 protected:
  static constexpr std::uint64_t size = 4096;
  static std::string path_of(const std::string& target) {
    return target.substr(0, target.find('?'));
  }
  // The origin's version for one value of Accept-Encoding (see test_origin.py, vary_on).
  static std::string version(std::string_view normalised) {
    return normalised.empty() ? "Accept-Encoding" : "Accept-Encoding=" + std::string(normalised);
  }
  static response get_with(const std::string& target, std::string_view encoding) {
    return get(proxy_->port(), target, {{"Accept-Encoding", std::string(encoding)}});
  }
};

class PipelineVaryFetch : public pipeline_suite<PipelineVaryFetch> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n    background_fetch: true\n";
    return o;
  }

 protected:
  static constexpr std::uint64_t size = 200000;
};

}  // namespace

TEST_F(PipelineVary, EachVariantIsStoredAndServedOnlyToItsOwn) {
  const auto target = unique_gen(size) + "?vary_on=Accept-Encoding";
  const auto name = path_of(target);
  auto gzip = get_with(target, "gzip");
  EXPECT_EQ(x_cache(gzip), "MISS");
  EXPECT_TRUE(is_whole(gzip, name, size, version("gzip")));
  auto br = get_with(target, "br");
  EXPECT_EQ(x_cache(br), "MISS") << "another variant must not be served the first one";
  EXPECT_TRUE(is_whole(br, name, size, version("br")));
  // Spelling does not make another variant: case and whitespace are normalised.
  for (const char* spelling : {"gzip", "GZIP", " gzip "}) {
    auto hit = get_with(target, spelling);
    EXPECT_EQ(x_cache(hit), "HIT_FULL") << spelling;
    EXPECT_TRUE(is_whole(hit, name, size, version("gzip"))) << spelling;
    EXPECT_EQ(hit.header("Vary"), "Accept-Encoding");
  }
  // No Accept-Encoding at all is a variant of its own.
  auto absent = get(proxy_->port(), target);
  EXPECT_EQ(x_cache(absent), "MISS");
  EXPECT_TRUE(is_whole(absent, name, size, version("")));
  EXPECT_EQ(x_cache(get_with(target, "br")), "HIT_FULL");
  EXPECT_EQ(traffic(*origin_, target).requests, 3);
}

TEST_F(PipelineVary, RangeObjectsAreKeptPerVariant) {
  const auto target = unique_gen(size) + "?vary_on=Accept-Encoding";
  const auto name = path_of(target);
  auto gzip = range_get(target, "bytes=100-199", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(x_cache(gzip), "MISS");
  EXPECT_TRUE(is_partial(gzip, name, 100, 199, size, version("gzip")));
  auto br = range_get(target, "bytes=100-199", {{"Accept-Encoding", "br"}});
  EXPECT_EQ(x_cache(br), "MISS");
  EXPECT_TRUE(is_partial(br, name, 100, 199, size, version("br")));
  auto hit = range_get(target, "bytes=100-199", {{"Accept-Encoding", "Gzip"}});
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_TRUE(is_partial(hit, name, 100, 199, size, version("gzip")));
  // The complete object of one variant answers its ranges, and only its.
  EXPECT_EQ(x_cache(get_with(target, "br")), "MISS");
  auto from_whole = range_get(target, "bytes=0-9", {{"Accept-Encoding", "br"}});
  EXPECT_EQ(x_cache(from_whole), "HIT_FULL");
  EXPECT_TRUE(is_partial(from_whole, name, 0, 9, size, version("br")));
  auto other = range_get(target, "bytes=0-9", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(x_cache(other), "MISS");
  EXPECT_TRUE(is_partial(other, name, 0, 9, size, version("gzip")));
}

TEST_F(PipelineVary, VaryStarIsNeverServedFromTheCache) {
  const auto target = unique_gen(size) + "?hdr=Vary:*";
  for (int i = 0; i < 2; ++i) {
    auto r = get(proxy_->port(), target);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(x_cache(r), "PASS") << i;
  }
  EXPECT_EQ(traffic(*origin_, target).requests, 2);
}

// max_variants is 2 here: a third variant pushes out the one stored longest ago.
TEST_F(PipelineVary, TheOldestVariantGoesPastTheLimit) {
  const auto target = unique_gen(size) + "?vary_on=Accept-Encoding";
  for (const char* enc : {"gzip", "br", "zstd"}) {
    EXPECT_EQ(x_cache(get_with(target, enc)), "MISS") << enc;
    proxy_->advance(1s);  // stored at distinct seconds: "oldest" is well defined
  }
  EXPECT_EQ(x_cache(get_with(target, "zstd")), "HIT_FULL");
  EXPECT_EQ(x_cache(get_with(target, "br")), "HIT_FULL");
  // The oldest variant is dropped once the third one's request has ended, which may be a
  // moment after its answer went out: until then it is still a hit (with its own bytes).
  response again;
  ASSERT_TRUE(wait_until(
      [&] {
        again = get_with(target, "gzip");
        return x_cache(again) == "MISS";
      },
      10s));
  EXPECT_TRUE(is_whole(again, path_of(target), size, version("gzip")));
}

TEST_F(PipelineVary, AnUnsafeRequestInvalidatesEveryVariant) {
  const auto target = unique_gen(size) + "?vary_on=Accept-Encoding";
  for (const char* enc : {"gzip", "br"}) EXPECT_EQ(x_cache(get_with(target, enc)), "MISS");
  ASSERT_EQ(x_cache(range_get(target, "bytes=0-9", {{"Accept-Encoding", "gzip"}})), "HIT_FULL");
  auto post = request(proxy_->port(), "POST", target, {}, "x");
  ASSERT_EQ(post.status, 200) << post;
  for (const char* enc : {"gzip", "br"}) EXPECT_EQ(x_cache(get_with(target, enc)), "MISS") << enc;
}

TEST_F(PipelineVary, A304FreshensTheVariantItSelects) {
  const auto target = unique_gen(size) + "?vary_on=Accept-Encoding&cc=max-age%3D10";
  const auto name = path_of(target);
  EXPECT_EQ(x_cache(get_with(target, "gzip")), "MISS");
  EXPECT_EQ(x_cache(get_with(target, "br")), "MISS");
  advance(20s);
  auto revalidated = get_with(target, "gzip");
  EXPECT_EQ(x_cache(revalidated), "REVALIDATED");
  EXPECT_TRUE(is_whole(revalidated, name, size, version("gzip")));
  auto fresh = get_with(target, "gzip");
  EXPECT_EQ(x_cache(fresh), "HIT_FULL");
  EXPECT_TRUE(is_whole(fresh, name, size, version("gzip")));
  // The other variant was not freshened by it.
  EXPECT_EQ(x_cache(get_with(target, "br")), "REVALIDATED");
}

// The background fetch after a range miss asks with the client's fields: what it stores is
// that client's variant, and later ranges of that variant come from it.
TEST_F(PipelineVaryFetch, TheBackgroundFetchStoresTheRequestsVariant) {
  const auto target = unique_gen(size) + "?vary_on=Accept-Encoding";
  const auto name = target.substr(0, target.find('?'));
  const header_list gzip{{"Accept-Encoding", "gzip"}};
  auto miss = range_get(target, "bytes=0-9", gzip);
  EXPECT_EQ(x_cache(miss), "MISS");
  EXPECT_TRUE(is_partial(miss, name, 0, 9, size, "Accept-Encoding=gzip"));
  // Bounded wait for the fetch to land (it runs on its own, after the answer).
  response later;
  for (int i = 0; i < 500; ++i) {
    later = range_get(target, "bytes=1000-1099", gzip);
    if (x_cache(later) == "HIT_FULL") break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(x_cache(later), "HIT_FULL");
  EXPECT_TRUE(is_partial(later, name, 1000, 1099, size, "Accept-Encoding=gzip"));
  EXPECT_EQ(full_gets(*origin_, target), 1);
  // Another variant is not answered from it.
  auto br = range_get(target, "bytes=1000-1099", {{"Accept-Encoding", "br"}});
  EXPECT_NE(x_cache(br), "HIT_FULL");
  EXPECT_TRUE(is_partial(br, name, 1000, 1099, size, "Accept-Encoding=br"));
}

// RFC 9111 §4.3.5: a HEAD that reaches the origin updates the stored GET answer it matches
// (same validators, same length), and makes one it does not match stale.
TEST_F(PipelineVaryFetch, AHeadAnswerFreshensTheStoredGet) {
  const auto target = unique_gen(size) + "?no_304=1&cc=max-age%3D10";
  EXPECT_EQ(x_cache(get(proxy_->port(), target)), "MISS");
  advance(20s);
  auto head = rc_test::head(proxy_->port(), target);
  EXPECT_EQ(head.status, 200);
  // Without the HEAD's update this GET would go to the origin (stale): it is fresh again.
  auto hit = get(proxy_->port(), target);
  EXPECT_EQ(x_cache(hit), "HIT_FULL");
  EXPECT_TRUE(is_whole(hit, target.substr(0, target.find('?')), size));
  EXPECT_EQ(origin_statuses(*origin_, target, 2), (std::vector<int>{200, 200}));
}

TEST_F(PipelineVaryFetch, AHeadAnswerOfAnotherVersionMakesTheStoredGetStale) {
  const auto target = unique_gen(size) + "?no_304=1&cc=max-age%3D600&switch_at=2&switch_to=B";
  const auto name = target.substr(0, target.find('?'));
  EXPECT_EQ(x_cache(get(proxy_->port(), target)), "MISS");
  auto head = rc_test::head(proxy_->port(), target, {{"Cache-Control", "no-cache"}});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("ETag"), expected_etag(name, size, "B"));
  // Fresh for ten minutes by its own lifetime, but the origin has another version now.
  auto next = get(proxy_->port(), target);
  EXPECT_EQ(x_cache(next), "REFRESH");
  EXPECT_TRUE(is_whole(next, name, size, "B"));
}

// stale-while-revalidate for a variant: the background revalidation asks with the fields of
// the client that found it stale and replaces that variant only.
TEST_F(PipelineVary, AStaleVariantIsRevalidatedInTheBackgroundAsItself) {
  const auto target = unique_gen(size) +
                      "?vary_on=Accept-Encoding&no_304=1&cc=max-age%3D1%2C%20stale-while-"
                      "revalidate%3D30";
  const auto name = path_of(target);
  EXPECT_EQ(x_cache(get_with(target, "gzip")), "MISS");
  EXPECT_EQ(x_cache(get_with(target, "br")), "MISS");
  advance(5s);
  auto stale = get_with(target, "gzip");
  EXPECT_EQ(x_cache(stale), "STALE");
  EXPECT_TRUE(is_whole(stale, name, size, version("gzip")));
  ASSERT_TRUE(wait_until([&] { return x_cache(get_with(target, "gzip")) == "HIT_FULL"; }, 5s));
  EXPECT_TRUE(is_whole(get_with(target, "gzip"), name, size, version("gzip")));
  auto other = get_with(target, "br");
  EXPECT_EQ(x_cache(other), "STALE");
  EXPECT_TRUE(is_whole(other, name, size, version("br")));
}

// The origin stops varying: its next answer replaces the vary index and answers every
// request; the variants are not served any more.
TEST_F(PipelineVary, AUrlThatStopsVaryingDropsItsVariants) {
  const auto path = unique_gen(size);
  const auto target = path + "?vary_on=Accept-Encoding&vary_until=2&no_304=1";
  EXPECT_EQ(x_cache(get_with(target, "gzip")), "MISS");
  EXPECT_EQ(x_cache(get_with(target, "br")), "MISS");
  auto plain =
      get(proxy_->port(), target, {{"Accept-Encoding", "gzip"}, {"Cache-Control", "no-cache"}});
  EXPECT_EQ(x_cache(plain), "REFRESH");
  EXPECT_FALSE(plain.has_header("Vary"));
  EXPECT_TRUE(is_whole(plain, path, size));
  for (const char* enc : {"br", "gzip", "zstd"}) {
    auto r = get_with(target, enc);
    EXPECT_EQ(x_cache(r), "HIT_FULL") << enc;
    EXPECT_TRUE(is_whole(r, path, size)) << enc;
  }
  EXPECT_EQ(traffic(*origin_, target).requests, 3);
}

// A request whose nominated fields are too long to keep as a variant is answered by the
// origin and stored for nobody; other requests are not disturbed.
TEST_F(PipelineVary, AVariantTooLongToStoreIsPassedThrough) {
  const auto target = unique_gen(size) + "?vary_on=X-Big";
  const std::string big(5000, 'b');
  EXPECT_EQ(x_cache(get(proxy_->port(), target, {{"X-Big", "small"}})), "MISS");
  for (int i = 0; i < 2; ++i) {
    auto r = get(proxy_->port(), target, {{"X-Big", big}});
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(x_cache(r), "HIT_FULL") << i;
  }
  EXPECT_EQ(x_cache(get(proxy_->port(), target, {{"X-Big", "small"}})), "HIT_FULL");
  EXPECT_EQ(traffic(*origin_, target).requests, 3);
}
