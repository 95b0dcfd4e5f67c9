#include "rangecache/util/size.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <limits>

namespace rangecache::util {

namespace {

struct unit {
  std::string_view name;
  std::uint64_t factor;
};

constexpr std::uint64_t kib = 1024;

// Matched case-insensitively: people write "10gib" and "10GiB" and mean the same. A bare
// letter ("10G") is binary, as in nginx and most daemons' configs; "GB" is decimal.
constexpr std::array<unit, 13> size_units = {{
    {"b", 1},
    {"k", kib},
    {"kib", kib},
    {"kb", 1000},
    {"m", kib* kib},
    {"mib", kib* kib},
    {"mb", 1000 * 1000},
    {"g", kib* kib* kib},
    {"gib", kib* kib* kib},
    {"gb", 1000 * 1000 * 1000},
    {"t", kib* kib* kib* kib},
    {"tib", kib* kib* kib* kib},
    {"tb", std::uint64_t{1000} * 1000 * 1000 * 1000},
}};

constexpr std::array<unit, 5> duration_units = {{
    {"ms", 1},
    {"s", 1000},
    {"m", 60 * 1000},
    {"h", 60 * 60 * 1000},
    {"d", 24 * 60 * 60 * 1000},
}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// Splits "10 GiB" into 10 and "GiB". Only plain decimal digits: no sign, no fraction, no
// exponent, so "1.5GiB" and "-1" are refused rather than guessed at.
struct number_and_unit {
  std::uint64_t number;
  std::string_view unit;
};

std::optional<number_and_unit> split(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  std::uint64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, number);
  if (ec != std::errc{}) return std::nullopt;  // more than 2^64 - 1
  std::string_view rest = text.substr(digits);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return number_and_unit{number, rest};
}

template <std::size_t n>
std::optional<std::uint64_t> scale(const number_and_unit& parsed, const std::array<unit, n>& units,
                                   std::uint64_t bare_factor, std::uint64_t max) {
  std::uint64_t factor = 0;
  if (parsed.unit.empty()) {
    factor = bare_factor;
  } else {
    for (const auto& u : units) {
      if (iequals(parsed.unit, u.name)) factor = u.factor;
    }
    if (factor == 0) return std::nullopt;
  }
  if (parsed.number > max / factor) return std::nullopt;
  return parsed.number * factor;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
  auto parsed = split(text);
  if (!parsed) return std::nullopt;
  return scale(*parsed, size_units, 1, std::numeric_limits<std::uint64_t>::max());
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  auto parsed = split(text);
  if (!parsed) return std::nullopt;
  const auto max =
      static_cast<std::uint64_t>(std::numeric_limits<std::chrono::milliseconds::rep>::max());
  auto ms = scale(*parsed, duration_units, 1000, max);
  if (!ms) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(*ms));
}

}  // namespace rangecache::util
