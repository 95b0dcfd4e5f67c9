// The byte layout of an object's record in the `meta` database: a fixed little-endian
// header (fields the store itself needs, at fixed offsets), then the strings and headers.
// Public so that tests can check the encoding; the rest of the program uses cached_object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rangecache/cache/object.hpp"

namespace rangecache::cache {

// Bumped when the layout changes; a record of another version is dropped (it is a cache).
inline constexpr std::uint16_t record_format_version = 1;

enum class decode_status { ok, truncated, bad_version, inconsistent };

// The fixed part, readable without allocating (start-up scans, eviction bookkeeping).
struct record_header {
  std::uint16_t version = 0;
  std::uint64_t object_id = 0;
  std::uint64_t content_length = 0;
  std::uint32_t chunk_size = 0;
  std::uint32_t chunk_count = 0;
  std::int64_t last_access = 0;  // unix seconds
};

// Offset of last_access inside a record: touched in place when a hit refreshes it.
inline constexpr std::size_t record_last_access_offset = 48;

std::size_t encoded_size(const cached_object& obj);
// Writes exactly encoded_size(obj) bytes to out (which must be that large).
void encode_record(const cached_object& obj, std::span<std::byte> out);
// The key hash and ref.hash are not stored (the hash is the record's LMDB key): decode
// leaves out.ref.hash alone.
decode_status decode_record(std::span<const std::byte> in, cached_object& out);
decode_status decode_record_header(std::span<const std::byte> in, record_header& out);

}  // namespace rangecache::cache
