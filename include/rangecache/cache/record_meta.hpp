// What a stored record says about freshness, read back from its object_meta: the flag bits
// the cache packs into object_meta::flags, the stored response's age, and its fields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rangecache/cache/freshness.hpp"
#include "rangecache/cache/object.hpp"

namespace rangecache::cache {

// object_meta::flags: bit 0 no-cache, bit 1 must-revalidate, bit 2 heuristic lifetime, bits 8
// and up the corrected initial age in seconds (clamped to 24 bits, about 194 days).
std::uint32_t pack_freshness_flags(const freshness_info& fresh) noexcept;

// The freshness facts a record was stored with, for decide_reuse.
freshness_info freshness_of(const object_meta& meta) noexcept;

// The stored response's age at `now` (RFC 9111 §4.2.3), never negative.
std::int64_t age_of(const object_meta& meta, std::int64_t now) noexcept;

// The first stored field of that name (compared without case), or nullptr.
const std::string* find_header(const object_meta& meta, std::string_view name) noexcept;

}  // namespace rangecache::cache
