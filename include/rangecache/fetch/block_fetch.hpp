// Block mode's origin fetch: one aligned block of one object, asked for with
// `Range: bytes=k*size-((k+1)*size-1)`, checked (exactly that block, the object's identity),
// and stored as an object of its own while requests stream from it. It runs apart from any
// client, so a block many requests wait for is not lost when the one that started it goes
// away; only read-ahead blocks no one uses are cancelled.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rangecache/fetch/fetcher.hpp"
#include "rangecache/plan/block_plan.hpp"

namespace rangecache::fetch {

// What the fetch and the requests using it share.
struct block_task {
  enum class result : int {
    running,
    stored,        // the block is stored (and was published while it was written)
    not_blocks,    // the object is not kept as blocks: too small, no validator, not storable,
                   // or the origin ignores Range
    other_answer,  // an answer that is no block (416, an error, another range): this request
                   // takes the ordinary path
    older,         // a version that a later fetch replaced: not stored
    failed,        // no answer, a cut body, or the store refused it
    cancelled,     // a read-ahead block no one waited for, whose reader went away
  };
  // Called off when its reader goes away, unless requests stream from it.
  std::shared_ptr<flight::fetch_claim> claim = std::make_shared<flight::fetch_claim>();
  std::atomic<result> outcome{result::running};
  std::atomic<std::uint64_t> origin_bytes{0};
};

struct block_job {
  std::string url;        // the URL its objects are stored under
  std::string index_key;  // the complete object's key, where the block index lives
  std::string key;        // this block's key
  std::string target;     // origin-form request target
  std::string host;
  std::uint16_t port = 80;
  std::vector<std::pair<std::string, std::string>> headers;  // no credentials, no Range
  std::vector<std::string> cache_control_fields;
  std::uint64_t size = 0;
  std::uint64_t index = 0;
  std::uint64_t min_object = 0;
  // The version this block must be of (from the block index); none for the first block of
  // an object not seen yet, whose answer decides whether it is kept as blocks at all.
  std::optional<plan::block_identity> expect;
  bool refresh = false;  // the block index is stale: a block of its version renews it
  std::shared_ptr<block_task> task;
  // Called on the fetch's loop when it ends, after the key's waiters were released.
  std::function<void(const block_task&)> done;
};

// Runs as the leader of `j.key` in `ctx.inflight`, which the caller joined as such: publishes
// the block's fill once its head is checked, and finishes the key whatever happens.
awaitable<void> fetch_block(fetch_context ctx, block_job j);

}  // namespace rangecache::fetch
