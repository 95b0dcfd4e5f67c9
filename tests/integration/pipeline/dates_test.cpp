// Age and dates end to end, on the proxy's manual clock: the first member of a list-valued
// Age (RFC 9111 §5.1, §4.2.3), an Expires that is not a date (§5.3), Expires in each of the
// three HTTP date formats (RFC 9110 §5.6.7, RFC 9111 §4.2.1), and the Date a proxy adds
// when the origin sent none (RFC 9110 §6.6.1).
#include <gtest/gtest.h>

#include <ctime>

#include "cache_checks.hpp"
#include "pipeline.hpp"
#include "rangecache/util/http_date.hpp"

using namespace rc_test;
using namespace std::chrono_literals;

namespace {

// Query-string text for any value: every byte but letters and digits as %XX.
std::string encoded(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string formatted(std::time_t t, const char* format) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, format, &tm);
  return buffer;
}

class PipelineDates : public pipeline_suite<PipelineDates> {
 public:
  static daemon_options options() { return {}; }

 protected:
  static response get_full(const std::string& target, header_list more = {}) {
    return get(proxy_->port(), target, more);
  }
};

}  // namespace

// The origin's Date is never behind the proxy's clock here, so the stored age is the Age
// field's alone and grows with the clock.
TEST_F(PipelineDates, AListValuedAgeCountsByItsFirstMember) {
  const auto listed = unique_gen(10000) + "?hdr=" + encoded("Age: 100, 7");
  const auto split = unique_gen(10000) + "?hdr=Age:40&hdr=Age:7";
  const auto invalid = unique_gen(10000) + "?hdr=" + encoded("Age: junk, 7");
  for (const auto* t : {&listed, &split, &invalid}) ASSERT_EQ(x_cache(get_full(*t)), "MISS");
  EXPECT_EQ(get_full(listed).header("Age"), "100");
  EXPECT_EQ(get_full(split).header("Age"), "40");
  EXPECT_EQ(get_full(invalid).header("Age"), "0");
  advance(10s);
  auto r = get_full(listed);
  EXPECT_EQ(x_cache(r), "HIT_FULL");
  EXPECT_EQ(r.header("Age"), "110");
  EXPECT_EQ(r.header_values("Age").size(), 1u);
}

// An Age past the lifetime makes the response stale on arrival.
TEST_F(PipelineDates, AnAgePastTheLifetimeIsStaleAtOnce) {
  const auto target = unique_gen(10000) + "?cc=max-age%3D60&hdr=" + encoded("Age: 61, 0");
  ASSERT_EQ(x_cache(get_full(target)), "MISS");
  EXPECT_EQ(x_cache(get_full(target)), "REVALIDATED");
}

TEST_F(PipelineDates, AnExpiresThatIsNotADateIsAlreadyExpired) {
  for (const char* expires : {"0", "-1", "tomorrow", "Sun, 06 Nov 2094 08:49:37 UTC"}) {
    const auto target =
        unique_gen(10000) + "?cc=&hdr=" + encoded(std::string("Expires: ") + expires);
    ASSERT_EQ(x_cache(get_full(target)), "MISS") << expires;
    EXPECT_EQ(x_cache(get_full(target)), "REVALIDATED") << expires;
  }
}

TEST_F(PipelineDates, ExpiresInEachDateFormat) {
  const std::time_t in_an_hour = proxy_->now() + 3600;
  const std::vector<std::string> formats = {
      formatted(in_an_hour, "%a, %d %b %Y %H:%M:%S GMT"),  // IMF-fixdate
      formatted(in_an_hour, "%A, %d-%b-%y %H:%M:%S GMT"),  // RFC 850
      formatted(in_an_hour, "%a %b %e %H:%M:%S %Y"),       // asctime
  };
  std::vector<std::string> targets;
  for (const auto& expires : formats) {
    targets.push_back(unique_gen(10000) + "?cc=&hdr=" + encoded("Expires: " + expires));
    ASSERT_EQ(x_cache(get_full(targets.back())), "MISS") << expires;
  }
  advance(1800s);
  for (std::size_t i = 0; i < targets.size(); ++i)
    EXPECT_EQ(x_cache(get_full(targets[i])), "HIT_FULL") << formats[i];
  advance(1900s);
  for (std::size_t i = 0; i < targets.size(); ++i)
    EXPECT_EQ(x_cache(get_full(targets[i])), "REVALIDATED") << formats[i];
}

TEST_F(PipelineDates, ADateIsAddedWhenTheOriginSentNone) {
  const auto path = unique_gen(10000);
  const auto target = path + "?no_date=1";
  const std::string now(rangecache::util::format_http_date(proxy_->now()).view());
  auto miss = get_full(target);
  EXPECT_TRUE(is_whole(miss, path, 10000));
  EXPECT_EQ(miss.header("Date"), now);
  advance(30s);
  auto hit = get_full(target);
  EXPECT_EQ(x_cache(hit), "HIT_FULL");
  EXPECT_EQ(hit.header("Date"), now);  // the stored answer's, as received
  EXPECT_EQ(hit.header("Age"), "30");
  // Pass-through answers get one too, once.
  auto echo = request(proxy_->port(), "POST", "/__echo_headers?no_date=1", {}, "x");
  EXPECT_EQ(echo.status, 200);
  EXPECT_EQ(echo.header_values("Date"),
            std::vector<std::string>{
                std::string(rangecache::util::format_http_date(proxy_->now()).view())});
  // And an origin's own Date is left as it is.
  auto dated = get_full(unique_gen(10000));
  EXPECT_EQ(dated.header_values("Date").size(), 1u);
  EXPECT_NE(dated.header("Date"), now);
}
