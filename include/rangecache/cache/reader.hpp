// The hit path. One reader per thread (it owns an LMDB read transaction that is renewed for
// each call and reset before the call returns), so serving a hit takes no lock and copies
// nothing: the visitor gets pointers into the map for one writev.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include "rangecache/cache/object.hpp"

namespace rangecache::cache {

class store;

// Bytes inside the memory map. Valid only until the visitor returns: the read transaction
// ends then, and the writer may reuse the pages. Layout-compatible with struct iovec.
struct mapped_slice {
  const std::byte* data = nullptr;
  std::size_t size = 0;
};

enum class lookup_status { hit, miss, error };

enum class read_status {
  ok,     // `bytes` delivered (0 at or past the end)
  gone,   // the object's chunks are missing: replaced or evicted; cut the response
  error,  // an unexpected LMDB error
};

struct read_result {
  read_status status = read_status::ok;
  std::uint64_t bytes = 0;  // bytes the visitor consumed (or copied)
};

// A non-owning reference to a callable `std::size_t(std::span<const mapped_slice>)` that
// returns how many of the offered bytes it consumed (a short writev consumes fewer).
class slice_visitor {
 public:
  template <class F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, slice_visitor>)
      slice_visitor(F&& f)  // NOLINT: implicit on purpose, like std::function_ref
      : ctx_(const_cast<void*>(static_cast<const void*>(&f))),
        fn_([](void* ctx, std::span<const mapped_slice> s) -> std::size_t {
          return (*static_cast<std::remove_reference_t<F>*>(ctx))(s);
        }) {}
  std::size_t operator()(std::span<const mapped_slice> s) const { return fn_(ctx_, s); }

 private:
  void* ctx_;
  std::size_t (*fn_)(void*, std::span<const mapped_slice>);
};

class reader {
 public:
  // Takes an LMDB reader slot for its lifetime. Must be destroyed before the store.
  explicit reader(store& s);
  reader(reader&&) noexcept;
  reader& operator=(reader&&) noexcept;
  ~reader();

  bool valid() const { return impl_ != nullptr; }  // false: no reader slot was free

  // Like store::lookup (counts hit/miss, records the access) without the store's txn pool.
  lookup_status lookup(std::string_view key, cached_object& out);

  // One batch of [offset, offset + len) of the object, at most read_batch_bytes and
  // read_batch_chunks chunks, offered to `visit` inside one short read transaction. Call
  // again from offset + result.bytes for the rest; never keep the pointers.
  read_result read(const object_ref& obj, std::uint64_t offset, std::uint64_t len,
                   slice_visitor visit);

  // Copies [offset, offset + out.size()) (clipped to the object) into out, in batches.
  read_result read_copy(const object_ref& obj, std::uint64_t offset, std::span<std::byte> out);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace rangecache::cache
