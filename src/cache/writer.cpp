#include "writer.hpp"

#include <algorithm>
#include <cstring>

#include "rangecache/cache/chunk_math.hpp"

namespace rangecache::cache::detail {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

writer::writer(environment& env, std::shared_ptr<core> c, recovered&& state)
    : env_(env),
      core_(std::move(c)),
      s_(core_->settings),
      policy_(make_policy(s_.policy, static_cast<std::uint64_t>(s_.low_watermark * s_.max_size))),
      last_sync_(std::chrono::steady_clock::now()) {
  for (const recovered_object& o : state.objects) {
    const std::uint64_t chunk_part = chunks_charge(o.length, s_.chunk_size);
    objects_[o.hash] = {o.id,       o.length,     o.charge, std::min(chunk_part, o.charge),
                        o.url_hash, o.last_access};
    policy_->restore(o.hash, o.charge);
    committed_ += o.charge;
    content_bytes_ += o.length;
  }
  core_->next_seq.store(state.next_id);
  publish();
  thread_ = std::thread([this] { run(); });
}

writer::~writer() {
  stop();
}

void writer::stop() {
  if (stopped_) return;
  stopped_ = true;
  core_->queue.close();
  if (thread_.joinable()) thread_.join();
}

void writer::run() {
  std::deque<queued_op> pending;
  // A store reopened with a smaller max_size is brought under it before anything else.
  make_room(0);
  bool reclaim_ok = true;
  for (;;) {
    // Sleep only when idle; a reclaim that just failed (an LMDB error) is retried slowly.
    const bool busy =
        !pending.empty() || !persist_access_.empty() || (!dead_.empty() && reclaim_ok);
    const bool open =
        core_->queue.pop(pending, s_.batch_bytes, 4096,
                         busy ? std::chrono::milliseconds(0) : std::chrono::milliseconds(50));
    apply_touches();
    if (!pending.empty() || !persist_access_.empty()) run_batch(pending);
    // Reclaiming keeps pace with the batches, one bounded transaction at a time.
    if (!dead_.empty()) reclaim_ok = reclaim_step(s_.reclaim_chunks_per_txn);
    maybe_sync(false);
    if (!open && pending.empty()) break;
  }
  // Unfinished fills keep their gc entries: the next start sweeps them. Dead chunks get a
  // bounded effort now, the rest waits for the next start too.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!dead_.empty() && std::chrono::steady_clock::now() < until &&
         reclaim_step(s_.reclaim_chunks_per_txn)) {
  }
  maybe_sync(true);
  publish();
}

void writer::run_batch(std::deque<queued_op>& ops) {
  std::uint64_t incoming = 0;
  for (const queued_op& q : ops) {
    if (const auto* c = std::get_if<chunk_op>(&q.o)) incoming += stored_size(c->size);
    if (std::holds_alternative<commit_op>(q.o)) incoming += 1024;
  }
  make_room(incoming);

  for (int attempt = 0;; ++attempt) {
    batch b;
    int rc = mdb_txn_begin(env_.env, nullptr, 0, &b.txn);
    if (rc != 0) {
      counters::add(core_->stats.lmdb_errors);
      report_failure(fill_error::store_error, rc);
      fail_ops(ops, fill_error::store_error);
      return;
    }
    const auto deadline = std::chrono::steady_clock::now() + s_.batch_time;
    std::size_t applied = 0;
    rc = persist_accesses(b);
    for (auto it = ops.begin(); rc == 0 && it != ops.end(); ++it) {
      if (applied > 0 && std::chrono::steady_clock::now() > deadline) break;
      rc = apply(b, *it);
      if (rc == 0) ++applied;
    }
    if (rc == 0) {
      // Every id handed out so far stays used after a restart, committed or not.
      unsigned char id[8];
      put_be64(id, core_->next_seq.load());
      MDB_val k = str_val("next_id"), v{sizeof id, id};
      rc = mdb_put(b.txn, env_.sys, &k, &v, 0);
    }
    if (rc == 0) {
      rc = mdb_txn_commit(b.txn);  // frees the transaction whatever it returns
    } else {
      mdb_txn_abort(b.txn);
    }
    if (rc == 0) {
      persist_access_.clear();
      dirty_ = true;
      for (auto& e : b.effects) e();
      publish();
      std::uint64_t released = 0;
      for (std::size_t i = 0; i < applied; ++i) {
        released += ops.front().bytes;
        ops.pop_front();
      }
      core_->queue.release(released);
      auto& st = core_->stats;
      counters::add(st.write_batches);
      counters::add(st.write_batch_ops, applied);
      counters::add(st.write_batch_bytes, b.chunk_bytes);
      if (b.chunk_bytes > st.write_batch_max_bytes.load(std::memory_order_relaxed))
        st.write_batch_max_bytes.store(b.chunk_bytes, std::memory_order_relaxed);
      const std::uint64_t kib = b.chunk_bytes >> 10;
      counters::add(st.write_batch_histogram[kib <= 64     ? 0
                                             : kib <= 256  ? 1
                                             : kib <= 1024 ? 2
                                             : kib <= 4096 ? 3
                                                           : 4]);
      for (auto& c : b.completions) c();
      return;
    }
    rollback(b);
    if (rc == MDB_MAP_FULL) {
      counters::add(core_->stats.map_full_events);
      // Evict, reclaim and try again; past two attempts this batch's fills are dropped.
      if (attempt < 2 && relieve_map_full(attempt)) continue;
      report_failure(fill_error::map_full, rc);
      fail_ops(ops, fill_error::map_full);
    } else {
      counters::add(core_->stats.lmdb_errors);
      report_failure(fill_error::store_error, rc);
      fail_ops(ops, fill_error::store_error);
    }
    return;
  }
}

