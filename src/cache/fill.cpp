#include "rangecache/cache/fill.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "rangecache/cache/fill_sink.hpp"

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

fill::fill() = default;

fill::fill(std::unique_ptr<fill_sink> sink, std::shared_ptr<fill_progress> progress, object_ref ref,
           std::uint64_t max_object_size)
    : sink_(std::move(sink)),
      max_object_size_(max_object_size),
      error_(fill_error::none),
      progress_(std::move(progress)),
      ref_(ref) {}

fill fill::refused(fill_error why) {
  fill f;
  f.error_ = why;
  return f;
}

fill::fill(fill&& other) noexcept
    : sink_(std::move(other.sink_)),
      staging_(std::move(other.staging_)),
      staged_(other.staged_),
      appended_(other.appended_),
      max_object_size_(other.max_object_size_),
      error_(other.error_),
      progress_(std::move(other.progress_)),
      ref_(std::exchange(other.ref_, {})) {
  other.error_ = fill_error::closed;
}

fill& fill::operator=(fill&& other) noexcept {
  if (this != &other) {
    abort();
    sink_ = std::move(other.sink_);
    staging_ = std::move(other.staging_);
    staged_ = other.staged_;
    appended_ = other.appended_;
    max_object_size_ = other.max_object_size_;
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
  return sink_ && error_ == fill_error::none && sink_->failure() == fill_error::none;
}

fill_error fill::error() const {
  if (error_ == fill_error::none && sink_) return sink_->failure();
  return error_;
}

// Gives up: the backend drops whatever was written (and counts the failure once).
fill_error fill::fail(fill_error why) {
  if (sink_) sink_->abort(why);
  release();
  error_ = why;
  return why;
}

void fill::release() {
  sink_.reset();
  staging_.reset();
  staged_ = 0;
}

void fill::abort() {
  if (!sink_) return;
  sink_->abort(fill_error::aborted);
  release();
  error_ = fill_error::aborted;
}

fill_error fill::flush_chunk() {
  const std::uint32_t size = staged_;
  staged_ = 0;
  if (const fill_error e = sink_->put_chunk(std::move(staging_), size); e != fill_error::none)
    return fail(e);
  return fill_error::none;
}

fill_error fill::append(std::span<const std::byte> bytes) {
  if (!sink_) return error_;
  if (const fill_error f = sink_->failure(); f != fill_error::none) return fail(f);
  if (appended_ + bytes.size() > max_object_size_) return fail(fill_error::too_large);
  const std::uint32_t chunk = ref_.chunk_size;
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
  if (!sink_) return error_ == fill_error::none ? fill_error::closed : error_;
  if (const fill_error f = sink_->failure(); f != fill_error::none) return fail(f);
  // The caller's length is checked here too, so a short body fails before its last chunk
  // is even handed over; the backend checks what it actually stored.
  if (meta.content_length != appended_) return fail(fill_error::length_mismatch);
  if (staged_ > 0) {
    if (const fill_error e = flush_chunk(); e != fill_error::none) return e;
  }
  if (const fill_error e = sink_->commit(std::move(meta), std::move(done)); e != fill_error::none)
    return fail(e);
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
