// Filling the memory store: a fill's chunks go into its body as they come (readable at once
// through progress_ref), and the object becomes visible when its commit is applied. The sink
// publishes progress after each call, outside the store's lock: listeners run there.
#include <cstring>
#include <memory>
#include <utility>

#include "memory_core.hpp"
#include "rangecache/cache/fill_sink.hpp"

namespace rangecache::cache::detail {

namespace {

class memory_fill_sink final : public fill_sink {
 public:
  memory_fill_sink(std::shared_ptr<memory_core> core, memory_fill f)
      : core_(std::move(core)), fill_(std::move(f)) {}

  // Every refusal is decided inside the calls below, never behind the caller's back.
  fill_error failure() const override { return fill_error::none; }

  fill_error put_chunk(std::unique_ptr<std::byte[]> data, std::uint32_t size) override {
    memory_chunk chunk{std::move(data), size};
    if (size < fill_.chunk_size) {
      // The last chunk is usually short: keep its bytes, not a whole chunk's buffer.
      auto exact = std::make_unique_for_overwrite<std::byte[]>(size);
      std::memcpy(exact.get(), chunk.data.get(), size);
      chunk.data = std::move(exact);
    }
    const fill_error e = core_->put_chunk(fill_, std::move(chunk));
    // The chunk is in the body before anyone hears of it.
    if (e == fill_error::none) fill_.progress->publish_durable(fill_.bytes);
    return e;
  }

  fill_error commit(object_meta meta, commit_callback done) override {
    const commit_result r = core_->commit(fill_, std::move(meta));
    if (r.error == fill_error::closed) return fill_error::closed;
    if (r.ok()) {
      fill_.progress->publish_durable(r.ref.length);
      fill_.progress->publish_state(fill_progress::committed);
    } else {
      fill_.progress->publish_state(fill_progress::failed);
    }
    if (done) done(r);
    return fill_error::none;
  }

  void abort(fill_error why) override {
    if (core_->abort(fill_, why)) fill_.progress->publish_state(fill_progress::failed);
  }

 private:
  std::shared_ptr<memory_core> core_;
  memory_fill fill_;
};

}  // namespace

fill begin_memory_fill(const std::shared_ptr<memory_core>& core, std::string_view key,
                       std::string_view url, const fill_options& options) {
  memory_fill f;
  if (const fill_error e = core->start_fill(f, key, url, options.expected_length);
      e != fill_error::none)
    return fill::refused(e);
  std::shared_ptr<fill_progress> progress = f.progress;
  const object_ref ref{f.hash, f.id, options.expected_length.value_or(object_ref::unknown_length),
                       f.chunk_size};
  const std::uint64_t max_object_size = core->settings().max_object_size;
  return fill(std::make_unique<memory_fill_sink>(core, std::move(f)), std::move(progress), ref,
              max_object_size);
}

fill_error memory_core::start_fill(memory_fill& f, std::string_view key, std::string_view url,
                                   std::optional<std::uint64_t> expected_length) {
  if (expected_length && *expected_length > settings_.max_object_size) return fill_error::too_large;
  f.hash = hash(key);
  f.url_hash = hash(url);
  f.key = std::string(key);
  f.url = std::string(url);
  f.chunk_size = settings_.chunk_size;
  f.body = std::make_shared<memory_body>();
  std::lock_guard lock(mu_);
  if (closed_) return fill_error::closed;
  f.id = next_seq_++;
  bodies_.emplace(f.id, f.body);
  return fill_error::none;
}

fill_error memory_core::put_chunk(memory_fill& f, memory_chunk chunk) {
  std::lock_guard lock(mu_);
  if (closed_) return fill_error::closed;
  if (f.id < commit_barrier_) return fill_error::purged;  // everything was purged since it began
  make_room(chunk.size);
  // The hard bound: if fills in progress alone fill the store, this one is dropped.
  if (charged() + chunk.size > settings_.max_size) return fill_error::no_space;
  const std::uint32_t size = chunk.size;
  f.body->chunks.push_back(std::move(chunk));
  f.bytes += size;
  inflight_ += size;
  return fill_error::none;
}

// A fill that will never commit: its bytes go now (its sink tells readers following it).
void memory_core::drop_fill(memory_fill& f, fill_error why) {
  f.finished = true;
  if (!closed_) {
    inflight_ -= f.bytes;
    drop_body(f.id);
  }
  if (why == fill_error::aborted) {
    ++stats_.aborted_fills;
  } else {
    ++stats_.failed_fills;
  }
}

bool memory_core::abort(memory_fill& f, fill_error why) {
  std::lock_guard lock(mu_);
  if (f.finished) return false;
  drop_fill(f, why);
  return true;
}

commit_result memory_core::commit(memory_fill& f, object_meta meta) {
  std::lock_guard lock(mu_);
  if (closed_) return {fill_error::closed, {}};
  fill_error err = fill_error::none;
  if (purged_since(f)) {
    err = fill_error::purged;
  } else if (f.bytes != meta.content_length) {
    err = fill_error::length_mismatch;
  }
  entry e;
  if (err == fill_error::none) {
    e.obj = {f.key, f.url, std::move(meta), {f.hash, f.id, f.bytes, f.chunk_size}, now(), {}};
    const std::uint64_t record = record_charge(e.obj);
    make_room(record);
    if (charged() + record > settings_.max_size) err = fill_error::no_space;
    e.charge = f.bytes + record;
  }
  if (err != fill_error::none) {
    drop_fill(f, err);
    return {err, {}};
  }
  // A record already under this hash (the same key, or a colliding one) is replaced.
  if (const auto old = objects_.find(f.hash); old != objects_.end()) remove(old);
  inflight_ -= f.bytes;
  committed_ += e.charge;
  content_bytes_ += f.bytes;
  urls_[f.url].insert(f.hash);
  policy_->insert(f.hash, e.charge);
  const object_ref ref = e.obj.ref;
  objects_.emplace(f.hash, std::move(e));
  ++stats_.commits;
  f.finished = true;
  return {fill_error::none, ref};
}

}  // namespace rangecache::cache::detail
