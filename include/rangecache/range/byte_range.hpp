// The two meanings of a byte range, kept as two types so one cannot be passed for the other:
// what the client asked for, before the length is known, and what will actually be sent.
#pragma once

#include <cstddef>
#include <cstdint>

#include "rangecache/range/bounded_list.hpp"

namespace rangecache::range {

// The most range-specs one Range header may carry before it is refused outright; the
// configurable limit (range_limits::max_ranges) must not exceed it.
inline constexpr std::size_t max_range_specs = 128;

// One range-spec as written by the client (RFC 9110 §14.1.1). Closed and open forms count
// from the start; the suffix form asks for the last `suffix_length` bytes.
struct byte_range_spec {
  enum class form : std::uint8_t { closed, open, suffix };

  form kind = form::closed;
  std::uint64_t first = 0;          // closed, open
  std::uint64_t last = 0;           // closed (inclusive)
  std::uint64_t suffix_length = 0;  // suffix

  static constexpr byte_range_spec closed_range(std::uint64_t first, std::uint64_t last) {
    return {form::closed, first, last, 0};
  }
  static constexpr byte_range_spec open_range(std::uint64_t first) {
    return {form::open, first, 0, 0};
  }
  static constexpr byte_range_spec suffix_range(std::uint64_t length) {
    return {form::suffix, 0, 0, length};
  }
  friend constexpr bool operator==(const byte_range_spec&, const byte_range_spec&) = default;
};

// A range resolved against a known representation length: bytes [offset, offset + length),
// never empty, always inside the representation.
struct byte_slice {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;

  constexpr std::uint64_t last() const { return offset + length - 1; }  // inclusive
  constexpr std::uint64_t end() const { return offset + length; }       // exclusive
  friend constexpr bool operator==(const byte_slice&, const byte_slice&) = default;
};

using spec_list = bounded_list<byte_range_spec, max_range_specs>;
using slice_list = bounded_list<byte_slice, max_range_specs>;

}  // namespace rangecache::range
