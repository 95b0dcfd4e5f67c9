// The canonical spelling of a single range, used in range-object cache keys so that one
// range is one object however it is spelled (ATS keys on the raw text and stores each
// spelling apart): `bytes=0-099`, `Bytes=0-99` and `bytes= 0-99,` are one object, spelled
// `bytes=0-99`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "rangecache/range/byte_range.hpp"

namespace rangecache::range {

struct range_text {
  // "bytes=" + 20 digits + "-" + 20 digits
  std::array<char, 47> chars{};
  std::uint8_t size = 0;
  std::string_view view() const noexcept { return {chars.data(), size}; }
};

// `bytes=FIRST-LAST`, `bytes=FIRST-` or `bytes=-SUFFIX`, decimal without leading zeros. The
// length is not known here, so `bytes=0-` and `bytes=0-999` stay two keys even when the
// object has 1000 bytes. Also a valid value to send upstream.
range_text canonical_range(const byte_range_spec& spec) noexcept;

// The canonical spelling when `range_header` parses to exactly one bytes range-spec;
// nullopt for anything else (several ranges, other units, invalid), which the caller does
// not cache as a range object.
std::optional<range_text> normalize_range(std::string_view range_header) noexcept;

}  // namespace rangecache::range
