// Age and dates as a cache reads them: the first member of a list-valued Age (RFC 9111 §5.1),
// an Expires that is not a date (§5.3), and the three HTTP date formats (RFC 9110 §5.6.7)
// wherever a freshness lifetime is computed from them (§4.2.1).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "rangecache/cache/freshness.hpp"
#include "rangecache/util/http_date.hpp"

namespace rangecache::cache {
namespace {

// Sun, 06 Nov 1994 08:49:37 GMT, the RFC's own example date.
constexpr std::int64_t example = 784111777;

TEST(AgeValue, FirstMemberOfAList) {
  const std::pair<std::string_view, std::optional<std::int64_t>> cases[] = {
      {"5", 5},
      {" 5 ", 5},
      {"5, 10", 5},
      {"5,10", 5},
      {"10, junk", 10},
      {"", std::nullopt},
      {"junk", std::nullopt},
      {"junk, 5", std::nullopt},  // the first member decides: the field is ignored
      {"-5", std::nullopt},
      {"5.5", std::nullopt},
      {", 5", std::nullopt},
      {"99999999999999999999", delta_seconds_max},
  };
  for (const auto& [value, expected] : cases) EXPECT_EQ(age_value(value), expected) << value;
}

TEST(AgeValue, CorrectedInitialAgeUsesIt) {
  response_info r;
  r.age = "100, 7";
  EXPECT_EQ(corrected_initial_age(r, {example, example}), 100);
  r.age = "junk, 7";
  EXPECT_EQ(corrected_initial_age(r, {example, example}), 0);
  r.age = "100, 7";
  r.cache_control = "max-age=150";
  const auto info = analyze_freshness(r, {example, example});
  EXPECT_EQ(info.initial_age, 100);
  EXPECT_EQ(info.lifetime, 150);
}

struct expires_case {
  std::string_view expires;
  std::int64_t lifetime;  // from Date = `example`
};

TEST(Expires, EveryDateFormatAndInvalidMeansExpired) {
  const expires_case cases[] = {
      {"Sun, 06 Nov 1994 09:49:37 GMT", 3600},   // IMF-fixdate
      {"Sunday, 06-Nov-94 09:49:37 GMT", 3600},  // obsolete RFC 850
      {"Sun Nov  6 09:49:37 1994", 3600},        // asctime
      {"Sun, 06 Nov 1994 07:49:37 GMT", 0},      // in the past
      {"0", 0},                                  // not a date: already expired
      {"-1", 0},
      {"", 0},
      {"Sun, 06 Nov 1994 09:49:37 UTC", 0},     // not GMT: not a date
      {"Sun, 06 Nov 1994 09:49:37 GMT, x", 0},  // a list: not a date
  };
  const std::string date(util::format_http_date(example).view());
  for (const auto& c : cases) {
    response_info r;
    r.date = date;
    r.expires = c.expires;
    const auto life = freshness_lifetime(r, {example, example});
    EXPECT_EQ(life.seconds, c.lifetime) << c.expires;
    EXPECT_FALSE(life.heuristic) << c.expires;
  }
}

TEST(Expires, DateInEveryFormat) {
  for (std::string_view date : {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                                "Sun Nov  6 08:49:37 1994"}) {
    response_info r;
    r.date = date;
    r.expires = "Sun, 06 Nov 1994 08:59:37 GMT";
    EXPECT_EQ(freshness_lifetime(r, {example + 50, example + 50}).seconds, 600) << date;
    // The Date also gives the apparent age.
    EXPECT_EQ(corrected_initial_age(r, {example + 50, example + 50}), 50) << date;
  }
}

}  // namespace
}  // namespace rangecache::cache
