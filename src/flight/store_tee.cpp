#include "rangecache/flight/store_tee.hpp"

#include <spdlog/spdlog.h>

#include "rangecache/flight/commit_wait.hpp"

namespace rangecache::flight {

store_tee::store_tee(asio::any_io_executor ex, cache::fill& fill, cache::object_meta meta,
                     origin::body_sink* next, tee_options options)
    : ex_(std::move(ex)), fill_(fill), meta_(std::move(meta)), next_(next), options_(options) {}

store_tee::~store_tee() {
  if (!committed_ && fill_.active()) fill_.abort();
}

awaitable<void> store_tee::keep_pace() {
  const auto progress = fill_.progress();
  if (!progress || options_.ahead_limit == 0) co_return;
  if (!pace_) pace_.emplace(ex_, *progress);
  // Sleeps until the writer reports progress (listening first, then looking, so no report
  // is missed); the bound only guards against a writer that stopped.
  while (fill_.active() &&
         appended_ >
             progress->durable_bytes.load(std::memory_order_acquire) + options_.ahead_limit &&
         !(options_.stop && options_.stop->load(std::memory_order_relaxed))) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    co_await pace_->changed(until);
  }
}

awaitable<bool> store_tee::take(std::string_view piece, bool last) {
  if (options_.stop && options_.stop->load(std::memory_order_relaxed)) co_return false;
  if (!piece.empty() && fill_.active()) {
    auto fe = fill_.append(piece);
    if (fe != cache::fill_error::none) spdlog::debug("fill dropped: {}", cache::to_string(fe));
    appended_ += piece.size();
    co_await keep_pace();
  }
  if (last && fill_.active()) {
    // Commit first, so that a client never holds a complete answer the cache does not have.
    meta_.content_length = appended_;
    if (options_.before_commit) options_.before_commit();
    committed_ = co_await commit_and_wait(ex_, fill_, meta_);
    if (options_.on_commit) options_.on_commit();
  }
  if (!next_) co_return true;
  co_return co_await next_->take(piece, last);
}

}  // namespace rangecache::flight
