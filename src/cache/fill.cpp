#include "rangecache/cache/fill.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core.hpp"

namespace rangecache::cache {

std::uint64_t fill_progress::listen(std::function<void()> wake) const {
  std::lock_guard lock(mutex_);
  listeners_.emplace_back(++next_id_, std::move(wake));
  return next_id_;
}

void fill_progress::unlisten(std::uint64_t id) const {
  std::lock_guard lock(mutex_);
  std::erase_if(listeners_, [id](const auto& l) { return l.first == id; });
}

void fill_progress::publish_durable(std::uint64_t bytes) {
  durable_bytes.store(bytes, std::memory_order_release);
  notify();
}

void fill_progress::publish_state(int new_state) {
  state.store(new_state, std::memory_order_release);
  notify();
}

void fill_progress::notify() const {
  std::lock_guard lock(mutex_);
  for (const auto& l : listeners_) l.second();
}

const char* to_string(fill_error e) {
  switch (e) {
    case fill_error::none:
      return "none";
    case fill_error::closed:
      return "closed";
    case fill_error::too_large:
      return "too_large";
    case fill_error::queue_full:
      return "queue_full";
    case fill_error::no_space:
      return "no_space";
    case fill_error::map_full:
      return "map_full";
    case fill_error::length_mismatch:
      return "length_mismatch";
    case fill_error::purged:
      return "purged";
    case fill_error::aborted:
      return "aborted";
    case fill_error::store_error:
      return "store_error";
  }
  return "unknown";
}

fill::fill(std::shared_ptr<detail::core> core, std::shared_ptr<detail::fill_state> state,
           std::optional<std::uint64_t> expected_length)
    : core_(std::move(core)), state_(std::move(state)), error_(fill_error::none) {
  progress_ = state_->published;
  ref_ = {state_->hash, state_->id, expected_length.value_or(object_ref::unknown_length),
          state_->chunk_size};
}

fill::fill(fill&& other) noexcept
    : core_(std::move(other.core_)),
      state_(std::move(other.state_)),
      staging_(std::move(other.staging_)),
      staged_(other.staged_),
      next_index_(other.next_index_),
      appended_(other.appended_),
      error_(other.error_),
      progress_(std::move(other.progress_)),
      ref_(std::exchange(other.ref_, {})) {
  other.error_ = fill_error::closed;
}

fill& fill::operator=(fill&& other) noexcept {
  if (this != &other) {
    abort();
    core_ = std::move(other.core_);
    state_ = std::move(other.state_);
    staging_ = std::move(other.staging_);
    staged_ = other.staged_;
    next_index_ = other.next_index_;
    appended_ = other.appended_;
    error_ = other.error_;
    progress_ = std::move(other.progress_);
    ref_ = std::exchange(other.ref_, {});
    other.error_ = fill_error::closed;
  }
  return *this;
}

fill::~fill() {
  abort();
}

bool fill::active() const {
  return state_ && error_ == fill_error::none && state_->failure.load() == fill_error::none;
}

fill_error fill::error() const {
  if (error_ == fill_error::none && state_) return state_->failure.load();
  return error_;
}

// Gives up: the writer reclaims whatever was written. Counted once, here, unless the writer
// failed the fill (it counted it then).
fill_error fill::fail(fill_error why) {
  const bool from_writer = state_ && state_->failure.load() == why;
  if (state_) {
    // Followers stop now; the writer says so again when it applies the abort.
    state_->publish_state(fill_progress::failed);
    core_->queue.push(detail::abort_op{std::move(state_)}, 0, true);
    if (!from_writer) detail::counters::add(core_->stats.failed_fills);
  }
  release();
  error_ = why;
  return why;
}

void fill::release() {
  state_.reset();
  staging_.reset();
  staged_ = 0;
}

void fill::abort() {
  if (!state_) return;
  state_->publish_state(fill_progress::failed);
  core_->queue.push(detail::abort_op{std::move(state_)}, 0, true);
  detail::counters::add(core_->stats.aborted_fills);
  release();
  error_ = fill_error::aborted;
}

fill_error fill::flush_chunk() {
  detail::chunk_op op{state_, std::move(staging_), next_index_, staged_};
  const std::uint32_t size = staged_;
  staged_ = 0;
  if (!core_->queue.push(std::move(op), size, false))
    return fail(core_->closing.load() ? fill_error::closed : fill_error::queue_full);
  ++next_index_;
  return fill_error::none;
}

fill_error fill::append(std::span<const std::byte> bytes) {
  if (!state_) return error_;
  if (const fill_error f = state_->failure.load(); f != fill_error::none) return fail(f);
  if (appended_ + bytes.size() > core_->settings.max_object_size)
    return fail(fill_error::too_large);
  const std::uint32_t chunk = state_->chunk_size;
  while (!bytes.empty()) {
    if (!staging_) staging_ = std::make_unique_for_overwrite<std::byte[]>(chunk);
    const std::size_t n = std::min<std::size_t>(bytes.size(), chunk - staged_);
    std::memcpy(staging_.get() + staged_, bytes.data(), n);
    staged_ += static_cast<std::uint32_t>(n);
    appended_ += n;
    bytes = bytes.subspan(n);
    if (staged_ == chunk) {
      if (const fill_error e = flush_chunk(); e != fill_error::none) return e;
    }
  }
  return fill_error::none;
}

fill_error fill::append(std::string_view bytes) {
  return append(std::as_bytes(std::span<const char>(bytes.data(), bytes.size())));
}

fill_error fill::commit(object_meta meta, commit_callback done) {
  if (!state_) return error_ == fill_error::none ? fill_error::closed : error_;
  if (const fill_error f = state_->failure.load(); f != fill_error::none) return fail(f);
  // The caller's length is checked here too, so a short body fails before its last chunk
  // is even queued; the writer checks what it actually wrote.
  if (meta.content_length != appended_) return fail(fill_error::length_mismatch);
  if (staged_ > 0) {
    if (const fill_error e = flush_chunk(); e != fill_error::none) return e;
  }
  if (!core_->queue.push(detail::commit_op{state_, std::move(meta), std::move(done)}, 0, true))
    return fail(fill_error::closed);
  ref_.length = appended_;
  release();
  error_ = fill_error::none;
  return fill_error::none;
}

std::future<commit_result> fill::commit(object_meta meta) {
  auto promise = std::make_shared<std::promise<commit_result>>();
  auto future = promise->get_future();
  const fill_error e =
      commit(std::move(meta), [promise](const commit_result& r) { promise->set_value(r); });
  if (e != fill_error::none) promise->set_value({e, {}});
  return future;
}

commit_result fill::commit_wait(object_meta meta) {
  return commit(std::move(meta)).get();
}

}  // namespace rangecache::cache
