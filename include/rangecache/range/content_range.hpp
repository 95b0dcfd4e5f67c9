// Content-Range (RFC 9110 §14.4): building ours, and strictly parsing an origin's before
// anything is stored under it: a wrong or malicious origin must not be able to store other
// bytes under a range's key (ATS stores whatever Content-Range it is given).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "rangecache/range/byte_range.hpp"

namespace rangecache::range {

struct content_range_text {
  // "bytes " + 20 digits + "-" + 20 digits + "/" + 20 digits
  std::array<char, 68> chars{};
  std::uint8_t size = 0;
  std::string_view view() const noexcept { return {chars.data(), size}; }
};

// "bytes FIRST-LAST/COMPLETE". The slice must lie inside the complete length (resolve()
// guarantees it); this does not check.
content_range_text format_content_range(const byte_slice& slice,
                                        std::uint64_t complete_length) noexcept;

// "bytes */COMPLETE", for a 416 (the form RFC 9110 §14.4 gives).
content_range_text format_unsatisfied_range(std::uint64_t complete_length) noexcept;

// A parsed Content-Range. `range` is absent for the unsatisfied form (`bytes */LEN`);
// `complete_length` is absent for `bytes A-B/*`.
struct content_range {
  std::optional<byte_slice> range;
  std::optional<std::uint64_t> complete_length;
  friend bool operator==(const content_range&, const content_range&) = default;
};

// Accepts exactly `bytes A-B/LEN`, `bytes A-B/*` and `bytes */LEN` (unit case-insensitive,
// one space after it, surrounding spaces/tabs ignored). Rejects A > B, B >= LEN, `*/*`,
// other units, signs, spaces inside, numbers above 2^64-1 and anything after.
std::optional<content_range> parse_content_range(std::string_view value) noexcept;

}  // namespace rangecache::range
