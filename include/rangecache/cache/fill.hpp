// Writing one object: begin_fill → append* → commit (or abort). Bytes are staged one chunk at
// a time and handed to the store's backend (the LMDB store queues them to its writer thread),
// so memory does not grow with the object and the caller never waits on LMDB. The object
// becomes visible only when its record commits. Before that, other threads may read the bytes
// already durable (read-while-write): see fill::progress() and fill::progress_ref().
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "rangecache/cache/object.hpp"

namespace rangecache::cache {

class fill_sink;

enum class fill_error : std::uint8_t {
  none,
  closed,           // the store is shutting down (or the fill was never begun)
  too_large,        // past max_object_size
  queue_full,       // the writer's queue is over its byte limit: the insert is dropped
  no_space,         // eviction could not make room within max_size
  map_full,         // MDB_MAP_FULL even after evicting
  length_mismatch,  // committed byte count differs from meta.content_length
  purged,           // a purge of its URL (or of everything) happened while it was filling
  aborted,          // abort() was called, or commit after a failure
  store_error,      // an unexpected LMDB error
};

const char* to_string(fill_error e);

struct commit_result {
  fill_error error = fill_error::none;
  object_ref ref;  // the committed object, when ok()
  bool ok() const { return error == fill_error::none; }
};

// Called once: by the LMDB store from its writer thread, after the commit's transaction
// ended; by the memory store before commit() returns. Keep it short (post to your event
// loop): it runs between write batches. Never wait on the store in it (commit_wait, flush,
// *_wait): the writer would wait for itself.
using commit_callback = std::function<void(const commit_result&)>;

struct fill_options {
  std::optional<std::uint64_t> expected_length;  // known Content-Length: refused early if too big
};

// How far a fill has got, as the backend publishes it (LMDB: its writer thread), for readers
// following the fill before its record commits (request collapsing). Readers need not poll:
// a listener is called each time the figures change.
struct fill_progress {
  enum : int { filling = 0, committed = 1, failed = 2 };
  // Bytes of the fill's chunks a reader can get (LMDB: whose write transaction committed):
  // whole chunks, plus the final short one once written. [0, durable_bytes) may be read
  // with fill::progress_ref(). Only grows. Load with memory_order_acquire.
  std::atomic<std::uint64_t> durable_bytes{0};
  // filling, then committed (the record is visible; durable_bytes == its length) or failed
  // (aborted, refused or dropped: its chunks are reclaimed, reads soon return `gone`).
  std::atomic<int> state{filling};

  // Called (from the thread that published: LMDB's writer, or the memory store's caller)
  // after durable_bytes grew or state changed. A listener must be quick and must not call back into
  // the store: post to your own event loop and return. The returned id unregisters it.
  std::uint64_t listen(std::function<void()> wake) const;
  void unlisten(std::uint64_t id) const;
  // Stores then calls every listener (the backend's side).
  void publish_durable(std::uint64_t bytes);
  void publish_state(int new_state);

 private:
  void notify() const;
  mutable std::mutex mutex_;
  mutable std::vector<std::pair<std::uint64_t, std::function<void()>>> listeners_;
  mutable std::uint64_t next_id_ = 0;
};

// A move-only handle; one thread uses it at a time. Destroying it uncommitted aborts.
class fill {
 public:
  fill();  // never begun: inactive, error() is `closed`
  fill(fill&&) noexcept;
  fill& operator=(fill&&) noexcept;
  fill(const fill&) = delete;
  fill& operator=(const fill&) = delete;
  ~fill();

  // For backends (begin_fill): an active fill writing through `sink`. `ref` names the object
  // being written (progress_ref()); `progress` is what the backend publishes to;
  // `max_object_size` bounds what append takes.
  fill(std::unique_ptr<fill_sink> sink, std::shared_ptr<fill_progress> progress, object_ref ref,
       std::uint64_t max_object_size);
  // For backends: an inactive fill that says why it was refused.
  static fill refused(fill_error why);

  // True while bytes may be appended (begun, not committed, aborted or failed).
  bool active() const;
  // Why the fill is not active (or none).
  fill_error error() const;
  std::uint64_t size() const { return appended_; }

  // The object being written, for reader::read before the record commits: the key's hash,
  // this fill's object id and chunk size, and length = fill_options::expected_length, or
  // object_ref::unknown_length. After a successful commit() its length is the committed
  // length. Invalid (id 0) for a fill that was never begun; meaningless after an abort.
  object_ref progress_ref() const { return ref_; }
  // Shared with the backend; may be kept after the handle is gone. Null for a fill that was
  // never begun.
  std::shared_ptr<const fill_progress> progress() const { return progress_; }

  // Copies the bytes in. Never blocks: a full writer queue (or no room in the store) fails
  // the fill and aborts it.
  fill_error append(std::span<const std::byte> bytes);
  fill_error append(std::string_view bytes);

  // Hands over the final chunk and the record. On none, `done` will be called exactly once
  // (see commit_callback); on any other value it is not called and the fill is aborted.
  fill_error commit(object_meta meta, commit_callback done);
  std::future<commit_result> commit(object_meta meta);
  commit_result commit_wait(object_meta meta);  // start-up, tools and tests only

  // Nothing becomes visible; written chunks are reclaimed by the backend.
  void abort();

 private:
  fill_error fail(fill_error why);
  fill_error flush_chunk();
  void release();

  std::unique_ptr<fill_sink> sink_;  // null once committed, aborted or failed
  std::unique_ptr<std::byte[]> staging_;
  std::uint32_t staged_ = 0;
  std::uint64_t appended_ = 0;
  std::uint64_t max_object_size_ = 0;
  fill_error error_ = fill_error::closed;
  std::shared_ptr<fill_progress> progress_;
  object_ref ref_;
};

}  // namespace rangecache::cache
