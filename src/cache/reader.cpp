#include "rangecache/cache/reader.hpp"

#include <algorithm>
#include <cstring>

#include "rangecache/cache/chunk_math.hpp"
#include "store_impl.hpp"

namespace rangecache::cache {

struct reader::impl {
  std::shared_ptr<detail::core> core;
  store::impl* owner = nullptr;
  detail::environment* env = nullptr;
  MDB_txn* txn = nullptr;  // reset between calls: keeps its reader slot, pins nothing
  MDB_cursor* cursor = nullptr;

  // Ends the read transaction however the visitor leaves (even by exception).
  struct active {
    MDB_txn* txn;
    ~active() { mdb_txn_reset(txn); }
  };

  bool renew() {
    if (mdb_txn_renew(txn) != 0) return false;
    if (mdb_cursor_renew(txn, cursor) != 0) {
      mdb_txn_reset(txn);
      return false;
    }
    return true;
  }
};

reader::reader(store& s) {
  store::impl* o = s.impl_.get();
  if (!o || o->closed) return;
  MDB_txn* txn = nullptr;
  if (detail::begin_read(o->env->env, &txn) != 0) return;
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn, o->env->chunks, &cursor) != 0) {
    mdb_txn_abort(txn);
    return;
  }
  mdb_txn_reset(txn);
  impl_ = std::make_unique<impl>();
  impl_->core = o->core;
  impl_->owner = o;
  impl_->env = o->env.get();
  impl_->txn = txn;
  impl_->cursor = cursor;
  impl_->core->live_readers.fetch_add(1);
}

reader::reader(reader&&) noexcept = default;
reader& reader::operator=(reader&& other) noexcept {
  if (this != &other) {
    reader dying(std::move(*this));
    impl_ = std::move(other.impl_);
  }
  return *this;
}

reader::~reader() {
  if (!impl_) return;
  mdb_cursor_close(impl_->cursor);
  mdb_txn_abort(impl_->txn);
  impl_->core->live_readers.fetch_sub(1);
}

lookup_status reader::lookup(std::string_view key, cached_object& out) {
  if (!impl_ || !impl_->renew()) return lookup_status::error;
  impl::active guard{impl_->txn};
  return impl_->owner->lookup_in(impl_->txn, key, out, true);
}

read_result reader::read(const object_ref& obj, std::uint64_t offset, std::uint64_t len,
                         slice_visitor visit) {
  if (!impl_ || obj.chunk_size == 0) return {read_status::error, 0};
  if (offset >= obj.length || len == 0) return {read_status::ok, 0};
  // A fill in progress of unknown length (fill::progress_ref): nothing to clip to; a short
  // chunk is its last one.
  const bool unknown = obj.length == object_ref::unknown_length;
  const store_settings& s = impl_->core->settings;
  len = std::min({len, obj.length - offset, std::uint64_t{s.read_batch_bytes}});
  chunk_span span = chunks_covering(offset, len, obj.chunk_size);
  if (span.count > s.read_batch_chunks) {
    span.count = s.read_batch_chunks;
    len = span.count * obj.chunk_size - span.first_offset;
  }
  if (!impl_->renew()) return {read_status::error, 0};
  impl::active guard{impl_->txn};

  mapped_slice slices[64];
  detail::chunk_key ck(obj.id, static_cast<std::uint32_t>(span.first));
  MDB_val k = ck.val(), v;
  std::uint64_t left = len;
  std::uint32_t skip = span.first_offset;
  std::size_t n = 0;
  for (std::uint64_t i = 0; i < span.count; ++i) {
    const int rc = mdb_cursor_get(impl_->cursor, &k, &v, i == 0 ? MDB_SET_KEY : MDB_NEXT);
    std::uint64_t id = 0;
    std::uint32_t index = 0;
    const std::uint64_t want = span.first + i;
    const bool size_ok =
        rc != 0 || (unknown ? v.mv_size > 0 && v.mv_size <= obj.chunk_size
                            : v.mv_size == chunk_length(obj.length, obj.chunk_size, want));
    // A chunk that is missing, or of the wrong size, means the object's chunks are being
    // reclaimed (replaced, evicted or an aborted fill): the caller must not send anything
    // more of it.
    if (rc == MDB_NOTFOUND || (rc == 0 && (!detail::chunk_key::parse(k, id, index) ||
                                           id != obj.id || index != want || !size_ok))) {
      detail::counters::add(impl_->core->stats.lost_mid_stream);
      return {read_status::gone, 0};
    }
    if (rc != 0) {
      detail::counters::add(impl_->core->stats.lmdb_errors);
      return {read_status::error, 0};
    }
    if (skip >= v.mv_size) break;  // past the end of an object of unknown length
    const std::uint64_t take = std::min<std::uint64_t>(left, v.mv_size - skip);
    slices[n++] = {static_cast<const std::byte*>(v.mv_data) + skip, static_cast<std::size_t>(take)};
    left -= take;
    skip = 0;
    if (unknown && v.mv_size < obj.chunk_size) break;  // its last chunk
  }
  len -= left;  // less than asked only at the end of an object of unknown length
  if (n == 0) return {read_status::ok, 0};
  const std::size_t consumed = visit(std::span<const mapped_slice>(slices, n));
  return {read_status::ok, std::min<std::uint64_t>(consumed, len)};
}

read_result reader::read_copy(const object_ref& obj, std::uint64_t offset,
                              std::span<std::byte> out) {
  std::uint64_t done = 0;
  while (done < out.size()) {
    std::byte* dst = out.data() + done;
    const read_result r =
        read(obj, offset + done, out.size() - done, [dst](std::span<const mapped_slice> s) {
          std::size_t n = 0;
          for (const mapped_slice& m : s) {
            std::memcpy(dst + n, m.data, m.size);
            n += m.size;
          }
          return n;
        });
    if (r.status != read_status::ok) return {r.status, done};
    if (r.bytes == 0) break;
    done += r.bytes;
  }
  return {read_status::ok, done};
}

}  // namespace rangecache::cache