// Counted and handed to the store's owner, which decides whether to log it: a full disk
// fails every batch, and the store must not be the one to flood the log.
void writer::report_failure(fill_error why, int rc) {
  counters::add(core_->stats.write_failures);
  if (s_.on_write_failure) s_.on_write_failure({why, mdb_strerror(rc)});
}

// The batch could not be written. Fills in it fail (their earlier chunks are reclaimed);
// other operations get one transaction of their own, then their completions.
void writer::fail_ops(std::deque<queued_op>& ops, fill_error why) {
  std::deque<queued_op> others;
  std::vector<std::function<void()>> refused;
  std::uint64_t released = 0;
  auto give_up = [&](const std::shared_ptr<fill_state>& f) {
    if (f->w.dead) return;
    f->w.dead = true;
    f->w.why = why;
    if (f->w.chunks > 0) retire_chunks(*f, f->w.charge);
    f->failure.store(why);
    f->publish_state(fill_progress::failed);
    counters::add(core_->stats.failed_fills);
  };
  for (queued_op& q : ops) {
    released += q.bytes;
    if (auto* c = std::get_if<chunk_op>(&q.o)) {
      give_up(c->fill);
    } else if (auto* m = std::get_if<commit_op>(&q.o)) {
      give_up(m->fill);
      const fill_error e = m->fill->w.why == fill_error::none ? why : m->fill->w.why;
      if (m->done) refused.push_back([done = std::move(m->done), e] { done({e, {}}); });
    } else if (auto* a = std::get_if<abort_op>(&q.o)) {
      fill_state& f = *a->fill;
      if (!f.w.dead && f.w.chunks > 0) retire_chunks(f, f.w.charge);
      if (!f.w.dead) f.publish_state(fill_progress::failed);
      f.w.dead = true;
    } else {
      others.push_back(std::move(q));
    }
  }
  ops.clear();
  core_->queue.release(released);
  publish();
  for (auto& r : refused) r();
  if (others.empty()) return;
  batch b;
  int rc = mdb_txn_begin(env_.env, nullptr, 0, &b.txn);
  for (auto it = others.begin(); rc == 0 && it != others.end(); ++it) rc = apply(b, *it);
  if (rc == 0)
    rc = mdb_txn_commit(b.txn);
  else if (b.txn)
    mdb_txn_abort(b.txn);
  if (rc == 0) {
    for (auto& e : b.effects) e();
    publish();
    for (auto& c : b.completions) c();
    return;
  }
  counters::add(core_->stats.lmdb_errors);
  report_failure(rc == MDB_MAP_FULL ? fill_error::map_full : fill_error::store_error, rc);
  for (queued_op& q : others) {
    if (auto* u = std::get_if<update_op>(&q.o)) {
      if (u->done) u->done(update_status::error);
    } else if (auto* p = std::get_if<purge_op>(&q.o)) {
      if (p->done) p->done(0);
    } else if (auto* w = std::get_if<barrier_op>(&q.o)) {
      if (w->done) w->done();
    }
  }
}

