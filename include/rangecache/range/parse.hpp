// Parsing a Range header value (RFC 9110 §14.1.1, §14.2). Syntax only: what the ranges mean
// for a given representation is resolve.hpp's job.
#pragma once

#include <cstdint>
#include <string_view>

#include "rangecache/range/byte_range.hpp"

namespace rangecache::range {

enum class parse_status : std::uint8_t {
  ok,         // `specs` holds at least one range-spec, in the order written
  not_bytes,  // a well-formed unit other than "bytes": pass the request on untouched
  invalid,    // malformed: the caller ignores Range (RFC 9110 §14.2), never a 400
  too_many,   // more than max_range_specs range-specs: ignored like an abusive list
};

struct parsed_range {
  parse_status status = parse_status::invalid;
  spec_list specs;

  bool ok() const noexcept { return status == parse_status::ok; }
};

// Accepts `bytes=a-b`, `a-`, `-n` and comma lists of them. The unit is case-insensitive.
// List syntax per RFC 9110 §5.6.1: optional whitespace around commas and empty elements
// (`bytes=0-1,,2-3`) are accepted; whitespace right after `=` is tolerated too, although
// the grammar has none there, because serving the range is kinder than ignoring it.
// Whitespace inside a range-spec (`0 - 1`), a > b, numbers above 2^64-1, other-range
// syntax and an empty set (`bytes=`, `bytes=,`) make the whole header invalid.
parsed_range parse_range(std::string_view value) noexcept;

}  // namespace rangecache::range
