#include "rangecache/range/normalize.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace rangecache::range {
namespace {

using spec = byte_range_spec;

std::optional<std::string> norm(std::string_view header) {
  auto text = normalize_range(header);
  if (!text) return std::nullopt;
  return std::string(text->view());
}

TEST(Normalize, CanonicalSpellings) {
  EXPECT_EQ(canonical_range(spec::closed_range(0, 99)).view(), "bytes=0-99");
  EXPECT_EQ(canonical_range(spec::open_range(500)).view(), "bytes=500-");
  EXPECT_EQ(canonical_range(spec::suffix_range(5)).view(), "bytes=-5");
  EXPECT_EQ(canonical_range(spec::suffix_range(0)).view(), "bytes=-0");
  EXPECT_EQ(canonical_range(spec::closed_range(0, 0)).view(), "bytes=0-0");
  EXPECT_EQ(canonical_range(spec::closed_range(UINT64_MAX, UINT64_MAX)).view(),
            "bytes=18446744073709551615-18446744073709551615");  // the longest: 47 chars
  EXPECT_EQ(canonical_range(spec::open_range(UINT64_MAX)).view(), "bytes=18446744073709551615-");
  EXPECT_EQ(canonical_range(spec::suffix_range(UINT64_MAX)).view(), "bytes=-18446744073709551615");
}

TEST(Normalize, EquivalentSpellingsShareOneKey) {
  // These were distinct keys in ATS (one object per spelling); here they are one.
  for (const char* header :
       {"bytes=0-99", "bytes=0-099", "bytes=00-99", "bytes= 0-99", "Bytes=0-99", "BYTES=0-0099",
        "bytes=0-99,", "bytes=,0-99", "  bytes=0-99\t", "bytes=0-99, ,"}) {
    EXPECT_EQ(norm(header), "bytes=0-99") << header;
  }
  EXPECT_EQ(norm("bytes=0100-"), "bytes=100-");
  EXPECT_EQ(norm("bytes=-0005"), "bytes=-5");
  EXPECT_EQ(norm("bytes=-000"), "bytes=-0");
}

TEST(Normalize, LengthIsUnknownSoOpenAndClosedStayDistinct) {
  EXPECT_NE(norm("bytes=0-"), norm("bytes=0-999"));
  EXPECT_NE(norm("bytes=-10"), norm("bytes=990-"));
}

TEST(Normalize, OnlyASingleValidBytesRange) {
  for (const char* header : {"bytes=0-1,2-3", "bytes=0-99,0-99", "items=0-1", "bytes=", "",
                             "bytes=2-1", "bytes=x", "bytes=0-18446744073709551616"}) {
    EXPECT_EQ(norm(header), std::nullopt) << header;
  }
}

TEST(Normalize, RoundTripsThroughItself) {
  for (const char* header : {"bytes=7-15", "bytes=9-", "bytes=-3"}) {
    auto once = norm(header);
    ASSERT_TRUE(once);
    EXPECT_EQ(norm(*once), once);
  }
}

}  // namespace
}  // namespace rangecache::range