int writer::apply(batch& b, queued_op& q) {
  return std::visit(
      [&](auto& o) -> int {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, chunk_op>) {
          return apply_chunk(b, o);
        } else if constexpr (std::is_same_v<T, commit_op>) {
          return apply_commit(b, o);
        } else if constexpr (std::is_same_v<T, abort_op>) {
          doom(b, *o.fill, fill_error::aborted);
          return 0;
        } else if constexpr (std::is_same_v<T, update_op>) {
          return apply_update(b, o);
        } else if constexpr (std::is_same_v<T, purge_op>) {
          return apply_purge(b, o);
        } else {
          b.completions.push_back([done = o.done] {
            if (done) done();
          });
          return 0;
        }
      },
      q.o);
}

void writer::save(batch& b, fill_state& f) {
  for (const auto& [p, _] : b.saved)
    if (p == &f) return;
  b.saved.emplace_back(&f, f.w);
}

void writer::rollback(batch& b) {
  for (auto& [f, progress] : b.saved) f->w = progress;
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
    if (had_chunks) retire_chunks(f, charge);
    f.publish_state(fill_progress::failed);
    if (why != fill_error::aborted) {
      f.failure.store(why);
      counters::add(core_->stats.failed_fills);
    }
  });
}

// A fill's written chunks are dead now: reclaim them later.
void writer::retire_chunks(const fill_state& f, std::uint64_t charge) {
  if (f.id < dropped_below_) return;  // already gone with everything else
  inflight_charge_ -= charge;
  dead_charge_ += charge;
  dead_.push_back({f.id, f.id, charge, true});
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
  const bool first = !f.w.gc_written;
  if (first) {
    // Before its first chunk: a crash from here on leaves a gc entry to sweep.
    id_key k(f.id);
    unsigned char state = static_cast<unsigned char>(gc_state::writing);
    MDB_val kv = k.val(), v{1, &state};
    if ((rc = mdb_put(b.txn, env_.gc, &kv, &v, 0)) != 0) return rc;
    f.w.gc_written = true;
  }
  chunk_key ck(f.id, op.index);
  MDB_val kv = ck.val(), v{op.size, op.data.get()};
  if ((rc = mdb_put(b.txn, env_.chunks, &kv, &v, 0)) != 0) return rc;
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
  fill_error err = fill_error::none;
  if (f.w.dead) {
    err = f.w.why == fill_error::none ? fill_error::aborted : f.w.why;
  } else if (purged_since(f)) {
    err = fill_error::purged;
  } else if (f.w.bytes != op.meta.content_length) {
    err = fill_error::length_mismatch;
  }
  cached_object obj;
  std::size_t size = 0;
  std::uint64_t total = 0;
  if (err == fill_error::none) {
    obj.key = f.key;
    obj.url = f.url;
    obj.meta = op.meta;
    obj.ref = {f.hash, f.id, f.w.bytes, f.chunk_size};
    obj.last_access = std::chrono::sys_seconds{std::chrono::seconds{now_seconds()}};
    size = encoded_size(obj);
    total = object_charge(f.w.bytes, f.chunk_size, size);
    if (charged() + b.added_charge + (total - f.w.charge) > s_.max_size) err = fill_error::no_space;
  }
  if (err != fill_error::none) {
    doom(b, f, err);
    b.completions.push_back([done = op.done, err] {
      if (done) done({err, {}});
    });
    return 0;
  }

  hash_key_bytes hk(f.hash);
  MDB_val k = hk.val(), v;
  // A record already under this hash (the same key, or a colliding one) is replaced: its
  // chunks die, and it leaves its URL's index if the URL differs.
  int rc = mdb_get(b.txn, env_.meta, &k, &v);
  std::optional<object_entry> old;
  if (rc == 0) {
    cached_object prev;
    if (decode_record(as_bytes(v), prev) == decode_status::ok) {
      const std::size_t prev_size = v.mv_size;
      const key_hash prev_url = core_->hash(prev.url);
      if (prev_url != f.url_hash) {
        hash_key_bytes uk(prev_url);
        MDB_val ukv = uk.val(), dup = hk.val();
        if ((rc = mdb_del(b.txn, env_.urls, &ukv, &dup)) != 0 && rc != MDB_NOTFOUND) return rc;
      }
      id_key gk(prev.ref.id);
      unsigned char state = static_cast<unsigned char>(gc_state::dead);
      MDB_val gkv = gk.val(), gv{1, &state};
      if ((rc = mdb_put(b.txn, env_.gc, &gkv, &gv, 0)) != 0) return rc;
      const std::uint64_t chunk_part = chunks_charge(prev.ref.length, prev.ref.chunk_size);
      old = object_entry{prev.ref.id,
                         prev.ref.length,
                         object_charge(prev.ref.length, prev.ref.chunk_size, prev_size),
                         chunk_part,
                         prev_url,
                         0};
    }
    // An undecodable record is simply overwritten; its chunks become orphans for the next
    // start-up sweep.
  } else if (rc != MDB_NOTFOUND) {
    return rc;
  }
  k = hk.val();
  MDB_val rv{size, nullptr};
  if ((rc = mdb_put(b.txn, env_.meta, &k, &rv, MDB_RESERVE)) != 0) return rc;
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
  b.added_charge += total - f.w.charge;
  const std::uint64_t fill_charge = f.w.charge;
  f.w.dead = true;  // finished: later ops for it are no-ops
  f.w.why = fill_error::none;
  const object_entry entry{f.id,       f.w.bytes,    total, chunks_charge(f.w.bytes, f.chunk_size),
                           f.url_hash, now_seconds()};
  b.effects.push_back([this, &f, hash = f.hash, entry, old, fill_charge] {
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
  b.completions.push_back([ref = obj.ref, done = op.done] {
    if (done) done({fill_error::none, ref});
  });
  return 0;
}

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
  id_key gk(old.ref.id);
  unsigned char state = static_cast<unsigned char>(gc_state::dead);
  MDB_val gkv = gk.val(), gv{1, &state};
  if ((rc = mdb_put(b.txn, env_.gc, &gkv, &gv, 0)) != 0) return rc;
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

int writer::apply_purge(batch& b, purge_op& op) {
  std::uint64_t removed = 0;
  int rc = 0;
  cached_object obj;
  if (op.what == purge_op::scope::key) {
    note_purge(op.hash, op.seq);
    hash_key_bytes hk(op.hash);
    MDB_val k = hk.val(), v;
    rc = mdb_get(b.txn, env_.meta, &k, &v);
    if (rc == 0) {
      if (decode_record(as_bytes(v), obj) == decode_status::ok && obj.key == op.text) {
        if ((rc = remove_record(b, op.hash, obj, v.mv_size)) != 0) return rc;
        removed = 1;
      }
    } else if (rc != MDB_NOTFOUND) {
      return rc;
    }
  } else if (op.what == purge_op::scope::url || op.what == purge_op::scope::url_ranges) {
    const bool ranges_only = op.what == purge_op::scope::url_ranges;
    // Fills of the URL running now must not resurrect it; tidying ranges leaves them be.
    if (!ranges_only) note_purge(op.hash, op.seq);
    // Collect first: deleting dups under a cursor that walks them is asking for trouble.
    std::vector<key_hash> members;
    MDB_cursor* cur = nullptr;
    if ((rc = mdb_cursor_open(b.txn, env_.urls, &cur)) != 0) return rc;
    hash_key_bytes uk(op.hash);
    MDB_val k = uk.val(), v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP))
      if (v.mv_size == 16) members.push_back(hash_from_val(v));
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND) return rc;
    for (const key_hash& h : members) {
      hash_key_bytes hk(h);
      MDB_val mk = hk.val(), mv;
      rc = mdb_get(b.txn, env_.meta, &mk, &mv);
      if (rc == 0 && decode_record(as_bytes(mv), obj) == decode_status::ok && obj.url == op.text) {
        if (ranges_only &&
            (!obj.meta.range || (!op.keep_etag.empty() && obj.meta.etag == op.keep_etag)))
          continue;
        if ((rc = remove_record(b, h, obj, mv.mv_size)) != 0) return rc;
        ++removed;
      } else if (rc == MDB_NOTFOUND) {
        MDB_val ukv = uk.val(), dup = hk.val();  // a stale index entry
        if ((rc = mdb_del(b.txn, env_.urls, &ukv, &dup)) != 0 && rc != MDB_NOTFOUND) return rc;
      } else if (rc != 0) {
        return rc;
      }
      // A record of another URL with the same URL hash stays.
    }
  } else {
    // Everything: both tables emptied in one go, every chunk below this purge dead. Fills
    // begun before it fail at their next operation.
    commit_barrier_ = std::max(commit_barrier_, op.seq);
    purged_at_.clear();
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
  b.completions.push_back([removed, done = op.done] {
    if (done) done(removed);
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

void writer::publish() {
  auto& st = core_->stats;
  st.objects.store(objects_.size(), std::memory_order_relaxed);
  st.bytes.store(content_bytes_, std::memory_order_relaxed);
  st.charged_bytes.store(charged(), std::memory_order_relaxed);
}

void writer::maybe_sync(bool force) {
  if (s_.sync != sync_mode::none || !dirty_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_sync_ < s_.sync_interval) return;
  mdb_env_sync(env_.env, 1);
  last_sync_ = now;
  dirty_ = false;
}

}  // namespace rangecache::cache::detail
