// The writer thread: its loop, its batches (one write transaction each) and what happens when
// one cannot be written. What each kind of operation does inside a batch is in writer_fill.cpp,
// writer_update.cpp and writer_purge.cpp; eviction and reclaiming in evictor.cpp.
#include "writer.hpp"

#include <algorithm>
#include <cstring>

#include "rangecache/cache/chunk_math.hpp"

namespace rangecache::cache::detail {

namespace {

// What a batch of these ops adds to the store, for make_room: chunks as stored, a
// generous record size per commit.
std::uint64_t incoming_charge(const std::deque<queued_op>& ops) {
  std::uint64_t incoming = 0;
  for (const queued_op& q : ops) {
    if (const auto* c = std::get_if<chunk_op>(&q.o)) incoming += stored_size(c->size);
    if (std::holds_alternative<commit_op>(q.o)) incoming += 1024;
  }
  return incoming;
}

}  // namespace

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

writer::writer(environment& env, std::shared_ptr<core> c, recovered&& state)
    : env_(env),
      core_(std::move(c)),
      s_(core_->settings),
      policy_(make_policy(s_.policy, static_cast<std::uint64_t>(s_.low_watermark * s_.max_size))) {
  if (s_.sync == sync_mode::none && s_.sync_interval.count() > 0)
    syncer_ = std::make_unique<interval_sync>(env_.env, s_.sync_interval);
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
  make_room(incoming_charge(ops));
  for (int attempt = 0;; ++attempt) {
    batch b;
    int rc = mdb_txn_begin(env_.env, nullptr, 0, &b.txn);
    if (rc != 0) {
      counters::add(core_->stats.lmdb_errors);
      report_failure(fill_error::store_error, rc);
      fail_ops(ops, fill_error::store_error);
      return;
    }
    std::size_t applied = 0;
    rc = fill_batch(b, ops, applied);
    if (rc == 0) {
      rc = mdb_txn_commit(b.txn);  // frees the transaction whatever it returns
    } else {
      mdb_txn_abort(b.txn);
    }
    if (rc == 0) {
      finish_batch(b, ops, applied);
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

// Applies ops in order, as many as batch_time allows (at least one), until one fails; counts
// them in `applied`. Returns an LMDB code (0 on success).
int writer::fill_batch(batch& b, std::deque<queued_op>& ops, std::size_t& applied) {
  const auto deadline = std::chrono::steady_clock::now() + s_.batch_time;
  int rc = persist_accesses(b);
  for (auto it = ops.begin(); rc == 0 && it != ops.end(); ++it) {
    if (applied > 0 && std::chrono::steady_clock::now() > deadline) break;
    rc = apply(b, *it);
    if (rc == 0) ++applied;
  }
  if (rc != 0) return rc;
  // Every id handed out so far stays used after a restart, committed or not.
  unsigned char id[8];
  put_be64(id, core_->next_seq.load());
  MDB_val k = str_val("next_id"), v{sizeof id, id};
  return mdb_put(b.txn, env_.sys, &k, &v, 0);
}

// The batch's transaction has committed: the in-memory state follows it, its ops leave the
// queue, and only then are their callers told.
void writer::finish_batch(batch& b, std::deque<queued_op>& ops, std::size_t applied) {
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
  count_batch(applied, b.chunk_bytes);
  for (auto& c : b.completions) c();
}

void writer::count_batch(std::size_t ops, std::uint64_t chunk_bytes) {
  auto& st = core_->stats;
  counters::add(st.write_batches);
  counters::add(st.write_batch_ops, ops);
  counters::add(st.write_batch_bytes, chunk_bytes);
  if (chunk_bytes > st.write_batch_max_bytes.load(std::memory_order_relaxed))
    st.write_batch_max_bytes.store(chunk_bytes, std::memory_order_relaxed);
  const std::uint64_t kib = chunk_bytes >> 10;
  counters::add(st.write_batch_histogram[kib <= 64     ? 0
                                         : kib <= 256  ? 1
                                         : kib <= 1024 ? 2
                                         : kib <= 4096 ? 3
                                                       : 4]);
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
    retire_fill(*f, f->w.charge, f->w.chunks > 0);
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
      if (!f.w.dead) {
        retire_fill(f, f.w.charge, f.w.chunks > 0);
        f.publish_state(fill_progress::failed);
      }
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

void writer::publish() {
  auto& st = core_->stats;
  st.objects.store(objects_.size(), std::memory_order_relaxed);
  st.bytes.store(content_bytes_, std::memory_order_relaxed);
  st.charged_bytes.store(charged(), std::memory_order_relaxed);
}

void writer::maybe_sync(bool force) {
  if (s_.sync != sync_mode::none) return;
  // The interval's flush is the sync thread's; the last one (a clean stop) is done here,
  // after that thread has stopped, so nothing committed is left unflushed.
  if (force) {
    if (syncer_) syncer_->stop();
    mdb_env_sync(env_.env, 1);
    return;
  }
  if (dirty_ && syncer_) syncer_->mark_dirty();
  dirty_ = false;
}

}  // namespace rangecache::cache::detail
