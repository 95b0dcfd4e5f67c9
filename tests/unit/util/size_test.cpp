#include "rangecache/util/size.hpp"

#include <gtest/gtest.h>

namespace rangecache::util {
namespace {

using std::chrono::milliseconds;

TEST(Size, PlainBytes) {
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("100"), 100u);
  EXPECT_EQ(parse_size("100B"), 100u);
  EXPECT_EQ(parse_size("18446744073709551615"), UINT64_MAX);
}

TEST(Size, BinaryUnits) {
  EXPECT_EQ(parse_size("64KiB"), 64u * 1024);
  EXPECT_EQ(parse_size("512MiB"), 512ull << 20);
  EXPECT_EQ(parse_size("10GiB"), 10ull << 30);
  EXPECT_EQ(parse_size("1TiB"), 1ull << 40);
  EXPECT_EQ(parse_size("10G"), 10ull << 30);
  EXPECT_EQ(parse_size("3K"), 3u * 1024);
  EXPECT_EQ(parse_size("2M"), 2ull << 20);
  EXPECT_EQ(parse_size("2T"), 2ull << 40);
}

TEST(Size, DecimalUnits) {
  EXPECT_EQ(parse_size("10GB"), 10'000'000'000ull);
  EXPECT_EQ(parse_size("5KB"), 5000u);
  EXPECT_EQ(parse_size("5MB"), 5'000'000u);
  EXPECT_EQ(parse_size("1TB"), 1'000'000'000'000ull);
}

TEST(Size, UnitsAreCaseInsensitiveAndMaySpace) {
  EXPECT_EQ(parse_size("10gib"), 10ull << 30);
  EXPECT_EQ(parse_size("10 GiB"), 10ull << 30);
  EXPECT_EQ(parse_size("4kb"), 4000u);
}

TEST(Size, Overflow) {
  EXPECT_FALSE(parse_size("18446744073709551616"));
  EXPECT_FALSE(parse_size("16777216TiB"));  // 2^24 * 2^40 = 2^64
  EXPECT_EQ(parse_size("16777215TiB"), 16777215ull << 40);
  EXPECT_FALSE(parse_size("99999999999999999999999GiB"));
}

TEST(Size, RejectsGarbage) {
  for (auto bad : {"", "GiB", "-1", "+1", "1.5GiB", "10 parsecs", "10GiBs", "10 GiB ", " 10",
                   "0x10", "1e3", "10iB", "10Gi"}) {
    EXPECT_FALSE(parse_size(bad)) << bad;
  }
}

TEST(Duration, Units) {
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("5s"), milliseconds(5000));
  EXPECT_EQ(parse_duration("2m"), milliseconds(120'000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
  EXPECT_EQ(parse_duration("1d"), milliseconds(86'400'000));
  EXPECT_EQ(parse_duration("7D"), milliseconds(7 * 86'400'000LL));
  EXPECT_EQ(parse_duration("0s"), milliseconds(0));
}

TEST(Duration, BareNumberIsSeconds) {
  EXPECT_EQ(parse_duration("30"), milliseconds(30'000));
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
}

TEST(Duration, Overflow) {
  // milliseconds::rep is 64-bit signed: 2^63 - 1 ms is the most it holds.
  EXPECT_EQ(parse_duration("9223372036854775807ms"), milliseconds(INT64_MAX));
  EXPECT_FALSE(parse_duration("9223372036854775808ms"));
  EXPECT_FALSE(parse_duration("9223372036854776s"));
  EXPECT_FALSE(parse_duration("9999999999999999999999h"));
}

TEST(Duration, RejectsGarbage) {
  for (auto bad : {"", "s", "-5s", "1.5s", "5 sec", "5S0", "5y", "1m30s", "ms"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
}

}  // namespace
}  // namespace rangecache::util
