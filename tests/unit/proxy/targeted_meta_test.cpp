// The Beast side of RFC 9213 and RFC 9110 §6.6.1: which directives a response's head gives
// rangecache once a targeted field is among its fields, the Date a proxy adds, and the
// targeted fields clients never see.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rangecache/flight/cache_meta.hpp"

using namespace rangecache;
namespace http = boost::beast::http;

namespace {

const std::vector<std::string> cdn = {"CDN-Cache-Control"};
const std::vector<std::string> surrogate_first = {"Surrogate-Control", "CDN-Cache-Control"};

http::fields response(std::initializer_list<std::pair<const char*, const char*>> fields) {
  http::fields f;
  for (const auto& [name, value] : fields) f.insert(name, value);
  return f;
}

}  // namespace

TEST(TargetedMeta, AValidTargetedFieldReplacesCacheControlAndExpires) {
  const auto f = response({{"Cache-Control", "no-store"},
                           {"Expires", "0"},
                           {"CDN-Cache-Control", "max-age=600"},
                           {"CDN-Cache-Control", "stale-if-error=60"}});
  const auto view = flight::view_response(200, f, cdn);
  EXPECT_EQ(view.cache_control, "max-age=600, stale-if-error=60");
  EXPECT_FALSE(view.expires);
  // Without targeted fields (or for a rule with none), Cache-Control and Expires rule.
  const auto plain = flight::view_response(200, f);
  EXPECT_EQ(plain.cache_control, "no-store");
  EXPECT_EQ(plain.expires, "0");
}

TEST(TargetedMeta, AnInvalidOrEmptyTargetedFieldIsIgnored) {
  for (const char* value : {"", "Max-Age=600", "max-age=600,"}) {
    const auto f = response({{"Cache-Control", "max-age=5"}, {"CDN-Cache-Control", value}});
    EXPECT_EQ(flight::view_response(200, f, cdn).cache_control, "max-age=5") << value;
  }
}

TEST(TargetedMeta, TheFirstValidFieldOfTheListWins) {
  auto f = response({{"CDN-Cache-Control", "max-age=60"}, {"Surrogate-Control", "max-age=30"}});
  EXPECT_EQ(flight::view_response(200, f, surrogate_first).cache_control, "max-age=30");
  EXPECT_EQ(flight::view_response(200, f, cdn).cache_control, "max-age=60");
  f = response({{"CDN-Cache-Control", "max-age=60"}, {"Surrogate-Control", "x y"}});
  EXPECT_EQ(flight::view_response(200, f, surrogate_first).cache_control, "max-age=60");
}

TEST(TargetedMeta, AListValuedAgeIsJoinedForTheFirstMember) {
  const auto f = response({{"Age", "100"}, {"Age", "7"}});
  EXPECT_EQ(flight::view_response(200, f).age, "100, 7");
}

TEST(TargetedMeta, A304KeepsTheStoredTargetedField) {
  auto stored = response({{"Cache-Control", "max-age=1"},
                          {"CDN-Cache-Control", "max-age=600"},
                          {"ETag", "\"a\""},
                          {"Date", "Sun, 22 Nov 2026 00:00:00 GMT"}});
  auto meta = flight::make_meta(200, stored, 3, {}, std::nullopt);
  const auto not_modified =
      response({{"ETag", "\"a\""}, {"Date", "Sun, 22 Nov 2026 00:10:00 GMT"}});
  ASSERT_TRUE(flight::freshen_with_304(meta, not_modified, {1795305600, 1795305600}, {}, cdn));
  EXPECT_EQ(meta.freshness_lifetime.count(), 600);
  ASSERT_TRUE(flight::freshen_with_304(meta, not_modified, {1795305600, 1795305600}, {}));
  EXPECT_EQ(meta.freshness_lifetime.count(), 1);  // the same record under a rule without one
}

TEST(TargetedMeta, ADateIsAddedOnlyWhenThereIsNone) {
  auto f = response({{"Content-Type", "text/plain"}});
  flight::add_missing_date(f, 784111777);
  EXPECT_EQ(f[http::field::date], "Sun, 06 Nov 1994 08:49:37 GMT");
  flight::add_missing_date(f, 0);
  EXPECT_EQ(f[http::field::date], "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(TargetedMeta, StripRemovesEveryLineOfTheTargetedFields) {
  auto f = response({{"CDN-Cache-Control", "max-age=1"},
                     {"Cache-Control", "max-age=2"},
                     {"cdn-cache-control", "no-store"},
                     {"Surrogate-Control", "max-age=3"}});
  flight::strip_targeted(f, cdn);
  EXPECT_EQ(f.count("CDN-Cache-Control"), 0u);
  EXPECT_EQ(f[http::field::cache_control], "max-age=2");
  EXPECT_EQ(f["Surrogate-Control"], "max-age=3");  // not this rule's: passed on
}
