// One reader::read call cut into chunk slices, the same way for every backend: which chunks
// it touches, how much of each it offers, and how much the visitor may consume. Only the
// fetching of chunks differs between backends. Inline: it is on the hit path.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rangecache/cache/chunk_math.hpp"
#include "rangecache/cache/object.hpp"
#include "rangecache/cache/reader.hpp"
#include "rangecache/cache/settings.hpp"

namespace rangecache::cache::detail {

class read_batch {
 public:
  // At most read_batch_bytes and read_batch_chunks chunks (at most 64, see normalize) of
  // [offset, offset + len), clipped to the object.
  read_batch(const object_ref& obj, std::uint64_t offset, std::uint64_t len,
             const store_settings& s)
      : chunk_size_(obj.chunk_size),
        object_length_(obj.length),
        // A fill in progress of unknown length (fill::progress_ref): nothing to clip to; a
        // short chunk is its last one.
        unknown_(obj.length == object_ref::unknown_length) {
    if (chunk_size_ == 0) {
      early_ = read_result{read_status::error, 0};
      return;
    }
    if (offset >= obj.length || len == 0) {
      early_ = read_result{read_status::ok, 0};
      return;
    }
    len_ = std::min({len, obj.length - offset, std::uint64_t{s.read_batch_bytes}});
    span_ = chunks_covering(offset, len_, chunk_size_);
    if (span_.count > s.read_batch_chunks) {
      span_.count = s.read_batch_chunks;
      len_ = span_.count * chunk_size_ - span_.first_offset;
    }
    left_ = len_;
    skip_ = span_.first_offset;
  }

  // The answer without touching the store: a bad ref, or nothing to read.
  const std::optional<read_result>& early() const { return early_; }

  std::uint64_t first_chunk() const { return span_.first; }
  std::uint64_t chunk_count() const { return span_.count; }

  // Whether chunk `index` of `size` bytes can be this object's. A chunk of another size means
  // the object's chunks are being reclaimed (replaced, evicted, an aborted fill): the caller
  // must answer `gone`, never offer it.
  bool fits(std::uint64_t index, std::size_t size) const {
    return unknown_ ? size > 0 && size <= chunk_size_
                    : size == chunk_length(object_length_, chunk_size_, index);
  }

  // Takes what the batch needs of the next chunk (in order). False: the batch ends here
  // (the end of an object of unknown length).
  bool add(const std::byte* data, std::size_t size) {
    if (skip_ >= size) return false;  // past the end of an object of unknown length
    const std::uint64_t take = std::min<std::uint64_t>(left_, size - skip_);
    slices_[n_++] = {data + skip_, static_cast<std::size_t>(take)};
    left_ -= take;
    skip_ = 0;
    return !(unknown_ && size < chunk_size_);  // its last chunk
  }

  // Offers the slices; the result says how much the visitor consumed.
  read_result deliver(const slice_visitor& visit) const {
    // Less than planned only at the end of an object of unknown length.
    const std::uint64_t len = len_ - left_;
    if (n_ == 0) return {read_status::ok, 0};
    const std::size_t consumed = visit(std::span<const mapped_slice>(slices_, n_));
    return {read_status::ok, std::min<std::uint64_t>(consumed, len)};
  }

 private:
  std::uint32_t chunk_size_;
  std::uint64_t object_length_;
  bool unknown_;
  std::optional<read_result> early_;
  std::uint64_t len_ = 0;
  chunk_span span_;
  std::uint64_t left_ = 0;
  std::uint32_t skip_ = 0;
  mapped_slice slices_[64];
  std::size_t n_ = 0;
};

}  // namespace rangecache::cache::detail
