// Making room: evicting whole objects in policy order (their records go in one bounded
// transaction, their chunks become dead) and reclaiming dead chunks in bounded transactions.
// All on the writer thread, between batches.
#include <algorithm>

#include "writer.hpp"

namespace rangecache::cache::detail {

// Called before each batch with the bytes it will add. Between the watermarks nothing
// happens; past the high one, objects go until the low one is reached, and their chunks are
// reclaimed at once so the batch lands in freed pages rather than growing the file.
void writer::make_room(std::uint64_t incoming) {
  const auto high = static_cast<std::uint64_t>(s_.high_watermark * s_.max_size);
  const auto low = static_cast<std::uint64_t>(s_.low_watermark * s_.max_size);
  if (charged() + incoming <= high) return;
  evict_until(low > incoming ? low - incoming : 0);
  reclaim_all();
  publish();
}

// Evicts until committed + in-flight charge is at most `target` (dead chunks are about to be
// reclaimed). Returns false if an eviction transaction failed.
bool writer::evict_until(std::uint64_t target) {
  constexpr std::size_t victims_per_txn = 256;
  while (committed_ + inflight_charge_ > target && policy_->count() > 0) {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_.env, nullptr, 0, &txn);
    if (rc != 0) {
      counters::add(core_->stats.lmdb_errors);
      return false;
    }
    std::vector<std::pair<key_hash, object_entry>> victims;
    std::uint64_t freed = 0;
    while (rc == 0 && victims.size() < victims_per_txn &&
           committed_ - freed + inflight_charge_ > target) {
      const auto victim = policy_->evict();
      if (!victim) break;
      const auto it = objects_.find(*victim);
      if (it == objects_.end()) continue;  // cannot happen; do not loop on it
      const object_entry& e = it->second;
      hash_key_bytes hk(*victim);
      MDB_val k = hk.val();
      rc = mdb_del(txn, env_.meta, &k, nullptr);
      if (rc == MDB_NOTFOUND) rc = 0;
      hash_key_bytes uk(e.url_hash);
      MDB_val ukv = uk.val(), dup = hk.val();
      if (rc == 0 && (rc = mdb_del(txn, env_.urls, &ukv, &dup)) == MDB_NOTFOUND) rc = 0;
      id_key gk(e.id);
      unsigned char state = static_cast<unsigned char>(gc_state::dead);
      MDB_val gkv = gk.val(), gv{1, &state};
      if (rc == 0) rc = mdb_put(txn, env_.gc, &gkv, &gv, 0);
      victims.emplace_back(*victim, e);
      freed += e.charge;
    }
    if (rc == 0) {
      rc = mdb_txn_commit(txn);
    } else {
      mdb_txn_abort(txn);
    }
    if (rc != 0) {
      // The victims stay: back into the policy (as if just restored).
      for (const auto& [h, e] : victims) policy_->restore(h, e.charge);
      counters::add(rc == MDB_MAP_FULL ? core_->stats.map_full_events : core_->stats.lmdb_errors);
      return false;
    }
    dirty_ = true;
    for (const auto& [h, e] : victims) {
      committed_ -= e.charge;
      content_bytes_ -= e.length;
      dead_charge_ += e.chunk_charge;
      dead_.push_back({e.id, e.id, e.chunk_charge, true});
      objects_.erase(h);
      counters::add(core_->stats.evictions);
      counters::add(core_->stats.evicted_bytes, e.length);
    }
    if (victims.empty()) break;
  }
  return true;
}

// MDB_MAP_FULL while our accounting says there is room: LMDB's own overhead (branch pages,
// free list, small values on half-empty leaves) outgrew the margin. Free a large share and
// let the caller retry; on the second attempt free everything. As a last resort (even the
// deletes do not fit) drop every table.
bool writer::relieve_map_full(int attempt) {
  const std::uint64_t before = charged();
  const std::uint64_t target = attempt == 0 ? committed_ / 2 : 0;
  const bool ok = evict_until(target);
  reclaim_all();
  if (!ok && !emergency_drop()) return false;
  publish();
  return charged() < before || attempt == 0;
}

