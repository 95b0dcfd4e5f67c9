#include "rangecache/util/http_date.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

namespace rangecache::util {
namespace {

namespace chr = std::chrono;

constexpr std::array<std::string_view, 7> short_days = {"Sun", "Mon", "Tue", "Wed",
                                                        "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> long_days = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years four digits can spell.
constexpr std::int64_t min_formattable = -62167219200;
constexpr std::int64_t max_formattable = 253402300799;

constexpr std::int64_t seconds_per_day = 86400;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `count` digits at `pos`; the caller has checked the length.
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t count) {
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    char c = s[pos + i];
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<unsigned> month_index(std::string_view name) {
  for (unsigned i = 0; i < months.size(); ++i) {
    if (months[i] == name) return i + 1;
  }
  return std::nullopt;
}

bool is_short_day(std::string_view name) {
  return std::find(short_days.begin(), short_days.end(), name) != short_days.end();
}

bool is_long_day(std::string_view name) {
  return std::find(long_days.begin(), long_days.end(), name) != long_days.end();
}

// "HH:MM:SS" at pos (8 characters) → seconds into the day.
std::optional<int> time_of_day(std::string_view s, std::size_t pos) {
  if (s[pos + 2] != ':' || s[pos + 5] != ':') return std::nullopt;
  auto h = digits(s, pos, 2);
  auto m = digits(s, pos + 3, 2);
  auto sec = digits(s, pos + 6, 2);
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
  return *h * 3600 + *m * 60 + *sec;
}

std::optional<std::int64_t> to_epoch(int year, unsigned month, int day, int seconds_of_day) {
  // Only RFC 850 with an extreme `now` can get here out of range; keeping every parsed
  // time formattable lets callers echo a date back.
  if (year < 0 || year > 9999) return std::nullopt;
  chr::year_month_day ymd{chr::year{year}, chr::month{month}, chr::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  std::int64_t days = chr::sys_days{ymd}.time_since_epoch().count();
  return days * seconds_per_day + seconds_of_day;
}

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<std::int64_t> parse_imf(std::string_view s) {
  if (s.size() != http_date_length) return std::nullopt;
  if (!is_short_day(s.substr(0, 3)) || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' ||
      s[16] != ' ' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  auto day = digits(s, 5, 2);
  auto month = month_index(s.substr(8, 3));
  auto year = digits(s, 12, 4);
  auto tod = time_of_day(s, 17);
  if (!day || !month || !year || !tod) return std::nullopt;
  return to_epoch(*year, *month, *day, *tod);
}

// Obsolete RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
std::optional<std::int64_t> parse_rfc850(std::string_view s, std::int64_t now) {
  auto comma = s.find(',');
  if (comma == std::string_view::npos || !is_long_day(s.substr(0, comma))) return std::nullopt;
  std::string_view rest = s.substr(comma);
  // ", 06-Nov-94 08:49:37 GMT"
  if (rest.size() != 24 || rest[1] != ' ' || rest[4] != '-' || rest[8] != '-' || rest[11] != ' ' ||
      rest.substr(20) != " GMT") {
    return std::nullopt;
  }
  auto day = digits(rest, 2, 2);
  auto month = month_index(rest.substr(5, 3));
  auto yy = digits(rest, 9, 2);
  auto tod = time_of_day(rest, 12);
  if (!day || !month || !yy || !tod) return std::nullopt;

  // Pick the year ending in yy within (now_year - 50, now_year + 50].
  now = std::clamp(now, min_formattable, max_formattable);
  auto now_days = chr::sys_days{chr::days{now / seconds_per_day - (now % seconds_per_day < 0)}};
  int now_year = static_cast<int>(chr::year_month_day{now_days}.year());
  int year = now_year - (now_year % 100 + 100) % 100 + *yy;
  if (year > now_year + 50) year -= 100;
  if (year <= now_year - 50) year += 100;
  return to_epoch(year, *month, *day, *tod);
}

// asctime: "Sun Nov  6 08:49:37 1994" (day is two digits or space + digit)
std::optional<std::int64_t> parse_asctime(std::string_view s) {
  if (s.size() != 24) return std::nullopt;
  if (!is_short_day(s.substr(0, 3)) || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ') {
    return std::nullopt;
  }
  auto month = month_index(s.substr(4, 3));
  std::optional<int> day;
  if (s[8] == ' ') {
    day = digits(s, 9, 1);
  } else {
    day = digits(s, 8, 2);
  }
  auto tod = time_of_day(s, 11);
  auto year = digits(s, 20, 4);
  if (!month || !day || !tod || !year) return std::nullopt;
  return to_epoch(*year, *month, *day, *tod);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void put2(char* out, unsigned v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

std::optional<std::int64_t> parse_http_date(std::string_view text) noexcept {
  // Only the obsolete RFC 850 form needs the time (a date is parsed on every answer from the
  // cache): the other two are read without looking at the clock.
  std::string_view s = trim(text);
  if (s.size() >= 4 && s[3] == ',') return parse_imf(s);
  auto now = chr::duration_cast<chr::seconds>(chr::system_clock::now().time_since_epoch());
  return parse_http_date(text, now.count());
}

std::optional<std::int64_t> parse_http_date(std::string_view text, std::int64_t now) noexcept {
  std::string_view s = trim(text);
  if (s.size() < 4) return std::nullopt;
  if (s[3] == ',') return parse_imf(s);
  if (s[3] == ' ') return parse_asctime(s);
  return parse_rfc850(s, now);
}

void format_http_date(std::int64_t seconds, std::span<char, http_date_length> out) noexcept {
  seconds = std::clamp(seconds, min_formattable, max_formattable);
  std::int64_t days = seconds / seconds_per_day;
  std::int64_t rem = seconds % seconds_per_day;
  if (rem < 0) {
    rem += seconds_per_day;
    --days;
  }
  chr::sys_days sd{chr::days{days}};
  chr::year_month_day ymd{sd};
  unsigned wd = chr::weekday{sd}.c_encoding();
  auto year = static_cast<unsigned>(static_cast<int>(ymd.year()));
  auto tod = static_cast<unsigned>(rem);

  char* p = out.data();
  std::copy_n(short_days[wd].data(), 3, p);
  p[3] = ',';
  p[4] = ' ';
  put2(p + 5, static_cast<unsigned>(ymd.day()));
  p[7] = ' ';
  std::copy_n(months[static_cast<unsigned>(ymd.month()) - 1].data(), 3, p + 8);
  p[11] = ' ';
  put2(p + 12, year / 100);
  put2(p + 14, year % 100);
  p[16] = ' ';
  put2(p + 17, tod / 3600);
  p[19] = ':';
  put2(p + 20, tod / 60 % 60);
  p[22] = ':';
  put2(p + 23, tod % 60);
  std::copy_n(" GMT", 4, p + 25);
}

http_date_text format_http_date(std::int64_t seconds) noexcept {
  http_date_text text;
  format_http_date(seconds, std::span<char, http_date_length>{text.chars});
  return text;
}

std::string_view http_date_now() noexcept {
  // Per thread, so event loops never share a cache line or a lock for this.
  thread_local std::int64_t cached_second = std::numeric_limits<std::int64_t>::min();
  thread_local http_date_text cached;
  auto now = chr::duration_cast<chr::seconds>(chr::system_clock::now().time_since_epoch());
  if (now.count() != cached_second) {
    cached_second = now.count();
    cached = format_http_date(cached_second);
  }
  return cached.view();
}

}  // namespace rangecache::util
