// HTTP dates (RFC 9110 §5.6.7): a strict parser for the three formats recipients must accept,
// and an IMF-fixdate formatter that writes into a caller buffer.
//
// Times are whole seconds since the Unix epoch (UTC) as std::int64_t: that is what the store
// records and what the freshness arithmetic works in.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace rangecache::util {

// "Sun, 06 Nov 1994 08:49:37 GMT" is always exactly this long.
inline constexpr std::size_t http_date_length = 29;

// Accepts IMF-fixdate, obsolete RFC 850 and asctime, case-sensitively as the grammar says,
// with leading/trailing spaces and tabs ignored. The day name must be spelled right but is
// not checked against the date (the grammar does not tie them; origins get it wrong).
// Rejects out-of-range fields (Feb 30, hour 24...). Second 60 (leap) is accepted and rolls
// into the next minute.
//
// RFC 850 has a two-digit year: it is read as the year within 50 years of `now` (RFC 9110:
// a date more than 50 years in the future means the past century). The overload without
// `now` uses the system clock.
std::optional<std::int64_t> parse_http_date(std::string_view text) noexcept;
std::optional<std::int64_t> parse_http_date(std::string_view text, std::int64_t now) noexcept;

// Writes the IMF-fixdate for `seconds` into `out` (exactly http_date_length bytes, no NUL).
// Times outside years 0000..9999 are clamped to the nearest representable one.
void format_http_date(std::int64_t seconds, std::span<char, http_date_length> out) noexcept;

struct http_date_text {
  std::array<char, http_date_length> chars{};
  std::string_view view() const noexcept { return {chars.data(), chars.size()}; }
};
http_date_text format_http_date(std::int64_t seconds) noexcept;

// The current time as IMF-fixdate, formatted at most once per second per thread. The view
// stays valid until this thread's next call.
std::string_view http_date_now() noexcept;

}  // namespace rangecache::util
