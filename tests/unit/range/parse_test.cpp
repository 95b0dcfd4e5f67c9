#include "rangecache/range/parse.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rangecache::range {
namespace {

using spec = byte_range_spec;
constexpr std::uint64_t max64 = UINT64_MAX;

struct ok_case {
  std::string header;
  std::vector<spec> specs;
};

void PrintTo(const ok_case& c, std::ostream* os) {
  *os << '"' << c.header << '"';
}

class ParseOk : public ::testing::TestWithParam<ok_case> {};

TEST_P(ParseOk, Parses) {
  const auto& c = GetParam();
  parsed_range r = parse_range(c.header);
  ASSERT_EQ(r.status, parse_status::ok) << c.header;
  ASSERT_EQ(r.specs.size(), c.specs.size()) << c.header;
  for (std::size_t i = 0; i < c.specs.size(); ++i) {
    EXPECT_EQ(r.specs[i], c.specs[i]) << c.header << " #" << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseOk,
    ::testing::Values(
        // RFC 9110 §14.1.2 examples.
        ok_case{"bytes=0-499", {spec::closed_range(0, 499)}},
        ok_case{"bytes=500-999", {spec::closed_range(500, 999)}},
        ok_case{"bytes=-500", {spec::suffix_range(500)}},
        ok_case{"bytes=9500-", {spec::open_range(9500)}},
        ok_case{"bytes=0-0,-1", {spec::closed_range(0, 0), spec::suffix_range(1)}},
        ok_case{
            "bytes= 0-999, 4500-5499, -1000",
            {spec::closed_range(0, 999), spec::closed_range(4500, 5499), spec::suffix_range(1000)}},
        ok_case{"bytes=500-600,601-999",
                {spec::closed_range(500, 600), spec::closed_range(601, 999)}},
        ok_case{"bytes=500-700,601-999",
                {spec::closed_range(500, 700), spec::closed_range(601, 999)}},
        // Edges of the forms.
        ok_case{"bytes=0-0", {spec::closed_range(0, 0)}},
        ok_case{"bytes=-0", {spec::suffix_range(0)}}, ok_case{"bytes=0-", {spec::open_range(0)}},
        ok_case{"bytes=5-5", {spec::closed_range(5, 5)}},
        ok_case{"bytes=0-099", {spec::closed_range(0, 99)}},
        ok_case{"bytes=000-000", {spec::closed_range(0, 0)}},
        ok_case{"bytes=-000100", {spec::suffix_range(100)}},
        // Unit is case-insensitive.
        ok_case{"Bytes=0-1", {spec::closed_range(0, 1)}},
        ok_case{"BYTES=0-1", {spec::closed_range(0, 1)}},
        ok_case{"bYtEs=-7", {spec::suffix_range(7)}},
        // OWS around the value and around commas, empty elements (RFC 9110 §5.6.1).
        ok_case{"  bytes=0-1  ", {spec::closed_range(0, 1)}},
        ok_case{"\tbytes=0-1\t", {spec::closed_range(0, 1)}},
        ok_case{"bytes=0-1 ,2-3", {spec::closed_range(0, 1), spec::closed_range(2, 3)}},
        ok_case{"bytes=0-1,\t2-3", {spec::closed_range(0, 1), spec::closed_range(2, 3)}},
        ok_case{"bytes=0-1 \t, \t 2-3", {spec::closed_range(0, 1), spec::closed_range(2, 3)}},
        ok_case{"bytes=0-1,,2-3", {spec::closed_range(0, 1), spec::closed_range(2, 3)}},
        ok_case{"bytes=,0-1", {spec::closed_range(0, 1)}},
        ok_case{"bytes=, ,0-1", {spec::closed_range(0, 1)}},
        ok_case{"bytes=0-1,", {spec::closed_range(0, 1)}},
        ok_case{"bytes=0-1, ,", {spec::closed_range(0, 1)}},
        ok_case{"bytes= 0-99", {spec::closed_range(0, 99)}},
        // Order and duplicates are kept as written: resolve() decides.
        ok_case{"bytes=10-20,0-5,10-20",
                {spec::closed_range(10, 20), spec::closed_range(0, 5), spec::closed_range(10, 20)}},
        // Largest numbers that fit.
        ok_case{"bytes=0-18446744073709551615", {spec::closed_range(0, max64)}},
        ok_case{"bytes=18446744073709551615-", {spec::open_range(max64)}},
        ok_case{"bytes=-18446744073709551615", {spec::suffix_range(max64)}},
        ok_case{"bytes=18446744073709551615-18446744073709551615",
                {spec::closed_range(max64, max64)}},
        ok_case{"bytes=00000000000000000000000018446744073709551615-", {spec::open_range(max64)}},
        ok_case{"bytes=9999999999999999999-", {spec::open_range(9999999999999999999ULL)}}));

struct bad_case {
  std::string header;
  parse_status status;
};

void PrintTo(const bad_case& c, std::ostream* os) {
  *os << '"' << c.header << '"';
}

class ParseBad : public ::testing::TestWithParam<bad_case> {};

TEST_P(ParseBad, Rejects) {
  const auto& c = GetParam();
  parsed_range r = parse_range(c.header);
  EXPECT_EQ(r.status, c.status) << c.header;
  EXPECT_TRUE(r.specs.empty()) << c.header;
  EXPECT_FALSE(r.ok());
}

constexpr auto invalid = parse_status::invalid;
constexpr auto not_bytes = parse_status::not_bytes;

INSTANTIATE_TEST_SUITE_P(Table, ParseBad,
                         ::testing::Values(
                             // Empty and empty sets.
                             bad_case{"", invalid}, bad_case{"   ", invalid},
                             bad_case{"bytes", invalid}, bad_case{"bytes=", invalid},
                             bad_case{"bytes= ", invalid}, bad_case{"bytes=,", invalid},
                             bad_case{"bytes=, ,", invalid}, bad_case{"=0-1", invalid},
                             // a > b anywhere invalidates the whole header.
                             bad_case{"bytes=1-0", invalid}, bad_case{"bytes=500-499", invalid},
                             bad_case{"bytes=0-1,5-4", invalid}, bad_case{"bytes=5-4,0-1", invalid},
                             // Overflow: 2^64, 20-digit numbers above 2^64-1, much longer ones.
                             bad_case{"bytes=0-18446744073709551616", invalid},
                             bad_case{"bytes=18446744073709551616-", invalid},
                             bad_case{"bytes=-18446744073709551616", invalid},
                             bad_case{"bytes=99999999999999999999-", invalid},
                             bad_case{"bytes=0-99999999999999999999", invalid},
                             bad_case{"bytes=-99999999999999999999", invalid},
                             bad_case{"bytes=123456789012345678901234567890-", invalid},
                             // Not the bytes grammar.
                             bad_case{"bytes=-", invalid}, bad_case{"bytes=--1", invalid},
                             bad_case{"bytes=1--2", invalid}, bad_case{"bytes=1-2-3", invalid},
                             bad_case{"bytes=a-b", invalid}, bad_case{"bytes=0x10-", invalid},
                             bad_case{"bytes=+1-2", invalid}, bad_case{"bytes=1-+2", invalid},
                             bad_case{"bytes=-+1", invalid}, bad_case{"bytes=1", invalid},
                             bad_case{"bytes=1.5-2", invalid}, bad_case{"bytes=0-1;2-3", invalid},
                             bad_case{"bytes=0-1 2-3", invalid}, bad_case{"bytes=0 -1", invalid},
                             bad_case{"bytes=0- 1", invalid}, bad_case{"bytes=- 1", invalid},
                             bad_case{"bytes=0-1,x", invalid}, bad_case{"bytes=0-1,abc", invalid},
                             bad_case{"bytes=\xff-1", invalid},
                             bad_case{std::string("bytes=0-1\0", 10), invalid},
                             // The unit and "=" are not whitespace-tolerant (not in the grammar).
                             bad_case{"bytes =0-1", invalid}, bad_case{"by tes=0-1", invalid},
                             bad_case{"bytes:0-1", invalid}, bad_case{"\"bytes\"=0-1", invalid},
                             // Other units: passed through untouched (not cached).
                             bad_case{"items=0-5", not_bytes}, bad_case{"byte=0-1", not_bytes},
                             bad_case{"bytesx=0-1", not_bytes}, bad_case{"none=", not_bytes},
                             bad_case{"x-custom=anything at all", not_bytes}));

TEST(Parse, TooManySpecsIsItsOwnOutcome) {
  std::string header = "bytes=";
  for (std::size_t i = 0; i < max_range_specs; ++i)
    header += std::to_string(i * 10) + "-" + std::to_string(i * 10 + 1) + ",";
  parsed_range at_capacity = parse_range(header);
  ASSERT_EQ(at_capacity.status, parse_status::ok);
  EXPECT_EQ(at_capacity.specs.size(), max_range_specs);

  header += "99999-";
  parsed_range over = parse_range(header);
  EXPECT_EQ(over.status, parse_status::too_many);
  EXPECT_TRUE(over.specs.empty());
}

TEST(Parse, EmptyElementsDoNotCountTowardCapacity) {
  std::string header = "bytes=";
  for (int i = 0; i < 1000; ++i) header += ", ";
  header += "0-1";
  parsed_range r = parse_range(header);
  ASSERT_EQ(r.status, parse_status::ok);
  EXPECT_EQ(r.specs.size(), 1u);
}

TEST(Parse, ResultCopiesKeepSpecs) {
  parsed_range a = parse_range("bytes=1-2,-3,4-");
  parsed_range b = a;
  EXPECT_EQ(b.specs, a.specs);
  parsed_range c;
  c = b;
  ASSERT_EQ(c.specs.size(), 3u);
  EXPECT_EQ(c.specs[2], spec::open_range(4));
}

}  // namespace
}  // namespace rangecache::range
