// Resolving parsed range-specs against a representation of known length: which bytes to
// send, or that the Range header is to be ignored, or a 416.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rangecache/range/byte_range.hpp"

namespace rangecache::range {

// Abuse limits (RFC 9110 §14.2 lets a server ignore "more than two overlapping ranges" and
// lists that look like a denial-of-service attempt). A list over a limit is served as if it
// had no Range at all (200 with the whole representation), as Apache httpd does since
// CVE-2011-3192, rather than 416: the request is legitimate HTTP, just not worth slicing.
//
// Output amplification is impossible whatever the limits: overlapping and adjacent ranges
// are coalesced, so the bytes sent never exceed the representation length, and the
// multipart overhead is bounded by max_ranges parts.
struct range_limits {
  // Range-specs in the header, counted as written (unsatisfiable ones included).
  std::size_t max_ranges = 64;
  // Satisfiable ranges that share at least one byte with a range starting no later than
  // them (merely adjacent ranges do not count). `bytes=0-9,5-14` has one.
  std::size_t max_overlaps = 2;
};

enum class resolve_status : std::uint8_t {
  partial,        // 206 with `slices`: one slice → single part, several → multipart
  full,           // ignore Range: 200 with the whole representation
  unsatisfiable,  // 416 with `Content-Range: bytes */LENGTH`
};

// Why a list was answered with `full`, for logs and metrics.
enum class full_reason : std::uint8_t {
  none,
  no_ranges,             // empty spec list (the caller had no Range to honour)
  too_many_ranges,       // more than range_limits::max_ranges
  too_many_overlaps,     // more than range_limits::max_overlaps
  empty_representation,  // see resolve()
};

struct resolved_ranges {
  resolve_status status = resolve_status::full;
  full_reason reason = full_reason::none;
  // For `partial`: sorted by offset, pairwise disjoint and non-adjacent, inside the
  // representation. Empty otherwise.
  slice_list slices;
};

// RFC 9110 §14.1.1: a closed or open range is satisfiable when first < length (last is
// clamped to length - 1); a suffix range when its length is non-zero (a suffix longer than
// the representation means all of it). Unsatisfiable specs are dropped; none left → 416.
//
// A zero-length representation has no byte to put in a Content-Range: every closed or open
// range is unsatisfiable (416), and a non-zero suffix, which the RFC calls satisfiable, is
// answered with the (empty) representation as a 200.
//
// Parts come out sorted by offset, not in the order requested: the RFC lets a server
// coalesce "regardless of the order", and a store reads forward.
resolved_ranges resolve(std::span<const byte_range_spec> specs, std::uint64_t length,
                        const range_limits& limits = {}) noexcept;

// One spec against a known length; nullopt when unsatisfiable (including length 0).
// Used to check that an upstream 206's Content-Range is the range that was asked for.
std::optional<byte_slice> resolve_one(const byte_range_spec& spec, std::uint64_t length) noexcept;

}  // namespace rangecache::range
