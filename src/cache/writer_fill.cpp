// Fills in a write batch: their chunks appended, their commits turned into records (replacing
// any record under the same hash), and fills given up on, whose chunks become dead.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "rangecache/cache/chunk_math.hpp"
#include "writer.hpp"

namespace rangecache::cache::detail {

int writer::apply_chunk(batch& b, chunk_op& op) {
  fill_state& f = *op.fill;
  save(b, f);
  if (f.w.dead) return 0;
  if (f.id < commit_barrier_) {  // everything was purged since it began
    doom(b, f, fill_error::purged);
    return 0;
  }
  const std::uint64_t charge = stored_size(op.size);
  // The hard bound: make_room normally keeps us far below it; if in-flight fills alone fill
  // the store, this one is dropped rather than passing max_size.
  if (charged() + b.added_charge + charge > s_.max_size) {
    doom(b, f, fill_error::no_space);
    return 0;
  }
  if (op.index != f.w.chunks || f.w.bytes + op.size > s_.max_object_size) {
    doom(b, f, op.index != f.w.chunks ? fill_error::store_error : fill_error::too_large);
    return 0;
  }
  int rc;
  if (!f.w.gc_written) {
    // Before its first chunk: a crash from here on leaves a gc entry to sweep.
    if ((rc = put_gc_state(b.txn, env_.gc, f.id, gc_state::writing)) != 0) return rc;
    f.w.gc_written = true;
  }
  if (f.in_file) {
    // Written before the transaction commits, so it is in the file by the time readers are
    // told it is durable. A retried batch writes the same bytes at the same place again.
    if (const int err = write_body_chunk(f, op); err != 0) {
      const fill_error why =
          err == ENOSPC || err == EDQUOT ? fill_error::no_space : fill_error::store_error;
      report_failure(why, err);  // a full disk or a broken one: the operator must hear of it
      doom(b, f, why);
      return 0;
    }
  } else {
    chunk_key ck(f.id, op.index);
    MDB_val kv = ck.val(), v{op.size, op.data.get()};
    if ((rc = mdb_put(b.txn, env_.chunks, &kv, &v, 0)) != 0) return rc;
  }
  f.w.bytes += op.size;
  f.w.charge += charge;
  ++f.w.chunks;
  b.added_charge += charge;
  b.chunk_bytes += op.size;
  // Readers following the fill may read up to here once this transaction has committed.
  b.effects.push_back([this, &f, charge, durable = f.w.bytes] {
    inflight_charge_ += charge;
    f.publish_durable(durable);
  });
  return 0;
}

int writer::apply_commit(batch& b, commit_op& op) {
  fill_state& f = *op.fill;
  save(b, f);
  fill_error err = commit_refusal(f, op.meta);
  cached_object obj;
  std::size_t size = 0;
  std::uint64_t total = 0;
  if (err == fill_error::none) {
    obj.key = f.key;
    obj.url = f.url;
    obj.meta = op.meta;
    obj.ref = {f.hash, f.id, f.w.bytes, f.chunk_size, f.in_file && f.w.chunks > 0};
    obj.last_access = std::chrono::sys_seconds{std::chrono::seconds{now_seconds()}};
    size = encoded_size(obj);
    total = object_charge(f.w.bytes, f.chunk_size, size);
    if (charged() + b.added_charge + (total - f.w.charge) > s_.max_size) err = fill_error::no_space;
    // The body must be on disk before a record that names it is (sync: none promises less).
    if (err == fill_error::none && f.w_fd >= 0 && s_.sync != sync_mode::none &&
        ::fdatasync(f.w_fd) != 0)
      err = fill_error::store_error;
  }
  if (err != fill_error::none) {
    doom(b, f, err);
    b.completions.push_back([done = op.done, err] {
      if (done) done({err, {}});
    });
    return 0;
  }
  std::optional<object_entry> old;
  int rc = displace_record(b, f, old);
  if (rc == 0) rc = write_record(b, f, obj, size);
  if (rc != 0) return rc;
  commit_effects(b, f, total, old);
  b.completions.push_back([ref = obj.ref, done = op.done] {
    if (done) done({fill_error::none, ref});
  });
  return 0;
}

// Why the fill may not become a record, if it may not.
fill_error writer::commit_refusal(const fill_state& f, const object_meta& meta) const {
  if (f.w.dead) return f.w.why == fill_error::none ? fill_error::aborted : f.w.why;
  if (purged_since(f)) return fill_error::purged;
  if (f.w.bytes != meta.content_length) return fill_error::length_mismatch;
  return fill_error::none;
}

// A record already under this hash (the same key, or a colliding one) is replaced: its
// chunks die, and it leaves its URL's index if the URL differs. `old` describes it.
int writer::displace_record(batch& b, const fill_state& f, std::optional<object_entry>& old) {
  hash_key_bytes hk(f.hash);
  MDB_val k = hk.val(), v;
  int rc = mdb_get(b.txn, env_.meta, &k, &v);
  if (rc == MDB_NOTFOUND) return 0;
  if (rc != 0) return rc;
  cached_object prev;
  // An undecodable record is simply overwritten; its chunks become orphans for the next
  // start-up sweep.
  if (decode_record(as_bytes(v), prev) != decode_status::ok) return 0;
  const std::size_t prev_size = v.mv_size;
  const key_hash prev_url = core_->hash(prev.url);
  if (prev_url != f.url_hash) {
    hash_key_bytes uk(prev_url);
    MDB_val ukv = uk.val(), dup = hk.val();
    if ((rc = mdb_del(b.txn, env_.urls, &ukv, &dup)) != 0 && rc != MDB_NOTFOUND) return rc;
  }
  if ((rc = put_gc_state(b.txn, env_.gc, prev.ref.id, gc_state::dead)) != 0) return rc;
  const std::uint64_t chunk_part = chunks_charge(prev.ref.length, prev.ref.chunk_size);
  old = object_entry{
      prev.ref.id, prev.ref.length, object_charge(prev.ref.length, prev.ref.chunk_size, prev_size),
      chunk_part,  prev_url,        0};
  return 0;
}

// The record, its URL's index entry, and the end of the fill's gc entry (its chunks are the
// record's now).
int writer::write_record(batch& b, const fill_state& f, const cached_object& obj,
                         std::size_t size) {
  hash_key_bytes hk(f.hash);
  MDB_val k = hk.val(), rv{size, nullptr};
  int rc = mdb_put(b.txn, env_.meta, &k, &rv, MDB_RESERVE);
  if (rc != 0) return rc;
  encode_record(obj, {static_cast<std::byte*>(rv.mv_data), size});
  hash_key_bytes uk(f.url_hash);
  MDB_val ukv = uk.val(), dup = hk.val();
  rc = mdb_put(b.txn, env_.urls, &ukv, &dup, MDB_NODUPDATA);
  if (rc != 0 && rc != MDB_KEYEXIST) return rc;
  if (f.w.gc_written) {
    id_key gk(f.id);
    MDB_val gkv = gk.val();
    if ((rc = mdb_del(b.txn, env_.gc, &gkv, nullptr)) != 0 && rc != MDB_NOTFOUND) return rc;
  }
  return 0;
}

// The fill is finished (later ops for it are no-ops); once the batch commits, the object is
// counted and handed to the eviction policy, and the record it replaced leaves.
void writer::commit_effects(batch& b, fill_state& f, std::uint64_t total,
                            const std::optional<object_entry>& old) {
  b.added_charge += total - f.w.charge;
  const std::uint64_t fill_charge = f.w.charge;
  f.w.dead = true;
  f.w.why = fill_error::none;
  const object_entry entry{f.id,       f.w.bytes,    total, chunks_charge(f.w.bytes, f.chunk_size),
                           f.url_hash, now_seconds()};
  b.effects.push_back([this, &f, hash = f.hash, entry, old, fill_charge] {
    end_body_file(f, false);
    inflight_charge_ -= fill_charge;
    f.publish_durable(entry.length);
    f.publish_state(fill_progress::committed);
    if (old) {
      committed_ -= old->charge;
      content_bytes_ -= old->length;
      dead_charge_ += old->chunk_charge;
      dead_.push_back({old->id, old->id, old->chunk_charge, true});
    }
    committed_ += entry.charge;
    content_bytes_ += entry.length;
    objects_[hash] = entry;
    policy_->insert(hash, entry.charge);
    counters::add(core_->stats.commits);
  });
}

// Gives up on a fill: its chunks become dead (reclaimed later), its next append or its
// commit reports `why`. Idempotent.
void writer::doom(batch& b, fill_state& f, fill_error why) {
  save(b, f);
  if (f.w.dead) return;
  f.w.dead = true;
  f.w.why = why;
  const std::uint64_t charge = f.w.charge;
  const bool had_chunks = f.w.chunks > 0;
  b.effects.push_back([this, &f, why, charge, had_chunks] {
    retire_fill(f, charge, had_chunks);
    f.publish_state(fill_progress::failed);
    if (why != fill_error::aborted) {
      f.failure.store(why);
      counters::add(core_->stats.failed_fills);
    }
  });
}

// A fill given up on: its written chunks (or its body file) are dead now, reclaimed later.
// Without chunks no dead range will remove a body file, so it goes now (a batch that failed
// may have created it).
void writer::retire_fill(fill_state& f, std::uint64_t charge, bool had_chunks) {
  end_body_file(f, !had_chunks);
  if (!had_chunks || f.id < dropped_below_) return;  // dropped: gone with everything else
  inflight_charge_ -= charge;
  dead_charge_ += charge;
  dead_.push_back({f.id, f.id, charge, true});
}

// Writes one chunk into the fill's body file, creating the file with the first one. 0, or
// the errno that failed it.
int writer::write_body_chunk(fill_state& f, const chunk_op& op) {
  if (f.w_fd < 0 && (f.w_fd = core_->bodies.create(f.id)) < 0) return errno;
  const auto* p = reinterpret_cast<const char*>(op.data.get());
  std::size_t left = op.size;
  auto at = static_cast<off_t>(std::uint64_t{op.index} * f.chunk_size);
  while (left > 0) {
    const ssize_t n = ::pwrite(f.w_fd, p, left, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    p += n;
    left -= static_cast<std::size_t>(n);
    at += n;
  }
  return 0;
}

// The fill is over: its body file (if any) is closed, and removed when nothing else will.
void writer::end_body_file(fill_state& f, bool remove) {
  if (f.w_fd >= 0) {
    ::close(f.w_fd);
    f.w_fd = -1;
    if (remove) core_->bodies.remove(f.id);
  }
}

}  // namespace rangecache::cache::detail
