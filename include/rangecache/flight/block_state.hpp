// What block mode keeps in memory, shared by every worker: the version each URL's block
// fetches agree on (so that a block of an older version arriving late is never stored), the
// URLs found not to be kept as blocks, and the blocks fetched ahead of readers that no one
// has used yet. Nothing here is needed for correct bytes after a restart: every stored
// block is checked against the URL's block index when it is read.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "rangecache/plan/block_plan.hpp"

namespace rangecache::flight {

class block_state {
 public:
  // A number for a block fetch about to send its request: a fetch that starts later gets a
  // higher one.
  std::uint64_t start_fetch() { return next_seq_.fetch_add(1, std::memory_order_relaxed) + 1; }

  enum class verdict {
    same,   // the version this URL's fetches have seen: store it
    newer,  // a new version, from a fetch started after every other that saw the old one:
            // it replaces the old version
    older,  // a version that a fetch started later has replaced: discard it
  };
  // A block fetch started as `seq` got an answer of identity `got` for `url`; `expected` is
  // the identity it asked for (the URL's block index), if there was one.
  verdict observe(const std::string& url, const plan::block_identity& got, std::uint64_t seq,
                  const std::optional<plan::block_identity>& expected);
  // The identity the latest fetch of `url` saw, if one is remembered.
  std::optional<plan::block_identity> current(const std::string& url) const;

  // `url` answered in a way that cannot be kept as blocks (smaller than min_object, no
  // validator, ignores Range, not storable): for a while its requests take the ordinary path
  // without asking for a block first.
  void mark_not_blocks(const std::string& url, std::chrono::steady_clock::time_point until);
  bool not_blocks(const std::string& url, std::chrono::steady_clock::time_point now) const;

  // Where a client address last read, for readers that open a connection per request.
  std::optional<plan::reader_mark> last_read(const std::string& address) const;
  void note_read(const std::string& address, plan::reader_mark mark);

  // Read-ahead fetches running in the whole daemon, bounded by `limit`.
  bool try_start_read_ahead(std::uint32_t limit);
  void end_read_ahead() { read_ahead_running_.fetch_sub(1, std::memory_order_relaxed); }
  std::uint32_t read_ahead_running() const {
    return read_ahead_running_.load(std::memory_order_relaxed);
  }

  // A block fetched ahead for rule series `rule`, not served yet. Returns the rule of one
  // forgotten to keep the list bounded (it counts as wasted), if one was.
  std::optional<std::uint32_t> note_read_ahead(const std::string& block_key, std::uint32_t rule);
  // The block was served: its rule when it was fetched ahead and not served before.
  std::optional<std::uint32_t> take_read_ahead(const std::string& block_key);

 private:
  struct version {
    plan::block_identity id;
    std::uint64_t seq = 0;
  };
  static constexpr std::size_t max_entries = 10'000;
  mutable std::mutex mutex_;
  std::atomic<std::uint64_t> next_seq_{0};
  std::atomic<std::uint32_t> read_ahead_running_{0};
  std::unordered_map<std::string, version> versions_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> not_blocks_;
  std::unordered_map<std::string, std::uint32_t> unused_;
  std::unordered_map<std::string, plan::reader_mark> readers_;
  std::deque<std::string> unused_order_;
};

}  // namespace rangecache::flight
