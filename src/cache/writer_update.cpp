// Records changed in place: new metadata after a revalidation, and last_access written back
// for records that were read.
#include "rangecache/cache/chunk_math.hpp"
#include "writer.hpp"

namespace rangecache::cache::detail {

int writer::apply_update(batch& b, update_op& op) {
  hash_key_bytes hk(op.hash);
  MDB_val k = hk.val(), v;
  int rc = mdb_get(b.txn, env_.meta, &k, &v);
  cached_object obj;
  const bool same = rc == 0 && decode_record(as_bytes(v), obj) == decode_status::ok &&
                    obj.key == op.key && obj.ref.id == op.id &&
                    obj.ref.length == op.meta.content_length;
  if (rc != 0 && rc != MDB_NOTFOUND) return rc;
  if (!same) {
    b.completions.push_back([done = op.done] {
      if (done) done(update_status::gone);
    });
    return 0;
  }
  const std::uint64_t before = object_charge(obj.ref.length, obj.ref.chunk_size, v.mv_size);
  obj.meta = op.meta;
  const std::size_t size = encoded_size(obj);
  const std::uint64_t after = object_charge(obj.ref.length, obj.ref.chunk_size, size);
  MDB_val rv{size, nullptr};
  k = hk.val();
  if ((rc = mdb_put(b.txn, env_.meta, &k, &rv, MDB_RESERVE)) != 0) return rc;
  encode_record(obj, {static_cast<std::byte*>(rv.mv_data), size});
  if (after > before) b.added_charge += after - before;
  b.effects.push_back([this, hash = op.hash, before, after] {
    committed_ = committed_ - before + after;
    if (auto it = objects_.find(hash); it != objects_.end()) {
      it->second.charge = after;
      policy_->insert(hash, after);
      policy_->access(hash);  // a revalidated object is in use
    }
  });
  b.completions.push_back([done = op.done] {
    if (done) done(update_status::updated);
  });
  return 0;
}

// Writes back last_access of records hit since their last write-back (touch_interval).
int writer::persist_accesses(batch& b) {
  std::string copy;
  const std::int64_t now = now_seconds();
  for (const key_hash& h : persist_access_) {
    const auto it = objects_.find(h);
    if (it == objects_.end()) continue;
    hash_key_bytes hk(h);
    MDB_val k = hk.val(), v;
    int rc = mdb_get(b.txn, env_.meta, &k, &v);
    if (rc == MDB_NOTFOUND) continue;
    if (rc != 0) return rc;
    record_header rh;
    if (decode_record_header(as_bytes(v), rh) != decode_status::ok || rh.object_id != it->second.id)
      continue;
    // Copy first: the put may move the page the old value lives on.
    copy.assign(static_cast<const char*>(v.mv_data), v.mv_size);
    for (std::size_t i = 0; i < 8; ++i)
      copy[record_last_access_offset + i] =
          static_cast<char>(static_cast<std::uint64_t>(now) >> (8 * i));
    MDB_val nv{copy.size(), copy.data()};
    k = hk.val();
    if ((rc = mdb_put(b.txn, env_.meta, &k, &nv, 0)) != 0) return rc;
  }
  return 0;
}

}  // namespace rangecache::cache::detail
