// Block mode's arithmetic and decisions, apart from any I/O: which aligned blocks cover a
// request, the bytes each block is asked for, the identity every block of one version
// carries, and when a reader is reading sequentially (and which blocks to fetch ahead).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rangecache/cache/object.hpp"
#include "rangecache/range/byte_range.hpp"

namespace rangecache::plan {

// Block numbers first..last, inclusive; `count` 0 means none.
struct block_span {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  std::uint64_t last() const { return first + count - 1; }
  friend bool operator==(const block_span&, const block_span&) = default;
};

// How many blocks of `size` bytes an object of `total` bytes has.
std::uint64_t block_count(std::uint64_t total, std::uint64_t size);

// The bytes block `index` holds of an object of `total` bytes (the last block is short), as
// a Content-Range would say them; nullopt when the block lies past the end.
std::optional<cache::content_range> block_bytes(std::uint64_t index, std::uint64_t size,
                                                std::uint64_t total);

// The Range value a block is asked for with: always the full aligned block, so every origin
// request is aligned whatever the object's length turns out to be.
std::string block_request_range(std::uint64_t index, std::uint64_t size);

// The blocks that hold [offset, offset + length); none for length 0.
block_span blocks_covering(std::uint64_t offset, std::uint64_t length, std::uint64_t size);

// The block to ask for first when the object's length is not known yet: the one with the
// first byte of the first range that counts from the start, else block 0 (a plain GET, or
// a suffix range, whose place is known only once the length is).
std::uint64_t first_block_needed(std::span<const range::byte_range_spec> specs, std::uint64_t size);

// What every block of one version of an object must carry: its strong ETag, else its
// Last-Modified, and its length. A weak ETag does not promise equal bytes, so it never
// names a version.
struct block_identity {
  std::string validator;
  std::uint64_t total = 0;
  friend bool operator==(const block_identity&, const block_identity&) = default;
};
// nullopt when the answer has neither a strong ETag nor a Last-Modified: its blocks could
// not be told from another version's, so the object is not kept as blocks.
std::optional<block_identity> identity_of(std::string_view etag, std::string_view last_modified,
                                          std::uint64_t total);
// The identity of a stored block (a range object); nullopt for anything else.
std::optional<block_identity> identity_of(const cache::object_meta& block);

// A stored or in-flight block answers block `index` of the version `id`: the exact bytes of
// that block, with that identity.
bool block_fits(const cache::object_meta& block, const block_identity& id, std::uint64_t index,
                std::uint64_t size);

// Where a reader's last block-mode request ended, to tell a sequential reader.
struct reader_mark {
  std::string url;
  std::uint64_t end = 0;  // one past the last byte sent
  std::int64_t at = 0;    // when (the proxy's clock, seconds)
};

// How long after a request its reader still counts as the same sequential reader when the
// next request comes on another connection from the same address.
inline constexpr std::int64_t sequential_window_s = 5;

// The request is the next one of a sequential reader: it starts where `last` ended, for
// the same URL, within the window.
bool continues(const reader_mark& last, std::string_view url, std::uint64_t first_byte,
               std::int64_t now);

// The blocks to fetch ahead of a sequential reader whose request ends in block `last_block`:
// the next `read_ahead`, but none past the object's `count` blocks.
block_span read_ahead_span(std::uint64_t last_block, std::uint32_t read_ahead, std::uint64_t count);

}  // namespace rangecache::plan
