#include "rangecache/util/http_date.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <random>
#include <string>

namespace rangecache::util {
namespace {

// Sun, 06 Nov 1994 08:49:37 GMT, the RFC's example instant.
constexpr std::int64_t rfc_example = 784111777;
// 2026-01-01T00:00:00Z, a fixed "now" for two-digit years.
constexpr std::int64_t now_2026 = 1767225600;

std::string fmt(std::int64_t t) {
  return std::string(format_http_date(t).view());
}

TEST(HttpDate, RfcExampleInAllThreeFormats) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", now_2026), rfc_example);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", now_2026), rfc_example);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994", now_2026), rfc_example);
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), rfc_example);
}

struct valid_case {
  std::string text;
  std::int64_t expected;
};

void PrintTo(const valid_case& c, std::ostream* os) {
  *os << '"' << c.text << '"';
}

class HttpDateValid : public ::testing::TestWithParam<valid_case> {};

TEST_P(HttpDateValid, Parses) {
  EXPECT_EQ(parse_http_date(GetParam().text, now_2026), GetParam().expected) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, HttpDateValid,
    ::testing::Values(
        valid_case{"Thu, 01 Jan 1970 00:00:00 GMT", 0},
        valid_case{"Wed, 31 Dec 1969 23:59:59 GMT", -1},
        valid_case{"Sat, 01 Jan 0000 00:00:00 GMT", -62167219200},
        valid_case{"Fri, 31 Dec 9999 23:59:59 GMT", 253402300799},
        valid_case{"Tue, 19 Jan 2038 03:14:08 GMT", 2147483648},
        valid_case{"Tue, 29 Feb 2000 12:00:00 GMT", 951825600},   // 400-year leap
        valid_case{"Thu, 29 Feb 2024 00:00:00 GMT", 1709164800},  // ordinary leap
        valid_case{"Wed, 31 Dec 2025 23:59:60 GMT", now_2026},    // leap second rolls over
        valid_case{"  Sun, 06 Nov 1994 08:49:37 GMT\t", rfc_example},
        // Day names are not checked against the date.
        valid_case{"Mon, 06 Nov 1994 08:49:37 GMT", rfc_example},
        valid_case{"Monday, 06-Nov-94 08:49:37 GMT", rfc_example},
        valid_case{"Wednesday, 06-Nov-94 08:49:37 GMT", rfc_example},
        valid_case{"Sun Nov 06 08:49:37 1994", rfc_example},
        valid_case{"Thu Jan  1 00:00:00 1970", 0},
        valid_case{"Sat Dec 31 23:59:59 2005", 1136073599},
        // Two-digit years: within 50 years of now (2026).
        // "70" is 2070, not 1970: only dates more than 50 years ahead fold back.
        valid_case{"Wednesday, 01-Jan-70 00:00:00 GMT", 3155760000},
        valid_case{"Saturday, 01-Jan-00 00:00:00 GMT", 946684800},
        valid_case{"Tuesday, 01-Jan-76 00:00:00 GMT", 3345062400},    // 2076: exactly +50
        valid_case{"Thursday, 01-Jan-77 00:00:00 GMT", 220924800}));  // 1977

TEST(HttpDate, TwoDigitYearWindowMovesWithNow) {
  // At 2090, "10" means 2110 (20 years ahead), not 2010 (80 years back).
  std::int64_t now_2090 = *parse_http_date("Sun, 01 Jan 2090 00:00:00 GMT", now_2026);
  EXPECT_EQ(parse_http_date("Wednesday, 01-Jan-10 00:00:00 GMT", now_2090),
            parse_http_date("Wed, 01 Jan 2110 00:00:00 GMT", now_2026));
  EXPECT_EQ(parse_http_date("Friday, 01-Jan-99 00:00:00 GMT", now_2090),
            parse_http_date("Fri, 01 Jan 2099 00:00:00 GMT", now_2026));
  // Extreme "now" values are clamped to years 0000..9999, never undefined, and a year
  // outside them is refused so every parsed time can be formatted back.
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", INT64_MAX),
            parse_http_date("Sun, 06 Nov 9994 08:49:37 GMT", now_2026));
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", INT64_MIN), std::nullopt);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-04 08:49:37 GMT", INT64_MIN),
            parse_http_date("Sun, 06 Nov 0004 08:49:37 GMT", now_2026));
}

class HttpDateInvalid : public ::testing::TestWithParam<std::string> {};

