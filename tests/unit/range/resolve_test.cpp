#include "rangecache/range/resolve.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "rangecache/range/parse.hpp"

namespace rangecache::range {
namespace {

using spec = byte_range_spec;

std::vector<byte_slice> slices_of(const resolved_ranges& r) {
  return {r.slices.begin(), r.slices.end()};
}

resolved_ranges resolve_header(std::string_view header, std::uint64_t length,
                               const range_limits& limits = {}) {
  parsed_range parsed = parse_range(header);
  EXPECT_TRUE(parsed.ok()) << header;
  return resolve(parsed.specs, length, limits);
}

struct partial_case {
  std::string header;
  std::uint64_t length;
  std::vector<byte_slice> slices;
};

void PrintTo(const partial_case& c, std::ostream* os) {
  *os << '"' << c.header << "\" len " << c.length;
}

class ResolvePartial : public ::testing::TestWithParam<partial_case> {};

TEST_P(ResolvePartial, Slices) {
  const auto& c = GetParam();
  resolved_ranges r = resolve_header(c.header, c.length);
  ASSERT_EQ(r.status, resolve_status::partial) << c.header;
  EXPECT_EQ(r.reason, full_reason::none);
  EXPECT_EQ(slices_of(r), c.slices) << c.header;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ResolvePartial,
    ::testing::Values(
        // RFC 9110 §14.1.2 examples on a 10000-byte representation.
        partial_case{"bytes=0-499", 10000, {{0, 500}}},
        partial_case{"bytes=500-999", 10000, {{500, 500}}},
        partial_case{"bytes=-500", 10000, {{9500, 500}}},
        partial_case{"bytes=9500-", 10000, {{9500, 500}}},
        partial_case{"bytes=0-0,-1", 10000, {{0, 1}, {9999, 1}}},
        partial_case{
            "bytes= 0-999, 4500-5499, -1000", 10000, {{0, 1000}, {4500, 1000}, {9000, 1000}}},
        // "500-600,601-999" and "500-700,601-999" are both 500-999 once coalesced.
        partial_case{"bytes=500-600,601-999", 10000, {{500, 500}}},
        partial_case{"bytes=500-700,601-999", 10000, {{500, 500}}},
        // Clamping.
        partial_case{"bytes=0-0", 1, {{0, 1}}}, partial_case{"bytes=0-", 1, {{0, 1}}},
        partial_case{"bytes=-1", 1, {{0, 1}}}, partial_case{"bytes=0-99", 50, {{0, 50}}},
        partial_case{"bytes=10-18446744073709551615", 50, {{10, 40}}},
        partial_case{"bytes=49-1000", 50, {{49, 1}}}, partial_case{"bytes=49-", 50, {{49, 1}}},
        partial_case{"bytes=-50", 50, {{0, 50}}}, partial_case{"bytes=-51", 50, {{0, 50}}},
        partial_case{"bytes=-18446744073709551615", 50, {{0, 50}}},
        partial_case{"bytes=0-", 18446744073709551615ULL, {{0, 18446744073709551615ULL}}},
        partial_case{"bytes=-1", 18446744073709551615ULL, {{18446744073709551614ULL, 1}}},
        // Unsatisfiable members are dropped, the rest served.
        partial_case{"bytes=100-200,0-9", 50, {{0, 10}}},
        partial_case{"bytes=-0,5-6", 50, {{5, 2}}}, partial_case{"bytes=50-,10-", 50, {{10, 40}}},
        // Sorting and coalescing.
        partial_case{"bytes=20-29,0-9", 100, {{0, 10}, {20, 10}}},
        partial_case{"bytes=-10,0-9", 100, {{0, 10}, {90, 10}}},
        partial_case{"bytes=0-9,10-19", 100, {{0, 20}}},           // adjacent
        partial_case{"bytes=10-19,0-9", 100, {{0, 20}}},           // adjacent, reversed
        partial_case{"bytes=0-9,11-19", 100, {{0, 10}, {11, 9}}},  // one-byte gap stays
        partial_case{"bytes=0-9,5-14", 100, {{0, 15}}},            // overlap
        partial_case{"bytes=0-99,10-19", 100, {{0, 100}}},         // contained
        partial_case{"bytes=10-19,0-99", 100, {{0, 100}}},
        partial_case{"bytes=0-9,0-9", 100, {{0, 10}}},              // duplicate
        partial_case{"bytes=0-4,5-9,10-14,15-19", 100, {{0, 20}}},  // chain of adjacent
        partial_case{"bytes=15-19,10-14,5-9,0-4", 100, {{0, 20}}},
        partial_case{"bytes=0-0,2-2,4-4", 100, {{0, 1}, {2, 1}, {4, 1}}},
        partial_case{"bytes=90-,-20", 100, {{80, 20}}},
        partial_case{"bytes=0-,-1", 100, {{0, 100}}}));

TEST(Resolve, UnsatisfiableWhenNothingIsSatisfiable) {
  for (const char* header : {"bytes=50-", "bytes=50-60", "bytes=-0", "bytes=100-,-0,50-99",
                             "bytes=18446744073709551615-"}) {
    resolved_ranges r = resolve_header(header, 50);
    EXPECT_EQ(r.status, resolve_status::unsatisfiable) << header;
    EXPECT_TRUE(r.slices.empty()) << header;
  }
}

TEST(Resolve, ZeroLengthRepresentation) {
  // Closed and open ranges can never be satisfied by an empty representation: 416.
  for (const char* header : {"bytes=0-", "bytes=0-0", "bytes=0-99", "bytes=-0", "bytes=-0,0-"}) {
    resolved_ranges r = resolve_header(header, 0);
    EXPECT_EQ(r.status, resolve_status::unsatisfiable) << header;
  }
  // A non-zero suffix is "satisfiable" (RFC 9110 §14.1.1) but has no byte to name: 200.
  for (const char* header : {"bytes=-1", "bytes=-100", "bytes=0-,-5"}) {
    resolved_ranges r = resolve_header(header, 0);
    EXPECT_EQ(r.status, resolve_status::full) << header;
    EXPECT_EQ(r.reason, full_reason::empty_representation) << header;
    EXPECT_TRUE(r.slices.empty());
  }
}

TEST(Resolve, NoSpecsMeansNoRange) {
  resolved_ranges r = resolve({}, 100);
  EXPECT_EQ(r.status, resolve_status::full);
  EXPECT_EQ(r.reason, full_reason::no_ranges);
}

std::string many_ranges(std::size_t count, std::uint64_t stride) {
  std::string header = "bytes=";
  for (std::size_t i = 0; i < count; ++i) {
    if (i) header += ",";
    header += std::to_string(i * stride) + "-" + std::to_string(i * stride);
  }
  return header;
}

TEST(Resolve, RangeCountLimit) {
  range_limits limits;  // 64 by default
  resolved_ranges at = resolve_header(many_ranges(64, 2), 1000, limits);
  ASSERT_EQ(at.status, resolve_status::partial);
  EXPECT_EQ(at.slices.size(), 64u);

  resolved_ranges over = resolve_header(many_ranges(65, 2), 1000, limits);
  EXPECT_EQ(over.status, resolve_status::full);
  EXPECT_EQ(over.reason, full_reason::too_many_ranges);

  // Counted as written, unsatisfiable ones included (they cost parsing all the same).
  resolved_ranges mostly_unsat = resolve_header(many_ranges(65, 100), 10, limits);
  EXPECT_EQ(mostly_unsat.status, resolve_status::full);

  limits.max_ranges = 3;
  EXPECT_EQ(resolve_header("bytes=0-0,2-2,4-4", 10, limits).status, resolve_status::partial);
  EXPECT_EQ(resolve_header("bytes=0-0,2-2,4-4,6-6", 10, limits).status, resolve_status::full);

  // A limit above the parser's capacity is harmless.
  limits.max_ranges = 100000;
  EXPECT_EQ(resolve_header(many_ranges(max_range_specs, 2), 1000, limits).slices.size(),
            max_range_specs);
}

TEST(Resolve, OverlapLimit) {
  // Two overlaps are allowed by default (RFC 9110 §14.2: "more than two").
  resolved_ranges two = resolve_header("bytes=0-9,5-14,8-20", 100);
  ASSERT_EQ(two.status, resolve_status::partial);
  EXPECT_EQ(slices_of(two), (std::vector<byte_slice>{{0, 21}}));

  resolved_ranges three = resolve_header("bytes=0-9,5-14,8-20,1-2", 100);
  EXPECT_EQ(three.status, resolve_status::full);
  EXPECT_EQ(three.reason, full_reason::too_many_overlaps);

  // The classic CVE-2011-3192 shape: the same big range over and over.
  resolved_ranges repeated = resolve_header("bytes=0-,0-,0-,0-,0-", 100);
  EXPECT_EQ(repeated.status, resolve_status::full);

  // Adjacent is not overlapping: any number of them is fine.
  resolved_ranges adjacent = resolve_header(many_ranges(64, 1), 1000);
  ASSERT_EQ(adjacent.status, resolve_status::partial);
  EXPECT_EQ(slices_of(adjacent), (std::vector<byte_slice>{{0, 64}}));

  // Overlaps are counted after clamping: these only overlap inside a 10-byte representation.
  EXPECT_EQ(resolve_header("bytes=0-,-5,3-100,2-3", 10).status, resolve_status::full);
  EXPECT_EQ(resolve_header("bytes=0-,-5,3-100", 10).status, resolve_status::partial);

  range_limits strict;
  strict.max_overlaps = 0;
  EXPECT_EQ(resolve_header("bytes=0-9,9-10", 100, strict).status, resolve_status::full);
  EXPECT_EQ(resolve_header("bytes=0-9,10-10", 100, strict).status, resolve_status::partial);
}

TEST(Resolve, ResolveOne) {
  EXPECT_EQ(resolve_one(spec::closed_range(0, 9), 5), (byte_slice{0, 5}));
  EXPECT_EQ(resolve_one(spec::open_range(4), 5), (byte_slice{4, 1}));
  EXPECT_EQ(resolve_one(spec::suffix_range(2), 5), (byte_slice{3, 2}));
  EXPECT_EQ(resolve_one(spec::suffix_range(9), 5), (byte_slice{0, 5}));
  EXPECT_FALSE(resolve_one(spec::open_range(5), 5));
  EXPECT_FALSE(resolve_one(spec::closed_range(5, 9), 5));
  EXPECT_FALSE(resolve_one(spec::suffix_range(0), 5));
  EXPECT_FALSE(resolve_one(spec::suffix_range(3), 0));
  EXPECT_FALSE(resolve_one(spec::open_range(0), 0));
}

// Brute force: for random lengths and spec lists, the resolved slices cover exactly the
// bytes a naive bitmap says were asked for, sorted, disjoint and non-adjacent.
TEST(Resolve, MatchesBitmapModel) {
  std::mt19937_64 rng(20240601);
  range_limits unlimited;
  unlimited.max_ranges = max_range_specs;
  unlimited.max_overlaps = max_range_specs;
  int partial = 0, unsatisfiable = 0, full = 0;

  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::uint64_t length = rng() % 70;
    std::size_t count = 1 + rng() % 8;
    std::vector<spec> specs;
    for (std::size_t i = 0; i < count; ++i) {
      std::uint64_t a = rng() % 80, b = rng() % 80;
      switch (rng() % 3) {
        case 0:
          specs.push_back(spec::closed_range(std::min(a, b), std::max(a, b)));
          break;
        case 1:
          specs.push_back(spec::open_range(a));
          break;
        default:
          specs.push_back(spec::suffix_range(a));
          break;
      }
    }

    std::vector<bool> wanted(length, false);
    bool empty_suffix_hit = false;
    for (const auto& s : specs) {
      for (std::uint64_t byte = 0; byte < length; ++byte) {
        bool in = false;
        switch (s.kind) {
          case spec::form::closed:
            in = byte >= s.first && byte <= s.last;
            break;
          case spec::form::open:
            in = byte >= s.first;
            break;
          case spec::form::suffix:
            in = s.suffix_length > 0 && byte + s.suffix_length >= length;
            break;
        }
        if (in) wanted[byte] = true;
      }
      if (length == 0 && s.kind == spec::form::suffix && s.suffix_length > 0) {
        empty_suffix_hit = true;
      }
    }
    bool any = std::find(wanted.begin(), wanted.end(), true) != wanted.end();

    resolved_ranges r = resolve(specs, length, unlimited);
    if (empty_suffix_hit) {
      ASSERT_EQ(r.status, resolve_status::full);
      ++full;
      continue;
    }
    if (!any) {
      ASSERT_EQ(r.status, resolve_status::unsatisfiable) << "iteration " << iteration;
      ++unsatisfiable;
      continue;
    }
    ASSERT_EQ(r.status, resolve_status::partial) << "iteration " << iteration;
    ++partial;

    std::vector<bool> got(length, false);
    std::uint64_t previous_end = 0;
    for (std::size_t i = 0; i < r.slices.size(); ++i) {
      const byte_slice& s = r.slices[i];
      ASSERT_GT(s.length, 0u);
      ASSERT_LE(s.end(), length);
      if (i > 0) {
        ASSERT_GT(s.offset, previous_end) << "not sorted, or touching";
      }
      previous_end = s.end();
      for (std::uint64_t byte = s.offset; byte < s.end(); ++byte) got[byte] = true;
    }
    ASSERT_EQ(got, wanted) << "iteration " << iteration;

    // Limits only ever turn a partial answer into a full one.
    resolved_ranges limited = resolve(specs, length);
    if (limited.status != resolve_status::partial) {
      ASSERT_EQ(limited.status, resolve_status::full);
    } else {
      ASSERT_EQ(limited.slices, r.slices);
    }
  }
  // The generator must exercise every outcome.
  EXPECT_GT(partial, 1000);
  EXPECT_GT(unsatisfiable, 100);
  EXPECT_GT(full, 100);
}

}  // namespace
}  // namespace rangecache::range
