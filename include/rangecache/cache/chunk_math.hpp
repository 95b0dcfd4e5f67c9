// Where bytes live: a body is cut into chunks of a fixed size (stored per object), so a byte
// offset maps to a chunk index by division and a range read is a seek plus a few nexts.
#pragma once

#include <algorithm>
#include <cstdint>

namespace rangecache::cache {

// 16 pages of 4 KiB less LMDB's 16-byte overflow page header: a chunk fills its pages
// exactly (a power of two would waste almost a whole page per chunk).
inline constexpr std::uint32_t default_chunk_size = 16 * 4096 - 16;

constexpr std::uint64_t chunk_count(std::uint64_t length, std::uint32_t chunk_size) {
  return chunk_size == 0 ? 0 : (length + chunk_size - 1) / chunk_size;
}

// Length of chunk `index` of a body of `length` bytes; 0 past the end.
constexpr std::uint64_t chunk_length(std::uint64_t length, std::uint32_t chunk_size,
                                     std::uint64_t index) {
  const std::uint64_t begin = index * chunk_size;
  return begin >= length ? 0 : std::min<std::uint64_t>(chunk_size, length - begin);
}

// The chunks holding bytes [offset, offset + len) of a body.
struct chunk_span {
  std::uint64_t first = 0;         // index of the first chunk
  std::uint64_t count = 0;         // chunks touched; 0 for an empty range
  std::uint32_t first_offset = 0;  // where the range starts inside the first chunk
};

constexpr chunk_span chunks_covering(std::uint64_t offset, std::uint64_t len,
                                     std::uint32_t chunk_size) {
  if (len == 0 || chunk_size == 0) return {offset / (chunk_size ? chunk_size : 1), 0, 0};
  const std::uint64_t first = offset / chunk_size;
  const std::uint64_t last = (offset + len - 1) / chunk_size;
  return {first, last - first + 1, static_cast<std::uint32_t>(offset % chunk_size)};
}

// Bytes of the file one LMDB value of `len` bytes occupies, roughly: small values sit on
// leaf pages (with an 8-byte node header plus the key), large ones take whole overflow pages
// (16-byte page header). Used to charge objects against max_size honestly.
constexpr std::uint64_t stored_size(std::uint64_t len, std::uint32_t page_size = 4096) {
  const std::uint64_t node_max = (page_size - 16) / 2 - 2;  // LMDB's me_nodemax
  if (len + 8 + 16 <= node_max) return len + 8 + 16 + 2;    // node header, key, index slot
  return (len + 16 + page_size - 1) / page_size * page_size + 24;
}

}  // namespace rangecache::cache
