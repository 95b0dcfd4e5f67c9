// Targeted cache-control fields (RFC 9213): a Dictionary Structured Field (RFC 8941) read as
// Cache-Control, and what a stored record's fields say once a targeted one is among them.
#include "rangecache/cache/targeted_field.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "rangecache/cache/record_meta.hpp"

namespace rangecache::cache {
namespace {

struct field_case {
  std::string_view value;
  std::optional<std::string_view> expected;  // nullopt: the field counts as absent
};

TEST(TargetedField, ValidDictionaries) {
  const field_case cases[] = {
      {"max-age=60", "max-age=60"},
      {"no-store", "no-store"},
      {"max-age=60, stale-while-revalidate=30", "max-age=60, stale-while-revalidate=30"},
      {"  max-age=60 ,\tmust-revalidate  ", "max-age=60, must-revalidate"},
      {"no-cache=?1, private=?0, max-age=5", "no-cache, max-age=5"},  // Booleans
      {"max-age=60;a=1;b, public;x=\"y\"", "max-age=60, public"},     // parameters ignored
      {"private=\"Set-Cookie\"", "private=\"Set-Cookie\""},           // a String
      {"private=(\"a\" \"b\")", "private"},                           // an Inner List
      {"max-age=(1 2)", "max-age"},                                   // read as a bad max-age
      {"max-age=1.5", "max-age=1.5"},                                 // a Decimal: bad too
      {"max-age=-5", "max-age=-5"},
      {"foo=bar/baz, *ext=:aGk=:", "foo=bar/baz, *ext"},  // a Token; a Byte Sequence
      // A repeated key keeps its place and takes the last value.
      {"max-age=60, no-store, max-age=5", "max-age=5, no-store"},
      {"no-store=?0", ""},  // valid and not empty: it still replaces Cache-Control
  };
  for (const auto& c : cases) {
    const auto got = targeted_cache_control(c.value);
    ASSERT_TRUE(got.has_value()) << c.value;
    EXPECT_EQ(*got, *c.expected) << c.value;
  }
}

// RFC 9213 §2.2: an empty field or one that does not parse is ignored, so Cache-Control
// applies after all.
TEST(TargetedField, InvalidOrEmptyIsAbsent) {
  for (std::string_view value : {"",
                                 "   ",
                                 "Max-Age=60",
                                 "max-age=60,",
                                 ", max-age=60",
                                 "max-age=60 no-store",
                                 "max-age=",
                                 "max-age=\"60",
                                 "max-age=\"a\\b\"",
                                 "max-age=1.",
                                 "max-age=1.2345",
                                 "max-age=1234567890123456",
                                 "x=?2",
                                 "x=:bad!:",
                                 "x=(1 2",
                                 "x=(1,2)",
                                 "9x=1",
                                 "max-age=60;",
                                 "a=1,,b=2",
                                 "max-age=\"\x01\""}) {
    EXPECT_FALSE(targeted_cache_control(value).has_value()) << value;
  }
}

const std::vector<std::string> cdn = {"CDN-Cache-Control"};
const std::vector<std::string> both = {"Surrogate-Control", "CDN-Cache-Control"};

object_meta stored(std::vector<header_field> headers, std::int64_t lifetime) {
  object_meta m;
  m.headers = std::move(headers);
  m.stored_at = std::chrono::sys_seconds(std::chrono::seconds(1000));
  m.freshness_lifetime = std::chrono::seconds(lifetime);
  return m;
}

TEST(TargetedField, StoredDirectivesPreferTheFirstValidTargetedField) {
  const auto meta = stored({{"Cache-Control", "max-age=10, stale-if-error=1"},
                            {"CDN-Cache-Control", "max-age=60, stale-if-error=30"},
                            {"Surrogate-Control", "Bad=1"}},
                           60);
  EXPECT_EQ(stored_directives(meta, cdn).stale_if_error, 30);
  EXPECT_EQ(stored_directives(meta, both).stale_if_error, 30);  // Surrogate-Control is invalid
  EXPECT_EQ(stored_directives(meta, {}).stale_if_error, 1);
  // Several lines of one field are one value.
  const auto split =
      stored({{"Cache-Control", "max-age=10"}, {"Cache-Control", "stale-while-revalidate=7"}}, 10);
  EXPECT_EQ(stored_directives(split, {}).stale_while_revalidate, 7);
}

TEST(TargetedField, FreshnessAtReadsTheWindowsOnlyOnceStale) {
  const auto meta =
      stored({{"Cache-Control", "max-age=60, stale-while-revalidate=30, stale-if-error=90"}}, 60);
  const auto fresh = freshness_at(meta, 1000 + 59, cdn);
  EXPECT_FALSE(fresh.stale_while_revalidate);  // not needed yet: not read
  const auto stale = freshness_at(meta, 1000 + 60, cdn);
  EXPECT_EQ(stale.stale_while_revalidate, 30);
  EXPECT_EQ(stale.stale_if_error, 90);
  EXPECT_EQ(stale.lifetime, 60);
  EXPECT_EQ(freshness_with_windows(meta, cdn).stale_if_error, 90);  // fresh or not
}

TEST(TargetedField, WithoutFieldsCopiesOnlyWhenNeeded) {
  const auto plain = stored({{"Cache-Control", "max-age=60"}, {"ETag", "\"a\""}}, 60);
  object_meta scratch;
  EXPECT_EQ(&without_fields(plain, cdn, scratch), &plain);
  const auto targeted = stored({{"cdn-cache-control", "max-age=600"},
                                {"Cache-Control", "max-age=60"},
                                {"CDN-Cache-Control", "no-store"}},
                               600);
  const auto& out = without_fields(targeted, cdn, scratch);
  EXPECT_EQ(&out, &scratch);
  EXPECT_EQ(out.headers, (std::vector<header_field>{{"Cache-Control", "max-age=60"}}));
  EXPECT_EQ(joined_header(targeted, "CDN-Cache-Control"), "max-age=600, no-store");
  EXPECT_FALSE(joined_header(targeted, "Expires"));
}

}  // namespace
}  // namespace rangecache::cache
