#include "rangecache/range/if_range.hpp"

#include <gtest/gtest.h>

#include <string>

#include "rangecache/util/http_date.hpp"

namespace rangecache::range {
namespace {

// Sun, 06 Nov 1994 08:49:37 GMT
constexpr std::int64_t t0 = 784111777;

representation_validators stored(std::string_view etag, std::optional<std::int64_t> lm,
                                 std::optional<std::int64_t> date) {
  return {etag, lm, date};
}

std::string date_text(std::int64_t t) {
  return std::string(util::format_http_date(t).view());
}

struct etag_case {
  std::string if_range;
  std::string stored_etag;
  bool allows;
};

void PrintTo(const etag_case& c, std::ostream* os) {
  *os << c.if_range << " vs " << c.stored_etag;
}

class IfRangeEtag : public ::testing::TestWithParam<etag_case> {};

TEST_P(IfRangeEtag, StrongComparison) {
  const auto& c = GetParam();
  EXPECT_EQ(if_range_allows_range(c.if_range, stored(c.stored_etag, t0, t0 + 3600)), c.allows);
}

INSTANTIATE_TEST_SUITE_P(
    Table, IfRangeEtag,
    ::testing::Values(
        etag_case{"\"abc\"", "\"abc\"", true}, etag_case{" \"abc\" ", "\"abc\"", true},
        etag_case{"\"abc\"", " \"abc\"", true}, etag_case{"\"\"", "\"\"", true},
        etag_case{"\"abc\"", "\"abd\"", false}, etag_case{"\"abc\"", "\"ABC\"", false},
        etag_case{"\"abc\"", "", false},
        // Weak on either side never matches (RFC 9110 §13.1.5).
        etag_case{"W/\"abc\"", "W/\"abc\"", false}, etag_case{"W/\"abc\"", "\"abc\"", false},
        etag_case{"\"abc\"", "W/\"abc\"", false},
        // Malformed.
        etag_case{"\"abc", "\"abc", false}, etag_case{"abc", "abc", false},
        etag_case{"\"a\"b\"", "\"a\"b\"", false}, etag_case{"\"a b\"", "\"a b\"", false},
        etag_case{"\"abc\", \"def\"", "\"abc\"", false}, etag_case{"*", "\"abc\"", false},
        etag_case{"", "\"abc\"", false}, etag_case{"W/", "W/", false}));

TEST(IfRange, DateMustEqualAStrongLastModified) {
  // Last-Modified an hour before Date: strong.
  auto s = stored("\"e\"", t0, t0 + 3600);
  EXPECT_TRUE(if_range_allows_range(date_text(t0), s));
  EXPECT_TRUE(if_range_allows_range("Sunday, 06-Nov-94 08:49:37 GMT", s));
  EXPECT_TRUE(if_range_allows_range("Sun Nov  6 08:49:37 1994", s));
  EXPECT_FALSE(if_range_allows_range(date_text(t0 + 1), s));  // newer: not equal
  EXPECT_FALSE(if_range_allows_range(date_text(t0 - 1), s));  // older: not equal either
  EXPECT_FALSE(if_range_allows_range("Sun, 06 Nov 1994 08:49:37 UTC", s));
  EXPECT_FALSE(if_range_allows_range("yesterday", s));
}

TEST(IfRange, LastModifiedCloseToDateIsWeak) {
  EXPECT_TRUE(if_range_allows_range(date_text(t0), stored("", t0, t0 + 60)));
  EXPECT_FALSE(if_range_allows_range(date_text(t0), stored("", t0, t0 + 59)));
  EXPECT_FALSE(if_range_allows_range(date_text(t0), stored("", t0, t0)));
  EXPECT_FALSE(if_range_allows_range(date_text(t0), stored("", t0, t0 - 100)));
}

TEST(IfRange, DateWithoutStoredValidators) {
  EXPECT_FALSE(if_range_allows_range(date_text(t0), stored("", std::nullopt, t0 + 3600)));
  EXPECT_FALSE(if_range_allows_range(date_text(t0), stored("", t0, std::nullopt)));
}

TEST(IfRange, ExtremeStoredTimesDoNotOverflow) {
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  EXPECT_FALSE(if_range_allows_range(date_text(t0), stored("", t0, min)));
  EXPECT_FALSE(if_range_allows_range(date_text(t0), stored("", max, min)));
  EXPECT_TRUE(if_range_allows_range(date_text(t0), stored("", t0, max)));
}

TEST(IfRange, EntityTagIsNotComparedToDates) {
  // An entity-tag never matches a Last-Modified, and a date never matches an ETag.
  EXPECT_FALSE(if_range_allows_range("\"784111777\"", stored("", t0, t0 + 3600)));
  EXPECT_FALSE(if_range_allows_range(date_text(t0), stored("\"e\"", std::nullopt, t0 + 3600)));
}

}  // namespace
}  // namespace rangecache::range