TEST_P(HttpDateInvalid, Rejects) {
  EXPECT_EQ(parse_http_date(GetParam(), now_2026), std::nullopt) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(
    Table, HttpDateInvalid,
    ::testing::Values("", " ", "0", "-1", "now", "Sun", "Sun,", "Sun, ",
                      // Case matters (RFC 9110 §5.6.7: HTTP-date is case sensitive).
                      "sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 nov 1994 08:49:37 GMT",
                      "Sun, 06 Nov 1994 08:49:37 gmt", "SUN, 06 NOV 1994 08:49:37 GMT",
                      // Not GMT.
                      "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 +0000",
                      "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 GMT+1",
                      // Wrong widths and separators.
                      "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT",
                      "Sun, 06 Nov 1994 8:49:37 GMT", "Sun, 06 Nov 1994 08:49 GMT",
                      "Sun,06 Nov 1994 08:49:37 GMT", "Sun, 06-Nov-1994 08:49:37 GMT",
                      "Sun,  06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994  08:49:37 GMT",
                      "Sun, 06 Nov 1994 08:49:37 GMT ,", "Sun, 06 Nov 1994 08.49.37 GMT",
                      "Sun, 06 Nov 19x4 08:49:37 GMT", "Sun, 0x Nov 1994 08:49:37 GMT",
                      "Sun, +6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:-7 GMT",
                      // Out of range fields.
                      "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 31 Nov 1994 08:49:37 GMT",
                      "Sun, 29 Feb 1900 08:49:37 GMT", "Sun, 29 Feb 2023 08:49:37 GMT",
                      "Sun, 32 Jan 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
                      "Sun, 06 Nov 1994 08:60:37 GMT", "Sun, 06 Nov 1994 08:49:61 GMT",
                      "Sun, 06 Xyz 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
                      // RFC 850 mistakes.
                      "Sun, 06-Nov-94 08:49:37 GMT", "Sunday, 06 Nov 1994 08:49:37 GMT",
                      "Sunday, 06-Nov-94 08:49:37 UTC", "sunday, 06-Nov-94 08:49:37 GMT",
                      "Someday, 06-Nov-94 08:49:37 GMT", "Sunday, 6-Nov-94 08:49:37 GMT",
                      "Sunday, 06-Nov-1994 08:49:37 GMT", "Sunday,06-Nov-94 08:49:37 GMT",
                      "Sunday 06-Nov-94 08:49:37 GMT", "Sunday, 31-Feb-94 08:49:37 GMT",
                      // asctime mistakes.
                      "Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94",
                      "Sun Nov  6 08:49:37 1994 GMT", "Sun Nov   6 08:49:37 1994",
                      "Sun Nov  x 08:49:37 1994", "Sun Nov 31 08:49:37 1994",
                      "Sun nov  6 08:49:37 1994", "Sun Nov  0 08:49:37 1994",
                      // Other formats people send.
                      "1994-11-06T08:49:37Z", "784111777", "Sun, 06 Nov 1994 08:49:37 GMT, Mon",
                      std::string("Sun, 06 Nov 1994 08:49:37 GMT\0", 30)));

TEST(HttpDate, FormatKnownValues) {
  EXPECT_EQ(fmt(rfc_example), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(fmt(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(fmt(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
  EXPECT_EQ(fmt(951825600), "Tue, 29 Feb 2000 12:00:00 GMT");
  EXPECT_EQ(fmt(2147483648), "Tue, 19 Jan 2038 03:14:08 GMT");
  EXPECT_EQ(fmt(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(fmt(-62167219200), "Sat, 01 Jan 0000 00:00:00 GMT");
}

TEST(HttpDate, FormatClampsOutOfRange) {
  EXPECT_EQ(fmt(253402300800), "Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(fmt(INT64_MAX), "Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(fmt(-62167219201), "Sat, 01 Jan 0000 00:00:00 GMT");
  EXPECT_EQ(fmt(INT64_MIN), "Sat, 01 Jan 0000 00:00:00 GMT");
}

TEST(HttpDate, FormatIntoCallerBuffer) {
  char buffer[http_date_length + 2] = {};
  buffer[http_date_length] = '#';
  format_http_date(rfc_example, std::span<char, http_date_length>(buffer, http_date_length));
  EXPECT_EQ(std::string_view(buffer, http_date_length), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(buffer[http_date_length], '#');  // not a byte more
}

// Round trips, and agreement with the C library's gmtime for the whole formattable span.
TEST(HttpDate, RoundTripAndAgreesWithGmtime) {
  std::mt19937_64 rng(1994);
  for (int i = 0; i < 100000; ++i) {
    std::int64_t t =
        -62167219200 + static_cast<std::int64_t>(rng() % (253402300799ULL + 62167219200ULL + 1));
    std::string text = fmt(t);
    ASSERT_EQ(parse_http_date(text, now_2026), t) << text;

    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ASSERT_NE(gmtime_r(&tt, &tm), nullptr);
    char expected[64];
    std::size_t n = std::strftime(expected, sizeof expected, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (tm.tm_year + 1900 >= 1000) {  // strftime does not zero-pad %Y below 1000
      ASSERT_EQ(text, std::string_view(expected, n)) << t;
    }
  }
}

TEST(HttpDate, AsctimeAndRfc850AgreeWithImf) {
  std::mt19937_64 rng(850);
  for (int i = 0; i < 20000; ++i) {
    // Years 1977..2076: the window a 2026 "now" gives two-digit years.
    std::int64_t t = 220924800 + static_cast<std::int64_t>(rng() % (3376684800ULL - 220924800ULL));
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char asc[64], rfc850[64];
    std::size_t a = std::strftime(asc, sizeof asc, "%a %b %e %H:%M:%S %Y", &tm);
    std::size_t r = std::strftime(rfc850, sizeof rfc850, "%A, %d-%b-%y %H:%M:%S GMT", &tm);
    ASSERT_EQ(parse_http_date(std::string_view(asc, a), now_2026), t) << asc;
    ASSERT_EQ(parse_http_date(std::string_view(rfc850, r), now_2026), t) << rfc850;
  }
}

TEST(HttpDate, NowIsCurrentAndStable) {
  std::string_view a = http_date_now();
  auto parsed = parse_http_date(a);
  ASSERT_TRUE(parsed);
  EXPECT_NEAR(static_cast<double>(*parsed), static_cast<double>(std::time(nullptr)), 2.0);
  EXPECT_EQ(a.size(), http_date_length);
}

}  // namespace
}  // namespace rangecache::util
