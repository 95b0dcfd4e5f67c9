// Character-level helpers shared by the range parsers (private to src/range).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rangecache::range::detail {

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

// tchar (RFC 9110 §5.6.2).
constexpr bool is_tchar(char c) {
  if (is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

constexpr std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

constexpr char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// `lower` must already be lower case.
constexpr bool iequals(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (to_lower(s[i]) != lower[i]) return false;
  }
  return true;
}

// 1*DIGIT, the whole of `s`; empty, non-digits or a value above 2^64-1 give nullopt.
constexpr std::optional<std::uint64_t> parse_u64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    auto d = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - d) / 10) return std::nullopt;
    value = value * 10 + d;
  }
  return value;
}

// Copies `text` to `out` (no terminator) and returns the end of what was written.
inline char* copy_text(char* out, std::string_view text) {
  return std::copy(text.begin(), text.end(), out);
}

}  // namespace rangecache::range::detail
