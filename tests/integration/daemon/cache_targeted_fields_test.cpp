// Targeted cache-control fields (RFC 9213) with the real binary: CDN-Cache-Control (or the
// fields a rule's cache_control_field names) rules rangecache's own caching instead of
// Cache-Control and Expires, an invalid one is ignored, and none of them reaches a client.
#include <gtest/gtest.h>

#include <sstream>

#include "cache_checks.hpp"
#include "daemon_fixture.hpp"

using namespace rc_test;

namespace {

constexpr const char* cdn_long = "&hdr=CDN-Cache-Control:max-age%3D3600";
constexpr const char* cdn_no_store = "&hdr=CDN-Cache-Control:no-store";

class TargetedFields : public daemon_suite<TargetedFields> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_range_requests: {}\n";
    return o;
  }

 protected:
  static response get_full(const std::string& target) { return get(daemon_->port(), target); }
};

class SurrogateControl : public daemon_suite<SurrogateControl> {
 public:
  static daemon_options options() {
    daemon_options o;
    o.rule_extra = "    cache_control_field: [Surrogate-Control]\n";
    return o;
  }
};

int config_line(const daemon_options& o, std::string_view needle) {
  std::istringstream in(daemon_config(o, "/tmp/x"));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find(needle) != std::string::npos) return n;
  return -1;
}

}  // namespace

TEST_F(TargetedFields, CdnCacheControlOverridesCacheControl) {
  const auto path = unique_gen(20000);
  const auto cached = path + "?cc=no-store%2C%20private" + cdn_long;
  auto miss = get_full(cached);
  EXPECT_TRUE(is_whole(miss, path, 20000));
  EXPECT_EQ(x_cache(miss), "MISS");
  auto hit = get_full(cached);
  EXPECT_TRUE(is_whole(hit, path, 20000));
  EXPECT_EQ(x_cache(hit), "HIT_FULL");
  for (const auto* r : {&miss, &hit}) {
    EXPECT_FALSE(r->has_header("CDN-Cache-Control")) << *r;
    EXPECT_EQ(r->header("Cache-Control"), "no-store, private");  // for the clients' caches
  }
  EXPECT_EQ(origin_->count(cached), 1);

  const auto refused = unique_gen(20000) + "?cc=max-age%3D3600" + cdn_no_store;
  EXPECT_EQ(x_cache(get_full(refused)), "PASS");
  auto again = get_full(refused);
  EXPECT_EQ(x_cache(again), "PASS");
  EXPECT_FALSE(again.has_header("CDN-Cache-Control"));
  EXPECT_EQ(origin_->count(refused), 2);
}

TEST_F(TargetedFields, ExpiresIsIgnoredUnderATargetedField) {
  const auto target = unique_gen(20000) + "?cc=&hdr=Expires:0" + cdn_long;
  EXPECT_EQ(x_cache(get_full(target)), "MISS");
  EXPECT_EQ(x_cache(get_full(target)), "HIT_FULL");
}

// RFC 9213 §2.2: an invalid or empty field is as if absent; it still never reaches clients.
TEST_F(TargetedFields, AnInvalidTargetedFieldFallsBackToCacheControl) {
  const auto target = unique_gen(20000) + "?cc=max-age%3D3600&hdr=CDN-Cache-Control:No-Store";
  EXPECT_EQ(x_cache(get_full(target)), "MISS");
  auto hit = get_full(target);
  EXPECT_EQ(x_cache(hit), "HIT_FULL");
  EXPECT_FALSE(hit.has_header("CDN-Cache-Control"));
}

TEST_F(TargetedFields, RangeObjectsAndPassThroughToo) {
  const auto path = unique_gen(20000);
  const auto target = path + "?cc=no-store" + cdn_long;
  auto miss = range_get(target, "bytes=0-99");
  EXPECT_TRUE(is_partial(miss, path, 0, 99, 20000));
  EXPECT_EQ(x_cache(miss), "MISS");
  auto hit = range_get(target, "bytes=0-99");
  EXPECT_EQ(x_cache(hit), "HIT");
  EXPECT_FALSE(miss.has_header("CDN-Cache-Control"));
  EXPECT_FALSE(hit.has_header("CDN-Cache-Control"));
  auto post =
      request(daemon_->port(), "POST", std::string("/__echo_headers?x=1") + cdn_long, {}, "body");
  EXPECT_EQ(post.status, 200);
  EXPECT_FALSE(post.has_header("CDN-Cache-Control")) << post;
}

// Surrogate-Control is not the default rule's field: obeyed by nobody here, passed on.
TEST_F(TargetedFields, OtherFieldsAreNeitherObeyedNorRemoved) {
  const auto target = unique_gen(20000) + "?cc=max-age%3D3600&hdr=Surrogate-Control:no-store";
  EXPECT_EQ(x_cache(get_full(target)), "MISS");
  auto hit = get_full(target);
  EXPECT_EQ(x_cache(hit), "HIT_FULL");
  EXPECT_EQ(hit.header("Surrogate-Control"), "no-store");
}

TEST_F(SurrogateControl, ARuleNamesItsOwnTargetedField) {
  const auto path = unique_gen(20000);
  const auto target =
      path + "?cc=no-store&hdr=Surrogate-Control:max-age%3D3600&hdr=CDN-Cache-Control:no-store";
  EXPECT_EQ(x_cache(get(daemon_->port(), target)), "MISS");
  auto hit = get(daemon_->port(), target);
  EXPECT_TRUE(is_whole(hit, path, 20000));
  EXPECT_EQ(x_cache(hit), "HIT_FULL");
  EXPECT_FALSE(hit.has_header("Surrogate-Control"));
  EXPECT_EQ(hit.header("CDN-Cache-Control"), "no-store");  // not this rule's: passed on
}

TEST(TargetedFieldConfig, ABadFieldNameStopsStartUpAtItsLine) {
  daemon_options o;
  o.origin_port = 9;
  o.rule_extra = "    cache_control_field: [CDN-Cache-Control, Cache-Control]\n";
  auto result = run_daemon_to_exit(o);
  ASSERT_TRUE(result.exited);
  EXPECT_NE(result.exit_code, 0) << result.err;
  const auto where =
      "rangecache.yaml:" + std::to_string(config_line(o, "cache_control_field")) + ":";
  EXPECT_NE(result.err.find(where), std::string::npos) << where << " in:\n" << result.err;
  EXPECT_NE(result.err.find("cannot be a targeted field"), std::string::npos) << result.err;
}
