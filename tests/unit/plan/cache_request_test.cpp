// A connection's cache view of its request is recycled for the next one: every field is what
// a new cache_request's is, and the strings keep their buffers.
#include "rangecache/plan/cache_request.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace rangecache;

TEST(CacheRequestRecycle, EveryFieldStartsAnewAndStringsKeepTheirBuffers) {
  plan::cache_request cr;
  const std::string long_text(200, 'k');
  for (std::string* s : {&cr.target, &cr.url, &cr.full_key, &cr.range_key, &cr.base_full_key,
                         &cr.base_range_key, &cr.variant, &cr.vary_names, &cr.crr_ident})
    *s = long_text;
  cr.variant_unstorable = cr.ranged = cr.crr = cr.head = cr.if_range = true;
  cr.from_fetch = cr.only_if_cached = true;
  cr.ranges.status = range::parse_status::ok;
  cr.ranges.specs.push_back({});
  cr.crr_ims = 42;
  static const std::string field = "CDN-Cache-Control";
  cr.cache_control_fields = std::span<const std::string>(&field, 1);
  const char* kept = cr.full_key.data();

  plan::recycle(cr);
  const plan::cache_request fresh{};
  for (auto [got, want] : {std::pair{&cr.target, &fresh.target},
                           {&cr.url, &fresh.url},
                           {&cr.full_key, &fresh.full_key},
                           {&cr.range_key, &fresh.range_key},
                           {&cr.base_full_key, &fresh.base_full_key},
                           {&cr.base_range_key, &fresh.base_range_key},
                           {&cr.variant, &fresh.variant},
                           {&cr.vary_names, &fresh.vary_names},
                           {&cr.crr_ident, &fresh.crr_ident}}) {
    EXPECT_EQ(*got, *want);
    EXPECT_GE(got->capacity(), long_text.size());
  }
  EXPECT_EQ(cr.full_key.data(), kept);
  EXPECT_FALSE(cr.variant_unstorable || cr.ranged || cr.crr || cr.head || cr.if_range ||
               cr.from_fetch || cr.only_if_cached);
  EXPECT_EQ(cr.ranges.status, fresh.ranges.status);
  EXPECT_TRUE(cr.ranges.specs.empty());
  EXPECT_FALSE(cr.crr_ims);
  EXPECT_TRUE(cr.cache_control_fields.empty());
}
