// Variants of one URL (responses with Vary): the store keeps them apart, bounds how many stay
// and tidies one variant's ranges without touching another's.
#include "store_conformance.hpp"

namespace rc_store_test {
namespace {

using namespace rangecache::cache;

// A variant object of `url` (complete, or a 10-byte range at `first`), stored at `when`.
commit_result put_variant(object_store& s, const std::string& url, const std::string& variant,
                          std::optional<std::uint64_t> first, int when) {
  std::string key = url + "|" + variant;
  if (first) key += "-bytes=" + std::to_string(*first);
  const std::uint64_t len = 10;
  fill f = s.begin_fill(key, url, {len});
  if (const fill_error e = stream(f, seed_of(key, 0), len); e != fill_error::none) return {e, {}};
  object_meta m = meta_for(len, 0);
  m.variant = variant;
  m.stored_at = std::chrono::sys_seconds{std::chrono::seconds{1'800'000'000 + when}};
  if (first) m.range = content_range{*first, *first + 9, 100};
  return f.commit_wait(m);
}

bool has(object_store& s, const std::string& key) {
  return s.lookup(key).has_value();
}

TEST_P(StoreConformance, VariantSurvivesAsStored) {
  const std::string url = "http://h/v";
  ASSERT_TRUE(put_variant(*store_, url, "h1:xv1:1", std::nullopt, 0).ok());
  auto o = store_->lookup(url + "|h1:xv1:1");
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->meta.variant, "h1:xv1:1");
}

TEST_P(StoreConformance, TrimKeepsTheNewestVariantsWithTheirRanges) {
  const std::string url = "http://h/v";
  ASSERT_TRUE(put(*store_, url, url, 10).ok());  // the plain object (or index): not a variant
  ASSERT_TRUE(put_variant(*store_, url, "a", std::nullopt, 1).ok());
  ASSERT_TRUE(put_variant(*store_, url, "a", 0, 2).ok());
  ASSERT_TRUE(put_variant(*store_, url, "b", std::nullopt, 3).ok());
  ASSERT_TRUE(put_variant(*store_, url, "c", 10, 4).ok());
  ASSERT_TRUE(put_variant(*store_, "http://h/other", "a", std::nullopt, 0).ok());
  // Two stay: c (just stored) and b; a goes with its range.
  EXPECT_EQ(store_->tidy_url_wait(url, variants_beyond(2, "c")), 2u);
  EXPECT_TRUE(has(*store_, url));
  EXPECT_FALSE(has(*store_, url + "|a"));
  EXPECT_FALSE(has(*store_, url + "|a-bytes=0"));
  EXPECT_TRUE(has(*store_, url + "|b"));
  EXPECT_TRUE(has(*store_, url + "|c-bytes=10"));
  EXPECT_TRUE(has(*store_, "http://h/other|a"));
  // None kept: every variant goes, the plain object stays.
  EXPECT_EQ(store_->tidy_url_wait(url, variants_beyond(0, "")), 2u);
  EXPECT_TRUE(has(*store_, url));
  EXPECT_EQ(count_objects(), 2u);
}

TEST_P(StoreConformance, RedundantRangesAreOnlyThoseOfTheNewObjectsVariant) {
  const std::string url = "http://h/v";
  ASSERT_TRUE(put_variant(*store_, url, "a", 0, 1).ok());
  ASSERT_TRUE(put_variant(*store_, url, "b", 0, 1).ok());
  ASSERT_TRUE(put_variant(*store_, url, "", 20, 1).ok());  // of no variant
  EXPECT_EQ(store_->tidy_url_wait(url, redundant_ranges("a", "")), 1u);
  EXPECT_FALSE(has(*store_, url + "|a-bytes=0"));
  EXPECT_TRUE(has(*store_, url + "|b-bytes=0"));
  EXPECT_TRUE(has(*store_, url + "|-bytes=20"));
  EXPECT_EQ(store_->tidy_url_wait(url, redundant_ranges("", "")), 1u);
  EXPECT_TRUE(has(*store_, url + "|b-bytes=0"));
}

TEST_P(StoreConformance, PurgeOfTheUrlTakesEveryVariant) {
  const std::string url = "http://h/v";
  ASSERT_TRUE(put(*store_, url, url, 10).ok());
  ASSERT_TRUE(put_variant(*store_, url, "a", std::nullopt, 1).ok());
  ASSERT_TRUE(put_variant(*store_, url, "b", 0, 1).ok());
  EXPECT_EQ(store_->purge_url_wait(url), 3u);
  EXPECT_EQ(count_objects(), 0u);
}

}  // namespace
}  // namespace rc_store_test
