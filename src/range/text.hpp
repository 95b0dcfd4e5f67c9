// Character-level helpers of the range parsers (private to src/range); the HTTP character
// classes themselves are util/http_text.hpp's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

#include "rangecache/util/http_text.hpp"

namespace rangecache::range::detail {

using util::iequals;
using util::is_digit;
using util::is_ows;
using util::is_tchar;
using util::parse_u64;
using util::to_lower;
using util::trim_ows;

// Copies `text` to `out` (no terminator) and returns the end of what was written.
inline char* copy_text(char* out, std::string_view text) {
  return std::copy(text.begin(), text.end(), out);
}

}  // namespace rangecache::range::detail
