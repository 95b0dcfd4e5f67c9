// What a stored record says about freshness, read back from its object_meta: the flag bits
// the cache packs into object_meta::flags, the stored response's age, and its fields.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rangecache/cache/freshness.hpp"
#include "rangecache/cache/object.hpp"

namespace rangecache::cache {

// object_meta::flags: bit 0 no-cache, bit 1 must-revalidate, bit 2 heuristic lifetime, bit 3
// vary index, bit 4 block index, bits 8 and up the corrected initial age in seconds (clamped to 24
// bits, about 194 days).
std::uint32_t pack_freshness_flags(const freshness_info& fresh) noexcept;

// The freshness lifetime to store with those flags: the response's, less the part of its
// initial age beyond what the flags hold, so that what remains fresh is never more than the
// response allowed (an answer older than about 194 days is stored as that old).
std::int64_t stored_lifetime(const freshness_info& fresh) noexcept;

// A vary index is the bodiless record under a URL's complete-object key that stands for its
// variants (plan/vary.hpp): never an answer itself, its one header names the request fields
// that select a variant. It is never fresh, so nothing that ignores the mark serves it.
object_meta vary_index_meta(std::string_view vary_names, std::chrono::sys_seconds now);
bool is_vary_index(const object_meta& meta) noexcept;

// A block index is the bodiless record under a URL's complete-object key that stands for an
// object kept as blocks (block mode): the head of the object's first block answer, made the
// head of the whole object, with the object's length as its range {0, total-1, total}. The
// range keeps every path that does not know the mark from serving it as a complete object
// (those serve complete objects only when no range is set), and lets the tidying of a URL's
// range objects treat it as one of them.
object_meta block_index_meta(object_meta head, std::uint64_t total);
bool is_block_index(const object_meta& meta) noexcept;
// The whole object's record a block index stands for: status 200, its length, no range.
object_meta object_of_block_index(const object_meta& index);

// The freshness facts a record was stored with, for decide_reuse.
freshness_info freshness_of(const object_meta& meta) noexcept;

// freshness_of, and once the response is stale at `now`, its RFC 5861 windows read from its
// stored fields: from the first of the `targeted` fields (RFC 9213) with a valid value,
// else from Cache-Control. A fresh response skips the parsing: the windows matter only
// past its lifetime.
freshness_info freshness_at(const object_meta& meta, std::int64_t now,
                            std::span<const std::string> targeted);

// freshness_of with the RFC 5861 windows, fresh or not: for deciding what a failed
// revalidation leaves (cache::decide_on_failure).
freshness_info freshness_with_windows(const object_meta& meta,
                                      std::span<const std::string> targeted);

// The Cache-Control directives rangecache follows for a stored response: those of the first
// of the `targeted` fields with a valid value, else those of Cache-Control.
cache_control stored_directives(const object_meta& meta, std::span<const std::string> targeted);

// The stored response's age at `now` (RFC 9111 §4.2.3), never negative.
std::int64_t age_of(const object_meta& meta, std::int64_t now) noexcept;

// The first stored field of that name (compared without case), or nullptr.
const std::string* find_header(const object_meta& meta, std::string_view name) noexcept;

// `meta` without the stored fields named in `names`: `meta` itself when it has none of
// them (no copy), else a copy made in `scratch`.
const object_meta& without_fields(const object_meta& meta, std::span<const std::string> names,
                                  object_meta& scratch);

// Every stored field of that name, joined with ", "; nullopt when there is none.
std::optional<std::string> joined_header(const object_meta& meta, std::string_view name);

}  // namespace rangecache::cache
