// If-Range (RFC 9110 §13.1.5): may the Range of this request be honoured against the
// representation we hold, or must the whole representation be sent (200)?
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rangecache::range {

// What we hold about the selected representation.
struct representation_validators {
  std::string_view etag;                      // the ETag field value, "" when absent
  std::optional<std::int64_t> last_modified;  // parsed Last-Modified, if any
  // Parsed Date of the stored response, or failing that the time it was received: a
  // Last-Modified counts as a strong validator only when it is well before this.
  std::optional<std::int64_t> date;
};

// A Last-Modified at least this many seconds before the response's Date is a strong
// validator for a cache comparing against its stored entry (RFC 9110 §8.8.2.2).
inline constexpr std::int64_t strong_last_modified_margin = 60;

// Call only when the request has both Range and If-Range. True: honour the Range.
// - An entity-tag matches only by strong comparison: both strong and byte-for-byte equal
//   (a weak tag on either side never matches).
// - An HTTP-date matches only when it equals the stored Last-Modified to the second and
//   that Last-Modified is strong (see strong_last_modified_margin).
// - Anything else (unparseable, empty, a list) does not match: the safe answer is the
//   whole representation.
bool if_range_allows_range(std::string_view if_range,
                           const representation_validators& stored) noexcept;

}  // namespace rangecache::range
