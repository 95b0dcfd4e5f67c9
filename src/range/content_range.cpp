#include "rangecache/range/content_range.hpp"

#include <charconv>

#include "range/text.hpp"

namespace rangecache::range {

using namespace detail;

content_range_text format_content_range(const byte_slice& slice,
                                        std::uint64_t complete_length) noexcept {
  content_range_text text;
  char* p = text.chars.data();
  char* const end = p + text.chars.size();
  p = copy_text(p, "bytes ");
  p = std::to_chars(p, end, slice.offset).ptr;
  *p++ = '-';
  p = std::to_chars(p, end, slice.last()).ptr;
  *p++ = '/';
  p = std::to_chars(p, end, complete_length).ptr;
  text.size = static_cast<std::uint8_t>(p - text.chars.data());
  return text;
}

content_range_text format_unsatisfied_range(std::uint64_t complete_length) noexcept {
  content_range_text text;
  char* p = text.chars.data();
  char* const end = p + text.chars.size();
  p = copy_text(p, "bytes */");
  p = std::to_chars(p, end, complete_length).ptr;
  text.size = static_cast<std::uint8_t>(p - text.chars.data());
  return text;
}

std::optional<content_range> parse_content_range(std::string_view value) noexcept {
  std::string_view s = trim_ows(value);
  auto space = s.find(' ');
  if (space == std::string_view::npos || !iequals(s.substr(0, space), "bytes")) {
    return std::nullopt;
  }
  s.remove_prefix(space + 1);

  auto slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view range_text = s.substr(0, slash);
  std::string_view length_text = s.substr(slash + 1);

  content_range result;
  if (length_text != "*") {
    result.complete_length = parse_u64(length_text);
    if (!result.complete_length) return std::nullopt;
  }

  if (range_text == "*") {
    // The unsatisfied form needs the length: "*/*" says nothing at all.
    if (!result.complete_length) return std::nullopt;
    return result;
  }

  auto dash = range_text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = parse_u64(range_text.substr(0, dash));
  auto last = parse_u64(range_text.substr(dash + 1));
  if (!first || !last || *last < *first) return std::nullopt;
  if (result.complete_length && *last >= *result.complete_length) return std::nullopt;
  // Only reachable with "/*": a last byte at 2^64-1 would overflow byte_slice::end().
  if (*last == UINT64_MAX) return std::nullopt;
  result.range = byte_slice{*first, *last - *first + 1};
  return result;
}

}  // namespace rangecache::range
