// The LMDB store's fill sink: every chunk, the commit and the abort are queued to the writer
// thread, which applies them in batched write transactions. The sink never waits: a queue
// over its byte limit refuses the chunk instead.
#include <memory>
#include <utility>

#include "store_impl.hpp"

namespace rangecache::cache::detail {
namespace {

class store_fill_sink final : public fill_sink {
 public:
  store_fill_sink(std::shared_ptr<core> c, std::shared_ptr<fill_state> state)
      : core_(std::move(c)), state_(std::move(state)) {}

  // Set by the writer when it gives up on the fill (no space, map full, a purge...).
  fill_error failure() const override { return state_->failure.load(); }

  fill_error put_chunk(std::unique_ptr<std::byte[]> data, std::uint32_t size) override {
    chunk_op op{state_, std::move(data), next_index_, size};
    if (!core_->queue.push(std::move(op), size, false))
      return core_->closing.load() ? fill_error::closed : fill_error::queue_full;
    ++next_index_;
    return fill_error::none;
  }

  fill_error commit(object_meta meta, commit_callback done) override {
    // Forced: a record is tiny and must not be lost to the byte limit.
    if (!core_->queue.push(commit_op{state_, std::move(meta), std::move(done)}, 0, true))
      return fill_error::closed;
    return fill_error::none;
  }

  void abort(fill_error why) override {
    // A failure the writer reported was counted by the writer when it happened.
    const bool from_writer = state_->failure.load() == why;
    // Followers stop now; the writer says so again when it applies the abort.
    state_->publish_state(fill_progress::failed);
    core_->queue.push(abort_op{state_}, 0, true);
    if (why == fill_error::aborted) {
      counters::add(core_->stats.aborted_fills);
    } else if (!from_writer) {
      counters::add(core_->stats.failed_fills);
    }
  }

 private:
  std::shared_ptr<core> core_;
  std::shared_ptr<fill_state> state_;
  std::uint32_t next_index_ = 0;
};

}  // namespace

std::unique_ptr<fill_sink> make_store_fill_sink(std::shared_ptr<core> c,
                                                std::shared_ptr<fill_state> state) {
  return std::make_unique<store_fill_sink>(std::move(c), std::move(state));
}

}  // namespace rangecache::cache::detail
