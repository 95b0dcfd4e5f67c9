// Purges in a write batch: of one key, of every record of a URL (or only its ranges), or of
// everything; and the memory of them that keeps fills begun before a purge from committing.
#include <algorithm>

#include "rangecache/cache/chunk_math.hpp"
#include "writer.hpp"

namespace rangecache::cache::detail {

int writer::apply_purge(batch& b, purge_op& op) {
  std::uint64_t removed = 0;
  int rc = 0;
  if (op.what == purge_op::scope::key) {
    rc = purge_key(b, op, removed);
  } else if (op.what == purge_op::scope::url || op.what == purge_op::scope::url_tidy) {
    rc = purge_url(b, op, removed);
  } else {
    return purge_all(b, op);
  }
  if (rc != 0) return rc;
  b.completions.push_back([removed, done = op.done] {
    if (done) done(removed);
  });
  return 0;
}

int writer::purge_key(batch& b, const purge_op& op, std::uint64_t& removed) {
  note_purge(op.hash, op.seq);
  hash_key_bytes hk(op.hash);
  MDB_val k = hk.val(), v;
  int rc = mdb_get(b.txn, env_.meta, &k, &v);
  if (rc == MDB_NOTFOUND) return 0;
  if (rc != 0) return rc;
  cached_object obj;
  if (decode_record(as_bytes(v), obj) == decode_status::ok && obj.key == op.text) {
    if ((rc = remove_record(b, op.hash, obj, v.mv_size)) != 0) return rc;
    removed = 1;
  }
  return 0;
}

namespace {

// The key hashes indexed under a URL hash. Collected first: deleting dups under a cursor that
// walks them is asking for trouble.
int url_members(MDB_txn* txn, MDB_dbi urls, const key_hash& url, std::vector<key_hash>& out) {
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn, urls, &cur);
  if (rc != 0) return rc;
  hash_key_bytes uk(url);
  MDB_val k = uk.val(), v;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP))
    if (v.mv_size == 16) out.push_back(hash_from_val(v));
  mdb_cursor_close(cur);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

}  // namespace

int writer::purge_url(batch& b, const purge_op& op, std::uint64_t& removed) {
  const bool tidy = op.what == purge_op::scope::url_tidy;
  // Fills of the URL running now must not resurrect it; a tidy leaves them be.
  if (!tidy) note_purge(op.hash, op.seq);
  std::vector<url_member> members;
  int rc = read_url_members(b, op, members);
  if (rc != 0) return rc;
  std::vector<variant_stamp> stamps;
  for (const auto& m : members) stamps.push_back({m.obj.meta.variant, m.obj.meta.stored_at});
  const tidy_filter filter(op.tidy, stamps);
  for (const auto& m : members) {
    if (tidy && !filter.picks(m.obj.meta)) continue;
    if ((rc = remove_record(b, m.hash, m.obj, m.size)) != 0) return rc;
    ++removed;
  }
  return 0;
}

// The URL's records, decoded. Index entries whose record is gone are dropped on the way; a
// record of another URL with the same URL hash is not one of them.
int writer::read_url_members(batch& b, const purge_op& op, std::vector<url_member>& out) {
  std::vector<key_hash> hashes;
  int rc = url_members(b.txn, env_.urls, op.hash, hashes);
  if (rc != 0) return rc;
  hash_key_bytes uk(op.hash);
  for (const key_hash& h : hashes) {
    hash_key_bytes hk(h);
    MDB_val mk = hk.val(), mv;
    rc = mdb_get(b.txn, env_.meta, &mk, &mv);
    url_member m{h, {}, mv.mv_size};
    if (rc == 0 && decode_record(as_bytes(mv), m.obj) == decode_status::ok &&
        m.obj.url == op.text) {
      out.push_back(std::move(m));
    } else if (rc == MDB_NOTFOUND) {
      MDB_val ukv = uk.val(), dup = hk.val();
      if ((rc = mdb_del(b.txn, env_.urls, &ukv, &dup)) != 0 && rc != MDB_NOTFOUND) return rc;
    } else if (rc != 0) {
      return rc;
    }
  }
  return 0;
}

// Everything: both tables emptied in one go, every chunk below this purge dead. Fills begun
// before it fail at their next operation.
int writer::purge_all(batch& b, const purge_op& op) {
  commit_barrier_ = std::max(commit_barrier_, op.seq);
  purged_at_.clear();
  int rc;
  if ((rc = mdb_drop(b.txn, env_.meta, 0)) != 0) return rc;
  if ((rc = mdb_drop(b.txn, env_.urls, 0)) != 0) return rc;
  auto removed_all = std::make_shared<std::uint64_t>(0);
  b.effects.push_back([this, seq = op.seq, removed_all] {
    std::uint64_t chunk_part = 0;
    for (const auto& [_, e] : objects_) chunk_part += e.chunk_charge;
    *removed_all = objects_.size();
    objects_.clear();
    policy_->clear();
    committed_ = 0;
    content_bytes_ = 0;
    dead_charge_ += chunk_part;
    dead_.push_back({0, seq - 1, chunk_part, false});
    counters::add(core_->stats.purged_objects, *removed_all);
  });
  b.completions.push_back([removed_all, done = op.done] {
    if (done) done(*removed_all);
  });
  return 0;
}

// Deletes a record and its index entry and marks its chunks dead, in b's transaction.
int writer::remove_record(batch& b, const key_hash& hash, const cached_object& old,
                          std::size_t size) {
  hash_key_bytes hk(hash);
  MDB_val k = hk.val();
  int rc = mdb_del(b.txn, env_.meta, &k, nullptr);
  if (rc != 0) return rc;
  hash_key_bytes uk(core_->hash(old.url));
  MDB_val ukv = uk.val(), dup = hk.val();
  if ((rc = mdb_del(b.txn, env_.urls, &ukv, &dup)) != 0 && rc != MDB_NOTFOUND) return rc;
  if ((rc = put_gc_state(b.txn, env_.gc, old.ref.id, gc_state::dead)) != 0) return rc;
  const std::uint64_t charge = object_charge(old.ref.length, old.ref.chunk_size, size);
  const std::uint64_t chunk_part =
      std::min(charge, chunks_charge(old.ref.length, old.ref.chunk_size));
  b.effects.push_back([this, hash, id = old.ref.id, length = old.ref.length, charge, chunk_part] {
    committed_ -= charge;
    content_bytes_ -= length;
    dead_charge_ += chunk_part;
    dead_.push_back({id, id, chunk_part, true});
    objects_.erase(hash);
    policy_->erase(hash);
    counters::add(core_->stats.purged_objects);
  });
  return 0;
}

bool writer::purged_since(const fill_state& f) const {
  if (f.id < commit_barrier_) return true;
  for (const key_hash& h : {f.hash, f.url_hash}) {
    const auto it = purged_at_.find(h);
    if (it != purged_at_.end() && it->second > f.id) return true;
  }
  return false;
}

// Remembers that fills of `h` begun before `seq` must not commit. The table stays small by
// turning into a barrier for every older fill when it grows (those fail: a lost insert).
void writer::note_purge(const key_hash& h, std::uint64_t seq) {
  if (purged_at_.size() >= 4096) {
    for (const auto& [_, s] : purged_at_) commit_barrier_ = std::max(commit_barrier_, s);
    purged_at_.clear();
  }
  auto& at = purged_at_[h];
  at = std::max(at, seq);
}

}  // namespace rangecache::cache::detail