bool writer::emergency_drop() {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_.env, nullptr, 0, &txn);
  if (rc != 0) return false;
  for (MDB_dbi dbi : {env_.meta, env_.urls, env_.chunks, env_.gc})
    if (rc == 0) rc = mdb_drop(txn, dbi, 0);
  if (rc == 0) {
    rc = mdb_txn_commit(txn);
  } else {
    mdb_txn_abort(txn);
  }
  if (rc != 0) {
    counters::add(core_->stats.lmdb_errors);
    return false;
  }
  counters::add(core_->stats.evictions, objects_.size());
  objects_.clear();
  policy_->clear();
  dead_.clear();
  committed_ = content_bytes_ = dead_charge_ = 0;
  // Fills in progress lost their chunks: none of them may commit, and their charge is
  // forgotten here (retire_fill skips them).
  dropped_below_ = core_->next_seq.load();
  core_->bodies.remove_range(0, dropped_below_ - 1);
  commit_barrier_ = std::max(commit_barrier_, dropped_below_);
  inflight_charge_ = 0;
  publish();
  return true;
}

// One transaction deleting up to `budget` dead chunks, oldest dead objects first.
bool writer::reclaim_step(std::uint32_t budget) {
  if (dead_.empty()) return false;
  MDB_txn* txn = nullptr;
  if (mdb_txn_begin(env_.env, nullptr, 0, &txn) != 0) {
    counters::add(core_->stats.lmdb_errors);
    return false;
  }
  std::uint64_t deleted = 0;
  std::size_t finished = 0;
  std::vector<std::uint64_t> charges;  // freed per range touched
  int rc = 0;
  for (auto it = dead_.begin(); it != dead_.end() && deleted < budget; ++it) {
    std::uint64_t charge = 0;
    bool done = false;
    rc = delete_chunk_range(txn, env_.chunks, it->first, it->last,
                            static_cast<std::uint32_t>(budget - deleted), deleted, charge, done);
    if (rc == 0 && done && it->has_gc) {
      for (std::uint64_t id = it->first; rc == 0 && id <= it->last; ++id) {
        id_key gk(id);
        MDB_val gkv = gk.val();
        if ((rc = mdb_del(txn, env_.gc, &gkv, nullptr)) == MDB_NOTFOUND) rc = 0;
      }
    }
    if (rc != 0) break;
    charges.push_back(charge);
    if (!done) break;
    ++finished;
  }
  if (rc == 0) {
    rc = mdb_txn_commit(txn);
  } else {
    mdb_txn_abort(txn);
  }
  if (rc != 0) {
    counters::add(rc == MDB_MAP_FULL ? core_->stats.map_full_events : core_->stats.lmdb_errors);
    return false;
  }
  dirty_ = true;
  for (std::size_t i = 0; i < charges.size(); ++i) {
    dead_range& d = dead_[i];
    const std::uint64_t sub = std::min(charges[i], d.remaining);
    d.remaining -= sub;
    dead_charge_ -= sub;
  }
  for (std::size_t i = 0; i < finished; ++i) {
    const dead_range& d = dead_.front();
    // After the commit: a crash before this line leaves files that the next start-up
    // removes, never a record naming a missing file.
    core_->bodies.remove_range(d.first, d.last);
    dead_charge_ -= d.remaining;
    dead_.pop_front();
  }
  counters::add(core_->stats.reclaimed_chunks, deleted);
  publish();
  return true;
}

void writer::reclaim_all() {
  while (!dead_.empty() && reclaim_step(s_.reclaim_chunks_per_txn)) {
  }
}

// Hits recorded by lookups since the last batch: eviction order now, the record's
// last_access (for the order after a restart) at most once per touch_interval.
void writer::apply_touches() {
  core_->queue.take_touches(touches_);
  if (touches_.empty()) return;
  const std::int64_t now = now_seconds();
  for (const key_hash& h : touches_) {
    const auto it = objects_.find(h);
    if (it == objects_.end()) continue;
    policy_->access(h);
    if (now - it->second.persisted_access >= s_.touch_interval.count()) {
      it->second.persisted_access = now;
      persist_access_.push_back(h);
    }
  }
}

}  // namespace rangecache::cache::detail
