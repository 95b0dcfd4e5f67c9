#include "rangecache/range/resolve.hpp"

#include <algorithm>

namespace rangecache::range {
namespace {

resolved_ranges answer_full(full_reason reason) {
  resolved_ranges result;
  result.status = resolve_status::full;
  result.reason = reason;
  return result;
}

// Insertion sort: lists are short and usually already ascending (clients ask in order), where
// it does one comparison per item.
void sort_by_offset(slice_list& slices) {
  for (std::size_t i = 1; i < slices.size(); ++i) {
    byte_slice item = slices[i];
    std::size_t j = i;
    while (j > 0 && slices[j - 1].offset > item.offset) {
      slices[j] = slices[j - 1];
      --j;
    }
    slices[j] = item;
  }
}

}  // namespace

std::optional<byte_slice> resolve_one(const byte_range_spec& spec, std::uint64_t length) noexcept {
  if (length == 0) return std::nullopt;
  switch (spec.kind) {
    case byte_range_spec::form::closed:
      if (spec.first >= length) return std::nullopt;
      return byte_slice{spec.first, std::min(spec.last, length - 1) - spec.first + 1};
    case byte_range_spec::form::open:
      if (spec.first >= length) return std::nullopt;
      return byte_slice{spec.first, length - spec.first};
    case byte_range_spec::form::suffix:
      if (spec.suffix_length == 0) return std::nullopt;
      if (spec.suffix_length >= length) return byte_slice{0, length};
      return byte_slice{length - spec.suffix_length, spec.suffix_length};
  }
  return std::nullopt;
}

resolved_ranges resolve(std::span<const byte_range_spec> specs, std::uint64_t length,
                        const range_limits& limits) noexcept {
  if (specs.empty()) return answer_full(full_reason::no_ranges);
  if (specs.size() > limits.max_ranges || specs.size() > max_range_specs) {
    return answer_full(full_reason::too_many_ranges);
  }

  if (length == 0) {
    for (const auto& spec : specs) {
      if (spec.kind == byte_range_spec::form::suffix && spec.suffix_length != 0) {
        return answer_full(full_reason::empty_representation);
      }
    }
    resolved_ranges result;
    result.status = resolve_status::unsatisfiable;
    return result;
  }

  resolved_ranges result;
  for (const auto& spec : specs) {
    if (auto slice = resolve_one(spec, length)) result.slices.push_back(*slice);
  }
  if (result.slices.empty()) {
    result.status = resolve_status::unsatisfiable;
    return result;
  }
  result.status = resolve_status::partial;
  if (result.slices.size() == 1) return result;

  sort_by_offset(result.slices);

  // Count overlaps first: a refused list must not depend on how far coalescing got.
  std::size_t overlaps = 0;
  std::uint64_t covered_end = result.slices[0].end();
  for (std::size_t i = 1; i < result.slices.size(); ++i) {
    const byte_slice& s = result.slices[i];
    if (s.offset < covered_end) ++overlaps;
    covered_end = std::max(covered_end, s.end());
  }
  if (overlaps > limits.max_overlaps) return answer_full(full_reason::too_many_overlaps);

  // Coalesce in place: overlapping or adjacent slices become one.
  std::size_t out = 0;
  for (std::size_t i = 1; i < result.slices.size(); ++i) {
    byte_slice& merged = result.slices[out];
    const byte_slice next = result.slices[i];
    if (next.offset <= merged.end()) {
      merged.length = std::max(merged.end(), next.end()) - merged.offset;
    } else {
      result.slices[++out] = next;
    }
  }
  result.slices.truncate(out + 1);
  return result;
}

}  // namespace rangecache::range
