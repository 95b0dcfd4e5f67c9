// The hit path. One reader per thread, whatever the backend: the LMDB store gives each
// reader a read transaction that is renewed for each call and reset before the call returns,
// so serving a hit takes no lock and copies nothing: the visitor gets pointers into the map
// for one writev. A reader costs one virtual call per lookup and per read batch, never one
// per byte.
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

class object_store;
class read_source;

// Bytes inside the store (LMDB's memory map, or the memory store's chunks). Valid only until
// the visitor returns: the read transaction ends then, and the writer may reuse the pages.
// Layout-compatible with struct iovec.
struct mapped_slice {
  const std::byte* data = nullptr;
  std::size_t size = 0;
};

enum class lookup_status { hit, miss, error };

enum class read_status {
  ok,     // `bytes` delivered (0 at or past the end)
  gone,   // the object's chunks are missing: replaced or evicted; cut the response
  error,  // an unexpected backend error (LMDB), or a closed store
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

// An open body file (object_ref::in_file), for sendfile. It never changes and stays readable
// after the store unlinks it (eviction, purge, replacement), so every byte read through it is
// the one object's it was opened for. Copies share the one descriptor, which closes when the
// last of them goes (a reader keeps files open across answers: see reader::open_body).
class body_file {
 public:
  body_file() = default;
  // Takes `fd` (nothing when it is -1).
  explicit body_file(int fd);
  int fd() const { return open_ ? open_->fd : -1; }
  explicit operator bool() const { return open_ != nullptr; }

 private:
  struct descriptor {
    explicit descriptor(int f) : fd(f) {}
    ~descriptor();
    descriptor(const descriptor&) = delete;
    descriptor& operator=(const descriptor&) = delete;
    const int fd;
  };
  std::shared_ptr<const descriptor> open_;
};

// The whole body of an object kept in a file, mapped: valid while the pointer is held, and
// never changing (see body_file).
struct body_mapping {
  const std::byte* data = nullptr;
  std::uint64_t size = 0;
};

class reader {
 public:
  // Takes what the backend needs per reader (an LMDB reader slot) for its lifetime. Must be
  // destroyed before the store.
  explicit reader(object_store& s);
  reader(reader&&) noexcept;
  reader& operator=(reader&&) noexcept;
  ~reader();

  bool valid() const { return source_ != nullptr; }  // false: no reader slot was free

  // Like object_store::lookup (counts hit/miss, records the access), without the store's
  // shared state (LMDB: its pool of read transactions).
  lookup_status lookup(std::string_view key, cached_object& out);

  // One batch of [offset, offset + len) of the object, at most read_batch_bytes and
  // read_batch_chunks chunks, offered to `visit` inside one short read transaction. Call
  // again from offset + result.bytes for the rest; never keep the pointers. `gone` as soon as
  // the object was replaced, evicted or purged (or, for a fill in progress, past what is
  // durable): never bytes of another object.
  read_result read(const object_ref& obj, std::uint64_t offset, std::uint64_t len,
                   slice_visitor visit);

  // The body file of an object kept in one (obj.in_file), or of such a fill in progress
  // (fill::progress_ref: its bytes below durable_bytes are written). Empty when the object
  // is gone (evicted, purged, replaced, its fill failed): cut the response. read() serves
  // such objects too, by copying.
  // The reader keeps the files it opened (a few dozen) for later answers.
  body_file open_body(const object_ref& obj);
  // The same body mapped whole, for writev, from mappings the reader keeps across calls (a
  // long answer costs less so than with sendfile, measured on loopback). Committed objects
  // only; null when the object is gone, or for a backend without body files.
  std::shared_ptr<const body_mapping> map_body(const object_ref& obj);

  // Copies [offset, offset + out.size()) (clipped to the object) into out, in batches.
  read_result read_copy(const object_ref& obj, std::uint64_t offset, std::span<std::byte> out);

 private:
  std::unique_ptr<read_source> source_;
};

}  // namespace rangecache::cache
