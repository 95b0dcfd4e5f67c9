#include "rangecache/range/normalize.hpp"

#include <charconv>

#include "range/text.hpp"
#include "rangecache/range/parse.hpp"

namespace rangecache::range {

range_text canonical_range(const byte_range_spec& spec) noexcept {
  range_text text;
  char* p = text.chars.data();
  char* const end = p + text.chars.size();
  p = detail::copy_text(p, "bytes=");
  // to_chars cannot fail: the buffer holds two 20-digit numbers.
  switch (spec.kind) {
    case byte_range_spec::form::closed:
      p = std::to_chars(p, end, spec.first).ptr;
      *p++ = '-';
      p = std::to_chars(p, end, spec.last).ptr;
      break;
    case byte_range_spec::form::open:
      p = std::to_chars(p, end, spec.first).ptr;
      *p++ = '-';
      break;
    case byte_range_spec::form::suffix:
      *p++ = '-';
      p = std::to_chars(p, end, spec.suffix_length).ptr;
      break;
  }
  text.size = static_cast<std::uint8_t>(p - text.chars.data());
  return text;
}

std::optional<range_text> normalize_range(std::string_view range_header) noexcept {
  parsed_range parsed = parse_range(range_header);
  if (!parsed.ok() || parsed.specs.size() != 1) return std::nullopt;
  return canonical_range(parsed.specs[0]);
}

}  // namespace rangecache::range
