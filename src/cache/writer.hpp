// The writer thread: the only code that opens write transactions. It takes queued operations
// of many fills (chunks, commits, aborts), updates and purges, applies as many as fit in one
// transaction (batch_bytes / batch_time), and only after that transaction commits does it
// change its in-memory state and call completions. Eviction and the reclaiming of dead
// chunks run on the same thread, in their own bounded transactions, between batches.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "interval_sync.hpp"

#include "core.hpp"
#include "env.hpp"
#include "rangecache/cache/policy.hpp"
#include "rangecache/cache/record.hpp"
#include "recovery.hpp"

namespace rangecache::cache::detail {

class writer {
 public:
  writer(environment& env, std::shared_ptr<core> c, recovered&& state);
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;
  ~writer();

  // Closes the queue, applies what is in it, syncs and joins. Idempotent.
  void stop();

 private:
  struct object_entry {
    std::uint64_t id = 0;
    std::uint64_t length = 0;
    std::uint64_t charge = 0;        // whole object
    std::uint64_t chunk_charge = 0;  // its chunks alone (what reclaiming frees)
    key_hash url_hash;
    std::int64_t persisted_access = 0;
  };
  // Chunks of objects first..last to delete. `remaining` is the charge still counted for it.
  struct dead_range {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::uint64_t remaining = 0;
    bool has_gc = false;  // a gc entry per id to delete once done (single objects)
  };
  // One write transaction in the making. Effects run only if it commits; on abort the fills
  // it touched get their progress back. An aborted batch is retried (MDB_MAP_FULL) or its ops
  // are failed by fail_ops, so apply_* must leave the queued op intact: effects and
  // completions take copies of its meta and callback, never move them out (a callback moved
  // into a discarded batch would never be called: a broken promise for commit_wait).
  struct batch {
    MDB_txn* txn = nullptr;
    std::vector<std::function<void()>> effects;      // in-memory state, in order
    std::vector<std::function<void()>> completions;  // callers' callbacks, after publish()
    std::vector<std::pair<fill_state*, fill_state::progress>> saved;
    std::uint64_t added_charge = 0;
    std::uint64_t chunk_bytes = 0;
  };

  // writer.cpp: the thread, its batches and what happens when one cannot be written
  void run();
  void run_batch(std::deque<queued_op>& ops);
  int fill_batch(batch& b, std::deque<queued_op>& ops, std::size_t& applied);
  void finish_batch(batch& b, std::deque<queued_op>& ops, std::size_t applied);
  void count_batch(std::size_t ops, std::uint64_t chunk_bytes);
  void fail_ops(std::deque<queued_op>& ops, fill_error why);
  void report_failure(fill_error why, int rc);
  int apply(batch& b, queued_op& q);
  void save(batch& b, fill_state& f);
  void rollback(batch& b);

  // writer_fill.cpp
  int apply_chunk(batch& b, chunk_op& op);
  int apply_commit(batch& b, commit_op& op);
  fill_error commit_refusal(const fill_state& f, const object_meta& meta) const;
  int displace_record(batch& b, const fill_state& f, std::optional<object_entry>& old);
  int write_record(batch& b, const fill_state& f, const cached_object& obj, std::size_t size);
  void commit_effects(batch& b, fill_state& f, std::uint64_t total,
                      const std::optional<object_entry>& old);
  void doom(batch& b, fill_state& f, fill_error why);
  void retire_fill(fill_state& f, std::uint64_t charge, bool had_chunks);
  int write_body_chunk(fill_state& f, const chunk_op& op);
  void end_body_file(fill_state& f, bool remove);

  // writer_update.cpp
  int apply_update(batch& b, update_op& op);
  int persist_accesses(batch& b);

  // writer_purge.cpp
  int apply_purge(batch& b, purge_op& op);
  int purge_key(batch& b, const purge_op& op, std::uint64_t& removed);
  int purge_url(batch& b, const purge_op& op, std::uint64_t& removed);
  struct url_member {
    key_hash hash;
    cached_object obj;
    std::size_t size = 0;  // of its record
  };
  int read_url_members(batch& b, const purge_op& op, std::vector<url_member>& out);
  int purge_all(batch& b, const purge_op& op);
  int remove_record(batch& b, const key_hash& hash, const cached_object& old, std::size_t size);
  bool purged_since(const fill_state& f) const;
  void note_purge(const key_hash& h, std::uint64_t seq);

  // evictor.cpp
  void make_room(std::uint64_t incoming);
  bool evict_until(std::uint64_t target);
  bool relieve_map_full(int attempt);
  bool emergency_drop();
  bool reclaim_step(std::uint32_t budget);
  void reclaim_all();
  void apply_touches();

  std::uint64_t charged() const { return committed_ + inflight_charge_ + dead_charge_; }
  void publish();
  void maybe_sync(bool force);

  environment& env_;
  std::shared_ptr<core> core_;
  const store_settings& s_;
  std::unique_ptr<eviction_policy> policy_;
  std::unordered_map<key_hash, object_entry> objects_;
  std::deque<dead_range> dead_;
  std::unordered_map<key_hash, std::uint64_t> purged_at_;  // key or URL hash → purge seq
  std::uint64_t commit_barrier_ = 0;                       // fills with smaller ids never commit
  std::uint64_t dropped_below_ = 0;    // fills with smaller ids lost their chunks to a drop
  std::uint64_t committed_ = 0;        // charge of committed objects
  std::uint64_t inflight_charge_ = 0;  // chunks of fills not yet committed
  std::uint64_t dead_charge_ = 0;      // chunks waiting to be reclaimed
  std::uint64_t content_bytes_ = 0;
  std::vector<key_hash> touches_;
  std::vector<key_hash> persist_access_;
  bool dirty_ = false;
  std::unique_ptr<interval_sync> syncer_;  // sync: none only
  bool stopped_ = false;
  std::thread thread_;
};

std::int64_t now_seconds();

}  // namespace rangecache::cache::detail
