#include "rangecache/plan/block_plan.hpp"

#include <algorithm>

namespace rangecache::plan {

std::uint64_t block_count(std::uint64_t total, std::uint64_t size) {
  return size == 0 ? 0 : total / size + (total % size != 0);
}

std::optional<cache::content_range> block_bytes(std::uint64_t index, std::uint64_t size,
                                                std::uint64_t total) {
  if (size == 0 || index >= block_count(total, size)) return std::nullopt;
  const std::uint64_t first = index * size;
  return cache::content_range{first, std::min(total, first + size) - 1, total};
}

std::string block_request_range(std::uint64_t index, std::uint64_t size) {
  const std::uint64_t first = index * size;
  return "bytes=" + std::to_string(first) + "-" + std::to_string(first + size - 1);
}

block_span blocks_covering(std::uint64_t offset, std::uint64_t length, std::uint64_t size) {
  if (length == 0 || size == 0) return {};
  const std::uint64_t first = offset / size;
  return {first, (offset + length - 1) / size - first + 1};
}

std::uint64_t first_block_needed(std::span<const range::byte_range_spec> specs,
                                 std::uint64_t size) {
  if (specs.empty() || size == 0) return 0;
  const auto& s = specs.front();
  return s.kind == range::byte_range_spec::form::suffix ? 0 : s.first / size;
}

std::optional<block_identity> identity_of(std::string_view etag, std::string_view last_modified,
                                          std::uint64_t total) {
  const bool strong = !etag.empty() && !etag.starts_with("W/");
  if (strong) return block_identity{std::string(etag), total};
  if (!last_modified.empty()) return block_identity{"lm:" + std::string(last_modified), total};
  return std::nullopt;
}

std::optional<block_identity> identity_of(const cache::object_meta& block) {
  if (!block.range || block.range->total == cache::content_range::unknown_total)
    return std::nullopt;
  return identity_of(block.etag, block.last_modified, block.range->total);
}

bool block_fits(const cache::object_meta& block, const block_identity& id, std::uint64_t index,
                std::uint64_t size) {
  const auto want = block_bytes(index, size, id.total);
  const auto got = identity_of(block);
  return want && got && *got == id && block.range == want &&
         block.content_length == want->last - want->first + 1;
}

bool continues(const reader_mark& last, std::string_view url, std::uint64_t first_byte,
               std::int64_t now) {
  return !last.url.empty() && last.url == url && last.end == first_byte && now >= last.at &&
         now - last.at <= sequential_window_s;
}

block_span read_ahead_span(std::uint64_t last_block, std::uint32_t read_ahead,
                           std::uint64_t count) {
  const std::uint64_t first = last_block + 1;
  if (read_ahead == 0 || first >= count) return {};
  return {first, std::min<std::uint64_t>(read_ahead, count - first)};
}

}  // namespace rangecache::plan
