// Cache keys as the store sees them: a 128-bit XXH3 hash of the full key string. LMDB keys
// are limited to 511 bytes and URLs are not, so the hash is the LMDB key and the record keeps
// the full string, compared on every lookup (a collision is a miss, never another object).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace rangecache::cache {

struct key_hash {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  friend bool operator==(const key_hash&, const key_hash&) = default;
};

// XXH3-128 of the bytes of `key`.
key_hash hash_key(std::string_view key);

// Replaces hash_key for cache keys and URLs in one store: tests use it to force collisions.
using key_hasher = key_hash (*)(std::string_view);

}  // namespace rangecache::cache

template <>
struct std::hash<rangecache::cache::key_hash> {
  // The halves are already uniformly mixed: folding them is enough for a hash table.
  std::size_t operator()(const rangecache::cache::key_hash& h) const noexcept {
    return static_cast<std::size_t>(h.lo ^ (h.hi * 0x9E3779B97F4A7C15ULL));
  }
};
