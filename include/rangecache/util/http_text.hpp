// The characters and comparisons of HTTP field text (RFC 9110 §5.6), in one place: every
// parser and header rule in rangecache reads fields with these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rangecache::util {

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// Optional whitespace: space or horizontal tab.
constexpr bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

// tchar: what a token (a field name, a method, a directive) is made of.
constexpr bool is_tchar(char c) noexcept {
  if (is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

constexpr bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

constexpr std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// ASCII lower case (host names, schemes, tokens); other bytes unchanged, whatever the locale.
inline std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = to_lower(c);
  return out;
}

// ASCII case-insensitive equality (field names, tokens); other bytes compare exactly.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

// 1*DIGIT, the whole of `s`; empty, non-digits or a value above 2^64-1 give nullopt.
constexpr std::optional<std::uint64_t> parse_u64(std::string_view s) noexcept {
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

// Calls `f` with each element of a comma-separated list (`#element`), OWS trimmed, empty
// elements skipped (RFC 9110 §5.6.1 says a recipient ignores them). Quoted strings are not
// special: for lists of tokens.
template <typename F>
constexpr void for_each_list_element(std::string_view list, F&& f) {
  while (!list.empty()) {
    auto comma = list.find(',');
    auto element = trim_ows(list.substr(0, comma));
    if (!element.empty()) f(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace rangecache::util
