// Which response fields a cache keeps and which it says again: one table for every answer,
// stored object and 304 update, so the rules cannot drift apart.
#pragma once

#include <cstddef>
#include <string_view>

#include "rangecache/cache/object.hpp"

namespace rangecache::cache {

// Hop-by-hop fields (RFC 9110 §7.6.1): they describe one connection, never a response.
bool is_hop_by_hop(std::string_view name) noexcept;

// A field of the origin's response kept in the store: not hop-by-hop, and not one that
// every answer rebuilds (Content-Length, Age, Via, X-Cache) or that belongs to one client
// (Set-Cookie2 is never shared; Set-Cookie makes the response unstorable altogether).
bool stored_from_origin(std::string_view name) noexcept;

// A stored field an answer from the cache repeats as it is: all but the framing and the
// per-answer ones, which the answer writes itself (Content-Length, Content-Range, Age, Via,
// X-Cache, Connection).
bool replayed_from_store(std::string_view name) noexcept;

// A field of a 304 that replaces the stored ones of its name (RFC 9111 §4.3.4): what would
// be stored, less Content-Range, which belongs to the stored body, not to the 304.
bool updated_by_304(std::string_view name) noexcept;

// The stored fields an answer from the cache repeats, as it writes them: "Name: value\r\n"
// for each, in the stored order. One renderer for the record (which keeps the text, written
// when the record is: cached_object::replayed) and for an answer that has none to hand.
std::size_t replayed_size(const object_meta& meta) noexcept;
// Writes exactly replayed_size(meta) bytes at `out`; returns the end.
char* write_replayed(const object_meta& meta, char* out) noexcept;

}  // namespace rangecache::cache
