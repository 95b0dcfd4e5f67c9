#include "rangecache/range/content_range.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace rangecache::range {
namespace {

constexpr std::uint64_t max64 = UINT64_MAX;

TEST(ContentRangeFormat, Satisfied) {
  EXPECT_EQ(format_content_range({0, 500}, 1234).view(), "bytes 0-499/1234");
  EXPECT_EQ(format_content_range({500, 500}, 1234).view(), "bytes 500-999/1234");
  EXPECT_EQ(format_content_range({0, 1}, 1).view(), "bytes 0-0/1");
  EXPECT_EQ(format_content_range({42, 1}, 43).view(), "bytes 42-42/43");
  EXPECT_EQ(format_content_range({0, max64}, max64).view(),
            "bytes 0-18446744073709551614/18446744073709551615");
  EXPECT_EQ(format_content_range({max64 - 1, 1}, max64).view(),
            "bytes 18446744073709551614-18446744073709551614/18446744073709551615");
}

TEST(ContentRangeFormat, Unsatisfied) {
  EXPECT_EQ(format_unsatisfied_range(1234).view(), "bytes */1234");
  EXPECT_EQ(format_unsatisfied_range(0).view(), "bytes */0");
  EXPECT_EQ(format_unsatisfied_range(max64).view(), "bytes */18446744073709551615");
}

struct parse_case {
  std::string text;
  std::optional<content_range> expected;
};

void PrintTo(const parse_case& c, std::ostream* os) {
  *os << '"' << c.text << '"';
}

class ContentRangeParse : public ::testing::TestWithParam<parse_case> {};

TEST_P(ContentRangeParse, Table) {
  const auto& c = GetParam();
  EXPECT_EQ(parse_content_range(c.text), c.expected) << c.text;
}

content_range known(std::uint64_t first, std::uint64_t last, std::uint64_t len) {
  return {byte_slice{first, last - first + 1}, len};
}
content_range unknown_length(std::uint64_t first, std::uint64_t last) {
  return {byte_slice{first, last - first + 1}, std::nullopt};
}
content_range unsatisfied(std::uint64_t len) {
  return {std::nullopt, len};
}

INSTANTIATE_TEST_SUITE_P(
    Table, ContentRangeParse,
    ::testing::Values(
        // RFC 9110 §14.4 examples.
        parse_case{"bytes 42-1233/1234", known(42, 1233, 1234)},
        parse_case{"bytes 42-1233/*", unknown_length(42, 1233)},
        parse_case{"bytes */1234", unsatisfied(1234)}, parse_case{"bytes 0-0/1", known(0, 0, 1)},
        parse_case{"bytes 0-499/500", known(0, 499, 500)}, parse_case{"bytes */0", unsatisfied(0)},
        parse_case{"Bytes 0-1/2", known(0, 1, 2)}, parse_case{"BYTES 0-1/2", known(0, 1, 2)},
        parse_case{" bytes 0-1/2\t", known(0, 1, 2)},
        parse_case{"bytes 007-010/0100", known(7, 10, 100)},
        parse_case{"bytes 0-18446744073709551614/18446744073709551615", known(0, max64 - 1, max64)},
        parse_case{"bytes 5-18446744073709551614/*", unknown_length(5, max64 - 1)},
        // From ATS's own gold tests, which store them: inconsistent values must be refused.
        parse_case{"bytes 0-18/18", std::nullopt}, parse_case{"bytes 19-18/100", std::nullopt},
        parse_case{"bytes 0-100/100", std::nullopt}, parse_case{"bytes 0-0/0", std::nullopt},
        // Garbage.
        parse_case{"", std::nullopt}, parse_case{"bytes", std::nullopt},
        parse_case{"bytes ", std::nullopt}, parse_case{"bytes */*", std::nullopt},
        parse_case{"bytes *", std::nullopt}, parse_case{"bytes 0-1", std::nullopt},
        parse_case{"bytes 0-1/", std::nullopt}, parse_case{"bytes -1/2", std::nullopt},
        parse_case{"bytes 0-/2", std::nullopt}, parse_case{"bytes 1/2", std::nullopt},
        parse_case{"bytes  0-1/2", std::nullopt}, parse_case{"bytes\t0-1/2", std::nullopt},
        parse_case{"bytes=0-1/2", std::nullopt}, parse_case{"bytes 0 - 1/2", std::nullopt},
        parse_case{"bytes 0-1 /2", std::nullopt}, parse_case{"bytes 0-1/ 2", std::nullopt},
        parse_case{"bytes 0-1/2 x", std::nullopt}, parse_case{"bytes 0-1/2,3-4/5", std::nullopt},
        parse_case{"bytes +0-1/2", std::nullopt}, parse_case{"bytes 0-+1/2", std::nullopt},
        parse_case{"bytes 0-1/-2", std::nullopt}, parse_case{"bytes 0x0-1/2", std::nullopt},
        parse_case{"bytes */", std::nullopt}, parse_case{"bytes */-1", std::nullopt},
        parse_case{"bytes 0-1/2/3", std::nullopt}, parse_case{"items 0-1/2", std::nullopt},
        parse_case{"0-1/2", std::nullopt}, parse_case{"bytes 0-1-2/3", std::nullopt},
        // Overflow.
        parse_case{"bytes 0-18446744073709551616/*", std::nullopt},
        parse_case{"bytes 0-1/18446744073709551616", std::nullopt},
        parse_case{"bytes */18446744073709551616", std::nullopt},
        parse_case{"bytes 99999999999999999999-99999999999999999999/*", std::nullopt},
        // A last byte of 2^64-1 fits no representation we could hold.
        parse_case{"bytes 0-18446744073709551615/*", std::nullopt},
        parse_case{"bytes 0-18446744073709551615/18446744073709551615", std::nullopt}));

TEST(ContentRange, FormatParseRoundTrip) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::uint64_t len = 1 + rng() % (i % 2 ? 1000 : max64);
    std::uint64_t a = rng() % len, b = rng() % len;
    byte_slice slice{std::min(a, b), std::max(a, b) - std::min(a, b) + 1};
    auto text = format_content_range(slice, len);
    auto parsed = parse_content_range(text.view());
    ASSERT_TRUE(parsed) << text.view();
    EXPECT_EQ(parsed->range, slice);
    EXPECT_EQ(parsed->complete_length, len);

    auto unsat = parse_content_range(format_unsatisfied_range(len).view());
    ASSERT_TRUE(unsat);
    EXPECT_EQ(*unsat, unsatisfied(len));
  }
}

}  // namespace
}  // namespace rangecache::range
