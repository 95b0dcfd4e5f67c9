// The LMDB store's read source: each reader owns a read transaction and a cursor on `chunks`,
// renewed for each call and reset before it returns, so serving a hit takes no lock.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "kept_bodies.hpp"
#include "read_batch.hpp"
#include "store_impl.hpp"

namespace rangecache::cache {

class store::impl::reader_source final : public read_source {
 public:
  reader_source(store::impl& owner, MDB_txn* txn, MDB_cursor* cursor)
      : core_(owner.core), owner_(&owner), txn_(txn), cursor_(cursor) {
    core_->live_readers.fetch_add(1);
  }
  ~reader_source() override {
    mdb_cursor_close(cursor_);
    mdb_txn_abort(txn_);
    core_->live_readers.fetch_sub(1);
  }

  lookup_status lookup(std::string_view key, cached_object& out) override {
    // A lookup is one get: the cursor (for reading chunks) is not renewed for it.
    if (mdb_txn_renew(txn_) != 0) return lookup_status::error;
    active guard{txn_};
    return owner_->lookup_in(txn_, key, out, true);
  }

  read_result read(const object_ref& obj, std::uint64_t offset, std::uint64_t len,
                   slice_visitor visit) override;
  body_file open_body(const object_ref& obj) override { return kept().open(obj.id); }
  std::shared_ptr<const body_mapping> map_body(const object_ref& obj) override {
    return kept().map(obj.id, obj.length);
  }

 private:
  // Ends the read transaction however the visitor leaves (even by exception).
  struct active {
    MDB_txn* txn;
    ~active() { mdb_txn_reset(txn); }
  };

  bool renew() {
    if (mdb_txn_renew(txn_) != 0) return false;
    if (mdb_cursor_renew(txn_, cursor_) != 0) {
      mdb_txn_reset(txn_);
      return false;
    }
    return true;
  }

  read_result read_file(const object_ref& obj, std::uint64_t offset, std::uint64_t len,
                        slice_visitor visit);

  std::shared_ptr<detail::core> core_;
  store::impl* owner_;
  // Made on first use. Bytes of body files a reader keeps mapped: a sixteenth of the store,
  // within bounds. Files kept open: enough for the objects being served at once, far below
  // the descriptor limit with a reader per worker.
  detail::kept_bodies& kept() {
    if (!kept_) {
      const std::uint64_t budget = std::clamp<std::uint64_t>(
          core_->settings.max_size / 16, std::uint64_t{64} << 20, std::uint64_t{4} << 30);
      kept_ = std::make_unique<detail::kept_bodies>(core_->bodies, 64, budget);
    }
    return *kept_;
  }

  std::unique_ptr<std::byte[]> file_buffer_;  // read_file's, made on first use
  std::unique_ptr<detail::kept_bodies> kept_;
  MDB_txn* txn_;  // reset between calls: keeps its reader slot, pins nothing
  MDB_cursor* cursor_;
};

// A body in a file is copied out of it, a batch at a time; the hit path sends it with
// sendfile instead (reader::open_body). Nothing past the end of the file is `gone`, as a
// missing chunk is, unless the length is unknown: then it is the end.
read_result store::impl::reader_source::read_file(const object_ref& obj, std::uint64_t offset,
                                                  std::uint64_t len, slice_visitor visit) {
  if (offset >= obj.length || len == 0) return {read_status::ok, 0};
  const std::uint32_t batch = core_->settings.read_batch_bytes;
  len = std::min({len, obj.length - offset, std::uint64_t{batch}});
  const body_file file = kept().open(obj.id);
  if (!file) {
    detail::counters::add(core_->stats.lost_mid_stream);
    return {read_status::gone, 0};
  }
  if (!file_buffer_) file_buffer_ = std::make_unique<std::byte[]>(batch);
  std::size_t got = 0;
  while (got < len) {
    const ssize_t n =
        ::pread(file.fd(), file_buffer_.get() + got, len - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return {read_status::error, 0};
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  // Of unknown length: the end of the file is the end of the object.
  if (got == 0 && obj.length == object_ref::unknown_length) return {read_status::ok, 0};
  if (got == 0) {
    detail::counters::add(core_->stats.lost_mid_stream);
    return {read_status::gone, 0};
  }
  const mapped_slice slice{file_buffer_.get(), got};
  const std::size_t consumed = visit(std::span<const mapped_slice>(&slice, 1));
  return {read_status::ok, std::min<std::uint64_t>(consumed, got)};
}

read_result store::impl::reader_source::read(const object_ref& obj, std::uint64_t offset,
                                             std::uint64_t len, slice_visitor visit) {
  if (obj.in_file) return read_file(obj, offset, len, visit);
  detail::read_batch batch(obj, offset, len, core_->settings);
  if (batch.early()) return *batch.early();
  if (!renew()) return {read_status::error, 0};
  active guard{txn_};

  const std::uint64_t first = batch.first_chunk();
  detail::chunk_key ck(obj.id, static_cast<std::uint32_t>(first));
  MDB_val k = ck.val(), v;
  for (std::uint64_t i = 0; i < batch.chunk_count(); ++i) {
    const int rc = mdb_cursor_get(cursor_, &k, &v, i == 0 ? MDB_SET_KEY : MDB_NEXT);
    std::uint64_t id = 0;
    std::uint32_t index = 0;
    const std::uint64_t want = first + i;
    // A chunk that is missing, or not the one expected, means the object's chunks are being
    // reclaimed (replaced, evicted or an aborted fill): the caller must not send anything
    // more of it.
    if (rc == MDB_NOTFOUND ||
        (rc == 0 && (!detail::chunk_key::parse(k, id, index) || id != obj.id || index != want ||
                     !batch.fits(want, v.mv_size)))) {
      detail::counters::add(core_->stats.lost_mid_stream);
      return {read_status::gone, 0};
    }
    if (rc != 0) {
      detail::counters::add(core_->stats.lmdb_errors);
      return {read_status::error, 0};
    }
    if (!batch.add(static_cast<const std::byte*>(v.mv_data), v.mv_size)) break;
  }
  return batch.deliver(visit);
}

std::unique_ptr<read_source> store::impl::open_reader() {
  if (closed) return nullptr;
  MDB_txn* txn = nullptr;
  if (detail::begin_read(env->env, &txn) != 0) return nullptr;
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn, env->chunks, &cursor) != 0) {
    mdb_txn_abort(txn);
    return nullptr;
  }
  mdb_txn_reset(txn);
  return std::make_unique<reader_source>(*this, txn, cursor);
}

}  // namespace rangecache::cache
